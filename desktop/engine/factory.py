"""Build the engine for the configured server: the one place adapters are chosen.

The app and the CLI both call ``create_engine``; an OpenAI-compatible adapter added
later is selected here, and nothing above the engine layer changes.
"""

from __future__ import annotations

import threading
from typing import Iterator, Mapping, Sequence

from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatEvent, ChatMessage, ChatOptions
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.engine.base import Engine, ModelDetails, ModelSummary, ServerInfo
from desktop.engine.models import LoadedModel, PullProgress
from desktop.engine.hosts import resolve_host


def create_engine(
    settings: Settings,
    secrets: SecretStore,
    host_flag: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Engine:
    """The engine for ``--host`` > ``OLLAMA_HOST`` > settings > default, with its token."""
    from desktop.engine.ollama_engine import OllamaEngine  # the client is imported only when needed

    host = resolve_host(host_flag, settings.host, environ)
    return OllamaEngine(
        host,
        token=secrets.get_token(host),
        connect_timeout=settings.connect_timeout_s,
        read_timeout=settings.read_timeout_s,
    )


class DeferredEngine(Engine):
    """An engine built on first use, so importing the HTTP client costs nothing at start-up.

    ``host`` and ``is_local`` answer at once; every other call builds the real engine
    (through ``create_engine``) the first time, on whichever
    thread asks — in the app that is always the worker.
    """

    def __init__(self, settings: Settings, secrets: SecretStore, host_flag: str | None = None) -> None:
        self._settings = settings
        self._secrets = secrets
        self._flag = host_flag
        self._host = resolve_host(host_flag, settings.host)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _real(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self._settings, self._secrets, self._flag)
            return self._engine

    @property
    def host(self) -> str:
        return self._host

    def server_info(self) -> ServerInfo:
        return self._real().server_info()

    def list_models(self) -> list[ModelSummary]:
        return self._real().list_models()

    def show_model(self, name: str) -> ModelDetails:
        return self._real().show_model(name)

    def chat(self, model: str, messages: Sequence[ChatMessage], options: ChatOptions,
             cancel: CancelToken) -> Iterator[ChatEvent]:
        return self._real().chat(model, messages, options, cancel)

    def loaded_models(self) -> list[LoadedModel]:
        return self._real().loaded_models()

    def show_raw(self, name: str, verbose: bool = False) -> dict:
        return self._real().show_raw(name, verbose)

    def pull(self, name: str, cancel: CancelToken) -> Iterator[PullProgress]:
        return self._real().pull(name, cancel)

    def delete_model(self, name: str) -> None:
        self._real().delete_model(name)

    def unload_model(self, name: str) -> None:
        self._real().unload_model(name)
