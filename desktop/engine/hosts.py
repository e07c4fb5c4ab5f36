"""Which server to talk to, and whether it is this machine.

Precedence: ``--host`` flag, then ``OLLAMA_HOST``, then the settings file, then
``http://127.0.0.1:11434``. Normalisation follows the official client: a bare host gets
port 11434, ``:5000`` means localhost:5000, ``https://h`` means port 443 (and
``http://h`` port 80), and a path suffix (reverse proxies) is kept.
"""

from __future__ import annotations

import ipaddress
import os
from typing import Mapping
from urllib.parse import urlsplit

from desktop.core.settings import DEFAULT_HOST

DEFAULT_PORT = 11434
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def resolve_host(flag: str | None, settings_host: str, environ: Mapping[str, str] | None = None) -> str:
    """The normalised base URL to use, by precedence flag > env > settings > default."""
    environ = os.environ if environ is None else environ
    for candidate in (flag, environ.get("OLLAMA_HOST"), settings_host):
        if candidate and candidate.strip():
            return normalize_host(candidate.strip())
    return DEFAULT_HOST


def normalize_host(raw: str) -> str:
    """``'1.2.3.4'`` → ``'http://1.2.3.4:11434'``; keeps scheme, port and path."""
    text = raw.strip()
    if "://" not in text:
        scheme = "http"
        rest = text
    else:
        scheme, rest = text.split("://", 1)
        scheme = scheme.lower() or "http"
    if rest.startswith(":"):
        rest = "127.0.0.1" + rest
    parts = urlsplit(f"{scheme}://{rest}")
    hostname = parts.hostname or "127.0.0.1"
    if hostname == "0.0.0.0":
        hostname = "127.0.0.1"  # a bind-all address is reached through loopback
    port = parts.port or _default_port(scheme, explicit_scheme="://" in text)
    host_part = f"[{hostname}]" if ":" in hostname else hostname
    path = parts.path.rstrip("/")
    return f"{scheme}://{host_part}:{port}{path}"


def _default_port(scheme: str, explicit_scheme: bool) -> int:
    # As in the official client: a written scheme implies its own port, a bare name Ollama's.
    if not explicit_scheme:
        return DEFAULT_PORT
    return 443 if scheme == "https" else 80


def hostname_of(host: str) -> str:
    return urlsplit(host).hostname or ""


def is_loopback(host: str) -> bool:
    """True when ``host`` names this machine."""
    name = hostname_of(host).lower()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def sends_code_in_clear(host: str) -> bool:
    """True for plain ``http`` to another machine: the case that deserves a warning."""
    return urlsplit(host).scheme == "http" and not is_loopback(host)
