import { formatPrice } from "./format.js";

export class Cart {
  constructor() {
    this.lines = [];
  }

  add(product, qty = 1) {
    const existing = this.lines.find((l) => l.product.id === product.id);
    if (existing) {
      existing.qty += qty;
    } else {
      this.lines.push({ product, qty });
    }
  }

  total() {
    let sum = 0;
    for (const line of this.lines) {
      sum += line.product.price * line.qty;
    }
    return sum;
  }

  describe() {
    const count = this.lines.reduce((n, line) => n + line.qty, 0);
    return `${count} items, ${formatPrice(this.total())}`;
  }
}
