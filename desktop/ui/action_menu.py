"""Code actions in menus: the one place that turns registry actions into QActions.

The main window's Code menu, the code view's right-click menu and the project tree's
right-click menu all get their entries from here, so a title, a key or the reason an
action cannot run reads the same everywhere. Running an action is the window's job: each
QAction calls back with the ``Action`` it stands for.
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLabel, QMenu, QVBoxLayout, QWidget

from desktop.assist.actions import SCOPE_FILE, SCOPE_FOLDER, SCOPE_SELECTION, Action

NO_PROJECT = "Open a project folder first."
NO_FILE = "Open a file first."
SECRET_FILE = "Hearth never sends secret files (.env, keys, credentials) to a model."

ActionCallback = Callable[[Action], None]


def menu_title(action: Action) -> str:
    """The action's title as a menu shows it (a literal ``&`` stays visible)."""
    return action.title.replace("&", "&&")


def create_qaction(action: Action, parent: QObject, run: ActionCallback, *, keys: bool = True) -> QAction:
    """A QAction for ``action``: title, key (from ``Action.shortcut``), tip; triggering runs it.

    ``keys=False`` only shows the key in the menu text's shortcut column without binding
    it: the window's own QAction for the same action already listens for it, and two
    bound copies would make the key ambiguous.
    """
    qaction = QAction(menu_title(action), parent)
    qaction.setObjectName(f"action.{action.id}")
    qaction.setData(action.id)
    tip = action.tip or action.title.rstrip("…")
    qaction.setStatusTip(tip)
    qaction.setToolTip(tip)
    if action.shortcut:
        qaction.setShortcut(QKeySequence(action.shortcut))
        if not keys:
            qaction.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    qaction.triggered.connect(lambda _checked=False, chosen=action: run(chosen))
    return qaction


def set_availability(qaction: QAction, action: Action, reason: str) -> None:
    """Enable ``qaction``, or disable it with ``reason`` as its tip (shown on hover and in the status bar)."""
    qaction.setEnabled(not reason)
    tip = reason or action.tip or action.title.rstrip("…")
    qaction.setStatusTip(tip)
    qaction.setToolTip(tip)


def unavailable_reason(action: Action, scope: str, *, has_project: bool, relative: str | None,
                       is_secret: bool = False) -> str:
    """Why ``action`` cannot run on this target ("" when it can).

    ``relative`` is the file (or folder) the action would work on, relative to the project.
    """
    if scope not in action.scopes:
        return f"“{action.title}” does not work on a {scope}."
    if not has_project:
        return NO_PROJECT
    if scope in (SCOPE_SELECTION, SCOPE_FILE) and relative is None:
        return NO_FILE
    if is_secret:
        return SECRET_FILE
    return ""


def grouped(actions: Iterable[Action]) -> list[list[Action]]:
    """Built-in actions first, then each plugin's, one group per source."""
    groups: dict[str, list[Action]] = {}
    for action in actions:
        groups.setdefault(action.source, []).append(action)
    builtin = groups.pop("built-in", [])
    return ([builtin] if builtin else []) + list(groups.values())


def add_grouped(menu: QMenu, entries: Sequence[tuple[Action, QAction]]) -> None:
    """Add QActions to ``menu``, a separator between built-in and each plugin's group."""
    by_id = {action.id: qaction for action, qaction in entries}
    for number, group in enumerate(grouped(action for action, _ in entries)):
        if number:
            menu.addSeparator()
        for action in group:
            menu.addAction(by_id[action.id])


def scope_for_menu(action: Action) -> str:
    """Where the Code menu runs ``action``: on the selection if it can, else the open file, else the project."""
    for scope in (SCOPE_SELECTION, SCOPE_FILE, SCOPE_FOLDER):
        if scope in action.scopes:
            return scope
    return action.scopes[0] if action.scopes else SCOPE_SELECTION


class InstructionDialog(QDialog):
    """Edit… (and any action that asks): one line of instruction, earlier ones to pick from."""

    def __init__(self, title: str, question: str, history: Sequence[str], parent: QWidget | None = None,
                 placeholder: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("instructionDialog")
        name = title.replace("&", "").rstrip("…")
        self.setWindowTitle(name)
        self.setAccessibleName(f"{name} instruction")
        self.setMinimumWidth(480)
        self.field = QComboBox(self)
        self.field.setObjectName("instructionField")
        self.field.setAccessibleName("What should change")
        self.field.setEditable(True)
        self.field.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.field.addItems(list(history))
        self.field.setCurrentIndex(-1)
        self.field.lineEdit().setPlaceholderText(placeholder)
        label = QLabel(question, self)
        label.setWordWrap(True)
        label.setBuddy(self.field)
        note = QLabel("↑/↓ pick an earlier instruction.", self)
        note.setEnabled(False)
        note.setVisible(bool(history))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(name)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.field.editTextChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.field)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def instruction(self) -> str:
        """What the user typed or picked, trimmed."""
        return self.field.currentText().strip()
