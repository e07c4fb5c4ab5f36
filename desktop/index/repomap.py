"""The repo map: an outline of the project's most important definitions, within a budget.

Definitions are ranked by the reference graph (how much of the code leans on them),
optionally personalised toward focus files or names; the best ones are printed as
signature lines under their file and enclosing scopes. The largest prefix of that
ranking (less any definition too long to fit the budget by itself) that fits the token
budget is chosen by bisection.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from desktop.index.graph import RefGraph
from desktop.index.retrieval import SearchIndex, is_test_path
from desktop.index.tokens import estimate_tokens

MAX_CANDIDATES = 3000
LEADERS = 2 * MAX_CANDIDATES  # entries of the ranking before focus that are kept at hand
MAX_PATCHED_FILES = 200  # past this many changed files the standing ranking is made anew
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
    return _tokens_alone(entry.path, entry.name, entry.scope, entry.signature) <= budget_tokens


@functools.lru_cache(maxsize=2 * MAX_CANDIDATES)  # the same leaders come back every turn
def _tokens_alone(path: str, name: str, scope: str, signature: str) -> int:
    """What a map showing only this definition costs."""
    return estimate_tokens(render([MapEntry(path, name, scope, signature, 0, 0.0)]))


def ranked_entries(index: SearchIndex, focus: Iterable[str]) -> list[MapEntry]:
    """Every definition worth mapping, best first (at most ``MAX_CANDIDATES``).

    The ranking before focus is kept with the index and brought up to date from the
    files that changed (``prepare``); a turn then reads again only the focused files
    whose definitions could reach the top, so its cost does not grow with the project
    (scoring every definition took 3 s a map on 100,000 files).
    """
    graph = index.graph()
    standing = _standing(index, graph)
    personal = _personal_shares(index, graph, focus)
    top = max(personal.values(), default=0.0)
    # Focus adds up to the best global score, so focused files lead whether or not
    # anything else references them.
    lift = standing.best / top if top else 0.0
    unfocused = [item for item in standing.leaders if item[1].path not in personal]  # in order
    lifted = [_lifted(item, lift, personal[item[1].path]) for item in standing.leaders if item[1].path in personal]
    held = sorted(unfocused + lifted, key=_by_key)  # two sorted runs: a merge
    # Every definition not held ranks below all held ones before focus: only a focused
    # file's can pass the held one in the last place.
    last = held[MAX_CANDIDATES - 1][0][0] if len(held) >= MAX_CANDIDATES else math.inf
    reaching = {
        path for path, share in personal.items()
        if path in standing.unheld_best and -(standing.unheld_best[path] + lift * share) <= last
    }
    fresh = sorted((_lifted(_held(raw), lift, personal[raw[0][1]]) for raw in _scored_files(index, graph, reaching)), key=_by_key)
    held = [item for item in held if item[1].path not in reaching]
    merged = heapq.merge(held, fresh, key=_by_key)
    return [entry for _key, entry in itertools.islice(merged, MAX_CANDIDATES)]


def prepare(index: SearchIndex) -> None:
    """Bring the map's standing ranking up to date with the index now (for a warm-up:
    the next map then scores only what its focus changes)."""
    index.refresh()
    _standing(index, index.graph())


def forget(index: SearchIndex) -> None:
    """Drop the ranking kept for ``index`` (benchmarks measure a map made from scratch)."""
    with _standings_lock:
        _standings.pop(index, None)


def _lifted(item: tuple[tuple, MapEntry], lift: float, share: float) -> tuple[tuple, MapEntry]:
    """``item`` with its file's focus share added."""
    key, entry = item
    score = entry.score + lift * share
    return (-score, *key[1:]), MapEntry(entry.path, entry.name, entry.scope, entry.signature, entry.start_line, score)


@dataclass(frozen=True)
class _Standing:
    """The ranking before focus, kept per index view and patched as files change.

    Only the best ``LEADERS`` entries are held; every entry left out ranks below all of
    them, and ``unheld_best`` keeps the best score each file has among those left out."""

    serial: int  # the view's change serial it reflects
    leaders: tuple[tuple[tuple, MapEntry], ...]  # (sort key, entry), best first
    unheld_best: Mapping[str, float]

    @property
    def best(self) -> float:
        """The best score of all."""
        return self.leaders[0][1].score if self.leaders else 0.0


_standings: "weakref.WeakKeyDictionary[SearchIndex, _Standing]" = weakref.WeakKeyDictionary()
_standings_lock = threading.Lock()


def _standing(index: SearchIndex, graph: RefGraph) -> _Standing:
    with _standings_lock:
        standing = _standings.get(index)
        changed = index.changes_since(standing.serial) if standing is not None else None
        if standing is None or changed is None or len(changed) > MAX_PATCHED_FILES:
            standing = _standing_of_all(index, graph)
        elif changed:
            standing = _patched(standing, index, graph, changed)
        _standings[index] = standing
        return standing


def _standing_of_all(index: SearchIndex, graph: RefGraph) -> _Standing:
    """The standing ranking from every definition."""
    scored = sorted(_scored(index, graph, index.conn.execute(f"{_ROWS} ORDER BY id").fetchall()), key=_by_key)
    return _Standing(index.change_serial, tuple(map(_held, scored[:LEADERS])), _best_of_files(scored[LEADERS:], {}))


def _patched(standing: _Standing, index: SearchIndex, graph: RefGraph, changed: frozenset[str]) -> _Standing:
    """``standing`` with the entries of the ``changed`` files scored again.

    The reference graph was carried across the change (``SearchIndex.changes_since``
    says None otherwise), so every other file's scores stand as they were."""
    kept = [item for item in standing.leaders if item[1].path not in changed]
    unheld_best = {path: score for path, score in standing.unheld_best.items() if path not in changed}
    if unheld_best and len(kept) < MAX_CANDIDATES:
        return _standing_of_all(index, graph)  # too few left to stand in front of the rest
    fresh = _scored_files(index, graph, changed)
    if unheld_best:
        # Below the last one held, an entry may rank under others that are not held.
        below = [item for item in fresh if _by_key(item) > _by_key(kept[-1])]
        fresh = [item for item in fresh if _by_key(item) < _by_key(kept[-1])]
        _best_of_files(below, unheld_best)
    leaders = sorted(kept + [_held(raw) for raw in fresh], key=_by_key)
    _best_of_files(leaders[LEADERS:], unheld_best)
    return _Standing(index.change_serial, tuple(leaders[:LEADERS]), unheld_best)


def _best_of_files(scored: Iterable[tuple], best: dict[str, float]) -> dict[str, float]:
    """``best`` (path -> score) raised to the best score of each file in ``scored``
    (items whose first part is their sort key)."""
    for item in scored:
        score, path = -item[0][0], item[0][1]
        if score > best.get(path, -math.inf):
            best[path] = score
    return best


_ROWS = "SELECT id, file_id, name, scope, signature, start_line, kind FROM symbols"


def _scored_files(index: SearchIndex, graph: RefGraph, paths: Iterable[str]) -> list[_Scored]:
    """``_scored`` for every definition in the files at ``paths`` (those indexed)."""
    file_ids = [file_id for file_id in map(index.file_id, paths) if file_id is not None]
    rows = []
    for start in range(0, len(file_ids), 500):
        part = file_ids[start : start + 500]
        rows += index.conn.execute(f"{_ROWS} WHERE file_id IN ({','.join('?' * len(part))}) ORDER BY id", part)
    return _scored(index, graph, rows)


_Scored = tuple[tuple, str, str, str]
"""A definition scored before focus: (sort key, name, scope, signature); the key is
(-score, path, start line, symbol id). Made for every definition, so no MapEntry yet."""


def _scored(index: SearchIndex, graph: RefGraph, rows: Sequence[tuple]) -> list[_Scored]:
    """Each definition row worth mapping, scored before focus.

    ``rows`` hold every definition of their files: what is defined inside a function
    (its helpers, a local class and its methods) is not offered to the rest of the code."""
    paths = index.file_paths
    rows = [row for row in rows if row[1] in paths]  # a file indexed since the view's refresh waits for the next
    callables = {(row[1], f"{row[3]}.{row[2]}" if row[3] else row[2]) for row in rows if row[6] in _LOCAL_SCOPES}
    local_scopes: dict[tuple[int, str], bool] = {}  # the methods of one class share a scope
    scored = []
    for symbol_id, file_id, name, scope, signature, start_line, kind in rows:
        if scope:
            local = local_scopes.get((file_id, scope))
            if local is None:
                local = local_scopes[(file_id, scope)] = _inside_a_callable(file_id, scope, callables)
            if local:
                continue
        path = paths[file_id]
        score = (use_rank(graph, file_id, name) + 0.01 * graph.file_rank.get(file_id, 0.0)) * map_prior(path, name, kind)
        scored.append(((-score, path, start_line, symbol_id), name, scope, signature))
    return scored


def _held(item: _Scored) -> tuple[tuple, MapEntry]:
    key, name, scope, signature = item
    return key, MapEntry(key[1], name, scope, signature, key[2], -key[0])


def _by_key(item: tuple[tuple, MapEntry]) -> tuple:
    return item[0]


def _personal_shares(index: SearchIndex, graph: RefGraph, focus: Iterable[str]) -> dict[str, float]:
    """Path -> how much of the focus's personalised rank lands on that file."""
    seeds = _focus_seeds(index, focus)
    personal = index.personal_rank(graph, seeds)
    paths = index.file_paths
    return {paths[file_id]: share for file_id, share in personal.items() if file_id in paths}


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
