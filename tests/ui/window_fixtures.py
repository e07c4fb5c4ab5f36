"""Fixtures for main-window tests: real services under the test's HEARTH_HOME.

Import the fixtures into a test module with ``from tests.ui.window_fixtures import *``.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Callable, Iterator

import pytest

import tests
from desktop.app import AppParts, build_main_window, shutdown
from desktop.ui.main_window import MainWindow

REPO_ROOT = Path(tests.__file__).resolve().parent.parent

FAKE_OLLAMA_SCRIPT = """#!{python}
import os
import sys

sys.path.insert(0, {repo!r})
from tests.fakes.fake_ollama import main

if sys.argv[1:] != ["serve"]:
    sys.exit(2)
port = os.environ.get("OLLAMA_HOST", "127.0.0.1:11434").rsplit(":", 1)[1]
sys.exit(main(["--port", port]))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project with ignored folders and files."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "node_modules" / "left-pad").mkdir(parents=True)
    (root / "generated").mkdir()
    (root / ".gitignore").write_text("generated/\n*.log\n", encoding="utf-8")
    (root / "src" / "app.py").write_text(
        'def main():\n    """Entry point."""\n    return 42\n', encoding="utf-8")
    (root / "README.md").write_text("# Sample\n", encoding="utf-8")
    (root / "debug.log").write_text("noise\n", encoding="utf-8")
    (root / "node_modules" / "left-pad" / "index.js").write_text("module.exports = 1;\n")
    (root / "generated" / "out.py").write_text("x = 1\n", encoding="utf-8")
    return root


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., MainWindow]]:
    """Build real main windows (``make(project=None, host=None, check_server=False, plugins=True)``).

    Returns once the project is open and, with ``plugins``, the plugins are in the menus
    (both happen on the worker after construction). ``plugins=False`` leaves the window
    with the built-in actions; call ``window.load_plugins()`` to load them.
    """
    made: list[AppParts] = []

    def make(project: Path | None = None, host: str | None = None, check_server: bool = False,
             plugins: bool = True) -> MainWindow:
        parts = build_main_window(project, host, check_server=check_server, load_plugins=plugins)
        made.append(parts)
        window = parts.window
        signals = ([window.project_opened] if project is not None else []) + ([window.plugins_loaded] if plugins else [])
        if signals:
            with qtbot.waitSignals(signals, timeout=10000):
                pass
        return window

    yield make
    for parts in made:
        parts.window.close()
        shutdown(parts)
        qtbot.waitUntil(lambda: parts.services.runner.active_count == 0, timeout=5000)
        parts.window.deleteLater()


def restart(window: MainWindow, make: Callable[..., MainWindow], **kwargs: object) -> MainWindow:
    """Close ``window`` (saving its state) and build a new one on the same HEARTH_HOME."""
    window.close()
    return make(**kwargs)


@pytest.fixture
def fake_ollama_bin(tmp_path: Path) -> Path:
    """A folder holding an executable ``ollama`` that serves the fake server."""
    if sys.platform == "win32":
        pytest.skip("the fake executable is a shebang script")
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "ollama"
    script.write_text(FAKE_OLLAMA_SCRIPT.format(python=sys.executable, repo=str(REPO_ROOT)))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def kill_quietly(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
