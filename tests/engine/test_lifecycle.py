"""Finding and starting Ollama, with a real (fake) ``ollama`` executable."""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

import tests
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import AuthenticationFailed, HostUnreachable, ServerNotRunning
from desktop.core.paths import HearthPaths
from desktop.engine.lifecycle import (
    bind_address,
    diagnose,
    find_ollama,
    install_hint,
    serve_launch,
    serve_log_path,
    start_ollama_serve,
    wait_until_ready,
)
from desktop.engine.ollama_engine import OllamaEngine
from tests.fakes.fake_ollama import FakeOllama

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="the fake executable is a shebang script")
REPO_ROOT = Path(tests.__file__).resolve().parent.parent

FAKE_OLLAMA_SCRIPT = """#!{python}
import os
import sys

sys.path.insert(0, {repo!r})
from tests.fakes.fake_ollama import main

if sys.argv[1:] != ["serve"]:
    print("usage: ollama serve", file=sys.stderr)
    sys.exit(2)
port = os.environ.get("OLLAMA_HOST", "127.0.0.1:11434").rsplit(":", 1)[1]
sys.exit(main(["--port", port]))
"""


def write_fake_ollama(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "ollama"
    script.write_text(FAKE_OLLAMA_SCRIPT.format(python=sys.executable, repo=str(REPO_ROOT)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script


@pytest.fixture
def started_pids() -> Iterator[list[int]]:
    """Pids of servers a test starts; terminated and reaped at the end."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


# --- find_ollama -----------------------------------------------------------------------


@posix_only
def test_find_ollama_on_path(tmp_path: Path) -> None:
    script = write_fake_ollama(tmp_path / "bin")
    assert find_ollama(environ={"PATH": str(tmp_path / "bin")}, candidates=()) == script


@posix_only
def test_find_ollama_in_extra_dirs(tmp_path: Path) -> None:
    script = write_fake_ollama(tmp_path / "opt")
    found = find_ollama(environ={"PATH": str(tmp_path / "empty")}, extra_dirs=[tmp_path / "opt"], candidates=())
    assert found == script


@posix_only
def test_find_ollama_in_well_known_place(tmp_path: Path) -> None:
    script = write_fake_ollama(tmp_path / "Ollama.app")
    missing = tmp_path / "nowhere" / "ollama"
    assert find_ollama(environ={"PATH": ""}, candidates=[missing, script]) == script


def test_find_ollama_ignores_non_executable_files(tmp_path: Path) -> None:
    plain = tmp_path / "ollama"
    plain.write_text("not a program")
    plain.chmod(0o644)
    assert find_ollama(environ={"PATH": str(tmp_path)}, candidates=[plain]) is None


def test_find_ollama_not_installed(tmp_path: Path) -> None:
    assert find_ollama(environ={"PATH": str(tmp_path)}, candidates=()) is None


# --- launch plan -------------------------------------------------------------------------


def test_bind_address_from_host() -> None:
    assert bind_address("http://127.0.0.1:11500") == "127.0.0.1:11500"
    assert bind_address("localhost") == "localhost:11434"
    assert bind_address("http://[::1]:8080") == "[::1]:8080"


def test_serve_launch_is_detached_and_sets_ollama_host(tmp_path: Path) -> None:
    launch = serve_launch(Path("/usr/bin/ollama"), "http://127.0.0.1:11500", tmp_path / "serve.log", {"PATH": "/bin"})
    assert launch.argv == ("/usr/bin/ollama", "serve")
    assert dict(launch.env) == {"PATH": "/bin", "OLLAMA_HOST": "127.0.0.1:11500"}
    assert launch.new_session or launch.creationflags
    assert launch.log_path == tmp_path / "serve.log"


def test_serve_log_lives_in_hearth_log_dir(hearth_home: Path) -> None:
    paths = HearthPaths.from_env()
    assert serve_log_path(paths).parent == paths.log_dir
    assert hearth_home.resolve() in serve_log_path(paths).parents


# --- start and wait ----------------------------------------------------------------------


@posix_only
def test_start_ollama_serve_runs_detached_and_answers(
    tmp_path: Path, free_local_port: int, started_pids: list[int]
) -> None:
    executable = write_fake_ollama(tmp_path / "bin")
    host = f"http://127.0.0.1:{free_local_port}"
    log_path = serve_log_path(HearthPaths.from_env())
    pid = start_ollama_serve(executable, host, log_path)
    started_pids.append(pid)
    assert os.getsid(pid) == pid  # its own session: survives Hearth quitting
    engine = OllamaEngine(host)
    info = wait_until_ready(engine, timeout=20.0, cancel=CancelToken())
    assert info.version == FakeOllama().version
    assert "listening" in log_path.read_text()
    diagnosis = diagnose(engine, finder=lambda: executable)
    assert diagnosis.reachable and diagnosis.version == info.version
    assert not diagnosis.can_start_locally


def test_start_with_a_missing_executable_is_a_clear_error(tmp_path: Path, free_local_port: int) -> None:
    host = f"http://127.0.0.1:{free_local_port}"
    with pytest.raises(ServerNotRunning) as info:
        start_ollama_serve(tmp_path / "no-ollama", host, tmp_path / "logs" / "serve.log")
    assert "no-ollama" in info.value.message
    assert "ollama.com/download" in info.value.hint


def test_start_refuses_remote_hosts(tmp_path: Path) -> None:
    with pytest.raises(HostUnreachable):
        start_ollama_serve(tmp_path / "ollama", "http://192.0.2.1:11434", tmp_path / "serve.log")


def test_wait_until_ready_returns_when_server_is_up(fake_ollama: FakeOllama) -> None:
    info = wait_until_ready(OllamaEngine(fake_ollama.host), timeout=5.0, cancel=CancelToken())
    assert info.host == fake_ollama.host


def test_wait_until_ready_gives_up_after_timeout(free_local_port: int) -> None:
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    with pytest.raises(ServerNotRunning) as info:
        wait_until_ready(engine, timeout=0.5, cancel=CancelToken())
    assert "did not start" in info.value.message


def test_wait_until_ready_can_be_cancelled(free_local_port: int) -> None:
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        wait_until_ready(engine, timeout=30.0, cancel=token)
    assert time.monotonic() - started < 5.0


def test_wait_until_ready_sees_a_server_that_comes_up_later(free_local_port: int) -> None:
    server = FakeOllama(port=free_local_port)
    timer = threading.Timer(0.5, server.start)
    timer.start()
    try:
        info = wait_until_ready(OllamaEngine(f"http://127.0.0.1:{free_local_port}"), 10.0, CancelToken())
        assert info.version == server.version
    finally:
        timer.join()
        server.stop()


def test_wait_until_ready_does_not_retry_auth_failures(fake_ollama: FakeOllama) -> None:
    fake_ollama.required_token = "secret"
    with pytest.raises(AuthenticationFailed):
        wait_until_ready(OllamaEngine(fake_ollama.host), timeout=30.0, cancel=CancelToken())


# --- diagnose and hints ------------------------------------------------------------------


@posix_only
def test_diagnose_local_server_down_with_ollama_installed(tmp_path: Path, free_local_port: int) -> None:
    executable = write_fake_ollama(tmp_path / "bin")
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    diagnosis = diagnose(engine, finder=lambda: find_ollama(environ={"PATH": str(tmp_path / "bin")}, candidates=()))
    assert not diagnosis.reachable
    assert diagnosis.can_start_locally
    assert diagnosis.executable == executable
    assert "not running" in diagnosis.reason


def test_diagnose_local_server_down_and_not_installed(tmp_path: Path, free_local_port: int) -> None:
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}")
    diagnosis = diagnose(engine, finder=lambda: None)
    assert not diagnosis.reachable
    assert not diagnosis.can_start_locally
    assert "ollama.com/download" in diagnosis.hint


def test_diagnose_remote_unreachable_never_offers_to_start() -> None:
    engine = OllamaEngine("http://nonexistent.invalid:11434", connect_timeout=1.0)
    diagnosis = diagnose(engine, finder=lambda: Path("/usr/bin/ollama"))
    assert not diagnosis.is_local
    assert not diagnosis.reachable
    assert not diagnosis.can_start_locally
    assert "nonexistent.invalid" in diagnosis.reason


@pytest.mark.parametrize(
    ("platform", "words"),
    [("darwin", "brew install ollama"), ("win32", "Windows"), ("linux", "ollama serve")],
)
def test_install_hint_per_platform(platform: str, words: str) -> None:
    hint = install_hint(platform)
    assert "https://ollama.com/download" in hint
    assert words in hint
