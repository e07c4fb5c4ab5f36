import random
import time
from typing import Callable, TypeVar

T = TypeVar("T")


class RetryError(Exception):
    pass


def retry(call: Callable[[], T], attempts: int = 3, delay: float = 0.5) -> T:
    last_error = None
    for attempt in range(attempts):
        try:
            return call()
        except Exception as error:
            last_error = error
            time.sleep(delay)
    raise RetryError(f"gave up after {attempts} attempts") from last_error


def flaky() -> str:
    if random.random() < 0.7:
        raise ConnectionError("network blip")
    return "ok"


if __name__ == "__main__":
    print(retry(flaky, attempts=5))
