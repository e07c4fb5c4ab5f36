"""`hearth open PATH` and `python -m desktop` start the real app (offscreen)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _wait_for_log(log_file: Path, text: str, process: subprocess.Popen, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_file.exists() and text in (content := log_file.read_text(encoding="utf-8")):
            return content
        if process.poll() is not None:
            raise AssertionError(f"the app exited early ({process.returncode}): {process.stderr.read()}")
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared in {log_file}")


@pytest.mark.parametrize("command", [["-m", "desktop", "open"], ["-m", "desktop", "--host", "http://127.0.0.1:9", "open"]])
def test_open_starts_the_window_on_the_folder(tmp_path, hearth_home, command):
    project = tmp_path / "proj"
    project.mkdir()
    (project / "main.py").write_text("print('hello')\n")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    process = subprocess.Popen([sys.executable, *command, str(project)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        content = _wait_for_log(hearth_home / "logs" / "hearth.log", "started (project:", process)
        assert str(project) in content
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        closed = _wait_for_log(hearth_home / "logs" / "hearth.log", "Hearth closed", process)
        assert "Traceback" not in closed, closed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert sorted(p.name for p in project.iterdir()) == ["main.py"]  # nothing written into the project


def test_open_rejects_a_missing_folder(tmp_path):
    result = subprocess.run([sys.executable, "-m", "desktop", "open", str(tmp_path / "nope")],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "is not a folder" in result.stderr
