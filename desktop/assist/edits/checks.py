"""Checks that run before an edit is shown or written.

- ``resolve_target``: the file is inside the project (after following links), is not a
  secret, exists, and the lines are in range.
- ``syntax_problems``: the syntax errors the edit *introduces* (tree-sitter), so a file
  that was already broken does not block every edit to it.
- ``ensure_unchanged``: the file still has the bytes the proposal was made against.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from desktop.assist.edits.diff import compute_hunks
from desktop.assist.edits.files import current_sha256, read_bytes_for_edit, snapshot_of
from desktop.assist.edits.model import (
    EditError,
    EditProposal,
    EditTarget,
    FileChangedOnDisk,
    FileSnapshot,
    OutsideProject,
    SecretFile,
    SyntaxProblem,
)
from desktop.core.errors import ProjectError
from desktop.index.languages import language_for_file, load_language
from desktop.index.files import FileBytes
from desktop.index.scanner import holds_private_key, is_secret_path

MAX_REPORTED_PROBLEMS = 20


def resolve_target(root: Path, file: Path, lines: tuple[int, int] | None = None) -> EditTarget:
    """The edit target for ``file`` (absolute, or relative to ``root``) and ``lines``.

    Raises ``OutsideProject`` when the file — after resolving ``..`` and symbolic links —
    is not inside ``root``; ``SecretFile`` for files the index treats as secret (by name
    or because they hold a private key); ``ProjectError`` for a missing root or file, a
    folder, or lines outside the file.
    """
    root_path = Path(root).expanduser()
    if not root_path.is_dir():
        raise ProjectError(f"The project folder {root_path} does not exist.")
    real_root = root_path.resolve()
    given = Path(file).expanduser()
    candidate = given if given.is_absolute() else root_path / given
    real = candidate.resolve()
    if not real.is_relative_to(real_root):
        raise OutsideProject(
            f"{given} is outside the project {real_root}; Hearth only edits files inside it.",
            "A link that points out of the project counts as outside." if candidate.is_symlink() else "",
        )
    if is_secret_path(candidate) or is_secret_path(real):
        raise SecretFile(
            f"{real.relative_to(real_root).as_posix()} holds secrets; Hearth never sends it to a model or edits it."
        )
    if not real.exists():
        raise ProjectError(f"{given} does not exist.")
    if not real.is_file():
        raise ProjectError(f"{given} is not a file.")
    target = EditTarget(root=real_root, path=real)
    if lines is None:
        _refuse_a_key(target)
        return target
    start, end = lines
    count = line_count(read_checked_snapshot(target).text)  # one read: the key check and the count
    if not 1 <= start <= end <= count:
        raise ProjectError(
            f"Lines {start}-{end} are not in {target.relative}, which has {count} line{'s' if count != 1 else ''}.",
            "Lines are 1-based and inclusive, e.g. --lines 3-8.",
        )
    return EditTarget(root=real_root, path=real, start_line=start, end_line=end)


def read_checked_snapshot(target: EditTarget) -> FileSnapshot:
    """``target``'s file read once for an edit: the private-key check and the snapshot
    come from the same bytes, so the text edited is the text checked.

    Raises ``SecretFile`` when those bytes hold a private key, else ``EditError`` as
    ``read_snapshot`` does (missing, unreadable, too large, binary, not UTF).
    """
    return snapshot_of(_without_key(target, read_bytes_for_edit(target.path)))


def _refuse_a_key(target: EditTarget) -> None:
    """``SecretFile`` when the file holds a private key. A file too large to edit, or one
    that cannot be read, is refused in its own words when the edit is proposed."""
    try:
        raw = read_bytes_for_edit(target.path)
    except EditError:
        return
    _without_key(target, raw)


def _without_key(target: EditTarget, raw: FileBytes) -> FileBytes:
    if holds_private_key(raw.data):  # before decoding: a key in any file refuses it
        raise SecretFile(f"{target.relative} contains a private key; Hearth never edits it.")
    return raw


def line_count(text: str) -> int:
    """Lines in ``\\n`` text (a final newline does not start another line)."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def ensure_unchanged(proposal: EditProposal) -> None:
    """Raise ``FileChangedOnDisk`` unless the file still holds the proposal's base bytes."""
    now = current_sha256(proposal.target.path)
    if now == proposal.base.sha256:
        return
    what = "was deleted" if now is None else "changed on disk"
    raise FileChangedOnDisk(
        f"{proposal.target.relative} {what} after the edit was proposed; it was not overwritten.",
        "Run the action again on the current file.",
    )


# --- syntax -------------------------------------------------------------------------


def syntax_problems(target_path: Path, base_text: str, new_text: str) -> tuple[SyntaxProblem, ...]:
    """Syntax errors in ``new_text`` that ``base_text`` did not already have.

    Both texts are parsed with the file's tree-sitter grammar (unknown language: no
    check). An error on an unchanged line is old when that line had an error before; the
    errors inside a changed block are new beyond the number the replaced lines had.
    Lines are 1-based lines of ``new_text``.
    """
    language = language_for_file(target_path, base_text)
    if language is None:
        return ()
    parser = load_language(language).parser()
    new_errors = _errors(parser, new_text)
    if not new_errors:
        return ()
    old_left = Counter(line for line, _ in _errors(parser, base_text))
    blocks = _changed_blocks(base_text, new_text)
    budgets: dict[int, int] = {}
    found: list[SyntaxProblem] = []
    for line, message in new_errors:
        block, base_line = _locate(line, blocks)
        if block is None:
            if old_left[base_line] > 0:
                old_left[base_line] -= 1
                continue
        else:
            base_start, base_end = blocks[block][0], blocks[block][1]
            budgets.setdefault(block, sum(old_left[n] for n in range(base_start, base_end)))
            if budgets[block] > 0:
                budgets[block] -= 1
                continue
        found.append(SyntaxProblem(line, message))
    return _one_per_line(found)[:MAX_REPORTED_PROBLEMS]


# (base_start, base_end, new_start, new_end): 1-based, end exclusive.
_Block = tuple[int, int, int, int]


def _changed_blocks(base_text: str, new_text: str) -> list[_Block]:
    blocks = []
    for hunk in compute_hunks(base_text, new_text):
        blocks.append((hunk.base_start, hunk.base_start + len(hunk.base_lines),
                       hunk.new_start, hunk.new_start + len(hunk.new_lines)))
    return blocks


def _locate(new_line: int, blocks: list[_Block]) -> tuple[int | None, int]:
    """(index of the changed block holding ``new_line``, None) or (None, the same line in the base)."""
    offset = 0
    for index, (base_start, base_end, new_start, new_end) in enumerate(blocks):
        if new_start <= new_line < new_end:
            return index, 0
        if new_line < new_start:
            break
        offset = new_end - base_end
    return None, new_line - offset


def _errors(parser, text: str) -> list[tuple[int, str]]:  # noqa: ANN001 - tree_sitter.Parser
    """(1-based line, message) of each ERROR (outermost only) and MISSING node."""
    tree = parser.parse(text.encode("utf-8"))
    errors: list[tuple[int, str]] = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_missing:
            errors.append((node.start_point.row + 1, f"missing `{node.type}`"))
        elif node.is_error:
            errors.append((node.start_point.row + 1, "syntax error"))
        elif node.has_error:
            stack.extend(reversed(node.children))
    errors.sort()
    return errors


def _one_per_line(problems: list[SyntaxProblem]) -> tuple[SyntaxProblem, ...]:
    merged: dict[int, list[str]] = {}
    for problem in problems:
        messages = merged.setdefault(problem.line, [])
        if problem.message not in messages:
            messages.append(problem.message)
    return tuple(SyntaxProblem(line, "; ".join(messages)) for line, messages in sorted(merged.items()))
