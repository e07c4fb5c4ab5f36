"""The chat panel: conversations, model selector, transcript, message box.

An adapter over ``ChatService`` and ``ConversationStore``: the store holds the record,
the panel shows it. Streaming runs on the one ``TaskRunner``; the panel only reacts to
its signals, so the GUI thread never blocks on the network.

Keys: Enter sends, Shift+Enter adds a line, Esc in the message box stops an answer (or
cancels editing), Del deletes the selected conversation. The panel's commands (new
chat, stop, regenerate, edit last question, rename, focus model / list) and their keys
come from the one command table, ``desktop.ui.commands``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QTextCursor
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QPushButton,
                               QSplitter, QVBoxLayout, QWidget)

from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatDone, ChatOptions, ChatStats, TextDelta, ThinkingDelta
from desktop.core.errors import HearthError, ModelNotFound, StreamInterrupted
from desktop.qt.worker import TaskRunner, Worker
from desktop.ui.chat.conversation_list import ConversationList
from desktop.ui.commands import Command, command, commands_for
from desktop.ui.chat.markdown import warm_up
from desktop.ui.chat.references import CodeTarget, action_question
from desktop.ui.chat.transcript import Transcript

if TYPE_CHECKING:  # annotations only; the assist layer loads when a project opens
    from desktop.assist.chat_service import ChatService
    from desktop.assist.context import ChatFocus
    from desktop.assist.conversations import ConversationStore, StoredMessage

STOPPED = "Stopped"
EDIT_NOTE = ("Editing your last question: sending replaces it and every message after it. "
             "Esc cancels.")


class MessageInput(QPlainTextEdit):
    """The message box: Enter sends, Shift+Enter starts a new line, Esc is reported."""

    submitted = Signal()
    escape_pressed = Signal()
    VISIBLE_LINES = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fit_height()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # zoom: keep room for the same lines
            self._fit_height()

    def _fit_height(self) -> None:
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * self.VISIBLE_LINES + 16)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.submitted.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.escape_pressed.emit()
            return
        super().keyPressEvent(event)


class ErrorBar(QFrame):
    """An inline error: what happened, what to do, and a Retry button."""

    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBar")
        self.setAccessibleName("Error")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setObjectName("errorText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                           | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.retry_button = QPushButton("&Retry", self)
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setAccessibleName("Retry")
        self.retry_button.setToolTip("Try again (Ctrl+Shift+R)")
        close = QPushButton("Dismiss", self)
        close.setObjectName("dismissErrorButton")
        close.setAccessibleName("Dismiss error")
        close.clicked.connect(self.hide)
        close.clicked.connect(self.dismissed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._retry: Callable[[], None] | None = None
        self.retry_button.clicked.connect(self._on_retry)
        self.hide()

    def show_error(self, error: HearthError, retry: Callable[[], None] | None) -> None:
        """Show ``error`` with its hint (and the pull command for a missing model)."""
        parts = [f"<b>{html.escape(error.message)}</b>"]
        if error.hint:
            parts.append(html.escape(error.hint))
        if isinstance(error, ModelNotFound):
            parts.append(f"Install it with: <code>{html.escape(error.pull_command)}</code>")
        self.label.setText("<br/>".join(parts))
        self.setAccessibleDescription(str(error))
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        self.show()

    @property
    def text(self) -> str:
        """The error as plain text (tests and accessibility)."""
        return self.accessibleDescription()

    def _on_retry(self) -> None:
        retry = self._retry
        self.hide()
        if retry is not None:
            retry()


class ChatPanel(QWidget):
    """Chat with the selected model about the current project."""

    model_changed = Signal(str)
    answer_finished = Signal(object)  # ChatStats of a complete answer
    error_shown = Signal(object)  # the HearthError shown inline
    location_requested = Signal(str, int, int, str)  # a code chip under an answer: path, first and last line, symbol
    apply_requested = Signal(str, object)  # "Apply" under a code block: the code, its CodeTarget

    def __init__(self, runner: TaskRunner, store: ConversationStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatPanel")
        self.setAccessibleName("Chat")
        self.runner = runner
        self.store = store
        self.before_send: Callable[[], bool] | None = None
        # What the user is looking at (open file, selection), asked at each send.
        self.focus_provider: Callable[[], ChatFocus | None] | None = None
        self.confirm_delete: Callable[[str], bool] = self._ask_delete
        self._project_key = ""
        self._service: ChatService | None = None
        self._options = ChatOptions()
        self._default_model = ""
        self._conversation_id: int | None = None
        self._worker: Worker | None = None
        self._models_worker: Worker | None = None
        self._editing = False
        self._stream_id = 0
        self._build()
        self._connect()
        self._update_buttons()
        self._warmed_up = False

    def _warm_up_renderer(self) -> None:
        # Load Markdown and the highlighter off the GUI thread so the first code block
        # does not stall it; not in __init__, where it would slow the window's start-up.
        if not self._warmed_up:
            self._warmed_up = True
            self.runner.run(lambda _token: [warm_up()], name="highlighter-warm-up")

    # --- public API -------------------------------------------------------------------

    def set_project(self, project_key: str, service: ChatService) -> None:
        """Show this project's conversations (most recent opened) and refresh the models."""
        self._warm_up_renderer()
        self._abandon_stream()
        self._project_key = project_key
        self._service = service
        self.error_bar.hide()
        conversations = self._safe(lambda: self.store.list_conversations(project_key), [])
        self._open_conversation(conversations[0].id if conversations else None)
        self.refresh_models()

    def set_options(self, options: ChatOptions, default_model: str) -> None:
        """Options for the next requests and the model to preselect."""
        self._options = options
        self._default_model = default_model
        if default_model and self.model_selector.findText(default_model) >= 0:
            self.model_selector.setCurrentText(default_model)
        elif default_model and self.model_selector.count() == 0:
            self.model_selector.addItem(default_model)

    def refresh_models(self) -> None:
        """List the installed models in the background; a failure is shown inline."""
        service = self._service
        if service is None:
            return
        if self._models_worker is not None:
            self._models_worker.cancel()
        engine = service.engine
        self._models_worker = self.runner.run(
            lambda token: [engine.list_models()],
            name="list-models",
            on_item=self._on_models,
            on_error=lambda error: self._show_error(error, self.refresh_models),
        )

    def focus_input(self) -> None:
        self.input.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def insert_into_input(self, text: str) -> None:
        """Insert ``text`` at the message box's cursor and focus it."""
        self.input.insertPlainText(text)
        self.focus_input()

    def send_question(self, text: str) -> None:
        """Send ``text`` as if typed and sent (replacing the last question while editing)."""
        self._send(text.strip(), self._focus())

    def send_action(self, label: str, prompt: str, focus: ChatFocus | None) -> bool:
        """Ask a code action's ``prompt`` about ``focus`` (its file and lines) as a new turn.

        The transcript shows ``label`` ("Explain `main` (src/app.py lines 1–3)") with the
        prompt behind a toggle; the whole prompt is stored and sent. False when it could
        not be sent (an answer is still streaming, no model, no project).
        """
        if self.is_streaming or self._service is None:
            return False
        if self._editing:
            self._set_editing(False)
            self.input.clear()
        return self._send(action_question(label, prompt), focus, title=label)

    def _send(self, question: str, focus: ChatFocus | None, title: str = "") -> bool:
        if not question or self.is_streaming or self._service is None:
            return False
        model = self.current_model
        if not model:
            self._show_error(HearthError("No model is selected.",
                                         "Install a model (e.g. `ollama pull qwen2.5-coder:7b`) and pick it above."),
                             self.refresh_models)
            return False
        if self.before_send is not None and not self.before_send():
            return False
        conversation_id = self._ensure_conversation()
        if conversation_id is None:
            return False
        if title:
            self._name_new_conversation(conversation_id, title)
        service, options = self._service, self._options
        if self._editing:
            self._drop_last_question()
            work = lambda token: service.edit_last_question(conversation_id, question, model, options, token,  # noqa: E731
                                                            focus)
        else:
            work = lambda token: service.send(conversation_id, question, model, options, token, focus)  # noqa: E731
        self._set_editing(False)
        if not title:
            self.input.clear()
        self.transcript.append_message(_draft("user", question))
        self._start_answer(work, model, _focus_target(focus))
        return True

    def _name_new_conversation(self, conversation_id: int, title: str) -> None:
        """Name an untitled chat after the action (not "### Explain …", its stored first line)."""
        from desktop.assist.chat_service import title_from_question
        from desktop.assist.conversations import DEFAULT_TITLE

        conversation = self._safe(lambda: self.store.get_conversation(conversation_id), None)
        if conversation is not None and conversation.title == DEFAULT_TITLE:
            self._safe(lambda: self.store.rename_conversation(conversation_id, title_from_question(title)), None)

    def regenerate(self) -> None:
        """Answer the last question again (also what Retry does)."""
        if self.is_streaming or self._service is None or self._conversation_id is None:
            return
        views = self.transcript.views
        if not any(view.role == "user" for view in views):
            return
        if views and views[-1].role == "assistant":
            self.transcript.set_messages(views[:-1])
        service, conversation_id, model, options = self._service, self._conversation_id, self.current_model, self._options
        focus = self._focus()
        self._start_answer(lambda token: service.regenerate(conversation_id, model, options, token, focus), model)

    def _focus(self) -> ChatFocus | None:
        return self.focus_provider() if self.focus_provider is not None else None

    def edit_last_question(self) -> None:
        """Put the last question back into the message box; sending replaces it."""
        if self.is_streaming:
            return
        last = next((view for view in reversed(self.transcript.views) if view.role == "user"), None)
        if last is None:
            return
        self.input.setPlainText(last.content)
        self.input.moveCursor(QTextCursor.MoveOperation.End)
        self._set_editing(True)
        self.focus_input()

    def new_conversation(self) -> None:
        """Start a new chat (an empty current chat is reused)."""
        if self.is_streaming or not self._project_key:
            return
        if self._conversation_id is None or self.transcript.views:
            conversation = self._safe(lambda: self.store.create_conversation(self._project_key), None)
            if conversation is None:
                return
            self._open_conversation(conversation.id)
        self.focus_input()

    def rename_current(self) -> None:
        self.conversation_list.start_rename()

    def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation after confirmation."""
        if self.is_streaming:
            return
        title = self.conversation_list.title_of(conversation_id) or "this chat"
        if not self.confirm_delete(title):
            return
        if self._safe(lambda: self.store.delete_conversation(conversation_id) or True, False):
            remaining = self._safe(lambda: self.store.list_conversations(self._project_key), [])
            next_id = self._conversation_id if self._conversation_id != conversation_id else None
            if next_id is None and remaining:
                next_id = remaining[0].id
            self._open_conversation(next_id)

    def stop(self) -> None:
        """Stop the answer being streamed; its partial text stays."""
        if self._worker is not None:
            self._worker.cancel()

    @property
    def is_streaming(self) -> bool:
        return self._worker is not None

    @property
    def current_model(self) -> str:
        return self.model_selector.currentText().strip()

    @property
    def conversation_id(self) -> int | None:
        """The conversation shown (None: a new chat not saved yet)."""
        return self._conversation_id

    @property
    def is_editing(self) -> bool:
        return self._editing

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        self.conversation_list = ConversationList(self)
        self.conversation_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.conversation_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.new_chat_button = self._button("New chat", "newChatButton", _tip("Start a new chat", "chat.new"))

        self.model_selector = QComboBox(self)
        self.model_selector.setObjectName("modelSelector")
        self.model_selector.setAccessibleName("Model")
        self.model_selector.setToolTip(f"Model used for answers ({command('chat.focus_model').shortcuts[0]})")
        self.model_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        model_label = QLabel("&Model:", self)
        model_label.setBuddy(self.model_selector)
        top = QHBoxLayout()
        top.addWidget(model_label)
        top.addWidget(self.model_selector)
        top.addStretch(1)
        top.addWidget(self.new_chat_button)

        self.transcript = Transcript(self)
        self.transcript.location_requested.connect(self.location_requested)
        self.transcript.apply_requested.connect(self.apply_requested)
        self.transcript.setPlaceholderText("Ask about your project. Enter sends, Shift+Enter adds a line.")
        self.error_bar = ErrorBar(self)
        self.edit_note = QLabel(EDIT_NOTE, self)
        self.edit_note.setObjectName("editNote")
        self.edit_note.setWordWrap(True)
        self.edit_note.hide()

        self.input = MessageInput(self)
        self.input.setObjectName("chatInput")
        self.input.setAccessibleName("Message")
        self.input.setPlaceholderText("Message (Enter to send, Shift+Enter for a new line)")
        self.input.setTabChangesFocus(True)
        self.send_button = self._button("Send", "sendButton", "Send (Enter)")
        self.stop_button = self._button("Stop", "stopButton", _tip("Stop the answer", "chat.stop"))
        self.regenerate_button = self._button("Regenerate", "regenerateButton",
                                              _tip("Answer the last question again", "chat.regenerate"))
        self.edit_last_button = self._button("Edit last question", "editLastButton",
                                             _tip("Edit and resend the last question", "chat.edit_last"))
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        input_row = QHBoxLayout()
        input_row.addWidget(self.input, 1)
        input_row.addLayout(buttons)
        actions = QHBoxLayout()
        actions.addWidget(self.regenerate_button)
        actions.addWidget(self.edit_last_button)
        actions.addStretch(1)

        conversation = QWidget(self)
        conversation_layout = QVBoxLayout(conversation)
        conversation_layout.setContentsMargins(0, 0, 0, 0)
        conversation_layout.addWidget(self.transcript, 1)
        conversation_layout.addWidget(self.error_bar)
        conversation_layout.addLayout(actions)
        conversation_layout.addWidget(self.edit_note)
        conversation_layout.addLayout(input_row)

        # The list sits above the conversation so the transcript gets the column's
        # full width; the user can drag it taller or collapse it.
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("chatSplitter")
        splitter.addWidget(self.conversation_list)
        splitter.addWidget(conversation)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([110, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        order = [self.model_selector, self.new_chat_button, self.conversation_list, self.transcript,
                 self.input, self.send_button, self.stop_button, self.regenerate_button, self.edit_last_button,
                 self.error_bar.retry_button]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def _button(self, text: str, name: str, tooltip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(tooltip)
        return button

    def _connect(self) -> None:
        self.input.submitted.connect(self._on_submit)
        self.input.escape_pressed.connect(self._on_escape)
        self.input.textChanged.connect(self._update_buttons)
        self.send_button.clicked.connect(self._on_submit)
        self.stop_button.clicked.connect(self.stop)
        self.regenerate_button.clicked.connect(self.regenerate)
        self.edit_last_button.clicked.connect(self.edit_last_question)
        self.new_chat_button.clicked.connect(self.new_conversation)
        self.model_selector.currentTextChanged.connect(self._on_model_changed)
        self.conversation_list.conversation_selected.connect(self._on_conversation_selected)
        self.conversation_list.rename_requested.connect(self._on_rename)
        self.conversation_list.delete_requested.connect(self.delete_conversation)
        self._shortcuts = {entry.id: self._shortcut(entry) for entry in commands_for("chat")}

    def _shortcut(self, entry: Command) -> QShortcut:
        shortcut = QShortcut(QKeySequence(entry.shortcuts[0]), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(getattr(self, entry.handler))
        return shortcut

    def focus_model_selector(self) -> None:
        self.model_selector.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_conversation_list(self) -> None:
        self.conversation_list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- conversations ----------------------------------------------------------------

    def _open_conversation(self, conversation_id: int | None) -> None:
        """Show a conversation (None: an unsaved new chat) and refresh the list."""
        self._conversation_id = conversation_id
        self._set_editing(False)
        messages = [] if conversation_id is None else self._safe(lambda: self.store.messages(conversation_id), [])
        self.transcript.set_messages(messages)
        self._reload_list()
        self._update_buttons()

    def _reload_list(self) -> None:
        conversations = self._safe(lambda: self.store.list_conversations(self._project_key), [])
        self.conversation_list.set_conversations(conversations, self._conversation_id)

    def _ensure_conversation(self) -> int | None:
        if self._conversation_id is None:
            conversation = self._safe(lambda: self.store.create_conversation(self._project_key), None)
            if conversation is None:
                return None
            self._conversation_id = conversation.id
            self._reload_list()
        return self._conversation_id

    def _on_conversation_selected(self, conversation_id: int) -> None:
        if conversation_id != self._conversation_id and not self.is_streaming:
            self._open_conversation(conversation_id)

    def _on_rename(self, conversation_id: int, title: str) -> None:
        self._safe(lambda: self.store.rename_conversation(conversation_id, title), None)

    def _ask_delete(self, title: str) -> bool:
        answer = QMessageBox.question(self, "Delete chat", f"Delete the chat “{title}”? This cannot be undone.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    # --- streaming --------------------------------------------------------------------

    def _start_answer(self, work: Callable[[CancelToken], object], model: str,
                      target: CodeTarget | None = None) -> None:
        self.error_bar.hide()
        self._stream_id += 1
        stream_id = self._stream_id

        def current(slot: Callable[..., None]) -> Callable[..., None]:
            # Signals of an abandoned stream (the project changed meanwhile) are ignored.
            return lambda *args: slot(*args) if stream_id == self._stream_id else None

        self.transcript.begin_answer(model, target)
        self._worker = self.runner.run(
            work,  # type: ignore[arg-type]
            name="chat",
            on_item=current(self._on_event),
            on_error=current(self._on_chat_error),
            on_cancelled=current(self._on_cancelled),
            on_finished=current(self._on_finished),
        )
        self._update_buttons()

    def _abandon_stream(self) -> None:
        """Stop the current answer and ignore anything it still sends."""
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
            self._stream_id += 1

    def _on_event(self, event: object) -> None:
        if isinstance(event, TextDelta):
            self.transcript.append_text(event.text)
        elif isinstance(event, ThinkingDelta):
            self.transcript.append_thinking(event.text)
        elif isinstance(event, ChatDone):
            self._finish_live(stats=event.stats, model=event.model)
            self.answer_finished.emit(event.stats)

    def _on_chat_error(self, error: HearthError) -> None:
        if self.transcript.is_live:
            if isinstance(error, StreamInterrupted) or self.transcript.live_text or self.transcript.live_thinking:
                self._finish_live(error=error.message)
            else:
                self.transcript.discard_answer()  # nothing arrived and nothing was saved
        self._show_error(error, self.regenerate)

    def _on_cancelled(self) -> None:
        if self.transcript.is_live:
            self._finish_live(error=STOPPED)

    def _on_finished(self) -> None:
        self._worker = None
        self._reload_list()  # the service may have named the chat after the first question
        self._update_buttons()

    def _finish_live(self, *, stats: ChatStats | None = None, model: str = "", error: str = "") -> None:
        context = self._service.last_context() if self._service is not None else None
        view = _draft("assistant", self.transcript.live_text, thinking=self.transcript.live_thinking,
                      model=model or self.current_model, incomplete=bool(error), error=error, stats=stats,
                      context=context)
        self.transcript.finish_answer(view)

    def _drop_last_question(self) -> None:
        views = self.transcript.views
        last_user = max((i for i, view in enumerate(views) if view.role == "user"), default=None)
        if last_user is not None:
            self.transcript.set_messages(views[:last_user])

    # --- models, errors, state --------------------------------------------------------

    def _on_models(self, models: object) -> None:
        names = [model.name for model in models]  # type: ignore[attr-defined]
        previous = self.current_model or self._default_model
        self.model_selector.blockSignals(True)
        self.model_selector.clear()
        self.model_selector.addItems(names)
        self.model_selector.blockSignals(False)
        for wanted in (previous, self._default_model):
            if wanted and wanted in names:
                self.model_selector.setCurrentText(wanted)
                break
        if not names:
            self._show_error(HearthError("No models are installed on the server.",
                                         "Install one, e.g. `ollama pull qwen2.5-coder:7b`, then retry."),
                             self.refresh_models)
        elif self.current_model != previous:
            self.model_changed.emit(self.current_model)
        self._update_buttons()

    def _on_model_changed(self, name: str) -> None:
        if name:
            self.model_changed.emit(name)

    def _show_error(self, error: HearthError, retry: Callable[[], None] | None) -> None:
        self.error_bar.show_error(error, retry)
        self.error_shown.emit(error)

    def _safe(self, action: Callable[[], object], fallback: object) -> object:
        """Run a store call; a StorageError is shown inline instead of crashing."""
        try:
            return action()
        except HearthError as error:
            self._show_error(error, None)
            return fallback

    def _on_submit(self) -> None:
        self.send_question(self.input.toPlainText())

    def _on_escape(self) -> None:
        if self.is_streaming:
            self.stop()
        elif self._editing:
            self._set_editing(False)
            self.input.clear()

    def _set_editing(self, editing: bool) -> None:
        self._editing = editing
        self.edit_note.setVisible(editing)

    def _update_buttons(self) -> None:
        streaming = self.is_streaming
        has_question = any(view.role == "user" for view in self.transcript.views)
        self.send_button.setEnabled(not streaming and bool(self.input.toPlainText().strip()))
        self.stop_button.setEnabled(streaming)
        self.regenerate_button.setEnabled(not streaming and has_question)
        self.edit_last_button.setEnabled(not streaming and has_question)
        self.new_chat_button.setEnabled(not streaming)
        self.conversation_list.setEnabled(not streaming)
        self._shortcuts["chat.stop"].setEnabled(streaming)


def _draft(role: str, content: str, **fields: object) -> StoredMessage:
    # The assist layer loads lazily (start-up), so the import sits here.
    from desktop.assist.conversations import StoredMessage

    return StoredMessage.draft(role, content, **fields)


def _focus_target(focus: ChatFocus | None) -> CodeTarget | None:
    """The selection a question is about, for "Apply" under its answer."""
    if focus is None or not focus.current_file or focus.selection_lines is None or not focus.selection.strip():
        return None
    return CodeTarget(focus.current_file, *focus.selection_lines)


def _tip(text: str, command_id: str) -> str:
    """A tooltip naming the command's key from the one command table."""
    keys = command(command_id).shortcuts
    return f"{text} ({QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)})" if keys else text
