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
        return sum(item.price * item.quantity for item in self.items.values())

    def find(self, name):
        return self.items.get(name)
