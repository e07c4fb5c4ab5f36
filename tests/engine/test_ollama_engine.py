"""OllamaEngine against the real-HTTP fake Ollama server."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatDone, ChatMessage, ChatOptions, TextDelta, ThinkingDelta
from desktop.core.errors import (
    AuthenticationFailed,
    ConnectionDropped,
    EngineError,
    HostUnreachable,
    MalformedResponse,
    ModelCannotChat,
    ModelNotFound,
    OutOfMemory,
    RequestTimedOut,
    ServerBusy,
    ServerError,
    ServerNotRunning,
    StreamErrorLine,
)
from desktop.engine.ollama_engine import OllamaEngine, chat_request_body
from tests.fakes.fake_ollama import FakeModel, FakeOllama, Fault

HELLO = [ChatMessage("user", "Say hello")]


@pytest.fixture
def engine(fake_ollama: FakeOllama) -> Iterator[OllamaEngine]:
    engine = OllamaEngine(fake_ollama.host, connect_timeout=2.0, read_timeout=10.0)
    yield engine
    engine.close()


def run_chat(engine: OllamaEngine, model: str = "mistral:7b", options: ChatOptions | None = None) -> list:
    return list(engine.chat(model, HELLO, options or ChatOptions(), CancelToken()))


def answer_then_fault(fake: FakeOllama, answer: str, fault: Fault, after_tokens: int) -> None:
    """The fake streams ``answer`` and fails with ``fault`` after ``after_tokens`` tokens."""
    fake.answer = answer
    fake.fault = fault
    fake.fault_after_tokens = after_tokens


def text_of(events: list) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


# --- server info and models ----------------------------------------------------------


def test_server_info_reports_version(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.version = "0.12.6"
    info = engine.server_info()
    assert info.version == "0.12.6"
    assert info.host == fake_ollama.host
    assert engine.is_local


def test_list_models_sorted_with_details(engine: OllamaEngine) -> None:
    models = engine.list_models()
    names = [m.name for m in models]
    assert names == sorted(names)
    mistral = next(m for m in models if m.name == "mistral:7b")
    assert mistral.size_bytes == 4_113_301_824
    assert mistral.family == "llama"
    assert mistral.parameter_size == "7.2B"
    assert mistral.quantization == "Q4_0"
    assert mistral.modified_at.startswith("2025-06-01")


def test_show_model_capabilities_and_context(engine: OllamaEngine) -> None:
    details = engine.show_model("qwen3:8b")
    assert details.can_think and details.can_chat
    assert details.context_length == 40960
    assert dict(details.model_info)["qwen3.block_count"] == 36
    embed = engine.show_model("nomic-embed-text:latest")
    assert not embed.can_chat


def test_show_unknown_model_is_model_not_found(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelNotFound) as info:
        engine.show_model("codellama:70b")
    assert info.value.model == "codellama:70b"
    assert info.value.pull_command == "ollama pull codellama:70b"
    assert fake_ollama.host in info.value.message
    assert "ollama pull codellama:70b" in info.value.hint


def test_empty_model_list(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.models = []
    assert engine.list_models() == []


# --- chat ----------------------------------------------------------------------------


def test_chat_streams_text_then_done_with_stats(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "Hello **world**, this is a longer answer."
    events = run_chat(engine)
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 5
    assert text_of(events) == fake_ollama.answer
    done = events[-1]
    assert isinstance(done, ChatDone)
    assert done.model == "mistral:7b"
    assert done.stats.eval_count == len(deltas)
    assert done.stats.done_reason == "stop"
    assert done.stats.tokens_per_second == pytest.approx(200.0, rel=0.01)


def test_chat_always_sends_num_ctx_and_temperature(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    run_chat(engine, options=ChatOptions(num_ctx=16384, temperature=0.5))
    body = fake_ollama.last_chat_body
    assert body is not None
    assert body["options"] == {"num_ctx": 16384, "temperature": 0.5}
    assert body["stream"] is True
    assert "think" not in body
    assert body["messages"] == [{"role": "user", "content": "Say hello"}]


def test_chat_request_body_sends_think_only_when_set() -> None:
    assert "think" not in chat_request_body("m", HELLO, ChatOptions())
    assert chat_request_body("m", HELLO, ChatOptions(think=False))["think"] is False
    assert chat_request_body("m", HELLO, ChatOptions(think=True))["think"] is True


def test_thinking_model_streams_thinking_first(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.thinking = "The user wants a greeting."
    fake_ollama.answer = "Hello!"
    events = run_chat(engine, model="qwen3:8b", options=ChatOptions(think=True))
    thinking = [e for e in events if isinstance(e, ThinkingDelta)]
    assert "".join(e.text for e in thinking) == "The user wants a greeting."
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert all(isinstance(e, ThinkingDelta) for e in events[:first_text])
    assert text_of(events) == "Hello!"
    assert fake_ollama.last_chat_body["think"] is True


def test_chat_with_unknown_model(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelNotFound) as info:
        run_chat(engine, model="llama9:1b")
    assert info.value.model == "llama9:1b"
    assert fake_ollama.host in info.value.message


def test_chat_with_embedding_model(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    with pytest.raises(ModelCannotChat) as info:
        run_chat(engine, model="nomic-embed-text:latest")
    assert fake_ollama.host in info.value.message


def test_chat_asking_a_plain_model_to_think_is_a_server_error(engine: OllamaEngine) -> None:
    with pytest.raises(ServerError) as info:
        run_chat(engine, options=ChatOptions(think=True))
    assert "does not support thinking" in info.value.message


# --- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        (Fault.BUSY_503, ServerBusy, "busy"),
        (Fault.OOM_500, OutOfMemory, "memory"),
        (Fault.UNAUTHORIZED_401, AuthenticationFailed, "not authorized"),
    ],
)
def test_status_faults_map_to_typed_errors(
    engine: OllamaEngine, fake_ollama: FakeOllama, fault: Fault, error: type, words: str
) -> None:
    fake_ollama.fault = fault
    with pytest.raises(error) as info:
        run_chat(engine)
    assert fake_ollama.host in info.value.message
    assert words in info.value.message
    assert info.value.hint


def test_out_of_memory_suggests_smaller_model(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.fault = Fault.OOM_500
    with pytest.raises(OutOfMemory) as info:
        run_chat(engine)
    assert "smaller model" in info.value.hint


MID_STREAM_FAULTS = [  # a fault in an answer's stream, and the error it becomes
    (Fault.ERROR_LINE, StreamErrorLine),
    (Fault.DROP_MID_STREAM, ConnectionDropped),
    (Fault.MALFORMED_LINE, MalformedResponse),
]


@pytest.mark.parametrize(("fault", "error"), MID_STREAM_FAULTS)
def test_mid_stream_faults_keep_partial_text(
    engine: OllamaEngine, fake_ollama: FakeOllama, fault: Fault, error: type
) -> None:
    answer_then_fault(fake_ollama, "one two six ten red big cat dog", fault, 4)
    yielded: list[str] = []
    with pytest.raises(error) as info:
        for event in engine.chat("mistral:7b", HELLO, ChatOptions(), CancelToken()):
            if isinstance(event, TextDelta):
                yielded.append(event.text)
    assert len(yielded) == 4
    assert info.value.partial_text == "".join(yielded) == "one two six ten"
    assert fake_ollama.host in info.value.message
    assert info.value.hint.startswith("What arrived so far is kept.")


@pytest.mark.parametrize(("fault", "error"), MID_STREAM_FAULTS)
def test_a_fault_before_any_text_keeps_nothing_and_does_not_say_it_does(
    engine: OllamaEngine, fake_ollama: FakeOllama, fault: Fault, error: type
) -> None:
    answer_then_fault(fake_ollama, "one two six ten", fault, 0)
    with pytest.raises(error) as info:
        run_chat(engine)
    assert info.value.partial_text == ""
    assert info.value.hint and "arrived" not in info.value.hint


def test_stream_that_ends_without_done_is_a_dropped_connection(fake_ollama: FakeOllama) -> None:
    answer_then_fault(fake_ollama, "short", Fault.DROP_MID_STREAM, 99)  # after the last token: no "done" line
    engine = OllamaEngine(fake_ollama.host)
    with pytest.raises(ConnectionDropped) as info:
        run_chat(engine)
    assert info.value.partial_text == "short"


def test_server_stopping_mid_stream_is_a_dropped_connection(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "word " * 200
    fake_ollama.tokens_per_second = 100.0
    engine = OllamaEngine(fake_ollama.host)
    received: list[str] = []
    with pytest.raises(ConnectionDropped) as info:
        for event in engine.chat("mistral:7b", HELLO, ChatOptions(), CancelToken()):
            if isinstance(event, TextDelta):
                received.append(event.text)
                if len(received) == 3:
                    fake_ollama.stop()
    assert info.value.partial_text == "".join(received)


# --- authentication --------------------------------------------------------------------


def test_bearer_token_is_sent(fake_ollama: FakeOllama) -> None:
    fake_ollama.required_token = "s3cret-token"
    engine = OllamaEngine(fake_ollama.host, token="s3cret-token")
    assert engine.server_info().version
    assert engine.list_models()
    run_chat(engine)
    for request in fake_ollama.requests:
        assert request.headers["authorization"] == "Bearer s3cret-token"


@pytest.mark.parametrize("token", [None, "wrong-token-value"])
def test_missing_or_wrong_token_is_authentication_failed_without_the_token(
    fake_ollama: FakeOllama, token: str | None
) -> None:
    fake_ollama.required_token = "s3cret-token"
    engine = OllamaEngine(fake_ollama.host, token=token)
    calls = [engine.server_info, engine.list_models, lambda: engine.show_model("mistral:7b"), lambda: run_chat(engine)]
    for call in calls:
        with pytest.raises(AuthenticationFailed) as info:
            call()
        text = f"{info.value} {info.value.message} {info.value.hint} {info.value!r}"
        assert "s3cret-token" not in text
        if token:
            assert token not in text
        assert fake_ollama.host in info.value.message


# --- unreachable servers ---------------------------------------------------------------


def test_nothing_listening_locally_is_server_not_running(free_local_port: int) -> None:
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    for call in (engine.server_info, engine.list_models, lambda: engine.show_model("x"), lambda: run_chat(engine)):
        with pytest.raises(ServerNotRunning) as info:
            call()
        assert info.value.message == f"Ollama is not running at http://127.0.0.1:{free_local_port}."
        assert "ollama serve" in info.value.hint


def test_unresolvable_remote_host_is_unreachable() -> None:
    engine = OllamaEngine("http://nonexistent.invalid:11434", connect_timeout=2.0)
    assert not engine.is_local
    for call in (engine.server_info, engine.list_models, lambda: run_chat(engine)):
        with pytest.raises((HostUnreachable, RequestTimedOut)) as info:
            call()
        assert "nonexistent.invalid" in info.value.message


def test_unroutable_remote_host_is_unreachable_quickly() -> None:
    engine = OllamaEngine("http://192.0.2.1:11434", connect_timeout=0.3)
    with pytest.raises((HostUnreachable, RequestTimedOut)) as info:
        engine.server_info()
    assert "192.0.2.1" in info.value.message


def test_slow_server_is_request_timed_out(fake_ollama: FakeOllama) -> None:
    fake_ollama.first_token_delay = 3.0
    engine = OllamaEngine(fake_ollama.host, read_timeout=0.3)
    with pytest.raises(RequestTimedOut) as info:
        run_chat(engine)
    assert fake_ollama.host in info.value.message


def test_unknown_api_path_is_server_error(fake_ollama: FakeOllama) -> None:
    # A path prefix that the server does not know: the answer is a plain-text 404.
    engine = OllamaEngine(fake_ollama.host + "/proxy")
    with pytest.raises(ServerError) as info:
        engine.server_info()
    assert "404" in info.value.message


def test_every_public_method_raises_only_engine_errors(free_local_port: int) -> None:
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    for call in (engine.server_info, engine.list_models, lambda: engine.show_model("m"), lambda: run_chat(engine)):
        with pytest.raises(EngineError):
            call()


# --- cancel ----------------------------------------------------------------------------


def _cancel_later(token: CancelToken, delay: float) -> threading.Thread:
    thread = threading.Thread(target=lambda: (time.sleep(delay), token.cancel()), daemon=True)
    thread.start()
    return thread


def test_cancel_mid_stream_stops_promptly(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "word " * 500
    fake_ollama.tokens_per_second = 20.0
    token = CancelToken()
    received: list[str] = []
    cancelled_at = 0.0
    with pytest.raises(Cancelled):
        for event in engine.chat("mistral:7b", HELLO, ChatOptions(), token):
            received.append(event.text)
            if len(received) == 3:
                cancelled_at = time.monotonic()
                token.cancel()
    assert time.monotonic() - cancelled_at < 1.0
    assert len(received) == 3


def test_cancel_while_waiting_for_first_token(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.first_token_delay = 5.0
    token = CancelToken()
    _cancel_later(token, 0.3)
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_events = list(engine.chat("mistral:7b", HELLO, ChatOptions(), token))
        assert run_events == []  # not reached: the stream is cut
    assert time.monotonic() - started < 1.3


def test_cancel_during_slow_stream_from_another_thread(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "word " * 50
    fake_ollama.tokens_per_second = 2.0  # the reader is blocked between lines
    token = CancelToken()
    received: list[str] = []
    with pytest.raises(Cancelled):
        for event in engine.chat("mistral:7b", HELLO, ChatOptions(), token):
            received.append(event.text)
            if len(received) == 1:
                _cancel_later(token, 0.1)
    assert received == ["word"]


def test_already_cancelled_token_sends_nothing(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(engine.chat("mistral:7b", HELLO, ChatOptions(), token))
    assert fake_ollama.last_chat_body is None


def test_engine_still_works_after_a_cancel(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.first_token_delay = 5.0
    token = CancelToken()
    _cancel_later(token, 0.1)
    with pytest.raises(Cancelled):
        list(engine.chat("mistral:7b", HELLO, ChatOptions(), token))
    fake_ollama.first_token_delay = 0.0
    fake_ollama.answer = "again"
    assert text_of(run_chat(engine)) == "again"


def test_custom_models_on_the_fake(engine: OllamaEngine, fake_ollama: FakeOllama) -> None:
    fake_ollama.models = [FakeModel("codellama:7b", capabilities=("completion", "insert"), context_length=16384)]
    assert [m.name for m in engine.list_models()] == ["codellama:7b"]
    assert engine.show_model("codellama:7b").context_length == 16384


# --- not an Ollama server ----------------------------------------------------------------


@pytest.fixture
def plain_web_server(tmp_path) -> Iterator[str]:
    """A real static web server (not Ollama) whose /api/version is not JSON."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "version").write_text("<html>hello</html>")
    (tmp_path / "api" / "tags").write_text('["not", "an", "object"]')

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_web_server_that_is_not_ollama_is_malformed(plain_web_server: str) -> None:
    engine = OllamaEngine(plain_web_server)
    with pytest.raises(MalformedResponse) as info:
        engine.server_info()
    assert plain_web_server in info.value.message
    with pytest.raises(EngineError):
        engine.list_models()
    with pytest.raises(EngineError):
        run_chat(engine)


def test_an_invalid_address_is_a_clear_error() -> None:
    with pytest.raises(HostUnreachable) as info:
        OllamaEngine("http://[::1")
    assert "not a server address" in info.value.message
