'use strict';

const TAX_RATE = 0.2;

function formatPrice(cents) {
  return (cents / 100).toFixed(2);
}

class Cart {
  constructor(owner) {
    this.owner = owner;
    this.lines = [];
  }

  add(product, qty) {
    // Ignore zero or negative quantities
    if (qty <= 0) {
      return;
    }
    const existing = this.lines.find((l) => l.product.id === product.id);
    if (existing) {
      existing.qty += qty;
    } else {
      this.lines.push({ product, qty });
    }
  }

  subtotal() {
    let sum = 0;
    for (const line of this.lines) {
      sum += line.product.price * line.qty;
    }
    return sum;
  }

  total() {
    return Math.round(this.subtotal() * (1 + TAX_RATE));
  }
}

module.exports = { Cart, formatPrice };
