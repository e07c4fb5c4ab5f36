"""Inventory helpers for the shop back office."""

from dataclasses import dataclass


@dataclass
class Item:
    name: str
    price: float
    quantity: int = 0


class Inventory:
    def __init__(self):
        self.items = {}

    def add(self, item):
        self.items[item.name] = item

    def total_value(self):
        total = 0
        for item in self.items.values():
            total = total + item.price * item.quantity
        return total

    def find(self, name):
        return self.items.get(name)
