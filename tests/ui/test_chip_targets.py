"""A chip (or any place) opened after its file changed: the code view shows something
sensible and the status bar says what, never a line past the end.

Real main windows over real files (tests/ui/window_fixtures.py).
"""

from __future__ import annotations

from desktop.index.live import LiveUpdate
from tests.ui.test_index_ui import wait_indexed
from tests.ui.window_fixtures import make_window, project  # noqa: F401 - fixtures

TEN_LINES = "".join(f"line_{number} = {number}\n" for number in range(1, 11))


MAIN = 'def main():\n    """Entry point."""\n    return 42\n'  # src/app.py of the project fixture


def open_place(qtbot, window, relative: str, start: int, end: int, symbol: str = "") -> list:
    """``window.open_location`` and wait for the place to be shown; the signal's args."""
    with qtbot.waitSignal(window.location_opened, timeout=10000) as opened:
        window.open_location(relative, start, end, symbol)
    return opened.args


def indexed_change(qtbot, window, change, relative: str) -> None:
    """Make ``change`` on disk and wait until the live index has taken ``relative`` in."""
    updates: list[LiveUpdate] = []
    window.index_updated.connect(lambda result: updates.append(result) if isinstance(result, LiveUpdate) else None)
    change()
    qtbot.waitUntil(lambda: any(relative in update.paths for update in updates), timeout=15000)


def test_a_place_past_the_end_of_a_file_now_shorter_shows_its_end_and_says_so(qtbot, make_window, project):
    window = make_window(project)  # src/app.py has 3 lines; the answer was given lines 40-50
    assert open_place(qtbot, window, "src/app.py", 40, 50) == [project / "src" / "app.py", 3]
    assert window.code_view.current_line() == 3
    assert window.statusBar().currentMessage() == (
        "src/app.py changed since: it now has 3 lines, so lines 40–50 are not all there. Showing line 3.")


def test_a_range_running_past_the_end_starts_where_asked_and_says_so(qtbot, make_window, project):
    window = make_window(project)
    assert open_place(qtbot, window, "src/app.py", 2, 9) == [project / "src" / "app.py", 2]
    assert window.code_view.current_line() == 2
    assert "it now has 3 lines, so lines 2–9 are not all there. Showing line 2." in window.statusBar().currentMessage()


def test_a_place_inside_the_file_says_nothing(qtbot, make_window, project):
    window = make_window(project)
    assert open_place(qtbot, window, "src/app.py", 2, 3) == [project / "src" / "app.py", 2]
    assert window.statusBar().currentMessage() == ""


def test_the_same_file_already_open_and_shortened_is_shown_at_its_end(qtbot, make_window, project):
    window = make_window(project)
    app = project / "src" / "app.py"
    app.write_text(TEN_LINES, encoding="utf-8")
    open_place(qtbot, window, "src/app.py", 9, 10)
    app.write_text("short = 1\n", encoding="utf-8")
    with qtbot.waitSignal(window.code_view.file_loaded, timeout=10000):
        window.code_view.reload()  # as the watcher does
    assert open_place(qtbot, window, "src/app.py", 9, 10) == [app, 1]
    assert window.code_view.current_line() == 1


def test_a_place_in_a_file_that_failed_to_open_is_not_jumped_to_when_it_opens_later(qtbot, make_window, project):
    window = make_window(project)
    later = project / "src" / "later.py"
    with qtbot.waitSignal(window.code_view.load_failed, timeout=10000):
        window.open_location("src/later.py", 8, 8)  # deleted or renamed since the answer
    assert window.statusBar().currentMessage()  # why it did not open
    later.write_text(TEN_LINES, encoding="utf-8")
    opened: list = []
    window.location_opened.connect(lambda *args: opened.append(args))
    with qtbot.waitSignal(window.code_view.file_loaded, timeout=10000):
        window.open_file(later)  # from the tree, for another reason
    assert window.code_view.current_line() == 1
    assert opened == []



def test_a_chip_whose_definition_moved_down_opens_it_where_it_is_now(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    app = project / "src" / "app.py"
    indexed_change(qtbot, window, lambda: app.write_text("# a comment\n" * 20 + MAIN, encoding="utf-8"), "src/app.py")
    assert open_place(qtbot, window, "src/app.py", 1, 3, "main") == [app, 21]
    assert window.code_view.current_line() == 21
    assert window.statusBar().currentMessage() == (
        "main moved since: showing it at lines 21–23 of src/app.py (it was at lines 1–3).")


def test_a_chip_whose_definition_is_still_there_opens_as_given(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    assert open_place(qtbot, window, "src/app.py", 2, 3, "main") == [project / "src" / "app.py", 2]
    assert window.statusBar().currentMessage() == ""


def test_a_chip_whose_file_was_renamed_opens_the_definition_in_its_new_file(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    entry = project / "src" / "entry.py"
    indexed_change(qtbot, window, lambda: (project / "src" / "app.py").rename(entry), "src/entry.py")
    assert open_place(qtbot, window, "src/app.py", 1, 3, "main") == [entry, 1]
    assert window.code_view.current_path == entry
    assert window.statusBar().currentMessage() == "src/app.py no longer holds main: showing it in src/entry.py, lines 1–3."


def test_a_message_posted_before_the_window_shows_is_not_drawn_over_the_project_label(qtbot, make_window, project):
    window = make_window(project)  # not shown yet, as during start-up
    open_place(qtbot, window, "src/app.py", 40, 50)  # posts a message
    window.show()
    qtbot.waitUntil(lambda: not window.project_label.isVisible(), timeout=2000)
    qtbot.wait(100)  # the status bar re-lays itself out after its first show
    assert not window.project_label.isVisible() and window.statusBar().currentMessage()
    window.statusBar().clearMessage()
    qtbot.waitUntil(window.project_label.isVisible, timeout=2000)
