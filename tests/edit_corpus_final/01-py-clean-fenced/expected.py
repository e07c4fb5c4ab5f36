"""Stock levels for the small warehouse app."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    tags: list[str] = field(default_factory=list)


class Inventory:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}

    def add(self, item: Item) -> None:
        if item.sku in self._items:
            raise ValueError(f"duplicate sku {item.sku}")
        self._items[item.sku] = item

    def restock(self, sku: str, amount: int) -> int:
        item = self._items[sku]
        item.quantity += amount
        return item.quantity

    def low_stock(self, threshold: int = 5) -> list[Item]:
        result = [item for item in self._items.values() if item.quantity < threshold]
        result.sort(key=lambda item: item.quantity)
        return result

    def total_units(self) -> int:
        return sum(item.quantity for item in self._items.values())
