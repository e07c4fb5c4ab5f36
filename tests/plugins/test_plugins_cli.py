"""`hearth plugins`, run as a real subprocess with a user plugin folder under HEARTH_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from desktop.core.paths import HearthPaths
from tests.plugins.plugin_files import action_toml, write_plugin


def hearth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())


def user_plugins():
    user_dir = HearthPaths.from_env().plugins_dir
    write_plugin(user_dir, "mine", actions=action_toml("mine_act", "Ctrl+Alt+J"))
    write_plugin(user_dir, "broken", module="raise ImportError('needs numpy')\n")
    write_plugin(user_dir, "greedy", actions=action_toml("greedy_act", "Ctrl+O"))  # the window's Open Folder
    return user_dir


def test_plugins_json_lists_plugins_actions_and_errors():
    user_dir = user_plugins()
    result = hearth("plugins", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["user_plugins_dir"] == str(user_dir)
    assert "explain" in {action["id"] for action in report["builtin_actions"]}
    plugins = {plugin["id"]: plugin for plugin in report["plugins"]}
    assert {"commit-message", "type-hints", "translate", "mine", "broken", "greedy"} <= set(plugins)
    assert plugins["mine"]["loaded"] and plugins["mine"]["source"] == "user"
    assert plugins["mine"]["actions"][0] == {
        "id": "mine_act", "title": "Mine_Act", "scopes": ["selection"], "result": "chat",
        "shortcut": "Ctrl+Alt+J", "asks_instruction": False, "source": "mine"}
    assert not plugins["broken"]["loaded"] and "ImportError: needs numpy" in plugins["broken"]["error"]
    assert "taken by a Hearth command" in plugins["greedy"]["error"]
    assert plugins["type-hints"]["error"] is None


def test_plugins_text_shows_each_plugin_and_its_error():
    user_plugins()
    result = hearth("plugins")
    assert result.returncode == 0, result.stderr
    assert "mine 0.1  mine plugin  [loaded, user]" in result.stdout
    assert "mine_act: Mine_Act (selection → chat, Ctrl+Alt+J)" in result.stdout
    assert "broken 0.1  broken plugin  [FAILED, user]" in result.stdout
    assert "error: main.py raised ImportError: needs numpy" in result.stdout


def test_plugins_command_never_imports_qt():
    code = (
        "import sys, io, contextlib\n"
        "from desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['plugins', '--json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
