"""Finding and loading plugins, and running their hooks without letting one break Hearth.

Plugins come from three places, in this order:

1. **bundled**: the folders of Hearth's top-level ``plugins/``;
2. **user**: the folders of the user's plugin dir (``HearthPaths.plugins_dir``);
3. **entry points** of the group ``hearth.plugins``: each names a callable returning the
   plugin's folder (``my_pkg:plugin_folder``), or a package whose own folder is the plugin
   folder (``my_pkg.hearth_plugin``). Either way an installed plugin is the same
   ``plugin.toml`` + optional module as a folder one.

A user plugin with the id of a bundled one replaces it (to customise a bundled plugin,
copy its folder and edit it); the bundled one is listed as replaced. Any other repeated
id: the later plugin is listed with the error and skipped.

A plugin's module is loaded by path under the private name ``hearth_plugin_<id>`` and may
import only ``desktop.plugins.api`` from Hearth. A broken plugin — bad manifest, module
raising on import or in ``setup``, an action id or shortcut already taken — is listed
with its error (``PluginInfo.error``) and skipped; the others load.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import logging
import re
import sys
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, Collection, Iterable, Mapping, Sequence

from desktop.assist.actions import (
    Action,
    ActionConflict,
    ActionContext,
    ActionRegistry,
    ManifestError,
    builtin_actions,
    parse_actions,
    read_manifest,
)
from desktop.assist.edits.model import AppliedEdit
from desktop.assist.hooks import Hooks
from desktop.core.chat import ChatMessage
from desktop.core.errors import HearthError
from desktop.core.paths import HearthPaths
from desktop.plugins.api import Plugin

log = logging.getLogger(__name__)

MANIFEST_NAME = "plugin.toml"
ENTRY_POINT_GROUP = "hearth.plugins"
SOURCE_BUNDLED, SOURCE_USER, SOURCE_ENTRY_POINT = "bundled", "user", "entry point"

_PLUGIN_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_MANIFEST_FIELDS = {"id", "name", "version", "description", "module", "actions"}
_ALLOWED_HEARTH_IMPORT = "desktop.plugins.api"


@dataclass(frozen=True)
class PluginInfo:
    """One plugin as found: what it offers, or why it was skipped (``error``)."""

    id: str
    name: str
    version: str
    source: str  # "bundled", "user" or "entry point <name>"
    path: Path | None  # the plugin's folder
    actions: tuple[Action, ...] = ()
    error: str = ""
    description: str = ""

    @property
    def loaded(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class PluginProblem:
    """Something that went wrong with a plugin, at load time or in a hook."""

    plugin_id: str
    where: str  # "load" or a hook name
    message: str


@dataclass
class _Candidate:
    """A plugin folder found in one of the three places, before loading."""

    source: str
    path: Path | None
    manifest: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    plugin_id: str = ""


class PluginHooks(Hooks):
    """The ``Hooks`` of the loaded plugins: each hook runs every plugin's functions.

    A function that raises (or returns the wrong thing) is logged, recorded as a
    ``PluginProblem`` and skipped; the others still run.
    """

    def __init__(self, handles: Sequence[Plugin]) -> None:
        self._handles = tuple(handles)
        self._problems: list[PluginProblem] = []
        self._lock = threading.Lock()  # hooks run on worker threads

    def problems(self) -> tuple[PluginProblem, ...]:
        """What went wrong in hooks so far, oldest first."""
        with self._lock:
            return tuple(self._problems)

    def context_will_be_built(self, action: Action, context: ActionContext) -> Mapping[str, str]:
        """The variables every plugin adds, later plugins winning on the same name."""
        values: dict[str, str] = {}
        for handle, function in self._functions("context_will_be_built"):
            ok, result = self._call(handle, "context_will_be_built", function, action, context)
            if not ok or result is None:
                continue
            if not isinstance(result, Mapping):
                self._record(handle, "context_will_be_built",
                             f"returned {type(result).__name__}; expected a mapping of names to text")
                continue
            values.update({str(name): str(value) for name, value in result.items()})
        return values

    def prompt_will_be_sent(self, action: Action | None, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The messages after each plugin's change; a failing hook leaves them as they were."""
        current = list(messages)
        for handle, function in self._functions("prompt_will_be_sent"):
            ok, result = self._call(handle, "prompt_will_be_sent", function, action, list(current))
            if not ok or result is None:
                continue
            if not isinstance(result, (list, tuple)) or not all(isinstance(m, ChatMessage) for m in result):
                self._record(handle, "prompt_will_be_sent", "returned something other than a list of ChatMessage")
                continue
            current = list(result)
        return current

    def edit_did_apply(self, applied: AppliedEdit) -> None:
        """Tell every plugin about a written edit."""
        for handle, function in self._functions("edit_did_apply"):
            self._call(handle, "edit_did_apply", function, applied)

    def _functions(self, hook_name: str) -> Iterable[tuple[Plugin, Any]]:
        for handle in self._handles:
            for function in handle.hook_functions(hook_name):
                yield handle, function

    def _call(self, handle: Plugin, hook_name: str, function: Any, *args: object) -> tuple[bool, Any]:
        try:
            return True, function(*args)
        except Exception as exc:  # noqa: BLE001 - a plugin's bug must not break the action
            handle.log.exception("the %s hook failed", hook_name)
            self._record(handle, hook_name, f"{type(exc).__name__}: {exc}")
            return False, None

    def _record(self, handle: Plugin, hook_name: str, message: str) -> None:
        log.warning("plugin %s, hook %s: %s", handle.id, hook_name, message)
        with self._lock:
            self._problems.append(PluginProblem(handle.id, hook_name, message))


class PluginSet:
    """The result of ``load_plugins``.

    ``plugins``: every plugin found, loaded or not, in load order. ``actions``: the
    actions of the loaded plugins. ``registry``: the built-in actions plus those.
    ``hooks``: the ``Hooks`` to give the assist layer.
    """

    def __init__(self, plugins: Sequence[PluginInfo], registry: ActionRegistry, hooks: PluginHooks) -> None:
        self.plugins = tuple(plugins)
        self.registry = registry
        self.hooks = hooks

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(action for info in self.plugins if info.loaded for action in info.actions)

    def get(self, plugin_id: str) -> PluginInfo | None:
        """The loaded plugin with ``plugin_id``, else the first one found with it."""
        matches = [info for info in self.plugins if info.id == plugin_id]
        return next((info for info in matches if info.loaded), matches[0] if matches else None)

    def problems(self) -> tuple[PluginProblem, ...]:
        """Plugins skipped at load time, then hook failures since."""
        skipped = tuple(PluginProblem(info.id or str(info.path), "load", info.error)
                        for info in self.plugins if info.error)
        return skipped + self.hooks.problems()


def bundled_plugins_dir() -> Path | None:
    """Hearth's top-level ``plugins/`` folder, or None when the install lacks it."""
    from desktop.core.assets import asset_dir

    try:
        return asset_dir("plugins")
    except FileNotFoundError:
        log.warning("the bundled plugins folder is missing; no bundled plugins")
        return None


def load_default_plugins(paths: HearthPaths, *, reserved_shortcuts: Collection[str] = ()) -> PluginSet:
    """The plugins the app and ``hearth plugins`` use: bundled, the user's, installed."""
    return load_plugins(bundled_plugins_dir(), paths.plugins_dir, reserved_shortcuts=reserved_shortcuts)


def load_plugins(
    bundled_dir: Path | None,
    user_dir: Path | None,
    entry_point_group: str = ENTRY_POINT_GROUP,
    *,
    builtins: Sequence[Action] | None = None,
    reserved_shortcuts: Collection[str] = (),
) -> PluginSet:
    """Find and load every plugin (see the module doc for the order and the rules).

    ``builtins`` (default: ``builtin_actions()``) and ``reserved_shortcuts`` (keys of
    the window's commands) are what plugin actions must not collide with. Never raises
    for a broken plugin: it is listed with its error.
    """
    registry = ActionRegistry(builtin_actions() if builtins is None else builtins,
                              reserved_shortcuts=reserved_shortcuts)
    candidates = [*_folder_candidates(bundled_dir, SOURCE_BUNDLED), *_folder_candidates(user_dir, SOURCE_USER),
                  *_entry_point_candidates(entry_point_group)]
    _settle_duplicates(candidates)
    infos: list[PluginInfo] = []
    handles: list[Plugin] = []
    for candidate in candidates:
        info, handle = _load(candidate, registry)
        if info.error:
            log.warning("plugin %s skipped: %s", info.id or info.path, info.error)
        infos.append(info)
        if handle is not None:
            handles.append(handle)
    return PluginSet(infos, registry, PluginHooks(handles))


# --- finding ---------------------------------------------------------------------------


def _folder_candidates(directory: Path | None, source: str) -> list[_Candidate]:
    if directory is None or not Path(directory).is_dir():
        return []
    return [_candidate(folder, source) for folder in sorted(Path(directory).iterdir())
            if folder.is_dir() and not folder.name.startswith((".", "_"))]


def _entry_point_candidates(group: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for entry in importlib.metadata.entry_points(group=group):
        source = f"{SOURCE_ENTRY_POINT} {entry.name}"
        try:
            folder = _entry_point_folder(entry.load())
        except Exception as exc:  # noqa: BLE001 - an installed package's bug is its own
            found.append(_Candidate(source, None, error=f"the entry point {entry.value} failed: "
                                                        f"{type(exc).__name__}: {exc}", plugin_id=entry.name))
            continue
        found.append(_candidate(folder, source))
    return found


def _entry_point_folder(target: object) -> Path:
    """The plugin folder an entry point names: a package's folder or a callable's result."""
    if isinstance(target, ModuleType):
        if target.__file__ is None:
            raise PluginLoadError(f"the module {target.__name__} has no folder")
        return Path(target.__file__).resolve().parent
    if callable(target):
        folder = target()
        if not isinstance(folder, (str, Path)):
            raise PluginLoadError(f"it returned {type(folder).__name__}, not the plugin's folder path")
        if not Path(folder).is_absolute():
            raise PluginLoadError(f"it returned {str(folder)!r}; the plugin's folder must be an absolute path")
        return Path(folder)
    raise PluginLoadError("it names neither a package nor a function returning the plugin's folder")


def _candidate(folder: Path, source: str) -> _Candidate:
    candidate = _Candidate(source, Path(folder).resolve())
    try:
        candidate.manifest = read_manifest(candidate.path / MANIFEST_NAME)  # type: ignore[operator]
        candidate.plugin_id = _manifest_id(candidate.manifest, candidate.path / MANIFEST_NAME)  # type: ignore[operator]
    except ManifestError as exc:
        candidate.error = exc.message
    return candidate


def _manifest_id(manifest: Mapping[str, Any], path: Path) -> str:
    plugin_id = manifest.get("id")
    if not isinstance(plugin_id, str) or not plugin_id:
        raise ManifestError(path, "missing required field", "id")
    if not _PLUGIN_ID.match(plugin_id):
        raise ManifestError(path, f"{plugin_id!r} is not a valid plugin id: use lower-case letters, digits, "
                            "'_' and '-', starting with a letter", "id")
    return plugin_id


def _settle_duplicates(candidates: list[_Candidate]) -> None:
    """A user plugin replaces a bundled one of the same id; any other repeat is skipped."""
    first: dict[str, _Candidate] = {}
    for candidate in candidates:
        if candidate.error or not candidate.plugin_id:
            continue
        earlier = first.get(candidate.plugin_id)
        if earlier is None:
            first[candidate.plugin_id] = candidate
        elif earlier.source == SOURCE_BUNDLED and candidate.source == SOURCE_USER:
            earlier.error = f"replaced by the user's plugin in {candidate.path}"
            first[candidate.plugin_id] = candidate
        else:
            candidate.error = (f"another plugin already has the id {candidate.plugin_id!r} "
                               f"({earlier.source}, {earlier.path}); this one is skipped")


# --- loading ---------------------------------------------------------------------------


class PluginLoadError(HearthError):
    """Why one plugin could not be loaded (shown with the plugin, never raised further)."""


def _load(candidate: _Candidate, registry: ActionRegistry) -> tuple[PluginInfo, Plugin | None]:
    manifest = candidate.manifest
    info = PluginInfo(
        id=candidate.plugin_id,
        name=_text(manifest.get("name")) or candidate.plugin_id or (candidate.path.name if candidate.path else ""),
        version=_text(manifest.get("version")),
        source=candidate.source,
        path=candidate.path,
        description=_text(manifest.get("description")),
        error=candidate.error,
    )
    if info.error:
        return info, None
    assert candidate.path is not None
    try:
        actions = _check_manifest(manifest, candidate.path / MANIFEST_NAME, info.id)
        registry.add_all(actions)  # before the module runs: a conflict skips it unrun
    except (ManifestError, ActionConflict) as exc:
        return replace(info, error=exc.message), None
    handle = Plugin(info.id, candidate.path)
    module = manifest.get("module")
    try:
        if module:
            _run_module(candidate.path, module, handle)
    except PluginLoadError as exc:
        for action in actions:
            registry.remove(action.id)
        return replace(info, error=exc.message), None
    return replace(info, actions=actions), handle


def _check_manifest(manifest: Mapping[str, Any], path: Path, plugin_id: str) -> tuple[Action, ...]:
    unknown = sorted(set(manifest) - _MANIFEST_FIELDS)
    if unknown:
        raise ManifestError(path, f"unknown field (known: {', '.join(sorted(_MANIFEST_FIELDS))})", unknown[0])
    for name in ("name", "version"):
        value = manifest.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ManifestError(path, "missing required field" if value is None else "must be a non-empty string",
                                name)
    for name in ("description", "module"):
        if name in manifest and not isinstance(manifest[name], str):
            raise ManifestError(path, "must be a string", name)
    return parse_actions(manifest, path, plugin_id)


def _run_module(folder: Path, module_file: str, handle: Plugin) -> None:
    """Import the plugin's module by path and call its ``setup(plugin)``."""
    path = (folder / module_file).resolve()
    if not path.is_relative_to(folder) or path.suffix != ".py" or not path.is_file():
        raise PluginLoadError(f"module: {module_file!r} must be a .py file inside the plugin's folder")
    _check_imports(path)
    name = "hearth_plugin_" + handle.id.replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginLoadError(f"{path.name} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look modules up by name
    try:
        spec.loader.exec_module(module)
        setup = getattr(module, "setup", None)
        if not callable(setup):
            raise PluginLoadError(f"{path.name} has no setup(plugin) function")
        setup(handle)
    except PluginLoadError:
        sys.modules.pop(name, None)
        raise
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - any failure of plugin code skips the plugin
        sys.modules.pop(name, None)
        log.warning("plugin %s failed to load", handle.id, exc_info=True)
        raise PluginLoadError(f"{path.name} raised {type(exc).__name__}: {exc}") from None


def _check_imports(path: Path) -> None:
    """Refuse a module importing Hearth's insides: plugins use ``desktop.plugins.api`` only."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError) as exc:
        raise PluginLoadError(f"{path.name} cannot be read as Python: {exc}") from None
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names
                                     if node.module == "desktop.plugins"]
        for name in names:
            if (name == "desktop" or name.startswith("desktop.")) and not _allowed_import(name, node):
                raise PluginLoadError(f"{path.name} line {node.lineno} imports {name}; "
                                      f"plugins may import only {_ALLOWED_HEARTH_IMPORT} from Hearth")


def _allowed_import(name: str, node: ast.AST) -> bool:
    if name == _ALLOWED_HEARTH_IMPORT:
        return True
    # "from desktop.plugins import api" names the package first; the alias check covers it.
    return isinstance(node, ast.ImportFrom) and name == "desktop.plugins" and all(
        alias.name == "api" for alias in node.names)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
