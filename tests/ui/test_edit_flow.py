"""The edit flow end to end: the fake Ollama server streams, the dialog reviews, files change.

Real HTTP to the fake server, real files in tmp_path, the real undo history (SQLite under
the test's HEARTH_HOME), real widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.assist.actions import SCOPE_SELECTION, builtin_actions, resolve_context
from desktop.assist.edits.checks import resolve_target
from desktop.assist.edits.model import AppliedEdit
from desktop.assist.edits.service import EditService
from desktop.assist.edits.undo import UndoHistory
from desktop.core.chat import ChatOptions
from desktop.core.paths import HearthPaths
from desktop.engine.ollama_engine import OllamaEngine
from desktop.ui.edit_flow import CHAT_APPLY_ACTION_ID, EditFlow, fence_code
from tests.ui.test_diff_review import BASE, NEW

# The model's answer for lines 4-13 of BASE: three separate changes.
REGION_NEW = NEW.split("\n", 3)[3]  # NEW without its "import math" and blank lines
CHATTY = f"Sure! Here is the improved code:\n\n```python\n{REGION_NEW}```\n\nI added a check for negative radii."


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "geo"
    root.mkdir()
    (root / "shapes.py").write_text(BASE, encoding="utf-8")
    return root


@pytest.fixture
def history(project) -> Iterator[UndoHistory]:
    store = UndoHistory.for_project(HearthPaths.from_env(), project)
    yield store
    store.close()


@pytest.fixture
def window(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    return widget


@pytest.fixture
def flow(qtbot, task_runner, fake_ollama, history, window) -> EditFlow:
    service = EditService(OllamaEngine(fake_ollama.host))
    made = EditFlow(task_runner, lambda: service, history, lambda: ("mistral:7b", ChatOptions()), window)
    yield made
    made.close_dialog()


def edit_action():
    return next(action for action in builtin_actions() if action.id == "edit")


def start_edit(flow: EditFlow, project: Path, lines=(4, 13), instruction="Reject negative radii") -> None:
    context = resolve_context(project, "shapes.py", scope=SCOPE_SELECTION, selection_lines=lines,
                              instruction=instruction)
    flow.start(edit_action(), context, resolve_target(project, project / "shapes.py", lines))


def wait_review(qtbot, flow: EditFlow) -> None:
    qtbot.waitUntil(lambda: flow.dialog is not None and flow.dialog.review is not None, timeout=10000)


def text_of(project: Path) -> str:
    return (project / "shapes.py").read_text(encoding="utf-8")


# --- the streamed flow ---------------------------------------------------------------------


def test_streamed_edit_accept_one_reject_another_and_apply(qtbot, flow, project, fake_ollama):
    fake_ollama.answer = CHATTY
    start_edit(flow, project)
    dialog = flow.dialog
    assert dialog is not None and dialog.isVisible()
    wait_review(qtbot, flow)
    assert dialog.answer_text == CHATTY  # the raw answer, as it streamed in
    assert "Reject negative radii" in fake_ollama.last_chat_body["messages"][-1]["content"]
    assert dialog.count_text == "3 of 3 changes accepted"
    dialog.diff_view.check_box(1).click()  # reject perimeter's change
    with qtbot.waitSignal(flow.applied, timeout=10000) as applied, \
            qtbot.waitSignal(flow.message) as message:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    edit = applied.args[0]
    assert isinstance(edit, AppliedEdit)
    assert (edit.hunks_accepted, edit.hunks_total, edit.relative, edit.action_id) == (2, 3, "shapes.py", "edit")
    assert message.args[0] == "Applied 2 of 3 changes to shapes.py."
    written = text_of(project)
    assert 'raise ValueError("negative radius")' in written
    assert "area {area(1):.2f}" in written
    assert "2 * math.pi * radius" in written and "math.tau" not in written
    qtbot.waitUntil(lambda: flow.dialog is None)


def test_a_syntax_error_cannot_be_applied_until_overridden(qtbot, flow, project, fake_ollama, history):
    fake_ollama.answer = f"```python\n{REGION_NEW.replace('def perimeter(radius):', 'def perimeter(radius:')}```"
    start_edit(flow, project)
    wait_review(qtbot, flow)
    dialog = flow.dialog
    assert dialog.syntax_text.startswith("This edit introduces a syntax error at line")
    assert not dialog.can_apply
    dialog.request_apply()
    qtbot.wait(50)
    assert text_of(project) == BASE and history.entries() == []
    dialog.override_box.click()
    with qtbot.waitSignal(flow.applied, timeout=10000):
        dialog.request_apply()
    assert "def perimeter(radius:" in text_of(project)


def test_file_changed_on_disk_shows_the_banner_and_is_not_overwritten(qtbot, flow, project, fake_ollama):
    fake_ollama.answer = CHATTY
    start_edit(flow, project)
    wait_review(qtbot, flow)
    dialog = flow.dialog
    outside = BASE.replace("import math", "import math  # edited elsewhere")
    (project / "shapes.py").write_text(outside, encoding="utf-8")
    with qtbot.assertNotEmitted(flow.applied):
        dialog.request_apply()
        qtbot.waitUntil(lambda: "changed on disk" in dialog.problem_text, timeout=10000)
    assert dialog.rerun_button.isVisible() and not dialog.can_apply
    assert text_of(project) == outside
    # Run again: a fresh answer against the file as it is now, then apply it.
    qtbot.mouseClick(dialog.rerun_button, Qt.MouseButton.LeftButton)
    wait_review(qtbot, flow)
    assert dialog.problem_text == ""
    with qtbot.waitSignal(flow.applied, timeout=10000):
        dialog.request_apply()
    written = text_of(project)
    assert "# edited elsewhere" in written and "math.tau" in written


def test_an_answer_without_code_is_shown_with_run_again(qtbot, flow, project, fake_ollama):
    fake_ollama.answer = "The function already looks correct to me, so I would not change anything."
    start_edit(flow, project)
    qtbot.waitUntil(lambda: flow.dialog.problem_text != "", timeout=10000)
    dialog = flow.dialog
    assert dialog.review is None and not dialog.can_apply
    assert dialog.rerun_button.isVisible()
    assert dialog.answer_text == fake_ollama.answer
    fake_ollama.answer = CHATTY
    qtbot.mouseClick(dialog.rerun_button, Qt.MouseButton.LeftButton)
    wait_review(qtbot, flow)
    assert flow.dialog is dialog and dialog.answer_text == CHATTY
    assert text_of(project) == BASE


def test_stop_and_close_while_streaming_write_nothing(qtbot, flow, project, fake_ollama, task_runner):
    fake_ollama.answer = CHATTY
    fake_ollama.tokens_per_second = 10  # slow enough to stop halfway
    start_edit(flow, project)
    dialog = flow.dialog
    qtbot.waitUntil(lambda: dialog.answer_text != "", timeout=10000)
    qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.problem_text.startswith("Stopped."), timeout=10000)
    assert dialog.review is None and len(dialog.answer_text) < len(CHATTY)
    qtbot.mouseClick(dialog.rerun_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.is_streaming and dialog.answer_text != "", timeout=10000)
    dialog.reject()  # Esc / Cancel while the model writes
    assert flow.dialog is None
    qtbot.waitUntil(lambda: task_runner.active_count == 0, timeout=10000)
    assert text_of(project) == BASE


def test_no_model_chosen_says_so(qtbot, task_runner, fake_ollama, history, window, project):
    service = EditService(OllamaEngine(fake_ollama.host))
    flow = EditFlow(task_runner, lambda: service, history, lambda: ("", ChatOptions()), window)
    with qtbot.waitSignal(flow.message) as message:
        start_edit(flow, project)
    assert "Choose a model" in message.args[0] and flow.dialog is None


# --- undo ----------------------------------------------------------------------------------


def apply_all(qtbot, flow: EditFlow, project: Path, fake_ollama) -> AppliedEdit:
    fake_ollama.answer = CHATTY
    start_edit(flow, project)
    wait_review(qtbot, flow)
    with qtbot.waitSignal(flow.applied, timeout=10000) as applied:
        flow.dialog.request_apply()
    return applied.args[0]


def test_undo_reverts_the_file(qtbot, flow, project, fake_ollama):
    edit = apply_all(qtbot, flow, project, fake_ollama)
    assert edit.id > 0 and text_of(project) != BASE
    with qtbot.waitSignal(flow.undone, timeout=10000) as undone, qtbot.waitSignal(flow.message) as message:
        flow.undo_last()
    assert undone.args[0].id == edit.id and undone.args[0].undone
    assert message.args[0] == "Undid the edit of shapes.py."
    assert text_of(project) == BASE
    with qtbot.waitSignal(flow.message, timeout=10000) as again:
        flow.undo_last()
    assert "no edit to undo" in again.args[0]


def test_undo_is_refused_after_an_outside_change(qtbot, flow, project, fake_ollama):
    apply_all(qtbot, flow, project, fake_ollama)
    changed = text_of(project) + "# added by hand\n"
    (project / "shapes.py").write_text(changed, encoding="utf-8")
    with qtbot.assertNotEmitted(flow.undone), qtbot.waitSignal(flow.message, timeout=10000) as message:
        flow.undo_last()
    assert "changed after the edit was applied" in message.args[0]
    assert text_of(project) == changed


def test_undo_without_a_project_says_so(qtbot, task_runner, window):
    flow = EditFlow(task_runner, lambda: None, None, lambda: ("mistral:7b", ChatOptions()), window)
    with qtbot.waitSignal(flow.message) as message:
        flow.undo_last()
    assert "No project is open" in message.args[0]


# --- chat "Apply" ----------------------------------------------------------------------------


def test_chat_code_block_applies_through_review_without_a_model_call(qtbot, flow, project, fake_ollama, history):
    code = 'def perimeter(radius):\n    """Circumference."""\n    return math.tau * radius\n'
    target = resolve_target(project, project / "shapes.py", (8, 9))
    flow.apply_code_block(code, "python", target)
    wait_review(qtbot, flow)
    dialog = flow.dialog
    assert dialog.review.proposal.action_id == CHAT_APPLY_ACTION_ID
    assert fake_ollama.last_chat_body is None  # no model was asked
    with qtbot.waitSignal(flow.applied, timeout=10000):
        qtbot.keyClick(dialog.diff_view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert text_of(project) == BASE.replace("    return 2 * math.pi * radius\n",
                                            '    """Circumference."""\n    return math.tau * radius\n')
    assert history.last_undoable().action_id == CHAT_APPLY_ACTION_ID


def test_chat_block_identical_to_the_file_is_not_an_edit(qtbot, flow, project):
    target = resolve_target(project, project / "shapes.py", (8, 9))
    flow.apply_code_block("def perimeter(radius):\n    return 2 * math.pi * radius\n", "python", target)
    qtbot.waitUntil(lambda: flow.dialog.problem_text != "", timeout=10000)
    assert "nothing to change" in flow.dialog.problem_text
    assert text_of(project) == BASE


def test_fence_code_survives_backticks_inside():
    block = fence_code('s = """```"""', "python")
    assert block.startswith("````python\n") and block.endswith("\n````\n")


def test_run_again_names_the_model_it_now_uses(qtbot, task_runner, fake_ollama, history, window, project):
    chosen = ["mistral:7b"]
    service = EditService(OllamaEngine(fake_ollama.host))
    flow = EditFlow(task_runner, lambda: service, history, lambda: (chosen[0], ChatOptions()), window)
    try:
        fake_ollama.answer = "I would leave this as it is."
        start_edit(flow, project)
        qtbot.waitUntil(lambda: flow.dialog.problem_text != "", timeout=10000)
        assert "mistral:7b" in flow.dialog.target_label.text()
        chosen[0] = "qwen2.5-coder:7b"
        fake_ollama.answer = CHATTY
        qtbot.mouseClick(flow.dialog.rerun_button, Qt.MouseButton.LeftButton)
        wait_review(qtbot, flow)
        assert "qwen2.5-coder:7b" in flow.dialog.target_label.text()
        assert "mistral" not in flow.dialog.target_label.text()
    finally:
        flow.close_dialog()
