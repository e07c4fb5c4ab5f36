"""Finding, starting and checking a local Ollama server.

Hearth never downloads anything here. When nothing answers on a local host it can find
the ``ollama`` executable and start ``ollama serve`` as a detached process that keeps
running after Hearth quits; when Ollama is not installed it says how to get it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import (
    EngineError,
    HostUnreachable,
    RequestTimedOut,
    ServerBusy,
    ServerNotRunning,
)
from desktop.core.paths import HearthPaths
from desktop.engine.base import Engine, ServerInfo
from desktop.engine.hosts import hostname_of, is_loopback, normalize_host

DOWNLOAD_URL = "https://ollama.com/download"
POSIX_CANDIDATES: tuple[Path, ...] = (
    Path("/usr/local/bin/ollama"),
    Path("/opt/homebrew/bin/ollama"),
    Path("/Applications/Ollama.app/Contents/Resources/ollama"),
)
_POLL_INTERVAL_S = 0.2
# Errors that a server which is still starting gives; anything else will not fix itself.
_STARTING_ERRORS = (ServerNotRunning, HostUnreachable, RequestTimedOut, ServerBusy)
# Popen objects of servers we started: kept so they are not reported as leaked.
_launched: list[subprocess.Popen] = []


@dataclass(frozen=True)
class ServerLaunch:
    """How ``ollama serve`` is started: command, environment, log file, detach flags."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    log_path: Path
    new_session: bool
    creationflags: int


@dataclass(frozen=True)
class ServerDiagnosis:
    """What is known about the configured server, for the banner in the window."""

    host: str
    is_local: bool
    reachable: bool
    version: str = ""
    reason: str = ""
    hint: str = ""
    executable: Path | None = None

    @property
    def can_start_locally(self) -> bool:
        """True when the host is this machine and an ``ollama`` executable was found."""
        return self.is_local and not self.reachable and self.executable is not None


def default_candidates(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Places Ollama's installers put the executable, besides ``PATH``."""
    environ = os.environ if environ is None else environ
    if sys.platform == "win32":
        local = environ.get("LOCALAPPDATA", "")
        return (Path(local) / "Programs" / "Ollama" / "ollama.exe",) if local else ()
    return POSIX_CANDIDATES


def find_ollama(
    environ: Mapping[str, str] | None = None,
    extra_dirs: Iterable[Path] | None = None,
    candidates: Sequence[Path] | None = None,
) -> Path | None:
    """The ``ollama`` executable: on ``PATH``, in ``extra_dirs``, then well-known places."""
    environ = os.environ if environ is None else environ
    found = shutil.which("ollama", path=environ.get("PATH", ""))
    if found:
        return Path(found)
    for directory in extra_dirs or ():
        found = shutil.which("ollama", path=str(directory))
        if found:
            return Path(found)
    for candidate in default_candidates(environ) if candidates is None else candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def serve_log_path(paths: HearthPaths) -> Path:
    """Where the output of an ``ollama serve`` started by Hearth goes."""
    return paths.log_dir / "ollama-serve.log"


def bind_address(host: str) -> str:
    """The ``OLLAMA_HOST`` value that makes ``ollama serve`` listen where ``host`` points."""
    normalized = normalize_host(host)
    port = normalized.rsplit(":", 1)[-1].split("/", 1)[0]
    name = hostname_of(normalized)
    name = f"[{name}]" if ":" in name else name
    return f"{name}:{port}"


def serve_launch(
    executable: Path, host: str, log_path: Path, environ: Mapping[str, str] | None = None
) -> ServerLaunch:
    """The plan for a detached ``ollama serve`` listening at ``host``."""
    env = dict(os.environ if environ is None else environ)
    env["OLLAMA_HOST"] = bind_address(host)
    if sys.platform == "win32":
        flags = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        new_session = False
    else:
        flags = 0
        new_session = True
    return ServerLaunch(
        argv=(str(executable), "serve"),
        env=tuple(sorted(env.items())),
        log_path=log_path,
        new_session=new_session,
        creationflags=flags,
    )


def start_ollama_serve(executable: Path, host: str, log_path: Path) -> int:
    """Start ``ollama serve`` detached, output appended to ``log_path``; returns its pid.

    The process is in its own session / process group so it outlives Hearth.
    """
    if not is_loopback(host):
        raise HostUnreachable(
            f"Hearth can only start Ollama on this computer, not at {host}.",
            host,
            hint="Start Ollama on that machine, or switch to a local host in Settings.",
        )
    launch = serve_launch(executable, host, log_path)
    try:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                launch.argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(launch.env),
                start_new_session=launch.new_session,
                creationflags=launch.creationflags,
                close_fds=True,
            )
    except OSError as exc:
        raise ServerNotRunning(
            f"Hearth could not start Ollama from {executable}: {exc.strerror or exc}.",
            host,
            hint=install_hint(),
        ) from None
    _launched.append(process)
    return process.pid


def wait_until_ready(engine: Engine, timeout: float, cancel: CancelToken) -> ServerInfo:
    """Poll ``engine.server_info()`` until it answers, ``timeout`` passes, or cancel.

    Raises ``Cancelled``, the server's error if it is not a "still starting" one, or
    ``ServerNotRunning`` when the time is up.
    """
    deadline = time.monotonic() + timeout
    while True:
        cancel.raise_if_cancelled()
        try:
            return engine.server_info()
        except _STARTING_ERRORS:
            pass
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ServerNotRunning(
                f"Ollama did not start answering at {engine.host} within {timeout:g} s.",
                engine.host,
                hint="See ollama-serve.log in Hearth's log folder for what went wrong.",
            )
        if cancel.wait(min(_POLL_INTERVAL_S, remaining)):
            raise Cancelled()


def install_hint(platform: str | None = None) -> str:
    """How to get Ollama on this platform, in words (Hearth never downloads it)."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin":
        return f"Install Ollama from {DOWNLOAD_URL} or with `brew install ollama`, then start it."
    if platform == "win32":
        return f"Install Ollama for Windows from {DOWNLOAD_URL}, then start it from the Start menu."
    return (
        f"Install Ollama with the instructions at {DOWNLOAD_URL} (or your package manager), "
        "then run `ollama serve`."
    )


def diagnose(engine: Engine, finder: Callable[[], Path | None] = find_ollama) -> ServerDiagnosis:
    """Is the server up; if not, why, and can Hearth start it on this machine?"""
    try:
        info = engine.server_info()
    except EngineError as exc:
        # Only "nothing listens here" is fixed by starting a server.
        executable = finder() if isinstance(exc, ServerNotRunning) else None
        if isinstance(exc, ServerNotRunning) and executable is None:
            hint = f"Ollama does not seem to be installed. {install_hint()}"
        else:
            hint = exc.hint
        return ServerDiagnosis(
            host=engine.host,
            is_local=engine.is_local,
            reachable=False,
            reason=exc.message,
            hint=hint,
            executable=executable,
        )
    return ServerDiagnosis(host=engine.host, is_local=engine.is_local, reachable=True, version=info.version)
