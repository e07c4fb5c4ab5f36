"""What Hearth tells the model: the system prompt, a picture of the project, the chat.

With an index, code retrieved for each question travels with it (``context``); until
the index exists, the model gets a plain listing of the project's files so it can at
least name real paths. The app and ``hearth ask`` build their requests the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Sequence

from desktop.core.assets import resource_path
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatMessage
from desktop.index.ignore import IgnoreRules, walk_project

log = logging.getLogger(__name__)

SYSTEM_PROMPT_FILE = ("prompts", "system.md")
OVERVIEW_COUNT_LIMIT = 50_000  # stop counting the unlisted rest here: huge trees stay fast
_FALLBACK_SYSTEM_PROMPT = (
    "You are Hearth, a coding assistant running on the user's computer. Answer questions "
    "about their project directly, name real file paths, and never invent code or files."
)


@dataclass(frozen=True)
class ProjectOverview:
    """A listing of the project for the prompt and how much of it was listed."""

    text: str
    files_listed: int
    files_total: int
    total_is_lower_bound: bool = False


@lru_cache(maxsize=1)
def system_prompt() -> str:
    """The system prompt text from ``resources/prompts/system.md``.

    A missing or unreadable file is logged and replaced by a short built-in text, so a
    damaged install still answers.
    """
    try:
        return resource_path(*SYSTEM_PROMPT_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("system prompt not found (%s); using the built-in one", exc)
        return _FALLBACK_SYSTEM_PROMPT


def describe_project(
    root: Path,
    rules: IgnoreRules,
    max_entries: int = 150,
    cancel: CancelToken | None = None,
) -> ProjectOverview:
    """List up to ``max_entries`` files of the project, one relative path a line.

    Full paths rather than an indented tree: small models copy a path they can see
    whole far more reliably than one they must assemble from indentation.

    Raises ``Cancelled`` when ``cancel`` is set during the walk.
    """
    root = Path(root).expanduser().resolve()
    listed: list[PurePosixPath] = []
    total = 0
    for path in walk_project(root, rules, cancel=cancel, max_files=OVERVIEW_COUNT_LIMIT):
        total += 1
        if len(listed) < max_entries:
            listed.append(PurePosixPath(path.relative_to(root).as_posix()))
    lower_bound = total >= OVERVIEW_COUNT_LIMIT
    lines = [f"Project folder: {root.name}"]
    lines.extend(path.as_posix() for path in listed)
    rest = total - len(listed)
    if rest > 0:
        more = f"more than {rest}" if lower_bound else str(rest)
        lines.append(f"… and {more} more files")
    if total == 0:
        lines.append("(no files)")
    return ProjectOverview("\n".join(lines), len(listed), total, lower_bound)


def project_overview(
    root: Path,
    rules: IgnoreRules,
    max_entries: int = 150,
    cancel: CancelToken | None = None,
) -> str:
    """The project listing as text, truncated with "… and N more files"."""
    return describe_project(root, rules, max_entries, cancel).text


def listing_system_text(overview: ProjectOverview) -> str:
    """The system message when there is no index: the prompt and the file listing."""
    return (
        f"{system_prompt()}\n\n"
        "## The project\n\n"
        "These are the files of the project the user has open (ignored files left out):\n\n"
        f"{overview.text}"
    )


def indexed_system_text(root: Path) -> str:
    """The system message when the project is indexed: code comes with each question."""
    return (
        f"{system_prompt()}\n\n"
        "## The project\n\n"
        f"The user has the project folder {Path(root).name} open. Hearth indexes it and puts "
        "the code most relevant to each question, with file paths and line numbers, above "
        "the question. Refer to those paths and lines."
    )


def build_messages(
    root: Path,
    rules: IgnoreRules,
    history: Sequence[ChatMessage],
    question: str,
    *,
    overview: ProjectOverview | None = None,
) -> list[ChatMessage]:
    """System prompt with the project listing, then the history, then the question.

    Pass ``overview`` when it was already computed (the chat service reports its size).
    """
    if overview is None:
        overview = describe_project(root, rules)
    messages = [ChatMessage("system", listing_system_text(overview))]
    messages.extend(message for message in history if message.content.strip())
    messages.append(ChatMessage("user", question))
    return messages
