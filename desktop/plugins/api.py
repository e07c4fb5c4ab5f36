"""Everything a Hearth plugin may use — the only Hearth module a plugin imports.

A plugin is a folder with a ``plugin.toml`` (its id, name, version and ``[[actions]]``,
in the format of ``resources/actions/builtin.toml``) and, optionally, a Python module
named by ``module = "main.py"``. The module defines ``setup(plugin)``; Hearth calls it
once with a ``Plugin`` handle, and the plugin registers its hooks there::

    from desktop.plugins.api import Plugin

    def setup(plugin: Plugin) -> None:
        @plugin.on("context_will_be_built")
        def add_branch(action, context):
            if plugin.owns(action):
                return {"branch": run_git(context.root, "branch", "--show-current").strip()}
            return None

Hooks (``HOOK_NAMES``), called for every action of every plugin — check ``plugin.owns``:

* ``context_will_be_built(action, context) -> Mapping[str, str] | None``: extra template
  variables for the action's prompt.
* ``prompt_will_be_sent(action, messages) -> list[ChatMessage] | None``: the messages
  about to go to the model (``action`` is None for a plain chat turn); return a new
  list to change them, None to leave them.
* ``edit_did_apply(applied) -> None``: an edit was written to disk.

A hook that raises is logged and listed on Hearth's Plugins page; the others still run.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Callable, TypeVar

from desktop.assist.actions import (
    RESULT_CHAT,
    RESULT_EDIT,
    SCOPE_FILE,
    SCOPE_FOLDER,
    SCOPE_SELECTION,
    Action,
    ActionContext,
    fenced,
)
from desktop.assist.edits.model import AppliedEdit
from desktop.core.chat import ChatMessage
from desktop.core.errors import HearthError
from desktop.index.scanner import holds_private_key, is_secret_path

__all__ = [
    "HOOK_NAMES", "RESULT_CHAT", "RESULT_EDIT", "SCOPE_FILE", "SCOPE_FOLDER", "SCOPE_SELECTION",
    "Action", "ActionContext", "AppliedEdit", "ChatMessage", "GitError", "NotAGitRepository",
    "Plugin", "PluginError", "fenced", "holds_private_key", "is_secret_path", "run_git", "truncate_text",
]

HOOK_NAMES = ("context_will_be_built", "prompt_will_be_sent", "edit_did_apply")

HookFunction = TypeVar("HookFunction", bound=Callable[..., object])


class PluginError(HearthError):
    """A plugin could not be loaded or used as written."""


class GitError(PluginError):
    """git is missing, failed or took too long."""


class NotAGitRepository(GitError):
    """The folder is not inside a git work tree."""


class Plugin:
    """The handle a plugin's ``setup(plugin)`` receives.

    ``id`` is the plugin's id, ``root`` its folder, ``log`` a logger named after it
    (messages go to Hearth's log file).
    """

    def __init__(self, plugin_id: str, root: Path) -> None:
        self.id = plugin_id
        self.root = Path(root)
        self.log = logging.getLogger(f"hearth.plugin.{plugin_id}")
        self._hooks: dict[str, list[Callable[..., object]]] = {name: [] for name in HOOK_NAMES}

    def on(self, hook_name: str, function: HookFunction | None = None) -> Callable[..., object]:
        """Register ``function`` for ``hook_name``; without ``function``, a decorator.

        Raises ``PluginError`` for a name not in ``HOOK_NAMES`` or a non-callable.
        """
        if hook_name not in HOOK_NAMES:
            raise PluginError(f"Unknown hook {hook_name!r}; the hooks are {', '.join(HOOK_NAMES)}.")
        if function is None:
            def register(decorated: HookFunction) -> HookFunction:
                self.on(hook_name, decorated)
                return decorated
            return register
        if not callable(function):
            raise PluginError(f"The {hook_name} hook must be a function, not {type(function).__name__}.")
        self._hooks[hook_name].append(function)
        return function

    def owns(self, action: Action | None) -> bool:
        """True when ``action`` is one of this plugin's own actions."""
        return action is not None and action.source == self.id

    def hook_functions(self, hook_name: str) -> tuple[Callable[..., object], ...]:
        """The functions registered for ``hook_name``, in order."""
        return tuple(self._hooks.get(hook_name, ()))


def run_git(root: Path | str, *args: str, timeout: float = 10.0) -> str:
    """Run ``git -C root ARGS…`` (no shell) and return its standard output as text.

    Never prompts for credentials and takes no lock on the repository. Raises
    ``GitError`` when git is not installed, fails or runs longer than ``timeout``
    seconds, and ``NotAGitRepository`` when ``root`` is not in a git work tree.
    """
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed (or not on PATH).", "Install git to use this action.")
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    command = " ".join(("git", *args))
    try:
        done = subprocess.run([git, "-C", str(root), *args], capture_output=True, stdin=subprocess.DEVNULL,
                              timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise GitError(f"{command} took longer than {timeout:g} s and was stopped.") from None
    except OSError as exc:
        raise GitError(f"{command} could not be started: {exc}") from None
    if done.returncode != 0:
        error = done.stderr.decode("utf-8", errors="replace").strip()
        if "not a git repository" in error.lower():
            raise NotAGitRepository(f"{root} is not a git repository.")
        last = error.splitlines()[-1] if error else f"exit code {done.returncode}"
        raise GitError(f"{command} failed: {last}")
    return done.stdout.decode("utf-8", errors="replace")


def truncate_text(text: str, max_chars: int, what: str = "text") -> str:
    """``text`` cut at a line end to at most about ``max_chars``, saying how much was left out."""
    if len(text) <= max_chars:
        return text
    cut = text.rfind("\n", 0, max_chars)
    kept = text[: cut if cut > 0 else max_chars]
    left = text[len(kept):].count("\n") + 1
    return f"{kept}\n… ({what} cut here: about {left} more lines left out)"
