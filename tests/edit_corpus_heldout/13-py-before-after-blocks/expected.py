from decimal import ROUND_HALF_UP, Decimal

VAT_RATE = Decimal("0.20")


def to_decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def add_vat(net) -> Decimal:
    gross = to_decimal(net) * (1 + VAT_RATE)
    return gross.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def split_bill(total, people: int) -> list[Decimal]:
    share = (to_decimal(total) / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    shares = [share] * people
    shares[-1] += to_decimal(total) - share * people
    return shares


def format_eur(amount) -> str:
    return f"€{to_decimal(amount):,.2f}"
