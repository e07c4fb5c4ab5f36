"""Hunks, partial apply and unified diffs (desktop/assist/edits/diff.py)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.assist.edits.diff import apply_hunks, compute_hunks, unified_diff

# Few distinct lines, so texts share lines and the matcher has real work to do.
LINE = st.sampled_from(["", "a", "b", "c", "def f():", "    return 1", "}", "\tx = 2", "# note"])
TEXT = st.lists(LINE, max_size=14).map("\n".join)
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(TEXT, TEXT)
def test_accepting_every_hunk_gives_the_new_text(base: str, new: str) -> None:
    hunks = compute_hunks(base, new)
    assert apply_hunks(base, hunks, {hunk.index for hunk in hunks}) == new


@PROPERTY
@given(TEXT, TEXT)
def test_accepting_no_hunk_gives_the_base_text(base: str, new: str) -> None:
    assert apply_hunks(base, compute_hunks(base, new), ()) == base


@PROPERTY
@given(TEXT, TEXT)
def test_hunks_hold_only_real_changes(base: str, new: str) -> None:
    hunks = compute_hunks(base, new)
    assert [hunk.index for hunk in hunks] == list(range(len(hunks)))
    for hunk in hunks:
        assert hunk.base_lines or hunk.new_lines
        # Neither edge of a hunk is a line left unchanged in place.
        if hunk.base_lines and hunk.new_lines:
            assert hunk.base_lines[0] != hunk.new_lines[0]
            assert hunk.base_lines[-1] != hunk.new_lines[-1]
    assert (hunks == ()) == (base == new)


@PROPERTY
@given(TEXT, TEXT)
def test_hunks_point_at_their_lines(base: str, new: str) -> None:
    base_lines, new_lines = base.split("\n"), new.split("\n")
    for hunk in compute_hunks(base, new):
        start = hunk.base_start - 1
        assert tuple(base_lines[start : start + len(hunk.base_lines)]) == hunk.base_lines
        assert tuple(new_lines[hunk.new_start - 1 : hunk.new_start - 1 + len(hunk.new_lines)]) == hunk.new_lines


@PROPERTY
@given(TEXT, TEXT, st.data())
def test_after_a_subset_diffing_again_finishes_the_edit(base: str, new: str, data: st.DataObject) -> None:
    hunks = compute_hunks(base, new)
    chosen = data.draw(st.sets(st.sampled_from([h.index for h in hunks])) if hunks else st.just(set()))
    partial = apply_hunks(base, hunks, chosen)
    rest = compute_hunks(partial, new)
    assert apply_hunks(partial, rest, {hunk.index for hunk in rest}) == new
    assert (partial == new) == (rest == ())


@st.composite
def unique_line_edits(draw: st.DrawFn) -> tuple[str, str]:
    """A text of distinct lines and an edit of it that keeps, replaces, drops or adds lines."""
    size = draw(st.integers(0, 12))
    base, new = [], []
    for i in range(size):
        choice = draw(st.sampled_from(["keep", "keep", "replace", "drop", "insert"]))
        base.append(f"line {i}")
        if choice == "insert":
            new.append(f"added {i}")
        if choice in ("keep", "insert"):
            new.append(f"line {i}")
        elif choice == "replace":
            new.append(f"changed {i}")
    ending = "\n" if draw(st.booleans()) else ""
    return "\n".join(base) + ending, "\n".join(new) + ending


@PROPERTY
@given(unique_line_edits(), st.data())
def test_accepting_a_subset_then_diffing_gives_the_rest(edit: tuple[str, str], data: st.DataObject) -> None:
    base, new = edit
    hunks = compute_hunks(base, new)
    chosen = data.draw(st.sets(st.sampled_from([h.index for h in hunks])) if hunks else st.just(set()))
    rest = compute_hunks(apply_hunks(base, hunks, chosen), new)
    left = [(h.base_lines, h.new_lines) for h in hunks if h.index not in chosen]
    assert [(h.base_lines, h.new_lines) for h in rest] == left


def test_accepting_a_subset_keeps_the_other_hunks_exactly() -> None:
    base = "one\ntwo\nthree\nfour\nfive\nsix\nseven\n"
    new = "one\nTWO\nthree\nfour\nfive\nSIX\nseven\neight\n"
    hunks = compute_hunks(base, new)
    assert [(h.base_start, h.base_lines, h.new_lines) for h in hunks] == [
        (2, ("two",), ("TWO",)),
        (6, ("six",), ("SIX",)),
        (8, (), ("eight",)),
    ]
    partial = apply_hunks(base, hunks, {1})
    assert partial == "one\ntwo\nthree\nfour\nfive\nSIX\nseven\n"
    rest = compute_hunks(partial, new)
    assert [(h.base_lines, h.new_lines) for h in rest] == [(("two",), ("TWO",)), ((), ("eight",))]


def test_pure_insertion_at_the_end_points_past_the_last_line() -> None:
    (hunk,) = compute_hunks("a\nb\n", "a\nb\nc\n")
    assert (hunk.base_start, hunk.base_lines, hunk.new_lines) == (3, (), ("c",))


def test_a_trailing_newline_change_is_a_hunk() -> None:
    hunks = compute_hunks("a\nb\n", "a\nb")
    assert len(hunks) == 1
    assert apply_hunks("a\nb\n", hunks, {0}) == "a\nb"


def test_repeated_blank_lines_are_matched_not_junked() -> None:
    base = "x\n" + "\n" * 300 + "y\n"
    new = "x\n" + "\n" * 300 + "z\n"
    (hunk,) = compute_hunks(base, new)
    assert (hunk.base_lines, hunk.new_lines) == (("y",), ("z",))


def test_a_hunk_from_another_text_is_refused() -> None:
    hunks = compute_hunks("a\nb\n", "a\nB\n")
    with pytest.raises(ValueError, match="does not match"):
        apply_hunks("a\nc\n", hunks, {0})


def test_unified_diff_has_git_names_and_ends_with_a_newline() -> None:
    diff = unified_diff("a\nb\nc\n", "a\nB\nc\n", "src/x.py")
    assert diff.splitlines()[:3] == ["--- a/src/x.py", "+++ b/src/x.py", "@@ -1,3 +1,3 @@"]
    assert "-b\n+B\n" in diff
    assert diff.endswith("\n")


def test_unified_diff_marks_a_missing_final_newline() -> None:
    diff = unified_diff("a\nb\n", "a\nb", "x.txt")
    assert diff.endswith("+b\n\\ No newline at end of file\n")


def test_unified_diff_context_and_equal_texts() -> None:
    base = "".join(f"{n}\n" for n in range(20))
    new = base.replace("10\n", "ten\n")
    assert "@@ -10,3 +10,3 @@" in unified_diff(base, new, "n.txt", context=1)
    assert unified_diff(base, base, "n.txt") == ""


def test_unified_diff_does_not_split_on_form_feeds() -> None:
    diff = unified_diff("a\x0cb\n", "a\x0cc\n", "f.c")
    assert "-a\x0cb\n+a\x0cc\n" in diff
