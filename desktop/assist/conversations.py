"""Chats that survive a restart: one SQLite file for all projects.

The database lives at ``HearthPaths.chats_db`` (never in the project). It runs in WAL
mode so the UI can read while an answer is being saved. One connection is shared by
all threads behind a lock; SQLite calls are short, so the lock is never held long.

A file that is not a readable database is moved aside (``chats.sqlite3.corrupt-<ts>``)
with a logged warning and a fresh one is started: losing the chat list is bad, failing
to start is worse, and the old file stays for anyone who wants to recover it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from desktop.assist.context import ContextPlan
from desktop.core.chat import ChatStats
from desktop.core.app_db import AppDatabase
from desktop.core.errors import StorageError

log = logging.getLogger(__name__)

DEFAULT_TITLE = "New chat"

# One entry per schema version: the statements that bring version N-1 to N. Later
# issues append entries; existing ones never change.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            project_key TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        )
        """,
        "CREATE INDEX conversations_by_project ON conversations (project_key, updated_at)",
        """
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            conversation_id INTEGER NOT NULL
                REFERENCES conversations (id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            content TEXT NOT NULL,
            thinking TEXT NOT NULL DEFAULT '',
            model TEXT NOT NULL DEFAULT '',
            incomplete INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            stats TEXT,
            created_at REAL NOT NULL
        )
        """,
        "CREATE INDEX messages_by_conversation ON messages (conversation_id, id)",
    ),
    # 2: what an answer was given (desktop.assist.context.ContextPlan as JSON).
    ("ALTER TABLE messages ADD COLUMN context TEXT",),
)
SCHEMA_VERSION = len(_MIGRATIONS)


@dataclass(frozen=True)
class Conversation:
    """A chat's header: which project it belongs to and its title."""

    id: int
    project_key: str
    title: str
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class StoredMessage:
    """One saved message. ``incomplete`` answers stopped early; ``error`` says why."""

    id: int
    conversation_id: int
    role: str
    content: str
    thinking: str = ""
    model: str = ""
    incomplete: bool = False
    error: str = ""
    stats: ChatStats | None = None
    created_at: float = 0.0
    context: ContextPlan | None = None  # what the answer was given (assistant messages)

    @classmethod
    def draft(cls, role: str, content: str, **fields: object) -> "StoredMessage":
        """A message as shown before (or without) being saved: no ids yet."""
        return cls(0, 0, role, content, **fields)  # type: ignore[arg-type]


class ConversationStore:
    """Conversations and their messages in one SQLite database; safe across threads."""

    def __init__(self, db_path: Path, clock: Callable[[], float] = time.time) -> None:
        self.db_path = Path(db_path)
        self._clock = clock
        self._db = AppDatabase(self.db_path, "chats database", _MIGRATIONS, foreign_keys=True)

    # --- conversations -------------------------------------------------------------

    def list_conversations(self, project_key: str) -> list[Conversation]:
        """The project's conversations, most recently updated first."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, project_key, title, created_at, updated_at FROM conversations"
                " WHERE project_key = ? ORDER BY updated_at DESC, id DESC",
                (project_key,),
            ).fetchall()
        return [Conversation(*row) for row in rows]

    def create_conversation(self, project_key: str, title: str = DEFAULT_TITLE) -> Conversation:
        """Start an empty conversation for the project."""
        now = self._clock()
        title = _clean_title(title)
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO conversations (project_key, title, created_at, updated_at)"
                " VALUES (?, ?, ?, ?)",
                (project_key, title, now, now),
            )
            new_id = int(cursor.lastrowid or 0)
        return Conversation(new_id, project_key, title, now, now)

    def get_conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation, or None when it does not exist (any more)."""
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT id, project_key, title, created_at, updated_at FROM conversations"
                " WHERE id = ?",
                (conversation_id,),
            ).fetchone()
        return Conversation(*row) if row else None

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        """Give the conversation a new title (blank titles become the default)."""
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?",
                (_clean_title(title), self._clock(), conversation_id),
            )

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete the conversation and its messages; unknown ids are ignored."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # --- messages --------------------------------------------------------------------

    def messages(self, conversation_id: int) -> list[StoredMessage]:
        """The conversation's messages, oldest first."""
        with self._db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, conversation_id, role, content, thinking, model, incomplete,"
                " error, stats, created_at, context FROM messages WHERE conversation_id = ?"
                " ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return [_message_from_row(row) for row in rows]

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str,
        *,
        thinking: str = "",
        model: str = "",
        incomplete: bool = False,
        error: str = "",
        stats: ChatStats | None = None,
        context: ContextPlan | None = None,
    ) -> StoredMessage:
        """Append a message; raises ``StorageError`` if the conversation is gone."""
        now = self._clock()
        stats_json = json.dumps(asdict(stats)) if stats is not None else None
        context_json = context.to_json() if context is not None else None
        with self._db.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if not exists:
                raise StorageError(
                    f"The chat (id {conversation_id}) no longer exists; the message was not saved."
                )
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, role, content, thinking, model,"
                " incomplete, error, stats, created_at, context)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, thinking, model, int(incomplete), error,
                 stats_json, now, context_json),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id)
            )
            new_id = int(cursor.lastrowid or 0)
        return StoredMessage(new_id, conversation_id, role, content, thinking, model,
                             incomplete, error, stats, now, context)

    def delete_messages_from(self, conversation_id: int, message_id: int) -> None:
        """Delete ``message_id`` and every later message of the conversation."""
        with self._db.transaction() as conn:
            conn.execute(
                "DELETE FROM messages WHERE conversation_id = ? AND id >= ?",
                (conversation_id, message_id),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?",
                (self._clock(), conversation_id),
            )

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        self._db.close()

def _message_from_row(row: tuple) -> StoredMessage:
    (message_id, conversation_id, role, content, thinking, model, incomplete, error,
     stats_json, created_at, context_json) = row
    return StoredMessage(
        id=message_id,
        conversation_id=conversation_id,
        role=role,
        content=content,
        thinking=thinking,
        model=model,
        incomplete=bool(incomplete),
        error=error,
        stats=_stats_from_json(stats_json),
        created_at=created_at,
        context=_context_from_json(context_json),
    )


def _context_from_json(text: str | None) -> ContextPlan | None:
    if not text:
        return None
    try:
        return ContextPlan.from_json(text)
    except ValueError:
        log.warning("ignoring an unreadable context record on a saved message")
        return None


def _stats_from_json(text: str | None) -> ChatStats | None:
    if not text:
        return None
    try:
        values = json.loads(text)
        known = {key: values[key] for key in ChatStats.__dataclass_fields__ if key in values}
        return ChatStats(**known)
    except (ValueError, TypeError):
        log.warning("ignoring unreadable stats on a saved message")
        return None


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    return title or DEFAULT_TITLE
