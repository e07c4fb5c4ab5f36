"""The project index in the window: progress in the status bar, skipped files, quick open.

Widgets only: the indexing itself runs on the ``TaskRunner`` (see ``MainWindow``), and
the dialogs read the index through ``desktop.assist.navigate`` and ``IndexReader``.
"""

from __future__ import annotations

import re
import sqlite3
import time
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import theme

if TYPE_CHECKING:  # the dialogs load these when they open, not at start-up
    from desktop.assist.navigate import FileMatch, SymbolMatch
    from desktop.index.store import SkippedFile
    from desktop.qt.worker import TaskRunner

if TYPE_CHECKING:  # the indexer (and its parsers) load when a project opens, not at start-up
    from desktop.index.indexer import IndexProgress, IndexSummary

ModelIndex = QModelIndex | QPersistentModelIndex
_LINE_BREAK = re.compile(r"\s*[\r\n]+\s*")
INDEX_REFRESH_S = 1.0  # how often an open quick-open list follows an index being built
MATCH_LIMIT = 50  # rows ``find_files``/``find_symbols`` give at most
SKIPPED_PATH_WIDTH = 320  # pixels the skipped view's path column starts at, at most
SKIPPED_REASON_WIDTH = 300
SKIPPED_WIDTH_SAMPLE = 100  # rows the skipped view's column widths are measured on, at most

SKIP_REASONS = {
    "secret": "may hold secrets (never indexed, never sent)",
    "binary": "binary file",
    "too-large": "too large",
    "minified": "minified (very long lines)",
    "generated": "written by a tool",
    "unreadable": "cannot be read",
    "too-many-files": "past the file limit",
    "link": "a symbolic link (not followed)",
}


def progress_text(progress: IndexProgress) -> str:
    """"Indexing 120 / 900 files · 85 files/s · about 9 s left · src/app.py"."""
    counts, path = progress_parts(progress)
    return f"{counts} · {path}" if path else counts


def progress_parts(progress: IndexProgress) -> tuple[str, str]:
    """The progress as (counts, rate and time left; the current file): the first part
    matters more and is the last to be shortened."""
    if progress.phase == "waiting":
        return "Waiting for another Hearth process to finish updating the index", ""
    if progress.phase == "scanning":
        parts = [f"Scanning the project: {_files(progress.files_done)}"]
    else:
        parts = [f"Indexing {progress.files_done:,} / {_files(progress.files_total)}"]
        if progress.rate > 0:
            parts.append(f"{progress.rate:,.0f} files/s")
        if progress.eta_s is not None and progress.files_done < progress.files_total:
            parts.append(f"about {_duration(progress.eta_s)} left")
    return " · ".join(parts), progress.current_path or ""


def _files(count: int) -> str:
    return _counted(count, "file")


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def summary_text(summary: IndexSummary) -> str:
    """"Index: 1,204 files · 9,876 symbols · 31 skipped"."""
    skipped = sum(summary.skipped.values())
    text = f"Index: {_counted(summary.files_indexed, 'file')} · {_counted(summary.symbols, 'symbol')}"
    return text + (f" · {skipped:,} skipped" if skipped else "")


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    return f"{seconds / 60:.0f} min"


class ElidedLabel(QLabel):
    """A one-line label that shows as much of its text as its width allows, cut in the
    middle: a message's start says what happened and its end which file or why, while
    a long path between matters least. ``text()`` stays the whole text.

    ``set_parts(head, tail)`` shows ``head · tail`` and shortens the tail first, so
    that the head (counts, time left) stays whole as long as it fits at all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._head = ""

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._head = ""
        super().setText(_one_line(text))  # a message may hold line breaks

    def set_parts(self, head: str, tail: str) -> None:
        """Show ``head · tail`` (just ``head`` without a tail), shortening ``tail`` first."""
        self.setText(f"{head} · {tail}" if tail else head)
        self._head = _one_line(head) if tail else ""

    def shown_text(self) -> str:
        """The text as painted at the label's current width."""
        metrics, width, text = self.fontMetrics(), self.contentsRect().width(), self.text()
        if not self._head or metrics.horizontalAdvance(text) <= width:
            return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, width)
        head = self._head + " · "
        room = width - metrics.horizontalAdvance(head)
        if room < metrics.horizontalAdvance("…") * 4:  # no room for a useful part of the tail
            return metrics.elidedText(self._head, Qt.TextElideMode.ElideRight, width)
        return head + metrics.elidedText(text[len(head):], Qt.TextElideMode.ElideMiddle, room)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.minimumWidth(), super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), self.shown_text())


def _one_line(text: str) -> str:
    return _LINE_BREAK.sub(" ", text).strip()


class IndexStatus(QWidget):
    """Index state for the status bar, with Pause/Resume, Cancel and Skipped files."""

    pause_requested = Signal()
    resume_requested = Signal()
    cancel_requested = Signal()
    skipped_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("indexStatus")
        self.label = ElidedLabel(self)
        self.label.setObjectName("indexStatusText")
        self.label.setAccessibleName("Index status")
        self.label.setMinimumWidth(96)
        self.label.setMaximumWidth(760)
        self.pause_button = self._button("Pause", "indexPauseButton", "Pause indexing; what is done is kept")
        self.pause_button.clicked.connect(self._on_pause)
        self.cancel_button = self._button("Cancel", "indexCancelButton", "Stop indexing; what is done is kept")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.skipped_button = self._button("Skipped…", "indexSkippedButton", "Files the index left out, and why")
        self.skipped_button.clicked.connect(self.skipped_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        for widget in (self.label, self.pause_button, self.cancel_button, self.skipped_button):
            layout.addWidget(widget)
        self._paused = False
        self._failed = False
        self.show_idle()

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    @property
    def text(self) -> str:
        return self.label.text()

    @property
    def is_paused(self) -> bool:
        return self._paused

    @property
    def is_failed(self) -> bool:
        """True while the last update's failure is shown (with Retry)."""
        return self._failed

    def show_idle(self) -> None:
        """No project (nothing to show)."""
        self._set("", running=False, done=False)

    def show_progress(self, progress: IndexProgress) -> None:
        """An update is running."""
        self._paused = False
        self._set(progress_text(progress), running=True, done=False)
        self.label.set_parts(*progress_parts(progress))

    def show_done(self, summary: IndexSummary | None) -> None:
        """The index is up to date."""
        self._paused = False
        self._set(summary_text(summary) if summary else "Index up to date", running=False, done=True)

    def show_paused(self) -> None:
        self._paused = True
        self._set("Indexing paused (done so far is kept)", running=False, done=True)
        self.pause_button.setText("Resume")
        self.pause_button.setVisible(True)

    def show_stopped(self) -> None:
        self._paused = False
        self._set("Indexing stopped (done so far is kept)", running=False, done=True)

    def show_failed(self, message: str, hint: str = "") -> None:
        """An update failed; Retry runs it again (only what is not indexed yet is read)."""
        self._paused = False
        self._set(f"Index: {message}", running=False, done=True, tip=f"{message} {hint}".strip())
        self._failed = True
        self.pause_button.setText("Retry")
        self.pause_button.setToolTip("Run the update again; what is indexed already is kept")
        self.pause_button.setVisible(True)

    def _set(self, text: str, *, running: bool, done: bool, tip: str = "") -> None:
        self._failed = False
        self.label.setText(text)
        self.label.setToolTip(tip or text)
        self.pause_button.setText("Pause")
        self.pause_button.setToolTip("Pause indexing; what is done is kept")
        self.pause_button.setVisible(running)
        self.cancel_button.setVisible(running)
        self.skipped_button.setVisible(done)

    def _on_pause(self) -> None:
        if self._paused or self._failed:
            self.resume_requested.emit()
        else:
            self.pause_requested.emit()


class SkippedFilesModel(QAbstractTableModel):
    """The skipped files as table rows (path, reason shown, detail), read when the view
    shows them: a project may skip tens of thousands of files, and an item per cell
    took the GUI thread most of a second to make."""

    HEADERS = ("File", "Reason", "Detail")

    def __init__(self, skipped: Sequence[SkippedFile], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._skipped = skipped  # kept as given: copying it would read every row

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._skipped)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) or not index.isValid():
            return None
        entry = self._skipped[index.row()]
        return (entry.path, SKIP_REASONS.get(entry.reason, entry.reason), entry.detail)[index.column()]


class SkippedFilesDialog(QDialog):
    """The files the index left out: path, reason, detail."""

    def __init__(
        self, skipped: Sequence[SkippedFile], parent: QWidget | None = None, *, building: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("skippedFilesDialog")
        self.setWindowTitle("Skipped Files")
        self.intro = QLabel(_skipped_intro(len(skipped), building), self)
        self.intro.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("skippedTable")
        self.table.setAccessibleName("Skipped files")
        self.table.setModel(SkippedFilesModel(skipped, self.table))
        self.table.verticalHeader().hide()
        # Rows are one line of one font: the view need not measure each one.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a deep path keeps its file name
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(SKIPPED_WIDTH_SAMPLE)
        for column, widest in ((0, SKIPPED_PATH_WIDTH), (1, SKIPPED_REASON_WIDTH)):  # the detail keeps room
            self.table.resizeColumnToContents(column)  # the detail column stretches: not measured
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), widest))
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        self.resize(760, 380)

    def rows(self) -> list[tuple[str, str]]:
        """(path, reason shown) of every row (tests and accessibility)."""
        model = self.table.model()
        return [(model.index(r, 0).data(), model.index(r, 1).data()) for r in range(model.rowCount())]


def _skipped_intro(count: int, building: bool) -> str:
    if count:
        files = "1 file is" if count == 1 else f"{count:,} files are"
        text = f"{files} not in the index. Files that may hold secrets are never indexed and never sent to a model."
    else:
        text = "No files were skipped."
    if building:
        text += " The index is still being built: this lists the files looked at so far."
    return text


class _FilterBox(QLineEdit):
    """The pattern box: Up/Down move in the list below while typing continues here."""

    moved = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.moved.emit(1 if event.key() == Qt.Key.Key_Down else -1)
            return
        super().keyPressEvent(event)


class _Lookups:
    """A quick-open dialog's index connection and its one running lookup.

    Plain Python, not part of the dialog: the worker's callbacks reach it even after the
    dialog is closed and deleted (Qt would drop a deleted widget's slots), so the
    connection is always closed, after the last lookup that uses it.
    """

    def __init__(self, conn: sqlite3.Connection, show: Callable[[object], None], then: Callable[[], None]) -> None:
        self.conn = conn
        self.running = False
        self.closed = False
        self._show: Callable[[object], None] | None = show
        self._then: Callable[[], None] | None = then

    def shown(self, found: object) -> None:
        if self._show is not None:
            self._show(found)

    def ended(self) -> None:
        self.running = False
        if self.closed:
            self.conn.close()
        elif self._then is not None:
            self._then()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._show = self._then = None
        if not self.running:
            self.conn.close()


class QuickOpenDialog(QDialog):
    """Type a few letters, pick a file (``mode="files"``) or a definition (``"symbols"``).

    ``chosen`` carries (relative path, first line, last line); a file is (path, 0, 0).
    Lookups run on ``runner``, one at a time, so typing never waits for a big index:
    when one ends and the pattern changed meanwhile, the newest pattern is looked up
    next, and Enter pressed meanwhile takes the first match for what was typed. The
    dialog owns ``conn`` (a reader of the index) and closes it when it closes.
    """

    chosen = Signal(str, int, int)

    def __init__(
        self, conn: sqlite3.Connection, mode: str, runner: TaskRunner, parent: QWidget | None = None,
        *, building: bool = False, recent: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.conn = conn
        self.mode = mode
        self._recent = tuple(recent)  # files opened lately, newest first: they lead a close call
        self._runner = runner
        self._lookups = _Lookups(conn, self._show, self._after_lookup)
        self._last_pattern: str | None = None  # the pattern of the latest lookup started
        self._accept_when_settled = False
        self.setObjectName("quickOpenDialog" if mode == "files" else "goToSymbolDialog")
        self.setWindowTitle("Open File" if mode == "files" else "Go to Symbol")
        self.box = _FilterBox(self)
        self.box.setObjectName("quickOpenFilter")
        self.box.setAccessibleName("Name to find")
        self.box.setPlaceholderText("File name, e.g. mwin for main_window.py" if mode == "files"
                                    else "Definition name, e.g. opRd for open_reader")
        self.list = QListWidget(self)
        self.list.setObjectName("quickOpenList")
        self.list.setAccessibleName("Matches")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # A long path is cut in the middle, so the file name at its end stays in view.
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(_MatchDelegate(self.list))
        self.note = QLabel(self)
        self.note.setObjectName("quickOpenNote")
        self.note.setWordWrap(True)
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._building = building  # an update is running: the list may grow
        self._refreshed_at = 0.0
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        self.box.textChanged.connect(self._look_up)
        self.box.moved.connect(self._move)
        self.box.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda _item: self.accept_current())
        lookups = self._lookups
        self.finished.connect(lambda _result: lookups.close())
        self.destroyed.connect(lambda: lookups.close())  # deleted with its window, never closed
        self.resize(560, 380)
        self._look_up()

    def matches(self) -> list[str]:
        """The shown rows' text (tests)."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    @property
    def settled(self) -> bool:
        """No lookup is running and the shown matches are for the box's text."""
        return not self._lookups.running and self._last_pattern == self.box.text()

    def index_changed(self, *, building: bool) -> None:
        """The index grew or was updated: look the pattern up again (at most once a
        second while an update is running), and say whether it is still being built."""
        was_building, self._building = self._building, building
        now = time.monotonic()
        if building and was_building and now - self._refreshed_at < INDEX_REFRESH_S:
            return
        self._refreshed_at = now
        self._last_pattern = None  # the shown matches are older than the index now
        self._look_up()

    def _look_up(self) -> None:
        lookups = self._lookups
        if lookups.running or lookups.closed:
            return  # the running lookup starts the next one when it ends
        pattern = self.box.text()
        conn, mode, recent = self.conn, self.mode, self._recent
        lookups.running = True
        self._last_pattern = pattern
        self._runner.run(lambda _token: [_find(conn, mode, pattern, recent)], name="quick-open",
                         on_item=lookups.shown, on_finished=lookups.ended)

    def _after_lookup(self) -> None:
        if self.box.text() != self._last_pattern:
            self._look_up()
        elif self._accept_when_settled:
            self._accept_when_settled = False
            self.accept_current()

    def _show(self, found: object) -> None:
        from desktop.assist.navigate import FileMatch

        self.list.clear()
        for match in found:  # type: ignore[attr-defined] - the list _find returned
            item = QListWidgetItem(_match_text(match))
            item.setData(SEGMENTS_ROLE, match_segments(match))
            if isinstance(match, FileMatch):
                item.setData(Qt.ItemDataRole.UserRole, (match.path, 0, 0))
            else:
                item.setData(Qt.ItemDataRole.UserRole, (match.path, match.start_line, match.end_line))
            item.setToolTip(_match_text(match))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        self.note.setText(self._note_text(self.list.count(), self._last_pattern or ""))
        self.note.setVisible(bool(self.note.text()))

    def _note_text(self, shown: int, pattern: str) -> str:
        """What the list alone does not say: why it is empty, or that it may grow."""
        what = "file" if self.mode == "files" else "definition"
        if shown:
            text = f"The first {shown} matches are shown; type more to narrow them." if shown >= MATCH_LIMIT else ""
        elif pattern.strip():
            text = f"No {what} matches “{pattern.strip()}”."
        else:
            text = "Type part of a definition's name." if self.mode == "symbols" else "The index holds no files yet."
        if self._building:
            text = f"{text} The index is still being built; more {what}s appear as it grows.".strip()
        return text

    def _move(self, step: int) -> None:
        if self.list.count():
            self.list.setCurrentRow(max(0, min(self.list.count() - 1, self.list.currentRow() + step)))

    def accept_current(self) -> None:
        """Open the highlighted match and close (once the matches for what was typed
        have arrived: the list may still show an older pattern's)."""
        if not self.settled:
            self._accept_when_settled = True
            return
        item = self.list.currentItem()
        if item is None:
            return
        path, start, end = item.data(Qt.ItemDataRole.UserRole)
        self.chosen.emit(path, start, end)
        self.accept()


def _find(conn: sqlite3.Connection, mode: str, pattern: str, recent: Sequence[str]) -> Sequence[FileMatch | SymbolMatch]:
    """The matches for ``pattern`` (on the worker); none when the index cannot be read."""
    from desktop.assist.navigate import find_files, find_symbols

    try:
        if mode == "files":
            return find_files(conn, pattern, MATCH_LIMIT, recent=recent)
        return find_symbols(conn, pattern, MATCH_LIMIT)
    except sqlite3.Error:
        return []


SEGMENTS_ROLE = Qt.ItemDataRole.UserRole + 1  # a row's ``match_segments``
ROW_EXTRA_HEIGHT = 4  # pixels a quick-open row gets beyond the style's


def match_segments(match: FileMatch | SymbolMatch) -> tuple[tuple[str, bool, bool], ...]:
    """How a row is drawn, as (text, matched, dim) runs: a file's name, then its folder
    dimmed; a definition's name, then its scope, kind and place dimmed. The letters the
    pattern matched (in the scope too, for ``Class.member``) are ``matched`` (drawn bold)."""
    import unicodedata

    from desktop.assist.navigate import FileMatch

    if isinstance(match, FileMatch):
        path = unicodedata.normalize("NFC", match.path)
        folder, _, name = path.rpartition("/")
        start = len(folder) + 1 if folder else 0
        runs = _marked(name, {p - start for p in match.positions if p >= start}, dim=False)
        if folder:
            runs += [("  ", False, True), *_marked(folder, {p for p in match.positions if p < len(folder)}, dim=True)]
        return tuple(runs)
    runs = _marked(unicodedata.normalize("NFC", match.name), set(match.positions), dim=False)
    runs.append(("  ", False, True))
    if match.scope:
        runs += _marked(unicodedata.normalize("NFC", match.scope), set(match.scope_positions), dim=True)
        runs.append((" · ", False, True))
    runs.append((f"{match.kind}  {match.path}:{match.start_line}", False, True))
    return tuple(runs)


def _marked(text: str, matched: set[int], *, dim: bool) -> list[tuple[str, bool, bool]]:
    """``text`` cut into runs of matched and unmatched letters."""
    return _joined([(char, position in matched, dim) for position, char in enumerate(text)])


ELLIPSIS = "\u2026"


def elide_runs_middle(
    runs: Sequence[tuple[str, bool, bool]], room: int, measure: Callable[[str, bool], int]
) -> list[tuple[str, bool, bool]]:
    """``runs`` cut in the middle to fit ``room`` pixels, with an ellipsis where letters
    were taken out. The letters kept at either end keep their marks, so a folder cut to
    fit still shows which of its letters matched. ``measure(text, matched)`` is a run's
    width; the ellipsis takes the style of the run it replaces."""
    letters = [(char, matched, dim) for text, matched, dim in runs for char in text]
    if sum(measure(text, matched) for text, matched, _dim in runs) <= room:
        return list(runs)
    low, high = 0, len(letters)  # the most letters that fit, found by halving
    while low < high:
        kept = (low + high + 1) // 2
        if _width_of(_cut(letters, kept), measure) <= room:
            low = kept
        else:
            high = kept - 1
    return _joined(_cut(letters, low))


def _cut(letters: list[tuple[str, bool, bool]], kept: int) -> list[tuple[str, bool, bool]]:
    """``kept`` letters, half from each end (the spare one from the end, where a
    folder's most specific part is), with an ellipsis between them."""
    head = kept // 2
    tail = kept - head
    middle = letters[head] if head < len(letters) else letters[-1]
    return [*letters[:head], (ELLIPSIS, False, middle[2]), *letters[len(letters) - tail:]]


def _width_of(letters: Sequence[tuple[str, bool, bool]], measure: Callable[[str, bool], int]) -> int:
    return sum(measure(text, matched) for text, matched, _dim in _joined(letters))


def _joined(letters: Sequence[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    """Neighbouring letters of the same style joined into runs."""
    runs: list[tuple[str, bool, bool]] = []
    for text, matched, dim in letters:
        if runs and runs[-1][1:] == (matched, dim):
            runs[-1] = (runs[-1][0] + text, matched, dim)
        else:
            runs.append((text, matched, dim))
    return runs


class _MatchDelegate(QStyledItemDelegate):
    """Draws a quick-open row from its ``match_segments``: matched letters bold, the
    folder or place dimmed and, when the row is too narrow, cut in the middle."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        runs = index.data(SEGMENTS_ROLE)
        if not runs:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.text = ""
        style = item.widget.style() if item.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, item.widget)
        area = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, item, item.widget).adjusted(3, 0, -3, 0)
        selected = bool(item.state & QStyle.StateFlag.State_Selected)
        painter.save()
        x = area.left()
        for position, (text, matched, dim) in enumerate(runs):
            room = area.right() - x
            if room <= 0:
                break
            rest = runs[position:]
            if dim and all(later[2] for later in rest) and self._width(item.font, rest) > room:
                # The folder or place does not fit: cut it in the middle, keeping its marks.
                measure = self._measure(item.font)
                for cut_text, cut_matched, cut_dim in elide_runs_middle(rest, room, measure):
                    width = measure(cut_text, cut_matched)
                    self._draw(painter, item, QRect(x, area.top(), width, area.height()),
                               cut_text, cut_matched, cut_dim, selected)
                    x += width
                break
            font = self._font(item.font, matched)
            if QFontMetrics(font).horizontalAdvance(text) > room:
                text = QFontMetrics(font).elidedText(text, Qt.TextElideMode.ElideRight, room)
            width = QFontMetrics(font).horizontalAdvance(text)
            self._draw(painter, item, QRect(x, area.top(), width, area.height()), text, matched, dim, selected)
            x += width
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802 - Qt override
        # Room below the baseline for an underscore of the bold runs, which the plain
        # row's height leaves at its very edge, under the next row's background.
        size = super().sizeHint(option, index)
        return QSize(size.width(), size.height() + ROW_EXTRA_HEIGHT)

    @staticmethod
    def _font(base: QFont, matched: bool) -> QFont:
        font = QFont(base)
        font.setBold(matched)
        return font

    def _width(self, base: QFont, runs: Sequence[tuple[str, bool, bool]]) -> int:
        measure = self._measure(base)
        return sum(measure(text, matched) for text, matched, _dim in runs)

    def _measure(self, base: QFont) -> Callable[[str, bool], int]:
        plain, bold = QFontMetrics(self._font(base, False)), QFontMetrics(self._font(base, True))
        return lambda text, matched: (bold if matched else plain).horizontalAdvance(text)

    def _draw(self, painter: QPainter, item: QStyleOptionViewItem, rect: QRect, text: str,
              matched: bool, dim: bool, selected: bool) -> None:
        if selected:
            colour = item.palette.color(QPalette.ColorRole.HighlightedText)
        elif matched:
            colour = theme.accent_text(item.palette)
        else:
            colour = item.palette.color(QPalette.ColorRole.PlaceholderText if dim else QPalette.ColorRole.Text)
        painter.setFont(self._font(item.font, matched))
        painter.setPen(colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, text)


def _match_text(match: FileMatch | SymbolMatch) -> str:
    from desktop.assist.navigate import FileMatch

    if isinstance(match, FileMatch):
        return match.path
    qualified = f"{match.scope}.{match.name}" if match.scope else match.name
    return f"{qualified}  ({match.kind})  {match.path}:{match.start_line}"

