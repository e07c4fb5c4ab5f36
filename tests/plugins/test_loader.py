"""Loading plugins from folders and entry points; broken ones are listed and skipped.

Every plugin here is a real folder in tmp_path, loaded by the real loader; the entry
point test installs a real ``.dist-info`` on sys.path.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from desktop.assist.actions import SCOPE_SELECTION, ActionContext, builtin_actions
from desktop.assist.edits.model import AppliedEdit, FileFormat
from desktop.core.chat import ChatMessage
from desktop.core.paths import HearthPaths
from desktop.plugins.loader import SOURCE_BUNDLED, SOURCE_USER, load_default_plugins, load_plugins
from tests.plugins.plugin_files import action_toml, write_plugin

NO_ENTRY_POINTS = "hearth.plugins.none-installed"


def load(bundled: Path | None, user: Path | None = None, **kwargs):
    return load_plugins(bundled, user, NO_ENTRY_POINTS, **kwargs)


def by_id(plugin_set):
    return {info.id: info for info in plugin_set.plugins}


def context(tmp_path: Path) -> ActionContext:
    return ActionContext(root=tmp_path, scope=SCOPE_SELECTION, relative="a.py", text="x = 1",
                         start_line=1, end_line=1, language="python")


# --- folders and manifests --------------------------------------------------------------


def test_folder_plugins_load_in_order_with_their_actions(tmp_path):
    write_plugin(tmp_path / "bundled", "alpha")
    write_plugin(tmp_path / "user", "beta", actions=action_toml("beta_one", "Ctrl+Alt+B"))
    loaded = load(tmp_path / "bundled", tmp_path / "user")
    assert [(info.id, info.source, info.error) for info in loaded.plugins] == [
        ("alpha", SOURCE_BUNDLED, ""), ("beta", SOURCE_USER, "")]
    assert [action.id for action in loaded.actions] == ["alpha_act", "beta_one"]
    assert loaded.registry.get("beta_one").source == "beta"
    assert len(loaded.registry) == len(builtin_actions()) + 2
    assert loaded.problems() == ()


def test_missing_folders_mean_no_plugins(tmp_path):
    loaded = load(None, tmp_path / "nowhere")
    assert loaded.plugins == () and loaded.actions == ()
    assert len(loaded.registry) == len(builtin_actions())


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ('id = "bad"\nname = "Bad"\nversion = "1"\nactions = [', "not valid TOML"),
        ('name = "Bad"\nversion = "1"\n', "id: missing required field"),
        ('id = "Bad Id"\nname = "Bad"\nversion = "1"\n', "not a valid plugin id"),
        ('id = "bad"\nversion = "1"\n', "name: missing required field"),
        ('id = "bad"\nname = "Bad"\n', "version: missing required field"),
        ('id = "bad"\nname = "Bad"\nversion = "1"\nauthor = "me"\n', "author: unknown field"),
        ('id = "bad"\nname = "Bad"\nversion = "1"\nmodule = "../elsewhere.py"\n', "inside the plugin's folder"),
    ],
)
def test_a_bad_manifest_is_listed_with_its_error_and_others_load(tmp_path, header, words):
    write_plugin(tmp_path, "bad", header=header)
    write_plugin(tmp_path, "good")
    loaded = load(tmp_path)
    plugins = {info.path.name: info for info in loaded.plugins}
    assert words in plugins["bad"].error
    assert "plugin.toml" in plugins["bad"].error or "module" in plugins["bad"].error
    assert not plugins["bad"].loaded and plugins["bad"].actions == ()
    assert plugins["good"].loaded and [a.id for a in loaded.actions] == ["good_act"]
    assert [problem.where for problem in loaded.problems()] == ["load"]


def test_a_bad_action_in_the_manifest_names_the_field(tmp_path):
    write_plugin(tmp_path, "bad", actions=action_toml("bad_act", result="rewrite"))
    info = by_id(load(tmp_path))["bad"]
    assert "actions[0] (bad_act).result" in info.error and "unknown result 'rewrite'" in info.error


def test_a_folder_without_a_manifest_is_listed(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / ".hidden").mkdir()
    (loaded,) = load(tmp_path).plugins
    assert loaded.path.name == "empty" and "manifest file is missing" in loaded.error


# --- conflicts --------------------------------------------------------------------------


def test_an_action_id_or_shortcut_already_taken_skips_the_plugin(tmp_path):
    write_plugin(tmp_path, "a-clash", actions=action_toml("explain"))
    write_plugin(tmp_path, "b-key", actions=action_toml("b_key_act", "ctrl+i"))
    write_plugin(tmp_path, "c-window", actions=action_toml("c_act", "Ctrl+O"))
    write_plugin(tmp_path, "d-fine", actions=action_toml("d_act", "Ctrl+Alt+D"))
    write_plugin(tmp_path, "e-late", actions=action_toml("e_act", "Ctrl+Alt+D"))
    loaded = load(tmp_path, reserved_shortcuts=["Ctrl+O"])
    infos = by_id(loaded)
    assert "'explain' is already used by built-in" in infos["a-clash"].error
    assert "'edit'" in infos["b-key"].error
    assert "taken by a Hearth command" in infos["c-window"].error
    assert infos["d-fine"].loaded
    assert "already used by 'd_act' (d-fine)" in infos["e-late"].error
    assert [action.id for action in loaded.actions] == ["d_act"]


def test_a_user_plugin_replaces_the_bundled_one_with_its_id(tmp_path):
    write_plugin(tmp_path / "bundled", "shared", actions=action_toml("old_act", "Ctrl+Alt+S"))
    write_plugin(tmp_path / "user", "shared", folder="my-copy", actions=action_toml("new_act", "Ctrl+Alt+S"))
    loaded = load(tmp_path / "bundled", tmp_path / "user")
    bundled, user = loaded.plugins
    assert "replaced by the user's plugin" in bundled.error and str(tmp_path / "user" / "my-copy") in bundled.error
    assert user.loaded and [a.id for a in loaded.actions] == ["new_act"]
    assert loaded.get("shared") == user
    assert "old_act" not in loaded.registry


def test_a_repeated_id_elsewhere_skips_the_later_plugin(tmp_path):
    write_plugin(tmp_path / "user", "twin", folder="first")
    write_plugin(tmp_path / "user", "twin", folder="second", actions=action_toml("other_act"))
    first, second = load(None, tmp_path / "user").plugins
    assert first.loaded
    assert "already has the id 'twin'" in second.error and "skipped" in second.error


# --- modules ----------------------------------------------------------------------------

HOOKING_MODULE = '''
from desktop.plugins.api import ChatMessage, Plugin

CALLS = []


def setup(plugin: Plugin) -> None:
    @plugin.on("context_will_be_built")
    def variables(action, context):
        return {"where": f"{plugin.id}:{context.relative}"} if plugin.owns(action) else None

    def prompt(action, messages):
        return [*messages, ChatMessage("user", "from " + plugin.id)]

    plugin.on("prompt_will_be_sent", prompt)
    plugin.on("edit_did_apply", lambda applied: CALLS.append(applied.relative))
'''


def test_a_module_registers_hooks_that_run(tmp_path):
    write_plugin(tmp_path, "hooker", module=HOOKING_MODULE,
                 actions=action_toml("hooker_act", prompt="At {where}: {selection}"))
    loaded = load(tmp_path)
    action = loaded.registry.get("hooker_act")
    hooks = loaded.hooks
    assert hooks.context_will_be_built(action, context(tmp_path)) == {"where": "hooker:a.py"}
    assert hooks.context_will_be_built(builtin_actions()[0], context(tmp_path)) == {}
    messages = hooks.prompt_will_be_sent(None, [ChatMessage("system", "s")])
    assert messages == [ChatMessage("system", "s"), ChatMessage("user", "from hooker")]
    hooks.edit_did_apply(_applied("a.py"))
    assert sys.modules["hearth_plugin_hooker"].CALLS == ["a.py"]


@pytest.mark.parametrize(
    ("module", "words"),
    [
        ("raise RuntimeError('no config')\n", "main.py raised RuntimeError: no config"),
        ("import sys\nsys.exit(3)\n", "main.py raised SystemExit"),
        ("def setup(plugin):\n    raise ValueError('bad setup')\n", "raised ValueError: bad setup"),
        ("X = 1\n", "has no setup(plugin) function"),
        ("def setup(plugin):\n    plugin.on('file_did_open', print)\n", "Unknown hook 'file_did_open'"),
        ("def setup(plugin):\n    plugin.on('edit_did_apply', 42)\n", "must be a function"),
        ("from desktop.core.paths import HearthPaths\n\ndef setup(plugin):\n    pass\n",
         "line 1 imports desktop.core.paths; plugins may import only desktop.plugins.api"),
        ("from desktop.plugins import loader\n\ndef setup(plugin):\n    pass\n", "imports desktop.plugins"),
        ("def setup(plugin)\n    pass\n", "cannot be read as Python"),
    ],
)
def test_a_module_failing_to_load_skips_its_plugin_only(tmp_path, module, words):
    write_plugin(tmp_path, "broken", module=module, actions=action_toml("broken_act", "Ctrl+Alt+K"))
    write_plugin(tmp_path, "fine", module="from desktop.plugins import api\n\ndef setup(plugin):\n    pass\n")
    loaded = load(tmp_path)
    infos = by_id(loaded)
    assert words in infos["broken"].error
    assert infos["fine"].loaded
    assert "broken_act" not in loaded.registry  # its actions were taken back out
    assert "hearth_plugin_broken" not in sys.modules


def test_a_raising_hook_is_recorded_and_the_others_still_run(tmp_path):
    write_plugin(tmp_path, "a-bad", module='''
def setup(plugin):
    def boom(*args):
        raise KeyError("oops")
    plugin.on("context_will_be_built", boom)
    plugin.on("prompt_will_be_sent", boom)
    plugin.on("edit_did_apply", boom)
''')
    write_plugin(tmp_path, "b-wrong", module='''
def setup(plugin):
    plugin.on("context_will_be_built", lambda action, context: ["not", "a", "mapping"])
    plugin.on("prompt_will_be_sent", lambda action, messages: "not messages")
''')
    write_plugin(tmp_path, "c-good", module=HOOKING_MODULE)
    loaded = load(tmp_path)
    action = loaded.registry.get("c_good_act")
    assert loaded.hooks.context_will_be_built(action, context(tmp_path)) == {"where": "c-good:a.py"}
    messages = loaded.hooks.prompt_will_be_sent(action, [ChatMessage("user", "q")])
    assert messages == [ChatMessage("user", "q"), ChatMessage("user", "from c-good")]
    loaded.hooks.edit_did_apply(_applied("b.py"))
    assert sys.modules["hearth_plugin_c_good"].CALLS == ["b.py"]
    problems = [(p.plugin_id, p.where, p.message) for p in loaded.problems()]
    assert ("a-bad", "context_will_be_built", "KeyError: 'oops'") in problems
    assert ("a-bad", "edit_did_apply", "KeyError: 'oops'") in problems
    assert ("b-wrong", "context_will_be_built",
            "returned list; expected a mapping of names to text") in problems
    assert ("b-wrong", "prompt_will_be_sent", "returned something other than a list of ChatMessage") in problems
    assert len(problems) == 5


def test_prompt_hooks_chain_and_a_failure_keeps_the_last_good_messages(tmp_path):
    write_plugin(tmp_path, "a-first", module='''
from desktop.plugins.api import ChatMessage

def setup(plugin):
    plugin.on("prompt_will_be_sent", lambda action, messages: [*messages, ChatMessage("user", "first")])
''')
    write_plugin(tmp_path, "b-fails", module='''
def setup(plugin):
    def fail(action, messages):
        messages.clear()  # a hook changing its argument in place must not matter
        raise RuntimeError("late failure")
    plugin.on("prompt_will_be_sent", fail)
''')
    loaded = load(tmp_path)
    result = loaded.hooks.prompt_will_be_sent(None, (ChatMessage("user", "q"),))
    assert result == [ChatMessage("user", "q"), ChatMessage("user", "first")]


# --- entry points -----------------------------------------------------------------------


def _install_distribution(site: Path, dist: str, entry_points: str) -> None:
    info = site / f"{dist}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_entry_point_plugins_load_after_folders(tmp_path, monkeypatch):
    package = f"hearth_ext_{uuid.uuid4().hex[:8]}"
    site = tmp_path / "site"
    write_plugin(site / package, "from-callable", folder="plugin_data")
    (site / package / "__init__.py").write_text(
        "from pathlib import Path\n\ndef plugin_folder():\n    return Path(__file__).parent / 'plugin_data'\n")
    write_plugin(site / package, "from-package", folder="as_package",
                 module="def setup(plugin):\n    plugin.log.info('loaded')\n")
    (site / package / "as_package" / "__init__.py").write_text("")
    group = f"hearth.plugins.test-{uuid.uuid4().hex[:6]}"
    _install_distribution(site, package, (
        f"[{group}]\n"
        f"callable = {package}:plugin_folder\n"
        f"package = {package}.as_package\n"
        f"missing = {package}.nothing_here:folder\n"
        f"wrong = {package}:Path\n"
    ))
    monkeypatch.syspath_prepend(str(site))
    write_plugin(tmp_path / "user", "user-one")
    loaded = load_plugins(None, tmp_path / "user", group)
    sources = {info.source: info for info in loaded.plugins}
    assert loaded.plugins[0].id == "user-one"
    assert sources["entry point callable"].id == "from-callable" and sources["entry point callable"].loaded
    assert sources["entry point package"].id == "from-package" and sources["entry point package"].loaded
    assert "ModuleNotFoundError" in sources["entry point missing"].error
    assert "must be an absolute path" in sources["entry point wrong"].error
    assert {a.id for a in loaded.actions} == {"user_one_act", "from_callable_act", "from_package_act"}


# --- the bundled plugins ----------------------------------------------------------------


def test_bundled_plugins_all_load(tmp_path):
    loaded = load_default_plugins(HearthPaths.from_env())
    assert {info.id for info in loaded.plugins} >= {"commit-message", "type-hints", "translate"}
    assert all(info.loaded for info in loaded.plugins), [info.error for info in loaded.plugins]
    assert all(info.description and info.version for info in loaded.plugins)


def _applied(relative: str) -> AppliedEdit:
    return AppliedEdit(id=1, relative=relative, before_sha256="a", after_sha256="b", before_text="x",
                       after_text="y", format=FileFormat(), hunks_accepted=1, hunks_total=1, applied_at=0.0)
