import time
import random
import urllib.request


DEFAULT_TIMEOUT = 10


def fetch(url, timeout=DEFAULT_TIMEOUT):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode("utf-8")


def fetch_with_retry(url, attempts=3, delay=1.0):
    last_error = None
    for attempt in range(attempts):
        try:
            return fetch(url)
        except OSError as error:
            last_error = error
            time.sleep(delay)
    raise last_error


def jitter(delay):
    return delay * (0.5 + random.random())


def main():
    import sys
    for url in sys.argv[1:]:
        body = fetch_with_retry(url)
        print(url, len(body))


if __name__ == "__main__":
    main()
