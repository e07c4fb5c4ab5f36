"""Start-up benchmark: process start to main window shown, Hearth vs a bare PySide6 window.

Each run is a fresh subprocess (offscreen Qt). The parent passes its ``perf_counter``
reading through the environment just before starting the child; the child prints the
delta from a zero-delay timer after ``show()``, i.e. once the event loop runs with the
window shown. (perf_counter is a system-wide monotonic clock on Linux, macOS and
Windows, so the two readings compare.) Target: Hearth ≤ 1.5× the bare window.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T0_ENV = "HEARTH_BENCH_T0"
TARGET_RATIO = 1.5

BARE_CHILD = f"""
import os, time
t0 = float(os.environ["{T0_ENV}"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
def shown():
    print(f"{{time.perf_counter() - t0:.6f}}", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
"""

HEARTH_CHILD = f"""
import os, sys, time
t0 = float(os.environ["{T0_ENV}"])
from pathlib import Path
from PySide6.QtCore import QTimer
from desktop.app import build_main_window, make_application, shutdown
app = make_application()
parts = build_main_window(Path(sys.argv[1]), host_flag=sys.argv[2])
parts.window.show()
def shown():
    print(f"{{time.perf_counter() - t0:.6f}}", flush=True)
    app.quit()
QTimer.singleShot(0, shown)
app.exec()
shutdown(parts)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _make_project(root: Path) -> Path:
    project = root / "project"
    (project / "src").mkdir(parents=True)
    (project / ".gitignore").write_text("build/\n", encoding="utf-8")
    for index in range(30):
        (project / "src" / f"module_{index}.py").write_text(f"def f{index}():\n    return {index}\n")
    (project / "README.md").write_text("# Bench\n", encoding="utf-8")
    return project


def _time_child(code: str, args: list[str], env: dict[str, str]) -> float:
    env = dict(env)
    start = time.perf_counter()
    env[T0_ENV] = repr(start)
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def run(smoke: bool = False) -> list[str]:
    """Measure both start-ups N times (smoke: 2, full: 7) and report medians and ratio."""
    runs = 2 if smoke else 7
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        root = Path(tmp)
        project = _make_project(root)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HEARTH_HOME=str(root / "home"),
                   PYTHONPYCACHEPREFIX=str(root / "pycache"))
        env.pop("OLLAMA_HOST", None)
        # An installed app runs from bytecode (pip compiles it; a frozen bundle carries
        # it). Without this, a machine that sets PYTHONDONTWRITEBYTECODE would compile
        # Hearth's sources on every run while PySide6 comes precompiled.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        host = f"http://127.0.0.1:{_free_port()}"  # nothing listens: the check fails fast, off the GUI thread
        _time_child(BARE_CHILD, [], env)  # warm the OS file cache and bytecode for both
        _time_child(HEARTH_CHILD, [str(project), host], env)
        bare, hearth = [], []
        for _ in range(runs):
            bare.append(_time_child(BARE_CHILD, [], env))
            hearth.append(_time_child(HEARTH_CHILD, [str(project), host], env))
    bare_ms = statistics.median(bare) * 1000
    hearth_ms = statistics.median(hearth) * 1000
    ratio = hearth_ms / bare_ms
    verdict = "OK" if ratio <= TARGET_RATIO else f"over the {TARGET_RATIO}× target"
    return [
        f"startup: {runs} runs each, median time from process start to window shown",
        f"  bare PySide6 QMainWindow: {bare_ms:7.1f} ms   (runs: {', '.join(f'{v * 1000:.0f}' for v in bare)})",
        f"  Hearth main window:       {hearth_ms:7.1f} ms   (runs: {', '.join(f'{v * 1000:.0f}' for v in hearth)})",
        f"  ratio: {ratio:.2f}× ({verdict})",
    ]


if __name__ == "__main__":
    for line in run(smoke="--smoke" in sys.argv[1:]):
        print(line)
