"""The repo map: an outline of the project's most important definitions, within a budget.

Definitions are ranked by the reference graph (how much of the code leans on them),
optionally personalised toward focus files or names; the best ones are printed as
signature lines under their file and enclosing scopes. The largest prefix of that
ranking (less any definition too long to fit the budget by itself) that fits the token
budget is chosen by bisection.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Sequence

from desktop.index.graph import RefGraph, personalized_rank
from desktop.index.retrieval import SearchIndex, is_test_path
from desktop.index.tokens import estimate_tokens

MAX_CANDIDATES = 3000
INDENT = "  "
# A map is read to learn what the code offers: tests (and the fixtures under them)
# make way for the code they test, and their references count for as little.
MAP_TEST_WEIGHT = 0.1
# A method called by one short word (``wait``, ``next``, ``equals``) collects the
# references of every other object with such a method: ``x.wait()`` rarely means ours.
GENERIC_METHOD_WEIGHT = 0.3
GENERIC_NAME_CHARS = 8
_LOCAL_SCOPES = frozenset({"function", "method"})


@dataclass(frozen=True)
class MapEntry:
    """One definition the map may show."""

    path: str
    name: str
    scope: str
    signature: str
    start_line: int
    score: float


def repo_map(index: SearchIndex, budget_tokens: int, focus: Iterable[str] | None = None) -> str:
    """An outline of top-ranked definitions that fits ``budget_tokens`` (by ``estimate_tokens``).

    ``focus`` holds relative file paths and/or identifiers; the ranking is personalised
    toward those files and the files defining those names. Returns '' when nothing fits.
    """
    if budget_tokens <= 0:
        return ""
    index.refresh()
    # A definition too long to fit on its own (a signature of 200 CJK characters is 600
    # tokens) would end every prefix at it and leave the map empty; it makes way.
    entries = [entry for entry in ranked_entries(index, focus or ()) if _fits_alone(entry, budget_tokens)]
    low, high = 0, len(entries)
    best = ""
    while low < high:
        middle = (low + high + 1) // 2
        text = render(entries[:middle])
        if estimate_tokens(text) <= budget_tokens:
            best, low = text, middle
        else:
            high = middle - 1
    return best


def _fits_alone(entry: MapEntry, budget_tokens: int) -> bool:
    # Its signature alone over budget settles it without rendering (the common case).
    return estimate_tokens(entry.signature) <= budget_tokens and estimate_tokens(render([entry])) <= budget_tokens


def ranked_entries(index: SearchIndex, focus: Iterable[str]) -> list[MapEntry]:
    """Every definition worth mapping, best first."""
    graph = index.graph()
    seeds = _focus_seeds(index, focus)
    personal = personalized_rank(seeds, graph.edges) if seeds else {}
    top = max(personal.values(), default=0.0)
    rows = index.conn.execute(
        "SELECT file_id, name, scope, signature, start_line, kind FROM symbols"
    ).fetchall()
    # What is defined inside a function (its helpers, a local class and its methods)
    # is not offered to the rest of the code.
    callables = {(row[0], f"{row[2]}.{row[1]}" if row[2] else row[1]) for row in rows if row[5] in _LOCAL_SCOPES}
    rows = [row for row in rows if not _inside_a_callable(row[0], row[2], callables)]
    base = [
        (use_rank(graph, row[0], row[1]) + 0.01 * graph.file_rank.get(row[0], 0.0))
        * map_prior(index.path_of(row[0]), row[1], row[5])
        for row in rows
    ]
    # Focus adds up to the best global score, so focused files lead whether or not
    # anything else references them.
    lift = max(base, default=0.0) / top if top else 0.0
    entries = []
    for (file_id, name, scope, signature, start_line, _kind), score in zip(rows, base):
        path = index.path_of(file_id)
        score += lift * personal.get(file_id, 0.0)
        entries.append(MapEntry(path, name, scope, signature, start_line, score))
    entries.sort(key=lambda e: (-e.score, e.path, e.start_line))
    return entries[:MAX_CANDIDATES]


def _inside_a_callable(file_id: int, scope: str, callables: set[tuple[int, str]]) -> bool:
    parts = scope.split(".") if scope else []
    return any((file_id, ".".join(parts[: depth + 1])) in callables for depth in range(len(parts)))


def use_rank(graph: RefGraph, file_id: int, name: str) -> float:
    """How much the code leans on a definition: its share of the graph's rank, with what
    flows in from tests counted at ``MAP_TEST_WEIGHT`` (the thousands of test files that
    call ``assertEqual`` say little about what the project offers)."""
    key = (file_id, name)
    from_code = graph.rank_from_code.get(key, 0.0)
    return from_code + MAP_TEST_WEIGHT * (graph.definition_rank.get(key, 0.0) - from_code)


def map_prior(path: str, name: str, kind: str) -> float:
    """How much a definition's graph rank counts in the map, before focus."""
    weight = MAP_TEST_WEIGHT if is_test_path(path) else 1.0
    if kind == "method" and name.isalpha() and name.islower() and len(name) <= GENERIC_NAME_CHARS:
        weight *= GENERIC_METHOD_WEIGHT
    return weight


def _focus_seeds(index: SearchIndex, focus: Iterable[str]) -> dict[int, float]:
    seeds: dict[int, float] = {}
    names = []
    for item in focus:
        file_id = index.file_id(item.replace("\\", "/"))
        if file_id is not None:
            seeds[file_id] = seeds.get(file_id, 0.0) + 1.0
        else:
            names.append(item)
    if names:
        marks = ",".join("?" * len(names))
        rows = index.conn.execute(f"SELECT DISTINCT file_id FROM symbols WHERE name IN ({marks})", names).fetchall()
        for (file_id,) in rows:
            seeds[file_id] = seeds.get(file_id, 0.0) + 1.0 / len(rows)
    return seeds


def render(entries: Sequence[MapEntry]) -> str:
    """The outline: files in order of their best entry, definitions in line order."""
    by_file: dict[str, list[MapEntry]] = defaultdict(list)
    for entry in entries:
        by_file[entry.path].append(entry)
    blocks = []
    for path, items in by_file.items():
        lines = [f"{path}:"]
        shown_scopes: set[str] = set()
        shown_lines: set[tuple[int, str]] = set()  # a one-line class shows its members too
        names_here = {_qualified(e) for e in items}
        for entry in sorted(items, key=lambda e: e.start_line):
            lines.extend(_scope_headers(entry.scope, shown_scopes, names_here))
            shown_scopes.add(_qualified(entry))
            if (entry.start_line, entry.signature) in shown_lines:
                continue
            shown_lines.add((entry.start_line, entry.signature))
            depth = entry.scope.count(".") + 1 if entry.scope else 0
            lines.append(f"{INDENT * (depth + 1)}{entry.signature}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + ("\n" if blocks else "")


def _qualified(entry: MapEntry) -> str:
    return f"{entry.scope}.{entry.name}" if entry.scope else entry.name


def _scope_headers(scope: str, shown: set[str], names_here: set[str]) -> list[str]:
    """A ``Name:`` line for each enclosing scope not printed yet (or about to be)."""
    headers = []
    parts = scope.split(".") if scope else []
    for depth in range(len(parts)):
        qualified = ".".join(parts[: depth + 1])
        if qualified in shown:
            continue
        shown.add(qualified)
        if qualified not in names_here:
            headers.append(f"{INDENT * (depth + 1)}{parts[depth]}:")
    return headers
