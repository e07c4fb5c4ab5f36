"""The one way Hearth opens its own SQLite files (desktop/core/app_db.py)."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.app_db import AppDatabase, storage_error
from desktop.core.errors import StorageError

MIGRATIONS = (("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)",),)
MORE = (*MIGRATIONS, ("ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT ''",))


def test_a_new_database_is_created_in_wal_mode_at_the_latest_schema(tmp_path):
    db = AppDatabase(tmp_path / "sub" / "notes.sqlite3", "notes", MIGRATIONS)
    with db.transaction() as conn:
        conn.execute("INSERT INTO notes (text) VALUES ('kept')")
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()


def test_an_older_schema_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "notes.sqlite3"
    old = AppDatabase(path, "notes", MIGRATIONS)
    with old.transaction() as conn:
        conn.execute("INSERT INTO notes (text) VALUES ('from v1')")
    old.close()
    new = AppDatabase(path, "notes", MORE)
    with new.transaction() as conn:
        assert conn.execute("SELECT text, tag FROM notes").fetchall() == [("from v1", "")]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    new.close()


def test_a_file_that_is_not_a_database_is_moved_aside_and_a_new_one_starts(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    db = AppDatabase(path, "notes", MIGRATIONS)
    with db.transaction() as conn:
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    db.close()
    aside = list(tmp_path.glob("notes.sqlite3.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not sqlite")


def test_a_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite3"
    AppDatabase(path, "notes", MORE).close()
    with pytest.raises(StorageError, match="newer Hearth"):
        AppDatabase(path, "notes", MIGRATIONS)
    assert path.exists() and not list(tmp_path.glob("*.corrupt-*"))


def test_a_failed_transaction_rolls_back_and_names_the_database(tmp_path):
    db = AppDatabase(tmp_path / "notes.sqlite3", "notes", MIGRATIONS)
    with pytest.raises(StorageError, match="notes"):
        with db.transaction() as conn:
            conn.execute("INSERT INTO notes (text) VALUES ('rolled back')")
            conn.execute("INSERT INTO notes (text) VALUES (NULL)")  # NOT NULL fails
    with db.transaction() as conn:
        assert conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    db.close()


def test_a_full_disk_is_a_clear_message(tmp_path):
    db = AppDatabase(tmp_path / "notes.sqlite3", "notes", MIGRATIONS)
    with db.transaction() as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite reports SQLITE_FULL, as for a full disk
    with pytest.raises(StorageError, match="the disk is full"):
        with db.transaction() as conn:
            conn.execute("INSERT INTO notes (text) VALUES (?)", ("x" * 200_000,))
    db.close()


def test_a_missing_folder_that_cannot_be_created_is_a_clear_message(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="Could not open the notes"):
        AppDatabase(blocker / "notes.sqlite3", "notes", MIGRATIONS)


def test_closing_twice_is_harmless(tmp_path):
    db = AppDatabase(tmp_path / "notes.sqlite3", "notes", MIGRATIONS)
    db.close()
    db.close()
    with pytest.raises((StorageError, sqlite3.ProgrammingError)):
        with db.transaction() as conn:
            conn.execute("SELECT 1")


def test_the_cause_is_read_from_the_error_not_from_the_path_it_names():
    denied = PermissionError(13, "Permission denied", "/cache/projects/fullstack-app-1f2e/index.sqlite3")
    error = storage_error(denied, "the project index /cache/projects/fullstack-app-1f2e/index.sqlite3")
    assert "read-only" in error.message and "full" not in error.message.split(":")[-1]
    full = OSError(28, "No space left on device", "/cache/readonly-notes/index.sqlite3")
    assert storage_error(full, "the project index").message.endswith("the disk is full.")
