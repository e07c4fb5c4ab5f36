"""Finding the code that answers a question: several rankings fused into one.

Each ranker orders chunks of the index its own way — BM25 over chunk text and split
identifiers, symbol names and docstrings, files first and then the definitions inside
them, path words, and the reference graph (PageRank, personalised toward the current
file and selection). Reciprocal rank fusion combines them, so no ranker's raw scores
need calibrating against another's; votes are counted per definition (a long function
is several chunks), and query-independent priors from general conventions (tests,
private names, ``__all__``) scale the fused score. Rankers that *generate* candidates
run first; rankers that only *reorder* (path, graph) see the pool the generators
produced, which keeps a query's cost independent of the repo's size.

The file-first ranker also decides which definitions stand for a file: fusion says
where a file goes in the list, and the file's places go to the definitions the in-file
ranking (``best_in_file``, weights fitted on the development questions) puts first.

People ask in other words than code uses: a query word that the code rarely uses
brings in its synonyms from a general programming vocabulary (``vocabulary.py``), and a
definition's name is matched against the query by its words, their abbreviations, the
words run together inside it (``relpath``) and the order the query says them in.

An embedding ranker (Ollama ``/api/embed``) would be one more generator: implement
``Ranker`` and pass it in ``rankers``.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import functools
import logging
import math
import re
import sqlite3
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Callable, Iterable, Mapping, Protocol, Sequence

from desktop.index.graph import RefGraph, build_graph, personalized_rank, renumbered
from desktop.index.identifiers import fts_query, split_identifier
from desktop.index.infile import FileUnits, file_units, in_file_scores, units_using
from desktop.index.store import IndexReader, discard_index, file_identity, index_tokens, open_reader
from desktop.index.vocabulary import alternatives, synonyms

log = logging.getLogger(__name__)

# The fusion constants were chosen on the three development sets together
# (tests/bench/eval/questions.json, dev2.json, dev3.json): a lower k and text evidence
# weighing more than the file-first ranking helped the long, specific questions of
# dev3 without costing the short ones much.
RRF_K = 30
MAX_HITS_PER_FILE = 2
PRIVATE_IN_VIEW = 5  # private helpers among this many best text matches are kept in view
CLEAR_LEAD = 1.1  # a text match scoring this many times the next one goes first (``put_first``)
CANDIDATES = 60
POOL_PER_HIT = 2  # candidates each ranker brings per hit asked for (when that is more than CANDIDATES)
NAME_WEIGHT = 1.0  # ``name_evidence``: a name the query spells out
IN_FILE_CANDIDATES = 20  # definitions that in-file BM25 alone brings into the in-file ranking
ORDER_WEIGHT = 0.5  # ``name_evidence``: the query says the name's words in its order
MENTION_CHUNKS = 20  # top-level code chunks of a file read for mentions
MATCH_MEMO_LIMIT = 300
PARTNER_MIN_CHUNKS = 20_000  # below this a match is quick: a second process is not worth its memory
PARTNER_TIMEOUT_S = 5.0
PARTNER_SHARE = 0.6  # of the chunk ids; this process runs the other rankers' queries meanwhile
LAST_ID = 2**63 - 1
UNITS_USING_MEMO = 20000  # (file, word) pairs whose in-file matches are kept
MIN_PREFIX = 4  # shortest word that matches the words it begins
PATCH_FILES = 50  # after a change of up to this many files (or this share of them), the
PATCH_SHARE = 0.01  # search caches read just those files again; after more, every file
GRAPH_STALE_FILES = 20  # the reference graph is built anew once more files than this
GRAPH_STALE_SHARE = 0.02  # (or this share of them) have changed since it was built
CHANGE_LOG = 64  # changes remembered for ``changes_since``
PERSONAL_MEMO = 8  # seed sets whose personalised ranks are kept, for the current graph
RARE_SHARE = 0.002  # a query word in fewer than this share of chunks brings in its synonyms
SYMBOL_WEIGHTS = "1.0, 2.0, 2.0"  # in-file ranking: BM25 of a definition's name, docstring, summary
PATH_WEIGHT = 0.5  # file ranking: a file named by the query, next to its text score (up to 1)

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing done down during
    each either else etc few for from further get gets given got had has have having he
    her here hers him his how i if in into is it its itself just let lets like me might
    more most much must my need needs no nor not now of off on once one only or other
    our out over own per please same she should so some such than that the their them
    then there these they this those though through thus to too under until up upon us
    use used uses using via want was way we well were what when where whether which
    while who whom whose why will with within without would yet you your
    function functions method methods class code implement implemented implementation
    library module python routine something someone thing things work works
    """.split()
)

# Files that test code rather than implement it: a question about behaviour wants the
# implementation, so their fused score is scaled down unless the question mentions tests.
_TEST_PATH = re.compile(r"(^|/)(tests?|testing|idle_test|__tests__|spec)(/|$)|(^|/)(test_[^/]*|[^/]*_test\.[^/]*|[^/]*\.(test|spec)\.[^/]*)$")
TEST_PENALTY = 0.5
DATA_FILE_CHUNKS = 20  # a code file of at least this many chunks ...
DATA_FILE_RATIO = 4  # ... and a quarter as many definitions (or fewer) is data (``is_data_file``)
DATA_PRIOR = 0.5
# Words in any script: 计算总价 and años are words too (the index tokenizes them as such).
_WORD = re.compile(r"[^\W\d]\w*|\d+")


@functools.lru_cache(maxsize=65536)  # asked for every candidate of every search
def is_test_path(path: str) -> bool:
    """True for a file that tests code rather than implements it (by its path)."""
    return _TEST_PATH.search(path) is not None


@dataclass(frozen=True)
class Hit:
    """One retrieved piece of code. Lines are 1-based and inclusive; ``path`` is relative."""

    path: str
    start_line: int
    end_line: int
    symbol: str | None
    kind: str
    score: float
    why: str


@dataclass(frozen=True)
class Query:
    """A question prepared for the rankers."""

    text: str
    terms: tuple[str, ...]  # lower-case words to match, stop words removed
    names: tuple[str, ...]  # identifiers the question may name exactly
    seeds: dict[int, float] = field(default_factory=dict)  # file id -> personalisation weight
    demote_tests: bool = True  # test files weigh less (the question is not about tests)
    expanded: tuple[str, ...] = ()  # terms and their other words (vocabulary); terms when empty

    @property
    def words(self) -> tuple[str, ...]:
        """The terms with the other words people and code use for them."""
        return self.expanded or self.terms


@dataclass(frozen=True)
class ChunkInfo:
    """What the rankers and the hit list need to know about one chunk."""

    id: int
    file_id: int
    path: str
    start_line: int
    end_line: int
    kind: str
    symbol: str | None
    symbol_id: int | None = None  # the definition this chunk is (part of)

    @property
    def unit(self) -> tuple[str, int]:
        """What the fusion counts votes for: the definition, or the chunk when it has none.

        A long function is several chunks; one ranker may find its signature and another
        its body, and both are votes for the same answer."""
        return ("symbol", self.symbol_id) if self.symbol_id is not None else ("chunk", self.id)


class Ranker(Protocol):
    """One ordering of chunks. Generators find candidates; reorderers sort the pool.

    ``weight`` is the ranker's share in the fusion; a ranker may also define
    ``personal_weight``, used instead when the query has a current file or selection,
    ``prefetch(index, query)``, which starts its full-text match early (see ``_generate``),
    and ``keeps_best``: when true, its best definitions are kept in view or put first
    (``_place_text_matches``), and it has ``scored(index, query)``, its (id, score) pairs.
    """

    name: str
    weight: float
    reorders: bool

    def rank(self, index: "SearchIndex", query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """Chunk ids, best first (a reorderer returns a subset of the pool's ids)."""
        ...


class SearchIndex:
    """A read-only view of one project's index, with caches kept per index generation."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._graph: RefGraph | None = None
        self._graph_lag = 0  # files changed since the graph was built (``_carry_graph``)
        self._personal: tuple[RefGraph | None, dict[tuple, dict[int, float]]] = (None, {})
        self._change_serial = 0
        self._change_log: deque[tuple[int, frozenset[str] | None]] = deque(maxlen=CHANGE_LOG)
        self._files: dict[int, str] = {}
        self._languages: dict[str, str | None] = {}
        self._file_ids: dict[str, int] = {}
        self._chunk_cache: dict[int, ChunkInfo] = {}
        self._ranges: dict[int, tuple[int, int, int, int]] = {}
        self._symbol_chunks: dict[int, int] = {}
        self._exports: dict[int, frozenset[str]] = {}
        self._mentions: dict[int, Mentions] = {}
        self._units: dict[int, FileUnits] = {}
        self._units_using: dict[tuple[int, tuple[str, ...]], frozenset[int]] = {}
        self._matches: dict[tuple[str, tuple[float, ...]], list[tuple[int, float]]] = {}
        self._file_symbols: dict[tuple[str, int], list[tuple[int, float]]] = {}
        self._match_counts: dict[tuple[str, str, int], int] = {}
        self._row_counts = {"chunk_fts": 0, "symbol_fts": 0}
        self._split_id = 0  # the partner scores chunk ids up to this one (``start_partner``)
        self._partner: _SearchPartner | None = None
        self._db_path: Path | None = None
        self._db_identity: tuple[int, int] | None = None
        self._versions: dict[int, tuple[str, int, str]] = {}  # file id -> (hash, mtime, path) the caches hold
        self._name_words: dict[str, set[int]] = {}  # a word of file names -> the files
        self._name_sizes: dict[int, int] = {}  # file id -> how many words its name has
        self._name_stems: dict[str, set[str]] = {}  # stem -> the file-name words with it
        self._sorted_stems: list[str] = []

    @classmethod
    def open(cls, db_path: Path) -> "SearchIndex":
        """Open the index database at ``db_path`` for reading."""
        identity = file_identity(db_path)
        index = cls(IndexReader(open_reader(db_path)))
        index._db_path, index._db_identity = Path(db_path), identity
        return index

    @property
    def db_path(self) -> Path | None:
        """The database file this view reads (None for a view made on a bare connection)."""
        return self._db_path

    def replaced(self) -> bool:
        """True when the database file was removed or made anew since this view was
        opened (a rebuild, a cleared cache): the view then reads a file nobody writes."""
        if self._db_path is None:
            return False
        return file_identity(self._db_path) != self._db_identity

    def discard(self) -> bool:
        """Close this view and remove its database file, found damaged
        (``store.discard_index``); False when another process has removed it or made it
        anew since this view opened it (open that one instead), or there is no file."""
        if self._db_path is None:
            self.close()
            return False
        return discard_index(self._db_path, self._db_identity, self.close)

    @property
    def conn(self) -> sqlite3.Connection:
        """The read connection (for rankers that need a query of their own)."""
        return self.reader.conn

    def close(self) -> None:
        """Close the read connection, and stop the partner process if there is one."""
        if self._partner is not None:
            self._partner.close()
            self._partner = None
        self.reader.conn.close()

    def start_partner(self) -> bool:
        """Start a second process that scores part of each full-text match over chunks
        (``PARTNER_SHARE`` of the ids), for a view kept open for many searches (the app's).

        SQLite runs one process's queries one at a time, even on two connections in two
        threads; a second process is how one search uses both cores. False when the
        index is too small to gain from it, or the process could not be started.
        """
        self.refresh()
        with self._lock:
            if self._partner is not None:
                return True
            if self._db_path is None or self._row_counts["chunk_fts"] < PARTNER_MIN_CHUNKS:
                return False
            try:
                self._partner = _SearchPartner(self._db_path)
            except OSError as exc:
                log.info("searching in one process: the partner did not start (%s)", exc)
                return False
            return True

    def refresh(self) -> None:
        """Bring the caches up to the index's current generation: the files that changed
        since are read again (every file after a large change), all from one snapshot of
        the database, so that a commit landing meanwhile cannot mix two states."""
        with self._lock:
            self.conn.execute("BEGIN")
            try:
                generation = self.reader.generation()
                if generation != self._generation:
                    self._catch_up()
                    self._generation = generation
            finally:
                self.conn.execute("COMMIT")

    def _catch_up(self) -> None:
        self._drop_query_caches()
        rows = self.conn.execute("SELECT id, hash, mtime_ns, path FROM files")
        versions = {row[0]: (row[1], row[2], row[3]) for row in rows}
        # A re-indexed or renamed file gets a new id, or the old one back when it had the
        # last: its (hash, mtime, path) tells.
        gone = [f for f, version in self._versions.items() if versions.get(f) != version]
        new = [f for f, version in versions.items() if self._versions.get(f) != version]
        before = dict(self._files)
        self._versions = {}  # until the caches hold them all
        patched = bool(before) and len(gone) + len(new) <= max(PATCH_FILES, PATCH_SHARE * len(versions))
        if patched:
            self._forget_files(gone)
            self._read_files(new)
        else:
            self._forget_all_files()
            self._read_files(None)
        self._versions = versions
        self._row_counts = {
            "chunk_fts": self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "symbol_fts": self.conn.execute("SELECT count(*) FROM symbols").fetchone()[0],
        }
        self._split_id = int((self.conn.execute("SELECT max(id) FROM chunks").fetchone()[0] or 0) * PARTNER_SHARE)
        changed_paths = {before[f] for f in gone if f in before} | {versions[f][2] for f in new}
        self._note_change(frozenset(changed_paths) if patched else None)
        self._carry_graph(before, len(changed_paths))

    @property
    def change_serial(self) -> int:
        """Counts the changes this view has taken in (``changes_since`` tells what they were)."""
        return self._change_serial

    def changes_since(self, serial: int) -> frozenset[str] | None:
        """The relative paths of the files added, changed or removed since
        ``change_serial`` was ``serial``. None when that is not known: every file was read
        again, the reference graph's ranks were computed anew, or it is too long ago.

        For what other modules derive from the index and keep up to date themselves
        (the repo map's ranking)."""
        if serial == self._change_serial:
            return frozenset()
        entries = [(number, paths) for number, paths in self._change_log if number > serial]
        if len(entries) != self._change_serial - serial:
            return None
        changed: set[str] = set()
        for _number, paths in entries:
            if paths is None:
                return None
            changed |= paths
        return frozenset(changed)

    def _note_change(self, paths: frozenset[str] | None) -> None:
        self._change_serial += 1
        self._change_log.append((self._change_serial, paths))

    def forget_recent_matches(self) -> None:
        """Drop what one search leaves to the next: the last few full-text matches, which
        let the rankers of one search share them, and the personalised ranks (for
        benchmarks: the next search does all its work again)."""
        self._matches = {}
        self._file_symbols = {}
        self._personal = (None, {})

    def _drop_query_caches(self) -> None:
        self._chunk_cache = {}
        self._mentions = {}
        self._units = {}
        self._units_using = {}
        self._matches = {}
        self._file_symbols = {}
        self._match_counts = {}

    def _forget_all_files(self) -> None:
        self._files, self._file_ids, self._languages = {}, {}, {}
        self._ranges, self._symbol_chunks, self._exports = {}, {}, {}
        self._name_words, self._name_sizes, self._name_stems, self._sorted_stems = {}, {}, {}, []

    def _forget_files(self, file_ids: Sequence[int]) -> None:
        """Drop what the caches hold about ``file_ids``."""
        for file_id in file_ids:
            path = self._files.pop(file_id, None)
            if path is None:
                continue
            if self._file_ids.get(path) == file_id:
                del self._file_ids[path]
                self._languages.pop(path, None)
            span = self._ranges.pop(file_id, None)
            if span is not None:
                for symbol_id in range(span[2], span[3] + 1):
                    self._symbol_chunks.pop(symbol_id, None)
            self._exports.pop(file_id, None)
            self._unname_file(file_id, path)

    def _read_files(self, file_ids: Sequence[int] | None) -> None:
        """Read ``file_ids`` (every file when None) into the caches."""
        if file_ids is not None and not file_ids:
            return
        where, args = _of_files(file_ids, "id")
        for file_id, path, language in self.conn.execute(f"SELECT id, path, language FROM files WHERE {where}", args):
            self._files[file_id] = path
            self._file_ids[path] = file_id
            self._languages[path] = language
            self._name_file(file_id, path)
        self._ranges.update(_id_ranges(self.conn, file_ids))
        self._exports.update(_exports(self.conn, file_ids))
        # Each definition's first chunk: read backwards, the smallest id is written last
        # (a third faster than GROUP BY, which sorts).
        where, args = _of_files(file_ids)
        self._symbol_chunks.update(
            self.conn.execute(
                f"SELECT symbol_id, id FROM chunks WHERE symbol_id IS NOT NULL AND {where} ORDER BY id DESC", args
            )
        )

    def _name_file(self, file_id: int, path: str) -> None:
        """Index the words of a file's name (``named_files``)."""
        words = _file_name_words(path)
        for word in words:
            holders = self._name_words.setdefault(word, set())
            if not holders:
                stem = _stem(word)
                if stem not in self._name_stems:
                    bisect.insort(self._sorted_stems, stem)
                self._name_stems.setdefault(stem, set()).add(word)
            holders.add(file_id)
        self._name_sizes[file_id] = max(len(words), 1)

    def _unname_file(self, file_id: int, path: str) -> None:
        for word in _file_name_words(path):
            holders = self._name_words.get(word)
            if holders is None:
                continue
            holders.discard(file_id)
            if not holders:
                del self._name_words[word]
                stem = _stem(word)
                self._name_stems[stem].discard(word)
                if not self._name_stems[stem]:
                    del self._name_stems[stem]
                    del self._sorted_stems[bisect.bisect_left(self._sorted_stems, stem)]
        self._name_sizes.pop(file_id, None)

    def file_id(self, path: str) -> int | None:
        """The id of the file at relative ``path``, or None when it is not indexed."""
        return self._file_ids.get(path)

    def path_of(self, file_id: int) -> str:
        """The relative path of a file id."""
        return self._files[file_id]

    def language_of(self, path: str) -> str | None:
        """The language the indexer read the file at ``path`` (relative) in, None for
        plain text; by its name alone for a file the index does not hold."""
        if path in self._languages:
            return self._languages[path]
        from desktop.index.languages import language_for_path  # it loads tree-sitter: only when needed

        return language_for_path(path)

    @property
    def file_paths(self) -> dict[int, str]:
        """Every indexed file: id -> relative path."""
        return self._files

    def id_ranges(self, file_id: int) -> tuple[int, int, int, int] | None:
        """(first chunk id, last chunk id, first symbol id, last symbol id) of a file.

        The store gives each file's rows consecutive ids, so a range restricts a
        full-text match to one file cheaply; rows are still checked by file id.
        """
        return self._ranges.get(file_id)

    def is_data_file(self, file_id: int) -> bool:
        """Whether a file is data written as code (a table, generated documentation):
        many chunks and few definitions. Its text matches many questions and answers
        none of them the way code does."""
        span = self.id_ranges(file_id)
        if span is None:
            return False
        chunks, symbols = span[1] - span[0] + 1, span[3] - span[2] + 1
        return chunks >= DATA_FILE_CHUNKS and symbols * DATA_FILE_RATIO < chunks

    def match_chunks(self, match: str, limit: int, weights: Sequence[float]) -> list[tuple[int, float]]:
        """``IndexReader.match_chunks``, remembered for the last few expressions: several
        rankers of one search ask for the same match with different limits."""
        key = (match, tuple(weights))
        found = self._matches.get(key)
        if found is None or (len(found) < limit and len(found) == MATCH_MEMO_LIMIT):
            found = self._scored_chunks(match, max(limit, MATCH_MEMO_LIMIT), weights)
            if len(self._matches) >= 16:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = found
        return found[:limit]

    def prefetch_chunks(self, match: str, limit: int, weights: Sequence[float]) -> None:
        """Have the partner start on its part of ``match_chunks(match, limit, weights)``
        now, so that it works while this process runs other queries (``search`` runs
        the rankers that prefetch after the others)."""
        if self._partner is not None and match and (match, tuple(weights)) not in self._matches:
            self._partner.send(self._partner_request(match, max(limit, MATCH_MEMO_LIMIT), weights))

    def settle_partner(self) -> None:
        """Collect and drop an answer this thread asked the partner for and did not use."""
        if self._partner is not None:
            self._partner.drop_own()

    def _partner_request(self, match: str, limit: int, weights: Sequence[float]) -> tuple:
        return (match, limit, tuple(weights), (0, self._split_id))

    def _scored_chunks(self, match: str, limit: int, weights: Sequence[float]) -> list[tuple[int, float]]:
        """``IndexReader.match_chunks``; with a partner, it scores the lower chunk ids
        while this process scores the rest, and the two best-first lists merge."""
        partner = self._partner
        request = self._partner_request(match, limit, weights)
        if partner is None or not (partner.asked(request) or partner.send(request)):
            return self.reader.match_chunks(match, limit, weights)
        try:
            mine = self.reader.match_chunks(match, limit, weights, (self._split_id + 1, LAST_ID))
        finally:
            theirs = partner.receive()  # always: the next request must not read this answer
        if theirs is None:
            theirs = self.reader.match_chunks(match, limit, weights, request[3])
        return sorted(theirs + mine, key=lambda pair: (-pair[1], pair[0]))[:limit]  # as one query orders them

    def match_file_symbols(self, match: str, file_id: int) -> list[tuple[int, float]]:
        """(symbol id, score = -bm25) of one file's definitions for an FTS ``match`` over
        name, docstring and summary, remembered for the last few files: a search ranks a
        file's definitions and may then drill into its classes."""
        key = (match, file_id)
        found = self._file_symbols.get(key)
        if found is None:
            span = self.id_ranges(file_id)
            if span is None:
                return []
            found = [
                (row[0], row[1])
                for row in self.conn.execute(
                    f"SELECT rowid, -bm25(symbol_fts, {SYMBOL_WEIGHTS}) FROM symbol_fts"
                    " WHERE symbol_fts MATCH ? AND rowid BETWEEN ? AND ?",
                    (match, span[2], span[3]),
                )
            ]
            if len(self._file_symbols) >= 64:
                self._file_symbols.pop(next(iter(self._file_symbols)))
            self._file_symbols[key] = found
        return found

    def file_units(self, file_id: int) -> FileUnits | None:
        """A file's definitions as units of an in-file ranking (``infile``), built on
        first use and kept for this generation; None for a file without chunks."""
        units = self._units.get(file_id)
        if units is None:
            span = self.id_ranges(file_id)
            if span is None:
                return None
            infos = self.chunk_infos(range(span[0], span[1] + 1)).values()
            units = file_units(
                ((c.id, c.symbol_id, c.start_line, c.end_line) for c in infos if c.file_id == file_id),
                (span[0], span[1]),
            )
            self._units[file_id] = units
        return units

    def units_using(self, file_id: int, word: str) -> frozenset[int]:
        """``infile.units_using`` for a file of this index, remembered for this
        generation (a project's questions share many words); empty for a file without
        chunks."""
        key = (file_id, index_tokens(word))
        found = self._units_using.get(key)
        if found is None:
            units = self.file_units(file_id)
            found = units_using(self.conn, units, word) if units is not None else frozenset()
            if len(self._units_using) >= UNITS_USING_MEMO:
                self._units_using.pop(next(iter(self._units_using)))
            self._units_using[key] = found
        return found

    def mention_lines(self, file_id: int) -> "Mentions":
        """(definition names mentioned, stemmed words) per prose line of a file that
        mentions one of its definitions: its module docstring, top-level comments and
        the definitions' docstrings. Built on first use, kept for this generation."""
        lines = self._mentions.get(file_id)
        if lines is None:
            lines = _mention_lines(self, file_id)
            self._mentions[file_id] = lines
        return lines

    def exports(self, file_id: int) -> frozenset[str] | None:
        """The names a file declares as its public interface (Python's ``__all__``), or
        None when it declares none."""
        return self._exports.get(file_id)

    def named_files(self, query: "Query") -> dict[int, float]:
        """Files whose own name (a package's folder for ``__init__``) matches the query's
        words: file id -> share of the name's words matched. Test files are left out
        unless the query is about tests."""
        matched: dict[int, int] = defaultdict(int)
        # Sorted: set order changes with the hash seed, and files tied on their share
        # would then come out in a different order from run to run.
        for word in sorted(self._matching_name_words(query.terms)):
            for file_id in self._name_words[word]:
                matched[file_id] += 1
        return {
            file_id: count / self._name_sizes[file_id]
            for file_id, count in matched.items()
            if not (query.demote_tests and is_test_path(self._files[file_id]))
        }

    def _matching_name_words(self, terms: Sequence[str]) -> set[str]:
        """File-name words related to any of ``terms`` (see ``related_words``), by lookup."""
        found: set[str] = set()
        for term in {_stem(t) for t in terms}:
            for end in range(MIN_PREFIX, len(term) + 1):  # name words the term begins with
                found.update(self._name_stems.get(term[:end], ()))
            if len(term) >= MIN_PREFIX:  # name words that begin with the term
                at = bisect.bisect_left(self._sorted_stems, term)
                while at < len(self._sorted_stems) and self._sorted_stems[at].startswith(term):
                    found.update(self._name_stems[self._sorted_stems[at]])
                    at += 1
            found.update(self._name_stems.get(term, ()))
        return found

    def is_rare(self, word: str) -> bool:
        """True when fewer than ``RARE_SHARE`` of the chunks use ``word``."""
        limit = max(1, int(self._row_counts["chunk_fts"] * RARE_SHARE))
        return self._count_rows("chunk_fts", fts_query([word]), limit) < limit

    def weighing_match(self, words: Sequence[str], table: str = "chunk_fts", enough: int = MATCH_MEMO_LIMIT) -> str:
        """``match_expression(words)`` for ``table`` ("chunk_fts" or "symbol_fts"),
        without the words that half its rows or more use, as long as the other words
        still match ``enough`` rows (the most a caller takes).

        FTS5's BM25 floors the IDF of such a word at 1e-6: it moves a score by about that
        much (which can only reorder rows that otherwise tie), and the rows only it
        matches score about zero and fall below the first ``enough``; yet every row it is
        in must be read and scored. "py" is in the path of nearly every chunk, "test" in
        the name of most definitions.
        """
        distinct = distinct_words(words)
        half = (self._row_counts[table] + 1) // 2
        weighing = [w for w in distinct if self._count_rows(table, fts_query([w]), half) < half]
        if weighing and len(weighing) < len(distinct):
            if self._count_rows(table, fts_query(weighing), enough) >= enough:
                return fts_query(weighing)
        return fts_query(distinct)

    def _count_rows(self, table: str, match: str, enough: int) -> int:
        """How many rows of ``table`` an FTS5 ``match`` finds, counted up to ``enough``
        (kept per generation)."""
        key = (table, match, enough)
        count = self._match_counts.get(key)
        if count is None:
            if len(self._match_counts) > 4096:
                self._match_counts.clear()
            count = self._match_counts[key] = self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)", (match, enough)
            ).fetchone()[0]
        return count

    def own_chunk(self, symbol_id: int) -> int | None:
        """The first chunk of a definition that has chunks of its own (None when it sits
        inside another definition's chunk)."""
        return self._symbol_chunks.get(symbol_id)

    def graph(self, covering: Iterable[int] = ()) -> RefGraph:
        """The reference graph with its ranks (built when first needed, then carried
        across small changes: ``_carry_graph``); built anew when a carried graph lacks a
        file of ``covering`` (the one the user is in, when it is new since)."""
        with self._lock:
            if self._graph is not None and any(f in self._files and f not in self._graph.nodes for f in covering):
                self._graph = None
            if self._graph is None:
                self._graph = _load_graph(self.conn, self._files)
                self._graph_lag = 0
                self._note_change(None)  # every definition's rank may have moved
            return self._graph

    def personal_rank(self, graph: RefGraph, seeds: Mapping[int, float]) -> dict[int, float]:
        """``personalized_rank`` toward ``seeds`` over ``graph`` (this view's), kept for
        the last ``PERSONAL_MEMO`` seed sets: the questions asked from one file share
        theirs. Callers must not change the dict."""
        if not seeds:
            return {}
        key = tuple(sorted(seeds.items()))
        with self._lock:
            held, memo = self._personal
            if held is not graph:
                memo = {}
                self._personal = (graph, memo)
            ranks = memo.pop(key, None)
            if ranks is None:
                ranks = personalized_rank(seeds, graph.edges)
            memo[key] = ranks  # newest last
            while len(memo) > PERSONAL_MEMO:
                del memo[next(iter(memo))]
            return ranks

    def _carry_graph(self, before: dict[int, str], changed: int) -> None:
        """Keep the graph across a change of ``changed`` files, renumbered to their new
        ids (``before`` maps the old ids to paths); drop it once more than
        ``GRAPH_STALE_FILES`` or ``GRAPH_STALE_SHARE`` of the files have changed since it
        was built.

        Building it reads every definition and reference: half a second on CPython's
        library, and more on a bigger project, after every save. One file's edits barely
        move the other files' ranks; its own edges stay as they were until the rebuild.
        """
        graph, self._graph = self._graph, None
        if graph is None:
            return
        self._graph_lag += changed
        if self._graph_lag > max(GRAPH_STALE_FILES, GRAPH_STALE_SHARE * len(self._files)):
            return
        self._graph = graph if not changed else renumbered(
            graph, {file_id: self._file_ids[path] for file_id, path in before.items() if path in self._file_ids}
        )

    def chunk_infos(self, ids: Sequence[int]) -> dict[int, ChunkInfo]:
        """Chunk details by id (cached for this generation)."""
        missing = [i for i in ids if i not in self._chunk_cache]
        for start in range(0, len(missing), 500):
            part = missing[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.conn.execute(
                f"SELECT id, file_id, start_line, end_line, kind, symbol, symbol_id FROM chunks WHERE id IN ({marks})",
                part,
            ).fetchall()
            for row in rows:
                self._chunk_cache[row[0]] = ChunkInfo(
                    row[0], row[1], self._files.get(row[1], ""), row[2], row[3], row[4], row[5], row[6]
                )
        return {i: self._chunk_cache[i] for i in ids if i in self._chunk_cache}


class _SearchPartner:
    """A process with its own read connection that scores one range of a chunk match.

    One request at a time: the thread that sent it owns the partner until it receives
    the answer; another thread's search meanwhile scores everything itself."""

    def __init__(self, db_path: Path) -> None:
        from desktop.index.processes import process_context

        context = process_context()
        self._pipe, child = context.Pipe()
        self._process = context.Process(target=_serve_matches, args=(child, str(db_path)),
                                        name="hearth-search", daemon=True)
        self._process.start()
        child.close()
        self._busy = threading.Lock()
        self._asked: tuple[int, tuple] | None = None  # (thread, request) awaiting its answer
        self.failed = False

    def send(self, request: tuple) -> bool:
        """Ask for ``(match, limit, weights, (first_id, last_id))``; False when the partner
        is busy with another request, or has failed (the caller then scores it itself)."""
        if self.failed or not self._busy.acquire(blocking=False):
            return False
        try:
            self._pipe.send(request)
        except (OSError, ValueError) as exc:
            self._give_up(exc)
            self._busy.release()
            return False
        self._asked = (threading.get_ident(), request)
        return True

    def asked(self, request: tuple) -> bool:
        """True when this thread sent ``request`` and has not received its answer yet."""
        return self._asked == (threading.get_ident(), request)

    def receive(self) -> list[tuple[int, float]] | None:
        """The answer to this thread's request; None when there is none to use (the
        caller scores the range itself, and gets SQLite's own error for a bad match)."""
        try:
            if not self._pipe.poll(PARTNER_TIMEOUT_S):
                raise TimeoutError(f"no answer in {PARTNER_TIMEOUT_S:.0f} s")
            reply = self._pipe.recv()
        except (OSError, EOFError, TimeoutError) as exc:
            self._give_up(exc)
            return None
        finally:
            self._asked = None
            self._busy.release()
        return reply if isinstance(reply, list) else None

    def drop_own(self) -> None:
        """Receive and forget this thread's unanswered request, if it has one."""
        asked = self._asked
        if asked is not None and asked[0] == threading.get_ident():
            self.receive()

    def _give_up(self, exc: BaseException) -> None:
        # Not asked again: searches go on in one process, as fast as before it started.
        log.info("the search partner stopped working (%s); searching in one process", exc)
        self.failed = True

    def close(self) -> None:
        """Tell the process to end, and make sure it does."""
        with contextlib.suppress(OSError, ValueError):
            self._pipe.send(None)
        self._process.join(1.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        self._pipe.close()


def _serve_matches(pipe: Connection, db_path: str) -> None:
    """The partner process: answer range requests until told to stop or left alone."""
    reader = IndexReader(open_reader(Path(db_path)))
    while True:
        try:
            request = pipe.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        match, limit, weights, ids = request
        try:
            pipe.send(reader.match_chunks(match, limit, weights, ids))
        except sqlite3.Error as exc:
            pipe.send(str(exc))


def _file_name_words(path: str) -> set[str]:
    """The words of a file's name without its extension; a package's ``__init__`` goes by
    its folder's name."""
    parts = path.rsplit(".", 1)[0].split("/")
    name = parts[-2] if parts[-1] == "__init__" and len(parts) > 1 else parts[-1]
    return set(split_identifier(name))


def _of_files(file_ids: Sequence[int] | None, column: str = "file_id") -> tuple[str, tuple[int, ...]]:
    """A WHERE condition limiting ``column`` to ``file_ids`` (none when None), and its arguments."""
    if file_ids is None:
        return "1", ()
    return f"{column} IN ({','.join('?' * len(file_ids))})", tuple(file_ids)


def _id_ranges(conn: sqlite3.Connection, file_ids: Sequence[int] | None = None) -> dict[int, tuple[int, int, int, int]]:
    """(first chunk, last chunk, first symbol, last symbol) id per file (of ``file_ids``)."""
    where, args = _of_files(file_ids)
    chunks = {
        r[0]: (r[1], r[2])
        for r in conn.execute(f"SELECT file_id, min(id), max(id) FROM chunks WHERE {where} GROUP BY file_id", args)
    }
    symbols = {
        r[0]: (r[1], r[2])
        for r in conn.execute(f"SELECT file_id, min(id), max(id) FROM symbols WHERE {where} GROUP BY file_id", args)
    }
    return {f: (*span, *symbols.get(f, (0, -1))) for f, span in chunks.items()}


_ALL_ASSIGN = re.compile(r"__all__\s*(?:\+?=|\.extend\(|\.append\()\s*[\[(]?([^\])]*)")
_QUOTED_NAME = re.compile(r"[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']")


def _exports(conn: sqlite3.Connection, file_ids: Sequence[int] | None = None) -> dict[int, frozenset[str]]:
    """``__all__`` per file (of ``file_ids``), read from its top-level code chunks."""
    names: dict[int, set[str]] = defaultdict(set)
    where, args = _of_files(file_ids, "c.file_id")
    rows = conn.execute(
        "SELECT c.file_id, t.body FROM chunk_fts t JOIN chunks c ON c.id = t.rowid"
        f" WHERE chunk_fts MATCH 'body:all' AND c.kind = 'code' AND instr(t.body, '__all__') > 0 AND {where}",
        args,
    )
    for file_id, body in rows:
        for match in _ALL_ASSIGN.finditer(body):
            names[file_id].update(_QUOTED_NAME.findall(match.group(1)))
    return {file_id: frozenset(found) for file_id, found in names.items() if found}


def _load_graph(conn: sqlite3.Connection, files: dict[int, str]) -> RefGraph:
    definers: dict[str, list[int]] = defaultdict(list)
    for name, file_id in conn.execute("SELECT DISTINCT name, file_id FROM symbols"):
        definers[name].append(file_id)
    refs = conn.execute("SELECT file_id, name, count FROM refs").fetchall()
    tests = frozenset(file_id for file_id, path in files.items() if is_test_path(path))
    return build_graph(files, definers, ((r[0], r[1], r[2]) for r in refs), tests)


# --- query preparation ----------------------------------------------------------------


def prepare_query(
    index: SearchIndex,
    text: str,
    current_file: str | None = None,
    selection: str | None = None,
    demote_tests: bool = True,
) -> Query:
    """Words to match, names to look up and personalisation seeds for ``text``.

    ``demote_tests`` is dropped when the question itself is about tests."""
    words = _WORD.findall(text)
    terms: list[str] = []
    for word in words:
        # camelCase and snake_case are splitting rules of ASCII names; another script's
        # word is kept whole, as the index's tokenizer keeps it
        for part in split_identifier(word) if word.isascii() else [word.lower()]:
            if len(part) > 1 and part not in STOP_WORDS and part not in terms:
                terms.append(part)
    demote = demote_tests and not {"test", "tests", "testing"} & set(terms)
    # A word the code rarely uses is probably the asker's word, not the code's
    # ("biggest" where code says "largest"): bring in its synonyms. Common words stay
    # alone, or their synonyms would flood the matches.
    expanded = [*terms, *(alt for t in terms if synonyms(t) and index.is_rare(t) for alt in synonyms(t))]
    return Query(
        text, tuple(terms), _candidate_names(words), _seeds(index, current_file, selection), demote,
        tuple(dict.fromkeys(expanded)),
    )


def _candidate_names(words: Sequence[str]) -> tuple[str, ...]:
    """Identifiers the question may spell out: words that look like code, and pairs of
    neighbouring words joined snake_case or run together (``lru cache`` → ``lru_cache``).

    A plain English word alone is not taken as a name: ``list`` or ``items`` are defined
    in hundreds of places, and BM25 over names already weighs such words.
    """
    names = [w for w in words if _looks_like_code(w)]
    plain = [w.lower() for w in words if w.lower() not in STOP_WORDS]
    for first, second in zip(plain, plain[1:]):
        names.extend((f"{first}_{second}", f"{first}{second}"))
    return tuple(dict.fromkeys(n for n in names if len(n) > 2))


def _looks_like_code(word: str) -> bool:
    return "_" in word or any(c.isdigit() for c in word) or (word[1:] != word[1:].lower())


def warm_for_file(index: SearchIndex, current_file: str) -> None:
    """Work out now what a question asked from ``current_file`` personalises with (its
    ranks over the reference graph), so that the first such question does not wait
    for it. Nothing for a file the index does not hold."""
    seeds = _seeds(index, current_file, None)
    if seeds:
        index.personal_rank(index.graph(covering=seeds), seeds)


def _seeds(index: SearchIndex, current_file: str | None, selection: str | None) -> dict[int, float]:
    seeds: dict[int, float] = {}
    if current_file:
        file_id = index.file_id(current_file.replace("\\", "/"))
        if file_id is not None:
            seeds[file_id] = 1.0
    if selection:
        names = set(_WORD.findall(selection)[:200])
        definers = _definers(index.conn, names)
        for file_ids in definers.values():
            for file_id in file_ids:
                seeds[file_id] = seeds.get(file_id, 0.0) + 1.0 / len(file_ids)
    return seeds


def _definers(conn: sqlite3.Connection, names: set[str]) -> dict[str, set[int]]:
    result: dict[str, set[int]] = defaultdict(set)
    names_list = [n for n in names if len(n) > 2]
    for start in range(0, len(names_list), 500):
        part = names_list[start : start + 500]
        marks = ",".join("?" * len(part))
        for name, file_id in conn.execute(f"SELECT name, file_id FROM symbols WHERE name IN ({marks})", part):
            result[name].add(file_id)
    return result


# --- rankers --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bm25Ranker:
    """BM25 over chunk text, symbol names, split identifiers and path."""

    name: str = "text"
    weight: float = 1.5  # text evidence weighs most: see the note at RRF_K
    reorders: bool = False
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    limit: int = CANDIDATES
    expand: bool = True  # also match the terms' other words (off for the plain baseline)
    keeps_best: bool = True  # its best definition stays in view (see ``keep_in_view``)

    def rank(self, index: SearchIndex, query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """Chunk ids in BM25 order for any of the query's words."""
        return [chunk_id for chunk_id, _ in self.scored(index, query)]

    def prefetch(self, index: SearchIndex, query: Query) -> None:
        """Start this ranker's full-text match in the partner process, if there is one."""
        index.prefetch_chunks(self._match(index, query), self.limit, self.weights)

    def scored(self, index: SearchIndex, query: Query) -> list[tuple[int, float]]:
        """(chunk id, BM25 score), best first, for any of the query's words."""
        match = self._match(index, query)
        if not match:
            return []
        return index.match_chunks(match, self.limit, self.weights)

    def _match(self, index: SearchIndex, query: Query) -> str:
        return index.weighing_match(query.words if self.expand else query.terms)


@dataclass(frozen=True)
class SymbolRanker:
    """Definitions the query names exactly, then definitions by BM25 over name and docstring.

    Docstrings weigh more than names: a question describes behaviour, which is what a
    docstring does, while descriptive test names would otherwise match every word.
    """

    name: str = "symbol"
    weight: float = 1.0
    reorders: bool = False
    weights: tuple[float, float, float] = (1.0, 2.0, 2.0)  # name, doc, summary (first sentence)
    limit: int = CANDIDATES

    def rank(self, index: SearchIndex, query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """Chunk ids of exactly named definitions first, then of matching ones."""
        exact = self._exact(index, query)
        match = index.weighing_match(query.words, "symbol_fts", self.limit)
        partial: list[int] = []
        if match:
            name_w, doc_w, summary_w = self.weights
            rows = index.conn.execute(
                f"SELECT rowid FROM symbol_fts WHERE symbol_fts MATCH ?"
                f" ORDER BY bm25(symbol_fts, {name_w}, {doc_w}, {summary_w}), rowid LIMIT ?",
                (match, self.limit),
            ).fetchall()
            partial = [row[0] for row in rows]
        return _chunks_for_symbols(index, list(dict.fromkeys(exact + partial)))

    def _exact(self, index: SearchIndex, query: Query) -> list[int]:
        if not query.names:
            return []
        graph = index.graph()
        marks = ",".join("?" * len(query.names))
        rows = index.conn.execute(
            f"SELECT id, file_id, name FROM symbols WHERE name IN ({marks}) LIMIT 500", query.names
        ).fetchall()
        rows.sort(key=lambda r: -graph.definition_rank.get((r[1], r[2]), 0.0))
        return [r[0] for r in rows[: self.limit]]


def _chunks_for_symbols(index: SearchIndex, symbol_ids: Sequence[int]) -> list[int]:
    """The first chunk of each symbol, or the smallest chunk that contains it."""
    result: list[int] = []
    for symbol_id in symbol_ids:
        chunk_id = index.own_chunk(symbol_id)
        if chunk_id is None:
            row = index.conn.execute(
                "SELECT c.id FROM symbols s JOIN chunks c ON c.file_id = s.file_id "
                "AND c.start_line <= s.start_line AND c.end_line >= s.start_line "
                "WHERE s.id = ? ORDER BY c.end_line - c.start_line LIMIT 1",
                (symbol_id,),
            ).fetchone()
            chunk_id = row[0] if row else None
        if chunk_id is not None and chunk_id not in result:
            result.append(chunk_id)
    return result


def path_words(path: str) -> list[str]:
    """The words of a relative path without its extension."""
    return split_identifier(path.rsplit(".", 1)[0])


@dataclass(frozen=True)
class PathRanker:
    """Candidates in files whose path contains words of the query."""

    name: str = "path"
    weight: float = 0.3
    reorders: bool = True

    def rank(self, index: SearchIndex, query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """Pool chunks whose path shares words with the query, most shared first."""
        scored = []
        overlaps: dict[str, int] = {}  # many chunks of the pool share a file
        for position, chunk in enumerate(pool):
            overlap = overlaps.get(chunk.path)
            if overlap is None:
                overlap = overlaps[chunk.path] = len(related_words(query.terms, path_words(chunk.path)))
            if overlap:
                scored.append((-overlap, position, chunk.id))
        return [chunk_id for *_, chunk_id in sorted(scored)]


def related_words(query_words: Sequence[str], words: Sequence[str]) -> set[str]:
    """The ``words`` that match a query word: the same light stem, or one a prefix of the
    other of at least ``MIN_PREFIX`` letters (``read``/``reader``, ``dict``/``dictionaries``,
    ``random``/``randomly``) — identifiers abbreviate and English inflects."""
    stems = frozenset(_stem(w) for w in query_words)
    return {word for word in words if _related(_stem(word), stems)}


@functools.lru_cache(maxsize=65536)
def _related(stem: str, stems: frozenset[str]) -> bool:
    if stem in stems:
        return True
    for other in stems:
        short, long = (stem, other) if len(stem) <= len(other) else (other, stem)
        if len(short) >= MIN_PREFIX and long.startswith(short):
            return True
    return False


def distinct_words(words: Sequence[str]) -> list[str]:
    """``words`` without blanks and with one word per index token: "parsers" and
    "parser" stem alike, and matching both would count that stem twice in BM25 and read
    its rows twice."""
    distinct: dict[tuple[str, ...], str] = {}
    for word in words:
        if word and word.strip():
            distinct.setdefault(index_tokens(word), word)
    return list(distinct.values())


def match_expression(words: Sequence[str]) -> str:
    """An FTS5 OR-match of ``words``, one per index token (``distinct_words``)."""
    return fts_query(distinct_words(words))


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light plural/verb-ending strip, enough to match path words to query words."""
    for suffix in ("ing", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class GraphRanker:
    """Pool chunks by how central their definition is in the reference graph.

    Global PageRank is cached per index generation; personalisation toward the current
    file and the selection's names is a local push from those files.
    """

    name: str = "graph"
    weight: float = 0.3
    reorders: bool = True
    # When the query has a current file or selection. At 1.5 (five times ``weight``) a
    # question asked from an unrelated file lost R@5 422 -> 411 of 883; at 0.6 it keeps
    # 423, and one asked from the answer's file gains 422 -> 433.
    personal_weight: float = 0.6

    def rank(self, index: SearchIndex, query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """Pool chunk ids ordered by (personalised) definition rank."""
        graph = index.graph(covering=query.seeds)
        personal = index.personal_rank(graph, query.seeds)
        top = max(personal.values(), default=0.0)
        scored = []
        for position, chunk in enumerate(pool):
            score = chunk_centrality(graph, chunk)
            if top:
                score = (score + 1e-9) * (1.0 + 4.0 * personal.get(chunk.file_id, 0.0) / top)
            scored.append((-score, position, chunk.id))
        return [chunk_id for *_, chunk_id in sorted(scored)]


def chunk_centrality(graph: RefGraph, chunk: ChunkInfo) -> float:
    """The rank of the chunk's definition, else a tenth of its file's rank."""
    file_rank = graph.file_rank.get(chunk.file_id, 0.0)
    if chunk.symbol:
        defined = graph.definition_rank.get((chunk.file_id, chunk.symbol))
        if defined:
            return defined + 0.1 * file_rank
    return 0.1 * file_rank


@dataclass(frozen=True)
class FileRanker:
    """Files first, then the definitions inside each of them.

    A question is usually about one module, but one chunk rarely holds all of its words:
    the file is scored from its best matching chunks together, and then the file's own
    definitions are ranked against the question by name, docstring and body. Chunk-level
    BM25 alone tends to pick whichever neighbour of the answer repeats a query word most.
    """

    name: str = "file"
    weight: float = 1.0
    reorders: bool = False
    files: int = 5  # files whose definitions are ranked
    per_file: int = 2
    limit: int = 300  # chunk matches the file scores are summed from
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)  # path, name, body, words
    decay: float = 0.5  # weight of a file's n-th best chunk: decay ** n

    def prefetch(self, index: SearchIndex, query: Query) -> None:
        """Start the full-text match the file scores come from, in the partner process."""
        index.prefetch_chunks(index.weighing_match(query.words), self.limit, self.weights)

    def rank(self, index: SearchIndex, query: Query, pool: Sequence[ChunkInfo]) -> list[int]:
        """The best definitions of the best files, file by file."""
        match = match_expression(query.words)
        if not match:
            return []
        scored = index.match_chunks(index.weighing_match(query.words), self.limit, self.weights)
        infos = index.chunk_infos([chunk_id for chunk_id, _ in scored])
        per_file: dict[int, list[float]] = defaultdict(list)
        found_in: dict[int, list[tuple[int, float]]] = defaultdict(list)  # file id -> its matches, best first
        for chunk_id, score in scored:
            info = infos.get(chunk_id)
            if info is None:
                continue
            found_in[info.file_id].append((chunk_id, score))
            if len(per_file[info.file_id]) < 3:
                per_file[info.file_id].append(score * prior(index, info, query))
        totals = {f: sum(s * self.decay**i for i, s in enumerate(sorted(v, reverse=True))) for f, v in per_file.items()}
        top = max(totals.values(), default=0.0)
        scores = {f: total / top for f, total in totals.items()} if top > 0 else {}
        for file_id, share in index.named_files(query).items():
            scores[file_id] = scores.get(file_id, 0.0) + PATH_WEIGHT * share
        best_files = sorted(scores, key=lambda f: -scores[f])[: self.files]
        result: list[int] = []
        for file_id in best_files:
            result.extend(best_in_file(index, query, match, file_id, found_in.get(file_id, []))[: self.per_file])
        return result


# How the in-file ranking weighs what it knows of each of a file's definitions: a
# listwise logistic model fitted by ``python -m tests.bench.fit_in_file`` on the
# development sets as they were then (1,123 questions; dev20 was still held out). The
# name's weights and the mentions' are held at the values they had by hand, so a
# definition the question names still gains, and a private helper is held below a
# public definition with the same evidence. Left out of each fit in turn, a set's
# answers came first in their file 452 -> 616 times of 1,067 and among the first two
# 619 -> 795. Length is per log(1 + lines); a kind's weight is against a definition of
# another kind (a Go ``struct``, a Markdown section).
HELD_IN_FILE_WEIGHTS = ("name_coverage", "name_order", "mentions", "private")  # not fitted
IN_FILE_WEIGHTS: Mapping[str, float] = {
    "text": 1.34,  # BM25 of its chunks among the query's best matches (normalised in the file)
    "symbol_text": 0.05,  # BM25 of its name, docstring and summary
    "in_file": 2.63,  # BM25 among the file's own definitions (``infile``)
    "name_coverage": 1.0,  # how much of its name the query uses
    "name_order": 0.5,  # ... in the name's order
    "mentions": 1.0,  # the query's words next to a mention of it in the file's prose
    "private": -0.5,
    "exported": 0.07,  # listed in ``__all__``
    "class": -0.40,
    "function": 1.94,
    "method": 0.18,
    "code": -1.73,  # top-level code outside any definition
    "length": 0.55,
}


def best_in_file(
    index: SearchIndex, query: Query, match: str, file_id: int, chunk_rows: Sequence[tuple[int, float]]
) -> list[int]:
    """Chunk ids of one file for an FTS ``match``, best first, one per definition name
    (a split function, or a method and its module-level twin): what is known of each
    (``in_file_features``) weighed by ``IN_FILE_WEIGHTS``. ``chunk_rows`` are the file's
    chunks among the query's best text matches, with their BM25 scores."""
    weights = IN_FILE_WEIGHTS
    ranked = sorted(
        ((sum(weights[name] * value for name, value in features.items()), chunk.id, chunk)
         for chunk, features in in_file_features(index, query, match, file_id, chunk_rows)),
        key=lambda item: item[:2],
        reverse=True,
    )
    best: dict[str | int, int] = {}
    for _, chunk_id, chunk in ranked:
        best.setdefault(chunk.symbol or chunk_id, chunk_id)
    return list(best.values())


def in_file_features(
    index: SearchIndex, query: Query, match: str, file_id: int, chunk_rows: Sequence[tuple[int, float]]
) -> list[tuple[ChunkInfo, dict[str, float]]]:
    """The chunks of one file with any evidence for the query, each with the features
    ``IN_FILE_WEIGHTS`` weighs (the three text scores each normalised within the file)."""
    if index.id_ranges(file_id) is None:
        return []
    text: dict[int, float] = defaultdict(float)
    _add_normalised(text, chunk_rows)
    symbol_rows = index.match_file_symbols(match, file_id)
    own_symbols = [(index.own_chunk(symbol_id), score) for symbol_id, score in symbol_rows]
    symbol_text: dict[int, float] = defaultdict(float)
    best_symbol = max((score for _, score in symbol_rows), default=0.0)
    _add_normalised(symbol_text, [(c, score) for c, score in own_symbols if c is not None], best_symbol)
    either = {c: text.get(c, 0.0) + symbol_text.get(c, 0.0) for c in {*text, *symbol_text}}
    in_file: dict[int, float] = defaultdict(float)
    _add_normalised(in_file, _in_file_rows(index, query, file_id, either))
    mentions = mention_scores(index, query, file_id)
    named_chunks = index.mention_lines(file_id).chunks
    chunk_ids = {*either, *in_file, *(named_chunks[name] for name in mentions)}
    infos = index.chunk_infos(list(chunk_ids))
    exports = index.exports(file_id) or ()
    found = []
    for chunk_id in chunk_ids:
        chunk = infos.get(chunk_id)
        if chunk is None or chunk.file_id != file_id:
            continue
        name = chunk.symbol
        coverage, order = name_scores(name, query.terms)
        features = {
            "text": text.get(chunk_id, 0.0),
            "symbol_text": symbol_text.get(chunk_id, 0.0),
            "in_file": in_file.get(chunk_id, 0.0),
            "name_coverage": coverage,
            "name_order": order,
            "mentions": mentions.get(name or "", 0.0),
            "private": float(_is_private(name)),
            "exported": float(bool(name) and chunk.kind != "method" and name in exports),
            "length": math.log(1 + chunk.end_line - chunk.start_line),
        }
        if chunk.kind in ("class", "function", "method", "code"):
            features[chunk.kind] = 1.0
        found.append((chunk, features))
    return found


def _in_file_rows(index: SearchIndex, query: Query, file_id: int, scores: dict[int, float]) -> list[tuple[int, float]]:
    """(chunk id, in-file BM25 from ``infile``) of a file's definitions: the best
    ``IN_FILE_CANDIDATES`` and those already in ``scores`` (the rest cannot reach the top)."""
    units = index.file_units(file_id)
    if units is None:
        return []
    own = in_file_scores(units, [index.units_using(file_id, word) for word in distinct_words(query.terms)])
    ranked = sorted(own.items(), key=lambda item: -item[1])
    return [(c, score) for place, (c, score) in enumerate(ranked) if place < IN_FILE_CANDIDATES or c in scores]


# Query-independent weights from general conventions. A leading underscore marks a
# private helper in Python and by convention elsewhere; ``__all__`` lists what a module
# offers. Questions describe what code offers, which its public definitions do.
PRIVATE_PRIOR = 0.4
EXPORTED_PRIOR = 1.3


def prior(index: SearchIndex, chunk: ChunkInfo, query: Query) -> float:
    """How likely a chunk is to be an answer before looking at the words in it."""
    weight = 1.0
    if query.demote_tests and is_test_path(chunk.path):
        weight *= TEST_PENALTY
    name = chunk.symbol
    if index.is_data_file(chunk.file_id):
        weight *= DATA_PRIOR
    if _is_private(name):
        weight *= PRIVATE_PRIOR
    elif name and chunk.kind != "method" and name in (index.exports(chunk.file_id) or ()):
        weight *= EXPORTED_PRIOR
    return weight


@dataclass(frozen=True)
class Mentions:
    """A file's prose lines that name its definitions, and those definitions' chunks."""

    lines: tuple[tuple[frozenset[str], frozenset[str]], ...]  # (names mentioned, stemmed words)
    chunks: dict[str, int]  # definition name -> its first own chunk


def _mention_lines(index: SearchIndex, file_id: int) -> Mentions:
    span = index.id_ranges(file_id)
    if span is None:
        return Mentions((), {})
    _first_chunk, _last_chunk, first_symbol, last_symbol = span
    rows = index.conn.execute(
        "SELECT id, name, scope, doc FROM symbols WHERE id BETWEEN ? AND ? AND file_id = ?",
        (first_symbol, last_symbol, file_id),
    ).fetchall()
    chunks: dict[str, int] = {}
    for symbol_id, name, _scope, _doc in rows:
        chunk_id = index.own_chunk(symbol_id)
        if chunk_id is not None and len(name) > 2:
            chunks.setdefault(name, chunk_id)
    names = set(chunks)
    # Top-level prose only: the module's description of itself and its top-level
    # docstrings (method docstrings mostly talk about their own arguments).
    texts = [(name, doc) for _id, name, scope, doc in rows if doc and not scope]
    code = index.conn.execute(
        "SELECT t.body FROM chunks c JOIN chunk_fts t ON t.rowid = c.id"
        " WHERE c.file_id = ? AND c.kind = 'code' ORDER BY c.id LIMIT ?",
        (file_id, MENTION_CHUNKS),
    ).fetchall()
    texts += [(None, row[0]) for row in code]
    result = []
    for owner, text in texts:
        for line in text.split("\n"):
            words = _WORD.findall(line)
            mentioned = names.intersection(words) - {owner}
            if mentioned:
                stems = frozenset(_stem(part) for word in words for part in split_identifier(word))
                result.append((frozenset(mentioned), stems))
    return Mentions(tuple(result), chunks)


def mention_scores(index: SearchIndex, query: Query, file_id: int) -> dict[str, float]:
    """Per definition name of a file: the best share of the query's words on a line of
    the file's prose that mentions the name (anchor text: how a module describes its own
    parts, often in other words than the part's own docstring)."""
    wanted = _term_stems(query.terms)
    if not wanted:
        return {}
    best: dict[str, float] = {}
    for mentioned, stems in index.mention_lines(file_id).lines:
        share = sum(1 for group in wanted if not group.isdisjoint(stems)) / len(wanted)
        if share:
            for name in mentioned:
                if share > best.get(name, 0.0):
                    best[name] = share
    return best


@functools.lru_cache(maxsize=65536)  # a query meets the same names in many files
def name_evidence(name: str | None, terms: tuple[str, ...]) -> float:
    """What a definition's name alone says for the query: how much of the name the
    query uses (``name_coverage``) and whether in the name's order (``name_order``)."""
    coverage, order = name_scores(name, terms)
    return NAME_WEIGHT * coverage + ORDER_WEIGHT * order


def name_scores(name: str | None, terms: tuple[str, ...]) -> tuple[float, float]:
    """``(name_coverage, name_order)`` of a name, its words looked up once."""
    parts = _name_words(name) if name else ()
    if not parts:
        return 0.0, 0.0
    positions = [_term_position(part, terms) for part in parts]
    return _coverage(parts, positions, terms), _order(positions)


def name_coverage(name: str | None, terms: Sequence[str]) -> float:
    """The share of a name's words that the query uses: by the word, by its other words
    (vocabulary: ``cmp`` for "comparison") or inside a run-together word (``relpath``
    for "relative path", ``nlargest`` for "largest"). ``guess_type`` for "guess the type": 1."""
    parts = _name_words(name) if name else ()
    terms = tuple(terms)
    return _coverage(parts, [_term_position(part, terms) for part in parts], terms) if parts else 0.0


def name_order(name: str | None, terms: Sequence[str]) -> float:
    """Up to 1 when the query says every word of a multi-word name in the name's order and
    close together (``format_exception`` for "format an exception", rather than
    ``format_list`` for "format ... as a list"); 0 otherwise."""
    parts = _name_words(name) if name else ()
    terms = tuple(terms)
    return _order([_term_position(part, terms) for part in parts])


def _coverage(parts: Sequence[str], positions: Sequence[int | None], terms: tuple[str, ...]) -> float:
    """``name_coverage`` of a name's ``parts``, given each one's ``_term_position``."""
    spelled = _spellings(terms)
    covered = sum(1.0 if at is not None else _inside_coverage(part, spelled) for part, at in zip(parts, positions))
    return covered / len(parts)


def _order(positions: Sequence[int | None]) -> float:
    """``name_order`` of a name, given each of its parts' ``_term_position``."""
    if len(positions) < 2 or any(at is None for at in positions):
        return 0.0
    order = [at for at in positions if at is not None]
    if order != sorted(order) or len(set(order)) != len(order):
        return 0.0
    return len(order) / (max(order) - min(order) + 1)


def _term_position(part: str, terms: tuple[str, ...]) -> int | None:
    """The position of the first query term that ``part`` stands for (itself or one of
    its other words, or the initials of neighbouring terms), or None."""
    stem = _stem(part)
    lookup = _term_lookup(terms)
    # ``_related`` to some term's stem: the same stem, a stem that begins this one, or
    # one this one begins (either at least MIN_PREFIX letters long).
    found = [lookup.stems.get(stem), lookup.beginnings.get(stem) if len(stem) >= MIN_PREFIX else None]
    found += [lookup.stems.get(stem[:end]) for end in range(MIN_PREFIX, len(stem))]
    positions = [at for at in found if at is not None]
    if positions:
        return min(positions)
    if 2 <= len(part) <= 3:  # an acronym of neighbouring words: qs for "query string"
        return lookup.initials.get(part)
    return None


@dataclass(frozen=True)
class _TermLookup:
    """Where in a query each thing ``_term_position`` looks for first appears."""

    stems: dict[str, int]  # each stem among the terms' stems (``_term_stems``)
    beginnings: dict[str, int]  # each beginning of at least MIN_PREFIX letters of one
    initials: dict[str, int]  # the initials of each run of two or three neighbouring terms


@functools.lru_cache(maxsize=256)
def _term_lookup(terms: tuple[str, ...]) -> _TermLookup:
    """``_TermLookup`` of a query's terms: the first position of everything in it."""
    stems: dict[str, int] = {}
    beginnings: dict[str, int] = {}
    initials: dict[str, int] = {}
    for position, term_stems in enumerate(_term_stems(terms)):
        for stem in term_stems:
            stems.setdefault(stem, position)
            for end in range(MIN_PREFIX, len(stem) + 1):
                beginnings.setdefault(stem[:end], position)
        for length in (2, 3):
            run = terms[position : position + length]
            if len(run) == length and all(run):
                initials.setdefault("".join(term[0] for term in run), position)
    return _TermLookup(stems, beginnings, initials)


@functools.lru_cache(maxsize=256)
def _term_stems(terms: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    """Per query term: the stems of the term and of its other words."""
    return tuple(frozenset(_stem(w) for w in (term, *alternatives(term))) for term in terms)


@functools.lru_cache(maxsize=256)
def _spellings(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The terms, their stems and every other word for them, abbreviations included."""
    return tuple(dict.fromkeys(w for t in terms for w in (t, _stem(t), *alternatives(t))))


# Prefixes that turn a word into its opposite: a name made of one and a query word
# means the reverse of what the query says.
REVERSING_PREFIXES = frozenset({"un", "de", "dis", "non"})


@functools.lru_cache(maxsize=65536)
def _inside_coverage(part: str, words: tuple[str, ...]) -> float:
    """The share of a run-together word's letters spelled by query words inside it
    (``nlargest`` and "largest": 1, a leading letter or two being a prefix such as
    ``n``/``is``); 0 for a word shorter than five letters, and for one that reverses
    the query word (``decompress``, ``unquote``)."""
    if len(part) < 5:
        return 0.0
    marked = [False] * len(part)
    for word in words:
        if len(word) < 3 or len(word) >= len(part):
            continue
        at = part.find(word)
        while at >= 0:
            marked[at : at + len(word)] = [True] * len(word)
            at = part.find(word, at + 1)
    if not any(marked):
        return 0.0
    lead = 0
    while lead < len(marked) and not marked[lead]:
        lead += 1
    if part[:lead] in REVERSING_PREFIXES:
        return 0.0  # ``decompress`` undoes what "compress" asks for
    if lead <= 2:
        marked[:lead] = [True] * lead
    return sum(marked) / len(part)


@functools.lru_cache(maxsize=65536)
def _name_words(name: str) -> tuple[str, ...]:
    """A name's words in order, without digits, single letters and stop words."""
    parts = [p for p in split_identifier(name) if len(p) > 1 and not p.isdigit() and p not in STOP_WORDS]
    return tuple(dict.fromkeys(parts))


DEFAULT_RANKERS: tuple[Ranker, ...] = (Bm25Ranker(), SymbolRanker(), FileRanker(), PathRanker(), GraphRanker())
BASELINE_RANKERS: tuple[Ranker, ...] = (Bm25Ranker(expand=False, keeps_best=False),)


# --- fusion ---------------------------------------------------------------------------


def reciprocal_rank_fusion(rankings: Sequence[tuple[float, Sequence[int]]], k: int = RRF_K) -> dict[int, float]:
    """Fused score per id: the sum over rankings of ``weight / (k + rank)`` (rank from 1)."""
    scores: dict[int, float] = defaultdict(float)
    for weight, ids in rankings:
        for rank, item in enumerate(ids, start=1):
            scores[item] += weight / (k + rank)
    return dict(scores)


def cap_per_file(ordered: Sequence[ChunkInfo], per_file: int, limit: int) -> list[ChunkInfo]:
    """The first ``limit`` chunks of ``ordered``, at most ``per_file`` from any one file."""
    taken: dict[str, int] = defaultdict(int)
    result: list[ChunkInfo] = []
    for chunk in ordered:
        if taken[chunk.path] >= per_file:
            continue
        taken[chunk.path] += 1
        result.append(chunk)
        if len(result) == limit:
            break
    return result


def search(
    index: SearchIndex,
    query: str,
    k: int = 10,
    current_file: str | None = None,
    selection: str | None = None,
    rankers: Sequence[Ranker] = DEFAULT_RANKERS,
    demote_tests: bool = True,
) -> list[Hit]:
    """The ``k`` best hits for ``query``, at most two per file, best first.

    ``current_file`` (relative path) and ``selection`` (selected text) pull the graph
    ranking toward the code the user is looking at. ``demote_tests`` halves the score
    of test files unless the query asks about tests.
    """
    if k <= 0:
        return []
    index.refresh()
    prepared = prepare_query(index, query, current_file, selection, demote_tests)
    if not prepared.terms and not prepared.names:
        return []
    rankers = widened(rankers, k)
    try:
        rankings = _generate(index, prepared, [r for r in rankers if not r.reorders])
    finally:
        index.settle_partner()
    pool_ids = list(dict.fromkeys(i for _, ids in rankings for i in ids))
    infos = index.chunk_infos(pool_ids)
    pool = [infos[i] for i in pool_ids if i in infos]
    for ranker in (r for r in rankers if r.reorders):
        rankings.append((ranker, ranker.rank(index, prepared, pool)))
    by_id = {chunk.id: chunk for chunk in pool}
    weighted = [(_weight(r, prepared), ids) for r, ids in rankings]
    # Votes are counted per definition; its best-placed chunk stands for it.
    per_chunk = reciprocal_rank_fusion(weighted)
    unit_rankings = [list(dict.fromkeys(by_id[i].unit for i in ids if i in by_id)) for _, ids in rankings]
    fused = reciprocal_rank_fusion([(weight, units) for (weight, _), units in zip(weighted, unit_rankings)])
    best: dict[tuple[str, int], ChunkInfo] = {}
    for chunk in sorted(pool, key=lambda c: -per_chunk.get(c.id, 0.0)):
        best.setdefault(chunk.unit, chunk)
    if demote_tests:  # the baseline runs without priors
        for unit, chunk in best.items():
            fused[unit] = fused.get(unit, 0.0) * prior(index, chunk, prepared)
    ordered = sorted(best.values(), key=lambda c: -fused.get(c.unit, 0.0))
    ordered, fused, stood_for = drill_down(index, prepared, ordered, fused, k)
    ordered, fused, notes = _place_text_matches(index, rankings, by_id, prepared, ordered, fused)
    ordered = chosen_in_file(ordered, _file_ranker_choices(rankings, by_id, stood_for), keep={*notes, *stood_for})
    ordered, fused, named = _named_first(index, query, ordered, fused, k)
    notes.update(named)
    chosen = cap_per_file(ordered, MAX_HITS_PER_FILE, k)
    places = [
        (ranker.name, {unit: place for place, unit in enumerate(units, start=1)})
        for (ranker, _), units in zip(rankings, unit_rankings)
    ]
    return [
        _hit(chunk, fused[chunk.unit], places, stood_for.get(chunk.unit), notes.get(chunk.unit, ""))
        for chunk in chosen
    ]


def chosen_in_file(
    ordered: Sequence[ChunkInfo], choices: Mapping[str, Sequence[ChunkInfo]], keep: Iterable[tuple[str, int]] = ()
) -> list[ChunkInfo]:
    """``ordered`` with each file's places given to ``choices[path]`` (best first) and then
    to its other chunks in their order: fusion decides where a file stands, and the
    in-file ranking, which weighs the question against the file's own definitions, which
    of them stand for it. A file keeps as many places as it had; the units in ``keep``
    (placed for a reason of their own) keep theirs."""
    kept = set(keep)
    queues: dict[str, deque[ChunkInfo]] = {}
    for path, chosen in choices.items():
        chosen = [c for c in chosen if c.unit not in kept]
        units = {c.unit for c in chosen}
        others = (c for c in ordered if c.path == path and c.unit not in units and c.unit not in kept)
        queues[path] = deque([*chosen, *others])
    result = []
    for chunk in ordered:
        queue = queues.get(chunk.path)
        if queue is None or chunk.unit in kept:
            result.append(chunk)
        elif queue:
            result.append(queue.popleft())
    return result


def _file_ranker_choices(
    rankings: Sequence[tuple[Ranker, Sequence[int]]],
    by_id: Mapping[int, ChunkInfo],
    stood_for: Mapping[tuple[str, int], ChunkInfo],
) -> dict[str, list[ChunkInfo]]:
    """The definitions ``FileRanker`` chose in each of its files, best first, without
    the class headers whose member already stands for them (``drill_down``)."""
    drilled = {header.unit for header in stood_for.values()}
    choices: dict[str, list[ChunkInfo]] = defaultdict(list)
    for ranker, ids in rankings:
        if isinstance(ranker, FileRanker):
            for chunk in (by_id[i] for i in ids if i in by_id):
                if chunk.unit not in drilled:
                    choices[chunk.path].append(chunk)
    return choices


def _generate(index: SearchIndex, query: Query, generators: Sequence[Ranker]) -> list[tuple[Ranker, list[int]]]:
    """Each generator's ranking, in the given order. Those that can ``prefetch`` start
    their full-text match first and run last: the partner process scores its part
    while the others run."""
    prefetching = [r for r in generators if hasattr(r, "prefetch")]
    for ranker in prefetching:
        ranker.prefetch(index, query)
    found = {id(r): r.rank(index, query, ()) for r in [*(r for r in generators if not hasattr(r, "prefetch")),
                                                        *prefetching]}
    return [(r, found[id(r)]) for r in generators]


def widened(rankers: Sequence[Ranker], k: int) -> tuple[Ranker, ...]:
    """``rankers`` with room for ``k`` hits: a ranker that takes ``limit`` candidates
    takes at least ``POOL_PER_HIT * k`` (the default pool serves up to ``CANDIDATES / 2``
    hits, and a script asking for ``-k 500`` wants 500 if there are that many)."""
    wanted = POOL_PER_HIT * k
    return tuple(
        dataclasses.replace(r, limit=wanted) if dataclasses.is_dataclass(r) and getattr(r, "limit", wanted) < wanted else r
        for r in rankers
    )


NAMED_ROWS_LIMIT = 20_000  # definitions of one name looked at (CPython's library has ~5,000 __init__)
_WHOLE_NAME = re.compile(r"[^\W\d]\w*(?:(?:\.|::)[^\W\d]\w*)*")


def named_by_query(text: str) -> str | None:
    """The name a query consists of, when it is one identifier (``ArgumentParser``,
    ``read_config()``, `` `Counter` ``), maybe qualified (``pathlib.Path``,
    ``std::vector`` as ``std.vector``). None for a question."""
    stripped = text.strip().strip("`'\"").removesuffix("()")
    return stripped.replace("::", ".") if _WHOLE_NAME.fullmatch(stripped) else None


# An identifier as a question spells it: in backticks, or with an inner underscore or
# a lower-to-upper change (``read_chunked``, ``parseHTTPResponse``), maybe qualified.
_SPELLED = re.compile(r"`([^`\s]+?)(?:\(\))?`|(?<![\w.])((?:[A-Za-z_]\w*\.)*(?:_*[A-Za-z0-9]+_\w*[A-Za-z0-9]|[a-z]\w*[a-z0-9][A-Z]\w*))(?:\(\))?(?![\w.])")
_DUNDER = re.compile(r"__\w+__")


def spelled_name(text: str) -> str | None:
    """The one identifier a question spells out (``where is read_chunked defined``),
    or None when it spells none or several (then no one of them is what is asked for).
    Dunder names (``__init__``) are everywhere and name nothing in particular."""
    found = {(a or b).replace("::", ".") for a, b in _SPELLED.findall(text)}
    found = {name for name in found if _is_spelled_identifier(name)}
    return found.pop() if len(found) == 1 else None


def _is_spelled_identifier(name: str) -> bool:
    last = name.rpartition(".")[2]
    if not _WHOLE_NAME.fullmatch(name) or _DUNDER.fullmatch(last):
        return False
    # camelCase has a capital followed by a small letter: ``macOS`` is a word, not a name
    return "_" in last or "`" in name or bool(re.search(r"[A-Z][a-z]", last))


def _qualifies(qualifier: str, path: str, scope: str) -> bool:
    """True when a definition in ``path`` within ``scope`` answers to ``qualifier``
    (``pathlib`` for pathlib.py, ``Reader`` for a method of class Reader)."""
    module = path.rsplit(".", 1)[0].replace("/", ".").removesuffix(".__init__")
    places = (module, scope, f"{module}.{scope}" if scope else "")  # zreader.Reader.read too
    return any(f".{where}".endswith(f".{qualifier}") for where in places if where)


def _definitions_named(index: SearchIndex, qualified: str) -> list[int]:
    """Symbol ids of the definitions a (maybe qualified) name names, best first: code
    before tests, a definition with a body of its own before one inside other code,
    then the ones the code leans on most."""
    qualifier, _, name = qualified.rpartition(".")
    rows = index.conn.execute(
        "SELECT id, file_id, scope FROM symbols WHERE name = ? LIMIT ?", (name, NAMED_ROWS_LIMIT)
    ).fetchall()
    if qualifier:  # pathlib.Path: only the Path the qualifier points at
        rows = [row for row in rows if _qualifies(qualifier, index.path_of(row[1]), row[2])]
    graph = index.graph()
    rows.sort(key=lambda row: (
        is_test_path(index.path_of(row[1])),
        index.own_chunk(row[0]) is None,
        -(graph.definition_rank.get((row[1], name), 0.0) + 0.1 * graph.file_rank.get(row[1], 0.0)),
    ))
    return [row[0] for row in rows]


def _named_first(
    index: SearchIndex, query: str, ordered: Sequence[ChunkInfo], fused: dict[tuple[str, int], float], k: int
) -> tuple[list[ChunkInfo], dict[tuple[str, int], float], dict[tuple[str, int], str]]:
    """When the query is a name, the definitions of exactly that name lead
    (``_definitions_named``), ahead of longer names and members: someone who types
    ``ArgumentParser`` or ``Counter`` wants that class, not ``parse_args``. Returns the
    new order, the scores and a note for each unit placed so (one with no chunk of its
    own is found in the chunk that holds it)."""
    qualified, wanted = named_by_query(query), k
    if qualified is None:  # a question that spells one identifier: its best definition leads
        qualified, wanted = spelled_name(query), 1
    if qualified is None:
        return list(ordered), fused, {}
    name = qualified.rpartition(".")[2]
    chunk_ids = list(dict.fromkeys(_chunks_for_symbols(index, _definitions_named(index, qualified)[:wanted])))
    infos = index.chunk_infos(chunk_ids)
    named = list({infos[c].unit: infos[c] for c in chunk_ids if c in infos}.values())
    if not named:
        return list(ordered), fused, {}
    fused = dict(fused)
    top = max(fused.values(), default=0.0) or 1.0
    for place, chunk in enumerate(named):
        fused[chunk.unit] = top * (1.0 + 0.01 * (len(named) - place))
    notes = {chunk.unit: "the name asked for" if chunk.symbol == name else f"holds {name}" for chunk in named}
    return [*named, *(c for c in ordered if c.unit not in notes)], fused, notes


_Move = Callable[
    [Sequence[ChunkInfo], dict[tuple[str, int], float], ChunkInfo],
    tuple[list[ChunkInfo], dict[tuple[str, int], float]],
]


def _place_text_matches(
    index: SearchIndex,
    rankings: Sequence[tuple[Ranker, Sequence[int]]],
    by_id: dict[int, ChunkInfo],
    query: Query,
    ordered: Sequence[ChunkInfo],
    fused: dict[tuple[str, int], float],
) -> tuple[list[ChunkInfo], dict[tuple[str, int], float], dict[tuple[str, int], str]]:
    """The hits with what only the text ranker vouches for given its place: private
    helpers among its best kept in view, then its best definition first when it leads
    clearly, else kept in view. Returns the new order and scores, and per moved unit
    what ``why`` says of it."""
    ordered, notes = list(ordered), {}
    moves: list[tuple[_Move, ChunkInfo, str]] = [
        (keep_in_view, helper, "kept as a private helper the text matches")
        for helper in private_text_matches(rankings, by_id, query)
    ]
    found = best_kept_definition(index, rankings, by_id, query)
    if found is not None:
        kept, leads = found
        # Also when the user is looking at some file: over the 883 development questions,
        # holding the lead back then cost R@1 259 -> 203 asked from the answer's own file
        # and 259 -> 168 from an unrelated one.
        if leads:
            moves.append((put_first, kept, "first as the clear best text match"))
        else:
            moves.append((keep_in_view, kept, "kept as the best text match"))
    for move, chunk, note in moves:
        before = [c.unit for c in ordered]
        ordered, fused = move(ordered, fused, chunk)
        if [c.unit for c in ordered] != before:  # ``why`` tells of a move only when there was one
            notes[chunk.unit] = note
    return ordered, fused, notes


def private_text_matches(
    rankings: Sequence[tuple[Ranker, Sequence[int]]], by_id: dict[int, ChunkInfo], query: Query
) -> list[ChunkInfo]:
    """Private definitions (``_name``, not dunder) among the first ``PRIVATE_IN_VIEW``
    chunks, outside tests when tests are demoted, of a ranker that ``keeps_best``, after
    its first. A private helper has rarely a docstring and few callers: the text alone
    finds it, and the fusion would outvote it. One that another ranker puts first is
    heard by the fusion anyway."""
    found = _text_matches(rankings, by_id, query, PRIVATE_IN_VIEW)
    if found is None:
        return []
    ranker, chunks = found
    firsts = {by_id[ids[0]].unit for other, ids in rankings if other is not ranker and ids and ids[0] in by_id}
    return [c for c in chunks[1:] if _is_private(c.symbol) and c.unit not in firsts]


def _is_private(name: str | None) -> bool:
    """A leading underscore marks a private helper, in Python and by convention elsewhere."""
    return bool(name) and name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def best_kept_definition(
    index: SearchIndex, rankings: Sequence[tuple[Ranker, Sequence[int]]], by_id: dict[int, ChunkInfo], query: Query
) -> tuple[ChunkInfo, bool] | None:
    """The first chunk, outside tests when tests are demoted, of a ranker that
    ``keeps_best``, when that chunk is a definition, and whether it leads clearly: its
    score is at least ``CLEAR_LEAD`` times the ranker's next definition's or chunk's
    (outside tests too; a sole match does not lead). None otherwise."""
    found = _text_matches(rankings, by_id, query, 2)
    if found is None or not found[1] or found[1][0].symbol is None:
        return None
    ranker, (first, *rest) = found
    scores = dict(ranker.scored(index, query))  # type: ignore[attr-defined]
    runner_up = scores.get(rest[0].id, 0.0) if rest else 0.0
    return first, runner_up > 0 and scores.get(first.id, 0.0) >= CLEAR_LEAD * runner_up


def _text_matches(
    rankings: Sequence[tuple[Ranker, Sequence[int]]], by_id: dict[int, ChunkInfo], query: Query, count: int
) -> tuple[Ranker, list[ChunkInfo]] | None:
    """The ranker that ``keeps_best`` and its first ``count`` chunks, outside tests
    when tests are demoted; None when no ranker keeps its best."""
    for ranker, ids in rankings:
        if getattr(ranker, "keeps_best", False):
            chunks = (by_id.get(chunk_id) for chunk_id in ids)
            kept = (c for c in chunks if c is not None and not (query.demote_tests and is_test_path(c.path)))
            # One per definition: a long function's chunks are one candidate.
            distinct: dict[tuple[str, int], ChunkInfo] = {}
            for chunk in kept:
                distinct.setdefault(chunk.unit, chunk)
                if len(distinct) == count:
                    break
            return ranker, list(distinct.values())
    return None


def put_first(
    ordered: Sequence[ChunkInfo], fused: dict[tuple[str, int], float], kept: ChunkInfo
) -> tuple[list[ChunkInfo], dict[tuple[str, int], float]]:
    """``ordered`` with ``kept`` moved to the top, scored just above the old first hit.

    For a text match that leads every other by far: the fusion would weigh it against
    rankers that know only names, docstrings or the graph, and place it lower."""
    position = next((i for i, chunk in enumerate(ordered) if chunk.unit == kept.unit), None)
    if not position:  # already first, or not among the hits
        return list(ordered), fused
    fused = dict(fused)
    fused[kept.unit] = fused.get(ordered[0].unit, 0.0) * 1.001
    return [ordered[position], *ordered[:position], *ordered[position + 1 :]], fused


def keep_in_view(
    ordered: Sequence[ChunkInfo], fused: dict[tuple[str, int], float], kept: ChunkInfo
) -> tuple[list[ChunkInfo], dict[tuple[str, int], float]]:
    """``ordered`` with the definition ``kept`` moved up to just after the best hit of
    its file, scored between its new neighbours; and the new scores.

    The fusion counts votes, so one strong text match loses to chunks that several
    rankers place moderately: a private helper without a docstring, whose body says
    what the question says, is found by BM25 alone. Moved next to its file's best hit,
    it takes that file's second place. Nothing moves when no hit of its file is above
    it, or when a definition of that name in that file already is (a split function, a
    method and its module-level twin)."""
    position = next((i for i, chunk in enumerate(ordered) if chunk.unit == kept.unit), None)
    if position is None:
        return list(ordered), fused
    above = ordered[:position]
    first = next((i for i, chunk in enumerate(above) if chunk.path == kept.path), None)
    if first is None or first + 1 == position or any(c.path == kept.path and c.symbol == kept.symbol for c in above):
        return list(ordered), fused
    target = first + 1
    moved = [*ordered[:target], ordered[position], *ordered[target:position], *ordered[position + 1 :]]
    fused = dict(fused)
    fused[kept.unit] = (fused.get(ordered[first].unit, 0.0) + fused.get(ordered[target].unit, 0.0)) / 2
    return moved, fused


def drill_down(
    index: SearchIndex,
    query: Query,
    ordered: Sequence[ChunkInfo],
    fused: dict[tuple[str, int], float],
    depth: int,
) -> tuple[list[ChunkInfo], dict[tuple[str, int], float], dict[tuple[str, int], ChunkInfo]]:
    """``ordered`` with each class header among its first ``depth`` hits replaced by
    the class's member that answers the query on its own, when one does; the new
    scores; and for each member placed so, the class header it stands for.

    Questions about behaviour are answered by functions and methods more often than
    by the class that holds them; a class header wins the fusion because its
    docstring sums up every member. The member takes the class's place and score."""
    result = list(ordered)
    fused = dict(fused)
    stood_for: dict[tuple[str, int], ChunkInfo] = {}
    for position in range(depth):
        if position >= len(result):  # a member moved up from further down shortens the list
            break
        chunk = result[position]
        if chunk.kind != "class" or chunk.symbol_id is None or chunk.symbol in query.names:
            continue  # a class the question names is what it asks about
        member = best_member(index, query, chunk)
        if member is None:
            continue
        if any(c.unit == member.unit for c in result[:position]):
            continue  # already placed above its class
        rest = [c for c in result[position + 1 :] if c.unit != member.unit]
        result = [*result[:position], member, *rest]
        fused[member.unit] = max(fused.get(chunk.unit, 0.0), fused.get(member.unit, 0.0))
        stood_for[member.unit] = chunk
    return result, fused, stood_for


DRILL_MIN_SCORE = 1.0  # a member's own evidence (name words + docstring + body) to stand for its class


def best_member(index: SearchIndex, query: Query, header: ChunkInfo) -> ChunkInfo | None:
    """The method of the class whose header chunk is ``header`` that best matches the
    query by its own name, docstring and body (each normalised among the members), if
    that evidence reaches ``DRILL_MIN_SCORE``; None otherwise (or when the members
    have no chunks of their own)."""
    span = index.id_ranges(header.file_id)
    match = match_expression(query.words)
    if span is None or not match or header.symbol_id is None:
        return None
    _first_chunk, _last_chunk, first_symbol, last_symbol = span
    row = index.conn.execute("SELECT scope, name FROM symbols WHERE id = ?", (header.symbol_id,)).fetchone()
    if row is None:
        return None
    scope = f"{row[0]}.{row[1]}" if row[0] else row[1]
    members = {
        symbol_id: name
        for symbol_id, name in index.conn.execute(
            "SELECT id, name FROM symbols WHERE id BETWEEN ? AND ? AND file_id = ? AND scope = ?",
            (first_symbol, last_symbol, header.file_id, scope),
        )
        if not (name.startswith("__") and name.endswith("__"))
    }
    chunks = {symbol_id: index.own_chunk(symbol_id) for symbol_id in members}
    chunks = {symbol_id: chunk_id for symbol_id, chunk_id in chunks.items() if chunk_id is not None}
    if not chunks:
        return None
    scores: dict[int, float] = defaultdict(float)
    symbol_rows = index.match_file_symbols(match, header.file_id)
    header_symbol = next((score for s, score in symbol_rows if s == header.symbol_id), 0.0)
    _add_normalised(scores, [(chunks[s], score) for s, score in symbol_rows if s in chunks], header_symbol)
    # Body evidence from the query's best text matches across the project (already
    # fetched by the file ranker): a member outside them adds nothing here.
    member_chunks = set(chunks.values())
    matches = index.match_chunks(index.weighing_match(query.words), FileRanker.limit, FileRanker.weights)
    body = [(c, score) for c, score in matches if c in member_chunks]
    header_body = next((score for c, score in matches if c == header.id), 0.0)
    _add_normalised(scores, body, header_body)
    for symbol_id, chunk_id in chunks.items():
        name = members[symbol_id]
        scores[chunk_id] += name_evidence(name, query.terms)
    infos = index.chunk_infos(list(scores))
    ranked = sorted(
        ((score * prior(index, infos[c], query), c) for c, score in scores.items() if c in infos), reverse=True
    )
    if not ranked or ranked[0][0] < DRILL_MIN_SCORE:
        return None
    return infos[ranked[0][1]]


def _add_normalised(
    scores: dict[int, float], rows: Sequence[tuple[int, float]], floor: float = 0.0, weight: float = 1.0
) -> None:
    """Add each row's score times ``weight`` divided by the best one, or by ``floor``
    when that is higher (so the best adds at most ``weight``)."""
    top = max((score for _, score in rows), default=0.0)
    top = max(top, floor)
    if top > 0:
        for key, score in rows:
            scores[key] += weight * score / top


def _weight(ranker: Ranker, query: Query) -> float:
    """A ranker's fusion weight; rankers that personalise may weigh more when seeded."""
    if query.seeds:
        return getattr(ranker, "personal_weight", ranker.weight)
    return ranker.weight


def _hit(
    chunk: ChunkInfo,
    score: float,
    places: Sequence[tuple[str, dict[tuple[str, int], int]]],
    header: ChunkInfo | None = None,
    kept: str = "",
) -> Hit:
    """The hit for a chosen chunk; ``why`` names each ranker that placed its definition,
    and where (``places``: per ranker, unit -> 1-based place); for a member that took
    its class's place (``header``), the class's places and that it did; and how it was
    moved as the best text match (``kept``), if it was."""
    unit = chunk.unit if header is None else header.unit
    reasons = [f"{name} #{found[unit]}" for name, found in places if unit in found]
    if header is not None:
        reasons.append(f"best member of {header.symbol}")
    if kept:
        reasons.append(kept)
    return Hit(chunk.path, chunk.start_line, chunk.end_line, chunk.symbol, chunk.kind, round(score, 6), ", ".join(reasons))
