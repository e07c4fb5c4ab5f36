"""The main window: project tree | code view | chat, menus built from the command table.

The window adapts services it is given (see ``desktop.app``); it keeps no state of
record. Slow work — reading ignore rules, watching the folder, checking or starting the
server — runs on the one ``TaskRunner``.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QSplitter, QStatusBar, QVBoxLayout, QWidget

from desktop.core.errors import HearthError, SettingsError
from desktop.core.paths import HearthPaths, project_key
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.base import Engine
from desktop.engine.hosts import resolve_host, sends_code_in_clear
from desktop.qt.worker import TaskRunner, Worker, building_long_lived, release_long_lived
from desktop.ui.app_state import AppState
from desktop.ui.chat.chat_panel import ChatPanel
from desktop.ui.code_actions import CodeActions
from desktop.ui.code_view import CodeView, lines_text
from desktop.ui.commands import CODE_MENU, COMMANDS, MENUS, Command
from desktop.ui.index_ui import ElidedLabel, IndexStatus, QuickOpenDialog, SkippedFilesDialog
from desktop.ui.project_tree import ProjectTree
from desktop.ui.server_banner import ServerBanner


# Dialogs and Qt classes used only on demand are imported where used: each PySide class
# costs its first import (its enums are built then), and start-up should not pay for them.
if TYPE_CHECKING:  # imported lazily at run time, to keep start-up lean
    from PySide6.QtGui import QCloseEvent

    from desktop.assist.navigate import Place

    from desktop.core.chat import ChatOptions
    from desktop.ui.settings_dialog import SettingsDialog
    from desktop.assist.chat_service import ChatService
    from desktop.assist.conversations import ConversationStore
    from desktop.engine.base import ServerInfo
    from desktop.engine.lifecycle import ServerDiagnosis
    from desktop.assist.context import ChatFocus
    from desktop.index.ignore import IgnoreRules
    from desktop.index.indexer import Indexer, IndexProgress
    from desktop.plugins.loader import PluginSet

log = logging.getLogger(__name__)

MIN_POINT_SIZE = 6
MAX_POINT_SIZE = 40
STATUS_LABEL_MIN_WIDTH = 48  # px a status-bar label keeps when the window is narrow
EngineFactory = Callable[[Settings, "str | None"], Engine]


@dataclass(frozen=True)
class WindowServices:
    """What the composition root hands the window."""

    paths: HearthPaths
    settings_store: SettingsStore
    secrets: SecretStore
    store: ConversationStore
    runner: TaskRunner
    app_state: AppState
    make_engine: EngineFactory  # (settings, --host flag) -> engine
    host_flag: str | None = None


class _HiddenUnderMessages(QObject):
    """Keeps a normal status-bar widget hidden while a message is shown.

    QStatusBar hides such widgets when a message comes, but only those visible then, and
    re-laying itself out (its first show, a change of height) shows them again: a message
    posted before the window first showed was drawn over the project label."""

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self._bar = bar

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Show and self._bar.currentMessage():
            QTimer.singleShot(0, lambda: self._hide(watched))
        return False

    def _hide(self, widget: QObject) -> None:
        if self._bar.currentMessage() and isinstance(widget, QWidget):
            widget.hide()
            # As QStatusBar marks what it hid, so that the message's end shows it again.
            widget.setAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide, False)


def moved_text(symbol: str, was: Place, now: Place) -> str:
    """What the status bar says when a chip's definition is found elsewhere than it was."""
    if now.path == was.path:
        return (f"{symbol} moved since: showing it at {lines_text(now.start_line, now.end_line)}"
                f" of {now.path} (it was at {lines_text(was.start_line, was.end_line)}).")
    return (f"{was.path} no longer holds {symbol}: showing it in {now.path}, "
            f"{lines_text(now.start_line, now.end_line)}.")


def shorter_file_text(relative: str, count: int, start: int, end: int) -> str:
    """What the status bar says when a place asked for runs past the end of its file."""
    end = max(start, end)
    return (f"{relative} changed since: it now has {count:,} line{'s' if count != 1 else ''}, "
            f"so {lines_text(start, end)} {'is' if start == end else 'are'} not all there. "
            f"Showing line {min(start, count)}.")


def editor_command(template: str, path: Path, line: int) -> list[str]:
    """Words of the external editor command with ``{path}``/``{line}`` filled in.

    Without a ``{path}`` placeholder the path is appended, so ``subl`` works as is.
    """
    words = shlex.split(template)
    if not words:
        raise ValueError("The external editor command is empty.")
    has_path = any("{path}" in word for word in words)
    filled = [word.replace("{path}", str(path)).replace("{line}", str(line)) for word in words]
    return filled if has_path else filled + [str(path)]


class MainWindow(QMainWindow):
    """Hearth's one window."""

    project_opened = Signal(object)  # Path, once tree, watcher and chat are ready
    server_checked = Signal(object)  # the ServerDiagnosis shown
    server_started = Signal(object)  # ServerInfo after "Start Ollama" succeeded
    problem_shown = Signal(str)  # text of any problem shown to the user
    index_updated = Signal(object)  # IndexSummary after a full update, LiveUpdate after a live one
    location_opened = Signal(object, int)  # Path, line: the code view shows a chip's or match's place
    plugins_loaded = Signal(object)  # the PluginSet, once its actions are in the menus

    def __init__(self, services: WindowServices, settings: Settings, engine: Engine,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Hearth")
        self.services = services
        self.settings = settings
        self.engine = engine
        self.project: Path | None = None
        self.chat_service: ChatService | None = None
        self.diagnosis: ServerDiagnosis | None = None
        self._rules: IgnoreRules | None = None
        self._project_workers: list[Worker] = []
        self._indexer: Indexer | None = None
        self._index_worker: Worker | None = None
        self._warm_worker: Worker | None = None
        self._warm_again = False
        self._index_paused = False
        self._live_pending: list = []  # watcher changes waiting for the index
        self._live_worker: Worker | None = None
        self._pending_location: tuple[Path, int, int] | None = None  # path, first and last line
        self.skipped_dialog: SkippedFilesDialog | None = None
        self.quick_open_dialog: QuickOpenDialog | None = None
        self._system_point_size = QApplication.font().pointSizeF()
        # Injectable so tests and scripts never block on a modal dialog.
        self.confirm_plain_http: Callable[[str], bool] = self._ask_plain_http
        self.ask_folder: Callable[[], Path | None] = self._ask_folder
        self.ask_line: Callable[[int, int], int | None] = self._ask_line
        self.report_problem: Callable[[str, str], None] = self._message_box
        self.settings_dialog: SettingsDialog | None = None
        self.models_dialog: object | None = None  # desktop.ui.models.ModelsDialog, kept while pulls run
        self.hardware_budget: object | None = None  # desktop.engine.memory.HardwareBudget once probed
        self._build_widgets()
        self._build_status_bar()
        self.actions_by_id = self._build_menus()
        self._restore_state()
        self._apply_font_size(settings.font_size)
        self._configure_chat()

    # --- construction --------------------------------------------------------------

    def _build_widgets(self) -> None:
        runner = self.services.runner
        self.tree = ProjectTree(self)
        self.tree.file_activated.connect(self.open_file)
        self.tree.context_menu_requested.connect(
            lambda path, folder, where: self.code_actions.tree_context_menu(path, folder).popup(where))
        self.code_view = CodeView(runner, self)
        self.code_view.load_failed.connect(self._on_file_failed)
        self.code_view.file_loaded.connect(self._on_file_loaded)
        self.code_view.context_menu_requested.connect(lambda where: self.code_actions.code_context_menu().popup(where))
        self.banner = ServerBanner(self)
        self.banner.start_requested.connect(self.start_ollama)
        self.banner.retry_requested.connect(self.check_server)
        self.chat_panel = ChatPanel(runner, self.services.store, self)
        right = QWidget(self)
        right.setObjectName("chatColumn")
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.chat_panel, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        for widget in (self.tree, self.code_view, right):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)
        QWidget.setTabOrder(self.tree, self.code_view.editor)

    def _build_status_bar(self) -> None:
        # Each label gives up width rather than overlap its neighbours in a narrow window.
        self.project_label = ElidedLabel(self)
        self.project_label.setText("No project open")
        self.project_label.setObjectName("projectStatus")
        self.project_label.setAccessibleName("Project folder")
        self.server_label = ElidedLabel(self)
        self.server_label.setText(self.engine.host)
        self.server_label.setObjectName("serverStatus")
        self.server_label.setAccessibleName("Model server")
        self.model_label = ElidedLabel(self)
        self.model_label.setObjectName("modelStatus")
        self.model_label.setAccessibleName("Model")
        for label in (self.project_label, self.server_label, self.model_label):
            label.setMinimumWidth(STATUS_LABEL_MIN_WIDTH)
        self.index_status = IndexStatus(self)
        self.index_updated.connect(lambda _result: self._warm_search())
        self.index_status.pause_requested.connect(self.pause_indexing)
        self.index_status.resume_requested.connect(self.resume_indexing)
        self.index_status.cancel_requested.connect(self.cancel_indexing)
        self.index_status.skipped_requested.connect(self.show_skipped)
        bar = self.statusBar()
        bar.addWidget(self.project_label, 1)
        self.project_label.installEventFilter(_HiddenUnderMessages(bar))
        bar.addPermanentWidget(self.index_status)
        bar.addPermanentWidget(self.server_label)
        bar.addPermanentWidget(self.model_label)

    def _build_menus(self) -> dict[str, QAction]:
        menus = {title: self.menuBar().addMenu(title) for title in MENUS}
        actions: dict[str, QAction] = {}
        self.code_actions = CodeActions(self, menus[CODE_MENU])  # built-in actions now, plugins' later
        for entry in COMMANDS:
            menu = menus[entry.menu]
            if entry.separator_before:
                menu.addSeparator()
            if entry.id == "file.recent":
                self.recent_menu = QMenu(entry.title, self)
                self.recent_menu.setObjectName("recentMenu")
                menu.addMenu(self.recent_menu)
                continue
            actions[entry.id] = self._action(entry)
            menu.addAction(actions[entry.id])
        self._rebuild_recent_menu()
        return actions

    def _action(self, entry: Command) -> QAction:
        action = QAction(entry.title, self)
        action.setObjectName(entry.id)
        action.setShortcuts([QKeySequence(keys) for keys in entry.shortcuts])
        action.setStatusTip(entry.tip)
        action.setToolTip(entry.tip or entry.title.replace("&", ""))
        handler = getattr(self.chat_panel if entry.target == "chat" else self, entry.handler)
        action.triggered.connect(lambda _checked=False, run=handler: run())
        if entry.target == "chat":
            # The chat panel binds its commands' keys itself; the window's action listens
            # in the tree and the code view, so the key works everywhere exactly once.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.tree.addAction(action)
            self.code_view.addAction(action)
        else:
            self.addAction(action)  # shortcuts work even while the menu bar is hidden
        return action

    def _restore_state(self) -> None:
        state = self.services.app_state
        geometry = state.bytes_value("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)
        splitter = state.bytes_value("window/splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([240, 560, 580])

    def _configure_chat(self) -> None:
        panel = self.chat_panel
        panel.before_send = self.allow_send
        panel.focus_provider = self._chat_focus
        panel.location_requested.connect(self.open_location)
        panel.apply_requested.connect(self.code_actions.apply_code_block)
        panel.model_changed.connect(self._on_model_changed)
        panel.set_options(self.chat_options(), self.settings.chat_model)
        QWidget.setTabOrder(self.code_view.editor, panel)

    def chat_options(self, model: str | None = None) -> ChatOptions:
        """What chats with ``model`` send (default: the chat's current model): its own
        context length and temperature if set in the Models dialog, else the global ones."""
        return self.settings.options_for(self.chat_panel.current_model if model is None else model)

    # --- projects --------------------------------------------------------------------

    def open_folder_dialog(self) -> None:
        folder = self.ask_folder()
        if folder is not None:
            self.open_project(folder)

    def _ask_folder(self) -> Path | None:
        from PySide6.QtWidgets import QFileDialog

        start = str(self.project.parent) if self.project else str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Open Project Folder", start)
        return Path(chosen) if chosen else None

    def open_project(self, folder: Path) -> bool:
        """Show ``folder``: tree, watcher and chat follow once its ignore rules are read."""
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            self.report_problem("Can't open the project", f"{folder} is not a folder, or it no longer exists.")
            self._rebuild_recent_menu()
            return False
        root = folder.resolve()
        self._stop_project_tasks()
        self._close_chat_service()
        self.project = root
        self.code_view.clear()
        self.setWindowTitle(f"{root.name} — Hearth")
        self.project_label.setText(str(root))
        self.services.app_state.add_recent_project(root)
        self._rebuild_recent_menu()
        self._project_workers.append(self.services.runner.run(
            lambda token: [_load_rules(root)],
            name="ignore-rules",
            on_item=lambda rules: self._on_rules(root, rules),
            on_error=lambda error: self._show_problem("Can't read the project's ignore rules", error),
        ))
        return True

    def _on_rules(self, root: Path, rules: IgnoreRules) -> None:
        if root != self.project:
            return
        self._rules = rules
        self.tree.set_project(root, rules)
        self._start_watcher(root, rules)
        self._start_index(root, rules)
        self._start_chat(root, rules)
        self.code_actions.open_project(root)
        self.project_opened.emit(root)

    def _close_chat_service(self) -> None:
        """Let go of the last project's chat service, closing its index (and the search
        partner process) on the worker, as stopping a process may take a moment."""
        service, self.chat_service = self.chat_service, None
        if service is not None:
            self.services.runner.run(lambda token: [_close_search(service)], name="close-chat-index")

    def _start_chat(self, root: Path, rules: IgnoreRules) -> None:
        from desktop.assist.chat_service import ChatService
        from desktop.assist.context import CALIBRATION_FILE, TokenCalibration
        from desktop.index.store import index_db_path

        paths = self.services.paths
        self.chat_service = ChatService(self.services.store, root, self.engine, rules,
                                        index_db=index_db_path(paths, root),
                                        calibration=TokenCalibration(paths.data_dir / CALIBRATION_FILE),
                                        hooks=self.code_actions.hooks)
        self.chat_panel.set_project(project_key(root), self.chat_service)

    def _start_watcher(self, root: Path, rules: IgnoreRules) -> None:
        def watch(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.index.watcher import watch_project

            return watch_project(root, rules, token)

        self._project_workers.append(self.services.runner.run(
            watch,
            name="watch-project",
            on_item=self._on_changes,
            on_error=lambda error: self.statusBar().showMessage(
                f"Hearth stopped watching the folder for changes: {error.message}", 10000),
        ))

    def _stop_project_tasks(self) -> None:
        for worker in self._project_workers:
            worker.cancel()
        self._project_workers = []
        self._stop_index()

    # --- the project index -----------------------------------------------------------

    def _start_index(self, root: Path, rules: IgnoreRules) -> None:
        from desktop.index.indexer import Indexer

        self._indexer = Indexer(root, self.services.paths, rules=rules)
        self._index_paused = False
        self._run_index_update()

    def _run_index_update(self) -> None:
        indexer = self._indexer
        if indexer is None or self._index_worker is not None:
            return
        self._index_paused = False
        self._index_worker = self.services.runner.run(
            lambda token: indexer.update(token),
            name="index-project",
            on_item=lambda progress: self._on_index_progress(indexer, progress),
            on_error=lambda error: self._on_index_ended(indexer, error=error),
            on_cancelled=lambda: self._on_index_ended(indexer),
            # given to run(), not connected after: a quick worker may finish before that
            on_finished=lambda: self._forget_index_worker(indexer),
        )

    def _on_index_progress(self, indexer: Indexer, progress: IndexProgress) -> None:
        if indexer is not self._indexer:
            return
        if progress.phase == "done":
            self.index_status.show_done(indexer.summary)
            self.index_updated.emit(indexer.summary)
        else:
            self.index_status.show_progress(progress)
        if self.quick_open_dialog is not None:
            self.quick_open_dialog.index_changed(building=progress.phase != "done")

    def _on_index_ended(self, indexer: Indexer, error: HearthError | None = None) -> None:
        if indexer is not self._indexer:
            return
        if error is not None:
            self.index_status.show_failed(error.message, error.hint)
        elif self._index_paused:
            self.index_status.show_paused()
        else:
            self.index_status.show_stopped()

    def _warm_search(self) -> None:
        """Bring the chat's view of the index up to date on the worker, after an update
        and when a file opens, so that the next question finds it ready (see
        ``ChatService.warm_up``); one asked for during a warm-up runs after it."""
        service = self.chat_service
        if service is None:
            return
        if self._warm_worker is not None:
            self._warm_again = True
            return
        self._warm_again = False
        current_file = self._open_file_in_project()
        self._warm_worker = self.services.runner.run(
            lambda token: [_warm_up(service, current_file)], name="search-warm-up", on_finished=self._on_warmed
        )

    def _on_warmed(self) -> None:
        self._warm_worker = None
        if self._warm_again:
            self._warm_search()

    def _forget_index_worker(self, indexer: Indexer) -> None:
        if indexer is self._indexer:
            self._index_worker = None

    def pause_indexing(self) -> None:
        """Stop the running update, keeping its work; ``resume_indexing`` goes on from there."""
        if self._index_worker is not None:
            self._index_paused = True
            self._index_worker.cancel()

    def resume_indexing(self) -> None:
        """Continue a paused or stopped update (only what is not indexed yet is read)."""
        self._run_index_update()

    def cancel_indexing(self) -> None:
        """Stop the running update; what is indexed so far stays usable."""
        if self._index_worker is not None:
            self._index_paused = False
            self._index_worker.cancel()

    def _stop_index(self) -> None:
        indexer, self._indexer = self._indexer, None
        for worker in (self._index_worker, self._live_worker):
            if worker is not None:
                worker.cancel()
        self._index_worker = self._live_worker = None
        self._live_pending = []
        self.index_status.show_idle()
        if indexer is not None:
            # close() waits for a running update to notice the cancel: not on this thread.
            self.services.runner.run(lambda token: [indexer.close()], name="index-close")

    def _queue_live_update(self, batch: list) -> None:
        if self._indexer is None:
            return
        self._live_pending.extend(batch)
        self._apply_live_updates()

    def _apply_live_updates(self) -> None:
        """Apply queued watcher changes to the index, one batch at a time, on the worker."""
        indexer = self._indexer
        if indexer is None or self._live_worker is not None or not self._live_pending:
            return
        batch, self._live_pending = self._live_pending, []

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.index.live import apply_changes

            return [apply_changes(indexer, batch, token)]

        worker = self.services.runner.run(
            work, name="index-live",
            on_item=lambda update: self._on_live_update(indexer, update),
            on_error=lambda error: self._on_live_failed(indexer, error),
            on_finished=lambda: self._on_live_finished(indexer),
        )
        self._live_worker = worker

    def _on_live_update(self, indexer: Indexer, update: object) -> None:
        if indexer is not self._indexer:
            return
        if self.index_status.is_failed and self._index_worker is None:
            self.index_status.show_done(indexer.summary)  # writing works again
        self.index_updated.emit(update)

    def _on_live_failed(self, indexer: Indexer, error: HearthError) -> None:
        if indexer is not self._indexer:
            return
        if self._index_worker is not None:  # the full update running says how it ends
            self.statusBar().showMessage(f"The index could not take in the latest changes: {error.message}", 8000)
        else:  # Retry runs a full update, which also takes in the changes missed here
            self.index_status.show_failed(error.message, error.hint)

    def _on_live_finished(self, indexer: Indexer) -> None:
        if indexer is self._indexer:
            self._live_worker = None
            self._apply_live_updates()

    def _index_reader_connection(self):  # noqa: ANN202 - sqlite3.Connection | None
        """A read connection to the open project's index, or None after saying why not."""
        from desktop.index.store import IndexMissing, index_db_path, open_reader

        if self.project is None:
            self.statusBar().showMessage("Open a project folder first.", 5000)
            return None
        try:
            return open_reader(index_db_path(self.services.paths, self.project))
        except IndexMissing:
            self.statusBar().showMessage("The project is still being indexed; try again in a moment.", 5000)
            return None

    def show_skipped(self) -> None:
        """List the files the index left out, and why (read on the worker)."""
        conn = self._index_reader_connection()
        if conn is None:
            return

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.index.store import IndexReader

            try:
                return [IndexReader(conn).skipped()]
            finally:
                conn.close()

        building = self._index_worker is not None
        self.services.runner.run(work, name="skipped-files",
                                 on_item=lambda skipped: self._show_skipped_dialog(skipped, building),
                                 on_error=lambda error: self._show_problem("Can't read the index", error))

    def _show_skipped_dialog(self, skipped: list, building: bool = False) -> None:
        dialog = SkippedFilesDialog(skipped, self, building=building)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "skipped_dialog", None))
        self.skipped_dialog = dialog
        dialog.open()

    def quick_open(self) -> None:
        """Open a project file by typing part of its name (Ctrl+P)."""
        self._open_finder("files")

    def go_to_symbol(self) -> None:
        """Jump to a definition by typing part of its name (Ctrl+T)."""
        self._open_finder("symbols")

    def _open_finder(self, mode: str) -> None:
        conn = self._index_reader_connection()
        if conn is None:
            return
        recent = self.services.app_state.recent_files(self.project) if self.project else []
        dialog = QuickOpenDialog(conn, mode, self.services.runner, self, building=self._index_worker is not None,
                                 recent=recent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda path, start, end: self.open_location(path, start, end))
        dialog.destroyed.connect(lambda: setattr(self, "quick_open_dialog", None))
        self.quick_open_dialog = dialog
        dialog.open()

    def open_location(self, relative: str, start_line: int = 0, end_line: int = 0, symbol: str = "") -> None:
        """Show a project file (relative path) at ``start_line`` (0: the top); given the
        ``symbol`` defined there once (a chip), where the index finds it now if it moved."""
        if self.project is None:
            return
        if symbol and start_line > 0:
            self._open_moved(relative, start_line, end_line, symbol)
        else:
            self._open_place(relative, start_line, end_line)

    def _open_moved(self, relative: str, start_line: int, end_line: int, symbol: str) -> None:
        """Look the definition up on the worker, then show it where it is now."""
        from desktop.assist.navigate import Place, find_moved_definition
        from desktop.index.store import IndexMissing, index_db_path, open_reader

        place, project = Place(relative, start_line, max(start_line, end_line)), self.project
        db_path = index_db_path(self.services.paths, project)

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            try:
                conn = open_reader(db_path)
            except IndexMissing:  # not indexed yet: the place as it was given
                return [None]
            try:
                return [find_moved_definition(conn, place, symbol)]
            finally:
                conn.close()

        def show(moved: object) -> None:
            if self.project == project:
                self._open_found(place, symbol, moved)

        self.services.runner.run(work, name="find-moved", on_item=show,
                                 on_error=lambda _error: show(None))

    def _open_found(self, place: Place, symbol: str, moved: Place | None) -> None:
        if moved is None:
            self._open_place(place.path, place.start_line, place.end_line)
            return
        self._open_place(moved.path, moved.start_line, moved.end_line)
        self.statusBar().showMessage(moved_text(symbol, place, moved), 8000)

    def _open_place(self, relative: str, start_line: int, end_line: int) -> None:
        path = (self.project / relative).resolve()
        if not path.is_relative_to(self.project):
            self.statusBar().showMessage(f"{relative} leads outside the project; Hearth does not open it.", 8000)
            return
        if self.code_view.current_path == path and self.code_view.is_showing_file and not self.code_view.is_loading:
            self._go_to_location(path, start_line, end_line)
            return
        self._pending_location = (path, start_line, end_line)
        self.open_file(path)

    def _on_file_loaded(self, path: Path) -> None:
        if self.project is not None and Path(path).is_relative_to(self.project):
            self.services.app_state.add_recent_file(self.project, Path(path).relative_to(self.project).as_posix())
        pending, self._pending_location = self._pending_location, None
        if pending is not None and pending[0] == Path(path):
            self._go_to_location(*pending)
        self._warm_search()  # for a question asked from this file

    def _on_file_failed(self, path: Path, error: HearthError) -> None:
        # A place asked for in a file that failed to open must not be jumped to when
        # the file is opened again later, for another reason.
        if self._pending_location is not None and self._pending_location[0] == Path(path):
            self._pending_location = None
        self.statusBar().showMessage(error.message, 8000)

    def _go_to_location(self, path: Path, line: int, end_line: int = 0) -> None:
        """Show ``line`` of the loaded ``path``; a file now shorter than the place asked
        for is shown at its end, and the status bar says so."""
        count = self.code_view.editor.line_count
        if line > 0:
            if max(line, end_line) > count:
                relative = path.relative_to(self.project).as_posix() if self.project else path.name
                self.statusBar().showMessage(shorter_file_text(relative, count, line, end_line), 8000)
            line = min(line, count)
            self.code_view.go_to_line(line)
        self.code_view.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.location_opened.emit(path, line)

    def _chat_focus(self) -> ChatFocus | None:
        """The open file, its selection and cursor line, for the next question."""
        from desktop.assist.context import ChatFocus

        relative = self._open_file_in_project()
        if relative is None:
            return None
        selected = self.code_view.selected_text()
        lines = self.code_view.selected_line_range() if selected else None
        return ChatFocus(relative, selected, lines, self.code_view.current_line())

    def _open_file_in_project(self) -> str | None:
        """The code view's file relative to the project (``/``-separated), if it is in it."""
        path = self.code_view.current_path
        if path is None or self.project is None or not path.is_relative_to(self.project):
            return None
        return path.relative_to(self.project).as_posix()

    def _on_changes(self, batch: list) -> None:  # list[FileChange]
        self._queue_live_update(batch)
        rules = self._rules
        # "rescan": the watcher lost events, so the rules and the open file may have changed
        rescan = any(change.kind == "rescan" for change in batch)
        if rescan or (rules is not None and any(rules.is_ignore_file(change.path) for change in batch)):
            self.tree.refresh_filter()  # a .gitignore, or an environment's mark
        current = self.code_view.current_path
        if current is None:
            return
        if rescan:
            if current.exists():
                self.code_view.reload()
            else:
                self.code_view.mark_deleted()
            return
        for change in batch:
            if change.kind == "moved" and change.dest_path == current:
                self.code_view.reload()  # an editor's save-by-rename
            elif change.path != current:
                continue
            elif change.kind == "deleted" or (change.kind == "moved" and change.dest_path != current):
                self.code_view.mark_deleted()
            else:
                self.code_view.reload()

    def open_file(self, path: Path) -> None:
        """Show ``path`` in the code view (loaded in the background)."""
        self.code_view.open_file(Path(path))
        self.tree.select_path(Path(path))

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.services.app_state.recent_projects()
        for number, folder in enumerate(recent, start=1):
            label = f"&{number} {folder}" if number < 10 else f"1&0 {folder}"
            action = self.recent_menu.addAction(label)
            action.setData(str(folder))
            action.triggered.connect(lambda _checked=False, f=folder: self.open_project(f))
        self.recent_menu.setEnabled(bool(recent))

    # --- editing and viewing commands -------------------------------------------------

    def copy_selection(self) -> None:
        focused = QApplication.focusWidget()
        if focused is not None and hasattr(focused, "copy"):
            focused.copy()
        else:
            self.code_view.editor.copy()

    def show_find(self) -> None:
        self.code_view.show_find()

    def find_next(self) -> None:
        self.code_view.find_step(backwards=False)

    def find_previous(self) -> None:
        self.code_view.find_step(backwards=True)

    def go_to_line_dialog(self) -> None:
        if not self.code_view.is_showing_file:
            return
        line = self.ask_line(self.code_view.current_line(), self.code_view.editor.line_count)
        if line is not None:
            self.code_view.go_to_line(line)

    def _ask_line(self, current: int, last: int) -> int | None:
        from PySide6.QtWidgets import QInputDialog

        line, ok = QInputDialog.getInt(self, "Go to Line", f"Line (1–{last}):", current, 1, last)
        return line if ok else None

    def zoom_in(self) -> None:
        self._set_zoom(self._point_size() + 1)

    def zoom_out(self) -> None:
        self._set_zoom(self._point_size() - 1)

    def zoom_reset(self) -> None:
        self._set_zoom(0)

    def _point_size(self) -> int:
        return round(self.settings.font_size or self._system_point_size)

    def _set_zoom(self, size: int) -> None:
        if size:
            size = max(MIN_POINT_SIZE, min(MAX_POINT_SIZE, size))
        self._apply_font_size(size)
        self.save_settings(self.settings.with_changes(font_size=size))

    def _apply_font_size(self, size: int) -> None:
        point_size = size if size > 0 else self._system_point_size
        font = QApplication.font()
        font.setPointSizeF(point_size)
        QApplication.setFont(font)
        self.code_view.set_code_font_size(point_size)

    def focus_tree(self) -> None:
        self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_code(self) -> None:
        self.code_view.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def open_in_external_editor(self, path: Path | None = None) -> bool:
        """Open ``path`` (default: the shown file) in the user's editor; Hearth never changes the file."""
        from PySide6.QtCore import QProcess, QUrl
        from PySide6.QtGui import QDesktopServices

        shown = self.code_view.current_path
        path = shown if path is None else path
        if path is None:
            self.statusBar().showMessage("Open a file first.", 5000)
            return False
        line = self.code_view.current_line() if path == shown else 1
        template = self.settings.external_editor.strip()
        if not template:
            if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                return True
            self.report_problem("Can't open the file", f"No application is registered to open {path.name}. "
                                "Set an editor command in Settings.")
            return False
        try:
            words = editor_command(template, path, line)
        except ValueError as exc:
            self.report_problem("Can't start the editor", f"{exc} Check the command in Settings.")
            return False
        started, _pid = QProcess.startDetached(words[0], words[1:], str(path.parent))
        if not started:
            self.report_problem("Can't start the editor", f"Could not run “{words[0]}”. Check the command in Settings.")
        return bool(started)

    # --- chat ----------------------------------------------------------------------------

    def allow_send(self) -> bool:
        """Called before every request: warn once per host before code goes out in clear."""
        host = self.engine.host
        if not sends_code_in_clear(host) or host in self.settings.plain_http_allowed_hosts:
            return True
        if not self.confirm_plain_http(host):
            return False
        allowed = self.settings.plain_http_allowed_hosts + (host,)
        self.save_settings(self.settings.with_changes(plain_http_allowed_hosts=allowed))
        return True

    def _ask_plain_http(self, host: str) -> bool:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Warning, "Send code without encryption?",
                          f"{host} is another computer reached over plain http. Your question and "
                          "the project's code would travel unencrypted, readable by anyone on the "
                          "network between here and there.", parent=self)
        send = box.addButton("Send", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setInformativeText("Use an https address to avoid this. Hearth asks once per server.")
        box.exec()
        return box.clickedButton() is send

    def _on_model_changed(self, model: str) -> None:
        self.model_label.setText(model)
        self.chat_panel.set_options(self.chat_options(model), model)

    # --- models -----------------------------------------------------------------------------

    def show_models(self) -> object:
        """Open the Models dialog; it is kept, so downloads go on while it is closed."""
        from desktop.ui.models import ModelsDialog

        dialog = self.models_dialog
        if dialog is None:
            dialog = ModelsDialog(self.engine, self.settings, self.services.runner, self.hardware_budget,
                                  self.save_settings, parent=self)
            dialog.settings_saved.connect(self._on_model_settings_saved)
            self.models_dialog = dialog
        else:
            dialog.engine, dialog.settings = self.engine, self.settings
        if self.hardware_budget is None:
            self._probe_hardware()
        dialog.show()  # not modal: the chat stays usable while a download runs
        dialog.activateWindow()
        dialog.refresh()
        return dialog

    def _probe_hardware(self) -> Worker:
        def work(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.engine.hardware import probe_hardware
            from desktop.engine.memory import HardwareBudget

            return [HardwareBudget.from_hardware(probe_hardware())]

        return self.services.runner.run(work, name="probe-hardware", on_item=self._on_hardware_budget)

    def _on_hardware_budget(self, budget: object) -> None:
        self.hardware_budget = budget
        if self.models_dialog is not None:
            self.models_dialog.set_budget(budget)

    def _on_model_settings_saved(self, new: Settings) -> None:
        model = self.chat_panel.current_model or new.chat_model
        self.chat_panel.set_options(self.chat_options(model), model)

    # --- server ---------------------------------------------------------------------------

    def check_server(self) -> Worker:
        """Ask the server whether it runs (on the worker); the banner shows the answer."""
        engine = self.engine
        self.server_label.setText(f"{engine.host} · checking…")

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.engine import lifecycle

            return [lifecycle.diagnose(engine)]

        return self.services.runner.run(work, name="diagnose-server", on_item=self._on_diagnosis,
                                        on_error=lambda error: self.banner.show_unreachable(engine.host, error.message))

    def _on_diagnosis(self, diagnosis: ServerDiagnosis) -> None:
        self.diagnosis = diagnosis
        host = self.engine.host
        if diagnosis.reachable:
            self.banner.show_hidden()
            self.server_label.setText(f"{host} · Ollama {diagnosis.version}".rstrip())
        else:
            self.server_label.setText(f"{host} · not answering")
            if diagnosis.can_start_locally:
                self.banner.show_can_start(host)
            elif diagnosis.is_local and diagnosis.executable is None:
                self.banner.show_not_installed(host, diagnosis.hint)
            else:
                self.banner.show_unreachable(host, f"{diagnosis.reason} {diagnosis.hint}")
        self.server_checked.emit(diagnosis)

    def start_ollama(self) -> Worker | None:
        """Start ``ollama serve`` detached and wait until it answers."""
        executable = self.diagnosis.executable if self.diagnosis is not None else None
        if executable is None:
            return None
        engine = self.engine
        paths = self.services.paths
        self.banner.show_starting(engine.host)

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            from desktop.engine import lifecycle

            lifecycle.start_ollama_serve(Path(executable), engine.host, lifecycle.serve_log_path(paths))
            yield lifecycle.wait_until_ready(engine, 30.0, token)

        return self.services.runner.run(work, name="start-ollama", on_item=self._on_server_started,
                                        on_error=lambda error: self.banner.show_start_failed(
                                            f"{error.message} {error.hint}".strip()))

    def _on_server_started(self, info: ServerInfo) -> None:
        self.banner.show_hidden()
        self.server_label.setText(f"{self.engine.host} · Ollama {info.version}")
        self.chat_panel.refresh_models()
        self.server_started.emit(info)

    # --- plugins --------------------------------------------------------------------------

    def load_plugins(self) -> Worker:
        """Load the plugins on the worker (after the window shows); ``plugins_loaded`` says when."""
        from desktop.ui.code_actions import load_window_plugins

        paths = self.services.paths
        return self.services.runner.run(
            lambda token: [load_window_plugins(paths)], name="load-plugins", on_item=self._on_plugins_loaded,
            on_error=lambda error: self.statusBar().showMessage(
                f"Plugins were not loaded: {error.message}", 10000))

    def _on_plugins_loaded(self, plugins: PluginSet) -> None:
        self.code_actions.set_plugins(plugins)
        if self.chat_service is not None:
            self.chat_service.hooks = plugins.hooks
        dialog = self.settings_dialog
        if dialog is not None and dialog.isVisible():
            dialog.set_plugins(plugins.plugins, plugins.problems())
        self.plugins_loaded.emit(plugins)

    def undo_last_edit(self) -> None:
        """Edit ▸ Undo Last Applied Edit (the command table calls the window)."""
        self.code_actions.undo_last_edit()

    # --- settings -------------------------------------------------------------------------

    def show_settings(self) -> SettingsDialog:
        """Open the settings dialog (window-modal, not blocking); saving applies it."""
        from desktop.ui.settings_dialog import SettingsDialog

        flag = self.services.host_flag
        plugins = self.code_actions.plugins
        dialog = SettingsDialog(self.settings, self.services.secrets,
                                lambda typed: resolve_host(flag, typed), self,
                                plugins=plugins.plugins if plugins is not None else (),
                                plugins_dir=self.services.paths.plugins_dir,
                                plugin_problems=plugins.problems() if plugins is not None else ())
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings, dialog.token_changed))
        dialog.finished.connect(dialog.deleteLater)
        dialog.destroyed.connect(lambda: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.open()
        return dialog

    def apply_settings(self, new: Settings, token_changed: bool = False) -> None:
        """Save ``new`` and rebuild what depends on it (the engine when the server changed)."""
        old = self.settings
        if not self.save_settings(new):
            return
        connection = ("host", "connect_timeout_s", "read_timeout_s")
        if token_changed or any(getattr(old, name) != getattr(new, name) for name in connection):
            self.engine = self.services.make_engine(new, self.services.host_flag)
            if self.chat_service is not None:
                self.chat_service.engine = self.engine
            self.check_server()
            if hasattr(self.chat_panel, "refresh_models"):
                self.chat_panel.refresh_models()
        if hasattr(self.chat_panel, "set_options"):
            self.chat_panel.set_options(self.chat_options(), new.chat_model)

    def save_settings(self, new: Settings) -> bool:
        try:
            self.services.settings_store.save(new)
        except SettingsError as exc:
            self._show_problem("Settings not saved", exc)
            return False
        self.settings = new
        return True

    # --- problems and shutdown ---------------------------------------------------------------

    def _show_problem(self, title: str, error: HearthError) -> None:
        self.report_problem(title, f"{error.message} {error.hint}".strip())

    def _message_box(self, title: str, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.problem_shown.emit(text)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def save_window_state(self) -> None:
        state = self.services.app_state
        state.set_bytes_value("window/geometry", self.saveGeometry())
        state.set_bytes_value("window/splitter", QByteArray(self.splitter.saveState()))
        state.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        self.save_window_state()
        self._stop_project_tasks()
        if self.chat_panel.is_streaming:
            self.chat_panel.stop()
        self.code_actions.close()
        super().closeEvent(event)


def _warm_up(service: ChatService, current_file: str | None) -> None:
    """Warm the chat's search view (on the worker); its caches live as long as the project."""
    with building_long_lived():
        service.warm_up(current_file)


def _close_search(service: ChatService) -> None:
    """Close the last project's search view (on the worker) and let its caches go."""
    service.close()
    release_long_lived()


def _load_rules(root: Path) -> IgnoreRules:
    # Also imported here, on the worker, so that _on_rules does not wait for them on the
    # GUI thread; the modules stay for good, so the collector need not walk them (an
    # index update's full collections stalled every thread ~100 ms walking them).
    with building_long_lived():
        from desktop.assist.chat_service import ChatService
        from desktop.assist.context import ChatFocus
        from desktop.index.ignore import IgnoreRules
        from desktop.index.indexer import Indexer, IndexProgress

    return IgnoreRules.for_project(root)
