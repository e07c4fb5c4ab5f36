"""Code actions in the window: the Code menu, the right-click menus, running actions, edits.

``CodeActions`` is owned by the main window. It turns the ``ActionRegistry`` into
QActions (through ``desktop.ui.action_menu``), says why an action cannot run, reads what
an action works on off the GUI thread and hands the result to the chat or to the
``EditFlow`` (review, apply, undo). The window starts with the built-in actions; the
plugins' arrive later (``set_plugins``), loaded on the worker once the window shows.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from desktop.assist.actions import (
    RESULT_EDIT,
    SCOPE_FILE,
    SCOPE_FOLDER,
    SCOPE_SELECTION,
    Action,
    ActionContext,
    ActionRegistry,
    fills_chat_input,
)
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.core.cancel import CancelToken
from desktop.core.errors import HearthError
from desktop.core.paths import HearthPaths
from desktop.qt.worker import Worker
from desktop.ui.action_menu import (
    add_grouped,
    create_qaction,
    scope_for_menu,
    set_availability,
    unavailable_reason,
)
from desktop.ui.chat.references import CodeTarget, action_label

if TYPE_CHECKING:  # imported lazily at run time, to keep start-up lean
    from desktop.assist.context import ChatFocus
    from desktop.assist.edits.model import AppliedEdit, EditTarget
    from desktop.assist.edits.undo import UndoHistory
    from desktop.plugins.loader import PluginSet
    from desktop.ui.edit_flow import EditFlow
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

MENU_SCOPES = (SCOPE_SELECTION, SCOPE_FILE, SCOPE_FOLDER)  # the Code menu's sections, in order


def load_window_plugins(paths: HearthPaths) -> PluginSet:
    """Bundled plugins, the user's (``paths.plugins_dir``) and installed ones, with the
    built-in actions; a plugin action may not take a key of the window's commands.

    Slow (a package metadata scan, plugin modules imported): run it on the worker.
    """
    from desktop.plugins.loader import load_default_plugins
    from desktop.ui.commands import COMMANDS

    reserved = [keys for entry in COMMANDS for keys in entry.shortcuts]
    return load_default_plugins(paths, reserved_shortcuts=reserved)  # a skipped plugin is logged there


class CodeActions(QObject):
    """The window's code actions: menus, availability, running, Apply and undo."""

    action_refused = Signal(str)  # why a code action did not run (no file, secret file, …)

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.menu = menu  # the Code menu
        self.menu.setObjectName("codeMenu")
        self.registry = ActionRegistry.with_builtins()
        self.plugins: PluginSet | None = None  # set once loaded (see MainWindow.load_plugins)
        self.qactions: dict[str, QAction] = {}  # one per registered action; these hold the keys
        self._bound: dict[str, Action] = {}  # the Action each QAction runs
        self._edit_flow: EditFlow | None = None  # see ``edit_flow``
        self.undo_history: UndoHistory | None = None  # opened on the worker (``open_project``)
        self._closed = False
        self.context_menu: QMenu | None = None  # the right-click menu shown last (kept for tests)
        # Asks what Edit… should change: (action, label) -> instruction, or None to cancel.
        self.ask_instruction: Callable[[Action, str], str | None] = self._ask_instruction
        self.menu.aboutToShow.connect(self._refresh_availability)
        self.menu.aboutToHide.connect(self._enable_all)
        self._rebuild_menu()

    @property
    def instruction_history(self) -> list[str]:
        """Earlier Edit… instructions, newest first (kept across restarts)."""
        return self.window.services.app_state.instructions()

    @property
    def hooks(self) -> Hooks:
        """The loaded plugins' hooks (no-ops until plugins are loaded, or without any)."""
        return self.plugins.hooks if self.plugins is not None else NO_HOOKS

    def set_plugins(self, plugins: PluginSet) -> None:
        """Plugins were loaded: their actions join the menus and keys, their hooks the edits."""
        self.plugins = plugins
        self.registry = plugins.registry
        self._rebuild_menu()

    # --- the Code menu ---------------------------------------------------------------

    def _rebuild_menu(self) -> None:
        """One window-wide QAction per registered action, laid out by what it works on."""
        stale = self.qactions
        self.qactions = {}
        for action in self.registry.all():
            qaction = stale.pop(action.id, None)
            if qaction is None or self._bound.get(action.id) != action:
                if qaction is not None:
                    self._drop(qaction)
                qaction = create_qaction(action, self.window, self.run_action)
                self.window.addAction(qaction)  # the key works even while the menu bar is hidden
                self._bound[action.id] = action
            self.qactions[action.id] = qaction
        for action_id, qaction in stale.items():
            self._bound.pop(action_id, None)
            self._drop(qaction)
        self.menu.clear()  # the QActions belong to the window: only taken out of the menu
        sections: dict[str, list[tuple[Action, QAction]]] = {}
        for action in self.registry.all():
            sections.setdefault(scope_for_menu(action), []).append((action, self.qactions[action.id]))
        for scope in MENU_SCOPES:
            if sections.get(scope):
                if self.menu.actions():
                    self.menu.addSeparator()
                add_grouped(self.menu, sections[scope])

    def _drop(self, qaction: QAction) -> None:
        self.window.removeAction(qaction)
        qaction.setParent(None)  # gone from findChildren at once, freed with its last reference
        qaction.deleteLater()

    def _refresh_availability(self) -> None:
        """Grey out what cannot run now, with the reason as the tip."""
        for action in self.registry.all():
            scope = scope_for_menu(action)
            set_availability(self.qactions[action.id], action, self._action_reason(action, scope, None))

    def _enable_all(self) -> None:
        # Keys stay live while no menu is open; running checks again and says why not.
        for action in self.registry.all():
            set_availability(self.qactions[action.id], action, "")

    # --- right-click menus -------------------------------------------------------------

    def code_context_menu(self) -> QMenu:
        """The code view's right-click menu: the selection actions (plugins' below), then Copy."""
        code_view = self.window.code_view
        menu = self._new_context_menu("codeContextMenu")
        entries = [(action, self.qactions[action.id]) for action in self.registry.for_scope(SCOPE_SELECTION)]
        for action, qaction in entries:
            set_availability(qaction, action, self._action_reason(action, SCOPE_SELECTION, None))
        add_grouped(menu, entries)
        menu.aboutToHide.connect(self._enable_all)
        menu.addSeparator()
        copy = QAction("&Copy", menu)
        copy.setObjectName("codeContextCopy")
        copy.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # shown only: the window's Copy has the key
        copy.setEnabled(bool(code_view.selected_text()))
        copy.triggered.connect(code_view.editor.copy)
        menu.addAction(copy)
        return menu

    def tree_context_menu(self, path: Path, folder: bool) -> QMenu:
        """The tree's right-click menu for ``path``: its file or folder actions (and the editor)."""
        from desktop.index.scanner import is_secret_path

        scope = SCOPE_FOLDER if folder else SCOPE_FILE
        menu = self._new_context_menu("treeContextMenu")
        relative = self._relative(path)
        if not folder and relative is not None and is_secret_path(relative):
            note = menu.addAction(f"{path.name}: secret file, never sent to a model")
            note.setObjectName("secretNote")
            note.setEnabled(False)
            menu.addSeparator()
        entries: list[tuple[Action, QAction]] = []
        for action in self.registry.for_scope(scope):
            qaction = create_qaction(action, menu, lambda chosen, p=path: self.run_action(chosen, scope, p), keys=False)
            set_availability(qaction, action, self._action_reason(action, scope, path))
            entries.append((action, qaction))
        add_grouped(menu, entries)
        if not entries:
            menu.addAction("No actions for folders" if folder else "No actions for files").setEnabled(False)
        if not folder:
            menu.addSeparator()
            external = menu.addAction("Open in &External Editor")
            external.setObjectName("treeExternalEditor")
            external.triggered.connect(lambda _checked=False, p=path: self.window.open_in_external_editor(p))
        return menu

    def _new_context_menu(self, name: str) -> QMenu:
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        menu = QMenu(self.window)
        menu.setObjectName(name)
        menu.setToolTipsVisible(True)  # a disabled entry's tip says why
        self.context_menu = menu
        return menu

    # --- whether an action can run -------------------------------------------------------

    def _relative(self, path: Path | None) -> str | None:
        project = self.window.project
        if path is None or project is None:
            return None
        path = Path(path)
        return path.relative_to(project).as_posix() if path.is_relative_to(project) else None

    def _default_target(self, scope: str) -> Path | None:
        return self.window.project if scope == SCOPE_FOLDER else self.window.code_view.current_path

    def _action_reason(self, action: Action, scope: str, path: Path | None) -> str:
        """Why ``action`` cannot run on ``path`` (None: the open file or the project); "" if it can."""
        from desktop.index.scanner import is_secret_path

        shown = path is None and scope != SCOPE_FOLDER
        path = self._default_target(scope) if path is None else path
        relative = self._relative(path)
        secret = scope != SCOPE_FOLDER and relative is not None and is_secret_path(relative)
        reason = unavailable_reason(action, scope, has_project=self.window.project is not None, relative=relative,
                                    is_secret=secret)
        if not reason and shown and not self.window.code_view.is_showing_file:
            reason = "Open a file first."
        return reason

    # --- running an action -----------------------------------------------------------------

    def run_action(self, action: Action, scope: str | None = None, path: Path | None = None) -> bool:
        """Run ``action`` on ``path`` (None: the code view's selection or symbol, or the project).

        Chat actions become a chat turn, edit actions a reviewed edit, "Add to chat" a
        block in the message box. What the action works on is read on the worker; a
        refusal (no file, a secret file) is said, never sent. False when it did not start.
        """
        code_view, chat_panel = self.window.code_view, self.window.chat_panel
        scope = scope or scope_for_menu(action)
        if fills_chat_input(action) and path is None and (
                not code_view.is_showing_file or chat_panel.isAncestorOf(QApplication.focusWidget())):
            chat_panel.focus_input()  # nothing to add: Ctrl+L just moves to the chat
            return True
        reason = self._action_reason(action, scope, path)
        if not reason and action.result == RESULT_EDIT and self.window.project is None:
            reason = "Edits need an open project."
        if not reason and action.result != RESULT_EDIT and not fills_chat_input(action) and chat_panel.is_streaming:
            reason = "An answer is still being written; wait for it or stop it (Esc)."
        if reason:
            self._refuse(action, reason)
            return False
        relative = self._relative(self._default_target(scope) if path is None else path)
        lines = cursor = None
        if scope == SCOPE_SELECTION:
            lines = code_view.selected_line_range() if code_view.selected_text() else None
            cursor = code_view.current_line()
        instruction = ""
        if action.asks_instruction:
            where = action_label(action.title, relative, *(lines or (None, None)))
            instruction = (self.ask_instruction(action, where) or "").strip()
            if not instruction:
                return False
            self.window.services.app_state.remember_instruction(instruction)
        self._resolve_action(action, scope, relative, lines, cursor, instruction)
        return True

    def _refuse(self, action: Action, reason: str) -> None:
        self.window.statusBar().showMessage(f"{action.title.rstrip('…')}: {reason}", 10000)
        self.action_refused.emit(reason)

    def _resolve_action(self, action: Action, scope: str, relative: str | None, lines: tuple[int, int] | None,
                        cursor: int | None, instruction: str) -> Worker:
        root, paths, hooks = self.window.project, self.window.services.paths, self.hooks
        assert root is not None

        def work(token):  # noqa: ANN001, ANN202 - a Work function
            context = _resolve_context(root, paths, relative, scope, lines, cursor, instruction)
            token.raise_if_cancelled()
            # An edit's variables are gathered by the EditService when it runs (once).
            variables = {} if action.result == RESULT_EDIT else dict(hooks.context_will_be_built(action, context))
            target = None
            if action.result == RESULT_EDIT:
                from desktop.assist.edits.checks import resolve_target

                region = None if scope == SCOPE_FILE or context.start_line is None or context.end_line is None \
                    else (context.start_line, context.end_line)
                target = resolve_target(root, root / (context.relative or ""), region)
            yield action, context, variables, target

        return self.window.services.runner.run(
            work, name="action-context",
            on_item=lambda item: self._on_action_resolved(*item),
            on_error=lambda error: self._on_action_failed(action, error))

    def _on_action_failed(self, action: Action, error: HearthError) -> None:
        from desktop.assist.edits.model import SecretFile

        if isinstance(error, SecretFile):
            self.action_refused.emit(error.message)
        self._problem(f"“{action.title.rstrip('…')}” did not run", error)

    def _on_action_resolved(self, action: Action, context: ActionContext, variables: dict[str, str],
                            target: EditTarget | None) -> None:
        from desktop.assist.actions import render_prompt

        if context.root != self.window.project:
            return  # another project was opened meanwhile
        chat_panel = self.window.chat_panel
        if fills_chat_input(action):
            chat_panel.insert_into_input(render_prompt(action, context, variables).strip() + "\n\n")
            return
        if action.result == RESULT_EDIT:
            if self.edit_flow is not None and target is not None:
                self.edit_flow.start(action, context, target)
            return
        if context.scope == SCOPE_FOLDER:
            label = action_label(action.title, f"{context.relative}/" if context.relative else None)
        elif context.scope == SCOPE_FILE:
            label = action_label(action.title, context.relative)
        else:
            label = action_label(action.title, context.relative, context.start_line, context.end_line, context.symbol)
        if not chat_panel.send_action(label, render_prompt(action, context, variables), _focus_for(context)):
            self._refuse(action, "the chat could not send it now.")

    def _problem(self, title: str, error: HearthError) -> None:
        self.window.report_problem(title, f"{error.message} {error.hint}".strip())

    def _ask_instruction(self, action: Action, where: str) -> str | None:
        from desktop.ui.action_menu import InstructionDialog

        if action.result == RESULT_EDIT:
            question, placeholder = f"What should change in {where}?", "e.g. handle an empty list; use pathlib"
        else:
            question, placeholder = f"{action.title.rstrip('…')} — {where}:", ""
        dialog = InstructionDialog(action.title, question, self.instruction_history, self.window, placeholder)
        return dialog.instruction() if dialog.exec() == InstructionDialog.DialogCode.Accepted else None

    # --- edits: Apply, undo, the project's history -------------------------------------------

    def apply_code_block(self, code: str, target: CodeTarget) -> bool:
        """Chat "Apply": review ``code`` as the new text of ``target``'s lines (no model call)."""
        from desktop.assist.edits.checks import resolve_target
        from desktop.index.languages import language_for_path

        project = self.window.project
        if self.edit_flow is None or project is None:
            self.window.statusBar().showMessage("Open the project the answer was about first.", 8000)
            return False
        try:
            edit_target = resolve_target(project, project / target.path, (target.start_line, target.end_line))
        except HearthError as error:
            self._problem("Can't apply the code", error)
            return False
        self.edit_flow.apply_code_block(code, language_for_path(target.path) or "", edit_target)
        return True

    def undo_last_edit(self) -> None:
        """Put back the file as it was before the last edit Hearth applied (Ctrl+Alt+Z)."""
        if self.edit_flow is None:
            self.window.statusBar().showMessage("Open a project folder first; there is nothing to undo.", 8000)
            return
        if self.undo_history is None:
            self.window.statusBar().showMessage(
                "There is nothing to undo: this project's undo history is not open.", 8000)
            return
        self.edit_flow.undo_last()

    def open_project(self, root: Path) -> None:
        """Open the project's undo history (it survives restarts) on the worker.

        Opening it (SQLite, an integrity check) and importing the edit modules took
        ~100 ms on the GUI thread, a visible stall each time a project opened. The edit
        flow itself is made on first use (``edit_flow``)."""
        if self.undo_history is not None:
            self.undo_history.close()
        self.undo_history = None
        if self._edit_flow is not None:
            self._edit_flow.set_history(None)
        paths = self.window.services.paths

        def work(token: CancelToken) -> Iterator[UndoHistory]:
            from desktop.assist.edits import service  # noqa: F401 - imported here, not on the GUI thread
            from desktop.assist.edits.undo import UndoHistory

            yield UndoHistory.for_project(paths, root)

        self.window.services.runner.run(
            work, name="undo-history",
            on_item=lambda history: self._on_history(root, history),
            on_error=lambda error: self._problem("The undo history could not be opened", error),
        )

    def _on_history(self, root: Path, history: UndoHistory) -> None:
        if root != self.window.project or self._closed:
            history.close()  # another project was opened meanwhile, or the window closed
            return
        self.undo_history = history
        if self._edit_flow is not None:
            self._edit_flow.set_history(history)

    @property
    def edit_flow(self) -> EditFlow | None:
        """The edit flow of the open project (made on first use); None without one."""
        if self._edit_flow is None and self.window.project is not None and not self._closed:
            self._edit_flow = self._make_edit_flow(self.undo_history)
        return self._edit_flow

    def _make_edit_flow(self, history: UndoHistory | None) -> EditFlow:
        from desktop.assist.edits.service import EditService
        from desktop.ui.edit_flow import EditFlow

        window = self.window
        # The service is made per edit, so it has the engine and hooks of that moment.
        flow = EditFlow(window.services.runner, lambda: EditService(window.engine, self.hooks), history,
                        lambda: (window.chat_panel.current_model, window.chat_options()), window)
        flow.message.connect(lambda text: window.statusBar().showMessage(text, 10000))
        flow.applied.connect(self._on_edit_written)
        flow.undone.connect(self._on_edit_written)
        return flow

    def _on_edit_written(self, applied: AppliedEdit) -> None:
        project, code_view = self.window.project, self.window.code_view
        if project is not None and code_view.current_path == project / applied.relative:
            code_view.reload()  # the watcher would too, a moment later

    def close(self) -> None:
        """The window closes: close the review dialog and the undo history."""
        self._closed = True
        if self._edit_flow is not None:
            self._edit_flow.close_dialog()
        if self.undo_history is not None:
            self.undo_history.close()
            self.undo_history = None


def _resolve_context(root: Path, paths: HearthPaths, relative: str | None, scope: str,
                     lines: tuple[int, int] | None, cursor: int | None, instruction: str) -> ActionContext:
    """What an action works on (worker thread): the index, when there is one, names the symbol."""
    import sqlite3

    from desktop.assist.actions import resolve_context
    from desktop.index.store import IndexReader, index_db_path, open_reader

    conn = None
    if scope == SCOPE_SELECTION:
        try:
            conn = open_reader(index_db_path(paths, root))
        except (HearthError, sqlite3.Error) as exc:
            log.info("no index for the action (%s); working without symbols", exc)
    try:
        return resolve_context(root, relative, scope=scope, selection_lines=lines, cursor_line=cursor,
                               index_reader=IndexReader(conn) if conn is not None else None,
                               instruction=instruction)
    finally:
        if conn is not None:
            conn.close()


def _focus_for(context: ActionContext) -> ChatFocus | None:
    """The chat focus of an action's target: its file, and its lines for a selection."""
    from desktop.assist.context import ChatFocus

    if context.relative is None or context.scope == SCOPE_FOLDER:
        return None
    if context.scope == SCOPE_SELECTION and context.start_line is not None and context.end_line is not None:
        return ChatFocus(context.relative, context.text, (context.start_line, context.end_line), context.start_line)
    return ChatFocus(context.relative)
