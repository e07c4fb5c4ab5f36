"""Helpers for laying out plain text in the terminal."""

import shutil


def terminal_width(default: int = 80) -> int:
    return shutil.get_terminal_size((default, 24)).columns


def wrap(text: str, width: int) -> list[str]:
    lines = []
    current = ""
    for word in text.split():
        if current and len(current) + len(word) + 1 > width:
            lines.append(current)
            current = word
        elif current:
            current = current + " " + word
        else:
            current = word
    if current:
        lines.append(current)
    return lines


def box(text: str) -> str:
    inner = wrap(text, terminal_width() - 4)
    width = max(len(line) for line in inner)
    top = "+" + "-" * (width + 2) + "+"
    body = [f"| {line.ljust(width)} |" for line in inner]
    return "\n".join([top, *body, top])
