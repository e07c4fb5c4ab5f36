"""The find bar under the code view: type to search, Enter / Shift+Enter to step, Esc to close."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    """Search field with a "3 of 12" counter; the code view does the searching."""

    search_changed = Signal(str)  # the text changed: search from the cursor
    step_requested = Signal(bool)  # True: backwards
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self.setAccessibleName("Find in file")
        self.field = QLineEdit(self)
        self.field.setObjectName("findField")
        self.field.setAccessibleName("Text to find")
        self.field.setPlaceholderText("Find in file")
        self.field.setClearButtonEnabled(True)
        self.counter = QLabel("", self)
        self.counter.setObjectName("findCounter")
        self.counter.setAccessibleName("Matches")
        self.counter.setMinimumWidth(90)
        previous = self._button("▲", "Previous match (Shift+Enter)", "findPrevious", True)
        following = self._button("▼", "Next match (Enter)", "findNext", False)
        close = QToolButton(self)
        close.setText("✕")
        close.setObjectName("findClose")
        close.setAccessibleName("Close find bar")
        close.setToolTip("Close (Esc)")
        close.clicked.connect(self.close_bar)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for widget in (self.field, self.counter, previous, following, close):
            layout.addWidget(widget)
        self.field.textChanged.connect(self.search_changed)
        self.field.installEventFilter(self)
        self.hide()

    def _button(self, text: str, tip: str, name: str, backwards: bool) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setObjectName(name)
        button.setAccessibleName(tip.split(" (")[0])
        button.clicked.connect(lambda: self.step_requested.emit(backwards))
        return button

    @property
    def text(self) -> str:
        return self.field.text()

    def open_bar(self, initial: str = "") -> None:
        """Show, fill with ``initial`` if given, select the text and focus the field."""
        self.show()
        if initial:
            self.field.setText(initial)
        self.field.selectAll()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def clear_counter(self) -> None:
        self.counter.setText("")

    def set_counter(self, index: int, total: int) -> None:
        """Show "i of n" (``index`` is 0-based; -1 when nothing is selected)."""
        if total == 0:
            self.counter.setText("No matches")
        elif index < 0:
            self.counter.setText(f"{total} matches")
        else:
            self.counter.setText(f"{index + 1} of {total}")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.field and isinstance(event, QKeyEvent):
            key = event.key()
            # Claim Esc before the window's Esc shortcut (Stop answer) sees it.
            if event.type() == QEvent.Type.ShortcutOverride and key == Qt.Key.Key_Escape:
                event.accept()
                return True
            if event.type() == QEvent.Type.KeyPress:
                if key == Qt.Key.Key_Escape:
                    self.close_bar()
                    return True
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                    backwards = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                    self.step_requested.emit(backwards)
                    return True
        return super().eventFilter(watched, event)

    @staticmethod
    def shortcut_hint() -> str:
        return QKeySequence("Ctrl+F").toString(QKeySequence.SequenceFormat.NativeText)
