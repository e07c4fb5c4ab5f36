"""Retry helper for flaky network calls."""

import random
import time


# Retry the call up to `attempts` times.
# Waits a fixed second between tries.
def retry(func, attempts=3):
    last_error = None
    for _ in range(attempts):
        try:
            return func()
        except OSError as error:
            last_error = error
            time.sleep(1)
    raise last_error


def jitter(base, spread=0.25):
    return base * (1 + random.uniform(-spread, spread))


def backoff_delays(count, base=0.5, cap=8.0):
    delay = base
    for _ in range(count):
        yield min(cap, jitter(delay))
        delay *= 2
