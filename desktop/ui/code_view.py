"""The read-only code view: line numbers, lazy pygments highlighting, find, go to line.

Loading never blocks the GUI thread: the file is read, its ``QTextDocument`` built and
its tokens lexed on the one worker (``TaskRunner``); the GUI thread only attaches the
finished document and applies colours to the blocks on screen as they scroll into view.
Large or minified files are shown plain, and very long lines are cut into display rows
(the gutter shows the real line number; copying joins them again), because laying out a
single megabyte-long line would freeze any text widget.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from PySide6.QtCore import QCoreApplication, QEvent, QMimeData, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QLabel,
    QPlainTextDocumentLayout,
    QPlainTextEdit,
    QStackedWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.cancel import CancelToken
from desktop.core.errors import HearthError
from desktop.index.files import normalize_newlines
from desktop.qt.worker import TaskRunner, Worker
from desktop.ui import theme
from desktop.ui.find_bar import FindBar

DISPLAY_ROW_CHARS = 1000  # long lines of unhighlighted files are cut into rows this long
PLAIN_NOTICE = "Large/minified file — shown without highlighting"
DELETED_NOTICE = "This file was deleted on disk — showing the last version Hearth read."
EMPTY_MESSAGE = "Open a file from the project tree (Enter or double-click)."

Run = tuple[int, int, Any]  # start, length (UTF-16 units), pygments token type


# --- pure helpers (no widgets; run on the worker) -------------------------------------


def lines_text(start: int, end: int) -> str:
    """"line 5" or "lines 5–7": a place in a file, as messages name it."""
    return f"line {start}" if start >= end else f"lines {start}–{end}"



def split_long_lines(text: str, width: int = DISPLAY_ROW_CHARS) -> tuple[str, list[int] | None]:
    """Cut lines longer than ``width`` into rows.

    Returns the display text and, per display row, its 0-based source line — or None
    when no line needed cutting (rows and lines are then the same).
    """
    lines = text.split("\n")
    if all(len(line) <= width for line in lines):
        return text, None
    rows: list[str] = []
    line_of_row: list[int] = []
    for number, line in enumerate(lines):
        if len(line) <= width:
            rows.append(line)
            line_of_row.append(number)
            continue
        for start in range(0, len(line), width):
            rows.append(line[start:start + width])
            line_of_row.append(number)
    return "\n".join(rows), line_of_row


def utf16_len(text: str) -> int:
    """Length as Qt counts it (astral characters take two units)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def highlight_runs(text: str, filename: str, cancel: CancelToken | None = None) -> tuple[str, dict[int, tuple[Run, ...]]]:
    """Lex ``text`` with the pygments lexer for ``filename``: (lexer name, runs per line).

    Multi-line tokens (docstrings, block comments) are split at newlines, so each line
    gets its colours without re-lexing from the top.
    """
    from pygments.lexers import get_lexer_for_filename
    from pygments.token import Text, Whitespace
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_filename(filename, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return "Plain text", {}
    runs: dict[int, list[Run]] = {}
    line, column = 0, 0
    plain = (Text, Whitespace)
    for count, (_, token_type, value) in enumerate(lexer.get_tokens_unprocessed(text)):
        if cancel is not None and count % 2000 == 0:
            cancel.raise_if_cancelled()
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                line, column = line + 1, 0
            if not piece:
                continue
            length = utf16_len(piece)
            if token_type not in plain:
                runs.setdefault(line, []).append((column, length, token_type))
            column += length
    return lexer.name, {number: tuple(items) for number, items in runs.items()}


@dataclass(frozen=True)
class LoadedText:
    """A file read and laid into a document on the worker, ready to show."""

    request: int
    path: Path
    text: str  # the file's text with normalised newlines
    document: QTextDocument
    line_count: int
    highlight_ok: bool
    line_of_row: tuple[int, ...] | None = None  # set when long lines were cut


@dataclass(frozen=True)
class HighlightResult:
    """Token runs for a loaded file (second item of a load)."""

    request: int
    lexer_name: str
    runs: dict[int, tuple[Run, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FindResult:
    """Where the current match is: ``index`` 0-based (-1: none selected) of ``total``."""

    index: int
    total: int


def _load_work(path: Path, request: int):
    def work(token: CancelToken) -> Iterator[object]:
        from desktop.index.files import read_text_file

        loaded = read_text_file(path)
        token.raise_if_cancelled()
        text = normalize_newlines(loaded.text)
        display, line_of_row = (text, None) if loaded.highlight_ok else split_long_lines(text)
        document = QTextDocument()
        document.setUndoRedoEnabled(False)
        document.setPlainText(display)
        # Built here, shown there: hand the document to the GUI thread before emitting.
        document.moveToThread(QCoreApplication.instance().thread())
        yield LoadedText(request, path, text, document, loaded.line_count, loaded.highlight_ok,
                         tuple(line_of_row) if line_of_row is not None else None)
        if loaded.highlight_ok:
            lexer_name, runs = highlight_runs(text, path.name, token)
            yield HighlightResult(request, lexer_name, runs)

    return work


# --- widgets ----------------------------------------------------------------------------


class _Gutter(QWidget):
    def __init__(self, editor: "CodeEditor") -> None:
        super().__init__(editor)
        self._editor = editor
        self.setAccessibleName("Line numbers")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Read-only text with a line-number gutter, current-line highlight and lazy colours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeEditor")
        self.setAccessibleName("Code")
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._gutter = _Gutter(self)
        self.line_of_row: tuple[int, ...] | None = None
        self.line_count = 1
        self._runs: dict[int, tuple[Run, ...]] = {}
        self._formats: dict[Any, QTextCharFormat] = {}
        self._coloured: set[int] = set()
        self._colouring = False
        self.blockCountChanged.connect(self.refresh_gutter)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self.highlight_current_line)
        self.set_code_font(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).pointSizeF())

    # font and gutter

    def set_code_font(self, point_size: float) -> None:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setStyleHint(QFont.StyleHint.Monospace)
        if point_size > 0:
            font.setPointSizeF(point_size)
        self.setFont(font)
        self.document().setDefaultFont(font)
        self.setTabStopDistance(4 * self.fontMetrics().horizontalAdvance(" "))
        self.refresh_gutter()

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.line_count)))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def refresh_gutter(self, *_: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def source_line(self, block_number: int) -> int:
        """0-based source line shown in display row ``block_number``."""
        if self.line_of_row is None:
            return block_number
        return self.line_of_row[min(block_number, len(self.line_of_row) - 1)]

    def first_row_of_line(self, line: int) -> int:
        """Display row where 0-based source ``line`` starts."""
        if self.line_of_row is None:
            return line
        return bisect.bisect_left(self.line_of_row, line)

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        painter.setFont(self.font())
        current = self.textCursor().blockNumber()
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self._gutter.width() - 6
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        bright = palette.color(QPalette.ColorRole.Text)
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber()
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                line = self.source_line(number)
                continued = number > 0 and self.source_line(number - 1) == line
                label = "↪" if continued else str(line + 1)
                painter.setPen(bright if number == current else dim)
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight, label)
            block = block.next()
            top = bottom
        painter.end()

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        self.colour_visible_blocks()

    @property
    def gutter(self) -> QWidget:
        """The line-number strip; subclasses paint it in ``paint_gutter``."""
        return self._gutter

    def highlight_current_line(self) -> None:
        """Tint the cursor's line (subclasses may narrow when)."""
        selection = QTextEdit.ExtraSelection()
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(40)
        selection.format.setBackground(colour)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = self.textCursor()
        cursor.clearSelection()
        selection.cursor = cursor
        self.setExtraSelections([selection])
        self._gutter.update()

    # lazy highlighting

    def set_runs(self, runs: dict[int, tuple[Run, ...]]) -> None:
        """Colour runs per block; applied to blocks as they become visible."""
        self._runs = runs
        self._coloured = set()
        self._formats = {}
        self.colour_visible_blocks()

    def restyle(self) -> None:
        """The appearance changed: rebuild colours from the current pygments style."""
        self._formats = {}
        self._coloured = set()
        self.colour_visible_blocks()

    @property
    def coloured_blocks(self) -> int:
        return len(self._coloured)

    def colour_visible_blocks(self) -> None:
        if not self._runs or self._colouring:
            return
        self._colouring = True
        try:
            dirty = []
            block = self.firstVisibleBlock()
            top = self.blockBoundingGeometry(block).translated(self.contentOffset()).top()
            limit = self.viewport().height()
            while block.isValid() and top <= limit:
                number = block.blockNumber()
                if number not in self._coloured:
                    self._coloured.add(number)
                    ranges = [self._range(*run) for run in self._runs.get(number, ())]
                    block.layout().setFormats(ranges)
                    dirty.append(block)
                top += self.blockBoundingRect(block).height()
                block = block.next()
            for changed in dirty:
                self.document().markContentsDirty(changed.position(), changed.length())
        finally:
            self._colouring = False

    def _range(self, start: int, length: int, token_type: Any) -> QTextLayout.FormatRange:
        span = QTextLayout.FormatRange()
        span.start = start
        span.length = length
        span.format = self._format_for(token_type)
        return span

    def _format_for(self, token_type: Any) -> QTextCharFormat:
        cached = self._formats.get(token_type)
        if cached is not None:
            return cached
        from pygments.styles import get_style_by_name

        style = get_style_by_name(theme.code_style_name(self.palette()))
        spec = style.style_for_token(token_type)
        char_format = QTextCharFormat()
        if spec.get("color"):
            char_format.setForeground(QColor(f"#{spec['color']}"))
        if spec.get("bold"):
            char_format.setFontWeight(QFont.Weight.Bold)
        if spec.get("italic"):
            char_format.setFontItalic(True)
        self._formats[token_type] = char_format
        return char_format

    # copy without the cuts made for display

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt API
        # Fill the object Qt made: the clipboard takes ownership of what we return, and a
        # Python-made QMimeData would then be freed twice at exit.
        data = super().createMimeDataFromSelection()
        data.setText(self.selected_source_text())
        return data

    def selected_source_text(self) -> str:
        """The selection as it is in the file (display rows of one line joined again)."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return ""
        if self.line_of_row is None:
            return cursor.selection().toPlainText()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        document = self.document()
        block = document.findBlock(start)
        parts: list[str] = []
        while block.isValid() and block.position() <= end:
            text = block.text()
            lo = max(start - block.position(), 0)
            hi = min(end - block.position(), len(text))
            if parts:
                joins = self.source_line(block.blockNumber()) == self.source_line(block.blockNumber() - 1)
                parts.append("" if joins else "\n")
            parts.append(text[lo:hi])
            block = block.next()
        return "".join(parts)


class CodeView(QWidget):
    """File header, notice line, the editor (or a message) and the find bar."""

    file_loaded = Signal(object)  # Path
    load_failed = Signal(object, object)  # Path, HearthError
    highlighted = Signal(object)  # Path, after colours arrived
    context_menu_requested = Signal(object)  # QPoint (global): right-click on the code; the window builds the menu

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeView")
        self.setAccessibleName("Code view")
        self._runner = runner
        self._request = 0
        self._worker: Worker | None = None
        self._path: Path | None = None
        self._document: QTextDocument | None = None
        self._text = ""
        self._lexer_name = ""
        self._deleted = False
        self._matches: tuple[str, list[int], int] = ("", [], 0)
        self.header = QLabel("", self)
        self.header.setObjectName("codeHeader")
        self.header.setAccessibleName("Open file")
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice = QLabel("", self)
        self.notice.setObjectName("codeNotice")
        self.notice.setAccessibleName("File notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.editor = CodeEditor(self)
        self.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.editor.customContextMenuRequested.connect(self._on_context_menu)
        self.message = QLabel(EMPTY_MESSAGE, self)
        self.message.setObjectName("codeMessage")
        self.message.setAccessibleName("Code view message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self.message)
        self._stack.addWidget(self.editor)
        self.find_bar = FindBar(self)
        self.find_bar.search_changed.connect(self._on_search_changed)
        self.find_bar.step_requested.connect(lambda backwards: self.find_step(backwards))
        self.find_bar.closed.connect(self.editor.setFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget in (self.header, self.notice):
            widget.setContentsMargins(8, 3, 8, 3)
            layout.addWidget(widget)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.find_bar)
        self.setFocusProxy(self.editor)

    # state

    @property
    def current_path(self) -> Path | None:
        return self._path

    @property
    def text(self) -> str:
        """The shown file's text (newlines normalised)."""
        return self._text

    @property
    def is_showing_file(self) -> bool:
        return self._stack.currentWidget() is self.editor

    @property
    def lexer_name(self) -> str:
        return self._lexer_name

    @property
    def is_loading(self) -> bool:
        return self._worker is not None

    def current_line(self) -> int:
        """1-based line of the cursor."""
        return self.editor.source_line(self.editor.textCursor().blockNumber()) + 1

    def selected_text(self) -> str:
        return self.editor.selected_source_text()

    def selected_line_range(self) -> tuple[int, int] | None:
        """1-based first and last line of the selection, or None."""
        cursor = self.editor.textCursor()
        if not cursor.hasSelection():
            return None
        document = self.editor.document()
        first = document.findBlock(cursor.selectionStart()).blockNumber()
        end_block = document.findBlock(cursor.selectionEnd())
        last = end_block.blockNumber()
        if last > first and cursor.selectionEnd() == end_block.position():
            last -= 1  # a selection ending at the start of a line does not include it
        return self.editor.source_line(first) + 1, self.editor.source_line(last) + 1

    # loading

    def open_file(self, path: Path) -> None:
        """Load ``path`` in the background; the old content stays until it arrives."""
        self._start_load(path)

    def reload(self) -> None:
        """Read the open file again (it changed on disk), keeping the scroll position."""
        if self._path is not None:
            self._start_load(self._path)

    def clear(self) -> None:
        """Show nothing (no project or the project closed)."""
        self._cancel_load()
        self._path = None
        self._text = ""
        self.header.setText("")
        self._show_message(EMPTY_MESSAGE)

    def _cancel_load(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    def _start_load(self, path: Path) -> None:
        self._cancel_load()
        self._request += 1
        request = self._request
        self._worker = self._runner.run(
            _load_work(path, request),
            name="load-file",
            on_item=self._on_loaded_item,
            on_error=lambda error: self._on_load_error(request, path, error),
            on_finished=lambda: self._on_load_finished(request),
        )

    def _on_load_finished(self, request: int) -> None:
        if request == self._request:
            self._worker = None

    def _on_loaded_item(self, item: object) -> None:
        if isinstance(item, LoadedText) and item.request == self._request:
            self._show_loaded(item)
        elif isinstance(item, HighlightResult) and item.request == self._request:
            self._lexer_name = item.lexer_name
            self._update_header()
            self.editor.set_runs(item.runs)
            if self._path is not None:
                self.highlighted.emit(self._path)

    def _show_loaded(self, item: LoadedText) -> None:
        same_file = item.path == self._path and self.is_showing_file
        scroll = self.editor.verticalScrollBar().value() if same_file else 0
        hscroll = self.editor.horizontalScrollBar().value() if same_file else 0
        position = self.editor.textCursor().position() if same_file else 0
        document = item.document
        document.setDefaultFont(self.editor.font())
        document.setDocumentLayout(QPlainTextDocumentLayout(document))
        self.editor.line_of_row = item.line_of_row
        self.editor.line_count = item.line_count
        self.editor.set_runs({})
        self.editor.setDocument(document)
        self.editor.refresh_gutter()
        self.editor.setTabStopDistance(4 * self.editor.fontMetrics().horizontalAdvance(" "))
        document.setParent(self)  # Qt owns it from here: deleted with the view, never at interpreter exit
        if self._document is not None:
            self._document.deleteLater()
        self._document = document
        self._path = item.path
        self._text = item.text
        self._deleted = False
        self._matches = ("", [], 0)
        self._lexer_name = "" if item.highlight_ok else "Plain text"
        self._stack.setCurrentWidget(self.editor)
        self._set_notice("" if item.highlight_ok else PLAIN_NOTICE)
        self._update_header()
        cursor = QTextCursor(document)
        cursor.setPosition(min(position, max(0, document.characterCount() - 1)))
        self.editor.setTextCursor(cursor)
        self.editor.verticalScrollBar().setValue(scroll)
        self.editor.horizontalScrollBar().setValue(hscroll)
        self.file_loaded.emit(item.path)

    def _on_load_error(self, request: int, path: Path, error: HearthError) -> None:
        if request != self._request:
            return
        self._path = path
        self._text = ""
        self.header.setText(path.name)
        self._set_notice("")
        self._show_message(f"{error.message}\n{error.hint}".strip())
        self.load_failed.emit(path, error)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self._stack.setCurrentWidget(self.message)

    def _set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _update_header(self) -> None:
        if self._path is None:
            self.header.setText("")
            return
        lines = self.editor.line_count
        parts = [self._path.name, self._lexer_name, f"{lines:,} line{'s' if lines != 1 else ''}"]
        self.header.setText("  ·  ".join(part for part in parts if part))
        self.header.setToolTip(str(self._path))

    def mark_deleted(self) -> None:
        """The open file is gone from disk: say so, keep showing the last text."""
        self._deleted = True
        self._set_notice(DELETED_NOTICE)

    @property
    def is_marked_deleted(self) -> bool:
        return self._deleted

    @property
    def notice_text(self) -> str:
        return "" if self.notice.isHidden() else self.notice.text()

    # right-click

    def _on_context_menu(self, position: QPoint) -> None:
        """Right-click: outside the selection it moves the cursor there first, so the
        actions work on the symbol that was clicked (the position is in viewport coordinates)."""
        cursor = self.editor.textCursor()
        clicked = self.editor.cursorForPosition(position)
        inside = cursor.hasSelection() and cursor.selectionStart() <= clicked.position() <= cursor.selectionEnd()
        if not inside:
            self.editor.setTextCursor(clicked)
        self.context_menu_requested.emit(self.editor.viewport().mapToGlobal(position))

    # find and go to line

    def show_find(self) -> None:
        """Open the find bar, seeded with a one-line selection."""
        selection = self.selected_text()
        self.find_bar.open_bar(selection if selection and "\n" not in selection else "")

    def _on_search_changed(self, query: str) -> None:
        self._matches = ("", [], 0)
        if not query:
            self.find_bar.clear_counter()
            return
        cursor = self.editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self.editor.setTextCursor(cursor)
        self.find(query)

    def _match_positions(self, query: str) -> tuple[list[int], int]:
        cached_query, positions, length = self._matches
        if cached_query == query:
            return positions, length
        display = self.editor.document().toPlainText()
        pattern = re.compile(re.escape(query), re.IGNORECASE)
        positions = [m.start() for m in pattern.finditer(display)]
        if not display.isascii():
            positions = _to_utf16_offsets(display, positions)
        length = utf16_len(query)
        self._matches = (query, positions, length)
        return positions, length

    def find(self, query: str, backwards: bool = False) -> FindResult:
        """Select the next (or previous) match of ``query`` from the cursor, wrapping."""
        if not query or not self.is_showing_file:
            return FindResult(-1, 0)
        positions, length = self._match_positions(query)
        if not positions:
            self.find_bar.set_counter(-1, 0)
            return FindResult(-1, 0)
        cursor = self.editor.textCursor()
        if backwards:
            index = bisect.bisect_left(positions, cursor.selectionStart()) - 1
            index = index if index >= 0 else len(positions) - 1
        else:
            start = cursor.selectionEnd() if cursor.hasSelection() else cursor.position()
            index = bisect.bisect_left(positions, start)
            index = index if index < len(positions) else 0
        found = QTextCursor(self.editor.document())
        found.setPosition(positions[index])
        found.setPosition(positions[index] + length, QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(found)
        self.editor.centerCursor()
        self.find_bar.set_counter(index, len(positions))
        return FindResult(index, len(positions))

    def find_step(self, backwards: bool = False) -> FindResult:
        """Next/previous match of what the find bar holds (opens it if empty)."""
        if not self.find_bar.text:
            self.show_find()
            return FindResult(-1, 0)
        return self.find(self.find_bar.text, backwards)

    def go_to_line(self, line: int) -> bool:
        """Put the cursor at the start of 1-based ``line``; False if out of range."""
        if not self.is_showing_file or not 1 <= line <= self.editor.line_count:
            return False
        row = self.editor.first_row_of_line(line - 1)
        block = self.editor.document().findBlockByNumber(row)
        cursor = QTextCursor(block)
        self.editor.setTextCursor(cursor)
        self.editor.centerCursor()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    # appearance

    def set_code_font_size(self, point_size: float) -> None:
        self.editor.set_code_font(point_size)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange:
            self.editor.restyle()
        super().changeEvent(event)


def _to_utf16_offsets(text: str, positions: list[int]) -> list[int]:
    """Convert code-point offsets (sorted) to UTF-16 offsets in one pass."""
    converted: list[int] = []
    extra = 0
    previous = 0
    for position in positions:
        extra += sum(1 for char in text[previous:position] if ord(char) > 0xFFFF)
        converted.append(position + extra)
        previous = position
    return converted
