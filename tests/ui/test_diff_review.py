"""The diff review dialog on real proposals made from real files in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from desktop.assist.edits.apply import apply_edit
from desktop.assist.edits.checks import resolve_target
from desktop.assist.edits.model import EditProposal, NoUsableEdit, SyntaxErrorsIntroduced
from desktop.assist.edits.propose import propose_edit
from desktop.ui import theme
from desktop.ui.diff_review import (
    ROW_ADDED,
    ROW_CONTEXT,
    ROW_HEADER,
    ROW_REMOVED,
    DiffReviewDialog,
    diff_rows,
    prepare_review,
)

BASE = """import math


def area(radius):
    return math.pi * radius ** 2


def perimeter(radius):
    return 2 * math.pi * radius


def describe(shape):
    return f"{shape} with area {area(1)}"
"""

# Three separate changes: a line added in area, perimeter's body changed, describe's body changed.
NEW = """import math


def area(radius):
    if radius < 0:
        raise ValueError("negative radius")
    return math.pi * radius ** 2


def perimeter(radius):
    return math.tau * radius


def describe(shape):
    return f"{shape}: area {area(1):.2f}"
"""


@pytest.fixture
def shapes(tmp_path) -> Path:
    root = tmp_path / "geo"
    root.mkdir()
    (root / "shapes.py").write_text(BASE, encoding="utf-8")
    return root


def fenced(code: str) -> str:
    return f"Sure! Here is the updated file:\n\n```python\n{code}```\n\nLet me know if you need more."


def proposal_for(root: Path, new_text: str) -> EditProposal:
    return propose_edit(resolve_target(root, root / "shapes.py"), fenced(new_text), "edit")


def open_dialog(qtbot, proposal: EditProposal | None = None) -> DiffReviewDialog:
    relative = proposal.target.relative if proposal is not None else "shapes.py"
    dialog = DiffReviewDialog("Edit", relative, None, "mistral:7b")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    if proposal is not None:
        dialog.show_review(prepare_review(proposal))
    return dialog


# --- rows ---------------------------------------------------------------------------


def test_rows_hold_only_real_changes_with_context_and_both_line_numbers(shapes):
    review = prepare_review(proposal_for(shapes, NEW))
    assert len(review.hunks) == 3
    headers = [row for row in review.rows if row.kind == ROW_HEADER]
    assert [row.hunk for row in headers] == [0, 1, 2]
    assert headers[0].text.startswith("Change 1 of 3 · insert before line 5")
    removed = [row for row in review.rows if row.kind == ROW_REMOVED]
    added = [row for row in review.rows if row.kind == ROW_ADDED]
    assert [r.text for r in removed] == ["    return 2 * math.pi * radius", '    return f"{shape} with area {area(1)}"']
    assert [(r.old_line, r.new_line) for r in removed] == [(9, None), (13, None)]
    assert [r.new_line for r in added] == [5, 6, 11, 15]
    # Context after the first insertion: line 5 of the base is line 7 of the new text.
    context = [row for row in review.rows if row.kind == ROW_CONTEXT and row.old_line == 5]
    assert [(row.old_line, row.new_line) for row in context] == [(5, 7)]
    # No base line is shown twice, even where hunks are close together.
    shown = [row.old_line for row in review.rows if row.kind == ROW_CONTEXT]
    assert len(shown) == len(set(shown))
    # Colours come from the code view's highlighter: keywords on context and added rows.
    assert review.runs, "syntax runs for the rows"
    first_added = next(n for n, row in enumerate(review.rows) if row.kind == ROW_ADDED)
    assert review.runs[first_added][0][0] == 4  # "if" after four spaces of indentation


def test_context_is_clipped_at_the_file_edges():
    base = "a\nb\nc\n"
    from desktop.assist.edits.diff import compute_hunks

    rows = diff_rows(base, compute_hunks(base, "a\nB\nc\n"), context=3)
    assert [(row.kind, row.text) for row in rows] == [
        (ROW_HEADER, rows[0].text), (ROW_CONTEXT, "a"), (ROW_REMOVED, "b"), (ROW_ADDED, "B"), (ROW_CONTEXT, "c")]


# --- accepting and rejecting ------------------------------------------------------------


def test_accept_one_reject_another_then_apply_writes_only_the_accepted(qtbot, shapes):
    proposal = proposal_for(shapes, NEW)
    dialog = open_dialog(qtbot, proposal)
    assert dialog.count_text == "3 of 3 changes accepted"
    dialog.diff_view.check_box(1).click()
    assert dialog.accepted_indexes() == (0, 2)
    assert dialog.count_text == "2 of 3 changes accepted"
    with qtbot.waitSignal(dialog.apply_requested) as emitted:
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    accepted, allow = emitted.args
    assert accepted == (0, 2) and allow is False
    apply_edit(proposal, accepted)  # what the flow does with it
    written = (shapes / "shapes.py").read_text(encoding="utf-8")
    assert "raise ValueError" in written and "area {area(1):.2f}" in written
    assert "2 * math.pi * radius" in written and "math.tau" not in written


def test_keyboard_moves_between_hunks_and_space_toggles(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    view = dialog.diff_view
    assert view.hasFocus() and view.current_hunk == 0
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.current_hunk == 1
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert not view.is_accepted(1) and not view.check_box(1).isChecked()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)  # clamped at the last hunk
    assert view.current_hunk == 2
    qtbot.keyClick(view, Qt.Key.Key_K)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert view.current_hunk == 0
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert dialog.accepted_indexes() == (2,)
    with qtbot.waitSignal(dialog.apply_requested) as emitted:
        qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert emitted.args[0] == (2,)


def test_reject_all_disables_apply_and_accept_all_restores(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    qtbot.mouseClick(dialog.reject_all_button, Qt.MouseButton.LeftButton)
    assert dialog.accepted_indexes() == ()
    assert dialog.count_text == "0 of 3 changes accepted"
    assert not dialog.can_apply and not dialog.reject_all_button.isEnabled()
    with qtbot.assertNotEmitted(dialog.apply_requested):
        dialog.request_apply()
    qtbot.mouseClick(dialog.accept_all_button, Qt.MouseButton.LeftButton)
    assert dialog.accepted_indexes() == (0, 1, 2) and dialog.can_apply


def test_escape_closes_without_asking_to_apply(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    with qtbot.assertNotEmitted(dialog.apply_requested), qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.diff_view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert (shapes / "shapes.py").read_text(encoding="utf-8") == BASE


def test_notes_say_how_the_answer_was_read(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    assert "The answer is the whole new file" in dialog.notes_text


# --- syntax problems -------------------------------------------------------------------


def test_a_syntax_error_blocks_apply_until_the_override_is_ticked(qtbot, shapes):
    broken = NEW.replace("def perimeter(radius):", "def perimeter(radius:")
    proposal = proposal_for(shapes, broken)
    assert proposal.syntax_problems
    dialog = open_dialog(qtbot, proposal)
    assert dialog.syntax_text.startswith(f"This edit introduces a syntax error at line {proposal.syntax_problems[0].line}")
    assert not dialog.can_apply
    with qtbot.assertNotEmitted(dialog.apply_requested):
        dialog.request_apply()
    dialog.override_box.click()
    assert dialog.can_apply
    with qtbot.waitSignal(dialog.apply_requested) as emitted:
        dialog.request_apply()
    assert emitted.args[1] is True


def test_rejecting_the_broken_hunk_lifts_the_block(qtbot, shapes):
    broken = NEW.replace("    return math.tau * radius", "    return math.tau * (radius")
    proposal = proposal_for(shapes, broken)
    review = prepare_review(proposal)
    assert review.problem_hunks == frozenset({1})
    dialog = open_dialog(qtbot, proposal)
    header = next(row for row in dialog.diff_view.rows if row.kind == ROW_HEADER and row.hunk == 1)
    assert "⚠ syntax error at line" in header.text
    assert not dialog.can_apply
    dialog.diff_view.set_accepted(1, False)
    assert dialog.can_apply
    with qtbot.waitSignal(dialog.apply_requested) as emitted:
        dialog.request_apply()
    written = apply_edit(proposal, emitted.args[0], allow_syntax_errors=emitted.args[1])
    assert written.hunks_accepted == 2
    assert "math.tau * (radius" not in (shapes / "shapes.py").read_text(encoding="utf-8")


def test_a_refusal_from_apply_asks_for_the_override(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    assert dialog.can_apply and dialog.syntax_text == ""
    dialog.show_syntax_refusal(SyntaxErrorsIntroduced("The edit would introduce syntax errors in shapes.py (line 9)."))
    assert "line 9" in dialog.syntax_text and not dialog.can_apply
    dialog.override_box.click()
    with qtbot.waitSignal(dialog.apply_requested) as emitted:
        dialog.request_apply()
    assert emitted.args[1] is True


# --- streaming, errors, re-run ------------------------------------------------------------


def test_the_answer_streams_in_with_a_stop_button(qtbot):
    dialog = open_dialog(qtbot)
    dialog.begin_streaming()
    assert dialog.stop_button.isVisible() and not dialog.can_apply
    dialog.append_answer("Here is ")
    dialog.append_answer("the code")
    assert dialog.answer_text == "Here is the code"
    assert "characters" in dialog.status_text
    with qtbot.waitSignal(dialog.stop_requested):
        qtbot.mouseClick(dialog.stop_button, Qt.MouseButton.LeftButton)
    dialog.show_stopped()
    assert not dialog.stop_button.isVisible()
    assert dialog.problem_text.startswith("Stopped.")


def test_no_usable_edit_is_shown_plainly_with_run_again(qtbot, shapes):
    target = resolve_target(shapes, shapes / "shapes.py")
    with pytest.raises(NoUsableEdit) as caught:
        propose_edit(target, "I think the code looks fine as it is. Nothing to change!")
    dialog = open_dialog(qtbot)
    dialog.begin_streaming()
    dialog.show_error(caught.value)
    assert caught.value.message in dialog.problem_text
    assert dialog.rerun_button.isVisible() and not dialog.can_apply
    assert dialog.cancel_button.text() == "Close"
    with qtbot.waitSignal(dialog.rerun_requested):
        qtbot.mouseClick(dialog.rerun_button, Qt.MouseButton.LeftButton)


def test_a_search_block_that_matches_nowhere_shows_the_closest_lines(qtbot, shapes):
    response = ("shapes.py\n<<<<<<< SEARCH\ndef perimeter(diameter):\n    return math.pi * diameter\n=======\n"
                "def perimeter(diameter):\n    return math.tau * diameter / 2\n>>>>>>> REPLACE\n")
    with pytest.raises(NoUsableEdit) as caught:
        propose_edit(resolve_target(shapes, shapes / "shapes.py"), response)
    assert caught.value.reason == "search-not-found" and caught.value.closest
    dialog = open_dialog(qtbot)
    dialog.show_error(caught.value)
    assert "Closest lines in the file:" in dialog.problem_text
    assert caught.value.closest[0] in dialog.problem_text
    assert "<pre>" in dialog.problem_banner.label.text()


# --- appearance --------------------------------------------------------------------------


def _row_background(dialog: DiffReviewDialog, kind: str) -> QColor:
    number = next(n for n, row in enumerate(dialog.diff_view.rows) if row.kind == kind)
    return dialog.diff_view.document().findBlockByNumber(number).blockFormat().background().color()


def test_tints_follow_light_and_dark(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    light_removed, light_added = _row_background(dialog, ROW_REMOVED), _row_background(dialog, ROW_ADDED)
    assert light_removed.red() > light_removed.green() and light_added.green() > light_added.red()
    assert light_removed.lightness() > 200
    dark = QPalette(dialog.palette())
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1f1f1f"), (QPalette.ColorRole.Text, "#e6e6e6")):
        dark.setColor(role, QColor(colour))
    dialog.diff_view.setPalette(dark)
    assert theme.is_dark(dialog.diff_view.palette())
    dark_removed, dark_added = _row_background(dialog, ROW_REMOVED), _row_background(dialog, ROW_ADDED)
    assert dark_removed.lightness() < 100 and dark_added.lightness() < 100
    assert dark_removed.red() > dark_removed.green() and dark_added.green() > dark_added.red()


def test_a_rejected_hunk_loses_its_red_and_green(qtbot, shapes):
    dialog = open_dialog(qtbot, proposal_for(shapes, NEW))
    number = next(n for n, row in enumerate(dialog.diff_view.rows) if row.kind == ROW_REMOVED)
    hunk = dialog.diff_view.rows[number].hunk
    before = dialog.diff_view.document().findBlockByNumber(number).blockFormat().background().color()
    dialog.diff_view.set_accepted(hunk, False)
    after = dialog.diff_view.document().findBlockByNumber(number).blockFormat().background().color()
    assert before != after and abs(after.red() - after.green()) < 8
