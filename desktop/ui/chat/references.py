"""How a chat message says which code it is about, and how Hearth reads that back.

Two kinds of message carry code from the project:

- "Add to chat" (Ctrl+L) puts a block into the message box, headed by its place:
  ``About this code from src/app.py, lines 3-9 (`main`):`` and a fenced block (the
  action's template, ``desktop.assist.actions.describe_location``).
- A code action (Explain, Find problems, …) sends its full prompt as the question,
  headed by a one-line label: ``### Explain `parse_args` (src/cli.py lines 10–42)``.
  The transcript shows the label and keeps the prompt behind a toggle; the whole text is
  what is stored and what the model saw.

"Apply" under an answer's code block needs the file and lines the question was about;
``find_location`` reads them back from either form. Pure Python (no Qt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ACTION_HEADING = "### "

# "src/app.py lines 3–9", "src/app.py, lines 3-9", "src/app.py line 3": a path (with a
# "/" or ".", so "at lines 3-9" is not one) followed by its lines.
_LOCATION = re.compile(
    r"(?:^|(?<=[\s(]))(?P<path>[^\s(),:`]*[./][^\s(),:`]*),? lines? (?P<start>\d+)(?:[-–](?P<end>\d+))?\b",
    re.MULTILINE,
)
# An action label's "(src/my file.py lines 10–42)" at the end of a line: any path.
_LABEL_LOCATION = re.compile(r"\((?P<path>[^\n()]+) lines? (?P<start>\d+)(?:–(?P<end>\d+))?\)$", re.MULTILINE)


@dataclass(frozen=True)
class CodeTarget:
    """A file of the project (relative, ``/``-separated) and 1-based inclusive lines."""

    path: str
    start_line: int
    end_line: int


def location_text(relative: str, start: int | None = None, end: int | None = None) -> str:
    """"src/app.py lines 3–9", "src/app.py line 3" or just the path."""
    if start is None or end is None:
        return relative
    return f"{relative} line {start}" if start == end else f"{relative} lines {start}–{end}"


def find_location(text: str) -> CodeTarget | None:
    """The first place named in ``text`` the way Hearth writes places, or None."""
    matches = list(_LABEL_LOCATION.finditer(text)) + list(_LOCATION.finditer(text))
    for match in matches:
        start = int(match.group("start"))
        end = int(match.group("end") or start)
        if 1 <= start <= end:
            return CodeTarget(match.group("path").strip(), start, end)
    return None


def action_question(label: str, prompt: str) -> str:
    """The stored question of a code action: the label as a heading, then the full prompt."""
    return f"{ACTION_HEADING}{label}\n\n{prompt.strip()}"


def split_action_question(content: str) -> tuple[str, str] | None:
    """(label, prompt) of a code action's question, or None for a question the user typed."""
    if not content.startswith(ACTION_HEADING):
        return None
    label, separator, prompt = content[len(ACTION_HEADING):].partition("\n\n")
    if not separator or "\n" in label or not label.strip():
        return None
    return label.strip(), prompt


def action_label(title: str, relative: str | None, start: int | None = None, end: int | None = None,
                 symbol: str | None = None) -> str:
    """"Explain `parse_args` (src/cli.py lines 10–42)": what the transcript shows for an action."""
    name = title.replace("&", "").rstrip("…").rstrip(".").strip()
    subject = f" `{symbol}`" if symbol else ""
    where = location_text(relative, start, end) if relative else "the project"
    return f"{name}{subject} ({where})"
