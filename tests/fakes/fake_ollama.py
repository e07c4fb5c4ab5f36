"""A real HTTP server that speaks Ollama's API, for tests and benchmarks.

It listens on 127.0.0.1 (random port by default) in a daemon thread and answers the
endpoints Hearth uses with the real field names, status codes and error bodies (see
``shared/reference/ollama.md``). Chat streams NDJSON with chunked transfer encoding,
one flushed line per token, so clients see exactly what a real server sends —
including the ways it fails (``Fault``).

    with FakeOllama() as server:
        server.answer = "Hello **world**"
        engine = OllamaEngine(server.host)

Run ``python -m tests.fakes.fake_ollama --port 11434`` to serve in the foreground
(used by the lifecycle tests' fake ``ollama`` executable).
"""

from __future__ import annotations

import argparse
import enum
import json
import os
import re
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

MODIFIED_AT = "2025-06-01T12:00:00.000000+00:00"
OOM_MESSAGE = "model requires more system memory (5.6 GiB) than is available (3.1 GiB)"
BUSY_MESSAGE = "server busy, please try again.  maximum pending requests exceeded"
ERROR_LINE_MESSAGE = "an error was encountered while running the model: unexpected EOF"
MALFORMED_LINE = "<html>this is not json</html>"

_TOKEN_PATTERN = re.compile(r"\s*\w{1,4}|\s*[^\w\s]|\s+")
TEMPLATE_TOKENS = 4  # role markers a chat template adds per message, with ``count_tokens``


class Fault(enum.Enum):
    """How the next chat requests should fail."""

    NONE = "none"
    DROP_MID_STREAM = "drop_mid_stream"
    ERROR_LINE = "error_line"
    MALFORMED_LINE = "malformed_line"
    BUSY_503 = "busy_503"
    OOM_500 = "oom_500"
    UNAUTHORIZED_401 = "unauthorized_401"


@dataclass(frozen=True)
class FakeModel:
    """An installed model as the fake server reports it."""

    name: str
    size: int = 4_113_301_824
    family: str = "llama"
    parameter_size: str = "7.2B"
    quantization: str = "Q4_0"
    capabilities: tuple[str, ...] = ("completion",)
    context_length: int = 32768
    digest: str = "f974a74358d62a017b37c6f424fcdf2744ca02926c4f952513ddf474b2fa5091"
    model_info: tuple[tuple[str, Any], ...] = ()
    tensors: tuple[tuple[str, str, tuple[int, ...]], ...] = ()  # (name, GGML type, shape)
    vocab: int = 0  # tokenizer.ggml.tokens length; the full list only with verbose

    def info_dict(self, verbose: bool = False) -> dict[str, Any]:
        """The ``model_info`` object of /api/show, keyed by architecture like Ollama's."""
        arch = self.family
        info: dict[str, Any] = {
            "general.architecture": arch,
            "general.parameter_count": _parameter_count(self.parameter_size),
            "general.file_type": _FILE_TYPES.get(self.quantization, 2),
            f"{arch}.context_length": self.context_length,
        }
        info.update(dict(self.model_info))
        if self.vocab:
            # Like Ollama: arrays longer than a few items are sent empty unless verbose.
            info["tokenizer.ggml.tokens"] = [f"<t{i}>" for i in range(self.vocab)] if verbose else []
        return info

    def tensor_list(self) -> list[dict[str, Any]]:
        """The ``tensors`` of a verbose /api/show."""
        return [{"name": n, "type": t, "shape": list(shape)} for n, t, shape in self.tensors]

    def details(self) -> dict[str, Any]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }


_FILE_TYPES = {"F16": 1, "Q4_0": 2, "Q8_0": 7, "Q4_K_M": 15}


def _parameter_count(parameter_size: str) -> int:
    match = re.fullmatch(r"([\d.]+)([BM])", parameter_size.strip())
    if not match:
        return 0
    scale = 1e9 if match.group(2) == "B" else 1e6
    return int(float(match.group(1)) * scale)


def mistral_7b_tensors() -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    """The tensor list of mistral:7b Q4_0 (32 layers, 8 KV heads, vocab 32768).

    Its sums are those of the reference page's worked example: 122,716,160 B per
    layer, 110,116,864 B for output + output_norm.
    """
    emb, kv, ff, vocab = 4096, 1024, 14336, 32768
    tensors: list[tuple[str, str, tuple[int, ...]]] = [
        ("token_embd.weight", "Q4_0", (emb, vocab)),
        ("output_norm.weight", "F32", (emb,)),
        ("output.weight", "Q6_K", (emb, vocab)),
    ]
    for i in range(32):
        tensors += [
            (f"blk.{i}.attn_norm.weight", "F32", (emb,)),
            (f"blk.{i}.attn_q.weight", "Q4_0", (emb, emb)),
            (f"blk.{i}.attn_k.weight", "Q4_0", (emb, kv)),
            (f"blk.{i}.attn_v.weight", "Q4_0", (emb, kv)),
            (f"blk.{i}.attn_output.weight", "Q4_0", (emb, emb)),
            (f"blk.{i}.ffn_norm.weight", "F32", (emb,)),
            (f"blk.{i}.ffn_gate.weight", "Q4_0", (emb, ff)),
            (f"blk.{i}.ffn_up.weight", "Q4_0", (emb, ff)),
            (f"blk.{i}.ffn_down.weight", "Q4_0", (ff, emb)),
        ]
    return tuple(tensors)


def default_models() -> list[FakeModel]:
    """A few realistic models: two coders, a thinking model, an embedding-only model."""
    return [
        FakeModel(
            "mistral:7b",
            size=4_113_301_824,
            family="llama",
            parameter_size="7.2B",
            quantization="Q4_0",
            capabilities=("completion", "tools"),
            context_length=32768,
            model_info=(
                ("llama.block_count", 32),
                ("llama.embedding_length", 4096),
                ("llama.attention.head_count", 32),
                ("llama.attention.head_count_kv", 8),
                ("llama.vocab_size", 32768),
            ),
            tensors=mistral_7b_tensors(),
            vocab=32768,
        ),
        FakeModel(
            "qwen2.5-coder:7b",
            size=4_683_087_332,
            family="qwen2",
            parameter_size="7.6B",
            quantization="Q4_K_M",
            capabilities=("completion", "tools", "insert"),
            context_length=32768,
            digest="dae161e27b0e90dd1856c8bb3209201fd6736d8eb66298e75ed87571486f4364",
            model_info=(
                ("qwen2.block_count", 28),
                ("qwen2.embedding_length", 3584),
                ("qwen2.attention.head_count", 28),
                ("qwen2.attention.head_count_kv", 4),
            ),
        ),
        FakeModel(
            "qwen3:8b",
            size=5_225_388_164,
            family="qwen3",
            parameter_size="8.2B",
            quantization="Q4_K_M",
            capabilities=("completion", "tools", "thinking"),
            context_length=40960,
            digest="500a1f067a9f782620b40bee6f7b0c89e17ae61f686b92c24933e4ca4b2b8b41",
            model_info=(
                ("qwen3.block_count", 36),
                ("qwen3.embedding_length", 4096),
                ("qwen3.attention.head_count", 32),
                ("qwen3.attention.head_count_kv", 8),
            ),
        ),
        FakeModel(
            "nomic-embed-text:latest",
            size=274_302_450,
            family="nomic-bert",
            parameter_size="137M",
            quantization="F16",
            capabilities=("embedding",),
            context_length=2048,
            digest="0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f",
        ),
    ]


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake server received."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: dict | None = None


def _num_ctx(body: dict) -> int:
    return int((body.get("options") or {}).get("num_ctx") or 4096)


def _uncached(turns: list[tuple[str, str]], cached: list[tuple[str, str]]) -> list[str]:
    """The text of each message after the start ``turns`` share with ``cached``."""
    for index, (role, text) in enumerate(turns):
        other = cached[index] if index < len(cached) else ("", "")
        if other == (role, text):
            continue
        shared = len(os.path.commonprefix([text, other[1]])) if other[0] == role else 0
        return [text[shared:], *(later for _, later in turns[index + 1:])]
    return []


def split_tokens(text: str) -> list[str]:
    """Split ``text`` into token-like pieces (≤ 4 word characters, or one punctuation).

    Joining the pieces gives back ``text`` exactly.
    """
    return _TOKEN_PATTERN.findall(text)


class _Dropped(Exception):
    """The handler closed the connection on purpose, or the client went away."""


class FakeOllama:
    """An Ollama-compatible HTTP server on 127.0.0.1 for tests."""

    def __init__(self, port: int = 0, bind: str = "127.0.0.1") -> None:
        self.version = "0.12.6"
        self.models: list[FakeModel] = default_models()
        self.answer = "Hello **world**"
        self.thinking = ""
        self.tokens_per_second: float | None = 200.0
        self.first_token_delay = 0.0
        self.fault = Fault.NONE
        self.fault_after_tokens = 5
        self.done_reason = "stop"  # "length": the answer reports it was cut at the context limit
        # prompt_eval_count: characters / 4 of the whole prompt, or this tokenizer on each
        # message (plus TEMPLATE_TOKENS) when set
        self.count_tokens: Callable[[str], int] | None = None
        # True: like Ollama, count only what follows the start a prompt shares with the
        # model's cache (its previous prompt and answer; loading it at another num_ctx
        # or unloading it empties the cache)
        self.prefix_cache = False
        self._cache: dict[str, tuple[int, list[tuple[str, str]]]] = {}  # model -> (num_ctx, messages)
        self.required_token: str | None = None
        self.requests: list[RecordedRequest] = []
        self.sent_tokens_done_at: float | None = None
        self.loaded: dict[str, int] = {}  # model name -> num_ctx it was loaded with
        self.ps_figures: dict[str, tuple[int, int]] = {}  # model name -> (size, size_vram) to report
        self.pull_total = 4_000_000
        self.pull_steps = 4
        self.pull_step_delay = 0.01  # seconds between progress lines (raise it to test cancel)
        self.pulled_bytes: dict[str, int] = {}  # partial downloads, resumed by a later pull
        self._port = port
        self._bind = bind
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------

    def start(self) -> "FakeOllama":
        """Bind and serve in a daemon thread; returns self."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        httpd = ThreadingHTTPServer((self._bind, self._port), handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-ollama", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut every open connection (also streams in progress)."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            _hard_close(conn)
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def __enter__(self) -> "FakeOllama":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOllama is not started")
        return self._httpd.server_address[1]

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def last_chat_body(self) -> dict | None:
        for request in reversed(self.requests):
            if request.path == "/api/chat":
                return request.body
        return None

    def find_model(self, name: str) -> FakeModel | None:
        """The installed model called ``name`` (``x`` also matches ``x:latest``)."""
        for model in self.models:
            if model.name == name or model.name == f"{name}:latest":
                return model
        return None

    # --- used by the handler --------------------------------------------------------

    def whole_prompt_count(self, messages: list) -> int:
        """``prompt_eval_count`` of a prompt with these messages when nothing is cached."""
        return self._count([str(m.get("content", "")) for m in messages if isinstance(m, dict)])

    def _count(self, texts: list[str]) -> int:
        if self.count_tokens is None:
            return max(1, sum(len(text) for text in texts) // 4)
        return max(1, sum(self.count_tokens(text) + TEMPLATE_TOKENS for text in texts))

    def _prompt_count(self, model: str, num_ctx: int, messages: list) -> int:
        """``prompt_eval_count`` for a request with these messages (see ``prefix_cache``)."""
        if not self.prefix_cache:
            return self.whole_prompt_count(messages)
        turns = [(str(m.get("role", "")), str(m.get("content", ""))) for m in messages if isinstance(m, dict)]
        size, cached = self._cache.get(model, (num_ctx, []))
        texts = _uncached(turns, cached if size == num_ctx else [])
        self._cache[model] = (num_ctx, [*turns, ("assistant", self.answer)])
        return self._count(texts)

    def _track(self, conn: socket.socket, active: bool) -> None:
        with self._lock:
            if active:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the server stops."""
        if seconds > 0 and self._stopping.wait(seconds):
            raise _Dropped()


def _hard_close(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        conn.close()
    except OSError:
        pass


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOllama"
    fake: FakeOllama  # set on the bound subclass

    # --- plumbing -------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.fake._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.fake._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass  # keep test output clean

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (_Dropped, ConnectionError, OSError):
            self.close_connection = True

    def _read_body(self) -> tuple[dict | None, bool]:
        """The JSON body, and whether it parsed (an empty body is ``None``, fine)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return None, True
        try:
            body = json.loads(raw)
        except ValueError:
            return None, False
        return (body if isinstance(body, dict) else None), isinstance(body, dict)

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def _send_text(self, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def _error(self, status: int, message: str) -> None:
        self._send_json(status, {"error": message})

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def _send_line(self, payload: Any) -> None:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        data = (text + "\n").encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        """Close the socket abruptly, mid-response."""
        self.close_connection = True
        self.wfile.flush()
        _hard_close(self.connection)
        raise _Dropped()

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        body, parsed = self._read_body() if method in ("POST", "DELETE") else (None, True)
        headers = {key.lower(): value for key, value in self.headers.items()}
        self.fake._record(RecordedRequest(method, path, headers, body))
        required = self.fake.required_token
        if self.fake.fault is Fault.UNAUTHORIZED_401 or (
            required is not None and headers.get("authorization") != f"Bearer {required}"
        ):
            self._error(401, "unauthorized")
            return
        if not parsed:
            self._error(400, "invalid character 'x' looking for beginning of value")
            return
        route = _ROUTES.get((method if method != "HEAD" else "GET", path))
        if route is None:
            self._send_text(404, "404 page not found")
            return
        route(self, body or {})

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._dispatch("GET")

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._dispatch("HEAD")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802 - stdlib name
        self._dispatch("DELETE")

    # --- endpoints ------------------------------------------------------------------

    def root(self, body: dict) -> None:
        self._send_text(200, "Ollama is running")

    def version(self, body: dict) -> None:
        self._send_json(200, {"version": self.fake.version})

    def tags(self, body: dict) -> None:
        models = [
            {
                "name": m.name,
                "model": m.name,
                "modified_at": MODIFIED_AT,
                "size": m.size,
                "digest": m.digest,
                "details": m.details(),
            }
            for m in self.fake.models
        ]
        self._send_json(200, {"models": models})

    def show(self, body: dict) -> None:
        name = str(body.get("model") or body.get("name") or "")
        model = self.fake.find_model(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        self._send_json(
            200,
            {
                "license": "",
                "modelfile": f"FROM {model.name}\n",
                "parameters": "",
                "template": "{{ .Prompt }}",
                "details": model.details(),
                "model_info": model.info_dict(verbose=bool(body.get("verbose"))),
                "capabilities": list(model.capabilities),
                "modified_at": MODIFIED_AT,
                **({"tensors": model.tensor_list()} if body.get("verbose") and model.tensors else {}),
            },
        )

    def ps(self, body: dict) -> None:
        entries = []
        for name, num_ctx in list(self.fake.loaded.items()):
            model = self.fake.find_model(name)
            if model is None:
                continue
            size, size_vram = self.fake.ps_figures.get(
                model.name, (model.size + num_ctx * 131_072, model.size + num_ctx * 131_072)
            )
            entries.append(
                {
                    "name": model.name,
                    "model": model.name,
                    "size": size,
                    "digest": model.digest,
                    "details": model.details(),
                    "expires_at": "2099-01-01T00:00:00Z",
                    "size_vram": size_vram,
                    "context_length": num_ctx,
                }
            )
        self._send_json(200, {"models": entries})

    def delete(self, body: dict) -> None:
        name = str(body.get("model") or body.get("name") or "")
        model = self.fake.find_model(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        self.fake.models = [m for m in self.fake.models if m is not model]
        self.fake.loaded.pop(model.name, None)
        self._send_text(200, "")

    def pull(self, body: dict) -> None:
        name = str(body.get("model") or body.get("name") or "")
        stream = body.get("stream", True) is not False
        if not stream:
            self._add_model(name)
            self._send_json(200, {"status": "success"})
            return
        self._start_stream()
        self._send_line({"status": "pulling manifest"})
        if name.startswith("missing"):
            self._send_line({"error": "pull model manifest: file does not exist"})
            self._end_stream()
            return
        fake = self.fake
        total = fake.pull_total
        digest = "sha256:" + "2af3b81862c6" + "0" * 52
        start = fake.pulled_bytes.get(name, 0)
        steps = max(1, fake.pull_steps)
        for step in range(steps + 1):
            completed = start + (total - start) * step // steps
            fake._pause(fake.pull_step_delay)
            line: dict[str, Any] = {"status": f"pulling {digest[7:19]}", "digest": digest}
            if completed:
                line.update(total=total, completed=completed)
            self._send_line(line)
            fake.pulled_bytes[name] = completed  # kept if the client goes away: a later pull resumes
        fake.pulled_bytes.pop(name, None)
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            self._send_line({"status": status})
        self._add_model(name)
        self._end_stream()

    def _add_model(self, name: str) -> None:
        if self.fake.find_model(name) is None:
            full = name if ":" in name else f"{name}:latest"
            self.fake.models = [*self.fake.models, FakeModel(full)]

    def generate(self, body: dict) -> None:
        """Only what Hearth uses: ``keep_alive: 0`` with no prompt unloads the model."""
        name = str(body.get("model") or "")
        model = self.fake.find_model(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        if body.get("keep_alive") in (0, "0", "0s") and not body.get("prompt"):
            self.fake.loaded.pop(model.name, None)
            self.fake._cache.pop(model.name, None)
            self._send_json(200, {"model": model.name, "created_at": _now(), "response": "",
                                  "done": True, "done_reason": "unload"})
            return
        self._error(400, "the fake server only supports unloading through /api/generate")

    def embed(self, body: dict) -> None:
        name = str(body.get("model") or "")
        model = self.fake.find_model(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        vectors = [[round((len(t) % 7) / 7 + i / 100, 4) for i in range(8)] for t in texts]
        self._send_json(200, {"model": model.name, "embeddings": vectors})

    def chat(self, body: dict) -> None:
        fake = self.fake
        name = str(body.get("model") or "")
        model = fake.find_model(name)
        if model is None:
            self._error(404, f"model '{name}' not found")
            return
        if "completion" not in model.capabilities:
            self._error(400, f'"{name}" does not support chat')
            return
        if body.get("think") and "thinking" not in model.capabilities:
            self._error(400, f'"{name}" does not support thinking')
            return
        if fake.fault is Fault.BUSY_503:
            self._error(503, BUSY_MESSAGE)
            return
        if fake.fault is Fault.OOM_500:
            self._error(500, OOM_MESSAGE)
            return
        fake.loaded[model.name] = _num_ctx(body)
        thinking = fake.thinking if ("thinking" in model.capabilities and body.get("think") is not False) else ""
        if body.get("stream", True) is False:
            self._chat_whole(model, body, thinking)
        else:
            self._chat_stream(model, body, thinking)

    def _final_line(self, model: FakeModel, body: dict, eval_count: int, started: float) -> dict:
        tps = self.fake.tokens_per_second
        elapsed_ns = int((time.perf_counter() - started) * 1e9)
        eval_ns = int(eval_count / tps * 1e9) if tps else max(elapsed_ns, 1)
        load_ns = int(self.fake.first_token_delay * 1e9) or 1_334_875
        prompt_ns = 342_546_000
        return {
            "model": model.name,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": self.fake.done_reason,
            "total_duration": load_ns + prompt_ns + eval_ns,
            "load_duration": load_ns,
            "prompt_eval_count": self.fake._prompt_count(model.name, _num_ctx(body), body.get("messages") or []),
            "prompt_eval_duration": prompt_ns,
            "eval_count": eval_count,
            "eval_duration": max(eval_ns, 1),
        }

    def _chat_whole(self, model: FakeModel, body: dict, thinking: str) -> None:
        fake = self.fake
        started = time.perf_counter()
        fake._pause(fake.first_token_delay)
        if fake.fault is Fault.DROP_MID_STREAM:
            self._drop()
        if fake.fault is Fault.ERROR_LINE:
            self._error(500, ERROR_LINE_MESSAGE)
            return
        if fake.fault is Fault.MALFORMED_LINE:
            self._send_text(200, MALFORMED_LINE, "application/json; charset=utf-8")
            return
        tokens = split_tokens(fake.answer)
        final = self._final_line(model, body, len(tokens), started)
        final["message"] = {"role": "assistant", "content": fake.answer}
        if thinking:
            final["message"]["thinking"] = thinking
        self._send_json(200, final)
        fake.sent_tokens_done_at = time.perf_counter()

    def _chat_stream(self, model: FakeModel, body: dict, thinking: str) -> None:
        fake = self.fake
        started = time.perf_counter()
        pieces = [("thinking", t) for t in split_tokens(thinking)] + [
            ("content", t) for t in split_tokens(fake.answer)
        ]
        delay = 1.0 / fake.tokens_per_second if fake.tokens_per_second else 0.0
        # Like Ollama, nothing (not even the headers) is sent until the model has loaded.
        fake._pause(fake.first_token_delay)
        self._start_stream()
        for index, (kind, text) in enumerate(pieces):
            if index == fake.fault_after_tokens and self._mid_stream_fault():
                return
            if index:
                fake._pause(delay)
            message = {"role": "assistant", "content": text if kind == "content" else ""}
            if kind == "thinking":
                message["thinking"] = text
            self._send_line({"model": model.name, "created_at": _now(), "message": message, "done": False})
        if len(pieces) <= fake.fault_after_tokens and self._mid_stream_fault():
            return
        self._send_line(self._final_line(model, body, len(pieces), started))
        self._end_stream()
        fake.sent_tokens_done_at = time.perf_counter()

    def _mid_stream_fault(self) -> bool:
        """Apply a mid-stream fault; True when the stream is over because of it."""
        fault = self.fake.fault
        if fault is Fault.DROP_MID_STREAM:
            self._drop()
        if fault is Fault.ERROR_LINE:
            self._send_line({"error": ERROR_LINE_MESSAGE})
            self._end_stream()
            return True
        if fault is Fault.MALFORMED_LINE:
            self._send_line(MALFORMED_LINE)
        return False


_ROUTES = {
    ("GET", "/"): _Handler.root,
    ("GET", "/api/version"): _Handler.version,
    ("GET", "/api/tags"): _Handler.tags,
    ("POST", "/api/show"): _Handler.show,
    ("GET", "/api/ps"): _Handler.ps,
    ("POST", "/api/chat"): _Handler.chat,
    ("POST", "/api/pull"): _Handler.pull,
    ("DELETE", "/api/delete"): _Handler.delete,
    ("POST", "/api/embed"): _Handler.embed,
    ("POST", "/api/generate"): _Handler.generate,
}


def main(argv: list[str] | None = None) -> int:
    """Serve in the foreground until SIGTERM/SIGINT (for the fake ``ollama serve``)."""
    parser = argparse.ArgumentParser(description="A fake Ollama server for tests.")
    parser.add_argument("--port", type=int, default=11434)
    args = parser.parse_args(argv)
    server = FakeOllama(port=args.port).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(f"fake ollama listening on {server.host}", flush=True)
    while not done.wait(0.2):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
