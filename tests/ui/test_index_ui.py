"""The index in the window: progress, pause/cancel, skipped files, chips, Ctrl+P / Ctrl+T.

Real main windows (tests/ui/window_fixtures.py), the real indexer on the one
TaskRunner, and the fake Ollama server for chats.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Sequence

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QTextCursor

from desktop.assist.context import ContextItem, ContextPlan
from desktop.index.indexer import IndexProgress, IndexSummary
from desktop.index.live import LiveUpdate
from desktop.assist.conversations import StoredMessage
from desktop.ui.index_ui import IndexStatus, SkippedFilesDialog, progress_text, summary_text
from desktop.index.store import IndexReader, SkippedFile, index_db_path, open_reader
from desktop.qt.worker import Worker
from desktop.ui import main_window
from tests.index.test_watcher import overflow_inotify
from tests.ui.test_main_window import open_file
from tests.ui.window_fixtures import make_window  # noqa: F401 - fixture

UTIL = (
    "def helper_one(x):\n"
    "    return x + 1\n\n\n"
    "def helper_two(x):\n"
    "    \"\"\"Doubles x.\"\"\"\n"
    "    return x * 2\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    \"\"\"Entry point.\"\"\"\n    return 42\n",
                                         encoding="utf-8")
    (root / "src" / "util.py").write_text(UTIL, encoding="utf-8")
    (root / "README.md").write_text("# Sample\n", encoding="utf-8")
    (root / ".env").write_text("TOKEN=abc123\n", encoding="utf-8")
    return root


def wait_indexed(qtbot, window) -> IndexSummary:
    """Wait for the first full index update of the window's project."""
    found: list[IndexSummary] = []
    window.index_updated.connect(lambda result: found.append(result) if isinstance(result, IndexSummary) else None)
    qtbot.waitUntil(lambda: bool(found) or window.index_status.text.startswith("Index:"), timeout=20000)
    return found[0] if found else None


def press(window, keys: str) -> None:
    """Trigger the window's action bound to ``keys`` (offscreen windows get no key focus)."""
    (action,) = [a for a in window.actions_by_id.values() if QKeySequence(keys) in a.shortcuts()]
    action.trigger()


def test_a_status_too_long_for_its_place_shortens_the_file_before_the_counts(qtbot):
    status = IndexStatus()
    qtbot.addWidget(status)
    progress = IndexProgress("indexing", 1204, 3890, 412.0, 6.5, "Lib/test/test_email/test__header_value_parser.py")
    status.show_progress(progress)
    assert status.text == progress_text(progress)
    counts = "Indexing 1,204 / 3,890 files · 412 files/s · about 6 s left"
    metrics = status.label.fontMetrics()
    status.label.resize(metrics.horizontalAdvance(counts + " · ") + 160, status.label.height())
    shown = status.label.shown_text()  # the counts and time left stay whole; the path is cut in its middle
    assert shown.startswith(counts + " · Lib") and shown.endswith("parser.py") and "…" in shown
    status.label.resize(150, status.label.height())
    shown = status.label.shown_text()  # no room for any of the path: the counts are cut at their end
    assert shown.startswith("Indexing 1,2") and shown.endswith("…") and "parser" not in shown
    status.label.setMaximumWidth(4000)
    status.label.resize(4000, status.label.height())
    assert status.label.shown_text() == status.text  # room enough: all of it


def test_a_message_with_line_breaks_is_shown_on_one_line(qtbot):
    status = IndexStatus()
    qtbot.addWidget(status)
    status.show_failed("Something went wrong: RuntimeError:\n  An attempt was made\n")
    assert status.text == "Index: Something went wrong: RuntimeError: An attempt was made"


def test_status_shows_progress_with_rate_eta_and_current_file(qtbot):
    status = IndexStatus()
    qtbot.addWidget(status)
    status.show()
    status.show_progress(IndexProgress("indexing", 120, 900, 85.0, 9.2, "src/app.py"))
    assert status.text == "Indexing 120 / 900 files · 85 files/s · about 9 s left · src/app.py"
    assert status.pause_button.isVisible() and status.cancel_button.isVisible()
    assert not status.skipped_button.isVisible()
    status.show_progress(IndexProgress("scanning", 40, 0, 0.0, None, "a.py"))
    assert status.text == "Scanning the project: 40 files · a.py"
    assert progress_text(IndexProgress("indexing", 10, 10, 5.0, 0.0, "")) == "Indexing 10 / 10 files · 5 files/s"
    waiting = IndexProgress("waiting", 0, 0, 0.0, None, "")
    assert progress_text(waiting) == "Waiting for another Hearth process to finish updating the index"


def test_pause_button_becomes_resume(qtbot):
    status = IndexStatus()
    qtbot.addWidget(status)
    status.show()
    status.show_progress(IndexProgress("indexing", 1, 9, 1.0, 8.0, "x.py"))
    with qtbot.waitSignal(status.pause_requested):
        qtbot.mouseClick(status.pause_button, Qt.MouseButton.LeftButton)
    status.show_paused()
    assert status.pause_button.text() == "Resume" and "paused" in status.text
    with qtbot.waitSignal(status.resume_requested):
        qtbot.mouseClick(status.pause_button, Qt.MouseButton.LeftButton)


def test_opening_a_project_indexes_it_and_reports_in_the_status_bar(qtbot, make_window, project):
    window = make_window(project, plugins=False)  # listening for the first update as soon as the project opens
    summary = wait_indexed(qtbot, window)
    assert summary is not None and summary.files_indexed == 3 and summary.skipped == {"secret": 1}
    assert window.index_status.text == f"Index: 3 files · {summary.symbols} symbols · 1 skipped"
    assert not window.index_status.skipped_button.isHidden()
    assert window.index_status.cancel_button.isHidden()


def test_the_window_waits_while_another_process_updates_the_index_then_indexes(qtbot, make_window, project):
    from desktop.core.paths import HearthPaths
    from tests.index.test_indexer import another_process_updating

    waiting = "Waiting for another Hearth process to finish updating the index"
    with another_process_updating(index_db_path(HearthPaths.from_env(), project.resolve())) as let_go:
        window = make_window(project, plugins=False)
        qtbot.waitUntil(lambda: window.index_status.text == waiting, timeout=10000)
        assert not window.index_status.cancel_button.isHidden()  # stopping the wait stays possible
        let_go()
        summary = wait_indexed(qtbot, window)
    assert summary is not None and summary.files_indexed == 3
    assert window.index_status.text.startswith("Index: 3 files")


def test_cancel_keeps_the_work_and_resume_finishes(qtbot, make_window, tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    for n in range(400):
        (root / f"module_{n}.py").write_text(f"def function_{n}(value):\n    return value + {n}\n", encoding="utf-8")
    window = make_window(root, plugins=False)  # cancel or pause while the update still runs
    window.cancel_indexing()
    qtbot.waitUntil(lambda: window._index_worker is None, timeout=20000)
    text = window.index_status.text
    if text.startswith("Index:"):
        pytest.skip("the index finished before the cancel arrived")
    assert text == "Indexing stopped (done so far is kept)"
    window.resume_indexing()
    summary = wait_indexed(qtbot, window)
    assert window.index_status.text.startswith("Index: 400 files")
    assert summary is None or summary.files_indexed == 400


def test_pause_then_resume(qtbot, make_window, tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    for n in range(400):
        (root / f"module_{n}.py").write_text(f"def function_{n}(value):\n    return value - {n}\n", encoding="utf-8")
    window = make_window(root, plugins=False)  # cancel or pause while the update still runs
    window.pause_indexing()
    qtbot.waitUntil(lambda: window._index_worker is None, timeout=20000)
    if window.index_status.text.startswith("Index:"):
        pytest.skip("the index finished before the pause arrived")
    assert window.index_status.is_paused and window.index_status.pause_button.text() == "Resume"
    qtbot.mouseClick(window.index_status.pause_button, Qt.MouseButton.LeftButton)
    wait_indexed(qtbot, window)
    assert window.index_status.text.startswith("Index: 400 files")


def test_skipped_view_lists_the_secret_env_file(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    window.actions_by_id["view.skipped"].trigger()
    qtbot.waitUntil(lambda: window.skipped_dialog is not None, timeout=5000)
    rows = window.skipped_dialog.rows()
    assert rows == [(".env", "may hold secrets (never indexed, never sent)")]
    window.skipped_dialog.close()


def test_skipped_dialog_with_nothing_skipped(qtbot):
    dialog = SkippedFilesDialog([])
    qtbot.addWidget(dialog)
    assert dialog.rows() == []
    dialog = SkippedFilesDialog([SkippedFile("big.bin", "binary", "a binary file")])
    qtbot.addWidget(dialog)
    assert dialog.rows() == [("big.bin", "binary file")]


def test_quick_open_with_ctrl_p(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    press(window, "Ctrl+P")
    qtbot.waitUntil(lambda: window.quick_open_dialog is not None, timeout=5000)
    dialog = window.quick_open_dialog
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert set(dialog.matches()) == {"src/app.py", "src/util.py", "README.md", ".env"}  # .env: left out, still openable
    qtbot.keyClicks(dialog.box, "utl")
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert dialog.matches() == ["src/util.py"]
    with qtbot.waitSignal(window.location_opened, timeout=10000) as opened:
        qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert opened.args[0] == project / "src" / "util.py"
    assert window.code_view.current_path == project / "src" / "util.py"


def test_quick_open_puts_the_files_opened_lately_first(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    for relative in ("README.md", "src/util.py"):
        open_file(qtbot, window, project / relative)
    press(window, "Ctrl+P")
    qtbot.waitUntil(lambda: window.quick_open_dialog is not None, timeout=5000)
    dialog = window.quick_open_dialog
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert dialog.matches()[:2] == ["src/util.py", "README.md"]  # the latest first
    qtbot.keyClicks(dialog.box, "p")  # a close call: app.py and util.py hold a "p" alike
    qtbot.waitUntil(lambda: dialog.settled and dialog.box.text() == "p", timeout=5000)
    assert dialog.matches()[0] == "src/util.py"
    dialog.close()


def test_quick_open_during_the_first_index_says_so_and_follows_it(qtbot, project):
    from desktop.core.paths import HearthPaths
    from desktop.index.indexer import ensure_index
    from desktop.index.store import index_db_path, open_reader
    from desktop.qt.worker import TaskRunner
    from desktop.ui.index_ui import QuickOpenDialog

    paths = HearthPaths.from_env()
    ensure_index(project, paths)  # what the index holds so far
    runner = TaskRunner()
    dialog = QuickOpenDialog(open_reader(index_db_path(paths, project)), "files", runner, building=True)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert "src/app.py" in dialog.matches()
    assert "still being built" in dialog.note.text()
    qtbot.keyClicks(dialog.box, "later")
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert dialog.matches() == []
    assert dialog.note.text().startswith("No file matches “later”.")
    (project / "src" / "later.py").write_text("LATE = 1\n", encoding="utf-8")
    ensure_index(project, paths)  # the update goes on and takes the new file in
    dialog.index_changed(building=False)
    qtbot.waitUntil(lambda: dialog.settled and dialog.matches() == ["src/later.py"], timeout=5000)
    assert dialog.note.text() == "" and dialog.note.isHidden()
    dialog.close()


def test_quick_open_shows_the_name_first_and_marks_the_matched_letters(qtbot, project):
    from PySide6.QtGui import QColor

    from desktop.assist.navigate import find_files, find_symbols
    from desktop.core.paths import HearthPaths
    from desktop.index.indexer import ensure_index
    from desktop.index.store import index_db_path, open_reader
    from desktop.qt.worker import TaskRunner
    from desktop.ui import theme
    from desktop.ui.index_ui import QuickOpenDialog, match_segments

    (project / "src" / "shapes.py").write_text("class Shape:\n    def double(self):\n        return 2\n")
    paths = HearthPaths.from_env()
    ensure_index(project, paths)
    dialog = QuickOpenDialog(open_reader(index_db_path(paths, project)), "files", TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.box, "ul")
    qtbot.waitUntil(lambda: dialog.settled and dialog.matches() == ["src/util.py"], timeout=5000)
    (match,) = find_files(dialog.conn, "ul")
    assert match_segments(match) == (("u", True, False), ("ti", False, False), ("l", True, False), (".py", False, False),
                                     ("  ", False, True), ("src", False, True))
    (member,) = find_symbols(dialog.conn, "Sh.dbl")  # as the list shows a member: its class letters too
    assert [text for text, matched, _dim in match_segments(member) if matched] == ["d", "bl", "Sh"]
    dialog.list.clearSelection()  # a selected row is drawn in the selection's colours
    dialog.list.setCurrentRow(-1)
    accent = theme.accent_text(dialog.list.palette())
    image = dialog.list.viewport().grab().toImage()
    marked = [QColor(image.pixel(x, y)) for x in range(0, min(image.width(), 120)) for y in range(0, 20)]
    assert any(_near(colour, accent) for colour in marked)  # the matched letters, in the accent colour
    dialog.close()


def _near(colour, other, tolerance: int = 60) -> bool:
    return abs(colour.red() - other.red()) + abs(colour.green() - other.green()) + abs(colour.blue() - other.blue()) < tolerance


def test_a_link_leading_outside_says_why_it_does_not_open(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    (project / "elsewhere").symlink_to(project.parent)
    window.open_location("elsewhere")
    assert window.statusBar().currentMessage() == "elsewhere leads outside the project; Hearth does not open it."


def test_go_to_symbol_with_ctrl_t(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    press(window, "Ctrl+T")
    qtbot.waitUntil(lambda: window.quick_open_dialog is not None, timeout=5000)
    dialog = window.quick_open_dialog
    qtbot.keyClicks(dialog.box, "hlptwo")
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert dialog.matches() == ["helper_two  (function)  src/util.py:5"]
    with qtbot.waitSignal(window.location_opened, timeout=10000):
        qtbot.keyClick(dialog.box, Qt.Key.Key_Return)
    assert window.code_view.current_path == project / "src" / "util.py"
    assert window.code_view.current_line() == 5


def test_saved_file_reaches_the_index(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    updates: list[LiveUpdate] = []
    window.index_updated.connect(lambda result: updates.append(result) if isinstance(result, LiveUpdate) else None)
    (project / "src" / "extra.py").write_text("def brand_new_function():\n    return 1\n", encoding="utf-8")
    qtbot.waitUntil(lambda: any("src/extra.py" in u.paths for u in updates), timeout=15000)
    window.go_to_symbol()
    dialog = window.quick_open_dialog
    qtbot.keyClicks(dialog.box, "brand_new")
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert dialog.matches() == ["brand_new_function  (function)  src/extra.py:1"]
    dialog.close()


def test_the_chat_search_view_is_ready_before_the_first_question_and_after_a_save(qtbot, make_window, project):
    window = make_window(project, plugins=False)
    wait_indexed(qtbot, window)

    def warm() -> bool:
        index = window.chat_service._index if window.chat_service is not None else None
        return index is not None and index._graph is not None and index._generation == index.reader.generation()

    qtbot.waitUntil(warm, timeout=10000)  # no question asked: the update warmed it
    (project / "src" / "extra.py").write_text("def brand_new_function():\n    return 1\n", encoding="utf-8")
    qtbot.waitUntil(lambda: window.chat_service._index.file_id("src/extra.py") is not None, timeout=15000)
    # Sampled once, this could catch the worker between reading the new file and taking
    # in the generation (seen once under a loaded CI run): wait for the warm-up to end.
    qtbot.waitUntil(warm, timeout=10000)


def test_opening_a_file_readies_what_a_question_asked_from_it_needs(qtbot, make_window, project, monkeypatch):
    from desktop.assist.context import ChatFocus
    from desktop.core.cancel import CancelToken
    from desktop.core.chat import ChatOptions
    from desktop.index import retrieval

    window = make_window(project, plugins=False)
    wait_indexed(qtbot, window)
    pushes: list[dict] = []
    push = retrieval.personalized_rank
    monkeypatch.setattr(retrieval, "personalized_rank", lambda seeds, edges: pushes.append(dict(seeds)) or push(seeds, edges))
    open_file(qtbot, window, project / "src" / "util.py")
    view = lambda: window.chat_service._index  # noqa: E731
    # What a question from util.py seeds; the chat opens its view of the index on the
    # worker, so it may not be there yet when the wait below first looks.
    from_util = lambda: view() is not None and {view().file_id("src/util.py"): 1.0}  # noqa: E731
    qtbot.waitUntil(lambda: from_util() in pushes, timeout=10000)  # worked out on the worker, unasked
    qtbot.waitUntil(lambda: window._warm_worker is None, timeout=10000)
    pushes.clear()
    window.chat_service.plan([], "What doubles a number?", "m", ChatOptions(num_ctx=4096), CancelToken(),
                             ChatFocus("src/util.py", cursor_line=1))
    assert from_util() not in pushes  # the question found it ready


def test_the_search_warm_up_is_not_walked_by_the_cycle_collector(qtbot, make_window, project, tmp_path,
                                                                 monkeypatch):
    # A full collection holds the interpreter lock while it walks every object, the GUI
    # thread waiting: on 100,000 files the warm-up's caches made each of its full
    # collections a 100-200 ms stall. The warm-up runs without them, and what it built
    # is left out of later ones until the project closes.
    window = make_window(project, plugins=False)
    collecting: list[bool] = []
    warm_up = type(window.chat_service).warm_up

    def observed(service, current_file=None) -> None:  # noqa: ANN001 - the ChatService
        collecting.append(gc.isenabled())
        warm_up(service, current_file)

    monkeypatch.setattr(type(window.chat_service), "warm_up", observed)
    wait_indexed(qtbot, window)
    qtbot.waitUntil(lambda: bool(collecting) and window._warm_worker is None, timeout=10000)
    assert collecting[0] is False and gc.isenabled()
    index = window.chat_service._index
    assert index is not None and gc.get_freeze_count() > 0
    assert not any(found is index for found in gc.get_objects())  # frozen: full collections skip it
    service = window.chat_service
    released: list[bool] = []  # the closed project's objects go back to the collector
    monkeypatch.setattr(main_window, "release_long_lived", lambda: released.append(service._index is None))
    other = tmp_path / "other"
    other.mkdir()
    window.open_project(other)
    qtbot.waitUntil(lambda: bool(released), timeout=5000)
    assert released == [True]  # after the view was closed


def test_the_modules_a_project_needs_are_left_out_of_collections(qtbot, make_window, project):
    # Loaded on the worker with the ignore rules, they stay for good: walking them made
    # each full collection during a 100,000-file index ~100 ms that every thread waited.
    gc.unfreeze()
    frozen_when_open: list[int] = []
    window = make_window(plugins=False)
    window.project_opened.connect(lambda _root: frozen_when_open.append(gc.get_freeze_count()))
    window.open_project(project)
    qtbot.waitUntil(lambda: bool(frozen_when_open), timeout=10000)
    assert frozen_when_open[0] > 0 and gc.isenabled()  # before any warm-up could run


def test_live_updates_go_on_when_a_worker_ends_before_run_returns(qtbot, make_window, project, monkeypatch):
    # A small batch can be applied before runner.run() returns; its "finished" was lost
    # when the window connected to it only afterwards, and no later change was applied.
    window = make_window(project, plugins=False)
    wait_indexed(qtbot, window)
    start = Worker.start

    def start_and_finish(worker: Worker) -> None:
        start(worker)
        worker.wait(5)

    monkeypatch.setattr(Worker, "start", start_and_finish)
    applied: list[str] = []
    window.index_updated.connect(lambda result: applied.extend(result.paths) if isinstance(result, LiveUpdate) else None)
    for name in ("first.py", "second.py"):
        (project / "src" / name).write_text(f"def made_in_{name[:-3]}():\n    return 1\n", encoding="utf-8")
        qtbot.waitUntil(lambda: f"src/{name}" in applied, timeout=15000)


def test_changes_whose_events_were_lost_reach_the_open_file_and_the_index(qtbot, make_window, project):
    window = make_window(project, plugins=False)
    wait_indexed(qtbot, window)
    source, late = project / "src" / "app.py", project / "src" / "late_module.py"
    open_file(qtbot, window, source)
    overflow_inotify(project / "src", then_write=[source, late])  # both written while inotify's queue is full
    qtbot.waitUntil(lambda: window.code_view.text.startswith("def app():"), timeout=15000)
    reader = IndexReader(open_reader(index_db_path(window.services.paths, project)))
    qtbot.waitUntil(lambda: bool(reader.symbols_named("late_module") and reader.symbols_named("app")), timeout=15000)


def test_typing_never_waits_for_a_slow_lookup(qtbot, make_window, project, monkeypatch):
    """A lookup over a huge index runs on the worker: keys keep arriving while it runs,
    and when it ends only the newest pattern is looked up (not one per key)."""
    window, dialog, release, patterns = _finder_with_held_lookups(qtbot, make_window, project, monkeypatch, "symbols")
    qtbot.keyClicks(dialog.box, "hlptwo")  # returns while the first lookup still waits
    assert dialog.box.text() == "hlptwo" and not dialog.settled
    release.set()
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)
    assert patterns == ["", "hlptwo"]
    assert dialog.matches() == ["helper_two  (function)  src/util.py:5"]
    dialog.close()


def _finder_with_held_lookups(qtbot, make_window, project, monkeypatch, mode: str):  # noqa: ANN202
    """A window over the indexed ``project`` with quick open (``mode`` "files") or go to
    symbol ("symbols") open, whose lookups wait until the returned event is set:
    (window, dialog, the event, the patterns looked up so far)."""
    import threading

    from desktop.assist import navigate

    name = "find_files" if mode == "files" else "find_symbols"
    release = threading.Event()
    patterns: list[str] = []
    real = getattr(navigate, name)

    def held(conn, pattern, limit=50, **options):  # noqa: ANN001, ANN003, ANN202
        patterns.append(pattern)
        release.wait(10)
        return real(conn, pattern, limit, **options)

    monkeypatch.setattr(navigate, name, held)
    window = make_window(project)
    wait_indexed(qtbot, window)
    if mode == "files":
        window.quick_open()
    else:
        window.go_to_symbol()
    return window, window.quick_open_dialog, release, patterns


def _connection_closed(conn) -> bool:  # noqa: ANN001
    import sqlite3

    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_enter_while_a_lookup_runs_opens_the_match_for_what_was_typed(qtbot, make_window, project, monkeypatch):
    window, dialog, release, _patterns = _finder_with_held_lookups(qtbot, make_window, project, monkeypatch, "files")
    release.set()
    qtbot.waitUntil(lambda: dialog.settled, timeout=5000)  # the full list is shown
    release.clear()
    qtbot.keyClicks(dialog.box, "utl")
    with qtbot.waitSignal(dialog.chosen, timeout=5000) as chosen:
        qtbot.keyClick(dialog.box, Qt.Key.Key_Return)  # before the lookup for "utl" answers
        release.set()
    assert chosen.args == ["src/util.py", 0, 0]


def test_closing_during_a_lookup_still_closes_the_index_connection(qtbot, make_window, project, monkeypatch):
    window, dialog, release, _patterns = _finder_with_held_lookups(qtbot, make_window, project, monkeypatch, "symbols")
    conn = dialog.conn
    dialog.reject()  # the dialog is deleted on close while its lookup still waits
    qtbot.wait(50)
    assert not _connection_closed(conn)  # still open: the lookup uses it
    release.set()
    qtbot.waitUntil(lambda: _connection_closed(conn), timeout=5000)


def test_a_dialog_deleted_without_closing_while_a_lookup_runs_is_safe(qtbot, make_window, project, monkeypatch):
    """Deleted with its window at quit, the dialog never says 'finished': the lookup's
    end must neither touch the deleted widgets nor leave the connection open."""
    window, dialog, release, _patterns = _finder_with_held_lookups(qtbot, make_window, project, monkeypatch, "symbols")
    conn = dialog.conn
    qtbot.keyClicks(dialog.box, "hlp")  # waits behind the first lookup
    dialog.deleteLater()
    qtbot.waitUntil(lambda: window.quick_open_dialog is None, timeout=5000)  # set on 'destroyed'
    release.set()
    qtbot.waitUntil(lambda: _connection_closed(conn), timeout=5000)  # and no error raised in the event loop


def _click_link(qtbot, transcript, href: str) -> None:
    """Click the transcript where the link ``href`` is shown."""
    document = transcript.document()
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().anchorHref() == href:
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                transcript.ensureCursorVisible()
                transcript.setTextCursor(cursor)
                transcript.ensureCursorVisible()
                point = transcript.cursorRect(cursor).center()
                qtbot.mouseClick(transcript.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(point.x(), point.y()))
                return
            iterator += 1
        block = block.next()
    raise AssertionError(f"no link {href} in the transcript")


def test_answer_shows_chips_that_open_the_code_view(qtbot, make_window, project, fake_ollama):
    fake_ollama.answer = "helper_two doubles its argument."
    window = make_window(project, host=fake_ollama.host)
    wait_indexed(qtbot, window)
    window.resize(1300, 800)
    window.show()
    qtbot.waitExposed(window)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: bool(panel.current_model), timeout=10000)
    with qtbot.waitSignal(panel.answer_finished, timeout=15000):
        panel.send_question("Which helper doubles a number?")
    view = panel.transcript.views[-1]
    assert isinstance(view.context, ContextPlan)
    item = next(i for i in view.context.items if i.symbol == "helper_two")
    text = panel.transcript.plain_text()
    assert f"util.py:{item.start_line}–{item.end_line} helper_two" in text.replace("\xa0", " ")
    assert f"{view.context.used_tokens:,} of {view.context.budget_tokens:,} tokens" in text
    href = f"hearth-open:src/util.py?symbol=helper_two#L{item.start_line}-{item.end_line}"
    with qtbot.waitSignal(window.location_opened, timeout=10000) as opened:
        _click_link(qtbot, panel.transcript, href)
    assert opened.args == [project / "src" / "util.py", item.start_line]
    assert window.code_view.current_path == project / "src" / "util.py"
    assert window.code_view.current_line() == item.start_line
    # a reopened chat shows the same chips, from the record
    panel._open_conversation(panel.conversation_id)
    assert panel.transcript.views[-1].context == view.context


def test_trimmed_turns_are_noted_under_the_answer(qtbot):
    from desktop.ui.chat.transcript import Transcript

    transcript = Transcript()
    qtbot.addWidget(transcript)
    plan = ContextPlan((ContextItem("a/b.py", 3, 9, "run", "function", 120, "retrieved"),
                        ContextItem("", 0, 0, None, "map", 80, "map")), 3120, 6000, 2)
    transcript.set_messages([StoredMessage.draft("user", "q"), StoredMessage.draft("assistant", "a", context=plan)])
    text = transcript.plain_text().replace("\xa0", " ")
    assert "b.py:3–9 run" in text and "project outline" in text
    assert "3,120 of 6,000 tokens · 2 earlier turns left out to fit" in text
    assert 'href="hearth-open:a/b.py?symbol=run#L3-9"' in transcript.toHtml()


def test_a_full_disk_is_said_in_the_status_bar_and_retry_catches_up(qtbot, make_window, project):
    from desktop.index.store import IndexReader, open_reader

    window = make_window(project, plugins=False)
    wait_indexed(qtbot, window)
    # SQLite's page limit gives the SQLITE_FULL error of a full disk (the writer's
    # connection is a private detail of the indexer).
    conn = window._indexer._open_store().conn
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    (project / "src" / "big.py").write_text(
        "".join(f"def handler_{n}(event):\n    return event + {n}\n\n\n" for n in range(3000)), encoding="utf-8"
    )
    window.resume_indexing()  # a full update, as when the project is opened again
    status = window.index_status
    qtbot.waitUntil(lambda: status.pause_button.text() == "Retry", timeout=20000)
    assert status.text.startswith("Index: Could not save the project index")
    assert status.text.endswith("the disk is full.")
    window.show()
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: status.label.width() > 300, timeout=5000)
    shown = status.label.shown_text()  # a long path is cut in the middle, both ends stay
    assert shown.startswith("Index: Co") and shown.endswith("full.") and ("…" in shown or shown == status.text)
    assert "Free some disk space" in status.label.toolTip()
    assert not status.pause_button.isHidden() and not status.skipped_button.isHidden()

    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    qtbot.mouseClick(status.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: status.text.startswith("Index: 4 files"), timeout=20000)
    assert status.pause_button.isHidden()
    reader = IndexReader(open_reader(window._indexer.db_path))
    assert reader.symbols_named("handler_2999")


def test_a_live_update_that_cannot_be_saved_offers_retry_and_a_later_one_clears_it(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    status = window.index_status
    conn = window._indexer._open_store().conn  # a private detail: SQLite's page limit as a full disk
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    qtbot.wait(300)  # let the watcher settle before the change
    (project / "src" / "big.py").write_text(
        "".join(f"def handler_{n}(event):\n    return event + {n}\n\n\n" for n in range(3000)), encoding="utf-8"
    )
    qtbot.waitUntil(lambda: status.is_failed, timeout=20000)
    assert status.pause_button.text() == "Retry" and "the disk is full" in status.label.toolTip()

    conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
    (project / "src" / "small.py").write_text("def tiny_helper():\n    return 1\n", encoding="utf-8")
    qtbot.waitUntil(lambda: not status.is_failed, timeout=20000)
    assert status.text.startswith("Index: ") and status.pause_button.isHidden()


def test_the_skipped_view_keeps_every_column_in_sight_and_counts_in_words(qtbot):
    deep = "src/" + "/".join(f"level_{n}_with_a_long_folder_name" for n in range(8)) + "/blob.bin"
    dialog = SkippedFilesDialog([SkippedFile(deep, "binary", "not a text file")], building=True)
    qtbot.addWidget(dialog)
    dialog.show()
    table = dialog.table
    assert table.columnWidth(0) + table.columnWidth(1) < table.viewport().width()  # the detail stays in view
    assert dialog.intro.text().startswith("1 file is not in the index.")
    assert "still being built" in dialog.intro.text()
    assert table.model().index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == deep


class _CountedSkips(Sequence):
    """``count`` skipped files, made when asked for, remembering which rows were read."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.read: set[int] = set()

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, row):  # noqa: ANN001, ANN204 - int or slice, as Sequence
        if isinstance(row, slice):
            return [self[n] for n in range(*row.indices(self.count))]
        if not 0 <= row < self.count:
            raise IndexError(row)
        self.read.add(row)
        return SkippedFile(f"assets/b{row // 1000:03d}/blob_{row}.dat", "binary", "not a text file")


def test_the_skipped_view_reads_only_the_rows_it_shows(qtbot):
    # 50,000 skipped files once made 150,000 table items on the GUI thread (0.7 s
    # with nothing drawn); the view asks for a row when it shows it.
    skipped = _CountedSkips(50_000)
    dialog = SkippedFilesDialog(skipped)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.intro.text().startswith("50,000 files are not in the index.")
    assert dialog.table.model().rowCount() == 50_000
    assert 0 < len(skipped.read) < 1_000
    last = dialog.table.model().index(49_999, 1)
    assert last.data() == "binary file" and 49_999 in skipped.read


def test_a_narrow_window_shortens_status_bar_labels_instead_of_overlapping_them(qtbot, make_window, project):
    window = make_window(project)
    wait_indexed(qtbot, window)
    window.show()
    window.index_status.show_progress(IndexProgress("indexing", 1204, 3890, 412.0, 6.5, "Lib/a/b.py"))
    window.resize(420, 500)  # as narrow as the window goes
    qtbot.waitUntil(lambda: window.statusBar().width() == window.width() < 500, timeout=5000)
    bar = window.statusBar()
    status = window.index_status
    widgets = [w for w in (window.project_label, status.label, status.pause_button, status.cancel_button,
                           window.server_label, window.model_label) if not w.isHidden() and w.width() > 0]
    assert len(widgets) == 6
    spans = sorted((w.mapTo(bar, QPoint(0, 0)).x(), w.mapTo(bar, QPoint(w.width(), 0)).x()) for w in widgets)
    assert all(left_end <= right_start for (_, left_end), (right_start, _) in zip(spans, spans[1:]))
    assert spans[-1][1] <= bar.width()


def test_chips_tell_same_named_files_apart_and_shorten_long_names():
    from desktop.ui.chat.transcript import chip_labels

    items = (
        ContextItem("src/util.py", 3, 9, "helper_two", "function", 120, "retrieved"),
        ContextItem("docs/util.py", 1, 4, None, "code", 40, "retrieved"),
        ContextItem("a/pkg/core.py", 5, 5, "x", "function", 10, "retrieved"),
        ContextItem("b/pkg/core.py", 7, 8, "deeply_nested_helper_with_a_very_long_name", "function", 10, "retrieved"),
        ContextItem("src/app.py", 1, 2, "main", "function", 10, "retrieved"),
        ContextItem("", 0, 0, None, "map", 80, "map"),
    )
    assert chip_labels(items) == [
        "src/util.py:3–9 helper_two", "docs/util.py:1–4", "a/pkg/core.py:5 x",
        "b/pkg/core.py:7–8 deeply_nested_h…_very_long_name", "app.py:1–2 main", "project outline",
    ]


def test_the_index_summary_counts_in_the_singular_too():
    def summary(files: int, symbols: int, skipped: int) -> IndexSummary:
        return IndexSummary(files, {"binary": skipped} if skipped else {}, symbols, 0, 0.0, 0, 0)

    assert summary_text(summary(3, 1, 0)) == "Index: 3 files · 1 symbol"
    assert summary_text(summary(1, 0, 0)) == "Index: 1 file · 0 symbols"
    assert summary_text(summary(1_204, 9_876, 31)) == "Index: 1,204 files · 9,876 symbols · 31 skipped"


def test_a_folder_cut_to_fit_keeps_its_matched_letters():
    from desktop.ui.index_ui import ELLIPSIS, elide_runs_middle

    def measure(text: str, matched: bool) -> int:  # bold letters are wider, as on screen
        return len(text) * (12 if matched else 10)

    runs = [("  ", False, True), ("lib", True, True), ("/python3/site/", False, True), ("pkg", True, True)]
    assert elide_runs_middle(runs, 1000, measure) == runs  # it fits: nothing is cut
    cut = elide_runs_middle(runs, 150, measure)
    assert sum(measure(text, matched) for text, matched, _dim in cut) <= 150
    assert [text for text, matched, _dim in cut if matched] == ["lib", "pkg"]  # both ends keep their marks
    assert ELLIPSIS in "".join(text for text, _m, _d in cut)
    assert all(dim for _t, _m, dim in cut)
    assert "".join(text for text, _m, _d in cut).startswith("  lib")
    tiny = elide_runs_middle(runs, 10, measure)
    assert tiny == [(ELLIPSIS, False, True)]
