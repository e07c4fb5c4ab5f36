"""The project watcher, with a real watchdog observer on tmp_path.

The generator runs in a plain thread, as the worker would run it; batches are handed to
the test through a queue. Waits are bounded (a few seconds) so a broken watcher fails
the test instead of hanging it; nothing asserts on how fast events arrive.
"""

from __future__ import annotations

import itertools
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable

import pytest

from desktop.core.cancel import CancelToken
from desktop.core.errors import ProjectError
from desktop.index.ignore import IgnoreRules
from desktop.index.watcher import FileChange, watch_project

WAIT_S = 5.0


class WatchRun:
    """``watch_project`` running on a thread; batches collected in order."""

    def __init__(self, root: Path, debounce_s: float = 0.1) -> None:
        self.root = root.resolve()
        self.rules = IgnoreRules.for_project(root)
        self.token = CancelToken()
        self.batches: "queue.Queue[list[FileChange]]" = queue.Queue()
        self.errors: list[BaseException] = []
        self._debounce_s = debounce_s
        self._probe_ids = itertools.count()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            for batch in watch_project(self.root, self.rules, self.token, self._debounce_s):
                self.batches.put(batch)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the test
            self.errors.append(exc)

    def start(self) -> "WatchRun":
        self.thread.start()
        self.sync()
        return self

    def sync(self) -> list[list[FileChange]]:
        """Write a probe file until its event arrives; returns the batches seen meanwhile.

        This both waits for the observer to be running and marks a point in the stream:
        every event caused before the probe has been delivered once it returns.
        """
        probe = self.root / f"probe-{next(self._probe_ids)}.txt"
        seen: list[list[FileChange]] = []
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            probe.write_text(str(time.monotonic()))
            try:
                batch = self.batches.get(timeout=self._debounce_s + 0.5)
            except queue.Empty:
                continue
            seen.append(batch)
            if any(change.path == probe for change in batch):
                probe.unlink()
                self._drain_probe_deletion(probe)
                return seen
        raise AssertionError(f"the watcher never reported {probe.name}; errors: {self.errors}")

    def _drain_probe_deletion(self, probe: Path) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            batch = self.batches.get(timeout=WAIT_S)
            if any(c.path == probe and c.kind == "deleted" for c in batch):
                return

    def changes_until_sync(self) -> list[FileChange]:
        """All non-probe changes delivered up to a fresh probe."""
        return [
            change
            for batch in self.sync()
            for change in batch
            if not change.path.name.startswith("probe-")
        ]

    def stop(self) -> bool:
        self.token.cancel()
        self.thread.join(WAIT_S)
        return not self.thread.is_alive()


@pytest.fixture
def watch(tmp_path):
    runs: list[WatchRun] = []

    def start(debounce_s: float = 0.1) -> WatchRun:
        run = WatchRun(tmp_path, debounce_s).start()
        runs.append(run)
        return run

    yield start
    for run in runs:
        run.stop()


def test_create_modify_delete_arrive(tmp_path, watch):
    run = watch()
    target = tmp_path.resolve() / "a.py"
    target.write_text("one")
    assert FileChange("created", target) in run.changes_until_sync()
    target.write_text("two")
    assert FileChange("modified", target) in run.changes_until_sync()
    target.unlink()
    assert FileChange("deleted", target) in run.changes_until_sync()
    assert run.errors == []


def test_move_is_reported_with_destination(tmp_path, watch):
    source = tmp_path.resolve() / "old.py"
    source.write_text("x")
    run = watch()
    source.rename(tmp_path / "new.py")
    assert FileChange("moved", source, tmp_path.resolve() / "new.py") in run.changes_until_sync()


def test_move_into_an_ignored_folder_is_a_deletion(tmp_path, watch):
    (tmp_path / "node_modules").mkdir()
    source = tmp_path.resolve() / "lib.js"
    source.write_text("x")
    run = watch()
    source.rename(tmp_path / "node_modules" / "lib.js")
    assert run.changes_until_sync() == [FileChange("deleted", source)]


def test_burst_of_writes_becomes_one_change(tmp_path, watch):
    run = watch(debounce_s=0.3)
    target = tmp_path.resolve() / "burst.py"
    for index in range(5):
        target.write_text(f"version {index}")
    changes = [c for c in run.changes_until_sync() if c.path == target]
    assert changes == [FileChange("created", target)]


def test_temp_file_created_and_removed_in_one_window_reports_nothing(tmp_path, watch):
    run = watch(debounce_s=0.3)
    temp = tmp_path.resolve() / "scratch.py"
    temp.write_text("x")
    temp.unlink()
    kept = tmp_path.resolve() / "kept.py"
    kept.write_text("y")
    changes = run.changes_until_sync()
    assert all(change.path != temp for change in changes)
    assert FileChange("created", kept) in changes


def test_editor_style_save_via_rename_is_one_change_of_the_real_file(tmp_path, watch):
    target = tmp_path.resolve() / "main.py"
    target.write_text("old")
    run = watch(debounce_s=0.3)
    temp = tmp_path / "main.py.tmp-save"
    temp.write_text("new")
    temp.replace(target)
    changes = run.changes_until_sync()
    assert [c.path for c in changes] == [target]


def test_ignored_paths_produce_nothing(tmp_path, watch):
    (tmp_path / ".gitignore").write_text("*.log\n")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    run = watch()
    (tmp_path / "node_modules" / "pkg" / "index.js").write_text("x")
    (tmp_path / ".git" / "index").write_text("x")
    (tmp_path / "debug.log").write_text("x")
    assert run.changes_until_sync() == []


def test_gitignore_change_reloads_the_rules(tmp_path, watch):
    run = watch()
    (tmp_path / ".gitignore").write_text("*.tmp\n")
    run.changes_until_sync()
    assert run.rules.is_ignored(tmp_path / "a.tmp")
    (tmp_path / "a.tmp").write_text("x")
    (tmp_path / "b.py").write_text("x")
    assert [c.path.name for c in run.changes_until_sync()] == ["b.py"]


def test_new_folder_is_reported_as_a_folder(tmp_path, watch):
    run = watch()
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("x")
    changes = run.changes_until_sync()
    assert FileChange("created", tmp_path.resolve() / "pkg", is_dir=True) in changes
    assert FileChange("created", tmp_path.resolve() / "pkg" / "mod.py") in changes


def test_a_change_of_permissions_alone_is_a_change(tmp_path, watch):
    # chmod keeps size and mtime, yet can make a file or a folder readable or not.
    target = tmp_path / "a.py"
    target.write_text("x = 1\n")
    (tmp_path / "pkg").mkdir()
    run = watch()
    target.chmod(0o600)
    (tmp_path / "pkg").chmod(0o700)
    changes = run.changes_until_sync()
    assert FileChange("modified", target.resolve()) in changes
    assert FileChange("modified", tmp_path.resolve() / "pkg", is_dir=True) in changes


def test_cancel_ends_the_iterator_promptly(tmp_path, watch):
    run = watch()
    assert run.stop(), "the watcher did not return after cancel"
    assert run.errors == []


def test_closing_the_generator_stops_it(tmp_path):
    token = CancelToken()
    rules = IgnoreRules.for_project(tmp_path)
    watcher = watch_project(tmp_path, rules, token, debounce_s=0.05)
    batches: list[list[FileChange]] = []

    def first_batch() -> None:
        batches.append(next(watcher))

    thread = threading.Thread(target=first_batch, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while thread.is_alive() and time.monotonic() < deadline:
        (tmp_path / "poke.txt").write_text(str(time.monotonic()))
        thread.join(0.2)
    assert batches and batches[0][0].path.name == "poke.txt"
    watcher.close()  # runs the generator's cleanup: the observer is stopped
    with pytest.raises(StopIteration):
        next(watcher)


def test_missing_folder_is_a_clear_error(tmp_path):
    rules = IgnoreRules.for_project(tmp_path)
    with pytest.raises(ProjectError, match="not there"):
        next(watch_project(tmp_path / "missing", rules, CancelToken()))


def test_save_via_an_ignored_temp_file_is_a_modification(tmp_path, watch):
    (tmp_path / ".gitignore").write_text("*.swp\n")
    target = tmp_path.resolve() / "notes.md"
    target.write_text("old")
    run = watch(debounce_s=0.3)
    temp = tmp_path / ".notes.md.swp"
    temp.write_text("new")
    temp.replace(target)
    assert run.changes_until_sync() == [FileChange("modified", target)]


def test_info_exclude_change_reloads_the_rules(tmp_path, watch):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    run = watch()
    (tmp_path / ".git" / "info" / "exclude").write_text("*.csv\n")
    run.changes_until_sync()
    (tmp_path / "data.csv").write_text("1,2")
    (tmp_path / "kept.py").write_text("x")
    assert [c.path.name for c in run.changes_until_sync()] == ["kept.py"]


QUEUED_EVENTS_LIMIT = Path("/proc/sys/fs/inotify/max_queued_events")
BURST_SCRIPT = """
import os, sys
first, second, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
for _ in range(rounds):
    os.utime(first)
    os.utime(second)
for name in sys.argv[4:]:
    with open(name, "w") as handle:
        handle.write(f"def {os.path.basename(name)[:-3]}():\\n    pass\\n")
"""


def overflow_inotify(folder: Path, then_write: Iterable[Path] = ()) -> None:
    """Another process touches two files of ``folder`` in turn until the kernel's inotify
    queue has overflowed many times over (two events a round, none merged: the watcher
    reads far slower), then at once writes ``then_write``: their events are dropped."""
    if not QUEUED_EVENTS_LIMIT.exists():
        pytest.skip("needs Linux inotify")
    first, second = folder / "burst-a.txt", folder / "burst-b.txt"
    for path in (first, second):
        path.write_text("x")
    rounds = 2 * int(QUEUED_EVENTS_LIMIT.read_text())
    subprocess.run([sys.executable, "-c", BURST_SCRIPT, str(first), str(second), str(rounds), *map(str, then_write)],
                   check=True, timeout=60)


def test_events_lost_to_an_inotify_overflow_are_a_rescan_and_watching_goes_on(tmp_path, watch):
    run = watch()
    rescan = FileChange("rescan", tmp_path.resolve(), is_dir=True)
    overflow_inotify(tmp_path)
    assert rescan in run.changes_until_sync()
    after = tmp_path.resolve() / "after.py"
    after.write_text("x")
    assert FileChange("created", after) in run.changes_until_sync()
    assert run.errors == []



READ_SCRIPT = """
import sys
names, rounds = sys.argv[2:], int(sys.argv[1])
for _ in range(rounds):
    for name in names:
        with open(name, "rb") as handle:
            handle.read()
"""


def test_reading_files_many_times_over_loses_no_events(tmp_path, watch):
    # The indexer reads every file of a project; opens and closes are no change, and
    # hearing them overflowed inotify's queue on a large project (each overflow a rescan).
    if not QUEUED_EVENTS_LIMIT.exists():
        pytest.skip("needs Linux inotify")
    run = watch()
    files = [tmp_path / f"read-{n}.txt" for n in range(2)]
    for path in files:
        path.write_text("x")
    run.changes_until_sync()
    rounds = 2 * int(QUEUED_EVENTS_LIMIT.read_text())
    subprocess.run([sys.executable, "-c", READ_SCRIPT, str(rounds), *map(str, files)], check=True, timeout=60)
    assert run.changes_until_sync() == []
    assert run.errors == []

def make_deep_folder(base: Path, depth: int) -> None:
    """``base``/d/d/…/leaf.py, ``depth`` folders deep (by descriptor: the path is long)."""
    base.mkdir()
    current = os.open(base, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=current)
        deeper = os.open("d", os.O_RDONLY, dir_fd=current)
        os.close(current)
        current = deeper
    os.close(os.open("leaf.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=current))
    os.close(current)


def remove_deep_folder(base: Path) -> None:
    """Remove what ``make_deep_folder`` made, a level at a time: ``shutil.rmtree`` recurses
    and fails (and pytest's clean-up of old temporary folders would, in every later run)."""
    top, spare = base / "d", base / "spare"
    while (top / "d").is_dir():
        (top / "d").rename(spare)
        shutil.rmtree(top)
        spare.rename(top)
    shutil.rmtree(base)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="os.walk recurses (and so can fail) before Python 3.12")
def test_watching_that_stops_on_an_error_is_reported(tmp_path):
    # watchdog walks a folder moved in with os.walk; far deeper than the recursion limit,
    # its inotify thread dies of a RecursionError and no change arrives any more.
    project = tmp_path / "proj"
    project.mkdir()
    make_deep_folder(tmp_path / "deep", sys.getrecursionlimit() + 100)
    run = WatchRun(project).start()
    try:
        (tmp_path / "deep").rename(project / "deep")
        run.thread.join(WAIT_S)
        assert [type(error) for error in run.errors] == [ProjectError]
        assert "stopped" in run.errors[0].message
    finally:
        run.stop()
        remove_deep_folder(project / "deep" if (project / "deep").exists() else tmp_path / "deep")
