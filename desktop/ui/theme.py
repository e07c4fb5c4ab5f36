"""Light and dark appearance, following the system.

Widgets ask here which palette is active and which pygments style fits it, so the code
view and the chat's code blocks always agree.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

LIGHT_CODE_STYLE = "default"
DARK_CODE_STYLE = "monokai"
DARK_ACCENT_LIGHTNESS = 170  # of 255: the least an accent needs to read on a dark background


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the window background is darker than its text."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < palette.color(QPalette.ColorRole.WindowText).lightness()


def code_style_name(palette: QPalette | None = None) -> str:
    """The pygments style used for code in the current appearance."""
    return DARK_CODE_STYLE if is_dark(palette) else LIGHT_CODE_STYLE


def accent_text(palette: QPalette | None = None) -> QColor:
    """A colour for text that should stand out (matched letters): the palette's link
    colour, lightened on a dark background when the palette's own would be hard to read."""
    palette = palette or QGuiApplication.palette()
    link = palette.color(QPalette.ColorRole.Link)
    if is_dark(palette) and link.lightness() < DARK_ACCENT_LIGHTNESS:
        return QColor.fromHsl(link.hslHue(), link.hslSaturation(), DARK_ACCENT_LIGHTNESS)
    return link
