"""The project index on disk: one SQLite database per project, in WAL mode.

One writer (``IndexStore``, owned by the indexer) and any number of readers
(``open_reader`` + ``IndexReader``) that each see one consistent commit. A database
that is corrupt, truncated or from another schema version is deleted and rebuilt:
the index is a cache and can always be made again from the project. Deleting it is
``discard_index``, which several processes that found the same damaged file do once
between them: none deletes the file another has made anew.

The schema and the read API are described for other modules in
``briefs/index-schema.md``; chunk text is stored once, in the FTS table.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import logging
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from desktop.core.app_db import is_in_the_way, storage_error
from desktop.core.cancel import CancelToken
from desktop.core.errors import ProjectError, StorageError
from desktop.core.paths import HearthPaths

if os.name == "nt":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

SCHEMA_VERSION = 13  # also bumped when extraction, or what is left out, changes what is stored
DB_NAME = "index.sqlite3"
LOCK_SUFFIX = ".lock"
"""``index.sqlite3.lock``: the file every process locks to discard a damaged index."""
UPDATE_LOCK_SUFFIX = ".update.lock"
"""``index.sqlite3.update.lock``: the file the process updating the index holds locked."""
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
DEFAULT_CHUNK_WEIGHTS = (2.0, 4.0, 1.0, 1.0)  # path, name, body, words
MERGE_STEP_PAGES = 500
_BUSY_TIMEOUT_MS = 5000
_WAL_RETRY_S = 0.01

_SCHEMA = f"""
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files(
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, language TEXT,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hash TEXT NOT NULL, line_count INTEGER NOT NULL);
CREATE TABLE skipped(
    path TEXT PRIMARY KEY, reason TEXT NOT NULL, detail TEXT NOT NULL,
    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL);
CREATE TABLE symbols(
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    scope TEXT NOT NULL, signature TEXT NOT NULL, doc TEXT NOT NULL,
    start_line INTEGER NOT NULL, end_line INTEGER NOT NULL);
CREATE INDEX symbols_name ON symbols(name);
CREATE INDEX symbols_file ON symbols(file_id);
CREATE TABLE refs(file_id INTEGER NOT NULL, name TEXT NOT NULL, count INTEGER NOT NULL, line INTEGER NOT NULL);
CREATE INDEX refs_name ON refs(name);
CREATE INDEX refs_file ON refs(file_id);
CREATE TABLE chunks(
    id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, start_line INTEGER NOT NULL,
    end_line INTEGER NOT NULL, kind TEXT NOT NULL, symbol_id INTEGER, symbol TEXT);
CREATE INDEX chunks_file ON chunks(file_id);
CREATE VIRTUAL TABLE chunk_fts USING fts5(path, name, body, words, tokenize = '{FTS_TOKENIZE}');
CREATE VIRTUAL TABLE symbol_fts USING fts5(name, doc, summary, tokenize = '{FTS_TOKENIZE}');
CREATE VIEW chunk_view AS
    SELECT c.id AS id, c.file_id AS file_id, f.path AS path, c.start_line AS start_line,
           c.end_line AS end_line, c.kind AS kind, c.symbol_id AS symbol_id, c.symbol AS symbol,
           t.body AS text
    FROM chunks c JOIN files f ON f.id = c.file_id JOIN chunk_fts t ON t.rowid = c.id;
"""


_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n\s*\n")
MAX_SUMMARY_CHARS = 300


def doc_summary(doc: str) -> str:
    """A docstring's first sentence (or first paragraph): what the definition is for.

    Indexed on its own so that the purpose of a definition outweighs the details a
    long docstring goes on to give (arguments, caveats, examples)."""
    if not doc:
        return ""
    match = _SENTENCE_END.search(doc)
    return (doc[: match.start()] if match else doc)[:MAX_SUMMARY_CHARS]


_tokenizer_lock = threading.Lock()
_tokenizer: sqlite3.Connection | None = None


@functools.lru_cache(maxsize=8192)
def index_tokens(word: str) -> tuple[str, ...]:
    """The tokens the index's full-text tokenizer makes of ``word`` (case-folded and
    stemmed: "Parsers" and "parser" both give ``("parser",)``)."""
    global _tokenizer
    with _tokenizer_lock:
        if _tokenizer is None:
            _tokenizer = sqlite3.connect(":memory:", check_same_thread=False)
            _tokenizer.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize = '{FTS_TOKENIZE}')")
            _tokenizer.execute("CREATE VIRTUAL TABLE tokens USING fts5vocab(words, 'instance')")
        _tokenizer.execute("DELETE FROM words")
        _tokenizer.execute("INSERT INTO words(word) VALUES (?)", (word,))
        return tuple(row[0] for row in _tokenizer.execute("SELECT term FROM tokens ORDER BY offset"))


class IndexMissing(ProjectError):
    """The project has no index yet (run the indexer first)."""


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path``, or None when there is none: tells a file
    made anew (a rebuild, a cleared cache) from the one a connection opened."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def discard_index(db_path: Path, opened: tuple[int, int] | None, close: Callable[[], None]) -> bool:
    """Remove a damaged index database (with its WAL and shared-memory files), so that
    the next update builds it anew: it holds nothing the project cannot give again.
    The one way to drop a damaged index.

    ``opened`` is the ``file_identity`` of the file the connection that found the
    damage holds, and ``close`` closes that connection (and whatever else of this
    process reads the file); it is called in any case. Two processes (the app and
    ``hearth index``, two ``hearth search`` runs) may find the same file damaged: the
    first removes it and makes a new one, which the second must not take for the
    damaged file and remove under the first one's writer and readers. So the check and
    the removal run under an exclusive lock on ``<db>.lock`` that every process takes,
    and the file goes only while it is still the one ``opened`` names. Returns False
    when it was not (removed, or made anew by another process): open it again and use
    that one."""
    with _exclusive_lock(Path(f"{db_path}{LOCK_SUFFIX}")):
        # Compared before ``close``: while a connection holds the damaged file, no file
        # made after its removal can be given its inode number (ext4 reuses them at once).
        still_damaged = opened is not None and file_identity(db_path) == opened
        close()
        if still_damaged:
            _remove_database(db_path)
    return still_damaged


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` (made when missing) against other
    processes. Best effort: where none can be had (a file system without locks, a
    folder that cannot be written), go on without it, as before there was one."""
    fd = _locked_file(path)
    try:
        yield
    finally:
        _release(fd)


class UpdateTurn:
    """The right to update one project's index, held against other processes.

    SQLite lets one writer in at a time, but a writer waiting for another gives up after
    ``busy_timeout`` (two ``hearth index`` runs, or one next to the app, failed with
    "locked" half the time), and both would read the same changed files. So an update
    first takes its turn: ``take`` gets it or says another process has it."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    @classmethod
    def take(cls, db_path: Path) -> "UpdateTurn | None":
        """The turn to update the index at ``db_path``; None while another process has it.

        Best effort: where no lock can be had (a file system without locks) the turn is
        given without one, and SQLite's own locking is what is left."""
        path = Path(f"{db_path}{UPDATE_LOCK_SUFFIX}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # _locked_file says why it cannot lock
        try:
            return cls(_locked_file(path, wait=False))
        except BlockingIOError:
            return None

    def release(self) -> None:
        """Let the next process have its turn (closing the process does too)."""
        fd, self._fd = self._fd, None
        _release(fd)


def _release(fd: int | None) -> None:
    """Let go of a lock ``_locked_file`` gave (None: there was none to have)."""
    if fd is not None:
        _unlock(fd)
        os.close(fd)


def _locked_file(path: Path, wait: bool = True) -> int | None:
    """A descriptor of the file at ``path`` that holds its exclusive lock (waiting for
    it), or None when no lock can be had. Without ``wait``, raises ``BlockingIOError``
    when another process holds it."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        log.warning("cannot lock %s (%s); going on without the lock", path, exc)
        return None
    try:
        _lock(fd, wait)
    except BlockingIOError:
        os.close(fd)
        raise
    except OSError as exc:
        os.close(fd)
        log.warning("cannot lock %s (%s); going on without the lock", path, exc)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


if os.name == "nt":

    def _lock(fd: int, wait: bool) -> None:
        if wait:
            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # tries for about ten seconds, then raises
            return
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):  # another process holds it
                raise BlockingIOError(exc.errno, exc.strerror) from None
            raise

    def _unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:

    def _lock(fd: int, wait: bool) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError when held

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def index_db_path(paths: HearthPaths, root: Path) -> Path:
    """Where the index of the project at ``root`` lives."""
    return paths.project_cache_dir(root) / DB_NAME


@dataclass(frozen=True)
class ChunkRow:
    """Everything a prompt or a hit needs about one chunk (``chunk_fts`` rows, joined)."""

    id: int
    path: str
    start_line: int
    end_line: int
    kind: str
    symbol: str | None
    text: str


@dataclass(frozen=True)
class FileInsert:
    """The rows of one indexed file, prepared by a worker for the single writer."""

    path: str
    language: str | None
    size: int
    mtime_ns: int
    hash: str
    line_count: int
    # (name, kind, scope, signature, doc, start_line, end_line, fts_name, fts_summary)
    symbols: tuple[tuple[str, str, str, str, str, int, int, str, str], ...]
    refs: tuple[tuple[str, int, int], ...]  # (name, count, first line)
    # (start_line, end_line, kind, symbol index or -1, text, fts_name, fts_words)
    chunks: tuple[tuple[int, int, str, int, str, str, str], ...]
    path_terms: str


@dataclass(frozen=True)
class FileState:
    """What the index knows about a file, to decide whether to read it again."""

    size: int
    mtime_ns: int
    hash: str | None  # None for a skipped file
    reason: str | None = None  # why a skipped file is left out (``scanner.SKIP_REASONS``)


class IndexStore:
    """The one writer of a project's index. Not thread-safe: one thread owns it."""

    def __init__(self, db_path: Path, conn: sqlite3.Connection, identity: tuple[int, int] | None) -> None:
        self.db_path = db_path
        self.conn = conn
        self.rebuilt = False
        self._next_ids: dict[str, int] = {}
        self._identity = identity
        """The ``file_identity`` of the file ``conn`` holds (None when unknown)."""
        self.dirty_since: float | None = None
        """When the oldest uncommitted change was made (monotonic); None when all is committed."""

    def replaced(self) -> bool:
        """True when the file was removed (a cleared cache) or made anew by another
        process since this store opened it: writes would go to a file no reader opens."""
        return file_identity(self.db_path) != self._identity

    def discard(self) -> bool:
        """Close, and remove the database file as damaged (``discard_index``); False when
        another process has removed it or made it anew since: open that one instead."""
        return discard_index(self.db_path, self._identity, self.close)

    @classmethod
    def open(cls, db_path: Path, root: Path) -> "IndexStore":
        """Open (creating if needed) the index at ``db_path``; rebuild it when unusable.

        Raises ``StorageError`` when the disk or its permissions stand in the way (full,
        read-only, locked): making the file again would not help, and the index stays."""
        store = cls._open_usable(db_path, root)
        if store is not None:
            return store
        try:
            store = cls(db_path, *_create(db_path, root))
        except (OSError, sqlite3.DatabaseError) as exc:
            raise index_storage_error(exc, db_path) from None
        store.rebuilt = True
        return store

    @classmethod
    def _open_usable(cls, db_path: Path, root: Path) -> "IndexStore | None":
        """The index at ``db_path`` when it is usable; None when it must be made again
        (it is then discarded, unless another process has made it anew meanwhile)."""
        store: IndexStore | None = None
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            # Opened before it is read: a file that is no database fails in ``_configure``
            # and is discarded while this connection still holds it (``discard_index``).
            store = cls(db_path, *_opened(db_path, _open))
            _configure(store.conn)
            if store._usable(root):
                return store
        except (OSError, sqlite3.DatabaseError) as exc:
            if is_in_the_way(exc):
                if store is not None:
                    store.close()
                raise index_storage_error(exc, db_path) from None
            log.warning("index %s is unreadable (%s); rebuilding it", db_path, exc)
        if store is not None:
            try:
                store.discard()
            except OSError as exc:
                raise index_storage_error(exc, db_path) from None
        return None

    def _usable(self, root: Path) -> bool:
        """True when the schema is ours and current; creates it in an empty database."""
        conn = self.conn
        if not _tables(conn):
            _create_schema(conn, root)
        if "meta" not in _tables(conn):
            return False
        version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if version is None or version[0] != str(SCHEMA_VERSION):
            log.info("index %s has schema %s, not %s; rebuilding", self.db_path, version, SCHEMA_VERSION)
            return False
        for table in ("files", "skipped", "symbols", "refs", "chunks", "chunk_fts", "symbol_fts"):
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # touches every page's tree
        return True

    def close(self) -> None:
        """Close the connection (commits nothing)."""
        self.conn.close()

    def rollback(self) -> None:
        """Drop the uncommitted work (after a failed write); what was committed stays."""
        try:
            self.conn.rollback()
        except sqlite3.Error:
            log.debug("rollback of %s failed", self.db_path, exc_info=True)
        self.dirty_since = None
        self._next_ids.clear()  # ids handed out in the dropped work may be free again

    def known(self, folder: str | None = None) -> tuple[dict[str, FileState], dict[str, FileState]]:
        """The indexed files and the skipped files, by relative path: all of them, or
        those below the relative ``folder``."""
        condition, bounds = _below(folder) if folder is not None else ("1", ())
        files = {
            path: FileState(size, mtime, digest)
            for path, size, mtime, digest in self.conn.execute(
                f"SELECT path, size, mtime_ns, hash FROM files WHERE {condition}", bounds
            )
        }
        skipped = {
            path: FileState(size, mtime, None, reason)
            for path, size, mtime, reason in self.conn.execute(
                f"SELECT path, size, mtime_ns, reason FROM skipped WHERE {condition}", bounds
            )
        }
        return files, skipped

    def file_count(self) -> int:
        """How many files are indexed (counting uncommitted work)."""
        return self.conn.execute("SELECT count(*) FROM files").fetchone()[0]

    def skipped_paths(self, reason: str, limit: int) -> list[str]:
        """Up to ``limit`` paths of the files skipped for ``reason``, in path order."""
        rows = self.conn.execute("SELECT path FROM skipped WHERE reason=? ORDER BY path LIMIT ?", (reason, limit))
        return [row[0] for row in rows]

    def write_file(self, item: FileInsert) -> None:
        """Replace everything known about ``item.path`` with ``item``."""
        self._changed()
        self.remove(item.path)
        conn = self.conn
        cursor = conn.execute(
            "INSERT INTO files(path, language, size, mtime_ns, hash, line_count) VALUES(?,?,?,?,?,?)",
            (item.path, item.language, item.size, item.mtime_ns, item.hash, item.line_count),
        )
        file_id = cursor.lastrowid
        # Ids are handed out here so each table takes its rows in one executemany.
        first_symbol = self._next_id("symbols")
        symbol_ids = range(first_symbol, first_symbol + len(item.symbols))
        if item.symbols:
            conn.executemany(
                "INSERT INTO symbols(id, file_id, name, kind, scope, signature, doc, start_line, end_line)"
                " VALUES(?,?,?,?,?,?,?,?,?)",
                [(sid, file_id, *sym[:7]) for sid, sym in zip(symbol_ids, item.symbols)],
            )
            conn.executemany(
                "INSERT INTO symbol_fts(rowid, name, doc, summary) VALUES(?,?,?,?)",
                [(sid, sym[7], sym[4], sym[8]) for sid, sym in zip(symbol_ids, item.symbols)],
            )
        if item.refs:
            conn.executemany(
                "INSERT INTO refs(file_id, name, count, line) VALUES(?,?,?,?)",
                [(file_id, name, count, line) for name, count, line in item.refs],
            )
        if item.chunks:
            first_chunk = self._next_id("chunks")
            chunk_ids = range(first_chunk, first_chunk + len(item.chunks))
            conn.executemany(
                "INSERT INTO chunks(id, file_id, start_line, end_line, kind, symbol_id, symbol) VALUES(?,?,?,?,?,?,?)",
                [
                    (cid, file_id, start, end, kind,
                     symbol_ids[symbol] if symbol >= 0 else None,
                     item.symbols[symbol][0] if symbol >= 0 else None)
                    for cid, (start, end, kind, symbol, _text, _name, _words) in zip(chunk_ids, item.chunks)
                ],
            )
            conn.executemany(
                "INSERT INTO chunk_fts(rowid, path, name, body, words) VALUES(?,?,?,?,?)",
                [
                    (cid, item.path_terms, fts_name, text, words)
                    for cid, (_s, _e, _k, _sym, text, fts_name, words) in zip(chunk_ids, item.chunks)
                ],
            )
            self._next_ids["chunks"] = first_chunk + len(item.chunks)
        self._next_ids["symbols"] = first_symbol + len(item.symbols)

    def _next_id(self, table: str) -> int:
        cached = self._next_ids.get(table)
        if cached is None:
            cached = (self.conn.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1
            self._next_ids[table] = cached
        return cached

    def touch(self, path: str, size: int, mtime_ns: int) -> None:
        """Record a new size/mtime for a file whose content hash did not change."""
        self._changed()
        self.conn.execute("UPDATE files SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, path))

    def record_skip(self, path: str, reason: str, detail: str, size: int, mtime_ns: int) -> None:
        """Remember that ``path`` is not indexed, and why."""
        self.remove(path)
        self._changed()
        self.conn.execute(
            "INSERT OR REPLACE INTO skipped(path, reason, detail, size, mtime_ns) VALUES(?,?,?,?,?)",
            (path, reason, detail, size, mtime_ns),
        )

    def remove(self, path: str) -> bool:
        """Forget ``path`` (its rows, or its skip record); False when it was not known."""
        conn = self.conn
        skipped = conn.execute("DELETE FROM skipped WHERE path=?", (path,)).rowcount > 0
        row = conn.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
        if skipped or row is not None:
            self._changed()
        if row is None:
            return skipped
        file_id = row[0]
        conn.execute("DELETE FROM chunk_fts WHERE rowid IN (SELECT id FROM chunks WHERE file_id=?)", (file_id,))
        conn.execute("DELETE FROM symbol_fts WHERE rowid IN (SELECT id FROM symbols WHERE file_id=?)", (file_id,))
        for table in ("chunks", "symbols", "refs"):
            conn.execute(f"DELETE FROM {table} WHERE file_id=?", (file_id,))
        conn.execute("DELETE FROM files WHERE id=?", (file_id,))
        return True

    def remove_under(self, folder: str) -> list[str]:
        """Forget every file below the relative folder ``folder``; returns their paths."""
        condition, bounds = _below(folder)
        paths = [
            row[0]
            for table in ("files", "skipped")
            for row in self.conn.execute(f"SELECT path FROM {table} WHERE {condition}", bounds)
        ]
        for path in paths:
            self.remove(path)
        return paths

    def is_complete(self) -> bool:
        """True once a full update has finished on this database; a new or rebuilt one
        holds only what was written to it since."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone()
        return row is not None and row[0] == "1"

    def set_meta(self, key: str, value: str) -> None:
        """Set one ``meta`` value (committed with the next commit)."""
        self._changed()
        self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", (key, value))

    def bulk_writes(self, on: bool) -> None:
        """Commit, then stop (``on``) or resume (off) waiting for the disk at checkpoints.

        For a cold build only: a machine crash mid-build may then leave a damaged file,
        which ``open`` detects and rebuilds; the index is a cache and a cold build has
        nothing to lose. Process crashes and quits are safe either way."""
        self.commit()
        self.conn.execute(f"PRAGMA synchronous={'OFF' if on else 'NORMAL'}")

    def optimize(self, cancel: CancelToken) -> None:
        """Merge each full-text index into one segment (after a cold build: searches
        then read one posting list per word instead of one per segment).

        Done in steps of ``MERGE_STEP_PAGES`` (a few tens of milliseconds each) with
        ``cancel`` checked between them; raises ``Cancelled``, leaving a valid index."""
        self._changed()
        for table in ("chunk_fts", "symbol_fts"):
            while True:
                cancel.raise_if_cancelled()
                before = self.conn.total_changes
                # A negative page count merges across levels too, like 'optimize'.
                self.conn.execute(f"INSERT INTO {table}({table}, rank) VALUES('merge', ?)", (-MERGE_STEP_PAGES,))
                if self.conn.total_changes - before < 2:  # FTS5's sign that nothing was left to merge
                    break

    def commit(self) -> None:
        """Commit, making the work visible to readers; bumps the generation when
        anything changed (readers cache derived data per generation)."""
        if self.dirty_since is not None:
            self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key='generation'")
        # Also when nothing changed: a DELETE that matched no row still began a write
        # transaction, and would hold the write lock against every other writer.
        self.conn.commit()
        self.dirty_since = None
        # Ids are handed out from a cache that only holds while this connection keeps the
        # write lock: after a commit another process (``hearth index`` next to the app)
        # may add rows.
        self._next_ids.clear()

    def _changed(self) -> None:
        if self.dirty_since is None:
            self.dirty_since = time.monotonic()


def _below(folder: str) -> tuple[str, tuple[str, str]]:
    """A condition on ``path`` that holds for the paths below the relative ``folder``,
    with its parameters: a range on the path's index (LIKE would read every row, and
    match letters in either case: ``Docs`` would take ``docs/`` along)."""
    prefix = folder.rstrip("/") + "/"
    return "path >= ? AND path < ?", (prefix, prefix[:-1] + "0")  # "0" comes right after "/"


def index_storage_error(exc: BaseException, db_path: Path) -> StorageError:
    """A plain-language error for a disk or permission failure of the index at ``db_path``."""
    return storage_error(exc, f"the project index {db_path}")


def _opened(
    db_path: Path, connect: Callable[[Path], sqlite3.Connection]
) -> tuple[sqlite3.Connection, tuple[int, int] | None]:
    """``connect(db_path)``, and the ``file_identity`` of the file the connection holds:
    None when the file at ``db_path`` was replaced while it opened (which one it holds
    is then unknown, and it is never taken for the one at ``db_path``)."""
    before = file_identity(db_path)
    conn = connect(db_path)
    after = file_identity(db_path)
    return conn, (after if before in (None, after) else None)


def _open(db_path: Path) -> sqlite3.Connection:
    """A connection to the database at ``db_path`` (made when missing), holding the file
    open but not reading it yet."""
    return sqlite3.connect(db_path, check_same_thread=False, isolation_level="DEFERRED")


def _connect(db_path: Path) -> sqlite3.Connection:
    conn = _open(db_path)
    _configure(conn)
    return conn


def _configure(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
    _use_wal(conn)
    conn.execute("PRAGMA synchronous=NORMAL")  # a crash may lose the last commit, never corrupt
    conn.execute("PRAGMA cache_size=-16000")


def _use_wal(conn: sqlite3.Connection) -> None:
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            # Two processes turning a new file to WAL at once: SQLite answers "busy" at
            # once instead of waiting (waiting could deadlock), so wait here.
            if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY" or time.monotonic() > deadline:
                raise
            time.sleep(_WAL_RETRY_S)


def _create(db_path: Path, root: Path) -> tuple[sqlite3.Connection, tuple[int, int] | None]:
    """A new index at ``db_path``, where the unusable one was discarded, or the one another
    process has made there meanwhile (``_create_schema`` leaves it as it is); with the
    ``file_identity`` of the file the connection holds."""
    conn, opened = _opened(db_path, _connect)
    try:
        _create_schema(conn, root)
    except sqlite3.Error:
        # A half-made file (the disk filled up) must not pass for an index next time.
        discard_index(db_path, opened, conn.close)
        raise
    return conn, opened


def _remove_database(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _statements(script: str) -> list[str]:
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending)
            pending = ""
    return statements


_SCHEMA_STATEMENTS = _statements(_SCHEMA)


def _create_schema(conn: sqlite3.Connection, root: Path) -> None:
    """Make the schema in an empty database; leave a database another process made alone.

    All in one write transaction that looks again once it holds the lock: two processes
    opening a new index at once would otherwise both create tables, and the loser would
    take the other's fresh file for a damaged one and delete it."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not _tables(conn):
            _fill_schema(conn, root)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


def _fill_schema(conn: sqlite3.Connection, root: Path) -> None:
    for statement in _SCHEMA_STATEMENTS:  # not executescript: it commits first
        conn.execute(statement)
    # Merge FTS segments in larger steps (default 4): a cold index writes many small
    # segments, and merging them less often is cheaper; results are the same.
    for table in ("chunk_fts", "symbol_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES('automerge', 8)")
    conn.executemany(
        "INSERT INTO meta(key, value) VALUES(?,?)",
        [("schema_version", str(SCHEMA_VERSION)), ("root", str(root)), ("generation", "0"), ("complete", "0")],
    )


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStats:
    """Row counts of an index."""

    files: int
    symbols: int
    chunks: int
    skipped: int
    refs: int


@dataclass(frozen=True)
class FileRow:
    """An indexed file."""

    id: int
    path: str
    language: str | None
    size: int
    line_count: int


@dataclass(frozen=True)
class SkippedFile:
    """A file the index left out, and why."""

    path: str
    reason: str
    detail: str


@dataclass(frozen=True)
class SymbolRow:
    """A definition, with the path of its file."""

    id: int
    path: str
    name: str
    kind: str
    scope: str
    signature: str
    doc: str
    start_line: int
    end_line: int


def open_reader(db_path: Path) -> sqlite3.Connection:
    """A read-only connection to an index (usable from any one thread at a time).

    Raises ``IndexMissing`` when there is no index at ``db_path`` yet.
    """
    if not Path(db_path).is_file():
        raise IndexMissing("This project has not been indexed yet.", str(db_path))
    conn = sqlite3.connect(f"{Path(db_path).as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only=1")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


_SYMBOL_COLUMNS = (
    "s.id, f.path, s.name, s.kind, s.scope, s.signature, s.doc, s.start_line, s.end_line"
)


class IndexReader:
    """Primitive queries over an index, returning frozen rows."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def generation(self) -> int:
        """A number that changes whenever the index does (for caching derived data)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key='generation'").fetchone()
        return int(row[0]) if row else 0

    def stats(self) -> IndexStats:
        """How many files, symbols, chunks, skipped files and reference rows there are."""
        counts = [
            self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("files", "symbols", "chunks", "skipped", "refs")
        ]
        return IndexStats(*counts)

    def files(self) -> list[FileRow]:
        """Every indexed file, by path."""
        rows = self.conn.execute("SELECT id, path, language, size, line_count FROM files ORDER BY path")
        return [FileRow(*row) for row in rows]

    def skipped(self) -> list[SkippedFile]:
        """Every skipped file with its reason, by path."""
        rows = self.conn.execute("SELECT path, reason, detail FROM skipped ORDER BY path")
        return [SkippedFile(*row) for row in rows]

    def symbols_named(self, name: str) -> list[SymbolRow]:
        """Definitions with exactly this name."""
        rows = self.conn.execute(
            f"SELECT {_SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.name = ?",
            (name,),
        )
        return [SymbolRow(*row) for row in rows]

    def symbols_in_file(self, path: str) -> list[SymbolRow]:
        """The definitions of one file, in line order."""
        rows = self.conn.execute(
            f"SELECT {_SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id"
            " WHERE f.path = ? ORDER BY s.start_line",
            (path,),
        )
        return [SymbolRow(*row) for row in rows]

    def symbols(self, ids: Sequence[int]) -> list[SymbolRow]:
        """Definitions by id, in the order given (unknown ids left out)."""
        found = {
            row[0]: SymbolRow(*row)
            for row in self._by_ids(
                f"SELECT {_SYMBOL_COLUMNS} FROM symbols s JOIN files f ON f.id = s.file_id WHERE s.id IN", ids
            )
        }
        return [found[i] for i in ids if i in found]

    def chunks(self, ids: Sequence[int]) -> list[ChunkRow]:
        """Chunks by id with their text, in the order given (unknown ids left out)."""
        found = {
            row[0]: ChunkRow(*row)
            for row in self._by_ids(
                "SELECT id, path, start_line, end_line, kind, symbol, text FROM chunk_view WHERE id IN", ids
            )
        }
        return [found[i] for i in ids if i in found]

    def match_chunks(
        self,
        match: str,
        limit: int,
        weights: Sequence[float] = DEFAULT_CHUNK_WEIGHTS,
        ids: tuple[int, int] | None = None,
    ) -> list[tuple[int, float]]:
        """Chunk ids for an FTS5 ``match`` expression, best first (equal scores by id),
        with score = -bm25; with ``ids`` (first, last), only chunks in that id range
        (scores stay those of the whole table, so two ranges' results merge exactly).

        Equal scores are common (a file copied into several places). SQLite happens to
        keep them in id order but promises nothing; asked for it, a longer list always
        starts with a shorter one's rows and two ranges merge as one query orders them."""
        if not match:
            return []
        rank = f"bm25(chunk_fts, {', '.join(str(float(x)) for x in weights)})"
        within, bounds = ("AND rowid BETWEEN ? AND ?", ids) if ids is not None else ("", ())
        rows = self.conn.execute(
            f"SELECT rowid, -{rank} FROM chunk_fts WHERE chunk_fts MATCH ? {within} ORDER BY {rank}, rowid LIMIT ?",
            (match, *bounds, limit),
        )
        return [(row[0], row[1]) for row in rows]

    def match_symbols(self, match: str, limit: int) -> list[tuple[int, float]]:
        """Symbol ids for an FTS5 ``match`` over names and docstrings, best first."""
        if not match:
            return []
        rows = self.conn.execute(
            "SELECT rowid, -bm25(symbol_fts, 3.0, 1.0, 1.0) FROM symbol_fts WHERE symbol_fts MATCH ?"
            " ORDER BY bm25(symbol_fts, 3.0, 1.0, 1.0), rowid LIMIT ?",
            (match, limit),
        )
        return [(row[0], row[1]) for row in rows]

    def ref_edges(self) -> list[tuple[str, str, str, int]]:
        """Cross-file references ``(from_path, to_path, name, count)`` for the graph."""
        rows = self.conn.execute(
            "SELECT fr.path, fd.path, r.name, r.count FROM refs r"
            " JOIN symbols s ON s.name = r.name AND s.file_id != r.file_id"
            " JOIN files fr ON fr.id = r.file_id JOIN files fd ON fd.id = s.file_id"
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]

    def _by_ids(self, sql: str, ids: Iterable[int]) -> list[sqlite3.Row]:
        ids = list(ids)
        rows: list[sqlite3.Row] = []
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            rows.extend(self.conn.execute(f"{sql} ({','.join('?' * len(part))})", part))
        return rows
