"""Finding a file or a definition by a few typed letters (quick open, go to symbol).

A pattern matches when its characters appear in order in the name (``iorp`` finds
``indexer/open_reader.py``). SQLite narrows the rows with a ``LIKE`` of the same
subsequence; the few thousand candidates left are scored here: matches at the start
of a word or path part and runs of consecutive characters count most, and shorter
names win ties.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass

CANDIDATE_LIMIT = 5000
LEFT_OUT_PENALTY = 0.5  # a file the index left out comes after an indexed one that matches as well
_BOUNDARY = "/\\_-. "


@dataclass(frozen=True)
class FileMatch:
    """An indexed file matching the pattern (path relative to the project, ``/``-separated)."""

    path: str
    score: float


@dataclass(frozen=True)
class SymbolMatch:
    """A definition matching the pattern; lines are 1-based and inclusive."""

    name: str
    kind: str
    scope: str
    path: str
    start_line: int
    end_line: int
    score: float


def fuzzy_score(pattern: str, text: str) -> float | None:
    """How well ``pattern`` matches ``text`` as an in-order subsequence; None if it does not.

    Case is ignored except that an upper-case letter in ``text`` counts as a word start
    (``hR`` finds ``httpResponse``).
    """
    if not pattern:
        return 0.0
    # A name may be stored decomposed (``u`` + combining mark, as macOS file systems
    # give it) and typed composed, or the other way round.
    pattern, text = unicodedata.normalize("NFC", pattern), unicodedata.normalize("NFC", text)
    lowered = text.lower()
    score = 0.0
    position = 0
    previous = -2
    for char in pattern.lower():
        found = lowered.find(char, position)
        if found < 0:
            return None
        at_start = found == 0 or text[found - 1] in _BOUNDARY or (text[found].isupper() and text[found - 1].islower())
        score += 1.0 + (2.0 if at_start else 0.0) + (1.5 if found == previous + 1 else 0.0)
        previous = found
        position = found + 1
    return score - len(text) * 0.01


def _like_pattern(pattern: str) -> str:
    # LIKE ignores ASCII case by itself, so the column is compared as stored: wrapping
    # it in lower() cost a function call per row (the query took 1.4-2x as long).
    # Letters outside ASCII narrow nothing: stored composed or decomposed, they would
    # not match the typed form (``fuzzy_score`` compares them normalised).
    escaped = [("\\" + c) if c in "%_\\" else c for c in unicodedata.normalize("NFC", pattern.lower()) if c.isascii() and not c.isspace()]
    return "%" + "%".join(escaped) + "%"


def find_files(conn: sqlite3.Connection, pattern: str, limit: int = 50) -> list[FileMatch]:
    """Project files whose path matches ``pattern``, best first (the file name counts
    most): the indexed ones and those the index left out (a lockfile, an image), which
    the user may still want to open."""
    pattern = "".join(pattern.split())
    # A link is left out: what it points to is listed under its own name, or lies
    # outside the project, where nothing is opened.
    rows = conn.execute(
        "SELECT path, left_out FROM (SELECT path, 0 AS left_out FROM files"
        " UNION ALL SELECT path, 1 FROM skipped WHERE reason != 'link')"
        " WHERE path LIKE ? ESCAPE '\\' ORDER BY length(path) LIMIT ?",
        (_like_pattern(pattern), CANDIDATE_LIMIT),
    ).fetchall()
    matches = []
    for path, left_out in rows:
        whole = fuzzy_score(pattern, path)
        if whole is None:
            continue
        name = fuzzy_score(pattern, path.rsplit("/", 1)[-1])
        bonus = (2.0 * len(pattern) if name is not None else 0.0) - (LEFT_OUT_PENALTY if left_out else 0.0)
        matches.append(FileMatch(path, whole + bonus))
    matches.sort(key=lambda m: (-m.score, m.path))
    return matches[:limit]


def find_symbols(conn: sqlite3.Connection, pattern: str, limit: int = 50) -> list[SymbolMatch]:
    """Definitions whose name matches ``pattern``, best first."""
    pattern = "".join(pattern.split())
    # "Reader.read" (as the list shows a member) looks for ``read`` inside ``Reader``.
    scope_pattern, _, name_pattern = pattern.rpartition(".") if "." in pattern.strip(".") else ("", "", pattern)
    if not name_pattern:
        return []
    rows = conn.execute(
        "SELECT s.name, s.kind, s.scope, f.path, s.start_line, s.end_line FROM symbols s"
        " JOIN files f ON f.id = s.file_id WHERE s.name LIKE ? ESCAPE '\\' AND s.scope LIKE ? ESCAPE '\\'"
        " ORDER BY length(s.name) LIMIT ?",
        (_like_pattern(name_pattern), _like_pattern(scope_pattern), CANDIDATE_LIMIT),
    ).fetchall()
    matches = []
    for name, kind, scope, path, start, end in rows:
        score = fuzzy_score(name_pattern, name)
        in_scope = fuzzy_score(scope_pattern, scope) if scope_pattern else 0.0
        if score is not None and in_scope is not None:
            exact = 5.0 if name.lower() == name_pattern.lower() else 0.0
            matches.append(SymbolMatch(name, kind, scope, path, start, end, score + exact + in_scope))
    matches.sort(key=lambda m: (-m.score, m.path, m.start_line))
    return matches[:limit]


@dataclass(frozen=True)
class Place:
    """Lines of a project file (1-based, inclusive; path relative, ``/``-separated)."""

    path: str
    start_line: int
    end_line: int


def find_moved_definition(conn: sqlite3.Connection, place: Place, name: str) -> Place | None:
    """Where the definition ``name``, once at ``place``, is by the index now: None when a
    definition of that name still overlaps ``place``, or when the index cannot tell
    (none left, or several in other files).

    ``place`` may be any part of the definition (a long one is sent in pieces, a piece
    may start at the comment above it), so only a definition that no longer overlaps it
    counts as moved. In the same file the one nearest the old lines wins; only when the
    file holds none, the one definition of that name in another file (the file was
    renamed, or the code moved there)."""
    rows = conn.execute(
        "SELECT f.path, s.start_line, s.end_line FROM symbols s JOIN files f ON f.id = s.file_id"
        " WHERE s.name = ? ORDER BY f.path, s.start_line",
        (name,),
    ).fetchall()
    here = [Place(*row) for row in rows if row[0] == place.path]
    if any(found.start_line <= place.end_line and place.start_line <= found.end_line for found in here):
        return None
    if here:
        return min(here, key=lambda found: abs(found.start_line - place.start_line))
    return Place(*rows[0]) if len(rows) == 1 else None
