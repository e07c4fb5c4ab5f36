"""What an edit is, at every step: target → parsed answer → proposal → applied → undone.

Everything here crosses a boundary (the UI, the CLI, the undo history), so it is a
frozen dataclass or a typed ``HearthError``. Texts inside are normalised to ``\\n``
line endings; the file's own format (encoding, line endings, BOM, trailing newline) is
kept in ``FileFormat`` and restored when the edit is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import HearthError

# How a model's answer was turned into new text (shown to the user with the diff).
METHOD_WHOLE_REGION = "whole-region"  # the answer replaces the target lines
METHOD_WHOLE_FILE = "whole-file"  # the answer is the new file
METHOD_SEARCH_EXACT = "search-replace: exact"
METHOD_SEARCH_WHITESPACE = "search-replace: ignoring whitespace"
METHOD_SEARCH_FUZZY = "search-replace: fuzzy"


@dataclass(frozen=True)
class EditTarget:
    """The file and (optionally) the lines an edit is about.

    ``root`` and ``path`` are absolute and resolved; lines are 1-based and inclusive.
    No lines means the whole file.
    """

    root: Path
    path: Path
    start_line: int | None = None
    end_line: int | None = None

    @property
    def relative(self) -> str:
        """The path relative to the project root, ``/``-separated."""
        return self.path.relative_to(self.root).as_posix()

    @property
    def has_region(self) -> bool:
        return self.start_line is not None and self.end_line is not None


@dataclass(frozen=True)
class FileFormat:
    """How a file is stored on disk, so an edit writes it back the same way."""

    encoding: str = "utf-8"  # a Python codec name
    bom: bool = False
    newline: str = "\n"  # "\n" or "\r\n" (the file's majority)
    trailing_newline: bool = True
    mode: int | None = None  # permission bits (st_mode & 0o7777)


@dataclass(frozen=True)
class FileSnapshot:
    """A file's text (``\\n`` line endings), its format and the hash of its bytes."""

    text: str
    format: FileFormat
    sha256: str


@dataclass(frozen=True)
class ParsedEdit:
    """The new text of the whole file made from a model's answer, and how."""

    new_text: str
    method: str  # one of the METHOD_* names
    notes: tuple[str, ...] = ()  # e.g. "re-indented the answer by 4 spaces"


@dataclass(frozen=True)
class SyntaxProblem:
    """A syntax error the edit introduces (1-based line of the new text)."""

    line: int
    message: str


@dataclass(frozen=True)
class EditProposal:
    """An edit ready for review: the base it was made against and the new text."""

    target: EditTarget
    base: FileSnapshot
    new_text: str
    method: str
    notes: tuple[str, ...] = ()
    syntax_problems: tuple[SyntaxProblem, ...] = ()
    action_id: str = ""  # the action that made it ("" for apply-edit)

    @property
    def introduces_syntax_errors(self) -> bool:
        return bool(self.syntax_problems)


@dataclass(frozen=True)
class Hunk:
    """One real change: base lines ``base_start..`` become ``new_lines``.

    ``base_start`` is the 1-based line of the first replaced base line; for a pure
    insertion (no base lines) it is the line the new lines go before (len+1 at the end).
    """

    index: int
    base_start: int
    base_lines: tuple[str, ...]
    new_start: int
    new_lines: tuple[str, ...]


@dataclass(frozen=True)
class AppliedEdit:
    """An edit that was written; one entry of the project's undo history."""

    id: int  # 0 until stored in the history
    relative: str
    before_sha256: str
    after_sha256: str
    before_text: str  # with the file's own line endings restored on undo via ``format``
    after_text: str
    format: FileFormat
    hunks_accepted: int
    hunks_total: int
    applied_at: float  # Unix time
    action_id: str = ""
    undone: bool = False


# --- errors ---------------------------------------------------------------------------


class EditError(HearthError):
    """An edit could not be made or applied; the file is untouched."""


class NoUsableEdit(EditError):
    """The model's answer holds no usable edit.

    ``reason`` is ``"no-code"``, ``"unchanged"`` or ``"search-not-found"``;
    ``closest`` holds the lines of the file closest to a SEARCH block that matched nowhere.
    """

    def __init__(self, message: str, reason: str, hint: str = "", closest: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint)
        self.reason = reason
        self.closest = closest


class OutsideProject(EditError):
    """The file is outside the project root (or reaches it through a link)."""


class SecretFile(EditError):
    """The file holds secrets (``.env``, keys); Hearth never sends it to a model."""


class FileChangedOnDisk(EditError):
    """The file changed since the proposal was made; it is not overwritten."""


class SyntaxErrorsIntroduced(EditError):
    """The edit would introduce syntax errors and no override was given."""


class UndoRefused(EditError):
    """The file changed after the edit was applied; undoing would lose that change."""
