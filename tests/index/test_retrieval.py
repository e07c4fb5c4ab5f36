"""Retrieval over a real index of a small project written to tmp_path."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys

import pytest

from desktop.core.paths import HearthPaths
from desktop.core.cancel import CancelToken
from desktop.index.indexer import Indexer, ensure_index
from desktop.index.retrieval import (
    BASELINE_RANKERS,
    RRF_K,
    Bm25Ranker,
    ChunkInfo,
    FileRanker,
    SearchIndex,
    SymbolRanker,
    best_member,
    cap_per_file,
    keep_in_view,
    named_by_query,
    spelled_name,
    private_text_matches,
    put_first,
    match_expression,
    name_coverage,
    name_order,
    prepare_query,
    reciprocal_rank_fusion,
    related_words,
    search,
)
from desktop.index.store import index_db_path, index_tokens

HTTP = '''\
"""Parsing of HTTP messages."""


def parseHTTPResponse(data):
    """Turn the raw bytes of a server reply into a status code and headers."""
    status, _, rest = data.partition(b" ")
    return int(status), read_headers(rest)


def read_headers(blob):
    """Split header lines into a dictionary."""
    return dict(line.split(b":", 1) for line in blob.splitlines() if b":" in line)


def read_chunked(stream):
    """Decode a body sent with chunked transfer encoding."""
    return b"".join(stream)
'''

CLIENT = '''\
from http_parse import parseHTTPResponse, read_headers


class Client:
    """Talks to one server."""

    def fetch(self, url):
        return parseHTTPResponse(self.send(url))

    def send(self, url):
        return read_headers(url)
'''

CACHE = '''\
def evict_oldest(entries, limit):
    """Drop the least recently used entries until at most limit remain."""
    while len(entries) > limit:
        entries.pop(0)
    return entries
'''

TESTS = '''\
from http_parse import parseHTTPResponse


def test_parse_http_response_reads_status_code_and_headers():
    assert parseHTTPResponse(b"200 a:b")[0] == 200
'''


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "tests").mkdir(parents=True)
    (root / "http_parse.py").write_text(HTTP)
    (root / "client.py").write_text(CLIENT)
    (root / "cache.py").write_text(CACHE)
    (root / "tests" / "test_http.py").write_text(TESTS)
    (root / "NOTES.md").write_text("# Notes\n\nThe eviction policy keeps memory bounded.\n")
    return root


def open_index(root, tmp_path) -> SearchIndex:
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    return SearchIndex.open(index_db_path(paths, root.resolve()))


def open_project(tmp_path, name: str, files: dict[str, str]) -> SearchIndex:
    """Write ``files`` (relative path -> text) under ``tmp_path/name``, index them, open the index."""
    root = tmp_path / name
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return open_index(root, tmp_path)


@pytest.fixture
def index(project, tmp_path):
    opened = open_index(project, tmp_path)
    yield opened
    opened.close()


def test_a_described_behaviour_finds_its_definition(index):
    hits = search(index, "how is a server reply turned into a status code?")
    assert hits[0].path == "http_parse.py"
    assert hits[0].symbol == "parseHTTPResponse"
    assert hits[0].kind == "function"
    assert 1 <= hits[0].start_line <= hits[0].end_line
    assert hits[0].score > 0
    assert "text #" in hits[0].why


def test_split_identifier_words_match(index):
    hits = search(index, "chunked transfer decode")
    assert (hits[0].path, hits[0].symbol) == ("http_parse.py", "read_chunked")


def test_an_exact_name_is_found_first(index):
    hits = search(index, "evict_oldest")
    assert (hits[0].path, hits[0].symbol) == ("cache.py", "evict_oldest")
    assert "symbol #1" in hits[0].why


def test_hits_are_capped_at_two_per_file_and_at_k(index):
    hits = search(index, "parse read headers chunked http response", k=10)
    per_file: dict[str, int] = {}
    for hit in hits:
        per_file[hit.path] = per_file.get(hit.path, 0) + 1
    assert max(per_file.values()) <= 2
    assert len(search(index, "parse read headers chunked http response", k=1)) == 1


def test_tests_rank_below_the_implementation_unless_asked_for(index):
    question = "parse http response status code headers"
    paths = [hit.path for hit in search(index, question)]
    assert paths.index("http_parse.py") < paths.index("tests/test_http.py")
    asked = [hit.path for hit in search(index, "test for " + question)]
    assert asked[0] == "tests/test_http.py"


def test_a_data_module_ranks_below_the_code_that_answers(tmp_path, monkeypatch):
    from desktop.index import retrieval

    # Documentation kept as one big dict (as pydoc_data/topics.py): prose that matches
    # many questions, in a file of many chunks and no definitions.
    entries = "".join(
        f"    'topic{n}': 'When the cache is full, which entry is dropped first? The oldest entry is "
        f"dropped first when the cache is full ({n}).',\n" + "    # --\n" * 60
        for n in range(30)
    )
    index = open_project(tmp_path, "data", {
        "topics.py": "TOPICS = {\n" + entries + "}\n",
        "lru.py": "def evict(store, limit):\n    # the cache is full: the oldest entry is dropped first\n"
                  "    while len(store) > limit:\n        store.pop(next(iter(store)))\n",
    })
    index.refresh()
    data_id, code_id = index.file_id("topics.py"), index.file_id("lru.py")
    assert index.is_data_file(data_id) and not index.is_data_file(code_id)
    question = "when the cache is full which entry is dropped first?"
    assert search(index, question)[0].symbol == "evict"
    monkeypatch.setattr(retrieval, "DATA_PRIOR", 1.0)
    index.forget_recent_matches()
    assert search(index, question)[0].path == "topics.py"  # what the prior is there for
    index.close()


def test_plain_text_files_are_searchable(index):
    hits = search(index, "eviction policy memory")
    assert "NOTES.md" in [hit.path for hit in hits]
    assert next(h for h in hits if h.path == "NOTES.md").kind == "text"


@pytest.mark.parametrize("query", ["", "   ", "the of and", "!!! ???"])
def test_empty_or_stop_word_queries_return_nothing(index, query):
    assert search(index, query) == []


def test_no_match_and_k_zero_return_nothing(index):
    assert search(index, "zebra quantum flamingo") == []
    assert search(index, "parse", k=0) == []


def test_unknown_current_file_is_ignored(index):
    assert search(index, "read headers", current_file="nope.py") == search(index, "read headers")


def test_current_file_pulls_its_neighbours_up(index):
    """From the client, the definitions it uses win over an unrelated file where the
    words are split between them (a text match that leads clearly stays first)."""
    plain = search(index, "keys entries headers lines", k=10)
    from_client = search(index, "keys entries headers lines", k=10, current_file="client.py")
    assert plain[0].path == "cache.py" and from_client[0].path == "http_parse.py"
    rank = lambda hits, path: [h.path for h in hits].index(path)  # noqa: E731
    assert rank(from_client, "http_parse.py") <= rank(plain, "http_parse.py")
    assert rank(from_client, "http_parse.py") < rank(from_client, "cache.py")
    graph_rank = lambda path: int(  # noqa: E731
        next(h.why for h in from_client if h.path == path).split("graph #")[1].split(",")[0]
    )
    assert graph_rank("http_parse.py") < graph_rank("cache.py")


def test_selection_names_seed_the_graph(index):
    query = prepare_query(index, "headers", selection="value = read_headers(blob)")
    index.refresh()
    assert query.seeds == {index.file_id("http_parse.py"): 1.0}


def test_results_follow_a_changed_file(project, tmp_path, index):
    assert search(index, "frobnicate") == []
    (project / "cache.py").write_text(CACHE + "\n\ndef frobnicate():\n    return 1\n")
    ensure_index(project, HearthPaths.under(tmp_path / "home"))
    hits = search(index, "frobnicate")
    assert (hits[0].path, hits[0].symbol) == ("cache.py", "frobnicate")


def test_baseline_rankers_run_alone(index):
    hits = search(index, "chunked transfer", rankers=BASELINE_RANKERS, demote_tests=False)
    assert hits and all(h.why.startswith("text #") for h in hits)


def test_empty_project_searches_to_nothing(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    index = open_index(root, tmp_path)
    try:
        assert search(index, "anything at all") == []
    finally:
        index.close()


def test_query_words_drop_stop_words_and_split_identifiers(index):
    query = prepare_query(index, "Where is parseHTTPResponse used with lru cache?")
    assert query.terms == ("parse", "http", "response", "lru", "cache")
    assert "parseHTTPResponse" in query.names
    assert "lru_cache" in query.names
    assert "where" not in query.names


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank_fusion([(1.0, [1, 2, 3]), (1.0, [2, 3]), (0.5, [3])])
    assert fused[2] > fused[1]
    assert fused[3] > fused[1]
    assert fused[1] == pytest.approx(1 / (RRF_K + 1))


def test_cap_per_file_keeps_order_and_limits():
    chunk = lambda i, path: ChunkInfo(i, 0, path, i, i, "code", None)  # noqa: E731
    ordered = [chunk(1, "a"), chunk(2, "a"), chunk(3, "a"), chunk(4, "b"), chunk(5, "c")]
    assert [c.id for c in cap_per_file(ordered, 2, 10)] == [1, 2, 4, 5]
    assert [c.id for c in cap_per_file(ordered, 2, 3)] == [1, 2, 4]


def _chunk(i: int, path: str, symbol: str | None) -> ChunkInfo:
    return ChunkInfo(i, 0, path, i, i, "function", symbol, symbol_id=i)


def test_keep_in_view_moves_the_best_text_match_next_to_its_files_best_hit():
    ordered = [_chunk(1, "a.py", "f"), _chunk(2, "b.py", "g"), _chunk(3, "c.py", "h"), _chunk(4, "a.py", "_helper")]
    fused = {c.unit: score for c, score in zip(ordered, (0.4, 0.3, 0.2, 0.05))}
    moved, scores = keep_in_view(ordered, fused, ordered[3])
    assert [c.id for c in moved] == [1, 4, 2, 3]
    assert scores[ordered[0].unit] > scores[ordered[3].unit] > scores[ordered[1].unit]  # still best first
    assert fused[ordered[3].unit] == 0.05  # the caller's scores are left alone


def test_keep_in_view_leaves_the_order_when_its_file_has_no_hit_above_or_already_shows_the_name():
    ordered = [_chunk(1, "a.py", "f"), _chunk(2, "b.py", "g"), _chunk(3, "c.py", "h")]
    fused = {c.unit: score for c, score in zip(ordered, (0.4, 0.3, 0.2))}
    assert keep_in_view(ordered, fused, ordered[2]) == (ordered, fused)  # nothing of c.py above
    twin = [*ordered, _chunk(4, "a.py", "f")]  # e.g. a method and its module-level twin
    fused[twin[3].unit] = 0.1
    assert keep_in_view(twin, fused, twin[3])[0] == twin


ARCHIVE = '''"""Reading and writing archives."""

__all__ = ["open_archive", "list_members", "extract_member"]


def open_archive(path):
    """Open an archive file for reading its members."""
    data = open(path, "rb").read()
    return _find_trailer(data)


def list_members(archive):
    """List the members of an open archive file."""
    return list(archive)


def extract_member(archive, name):
    """Extract one member of an archive file to disk."""
    return archive[name]


def _find_trailer(data):
    # scan backwards from the last bytes for the end-of-directory signature,
    # skipping a trailing comment of up to 64 KiB
    signature = b"PK56"
    return data.rfind(signature, max(0, len(data) - 65536))
'''


TRAILER_QUESTION = (
    "where is the end of directory signature found by scanning backwards over a trailing comment of the archive file"
)


def _archives_index(tmp_path):
    """``ARCHIVE`` next to six public, documented readers of other archive formats."""
    formats = {
        f"formats/fmt{i}.py": f'"""Archive format {i}."""\n\ndef read_archive_{i}(path):\n'
        f'    """Read an archive file of format {i} and list its members."""\n    return open(path).read()\n'
        for i in range(6)
    }
    return open_project(tmp_path, "archives", {"archive.py": ARCHIVE, **formats})


def test_a_private_helper_that_only_the_text_matches_stays_in_view(tmp_path):
    """The public functions collect votes from every ranker; the helper, with no
    docstring and a private name, only from the text. Without ``keeps_best`` it is not
    among the hits at all (checked)."""
    index = _archives_index(tmp_path)
    question = TRAILER_QUESTION
    hits = search(index, question, k=5)
    index.close()
    found = [h for h in hits if h.symbol == "_find_trailer"]
    assert found and "best text match" in found[0].why  # kept in view, or first when it leads clearly
    assert [h.path for h in hits[:2]] == ["archive.py", "archive.py"]  # next to its file's best hit


def test_a_text_match_that_leads_clearly_goes_first_also_when_the_user_is_looking_elsewhere(tmp_path):
    index = _archives_index(tmp_path)
    question = TRAILER_QUESTION
    plain = search(index, question, k=5)
    looking = search(index, question, k=5, current_file="formats/fmt3.py")
    index.close()
    for hits in (plain, looking):
        assert (hits[0].symbol, hits[0].why.endswith("first as the clear best text match")) == ("_find_trailer", True)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert any(h.path == "formats/fmt3.py" for h in looking)  # the open file still counts


def test_private_helpers_among_the_best_text_matches_are_kept_in_view(index):
    chunks = [
        _chunk(1, "a.py", "public_first"), _chunk(2, "tests/test_a.py", "_test_helper"), _chunk(3, "a.py", "_helper"),
        _chunk(4, "a.py", "__init__"), _chunk(5, "b.py", "other"), _chunk(6, "b.py", "_second"),
        _chunk(7, "c.py", "more"), _chunk(8, "c.py", "_too_far"),
    ]
    by_id = {c.id: c for c in chunks}
    rankings = [(SymbolRanker(), [8, 6]), (Bm25Ranker(), [c.id for c in chunks])]
    query = prepare_query(index, "anything")
    assert [c.symbol for c in private_text_matches(rankings, by_id, query)] == ["_helper", "_second"]
    # one another ranker already puts first needs no help
    rankings[0] = (SymbolRanker(), [6, 8])
    assert [c.symbol for c in private_text_matches(rankings, by_id, query)] == ["_helper"]
    tests_too = dataclasses.replace(query, demote_tests=False)
    assert [c.symbol for c in private_text_matches(rankings, by_id, tests_too)] == ["_test_helper", "_helper"]


def test_put_first_moves_a_hit_to_the_top_scored_just_above_the_old_first():
    ordered = [_chunk(1, "a.py", "f"), _chunk(2, "b.py", "g"), _chunk(3, "c.py", "_h")]
    fused = {c.unit: score for c, score in zip(ordered, (0.4, 0.3, 0.05))}
    moved, scores = put_first(ordered, fused, ordered[2])
    assert [c.id for c in moved] == [3, 1, 2]
    assert scores[ordered[2].unit] > scores[ordered[0].unit] > scores[ordered[1].unit]
    assert put_first(ordered, fused, ordered[0]) == (ordered, fused)  # already first


def test_definitions_in_the_newer_languages_are_found_by_what_they_do(tmp_path):
    files = {
        "app/Billing.kt": "class Billing {\n  /** Sum every line item of an invoice. */\n"
                          "  fun invoiceTotal(items: List<Item>): Int {\n    return items.sumOf { it.price }\n  }\n}\n",
        "ios/Gallery.swift": "class Gallery {\n  /// Scale a photo down to a thumbnail.\n"
                             "  func makeThumbnail(photo: Photo) -> Photo {\n    return resize(photo)\n  }\n}\n",
        "scripts/release.sh": "# Tag the release and push it to the remote.\npublish_release() {\n"
                              "  git tag \"$1\"\n  git push --tags\n}\n",
        "lib/cache.lua": "-- Forget entries older than the time to live.\nfunction Cache.evict_stale(self)\n  prune(self)\nend\n",
    }
    index = open_project(tmp_path, "mixed", files)
    try:
        for question, wanted in [
            ("add up the prices of the invoice items", ("app/Billing.kt", "invoiceTotal")),
            ("scale a photo down for a thumbnail view", ("ios/Gallery.swift", "makeThumbnail")),
            ("push a tagged release to the remote", ("scripts/release.sh", "publish_release")),
            ("drop stale cache entries past their time to live", ("lib/cache.lua", "evict_stale")),
        ]:
            hits = search(index, question, k=3)
            definition = next(row for row in index.reader.symbols_in_file(wanted[0]) if row.name == wanted[1])
            top = hits[0]  # the definition, or a small class holding it whole
            assert top.path == wanted[0] and top.start_line <= definition.start_line <= definition.end_line <= top.end_line, (question, hits)
    finally:
        index.close()


# --- file-first ranking, priors and per-definition fusion ------------------------------

SHELL = '''\
"""Shell-like lexing.

split      break a command line into words, honouring quotes
join       the reverse: one string from several arguments
"""

__all__ = ["split", "join"]


def split(s):
    """Lex the string with shell rules."""
    return _lex(s)


def join(args):
    """Concatenate arguments with escaping for a shell."""
    return " ".join(args)


def _lex(s):
    """Break the string where the shell would break it, keeping quoted words whole."""
    return s.split()


class Lexer:
    def split(self, s):
        return s.split()
'''

LONG = "def drain_reservoir(level):\n" + "".join(
    f"    level = level - {i}  # lower the reservoir water step by step\n" for i in range(150)
) + "    return level\n"


@pytest.fixture
def shell_index(tmp_path):
    root = tmp_path / "shellproj"
    (root / "pkg").mkdir(parents=True)
    (root / "shellwords.py").write_text(SHELL)
    (root / "random.py").write_text("def reorder(items):\n    \"\"\"Put items in another order.\"\"\"\n    return items[::-1]\n")
    (root / "water.py").write_text(LONG)
    (root / "pkg" / "other.py").write_text("def words(line):\n    \"\"\"Words of a line.\"\"\"\n    return line.split()\n")
    opened = open_index(root, tmp_path)
    yield opened
    opened.close()


def test_module_docstring_mentions_lead_to_the_definition(shell_index):
    """The module's own description of ``split`` answers the question, not its docstring."""
    hits = search(shell_index, "break a command line into words honouring quotes")
    found = next(h for h in hits if (h.path, h.symbol) == ("shellwords.py", "split"))
    assert "file #1" in found.why  # the file ranker's best definition
    assert "text #" not in found.why  # though its own words never matched


def test_exports_are_read_from_dunder_all(shell_index):
    shell_index.refresh()
    assert shell_index.exports(shell_index.file_id("shellwords.py")) == frozenset({"split", "join"})
    assert shell_index.exports(shell_index.file_id("water.py")) is None


def test_private_helpers_rank_below_the_public_function(shell_index):
    symbols = [h.symbol for h in search(shell_index, "shell lex string break quoted words") if h.path == "shellwords.py"]
    assert "_lex" not in symbols[:1]


def test_a_long_definition_is_one_hit(shell_index):
    """Its chunks are votes for one definition: the file's second slot goes elsewhere."""
    hits = search(shell_index, "lower the reservoir water level", k=10)
    assert [(h.path, h.symbol) for h in hits].count(("water.py", "drain_reservoir")) == 1


def test_file_names_match_inflected_query_words(shell_index):
    shell_index.refresh()
    query = prepare_query(shell_index, "randomly put things in some order")
    assert shell_index.named_files(query) == {shell_index.file_id("random.py"): 1.0}
    ids = FileRanker().rank(shell_index, query, ())
    assert shell_index.chunk_infos(ids[:1])[ids[0]].symbol == "reorder"


def test_related_words_and_name_coverage():
    assert related_words(["dictionaries", "read"], ["dict", "reader", "row"]) == {"dict", "reader"}
    assert related_words(["key"], ["keys", "keyboard"]) == {"keys"}  # short words match whole only
    assert name_coverage("guess_type", ["guess", "type", "file"]) == 1.0
    assert name_coverage("DictReader", ["read", "rows"]) == 0.5
    assert name_coverage(None, ["read"]) == 0.0
    assert name_coverage("__init__", ["init"]) == 1.0


def test_name_coverage_meets_abbreviated_and_run_together_names():
    assert name_coverage("cmp_to_key", ["comparison", "sort", "key"]) == 1.0  # "to" is no evidence
    assert name_coverage("relpath", ["relative", "path"]) == 1.0
    assert name_coverage("nlargest", ["biggest", "items"]) == 1.0  # n + largest (biggest)
    assert 0.5 < name_coverage("getstatusoutput", ["status", "output"]) < 1.0  # "get" is not said
    assert name_coverage("parse_qs", ["parse", "query", "string"]) == 1.0  # qs: query string
    assert name_coverage("parse_qs", ["parse", "url"]) == 0.5
    assert name_coverage("heap", ["heapq"]) == 1.0
    assert name_coverage("sort", ["resorted"]) == 0.0  # short words are not looked for inside


def test_a_name_that_reverses_the_query_word_does_not_cover_it():
    assert name_coverage("decompress", ["compress", "bytes"]) == 0.0
    assert name_coverage("unquote", ["quote", "url"]) == 0.0
    assert name_coverage("disconnect", ["connect", "server"]) == 0.0
    assert name_coverage("compress", ["compress", "bytes"]) == 1.0
    assert name_coverage("isdir", ["directory", "dir"]) == 1.0  # "is" is no reversal


def test_name_order_prefers_names_said_in_order_and_close_together():
    said = ["format", "exception", "traceback", "list", "strings"]
    assert name_order("format_exception", said) == 1.0
    assert 0 < name_order("format_list", said) < name_order("format_exception", said)
    assert name_order("exception_format", said) == 0.0  # the other order
    assert name_order("format_exception_chain", said) == 0.0  # "chain" is not said
    assert name_order("format", said) == 0.0  # one word: nothing to order
    assert name_order(None, said) == 0.0


def test_rare_query_words_bring_in_their_synonyms(tmp_path):
    root = tmp_path / "vocab"
    root.mkdir()
    (root / "ranking.py").write_text(
        'def top_items(values, n):\n    """Return the n largest values."""\n    return sorted(values)[-n:]\n'
    )
    (root / "store.py").write_text(
        "".join(
            f'def drop_{i}(table):\n    """Remove row {i} from the table."""\n    table.remove({i})\n\n\n'
            for i in range(40)
        )
    )
    opened = open_index(root, tmp_path)
    try:
        opened.refresh()
        biggest = prepare_query(opened, "the biggest values")
        assert "largest" in biggest.words  # "biggest" is nowhere in the code
        assert search(opened, "the biggest values")[0].symbol == "top_items"
        remove = prepare_query(opened, "remove a row")
        assert "delete" not in remove.words  # the code says "remove" itself, often
        assert remove.words == remove.terms
    finally:
        opened.close()


def test_match_memo_agrees_with_the_reader(index):
    index.refresh()
    direct = index.reader.match_chunks('"headers"', 5, weights=(1.0, 1.0, 1.0, 1.0))
    assert index.match_chunks('"headers"', 5, (1.0, 1.0, 1.0, 1.0)) == direct
    assert index.match_chunks('"headers"', 2, (1.0, 1.0, 1.0, 1.0)) == direct[:2]


# --- drilling into classes ----------------------------------------------------------------

PADDING = "".join(f"        step_{i} = {i}  # bookkeeping\n" for i in range(30))

DETECTOR = f'''\
class FormatDetector:
    """Works out the delimiter, the quote character and the header of delimited text samples."""

    def __init__(self):
        self.preferred = [",", "\\t", ";"]

    def detect(self, sample):
        """Return the delimiter a sample uses."""
{PADDING}        return self.preferred[0]

    def has_header(self, sample):
        """Whether the first row holds column titles."""
{PADDING}        return True
'''

REVERSER = "def xq(v):\n    return v[::-1]\n"


@pytest.fixture
def drill_index(tmp_path):
    opened = open_project(tmp_path, "drillproj", {"detector.py": DETECTOR, "util.py": REVERSER})
    yield opened
    opened.close()


def test_a_class_hit_gives_its_place_to_the_member_that_answers(drill_index):
    hits = [(h.symbol, h.kind) for h in search(drill_index, "which delimiter does a sample use") if h.path == "detector.py"]
    assert hits[0] == ("detect", "method")
    assert ("FormatDetector", "class") not in hits[:1]
    first = search(drill_index, "which delimiter does a sample use")[0]
    assert first.why.endswith("best member of FormatDetector")  # says why a member stands there


def test_best_member_needs_a_member_that_matches_on_its_own(drill_index):
    drill_index.refresh()
    header_id = drill_index.conn.execute(
        "SELECT id FROM chunks WHERE symbol = 'FormatDetector' ORDER BY id LIMIT 1"
    ).fetchone()[0]
    header = drill_index.chunk_infos([header_id])[header_id]
    assert header.kind == "class" and header.end_line < 10  # the class is split: this is its header
    member = best_member(drill_index, prepare_query(drill_index, "column titles in the first row"), header)
    assert member is not None and member.symbol == "has_header"
    assert best_member(drill_index, prepare_query(drill_index, "the quote character"), header) is None
    # a member that matches a little, where its class matches far better, does not stand for it
    summary = prepare_query(drill_index, "work out the quote character of delimited text samples")
    assert best_member(drill_index, summary, header) is None
    function = next(c for c in drill_index.chunk_infos(range(1, 50)).values() if c.symbol == "xq")
    assert best_member(drill_index, prepare_query(drill_index, "mirror the title"), function) is None



def test_a_class_the_question_names_is_not_swapped_for_a_member(drill_index):
    hits = search(drill_index, "which delimiter does a FormatDetector sample use")
    assert (hits[0].symbol, hits[0].kind) == ("FormatDetector", "class")


def test_a_query_that_is_a_name_finds_that_definition_first(tmp_path):
    index = open_project(tmp_path, "named", {
        "tally.py": "class Counter(dict):\n    \"\"\"Counts hashable items.\"\"\"\n\n"
                    "    def most_common(self, n):\n        \"\"\"The n most common counter items.\"\"\"\n        return n\n",
        "tests/test_tally.py": "class Counter:\n    \"\"\"A counter for the tests.\"\"\"\n",
        "config.py": "def read_config_cache(path):\n    \"\"\"Read config, cached.\"\"\"\n    return path\n\n\n"
                     "def read_config(path):\n    return path\n",
        "shapes.py": "class Path:\n    pass\n",
        "files/paths.py": "class Path:\n    pass\n",
    })
    try:
        first = lambda query: (lambda h: (h.path, h.symbol, h.kind))(search(index, query)[0])
        assert first("Counter") == ("tally.py", "Counter", "class")  # the class, not a member; code before tests
        assert first("`Counter`") == first("Counter()") == first("Counter")
        assert first("read_config") == ("config.py", "read_config", "function")  # not the longer name
        assert first("files.paths.Path") == ("files/paths.py", "Path", "class")  # the qualifier decides
        assert first("shapes.Path") == ("shapes.py", "Path", "class")
        assert first("tally.Counter.most_common")[0] == "tally.py"  # module and class together
        assert "the name asked for" not in search(index, "elsewhere.Path")[0].why  # no such Path: nothing pushed
        assert search(index, "Counter")[0].why.endswith("the name asked for")
        held = search(index, "most_common")[0]  # a small class is one chunk: the method is in it
        assert (held.symbol, held.why.rsplit(", ", 1)[-1]) == ("Counter", "holds most_common")
        assert named_by_query("how do I count items?") is None
        assert named_by_query("std::vector") == "std.vector"
    finally:
        index.close()


def test_a_question_that_spells_one_identifier_finds_its_definition_first(tmp_path):
    files = {f"grid_{n}.py": "".join(
        f"def kappa_lambda_{n}_{m}(cells):\n    \"\"\"Where is the grid cell {m}?\"\"\"\n    return cells[{m}]\n\n\n"
        for m in range(6)) for n in range(6)}
    index = open_project(tmp_path, "spelled", files)
    try:
        hit = search(index, "where is kappa_lambda_3_4 defined in the grid cells?")[0]
        assert (hit.path, hit.symbol) == ("grid_3.py", "kappa_lambda_3_4")
        assert hit.why.endswith("the name asked for")
        assert search(index, "where is the grid cell defined?")[0].why.rsplit(", ", 1)[-1] != "the name asked for"
    finally:
        index.close()
    assert spelled_name("how does parse_args handle --help") == "parse_args"
    assert spelled_name("what does `Counter` count") == "Counter"
    assert spelled_name("is parseHTTPResponse strict") == "parseHTTPResponse"
    assert spelled_name("read_config or write_config?") is None  # two names: neither is the one asked for
    assert spelled_name("what does __init__ set up") is None
    assert spelled_name("Detecting the macOS SDK root") is None  # a word, not a name
    assert spelled_name("RFC 2965 rules for sys.modules") is None


def test_a_typescript_hook_or_component_held_by_a_const_is_found_by_its_name(tmp_path):
    index = open_project(tmp_path, "react", {
        "hooks.ts": "import { useState } from 'react';\n\n/** Counts up from s. */\n"
                    "export const useCounter = (s: number) => {\n  return s + 1;\n};\n",
        "Button.tsx": "const Button = function (props: Props) {\n  return <b>{props.label}</b>;\n};\n",
        "same.js": "export const useCounter = (s) => {\n  return s + 1;\n};\n",
    })
    try:
        hits = [(h.path, h.symbol, h.kind, h.start_line, h.end_line) for h in search(index, "useCounter")]
        assert ("hooks.ts", "useCounter", "function", 3, 6) in hits  # its doc comment and the whole const
        assert ("same.js", "useCounter", "function", 1, 3) in hits
        first = search(index, "Button")[0]
        assert (first.path, first.symbol, first.kind, first.start_line, first.end_line) == (
            "Button.tsx", "Button", "function", 1, 3,
        )
        assert first.why.endswith("the name asked for")
        (symbol,) = [s for s in index.reader.symbols_named("useCounter") if s.path == "hooks.ts"]
        assert (symbol.kind, symbol.doc, symbol.start_line, symbol.end_line) == ("function", "Counts up from s.", 4, 6)
    finally:
        index.close()


def test_a_large_k_gets_that_many_hits_when_there_are_that_many(tmp_path):
    files = {f"formats/f{n}.py": f"def parse_{n}(text):\n    \"\"\"Parse format {n}.\"\"\"\n    return text\n" for n in range(150)}
    index = open_project(tmp_path, "many", files)
    try:
        hits = search(index, "parse text", k=140)
        assert len(hits) == 140
        assert len({h.path for h in hits}) == 140
        assert len(search(index, "parse text", k=10)) == 10
    finally:
        index.close()


def test_a_qualified_name_finds_its_own_definition_among_hundreds_of_that_name(tmp_path):
    files = {f"pkg/a{n:03}.py": f"class Thing{n}:\n    def __init__(self):\n        self.n = {n}\n" for n in range(520)}
    files["pkg/zreader.py"] = "class Reader:\n    def __init__(self, stream):\n        self.stream = stream\n        self.buffer = []\n        self.position = 0\n" + "".join(f"        self.field_{i} = {i}\n" for i in range(40))
    index = open_project(tmp_path, "qualified", files)
    try:
        hits = search(index, "Reader.__init__", k=5)
        assert hits[0].path == "pkg/zreader.py" and hits[0].why.endswith("holds __init__")
        assert not any("__init__" in h.why.rsplit(", ", 1)[-1] for h in hits[1:])  # no other __init__ pushed up
    finally:
        index.close()


def test_names_and_words_in_other_scripts_are_found(tmp_path):
    index = open_project(tmp_path, "scripts", {
        "shop.py": "def 计算总价(items):\n    return sum(items)\n\n\ndef año_fiscal(fecha):\n    return fecha.year\n",
        "docs/cache.md": "# キャッシュ\n\nキャッシュの使い方を説明します。\n",
        "other.py": "def total(items):\n    return len(items)\n",
    })
    try:
        assert [(h.path, h.symbol) for h in search(index, "计算总价")][:1] == [("shop.py", "计算总价")]
        assert search(index, "キャッシュ")[0].path == "docs/cache.md"
        assert search(index, "el año fiscal")[0].symbol == "año_fiscal"
    finally:
        index.close()


def test_match_expression_keeps_one_word_per_index_token():
    # "Parsers" and "parser" stem alike; matching both would count that stem twice.
    assert index_tokens("Parsers") == index_tokens("parser") == ("parser",)
    assert match_expression(["parser", "Parsers", "reads", "", "  ", "read"]) == '"parser" OR "reads"'
    assert match_expression([]) == ""


def test_inflected_repeats_do_not_change_the_text_scores(index):
    index.refresh()
    once = index.match_chunks(match_expression(["evict", "oldest", "cache", "entry"]), 10, (1.0, 1.0, 1.0, 1.0))
    repeated = index.match_chunks(
        match_expression(["evict", "evicts", "evicting", "oldest", "cache", "caches", "entry"]), 10, (1.0, 1.0, 1.0, 1.0)
    )
    assert once and repeated == once


def test_a_word_in_half_the_rows_is_left_out_when_the_rest_still_fill_the_results(index):
    index.refresh()
    # "py" is in the path of most chunks: FTS5's BM25 gives it no weight, yet every
    # chunk it is in would be read and scored.
    words = ["py", "server", "entries"]
    assert index.weighing_match(words, enough=2) == '"server" OR "entries"'
    weights = (1.0, 1.0, 1.0, 1.0)
    with_py = index.match_chunks(match_expression(words), 50, weights)
    without = index.match_chunks(index.weighing_match(words, enough=2), 50, weights)
    assert len(with_py) > len(without) >= 2
    assert [c for c, _ in with_py[: len(without)]] == [c for c, _ in without]
    assert all(abs(a - b) < 1e-4 for (_, a), (_, b) in zip(with_py, without))
    # When the other words match fewer rows than a caller takes, the rows only the
    # weightless word matches still count (by rank, for the fusion): nothing is left out.
    assert index.weighing_match(words, enough=50) == match_expression(words)
    assert index.weighing_match(["py"], enough=1) == '"py"'
    # Each table counts its own rows: "py" names no definition.
    assert index.weighing_match(["py", "server"], "symbol_fts", enough=1) == '"py" OR "server"'


def test_the_graph_is_carried_across_a_small_change_and_built_anew_after_many(index, project, tmp_path, monkeypatch):
    import desktop.index.retrieval as retrieval

    index.refresh()
    before = index.graph()
    old_id = index.file_id("http_parse.py")
    builds: list[int] = []
    build = retrieval._load_graph
    monkeypatch.setattr(retrieval, "_load_graph", lambda *args: builds.append(1) or build(*args))
    (project / "http_parse.py").write_text(HTTP + "\n# a comment\n")
    ensure_index(project, HearthPaths.under(tmp_path / "home"))
    index.refresh()
    new_id = index.file_id("http_parse.py")
    assert new_id != old_id  # a re-indexed file gets a new id: the graph is renumbered
    carried = index.graph()
    assert builds == []
    assert carried.file_rank[new_id] == before.file_rank[old_id] and old_id not in carried.nodes
    assert carried.definition_rank[(new_id, "parseHTTPResponse")] == before.definition_rank[(old_id, "parseHTTPResponse")]
    assert search(index, "turn a server reply into a status code")[0].path == "http_parse.py"
    monkeypatch.setattr(retrieval, "GRAPH_STALE_FILES", 1)  # two changed files are now too many
    (project / "client.py").write_text(CLIENT + "\n# another comment\n")
    ensure_index(project, HearthPaths.under(tmp_path / "home"))
    index.refresh()
    rebuilt = index.graph()
    assert builds == [1] and index.file_id("client.py") in rebuilt.nodes
    # a file made since the graph was built has no node in it: looking at it rebuilds
    (project / "shapes.py").write_text("from cache import evict_oldest\n\n\ndef trim(xs):\n    return evict_oldest(xs, 1)\n")
    ensure_index(project, HearthPaths.under(tmp_path / "home"))
    index.refresh()
    assert index.graph() is not None and builds == [1]  # carried: one changed file
    hits = search(index, "drop old entries", current_file="shapes.py")
    assert builds == [1, 1] and index.file_id("shapes.py") in index.graph().nodes and hits


def test_changes_since_names_the_files_changed_until_ranks_are_computed_anew(index, project, tmp_path, monkeypatch):
    import desktop.index.retrieval as retrieval

    home = HearthPaths.under(tmp_path / "home")
    index.refresh()
    index.graph()
    start = index.change_serial
    assert index.changes_since(start) == frozenset()
    (project / "http_parse.py").write_text(HTTP + "\n# a comment\n")
    (project / "shapes.py").write_text("def trim(xs):\n    return xs[:1]\n")
    ensure_index(project, home)
    index.refresh()
    middle = index.change_serial
    (project / "shapes.py").unlink()
    ensure_index(project, home)
    index.refresh()
    assert index.graph() is not None  # carried across both changes
    assert index.changes_since(start) == {"http_parse.py", "shapes.py"}
    assert index.changes_since(middle) == {"shapes.py"}
    monkeypatch.setattr(retrieval, "GRAPH_STALE_FILES", 0)  # the next change makes the graph anew
    (project / "client.py").write_text(CLIENT + "\n# another comment\n")
    ensure_index(project, home)
    index.refresh()
    after_refresh = index.change_serial
    assert index.changes_since(middle) == {"shapes.py", "client.py"}
    index.graph()  # every rank may move now
    assert index.changes_since(middle) is None and index.changes_since(after_refresh) is None
    assert index.changes_since(index.change_serial) == frozenset()


def test_changes_since_a_change_it_no_longer_remembers_is_unknown(index, project, tmp_path, monkeypatch):
    import desktop.index.retrieval as retrieval

    monkeypatch.setattr(retrieval, "CHANGE_LOG", 2)
    view = SearchIndex.open(index.db_path)
    try:
        view.refresh()
        first = view.change_serial
        for n in range(3):
            (project / f"extra{n}.py").write_text(f"def extra_{n}():\n    return {n}\n")
            ensure_index(project, HearthPaths.under(tmp_path / "home"))
            view.refresh()
        assert view.changes_since(first) is None
        assert view.changes_since(view.change_serial - 2) == {"extra1.py", "extra2.py"}
    finally:
        view.close()


def test_personal_ranks_are_kept_for_the_last_few_seed_sets_of_one_graph(index, project, tmp_path, monkeypatch):
    import desktop.index.retrieval as retrieval

    index.refresh()
    graph = index.graph()
    seeds = {index.file_id("client.py"): 1.0}
    first = index.personal_rank(graph, seeds)
    assert first and index.personal_rank(graph, dict(seeds)) is first  # the next question from that file
    assert index.personal_rank(graph, {}) == {}
    monkeypatch.setattr(retrieval, "PERSONAL_MEMO", 2)
    for other in ("http_parse.py", "cache.py"):
        index.personal_rank(graph, {index.file_id(other): 1.0})
    assert index.personal_rank(graph, seeds) is not first  # pushed out by two newer seed sets
    again = index.personal_rank(graph, seeds)
    index.forget_recent_matches()
    assert index.personal_rank(graph, seeds) is not again
    (project / "client.py").write_text(CLIENT + "\n# a comment\n")
    ensure_index(project, HearthPaths.under(tmp_path / "home"))
    index.refresh()
    carried = index.graph()  # renumbered: client.py has a new id, and ranks are kept for it alone
    ranks = index.personal_rank(carried, {index.file_id("client.py"): 1.0})
    assert carried is not graph and index.file_id("client.py") in ranks and set(ranks) <= carried.nodes


def _cache_state(index: SearchIndex) -> tuple:
    return (
        index._files, index._file_ids, index._languages, index._ranges, index._symbol_chunks, index._exports,
        index._name_words, index._name_sizes, index._name_stems, index._sorted_stems, index._row_counts,
    )


def _assert_like_a_fresh_view(view: SearchIndex, db) -> None:  # noqa: ANN001 - Path
    fresh = SearchIndex.open(db)
    try:
        fresh.refresh()
        assert _cache_state(view) == _cache_state(fresh)
    finally:
        fresh.close()


def test_after_a_small_change_the_caches_read_only_the_changed_files_and_match_a_fresh_view(
    index, project, tmp_path, monkeypatch
):
    paths = HearthPaths.under(tmp_path / "home")
    index.refresh()
    reads: list[object] = []
    read = SearchIndex._read_files
    monkeypatch.setattr(
        SearchIndex, "_read_files", lambda self, ids: (self is index and reads.append(ids)) or read(self, ids)
    )
    last = 0  # the file with the highest id, before each change
    changes = [
        lambda: (project / "cache.py").write_text(CACHE + "\n\ndef evict_newest(entries):\n    return entries[:-1]\n"),
        lambda: (project / "extra_tools.py").write_text("__all__ = ['shout']\n\n\ndef shout(text):\n    return text.upper()\n"),
        lambda: (project / "client.py").unlink(),
        # the file with the highest id gets that id back when it is indexed again
        lambda: (project / index.path_of(last)).write_text((project / index.path_of(last)).read_text() + "\n# more\n"),
    ]
    for change in changes:
        last = max(index.file_paths)
        change()
        ensure_index(project, paths)
        index.refresh()
        _assert_like_a_fresh_view(index, index_db_path(paths, project.resolve()))
    assert reads and all(ids is not None and len(ids) <= 1 for ids in reads)  # never every file


def test_a_renamed_file_that_gets_its_old_id_back_is_seen_under_its_new_name(tmp_path):
    # The file saved last holds the highest id; renamed, it is removed and written again
    # with the same id, hash and mtime: only its path tells.
    root = tmp_path / "proj"
    root.mkdir()
    for name in ("alpha.py", "beta.py"):
        (root / name).write_text(f"def {name[:-3]}_sum(values):\n    return sum(values)\n")
    paths = HearthPaths.under(tmp_path / "home")
    indexer = Indexer(root, paths, workers=1)
    try:
        list(indexer.update(CancelToken()))
        view = SearchIndex.open(index_db_path(paths, root.resolve()))
        view.refresh()
        last = max(view.file_paths)
        old = root / view.path_of(last)
        new = root / "checksums.py"
        old.rename(new)
        list(indexer.update_paths([old, new], CancelToken()))
        view.refresh()
        assert view.file_paths.get(last) == "checksums.py" and view.file_id(old.name) is None
        _assert_like_a_fresh_view(view, index_db_path(paths, root.resolve()))
        view.close()
    finally:
        indexer.close()


def test_a_commit_landing_during_a_refresh_does_not_mix_two_states(tmp_path, monkeypatch):
    import desktop.index.retrieval as retrieval

    def functions(count: int) -> str:
        return "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(count))

    root = tmp_path / "proj"
    root.mkdir()
    for name in ("a.py", "b.py", "y.py"):
        (root / name).write_text(functions(2))
    paths = HearthPaths.under(tmp_path / "home")
    indexer = Indexer(root, paths, workers=1)
    target = root / "y.py"

    def save(count: int) -> None:
        target.write_text(functions(count))
        list(indexer.update_paths([target], CancelToken()))

    try:
        list(indexer.update(CancelToken()))
        view = SearchIndex.open(index_db_path(paths, root.resolve()))
        view.refresh()
        exports = retrieval._exports
        armed = [True]

        def commit_meanwhile(conn, file_ids=None):  # noqa: ANN001, ANN202 - as _exports
            if armed:
                armed.clear()
                save(8)  # the indexer commits between two of the view's reads
            return exports(conn, file_ids)

        monkeypatch.setattr(retrieval, "_exports", commit_meanwhile)
        save(3)
        view.refresh()
        save(1)
        view.refresh()
        _assert_like_a_fresh_view(view, index_db_path(paths, root.resolve()))
        view.close()
    finally:
        indexer.close()


_FUZZ_WORDS = ("parse", "render", "cache", "client", "server", "token", "queue", "table")


def _fuzz_source(rng: random.Random) -> str:
    parts = ["__all__ = [%r]\n" % rng.choice(_FUZZ_WORDS)] if rng.random() < 0.3 else []
    for i in range(rng.randint(0, 4)):
        word = rng.choice(_FUZZ_WORDS)
        parts.append(f'def {word}_{i}(x):\n    """Do {word}."""\n    return {rng.choice(_FUZZ_WORDS)}_{i}(x)\n\n\n')
    return "".join(parts)


def _fuzz_change(rng: random.Random, root) -> list:  # noqa: ANN001 - Path
    """One random change under ``root``; the paths an editor's watcher would report."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    action = rng.choice(["edit", "new", "delete", "rename", "empty", "to text", "touch"])
    if action == "new" or not files:
        path = root / rng.choice(["", "pkg"]) / f"{rng.choice(_FUZZ_WORDS)}_{rng.randint(0, 999)}.py"
        path.write_text(_fuzz_source(rng))
        return [path]
    path = rng.choice(files)
    if action == "edit":
        path.write_text(_fuzz_source(rng) + f"# {rng.random()}\n")
    elif action == "delete":
        path.unlink()
    elif action in ("rename", "to text"):
        moved = path.with_suffix(".txt") if action == "to text" else path.with_name(f"{rng.choice(_FUZZ_WORDS)}_{rng.randint(0, 999)}.py")
        path.rename(moved)
        return [path, moved]
    elif action == "empty":
        path.write_text("")
    else:
        os.utime(path, ns=(1, rng.randint(1, 10**12)))
    return [path]


@pytest.mark.parametrize("seed", range(10))
def test_after_any_run_of_changes_the_caches_match_a_fresh_view(tmp_path, monkeypatch, seed):
    import desktop.index.retrieval as retrieval

    monkeypatch.setattr(retrieval, "PATCH_FILES", 4)  # some steps patch, bigger ones reload
    rng = random.Random(seed)
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    for i in range(12):
        (root / f"{rng.choice(_FUZZ_WORDS)}_{i}.py").write_text(_fuzz_source(rng))
    paths = HearthPaths.under(tmp_path / "home")
    indexer = Indexer(root, paths, workers=1)
    db = index_db_path(paths, root.resolve())
    try:
        list(indexer.update(CancelToken()))
        view = SearchIndex.open(db)
        view.refresh()
        view.graph()
        for step in range(15):
            changed = [path for _ in range(rng.choice([1, 1, 2, 3, 8])) for path in _fuzz_change(rng, root)]
            list(indexer.update_paths(changed, CancelToken()))
            view.refresh()
            if rng.random() < 0.5:
                view.graph()
            _assert_like_a_fresh_view(view, db)
            graph = view._graph
            assert graph is None or set(graph.nodes) <= set(view.file_paths)
        view.close()
    finally:
        indexer.close()


NAMED_FILES_PROBE = """
import json, sys
from desktop.index.retrieval import SearchIndex, prepare_query
index = SearchIndex.open(sys.argv[1])
index.refresh()
print(json.dumps([index.path_of(f) for f in index.named_files(prepare_query(index, sys.argv[2]))]))
"""


def test_files_named_by_the_query_come_in_the_same_order_whatever_the_hash_seed(tmp_path):
    names = ["cache_store", "store_cache", "cache", "store", "cachestore", "parser_cache", "store_parser"]
    opened = open_project(tmp_path, "named", {f"{name}.py": f"def {name}_fn():\n    return 1\n" for name in names})
    opened.refresh()
    db = opened.reader.conn.execute("PRAGMA database_list").fetchone()[2]
    opened.close()
    orders = set()
    for seed in ("1", "2", "3", "4", "5"):
        result = subprocess.run(
            [sys.executable, "-c", NAMED_FILES_PROBE, db, "cache store parser"],
            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.returncode == 0, result.stderr
        orders.add(result.stdout)
    assert len(orders) == 1
    assert len(json.loads(orders.pop())) == len(names)


def test_a_partner_process_scores_part_of_each_match_with_the_same_results(index, monkeypatch):
    import desktop.index.retrieval as retrieval

    questions = ["how is a server reply turned into a status code?", "what evicts cache entries",
                 "read the chunked transfer encoding", "parse http response headers"]
    alone = [[(h.path, h.symbol, h.start_line, round(h.score, 9)) for h in search(index, q, k=5)] for q in questions]
    assert not index.start_partner()  # a small project: not worth a second process
    monkeypatch.setattr(retrieval, "PARTNER_MIN_CHUNKS", 1)
    assert index.start_partner()
    partner = index._partner
    assert partner._process.is_alive() and partner._process.name == "hearth-search"
    index.forget_recent_matches()
    together = [[(h.path, h.symbol, h.start_line, round(h.score, 9)) for h in search(index, q, k=5)] for q in questions]
    assert together == alone and not partner.failed and partner._asked is None
    partner._process.kill()  # it dies: searches go on in this process alone
    partner._process.join(5)
    index.forget_recent_matches()
    assert [[(h.path, h.symbol, h.start_line, round(h.score, 9)) for h in search(index, q, k=5)] for q in questions] == alone
    assert partner.failed
    index.close()
    assert not partner._process.is_alive()


# --- which definitions stand for a file ---------------------------------------------------

TAPE = '''\
"""Reading and writing tape archives."""

__all__ = ["ArchiveMember", "ArchiveStream", "open_archive"]


class ArchiveMember:
    """One member of a tape archive: its name, its size and where its data starts in the stream."""


class ArchiveStream:
    """A stream of archive members read from a file object, one block at a time."""


def open_archive(name):
    """Open the archive called name for reading its members."""
    return ArchiveStream()


def copy_exactly(source, target, length, size=512):
    """Move length bytes from source to target, size at a time; a short read is an error."""
    blocks, rest = divmod(length, size)
    for _ in range(blocks):
        data = source.read(size)
        if len(data) < size:
            raise OSError("unexpected end of data")
        target.write(data)
    data = source.read(rest)
    if len(data) < rest:
        raise OSError("unexpected end of data")
    target.write(data)
'''


def test_a_file_is_shown_by_the_definition_that_answers_not_the_one_named_after_its_topic(tmp_path):
    """Every class of the module is named after its subject, so a question that names the
    subject matches their names; the function that does what is asked does not share
    those words, but its own words are the ones that tell this file's definitions apart."""
    opened = open_project(tmp_path, "tapeproj", {
        "tape.py": TAPE,
        "other.py": "def unrelated():\n    return 1\n",
    })
    try:
        question = "in the archive module, how are a given number of bytes moved from one stream to another in blocks, failing on a short read"
        in_file = [h for h in search(opened, question) if h.path == "tape.py"]
        assert in_file[0].symbol == "copy_exactly"
        assert "file #1" in in_file[0].why  # the file ranker's own first choice, not a class
    finally:
        opened.close()


def test_a_file_keeps_its_places_and_takes_the_definitions_chosen_inside_it():
    from desktop.index.retrieval import ChunkInfo, chosen_in_file

    def chunk(chunk_id: int, path: str, symbol: str) -> ChunkInfo:
        return ChunkInfo(chunk_id, 0, path, chunk_id, chunk_id, "function", symbol, chunk_id)

    a1, a2, a3, b1, c1 = chunk(1, "a.py", "one"), chunk(2, "a.py", "two"), chunk(3, "a.py", "three"), chunk(4, "b.py", "b"), chunk(5, "c.py", "c")
    fused = [a1, b1, a2, c1]
    assert chosen_in_file(fused, {"a.py": [a3, a2]}) == [a3, b1, a2, c1]  # a.py keeps its two places
    assert chosen_in_file(fused, {"a.py": [a3]}) == [a3, b1, a1, c1]  # then its own order
    assert chosen_in_file(fused, {"a.py": [a3, a2]}, keep={a1.unit}) == [a1, b1, a3, c1]  # a kept unit stays
    assert chosen_in_file(fused, {}) == fused
