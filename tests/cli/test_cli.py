"""The `hearth` command, run as a real subprocess against the fake Ollama server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.fake_ollama import Fault

BIN_DIR = Path(sys.executable).parent


def hearth(*args: str, env_extra: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "parser.py").write_text("def parse_http_response(data):\n    return data\n")
    (root / "README.md").write_text("# Demo\n")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("module.exports = 1\n")
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_version_and_console_script():
    result = hearth("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("hearth ")
    script = BIN_DIR / "hearth"
    if script.exists():
        assert subprocess.run([str(script), "--version"], capture_output=True, text=True).stdout == result.stdout


def test_doctor_reports_server_models_and_hardware(fake_ollama):
    result = hearth("doctor", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert fake_ollama.host in result.stdout
    assert f"Ollama {fake_ollama.version}" in result.stdout
    for model in fake_ollama.models:
        assert model.name in result.stdout
    assert "RAM" in result.stdout


def test_doctor_exit_1_when_server_is_down(free_local_port):
    host = f"http://127.0.0.1:{free_local_port}"
    result = hearth("doctor", "--host", host)
    assert result.returncode == 1
    assert host in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_ask_streams_the_answer_and_sends_project_listing(fake_ollama, project):
    fake_ollama.answer = "The parser lives in `src/parser.py`."
    before = snapshot(project)
    result = hearth("ask", str(project), "Where is the parser?", "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == fake_ollama.answer
    body = fake_ollama.last_chat_body
    assert body["model"] == "mistral:7b"
    assert "num_ctx" in body["options"]
    prompt = "\n".join(m["content"] for m in body["messages"])
    assert "src/parser.py" in prompt and "Where is the parser?" in prompt
    assert "node_modules" not in prompt
    assert snapshot(project) == before  # nothing written into the project


def test_ask_uses_host_from_ollama_host_env(fake_ollama, project):
    fake_ollama.answer = "ok"
    result = hearth("ask", str(project), "hi", "--model", "mistral:7b", env_extra={"OLLAMA_HOST": fake_ollama.host})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_ask_picks_an_installed_chat_model_when_none_given(fake_ollama, project):
    fake_ollama.answer = "fine"
    result = hearth("ask", str(project), "hi", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    chosen = fake_ollama.last_chat_body["model"]
    assert chosen in {m.name for m in fake_ollama.models if "completion" in m.capabilities}


def test_ask_missing_model_offers_pull_command(fake_ollama, project):
    result = hearth("ask", str(project), "hi", "--model", "nosuch:1b", "--host", fake_ollama.host)
    assert result.returncode == 1
    assert "ollama pull nosuch:1b" in result.stderr
    assert fake_ollama.host in result.stderr
    assert "Traceback" not in result.stderr



def ask_to_count(fake_ollama, project) -> subprocess.CompletedProcess:  # noqa: ANN001 - fixtures
    """``hearth ask`` of the project, with the fake server's fault and answer as set."""
    return hearth("ask", str(project), "count", "--model", "mistral:7b", "--host", fake_ollama.host)

def test_ask_connection_dropped_keeps_partial_answer(fake_ollama, project):
    fake_ollama.answer = "one two three four five six seven eight nine ten eleven twelve"
    fake_ollama.fault = Fault.DROP_MID_STREAM
    fake_ollama.fault_after_tokens = 4
    result = ask_to_count(fake_ollama, project)
    assert result.returncode == 1
    assert result.stdout.strip() and fake_ollama.answer.startswith(result.stdout.strip())
    assert "incomplete" in result.stderr
    assert fake_ollama.host in result.stderr
    assert "Traceback" not in result.stderr



def test_ask_that_gets_an_empty_answer_says_so_and_exits_1(fake_ollama, project):
    fake_ollama.answer = ""
    result = ask_to_count(fake_ollama, project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"hearth: mistral:7b at {fake_ollama.host} finished without an answer (a reasoning model may have "
        "spent it all on its reasoning); nothing was printed."
    )

def test_ask_connection_dropped_before_any_text_does_not_speak_of_an_answer_above(fake_ollama, project):
    fake_ollama.answer = "one two three"
    fake_ollama.fault = Fault.DROP_MID_STREAM
    fake_ollama.fault_after_tokens = 0
    result = ask_to_count(fake_ollama, project)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().endswith("No part of the answer arrived.")
    assert "answer above" not in result.stderr


def test_ask_error_line_mid_stream(fake_ollama, project):
    fake_ollama.answer = "alpha beta gamma delta epsilon zeta eta theta"
    fake_ollama.fault = Fault.ERROR_LINE
    fake_ollama.fault_after_tokens = 3
    result = hearth("ask", str(project), "go", "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 1
    assert result.stdout.strip()
    assert "Traceback" not in result.stderr


def test_ask_server_down_is_one_line_no_traceback(free_local_port, project):
    host = f"http://127.0.0.1:{free_local_port}"
    result = hearth("ask", str(project), "hi", "--model", "m", "--host", host)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and host in lines[0]
    assert result.stdout == ""


def test_ask_rejects_a_path_that_is_not_a_folder(tmp_path):
    result = hearth("ask", str(tmp_path / "missing"), "hi")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    (tmp_path / "file.txt").write_text("x")
    result = hearth("ask", str(tmp_path / "file.txt"), "hi")
    assert result.returncode == 2
    assert "is not a folder" in result.stderr


def test_headless_commands_never_import_qt(fake_ollama, project):
    fake_ollama.answer = "ok"
    code = (
        "import sys, io, contextlib\n"
        "from desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main(['doctor', '--host', {fake_ollama.host!r}])\n"
        f"    main(['ask', {str(project)!r}, 'q', '--model', 'mistral:7b', '--host', {fake_ollama.host!r}])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_ctrl_c_while_waiting_for_a_silent_server_exits_130_without_a_traceback():
    import signal
    import socket

    with socket.socket() as server:  # accepts the connection, never answers
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        host = f"http://127.0.0.1:{server.getsockname()[1]}"
        # As from a terminal: Ctrl+C raises KeyboardInterrupt (see test_pull_ctrl_c_cancels_cleanly).
        start = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                 "sys.argv[0] = 'hearth'; runpy.run_module('desktop', run_name='__main__')")
        proc = subprocess.Popen([sys.executable, "-c", start, "doctor", "--host", host],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        server.settimeout(30)
        connection, _ = server.accept()  # the request is on its way: hearth waits for the answer
        with connection:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip() == "hearth: interrupted."
