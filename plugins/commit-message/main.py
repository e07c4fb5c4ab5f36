"""Gives the Write Commit Message action the project's ``git status`` and ``git diff``."""

from __future__ import annotations

import re
from pathlib import Path

from desktop.plugins.api import (
    ActionContext,
    GitError,
    NotAGitRepository,
    Plugin,
    fenced,
    holds_private_key,
    is_secret_path,
    run_git,
    truncate_text,
)

MAX_DIFF_CHARS = 12_000  # about 3,500 tokens: room for the answer in an 8k context
MAX_STATUS_CHARS = 2_000
_FILE_SECTION = re.compile(r"^(?=diff --git )", re.MULTILINE)
_SECTION_NAMES = re.compile(r"^diff --git a/(.+?) b/(.+)$", re.MULTILINE)
_LINE_MARK = re.compile(r"^[-+ ]", re.MULTILINE)


def setup(plugin: Plugin) -> None:
    """Add ``{git_status}`` and ``{git_diff}`` to this plugin's action."""

    def add_git_variables(action, context: ActionContext):  # noqa: ANN001, ANN202 - hook signature
        return git_variables(context) if plugin.owns(action) else None

    plugin.on("context_will_be_built", add_git_variables)


def git_variables(context: ActionContext) -> dict[str, str]:
    """``git_status`` and ``git_diff`` for the folder the action was started on.

    Outside a git repository, or when git fails, both say so in words the model passes
    on, instead of the action failing.
    """
    folder = context.root / context.relative if context.relative else context.root
    try:
        top = Path(run_git(folder, "rev-parse", "--show-toplevel").strip())
        scope = Path(folder).resolve().relative_to(top.resolve()).as_posix()
        return _changes(top, scope)
    except NotAGitRepository:
        note = (f"(The folder {Path(folder).name} is not in a git repository, so there are no "
                "changes to describe. Tell the user, and that `git init` starts one.)")
    except GitError as exc:
        note = f"(git could not be run: {exc.message} Tell the user.)"
    return {"git_status": note, "git_diff": "(none)"}


def _changes(top: Path, scope: str) -> dict[str, str]:
    pathspec = scope if scope != "." else "."
    has_head = _has_head(top)
    base = ["diff", "HEAD"] if has_head else ["diff", "--cached"]
    names = [name for name in run_git(top, *base, "--name-only", "-z", "--", pathspec).split("\0") if name]
    secret = [name for name in names if is_secret_path(name)]
    excludes = [f":(exclude,literal){name}" for name in secret]  # literal: names with * or [ stay names
    diff, with_keys = _without_private_keys(run_git(top, *base, "--no-color", "--no-ext-diff", "--", pathspec, *excludes))
    secret += with_keys
    status = run_git(top, "status", "--short", "--", pathspec)
    if diff.strip():
        diff_text = fenced(truncate_text(diff.rstrip("\n"), MAX_DIFF_CHARS, "diff"), "diff")
    else:
        diff_text = "(no changes to tracked files)"
    if not has_head:
        diff_text = "(this will be the repository's first commit; the staged changes follow)\n" + diff_text
    if secret:
        diff_text += "\n(left out because they hold secrets: " + ", ".join(secret) + ")"
    status_text = truncate_text(status.rstrip("\n"), MAX_STATUS_CHARS, "file list") or "(nothing changed)"
    return {"git_status": status_text, "git_diff": diff_text}


def _without_private_keys(diff: str) -> tuple[str, list[str]]:
    """``diff`` without the files whose changes hold a private key (added or removed),
    and those files' names: a key's name does not always say what it is."""
    kept: list[str] = []
    dropped: list[str] = []
    for section in _FILE_SECTION.split(diff):
        if holds_private_key(_LINE_MARK.sub("", section).encode("utf-8", errors="replace")):
            dropped.append(_section_name(section))
        else:
            kept.append(section)
    return "".join(kept), dropped


def _section_name(section: str) -> str:
    names = _SECTION_NAMES.match(section)
    if names is None:
        return "a file"
    before, after = names.groups()
    return before if before == after else f"{before} → {after}"  # git saw a rename


def _has_head(top: Path) -> bool:
    try:
        run_git(top, "rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        return False
    return True
