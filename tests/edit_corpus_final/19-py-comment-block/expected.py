"""Retry helper for flaky network calls."""

import random
import time


# Retry the call up to `attempts` times, waiting longer after each failure
# (exponential backoff with jitter, capped at 8 seconds).
def retry(func, attempts=3):
    last_error = None
    delays = backoff_delays(attempts)
    for delay in delays:
        try:
            return func()
        except OSError as error:
            last_error = error
            time.sleep(delay)
    raise last_error


def jitter(base, spread=0.25):
    return base * (1 + random.uniform(-spread, spread))


def backoff_delays(count, base=0.5, cap=8.0):
    delay = base
    for _ in range(count):
        yield min(cap, jitter(delay))
        delay *= 2
