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
    return this.lines.reduce((sum, line) => sum + line.product.price * line.qty, 0);
  }

  describe() {
    return `${this.lines.length} items, ${formatPrice(this.total())}`;
  }
}
