"""One SQLite file of Hearth's own data (chats, the edit history): opened the same way.

WAL mode so readers never wait for a writer; schema versions in ``PRAGMA user_version``
with a list of migrations that only ever grows; one connection shared by all threads
behind a lock (the calls are short). A file that is not a readable database is moved
aside (``<name>.corrupt-<timestamp>``) with a logged warning and a fresh one started:
losing chats or undo is bad, failing to start is worse, and the old file stays for
anyone who wants to recover it. Every SQLite or file-system failure becomes a
``StorageError`` that names the database and says what to do.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from desktop.core.errors import StorageError

log = logging.getLogger(__name__)

Migrations = Sequence[Sequence[str]]  # entry N holds the statements that bring version N to N+1


class AppDatabase:
    """An open SQLite database of Hearth's data, migrated to the latest schema.

    ``label`` names it in messages ("chats database", "edit history").
    """

    def __init__(self, db_path: Path, label: str, migrations: Migrations, *, foreign_keys: bool = False) -> None:
        self.db_path = Path(db_path)
        self.label = label
        self._migrations = migrations
        self._foreign_keys = foreign_keys
        self.lock = threading.RLock()
        self._conn = self._open()

    @property
    def schema_version(self) -> int:
        return len(self._migrations)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run statements atomically under the lock; SQLite errors become StorageError."""
        with self.lock:
            conn = self._conn
            try:
                conn.execute("BEGIN")
                yield conn
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                _rollback(conn)
                raise self.storage_error(exc) from None
            except BaseException:
                _rollback(conn)
                raise

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self.lock:
            try:
                self._conn.close()
            except sqlite3.Error:
                log.debug("closing %s failed", self.db_path, exc_info=True)

    def storage_error(self, exc: BaseException) -> StorageError:
        """A plain-language error for a failure of this database."""
        return storage_error(exc, f"the {self.label} {self.db_path}")

    # --- opening ------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self.storage_error(exc) from None
        try:
            return self._connect_and_migrate()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise self.storage_error(exc) from None
            self._move_aside(exc)
            try:
                return self._connect_and_migrate()
            except sqlite3.Error as retry_exc:
                raise self.storage_error(retry_exc) from None

    def _connect_and_migrate(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None, timeout=10.0)
        try:
            # Reading the schema is what reveals a file that is not a database.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute("PRAGMA journal_mode=WAL")
            if self._foreign_keys:
                conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
            if version > self.schema_version:
                raise StorageError(
                    f"The {self.label} {self.db_path} was written by a newer Hearth "
                    f"(schema {version}, this one knows {self.schema_version}).",
                    "Update Hearth, or move the file away to start afresh.",
                )
            self._migrate(conn, version)
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection, version: int) -> None:
        for target in range(version + 1, self.schema_version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in self._migrations[target - 1]:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {target}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def _move_aside(self, reason: Exception) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.db_path.with_name(f"{self.db_path.name}.corrupt-{stamp}")
        suffix = 1
        while target.exists():
            suffix += 1
            target = self.db_path.with_name(f"{self.db_path.name}.corrupt-{stamp}-{suffix}")
        log.warning("%s %s is unreadable (%s); moved it to %s and started a new one",
                    self.label, self.db_path, reason, target)
        try:
            self.db_path.replace(target)
            for side in ("-wal", "-shm"):
                side_file = self.db_path.with_name(self.db_path.name + side)
                if side_file.exists():
                    side_file.replace(target.with_name(target.name + side))
        except OSError as exc:
            raise self.storage_error(exc) from None


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite has already rolled back after some errors (a full disk, a closed database);
    # then there is nothing left to undo.
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.debug("rollback failed", exc_info=True)


def storage_error(exc: BaseException, where: str) -> StorageError:
    """A plain-language ``StorageError`` for a SQLite or file-system failure of the
    database named by ``where`` ("the chats database /path/chats.sqlite3")."""
    # An OSError's text holds the path, and a path may say anything ("fullstack-app").
    text = ((exc.strerror or "") if isinstance(exc, OSError) else str(exc)).lower()
    errno = getattr(exc, "errno", None)
    if "full" in text or errno == 28:
        return StorageError(f"Could not save {where}: the disk is full.",
                            "Free some disk space; nothing already saved was lost.")
    if "readonly" in text or "read-only" in text or errno in (13, 30):
        return StorageError(f"Could not save {where}: the location is read-only.",
                            "Check the permissions of Hearth's data folder (or set HEARTH_HOME).")
    if "unable to open" in text or isinstance(exc, OSError):
        return StorageError(f"Could not open {where}.",
                            "Check that Hearth's data folder exists and is writable (or set HEARTH_HOME).")
    if "locked" in text or "busy" in text:
        return StorageError(f"{where[0].upper()}{where[1:]} is locked by another program.",
                            "Close other Hearth windows and try again.")
    return StorageError(f"{where[0].upper()}{where[1:]} failed: {exc}.")


_IN_THE_WAY = ("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_PERM", "SQLITE_IOERR")


def is_in_the_way(exc: BaseException) -> bool:
    """True when the disk, its permissions or another program stopped a database
    operation (full, read-only, locked, I/O error): making the file again would not help."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    return isinstance(exc, OSError) or name.startswith(_IN_THE_WAY)


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True when ``exc`` says the file is damaged or not a database (rather than that
    the disk, its permissions or another program stood in the way)."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    text = str(exc).lower()
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "not a database" in text or "malformed" in text or "corrupt" in text
