"""The chat service against the real fake Ollama server, with a real SQLite store."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop.assist.chat_service import STOPPED, ChatService, title_from_question
from desktop.assist.context import ContextPlan, raw_prompt_tokens
from desktop.assist.conversations import DEFAULT_TITLE, ConversationStore
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatDone, ChatOptions, TextDelta, ThinkingDelta
from desktop.core.errors import (
    ConnectionDropped,
    HearthError,
    ModelNotFound,
    ServerNotRunning,
    StorageError,
    StreamErrorLine,
    StreamInterrupted,
)
from desktop.core.paths import HearthPaths, project_key
from desktop.engine.ollama_engine import OllamaEngine
from tests.fakes.fake_ollama import FakeOllama, Fault

MODEL = "qwen2.5-coder:7b"
OPTIONS = ChatOptions(num_ctx=4096, temperature=0.1)
LONG_ANSWER = "The main function parses the arguments and then starts the event loop. " * 6


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    for relative in ("main.py", "pkg/util.py", "node_modules/dep/index.js"):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("print('hi')\n")
    return root


@pytest.fixture
def store():
    store = ConversationStore(HearthPaths.from_env().chats_db)
    yield store
    store.close()


@pytest.fixture
def service(store, project, fake_ollama) -> ChatService:
    return ChatService(store, project, OllamaEngine(fake_ollama.host))


@pytest.fixture
def chat(store, project) -> int:
    return store.create_conversation(project_key(project)).id


def run(events) -> list:
    return list(events)


def sent_roles_and_texts(fake: FakeOllama) -> list[tuple[str, str]]:
    body = fake.last_chat_body
    assert body is not None
    return [(m["role"], m["content"]) for m in body["messages"]]


def test_send_streams_and_saves_both_messages(service, store, chat, fake_ollama):
    fake_ollama.answer = "It prints **hi**."
    events = run(service.send(chat, "What does main.py do?", MODEL, OPTIONS, CancelToken()))

    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "It prints **hi**."
    assert isinstance(events[-1], ChatDone)
    question, answer = store.messages(chat)
    assert (question.role, question.content) == ("user", "What does main.py do?")
    assert (answer.role, answer.content, answer.model) == ("assistant", text, MODEL)
    assert not answer.incomplete and answer.error == ""
    assert answer.stats is not None and answer.stats.eval_count > 0


def test_untitled_chat_is_named_from_the_first_question(service, store, chat):
    run(service.send(chat, "Why does the parser fail on tabs?\nHere is the trace…", MODEL,
                     OPTIONS, CancelToken()))
    assert store.get_conversation(chat).title == "Why does the parser fail on tabs?"
    run(service.send(chat, "Another question", MODEL, OPTIONS, CancelToken()))
    assert store.get_conversation(chat).title == "Why does the parser fail on tabs?"


def test_a_named_chat_keeps_its_name(service, store, project):
    named = store.create_conversation(project_key(project), "My chat")
    run(service.send(named.id, "Hello", MODEL, OPTIONS, CancelToken()))
    assert store.get_conversation(named.id).title == "My chat"


def test_title_from_question_shortens_long_lines():
    title = title_from_question("  \n" + "explain " * 20)
    assert title.endswith("…") and len(title) <= 51
    assert title_from_question("   ") == DEFAULT_TITLE


def test_request_carries_system_prompt_project_listing_and_context_info(service, chat,
                                                                       fake_ollama):
    run(service.send(chat, "Where is util?", MODEL, OPTIONS, CancelToken()))
    sent = sent_roles_and_texts(fake_ollama)
    assert [role for role, _ in sent] == ["system", "user"]
    system_text = sent[0][1]
    assert "You are Hearth" in system_text
    assert "main.py" in system_text and "util.py" in system_text
    assert "node_modules" not in system_text
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == 4096

    context = service.last_context()
    assert isinstance(context, ContextPlan)
    assert context.listing and context.items == ()  # no index yet: the file listing
    assert context.num_ctx == 4096 and context.budget_tokens == 4096 - 1024
    assert context.raw_tokens == raw_prompt_tokens(context.messages)
    assert [m.content for m in context.messages] == [text for _, text in sent]


def test_last_context_is_none_before_any_request(service):
    assert service.last_context() is None


def test_history_is_sent_with_the_next_question(service, chat, fake_ollama):
    fake_ollama.answer = "First answer."
    run(service.send(chat, "First question", MODEL, OPTIONS, CancelToken()))
    fake_ollama.answer = "Second answer."
    run(service.send(chat, "Second question", MODEL, OPTIONS, CancelToken()))
    assert sent_roles_and_texts(fake_ollama)[1:] == [
        ("user", "First question"),
        ("assistant", "First answer."),
        ("user", "Second question"),
    ]


def test_thinking_is_saved_with_the_answer(service, store, chat, fake_ollama):
    fake_ollama.thinking = "The user wants a summary."
    fake_ollama.answer = "Summary."
    events = run(service.send(chat, "Summarise", "qwen3:8b", ChatOptions(think=True),
                              CancelToken()))
    assert any(isinstance(e, ThinkingDelta) for e in events)
    answer = store.messages(chat)[-1]
    assert answer.thinking == "The user wants a summary."
    assert answer.content == "Summary."
    assert answer.model == "qwen3:8b"


def test_stop_keeps_the_partial_answer(service, store, chat, fake_ollama):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.tokens_per_second = 100.0
    token = CancelToken()
    received: list[str] = []
    with pytest.raises(Cancelled):
        for event in service.send(chat, "Explain main", MODEL, OPTIONS, token):
            if isinstance(event, TextDelta):
                received.append(event.text)
                if len(received) == 5:
                    token.cancel()
    question, answer = store.messages(chat)
    assert question.content == "Explain main"
    assert answer.content == "".join(received)
    assert answer.incomplete and answer.error == STOPPED


def test_stop_while_the_model_loads_keeps_the_question(service, store, chat, fake_ollama):
    fake_ollama.first_token_delay = 5.0
    token = CancelToken()
    timer = threading.Timer(0.2, token.cancel)
    timer.start()
    try:
        with pytest.raises(Cancelled):
            run(service.send(chat, "Slow one", MODEL, OPTIONS, token))
    finally:
        timer.cancel()
    question, answer = store.messages(chat)
    assert question.content == "Slow one"
    assert (answer.content, answer.incomplete, answer.error) == ("", True, STOPPED)


def test_consumer_closing_the_stream_keeps_the_partial_answer(service, store, chat,
                                                              fake_ollama):
    fake_ollama.answer = LONG_ANSWER
    stream = service.send(chat, "Explain", MODEL, OPTIONS, CancelToken())
    first_texts = []
    for event in stream:
        if isinstance(event, TextDelta):
            first_texts.append(event.text)
            if len(first_texts) == 3:
                break
    stream.close()
    answer = store.messages(chat)[-1]
    assert answer.content == "".join(first_texts)
    assert answer.incomplete and answer.error == STOPPED


@pytest.mark.parametrize(
    ("fault", "error_type"),
    [(Fault.DROP_MID_STREAM, ConnectionDropped), (Fault.ERROR_LINE, StreamErrorLine)],
)
def test_broken_stream_keeps_the_partial_marked_incomplete(service, store, chat, fake_ollama,
                                                           fault, error_type):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.fault = fault
    fake_ollama.fault_after_tokens = 6
    received: list[str] = []
    with pytest.raises(error_type) as caught:
        for event in service.send(chat, "Explain", MODEL, OPTIONS, CancelToken()):
            if isinstance(event, TextDelta):
                received.append(event.text)
    assert isinstance(caught.value, StreamInterrupted)
    answer = store.messages(chat)[-1]
    assert answer.role == "assistant"
    assert answer.content == caught.value.partial_text == "".join(received)
    assert answer.content  # some text did arrive
    assert answer.incomplete
    assert answer.error == caught.value.message


def test_error_before_any_text_saves_only_the_question(service, store, chat):
    with pytest.raises(ModelNotFound):
        run(service.send(chat, "Hello?", "no-such-model:1b", OPTIONS, CancelToken()))
    assert [(m.role, m.content) for m in store.messages(chat)] == [("user", "Hello?")]


def test_server_not_running_keeps_the_question(store, project, chat, free_local_port):
    service = ChatService(store, project, OllamaEngine(f"http://127.0.0.1:{free_local_port}"))
    with pytest.raises(ServerNotRunning):
        run(service.send(chat, "Anyone there?", MODEL, OPTIONS, CancelToken()))
    assert [m.content for m in store.messages(chat)] == ["Anyone there?"]


def test_regenerate_replaces_the_last_answer(service, store, chat, fake_ollama):
    fake_ollama.answer = "Old answer."
    run(service.send(chat, "Question", MODEL, OPTIONS, CancelToken()))
    fake_ollama.answer = "New answer."
    run(service.regenerate(chat, MODEL, OPTIONS, CancelToken()))
    assert [(m.role, m.content) for m in store.messages(chat)] == [
        ("user", "Question"), ("assistant", "New answer."),
    ]
    assert sent_roles_and_texts(fake_ollama)[1:] == [("user", "Question")]


def test_retry_after_a_dropped_answer_replaces_the_incomplete_one(service, store, chat,
                                                                  fake_ollama):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.fault = Fault.DROP_MID_STREAM
    with pytest.raises(ConnectionDropped):
        run(service.send(chat, "Question", MODEL, OPTIONS, CancelToken()))
    fake_ollama.fault = Fault.NONE
    fake_ollama.answer = "Complete answer."
    run(service.regenerate(chat, MODEL, OPTIONS, CancelToken()))
    messages = store.messages(chat)
    assert [(m.role, m.content, m.incomplete) for m in messages] == [
        ("user", "Question", False), ("assistant", "Complete answer.", False),
    ]


def test_retry_after_an_error_answers_the_saved_question(service, store, chat, fake_ollama):
    fake_ollama.fault = Fault.BUSY_503
    with pytest.raises(HearthError):
        run(service.send(chat, "Busy?", MODEL, OPTIONS, CancelToken()))
    fake_ollama.fault = Fault.NONE
    fake_ollama.answer = "Now free."
    run(service.regenerate(chat, MODEL, OPTIONS, CancelToken()))
    assert [m.content for m in store.messages(chat)] == ["Busy?", "Now free."]


def test_regenerate_without_a_question_is_a_clear_error(service, chat):
    with pytest.raises(HearthError, match="no question"):
        run(service.regenerate(chat, MODEL, OPTIONS, CancelToken()))


def test_edit_last_question_replaces_it_and_what_followed(service, store, chat, fake_ollama):
    fake_ollama.answer = "A1."
    run(service.send(chat, "Q1", MODEL, OPTIONS, CancelToken()))
    fake_ollama.answer = "A2."
    run(service.send(chat, "Q2 with a typo", MODEL, OPTIONS, CancelToken()))
    fake_ollama.answer = "A2 again."
    run(service.edit_last_question(chat, "Q2 fixed", MODEL, OPTIONS, CancelToken()))
    assert [m.content for m in store.messages(chat)] == ["Q1", "A1.", "Q2 fixed", "A2 again."]
    assert sent_roles_and_texts(fake_ollama)[1:] == [
        ("user", "Q1"), ("assistant", "A1."), ("user", "Q2 fixed"),
    ]


def test_edit_in_an_empty_chat_just_sends(service, store, chat):
    run(service.edit_last_question(chat, "First", MODEL, OPTIONS, CancelToken()))
    assert [m.role for m in store.messages(chat)] == ["user", "assistant"]


def test_the_engine_can_be_swapped_between_answers(service, store, chat, fake_ollama):
    with FakeOllama() as other:
        other.answer = "From the other host."
        service.engine = OllamaEngine(other.host)
        run(service.send(chat, "Which host?", MODEL, OPTIONS, CancelToken()))
        assert other.last_chat_body is not None
    assert fake_ollama.last_chat_body is None
    assert store.messages(chat)[-1].content == "From the other host."


def test_empty_question_is_refused(service, store, chat):
    with pytest.raises(HearthError, match="no question"):
        run(service.send(chat, "  \n", MODEL, OPTIONS, CancelToken()))
    assert store.messages(chat) == []


def test_deleted_chat_is_a_storage_error(service, store, chat):
    store.delete_conversation(chat)
    with pytest.raises(StorageError, match="no longer exists"):
        run(service.send(chat, "Hello", MODEL, OPTIONS, CancelToken()))
