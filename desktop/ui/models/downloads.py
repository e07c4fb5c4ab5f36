"""One running (or finished) model download: progress bar, bytes/speed/time left, Cancel."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from desktop.core.errors import HearthError
from desktop.engine.models import RESUME_NOTE, PullProgress
from desktop.ui import theme
from desktop.ui.models.pull_progress import PullStatus, PullTracker


class PullRow(QFrame):
    """Shows one pull; the dialog feeds it progress and the outcome."""

    cancel_requested = Signal(str)  # the tag
    dismissed = Signal(str)

    def __init__(self, tag: str, clock: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tag = tag
        self.setObjectName("pullRow")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._clock = clock
        self._tracker = PullTracker()
        self.status: PullStatus = PullStatus("starting")
        self.outcome = ""  # "", "done", "cancelled", "failed"
        self.title = QLabel(f"Pulling <b>{tag}</b>", self)
        self.bar = QProgressBar(self)
        self.bar.setObjectName("pullProgress")
        self.bar.setRange(0, 0)  # busy until the first size arrives
        self.bar.setAccessibleName(f"Download progress of {tag}")
        self.detail = QLabel("Starting…", self)
        self.detail.setObjectName("pullDetail")
        self.detail.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("pullCancel")
        self.cancel_button.setToolTip(f"Stop downloading {tag}. {RESUME_NOTE}")
        self.cancel_button.clicked.connect(self._on_cancel)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)

    def add_progress(self, progress: PullProgress) -> None:
        """Fold in one progress line from the server."""
        self.status = self._tracker.update(progress, self._clock())
        if self.status.total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * self.status.completed / self.status.total))
        self.detail.setText(self.status.describe())

    def finish(self) -> None:
        self._end("done", f"Pulled <b>{self.tag}</b>", "Downloaded and ready to use.")
        self.bar.setRange(0, 1000)
        self.bar.setValue(1000)

    def cancelled(self) -> None:
        self._end("cancelled", f"Stopped pulling <b>{self.tag}</b>", f"Cancelled. {RESUME_NOTE}")

    def failed(self, error: HearthError) -> None:
        text = f"{error.message} {error.hint}".strip()
        self._end("failed", f"Could not pull <b>{self.tag}</b>", text)
        self.detail.setStyleSheet(f"color: {'#ff8a80' if theme.is_dark() else '#b3261e'};")

    def _end(self, outcome: str, title: str, detail: str) -> None:
        self.outcome = outcome
        self.title.setText(title)
        self.detail.setText(detail)
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Dismiss")
        self.cancel_button.setToolTip("Remove this line")

    def _on_cancel(self) -> None:
        if self.outcome:
            self.dismissed.emit(self.tag)
        else:
            self.cancel_button.setEnabled(False)
            self.detail.setText("Stopping…")
            self.cancel_requested.emit(self.tag)
