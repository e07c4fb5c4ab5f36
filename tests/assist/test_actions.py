"""Actions as data: the manifest parser, the registry, what an action works on, its prompt.

resolve_context runs over real files in tmp_path and a real index built by the indexer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.assist.actions import (
    ADD_TO_CHAT,
    RESULT_CHAT,
    RESULT_EDIT,
    SCOPE_FILE,
    SCOPE_FOLDER,
    SCOPE_SELECTION,
    SMALL_FILE_LINES,
    Action,
    ActionConflict,
    ActionContext,
    ActionRegistry,
    ManifestError,
    builtin_actions,
    fenced,
    fills_chat_input,
    load_actions,
    normalize_shortcut,
    parse_actions,
    render_messages,
    render_prompt,
    render_template,
    resolve_context,
)
from desktop.assist.edits.model import EditError, OutsideProject, SecretFile
from desktop.core.paths import HearthPaths
from desktop.index.indexer import ensure_index
from desktop.index.retrieval import SearchIndex
from desktop.index.store import index_db_path

SOURCE = '''"""Shapes."""

import math


class Circle:
    """A circle."""

    def __init__(self, radius):
        self.radius = radius

    def area(self):
        return math.pi * self.radius ** 2


def total_area(shapes):
    return sum(shape.area() for shape in shapes)
'''


def _long_file(lines: int) -> str:
    return "".join(f"VALUE_{n} = {n}\n" for n in range(1, lines + 1))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, SearchIndex]:
    """A small project with a real index (read-only use)."""
    base = tmp_path_factory.mktemp("actions")
    root = base / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "shapes.py").write_text(SOURCE, encoding="utf-8")
    (root / "long.py").write_text(_long_file(SMALL_FILE_LINES + 100), encoding="utf-8")
    (root / "crlf.py").write_bytes(b"a = 1\r\nb = 2\r\n")
    (root / ".env").write_text("API_KEY=very-secret\n", encoding="utf-8")
    (root / "notes.txt").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n")
    (root / "logo.bin").write_bytes(b"\x89PNG\x00\x00\x01\x02" * 100)
    (root / "empty.py").write_text("", encoding="utf-8")
    paths = HearthPaths.under(base / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    yield root, index
    index.close()


def _action(**changes) -> Action:
    fields = dict(id="x", title="X", prompt="Do {selection}", result=RESULT_CHAT, scopes=(SCOPE_SELECTION,))
    fields.update(changes)
    return Action(**fields)


# --- built-ins and the manifest format --------------------------------------------------


def test_builtin_actions_are_the_issue_list():
    actions = {action.id: action for action in builtin_actions()}
    assert set(actions) == {"explain", "edit", "document", "tests", "problems", "simplify", "add_to_chat",
                            "explain_file", "add_file_to_chat", "tests_for_file"}
    assert actions["edit"].asks_instruction and actions["edit"].shortcut == "Ctrl+I"
    assert actions["add_to_chat"].shortcut == "Ctrl+L" and fills_chat_input(actions[ADD_TO_CHAT])
    assert {a.result for a in actions.values() if a.id in ("edit", "document", "simplify")} == {RESULT_EDIT}
    assert actions["tests"].result == RESULT_CHAT  # tests belong in another file
    assert {a.id for a in actions.values() if SCOPE_FILE in a.scopes} == {
        "explain_file", "add_file_to_chat", "tests_for_file"}
    assert all(action.source == "built-in" for action in actions.values())


def test_builtin_shortcuts_are_free_in_the_window():
    from desktop.ui.commands import COMMANDS  # plain data

    taken = {normalize_shortcut(key): command.id for command in COMMANDS for key in command.shortcuts}
    for action in builtin_actions():
        if action.shortcut:
            assert normalize_shortcut(action.shortcut) not in taken, (action.id, taken.get(action.shortcut))
    # The app reserves every window key when it builds the registry; this must not raise.
    ActionRegistry.with_builtins(reserved_shortcuts=[key for command in COMMANDS for key in command.shortcuts])


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plugin.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_ACTION = '''
[[actions]]
id = "shout"
title = "Shout"
scopes = ["selection", "file"]
result = "edit"
prompt = "Make {selection} louder"
shortcut = "Ctrl+Shift+Y"
'''


def test_manifest_actions_load_with_their_source(tmp_path):
    (action,) = load_actions(_manifest(tmp_path, GOOD_ACTION), "loud")
    assert action == Action("shout", "Shout", "Make {selection} louder", RESULT_EDIT,
                            (SCOPE_SELECTION, SCOPE_FILE), "Ctrl+Shift+Y", source="loud")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (('result = "edit"', 'result = "replace"'), "result", "unknown result 'replace'"),
        (('scopes = ["selection", "file"]', 'scopes = ["line"]'), "scopes", "unknown scope 'line'"),
        (('scopes = ["selection", "file"]', 'scopes = ["folder"]'), "scopes", "cannot apply to a folder"),
        (('scopes = ["selection", "file"]', 'scopes = []'), "scopes", "non-empty list"),
        (('title = "Shout"\n', ''), "title", "missing required field"),
        (('prompt = "Make {selection} louder"', 'prompt = "Make {selection louder"'), "prompt", "bad template"),
        (('prompt = "Make {selection} louder"', 'prompt = "Make {0} louder"'), "prompt", "not a variable"),
        (('prompt = "Make {selection} louder"', 'prompt = "Make {selection!r} louder"'), "prompt", "not a variable"),
        (('id = "shout"', 'id = "Shout Out"'), "id", "not a valid id"),
        (('shortcut = "Ctrl+Shift+Y"', 'shortcut = "Ctrl+Shift"'), "shortcut", "not a key sequence"),
        (('shortcut = "Ctrl+Shift+Y"', 'shortcut = 5'), "shortcut", "must be a string"),
        (('shortcut = "Ctrl+Shift+Y"', 'scope = "file"'), "scope", "unknown field 'scope'"),
        (('shortcut = "Ctrl+Shift+Y"', 'asks_instruction = true'), "prompt", "never uses {instruction}"),
    ],
)
def test_manifest_errors_name_the_file_and_field(tmp_path, change, field, words):
    path = _manifest(tmp_path, GOOD_ACTION.replace(*change))
    with pytest.raises(ManifestError) as caught:
        load_actions(path, "loud")
    assert str(path) in caught.value.message
    assert caught.value.field.endswith(field)
    assert words in caught.value.message


def test_manifest_that_is_not_toml_is_a_manifest_error(tmp_path):
    path = _manifest(tmp_path, "[[actions]\nid = ")
    with pytest.raises(ManifestError, match="not valid TOML") as caught:
        load_actions(path, "x")
    assert caught.value.path == path
    with pytest.raises(ManifestError, match="missing"):
        load_actions(tmp_path / "nowhere.toml", "x")


def test_manifest_with_an_id_twice_is_refused(tmp_path):
    path = _manifest(tmp_path, GOOD_ACTION + GOOD_ACTION.replace("Ctrl+Shift+Y", "Ctrl+Shift+U"))
    with pytest.raises(ManifestError, match="used twice"):
        load_actions(path, "x")


def test_actions_must_be_a_list_of_tables(tmp_path):
    with pytest.raises(ManifestError) as caught:
        parse_actions({"actions": "explain"}, tmp_path / "p.toml", "x")
    assert caught.value.field == "actions"


# --- the registry -----------------------------------------------------------------------


def test_registry_refuses_duplicate_ids_and_shortcuts():
    registry = ActionRegistry.with_builtins()
    with pytest.raises(ActionConflict, match="already used by built-in"):
        registry.add(_action(id="explain"))
    with pytest.raises(ActionConflict, match="'edit'"):
        registry.add(_action(id="mine", shortcut="ctrl+i"))  # the same key, spelled differently
    registry.add(_action(id="mine", shortcut="Ctrl+Alt+M"))
    assert registry.get("mine").shortcut == "Ctrl+Alt+M"
    with pytest.raises(KeyError):
        registry.get("nothing")


def test_registry_refuses_reserved_window_keys():
    registry = ActionRegistry(reserved_shortcuts=["Ctrl+O", "Ctrl+Shift+N"])
    with pytest.raises(ActionConflict, match="taken by a Hearth command"):
        registry.add(_action(shortcut="Shift+Ctrl+N"))


def test_registry_add_all_is_all_or_nothing():
    registry = ActionRegistry([_action(id="a", shortcut="F9")])
    with pytest.raises(ActionConflict):
        registry.add_all([_action(id="b", shortcut="F10"), _action(id="c", shortcut="F9")])
    assert [action.id for action in registry.all()] == ["a"]
    registry.add(_action(id="b", shortcut="F10"))  # the rolled-back key is free again
    assert len(registry) == 2 and "b" in registry


def test_registry_by_scope_keeps_order():
    registry = ActionRegistry([_action(id="a"), _action(id="b", scopes=(SCOPE_FOLDER,)),
                               _action(id="c", scopes=(SCOPE_FOLDER, SCOPE_SELECTION))])
    assert [a.id for a in registry.for_scope(SCOPE_SELECTION)] == ["a", "c"]
    assert [a.id for a in registry.for_scope(SCOPE_FOLDER)] == ["b", "c"]
    with pytest.raises(ValueError):
        registry.for_scope("line")


def test_normalize_shortcut():
    assert normalize_shortcut("Shift+Ctrl+X") == normalize_shortcut("ctrl+shift+x") == "ctrl+shift+x"
    assert normalize_shortcut("Ctrl++") == "ctrl++"
    assert normalize_shortcut("Ctrl+Ctrl+X") == "" and normalize_shortcut("Ctrl+") == ""


# --- what an action works on ------------------------------------------------------------


def test_a_dot_m_file_is_objective_c_or_plain_text_by_what_it_says(tmp_path):
    (tmp_path / "View.m").write_text('#import "View.h"\n\n@implementation View\n- (void)draw {\n}\n@end\n')
    (tmp_path / "solve.m").write_text("function x = solve(a, b)\n  x = a \\ b;\nend\n")  # MATLAB
    objc = resolve_context(tmp_path, "View.m", scope=SCOPE_SELECTION, selection_lines=(4, 5))
    matlab = resolve_context(tmp_path, "solve.m", scope=SCOPE_FILE)
    assert (objc.language, matlab.language) == ("objc", None)


def test_selection_gives_those_lines_and_the_symbol_around_them(project):
    root, index = project
    context = resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, selection_lines=(12, 13),
                              index_reader=index.reader, instruction="use tau")
    assert context.text == "    def area(self):\n        return math.pi * self.radius ** 2"
    assert (context.start_line, context.end_line) == (12, 13)
    assert context.symbol == "area" and context.language == "python" and context.instruction == "use tau"


def test_no_selection_takes_the_enclosing_symbol_from_the_index(project):
    root, index = project
    context = resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, cursor_line=10,
                              index_reader=index.reader)
    assert context.symbol == "__init__"
    assert (context.start_line, context.end_line) == (9, 10)
    assert context.text.startswith("    def __init__(self, radius):")


def test_no_symbol_at_the_cursor_takes_a_small_file_whole(project):
    root, index = project
    context = resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, cursor_line=3,
                              index_reader=index.reader)
    assert context.symbol is None and context.text == SOURCE.rstrip("\n")
    assert (context.start_line, context.end_line) == (1, SOURCE.count("\n"))


def test_no_symbol_in_a_long_file_takes_the_lines_around_the_cursor(project):
    root, index = project
    context = resolve_context(root, "long.py", scope=SCOPE_SELECTION, cursor_line=150, index_reader=index.reader)
    assert (context.start_line, context.end_line) == (120, 180)
    assert context.text.splitlines()[0] == "VALUE_120 = 120"


def test_file_scope_is_the_whole_file_with_newlines_normalised(project):
    root, _ = project
    context = resolve_context(root, "crlf.py", scope=SCOPE_FILE)
    assert context.text == "a = 1\nb = 2" and (context.start_line, context.end_line) == (1, 2)
    empty = resolve_context(root, "empty.py", scope=SCOPE_SELECTION, cursor_line=1)
    assert empty.text == "" and empty.start_line is None


def test_a_crlf_file_is_normalised_once(project, monkeypatch):
    from desktop.index import files

    root, _ = project
    normalised: list[str] = []
    real = files.normalize_newlines

    def counting(text: str) -> str:
        if "\r" in text:
            normalised.append(text)
        return real(text)

    monkeypatch.setattr(files, "normalize_newlines", counting)
    context = resolve_context(root, "crlf.py", scope=SCOPE_SELECTION, selection_lines=(2, 2))
    assert (context.text, context.start_line, context.end_line) == ("b = 2", 2, 2)
    assert normalised == ["a = 1\r\nb = 2\r\n"]


def test_folder_scope(project):
    root, _ = project
    whole = resolve_context(root, None, scope=SCOPE_FOLDER)
    assert whole.relative is None and whole.text == "" and whole.root == root.resolve()
    assert resolve_context(root, "pkg", scope=SCOPE_FOLDER).relative == "pkg"
    with pytest.raises(EditError, match="not a folder"):
        resolve_context(root, "long.py", scope=SCOPE_FOLDER)


@pytest.mark.parametrize("relative", [".env", "notes.txt"])
def test_secret_files_are_refused(project, relative):
    root, _ = project
    with pytest.raises(SecretFile, match="holds secrets"):
        resolve_context(root, relative, scope=SCOPE_FILE)


def test_paths_out_of_the_project_are_refused(project, tmp_path):
    root, _ = project
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    with pytest.raises(OutsideProject):
        resolve_context(root, "../" * 6 + str(outside).lstrip("/"), scope=SCOPE_FILE)
    with pytest.raises(OutsideProject):
        resolve_context(root, str(outside), scope=SCOPE_FILE)


def test_binary_missing_and_bad_lines_are_edit_errors(project):
    root, _ = project
    with pytest.raises(EditError, match="not a text file"):
        resolve_context(root, "logo.bin", scope=SCOPE_FILE)
    with pytest.raises(EditError):
        resolve_context(root, "gone.py", scope=SCOPE_FILE)
    with pytest.raises(EditError, match="not in pkg/shapes.py"):
        resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, selection_lines=(90, 95))
    with pytest.raises(EditError):
        resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, selection_lines=(5, 2))
    with pytest.raises(EditError, match="No file"):
        resolve_context(root, None, scope=SCOPE_FILE)


def test_a_selection_past_the_last_line_is_clamped(project):
    root, _ = project
    context = resolve_context(root, "crlf.py", scope=SCOPE_SELECTION, selection_lines=(2, 3))
    assert (context.start_line, context.end_line, context.text) == (2, 2, "b = 2")


# --- prompts ----------------------------------------------------------------------------


def _context(root: Path) -> ActionContext:
    return ActionContext(root=root, scope=SCOPE_SELECTION, relative="pkg/shapes.py",
                         text="    def area(self):\n        return 1", start_line=13, end_line=14,
                         language="python", symbol="area", instruction="return 2")


@pytest.mark.parametrize("action", builtin_actions(), ids=lambda action: action.id)
def test_every_builtin_renders_a_complete_prompt(action, tmp_path):
    context = _context(tmp_path)
    if SCOPE_SELECTION not in action.scopes:
        context = ActionContext(root=tmp_path, scope=SCOPE_FILE, relative="pkg/shapes.py", text="x = 1",
                                start_line=1, end_line=1, language="python")
    system, user = render_messages(action, context)
    assert system.role == "system" and user.role == "user" and system.content
    assert "{" not in user.content.replace("```", "")  # every variable filled in
    assert "```python\n" in user.content  # the code travels in a tagged fence
    assert "pkg/shapes.py" in user.content
    if action.result == RESULT_EDIT:
        assert "one fenced code block" in user.content
        assert "lines 13-14 of pkg/shapes.py" in user.content
        assert "Keep the original indentation" in user.content
        assert "code only" in system.content
    if action.asks_instruction:
        assert "return 2" in user.content


def test_edit_prompt_for_a_whole_file_names_the_file(tmp_path):
    context = ActionContext(root=tmp_path, scope=SCOPE_FILE, relative="a.rs", text="fn main() {}",
                            language="rust")
    user = render_prompt(_action(result=RESULT_EDIT), context)
    assert "the complete new text of a.rs" in user and "```rust" in user


def test_unknown_variables_stay_visible_and_hook_variables_fill_in(tmp_path):
    action = _action(prompt="Diff: {git_diff}\nIn {project}, {{literal}} and {nobody}")
    context = ActionContext(root=tmp_path / "proj", scope=SCOPE_FOLDER, relative=None, text="")
    assert render_prompt(action, context) == "Diff: {git_diff}\nIn proj, {literal} and {nobody}"
    filled = render_prompt(action, context, {"git_diff": "+x"})
    assert filled.startswith("Diff: +x\nIn proj")


def test_render_template_leaves_a_broken_template_as_written():
    assert render_template("a { b", {"b": "x"}) == "a { b"
    assert render_template("{a:>3}", {"a": "x"}) == "{a:>3}"


def test_fence_outgrows_backticks_inside_the_code():
    text = "```\ninside\n```"
    block = fenced(text, "md")
    assert block.startswith("````md\n") and block.endswith("\n````")


def test_an_unreadable_index_only_costs_the_symbol(project, tmp_path):
    import sqlite3

    from desktop.index.store import IndexReader

    root, _ = project
    broken = sqlite3.connect(tmp_path / "not-an-index.sqlite3")  # no tables at all
    try:
        context = resolve_context(root, "pkg/shapes.py", scope=SCOPE_SELECTION, selection_lines=(12, 13),
                                  index_reader=IndexReader(broken))
    finally:
        broken.close()
    assert context.symbol is None and context.text.startswith("    def area(self):")
