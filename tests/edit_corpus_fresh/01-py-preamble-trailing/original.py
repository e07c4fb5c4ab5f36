"""Stock levels for the small shop."""

from dataclasses import dataclass, field


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    price_cents: int = 0


@dataclass
class Inventory:
    items: dict[str, Item] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        self.items[item.sku] = item

    def remove(self, sku: str, count: int) -> None:
        item = self.items[sku]
        item.quantity -= count
        if item.quantity == 0:
            del self.items[sku]

    def total_value(self) -> int:
        return sum(i.quantity * i.price_cents for i in self.items.values())

    def low_stock(self, threshold: int = 3) -> list[Item]:
        return [i for i in self.items.values() if i.quantity <= threshold]
