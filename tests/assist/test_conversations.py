"""The chat store on a real SQLite file under the test's HEARTH_HOME."""

from __future__ import annotations

import logging
import sqlite3
import threading

import pytest

from desktop.assist.conversations import (
    DEFAULT_TITLE,
    SCHEMA_VERSION,
    Conversation,
    ConversationStore,
    StoredMessage,
)
from desktop.core.chat import ChatStats
from desktop.core.errors import StorageError
from desktop.core.paths import HearthPaths


@pytest.fixture
def db_path():
    return HearthPaths.from_env().chats_db


@pytest.fixture
def store(db_path):
    store = ConversationStore(db_path)
    yield store
    store.close()


def test_database_is_created_in_wal_mode_with_schema_version(store, db_path):
    assert db_path.exists()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_create_get_list_rename_delete(store):
    first = store.create_conversation("proj-a")
    second = store.create_conversation("proj-a", title="Parser questions")
    other = store.create_conversation("proj-b")
    assert isinstance(first, Conversation)
    assert first.title == DEFAULT_TITLE
    assert store.get_conversation(second.id) == second
    assert [c.id for c in store.list_conversations("proj-a")] == [second.id, first.id]
    assert [c.id for c in store.list_conversations("proj-b")] == [other.id]

    store.rename_conversation(first.id, "  Build   failures \n")
    renamed = store.get_conversation(first.id)
    assert renamed is not None and renamed.title == "Build failures"
    assert [c.id for c in store.list_conversations("proj-a")] == [first.id, second.id]

    store.rename_conversation(first.id, "   ")
    assert store.get_conversation(first.id).title == DEFAULT_TITLE

    store.delete_conversation(first.id)
    assert store.get_conversation(first.id) is None
    assert [c.id for c in store.list_conversations("proj-a")] == [second.id]
    store.delete_conversation(first.id)  # deleting twice is harmless


def test_messages_round_trip_with_all_fields(store):
    conversation = store.create_conversation("proj")
    stats = ChatStats(done_reason="stop", prompt_eval_count=12, eval_count=34,
                      total_duration_ns=5_000, eval_duration_ns=2_000)
    question = store.add_message(conversation.id, "user", "What does main() do?")
    answer = store.add_message(
        conversation.id, "assistant", "It starts the app.", thinking="Look at main.",
        model="qwen2.5-coder:7b", stats=stats,
    )
    partial = store.add_message(conversation.id, "assistant", "Half", incomplete=True,
                                error="Stopped")
    stored = store.messages(conversation.id)
    assert stored == [question, answer, partial]
    assert isinstance(stored[1], StoredMessage)
    assert stored[1].stats == stats
    assert stored[1].thinking == "Look at main."
    assert stored[0].stats is None
    assert stored[2].incomplete and stored[2].error == "Stopped"


def test_adding_a_message_moves_the_conversation_to_the_top(store):
    older = store.create_conversation("proj")
    newer = store.create_conversation("proj")
    store.add_message(older.id, "user", "bump")
    assert [c.id for c in store.list_conversations("proj")] == [older.id, newer.id]


def test_delete_messages_from_removes_that_one_and_later(store):
    conversation = store.create_conversation("proj")
    ids = [store.add_message(conversation.id, "user", f"m{n}").id for n in range(4)]
    store.delete_messages_from(conversation.id, ids[2])
    assert [m.content for m in store.messages(conversation.id)] == ["m0", "m1"]


def test_deleting_a_conversation_deletes_its_messages(store, db_path):
    conversation = store.create_conversation("proj")
    store.add_message(conversation.id, "user", "hello")
    store.delete_conversation(conversation.id)
    assert store.messages(conversation.id) == []
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


def test_adding_to_a_deleted_conversation_is_a_clear_error(store):
    conversation = store.create_conversation("proj")
    store.delete_conversation(conversation.id)
    with pytest.raises(StorageError, match="no longer exists"):
        store.add_message(conversation.id, "user", "lost?")


def test_everything_survives_a_restart(db_path):
    first = ConversationStore(db_path)
    conversation = first.create_conversation("proj", "Kept")
    first.add_message(conversation.id, "user", "question")
    first.add_message(conversation.id, "assistant", "answer", stats=ChatStats(eval_count=3))
    conversation = first.get_conversation(conversation.id)
    first.close()

    second = ConversationStore(db_path)
    try:
        assert second.list_conversations("proj") == [conversation]
        assert [m.content for m in second.messages(conversation.id)] == ["question", "answer"]
        assert second.messages(conversation.id)[1].stats == ChatStats(eval_count=3)
    finally:
        second.close()


def test_corrupt_file_is_moved_aside_and_a_new_database_started(db_path, caplog):
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not a database at all" * 100
    db_path.write_bytes(garbage)
    with caplog.at_level(logging.WARNING, logger="desktop.assist.conversations"):
        store = ConversationStore(db_path)
    try:
        assert store.list_conversations("proj") == []
        created = store.create_conversation("proj")
        assert store.get_conversation(created.id) == created
    finally:
        store.close()
    aside = list(db_path.parent.glob("chats.sqlite3.corrupt-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == garbage
    assert "moved it to" in caplog.text


def test_damaged_pages_are_detected_and_moved_aside(db_path):
    store = ConversationStore(db_path)
    conversation = store.create_conversation("proj")
    for n in range(200):
        store.add_message(conversation.id, "user", "x" * 500 + str(n))
    store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    page_size = 4096
    for offset in range(page_size * 2, len(data), page_size):
        data[offset:offset + 64] = b"\xde\xad\xbe\xef" * 16  # smash every page header
    db_path.write_bytes(bytes(data))

    recovered = ConversationStore(db_path)
    try:
        assert recovered.list_conversations("proj") == []
    finally:
        recovered.close()
    assert list(db_path.parent.glob("chats.sqlite3.corrupt-*"))


def test_database_from_a_newer_hearth_is_refused_not_destroyed(db_path):
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(StorageError, match="newer Hearth"):
        ConversationStore(db_path)
    assert db_path.exists()
    assert not list(db_path.parent.glob("chats.sqlite3.corrupt-*"))


def test_unopenable_location_is_a_storage_error(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(StorageError, match="Could not open the chats database"):
        ConversationStore(blocker / "chats.sqlite3")


def test_disk_full_is_a_storage_error_and_keeps_earlier_data(store):
    conversation = store.create_conversation("proj")
    store.add_message(conversation.id, "user", "saved before the disk filled")
    # SQLite's own page limit produces the same SQLITE_FULL error as a full disk.
    with store._db.transaction() as conn:
        page_count = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {page_count}")
    with pytest.raises(StorageError, match="disk is full"):
        store.add_message(conversation.id, "assistant", "y" * 200_000)
    assert [m.content for m in store.messages(conversation.id)] == ["saved before the disk filled"]


def test_many_threads_write_and_read_safely(store):
    conversation = store.create_conversation("proj")
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for n in range(25):
                store.add_message(conversation.id, "user", f"{worker}-{n}")
                store.messages(conversation.id)
                store.list_conversations("proj")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    contents = {m.content for m in store.messages(conversation.id)}
    assert contents == {f"{w}-{n}" for w in range(8) for n in range(25)}


def test_two_stores_on_one_file_see_each_others_writes(db_path):
    writer = ConversationStore(db_path)
    reader = ConversationStore(db_path)
    try:
        conversation = writer.create_conversation("proj")
        writer.add_message(conversation.id, "user", "hello")
        assert [m.content for m in reader.messages(conversation.id)] == ["hello"]
    finally:
        writer.close()
        reader.close()
