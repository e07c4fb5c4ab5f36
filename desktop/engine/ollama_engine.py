"""The Ollama adapter: ``Engine`` over the official ``ollama`` client and httpx.

Listing and showing models go through ``ollama.Client``. Two calls go straight to
httpx with the same timeouts and headers: ``GET /api/version`` (the client has no
method for it) and the chat stream, because cancelling must be able to cut the
connection while the server is still loading the model — before any response
exists — and the client does not expose its connection. We learn the connection's
socket from httpcore's ``trace`` extension and shut it down on cancel, which wakes
the blocked read at once and tells Ollama to stop generating.

Every failure leaves this module as a ``desktop.core.errors.EngineError`` subclass
(or ``Cancelled``); raw httpx/ollama exceptions never escape.
"""

from __future__ import annotations

import json
import socket
import threading
from typing import Any, Callable, Iterator, Mapping, NoReturn, Sequence

import httpx
import ollama
import pydantic

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import (
    ChatDone,
    ChatEvent,
    ChatMessage,
    ChatOptions,
    ChatStats,
    TextDelta,
    ThinkingDelta,
)
from desktop.core.errors import (
    AuthenticationFailed,
    ConnectionDropped,
    EngineError,
    HearthError,
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
from desktop.engine.base import Engine, ModelDetails, ModelSummary, ServerInfo
from desktop.engine.models import RESUME_NOTE, LoadedModel, PullProgress
from desktop.engine.hosts import normalize_host

_MAX_SERVER_TEXT = 300
_MEMORY_WORDS = ("memory", "out of memory", "oom", "cudamalloc")


class OllamaEngine(Engine):
    """Talks to one Ollama server at ``host``."""

    def __init__(
        self,
        host: str,
        *,
        token: str | None = None,
        connect_timeout: float = 3.0,
        read_timeout: float = 120.0,
    ) -> None:
        try:
            self._host = normalize_host(host)
        except ValueError:
            raise HostUnreachable(
                f"{host!r} is not a server address Hearth can use.",
                host,
                hint="Use an address like http://127.0.0.1:11434.",
            ) from None
        self._token = token or None
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = ollama.Client(host=self._host, timeout=timeout, headers=headers)
        # No keep-alive: every chat opens its own connection, so the trace hook always
        # sees the socket it may have to cut on cancel.
        self._http = httpx.Client(
            base_url=self._host,
            timeout=timeout,
            headers=headers,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    # --- Engine -------------------------------------------------------------------

    @property
    def host(self) -> str:
        return self._host

    def close(self) -> None:
        """Release the HTTP connections."""
        self._http.close()
        self._client.close()

    def server_info(self) -> ServerInfo:
        """``GET /api/version``; raises a typed error when the server does not answer."""
        try:
            response = self._http.get("/api/version")
            if response.status_code >= 400:
                self._raise_status(response.status_code, _error_text(response), model=None)
            payload = response.json()
            version = payload.get("version") if isinstance(payload, dict) else None
        except HearthError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            raise self._translate(exc) from None
        if not isinstance(version, str):
            raise MalformedResponse(
                f"The server at {self._host} did not answer like Ollama.",
                self._host,
                hint="Check that the address points to an Ollama server.",
            )
        return ServerInfo(host=self._host, version=version)

    def list_models(self) -> list[ModelSummary]:
        """Installed models, sorted by name."""
        listed = self._call(self._client.list, model=None)
        summaries = [_summary(entry) for entry in listed.models]
        return sorted(summaries, key=lambda summary: summary.name)

    def show_model(self, name: str) -> ModelDetails:
        """Capabilities, context length and ``model_info`` of one installed model."""
        shown = self._call(lambda: self._client.show(name), model=name)
        return _details(name, shown)

    def chat(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        options: ChatOptions,
        cancel: CancelToken,
    ) -> Iterator[ChatEvent]:
        """Stream the answer; see ``Engine.chat``."""
        received: list[str] = []  # the text so far, kept in a typed error if the stream breaks
        body = chat_request_body(model, messages, options)
        yield from self._stream(
            "/api/chat", body, model, cancel,
            read=lambda response: self._read_stream(response, model, received, cancel),
            partial=lambda: "".join(received),
        )

    # --- model management -----------------------------------------------------------

    def loaded_models(self) -> list[LoadedModel]:
        """``GET /api/ps``: what is in memory, with the server's size figures."""
        payload = self._request_json("GET", "/api/ps", model=None)
        entries = payload.get("models") if isinstance(payload, dict) else None
        if not isinstance(entries, list):
            raise self._translate(ValueError("no models list"))
        return sorted((_loaded(entry) for entry in entries if isinstance(entry, dict)), key=lambda m: m.name)

    def show_raw(self, name: str, verbose: bool = False) -> dict:
        """Raw ``POST /api/show``; with ``verbose`` it holds tensors and full arrays."""
        body: dict[str, Any] = {"model": name}
        if verbose:
            body["verbose"] = True
        payload = self._request_json("POST", "/api/show", model=name, json=body)
        if not isinstance(payload, dict):
            raise self._translate(ValueError("show answer is not an object"))
        return payload

    def delete_model(self, name: str) -> None:
        """``DELETE /api/delete``."""
        self._request_json("DELETE", "/api/delete", model=name, json={"model": name}, expect_body=False)

    def unload_model(self, name: str) -> None:
        """``POST /api/generate`` with ``keep_alive: 0``: the server frees the model now."""
        self._request_json(
            "POST", "/api/generate", model=name, json={"model": name, "keep_alive": 0}, expect_body=False
        )

    def pull(self, name: str, cancel: CancelToken) -> Iterator[PullProgress]:
        """Stream ``POST /api/pull``; see ``Engine.pull``."""
        yield from self._stream(
            "/api/pull", {"model": name, "stream": True}, name, cancel,
            read=lambda response: self._read_pull(response, name, cancel),
            partial=lambda: "",
        )

    def _stream(
        self,
        path: str,
        body: dict[str, Any],
        model: str,
        cancel: CancelToken,
        read: Callable[[httpx.Response], Iterator[Any]],
        partial: Callable[[], str],
    ) -> Iterator[Any]:
        """POST ``body`` and yield what ``read`` makes of the NDJSON reply, cancellably.

        Cancelling shuts the connection's socket, which wakes a read blocked on a slow
        first line; every failure leaves as a typed error (or ``Cancelled``).
        """
        cancel.raise_if_cancelled()
        cutter = _ConnectionCutter()
        unregister = cancel.on_cancel(cutter.cut)
        try:
            with self._http.stream("POST", path, json=body, extensions={"trace": cutter.trace}) as response:
                if response.status_code >= 400:
                    response.read()
                    self._raise_status(response.status_code, _error_text(response), model=model)
                yield from read(response)
        except (Cancelled, HearthError):
            if cancel.cancelled:
                raise Cancelled() from None
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            if cancel.cancelled:
                raise Cancelled() from None
            raise self._translate(exc, partial=partial(), streaming=True) from None
        finally:
            unregister()

    def _read_pull(self, response: httpx.Response, name: str, cancel: CancelToken) -> Iterator[PullProgress]:
        for line in response.iter_lines():
            cancel.raise_if_cancelled()
            if not line.strip():
                continue
            chunk = self._parse_line(line, [])
            if "error" in chunk:
                raise self._pull_error(name, str(chunk["error"]))
            progress = _progress(chunk)
            yield progress
            if progress.done:
                return
        raise ConnectionDropped(
            f"The download of {name} from {self._host} stopped before it finished.",
            self._host,
            hint=f"Try again. {RESUME_NOTE}",
        )

    def _pull_error(self, name: str, text: str) -> EngineError:
        text = self._scrub(text)
        if "does not exist" in text or "not found" in text:
            return ModelNotFound(
                f"There is no model called {name} to download: {_clip(text)}",
                self._host,
                model=name,
                hint="Check the name and tag on ollama.com/library.",
            )
        return ServerError(f"The download of {name} failed: {_clip(text)}", self._host, hint=RESUME_NOTE)

    def _request_json(
        self, method: str, path: str, model: str | None, json: Any = None, expect_body: bool = True
    ) -> Any:
        try:
            response = self._http.request(method, path, json=json)
            if response.status_code >= 400:
                self._raise_status(response.status_code, _error_text(response), model=model)
            if not expect_body:
                return None
            return response.json()
        except HearthError:
            raise
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            raise self._translate(exc) from None

    # --- streaming ----------------------------------------------------------------

    def _read_stream(
        self, response: httpx.Response, model: str, received: list[str], cancel: CancelToken
    ) -> Iterator[ChatEvent]:
        for line in response.iter_lines():
            cancel.raise_if_cancelled()
            if not line.strip():
                continue
            chunk = self._parse_line(line, received)
            if "error" in chunk:
                raise StreamErrorLine(
                    f"The server at {self._host} stopped the answer with an error: "
                    f"{_clip(str(chunk['error']))}",
                    self._host,
                    partial_text="".join(received),
                    hint=_partial_hint(received, "Try again, or try a smaller context."),
                )
            message = chunk.get("message") or {}
            thinking = message.get("thinking") or ""
            content = message.get("content") or ""
            if thinking:
                yield ThinkingDelta(thinking)
            if content:
                received.append(content)
                yield TextDelta(content)
            if chunk.get("done"):
                yield ChatDone(model=str(chunk.get("model") or model), stats=_stats(chunk))
                return
        raise ConnectionDropped(
            f"The connection to {self._host} ended before the answer was complete.",
            self._host,
            partial_text="".join(received),
            hint=_partial_hint(received, "Try again."),
        )

    def _parse_line(self, line: str, received: list[str]) -> dict[str, Any]:
        try:
            chunk = json.loads(line)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict):
            raise MalformedResponse(
                f"The server at {self._host} sent a line that is not valid Ollama output.",
                self._host,
                partial_text="".join(received),
                hint=_partial_hint(received, "Check that the address points to Ollama."),
            )
        return chunk

    # --- error mapping ------------------------------------------------------------

    def _call(self, work: Callable[[], Any], model: str | None) -> Any:
        try:
            return work()
        except ollama.ResponseError as exc:
            self._raise_status(exc.status_code, exc.error, model=model)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a typed error
            raise self._translate(exc) from None

    def _raise_status(self, status: int, text: str, model: str | None) -> NoReturn:
        raise self._status_error(status, self._scrub(text), model) from None

    def _status_error(self, status: int, text: str, model: str | None) -> EngineError:
        host = self._host
        lowered = text.lower()
        if status in (401, 403):
            return AuthenticationFailed(
                f"The server at {host} refused the request: not authorized ({status}).",
                host,
                hint="Check the access token saved for this host in Settings.",
            )
        if status == 404 and model:
            return ModelNotFound(
                f"The model {model} is not installed on {host}.",
                host,
                model=model,
                hint=f"Install it with: ollama pull {model}",
            )
        if status == 400 and "does not support chat" in lowered and model:
            return ModelCannotChat(
                f"The model {model} on {host} cannot chat (it is an embedding model).",
                host,
                hint="Pick a chat model in the model picker.",
            )
        if status == 503:
            return ServerBusy(
                f"The server at {host} is busy with other requests.",
                host,
                hint="Wait a moment and try again.",
            )
        if status >= 500 and any(word in lowered for word in _MEMORY_WORDS):
            return OutOfMemory(
                f"The server at {host} could not load {model or 'the model'}: {_clip(text)}",
                host,
                hint="Choose a smaller model or a shorter context length, or close other programs.",
            )
        detail = f": {_clip(text)}" if text else ""
        return ServerError(f"The server at {host} answered with an error ({status}){detail}", host)

    def _translate(self, exc: BaseException, partial: str = "", streaming: bool = False) -> EngineError:
        """Turn a transport or client exception into a typed, plain-language error."""
        host = self._host
        if isinstance(exc, httpx.ConnectTimeout):
            return self._unreachable(f"did not accept a connection within {self._connect_timeout:g} s")
        if isinstance(exc, httpx.TimeoutException):
            if streaming and partial:
                return ConnectionDropped(
                    f"The server at {host} stopped sending for {self._read_timeout:g} s.",
                    host,
                    partial_text=partial,
                    hint=_partial_hint(partial, "Try again."),
                )
            return RequestTimedOut(
                f"The server at {host} did not answer within {self._read_timeout:g} s.",
                host,
                hint="A large model can take a while to load; try again, or raise the timeout in Settings.",
            )
        if isinstance(exc, (httpx.ConnectError, ConnectionRefusedError)) or (
            isinstance(exc, ConnectionError) and not isinstance(exc, ConnectionResetError)
        ):
            return self._unreachable("could not be reached")
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, ConnectionResetError)):
            if streaming:
                return ConnectionDropped(
                    f"The connection to {host} dropped before the answer was complete.",
                    host,
                    partial_text=partial,
                    hint=_partial_hint(partial, "Try again."),
                )
            return ServerError(f"The server at {host} closed the connection without answering.", host)
        if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return HostUnreachable(
                f"{host} is not a server address Hearth can use.",
                host,
                hint="Use an address like http://127.0.0.1:11434.",
            )
        if isinstance(exc, (ValueError, pydantic.ValidationError)):
            return MalformedResponse(
                f"The server at {host} did not answer like Ollama.",
                host,
                partial_text=partial,
                hint="Check that the address points to an Ollama server.",
            )
        return ServerError(f"Talking to {host} failed: {self._scrub(type(exc).__name__)}.", host)

    def _unreachable(self, what: str) -> EngineError:
        host = self._host
        if self.is_local:
            return ServerNotRunning(
                f"Ollama is not running at {host}.",
                host,
                hint="Start Ollama (in Hearth, or run `ollama serve` in a terminal), then try again.",
            )
        return HostUnreachable(
            f"The server at {host} {what}.",
            host,
            hint="Check the address, your network or VPN, and that Ollama listens on that machine.",
        )

    def _scrub(self, text: str) -> str:
        """Remove our token from text that came from elsewhere (a proxy might echo it)."""
        if self._token and self._token in text:
            return text.replace(self._token, "***")
        return text


def chat_request_body(model: str, messages: Sequence[ChatMessage], options: ChatOptions) -> dict[str, Any]:
    """The JSON body of ``POST /api/chat``: always ``num_ctx``; ``think`` only when set."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": m.role, "content": m.content} for m in messages],
        "stream": True,
        "options": {"num_ctx": options.num_ctx, "temperature": options.temperature},
    }
    if options.think is not None:
        body["think"] = options.think
    return body


class _ConnectionCutter:
    """Remembers a request's sockets (via httpcore's trace hook) and shuts them on cancel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._cut = False

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            cut = self._cut
        if cut:
            _shutdown(sock)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    # shutdown (not close) wakes a recv blocked in another thread on every platform.
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _error_text(response: httpx.Response) -> str:
    """The ``error`` field of an error body, or its raw text."""
    try:
        payload = response.json()
    except ValueError:
        return response.text.strip()
    if isinstance(payload, dict) and isinstance(payload.get("error"), str):
        return payload["error"]
    return response.text.strip()


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_SERVER_TEXT else text[: _MAX_SERVER_TEXT - 1] + "…"


def _stats(chunk: Mapping[str, Any]) -> ChatStats:
    def number(key: str) -> int:
        value = chunk.get(key)
        return int(value) if isinstance(value, (int, float)) else 0

    return ChatStats(
        done_reason=str(chunk.get("done_reason") or "stop"),
        prompt_eval_count=number("prompt_eval_count"),
        eval_count=number("eval_count"),
        total_duration_ns=number("total_duration"),
        load_duration_ns=number("load_duration"),
        prompt_eval_duration_ns=number("prompt_eval_duration"),
        eval_duration_ns=number("eval_duration"),
    )


def _summary(entry: Any) -> ModelSummary:
    details = entry.details
    return ModelSummary(
        name=entry.model or "",
        size_bytes=int(entry.size or 0),
        digest=entry.digest or "",
        modified_at=entry.modified_at.isoformat() if entry.modified_at else "",
        family=(details.family if details else None) or "",
        parameter_size=(details.parameter_size if details else None) or "",
        quantization=(details.quantization_level if details else None) or "",
    )


def _details(name: str, shown: Any) -> ModelDetails:
    info: dict[str, Any] = dict(shown.modelinfo or {})
    arch = str(info.get("general.architecture") or "")
    context = info.get(f"{arch}.context_length") if arch else None
    details = shown.details
    return ModelDetails(
        name=name,
        capabilities=tuple(shown.capabilities or ()),
        context_length=int(context) if isinstance(context, (int, float)) else 0,
        family=(details.family if details else None) or arch,
        parameter_size=(details.parameter_size if details else None) or "",
        quantization=(details.quantization_level if details else None) or "",
        model_info=tuple(sorted(info.items())),
    )


def _loaded(entry: Mapping[str, Any]) -> LoadedModel:
    def number(key: str) -> int:
        value = entry.get(key)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    return LoadedModel(
        name=str(entry.get("model") or entry.get("name") or ""),
        size_bytes=number("size"),
        size_vram_bytes=number("size_vram"),
        context_length=number("context_length"),
        expires_at=str(entry.get("expires_at") or ""),
    )


def _progress(chunk: Mapping[str, Any]) -> PullProgress:
    def number(key: str) -> int:
        value = chunk.get(key)
        return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    return PullProgress(
        status=str(chunk.get("status") or ""),
        digest=str(chunk.get("digest") or ""),
        total=number("total"),
        completed=number("completed"),
    )


def _partial_hint(partial: str | list[str], advice: str) -> str:
    """The hint of an error in the middle of an answer: that the text which arrived is
    kept (only when some did), then ``advice``."""
    return f"What arrived so far is kept. {advice}" if "".join(partial) else advice
