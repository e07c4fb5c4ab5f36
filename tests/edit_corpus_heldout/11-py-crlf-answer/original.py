import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Entry:
    priority: int
    order: int
    item: Any = field(compare=False)


class PriorityQueue:
    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._counter = itertools.count()

    def push(self, item: Any, priority: int = 0) -> None:
        heapq.heappush(self._heap, _Entry(priority, next(self._counter), item))

    def pop(self) -> Any:
        return heapq.heappop(self._heap).item

    def peek(self) -> Any:
        return self._heap[0].item

    def __len__(self) -> int:
        return len(self._heap)

    def __bool__(self) -> bool:
        return bool(self._heap)
