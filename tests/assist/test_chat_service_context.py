"""A real chat turn over the fake Ollama server sends retrieved code and records it."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest

from desktop.assist.chat_service import ChatService
from desktop.assist.context import CALIBRATION_FILE, ChatFocus, ContextPlan, TokenCalibration
from desktop.assist.conversations import ConversationStore
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatDone, ChatOptions
from desktop.core.paths import HearthPaths, project_key
from desktop.engine.ollama_engine import OllamaEngine
from desktop.index.indexer import ensure_index
from desktop.index.store import index_db_path

MODEL = "qwen2.5-coder:7b"
OPTIONS = ChatOptions(num_ctx=4096, temperature=0.1)
CACHE_PY = (
    "class LruCache:\n"
    '    """Keeps the most recently used entries."""\n\n'
    "    def evict_oldest(self):\n"
    '        """Drop the entry that was used least recently."""\n'
    "        key = next(iter(self._entries))\n"
    "        del self._entries[key]\n"
)


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    (root / "store").mkdir(parents=True)
    (root / "store" / "cache.py").write_text(CACHE_PY, encoding="utf-8")
    (root / "main.py").write_text("print('hello')\n", encoding="utf-8")
    return root


@pytest.fixture
def paths() -> HearthPaths:
    return HearthPaths.from_env().ensure()


@pytest.fixture
def store(paths):
    store = ConversationStore(paths.chats_db)
    yield store
    store.close()


def make_service(store, project, paths, fake_ollama) -> ChatService:
    return ChatService(store, project, OllamaEngine(fake_ollama.host),
                       index_db=index_db_path(paths, project),
                       calibration=TokenCalibration(paths.data_dir / CALIBRATION_FILE))


def test_chat_sends_retrieved_code_and_records_the_context(store, project, paths, fake_ollama):
    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    fake_ollama.answer = "It removes the least recently used entry."

    events = list(service.send(chat, "How does the cache drop its least recently used entry?",
                               MODEL, OPTIONS, CancelToken()))
    service.close()

    assert isinstance(events[-1], ChatDone)
    body = fake_ollama.last_chat_body
    assert body["options"]["num_ctx"] == 4096
    last = body["messages"][-1]["content"]
    assert "store/cache.py lines" in last and "del self._entries[key]" in last
    assert last.endswith("How does the cache drop its least recently used entry?")
    # the system prompt carries no file listing once the project is indexed
    assert "main.py" not in body["messages"][0]["content"]

    answer = store.messages(chat)[-1]
    assert answer.role == "assistant" and isinstance(answer.context, ContextPlan)
    record = answer.context
    assert any(item.path == "store/cache.py" and item.source == "retrieved" for item in record.items)
    assert record.used_tokens <= record.budget_tokens == 4096 - 1024
    assert record == service.last_context()


def test_calibration_is_learnt_from_the_servers_count(store, project, paths, fake_ollama):
    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    list(service.send(chat, "Where is the cache eviction?", MODEL, OPTIONS, CancelToken()))
    service.close()
    saved = json.loads((paths.data_dir / CALIBRATION_FILE).read_text())
    ratio = saved["models"][MODEL][0]
    # the fake server counts characters / 4; the plan estimated characters / 3.2 + overhead
    plan = service.last_context()
    expected = (sum(len(m.content) for m in plan.messages) // 4) / plan.raw_tokens
    assert ratio == pytest.approx(expected, abs=1e-3)
    assert service.calibration.estimator(MODEL).factor == pytest.approx(ratio * 1.05)


def test_focus_on_the_open_file_sends_the_symbol_at_the_cursor(store, project, paths, fake_ollama):
    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    focus = ChatFocus("store/cache.py", cursor_line=6)
    list(service.send(chat, "Is this safe on an empty cache?", MODEL, OPTIONS, CancelToken(), focus=focus))
    service.close()
    first = service.last_context().items[0]
    assert (first.source, first.symbol) == ("selection", "evict_oldest")
    assert "Code at the cursor: store/cache.py lines 4-7" in fake_ollama.last_chat_body["messages"][-1]["content"]


def test_without_an_index_the_listing_is_sent(store, project, paths, fake_ollama):
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    list(service.send(chat, "What is here?", MODEL, OPTIONS, CancelToken()))
    system = fake_ollama.last_chat_body["messages"][0]["content"]
    assert "main.py" in system and "store/cache.py" in system
    assert service.last_context().listing
    assert store.messages(chat)[-1].context.listing


def test_a_corrupt_index_falls_back_to_the_listing(store, project, paths, fake_ollama):
    ensure_index(project, paths)
    db = index_db_path(paths, project)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    events = list(service.send(chat, "What is here?", MODEL, OPTIONS, CancelToken()))
    assert isinstance(events[-1], ChatDone)
    assert service.last_context().listing
    assert "main.py" in fake_ollama.last_chat_body["messages"][0]["content"]


def test_older_chats_database_gains_the_context_column(paths, project):
    db = paths.chats_db
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, project_key TEXT NOT NULL,"
        " title TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL);"
        "CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id INTEGER NOT NULL,"
        " role TEXT NOT NULL, content TEXT NOT NULL, thinking TEXT NOT NULL DEFAULT '',"
        " model TEXT NOT NULL DEFAULT '', incomplete INTEGER NOT NULL DEFAULT 0,"
        " error TEXT NOT NULL DEFAULT '', stats TEXT, created_at REAL NOT NULL);"
        "INSERT INTO conversations VALUES (1, 'k', 'old chat', 1, 1);"
        "INSERT INTO messages (conversation_id, role, content, created_at) VALUES (1, 'assistant', 'hi', 1);"
        "PRAGMA user_version = 1;"
    )
    conn.close()
    store = ConversationStore(db)
    try:
        (old,) = store.messages(1)
        assert old.content == "hi" and old.context is None
        store.add_message(1, "assistant", "new", context=ContextPlan((), 10, 100, 2))
        assert store.messages(1)[-1].context == ContextPlan((), 10, 100, 2)
    finally:
        store.close()


def test_unreadable_context_record_is_ignored(paths):
    store = ConversationStore(paths.chats_db)
    try:
        chat = store.create_conversation("k").id
        store.add_message(chat, "assistant", "x")
        with sqlite3.connect(paths.chats_db) as conn:
            conn.execute("UPDATE messages SET context = '{broken'")
        assert store.messages(chat)[-1].context is None
    finally:
        store.close()


def test_an_index_made_again_while_the_chat_is_open_is_read_anew(store, project, paths, fake_ollama):
    """The index file is rebuilt (schema change, damage) or the cache is cleared and the
    index made again: the next turn reads the new file, not the deleted one."""
    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    chat = store.create_conversation(project_key(project)).id
    list(service.send(chat, "How does the cache drop its oldest entry?", MODEL, OPTIONS, CancelToken()))
    db_path = index_db_path(paths, project)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    (project / "store" / "queue.py").write_text(
        "def drain_backlog(queue):\n    \"\"\"Empty the pending job backlog.\"\"\"\n    return list(queue)\n", encoding="utf-8"
    )
    ensure_index(project, paths)
    list(service.send(chat, "Where is the pending job backlog emptied?", MODEL, OPTIONS, CancelToken()))
    service.close()
    assert any(item.path == "store/queue.py" for item in service.last_context().items)


def test_warm_up_readies_the_view_and_a_question_waiting_for_it_can_be_stopped(store, project, paths, fake_ollama):
    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    service.warm_up()
    view = service._index
    assert view is not None and view._graph is not None and view.file_id("store/cache.py") is not None
    holding, release = threading.Event(), threading.Event()

    def long_warm_up() -> None:  # stands for a warm-up of a big project
        with service._index_lock:
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=long_warm_up)
    thread.start()
    holding.wait(5)
    cancel = CancelToken()
    threading.Timer(0.2, cancel.cancel).start()
    try:
        with pytest.raises(Cancelled):
            service.plan([], "How is the oldest entry dropped?", MODEL, OPTIONS, cancel)
    finally:
        release.set()
        thread.join(5)
    plan = service.plan([], "How is the oldest entry dropped?", MODEL, OPTIONS, CancelToken())
    assert any(item.path == "store/cache.py" for item in plan.items)
    service.close()


def test_after_a_warm_up_a_question_does_not_rank_every_definition_again(store, project, paths, fake_ollama, monkeypatch):
    from desktop.index import repomap

    ensure_index(project, paths)
    service = make_service(store, project, paths, fake_ollama)
    service.warm_up()

    def scoring_everything(*_args):
        raise AssertionError("the map's ranking was made anew during a question")

    monkeypatch.setattr(repomap, "_standing_of_all", scoring_everything)
    plan = service.plan([], "How is the oldest entry dropped?", MODEL, OPTIONS, CancelToken())
    service.close()
    assert any(item.kind == "map" for item in plan.items)
