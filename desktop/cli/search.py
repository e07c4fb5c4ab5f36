"""`hearth search` and `hearth map`: retrieval and the repo map from the command line.

Both bring the project's index up to date first (only changed files are re-read), then
answer from it. A missing or unreadable PATH is one line on stderr and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, TextIO, TypeVar

from desktop.cli.common import (
    EXIT_INTERRUPTED, EXIT_OK, EXIT_SERVER, fail, positive_int, project_path_problem, updated_index,
)

DEFAULT_K = 10
DEFAULT_MAP_TOKENS = 1024
T = TypeVar("T")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``search`` and ``map`` to the ``hearth`` parser."""
    search = commands.add_parser("search", help="find the code that matches a question or names")
    search.add_argument("path", help="project folder")
    search.add_argument("query", help="words, names or a question")
    search.add_argument("-k", type=positive_int, default=DEFAULT_K, help=f"number of hits (default {DEFAULT_K})")
    search.add_argument("--json", action="store_true", help="print a JSON array of hits, best first")
    search.set_defaults(run=lambda args, host: run_search(args.path, args.query, args.k, args.json, sys.stdout))

    repo_map = commands.add_parser("map", help="print an outline of the project's most important definitions")
    repo_map.add_argument("path", help="project folder")
    repo_map.add_argument(
        "--tokens", type=positive_int, default=DEFAULT_MAP_TOKENS, help=f"token budget (default {DEFAULT_MAP_TOKENS})"
    )
    repo_map.set_defaults(run=lambda args, host: run_map(args.path, args.tokens, sys.stdout))


def run_search(path: Path | str, query: str, k: int, as_json: bool, out: TextIO) -> int:
    """Update the index of ``path``, then print the top ``k`` hits for ``query``."""
    from desktop.index.retrieval import search

    try:
        hits = _with_index(path, lambda index: search(index, query, k=k))
        if hits is None:
            return EXIT_SERVER
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if as_json:
        print(json.dumps([_hit_json(hit) for hit in hits], indent=1), file=out, flush=True)
    else:
        _print_hits(hits, out)
    return EXIT_OK


def run_map(path: Path | str, tokens: int, out: TextIO) -> int:
    """Update the index of ``path``, then print its repo map within ``tokens``."""
    from desktop.index.repomap import repo_map

    try:
        def outline(index) -> tuple[str, int]:  # noqa: ANN001 - a SearchIndex
            text = repo_map(index, tokens)
            return text, (index.reader.stats().symbols if not text else 0)  # counted only to say why it is empty

        found = _with_index(path, outline)
        if found is None:
            return EXIT_SERVER
        text, definitions = found
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    if not text:  # say why, on stderr: stdout stays the (empty) map for scripts
        budget = f"{tokens} token{'s' if tokens != 1 else ''}"
        fail(f"nothing to map: a budget of {budget} holds no definition; try --tokens {DEFAULT_MAP_TOKENS}."
             if definitions else f"nothing to map: no definitions were found in {path}.")
    print(text, end="", file=out, flush=True)
    return EXIT_OK


def _with_index(path: Path | str, use: Callable[[Any], T]) -> T | None:
    """``use(index)`` on the up-to-date index of ``path``, or None after saying why not.

    An index found damaged while reading it (a page an update never touched) is built
    anew once, with a word on stderr."""
    import sqlite3

    from desktop.core.app_db import is_corruption

    for attempt in (1, 2):
        index = _open_index(path)
        if index is None:
            return None
        try:
            return use(index)
        except sqlite3.DatabaseError as exc:
            if attempt == 2 or not is_corruption(exc):
                raise
            fail(f"the index of {path} was damaged ({exc}); building it anew.")
            try:
                index.discard()  # unless another process has made it anew: the next attempt uses that one
            except OSError as removal:  # Windows keeps a file another process has open
                fail(f"the damaged index could not be removed ({removal.strerror or removal}); "
                     "close whatever else uses it (Hearth, another hearth command) and try again.")
                return None
        finally:
            index.close()  # a second close (after discard) does nothing
    return None


def _open_index(path: Path | str):  # noqa: ANN202 - SearchIndex | None (imported lazily)
    """The up-to-date index of ``path`` opened for reading, or None after saying why not."""
    from desktop.core.paths import HearthPaths

    problem = project_path_problem(path)
    if problem:
        fail(problem)
        return None
    path = Path(path).expanduser()  # as `index` does: a quoted ~ is not expanded by the shell
    try:
        return updated_index(path.resolve(), HearthPaths.from_env())
    except PermissionError:
        fail(f"{path} cannot be read (permission denied).")
        return None


def _hit_json(hit) -> dict:  # noqa: ANN001 - a retrieval Hit
    return {
        "path": hit.path,
        "start_line": hit.start_line,
        "end_line": hit.end_line,
        "symbol": hit.symbol,
        "kind": hit.kind,
        "score": hit.score,
        "why": hit.why,
    }


def _print_hits(hits, out: TextIO) -> None:  # noqa: ANN001 - list[Hit]
    if not hits:
        print("no matches", file=out, flush=True)
        return
    for number, hit in enumerate(hits, 1):
        name = f"{hit.kind} {hit.symbol}" if hit.symbol else hit.kind
        print(f"{number:>2}. {hit.path}:{hit.start_line}-{hit.end_line}  {name}  ({hit.why})", file=out, flush=True)
