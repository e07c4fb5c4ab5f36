"""Build the engine for the configured server: the one place adapters are chosen.

The app and the CLI both call ``create_engine``; an OpenAI-compatible adapter added
later is selected here, and nothing above the engine layer changes.
"""

from __future__ import annotations

from typing import Mapping

from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.engine.base import Engine
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
