"""Checks before review: inside the project, not a secret, lines in range, syntax, unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.assist.edits.checks import ensure_unchanged, line_count, resolve_target, syntax_problems
from desktop.assist.edits.model import EditError, FileChangedOnDisk, OutsideProject, SecretFile
from desktop.assist.edits.propose import propose_edit
from desktop.core.errors import ProjectError


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 1\n\n\ndef other():\n    return 2\n")
    (tmp_path / "outside.py").write_text("secret = 'not yours'\n")
    return root


def test_resolves_relative_and_absolute_paths(project):
    target = resolve_target(project, Path("src/app.py"), (1, 2))
    assert target.path == (project / "src" / "app.py").resolve()
    assert target.root == project.resolve()
    assert (target.start_line, target.end_line, target.relative) == (1, 2, "src/app.py")
    whole = resolve_target(project, project / "src" / "app.py")
    assert not whole.has_region


@pytest.mark.parametrize("given", ["../outside.py", "src/../../outside.py"])
def test_path_traversal_is_refused(project, given):
    with pytest.raises(OutsideProject, match="outside the project"):
        resolve_target(project, Path(given))


def test_absolute_path_elsewhere_is_refused(project, tmp_path):
    with pytest.raises(OutsideProject):
        resolve_target(project, tmp_path / "outside.py")


def test_symlink_leading_out_of_the_project_is_refused(project, tmp_path):
    link = project / "src" / "linked.py"
    os.symlink(tmp_path / "outside.py", link)
    with pytest.raises(OutsideProject) as caught:
        resolve_target(project, Path("src/linked.py"))
    assert "link" in caught.value.hint


def test_symlink_inside_the_project_edits_the_real_file(project):
    os.symlink(project / "src" / "app.py", project / "alias.py")
    target = resolve_target(project, Path("alias.py"))
    assert target.path == (project / "src" / "app.py").resolve()


def test_symlinked_project_root_is_fine(project, tmp_path):
    os.symlink(project, tmp_path / "via-link")
    target = resolve_target(tmp_path / "via-link", Path("src/app.py"))
    assert target.relative == "src/app.py"


@pytest.mark.parametrize("name", [".env", "id_rsa", "server.key", ".env.production"])
def test_secret_files_are_refused(project, name):
    (project / name).write_text("TOKEN=abc\n")
    with pytest.raises(SecretFile, match="secret"):
        resolve_target(project, Path(name))


def test_file_holding_a_private_key_is_refused(project):
    (project / "notes.txt").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n")
    with pytest.raises(SecretFile, match="private key"):
        resolve_target(project, Path("notes.txt"))


def test_a_private_key_far_into_a_file_is_found_and_a_huge_file_is_not_read(project):
    (project / "notes.txt").write_text("a line of notes\n" * 6000 + "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n")
    with pytest.raises(SecretFile, match="private key"):
        resolve_target(project, Path("notes.txt"))
    huge = project / "big.log"
    with huge.open("wb") as handle:
        handle.truncate(600 * 1024 * 1024)  # sparse: nothing on disk, but 600 MB to read
    assert resolve_target(project, Path("big.log")).relative == "big.log"  # too large to edit is said later


def test_link_with_harmless_name_to_a_secret_is_refused(project):
    (project / ".env").write_text("TOKEN=abc\n")
    os.symlink(project / ".env", project / "config.txt")
    with pytest.raises(SecretFile):
        resolve_target(project, Path("config.txt"))


KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n"


def test_a_key_written_after_the_check_stops_the_edit(project):
    from tests.fakes.opens import watch_opens

    # The file holds no key when the target is checked; from its next read on it does.
    # The snapshot an edit is made from is the one its own key check read.
    app = project / "src" / "app.py"
    keyed = app.read_text() + f"DEPLOY_KEY = '''{KEY}'''\n"
    with watch_opens(app, later=keyed.encode()) as watch:
        target = resolve_target(project, Path("src/app.py"), (1, 2))
        assert watch.opens == 1  # the key check and the line count: one read
        with pytest.raises(SecretFile, match="contains a private key"):
            propose_edit(target, "```python\ndef main():\n    return 42\n```")


def test_a_private_key_in_a_utf16_file_is_refused(project):
    (project / "notes.txt").write_text("notes\n" + KEY, encoding="utf-16")
    for lines in (None, (1, 1)):
        with pytest.raises(SecretFile, match="private key"):
            resolve_target(project, Path("notes.txt"), lines)


@pytest.mark.parametrize("data", [b"caf\xe9 = 1\n", b"\x00\x01\x02 not text\n"])
def test_a_file_hearth_cannot_edit_is_refused_for_a_key_first_and_for_its_bytes_when_proposed(project, data):
    (project / "odd.txt").write_bytes(data)
    target = resolve_target(project, Path("odd.txt"))  # not UTF-8 / binary: said when the edit is proposed
    with pytest.raises(EditError, match="not UTF-8|not a text file"):
        propose_edit(target, "```\nx = 2\n```")
    (project / "odd.txt").write_bytes(data + KEY.encode())
    with pytest.raises(SecretFile, match="contains a private key"):
        resolve_target(project, Path("odd.txt"))


@pytest.mark.parametrize("lines", [(0, 2), (3, 2), (6, 7), (7, 7)])
def test_lines_outside_the_file_are_refused(project, lines):
    with pytest.raises(ProjectError, match="has 6 lines"):
        resolve_target(project, Path("src/app.py"), lines)


def test_missing_file_folder_and_root(project, tmp_path):
    with pytest.raises(ProjectError, match="does not exist"):
        resolve_target(project, Path("src/nope.py"))
    with pytest.raises(ProjectError, match="not a file"):
        resolve_target(project, Path("src"))
    with pytest.raises(ProjectError, match="does not exist"):
        resolve_target(tmp_path / "no-such-project", Path("a.py"))


def test_line_count():
    assert [line_count(t) for t in ("", "a", "a\n", "a\nb", "a\n\n")] == [0, 1, 1, 2, 2]


# --- syntax ---------------------------------------------------------------------------

BASE = "def main():\n    return 1\n\n\ndef other():\n    return 2\n"


def test_clean_edit_has_no_problems():
    assert syntax_problems(Path("a.py"), BASE, BASE.replace("return 1", "return 10")) == ()


def test_introduced_error_is_reported_on_its_line():
    new = BASE.replace("def other():", "def other(:")
    problems = syntax_problems(Path("a.py"), BASE, new)
    assert problems and problems[0].line == 5


def test_missing_node_is_named():
    problems = syntax_problems(Path("x.js"), "f(1);\n", "f(1;\n")
    assert problems and "missing" in " ".join(p.message for p in problems)


def test_errors_the_file_already_had_are_not_blamed_on_the_edit():
    broken = BASE.replace("def other():", "def other(:")
    edited = broken.replace("return 1", "return 10")
    assert syntax_problems(Path("a.py"), broken, edited) == ()


def test_rewriting_an_already_broken_region_is_not_blamed():
    broken = "def f(:\n    return 1\n"
    still_broken = "def f(:\n    return 2\n"
    assert syntax_problems(Path("a.py"), broken, still_broken) == ()


def test_new_error_next_to_an_old_one_is_still_reported():
    broken = BASE.replace("def other():", "def other(:")
    worse = broken.replace("    return 1\n", "    return (1\n")
    problems = syntax_problems(Path("a.py"), broken, worse)
    assert problems and min(p.line for p in problems) <= 2


def test_unknown_language_is_not_checked():
    assert syntax_problems(Path("notes.md"), "# a\n", "((((\n") == ()
    assert syntax_problems(Path("Makefile"), "a:\n", "a:(\n") == ()


# --- unchanged ------------------------------------------------------------------------


def test_file_changed_between_proposal_and_check_is_detected(project):
    target = resolve_target(project, Path("src/app.py"), (2, 2))
    proposal = propose_edit(target, "```python\n    return 42\n```")
    ensure_unchanged(proposal)  # nothing happened yet
    target.path.write_text(target.path.read_text() + "# someone else\n")
    with pytest.raises(FileChangedOnDisk, match="changed on disk"):
        ensure_unchanged(proposal)
    target.path.unlink()
    with pytest.raises(FileChangedOnDisk, match="deleted"):
        ensure_unchanged(proposal)
