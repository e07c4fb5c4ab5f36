"""Render the code actions: the right-click menu on a selection, and the Plugins page.

    python docs/make_action_screenshots.py
      ->  docs/screenshots/action-menu.png, docs/screenshots/plugins-page.png

The menu shot first runs "Explain" on the selection (the chat shows the action's short
label and an answer whose code block has "Apply"), then opens the right-click menu and
paints it over the window where it popped up. The Plugins page shows the bundled plugins
and a deliberately broken one in the user's plugin folder. Uses the fake Ollama server,
a throwaway HEARTH_HOME and a sample project in a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docs.make_screenshots import SAMPLE, _spin  # noqa: E402

ANSWER = (
    "`area` computes the area of a circle, π·r². It accepts negative radii silently; "
    "a stricter version:\n\n"
    "```python\ndef area(radius: float) -> float:\n    \"\"\"Area of a circle with the given radius.\"\"\"\n"
    "    if radius < 0:\n        raise ValueError(\"radius must be >= 0\")\n    return math.pi * radius ** 2\n```\n"
)
BROKEN_PLUGIN = '''id = "shout"
name = "Shout"
version = "0.2.0"
description = "Rewrites comments in capitals."

[[actions]]
id = "shout"
title = "Shout Comments"
scopes = ["selection"]
result = "loud"
prompt = "{selection}"
'''


def _select_lines(window, first: int, last: int) -> None:  # noqa: ANN001 - MainWindow
    from PySide6.QtGui import QTextCursor

    document = window.code_view.editor.document()
    cursor = QTextCursor(document.findBlockByNumber(first - 1))
    end = document.findBlockByNumber(last - 1)
    cursor.setPosition(end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    window.code_view.editor.setTextCursor(cursor)


def _compose(window, menu):  # noqa: ANN001, ANN202 - MainWindow, QMenu -> QPixmap
    """The window with the popup menu painted where it opened (offscreen, popups are separate)."""
    from PySide6.QtGui import QPainter

    shot = window.grab()
    painter = QPainter(shot)
    painter.drawPixmap(window.mapFromGlobal(menu.pos()), menu.grab())
    painter.end()
    return shot


def render(out_dir: Path) -> list[Path]:
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtCore import Qt

    from desktop.app import build_main_window, make_application, shutdown
    from desktop.core.paths import HearthPaths
    from tests.fakes.fake_ollama import FakeOllama

    app = make_application()
    QGuiApplication.styleHints().setColorScheme(Qt.ColorScheme.Light)
    app.setPalette(app.style().standardPalette())
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, FakeOllama() as server:
        server.answer = ANSWER
        os.environ["HEARTH_HOME"] = str(Path(tmp) / "home")
        broken = HearthPaths.from_env().plugins_dir / "shout"
        broken.mkdir(parents=True)
        (broken / "plugin.toml").write_text(BROKEN_PLUGIN, encoding="utf-8")
        project = Path(tmp) / "geometry"
        (project / "src").mkdir(parents=True)
        (project / "src" / "shapes.py").write_text(SAMPLE, encoding="utf-8")
        (project / "README.md").write_text("# Geometry\n", encoding="utf-8")
        parts = build_main_window(project, host_flag=server.host)
        window = parts.window
        window.resize(1400, 820)
        window.show()
        window.splitter.setSizes([200, 600, 600])
        _spin(app, 10, lambda: window.chat_service is not None and window.chat_panel.current_model
              and window.code_actions.plugins is not None)
        window.tree.expand(window.tree.index_for(project / "src"))
        window.open_file(project / "src" / "shapes.py")
        _spin(app, 5, lambda: window.code_view.lexer_name == "Python")
        indexed: list[object] = []
        window.index_updated.connect(indexed.append)
        _spin(app, 10, lambda: bool(indexed))  # so the label names the function
        _select_lines(window, 6, 8)
        window.code_actions.run_action(window.code_actions.registry.get("explain"))
        _spin(app, 15, lambda: "ValueError" in window.chat_panel.transcript.plain_text()
              and not window.chat_panel.is_streaming)
        _select_lines(window, 6, 8)
        editor = window.code_view.editor
        anchor = editor.cursorRect().bottomRight()
        anchor.setX(anchor.x() + 40)
        menu = window.code_actions.code_context_menu()
        menu.popup(editor.viewport().mapToGlobal(anchor))
        _spin(app, 1.0)
        menu.setActiveAction(menu.actions()[0])
        _spin(app, 0.3)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / "action-menu.png"
        _compose(window, menu).save(str(target))
        written.append(target)
        menu.close()

        dialog = window.show_settings()
        dialog.show_plugins()
        dialog.resize(640, 620)
        _spin(app, 0.5)
        target = out_dir / "plugins-page.png"
        dialog.grab().save(str(target))
        written.append(target)
        dialog.reject()
        window.close()
        shutdown(parts)
    return written


if __name__ == "__main__":
    for path in render(REPO / "docs" / "screenshots"):
        print(path, flush=True)
    os._exit(0)  # skip interpreter teardown: PySide may crash while collecting Qt objects at exit
