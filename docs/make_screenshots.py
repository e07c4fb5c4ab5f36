"""Render the main window (project open, a finished streamed answer) in light and dark.

    python docs/make_screenshots.py   ->  docs/screenshots/main-light.png, main-dark.png

Uses the fake Ollama server from tests/fakes, a throwaway HEARTH_HOME and a sample
project in a temporary folder; nothing of the user's is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SAMPLE = '''"""Tiny geometry helpers."""

import math


def area(radius: float) -> float:
    """Area of a circle with the given radius."""
    return math.pi * radius ** 2


class Shape:
    sides = 4  # squares by default

    def describe(self) -> str:
        return f"{self.sides} sides"
'''
ANSWER = (
    "`area` returns the area of a circle. A version that rejects negative radii:\n\n"
    "```python\ndef area(radius: float) -> float:\n    if radius < 0:\n"
    "        raise ValueError(\"radius must be >= 0\")\n    return math.pi * radius ** 2\n```\n\n"
    "`Shape.describe` formats the number of sides."
)


def _spin(app, seconds: float, until=None) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until and until()):
        app.processEvents()
        time.sleep(0.01)


def _dark_palette():  # noqa: ANN202 - QPalette
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e6e6e6"), (roles.Base, "#1f1f1f"),
                         (roles.AlternateBase, "#262626"), (roles.Text, "#e6e6e6"), (roles.Button, "#333333"),
                         (roles.ButtonText, "#e6e6e6"), (roles.Highlight, "#3d6fb4"),
                         (roles.HighlightedText, "#ffffff"), (roles.PlaceholderText, "#8a8a8a"),
                         (roles.ToolTipBase, "#333333"), (roles.ToolTipText, "#e6e6e6"), (roles.Link, "#6aa9ff")):
        palette.setColor(role, QColor(colour))
    for role in (roles.ButtonText, roles.Text, roles.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6f6f6f"))
    return palette


def render(scheme: str, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from desktop.app import build_main_window, make_application, shutdown
    from tests.fakes.fake_ollama import FakeOllama

    from desktop.ui import theme

    app = make_application()
    QGuiApplication.styleHints().setColorScheme(
        Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
    if scheme == "dark" and not theme.is_dark():
        app.setPalette(_dark_palette())  # platforms without a dark theme (offscreen)
    elif scheme == "light":
        app.setPalette(app.style().standardPalette())
    with tempfile.TemporaryDirectory() as tmp, FakeOllama() as server:
        server.answer = ANSWER
        os.environ["HEARTH_HOME"] = str(Path(tmp) / "home")
        project = Path(tmp) / "geometry"
        (project / "src").mkdir(parents=True)
        (project / "src" / "shapes.py").write_text(SAMPLE, encoding="utf-8")
        (project / "README.md").write_text("# Geometry\n", encoding="utf-8")
        (project / ".gitignore").write_text("build/\n", encoding="utf-8")
        (project / "tests").mkdir()
        (project / "tests" / "test_shapes.py").write_text("def test_area():\n    pass\n")
        parts = build_main_window(project, host_flag=server.host)
        window = parts.window
        window.resize(1400, 820)
        window.show()
        window.splitter.setSizes([220, 560, 620])
        _spin(app, 5, lambda: window.chat_service is not None and window.chat_panel.current_model)
        window.tree.expand(window.tree.index_for(project / "src"))
        window.open_file(project / "src" / "shapes.py")
        _spin(app, 3, lambda: window.code_view.lexer_name == "Python")
        window.chat_panel.send_question("What does area do? Make it safer.")
        _spin(app, 10, lambda: not window.chat_panel.is_streaming and "ValueError" in window.chat_panel.transcript.plain_text())
        _spin(app, 0.5)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        window.close()
        shutdown(parts)


if __name__ == "__main__":
    target = REPO / "docs" / "screenshots"
    for scheme in ("light", "dark"):
        render(scheme, target / f"main-{scheme}.png")
        print(target / f"main-{scheme}.png", flush=True)
    os._exit(0)  # skip interpreter teardown: PySide may crash while collecting Qt objects at exit
