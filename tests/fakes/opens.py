"""Counting the times a file is opened, and changing the file between two opens.

The count comes from Python's "open" audit event, which ``open``, ``Path.read_bytes``
and ``os.open`` all raise before the file is opened, so a test does not depend on
which of them the code uses. Python cannot remove an audit hook: one is added for the
process on first use and does nothing while no test watches a file.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


@dataclass
class OpenWatch:
    """Opens of one file; from the second open on, the file holds ``later`` (if given)."""

    path: str
    later: bytes | None = None
    opens: int = 0


_watches: list[OpenWatch] = []
_writing = False
_hooked = False


def _on_audit(event: str, args: tuple) -> None:
    global _writing
    if event != "open" or not _watches or _writing or isinstance(args[0], int):
        return
    opened = os.path.realpath(os.fsdecode(args[0]))
    for watch in _watches:
        if opened != watch.path:
            continue
        watch.opens += 1
        if watch.opens == 2 and watch.later is not None:
            _writing = True  # the write below opens the file too
            try:
                with open(watch.path, "wb") as handle:
                    handle.write(watch.later)
            finally:
                _writing = False


@contextmanager
def watch_opens(path: Path, later: bytes | None = None) -> Iterator[OpenWatch]:
    """Count the opens of ``path`` inside the block; with ``later``, the file holds those
    bytes from its second open on (written just before that open happens)."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_on_audit)
        _hooked = True
    watch = OpenWatch(os.path.realpath(path), later)
    _watches.append(watch)
    try:
        yield watch
    finally:
        _watches.remove(watch)
