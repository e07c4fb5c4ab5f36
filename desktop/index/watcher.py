"""Watch a project for file changes, as a plain iterator of batches.

The watchdog observer runs its own threads; this module turns its callbacks into a
generator the UI runs on the one worker. An editor's save is several events (write a
temp file, rename it over the original, touch it …); they are coalesced per path into
one ``FileChange`` and delivered as one batch per quiet period. When the system dropped
events (Linux: inotify's queue overflowed), a batch holds a "rescan" change of the root.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Literal

from watchdog.events import (
    DirAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirModifiedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.utils import platform

from desktop.core.cancel import CancelToken
from desktop.core.errors import ProjectError
from desktop.index.ignore import IgnoreRules

log = logging.getLogger(__name__)

ChangeKind = Literal["created", "modified", "deleted", "moved", "rescan"]

_POLL_S = 0.05
_MAX_BATCH_WINDOW_S = 2.0  # under constant churn, still deliver at least this often
_OBSERVER_TIMEOUT_S = 0.1
_STOP_JOIN_S = 0.15
# The events the observer is asked for; on Linux it then asks inotify for nothing else.
# By default it also hears every open and close of a file, so the indexer reading a large
# project overflowed the kernel's queue, and each overflow meant a full update. Attrib:
# a chmod can make a file or folder readable (or not) without touching its mtime.
_WATCHED = [
    FileCreatedEvent, DirCreatedEvent, FileModifiedEvent, DirModifiedEvent, FileDeletedEvent, DirDeletedEvent,
    FileMovedEvent, DirMovedEvent, FileAttribEvent, DirAttribEvent,
]
_RELEVANT = frozenset(event.event_type for event in _WATCHED)  # created, modified, deleted, moved, attrib


@dataclass(frozen=True)
class FileChange:
    """One change to a project path. ``dest_path`` is set for moves only.

    "rescan" (``path`` is the project root) says events were lost: anything below the
    root may have changed, and only comparing it all with the disk tells what did."""

    kind: ChangeKind
    path: Path
    dest_path: Path | None = None
    is_dir: bool = False


class _Wakeup:
    """Queued when the token is cancelled so a waiting generator wakes at once."""


class _EventsLost:
    """Queued when the system dropped events (they will never arrive)."""


_Item = FileSystemEvent | _Wakeup | _EventsLost


class _Handler(FileSystemEventHandler):
    def __init__(self, events: "queue.Queue[_Item]") -> None:
        self._events = events

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _RELEVANT:
            self._events.put(event)


def watch_project(
    root: Path,
    rules: IgnoreRules,
    cancel: CancelToken,
    debounce_s: float = 0.15,
) -> Iterator[list[FileChange]]:
    """Yield batches of changes below ``root`` until ``cancel`` is set or the generator closes.

    Ignored paths produce nothing. A change to an ignore file reloads ``rules`` before
    the batch is filtered. When events were lost, the rules are reloaded and the batch
    starts with ``FileChange("rescan", root, is_dir=True)``. Returns (does not raise)
    promptly after cancel. Raises ``ProjectError`` when the folder cannot be watched
    (gone, or the system's watch limit is reached) or watching stops on an error.
    """
    root = Path(root).expanduser().resolve()
    events: "queue.Queue[_Item]" = queue.Queue()
    observer, threads = _start_observer(root, events)
    unregister = cancel.on_cancel(lambda: events.put(_Wakeup()))
    try:
        while not cancel.cancelled:
            raw = _collect_batch(events, cancel, debounce_s, threads)
            batch = _to_batch(raw, root, rules) if raw else []
            if batch:
                yield batch
    finally:
        unregister()
        _stop_observer(observer)


def _to_batch(raw: list[FileSystemEvent | _EventsLost], root: Path, rules: IgnoreRules) -> list[FileChange]:
    lost = any(isinstance(item, _EventsLost) for item in raw)
    events = [item for item in raw if not isinstance(item, _EventsLost)]
    rule_files = [path for path in _event_paths(events) if rules.is_ignore_file(path)]
    if rule_files or lost:
        rules.reload()
    batch = _coalesce(events, rules)
    if rule_files and not any(rules.is_ignore_file(change.path) for change in batch):
        # A new environment's pyvenv.cfg is ignored once the rules know it: the
        # batch must still say the rules changed, for the index and the tree.
        batch.append(FileChange("modified", rule_files[0], is_dir=False))
    if lost:
        batch.insert(0, FileChange("rescan", root, is_dir=True))
    return batch


def _start_observer(root: Path, events: "queue.Queue[_Item]") -> tuple[BaseObserver, list[threading.Thread]]:
    """The running observer, and every thread that must stay alive for watching to go on."""
    if not root.is_dir():
        raise ProjectError(f"Cannot watch {root.name}: the folder is not there.", str(root))
    observer, helpers = _new_observer(lambda: events.put(_EventsLost()))
    observer.daemon = True
    try:
        observer.schedule(_Handler(events), str(root), recursive=True, event_filter=_WATCHED)
        observer.start()
    except OSError as exc:
        _stop_observer(observer)
        raise ProjectError(
            f"Cannot watch {root.name} for changes: {exc.strerror or exc}.",
            "On Linux, raise fs.inotify.max_user_watches; Hearth still works without "
            "live updates (re-index by hand).",
        ) from None
    return observer, [observer, *observer.emitters, *helpers]


def _new_observer(on_events_lost: Callable[[], None]) -> tuple[BaseObserver, list[threading.Thread]]:
    """The platform's observer, and its threads besides the observer's and emitters'."""
    if not platform.is_linux():
        return Observer(timeout=_OBSERVER_TIMEOUT_S), []
    try:
        from desktop.index.inotify_observer import OverflowReportingObserver
    except ImportError as exc:  # it builds on watchdog's inotify classes, which a later watchdog may rename
        log.warning("lost file events cannot be noticed with this watchdog (%s)", exc)
        return Observer(timeout=_OBSERVER_TIMEOUT_S), []

    observer = OverflowReportingObserver(on_events_lost, timeout=_OBSERVER_TIMEOUT_S)
    return observer, [observer.reader]


def _stop_observer(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            # A short join: the observer's threads are daemons and end on their own.
            observer.join(_STOP_JOIN_S)
    except Exception:  # noqa: BLE001 - stopping must never mask the real outcome
        log.debug("watch observer did not stop cleanly", exc_info=True)


def _collect_batch(
    events: "queue.Queue[_Item]", cancel: CancelToken, debounce_s: float, threads: list[threading.Thread]
) -> list[FileSystemEvent | _EventsLost]:
    """Wait for a first event, then gather until ``debounce_s`` passes without a new one.

    Raises ``ProjectError`` when, while waiting, one of the observer's ``threads`` has ended."""
    batch: list[FileSystemEvent | _EventsLost] = []
    started = 0.0
    while not cancel.cancelled:
        timeout = debounce_s if batch else _POLL_S
        try:
            item = events.get(timeout=timeout)
        except queue.Empty:
            if batch:
                return batch
            _check_alive(threads)
            continue
        if isinstance(item, _Wakeup):
            return []
        if not batch:
            started = time.monotonic()
        batch.append(item)
        if time.monotonic() - started > _MAX_BATCH_WINDOW_S:
            return batch
    return []


def _check_alive(threads: list[threading.Thread]) -> None:
    # watchdog lets an error end one of its threads (a RecursionError on a very deep
    # folder), and then no change arrives ever again: better to say so.
    if not all(thread.is_alive() for thread in threads):
        raise ProjectError(
            "The file watcher stopped on an error.",
            "Reopen the project to watch it again; until then, re-index by hand.",
        )


def _as_path(raw: str | bytes) -> Path:
    return Path(os.fsdecode(raw))


def _event_paths(raw: list[FileSystemEvent]) -> Iterator[Path]:
    for event in raw:
        yield _as_path(event.src_path)
        if event.event_type == "moved" and event.dest_path:
            yield _as_path(event.dest_path)


def _coalesce(raw: list[FileSystemEvent], rules: IgnoreRules) -> list[FileChange]:
    """Fold events into at most one change per path, in order of last change."""
    changes: dict[object, FileChange] = {}
    for event in raw:
        for change in _to_changes(event, rules):
            if change.kind == "moved":
                earlier = changes.get(change.path)
                if earlier is None or earlier.kind != "created" or change.dest_path is None:
                    # Kept apart from the path's other changes: a move and a new file
                    # at the old path are two facts.
                    changes[("moved", change.path, change.dest_path)] = change
                    continue
                del changes[change.path]  # created then moved: the file is new at dest
                change = FileChange("created", change.dest_path, is_dir=change.is_dir)
            previous = changes.pop(change.path, None)
            merged = change if previous is None else _merge(previous, change)
            if merged is not None:
                changes[change.path] = merged
    return list(changes.values())


def _to_changes(event: FileSystemEvent, rules: IgnoreRules) -> list[FileChange]:
    is_dir = bool(event.is_directory)
    source = _as_path(event.src_path)
    if event.event_type == "modified" and is_dir:
        return []  # a folder's mtime changed because of a child: the child has its own event
    if event.event_type != "moved":
        if rules.is_ignored(source, is_dir=is_dir):
            return []
        kind = "modified" if event.event_type == "attrib" else event.event_type  # look at it again
        return [FileChange(kind, source, is_dir=is_dir)]
    dest = _as_path(event.dest_path)
    source_seen = not rules.is_ignored(source, is_dir=is_dir)
    dest_seen = not rules.is_ignored(dest, is_dir=is_dir)
    if source_seen and dest_seen:
        return [FileChange("moved", source, dest, is_dir=is_dir)]
    if source_seen:
        return [FileChange("deleted", source, is_dir=is_dir)]
    if dest_seen:
        # Typically an editor renaming its ignored temp file over the real one: the
        # file at dest has new content, which is what "modified" tells the index.
        return [FileChange("modified", dest, is_dir=is_dir)]
    return []


def _merge(previous: FileChange, new: FileChange) -> FileChange | None:
    """What two changes of one path in one batch amount to (None: nothing happened)."""
    if previous.kind == "created":
        return None if new.kind == "deleted" else previous  # a temp file came and went
    if previous.kind == "deleted" and new.kind in ("created", "modified"):
        return FileChange("modified", new.path, is_dir=new.is_dir)  # replaced in place
    if previous.kind == "modified" and new.kind == "modified":
        return previous
    return new
