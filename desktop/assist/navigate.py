"""Finding a file or a definition by a few typed letters (quick open, go to symbol).

A pattern matches when its characters appear in order in the name (``iorp`` finds
``indexer/open_reader.py``). SQLite narrows the rows with a ``LIKE`` of the same
subsequence; the few thousand candidates left are scored here: matches at the start
of a word or path part and runs of consecutive characters count most, and shorter
names win ties.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

CANDIDATE_LIMIT = 5000
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
    escaped = [("\\" + c) if c in "%_\\" else c for c in pattern.lower() if not c.isspace()]
    return "%" + "%".join(escaped) + "%"


def find_files(conn: sqlite3.Connection, pattern: str, limit: int = 50) -> list[FileMatch]:
    """Project files whose path matches ``pattern``, best first (the file name counts
    most): the indexed ones and those the index left out (a lockfile, an image), which
    the user may still want to open."""
    pattern = "".join(pattern.split())
    rows = conn.execute(
        "SELECT path FROM (SELECT path FROM files UNION ALL SELECT path FROM skipped)"
        " WHERE path LIKE ? ESCAPE '\\' ORDER BY length(path) LIMIT ?",
        (_like_pattern(pattern), CANDIDATE_LIMIT),
    ).fetchall()
    matches = []
    for (path,) in rows:
        whole = fuzzy_score(pattern, path)
        if whole is None:
            continue
        name = fuzzy_score(pattern, path.rsplit("/", 1)[-1])
        matches.append(FileMatch(path, whole + (2.0 * len(pattern) if name is not None else 0.0)))
    matches.sort(key=lambda m: (-m.score, m.path))
    return matches[:limit]


def find_symbols(conn: sqlite3.Connection, pattern: str, limit: int = 50) -> list[SymbolMatch]:
    """Definitions whose name matches ``pattern``, best first."""
    pattern = "".join(pattern.split())
    if not pattern:
        return []
    rows = conn.execute(
        "SELECT s.name, s.kind, s.scope, f.path, s.start_line, s.end_line FROM symbols s"
        " JOIN files f ON f.id = s.file_id WHERE s.name LIKE ? ESCAPE '\\'"
        " ORDER BY length(s.name) LIMIT ?",
        (_like_pattern(pattern), CANDIDATE_LIMIT),
    ).fetchall()
    matches = []
    for name, kind, scope, path, start, end in rows:
        score = fuzzy_score(pattern, name)
        if score is not None:
            exact = 5.0 if name.lower() == pattern.lower() else 0.0
            matches.append(SymbolMatch(name, kind, scope, path, start, end, score + exact))
    matches.sort(key=lambda m: (-m.score, m.path, m.start_line))
    return matches[:limit]
