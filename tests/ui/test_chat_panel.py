"""The chat panel against the real fake Ollama server and a real SQLite store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QWidget
from PySide6.QtWidgets import QPushButton

from desktop.assist.chat_service import ChatService
from desktop.assist.conversations import ConversationStore
from desktop.core.chat import ChatOptions, ChatStats
from desktop.core.errors import ModelNotFound, ServerNotRunning, StreamInterrupted
from desktop.core.paths import HearthPaths
from desktop.engine.ollama_engine import OllamaEngine
from desktop.ui.chat.chat_panel import EDIT_NOTE, ChatPanel
from tests.fakes.fake_ollama import Fault

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
LONG_ANSWER = " ".join(f"word{i}" for i in range(400))


def make_panel(qtbot, runner, store, project_key, service, model="mistral:7b") -> ChatPanel:
    panel = ChatPanel(runner, store)
    qtbot.addWidget(panel)
    panel.confirm_delete = lambda title: True
    panel.resize(900, 600)
    panel.show()
    panel.activateWindow()
    qtbot.waitActive(panel)
    panel.set_options(ChatOptions(), model)
    panel.set_project(project_key, service)
    qtbot.waitUntil(lambda: panel.model_selector.count() > 1, timeout=5000)
    return panel


@pytest.fixture
def panel(qtbot, task_runner, chat_store, sample_project_key, chat_service) -> ChatPanel:
    return make_panel(qtbot, task_runner, chat_store, sample_project_key, chat_service)


def send_and_wait(qtbot, panel: ChatPanel, text: str) -> None:
    panel.send_question(text)
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=10000)


def stored(panel: ChatPanel):
    return panel.store.messages(panel.conversation_id)


def button(panel: ChatPanel, name: str) -> QPushButton:
    found = panel.findChild(QPushButton, name)
    assert found is not None, name
    return found


# --- models ----------------------------------------------------------------------------


def test_installed_models_are_listed_and_default_is_selected(panel):
    names = [panel.model_selector.itemText(i) for i in range(panel.model_selector.count())]
    assert {"mistral:7b", "qwen2.5-coder:7b", "qwen3:8b"} <= set(names)
    assert panel.current_model == "mistral:7b"


def test_choosing_a_model_emits_model_changed(qtbot, panel):
    with qtbot.waitSignal(panel.model_changed) as signal:
        panel.model_selector.setCurrentText("qwen3:8b")
    assert signal.args == ["qwen3:8b"]


def test_server_down_shows_a_clear_message(qtbot, task_runner, chat_store, sample_project, sample_project_key,
                                           free_local_port):
    service = ChatService(chat_store, sample_project, OllamaEngine(f"http://127.0.0.1:{free_local_port}"))
    panel = ChatPanel(task_runner, chat_store)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.error_shown, timeout=5000) as signal:
        panel.set_project(sample_project_key, service)
    assert isinstance(signal.args[0], ServerNotRunning)
    assert panel.error_bar.isVisibleTo(panel)
    assert "not running" in panel.error_bar.text
    assert str(free_local_port) in panel.error_bar.text


# --- sending and streaming ---------------------------------------------------------------


def test_send_streams_the_answer_and_persists_it(qtbot, panel, fake_ollama):
    fake_ollama.answer = "Use `open()`:\n\n```python\nprint(1)\n```\n\nDone **now**."
    with qtbot.waitSignal(panel.answer_finished, timeout=10000) as signal:
        panel.send_question("How do I read a file?")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    stats = signal.args[0]
    assert isinstance(stats, ChatStats) and stats.eval_count > 0
    text = panel.transcript.plain_text()
    assert "How do I read a file?" in text and "print(1)" in text and "Done now." in text
    assert f"{stats.eval_count} tokens · {stats.tokens_per_second:.1f} tok/s" in text
    messages = stored(panel)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].content == fake_ollama.answer and not messages[1].incomplete
    assert panel.conversation_list.count() == 1
    assert panel.conversation_list.item(0).text() == "How do I read a file?"


def test_enter_sends_and_shift_enter_adds_a_line(qtbot, panel, fake_ollama):
    panel.input.setFocus()
    qtbot.keyClicks(panel.input, "first line")
    qtbot.keyClick(panel.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(panel.input, "second line")
    assert panel.input.toPlainText() == "first line\nsecond line"
    assert button(panel, "sendButton").isEnabled()
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert panel.is_streaming
    assert not button(panel, "sendButton").isEnabled() and button(panel, "stopButton").isEnabled()
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=10000)
    assert panel.input.toPlainText() == ""
    assert fake_ollama.last_chat_body["messages"][-1]["content"] == "first line\nsecond line"


def test_empty_input_sends_nothing(qtbot, panel, fake_ollama):
    panel.send_question("   \n ")
    assert not panel.is_streaming
    assert fake_ollama.last_chat_body is None
    assert not button(panel, "sendButton").isEnabled()


def test_before_send_can_veto(qtbot, panel, fake_ollama, sample_project_key):
    asked = []
    panel.before_send = lambda: asked.append(True) or False
    panel.send_question("Is this sent?")
    assert asked == [True]
    assert not panel.is_streaming and fake_ollama.last_chat_body is None
    assert panel.store.list_conversations(sample_project_key) == []


def test_stop_keeps_the_partial_answer_marked_incomplete(qtbot, panel, fake_ollama):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.tokens_per_second = 50
    panel.send_question("Tell me a long story")
    qtbot.waitUntil(lambda: "word3" in panel.transcript.plain_text(), timeout=10000)
    panel.stop()
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=5000)
    text = panel.transcript.plain_text()
    assert "word3" in text and "word399" not in text
    assert "(incomplete — stopped)" in text
    answer = stored(panel)[-1]
    assert answer.role == "assistant" and answer.incomplete
    assert answer.content and answer.content in LONG_ANSWER and answer.content in text


def test_escape_in_the_message_box_stops(qtbot, panel, fake_ollama):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.tokens_per_second = 50
    panel.send_question("Long one")
    qtbot.waitUntil(lambda: "word1" in panel.transcript.plain_text(), timeout=10000)
    qtbot.keyClick(panel.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not panel.is_streaming, timeout=5000)
    assert "(incomplete — stopped)" in panel.transcript.plain_text()


def test_dropped_connection_shows_error_and_retry_answers_again(qtbot, panel, fake_ollama):
    fake_ollama.answer = "Alpha beta gamma delta epsilon zeta eta theta"
    fake_ollama.fault = Fault.DROP_MID_STREAM
    fake_ollama.fault_after_tokens = 4
    with qtbot.waitSignal(panel.error_shown, timeout=10000) as signal:
        panel.send_question("Greek letters?")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert isinstance(signal.args[0], StreamInterrupted)
    text = panel.transcript.plain_text()
    assert "Alpha" in text and "theta" not in text and "(incomplete — error:" in text
    assert panel.error_bar.isVisibleTo(panel) and "dropped" in panel.error_bar.text
    retry = button(panel, "retryButton")
    assert retry.isVisibleTo(panel)
    assert stored(panel)[-1].incomplete

    fake_ollama.fault = Fault.NONE
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert not panel.error_bar.isVisibleTo(panel)
    assert [m.role for m in stored(panel)] == ["user", "assistant"]
    assert stored(panel)[-1].content == fake_ollama.answer
    text = panel.transcript.plain_text()
    assert "incomplete" not in text and text.count("Greek letters?") == 1 and "theta" in text


def test_error_line_mid_stream_keeps_partial_text(qtbot, panel, fake_ollama):
    fake_ollama.answer = "One two three four five six seven"
    fake_ollama.fault = Fault.ERROR_LINE
    fake_ollama.fault_after_tokens = 3
    with qtbot.waitSignal(panel.error_shown, timeout=10000):
        panel.send_question("Count")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert "One" in panel.transcript.plain_text()
    assert stored(panel)[-1].incomplete and stored(panel)[-1].content.startswith("One")


def test_missing_model_shows_the_pull_command(qtbot, panel, fake_ollama):
    fake_ollama.models = [m for m in fake_ollama.models if m.name != "mistral:7b"]
    with qtbot.waitSignal(panel.error_shown, timeout=10000) as signal:
        panel.send_question("Hello?")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert isinstance(signal.args[0], ModelNotFound)
    assert "ollama pull mistral:7b" in panel.error_bar.text
    assert "ollama pull mistral:7b" in panel.error_bar.label.text()
    # nothing arrived: no empty answer is shown, the question stays
    assert [v.role for v in panel.transcript.views] == ["user"]
    assert [m.role for m in stored(panel)] == ["user"]


def test_busy_server_error_can_be_retried(qtbot, panel, fake_ollama):
    fake_ollama.fault = Fault.BUSY_503
    with qtbot.waitSignal(panel.error_shown, timeout=10000):
        panel.send_question("Anyone there?")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    fake_ollama.fault = Fault.NONE
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        button(panel, "retryButton").click()
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert [m.role for m in stored(panel)] == ["user", "assistant"]


# --- regenerate and edit ------------------------------------------------------------------


def test_regenerate_replaces_the_last_answer(qtbot, panel, fake_ollama):
    fake_ollama.answer = "First answer."
    send_and_wait(qtbot, panel, "Question?")
    fake_ollama.answer = "Second answer."
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        qtbot.keyClick(panel.input, Qt.Key.Key_R, CTRL_SHIFT)
    qtbot.waitUntil(lambda: not panel.is_streaming)
    text = panel.transcript.plain_text()
    assert "Second answer." in text and "First answer." not in text
    assert [m.content for m in stored(panel)] == ["Question?", "Second answer."]


def test_regenerate_button_is_disabled_without_a_question(panel):
    assert not button(panel, "regenerateButton").isEnabled()
    assert not button(panel, "editLastButton").isEnabled()


def test_edit_and_resend_replaces_the_last_question(qtbot, panel, fake_ollama):
    fake_ollama.answer = "Answer one."
    send_and_wait(qtbot, panel, "First question")
    send_and_wait(qtbot, panel, "Second question with a typo")
    qtbot.mouseClick(button(panel, "editLastButton"), Qt.MouseButton.LeftButton)
    assert panel.input.toPlainText() == "Second question with a typo"
    assert panel.is_editing and panel.edit_note.isVisibleTo(panel) and panel.edit_note.text() == EDIT_NOTE
    panel.input.setPlainText("Second question, fixed")
    fake_ollama.answer = "Answer two."
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not panel.is_streaming)
    assert not panel.is_editing and not panel.edit_note.isVisibleTo(panel)
    assert [m.content for m in stored(panel)] == ["First question", "Answer one.", "Second question, fixed",
                                                  "Answer two."]
    text = panel.transcript.plain_text()
    assert "typo" not in text and "Second question, fixed" in text
    sent = [m["content"] for m in fake_ollama.last_chat_body["messages"]]
    assert "First question" in sent and "Second question, fixed" == sent[-1]
    assert not any("typo" in content for content in sent)


def test_escape_cancels_editing(qtbot, panel, fake_ollama):
    send_and_wait(qtbot, panel, "Only question")
    panel.edit_last_question()
    assert panel.is_editing
    qtbot.keyClick(panel.input, Qt.Key.Key_Escape)
    assert not panel.is_editing and panel.input.toPlainText() == ""


# --- reasoning and code blocks ------------------------------------------------------------


def test_reasoning_is_collapsed_and_can_be_expanded(qtbot, task_runner, chat_store, sample_project_key,
                                                     chat_service, fake_ollama):
    panel = make_panel(qtbot, task_runner, chat_store, sample_project_key, chat_service, model="qwen3:8b")
    fake_ollama.thinking = "First I consider the secret plan carefully."
    fake_ollama.answer = "The answer is 42."
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        panel.send_question("Meaning of life?")
    qtbot.waitUntil(lambda: not panel.is_streaming)
    text = panel.transcript.plain_text()
    assert "Reasoning" in text and "secret plan" not in text and "The answer is 42." in text
    index = len(panel.transcript.views) - 1
    panel.transcript.toggle_reasoning(index)
    assert "secret plan" in panel.transcript.plain_text()
    panel.transcript.toggle_reasoning(index)
    assert "secret plan" not in panel.transcript.plain_text()
    assert stored(panel)[-1].thinking == fake_ollama.thinking


def test_copy_link_puts_the_code_on_the_clipboard(qtbot, panel, fake_ollama):
    fake_ollama.answer = "Two blocks:\n\n```python\nfirst = 1\n```\n\n```sh\necho second\n```\n"
    send_and_wait(qtbot, panel, "Code please")
    with qtbot.waitSignal(panel.transcript.copied):
        panel.transcript.anchorClicked.emit(QUrl("copy:1"))
    assert QGuiApplication.clipboard().text() == "echo second\n"
    panel.transcript.anchorClicked.emit(QUrl("copy:0"))
    assert QGuiApplication.clipboard().text() == "first = 1\n"


def test_model_html_is_shown_as_text(qtbot, panel, fake_ollama):
    fake_ollama.answer = "Try <b>this</b> and <img src='http://example.org/x.png'>"
    send_and_wait(qtbot, panel, "html?")
    text = panel.transcript.plain_text()
    assert "<b>this</b>" in text and "<img src=" in text


# --- conversations ------------------------------------------------------------------------


def test_new_rename_delete_conversations(qtbot, panel, fake_ollama):
    send_and_wait(qtbot, panel, "First chat question")
    first_id = panel.conversation_id
    qtbot.mouseClick(button(panel, "newChatButton"), Qt.MouseButton.LeftButton)
    assert panel.conversation_id != first_id and panel.transcript.views == ()
    assert panel.conversation_list.count() == 2
    second_id = panel.conversation_id
    panel.new_conversation()  # an empty chat is reused, not duplicated
    assert panel.conversation_id == second_id and panel.conversation_list.count() == 2

    item = panel.conversation_list.currentItem()
    item.setText("Renamed chat")
    assert panel.store.get_conversation(second_id).title == "Renamed chat"
    item.setText("   ")
    assert panel.store.get_conversation(second_id).title == "Renamed chat"
    assert item.text() == "Renamed chat"

    panel.conversation_list.setCurrentRow(panel.conversation_list.ids().index(first_id))
    assert panel.conversation_id == first_id
    assert "First chat question" in panel.transcript.plain_text()

    panel.conversation_list.setFocus()
    qtbot.keyClick(panel.conversation_list, Qt.Key.Key_Delete)
    assert panel.store.get_conversation(first_id) is None
    assert panel.conversation_id == second_id and panel.conversation_list.count() == 1


def test_declined_delete_keeps_the_conversation(qtbot, panel, fake_ollama):
    send_and_wait(qtbot, panel, "Keep me")
    asked = []
    panel.confirm_delete = lambda title: asked.append(title) or False
    panel.delete_conversation(panel.conversation_id)
    assert asked == ["Keep me"]
    assert panel.store.get_conversation(panel.conversation_id) is not None


def test_new_chat_shortcut(qtbot, panel, fake_ollama):
    send_and_wait(qtbot, panel, "Something")
    first = panel.conversation_id
    panel.input.setFocus()
    qtbot.keyClick(panel.input, Qt.Key.Key_N, CTRL_SHIFT)
    assert panel.conversation_id != first


def test_conversation_comes_back_after_a_restart(qtbot, task_runner, chat_store, sample_project,
                                                  sample_project_key, chat_service, fake_ollama):
    panel = make_panel(qtbot, task_runner, chat_store, sample_project_key, chat_service)
    fake_ollama.answer = "Persisted **answer**."
    send_and_wait(qtbot, panel, "Will you remember?")
    panel.close()
    chat_store.close()

    store = ConversationStore(HearthPaths.from_env().chats_db)
    try:
        service = ChatService(store, sample_project, OllamaEngine(fake_ollama.host))
        again = make_panel(qtbot, task_runner, store, sample_project_key, service)
        text = again.transcript.plain_text()
        assert "Will you remember?" in text and "Persisted answer." in text
        assert again.conversation_list.count() == 1
        assert "tok/s" in text
    finally:
        store.close()


# --- accessibility and appearance ---------------------------------------------------------


def test_widgets_have_names_and_accessible_names(panel):
    for name in ("chatInput", "sendButton", "stopButton", "modelSelector", "conversationList", "newChatButton",
                 "regenerateButton", "editLastButton", "retryButton", "transcript"):
        widget = panel.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name


def test_dark_palette_switches_code_colours(qtbot, panel, fake_ollama):
    fake_ollama.answer = "```python\nx = 1\n```"
    send_and_wait(qtbot, panel, "code")
    light_html = panel.transcript.toHtml()
    palette = QPalette(panel.transcript.palette())
    palette.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#eeeeee"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#1a1a1a"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    panel.transcript.setPalette(palette)
    dark_html = panel.transcript.toHtml()
    assert "#272822" in dark_html and "#272822" not in light_html
    assert "x = 1" in panel.transcript.plain_text()


def test_transcript_follows_the_application_font(qtbot, panel):
    app = QGuiApplication.instance()
    before = panel.transcript.document().defaultFont().pointSizeF()
    font = app.font()
    original = app.font()
    font.setPointSizeF(before + 6)
    app.setFont(font)
    try:
        qtbot.waitUntil(lambda: panel.transcript.document().defaultFont().pointSizeF() == before + 6)
    finally:
        app.setFont(original)


def test_switching_project_mid_stream_abandons_the_answer(qtbot, panel, fake_ollama, task_runner, chat_service):
    fake_ollama.answer = LONG_ANSWER
    fake_ollama.tokens_per_second = 50
    panel.send_question("Long answer please")
    qtbot.waitUntil(lambda: "word1" in panel.transcript.plain_text(), timeout=10000)
    panel.set_project("another-project", chat_service)
    assert not panel.is_streaming and panel.transcript.views == ()
    qtbot.waitUntil(lambda: task_runner.active_count == 0, timeout=5000)
    assert "word" not in panel.transcript.plain_text()
    assert panel.conversation_list.count() == 0


def test_f2_renames_in_place(qtbot, panel, fake_ollama):
    send_and_wait(qtbot, panel, "Name me")
    panel.conversation_list.setFocus()
    qtbot.keyClick(panel.conversation_list, Qt.Key.Key_F2)
    assert panel.conversation_list.state() == panel.conversation_list.State.EditingState
    editor = QGuiApplication.focusObject()
    editor.selectAll()
    qtbot.keyClicks(editor, "Better name")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits through a queued call
    qtbot.waitUntil(lambda: panel.store.get_conversation(panel.conversation_id).title == "Better name")
    assert panel.conversation_list.currentItem().text() == "Better name"


def test_message_box_grows_with_the_font(qtbot, panel):
    before = panel.input.maximumHeight()
    font = panel.input.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    panel.input.setFont(font)
    assert panel.input.maximumHeight() > before
