"""The fake Ollama server speaks the wire protocol other tests rely on."""

from __future__ import annotations

import json
import socket
import time

import httpx
import ollama
import pytest

from tests.fakes.fake_ollama import FakeOllama, Fault, RecordedRequest, split_tokens


def test_split_tokens_round_trips() -> None:
    text = "Hello **world**,\n  def f(x):\n    return x  # done!"
    pieces = split_tokens(text)
    assert "".join(pieces) == text
    assert all(len(piece.strip()) <= 4 for piece in pieces)


def test_basic_endpoints(fake_ollama: FakeOllama) -> None:
    assert httpx.get(fake_ollama.host).text == "Ollama is running"
    assert httpx.head(fake_ollama.host).status_code == 200
    assert httpx.get(f"{fake_ollama.host}/api/version").json() == {"version": "0.12.6"}
    tags = httpx.get(f"{fake_ollama.host}/api/tags").json()["models"]
    assert {"name", "model", "size", "digest", "details", "modified_at"} <= set(tags[0])
    assert httpx.get(f"{fake_ollama.host}/api/nothing").status_code == 404


def test_chat_stream_is_chunked_ndjson_with_real_fields(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "Hi there"
    body = {"model": "mistral:7b", "messages": [{"role": "user", "content": "hi"}], "options": {"num_ctx": 4096}}
    with httpx.stream("POST", f"{fake_ollama.host}/api/chat", json=body) as response:
        assert response.headers["transfer-encoding"] == "chunked"
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert "".join(line["message"]["content"] for line in lines) == "Hi there"
    final = lines[-1]
    assert final["done"] is True and final["done_reason"] == "stop"
    for key in ("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration"):
        assert isinstance(final[key], int)
    assert fake_ollama.sent_tokens_done_at is not None
    assert fake_ollama.last_chat_body == body


def test_non_streaming_chat_through_official_client(fake_ollama: FakeOllama) -> None:
    fake_ollama.answer = "Whole answer."
    reply = ollama.Client(host=fake_ollama.host).chat("mistral:7b", messages=[{"role": "user", "content": "x"}])
    assert reply.message.content == "Whole answer."
    assert reply.done and reply.eval_count == len(split_tokens("Whole answer."))


def test_ps_lists_models_loaded_by_chat(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.host)
    assert client.ps().models == []
    client.chat("mistral:7b", messages=[], options={"num_ctx": 8192})
    (loaded,) = client.ps().models
    assert loaded.model == "mistral:7b" and loaded.context_length == 8192


def test_error_statuses_through_official_client(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.host)
    with pytest.raises(ollama.ResponseError) as missing:
        client.show("nope")
    assert missing.value.status_code == 404 and missing.value.error == "model 'nope' not found"
    with pytest.raises(ollama.ResponseError) as embed:
        client.chat("nomic-embed-text:latest", messages=[])
    assert embed.value.status_code == 400
    fake_ollama.fault = Fault.BUSY_503
    with pytest.raises(ollama.ResponseError) as busy:
        client.chat("mistral:7b", messages=[])
    assert busy.value.status_code == 503


def test_error_line_through_official_client(fake_ollama: FakeOllama) -> None:
    fake_ollama.fault = Fault.ERROR_LINE
    fake_ollama.fault_after_tokens = 1
    with pytest.raises(ollama.ResponseError) as info:
        list(ollama.Client(host=fake_ollama.host).chat("mistral:7b", messages=[], stream=True))
    assert info.value.status_code == -1


def test_required_token(fake_ollama: FakeOllama) -> None:
    fake_ollama.required_token = "tok"
    assert httpx.get(f"{fake_ollama.host}/api/tags").status_code == 401
    ok = httpx.get(f"{fake_ollama.host}/api/tags", headers={"Authorization": "Bearer tok"})
    assert ok.status_code == 200
    assert isinstance(fake_ollama.requests[-1], RecordedRequest)
    assert fake_ollama.requests[-1].headers["authorization"] == "Bearer tok"


def test_pull_streams_progress_and_installs(fake_ollama: FakeOllama) -> None:
    statuses = [p.status for p in ollama.Client(host=fake_ollama.host).pull("phi3:mini", stream=True)]
    assert statuses[0] == "pulling manifest" and statuses[-1] == "success"
    assert fake_ollama.find_model("phi3:mini") is not None


def test_stop_returns_promptly_during_a_stream() -> None:
    server = FakeOllama().start()
    server.answer = "word " * 1000
    server.tokens_per_second = 5.0
    connection = socket.create_connection(("127.0.0.1", server.port))
    body = json.dumps({"model": "mistral:7b", "messages": []}).encode()
    connection.sendall(
        b"POST /api/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    assert connection.recv(1024).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2.0
    connection.close()


def test_prefix_cache_counts_only_what_follows_the_cached_start(fake_ollama: FakeOllama) -> None:
    client = ollama.Client(host=fake_ollama.host)
    system = {"role": "system", "content": "s" * 400}

    def count(question: str, num_ctx: int = 4096) -> int:
        messages = [system, {"role": "user", "content": question}]
        return client.chat("mistral:7b", messages=messages, options={"num_ctx": num_ctx}).prompt_eval_count

    assert count("q" * 80) == 120  # off by default: characters / 4 of the whole prompt
    fake_ollama.prefix_cache = True
    assert count("q" * 80) == 120  # nothing cached yet
    assert count("q" * 40 + "r" * 40) == 10  # the system message and 40 characters were cached
    assert count("q" * 80, num_ctx=8192) == 120  # another num_ctx: the model was reloaded
    client.generate("mistral:7b", keep_alive=0)
    assert count("q" * 80, num_ctx=8192) == 120  # unloaded: nothing cached
