"""Small in-memory inventory used by the shop demo."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    price_cents: int
    quantity: int = 0


@dataclass
class Inventory:
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        if item.sku in self.items:
            self.items[item.sku].quantity += item.quantity
        else:
            self.items[item.sku] = item

    def remove(self, sku: str, count: int = 1) -> None:
        item = self.items[sku]
        item.quantity -= count
        if item.quantity <= 0:
            del self.items[sku]

    def total_value(self) -> int:
        return sum(i.price_cents * i.quantity for i in self.items.values())

    def low_stock(self, threshold: int = 3) -> list[Item]:
        return [i for i in self.items.values() if i.quantity < threshold]
