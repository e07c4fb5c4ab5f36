"""How chat messages name the code they are about, and the transcript's action turns."""

from __future__ import annotations

from desktop.assist.context import ContextItem, ContextPlan
from desktop.assist.conversations import StoredMessage
from desktop.ui.chat.markdown import MarkdownRenderer
from desktop.ui.chat.references import (
    CodeTarget,
    action_label,
    action_question,
    find_location,
    split_action_question,
)
from desktop.ui.chat.transcript import Transcript


def test_labels_name_the_symbol_file_and_lines():
    assert action_label("Explain", "src/cli.py", 10, 42, "parse_args") == "Explain `parse_args` (src/cli.py lines 10–42)"
    assert action_label("Edit…", "a.py", 3, 3) == "Edit (a.py line 3)"
    assert action_label("Explain File", "a.py") == "Explain File (a.py)"
    assert action_label("Write Commit Message", None) == "Write Commit Message (the project)"


def test_places_are_read_back_from_both_forms():
    assert find_location("About this code from src/app.py, lines 1-3 (`main`):\n```py") == CodeTarget("src/app.py", 1, 3)
    assert find_location("### Explain `x` (my dir/cli.py lines 10–42)\n\nprompt") == CodeTarget("my dir/cli.py", 10, 42)
    assert find_location("see app.py line 7: it fails") == CodeTarget("app.py", 7, 7)
    assert find_location("the function at lines 3-5") is None  # "at" is no path
    assert find_location("a.py lines 9-2") is None  # backwards
    assert find_location("no place here") is None


def test_action_questions_round_trip_and_typed_ones_are_left_alone():
    question = action_question("Explain (a.py line 1)", "Explain this:\n\n```py\nx = 1\n```\n")
    assert split_action_question(question) == ("Explain (a.py line 1)", "Explain this:\n\n```py\nx = 1\n```")
    assert split_action_question("### just a heading") is None
    assert split_action_question("How does this work?\n\nThanks") is None


def test_transcript_shows_an_action_turn_by_its_label(qtbot):
    transcript = Transcript()
    qtbot.addWidget(transcript)
    question = action_question("Explain `f` (a.py lines 1–2)", "Explain what this does.\n\n```py\ndef f():\n    pass\n```")
    answer = "Nothing.\n\n```py\ndef f():\n    return None\n```"
    transcript.set_messages([StoredMessage.draft("user", question), StoredMessage.draft("assistant", answer)])
    shown = transcript.plain_text()
    assert "Explain `f` (a.py lines 1–2)" in shown and "▸ Prompt" in shown
    assert "Explain what this does." not in shown
    assert transcript.apply_target(0) == CodeTarget("a.py", 1, 2)  # the place in the label
    transcript.toggle_reasoning(0)
    assert "Explain what this does." in transcript.plain_text() and "▾ Prompt" in transcript.plain_text()


def test_the_selection_given_with_an_answer_is_what_apply_edits(qtbot):
    transcript = Transcript()
    qtbot.addWidget(transcript)
    plan = ContextPlan(items=(ContextItem("src/b.py", 4, 9, "g", "function", 30, "selection"),),
                       used_tokens=30, budget_tokens=100, trimmed_turns=0)
    transcript.set_messages([StoredMessage.draft("user", "make g faster"),
                             StoredMessage.draft("assistant", "```py\ndef g():\n    pass\n```", context=plan)])
    assert transcript.apply_target(0) == CodeTarget("src/b.py", 4, 9)
    with qtbot.waitSignal(transcript.apply_requested) as requested:
        assert transcript.request_apply(0)
    assert requested.args == ["def g():\n    pass\n", CodeTarget("src/b.py", 4, 9)]


def test_apply_links_render_only_when_asked():
    renderer = MarkdownRenderer()
    assert "Apply" not in renderer.render("```py\nx\n```").html
    renderer.apply_links = True
    assert 'href="apply:0"' in renderer.render("```py\nx\n```").html
    renderer.apply_links = False
    html = renderer.render("```py\nx\n```").html
    assert "apply:" not in html and ">Apply</span>" in html
