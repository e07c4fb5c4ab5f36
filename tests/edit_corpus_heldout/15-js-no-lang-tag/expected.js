'use strict';

const TAX_RATE = 0.08;

class Cart {
  constructor() {
    this.lines = [];
  }

  add(product, quantity = 1) {
    const existing = this.lines.find((line) => line.product.id === product.id);
    if (existing) {
      existing.quantity += quantity;
    } else {
      this.lines.push({ product, quantity });
    }
  }

  subtotal() {
    return this.lines.reduce(
      (sum, line) => sum + line.product.price * line.quantity,
      0,
    );
  }

  total() {
    return this.subtotal() * (1 + TAX_RATE);
  }
}

module.exports = { Cart, TAX_RATE };
