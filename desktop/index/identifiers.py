"""Splitting identifiers into words, for full-text search on both sides of the index.

``parseHTTPResponse`` is indexed (and queried) as *parse http response* and
``read_chunked`` as *read chunked*, so a question in plain words finds the code. The
same functions build the indexed text and the query, which keeps the two in step.
"""

from __future__ import annotations

import bisect
import functools
import re
from typing import Iterable, Sequence

# Words inside an identifier: an acronym before a capitalised word (HTTP|Response), a
# capitalised or lower-case word, a leftover acronym, or digits.
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What makes an identifier worth splitting beyond unicode61's split at "_": a
# lower→upper or acronym→word transition (parseHTTPResponse).
_TRANSITION = re.compile(r"[a-z][A-Z]|[A-Z]{2}[a-z]")


def split_identifier(name: str) -> list[str]:
    """The lower-case words of an identifier: ``parseHTTPResponse`` → parse, http, response."""
    return [part.lower() for part in _PARTS.findall(name)]


def identifier_words(text: str) -> str:
    """The split words of every camelCase identifier in ``text``, each once, space-separated.

    Snake-case names are left out: the FTS tokenizer already splits them at ``_``.
    """
    return identifier_words_each([text])[0]


def identifier_words_each(texts: Sequence[str]) -> list[str]:
    """``identifier_words`` for each of several texts (the chunks of one file).

    Each distinct identifier is examined once for all the texts, and the per-text work
    is set operations, which keeps this cheap on large files.
    """
    if not any(_TRANSITION.search(text) for text in texts):
        return [""] * len(texts)
    found = [set(_IDENTIFIER.findall(text)) for text in texts]
    camel: dict[str, tuple[str, ...]] = {}
    for identifier in set().union(*found):
        parts = _camel_parts(identifier)
        if parts:
            camel[identifier] = parts
    if not camel:
        return [""] * len(texts)
    names = camel.keys()
    return [" ".join(dict.fromkeys(word for name in names & ids for word in camel[name])) for ids in found]


def _class_table() -> bytes:
    """Byte classes for finding camelCase in UTF-8: a-z → a, A-Z → A, digits and _ → 0,
    anything else (newlines and non-ASCII bytes too) → space, which ends an identifier."""
    table = bytearray(b" " * 256)
    for byte in range(256):
        char = chr(byte)
        if "a" <= char <= "z":
            table[byte] = ord("a")
        elif "A" <= char <= "Z":
            table[byte] = ord("A")
        elif "0" <= char <= "9" or char == "_":
            table[byte] = ord("0")
    return bytes(table)


_CLASSES = _class_table()
_DIGITS = b"0123456789"


def identifier_words_of_lines(data: bytes, ranges: Sequence[tuple[int, int]]) -> list[str]:
    """``identifier_words`` of several line ranges of one UTF-8 text (the chunks of a file).

    ``ranges`` are 0-based, inclusive row ranges, sorted and not overlapping. Gives the
    same words as ``identifier_words_each`` on the texts of those lines; it looks only
    at the identifiers holding a camelCase transition, found with byte searches (most
    identifiers are snake_case, and visiting each of them is what would cost)."""
    found = _camel_identifiers(data)
    if not found:
        return [""] * len(ranges)
    starts = [start for start, _ in ranges]
    names: list[set[bytes] | None] = [None] * len(ranges)
    for row, name in found:
        at = bisect.bisect_right(starts, row) - 1
        if at >= 0 and row <= ranges[at][1]:
            chunk_names = names[at]
            if chunk_names is None:
                names[at] = {name}
            else:
                chunk_names.add(name)
    return [
        "" if chunk_names is None
        else " ".join(dict.fromkeys(word for name in chunk_names for word in _camel_bytes_parts(name)))
        for chunk_names in names
    ]


def _camel_identifiers(data: bytes) -> list[tuple[int, bytes]]:
    """(row, identifier) for each identifier with a camelCase transition, in text order."""
    classes = data.translate(_CLASSES)
    find, rfind = classes.find, classes.rfind
    lower_upper, acronym_word = find(b"aA"), find(b"AAa")
    found: list[tuple[int, bytes]] = []
    row = counted = 0
    while lower_upper >= 0 or acronym_word >= 0:
        at = lower_upper if acronym_word < 0 or 0 <= lower_upper < acronym_word else acronym_word
        start = rfind(b" ", 0, at) + 1
        end = find(b" ", at)
        if end < 0:
            end = len(classes)
        row += data.count(b"\n", counted, start)
        counted = start
        found.append((row, data[start:end]))
        if 0 <= lower_upper < end:
            lower_upper = find(b"aA", end)
        if 0 <= acronym_word < end:
            acronym_word = find(b"AAa", end)
    return found


@functools.lru_cache(maxsize=65536)
def _camel_bytes_parts(run: bytes) -> tuple[str, ...]:
    # A run of identifier characters; like _IDENTIFIER, the identifier starts after
    # any leading digits.
    return tuple(split_identifier(run.lstrip(_DIGITS).decode("ascii")))


@functools.lru_cache(maxsize=65536)
def _camel_parts(identifier: str) -> tuple[str, ...]:
    """The words of a camelCase identifier; () for one the tokenizer handles itself."""
    if identifier.islower() or identifier.isupper() or _TRANSITION.search(identifier) is None:
        return ()
    return tuple(split_identifier(identifier))


@functools.lru_cache(maxsize=65536)
def _name_parts(name: str) -> str:
    return " ".join([name, *split_identifier(name)])


def name_terms(*names: str) -> str:
    """Names followed by their split words, for the FTS name columns."""
    return " ".join(map(_name_parts, filter(None, names)))


def fts_query(terms: Iterable[str], op: str = "OR") -> str:
    """A safe FTS5 MATCH expression: each term quoted, joined with ``op``.

    Returns '' when no term is left; do not run a MATCH with an empty expression.
    """
    quoted = [f'"{term.replace(chr(34), chr(34) * 2)}"' for term in terms if term and term.strip()]
    return f" {op} ".join(quoted)
