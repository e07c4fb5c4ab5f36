"""`hearth plugins`: which plugins Hearth finds, what actions they add, and why any failed.

It loads plugins exactly as the app does (bundled, the user's plugin dir, installed
entry points; the window's shortcuts reserved), so a plugin author sees here the error
the app's Plugins page would show. The exit code is 0 whenever the listing was made;
broken plugins are part of the listing (``"error"`` in ``--json``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from desktop.cli.common import EXIT_OK


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``plugins`` to the ``hearth`` parser."""
    plugins = commands.add_parser("plugins", help="list plugins, their actions and load errors")
    plugins.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    plugins.set_defaults(run=lambda args, host: run_plugins(args.json, sys.stdout))


def run_plugins(as_json: bool, out: TextIO) -> int:
    """Load the plugins and print them (text, or JSON with ``as_json``)."""
    from desktop.assist.actions import builtin_actions
    from desktop.core.paths import HearthPaths
    from desktop.plugins.loader import bundled_plugins_dir, load_plugins
    from desktop.ui.commands import COMMANDS  # plain data, no Qt: the keys plugins must not take

    paths = HearthPaths.from_env()
    builtins = builtin_actions()
    reserved = [key for command in COMMANDS for key in command.shortcuts]
    loaded = load_plugins(bundled_plugins_dir(), paths.plugins_dir, builtins=builtins, reserved_shortcuts=reserved)
    if as_json:
        report = {
            "user_plugins_dir": str(paths.plugins_dir),
            "builtin_actions": [_action_json(action) for action in builtins],
            "plugins": [_plugin_json(info) for info in loaded.plugins],
        }
        print(json.dumps(report, indent=1), file=out, flush=True)
        return EXIT_OK
    print(f"Built-in actions ({len(builtins)}): " + ", ".join(action.id for action in builtins), file=out)
    print(f"User plugins folder: {paths.plugins_dir}", file=out)
    if not loaded.plugins:
        print("No plugins found.", file=out)
    for info in loaded.plugins:
        print("", file=out)
        state = "FAILED" if info.error else "loaded"
        print(f"{info.id or '?'} {info.version}  {info.name}  [{state}, {info.source}]", file=out)
        print(f"  folder: {info.path}", file=out)
        if info.error:
            print(f"  error: {info.error}", file=out)
        for action in info.actions:
            print(f"  {_action_line(action)}", file=out)
    out.flush()
    return EXIT_OK


def _action_line(action: Any) -> str:
    key = f", {action.shortcut}" if action.shortcut else ""
    return f"{action.id}: {action.title} ({'/'.join(action.scopes)} → {action.result}{key})"


def _action_json(action: Any) -> dict[str, Any]:
    return {
        "id": action.id,
        "title": action.title,
        "scopes": list(action.scopes),
        "result": action.result,
        "shortcut": action.shortcut,
        "asks_instruction": action.asks_instruction,
        "source": action.source,
    }


def _plugin_json(info: Any) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "version": info.version,
        "description": info.description,
        "source": info.source,
        "path": str(info.path) if info.path else None,
        "loaded": info.loaded,
        "error": info.error or None,
        "actions": [_action_json(action) for action in info.actions],
    }
