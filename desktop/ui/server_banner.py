"""The strip above the chat that says when the model server is not there, and what to do.

It only displays; the main window runs the check (``lifecycle.diagnose``) and the start
on the worker and feeds the results in.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class BannerState(Enum):
    HIDDEN = "hidden"
    CHECKING = "checking"
    CAN_START = "can_start"  # local host, nothing listening, ollama found
    NOT_INSTALLED = "not_installed"  # local host, ollama not found
    UNREACHABLE = "unreachable"  # remote host (or anything else) not answering
    STARTING = "starting"
    START_FAILED = "start_failed"


class ServerBanner(QFrame):
    """Message plus [Start Ollama] / [Retry] buttons; hidden while the server is fine."""

    start_requested = Signal()
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("serverBanner")
        self.setAccessibleName("Server status")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel("", self)
        self.label.setObjectName("serverBannerText")
        self.label.setWordWrap(True)
        self.label.setOpenExternalLinks(False)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.start_button = QPushButton("Start Ollama", self)
        self.start_button.setObjectName("startOllamaButton")
        self.start_button.setAccessibleName("Start Ollama")
        self.start_button.clicked.connect(self.start_requested)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName("retryServerButton")
        self.retry_button.setAccessibleName("Check the server again")
        self.retry_button.setToolTip("Check the server again (F5)")
        self.retry_button.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.start_button)
        layout.addWidget(self.retry_button)
        self.state = BannerState.HIDDEN
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def _show(self, state: BannerState, text: str, start: bool, retry: bool) -> None:
        self.state = state
        self.label.setText(text)
        self.start_button.setVisible(start)
        self.retry_button.setVisible(retry)
        self.setVisible(state is not BannerState.HIDDEN)

    def show_hidden(self) -> None:
        self._show(BannerState.HIDDEN, "", False, False)

    def show_checking(self, host: str) -> None:
        self._show(BannerState.CHECKING, f"Checking the model server at {host}…", False, False)

    def show_can_start(self, host: str) -> None:
        self._show(BannerState.CAN_START, f"Ollama isn't running at {host}.", True, True)

    def show_not_installed(self, host: str, install_hint: str) -> None:
        text = f"Ollama isn't running at {host}. {install_hint}"
        self._show(BannerState.NOT_INSTALLED, text.strip(), False, True)

    def show_unreachable(self, host: str, reason: str) -> None:
        text = reason.strip() or f"The model server at {host} does not answer."
        self._show(BannerState.UNREACHABLE, text, False, True)

    def show_starting(self, host: str) -> None:
        self._show(BannerState.STARTING, f"Starting Ollama at {host}…", False, False)

    def show_start_failed(self, message: str) -> None:
        self._show(BannerState.START_FAILED, message, True, True)
