"""The review dialog for an edit: the answer as it streams in, then the diff, hunk by hunk.

While the model writes, its raw answer is shown as plain text with a Stop button. When
the answer is complete the dialog shows the proposal as an inline diff: each real change
(a ``Hunk`` from ``compute_hunks``) with a few unchanged lines around it, old and new
line numbers, syntax colours from the code view's highlighter, and an "Accept" box.
Apply (Ctrl+Enter) asks for the accepted hunks to be written; Esc / Cancel writes
nothing. The dialog only shows and asks — ``EditFlow`` does the work and tells it what
happened (an error, the file changed on disk, a syntax problem the user must override).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShortcut,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.assist.edits.diff import compute_hunks, split_lines
from desktop.assist.edits.model import (
    METHOD_SEARCH_EXACT,
    METHOD_SEARCH_FUZZY,
    METHOD_SEARCH_WHITESPACE,
    METHOD_WHOLE_FILE,
    METHOD_WHOLE_REGION,
    EditProposal,
    Hunk,
    NoUsableEdit,
)
from desktop.core.cancel import CancelToken
from desktop.core.errors import HearthError
from desktop.ui import theme
from desktop.ui.code_view import CodeEditor, Run, highlight_runs, lines_text

CONTEXT_LINES = 3  # unchanged lines shown before and after each change

ROW_HEADER = "header"
ROW_CONTEXT = "context"
ROW_REMOVED = "removed"
ROW_ADDED = "added"

# Tints per appearance: (light, dark).
_TINTS = {
    ROW_REMOVED: ("#ffebe9", "#4a2125"),
    ROW_ADDED: ("#dafbe1", "#1f3d29"),
    ROW_HEADER: ("#e8edf3", "#2e3540"),
    "rejected": ("#f1f1f1", "#2c2c2c"),
}
_MARKS = {
    ROW_REMOVED: ("#cf222e", "#ff7b72"),
    ROW_ADDED: ("#1a7f37", "#56d364"),
}


# --- what the dialog shows (built off the GUI thread) ---------------------------------


@dataclass(frozen=True)
class DiffRow:
    """One displayed row of the inline diff (lines are 1-based; None where not shown)."""

    kind: str  # ROW_HEADER | ROW_CONTEXT | ROW_REMOVED | ROW_ADDED
    text: str
    hunk: int  # the Hunk.index this row belongs to
    old_line: int | None = None
    new_line: int | None = None


@dataclass(frozen=True)
class ReviewData:
    """A proposal with its hunks, the rows of its inline diff and their colour runs."""

    proposal: EditProposal
    hunks: tuple[Hunk, ...]
    rows: tuple[DiffRow, ...]
    runs: dict[int, tuple[Run, ...]] = field(default_factory=dict)  # row number -> runs
    problem_hunks: frozenset[int] = frozenset()  # hunks holding a reported syntax problem


def prepare_review(proposal: EditProposal, cancel: CancelToken | None = None,
                   context: int = CONTEXT_LINES) -> ReviewData:
    """Hunks, diff rows and syntax colours for ``proposal`` (pure; runs on the worker)."""
    base_text = proposal.base.text
    hunks = compute_hunks(base_text, proposal.new_text)
    rows = diff_rows(base_text, hunks, context)
    name = proposal.target.path.name
    _, base_runs = highlight_runs(base_text, name, cancel)
    _, new_runs = highlight_runs(proposal.new_text, name, cancel)
    runs: dict[int, tuple[Run, ...]] = {}
    for number, row in enumerate(rows):
        if row.kind == ROW_ADDED and row.new_line is not None:
            found = new_runs.get(row.new_line - 1)
        elif row.kind in (ROW_CONTEXT, ROW_REMOVED) and row.old_line is not None:
            found = base_runs.get(row.old_line - 1)
        else:
            found = None
        if found:
            runs[number] = found
    problem_hunks: dict[int, int] = {}  # hunk -> first problem line in it
    for problem in proposal.syntax_problems:
        hunk = _hunk_of_line(hunks, problem.line)
        if hunk is not None:
            problem_hunks.setdefault(hunk, problem.line)
    rows = [replace(row, text=f"{row.text} · ⚠ syntax error at line {problem_hunks[row.hunk]}")
            if row.kind == ROW_HEADER and row.hunk in problem_hunks else row for row in rows]
    return ReviewData(proposal, hunks, tuple(rows), runs, frozenset(problem_hunks))


def diff_rows(base_text: str, hunks: tuple[Hunk, ...], context: int = CONTEXT_LINES) -> list[DiffRow]:
    """The inline diff: per hunk a header, up to ``context`` lines around it, its lines.

    Context never repeats a line already shown for the previous hunk and never shows a
    line another hunk changes.
    """
    base = split_lines(base_text)
    last_line = len(base) - 1 if base_text.endswith("\n") else len(base)
    rows: list[DiffRow] = []
    shown_until = 0  # last base line already on screen
    for position, hunk in enumerate(hunks):
        base_end = hunk.base_start + len(hunk.base_lines) - 1  # == base_start - 1 for insertions
        shift = hunk.new_start - hunk.base_start
        rows.append(DiffRow(ROW_HEADER, _header_text(hunk, len(hunks)), hunk.index))
        for line in range(max(shown_until + 1, hunk.base_start - context), hunk.base_start):
            rows.append(DiffRow(ROW_CONTEXT, base[line - 1], hunk.index, line, line + shift))
        for offset, text in enumerate(hunk.base_lines):
            rows.append(DiffRow(ROW_REMOVED, text, hunk.index, old_line=hunk.base_start + offset))
        for offset, text in enumerate(hunk.new_lines):
            rows.append(DiffRow(ROW_ADDED, text, hunk.index, new_line=hunk.new_start + offset))
        following = hunks[position + 1].base_start - 1 if position + 1 < len(hunks) else last_line
        after_shift = hunk.new_start + len(hunk.new_lines) - (base_end + 1)
        stop = min(base_end + context, following, last_line)
        for line in range(base_end + 1, stop + 1):
            rows.append(DiffRow(ROW_CONTEXT, base[line - 1], hunk.index, line, line + after_shift))
        shown_until = max(stop, base_end)
    return rows


def _header_text(hunk: Hunk, total: int) -> str:
    removed, added = len(hunk.base_lines), len(hunk.new_lines)
    if not removed:
        where = f"insert before line {hunk.base_start}"
    else:
        where = lines_text(hunk.base_start, hunk.base_start + removed - 1)
    return f"Change {hunk.index + 1} of {total} · {where} · −{removed} +{added}"


def _hunk_of_line(hunks: tuple[Hunk, ...], new_line: int) -> int | None:
    """The hunk whose new lines hold ``new_line`` (else the nearest one before it)."""
    best: int | None = None
    for hunk in hunks:
        if hunk.new_start <= new_line < hunk.new_start + max(1, len(hunk.new_lines)):
            return hunk.index
        if hunk.new_start <= new_line:
            best = hunk.index
    return best


# --- the inline diff view -------------------------------------------------------------


class DiffView(CodeEditor):
    """All hunks in one read-only view; an "Accept" box sits on each hunk's header row.

    J/K or Down/Up move between hunks, Space toggles the current one.
    """

    toggled = Signal(int, bool)  # hunk index, accepted
    current_changed = Signal(int)  # hunk index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffView")
        self.setAccessibleName("Changes")
        self._rows: tuple[DiffRow, ...] = ()
        self._header_rows: list[int] = []  # row number of each hunk's header, by position
        self._hunk_ids: list[int] = []  # Hunk.index by position
        self._accepted: dict[int, bool] = {}
        self._checks: dict[int, QCheckBox] = {}
        self._problem_hunks: frozenset[int] = frozenset()
        self._current = 0
        self._digits = 3
        self.setCursorWidth(0)  # the current hunk's header row is highlighted instead
        self.updateRequest.connect(lambda *_: self._place_checks())

    # content

    def show_review(self, review: ReviewData) -> None:
        """Show ``review``'s rows; every hunk starts accepted."""
        for check in self._checks.values():
            check.deleteLater()
        self._rows = review.rows
        self._problem_hunks = review.problem_hunks
        self._header_rows = [n for n, row in enumerate(review.rows) if row.kind == ROW_HEADER]
        self._hunk_ids = [review.rows[n].hunk for n in self._header_rows]
        self._accepted = {index: True for index in self._hunk_ids}
        numbers = [n for row in review.rows for n in (row.old_line, row.new_line) if n is not None]
        self._digits = max(2, len(str(max(numbers, default=1))))
        self.line_count = len(review.rows)
        self.setPlainText("\n".join(row.text for row in review.rows))
        self._checks = {index: self._make_check(index) for index in self._hunk_ids}
        self._style_rows()
        self.set_runs(review.runs)
        self.refresh_gutter()
        self._current = 0
        if self._header_rows:
            self.go_to_hunk(0)
        self._place_checks()

    def _make_check(self, index: int) -> QCheckBox:
        check = QCheckBox("Accept", self.viewport())
        check.setObjectName(f"acceptHunk{index}")
        check.setAccessibleName(f"Accept change {index + 1}")
        check.setToolTip("Accept this change (Space)")
        check.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the view handles the keyboard
        check.setChecked(True)
        check.toggled.connect(lambda on, index=index: self.set_accepted(index, on))
        check.show()
        return check

    @property
    def hunk_indexes(self) -> tuple[int, ...]:
        return tuple(self._hunk_ids)

    @property
    def rows(self) -> tuple[DiffRow, ...]:
        return self._rows

    def accepted_indexes(self) -> tuple[int, ...]:
        """The Hunk.index values the user accepts, in order."""
        return tuple(index for index in self._hunk_ids if self._accepted.get(index))

    def is_accepted(self, index: int) -> bool:
        return bool(self._accepted.get(index))

    def check_box(self, index: int) -> QCheckBox:
        """The "Accept" box of hunk ``index`` (tests, accessibility)."""
        return self._checks[index]

    def set_accepted(self, index: int, accepted: bool) -> None:
        """Accept or reject hunk ``index``."""
        if index not in self._accepted or self._accepted[index] == accepted:
            return
        self._accepted[index] = accepted
        check = self._checks[index]
        if check.isChecked() != accepted:
            check.blockSignals(True)
            check.setChecked(accepted)
            check.blockSignals(False)
        self._style_rows()
        self.toggled.emit(index, accepted)

    def set_all(self, accepted: bool) -> None:
        for index in self._hunk_ids:
            self.set_accepted(index, accepted)

    # keyboard navigation

    @property
    def current_hunk(self) -> int | None:
        """The Hunk.index the keyboard is on (None without hunks)."""
        return self._hunk_ids[self._current] if self._hunk_ids else None

    def go_to_hunk(self, position: int) -> None:
        """Put the cursor on the header of the hunk at ``position`` (0-based, clamped)."""
        if not self._header_rows:
            return
        self._current = max(0, min(position, len(self._header_rows) - 1))
        block = self.document().findBlockByNumber(self._header_rows[self._current])
        self.setTextCursor(QTextCursor(block))
        self.centerCursor()
        self.current_changed.emit(self._hunk_ids[self._current])

    def step(self, delta: int) -> None:
        self.go_to_hunk(self._current + delta)

    def toggle_current(self) -> None:
        index = self.current_hunk
        if index is not None:
            self.set_accepted(index, not self._accepted[index])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        plain = not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier)
        if plain and key in (Qt.Key.Key_J, Qt.Key.Key_Down):
            self.step(1)
        elif plain and key in (Qt.Key.Key_K, Qt.Key.Key_Up):
            self.step(-1)
        elif plain and key == Qt.Key.Key_Space:
            self.toggle_current()
        else:
            super().keyPressEvent(event)

    # painting

    def _style_rows(self) -> None:
        dark = theme.is_dark(self.palette())
        block = self.document().firstBlock()
        cursor = QTextCursor(self.document())
        for row in self._rows:
            if not block.isValid():
                break
            if row.kind == ROW_CONTEXT:
                tint = None
            elif row.kind == ROW_HEADER:
                tint = _TINTS[ROW_HEADER]
            elif self._accepted.get(row.hunk):
                tint = _TINTS[row.kind]
            else:
                tint = _TINTS["rejected"]
            block_format = QTextBlockFormat()
            if tint is not None:
                block_format.setBackground(QColor(tint[1] if dark else tint[0]))
            cursor.setPosition(block.position())
            cursor.setBlockFormat(block_format)
            if row.kind == ROW_HEADER:
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                header_format = QTextCharFormat()
                header_format.setFontWeight(QFont.Weight.DemiBold)
                header_format.setForeground(self.palette().color(QPalette.ColorRole.Text))
                cursor.setCharFormat(header_format)
                cursor.clearSelection()
            block = block.next()
        self.viewport().update()
        self.gutter.update()

    def gutter_width(self) -> int:
        return 14 + self.fontMetrics().horizontalAdvance("9") * (2 * getattr(self, "_digits", 3) + 3)

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self.gutter)
        palette = self.palette()
        dark = theme.is_dark(palette)
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        painter.setFont(self.font())
        advance = self.fontMetrics().horizontalAdvance("9")
        column = advance * self._digits + 4
        height = self.fontMetrics().height()
        dim = palette.color(QPalette.ColorRole.PlaceholderText)
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber()
            bottom = top + round(self.blockBoundingRect(block).height())
            if number < len(self._rows) and bottom >= event.rect().top():
                row = self._rows[number]
                if row.kind == ROW_HEADER:
                    colour = QColor(_TINTS[ROW_HEADER][1 if dark else 0])
                    painter.fillRect(0, top, self.gutter.width(), bottom - top, colour)
                else:
                    painter.setPen(dim)
                    if row.old_line is not None:
                        painter.drawText(2, top, column, height, Qt.AlignmentFlag.AlignRight, str(row.old_line))
                    if row.new_line is not None:
                        painter.drawText(column + 4, top, column, height, Qt.AlignmentFlag.AlignRight,
                                         str(row.new_line))
                    if row.kind in _MARKS:
                        accepted = self._accepted.get(row.hunk)
                        mark = QColor(_MARKS[row.kind][1 if dark else 0]) if accepted else dim
                        painter.setPen(mark)
                        painter.drawText(2 * column + 10, top, advance * 2, height, Qt.AlignmentFlag.AlignLeft,
                                         "−" if row.kind == ROW_REMOVED else "+")
            block = block.next()
            top = bottom
        painter.end()

    def _place_checks(self) -> None:
        if not self._checks:
            return
        offset = self.contentOffset()
        width = self.viewport().width()
        for position, row_number in enumerate(self._header_rows):
            check = self._checks.get(self._hunk_ids[position])
            if check is None:
                continue
            block = self.document().findBlockByNumber(row_number)
            geometry = self.blockBoundingGeometry(block).translated(offset)
            hint = check.sizeHint()
            x = max(0, width - hint.width() - 8)
            y = round(geometry.top() + (geometry.height() - hint.height()) / 2)
            if check.pos().x() != x or check.pos().y() != y or check.size() != hint:
                check.setGeometry(x, y, hint.width(), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place_checks()

    def highlight_current_line(self) -> None:
        # The current hunk's header row is highlighted only while the keys act on it.
        super().highlight_current_line()
        if not self.hasFocus():
            self.setExtraSelections([])

    def focusInEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.highlight_current_line()

    def focusOutEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.highlight_current_line()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._rows:
            self._style_rows()
            self.restyle()


# --- the dialog -----------------------------------------------------------------------


class _Banner(QFrame):
    """A warning strip: a message and, optionally, a control on the right."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setObjectName(f"{name}Text")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(8, 6, 8, 6)
        self.layout_.addWidget(self.label, 1)
        self.setAutoFillBackground(True)
        self.hide()

    def set_message(self, title: str, detail: str = "", code: str = "") -> None:
        """Show ``title`` in bold, ``detail`` under it and ``code`` (file lines) as-is."""
        parts = [f"<b>{html.escape(title)}</b>"]
        if detail:
            parts.append(html.escape(detail).replace("\n", "<br/>"))
        text = "<br/>".join(parts)
        if code:
            text += f"<pre>{html.escape(code)}</pre>"
        self.label.setText(text)
        self.setAccessibleDescription(" ".join(part for part in (title, detail, code) if part))
        self._tint()
        self.show()

    def _tint(self) -> None:
        palette = self.palette()
        dark = theme.is_dark(palette)
        palette.setColor(QPalette.ColorRole.Window, QColor("#4d3a12" if dark else "#fff4d6"))
        self.setPalette(palette)


def method_description(method: str) -> str:
    """How the model's answer was read, in words for the review's info line."""
    return _METHOD_WORDS.get(method, f"Read as: {method}")


_METHOD_WORDS = {
    METHOD_WHOLE_REGION: "The answer replaces the selected lines",
    METHOD_WHOLE_FILE: "The answer is the whole new file",
    METHOD_SEARCH_EXACT: "Search/replace blocks, each found exactly",
    METHOD_SEARCH_WHITESPACE: "Search/replace blocks, found ignoring whitespace",
    METHOD_SEARCH_FUZZY: "Search/replace blocks, found by a close match (check the diff)",
}


class DiffReviewDialog(QDialog):
    """Review one edit: streamed answer → inline diff → Apply the accepted hunks."""

    apply_requested = Signal(object, bool)  # accepted Hunk.index values (tuple), allow syntax errors
    rerun_requested = Signal()
    stop_requested = Signal()

    def __init__(self, title: str, relative: str, lines: tuple[int, int] | None, model: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("diffReviewDialog")
        self.setWindowTitle(f"{title} — {relative}")
        self.setAccessibleName("Review edit")
        self.setModal(False)
        self._review: ReviewData | None = None
        self._streaming = False
        self._force_override = False
        self._busy = False
        self._stale = False
        self._build(title, relative, lines, model)
        self.resize(900, 640)

    # --- layout -------------------------------------------------------------------

    def _build(self, title: str, relative: str, lines: tuple[int, int] | None, model: str) -> None:
        self.title_label = QLabel(f"<b>{html.escape(title)}</b>", self)
        self.title_label.setObjectName("editTitle")
        self._where = (relative, "whole file" if lines is None else lines_text(*lines))
        self.target_label = QLabel(self)
        self.set_model(model)
        self.target_label.setObjectName("editTarget")
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("editStatus")
        self.status_label.setAccessibleName("Status")
        self.notes_label = QLabel("", self)
        self.notes_label.setObjectName("editNotes")
        self.notes_label.setAccessibleName("How the answer was read")
        self.notes_label.setWordWrap(True)
        small = self.notes_label.font()
        small.setPointSizeF(max(small.pointSizeF() * 0.9, 7.0))
        self.notes_label.setFont(small)
        self.notes_label.hide()

        self.problem_banner = _Banner("editProblemBanner", self)
        self.problem_banner.setAccessibleName("Problem")
        self.rerun_button = QPushButton("&Run again", self.problem_banner)
        self.rerun_button.setObjectName("rerunButton")
        self.rerun_button.setAutoDefault(False)
        self.rerun_button.clicked.connect(self.rerun_requested)
        self.problem_banner.layout_.addWidget(self.rerun_button, 0, Qt.AlignmentFlag.AlignTop)

        self.syntax_banner = _Banner("syntaxBanner", self)
        self.syntax_banner.setAccessibleName("Syntax warning")
        self.override_box = QCheckBox("Apply &anyway", self.syntax_banner)
        self.override_box.setObjectName("applyAnyway")
        self.override_box.toggled.connect(lambda _: self._update_buttons())
        self.syntax_banner.layout_.addWidget(self.override_box, 0, Qt.AlignmentFlag.AlignTop)

        self.answer_view = QPlainTextEdit(self)
        self.answer_view.setObjectName("answerView")
        self.answer_view.setAccessibleName("The model's answer")
        self.answer_view.setReadOnly(True)
        self.answer_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.answer_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view = DiffView(self)
        self.diff_view.toggled.connect(lambda *_: self._update_buttons())
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("acceptedCount")
        self.count_label.setAccessibleName("Accepted changes")
        self.accept_all_button = self._button("Accept a&ll", "acceptAll", "Accept every change")
        self.reject_all_button = self._button("R&eject all", "rejectAll", "Reject every change")
        self.accept_all_button.clicked.connect(lambda: self.diff_view.set_all(True))
        self.reject_all_button.clicked.connect(lambda: self.diff_view.set_all(False))
        diff_page = QWidget(self)
        diff_layout = QVBoxLayout(diff_page)
        diff_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.accept_all_button)
        bar.addWidget(self.reject_all_button)
        diff_layout.addLayout(bar)
        diff_layout.addWidget(self.diff_view, 1)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.answer_view)
        self.pages.addWidget(diff_page)

        self.stop_button = self._button("&Stop", "stopButton", "Stop the model")
        self.stop_button.clicked.connect(self._on_stop)
        self.cancel_button = self._button("Cancel", "cancelButton", "Close without changing the file (Esc)")
        self.cancel_button.clicked.connect(self.reject)
        self.apply_button = self._button("&Apply", "applyButton", "Write the accepted changes (Ctrl+Enter)")
        self.apply_button.clicked.connect(self.request_apply)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)

        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.title_label)
        header.addWidget(self.target_label)
        header.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.problem_banner)
        layout.addWidget(self.syntax_banner)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.pages, 1)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.request_apply)
        self._update_buttons()

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)  # Enter must never apply an edit by accident
        return button

    # --- what the flow tells the dialog ------------------------------------------------

    def set_model(self, model: str) -> None:
        """Name the model that writes this edit in the header (a re-run may use another)."""
        parts = [*self._where] + ([model] if model else [])
        self.target_label.setText("  ·  ".join(html.escape(p) for p in parts))

    def begin_streaming(self, status: str = "Waiting for the model…") -> None:
        """Show the (empty) answer page with a Stop button."""
        self._review = None
        self._streaming = True
        self._stale = False
        self._force_override = False
        self.answer_view.clear()
        self.problem_banner.hide()
        self.syntax_banner.hide()
        self.notes_label.hide()
        self.pages.setCurrentIndex(0)
        self.set_status(status)
        self._update_buttons()

    def append_answer(self, text: str) -> None:
        """Add a piece of the model's answer as it arrives."""
        cursor = self.answer_view.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.answer_view.ensureCursorVisible()
        self.set_status(f"The model is writing… {len(self.answer_view.toPlainText()):,} characters")

    def show_review(self, review: ReviewData) -> None:
        """The answer is complete and parsed: show its diff for review."""
        self._review = review
        self._streaming = False
        self._stale = False
        self._force_override = False
        self.problem_banner.hide()
        proposal = review.proposal
        notes = [method_description(proposal.method), *proposal.notes]
        self.notes_label.setText("  ·  ".join(notes))
        self.notes_label.setToolTip("\n".join(notes))
        self.notes_label.show()
        self.override_box.setChecked(False)
        if proposal.syntax_problems:
            first = proposal.syntax_problems[0]
            more = len(proposal.syntax_problems) - 1
            detail = f"{more} more problem{'s' if more != 1 else ''} after it." if more > 0 else ""
            self.syntax_banner.set_message(
                f"This edit introduces a syntax error at line {first.line}: {first.message}", detail)
        else:
            self.syntax_banner.hide()
        self.diff_view.show_review(review)
        self.pages.setCurrentIndex(1)
        self.set_status("Review the changes, then Apply (Ctrl+Enter) or Cancel (Esc).")
        self._update_buttons()
        self.diff_view.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, error: HearthError, *, can_rerun: bool = True) -> None:
        """The answer could not become an edit (or the model failed): say so plainly."""
        self._streaming = False
        closest = error.closest if isinstance(error, NoUsableEdit) else ()  # where a SEARCH block came closest
        self.problem_banner.set_message(error.message, error.hint,
                                        ("Closest lines in the file:\n" + "\n".join(closest)) if closest else "")
        self.rerun_button.setVisible(can_rerun)
        self.set_status("Nothing was changed.")
        self._update_buttons()

    def show_changed_on_disk(self, error: HearthError) -> None:
        """Apply found the file changed since the proposal: nothing written, offer a re-run."""
        self._stale = True  # the diff stays visible for reference but can no longer be applied
        self.problem_banner.set_message(error.message, error.hint or "Run the action again on the current file.")
        self.rerun_button.setVisible(True)
        self.syntax_banner.hide()
        self.set_status("The file was not written.")
        self._update_buttons()

    def show_syntax_refusal(self, error: HearthError) -> None:
        """Apply was refused for syntax errors in the accepted changes: ask for the override."""
        self._force_override = True
        self.override_box.setChecked(False)
        self.syntax_banner.set_message(error.message, error.hint)
        self._update_buttons()

    def show_stopped(self) -> None:
        self._streaming = False
        self.problem_banner.set_message("Stopped.", "The model was stopped before it finished; nothing was changed.")
        self.rerun_button.setVisible(True)
        self.set_status("Stopped.")
        self._update_buttons()

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)

    def set_busy(self, busy: bool) -> None:
        """While the edit is being written: no second Apply."""
        self._busy = busy
        if busy:
            self.set_status("Writing the file…")
        self._update_buttons()

    # --- state for the flow and tests ------------------------------------------------

    @property
    def review(self) -> ReviewData | None:
        return self._review

    @property
    def is_streaming(self) -> bool:
        return self._streaming

    @property
    def answer_text(self) -> str:
        return self.answer_view.toPlainText()

    @property
    def status_text(self) -> str:
        return self.status_label.text()

    @property
    def problem_text(self) -> str:
        """The problem banner's text ("" when hidden)."""
        return "" if self.problem_banner.isHidden() else self.problem_banner.accessibleDescription()

    @property
    def syntax_text(self) -> str:
        """The syntax warning's text ("" when hidden)."""
        return "" if self.syntax_banner.isHidden() else self.syntax_banner.accessibleDescription()

    @property
    def notes_text(self) -> str:
        return "" if self.notes_label.isHidden() else self.notes_label.text()

    @property
    def count_text(self) -> str:
        return self.count_label.text()

    def accepted_indexes(self) -> tuple[int, ...]:
        return self.diff_view.accepted_indexes()

    @property
    def can_apply(self) -> bool:
        return self.apply_button.isEnabled()

    # --- actions -----------------------------------------------------------------------

    def request_apply(self) -> None:
        """Emit ``apply_requested`` with the accepted hunks (when Apply is allowed)."""
        if not self.can_apply or self._review is None:
            return
        allow = self.override_box.isChecked() and not self.syntax_banner.isHidden()
        self.apply_requested.emit(self.accepted_indexes(), allow)

    def _on_stop(self) -> None:
        if self._streaming:
            self.stop_requested.emit()

    def _needs_override(self) -> bool:
        if self._review is None:
            return False
        if self._force_override:
            return True
        accepted = set(self.accepted_indexes())
        # Problems that fall inside rejected hunks do not block; apply_edit re-checks.
        return bool(self._review.problem_hunks & accepted) or (
            bool(self._review.proposal.syntax_problems) and not self._review.problem_hunks and bool(accepted))

    def _update_buttons(self) -> None:
        review = self._review
        total = len(review.hunks) if review is not None else 0
        accepted = len(self.accepted_indexes()) if review is not None else 0
        self.count_label.setText(f"{accepted} of {total} change{'s' if total != 1 else ''} accepted")
        live = review is not None and not self._stale
        self.stop_button.setVisible(self._streaming)
        self.accept_all_button.setEnabled(live and accepted < total)
        self.reject_all_button.setEnabled(live and accepted > 0)
        blocked = self._needs_override() and not self.override_box.isChecked()
        self.override_box.setEnabled(live)
        self.apply_button.setEnabled(live and accepted > 0 and not blocked and not self._busy)
        self.cancel_button.setText("Cancel" if live or self._streaming else "Close")
