"""Number utilities for the puzzle solver."""

from functools import lru_cache


def is_prime(n: int) -> bool:
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def primes_below(limit: int) -> list[int]:
    return [n for n in range(limit) if is_prime(n)]


@lru_cache(maxsize=None)
def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def digit_sum(n: int) -> int:
    return sum(int(d) for d in str(abs(n)))
