"""Which of one file's definitions a question is about, judged inside that file.

Corpus-wide BM25 weighs a word by how rare it is in the whole project. Inside one file
that is the wrong measure: the file's topic ("cookie" in ``http/cookiejar.py``) is rare
in the project, so it outweighs everything else, yet almost every definition of that
file uses it and it tells nothing about which one answers. Here the documents are the
file's own definitions (each with all of its chunks, which hold its docstring and the
comment above it), and a word weighs by how few of *them* use it.

Term frequencies are not available per word from FTS5 without a custom function, so a
definition either uses a word or not; BM25's length normalisation still applies, by
line count, so a long class does not win by saying everything somewhere.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from desktop.index.identifiers import fts_query

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class FileUnits:
    """A file's definitions as the documents of an in-file ranking.

    A unit is a definition (its symbol id) or, for a chunk outside any definition, that
    chunk (its id, negated so the two kinds never collide)."""

    chunk_span: tuple[int, int]  # first and last chunk id of the file
    unit_of_chunk: dict[int, int]
    lines: dict[int, int]  # unit -> lines it spans, summed over its chunks
    first_chunk: dict[int, int]  # unit -> the chunk that stands for it

    @property
    def mean_lines(self) -> float:
        """The average unit length in lines (at least 1)."""
        return max(sum(self.lines.values()) / max(len(self.lines), 1), 1.0)


def file_units(chunks: Iterable[tuple[int, int | None, int, int]], chunk_span: tuple[int, int]) -> FileUnits:
    """The units of a file from its chunks as (chunk id, symbol id or None, start line, end line)."""
    unit_of_chunk: dict[int, int] = {}
    lines: dict[int, int] = defaultdict(int)
    first_chunk: dict[int, int] = {}
    for chunk_id, symbol_id, start_line, end_line in sorted(chunks):
        unit = symbol_id if symbol_id is not None else -chunk_id
        unit_of_chunk[chunk_id] = unit
        lines[unit] += end_line - start_line + 1
        first_chunk.setdefault(unit, chunk_id)
    return FileUnits(chunk_span, unit_of_chunk, dict(lines), first_chunk)


def units_using(conn: sqlite3.Connection, units: FileUnits, word: str) -> frozenset[int]:
    """The units whose chunk text (code, docstring, name, identifier words) uses ``word``."""
    match = fts_query([word])
    if not match:
        return frozenset()
    found: set[int] = set()
    rows = conn.execute(
        "SELECT rowid FROM chunk_fts WHERE chunk_fts MATCH ? AND rowid BETWEEN ? AND ?", (match, *units.chunk_span)
    )
    for (chunk_id,) in rows:
        unit = units.unit_of_chunk.get(chunk_id)
        if unit is not None:
            found.add(unit)
    return frozenset(found)


def in_file_scores(units: FileUnits, using: Iterable[frozenset[int]]) -> dict[int, float]:
    """BM25 of each unit, from the units that use each query word (``units_using``, one
    set per distinct word), with document frequencies counted among the file's own
    units: chunk id (the unit's first chunk) -> score, for units that use any word."""
    total = max(len(units.lines), 1)
    mean = units.mean_lines
    score: dict[int, float] = defaultdict(float)
    for found in using:
        if not found:
            continue
        idf = math.log((total - len(found) + 0.5) / (len(found) + 0.5) + 1)
        for unit in found:
            length = K1 * (1 - B + B * units.lines[unit] / mean)
            score[unit] += idf * (K1 + 1) / (1 + length)
    return {units.first_chunk[unit]: value for unit, value in score.items()}
