"""Proposing, applying (all or some hunks) and undoing edits on real files."""

from __future__ import annotations

import codecs
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.assist.edits.apply import apply_edit
from desktop.assist.edits.checks import resolve_target
from desktop.assist.edits.diff import compute_hunks
from desktop.assist.edits.model import (
    METHOD_SEARCH_EXACT,
    METHOD_WHOLE_REGION,
    AppliedEdit,
    EditError,
    FileChangedOnDisk,
    NoUsableEdit,
    SyntaxErrorsIntroduced,
    UndoRefused,
)
from desktop.assist.edits.propose import propose_edit
from desktop.assist.edits.undo import KEEP_ENTRIES, UndoHistory
from desktop.assist.hooks import Hooks
from desktop.core.paths import HearthPaths

SOURCE = "def first():\n    return 1\n\n\ndef second():\n    return 2\n\n\ndef third():\n    return 3\n"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "mod.py").write_text(SOURCE)
    return root


@pytest.fixture
def history(project):
    store = UndoHistory.for_project(HearthPaths.from_env(), project)
    yield store
    store.close()


def snapshot_files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}


def three_changes(project) -> tuple:
    target = resolve_target(project, Path("mod.py"))
    answer = "```python\n" + SOURCE.replace("1", "10").replace("2", "20").replace("3", "30") + "```\n"
    return target, propose_edit(target, answer)


def test_whole_region_edit_replaces_only_the_lines(project):
    target = resolve_target(project, Path("mod.py"), (5, 6))
    proposal = propose_edit(target, "Here you go:\n```python\ndef second():\n    return 22\n```\nHope it helps!")
    assert proposal.method == METHOD_WHOLE_REGION
    assert proposal.base.text == SOURCE
    applied = apply_edit(proposal)
    assert (project / "mod.py").read_text() == SOURCE.replace("return 2", "return 22")
    assert (applied.hunks_accepted, applied.hunks_total, applied.id) == (1, 1, 0)


def test_search_replace_edit_says_how_it_matched(project):
    target = resolve_target(project, Path("mod.py"))
    answer = "<<<<<<< SEARCH\n    return 3\n=======\n    return 33\n>>>>>>> REPLACE\n"
    proposal = propose_edit(target, answer, action_id="edit")
    assert proposal.method == METHOD_SEARCH_EXACT and proposal.action_id == "edit"
    apply_edit(proposal)
    assert (project / "mod.py").read_text().endswith("return 33\n")


def test_crlf_file_without_trailing_newline_keeps_its_format(project):
    path = project / "win.py"
    path.write_bytes(b"def a():\r\n    return 1\r\n\r\ndef b():\r\n    return 2")
    target = resolve_target(project, Path("win.py"), (1, 2))
    proposal = propose_edit(target, "```\ndef a():\n    return 'one'\n```\n")
    apply_edit(proposal)
    assert path.read_bytes() == b"def a():\r\n    return 'one'\r\n\r\ndef b():\r\n    return 2"


def test_answer_adding_a_final_newline_does_not_add_one_to_the_file(project):
    path = project / "nonl.py"
    path.write_bytes(b"x = 1\ny = 2")
    target = resolve_target(project, Path("nonl.py"))
    proposal = propose_edit(target, "```python\nx = 1\ny = 3\n```\n")
    assert not proposal.new_text.endswith("\n")
    apply_edit(proposal)
    assert path.read_bytes() == b"x = 1\ny = 3"


def test_bom_and_utf16_are_kept(project):
    utf8 = project / "bom.py"
    utf8.write_bytes(codecs.BOM_UTF8 + "name = 'café'\n".encode())
    apply_edit(propose_edit(resolve_target(project, Path("bom.py")), "```python\nname = 'thé'\n```"))
    assert utf8.read_bytes() == codecs.BOM_UTF8 + "name = 'thé'\n".encode()
    wide = project / "wide.txt"
    wide.write_bytes(codecs.BOM_UTF16_LE + "alpha\r\nbeta\r\n".encode("utf-16-le"))
    apply_edit(propose_edit(resolve_target(project, Path("wide.txt"), (2, 2)), "```\ngamma\n```"))
    assert wide.read_bytes() == codecs.BOM_UTF16_LE + "alpha\r\ngamma\r\n".encode("utf-16-le")


def test_tabs_stay_tabs(project):
    path = project / "tabs.go"
    path.write_text("package main\n\nfunc f() int {\n\tx := 1\n\treturn x\n}\n")
    target = resolve_target(project, Path("tabs.go"), (4, 5))
    apply_edit(propose_edit(target, "```go\nx := 2\nreturn x\n```"))  # answered at column 0
    assert path.read_text() == "package main\n\nfunc f() int {\n\tx := 2\n\treturn x\n}\n"


def test_permissions_are_kept(project):
    path = project / "tool.py"
    path.write_text("print(1)\n")
    path.chmod(0o755)
    apply_edit(propose_edit(resolve_target(project, Path("tool.py")), "```python\nprint(2)\n```"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert path.read_text() == "print(2)\n"


def test_partial_acceptance_writes_exactly_those_hunks(project):
    target, proposal = three_changes(project)
    hunks = compute_hunks(proposal.base.text, proposal.new_text)
    assert len(hunks) == 3
    applied = apply_edit(proposal, accepted=[hunks[0].index, hunks[2].index])
    expected = SOURCE.replace("return 1", "return 10").replace("return 3", "return 30")
    assert (project / "mod.py").read_text() == expected
    assert (applied.hunks_accepted, applied.hunks_total) == (2, 3)
    assert applied.after_text == expected and applied.before_text == SOURCE


def test_accepting_nothing_or_unknown_hunks_writes_nothing(project):
    _target, proposal = three_changes(project)
    before = snapshot_files(project)
    with pytest.raises(EditError, match="No change"):
        apply_edit(proposal, accepted=[])
    with pytest.raises(EditError, match="no hunk 7"):
        apply_edit(proposal, accepted=[0, 7])
    assert snapshot_files(project) == before


def test_file_changed_between_proposal_and_apply_is_not_overwritten(project):
    target, proposal = three_changes(project)
    changed = SOURCE + "# edited in another editor\n"
    target.path.write_text(changed)
    with pytest.raises(FileChangedOnDisk, match="changed on disk"):
        apply_edit(proposal)
    assert target.path.read_text() == changed



def save_elsewhere_while_flushing(monkeypatch, path: Path, text: str) -> None:
    """Have another editor save ``text`` to ``path`` while Hearth's new bytes are being
    flushed to disk (the slow part of an atomic write), once."""
    real_fsync = os.fsync
    saved = []

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if not saved:
            saved.append(True)
            path.write_text(text)

    monkeypatch.setattr(os, "fsync", fsync)


def test_a_save_elsewhere_while_the_edit_is_written_is_kept(project, monkeypatch):
    target, proposal = three_changes(project)
    changed = SOURCE + "# saved in another editor meanwhile\n"
    save_elsewhere_while_flushing(monkeypatch, target.path, changed)
    with pytest.raises(FileChangedOnDisk, match="changed on disk"):
        apply_edit(proposal)
    assert target.path.read_text() == changed
    assert sorted(p.name for p in project.iterdir()) == ["mod.py"]  # no temporary file left

def test_syntax_errors_block_the_apply_until_overridden(project):
    target = resolve_target(project, Path("mod.py"), (5, 6))
    proposal = propose_edit(target, "```python\ndef second(:\n    return 2\n```")
    assert proposal.introduces_syntax_errors
    assert proposal.syntax_problems[0].line == 5
    with pytest.raises(SyntaxErrorsIntroduced, match="line 5"):
        apply_edit(proposal)
    assert target.path.read_text() == SOURCE
    apply_edit(proposal, allow_syntax_errors=True)
    assert "def second(:" in target.path.read_text()


def test_rejecting_the_broken_hunk_makes_the_rest_applicable(project):
    target = resolve_target(project, Path("mod.py"))
    broken = SOURCE.replace("return 1", "return 11").replace("def third():", "def third(:")
    proposal = propose_edit(target, f"```python\n{broken}```")
    assert proposal.introduces_syntax_errors
    hunks = compute_hunks(proposal.base.text, proposal.new_text)
    good = [h.index for h in hunks if any("11" in line for line in h.new_lines)]
    apply_edit(proposal, accepted=good)
    assert target.path.read_text() == SOURCE.replace("return 1", "return 11")


def test_unusable_answers_are_refused(project):
    target = resolve_target(project, Path("mod.py"), (1, 2))
    with pytest.raises(NoUsableEdit) as caught:
        propose_edit(target, "I think the function is fine as it is.")
    assert caught.value.reason == "no-code"
    with pytest.raises(NoUsableEdit) as caught:
        propose_edit(target, "```python\ndef first():\n    return 1\n```")
    assert caught.value.reason == "unchanged"
    with pytest.raises(NoUsableEdit) as caught:
        propose_edit(target, "<<<<<<< SEARCH\nclass Parser:\n    pass\n=======\nx\n>>>>>>> REPLACE\n")
    assert caught.value.reason == "search-not-found" and caught.value.closest


def test_selection_beyond_a_file_that_shrank(project):
    target = resolve_target(project, Path("mod.py"), (9, 10))
    (project / "mod.py").write_text("x = 1\n")
    with pytest.raises(FileChangedOnDisk, match="fewer lines"):
        propose_edit(target, "```python\ndef third():\n    return 33\n```")


def test_hooks_hear_about_the_applied_edit(project, history):
    heard: list[AppliedEdit] = []

    class Listening(Hooks):
        def edit_did_apply(self, applied: AppliedEdit) -> None:
            heard.append(applied)

    _target, proposal = three_changes(project)
    applied = apply_edit(proposal, history=history, hooks=Listening())
    assert heard == [applied] and applied.id > 0


# --- undo -----------------------------------------------------------------------------


def test_undo_survives_a_restart(project):
    paths = HearthPaths.from_env()
    path = project / "mod.py"
    path.write_bytes(SOURCE.replace("\n", "\r\n").encode())
    path.chmod(0o750)
    original = path.read_bytes()
    first = UndoHistory.for_project(paths, project)
    _target, proposal = three_changes(project)
    applied = apply_edit(proposal, history=first)
    assert path.read_bytes() != original
    first.close()

    again = UndoHistory.for_project(paths, project)  # as after a restart
    assert again.db_path.is_relative_to(paths.data_dir)
    assert not again.db_path.is_relative_to(project)
    entry = again.last_undoable()
    assert entry is not None and entry.id == applied.id and entry.format.newline == "\r\n"
    undone = again.undo()
    assert undone.undone and undone.id == applied.id
    assert path.read_bytes() == original
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert again.last_undoable() is None
    assert again.entries()[0].undone
    with pytest.raises(UndoRefused, match="already undone"):
        again.undo(applied.id)
    with pytest.raises(UndoRefused, match="no edit to undo"):
        again.undo()
    again.close()


def test_undo_refused_after_an_outside_change(project, history):
    _target, proposal = three_changes(project)
    apply_edit(proposal, history=history)
    path = project / "mod.py"
    later = path.read_text() + "# typed by hand afterwards\n"
    path.write_text(later)
    with pytest.raises(UndoRefused) as caught:
        history.undo()
    assert caught.value.message == "mod.py changed after the edit was applied; undoing would lose those changes."
    assert path.read_text() == later



def test_undo_keeps_a_save_elsewhere_made_while_it_writes(project, history, monkeypatch):
    target, proposal = three_changes(project)
    apply_edit(proposal, history=history)
    changed = target.path.read_text() + "# saved in another editor meanwhile\n"
    save_elsewhere_while_flushing(monkeypatch, target.path, changed)
    with pytest.raises(UndoRefused, match="changed after the edit"):
        history.undo()
    assert target.path.read_text() == changed
    assert not history.last_undoable().undone

def test_undo_refused_when_the_file_was_deleted(project, history):
    _target, proposal = three_changes(project)
    apply_edit(proposal, history=history)
    (project / "mod.py").unlink()
    with pytest.raises(UndoRefused, match="deleted"):
        history.undo()
    assert not (project / "mod.py").exists()


def test_undo_newest_first_then_older(project, history):
    path = project / "mod.py"
    first = apply_edit(propose_edit(resolve_target(project, Path("mod.py"), (2, 2)), "```\n    return 100\n```"),
                       history=history)
    second = apply_edit(propose_edit(resolve_target(project, Path("mod.py"), (6, 6)), "```\n    return 200\n```"),
                        history=history)
    assert [e.id for e in history.entries()] == [second.id, first.id]
    with pytest.raises(UndoRefused, match="changed after"):
        history.undo(first.id)  # the newer edit is on top of it
    history.undo()
    assert path.read_text() == SOURCE.replace("return 1", "return 100")
    history.undo()
    assert path.read_text() == SOURCE


def test_the_history_keeps_only_the_newest_entries(project, history):
    for value in range(KEEP_ENTRIES + 5):
        target = resolve_target(project, Path("mod.py"), (2, 2))
        apply_edit(propose_edit(target, f"```\n    return {value + 1000}\n```"), history=history)
    kept = history.entries(limit=KEEP_ENTRIES + 50)
    assert len(kept) == KEEP_ENTRIES
    assert kept[0].after_text.count(f"return {KEEP_ENTRIES + 4 + 1000}") == 1
    history.undo()  # the newest still undoes
    assert f"return {KEEP_ENTRIES + 3 + 1000}" in (project / "mod.py").read_text()


def test_unknown_entry_is_refused(history):
    with pytest.raises(UndoRefused, match="no edit 99"):
        history.undo(99)


def test_corrupt_history_is_moved_aside_and_rebuilt(project, caplog):
    paths = HearthPaths.from_env()
    db_path = paths.project_data_dir(project) / "edits.sqlite3"
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database at all" * 100)
    store = UndoHistory.for_project(paths, project)
    try:
        assert store.entries() == []
        assert any(p.name.startswith("edits.sqlite3.corrupt-") for p in db_path.parent.iterdir())
        assert "unreadable" in caplog.text
        _target, proposal = three_changes(project)
        assert apply_edit(proposal, history=store).id == 1
    finally:
        store.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_unusable_history_still_writes_the_edit_and_says_so(project, caplog):
    store = UndoHistory.for_project(HearthPaths.from_env(), project)
    store.close()  # the history can no longer store anything
    _target, proposal = three_changes(project)
    applied = apply_edit(proposal, history=store)
    assert applied.id == 0
    assert (project / "mod.py").read_text() == proposal.new_text
    assert "could not be added to the undo history" in caplog.text
