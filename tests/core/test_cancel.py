import threading

import pytest

from desktop.core.cancel import CancelToken, Cancelled


def test_callbacks_run_once_on_cancel():
    token = CancelToken()
    calls = []
    token.on_cancel(lambda: calls.append(1))
    token.cancel()
    token.cancel()
    assert calls == [1]
    assert token.cancelled


def test_callback_registered_after_cancel_runs_immediately():
    token = CancelToken()
    token.cancel()
    calls = []
    token.on_cancel(lambda: calls.append(1))
    assert calls == [1]


def test_unregistered_callback_does_not_run():
    token = CancelToken()
    calls = []
    unregister = token.on_cancel(lambda: calls.append(1))
    unregister()
    token.cancel()
    assert calls == []


def test_failing_callback_does_not_stop_the_others():
    token = CancelToken()
    calls = []
    token.on_cancel(lambda: 1 / 0)
    token.on_cancel(lambda: calls.append(2))
    token.cancel()
    assert calls == [2]


def test_raise_if_cancelled_and_wait_across_threads():
    token = CancelToken()
    token.raise_if_cancelled()
    threading.Timer(0.05, token.cancel).start()
    assert token.wait(5)
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()
