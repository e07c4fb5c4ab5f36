"""Splitting identifiers into words, for full-text search on both sides of the index.

``parseHTTPResponse`` is indexed (and queried) as *parse http response* and
``read_chunked`` as *read chunked*, so a question in plain words finds the code. The
same functions build the indexed text and the query, which keeps the two in step.
"""

from __future__ import annotations

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
    return " ".join(_name_parts(name) for name in names if name)


def fts_query(terms: Iterable[str], op: str = "OR") -> str:
    """A safe FTS5 MATCH expression: each term quoted, joined with ``op``.

    Returns '' when no term is left; do not run a MATCH with an empty expression.
    """
    quoted = [f'"{term.replace(chr(34), chr(34) * 2)}"' for term in terms if term and term.strip()]
    return f" {op} ".join(quoted)
