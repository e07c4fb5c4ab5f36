"""The one worker abstraction: run a generator off the GUI thread, emit its items.

Every piece of background work in the UI (streaming an answer, loading a file, listing
models) is a function ``work(cancel_token) -> Iterable[item]`` handed to
``TaskRunner.run``. Items arrive on the GUI thread through the ``item`` signal; an
exception arrives through ``failed`` (always as a ``HearthError``, unexpected ones are
logged with their traceback and wrapped); ``finished`` is always emitted last.
Cancelling sets the token; the generator notices between items, and blocking code
registered with ``token.on_cancel`` is interrupted at once.
"""

from __future__ import annotations

# Work on background threads imports lazily: the grammar wheels through
# importlib.resources, pygments' plugin scan through importlib.metadata and so
# importlib.abc, which imports importlib.resources.abc. Two threads importing these for
# the first time at once can take their module locks in opposite orders, and Python
# then raises _DeadlockError in one of them (seen at start-up: the indexer against the
# highlighter warm-up). Importing the shared package once, here, before any worker
# thread starts, leaves nothing for them to race on.
import importlib.resources  # noqa: F401
import contextlib
import gc
import logging
import threading
import weakref
from typing import Callable, Iterable, Iterator

from PySide6.QtCore import QObject, Signal

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import HearthError

log = logging.getLogger(__name__)

Work = Callable[[CancelToken], Iterable[object]]


class Worker(QObject):
    """One run of a generator on a background thread."""

    item = Signal(object)
    failed = Signal(object)  # HearthError
    cancelled = Signal()
    finished = Signal()  # always last, whatever happened

    def __init__(self, work: Work, name: str = "worker", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._name = name
        self.token = CancelToken()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("a Worker runs once; create a new one")
        self._thread = threading.Thread(target=self._run, name=f"hearth-{self._name}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends (tests and shutdown only); True if it ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            for produced in self._work(self.token):
                if self.token.cancelled:
                    raise Cancelled()
                self.item.emit(produced)
            if self.token.cancelled:
                raise Cancelled()
        except Cancelled:
            self.cancelled.emit()
        except HearthError as exc:
            self.failed.emit(exc)
        except Exception as exc:  # noqa: BLE001 - the one place unexpected errors land
            log.exception("background task %s failed", self._name)
            wrapped = HearthError(f"Something went wrong: {type(exc).__name__}: {exc}",
                                  "Details are in Hearth's log file.")
            self.failed.emit(wrapped)
        finally:
            self.finished.emit()


class TaskRunner(QObject):
    """Starts workers, keeps them alive while they run, cancels them all on shutdown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._active: set[Worker] = set()

    def run(
        self,
        work: Work,
        *,
        name: str = "task",
        on_item: Callable[[object], None] | None = None,
        on_error: Callable[[HearthError], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Worker:
        """Run ``work`` in the background and connect the given callbacks.

        Pass callbacks here rather than connecting to the returned worker's signals: the
        thread starts before this returns, and a signal it emits before a later
        ``connect`` reaches nobody (a quick task's ``finished`` was lost that way).
        """
        # Not parented to the runner: a queued signal may still be on its way when the
        # runner goes away, and Qt must not delete the sender under it. Python's
        # reference in ``_active`` (and the thread's own, while it runs) keeps it alive
        # instead.
        worker = Worker(work, name=name)
        for signal, callback in ((worker.item, on_item), (worker.failed, on_error),
                                 (worker.cancelled, on_cancelled), (worker.finished, on_finished)):
            if callback is not None:
                signal.connect(callback)
        # Qt keeps the connected callbacks alive as long as the worker; a callback that
        # held the worker itself would make a cycle Python's collector cannot see, and
        # every finished worker would stay in memory with all it referred to.
        finished_worker = weakref.ref(worker)
        worker.finished.connect(lambda: self._forget(finished_worker()))
        self._active.add(worker)
        worker.start()
        return worker

    @property
    def active_count(self) -> int:
        return len(self._active)

    def _forget(self, worker: Worker | None) -> None:
        self._active.discard(worker)  # type: ignore[arg-type] - None when already gone

    def shutdown(self, timeout: float = 1.0) -> None:
        """Cancel every running task and wait briefly for them to end."""
        workers = list(self._active)
        for worker in workers:
            worker.cancel()
        for worker in workers:
            worker.wait(timeout)


@contextlib.contextmanager
def building_long_lived() -> Iterator[None]:
    """Build data that lives as long as its project (the chat's search view) without the
    cycle collector, and leave what was built out of its later full collections.

    A full collection holds the interpreter lock while it walks every tracked object, so
    every thread waits for it, the GUI's too: on a 100,000-file project the search view's
    caches made each full collection during the warm-up a 100-200 ms stall. Frozen
    objects are still freed when no longer referenced; ``release_long_lived`` gives them
    back to the collector when the project closes, so that no cycle among them is kept.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def release_long_lived() -> None:
    """Let the cycle collector see again what ``building_long_lived`` left out of it."""
    gc.unfreeze()
