"""Live updates: watcher batches applied to the index through the one writer.

``live_updates`` runs on a plain thread as the worker would run it. Waits are bounded
so a broken pipeline fails instead of hanging; nothing asserts on how fast it is.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.paths import HearthPaths
from desktop.index import scanner
from desktop.index.identifiers import fts_query
from desktop.index.indexer import Indexer
from desktop.index.live import LiveUpdate, affected_paths, apply_changes, live_updates
from desktop.index.store import IndexReader, open_reader
from desktop.index.watcher import FileChange
from tests.index.test_watcher import overflow_inotify

WAIT_S = 10.0


@pytest.fixture
def project(tmp_path):
    root = (tmp_path / "proj").resolve()
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def old_name():\n    pass\n")
    (root / "src" / "keep.py").write_text("def kept():\n    pass\n")
    return root


@pytest.fixture
def indexer(project):
    indexer = Indexer(project, HearthPaths.from_env())
    list(indexer.update(CancelToken()))
    yield indexer
    indexer.close()


def find(indexer: Indexer, word: str) -> list[str]:
    reader = IndexReader(open_reader(indexer.db_path))
    ids = [i for i, _ in reader.match_chunks(fts_query([word]), 10)]
    return sorted({c.path for c in reader.chunks(ids)})


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


def test_saves_creates_deletes_and_renames_reach_the_index(project, indexer):
    token = CancelToken()
    updates: list[LiveUpdate] = []
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            updates.extend(live_updates(indexer, token))
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    try:
        # the watcher starts asynchronously: keep saving until the change shows up
        def saved() -> bool:
            (project / "src" / "app.py").write_text("def freshlySavedName():\n    pass\n")
            return find(indexer, "freshlysavedname") == ["src/app.py"]

        wait_for(saved, "a save to become searchable")
        assert find(indexer, "old_name") == []

        (project / "src" / "created.py").write_text("def createdLater():\n    pass\n")
        wait_for(lambda: find(indexer, "createdlater") == ["src/created.py"], "a new file")

        (project / "src" / "created.py").rename(project / "src" / "renamed.py")
        wait_for(lambda: find(indexer, "createdlater") == ["src/renamed.py"], "a rename")

        (project / "src" / "keep.py").unlink()
        wait_for(lambda: find(indexer, "kept") == [], "a delete")
    finally:
        token.cancel()
        thread.join(WAIT_S)
    assert not thread.is_alive()
    assert not errors
    assert updates and all(isinstance(u, LiveUpdate) for u in updates)


def test_branch_switch_is_one_batch(project, indexer):
    """Hundreds of files changing at once: one call, every change applied."""
    batch: list[FileChange] = []
    for i in range(300):
        path = project / "feature" / f"mod_{i}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"def feature_{i}():\n    return {i}\n")
        batch.append(FileChange("created", path))
    (project / "src" / "app.py").write_text("def branchVersion():\n    pass\n")
    batch.append(FileChange("modified", project / "src" / "app.py"))
    (project / "src" / "keep.py").unlink()
    batch.append(FileChange("deleted", project / "src" / "keep.py"))
    update = apply_changes(indexer, batch, CancelToken())
    assert update.files_changed == 301 and update.files_removed == 1
    reader = IndexReader(open_reader(indexer.db_path))
    assert reader.stats().files == 301
    assert find(indexer, "branchversion") == ["src/app.py"]
    assert len(reader.symbols_named("feature_299")) == 1


def test_folder_moved_and_deleted(project, indexer):
    (project / "src").rename(project / "lib")
    update = apply_changes(indexer, [FileChange("moved", project / "src", project / "lib", is_dir=True)], CancelToken())
    assert set(update.paths) == {"src", "lib"}
    reader = IndexReader(open_reader(indexer.db_path))
    assert sorted(f.path for f in reader.files()) == ["lib/app.py", "lib/keep.py"]
    shutil.rmtree(project / "lib")
    apply_changes(indexer, [FileChange("deleted", project / "lib", is_dir=True)], CancelToken())
    assert reader.stats().files == 0


def test_affected_paths_both_ends_once():
    a, b = Path("/p/a.py"), Path("/p/b.py")
    batch = [FileChange("modified", a), FileChange("moved", a, b), FileChange("deleted", b)]
    assert affected_paths(batch) == [a, b]


def test_gitignore_change_reindexes_by_the_new_rules(project, indexer):
    (project / "generated").mkdir()
    (project / "generated" / "out.py").write_text("def generatedThing():\n    pass\n")
    apply_changes(indexer, [FileChange("created", project / "generated", is_dir=True)], CancelToken())
    assert find(indexer, "generatedthing") == ["generated/out.py"]
    (project / ".gitignore").write_text("generated/\n")
    indexer.rules.reload()  # the watcher reloads the rules before it hands over the batch
    apply_changes(indexer, [FileChange("created", project / ".gitignore")], CancelToken())
    assert find(indexer, "generatedthing") == []


def test_a_folder_swapped_for_a_link_is_not_read_through(project, indexer, tmp_path):
    # A branch switch can replace a folder by a link: the watcher reports the old
    # files (deleted) and the folder (created), in any order.
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "helper.py").write_text("def outsideThing():\n    return 'AWS_SECRET'\n")
    (project / "tools" / ".docker").mkdir(parents=True)
    (project / "tools" / ".docker" / "config.json").write_text('{"auths": {"r": {"auth": "c2VjcmV0"}}}\n')
    for name in ("vendored", "auth"):
        (project / name).mkdir()
        (project / name / "helper.py").write_text("def insideThing():\n    pass\n")
        (project / name / "config.json").write_text("{}\n")
    list(indexer.update(CancelToken()))
    for name, target in (("vendored", outside), ("auth", project / "tools" / ".docker")):
        shutil.rmtree(project / name)
        (project / name).symlink_to(target, target_is_directory=True)
    batch = [
        FileChange("modified", project / "vendored" / "helper.py"), FileChange("created", project / "vendored", is_dir=True),
        FileChange("modified", project / "auth" / "config.json"), FileChange("created", project / "auth", is_dir=True),
    ]
    apply_changes(indexer, batch, CancelToken())
    reader = IndexReader(open_reader(indexer.db_path))
    files = {f.path for f in reader.files()}
    assert not any(path.startswith(("vendored/", "auth/")) for path in files), files
    assert find(indexer, "outsidething") == [] and find(indexer, "auths") == []
    assert {s.path: s.reason for s in reader.skipped() if s.reason == "link"} == {"vendored": "link", "auth": "link"}


def test_a_file_swapped_for_an_ignored_link_leaves_no_row(project, indexer):
    (project / ".gitignore").write_text("cache/\n")
    (project / "data").mkdir()
    (project / "cache").write_text("def cachedThing():\n    pass\n")
    indexer.rules.reload()
    list(indexer.update(CancelToken()))
    assert find(indexer, "cachedthing") == ["cache"]
    (project / "cache").unlink()
    (project / "cache").symlink_to(project / "data", target_is_directory=True)
    apply_changes(indexer, [FileChange("created", project / "cache", is_dir=True)], CancelToken())
    assert find(indexer, "cachedthing") == []


def test_an_environment_made_while_watching_leaves_the_index(project, indexer):
    env = project / "myenv" / "lib" / "site-packages"
    env.mkdir(parents=True)
    (env / "six.py").write_text("def sixThing():\n    pass\n")
    list(indexer.update(CancelToken()))
    assert find(indexer, "sixthing") == ["myenv/lib/site-packages/six.py"]
    token = CancelToken()
    updates: list[LiveUpdate] = []

    def consume() -> None:
        with contextlib.suppress(Cancelled):  # stopped in the middle of an update: fine here
            updates.extend(live_updates(indexer, token))

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    try:
        # the watcher starts asynchronously: write the mark until the change shows up
        def marked_and_gone() -> bool:
            (project / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
            time.sleep(0.1)
            return find(indexer, "sixthing") == []

        wait_for(marked_and_gone, "the environment to leave the index")
    finally:
        token.cancel()
        thread.join(WAIT_S)


def contents(indexer: Indexer) -> tuple[list[str], dict[str, str]]:
    """The indexed paths and the skipped ones with their reasons."""
    reader = IndexReader(open_reader(indexer.db_path))
    return [f.path for f in reader.files()], {s.path: s.reason for s in reader.skipped()}


def fresh(project: Path, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    """What a full index of the project as it is now holds."""
    indexer = Indexer(project, HearthPaths.under(tmp_path / f"fresh-{time.monotonic_ns()}"), workers=1)
    try:
        list(indexer.update(CancelToken()))
        return contents(indexer)
    finally:
        indexer.close()


def test_a_file_replaced_by_a_folder_of_its_name_leaves_no_row(project, indexer, tmp_path):
    (project / "utils").write_text("def zebraHelper():\n    return 1\n")  # a script without a suffix
    list(indexer.update(CancelToken()))
    (project / "utils").unlink()
    (project / "utils").mkdir()
    (project / "utils" / "a.py").write_text("def inUtils():\n    pass\n")
    # the watcher merges the file's deletion and the folder's creation into one change
    batch = [FileChange("modified", project / "utils", is_dir=True), FileChange("created", project / "utils" / "a.py")]
    apply_changes(indexer, batch, CancelToken())
    assert find(indexer, "zebrahelper") == []
    assert contents(indexer) == fresh(project, tmp_path)


def test_a_folder_replaced_by_a_file_of_its_name_leaves_no_row(project, indexer, tmp_path):
    (project / "pkg" / "sub").mkdir(parents=True)
    (project / "pkg" / "a.py").write_text("def inPkgA():\n    pass\n")
    (project / "pkg" / "sub" / "b.py").write_text("def inPkgB():\n    pass\n")
    (project / "pkg" / "sub" / ".env").write_text("TOKEN=1\n")
    list(indexer.update(CancelToken()))
    (project / "pkg").rename(tmp_path / "trash")  # moved out of the project
    (project / "pkg").write_text("# now a plain file\n")
    apply_changes(indexer, [FileChange("modified", project / "pkg")], CancelToken())
    assert find(indexer, "inpkgb") == []
    assert contents(indexer) == fresh(project, tmp_path)


def test_a_link_replaced_by_a_folder_of_its_name_leaves_no_skip_record(project, indexer, tmp_path):
    (project / "lib").symlink_to(project / "src", target_is_directory=True)
    list(indexer.update(CancelToken()))
    assert contents(indexer)[1] == {"lib": "link"}
    (project / "lib").unlink()
    (project / "lib").mkdir()
    (project / "lib" / "b.py").write_text("def inLib():\n    pass\n")
    batch = [FileChange("modified", project / "lib", is_dir=True), FileChange("created", project / "lib" / "b.py")]
    apply_changes(indexer, batch, CancelToken())
    assert contents(indexer) == fresh(project, tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_branch_switch_between_a_file_and_a_folder_of_one_name_keeps_the_index_right(project, indexer, tmp_path):
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", "-C", str(project), *args],
            check=True, capture_output=True,
        )

    git("init", "-q", "-b", "main")
    (project / "tools").write_text("def oldToolScript():\n    pass\n")
    git("add", "-A")
    git("commit", "-qm", "tools is a file")
    git("checkout", "-qb", "folder")
    (project / "tools").unlink()
    (project / "tools" / "sub").mkdir(parents=True)
    (project / "tools" / "run.py").write_text("def newTool():\n    pass\n")
    (project / "tools" / "sub" / "deep.py").write_text("def deepTool():\n    pass\n")
    git("add", "-A")
    git("commit", "-qm", "tools is a folder")
    git("checkout", "-q", "main")
    list(indexer.update(CancelToken()))
    token = CancelToken()

    def consume() -> None:
        with contextlib.suppress(Cancelled):  # stopped in the middle of an update: fine here
            list(live_updates(indexer, token))

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    try:
        def watching() -> bool:  # the watcher starts asynchronously
            (project / "probe.py").write_text("def probeWatched():\n    pass\n")
            time.sleep(0.1)
            return find(indexer, "probewatched") == ["probe.py"]

        wait_for(watching, "the watcher to start")
        for branch in ("folder", "main"):
            git("checkout", "-q", branch)
            expected = fresh(project, tmp_path)
            wait_for(lambda: contents(indexer) == expected, f"the index of branch {branch}")
    finally:
        token.cancel()
        thread.join(WAIT_S)


def test_a_rescan_compares_the_whole_project(project, indexer):
    (project / "src" / "unseen.py").write_text("def unseenThing():\n    pass\n")
    (project / "src" / "keep.py").unlink()
    update = apply_changes(indexer, [FileChange("rescan", project, is_dir=True)], CancelToken())
    assert (update.files_changed, update.files_removed) == (1, 1)
    assert find(indexer, "unseenthing") == ["src/unseen.py"] and find(indexer, "kept") == []


@contextlib.contextmanager
def watching(project: Path, indexer: Indexer):
    """Live updates of ``indexer`` on a thread, running (checked by a save) while the
    block runs; the block's own failures come first, then any the updates raised."""
    token = CancelToken()
    errors: list[BaseException] = []

    def consume() -> None:
        try:
            for _ in live_updates(indexer, token):
                pass
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    try:
        wait_for(lambda: _saved_and_found(project, indexer), "the watcher to start")
        yield
    finally:
        token.cancel()
        thread.join(WAIT_S)
    assert not errors


def test_files_whose_events_an_inotify_overflow_dropped_reach_the_index(project, indexer):
    with watching(project, indexer):
        late = [project / "src" / f"late_{n}.py" for n in range(20)]
        overflow_inotify(project / "src", then_write=late)  # written while the queue is full
        wanted = {f"src/{path.name}" for path in late}
        wait_for(lambda: wanted <= indexed_paths(indexer), "the files written during the overflow")


def test_a_file_created_at_the_file_limit_is_skipped_until_one_is_deleted(project, indexer, monkeypatch):
    """The watcher grows the index no further than a full update would."""
    monkeypatch.setattr(scanner, "MAX_INDEX_FILES", 2)  # the project's two files fill it
    with watching(project, indexer):
        (project / "src" / "created.py").write_text("def createdLater():\n    pass\n")
        wait_for(lambda: contents(indexer)[1] == {"src/created.py": "too-many-files"}, "the new file to be skipped")
        assert contents(indexer)[0] == ["src/app.py", "src/keep.py"]
        (project / "src" / "keep.py").unlink()
        wait_for(lambda: contents(indexer) == (["src/app.py", "src/created.py"], {}), "the skipped file to be taken in")
    assert find(indexer, "createdlater") == ["src/created.py"]


def _saved_and_found(project: Path, indexer: Indexer) -> bool:
    (project / "src" / "app.py").write_text("def watcherIsOn():\n    pass\n")
    time.sleep(0.1)
    return find(indexer, "watcherison") == ["src/app.py"]


def indexed_paths(indexer: Indexer) -> set[str]:
    return {row.path for row in IndexReader(open_reader(indexer.db_path)).files()}
