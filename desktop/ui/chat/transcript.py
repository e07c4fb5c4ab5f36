"""The transcript: every message of a conversation, with a live streaming answer.

Finished messages are rendered once. A streaming answer is updated at most every
``FLUSH_INTERVAL_MS`` (tokens are coalesced): completed Markdown blocks are appended
once, only the open tail is removed and inserted again, so an update costs the same
at token 10 and token 10,000.
"""

from __future__ import annotations

import html
import time
from urllib.parse import quote
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from PySide6.QtCore import QEvent, QMimeData, QTimer, QUrl, QUrlQuery, Signal
from PySide6.QtGui import (QDesktopServices, QGuiApplication, QPalette, QTextBlockFormat, QTextCharFormat,
                           QTextCursor)
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop.core.chat import ChatStats
from desktop.ui import theme
from desktop.ui.chat.markdown import APPLY_SCHEME, COPY_SCHEME, CodeStyle, MarkdownRenderer, StreamingMarkdown
from desktop.ui.chat.references import CodeTarget, find_location, split_action_question

if TYPE_CHECKING:  # annotations only; keeps the assist layer out of start-up
    from desktop.assist.context import ContextItem, ContextPlan
    from desktop.assist.conversations import StoredMessage

FLUSH_INTERVAL_MS = 40
TOGGLE_SCHEME = "reasoning"
PROMPT_SCHEME = "prompt"  # prompt:<message index> shows or hides a code action's full prompt
OPEN_SCHEME = "hearth-open"  # hearth-open:<relative path>[?symbol=<name>]#L<start>-<end>


def open_link(item: ContextItem) -> str:
    """The transcript link that opens a context item's lines in the code view."""
    # The name lets the window find the definition again after the file changed.
    symbol = f"?symbol={quote(item.symbol, safe='')}" if item.symbol else ""
    return f"{OPEN_SCHEME}:{quote(item.path)}{symbol}#L{item.start_line}-{item.end_line}"


CHIP_SYMBOL_CHARS = 32  # a longer symbol name is cut in its middle on a chip (the tooltip has it whole)


def chip_label(item: ContextItem, folders: int = 0) -> str:
    """"app.py:3–9 main": the file name (with its last ``folders`` folders), lines and
    symbol of a context item."""
    if item.source == "map":
        return "project outline"
    name = "/".join(item.path.split("/")[-1 - folders:])
    lines = f"{item.start_line}" if item.start_line == item.end_line else f"{item.start_line}–{item.end_line}"
    symbol = item.symbol or ""
    if len(symbol) > CHIP_SYMBOL_CHARS:
        half = (CHIP_SYMBOL_CHARS - 1) // 2
        symbol = f"{symbol[:half]}…{symbol[-half:]}"
    return f"{name}:{lines}" + (f" {symbol}" if symbol else "")


def chip_labels(items: Sequence[ContextItem]) -> list[str]:
    """``chip_label`` of each item, with as many folders as it takes to tell apart two
    files of the same name (``src/util.py`` and ``docs/util.py``)."""
    labels = []
    for item in items:
        folders = 0
        others = {i.path for i in items if i.source != "map" and i.path != item.path}
        while item.source != "map" and folders < item.path.count("/") and any(
            "/".join(other.split("/")[-1 - folders:]) == "/".join(item.path.split("/")[-1 - folders:])
            for other in others
        ):
            folders += 1
        labels.append(chip_label(item, folders))
    return labels


def stats_text(stats: ChatStats) -> str:
    """"N tokens · X tok/s" for the line under an answer."""
    return f"{stats.eval_count} tokens · {stats.tokens_per_second:.1f} tok/s"


def status_text(view: StoredMessage) -> str:
    """The small line under an assistant message: stats, or why it is incomplete."""
    if view.incomplete:
        reason = "stopped" if view.error in ("", "Stopped") else f"error: {view.error}"
        return f"(incomplete — {reason})"
    parts = [view.model] if view.model else []
    if view.stats is not None:
        parts.append(stats_text(view.stats))
        if view.stats.truncated:
            parts.append("cut off at the length limit")
    return " · ".join(parts)


@dataclass
class _LiveAnswer:
    """State of the answer being streamed."""

    start: int  # document position where the answer (its header) begins
    body_start: int  # where the thinking section / answer body begins
    tail_start: int  # where the re-rendered tail begins
    stream: StreamingMarkdown
    first_code_id: int = 0
    model: str = ""
    target: CodeTarget | None = None  # what "Apply" on its code blocks edits
    thinking: str = ""
    pending_text: list[str] = field(default_factory=list)
    pending_thinking: list[str] = field(default_factory=list)
    completed_html: list[str] = field(default_factory=list)
    shown_chars: int = 0


class Transcript(QTextBrowser):
    """Read-only rich-text view of a conversation."""

    copied = Signal(str)  # code copied to the clipboard
    location_requested = Signal(str, int, int, str)  # relative path, first line, last line, symbol or "" (a chip)
    updated = Signal(int, float)  # after each render of the live answer: characters shown, seconds spent
    apply_requested = Signal(str, object)  # "Apply" under a code block: the code, its CodeTarget

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcript")
        self.setAccessibleName("Conversation transcript")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.anchorClicked.connect(self._on_anchor)
        self._views: list[StoredMessage] = []
        self._expanded: set[int] = set()
        self._codes: list[str] = []
        self._apply_targets: dict[int, CodeTarget] = {}  # code id -> the place "Apply" edits
        self._live: _LiveAnswer | None = None
        self._tail_codes: list[str] = []
        self._renderer = MarkdownRenderer(self._code_style())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(FLUSH_INTERVAL_MS)
        self._timer.timeout.connect(self.flush)
        self._apply_stylesheet()

    # --- public API -------------------------------------------------------------------

    @property
    def views(self) -> tuple[StoredMessage, ...]:
        return tuple(self._views)

    @property
    def is_live(self) -> bool:
        return self._live is not None

    @property
    def live_text(self) -> str:
        """The answer text received so far (shown or about to be)."""
        if self._live is None:
            return ""
        return self._live.stream.text + "".join(self._live.pending_text)

    @property
    def live_thinking(self) -> str:
        if self._live is None:
            return ""
        return self._live.thinking + "".join(self._live.pending_thinking)

    def code_block(self, code_id: int) -> str | None:
        """Source of a code block by its copy id, or None."""
        codes = self._all_codes()
        return codes[code_id] if 0 <= code_id < len(codes) else None

    def set_messages(self, views: Sequence[StoredMessage]) -> None:
        """Show these messages (drops any live answer)."""
        self._timer.stop()
        self._live = None
        self._views = list(views)
        self._expanded = {i for i in self._expanded if i < len(self._views)}
        self._rebuild()

    def append_message(self, view: StoredMessage) -> None:
        """Append one finished message (e.g. the question just sent)."""
        self._views.append(view)
        cursor = self._end_cursor()
        html_text, codes = self._message_html(len(self._views) - 1, view, len(self._codes))
        self._insert(cursor, html_text)
        self._codes.extend(codes)
        self._scroll_to_end()

    def apply_target(self, code_id: int) -> CodeTarget | None:
        """The file and lines "Apply" on code block ``code_id`` would edit (None: unknown)."""
        return self._apply_targets.get(code_id) if self.code_block(code_id) is not None else None

    def begin_answer(self, model: str = "", target: CodeTarget | None = None) -> None:
        """Start showing a streaming answer below the last message.

        ``target`` is what the question was about (the selection sent with it); without
        one, a place named in the question is used (see ``references``).
        """
        target = target or self._question_target(len(self._views))
        cursor = self._end_cursor()
        start = cursor.position()
        self._insert(cursor, self._header_html("assistant", model))
        body = self._end_cursor().position()
        stream = StreamingMarkdown(self._renderer, first_code_id=len(self._codes))
        self._live = _LiveAnswer(start=start, body_start=body, tail_start=body, stream=stream,
                                 first_code_id=len(self._codes), model=model, target=target)
        self._scroll_to_end()

    def append_text(self, text: str) -> None:
        """Queue streamed answer text; shown at the next flush."""
        if self._live is not None and text:
            self._live.pending_text.append(text)
            self._schedule()

    def append_thinking(self, text: str) -> None:
        """Queue streamed reasoning text."""
        if self._live is not None and text:
            self._live.pending_thinking.append(text)
            self._schedule()

    def flush(self) -> None:
        """Render everything queued so far."""
        self._timer.stop()
        live = self._live
        if live is None:
            return
        started = time.perf_counter()
        thinking_changed = bool(live.pending_thinking)
        if thinking_changed:
            live.thinking += "".join(live.pending_thinking)
            live.pending_thinking.clear()
        if live.pending_text:
            live.stream.feed("".join(live.pending_text))
            live.pending_text.clear()
        self._renderer.apply_links = live.target is not None
        update = live.stream.update()
        if update.completed.html:
            live.completed_html.append(update.completed.html)
            self._codes.extend(update.completed.code_blocks)
        self._tail_codes = list(update.tail.code_blocks)
        self._note_targets(live.first_code_id, len(self._all_codes()), live.target)
        at_bottom = self._is_at_bottom()
        if thinking_changed:
            self._rewrite_live_body(update.tail.html)
        else:
            self._replace_tail(update.completed.html, update.tail.html)
        live.shown_chars = len(live.stream.text)
        if at_bottom:
            self._scroll_to_end()
        self.updated.emit(live.shown_chars, time.perf_counter() - started)

    def finish_answer(self, view: StoredMessage) -> None:
        """End the live answer: it is already rendered, so only the status line is added.

        Streamed and one-shot rendering give the same HTML (see ``markdown``), so the
        answer is not rendered a second time, which would stall on long answers. Only if
        the final text differs from what streamed is the message rendered again.
        """
        live = self._live
        if live is None:
            self.append_message(view)
            return
        self.flush()
        self._live = None
        self._views.append(view)
        target = self._answer_target(len(self._views) - 1, view)
        if view.content != live.stream.text or view.thinking != live.thinking or target != live.target:
            self._codes = self._codes[: live.first_code_id]
            self._tail_codes = []
            cursor = self._cursor_from(live.start)
            html_text, codes = self._message_html(len(self._views) - 1, view, len(self._codes))
            self._insert(cursor, html_text)
            self._codes.extend(codes)
        else:
            self._codes.extend(self._tail_codes)
            self._tail_codes = []
            status = self._status_html(view)
            if status:
                self._insert(self._end_cursor(), status)
        self._scroll_to_end()

    def discard_answer(self) -> None:
        """Remove the live answer entirely (it failed before any text arrived)."""
        live = self._live
        if live is None:
            return
        self._timer.stop()
        self._live = None
        self._tail_codes = []
        self._codes = self._codes[: live.first_code_id]
        self._cursor_from(live.start)

    # --- rendering --------------------------------------------------------------------

    def _schedule(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _replace_tail(self, completed_html: str, tail_html: str) -> None:
        live = self._live
        assert live is not None
        cursor = self._cursor_from(live.tail_start)
        if completed_html:
            self._insert(cursor, completed_html)
            cursor = self._end_cursor()
            live.tail_start = cursor.position()
        if tail_html:
            self._insert(cursor, tail_html)

    def _rewrite_live_body(self, tail_html: str) -> None:
        """Re-render the reasoning section and everything after it (rare: reasoning grew)."""
        live = self._live
        assert live is not None
        cursor = self._cursor_from(live.body_start)
        index = len(self._views)
        if live.thinking:
            self._insert(cursor, self._thinking_html(index, live.thinking))
            cursor = self._end_cursor()
        if live.completed_html:
            self._insert(cursor, "".join(live.completed_html))
            cursor = self._end_cursor()
        live.tail_start = cursor.position()
        if tail_html:
            self._insert(cursor, tail_html)

    def _rebuild(self) -> None:
        """Render all finished messages (and the live answer's current state) from scratch."""
        self._codes = []
        self._apply_targets = {}
        parts = []
        for index, view in enumerate(self._views):
            html_text, codes = self._message_html(index, view, len(self._codes))
            parts.append(html_text)
            self._codes.extend(codes)
        self.document().setHtml("".join(parts))
        live = self._live
        if live is not None:
            self._restart_live(live)
        self._scroll_to_end()

    def _restart_live(self, live: _LiveAnswer) -> None:
        """Put the live answer back at the end of a freshly built document."""
        text = live.stream.text
        live.stream = StreamingMarkdown(self._renderer, first_code_id=len(self._codes))
        live.first_code_id = len(self._codes)
        live.completed_html = []
        live.pending_text.insert(0, text)
        live.pending_thinking.insert(0, live.thinking)
        live.thinking = ""
        cursor = self._end_cursor()
        live.start = cursor.position()
        self._insert(cursor, self._header_html("assistant", live.model))
        live.body_start = live.tail_start = self._end_cursor().position()
        self.flush()

    def _all_codes(self) -> list[str]:
        return self._codes + self._tail_codes

    def _message_html(self, index: int, view: StoredMessage, first_code_id: int) -> tuple[str, tuple[str, ...]]:
        parts = [self._header_html(view.role, view.model if view.role == "assistant" else "")]
        codes: tuple[str, ...] = ()
        if view.role == "user":
            parts.append(self._question_html(index, view.content))
        else:
            if view.thinking:
                parts.append(self._thinking_html(index, view.thinking))
            target = self._answer_target(index, view)
            self._renderer.apply_links = target is not None
            rendered = self._renderer.render(view.content, first_code_id)
            parts.append(rendered.html)
            codes = rendered.code_blocks
            self._note_targets(first_code_id, first_code_id + len(codes), target)
            parts.append(self._status_html(view))
        return "".join(parts), codes

    def _question_html(self, index: int, content: str) -> str:
        """A typed question as typed; a code action's question as its label, the prompt behind a toggle."""
        action = split_action_question(content)
        if action is None:
            return _plain_html(content)
        label, prompt = action
        expanded = index in self._expanded
        lines = len(prompt.splitlines())
        toggle = (f'<a href="{PROMPT_SCHEME}:{index}" style="font-size:small;">'
                  f'{"▾" if expanded else "▸"} Prompt</a>'
                  f' <span style="color:{self._muted_color()}; font-size:small;">({lines} lines)</span>')
        head = f"<p>{html.escape(label)}&nbsp;&nbsp;{toggle}</p>"
        if not expanded:
            return head
        return head + f'<p style="color:{self._muted_color()}; margin-left:12px;">{_escape_lines(prompt)}</p>'

    # --- what "Apply" edits ------------------------------------------------------------

    def _answer_target(self, index: int, view: StoredMessage) -> CodeTarget | None:
        """The selection the answer was given, else the place its question names."""
        if view.context is not None:
            for item in view.context.items:
                if item.source == "selection" and item.path:
                    return CodeTarget(item.path, item.start_line, item.end_line)
        return self._question_target(index)

    def _question_target(self, index: int) -> CodeTarget | None:
        """A place named by the last question before message ``index``."""
        question = next((view for view in reversed(self._views[:index]) if view.role == "user"), None)
        if question is None:
            return None
        action = split_action_question(question.content)
        return find_location(action[0] if action is not None else question.content)

    def _note_targets(self, first: int, end: int, target: CodeTarget | None) -> None:
        for code_id in range(first, end):
            if target is None:
                self._apply_targets.pop(code_id, None)
            else:
                self._apply_targets[code_id] = target

    def _status_html(self, view: StoredMessage) -> str:
        status = status_text(view)
        parts = [self._context_html(view.context)] if view.context is not None else []
        if status:
            parts.append(f'<p style="color:{self._muted_color()}; font-size:small;">{html.escape(status)}</p>')
        return "".join(parts)

    def _context_html(self, plan: ContextPlan) -> str:
        """Chips for the code the answer was given, then "N of M tokens" (and trimming)."""
        muted = self._muted_color()
        chips = []
        for item, label in zip(plan.items, chip_labels(plan.items)):
            label = html.escape(label).replace(" ", "&nbsp;")
            chip = (f'<span style="background-color:{self._chip_color()}; white-space:nowrap;">'
                    f"&nbsp;{label}&nbsp;</span>")
            if item.source == "map":
                chips.append(f'<span style="color:{muted};">{chip}</span>')
            else:
                title = html.escape(f"{item.path} lines {item.start_line}–{item.end_line}")
                chips.append(f'<a href="{html.escape(open_link(item))}" title="{title}">{chip}</a>')
        given = "Given the file listing" if plan.listing else "Given:"
        head = f'<span style="color:{muted};">{given}</span> ' + " ".join(chips) if chips or plan.listing else ""
        summary = html.escape(plan.summary())
        lines = [head] if head else []
        lines.append(f'<span style="color:{muted};">{summary}</span>')
        return f'<p style="font-size:small;">{"<br/>".join(lines)}</p>'

    def _chip_color(self) -> str:
        return "#3a3d41" if theme.is_dark(self.palette()) else "#e9edf3"


    def _header_html(self, role: str, model: str) -> str:
        name = "You" if role == "user" else "Assistant"
        return f'<p style="margin-top:12px; margin-bottom:2px;"><b>{name}</b></p>'

    def _thinking_html(self, index: int, thinking: str) -> str:
        expanded = index in self._expanded
        arrow = "▾" if expanded else "▸"
        label = "Reasoning"
        words = len(thinking.split())
        head = (f'<p style="margin-bottom:2px;"><a href="{TOGGLE_SCHEME}:{index}">{arrow} {label}</a>'
                f' <span style="color:{self._muted_color()}; font-size:small;">({words} words)</span></p>')
        if not expanded:
            return head
        return head + f'<p style="color:{self._muted_color()}; margin-left:12px;"><i>{_escape_lines(thinking)}</i></p>'

    # --- cursor helpers ---------------------------------------------------------------

    def _end_cursor(self) -> QTextCursor:
        """A cursor at the start of a new, invisible separator block at the end."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        if cursor.block().length() > 1:
            cursor.insertBlock(_separator_format(), QTextCharFormat())
        else:
            cursor.setBlockFormat(_separator_format())
        return cursor

    def _cursor_from(self, position: int) -> QTextCursor:
        """A cursor at ``position`` (a separator block) after deleting everything after it."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(position)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.setBlockFormat(_separator_format())
        cursor.setCharFormat(QTextCharFormat())
        return cursor

    @staticmethod
    def _insert(cursor: QTextCursor, html_text: str) -> None:
        """Insert HTML at a separator block.

        Qt merges the first block of inserted HTML into the current block and drops its
        block format (heading and paragraph margins); a leading zero-width paragraph
        takes that place, so every real block keeps its format.
        """
        cursor.insertHtml(_SEPARATOR_HTML + html_text)

    def plain_text(self) -> str:
        """The transcript as plain text (without the invisible separators)."""
        return self.toPlainText().replace(_ZWSP, "")

    def createMimeDataFromSelection(self) -> QMimeData:  # noqa: N802 - Qt override
        data = QMimeData()
        data.setText(self.textCursor().selection().toPlainText().replace(_ZWSP, ""))
        return data

    def _is_at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def _scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    # --- links, appearance -------------------------------------------------------------

    def _on_anchor(self, url: QUrl) -> None:
        scheme, _, rest = url.toString().partition(":")
        if scheme == COPY_SCHEME and rest.isdigit():
            code = self.code_block(int(rest))
            if code is not None:
                QGuiApplication.clipboard().setText(code)
                self.copied.emit(code)
        elif scheme == APPLY_SCHEME and rest.isdigit():
            self.request_apply(int(rest))
        elif scheme in (TOGGLE_SCHEME, PROMPT_SCHEME) and rest.isdigit():
            self.toggle_reasoning(int(rest))
        elif scheme == OPEN_SCHEME:
            self._open_location(url)
        elif scheme in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def _open_location(self, url: QUrl) -> None:
        start, _, end = url.fragment().removeprefix("L").partition("-")
        if url.path() and start.isdigit():
            symbol = QUrlQuery(url).queryItemValue("symbol", QUrl.ComponentFormattingOption.FullyDecoded)
            self.location_requested.emit(url.path(), int(start), int(end) if end.isdigit() else int(start), symbol)

    def request_apply(self, code_id: int) -> bool:
        """Ask for code block ``code_id`` to be applied to its file; False when unknown which."""
        code, target = self.code_block(code_id), self.apply_target(code_id)
        if code is None or target is None:
            return False
        self.apply_requested.emit(code, target)
        return True

    def toggle_reasoning(self, index: int) -> None:
        """Expand or collapse the reasoning section (or a code action's prompt) of message ``index``."""
        self._expanded ^= {index}
        self._rebuild()

    def is_reasoning_expanded(self, index: int) -> bool:
        return index in self._expanded

    def loadResource(self, kind: int, url: QUrl) -> object:  # noqa: N802 - Qt override
        """Never load anything from outside: model output must not fetch resources."""
        return None

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._renderer = MarkdownRenderer(self._code_style())
            self._apply_stylesheet()
            self._rebuild()

    def _code_style(self) -> CodeStyle:
        palette = self.palette()
        if theme.is_dark(palette):
            return CodeStyle(theme.code_style_name(palette), "#272822", "#3e3f3a", "#a6a6a0")
        return CodeStyle(theme.code_style_name(palette), "#f4f5f7", "#d5d9de", "#5f6670")

    def _muted_color(self) -> str:
        """Secondary text: between the text and background colours, so it reads in both themes."""
        text = self.palette().color(QPalette.ColorRole.Text)
        base = self.palette().color(QPalette.ColorRole.Base)
        mix = [round(a * 0.6 + b * 0.4) for a, b in zip(text.getRgb()[:3], base.getRgb()[:3])]
        return "#{:02x}{:02x}{:02x}".format(*mix)

    def _apply_stylesheet(self) -> None:
        link = self.palette().color(QPalette.ColorRole.Link).name()
        self.document().setDefaultStyleSheet(
            f"a {{ color: {link}; text-decoration: none; }}"
            "pre { margin-top: 0px; margin-bottom: 0px; }"
            "p { margin-top: 4px; margin-bottom: 4px; }"
        )


_ZWSP = "\u200b"
_SEPARATOR_HTML = '<p style="margin-top:0px; margin-bottom:0px; line-height:0px; -qt-line-height-type:fixed;">&#8203;</p>'


def _separator_format() -> QTextBlockFormat:
    """A block that takes no space: the anchor where HTML gets inserted."""
    fmt = QTextBlockFormat()
    fmt.setLineHeight(0, QTextBlockFormat.LineHeightTypes.FixedHeight.value)
    fmt.setTopMargin(0)
    fmt.setBottomMargin(0)
    return fmt


def _plain_html(text: str) -> str:
    """A user's message: shown exactly as typed, never interpreted as Markdown."""
    return f"<p>{_escape_lines(text)}</p>"


def _escape_lines(text: str) -> str:
    return html.escape(text).replace("\n", "<br/>")
