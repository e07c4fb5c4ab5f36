"""Bringing a project's index up to date, as a plain iterator of progress events.

``Indexer.update(cancel)`` walks the project, compares each file's size and mtime with
the index (and, when those differ, its content hash), re-reads only what changed,
removes what is gone, and yields ``IndexProgress`` along the way. Parsing runs in
worker processes when there is much to do (a cold index uses every core); the parent
process is the one writer. Work is committed at least every ``COMMIT_INTERVAL_S`` so a
crash or quit loses little and the next run resumes; cancel takes effect between
files, well within 250 ms. A full update starts the workers as soon as the walk has
found enough changed files, so parsing overlaps the rest of the walk.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from desktop.core.app_db import is_corruption
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import ProjectError, StorageError
from desktop.core.paths import HearthPaths
from desktop.index import scanner
from desktop.index.extract import extract
from desktop.index.files import normalize_newlines
from desktop.index.identifiers import identifier_words, identifier_words_of_lines, name_terms
from desktop.index.ignore import IgnoreRules
from desktop.index.languages import language_for_file
from desktop.index.processes import process_context
from desktop.index.scanner import (
    CONTENT_SKIP_REASONS,
    ScannedFile,
    Skip,
    classify,
    past_the_file_limit,
    read_for_index,
    scan,
    storable_path,
)
from desktop.index.store import (
    FileInsert,
    FileState,
    IndexStore,
    UpdateTurn,
    doc_summary,
    index_db_path,
    index_storage_error,
)

log = logging.getLogger(__name__)

COMMIT_INTERVAL_S = 1.0
"""Uncommitted work is committed once it is this old (checked between files)."""
PROGRESS_INTERVAL_S = 0.1
TURN_POLL_S = 0.05
"""How often an update waiting for another process's to finish looks again."""
PARALLEL_MIN_FILES = 48
"""Fewer changed files than this are parsed in-process: starting workers costs more."""
_BATCH_FILES = 24
_BATCH_BYTES = 512 * 1024
_WAIT_S = 0.05


@dataclass(frozen=True)
class IndexProgress:
    """Where an index update is: phase ('waiting' while another process updates the
    index, 'scanning', 'indexing', 'done'), counts, speed."""

    phase: str
    files_done: int
    files_total: int
    rate: float  # files per second in this phase
    eta_s: float | None
    current_path: str


@dataclass(frozen=True)
class IndexSummary:
    """The state of the index after an update, and what this update did."""

    files_indexed: int
    skipped: Mapping[str, int]  # reason -> count
    symbols: int
    chunks: int
    seconds: float
    files_changed: int
    files_removed: int


@dataclass(frozen=True)
class _Unchanged:
    """A file whose size or mtime changed but whose content did not."""

    relative: str
    size: int
    mtime_ns: int


_Result = FileInsert | Skip | _Unchanged
_Job = tuple[str, str, int, int, "str | None"]  # path, relative, size, mtime_ns, old hash


def process_file(path: str, relative: str, size: int, mtime_ns: int, old_hash: str | None) -> _Result:
    """Read and extract one file into rows for the writer (runs in worker processes)."""
    text = read_for_index(Path(path), relative)
    if isinstance(text, Skip):
        return dataclasses.replace(text, size=size, mtime_ns=mtime_ns)
    source = normalize_newlines(text.text)  # the lines ``extract`` numbers, also for ``words`` below
    data = source.encode("utf-8", errors="surrogatepass")
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    if digest == old_hash:
        return _Unchanged(relative, size, mtime_ns)
    language = language_for_file(relative, source)
    result = extract(source, language, data)
    definitions = result.definitions
    symbols = tuple(
        (
            d.name, d.kind, d.scope, d.signature, d.doc, d.start_line, d.end_line,
            name_terms(d.name, d.scope), doc_summary(d.doc),
        )
        for d in definitions
    )
    words = identifier_words_of_lines(data, [(c.start_line - 1, c.end_line - 1) for c in result.chunks])
    chunks = tuple(
        (
            c.start_line, c.end_line, c.kind,
            -1 if c.definition is None else c.definition,
            c.text,
            "" if c.definition is None else symbols[c.definition][7],
            chunk_words,
        )
        for c, chunk_words in zip(result.chunks, words)
    )
    refs = tuple((r.name, r.count, r.line) for r in result.references)
    return FileInsert(
        path=relative, language=language, size=size, mtime_ns=mtime_ns, hash=digest,
        line_count=text.line_count, symbols=symbols, refs=refs, chunks=chunks,
        path_terms=f"{relative} {identifier_words(relative)}",
    )


def process_batch(jobs: Sequence[_Job]) -> tuple[list[_Result], float]:
    """``process_file`` for several files (one round trip to a worker), and the CPU
    seconds it took (so the parent can tell how much of the machine it got)."""
    started = time.process_time()
    # Parsing makes many short-lived objects and no reference cycles: the cycle
    # collector would only walk them, over and over (this runs in a worker process).
    collecting = gc.isenabled()
    gc.disable()
    try:
        results = [process_file(*job) for job in jobs]
    finally:
        if collecting:
            gc.enable()
    return results, time.process_time() - started


class Indexer:
    """Keeps the index of one project current. One writer: calls are serialised."""

    def __init__(
        self,
        root: Path,
        paths: HearthPaths,
        *,
        rules: IgnoreRules | None = None,
        workers: int | None = None,
    ) -> None:
        self.root = Path(root).expanduser().resolve()
        self.db_path = index_db_path(paths, self.root)
        self._own_prefixes = _inside(self.root, (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir))
        self._rules = rules
        self.workers = max(1, workers if workers is not None else (os.cpu_count() or 1))
        self.summary: IndexSummary | None = None
        self._store: IndexStore | None = None
        self._full_update_begun = False
        """Whether a full update began on the open database (it may have been paused)."""
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.longest_commit_gap_s = 0.0
        self.worker_cpu_s = 0.0
        """CPU seconds spent in worker processes (diagnostics for benchmarks)."""
        """The longest time a change waited uncommitted (what a crash could lose)."""

    @property
    def rules(self) -> IgnoreRules:
        """The project's ignore rules (loaded on first use)."""
        if self._rules is None:
            self._rules = IgnoreRules.for_project(self.root)
        return self._rules

    def close(self) -> None:
        """Stop worker processes and close the database."""
        with self._lock:
            self._stop_pool()
            if self._store is not None:
                self._store.close()
                self._store = None

    def update(self, cancel: CancelToken) -> Iterator[IndexProgress]:
        """Bring the whole index up to date; yields progress, ends with phase 'done'.

        Raises ``ProjectError`` when the project folder is missing or disappears, and
        ``Cancelled`` (after committing the work done so far) when ``cancel`` is set.
        """
        with self._lock:
            yield from self._in_turn(cancel, lambda store: self._full_update(store, cancel))

    def update_paths(self, changed: Iterable[Path], cancel: CancelToken) -> Iterator[IndexProgress]:
        """Bring the given files or folders up to date (created, changed, moved or deleted).

        On a database made anew (its cache cleared, found damaged, of an older schema)
        that no full update has completed or begun, this is a full update: the changed
        paths are not all it lacks. The file limit holds as in a full update.
        """
        changed = list(changed)
        with self._lock:
            yield from self._in_turn(cancel, lambda store: self._paths_update(store, changed, cancel))

    # --- the two kinds of update --------------------------------------------------

    def _in_turn(self, cancel: CancelToken, run: Callable[[IndexStore], Iterator[IndexProgress]]) -> Iterator[IndexProgress]:
        """Run an update once this process has its turn (``UpdateTurn``); while another
        process updates the index, yield one 'waiting' progress and wait for it to
        finish, cancellable as any update."""
        turn = UpdateTurn.take(self.db_path)
        if turn is None:
            log.info("index %s is being updated by another process; waiting", self.db_path)
            yield IndexProgress("waiting", 0, 0, 0.0, None, "")
            while turn is None:
                if cancel.wait(TURN_POLL_S):
                    raise Cancelled()
                turn = UpdateTurn.take(self.db_path)
        try:
            yield from self._with_rebuild(run)
        finally:
            turn.release()

    def _with_rebuild(self, run: Callable[[IndexStore], Iterator[IndexProgress]]) -> Iterator[IndexProgress]:
        """Run an update; if the database turns out corrupt midway, rebuild it and run again.

        A full disk, a read-only cache or a locked database ends the update with a
        ``StorageError``; the work committed so far stays, and the next update resumes."""
        self._check_root()
        for attempt in (1, 2):
            store = self._open_store()
            try:
                try:
                    yield from run(store)
                    return
                except Cancelled:
                    self._commit(store)  # keep what is done: the next run resumes from here
                    raise
            except sqlite3.DatabaseError as exc:
                if attempt == 2 or not is_corruption(exc):
                    store.rollback()  # half a file's rows must not be committed later
                    raise index_storage_error(exc, self.db_path) from None
                log.warning("index %s failed (%s); rebuilding it", self.db_path, exc)
                self._store = None
                try:
                    store.discard()  # unless another process has made it anew: then that one is used
                except OSError as removal:  # Windows keeps a file another process has open
                    raise StorageError(
                        f"The project index {self.db_path} is damaged and could not be removed"
                        f" ({removal.strerror or removal}).",
                        "Close whatever else uses it (another Hearth window, a hearth command), then reopen the project.",
                    ) from None

    def _full_update(self, store: IndexStore, cancel: CancelToken) -> Iterator[IndexProgress]:
        started = time.monotonic()
        self._full_update_begun = True
        known, known_skips = store.known()
        seen: set[str] = set()
        jobs: list[_Job] = []
        written: set[str] = set()  # paths whose results are already written
        feed: _Feed | None = None
        last_progress = 0.0
        cold = not known and not known_skips
        if cold:
            store.bulk_writes(True)
        try:
            for item in scan(self.root, self.rules, cancel):
                relative = item.relative
                if self._is_own(relative):
                    continue
                seen.add(relative)
                job = self._job_for(store, item, known.get(relative), known_skips.get(relative))
                if job is not None:
                    jobs.append(job)
                    feed = self._feed_job(feed, jobs)
                now = time.monotonic()
                if now - last_progress >= PROGRESS_INTERVAL_S:
                    last_progress = now
                    if feed is not None:
                        feed = self._write_finished(store, feed, written)
                    self._maybe_commit(store)
                    yield IndexProgress("scanning", len(seen), 0, 0.0, None, relative)
            self._check_root()  # an empty walk of a vanished folder must not wipe the index
            gone = [path for path in (*known, *known_skips) if path not in seen]
            self._forget(store, gone, cancel)
            yield from self._process(store, jobs, cancel, feed, written, current=len(seen) - len(jobs))
        except BaseException:
            if feed is not None:
                self._abandon(feed, cancel)
            if cold:
                try:
                    self._commit(store)  # what is done is kept, as after any cancel
                except sqlite3.Error:
                    store.rollback()  # the disk filled up: keep what was committed
                with contextlib.suppress(sqlite3.Error):
                    store.bulk_writes(False)
            raise
        self._check_root()
        store.set_meta("complete", "1")
        if cold:
            store.optimize(cancel)
        self._commit(store)
        if cold:
            store.bulk_writes(False)
        self.summary = self._summarise(store, started, len(jobs), len(gone))
        yield IndexProgress("done", len(jobs), len(jobs), 0.0, 0.0, "")

    def _paths_update(self, store: IndexStore, changed: list[Path], cancel: CancelToken) -> Iterator[IndexProgress]:
        # Not once a full update began on this database: a build the user paused or
        # stopped is not to be resumed by the next save.
        if not self._full_update_begun and not store.is_complete():
            log.info("index %s is new or incomplete; updating the whole project", self.db_path)
            yield from self._full_update(store, cancel)
            return
        started = time.monotonic()
        # A folder that arrives (moved in, a branch switch) comes with an event for each
        # of its files too: its walk takes them in, and each file is read once.
        found: dict[str, _Job] = {}
        walked: set[str] = set()
        removed = 0
        for path in changed:
            cancel.raise_if_cancelled()
            relative = self._relative(path)
            if relative is not None and not self._is_own(relative) and not _below_any(relative, walked):
                removed += self._path_changed(store, path, relative, found, walked, cancel)
        removed += self._keep_to_file_limit(store, found, walked, cancel)
        jobs = list(found.values())
        yield from self._process(store, jobs, cancel)
        self._commit(store)
        self.summary = self._summarise(store, started, len(jobs), removed)
        yield IndexProgress("done", len(jobs), len(jobs), 0.0, 0.0, "")

    def _path_changed(
        self,
        store: IndexStore,
        path: Path,
        relative: str,
        found: dict[str, _Job],
        walked: set[str],
        cancel: CancelToken,
    ) -> int:
        """Take in one changed path: add what is to be read to ``found``, record skips,
        forget what is gone, add a folder walked whole to ``walked``. Returns how many
        indexed files were removed."""
        if self._below_a_link(relative):  # reached through a link: not the project's (as in a scan)
            _drop_jobs_under(found, relative)
            return int(store.remove(relative)) + len(store.remove_under(relative))
        if path.is_symlink():  # never followed (scanner.classify): recorded, and nothing under it
            _drop_jobs_under(found, relative)
            removed = len(store.remove_under(relative))
            if self.rules.is_ignored(path, is_dir=path.is_dir()):
                return removed + int(store.remove(relative))
            self._job_for(store, classify(path, relative, self.root), *self._state(store, relative))
            return removed
        # The path may have been of another kind before (a file, a folder, a link): the
        # watcher reports its deletion and creation in one batch as one change.
        if path.is_dir():
            removed = int(store.remove(relative)) + self._folder_changed(store, path, relative, found, cancel)
            walked.add(relative)
            return removed
        if not path.is_file() or self.rules.is_ignored(path, is_dir=False):
            return int(store.remove(relative)) + len(store.remove_under(relative))
        removed = len(store.remove_under(relative))
        job = self._job_for(store, classify(path, relative, self.root), *self._state(store, relative))
        if job is not None:
            found.setdefault(relative, job)
        return removed

    def _keep_to_file_limit(
        self, store: IndexStore, found: dict[str, _Job], walked: set[str], cancel: CancelToken
    ) -> int:
        """Hold a live update to the file limit (``scanner.MAX_INDEX_FILES``) as a full
        update is held to it: new files past it are skipped ('too-many-files'); when
        there is room (files were removed), files skipped for the limit are taken in
        again, in path order, each looked at as a changed path is. Returns how many
        paths were removed meanwhile."""
        room = self._skip_past_the_limit(store, found)
        if not room:
            return 0
        candidates = store.skipped_paths("too-many-files", room + len(found))
        waiting = [path for path in candidates if path not in found and not _below_any(path, walked)][:room]
        removed = 0
        for relative in waiting:
            removed += self._path_changed(store, self.root / relative, relative, found, walked, cancel)
        if waiting:
            self._skip_past_the_limit(store, found)  # a path that became a folder may bring many files
        return removed

    def _skip_past_the_limit(self, store: IndexStore, found: dict[str, _Job]) -> int:
        """Record the new files among ``found`` that do not fit under the file limit as
        skipped (the first found fit, as in a scan), and drop their jobs; returns the
        room left."""
        limit = scanner.MAX_INDEX_FILES
        new = [relative for relative, job in found.items() if job[4] is None]  # no indexed version yet
        room = limit - store.file_count()
        for relative in new[max(room, 0):]:
            path, _, size, mtime_ns, _ = found.pop(relative)
            self._write(store, past_the_file_limit(ScannedFile(Path(path), relative, size, mtime_ns), limit))
        return max(room - len(new), 0)

    def _folder_changed(
        self, store: IndexStore, folder: Path, relative: str, found: dict[str, _Job], cancel: CancelToken
    ) -> int:
        """Take in a folder that arrived or changed, as a full update would: its files,
        against what the index knows below it (one query, not two per file); what the
        walk no longer finds there is forgotten. Returns how many paths were removed."""
        known, known_skips = store.known(relative)
        seen: set[str] = set()
        for item in self._walk_folder(folder, cancel):
            cancel.raise_if_cancelled()  # a folder of thousands of files is walked in one go
            self._maybe_commit(store)
            seen.add(item.relative)
            job = self._job_for(store, item, known.get(item.relative), known_skips.get(item.relative))
            if job is not None:
                found.setdefault(item.relative, job)
        return self._forget(store, [path for path in (*known, *known_skips) if path not in seen], cancel)

    # --- pieces -------------------------------------------------------------------

    def _job_for(
        self, store: IndexStore, item: ScannedFile | Skip, state: FileState | None, skip_state: FileState | None
    ) -> _Job | None:
        """The work for one scanned file, or None when the index is already right."""
        if isinstance(item, Skip):
            if skip_state != FileState(item.size, item.mtime_ns, None, item.reason):
                store.record_skip(item.relative, item.reason, item.detail, item.size, item.mtime_ns)
            return None
        if state is not None and (state.size, state.mtime_ns) == (item.size, item.mtime_ns):
            return None
        if (
            skip_state is not None
            and skip_state.reason in CONTENT_SKIP_REASONS
            and (skip_state.size, skip_state.mtime_ns) == (item.size, item.mtime_ns)
        ):
            return None  # skipped for its content (binary, minified …), and unchanged
        return (str(item.path), item.relative, item.size, item.mtime_ns, state.hash if state else None)

    def _process(
        self,
        store: IndexStore,
        jobs: list[_Job],
        cancel: CancelToken,
        feed: _Feed | None = None,
        written: set[str] | None = None,
        current: int = 0,
    ) -> Iterator[IndexProgress]:
        """Parse ``jobs`` (in workers when there are many) and write the results.

        ``feed`` is a worker feed the walk already started with these jobs, and
        ``written`` the paths whose results are already written (both from the walk).
        ``current`` files were up to date already: progress counts them as done, so an
        update resumed after a pause goes on counting from where it was."""
        written = set() if written is None else written
        if len(written) >= len(jobs) and (feed is None or feed.idle):
            return
        started = time.monotonic()
        done = first_done = len(written)
        last_progress = 0.0
        parallel = feed is not None or (self.workers > 1 and len(jobs) - done >= PARALLEL_MIN_FILES)
        results = (
            self._parallel(jobs, cancel, lambda: self._maybe_commit(store), feed)
            if parallel
            else ([process_file(*job)] for job in jobs if job[1] not in written)
        )
        try:
            for batch in results:
                for result in batch:
                    self._write(store, result)
                    written.add(_result_path(result))
                    done += 1
                self._maybe_commit(store)
                now = time.monotonic()
                if now - last_progress >= PROGRESS_INTERVAL_S or done == len(jobs):
                    last_progress = now
                    rate = (done - first_done) / max(now - started, 1e-6)
                    eta = (len(jobs) - done) / rate if rate > 0 else None
                    path = _result_path(batch[-1]) if batch else ""
                    yield IndexProgress("indexing", current + done, current + len(jobs), rate, eta, path)
                cancel.raise_if_cancelled()
        except (BrokenProcessPool, OSError) as exc:
            if not parallel:
                raise
            self._workers_failed(exc)
            yield from self._process(store, jobs, cancel, written=written)
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stops the workers' queue now, not when the generator is collected

    def _parallel(
        self, jobs: list[_Job], cancel: CancelToken, on_wait: Callable[[], None], feed: _Feed | None
    ) -> Iterator[list[_Result]]:
        """Results of ``jobs`` from the worker pool, as batches complete; cancel-aware.

        ``feed``, when the walk started one, already holds ``jobs``. ``on_wait`` runs
        while waiting for workers (to commit work that is due)."""
        try:
            if feed is None:
                feed = self._start_feed()
                for job in jobs:
                    feed.add(job)
            feed.finish()
            while not feed.idle:
                finished = feed.take(_WAIT_S)
                if not finished:
                    on_wait()
                for future in finished:
                    if cancel.cancelled:
                        break
                    yield self._collect(future)
                if cancel.cancelled:
                    raise Cancelled()
        except BaseException:
            if feed is not None:
                self._abandon(feed, cancel)
            raise

    def _feed_job(self, feed: _Feed | None, jobs: list[_Job]) -> _Feed | None:
        """During the walk: pass the newest job to the workers, starting them once
        there is enough work for them; None while the work stays in this process."""
        try:
            if feed is not None:
                feed.add(jobs[-1])
            elif self.workers > 1 and len(jobs) >= PARALLEL_MIN_FILES:
                feed = self._start_feed()
                for job in jobs:
                    feed.add(job)
            return feed
        except (BrokenProcessPool, OSError) as exc:
            if feed is not None:
                feed.cancel()
            self._workers_failed(exc)
            return None

    def _write_finished(self, store: IndexStore, feed: _Feed, written: set[str]) -> _Feed | None:
        """During the walk: write what the workers have finished, without waiting.
        Returns None when the workers failed (the rest is then parsed in this process)."""
        try:
            for future in feed.take(0):
                for result in self._collect(future):
                    self._write(store, result)
                    written.add(_result_path(result))
            return feed
        except (BrokenProcessPool, OSError) as exc:
            feed.cancel()
            self._workers_failed(exc)
            return None

    def _start_feed(self) -> _Feed:
        return _Feed(self._get_pool(), self.workers * 3)

    def _collect(self, future: Future[tuple[list[_Result], float]]) -> list[_Result]:
        results, cpu_s = future.result()
        self.worker_cpu_s += cpu_s
        return results

    def _abandon(self, feed: _Feed, cancel: CancelToken) -> None:
        """Drop the work not yet started; on cancel, let the workers go too."""
        feed.cancel()
        if cancel.cancelled:
            self._stop_pool()  # workers finish their current batch and exit on their own

    def _workers_failed(self, exc: BaseException) -> None:
        # A worker died (killed, out of memory) or processes cannot start here (a
        # frozen app without multiprocessing support): finish in this process.
        log.warning("index workers failed (%s); continuing without them", exc)
        self._stop_pool()
        self.workers = 1

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=process_context())
        return self._pool

    def _stop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _write(self, store: IndexStore, result: _Result) -> None:
        if isinstance(result, FileInsert):
            store.write_file(result)
        elif isinstance(result, Skip):
            store.record_skip(result.relative, result.reason, result.detail, result.size, result.mtime_ns)
        else:
            store.touch(result.relative, result.size, result.mtime_ns)

    def _forget(self, store: IndexStore, gone: list[str], cancel: CancelToken) -> int:
        """Remove the ``gone`` paths from the index, cancel-aware; returns how many."""
        for count, path in enumerate(gone):
            if count % 256 == 0:
                cancel.raise_if_cancelled()
                self._maybe_commit(store)
            store.remove(path)
        return len(gone)

    def _maybe_commit(self, store: IndexStore) -> None:
        """Commit when the oldest uncommitted change has waited ``COMMIT_INTERVAL_S``."""
        if store.dirty_since is not None and time.monotonic() - store.dirty_since >= COMMIT_INTERVAL_S:
            self._commit(store)

    def _commit(self, store: IndexStore) -> None:
        """Commit; ``longest_commit_gap_s`` tracks the longest any change waited for one."""
        dirty_since = store.dirty_since
        store.commit()
        if dirty_since is not None:
            self.longest_commit_gap_s = max(self.longest_commit_gap_s, time.monotonic() - dirty_since)

    def _open_store(self) -> IndexStore:
        if self._store is not None and self._store.replaced():
            # The file was removed (a cleared cache) or made anew by another process:
            # writing on would fill a deleted file no reader can open.
            log.warning("index %s was removed or replaced; opening it again", self.db_path)
            self._store.close()
            self._store = None
        if self._store is None:
            self._store = IndexStore.open(self.db_path, self.root)
            self._full_update_begun = False
        return self._store

    def _check_root(self) -> None:
        if not self.root.is_dir():
            raise ProjectError(
                f"Cannot index {self.root.name}: the folder is not there any more.", str(self.root)
            )

    def _is_own(self, relative: str) -> bool:
        """True for Hearth's own state when it lives inside the project (HEARTH_HOME
        there): indexing it would re-index after every commit, forever."""
        return bool(self._own_prefixes) and (relative + "/").startswith(self._own_prefixes)

    def _relative(self, path: Path) -> str | None:
        try:
            relative = Path(path).relative_to(self.root)
        except ValueError:
            return None
        return storable_path(relative.as_posix()) if relative.parts else None

    def _state(self, store: IndexStore, relative: str) -> tuple[FileState | None, FileState | None]:
        conn = store.conn
        row = conn.execute("SELECT size, mtime_ns, hash FROM files WHERE path=?", (relative,)).fetchone()
        skip = conn.execute("SELECT size, mtime_ns, reason FROM skipped WHERE path=?", (relative,)).fetchone()
        return (FileState(*row) if row else None, FileState(skip[0], skip[1], None, skip[2]) if skip else None)

    def _below_a_link(self, relative: str) -> bool:
        """True when a folder on the way to ``relative`` is a symbolic link (a folder
        swapped for one, as a branch switch can): ``is_file`` and ``lstat`` follow it."""
        parts = relative.split("/")
        return any(os.path.islink(self.root.joinpath(*parts[:depth])) for depth in range(1, len(parts)))

    def _walk_folder(self, folder: Path, cancel: CancelToken) -> Iterator[ScannedFile | Skip]:
        """Files below one project folder, as a full scan finds them (for live updates)."""
        if self.rules.is_ignored(folder, is_dir=True):
            return
        for item in scan(self.root, self.rules, cancel, folder=folder):
            if not self._is_own(item.relative):
                yield item

    def _summarise(self, store: IndexStore, started: float, changed: int, removed: int) -> IndexSummary:
        conn = store.conn

        def count(table: str) -> int:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

        reasons = dict(conn.execute("SELECT reason, count(*) FROM skipped GROUP BY reason ORDER BY reason"))
        return IndexSummary(
            files_indexed=count("files"), skipped=reasons, symbols=count("symbols"),
            chunks=count("chunks"), seconds=time.monotonic() - started,
            files_changed=changed, files_removed=removed,
        )


def _below_any(relative: str, folders: set[str]) -> bool:
    """True when the relative path ``relative`` lies below one of the relative ``folders``."""
    parts = relative.split("/")
    return bool(folders) and any("/".join(parts[:depth]) in folders for depth in range(1, len(parts)))


def _drop_jobs_under(jobs: dict[str, _Job], folder: str) -> None:
    """Forget the jobs found for paths below ``folder`` (it turned out to be a link)."""
    for relative in [r for r in jobs if r.startswith(folder + "/")]:
        del jobs[relative]


def _result_path(result: _Result) -> str:
    return result.path if isinstance(result, FileInsert) else result.relative


class _Feed:
    """Jobs going to the worker pool in batches (as they are found), at most ``depth``
    batches in flight; the rest wait here. Owned by the indexer's thread."""

    def __init__(self, pool: ProcessPoolExecutor, depth: int) -> None:
        self._pool = pool
        self._depth = depth
        self._queued: deque[list[_Job]] = deque()
        self._batch: list[_Job] = []
        self._batch_bytes = 0
        self._pending: set[Future[tuple[list[_Result], float]]] = set()

    @property
    def idle(self) -> bool:
        """True when every job added has been taken back as a finished batch."""
        return not (self._pending or self._queued or self._batch)

    def add(self, job: _Job) -> None:
        """Queue one job; a full batch goes to the workers when there is room."""
        self._batch.append(job)
        self._batch_bytes += job[2]
        if len(self._batch) >= _BATCH_FILES or self._batch_bytes >= _BATCH_BYTES:
            self.finish()

    def finish(self) -> None:
        """Send the last, partly filled batch (no more jobs are coming for now)."""
        if self._batch:
            self._queued.append(self._batch)
            self._batch, self._batch_bytes = [], 0
        self._submit()

    def take(self, timeout: float) -> list[Future[tuple[list[_Result], float]]]:
        """Batches that finished within ``timeout`` seconds (0: those finished now)."""
        self._submit()
        if not self._pending:
            return []
        finished, self._pending = wait(self._pending, timeout=timeout, return_when=FIRST_COMPLETED)
        self._submit()  # refill before the caller writes, so the workers never wait on it
        return list(finished)

    def cancel(self) -> None:
        """Forget the queued jobs and cancel batches the workers have not started."""
        for future in self._pending:
            future.cancel()
        self._pending = set()
        self._queued.clear()
        self._batch = []

    def _submit(self) -> None:
        while self._queued and len(self._pending) < self._depth:
            self._pending.add(self._pool.submit(process_batch, self._queued.popleft()))


def _inside(root: Path, folders: Iterable[Path]) -> tuple[str, ...]:
    """The ``folders`` that lie inside ``root``, as relative prefixes ending in ``/``."""
    prefixes = []
    for folder in folders:
        try:
            prefixes.append(folder.resolve().relative_to(root).as_posix() + "/")
        except ValueError:
            continue
    return tuple(prefixes)


def ensure_index(
    root: Path, paths: HearthPaths, cancel: CancelToken | None = None, on_waiting: Callable[[], None] | None = None
) -> IndexSummary:
    """Bring the index of ``root`` up to date in one call (for headless commands).

    ``on_waiting`` is called when the update first has to wait for another process's
    (the app's, another command's) to finish."""
    indexer = Indexer(root, paths)
    try:
        for progress in indexer.update(cancel or CancelToken()):
            if progress.phase == "waiting" and on_waiting is not None:
                on_waiting()
    finally:
        indexer.close()
    assert indexer.summary is not None
    return indexer.summary
