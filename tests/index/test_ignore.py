"""Ignore rules and the project walk, on real folders in tmp_path."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.index.ignore import BUILTIN_IGNORED_DIRS, IgnoreRules, walk_project


def make_tree(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def walked(root: Path, rules: IgnoreRules | None = None) -> list[str]:
    rules = rules or IgnoreRules.for_project(root)
    return [path.relative_to(root.resolve()).as_posix() for path in walk_project(root, rules)]


def test_python_environments_are_skipped_whatever_their_name(tmp_path):
    make_tree(tmp_path, {
        "app.py": "",
        ".venv-3.12/pyvenv.cfg": "home = /usr/bin\n",
        ".venv-3.12/lib/python3.12/site-packages/requests/api.py": "",
        "py311/pyvenv.cfg": "",
        "py311/bin/activate": "",
        ".direnv/python-3.11/pyvenv.cfg": "",
        ".direnv/python-3.11/lib/site.py": "",
        "envs/science/conda-meta/history": "",
        "envs/science/lib/numpy.py": "",
        "tools/pyvenv_helper.py": "",  # a name that merely looks alike
    })
    assert walked(tmp_path) == ["app.py", "tools/pyvenv_helper.py"]
    rules = IgnoreRules.for_project(tmp_path)
    assert rules.is_ignored(tmp_path / ".venv-3.12/lib/python3.12/site-packages/requests/api.py", is_dir=False)
    assert rules.is_ignored(tmp_path / "py311", is_dir=True)
    assert rules.is_ignored(tmp_path / "envs/science/lib/numpy.py", is_dir=False)
    assert not rules.is_ignored(tmp_path / "tools/pyvenv_helper.py", is_dir=False)
    assert not IgnoreRules.for_project(tmp_path / "py311").is_ignored(tmp_path / "py311" / "bin" / "activate")  # opened itself


def test_an_environment_made_while_the_project_is_open_is_ignored_after_its_mark_reloads_the_rules(tmp_path):
    make_tree(tmp_path, {"app.py": "", "py312/lib/site.py": ""})
    rules = IgnoreRules.for_project(tmp_path)
    assert not rules.is_ignored(tmp_path / "py312/lib/site.py", is_dir=False)
    (tmp_path / "py312" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert rules.is_ignore_file(tmp_path / "py312" / "pyvenv.cfg")  # the watcher reloads on it
    rules.reload()
    assert rules.is_ignored(tmp_path / "py312/lib/site.py", is_dir=False)


def test_builtin_dirs_are_skipped_without_any_gitignore(tmp_path):
    make_tree(tmp_path, {
        "app.py": "",
        "node_modules/lib/index.js": "",
        ".git/config": "",
        "pkg/__pycache__/mod.cpython-311.pyc": "",
        ".venv/lib/site.py": "",
        "pkg/mod.py": "",
        ".DS_Store": "",
    })
    assert walked(tmp_path) == ["app.py", "pkg/mod.py"]
    assert {"node_modules", ".git", "__pycache__", ".venv", ".DS_Store"} <= BUILTIN_IGNORED_DIRS


def test_a_file_named_like_a_builtin_dir_is_kept(tmp_path):
    make_tree(tmp_path, {"scripts/build": "#!/bin/sh\n", "env": "A=1\n"})
    assert walked(tmp_path) == ["env", "scripts/build"]


def test_root_gitignore_patterns_and_negation(tmp_path):
    make_tree(tmp_path, {
        ".gitignore": "*.log\n!keep.log\n/secret.txt\n",
        "a.log": "", "keep.log": "", "secret.txt": "", "sub/secret.txt": "", "sub/b.log": "",
        "main.py": "",
    })
    assert walked(tmp_path) == [".gitignore", "keep.log", "main.py", "sub/secret.txt"]


def test_dir_only_pattern_matches_folders_not_files(tmp_path):
    make_tree(tmp_path, {
        ".gitignore": "generated/\n",
        "generated/out.py": "",
        "src/generated/deep.py": "",
        "other/generated": "a file, not a folder",
    })
    assert walked(tmp_path) == [".gitignore", "other/generated"]
    rules = IgnoreRules.for_project(tmp_path)
    assert rules.is_ignored(Path("generated"), is_dir=True)
    assert not rules.is_ignored(Path("generated"), is_dir=False)


def test_nested_gitignore_applies_below_its_folder_and_wins(tmp_path):
    make_tree(tmp_path, {
        ".gitignore": "*.tmp\n",
        "lib/.gitignore": "!important.tmp\nlocal.py\n/anchored.py\n",
        "lib/important.tmp": "", "lib/junk.tmp": "", "lib/local.py": "",
        "lib/anchored.py": "", "lib/deeper/anchored.py": "",
        "local.py": "", "important.tmp": "",
    })
    assert walked(tmp_path) == [
        ".gitignore", "local.py", "lib/.gitignore", "lib/important.tmp",
        "lib/deeper/anchored.py",
    ]


def test_no_reinclude_inside_an_ignored_folder(tmp_path):
    make_tree(tmp_path, {".gitignore": "vendor/\n!vendor/keep.py\n", "vendor/keep.py": ""})
    assert walked(tmp_path) == [".gitignore"]
    assert IgnoreRules.for_project(tmp_path).is_ignored(tmp_path / "vendor" / "keep.py")


def test_git_info_exclude_is_read_and_gitignore_overrides_it(tmp_path):
    make_tree(tmp_path, {
        ".git/info/exclude": "notes.md\n*.bak\n",
        ".gitignore": "!wanted.bak\n",
        "notes.md": "", "old.bak": "", "wanted.bak": "", "readme.md": "",
    })
    assert walked(tmp_path) == [".gitignore", "readme.md", "wanted.bak"]


def test_is_ignored_accepts_absolute_and_relative_paths_and_looks_up_dirs(tmp_path):
    make_tree(tmp_path, {".gitignore": "out/\n", "out/x.txt": "", "src/a.py": ""})
    rules = IgnoreRules.for_project(tmp_path)
    assert rules.is_ignored(tmp_path / "out")  # looked up on disk: a folder
    assert rules.is_ignored(Path("out/x.txt"))
    assert not rules.is_ignored(tmp_path / "src" / "a.py")
    assert not rules.is_ignored(Path("src"))
    assert rules.root == tmp_path.resolve()


def test_paths_outside_the_project_count_as_ignored(tmp_path):
    project = tmp_path / "project"
    make_tree(project, {"a.py": ""})
    make_tree(tmp_path, {"elsewhere.py": ""})
    rules = IgnoreRules.for_project(project)
    assert rules.is_ignored(tmp_path / "elsewhere.py")
    assert rules.is_ignored(Path("../elsewhere.py"))
    assert not rules.is_ignored(project)


def test_reload_picks_up_a_changed_gitignore(tmp_path):
    make_tree(tmp_path, {"a.py": "", "b.py": ""})
    rules = IgnoreRules.for_project(tmp_path)
    assert not rules.is_ignored(Path("b.py"))
    (tmp_path / ".gitignore").write_text("b.py\n")
    assert not rules.is_ignored(Path("b.py"))  # not until told
    rules.reload()
    assert rules.is_ignored(Path("b.py"))
    assert rules.is_ignore_file(tmp_path / ".gitignore")
    assert rules.is_ignore_file(tmp_path / ".git" / "info" / "exclude")
    assert not rules.is_ignore_file(tmp_path / "a.py")


def test_extra_patterns_apply_with_lowest_precedence(tmp_path):
    make_tree(tmp_path, {".gitignore": "!keep.csv\n", "data.csv": "", "keep.csv": "", "a.py": ""})
    rules = IgnoreRules.for_project(tmp_path, extra_patterns=["*.csv"])
    assert walked(tmp_path, rules) == [".gitignore", "a.py", "keep.csv"]


def test_gitignore_with_bad_bytes_is_read_not_fatal(tmp_path):
    (tmp_path / ".gitignore").write_bytes(b"\xff\xfe junk\n*.o\n")
    make_tree(tmp_path, {"x.o": "", "x.c": ""})
    assert walked(tmp_path) == [".gitignore", "x.c"]


def test_walk_order_is_deterministic_files_then_folders(tmp_path):
    make_tree(tmp_path, {"b/z.py": "", "b/a.py": "", "a/y.py": "", "m.py": "", "c.py": ""})
    assert walked(tmp_path) == ["c.py", "m.py", "a/y.py", "b/a.py", "b/z.py"]


def test_symlink_loop_is_walked_once(tmp_path):
    make_tree(tmp_path, {"src/a.py": "", "src/inner/b.py": ""})
    os.symlink(tmp_path / "src", tmp_path / "src" / "inner" / "loop")
    os.symlink(tmp_path, tmp_path / "src" / "to_root")
    assert walked(tmp_path) == ["src/a.py", "src/inner/b.py"]


def test_links_are_not_followed_and_listed_only_when_asked_for(tmp_path):
    # As git does: a link is not the project's files under a second name (and /etc
    # linked into a project is not the project's at all).
    project = tmp_path / "project"
    shared = tmp_path / "shared"
    make_tree(project, {"main.py": "", "lib/util.py": ""})
    make_tree(shared, {"util.py": ""})
    os.symlink(shared, project / "shared")
    os.symlink(project / "lib", project / "lib_alias")
    os.symlink(project / "missing.py", project / "dangling.py")
    assert walked(project) == ["main.py", "lib/util.py"]
    rules = IgnoreRules.for_project(project)
    listed = [p.relative_to(project.resolve()).as_posix() for p in walk_project(project, rules, links=True)]
    assert listed == ["dangling.py", "lib_alias", "main.py", "shared", "lib/util.py"]


def test_unreadable_folder_is_skipped(tmp_path, unprivileged):
    make_tree(tmp_path, {"ok.py": "", "locked/secret.py": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        assert walked(tmp_path) == ["ok.py"]
    finally:
        locked.chmod(0o755)


def test_folder_that_vanishes_or_is_not_a_folder_is_skipped(tmp_path):
    # Scanning something that is not a folder is the same failure path as permission
    # denied (OSError from scandir); this one can be produced as root too.
    make_tree(tmp_path, {"a.py": ""})
    rules = IgnoreRules.for_project(tmp_path)
    assert list(walk_project(tmp_path / "a.py", rules)) == []
    assert list(walk_project(tmp_path / "gone", rules)) == []


def test_max_files_stops_early(tmp_path):
    make_tree(tmp_path, {f"f{index:02}.py": "" for index in range(20)})
    rules = IgnoreRules.for_project(tmp_path)
    paths = list(walk_project(tmp_path, rules, max_files=5))
    assert [path.name for path in paths] == ["f00.py", "f01.py", "f02.py", "f03.py", "f04.py"]


def test_a_walk_below_one_folder_finds_what_the_whole_walk_finds_there(tmp_path):
    make_tree(tmp_path, {
        "app.py": "",
        "src/.gitignore": "*.log\nout/\n",
        "src/a.py": "",
        "src/run.log": "",
        "src/out/b.py": "",
        "src/pkg/c.py": "",
        "src/pkg/env/pyvenv.cfg": "",
        "src/pkg/env/lib/d.py": "",
        "src/node_modules/e.js": "",
    })
    os.symlink(tmp_path / "src" / "pkg", tmp_path / "src" / "alias")
    rules = IgnoreRules.for_project(tmp_path)
    root = tmp_path.resolve()
    whole = [p for p in walk_project(root, rules, links=True) if p.is_relative_to(root / "src")]
    assert list(walk_project(root, rules, links=True, folder=root / "src")) == whole
    assert [p.relative_to(root).as_posix() for p in whole] == ["src/.gitignore", "src/a.py", "src/alias", "src/pkg/c.py"]


def test_cancel_stops_the_walk(tmp_path):
    make_tree(tmp_path, {f"d{index}/f.py": "" for index in range(10)})
    rules = IgnoreRules.for_project(tmp_path)
    token = CancelToken()
    walker = walk_project(tmp_path, rules, cancel=token)
    first = next(walker)
    assert first.name == "f.py"
    token.cancel()
    with pytest.raises(Cancelled):
        next(walker)


def test_unreadable_gitignore_is_skipped(tmp_path):
    (tmp_path / ".gitignore").mkdir()  # a folder where a file is expected
    make_tree(tmp_path, {"a.py": ""})
    assert walked(tmp_path) == ["a.py"]


def test_a_windows_junction_counts_as_a_link():
    from types import SimpleNamespace

    from desktop.index.ignore import is_link

    regular = SimpleNamespace(st_mode=stat.S_IFDIR | 0o755, st_file_attributes=stat.FILE_ATTRIBUTE_DIRECTORY)
    junction = SimpleNamespace(
        st_mode=stat.S_IFDIR | 0o755,
        st_file_attributes=stat.FILE_ATTRIBUTE_DIRECTORY | stat.FILE_ATTRIBUTE_REPARSE_POINT,
    )
    posix_link = SimpleNamespace(st_mode=stat.S_IFLNK | 0o777)
    assert (is_link(regular), is_link(junction), is_link(posix_link)) == (False, True, True)


# Tricky .gitignore cases, each a real folder: (files, what a walk keeps). Every one is
# also checked against the real git binary below, folders included. No folder here has
# a built-in name (build, out, env, ...), which Hearth skips and git does not.
GIT_CASES = {
    "a whitelist keeps the folders and the python files": (
        {".gitignore": "*\n!*/\n!*.py\n", "a.py": "", "README.md": "", "src/x/a.py": "", "src/notes.txt": ""},
        ["a.py", "src/x/a.py"],
    ),
    "star without re-including folders keeps top-level files only": (
        {".gitignore": "*\n!*.py\n", "a.py": "", "src/b.py": ""},
        ["a.py"],
    ),
    "a negated folder pattern does not re-include the files in it": (
        {".gitignore": "*\n!keep/\n", "a.py": "", "keep/a.py": ""},
        [],
    ),
    "a folder pattern re-included by a later one is walked": (
        {".gitignore": "vendor\n!vendor/\n", "vendor/keep.py": ""},
        [".gitignore", "vendor/keep.py"],
    ),
    "every folder comes back with !*/": (
        {".gitignore": "gen/\nlib/sub/\n!*/\n", "gen/a.py": "", "lib/sub/b.py": ""},
        [".gitignore", "gen/a.py", "lib/sub/b.py"],
    ),
    "a file in an excluded folder cannot be re-included": (
        {".gitignore": "gen/\n!gen/keep.py\n!gen/*\n", "gen/keep.py": "", "a.py": ""},
        [".gitignore", "a.py"],
    ),
    "children of a folder are not the folder": (
        {".gitignore": "foo/*\n!foo/bar/\n", "foo/bar/x.py": "", "foo/o.py": ""},
        [".gitignore", "foo/bar/x.py"],
    ),
    "a trailing double star leaves the folder itself in": (
        {".gitignore": "foo/**\n!foo/keep.py\n", "foo/keep.py": "", "foo/drop.py": "", "foo/sub/deep.py": ""},
        [".gitignore", "foo/keep.py"],
    ),
    "a double star in the middle matches no folder or many": (
        {".gitignore": "a/**/b\n", "a/b": "", "a/x/b": "", "a/x/y/b": "", "a/bb": "", "c/a/b": ""},
        [".gitignore", "a/bb", "c/a/b"],
    ),
    "a leading double star and an anchored name": (
        {".gitignore": "**/gen/\n/top.py\n", "gen/a.py": "", "x/gen/b.py": "", "top.py": "", "x/top.py": ""},
        [".gitignore", "x/top.py"],
    ),
    "a double star right after a literal start spans folders": (
        {".gitignore": "/a**/doc\n", "a/doc": "", "ab/c/doc": "", "adoc": "", "b/doc": ""},
        [".gitignore", "b/doc"],
    ),
    "a nested whitelist re-includes below a whitelisted folder": (
        {".gitignore": "*\n!*/\n", "docs/.gitignore": "!*.md\n", "docs/a.md": "", "docs/b.txt": "", "a.md": ""},
        ["docs/a.md"],
    ),
    "a nested anchored folder pattern": (
        {"lib/.gitignore": "/gen/\n", "lib/gen/a.py": "", "lib/sub/gen/b.py": "", "gen/c.py": ""},
        ["gen/c.py", "lib/.gitignore", "lib/sub/gen/b.py"],
    ),
    "brackets, negated brackets and classes": (
        {
            ".gitignore": "[ab].py\n[!c]*.txt\n[[:digit:]]*.md\n!b.py\n",
            "a.py": "", "b.py": "", "c.py": "", "x.txt": "", "c.txt": "", "1.md": "", "x.md": "",
        },
        [".gitignore", "b.py", "c.py", "c.txt", "x.md"],
    ),
    "escapes, comments and trailing spaces": (
        {
            ".gitignore": "# a comment\n\\#notes\n\\!bang\nspaces   \n",
            "#notes": "", "!bang": "", "spaces": "", "keep": "",
        },
        [".gitignore", "keep"],
    ),
    "windows line endings": (
        {".gitignore": "*.log\r\n!keep.log\r\n", "a.log": "", "keep.log": ""},
        [".gitignore", "keep.log"],
    ),
    "a pattern git cannot match leaves the others working": (
        {".gitignore": "[unclosed\nfoo\\\n[[:nope:]]\n*.tmp\n", "[unclosed": "", "a.tmp": ""},
        [".gitignore", "[unclosed"],
    ),
    "star slash ignores every folder": (
        {".gitignore": "*/\n", "a.py": "", "src/b.py": ""},
        [".gitignore", "a.py"],
    ),
}


def git(cwd: Path, *args: str, stdin: str | None = None, check: bool = True) -> str:
    """Run the real git, kept away from the user's and the system's configuration."""
    home = cwd.parent / "git-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, check=check)
    return done.stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.mark.parametrize("case", GIT_CASES)
def test_tricky_gitignore_cases(tmp_path, case):
    files, kept = GIT_CASES[case]
    make_tree(tmp_path, files)
    assert sorted(walked(tmp_path)) == kept


@needs_git
@pytest.mark.parametrize("case", GIT_CASES)
def test_tricky_gitignore_cases_are_decided_as_git_decides(tmp_path, case):
    files, kept = GIT_CASES[case]
    project = tmp_path / "project"
    make_tree(project, files)
    git(project, "init", "-q")
    listed = sorted(git(project, "ls-files", "-co", "--exclude-standard", "-z").split("\0")[:-1])
    assert sorted(walked(project)) == listed == kept
    every = [path.relative_to(project).as_posix() for path in sorted(project.rglob("*")) if ".git" not in path.parts]
    answer = git(project, "check-ignore", "--no-index", "-z", "--stdin", stdin="\0".join(every), check=False)
    rules = IgnoreRules.for_project(project)
    assert {path for path in every if rules.is_ignored(Path(path))} == set(answer.split("\0")[:-1])


def test_git_files_of_worktrees_and_submodules_are_left_out_anywhere(tmp_path):
    make_tree(tmp_path, {"a.py": "", "vendored/.git": "gitdir: ../.git/modules/vendored\n", "vendored/v.py": ""})
    assert walked(tmp_path) == ["a.py", "vendored/v.py"]
    assert IgnoreRules.for_project(tmp_path).is_ignored(tmp_path / "vendored" / ".git")


@needs_git
def test_a_git_worktree_reads_the_repository_info_exclude_and_leaves_out_its_git_file(tmp_path):
    repo = tmp_path / "repo"
    make_tree(repo, {"m.py": "def m(): pass\n"})
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "i")
    exclude = repo / ".git" / "info" / "exclude"
    exclude.parent.mkdir(exist_ok=True)
    with exclude.open("a") as lines:
        lines.write("priv/\n")
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    make_tree(worktree, {"priv/p.py": "def p(): pass\n", "lib/a.py": ""})
    assert (worktree / ".git").is_file()
    assert walked(worktree) == ["m.py", "lib/a.py"]
    assert sorted(walked(worktree)) == sorted(git(worktree, "ls-files", "-co", "--exclude-standard").split())
    rules = IgnoreRules.for_project(worktree)
    assert rules.is_ignored(worktree / ".git") and rules.is_ignored(worktree / "priv" / "p.py")
    assert exclude.resolve() in rules.ignore_files
    assert rules.is_ignore_file(exclude.resolve())  # outside the project, yet a change reloads the rules


@needs_git
def test_a_git_submodule_reads_its_own_info_exclude(tmp_path):
    library = tmp_path / "library"
    make_tree(library, {"lib.py": ""})
    git(library, "init", "-q")
    git(library, "add", ".")
    git(library, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "i")
    outer = tmp_path / "outer"
    outer.mkdir()
    git(outer, "init", "-q")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib")
    module = outer / "lib"
    assert (module / ".git").read_text().startswith("gitdir: ../")  # relative, as git writes it
    exclude = outer / ".git" / "modules" / "lib" / "info" / "exclude"
    exclude.parent.mkdir(exist_ok=True)
    with exclude.open("a") as lines:
        lines.write("scratch/\n")
    make_tree(module, {"scratch/tmp.py": "", "more.py": ""})
    assert walked(module) == ["lib.py", "more.py"]
    assert sorted(walked(module)) == sorted(git(module, "ls-files", "-co", "--exclude-standard").split())


def _fake_repository(git_dir: Path, exclude: str = "*.py\n") -> None:
    """The least of a repository that Hearth follows a pointer to: HEAD, info/exclude."""
    make_tree(git_dir, {"HEAD": "ref: refs/heads/main\n", "info/exclude": exclude})


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        (b"gitdir: ../repo/.git\n", []),  # followed: the repository's exclude hides *.py
        (b"gitdir: ../repo/.git\r\n", []),
        (b"gitdir: ../repo/.git", []),
        (b"", ["a.py"]),
        (b"gitdir: \n", ["a.py"]),
        (b"gitdir:../repo/.git\n", ["a.py"]),  # git wants the space
        (b"../repo/.git\n", ["a.py"]),
        (b"gitdir: ../repo/.git\nmore\n", ["a.py"]),
        (b"gitdir: ../repo/.git\x00\n", ["a.py"]),
        (b"gitdir: ../repo/.git\t\n", ["a.py"]),
        (b"\xff\xfe\x00garbage", ["a.py"]),
        (b"gitdir: ../plain\n", ["a.py"]),  # a folder, not a repository: no HEAD
        (b"gitdir: ../missing/.git\n", ["a.py"]),
        (b"gitdir: ../repo/.git/HEAD\n", ["a.py"]),
        (b"gitdir: ../repo/.git" + b"/." * 5000 + b"\n", ["a.py"]),  # too long for a pointer
    ],
)
def test_an_odd_git_file_is_not_followed(tmp_path, content, kept):
    _fake_repository(tmp_path / "repo" / ".git")
    make_tree(tmp_path / "plain", {"info/exclude": "*.py\n"})
    project = tmp_path / "project"
    make_tree(project, {"a.py": ""})
    (project / ".git").write_bytes(content)
    assert walked(project) == kept


def test_an_absolute_gitdir_is_followed(tmp_path):
    _fake_repository(tmp_path / "repo" / ".git")
    make_tree(tmp_path / "project", {"a.py": "", "b.md": "", ".git": f"gitdir: {tmp_path / 'repo' / '.git'}\n"})
    assert walked(tmp_path / "project") == ["b.md"]


@pytest.mark.parametrize(
    ("commondir", "kept"),
    [
        (b"../..\n", []),  # a worktree's: the common folder holds info/exclude
        (b"../..\r\n", []),
        (None, ["a.py"]),  # no commondir: the worktree folder's own info/exclude, here none
        (b"", ["a.py"]),
        (b"../..\n../x\n", ["a.py"]),
        (b"\x00\x01", ["a.py"]),
        (b"../../..\n", ["a.py"]),  # not a repository
        ("folder", ["a.py"]),
    ],
)
def test_a_worktree_commondir_is_followed_only_when_it_is_sound(tmp_path, commondir, kept):
    repo = tmp_path / "repo" / ".git"
    _fake_repository(repo)
    gitdir = repo / "worktrees" / "wt"
    make_tree(gitdir, {"HEAD": "ref: refs/heads/wt\n"})
    if commondir == "folder":
        (gitdir / "commondir").mkdir()
    elif commondir is not None:
        (gitdir / "commondir").write_bytes(commondir)
    project = tmp_path / "wt"
    make_tree(project, {"a.py": "", ".git": f"gitdir: {gitdir}\n"})
    assert walked(project) == kept


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_in_place_of_git_or_commondir_or_gitignore_does_not_hang(tmp_path):
    repo = tmp_path / "repo" / ".git"
    _fake_repository(repo)
    gitdir = repo / "worktrees" / "wt"
    make_tree(gitdir, {"HEAD": ""})
    os.mkfifo(gitdir / "commondir")
    worktree = tmp_path / "wt"
    make_tree(worktree, {"a.py": "", ".git": f"gitdir: {gitdir}\n", "sub/b.py": ""})
    os.mkfifo(worktree / "sub" / ".gitignore")
    assert walked(worktree) == ["a.py", "sub/b.py"]
    project = tmp_path / "project"
    make_tree(project, {"a.py": ""})
    os.mkfifo(project / ".git")
    assert walked(project) == ["a.py"]


@pytest.mark.skipif(os.name == "nt", reason="no chmod 000 on Windows")
def test_an_unreadable_git_file_is_not_followed(tmp_path, unprivileged):
    _fake_repository(tmp_path / "repo" / ".git")
    project = tmp_path / "project"
    make_tree(project, {"a.py": "", ".git": "gitdir: ../repo/.git\n"})
    (project / ".git").chmod(0)
    try:
        assert walked(project) == ["a.py"]
    finally:
        (project / ".git").chmod(0o644)
