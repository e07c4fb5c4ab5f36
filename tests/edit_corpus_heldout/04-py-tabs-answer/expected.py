import time
from typing import Any, Callable


class TTLCache:
    """A tiny dictionary cache whose entries expire after `ttl` seconds."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._data: dict[str, tuple[float, Any]] = {}

    def set(self, key: str, value: Any) -> None:
        self._data[key] = (self.clock(), value)

    def get(self, key: str, default: Any = None) -> Any:
        entry = self._data.get(key)
        if entry is None:
            return default
        stored_at, value = entry
        if self.clock() - stored_at > self.ttl:
            del self._data[key]
            return default
        return value

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()
