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
    return `${this.lines.length} items, ${formatPrice(this.total())}`;
  }
}
