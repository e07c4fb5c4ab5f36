"""Code actions in the window: right-click menus, the Code menu, chat turns, Edit…, Apply, undo.

Real windows, real files in tmp_path, the real index and the fake Ollama server over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QMenu

from desktop.assist.actions import SCOPE_FILE, SCOPE_FOLDER
from desktop.ui.action_menu import SECRET_FILE
from desktop.ui.chat.references import CodeTarget
from desktop.ui.main_window import MainWindow
from tests.ui.window_fixtures import make_window, project  # noqa: F401

BUILT_IN_SELECTION = ["Explain", "Edit…", "Document", "Write Tests", "Find Problems", "Simplify", "Add to Chat"]


def open_file(qtbot, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.code_view.file_loaded, timeout=10000):
        window.open_file(path)


def select_lines(window: MainWindow, first: int, last: int) -> None:
    """Select 1-based lines ``first``..``last`` of the code view, whole lines."""
    document = window.code_view.editor.document()
    cursor = QTextCursor(document.findBlockByNumber(first - 1))
    end = document.findBlockByNumber(last - 1)
    cursor.setPosition(end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    window.code_view.editor.setTextCursor(cursor)


def place_cursor(window: MainWindow, line: int) -> None:
    block = window.code_view.editor.document().findBlockByNumber(line - 1)
    window.code_view.editor.setTextCursor(QTextCursor(block))


def entries(menu: QMenu) -> list[str]:
    """The menu's texts in order, "—" for a separator."""
    return ["—" if action.isSeparator() else action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            for action in menu.actions()]


def entry(menu: QMenu, text: str) -> QAction:
    return next(action for action in menu.actions() if action.text().replace("&", "") == text)


def wait_indexed(qtbot, window: MainWindow) -> None:
    """Wait until the first full index update is done (it may be done already)."""
    qtbot.waitUntil(lambda: window.index_status.text.startswith("Index:"), timeout=15000)


def ready_window(qtbot, make_window, project: Path, fake_ollama) -> MainWindow:  # noqa: F811
    """A window on ``project`` whose index is built and whose chat has a model."""
    window = make_window(project, host=fake_ollama.host)
    wait_indexed(qtbot, window)
    qtbot.waitUntil(lambda: window.chat_panel.current_model != "", timeout=10000)
    open_file(qtbot, window, project / "src" / "app.py")
    return window


def last_user_message(fake_ollama) -> str:
    body = fake_ollama.last_chat_body
    assert body is not None, "nothing was sent to the model"
    return [message for message in body["messages"] if message["role"] == "user"][-1]["content"]


# --- the right-click menu in the code view -------------------------------------------------


def test_code_menu_on_a_selection_lists_the_actions_then_copy(qtbot, make_window, project, fake_ollama):  # noqa: F811
    window = ready_window(qtbot, make_window, project, fake_ollama)
    select_lines(window, 1, 3)
    menu = window.code_actions.code_context_menu()
    texts = entries(menu)
    assert texts[:len(BUILT_IN_SELECTION)] == BUILT_IN_SELECTION
    plugin_titles = [a.title for a in window.code_actions.registry.for_scope("selection") if a.source != "built-in"]
    assert plugin_titles and texts[len(BUILT_IN_SELECTION)] == "—"
    assert all(title in texts for title in plugin_titles)
    assert texts[-2:] == ["—", "Copy"]
    assert all(action.isEnabled() for action in menu.actions() if not action.isSeparator())
    assert entry(menu, "Edit…").shortcut().toString() == "Ctrl+I"
    assert entry(menu, "Add to Chat").shortcut().toString() == "Ctrl+L"
    # The same QActions as the Code menu: one place makes them, one key each.
    assert entry(menu, "Explain") is window.code_actions.qactions["explain"]


# A popup menu on the offscreen platform: it cannot raise itself or grab the keyboard.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing")
def test_right_click_without_a_selection_moves_the_cursor_and_offers_the_actions(
        qtbot, make_window, project, fake_ollama):  # noqa: F811
    window = ready_window(qtbot, make_window, project, fake_ollama)
    window.show()
    editor = window.code_view.editor
    place_cursor(window, 1)
    line_three = editor.cursorRect(QTextCursor(editor.document().findBlockByNumber(2))).center()
    editor.customContextMenuRequested.emit(line_three)
    menu = window.code_actions.context_menu
    assert menu is not None and menu.objectName() == "codeContextMenu"
    qtbot.waitUntil(menu.isVisible, timeout=3000)
    assert window.code_view.current_line() == 3
    assert entry(menu, "Explain").isEnabled()
    assert not entry(menu, "Copy").isEnabled()  # nothing selected
    menu.close()
    qtbot.waitUntil(lambda: window.code_actions.qactions["explain"].isEnabled(), timeout=3000)


def test_without_a_file_the_actions_are_disabled_and_say_why(qtbot, make_window, project):  # noqa: F811
    window = make_window(project)
    menu = window.code_actions.code_context_menu()
    explain = entry(menu, "Explain")
    assert not explain.isEnabled()
    assert explain.toolTip() == "Open a file first."
    assert not window.code_actions.run_action(window.code_actions.registry.get("explain"))


# --- running actions ------------------------------------------------------------------------


def test_explain_on_a_selection_sends_a_chat_turn_with_a_short_label(qtbot, make_window, project, fake_ollama):  # noqa: F811
    fake_ollama.answer = "It returns the answer, 42."
    window = ready_window(qtbot, make_window, project, fake_ollama)
    panel = window.chat_panel
    select_lines(window, 1, 3)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        entry(window.code_actions.code_context_menu(), "Explain").trigger()
    sent = last_user_message(fake_ollama)
    assert "### Explain `main` (src/app.py lines 1–3)" in sent
    assert "return 42" in sent and "Start with one sentence" in sent  # the whole prompt went out
    question = panel.transcript.views[0]
    assert question.role == "user" and question.content.startswith("### Explain `main` (src/app.py lines 1–3)")
    shown = panel.transcript.plain_text()
    assert "Explain `main` (src/app.py lines 1–3)" in shown and "Start with one sentence" not in shown
    assert "It returns the answer, 42." in shown
    panel.transcript.toggle_reasoning(0)  # the "▸ Prompt" toggle
    assert "Start with one sentence" in panel.transcript.plain_text()
    # The chat is named after the label, not after the stored "### …" line.
    qtbot.waitUntil(lambda: panel.conversation_list.title_of(panel.conversation_id)
                    == "Explain `main` (src/app.py lines 1–3)", timeout=5000)


def test_without_a_selection_the_action_works_on_the_symbol_at_the_cursor(
        qtbot, make_window, project, fake_ollama):  # noqa: F811
    (project / "src" / "calc.py").write_text(
        "import math\n\n\ndef area(r):\n    return math.pi * r * r\n\n\ndef double(x):\n    return 2 * x\n",
        encoding="utf-8")
    window = make_window(project, host=fake_ollama.host)
    wait_indexed(qtbot, window)
    qtbot.waitUntil(lambda: window.chat_panel.current_model != "", timeout=10000)
    open_file(qtbot, window, project / "src" / "calc.py")
    place_cursor(window, 9)
    with qtbot.waitSignal(window.chat_panel.answer_finished, timeout=15000):
        entry(window.code_actions.code_context_menu(), "Find Problems").trigger()
    sent = last_user_message(fake_ollama)
    assert "### Find Problems `double` (src/calc.py lines 8–9)" in sent
    assert "return 2 * x" in sent and "math.pi" not in sent.split("###", 1)[1].split("\n\n", 1)[1]


def test_add_to_chat_with_the_chat_focused_only_moves_there(qtbot, make_window, project, fake_ollama):  # noqa: F811
    window = ready_window(qtbot, make_window, project, fake_ollama)
    window.show()
    window.chat_panel.focus_input()
    qtbot.waitUntil(window.chat_panel.input.hasFocus, timeout=3000)
    assert window.code_actions.run_action(window.code_actions.registry.get("add_to_chat"))
    assert window.chat_panel.input.toPlainText() == ""


def test_edit_asks_an_instruction_then_reviews_applies_and_undoes(qtbot, make_window, project, fake_ollama):  # noqa: F811
    source = project / "src" / "app.py"
    before = source.read_text(encoding="utf-8")
    fake_ollama.answer = 'Here you go:\n```python\ndef main():\n    """Entry point."""\n    return 43\n```\n'
    window = ready_window(qtbot, make_window, project, fake_ollama)
    asked: list[str] = []
    window.code_actions.ask_instruction = lambda action, where: asked.append(where) or "return 43 instead"
    select_lines(window, 1, 3)
    window.code_actions.qactions["edit"].trigger()  # Ctrl+I
    flow = window.code_actions.edit_flow
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.review is not None, timeout=15000)
    assert asked == ["Edit (src/app.py lines 1–3)"]
    assert "return 43 instead" in last_user_message(fake_ollama)
    assert window.code_actions.instruction_history == ["return 43 instead"]
    dialog = window.code_actions.edit_flow.dialog
    assert dialog.accepted_indexes() == (0,)
    with qtbot.waitSignal(window.code_actions.edit_flow.applied, timeout=10000):
        dialog.request_apply()
    assert source.read_text(encoding="utf-8") == before.replace("return 42", "return 43")
    undo = window.actions_by_id["edit.undo_applied"]
    assert undo.shortcut().toString() == "Ctrl+Alt+Z"
    with qtbot.waitSignal(window.code_actions.edit_flow.undone, timeout=10000):
        undo.trigger()
    assert source.read_text(encoding="utf-8") == before
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() != "", timeout=3000)


def test_cancelling_the_instruction_sends_nothing(qtbot, make_window, project, fake_ollama):  # noqa: F811
    window = ready_window(qtbot, make_window, project, fake_ollama)
    window.code_actions.ask_instruction = lambda action, where: None
    select_lines(window, 1, 3)
    assert not window.code_actions.run_action(window.code_actions.registry.get("edit"))
    assert window.code_actions.edit_flow.dialog is None and fake_ollama.last_chat_body is None


def test_undo_with_nothing_applied_says_so(qtbot, make_window, project):  # noqa: F811
    window = make_window()
    window.actions_by_id["edit.undo_applied"].trigger()
    assert "nothing to undo" in window.statusBar().currentMessage()


# --- the tree's right-click menu ------------------------------------------------------------


def test_tree_menu_for_a_file_and_a_folder(qtbot, make_window, project):  # noqa: F811
    window = make_window(project)
    texts = entries(window.code_actions.tree_context_menu(project / "src" / "app.py", folder=False))
    assert texts[:3] == ["Explain File", "Add File to Chat", "Write Tests for File"]
    assert texts[-1] == "Open in External Editor"
    folder_texts = entries(window.code_actions.tree_context_menu(project, folder=True))
    assert "Write Commit Message" in folder_texts  # the bundled commit-message plugin
    assert "Open in External Editor" not in folder_texts


def test_tree_menu_on_a_secret_file_refuses(qtbot, make_window, project, fake_ollama):  # noqa: F811
    secret = project / ".env"
    secret.write_text("API_TOKEN=abc123\n", encoding="utf-8")
    window = make_window(project, host=fake_ollama.host)
    menu = window.code_actions.tree_context_menu(secret, folder=False)
    assert "secret file, never sent to a model" in entries(menu)[0]
    explain = entry(menu, "Explain File")
    assert not explain.isEnabled() and explain.toolTip() == SECRET_FILE
    with qtbot.waitSignal(window.code_actions.action_refused, timeout=3000) as refused:
        assert not window.code_actions.run_action(window.code_actions.registry.get("explain_file"), SCOPE_FILE, secret)
    assert refused.args == [SECRET_FILE]
    assert fake_ollama.last_chat_body is None


def test_explain_file_from_the_tree_asks_about_that_file(qtbot, make_window, project, fake_ollama):  # noqa: F811
    fake_ollama.answer = "A tiny entry point."
    window = make_window(project, host=fake_ollama.host)
    qtbot.waitUntil(lambda: window.chat_panel.current_model != "", timeout=10000)
    with qtbot.waitSignal(window.chat_panel.answer_finished, timeout=15000):
        entry(window.code_actions.tree_context_menu(project / "src" / "app.py", folder=False), "Explain File").trigger()
    sent = last_user_message(fake_ollama)
    assert "### Explain File (src/app.py)" in sent and "return 42" in sent
    # Nothing says which lines an answer about a whole file would replace: no Apply.
    assert window.chat_panel.transcript.apply_target(0) is None


def test_folder_action_runs_on_the_project(qtbot, make_window, project, fake_ollama):  # noqa: F811
    fake_ollama.answer = "Add the sample project"
    window = make_window(project, host=fake_ollama.host)
    qtbot.waitUntil(lambda: window.chat_panel.current_model != "", timeout=10000)
    action = window.code_actions.registry.get("commit_message")
    with qtbot.waitSignal(window.chat_panel.answer_finished, timeout=15000):
        assert window.code_actions.run_action(action, SCOPE_FOLDER, project)
    assert "### Write Commit Message (the project)" in last_user_message(fake_ollama)


# --- "Apply" under a code block of an answer ------------------------------------------------


def test_apply_link_sends_the_block_to_review_against_the_selection(qtbot, make_window, project, fake_ollama):  # noqa: F811
    source = project / "src" / "app.py"
    fake_ollama.answer = "Like this:\n\n```python\ndef main():\n    return 7\n```\n"
    window = ready_window(qtbot, make_window, project, fake_ollama)
    panel = window.chat_panel
    select_lines(window, 1, 3)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question("Make it return 7")
    transcript = panel.transcript
    assert 'href="apply:0"' in transcript.toHtml()
    assert transcript.apply_target(0) == CodeTarget("src/app.py", 1, 3)
    assert transcript.request_apply(0)
    flow = window.code_actions.edit_flow
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.review is not None, timeout=10000)
    with qtbot.waitSignal(window.code_actions.edit_flow.applied, timeout=10000):
        window.code_actions.edit_flow.dialog.request_apply()
    assert source.read_text(encoding="utf-8") == "def main():\n    return 7\n"


def test_apply_is_disabled_when_the_answer_is_about_no_file(qtbot, make_window, project, fake_ollama):  # noqa: F811
    fake_ollama.answer = "For example:\n\n```python\nprint('hi')\n```\n"
    window = make_window(project, host=fake_ollama.host)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.current_model != "", timeout=10000)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question("How do I print in Python?")
    html = panel.transcript.toHtml()
    assert "apply:0" not in html and ">Apply<" in html  # shown, greyed, not a link
    assert panel.transcript.apply_target(0) is None
    assert not panel.transcript.request_apply(0)
    assert window.code_actions.edit_flow.dialog is None


def test_apply_link_after_add_to_chat_uses_the_place_in_the_question(qtbot, make_window, project, fake_ollama):  # noqa: F811
    fake_ollama.answer = "```python\ndef main():\n    return 0\n```"
    window = ready_window(qtbot, make_window, project, fake_ollama)
    panel = window.chat_panel
    select_lines(window, 1, 3)
    window.code_actions.qactions["add_to_chat"].trigger()
    qtbot.waitUntil(lambda: "return 42" in panel.input.toPlainText(), timeout=5000)
    window.code_view.clear()  # the question alone says where the code is from
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question(panel.input.toPlainText() + "Return 0 instead.")
    assert panel.transcript.apply_target(0) == CodeTarget("src/app.py", 1, 3)


# --- the Plugins page and the instruction prompt ----------------------------------------------


def test_plugins_page_lists_each_plugin_and_a_broken_one_with_its_error(qtbot, make_window):  # noqa: F811
    from desktop.core.paths import HearthPaths

    user_dir = HearthPaths.from_env().plugins_dir
    broken = user_dir / "broken"
    broken.mkdir(parents=True)
    (broken / "plugin.toml").write_text(
        'id = "broken"\nname = "Broken One"\nversion = "0.1"\n\n[[actions]]\nid = "oops"\ntitle = "Oops"\n'
        'scopes = ["selection"]\nresult = "sideways"\nprompt = "{selection}"\n', encoding="utf-8")
    window = make_window()
    dialog = window.show_settings()
    dialog.show_plugins()
    page = dialog.plugins_page
    assert dialog.tabs.currentWidget() is page
    texts = [card.text() for card in page.cards]
    assert any("Commit Message" in text and "bundled with Hearth" in text and "Write Commit Message" in text
               for text in texts)
    broken_card = next(card for card in page.cards if "Broken One" in card.text())
    assert broken_card.objectName() == "pluginCardBroken"
    assert "your plugin folder" in broken_card.text()
    assert "Not loaded:" in broken_card.text() and "sideways" in broken_card.text()
    assert "#c0392b" in broken_card.text()  # in red
    assert "oops" not in window.code_actions.qactions  # skipped, not in the menus
    opened: list[Path] = []
    page.open_folder = lambda path: opened.append(path) or True
    page.open_button.click()
    assert opened == [user_dir] and user_dir.is_dir()
    dialog.reject()


def test_instruction_dialog_offers_earlier_instructions(qtbot):
    from desktop.ui.action_menu import InstructionDialog

    dialog = InstructionDialog("Edit…", "What should change in src/app.py lines 1–3?", ["use pathlib", "add types"])
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()  # nothing typed yet
    assert [dialog.field.itemText(i) for i in range(dialog.field.count())] == ["use pathlib", "add types"]
    dialog.field.setCurrentIndex(1)
    assert dialog.ok_button.isEnabled() and dialog.instruction() == "add types"
    dialog.field.setEditText("  handle empty input ")
    assert dialog.instruction() == "handle empty input"


def test_a_user_plugin_adds_an_action_and_sees_the_chat_prompt(qtbot, make_window, project, fake_ollama):  # noqa: F811
    from desktop.core.paths import HearthPaths

    folder = HearthPaths.from_env().plugins_dir / "stamp"
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text(
        'id = "stamp"\nname = "Stamp"\nversion = "1.0"\nmodule = "main.py"\n\n[[actions]]\nid = "stamp_explain"\n'
        'title = "Explain Briefly"\nscopes = ["selection"]\nresult = "chat"\n'
        'prompt = "In one line, what does {symbol} do?\\n\\n{selection}"\n', encoding="utf-8")
    (folder / "main.py").write_text(
        "from desktop.plugins.api import ChatMessage\n\n\n"
        "def setup(plugin):\n"
        "    @plugin.on('prompt_will_be_sent')\n"
        "    def stamp(action, messages):\n"
        "        return [*messages[:-1], ChatMessage('user', messages[-1].content + '\\n[stamped]')]\n",
        encoding="utf-8")
    window = ready_window(qtbot, make_window, project, fake_ollama)
    assert "stamp_explain" in window.code_actions.qactions
    select_lines(window, 1, 3)
    menu = window.code_actions.code_context_menu()
    assert entries(menu).index("Explain Briefly") > entries(menu).index("Add to Chat")  # under the built-ins
    with qtbot.waitSignal(window.chat_panel.answer_finished, timeout=15000):
        entry(menu, "Explain Briefly").trigger()
    sent = last_user_message(fake_ollama)
    assert "### Explain Briefly `main` (src/app.py lines 1–3)" in sent
    assert "In one line, what does main do?" in sent and sent.endswith("[stamped]")


# --- plugins load after the window is shown ---------------------------------------------------


def menu_texts(window: MainWindow) -> list[str]:
    return entries(window.code_actions.menu)


def test_the_window_opens_with_the_built_ins_and_plugins_join_the_menus_when_loaded(qtbot, make_window):  # noqa: F811
    window = make_window(plugins=False)
    actions = window.code_actions
    assert actions.plugins is None
    assert {action.source for action in actions.registry.all()} == {"built-in"}
    assert "Write Commit Message" not in menu_texts(window) and "Explain" in menu_texts(window)
    explain = actions.qactions["explain"]
    with qtbot.waitSignal(window.plugins_loaded, timeout=10000) as loaded:
        window.load_plugins()
    plugins = loaded.args[0]
    assert actions.plugins is plugins and actions.registry is plugins.registry
    texts = menu_texts(window)
    assert {"Write Commit Message", "Add Type Hints", "Translate To…"} <= set(texts)
    assert texts.count("Explain") == 1  # the menu was laid out again, not added to
    assert actions.qactions["explain"] is explain  # the built-ins' QActions (and keys) stay
    bound = [action for action in window.actions() if action.objectName().startswith("action.")]
    assert sorted(action.data() for action in bound) == sorted(actions.qactions)
    assert "Translate To…" in entries(actions.code_context_menu())


def test_plugin_hooks_reach_a_chat_opened_before_they_loaded(qtbot, make_window, project, fake_ollama):  # noqa: F811
    from desktop.assist.hooks import NO_HOOKS
    from desktop.core.paths import HearthPaths

    folder = HearthPaths.from_env().plugins_dir / "stamp"
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text('id = "stamp"\nname = "Stamp"\nversion = "1.0"\nmodule = "main.py"\n',
                                        encoding="utf-8")
    (folder / "main.py").write_text(
        "from desktop.plugins.api import ChatMessage\n\n\n"
        "def setup(plugin):\n"
        "    @plugin.on('prompt_will_be_sent')\n"
        "    def stamp(action, messages):\n"
        "        return [*messages[:-1], ChatMessage('user', messages[-1].content + '\\n[stamped]')]\n",
        encoding="utf-8")
    window = make_window(project, host=fake_ollama.host, plugins=False)
    assert window.chat_service is not None and window.chat_service.hooks is NO_HOOKS
    with qtbot.waitSignal(window.plugins_loaded, timeout=10000):
        window.load_plugins()
    assert window.chat_service.hooks is window.code_actions.plugins.hooks is window.code_actions.hooks
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.current_model != "", timeout=10000)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question("What is this?")
    assert last_user_message(fake_ollama).endswith("[stamped]")


def test_an_open_plugins_page_shows_the_plugins_once_loaded_with_a_broken_ones_error(qtbot, make_window):  # noqa: F811
    from desktop.core.paths import HearthPaths

    broken = HearthPaths.from_env().plugins_dir / "broken"
    broken.mkdir(parents=True)
    (broken / "plugin.toml").write_text('id = "broken"\nname = "Broken One"\nversion = "0.1"\nmodule = "gone.py"\n',
                                        encoding="utf-8")
    window = make_window(plugins=False)
    dialog = window.show_settings()
    dialog.show_plugins()
    assert dialog.plugins_page.cards == []  # not loaded yet
    with qtbot.waitSignal(window.plugins_loaded, timeout=10000):
        window.load_plugins()
    page = dialog.plugins_page
    assert dialog.tabs.currentWidget() is page and dialog.tabs.tabText(dialog.tabs.indexOf(page)) == "&Plugins"
    assert any("Commit Message" in card.text() for card in page.cards)
    broken_card = next(card for card in page.cards if "Broken One" in card.text())
    assert broken_card.objectName() == "pluginCardBroken" and "Not loaded:" in broken_card.text()
    dialog.reject()


def test_a_project_opens_its_undo_history_off_the_gui_thread_and_switching_keeps_the_last(
        qtbot, make_window, project, tmp_path, monkeypatch):  # noqa: F811
    # Opening the history (SQLite and its integrity check) and importing the edit modules
    # stalled the window ~100 ms at every project open.
    import threading

    from desktop.assist.edits.undo import UndoHistory

    threads: list[str] = []
    opened: list[UndoHistory] = []
    original = UndoHistory.for_project.__func__

    def recording(cls, paths, root):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread().name)
        opened.append(original(cls, paths, root))
        return opened[-1]

    monkeypatch.setattr(UndoHistory, "for_project", classmethod(recording))
    window = make_window(project)
    qtbot.waitUntil(lambda: window.code_actions.undo_history is not None, timeout=5000)
    assert threads and threading.main_thread().name not in threads
    assert window.code_actions._edit_flow is None  # made when an edit first needs it
    other = tmp_path / "other"
    other.mkdir()
    window.code_actions.open_project(project)  # as when its rules arrived, and then:
    window.open_project(other)  # another project opens before that history is there
    qtbot.waitUntil(lambda: len(opened) == 3 and window.code_actions.undo_history is not None, timeout=5000)
    qtbot.waitUntil(lambda: window.services.runner.active_count <= 2, timeout=5000)  # watcher, index
    assert window.code_actions.undo_history.root == other.resolve()
    assert window.code_actions.edit_flow.history is window.code_actions.undo_history


def test_an_undo_history_that_cannot_be_opened_is_reported_and_edits_still_open(
        qtbot, make_window, project):  # noqa: F811
    import sqlite3

    from desktop.assist.edits.undo import DB_NAME

    window = make_window()
    problems: list[tuple[str, str]] = []
    window.report_problem = lambda title, text: problems.append((title, text))
    db_path = window.services.paths.project_data_dir(project.resolve()) / DB_NAME
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as newer:
        newer.execute("PRAGMA user_version = 999")  # written by a later Hearth
    window.open_project(project)
    qtbot.waitUntil(lambda: bool(problems), timeout=5000)
    assert problems[0][0] == "The undo history could not be opened"
    assert "newer Hearth" in problems[0][1]
    assert window.code_actions.undo_history is None and window.code_actions.edit_flow is not None
    window.actions_by_id["edit.undo_applied"].trigger()
    assert "undo history is not open" in window.statusBar().currentMessage()
