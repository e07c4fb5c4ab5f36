"""The project's edit history: every applied edit, and undoing it safely.

One SQLite database per project (``HearthPaths.project_data_dir(root)/edits.sqlite3``,
never inside the project) in WAL mode, so the history survives a restart. An entry
keeps the text before and after the edit and the file's format; undo writes the
before text back atomically — but only while the file still holds exactly what the
edit wrote. When something else changed the file since, undoing would throw that
change away, so Hearth refuses and says so.

A file that is not a readable database is moved aside (``edits.sqlite3.corrupt-<ts>``)
with a logged warning and a fresh history starts: losing undo is bad, failing to open
the project is worse.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, replace
from pathlib import Path

from desktop.assist.edits.files import current_mode, current_sha256, encode_text, sha256_of, write_atomically
from desktop.assist.edits.model import AppliedEdit, FileFormat, OutsideProject, UndoRefused
from desktop.core.app_db import AppDatabase
from desktop.core.paths import HearthPaths

log = logging.getLogger(__name__)

DB_NAME = "edits.sqlite3"
KEEP_ENTRIES = 200
"""The newest edits kept per project; each holds two copies of a file, so older ones go."""

_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE edits (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            relative TEXT NOT NULL,
            before_sha256 TEXT NOT NULL,
            after_sha256 TEXT NOT NULL,
            before_text TEXT NOT NULL,
            after_text TEXT NOT NULL,
            format TEXT NOT NULL,
            hunks_accepted INTEGER NOT NULL,
            hunks_total INTEGER NOT NULL,
            applied_at REAL NOT NULL,
            action_id TEXT NOT NULL DEFAULT '',
            undone_at REAL
        )
        """,
    ),
)

_COLUMNS = (
    "id, relative, before_sha256, after_sha256, before_text, after_text, format,"
    " hunks_accepted, hunks_total, applied_at, action_id, undone_at"
)


class UndoHistory:
    """Applied edits of one project, newest first, and undo; safe across threads."""

    def __init__(self, db_path: Path, root: Path) -> None:
        self.db_path = Path(db_path)
        self.root = Path(root).expanduser().resolve()
        self._db = AppDatabase(self.db_path, "edit history", _MIGRATIONS)

    @classmethod
    def for_project(cls, paths: HearthPaths, root: Path) -> "UndoHistory":
        """The history of the project at ``root``, kept in Hearth's data folder."""
        return cls(paths.project_data_dir(root) / DB_NAME, root)

    # --- entries ---------------------------------------------------------------------

    def record(self, applied: AppliedEdit) -> AppliedEdit:
        """Store an applied edit (forgetting all but the newest ``KEEP_ENTRIES``); returns it with its id."""
        with self._db.transaction() as conn:
            cursor = conn.execute(
                f"INSERT INTO edits ({_COLUMNS}) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (applied.relative, applied.before_sha256, applied.after_sha256, applied.before_text,
                 applied.after_text, json.dumps(asdict(applied.format)), applied.hunks_accepted,
                 applied.hunks_total, applied.applied_at, applied.action_id,
                 time.time() if applied.undone else None),
            )
            new_id = int(cursor.lastrowid or 0)
            conn.execute("DELETE FROM edits WHERE id <= ?", (new_id - KEEP_ENTRIES,))
        return replace(applied, id=new_id)

    def entries(self, limit: int = 50) -> list[AppliedEdit]:
        """The latest ``limit`` edits, newest first (undone ones included, marked)."""
        with self._db.transaction() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM edits ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_entry(row) for row in rows]

    def get(self, entry_id: int) -> AppliedEdit | None:
        """One entry, or None when there is no such id."""
        with self._db.transaction() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM edits WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row else None

    def last_undoable(self) -> AppliedEdit | None:
        """The newest edit not undone yet (it may still be refused if the file changed)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM edits WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return _entry(row) if row else None

    # --- undo ------------------------------------------------------------------------

    def undo(self, entry_id: int | None = None) -> AppliedEdit:
        """Put the file back as it was before the edit (the newest one when no id is given).

        Raises ``UndoRefused`` when there is nothing to undo, the edit was undone already,
        or the file was changed or deleted after the edit (that change is never lost);
        ``OutsideProject`` when the path now leads out of the project; ``EditError``
        when the write fails (the file is then untouched).
        """
        with self._db.lock:
            entry = self.last_undoable() if entry_id is None else self.get(entry_id)
            if entry is None:
                raise UndoRefused("There is no edit to undo." if entry_id is None else f"There is no edit {entry_id} in the history.")
            if entry.undone:
                raise UndoRefused(f"The edit of {entry.relative} was already undone.")
            path = self._path_of(entry.relative)
            _ensure_as_applied(entry, path)  # before writing anything; and again at the last moment
            data = encode_text(entry.before_text, entry.format)
            write_atomically(path, data, current_mode(path, entry.format.mode),
                             still_as_read=lambda: _ensure_as_applied(entry, path))
            if sha256_of(data) != entry.before_sha256:
                log.info("undo of %s restored the text; the bytes differ from the original (mixed line endings)",
                         entry.relative)
            with self._db.transaction() as conn:
                conn.execute("UPDATE edits SET undone_at = ? WHERE id = ?", (time.time(), entry.id))
        return replace(entry, undone=True)

    def _path_of(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root):
            raise OutsideProject(f"{relative} now leads outside the project; it was not touched.")
        return path

    def close(self) -> None:
        """Close the database; the history cannot be used afterwards."""
        self._db.close()

def _entry(row: tuple) -> AppliedEdit:
    (entry_id, relative, before_sha, after_sha, before_text, after_text, fmt_json,
     accepted, total, applied_at, action_id, undone_at) = row
    return AppliedEdit(
        id=entry_id,
        relative=relative,
        before_sha256=before_sha,
        after_sha256=after_sha,
        before_text=before_text,
        after_text=after_text,
        format=_format(fmt_json),
        hunks_accepted=accepted,
        hunks_total=total,
        applied_at=applied_at,
        action_id=action_id,
        undone=undone_at is not None,
    )


def _format(text: str) -> FileFormat:
    values = json.loads(text)
    known = {key: values[key] for key in FileFormat.__dataclass_fields__ if key in values}
    return FileFormat(**known)


def _ensure_as_applied(entry: AppliedEdit, path: Path) -> None:
    """Raise ``UndoRefused`` unless ``path`` still holds the bytes the edit wrote."""
    now = current_sha256(path)
    if now is None:
        raise UndoRefused(
            f"{entry.relative} was deleted or cannot be read after the edit was applied; there is nothing to undo.",
        )
    if now != entry.after_sha256:
        raise UndoRefused(
            f"{entry.relative} changed after the edit was applied; undoing would lose those changes.",
            "Undo it in your editor, or use version control.",
        )
