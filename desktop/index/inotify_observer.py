"""watchdog's inotify observer, on a reader that also says when the kernel dropped events.

When inotify's queue (``fs.inotify.max_queued_events``) is full, the kernel drops
events and queues one ``IN_Q_OVERFLOW``. watchdog 7 then re-adds its watches and logs
a warning, but tells no event handler: whoever keeps state from the events would never
learn that some were lost. Linux only (imported by the watcher there alone).
"""

from __future__ import annotations

import logging
from typing import Callable

from watchdog.observers.api import BaseObserver
from watchdog.observers.inotify import InotifyEmitter
from watchdog.observers.inotify_c import InotifyEvent, InotifyFD

log = logging.getLogger(__name__)


class _Reader(InotifyFD):
    """The thread reading the inotify descriptor (watchdog's), reporting an overflow."""

    def __init__(self, on_overflow: Callable[[], None]) -> None:
        super().__init__()
        self._on_overflow = on_overflow

    def handle_event(self, event: InotifyEvent) -> None:
        super().handle_event(event)  # on an overflow, watchdog first re-adds its watches
        if event.is_queue_overflow:
            self._on_overflow()

    def run(self) -> None:
        try:
            super().run()
        except Exception:  # noqa: BLE001 - the watcher sees the thread end and says so
            log.exception("the inotify reader stopped on an error; no more changes are seen")


class OverflowReportingObserver(BaseObserver):
    """An inotify observer that calls ``on_overflow`` (on its reader thread) after the
    kernel dropped events. ``reader`` is the thread that reads them: watching stops
    when it ends, as when the observer's own threads do."""

    def __init__(self, on_overflow: Callable[[], None], *, timeout: float) -> None:
        self.reader = _Reader(on_overflow)
        self.reader.start()
        super().__init__(InotifyEmitter, timeout=timeout, inotify_fd=self.reader)

    def on_thread_stop(self) -> None:
        """Stop the emitters, then the reader (a daemon thread: it is not waited for)."""
        super().on_thread_stop()
        self.reader.stop()
