"""The engine interface: what the chat logic and the UI know of a model server.

Ollama is the first adapter (``desktop.engine.ollama_engine``). An OpenAI-compatible
adapter (vLLM, llama.cpp server, LM Studio) implements the same interface, so neither
the UI nor the chat logic changes when it arrives.

All methods raise only ``desktop.core.errors.EngineError`` subclasses (and
``Cancelled`` from ``chat`` when the token is cancelled).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatEvent, ChatMessage, ChatOptions
from desktop.engine.hosts import is_loopback
from desktop.engine.models import LoadedModel, PullProgress


@dataclass(frozen=True)
class ServerInfo:
    """What a reachable server says about itself."""

    host: str
    version: str


@dataclass(frozen=True)
class ModelSummary:
    """An installed model, as listed by the server."""

    name: str
    size_bytes: int = 0
    digest: str = ""
    modified_at: str = ""
    family: str = ""
    parameter_size: str = ""
    quantization: str = ""


@dataclass(frozen=True)
class ModelDetails:
    """What the server tells about one model."""

    name: str
    capabilities: tuple[str, ...] = ()
    context_length: int = 0
    family: str = ""
    parameter_size: str = ""
    quantization: str = ""
    model_info: tuple[tuple[str, object], ...] = field(default_factory=tuple)

    @property
    def can_chat(self) -> bool:
        return not self.capabilities or "completion" in self.capabilities

    @property
    def can_think(self) -> bool:
        return "thinking" in self.capabilities


class Engine(ABC):
    """A model server Hearth can chat with."""

    @property
    @abstractmethod
    def host(self) -> str:
        """The server's base URL, as shown to the user."""

    @property
    def is_local(self) -> bool:
        """True when the host is this machine (loopback)."""
        return is_loopback(self.host)

    @abstractmethod
    def server_info(self) -> ServerInfo:
        """Health check and version; raises when the server does not answer."""

    @abstractmethod
    def list_models(self) -> list[ModelSummary]:
        """Installed models, sorted by name."""

    @abstractmethod
    def show_model(self, name: str) -> ModelDetails:
        """Details of one installed model."""

    @abstractmethod
    def chat(
        self,
        model: str,
        messages: Sequence[ChatMessage],
        options: ChatOptions,
        cancel: CancelToken,
    ) -> Iterator[ChatEvent]:
        """Stream an answer: ``TextDelta``/``ThinkingDelta`` items, then one ``ChatDone``.

        Cancelling the token stops the stream within 300 ms, also while the server is
        still preparing the first token; the generator then raises ``Cancelled``.
        """

    # --- model management (issue 5) -------------------------------------------------

    @abstractmethod
    def loaded_models(self) -> list[LoadedModel]:
        """Models in memory now, with the server's own size figures."""

    @abstractmethod
    def show_raw(self, name: str, verbose: bool = False) -> dict:
        """The server's raw model description; ``verbose`` adds tensors and full arrays."""

    @abstractmethod
    def pull(self, name: str, cancel: CancelToken) -> Iterator[PullProgress]:
        """Download a model, yielding progress lines until ``success``.

        Cancelling closes the stream (the only way to stop a pull) and raises
        ``Cancelled``; a later pull resumes the partial download. An unknown name
        raises ``ModelNotFound``, also when the server reports it inside the stream.
        """

    @abstractmethod
    def delete_model(self, name: str) -> None:
        """Remove an installed model from the server's disk."""

    @abstractmethod
    def unload_model(self, name: str) -> None:
        """Free the memory a loaded model takes, now (it stays installed)."""
