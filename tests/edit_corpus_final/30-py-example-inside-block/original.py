class Stack:
    """A bounded LIFO stack."""

    def __init__(self, capacity=100):
        self._items = []
        self._capacity = capacity

    def push(self, item):
        if len(self._items) >= self._capacity:
            raise OverflowError("stack is full")
        self._items.append(item)

    def pop(self):
        return self._items.pop()

    def peek(self):
        return self._items[-1]

    def __len__(self):
        return len(self._items)

    def is_empty(self):
        return not self._items
