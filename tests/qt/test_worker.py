"""The one worker abstraction, with real threads and a real event loop."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, Signal

from desktop.core.cancel import CancelToken
from desktop.core.errors import HearthError, ServerBusy
from desktop.qt.worker import TaskRunner


def test_items_arrive_in_order_on_the_gui_thread_then_finished(qtbot):
    runner = TaskRunner()
    seen: list[tuple[int, bool]] = []
    events: list[str] = []
    gui_thread = threading.current_thread()

    def work(token: CancelToken):
        yield from range(50)

    def on_item(value):
        seen.append((value, threading.current_thread() is gui_thread))

    runner.run(work, on_item=on_item, on_finished=lambda: events.append("finished"))
    qtbot.waitUntil(lambda: events == ["finished"], timeout=5000)
    assert [value for value, _ in seen] == list(range(50))
    assert all(on_gui for _, on_gui in seen)
    assert events == ["finished"]
    qtbot.waitUntil(lambda: runner.active_count == 0)


def test_hearth_errors_are_routed_to_failed_as_they_are(qtbot):
    runner = TaskRunner()
    errors: list[HearthError] = []

    def work(token):
        yield 1
        raise ServerBusy("The server at http://h:1 is busy.", "http://h:1")

    done: list[bool] = []
    runner.run(work, on_error=errors.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    assert len(errors) == 1 and isinstance(errors[0], ServerBusy)


def test_unexpected_errors_are_wrapped_and_logged(qtbot, caplog):
    runner = TaskRunner()
    errors: list[HearthError] = []

    def work(token):
        raise KeyError("boom")
        yield  # pragma: no cover

    done: list[bool] = []
    runner.run(work, name="exploder", on_error=errors.append, on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    assert type(errors[0]) is HearthError
    assert "KeyError" in errors[0].message and "log" in errors[0].hint
    assert "exploder" in caplog.text


def test_cancel_interrupts_a_blocked_generator_via_on_cancel(qtbot):
    runner = TaskRunner()
    cancelled: list[bool] = []
    unblock = threading.Event()

    def work(token: CancelToken):
        token.on_cancel(unblock.set)
        yield "started"
        unblock.wait(30)  # stands for a blocking network read
        yield "after"

    items: list[str] = []
    done: list[bool] = []
    worker = runner.run(work, on_item=items.append, on_cancelled=lambda: cancelled.append(True),
                        on_finished=lambda: done.append(True))
    qtbot.waitUntil(lambda: items == ["started"], timeout=5000)
    worker.cancel()
    qtbot.waitUntil(lambda: done == [True], timeout=5000)
    assert cancelled == [True]
    assert items == ["started"]


def test_shutdown_cancels_everything(qtbot):
    runner = TaskRunner()

    def work(token: CancelToken):
        while not token.wait(0.01):
            yield None

    workers = [runner.run(work) for _ in range(3)]
    runner.shutdown(timeout=2)
    assert all(not worker.running for worker in workers)


def test_runner_going_away_with_signals_in_flight_is_safe(qtbot):
    """Queued items may still be pending when the runner is dropped (window closed)."""
    runner = TaskRunner()
    runner.run(lambda token: iter(range(1000)))
    runner.shutdown(timeout=2)
    del runner
    qtbot.wait(50)  # deliver whatever was queued


class _Source(QObject):
    changed = Signal(int)


def test_signal_emits_keep_reference_counts_intact(qtbot):
    """Guards against PySide6 6.12.0, whose emit drops a reference to True each call

    (the process then aborts with "bool_dealloc"); pyproject.toml excludes that release.
    """
    source = _Source()
    received: list[int] = []
    source.changed.connect(received.append)
    before = sys.getrefcount(True)
    for value in range(2000):
        source.changed.emit(value)
    assert received == list(range(2000))
    assert sys.getrefcount(True) >= before - 50


def test_a_finished_worker_and_what_its_callbacks_hold_are_freed(qtbot):
    """Qt keeps the connected callbacks; they keep the worker. Without cutting the
    connections when a task ends, every worker stayed alive with all it referred to."""
    import gc
    import weakref

    class Payload:
        pass

    runner = TaskRunner()
    done: list[int] = []
    held = []
    for _ in range(20):
        payload = Payload()
        worker = runner.run(lambda token, kept=payload: [kept], on_item=lambda value: None,
                            on_error=lambda error: None, on_finished=lambda: done.append(1))
        held += [weakref.ref(payload), weakref.ref(worker)]
    del payload, worker
    qtbot.waitUntil(lambda: len(done) == 20 and runner.active_count == 0, timeout=5000)

    def all_freed() -> bool:  # a worker's thread may still be returning from its run
        gc.collect()
        return all(ref() is None for ref in held)

    qtbot.waitUntil(all_freed, timeout=5000)


def test_what_is_built_long_lived_is_left_out_of_collections_until_released() -> None:
    import gc

    from desktop.qt.worker import building_long_lived, release_long_lived

    gc.unfreeze()
    with building_long_lived():
        assert not gc.isenabled()  # no collection walks the data while it grows
        built = [{n} for n in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert not any(found is built for found in gc.get_objects())
    release_long_lived()
    assert gc.get_freeze_count() == 0 and any(found is built for found in gc.get_objects())
