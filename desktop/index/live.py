"""Keeping the index current while the project is open.

``live_updates`` runs the file watcher (``watcher.watch_project``) and applies each
batch of changes to the index through the indexer, the single writer. The watcher
already debounces and coalesces: an editor's save is one change, and a branch switch
that touches hundreds of files arrives as one batch, which the indexer parses in its
worker processes. A saved file is searchable well within half a second. When the
watcher lost events (a "rescan" change), a full update finds what they would have said.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from desktop.core.cancel import CancelToken
from desktop.index.indexer import Indexer
from desktop.index.watcher import FileChange, watch_project

LIVE_DEBOUNCE_S = 0.1


@dataclass(frozen=True)
class LiveUpdate:
    """One batch of changes applied to the index."""

    paths: tuple[str, ...]  # the changed paths, relative to the project root
    files_changed: int  # files read again
    files_removed: int
    seconds: float


def affected_paths(batch: Sequence[FileChange]) -> list[Path]:
    """Every path a batch touches (both ends of a move), each once, in order."""
    seen: dict[Path, None] = {}
    for change in batch:
        seen.setdefault(change.path)
        if change.dest_path is not None:
            seen.setdefault(change.dest_path)
    return list(seen)


def apply_changes(indexer: Indexer, batch: Sequence[FileChange], cancel: CancelToken) -> LiveUpdate:
    """Bring the index up to date for one batch of watcher changes."""
    started = time.monotonic()
    rescan = any(change.kind == "rescan" for change in batch)
    paths = affected_paths([change for change in batch if change.kind != "rescan"])
    if rescan or any(indexer.rules.is_ignore_file(path) for path in paths):
        # Events were lost, or the rules changed (the watcher has reloaded them): files
        # may have changed, left or joined the project anywhere. A full update re-reads
        # only what differs.
        updates = indexer.update(cancel)
    else:
        updates = indexer.update_paths(paths, cancel)
    for _ in updates:
        pass
    summary = indexer.summary
    root = indexer.root
    relative = tuple(_relative(path, root) for path in paths)
    return LiveUpdate(
        paths=relative,
        files_changed=summary.files_changed if summary else 0,
        files_removed=summary.files_removed if summary else 0,
        seconds=time.monotonic() - started,
    )


def live_updates(
    indexer: Indexer, cancel: CancelToken, debounce_s: float = LIVE_DEBOUNCE_S
) -> Iterator[LiveUpdate]:
    """Watch the project and apply its changes until ``cancel`` is set; yields each batch.

    Raises ``ProjectError`` when the folder cannot be watched or has disappeared.
    """
    for batch in watch_project(indexer.root, indexer.rules, cancel, debounce_s=debounce_s):
        yield apply_changes(indexer, batch, cancel)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
