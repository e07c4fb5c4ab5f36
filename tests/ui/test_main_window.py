"""The main window with real services: projects, files, zoom, settings, server, chat."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication

from desktop.core.paths import HearthPaths
from desktop.core.secrets import SERVICE
from desktop.ui.code_view import DELETED_NOTICE
from desktop.ui.commands import COMMANDS
from desktop.ui.main_window import MainWindow, editor_command
from desktop.ui.server_banner import BannerState
from tests.ui.window_fixtures import fake_ollama_bin, kill_quietly, make_window, project, restart  # noqa: F401


def open_file(qtbot, window: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(window.code_view.file_loaded, timeout=10000):
        window.open_file(path)


def test_open_folder_shows_the_filtered_tree_and_remembers_it(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    assert window.windowTitle() == "project — Hearth"
    assert window.project_label.text() == str(project)
    qtbot.waitUntil(lambda: window.tree.listed_names() == ["src", ".gitignore", "README.md"], timeout=5000)
    assert [Path(a.data()) for a in window.recent_menu.actions()] == [project]


def test_open_folder_command_uses_the_chosen_folder(qtbot, make_window, project: Path) -> None:
    window = make_window()
    window.ask_folder = lambda: project
    with qtbot.waitSignal(window.project_opened, timeout=10000):
        window.actions_by_id["file.open"].trigger()
    assert window.project == project


def test_opening_a_missing_folder_says_so(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    problems: list[str] = []
    window.report_problem = lambda title, text: problems.append(text)
    assert not window.open_project(tmp_path / "nope")
    assert problems and "nope is not a folder" in problems[0]


def test_recent_projects_survive_a_restart_and_missing_ones_are_pruned(qtbot, make_window, tmp_path: Path,
                                                                      project: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    window = make_window(other)
    window.open_project(project)
    qtbot.waitUntil(lambda: window.tree.root == project, timeout=5000)
    other.rmdir()
    window = restart(window, make_window)
    assert [Path(a.data()) for a in window.recent_menu.actions()] == [project]
    ini = HearthPaths.from_env().ui_state_file
    assert ini.is_file() and "recent" in ini.read_text()


def test_window_geometry_and_splitter_are_restored(qtbot, make_window) -> None:
    window = make_window()
    window.show()
    window.resize(760, 560)  # the offscreen screen is 800×600; restoring clamps to it
    qtbot.waitUntil(lambda: window.width() == 760)
    window.splitter.setSizes([150, 300, 300])
    sizes = window.splitter.sizes()
    window = restart(window, make_window)
    window.show()
    qtbot.waitExposed(window)
    assert (window.width(), window.height()) == (760, 560)
    assert window.splitter.sizes() == sizes
    state = QSettings(str(HearthPaths.from_env().ui_state_file), QSettings.Format.IniFormat)
    assert state.value("window/geometry") is not None


def test_file_opened_from_the_tree_is_highlighted(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    with qtbot.waitSignal(window.code_view.highlighted, timeout=10000):
        window.tree.file_activated.emit(project / "src" / "app.py")
    assert window.code_view.text.startswith("def main():")
    assert window.code_view.lexer_name == "Python"


def test_file_changed_on_disk_is_reloaded(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    source = project / "src" / "app.py"
    open_file(qtbot, window, source)
    qtbot.wait(300)  # let the watcher settle before the change
    source.write_text("def main():\n    return 43\n", encoding="utf-8")
    qtbot.waitUntil(lambda: "43" in window.code_view.text, timeout=10000)


def test_deleted_file_is_reported_and_its_text_kept(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    source = project / "src" / "app.py"
    open_file(qtbot, window, source)
    qtbot.wait(300)
    source.unlink()
    qtbot.waitUntil(lambda: window.code_view.notice_text == DELETED_NOTICE, timeout=10000)
    assert window.code_view.text.startswith("def main():")


def test_find_and_go_to_line_commands(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    open_file(qtbot, window, project / "src" / "app.py")
    window.actions_by_id["edit.find"].trigger()
    qtbot.keyClicks(window.code_view.find_bar.field, "return")
    assert window.code_view.find_bar.counter.text() == "1 of 1"
    window.ask_line = lambda current, last: 2
    window.actions_by_id["edit.goto_line"].trigger()
    assert window.code_view.current_line() == 2


def test_zoom_changes_the_application_font_and_is_saved(qtbot, make_window) -> None:
    window = make_window()
    start = QApplication.font().pointSizeF()
    window.actions_by_id["view.zoom_in"].trigger()
    window.actions_by_id["view.zoom_in"].trigger()
    assert QApplication.font().pointSizeF() == round(start) + 2
    assert window.code_view.editor.font().pointSizeF() == round(start) + 2
    saved = json.loads(HearthPaths.from_env().settings_file.read_text())
    assert saved["font_size"] == round(start) + 2
    window.actions_by_id["view.zoom_out"].trigger()
    assert QApplication.font().pointSizeF() == round(start) + 1
    window.actions_by_id["view.zoom_reset"].trigger()
    assert QApplication.font().pointSizeF() == start
    assert json.loads(HearthPaths.from_env().settings_file.read_text())["font_size"] == 0


def test_every_command_has_an_action_with_its_shortcuts(qtbot, make_window) -> None:
    window = make_window()
    for entry in COMMANDS:
        if entry.id == "file.recent":
            continue
        action = window.actions_by_id[entry.id]
        assert [s.toString() for s in action.shortcuts()] == [QKeySequence(k).toString() for k in entry.shortcuts]
        assert entry.shortcuts, f"{entry.id} has no shortcut"
    for widget in (window.tree, window.code_view, window.code_view.editor, window.banner, window.chat_panel):
        assert widget.accessibleName()


def test_add_to_chat_brings_the_selection_along(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    window.show()
    open_file(qtbot, window, project / "src" / "app.py")
    window.code_view.editor.selectAll()
    window.code_actions.qactions["add_to_chat"].trigger()  # Ctrl+L: the old "Focus Chat", folded in
    qtbot.waitUntil(lambda: "return 42" in window.chat_panel.input.toPlainText(), timeout=5000)
    text = window.chat_panel.input.toPlainText()
    assert "src/app.py, lines 1-3" in text and "```python" in text
    assert window.chat_panel.input.hasFocus()
    window.actions_by_id["view.focus_tree"].trigger()
    assert window.tree.hasFocus()
    window.actions_by_id["view.focus_code"].trigger()
    assert window.code_view.editor.hasFocus()


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX interpreter path in the command")
def test_external_editor_command_gets_path_and_line(qtbot, make_window, project: Path, tmp_path: Path) -> None:
    window = make_window(project)
    out = tmp_path / "editor-args.txt"
    script = tmp_path / "editor.py"
    script.write_text(f"import sys, pathlib\npathlib.Path({str(out)!r}).write_text(' '.join(sys.argv[1:]))\n")
    window.save_settings(window.settings.with_changes(external_editor=f"{sys.executable} {script} --line {{line}}"))
    source = project / "src" / "app.py"
    open_file(qtbot, window, source)
    window.code_view.go_to_line(3)
    before = source.read_bytes()
    assert window.open_in_external_editor()
    qtbot.waitUntil(out.exists, timeout=10000)
    qtbot.waitUntil(lambda: out.read_text() == f"--line 3 {source}", timeout=5000)
    assert source.read_bytes() == before


def test_external_editor_that_cannot_start_is_reported(qtbot, make_window, project: Path) -> None:
    window = make_window(project)
    problems: list[str] = []
    window.report_problem = lambda title, text: problems.append(text)
    window.save_settings(window.settings.with_changes(external_editor="/no/such/editor-program {path}"))
    open_file(qtbot, window, project / "README.md")
    assert not window.open_in_external_editor()
    assert "/no/such/editor-program" in problems[0]


def test_editor_command_placeholders() -> None:
    path = Path("/p/a b.py")
    assert editor_command("code --goto {path}:{line}", path, 7) == ["code", "--goto", "/p/a b.py:7"]
    assert editor_command("subl", path, 1) == ["subl", "/p/a b.py"]


def test_plain_http_to_another_machine_asks_once_per_host(qtbot, make_window) -> None:
    window = make_window(host="http://192.0.2.10:11434")
    asked: list[str] = []
    window.confirm_plain_http = lambda host: asked.append(host) or False
    assert not window.allow_send()
    window.confirm_plain_http = lambda host: asked.append(host) or True
    assert window.allow_send()
    assert window.allow_send()  # remembered: not asked again
    assert asked == ["http://192.0.2.10:11434"] * 2
    saved = json.loads(HearthPaths.from_env().settings_file.read_text())
    assert saved["plain_http_allowed_hosts"] == ["http://192.0.2.10:11434"]


def test_the_chat_asks_the_window_before_sending(qtbot, make_window) -> None:
    window = make_window(host="http://192.0.2.10:11434")
    assert window.chat_panel.before_send == window.allow_send


def test_loopback_and_https_never_ask(qtbot, make_window) -> None:
    window = make_window(host="https://models.example.com")
    window.confirm_plain_http = lambda host: pytest.fail("should not ask")
    assert window.allow_send()


def test_settings_dialog_saves_rebuilds_the_engine_and_keeps_the_token_out_of_the_file(
        qtbot, make_window, project: Path, fake_ollama, memory_keyring) -> None:
    window = make_window(project)
    dialog = window.show_settings()
    dialog.host_field.setText(fake_ollama.host)
    dialog.token_field.setText("tok-123")
    with qtbot.waitSignal(window.server_checked, timeout=10000) as checked:
        dialog.accept()
    assert window.engine.host == fake_ollama.host
    assert window.chat_service.engine is window.engine
    assert checked.args[0].reachable
    assert memory_keyring.passwords[(SERVICE, fake_ollama.host)] == "tok-123"
    text = HearthPaths.from_env().settings_file.read_text()
    assert fake_ollama.host in text and "tok-123" not in text
    assert "Ollama" in window.server_label.text()


def test_banner_hidden_when_the_server_answers(qtbot, make_window, fake_ollama) -> None:
    window = make_window(host=fake_ollama.host)
    with qtbot.waitSignal(window.server_checked, timeout=10000):
        window.check_server()
    assert window.banner.state is BannerState.HIDDEN
    assert window.server_label.text() == f"{fake_ollama.host} · Ollama {fake_ollama.version}"


def test_banner_explains_how_to_install_when_ollama_is_missing(qtbot, make_window, free_local_port,
                                                               tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no ollama anywhere on PATH
    window = make_window(host=f"http://127.0.0.1:{free_local_port}")
    with qtbot.waitSignal(window.server_checked, timeout=10000) as checked:
        window.check_server()
    if checked.args[0].executable is not None:
        pytest.skip("an ollama executable is installed in a well-known place on this machine")
    assert window.banner.state is BannerState.NOT_INSTALLED
    assert "isn't running" in window.banner.text and "ollama.com/download" in window.banner.text
    assert window.banner.retry_button.isVisibleTo(window.banner)


def test_banner_for_an_unreachable_remote_host_offers_retry(qtbot, make_window) -> None:
    window = make_window(host="http://nonexistent.invalid:11434")
    with qtbot.waitSignal(window.server_checked, timeout=15000):
        window.check_server()
    assert window.banner.state is BannerState.UNREACHABLE
    assert "nonexistent.invalid" in window.banner.text
    assert not window.banner.start_button.isVisibleTo(window.banner)
    with qtbot.waitSignal(window.server_checked, timeout=15000):
        window.banner.retry_button.click()


def test_start_ollama_from_the_banner(qtbot, make_window, free_local_port, fake_ollama_bin: Path,
                                      monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(fake_ollama_bin))
    window = make_window(host=f"http://127.0.0.1:{free_local_port}")
    with qtbot.waitSignal(window.server_checked, timeout=10000):
        window.check_server()
    assert window.banner.state is BannerState.CAN_START
    assert window.banner.text == f"Ollama isn't running at http://127.0.0.1:{free_local_port}."
    from desktop.engine import lifecycle

    try:
        with qtbot.waitSignal(window.server_started, timeout=30000):
            window.banner.start_button.click()
        assert window.banner.state is BannerState.HIDDEN
        assert "Ollama" in window.server_label.text()
    finally:
        for process in list(lifecycle._launched):
            kill_quietly(process.pid)


def test_open_folder_and_chat_end_to_end(qtbot, make_window, project: Path, fake_ollama) -> None:
    fake_ollama.answer = "Here is code:\n\n```python\nprint('hi')\n```\n"
    window = make_window(project, host=fake_ollama.host)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.current_model != "", timeout=10000)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question("What does main return?")
    assert "print('hi')" in panel.transcript.plain_text()
    assert fake_ollama.last_chat_body["messages"][-1]["content"].endswith("What does main return?")
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=5000)
    window.actions_by_id["chat.new"].trigger()
    assert "print('hi')" not in panel.transcript.plain_text()


def test_escape_in_the_code_view_stops_a_streaming_answer(qtbot, make_window, project: Path, fake_ollama) -> None:
    fake_ollama.answer = "word " * 400
    fake_ollama.tokens_per_second = 50
    window = make_window(project, host=fake_ollama.host)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.current_model != "", timeout=10000)
    open_file(qtbot, window, project / "README.md")
    panel.send_question("Talk a lot")
    qtbot.waitUntil(lambda: panel.is_streaming, timeout=5000)
    window.code_view.editor.setFocus()
    qtbot.waitUntil(window.code_view.editor.hasFocus, timeout=2000)
    qtbot.keyClick(window.code_view.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=5000)


def test_no_two_commands_or_actions_share_a_key(qtbot, make_window):
    """Window commands, built-in actions and bundled plugins' actions: every key once."""
    window = make_window()
    bound = [(entry.id, keys) for entry in COMMANDS for keys in entry.shortcuts]
    registered = window.code_actions.registry.all()
    bound += [(f"action.{action.id}", action.shortcut) for action in registered if action.shortcut]
    assert ("action.add_to_chat", "Ctrl+L") in bound and ("action.edit", "Ctrl+I") in bound
    assert any(action.source != "built-in" for action in registered), "bundled plugins loaded"
    seen: dict[str, str] = {}
    for owner, keys in bound:
        normalized = QKeySequence(keys).toString()
        assert normalized not in seen, f"{owner} and {seen.get(normalized)} both use {keys}"
        seen[normalized] = owner
    # What the window really binds agrees: one QAction per key.
    window_keys = [sequence.toString() for action in window.findChildren(QAction) for sequence in action.shortcuts()
                   if action.parent() is window]
    assert sorted(window_keys) == sorted(seen)


def test_chat_commands_run_from_the_window_menu(qtbot, make_window):
    window = make_window()
    action = window.actions_by_id["chat.focus_model"]
    window.show()
    qtbot.waitExposed(window)
    action.trigger()
    qtbot.waitUntil(lambda: window.chat_panel.model_selector.hasFocus(), timeout=3000)


def test_recent_files_are_kept_per_project_newest_first_across_restarts(tmp_path: Path) -> None:
    from desktop.ui.app_state import MAX_RECENT_FILES, AppState

    path = tmp_path / "state" / "ui-state.ini"
    one, other = tmp_path / "one", tmp_path / "other"
    state = AppState(path)
    for relative in ("src/a.py", "README.md", "src/a.py"):
        state.add_recent_file(one, relative)
    state.add_recent_file(other, "main.go")
    state.sync()
    reopened = AppState(path)
    assert reopened.recent_files(one) == ["src/a.py", "README.md"]
    assert reopened.recent_files(other) == ["main.go"]
    for number in range(MAX_RECENT_FILES + 5):
        reopened.add_recent_file(one, f"f{number}.py")
    assert len(reopened.recent_files(one)) == MAX_RECENT_FILES
    assert str(one) not in path.read_text(encoding="utf-8")  # keyed by a digest of the folder


def test_edit_instructions_are_remembered_across_restarts_newest_first(tmp_path: Path) -> None:
    from desktop.ui.app_state import MAX_INSTRUCTIONS, AppState

    path = tmp_path / "state" / "ui-state.ini"
    state = AppState(path)
    for text in ("add a docstring", "use pathlib", "add a docstring"):
        state.remember_instruction(text)
    state.sync()
    reopened = AppState(path)
    assert reopened.instructions() == ["add a docstring", "use pathlib"]
    for number in range(MAX_INSTRUCTIONS + 5):
        reopened.remember_instruction(f"change {number}")
    assert len(reopened.instructions()) == MAX_INSTRUCTIONS
    assert reopened.instructions()[0] == f"change {MAX_INSTRUCTIONS + 4}"


def test_a_large_projects_search_partner_ends_when_another_project_opens(qtbot, make_window, project, tmp_path,
                                                                          monkeypatch) -> None:  # noqa: F811
    import desktop.index.retrieval as retrieval

    monkeypatch.setattr(retrieval, "PARTNER_MIN_CHUNKS", 1)  # the sample project counts as large
    window = make_window(project)
    qtbot.waitUntil(lambda: window.index_status.text.startswith("Index:"), timeout=15000)
    service = window.chat_service
    service.warm_up()  # what the window does once the index is built
    partner = service._index._partner
    assert partner is not None and partner._process.is_alive()
    other = tmp_path / "other"
    other.mkdir()
    window.open_project(other)
    qtbot.waitUntil(lambda: not partner._process.is_alive() and service._index is None, timeout=5000)
    service.warm_up()  # a warm-up queued before the switch does not open it again
    assert service._index is None
