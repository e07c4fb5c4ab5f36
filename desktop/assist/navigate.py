"""Finding a file or a definition by a few typed letters (quick open, go to symbol).

A pattern matches when its characters appear in order in the name (``iorp`` finds
``indexer/open_reader.py``). SQLite narrows the rows with a ``LIKE`` of the same
subsequence; the few thousand candidates left are scored here: matches at the start
of a word or path part and runs of consecutive characters count most, and shorter
names win ties.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from desktop.index.retrieval import is_test_path

CANDIDATE_LIMIT = 5000
LEFT_OUT_PENALTY = 0.5  # a file the index left out comes after an indexed one that matches as well
EXACT_NAME_BONUS = 5.0  # go to symbol: the name typed in full
TEST_FILE_PENALTY = 0.5  # go to symbol: a test's definition after the code's of the same name
RECENT_BONUS = 3.0  # the latest opened file's lead in a close call (less for older ones)
_BOUNDARY = "/\\_-. "


@dataclass(frozen=True)
class FileMatch:
    """A project file matching the pattern (path relative to the project, ``/``-separated);
    ``positions`` are the matched characters of the path's composed (NFC) form."""

    path: str
    score: float
    positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class SymbolMatch:
    """A definition matching the pattern; lines are 1-based and inclusive; ``positions``
    are the matched characters of the name (composed, NFC)."""

    name: str
    kind: str
    scope: str
    path: str
    start_line: int
    end_line: int
    score: float
    positions: tuple[int, ...] = ()
    scope_positions: tuple[int, ...] = ()  # of the scope (composed), when the pattern gave one


@dataclass(frozen=True)
class Fuzzy:
    """How well a pattern matches a text, and where: ``positions`` index the text's
    composed (NFC) form, one per pattern character, ascending."""

    score: float
    positions: tuple[int, ...]


GAP_PENALTY = 0.5  # letters scattered over a long name are a weaker match than a few runs
GAP_CHAR_PENALTY = 0.02
MAX_STARTS = 12  # alignments tried per text, one from each place its first letter occurs


def fuzzy_match(pattern: str, text: str) -> Fuzzy | None:
    """The best in-order alignment of ``pattern``'s characters in ``text``; None if there
    is none.

    A character scores 1, 2 more at the start of a word or path part, and 1.5 more when
    it follows the previous one directly; each gap between matched characters costs,
    and more the longer it is, and longer texts lose a little. Case is ignored
    except that an upper-case letter in ``text`` counts as a word start (``hR`` finds
    ``httpResponse``). The leftmost alignment alone can be poor (``test_ssl`` in
    ``test/test_asyncio/test_ssl.py`` would spread over three parts), so one is tried from
    each of the first few places the pattern's first letter occurs, and each is also
    drawn together from its end (``ssl`` in ``test_ssl`` takes the last three letters,
    not the ``s`` of ``test``).
    """
    if not pattern:
        return Fuzzy(0.0, ())
    # A name may be stored decomposed (``u`` + combining mark, as macOS file systems
    # give it) and typed composed, or the other way round.
    pattern, text = unicodedata.normalize("NFC", pattern).lower(), unicodedata.normalize("NFC", text)
    lowered = text.lower()
    best: Fuzzy | None = None
    start = lowered.find(pattern[0])
    for _ in range(MAX_STARTS):
        if start < 0:
            break
        forward = _align_from(pattern, lowered, start)
        if forward is None:
            break  # a later start has even less text left
        one_run = forward[-1] - start == len(pattern) - 1
        # A single run has nothing to draw together from its end.
        back = forward if one_run else _align_back(pattern, lowered, start, forward[-1])
        alignments = [forward] if back == forward else [forward, back]
        for positions in alignments:
            found = Fuzzy(_alignment_score(text, positions), positions)
            if best is None or found.score > best.score:
                best = found
        if one_run and _at_word_start(text, start):
            break  # one run from a word start: no other alignment scores more
        start = lowered.find(pattern[0], start + 1)
    return best


def _align_from(pattern: str, lowered: str, start: int) -> tuple[int, ...] | None:
    """The leftmost alignment of ``pattern`` whose first character is at ``start``."""
    positions = []
    position = start
    for char in pattern:
        found = lowered.find(char, position)
        if found < 0:
            return None
        positions.append(found)
        position = found + 1
    return tuple(positions)


def _align_back(pattern: str, lowered: str, start: int, end: int) -> tuple[int, ...]:
    """The rightmost alignment of ``pattern`` within ``lowered[start:end + 1]`` that ends
    at ``end``: matching from the last character backwards keeps a run near the end
    together. One exists, since the leftmost alignment from ``start`` ends there."""
    positions = [end]
    position = end
    for char in reversed(pattern[:-1]):
        position = lowered.rfind(char, start, position)
        positions.append(position)
    return tuple(reversed(positions))


def _alignment_score(text: str, positions: Sequence[int]) -> float:
    """The score of matching at ``positions`` of ``text`` (see ``fuzzy_match``)."""
    score = 0.0
    previous = -2
    for found in positions:
        score += 1.0 + (2.0 if _at_word_start(text, found) else 0.0) + (1.5 if found == previous + 1 else 0.0)
        if previous >= 0 and found > previous + 1:
            score -= GAP_PENALTY + GAP_CHAR_PENALTY * (found - previous - 1)
        previous = found
    return score - len(text) * 0.01


def _at_word_start(text: str, index: int) -> bool:
    """Whether ``text[index]`` begins a word or path part (``http_response``,
    ``httpResponse``, ``src/http``)."""
    return index == 0 or text[index - 1] in _BOUNDARY or (text[index].isupper() and text[index - 1].islower())


def fuzzy_score(pattern: str, text: str) -> float | None:
    """``fuzzy_match``'s score alone."""
    found = fuzzy_match(pattern, text)
    return None if found is None else found.score


def _like_pattern(pattern: str) -> str:
    # LIKE ignores ASCII case by itself, so the column is compared as stored: wrapping
    # it in lower() cost a function call per row (the query took 1.4-2x as long).
    # Letters outside ASCII narrow nothing: stored composed or decomposed, they would
    # not match the typed form (``fuzzy_score`` compares them normalised).
    escaped = [("\\" + c) if c in "%_\\" else c for c in unicodedata.normalize("NFC", pattern.lower()) if c.isascii() and not c.isspace()]
    return "%" + "%".join(escaped) + "%"


def find_files(
    conn: sqlite3.Connection, pattern: str, limit: int = 50, recent: Sequence[str] = ()
) -> list[FileMatch]:
    """Project files whose path matches ``pattern``, best first (the file name counts
    most): the indexed ones and those the index left out (a lockfile, an image), which
    the user may still want to open. ``recent`` (relative paths, the latest first) are
    files the user opened lately: with nothing typed they come first, in that order,
    and they win a close call."""
    pattern = "".join(pattern.split())
    # A link is left out: what it points to is listed under its own name, or lies
    # outside the project, where nothing is opened.
    rows = conn.execute(
        f"SELECT path, left_out FROM ({_OPENABLE}) WHERE path LIKE ? ESCAPE '\\' ORDER BY length(path) LIMIT ?",
        (_like_pattern(pattern), CANDIDATE_LIMIT),
    ).fetchall()
    recent = list(dict.fromkeys(recent))
    listed = {path for path, _ in rows}
    missing = [path for path in recent if path not in listed]
    if missing:  # past the candidate limit in a big project
        marks = ",".join("?" * len(missing))
        rows += conn.execute(f"SELECT path, left_out FROM ({_OPENABLE}) WHERE path IN ({marks})", missing).fetchall()
    lately = {path: RECENT_BONUS * (len(recent) - place) / len(recent) for place, path in enumerate(recent)}
    typed = unicodedata.normalize("NFC", pattern).lower()
    matches = [_file_match(typed, path, bool(left_out)) for path, left_out in rows]
    return _sorted_matches([_with_bonus(m, lately.get(m.path, 0.0)) if m else None for m in matches], limit)


_OPENABLE = "SELECT path, 0 AS left_out FROM files UNION ALL SELECT path, 1 FROM skipped WHERE reason != 'link'"


def _with_bonus(match: FileMatch, bonus: float) -> FileMatch:
    return dataclasses.replace(match, score=match.score + bonus) if bonus else match


def _file_match(pattern: str, path: str, left_out: bool) -> FileMatch | None:
    """How ``path`` matches ``pattern`` (composed, lower case). Letters matched well in the file name count
    twice: ``mwin`` should find ``main_window.py`` before a path that merely holds the
    letters, and a name the pattern spells whole (``test_ssl`` → ``test_ssl.py``)
    comes first. Letters scattered over a long name earn nothing extra (``tkinit``
    finds ``tkinter/__init__.py``, not ``tokenize_tests-utf8-coding….txt``)."""
    whole = fuzzy_match(pattern, path)
    if whole is None:
        return None
    score, positions = whole.score, whole.positions
    folder, _, name = unicodedata.normalize("NFC", path).rpartition("/")
    in_name = fuzzy_match(pattern, name) if "/" not in pattern else None
    if in_name is not None:
        offset = len(folder) + 1 if folder else 0
        score += 2.0 * max(0.0, in_name.score - len(pattern))
        positions = tuple(offset + p for p in in_name.positions)
        if name.rsplit(".", 1)[0].lower() == pattern:
            score += len(pattern)
    return FileMatch(path, score - (LEFT_OUT_PENALTY if left_out else 0.0), positions)


def _sorted_matches(matches: Sequence[FileMatch | SymbolMatch | None], limit: int) -> list:
    """The matches that are not None, best first (ties by path, then line), at most ``limit``."""
    found = [m for m in matches if m is not None]
    found.sort(key=lambda m: (-m.score, m.path, getattr(m, "start_line", 0)))
    return found[:limit]


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
    return _sorted_matches([_symbol_match(name_pattern, scope_pattern, row) for row in rows], limit)


def _symbol_match(name_pattern: str, scope_pattern: str, row: tuple) -> SymbolMatch | None:
    """How the definition ``row`` matches: its name, and its scope when the pattern
    gives one. A name spelled whole comes first; among equals, code before its tests."""
    name, kind, scope, path, start, end = row
    found = fuzzy_match(name_pattern, name)
    in_scope = fuzzy_match(scope_pattern, scope) if scope_pattern else Fuzzy(0.0, ())
    if found is None or in_scope is None:
        return None
    exact = EXACT_NAME_BONUS if name.lower() == name_pattern.lower() else 0.0
    tests = TEST_FILE_PENALTY if is_test_path(path) else 0.0
    score = found.score + exact + in_scope.score - tests
    return SymbolMatch(name, kind, scope, path, start, end, score, found.positions, in_scope.positions)


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
