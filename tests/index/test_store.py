"""The SQLite store: rows in, primitive queries out; WAL readers; broken files rebuilt."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.paths import HearthPaths
from desktop.index.identifiers import fts_query, split_identifier
from desktop.index.indexer import Indexer, process_file
from desktop.index.store import (
    SCHEMA_VERSION,
    IndexMissing,
    IndexReader,
    IndexStore,
    discard_index,
    doc_summary,
    file_identity,
    index_db_path,
    open_reader,
)

SOURCE = '''\
class ResponseParser:
    """Reads status lines."""

    def parseHTTPResponse(self, data):
        return read_chunked(data)


def read_chunked(stream):
    """Decode a chunked transfer body."""
    return stream
'''
USER = "from parser import read_chunked\n\n\ndef main():\n    return read_chunked(open('x'))\n"


def insert(store: IndexStore, tmp_path: Path, relative: str, text: str):
    path = tmp_path / relative
    path.write_text(text)
    info = path.stat()
    item = process_file(str(path), relative, info.st_size, info.st_mtime_ns, None)
    store.write_file(item)
    return item


@pytest.fixture
def store(tmp_path):
    store = IndexStore.open(tmp_path / "db" / "index.sqlite3", tmp_path)
    insert(store, tmp_path, "parser.py", SOURCE)
    insert(store, tmp_path, "main.py", USER)
    store.commit()
    yield store
    store.close()


def reader_for(store: IndexStore) -> IndexReader:
    return IndexReader(open_reader(store.db_path))


def test_rows_round_trip(store):
    reader = reader_for(store)
    assert reader.stats().files == 2
    assert [f.path for f in reader.files()] == ["main.py", "parser.py"]
    (symbol,) = reader.symbols_named("parseHTTPResponse")
    assert (symbol.path, symbol.kind, symbol.scope) == ("parser.py", "method", "ResponseParser")
    assert (symbol.start_line, symbol.end_line) == (4, 5)
    names = [s.name for s in reader.symbols_in_file("parser.py")]
    assert names == ["ResponseParser", "parseHTTPResponse", "read_chunked"]
    assert reader.symbols([symbol.id, 999999]) == [symbol]


def test_fts_finds_split_identifier_parts(store):
    reader = reader_for(store)
    hits = reader.match_chunks(fts_query(split_identifier("parseHTTPResponse"), "AND"), 5)
    assert hits
    chunk = reader.chunks([hits[0][0]])[0]
    assert chunk.path == "parser.py" and chunk.symbol == "ResponseParser"
    assert "def parseHTTPResponse" in chunk.text
    # snake_case splits on '_' through the tokenizer; porter stems "decoding" to "decod"
    assert reader.match_chunks(fts_query(["decoding", "chunked"], "AND"), 5)
    symbol_hits = reader.match_symbols(fts_query(["http", "response"], "AND"), 5)
    assert [s.name for s in reader.symbols([i for i, _ in symbol_hits])] == ["parseHTTPResponse"]
    assert reader.match_chunks("", 5) == []



def test_equal_scores_come_in_id_order_so_limits_and_ranges_agree(store, tmp_path):
    for n in range(12):  # one file copied into many places: every copy scores the same
        insert(store, tmp_path, f"copy_{n}.py", "def copied_helper():\n    return 'same everywhere'\n")
    store.commit()
    reader = reader_for(store)
    match = fts_query(["copied", "helper"], "AND")
    whole = reader.match_chunks(match, 50)
    assert len(whole) == 12 and len({score for _, score in whole}) == 1
    assert [chunk_id for chunk_id, _ in whole] == sorted(chunk_id for chunk_id, _ in whole)
    assert reader.match_chunks(match, 5) == whole[:5]
    split = whole[6][0]
    lower = reader.match_chunks(match, 5, ids=(0, split))
    upper = reader.match_chunks(match, 5, ids=(split + 1, 10**9))
    assert sorted(lower + upper, key=lambda pair: (-pair[1], pair[0]))[:5] == whole[:5]

def test_path_column_is_searchable(store):
    reader = reader_for(store)
    ids = [i for i, _ in reader.match_chunks('path : "parser"', 10)]
    assert {c.path for c in reader.chunks(ids)} == {"parser.py"}


def test_reference_edges_cross_files_only(store):
    edges = reader_for(store).ref_edges()
    assert ("main.py", "parser.py", "read_chunked", 1) in edges
    assert all(src != dst for src, dst, _name, _count in edges)


def test_replacing_and_removing_a_file_leaves_no_orphans(store, tmp_path):
    insert(store, tmp_path, "parser.py", "def only_one():\n    pass\n")
    store.remove("main.py")
    store.commit()
    reader = reader_for(store)
    assert [f.path for f in reader.files()] == ["parser.py"]
    assert reader.match_chunks(fts_query(["chunked"]), 10) == []
    assert reader.match_symbols(fts_query(["response"]), 10) == []
    conn = store.conn
    assert conn.execute("SELECT count(*) FROM chunk_fts").fetchone()[0] == conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM refs WHERE file_id NOT IN (SELECT id FROM files)").fetchone()[0] == 0


def test_reader_sees_only_committed_work(store, tmp_path):
    reader = reader_for(store)
    generation = reader.generation()
    insert(store, tmp_path, "extra.py", "def uncommitted_name():\n    pass\n")
    assert reader.symbols_named("uncommitted_name") == []
    store.commit()
    assert [s.name for s in reader.symbols_named("uncommitted_name")] == ["uncommitted_name"]
    assert reader.generation() > generation


def test_commit_without_changes_keeps_the_generation(store):
    reader = reader_for(store)
    generation = reader.generation()
    store.commit()
    assert store.dirty_since is None
    assert reader.generation() == generation


def test_reader_is_read_only(store):
    conn = open_reader(store.db_path)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("DELETE FROM files")


def test_missing_index_raises_index_missing(tmp_path):
    with pytest.raises(IndexMissing):
        open_reader(tmp_path / "nothing.sqlite3")


def test_skip_records_and_remove_under(store):
    store.record_skip("keys/.env", "secret", "may hold credentials", 10, 1)
    store.record_skip("keys/sub/id_rsa", "secret", "may hold credentials", 10, 1)
    assert sorted(store.remove_under("keys")) == ["keys/.env", "keys/sub/id_rsa"]
    store.commit()
    assert reader_for(store).skipped() == []


def test_older_schema_is_rebuilt(tmp_path):
    db = tmp_path / "index.sqlite3"
    store = IndexStore.open(db, tmp_path)
    store.conn.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    store.conn.execute("INSERT INTO files(path, language, size, mtime_ns, hash, line_count) VALUES('old.py', NULL, 1, 1, 'h', 1)")
    store.conn.commit()  # raw SQL, as an older Hearth would have left it
    store.close()
    reopened = IndexStore.open(db, tmp_path)
    assert reopened.rebuilt
    version = reopened.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)
    assert reopened.conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0


def test_a_version_1_index_without_docstring_summaries_is_rebuilt_and_indexes(tmp_path):
    # Version 1 had symbol_fts(name, doc); writing a summary into it would fail.
    db = tmp_path / "db" / "index.sqlite3"
    db.parent.mkdir()
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
        "INSERT INTO meta VALUES('schema_version', '1');"
        "CREATE VIRTUAL TABLE symbol_fts USING fts5(name, doc);"
    )
    conn.commit()
    conn.close()
    store = IndexStore.open(db, tmp_path)
    assert store.rebuilt
    insert(store, tmp_path, "parser.py", SOURCE)
    store.commit()
    rows = store.conn.execute(
        "SELECT s.name, t.summary FROM symbol_fts t JOIN symbols s ON s.id = t.rowid ORDER BY s.id"
    ).fetchall()
    assert ("read_chunked", "Decode a chunked transfer body.") in rows
    store.close()


def test_doc_summary_is_the_first_sentence_or_paragraph():
    assert doc_summary("Find the n largest elements.  Equivalent to sorted()[:n].") == "Find the n largest elements."
    two_lines = "Split the string\nusing shell syntax."
    assert doc_summary(two_lines + "\n\nMore details.") == two_lines
    assert doc_summary("Version 1.2 of the format") == "Version 1.2 of the format"  # no space after the dot
    assert doc_summary("") == ""
    assert len(doc_summary("word " * 200)) == 300


def test_bulk_writes_skip_syncing_and_then_restore_it(tmp_path):
    store = IndexStore.open(tmp_path / "db" / "index.sqlite3", tmp_path)
    store.bulk_writes(True)
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 0
    insert(store, tmp_path, "parser.py", SOURCE)  # left uncommitted: bulk_writes(False) commits
    store.bulk_writes(False)
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert reader_for(store).stats().files == 1
    store.close()


def test_garbage_file_is_rebuilt(tmp_path):
    db = tmp_path / "index.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    store = IndexStore.open(db, tmp_path)
    assert store.rebuilt
    assert store.conn.execute("SELECT count(*) FROM files").fetchone()[0] == 0


def test_truncated_database_is_rebuilt_by_the_indexer(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    for i in range(60):
        (project / f"mod_{i}.py").write_text(SOURCE.replace("ResponseParser", f"Parser{i}") * 3)
    paths = HearthPaths.from_env()
    indexer = Indexer(project, paths, workers=1)
    list(indexer.update(CancelToken()))
    indexer.close()
    db = index_db_path(paths, project)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 3)
    indexer = Indexer(project, paths, workers=1)
    list(indexer.update(CancelToken()))
    indexer.close()
    assert indexer.summary.files_indexed == 60
    reader = IndexReader(open_reader(db))
    assert len(reader.symbols_named("Parser59")) == 3  # the source repeats three times


def test_optimize_merges_the_full_text_segments_and_keeps_every_match(store, tmp_path):
    for n in range(6):  # each commit flushes a segment of its own
        insert(store, tmp_path, f"extra{n}.py", f"def extra_helper_{n}():\n    return {n}\n")
        store.commit()

    def segments() -> int:
        return store.conn.execute("SELECT count(DISTINCT segid) FROM chunk_fts_idx").fetchone()[0]

    before = reader_for(store).match_chunks(fts_query(["extra"]), 50)
    assert segments() > 1
    stopped = CancelToken()
    stopped.cancel()
    with pytest.raises(Cancelled):
        store.optimize(stopped)
    assert segments() > 1
    store.optimize(CancelToken())
    store.commit()
    assert segments() == 1
    assert sorted(reader_for(store).match_chunks(fts_query(["extra"]), 50)) == sorted(before)
    assert len(before) == 6


def _open_at_the_same_moment(db: str, root: str, barrier, results) -> None:  # noqa: ANN001 - a child process
    barrier.wait()
    store = IndexStore.open(Path(db), Path(root))
    barrier.wait()  # both have opened: neither may have replaced the file since
    results.put((store.rebuilt, store._identity, store.replaced()))
    store.close()


def test_two_processes_creating_the_index_at_once_share_one_file(tmp_path):
    context = multiprocessing.get_context("spawn")
    for trial in range(8):
        db = tmp_path / f"trial{trial}" / "index.sqlite3"
        barrier, results = context.Barrier(2), context.Queue()
        children = [
            context.Process(target=_open_at_the_same_moment, args=(str(db), str(tmp_path), barrier, results))
            for _ in range(2)
        ]
        for child in children:
            child.start()
        outcomes = [results.get(timeout=30) for _ in children]
        for child in children:
            child.join(10)
        assert [child.exitcode for child in children] == [0, 0]
        assert outcomes == [(False, file_identity(db), False)] * 2, f"trial {trial}"
        store = IndexStore.open(db, tmp_path)
        assert not store.rebuilt
        store.close()


def _open_held_back_at_the_damage(db: str, root: str, found, go, results) -> None:  # noqa: ANN001 - a child process
    """Open the index; once it is found unusable, wait (as a busy machine may hold a
    process) until another process has made it anew."""
    import logging

    class HoldBack(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "rebuilding" in record.getMessage():
                found.set()
                go.wait(60)

    logger = logging.getLogger("desktop.index.store")
    logger.setLevel(logging.INFO)
    logger.addHandler(HoldBack())
    store = IndexStore.open(Path(db), Path(root))
    results.put((store._identity, store.replaced(), store.is_complete()))
    store.close()


def _older_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    conn.commit()
    conn.close()


def _not_a_database(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 200)


@pytest.mark.parametrize("damage", [_older_schema, _not_a_database])
def test_an_index_made_anew_by_one_process_is_not_discarded_by_another_that_found_it_unusable(tmp_path, damage):
    """Two processes open one unusable index: the first to get there discards it and
    builds a new one; the other, held back until then, must open that one, not discard
    it under the first one's writer and readers and start yet another."""
    project = tmp_path / "proj"
    project.mkdir()
    for n in range(20):
        (project / f"mod_{n}.py").write_text(f"def helper_{n}():\n    return {n}\n")
    paths = HearthPaths.from_env()
    indexer = Indexer(project, paths, workers=1)
    list(indexer.update(CancelToken()))
    indexer.close()
    db = index_db_path(paths, project)
    damage(db)
    context = multiprocessing.get_context("spawn")
    found, go, results = context.Event(), context.Event(), context.Queue()
    late = context.Process(target=_open_held_back_at_the_damage, args=(str(db), str(project), found, go, results))
    late.start()
    try:
        assert found.wait(60)
        first = Indexer(project, paths, workers=1)
        list(first.update(CancelToken()))  # finds it unusable too, and makes it anew
        reader = IndexReader(open_reader(db))
        fresh = file_identity(db)
        go.set()
        opened, replaced, complete = results.get(timeout=60)
    finally:
        go.set()
        late.join(30)
    assert late.exitcode == 0
    assert (opened, replaced, complete) == (fresh, False, True), "the new index was discarded"
    list(first.update(CancelToken()))
    first.close()
    assert first.summary.files_changed == 0 and file_identity(db) == fresh
    assert reader.stats().files == 20
    reader.conn.close()


def _discard_slowly(db: str, root: str, checked, made, results) -> None:  # noqa: ANN001 - a child process
    """Discard the damaged index, taking long to close the connection that found the
    damage: another process that discards it meanwhile must wait for this one."""
    conn = sqlite3.connect(db)  # holds the damaged file, as the connection that found the damage would

    def close_slowly() -> None:
        conn.close()
        checked.set()
        made.wait(2)  # not set while the other process waits, as it must

    removed = discard_index(Path(db), file_identity(Path(db)), close_slowly)
    store = IndexStore.open(Path(db), Path(root))
    results.put((removed, store._identity, store.replaced()))
    store.close()


def test_a_process_discarding_a_damaged_index_waits_for_one_discarding_it_already(tmp_path):
    """The check and the removal are one step across processes: the second to discard
    one damaged file neither removes it again nor the new file the first one made."""
    db = tmp_path / "index.sqlite3"
    db.write_bytes(b"this is not a database" * 200)
    conn = sqlite3.connect(db)  # this process found it damaged too
    opened = file_identity(db)
    context = multiprocessing.get_context("spawn")
    checked, made, results = context.Event(), context.Event(), context.Queue()
    slow = context.Process(target=_discard_slowly, args=(str(db), str(tmp_path), checked, made, results))
    slow.start()
    try:
        assert checked.wait(60)
        removed = discard_index(db, opened, conn.close)
        store = IndexStore.open(db, tmp_path)
        made.set()
        outcome = results.get(timeout=30)
    finally:
        made.set()
        slow.join(30)
    assert slow.exitcode == 0
    assert (removed, outcome[0]) == (False, True)
    assert outcome[1:] == (store._identity, False) and not store.replaced()
    store.close()
