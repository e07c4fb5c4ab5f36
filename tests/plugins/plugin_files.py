"""Writing plugin folders for the tests: a manifest and, optionally, a module."""

from __future__ import annotations

from pathlib import Path


def action_toml(action_id: str, shortcut: str = "", result: str = "chat", prompt: str = "Look at {selection}") -> str:
    key = f'shortcut = "{shortcut}"\n' if shortcut else ""
    return (f'\n[[actions]]\nid = "{action_id}"\ntitle = "{action_id.title()}"\nscopes = ["selection"]\n'
            f'result = "{result}"\nprompt = "{prompt}"\n{key}')


def write_plugin(
    parent: Path,
    plugin_id: str,
    *,
    actions: str | None = None,
    module: str | None = None,
    folder: str | None = None,
    header: str | None = None,
) -> Path:
    """A plugin folder ``parent/<folder or id>`` with a plugin.toml (and main.py)."""
    root = parent / (folder or plugin_id)
    root.mkdir(parents=True, exist_ok=True)
    if header is None:
        header = f'id = "{plugin_id}"\nname = "{plugin_id} plugin"\nversion = "0.1"\n'
    if module is not None:
        header += 'module = "main.py"\n'
        (root / "main.py").write_text(module, encoding="utf-8")
    body = actions if actions is not None else action_toml(plugin_id.replace("-", "_") + "_act")
    (root / "plugin.toml").write_text(header + body, encoding="utf-8")
    return root
