// Shopping cart helpers used by the checkout page.
'use strict';

const TAX_RATE = 0.2;

function createCart() {
  return { lines: [], coupon: null };
}

function addLine(cart, product, quantity) {
  if (!Number.isInteger(quantity) || quantity <= 0) {
    throw new RangeError(`quantity must be a positive integer, got ${quantity}`);
  }
  const existing = cart.lines.find((line) => line.product.id === product.id);
  if (existing) {
    existing.quantity += quantity;
    return cart;
  }
  cart.lines.push({ product, quantity });
  return cart;
}

function subtotal(cart) {
  return cart.lines.reduce((sum, line) => sum + line.product.price * line.quantity, 0);
}

function total(cart) {
  const base = subtotal(cart);
  const discount = cart.coupon ? cart.coupon.amount : 0;
  return Math.max(0, base - discount) * (1 + TAX_RATE);
}

module.exports = { createCart, addLine, subtotal, total };
