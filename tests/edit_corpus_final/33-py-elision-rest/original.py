from decimal import Decimal

SHIPPING_FLAT = Decimal("4.99")
FREE_SHIPPING_OVER = Decimal("50")


def order_total(order):
    subtotal = Decimal("0")
    for line in order["lines"]:
        price = Decimal(str(line["price"]))
        subtotal += price * line["qty"]
    if order.get("coupon") == "TENOFF":
        subtotal -= Decimal("10")
    if subtotal < 0:
        subtotal = Decimal("0")
    shipping = Decimal("0") if subtotal >= FREE_SHIPPING_OVER else SHIPPING_FLAT
    total = subtotal + shipping
    return total.quantize(Decimal("0.01"))


def describe(order):
    total = order_total(order)
    count = sum(line["qty"] for line in order["lines"])
    return f"{count} items, {total} EUR"
