"""Temperature helpers for the weather widget."""


def c_to_f(celsius: float) -> float:
    return celsius * 9 / 5 + 32


def f_to_c(fahrenheit: float) -> float:
    return (fahrenheit - 32) * 5 / 9


def describe(celsius: float) -> str:
    if celsius < 0:
        return "freezing"
    if celsius < 12:
        return "cold"
    if celsius < 22:
        return "mild"
    return "warm"


def format_reading(celsius: float, imperial: bool = False) -> str:
    if imperial:
        return f"{c_to_f(celsius):.0f}°F ({describe(celsius)})"
    return f"{celsius:.0f}°C ({describe(celsius)})"
