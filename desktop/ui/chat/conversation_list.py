"""The list of a project's conversations: pick one, rename it in place (F2), delete (Del).

The list only shows and reports; the chat panel owns the store and decides.
"""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from desktop.assist.conversations import Conversation

_ID_ROLE = Qt.ItemDataRole.UserRole


class ConversationList(QListWidget):
    """Most recent conversation first; the current one is selected."""

    conversation_selected = Signal(int)
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationList")
        self.setAccessibleName("Conversations")
        self.setToolTip("Conversations of this project — F2 renames, Del deletes")
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.currentItemChanged.connect(self._on_current_changed)
        self.itemChanged.connect(self._on_item_changed)
        self._titles: dict[int, str] = {}

    def set_conversations(self, conversations: Sequence[Conversation], current_id: int | None) -> None:
        """Show these conversations and select ``current_id`` (without emitting)."""
        self.blockSignals(True)
        try:
            self.clear()
            self._titles = {}
            for conversation in conversations:
                item = QListWidgetItem(conversation.title)
                item.setData(_ID_ROLE, conversation.id)
                item.setToolTip(conversation.title)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
                self.addItem(item)
                self._titles[conversation.id] = conversation.title
                if conversation.id == current_id:
                    self.setCurrentItem(item)
        finally:
            self.blockSignals(False)

    @property
    def current_id(self) -> int | None:
        item = self.currentItem()
        return None if item is None else int(item.data(_ID_ROLE))

    def ids(self) -> list[int]:
        """Conversation ids in display order."""
        return [int(self.item(row).data(_ID_ROLE)) for row in range(self.count())]

    def title_of(self, conversation_id: int) -> str:
        return self._titles.get(conversation_id, "")

    def start_rename(self) -> None:
        """Edit the current conversation's title in place."""
        item = self.currentItem()
        if item is not None:
            self.editItem(item)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Delete and self.current_id is not None:
            self.delete_requested.emit(self.current_id)
            return
        super().keyPressEvent(event)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if current is not None:
            self.conversation_selected.emit(int(current.data(_ID_ROLE)))

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        conversation_id = int(item.data(_ID_ROLE))
        title = item.text().strip()
        if not title or title == self._titles.get(conversation_id):
            self.blockSignals(True)
            item.setText(self._titles.get(conversation_id, ""))  # an empty title is not allowed
            self.blockSignals(False)
            return
        self._titles[conversation_id] = title
        self.rename_requested.emit(conversation_id, title)
