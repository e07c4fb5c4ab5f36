"""Render an edit under review (the diff review dialog) in light and dark, and with a syntax warning.

    python docs/make_edit_screenshots.py  ->  docs/screenshots/edit-diff-review.png,
                                              edit-diff-review-dark.png, edit-diff-review-syntax.png

The edit runs the real way: the Edit action streams from the fake Ollama server through
``EditFlow`` into the dialog. A throwaway HEARTH_HOME and a sample project in a temporary
folder are used; nothing of the user's is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docs.make_screenshots import SAMPLE, _dark_palette, _spin  # noqa: E402

LINES = (6, 15)  # area() and class Shape in SAMPLE
INSTRUCTION = "Reject negative radii and give the class attribute a type."
NEW_REGION = '''def area(radius: float) -> float:
    """Area of a circle with the given radius."""
    if radius < 0:
        raise ValueError("radius must be >= 0")
    return math.pi * radius ** 2


class Shape:
    sides: int = 4  # squares by default

    def describe(self) -> str:
        return f"{self.sides} side{'s' if self.sides != 1 else ''}"
'''
ANSWER = f"Sure! Here is the updated code:\n\n```python\n{NEW_REGION}```\n\nThe check raises before computing."
BROKEN = ANSWER.replace("if radius < 0:", "if radius < 0")


def render(app, server, project: Path, answer: str, out: Path, reject: tuple[int, ...] = ()) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QWidget

    from desktop.assist.actions import SCOPE_SELECTION, builtin_actions, resolve_context
    from desktop.assist.edits.checks import resolve_target
    from desktop.assist.edits.service import EditService
    from desktop.assist.edits.undo import UndoHistory
    from desktop.core.chat import ChatOptions
    from desktop.core.paths import HearthPaths
    from desktop.engine.ollama_engine import OllamaEngine
    from desktop.qt.worker import TaskRunner
    from desktop.ui.edit_flow import EditFlow

    server.answer = answer
    window = QWidget()
    runner = TaskRunner()
    history = UndoHistory.for_project(HearthPaths.from_env(), project)
    service = EditService(OllamaEngine(server.host))
    flow = EditFlow(runner, lambda: service, history, lambda: ("qwen2.5-coder:7b", ChatOptions()), window)
    action = next(a for a in builtin_actions() if a.id == "edit")
    relative = "src/shapes.py"
    context = resolve_context(project, relative, scope=SCOPE_SELECTION, selection_lines=LINES,
                              instruction=INSTRUCTION)
    flow.start(action, context, resolve_target(project, project / relative, LINES))
    _spin(app, 10, lambda: flow.dialog is not None and flow.dialog.review is not None)
    dialog = flow.dialog
    if dialog is None or dialog.review is None:
        raise SystemExit(f"no review for {out.name}: {dialog.problem_text if dialog else 'no dialog'}")
    dialog.resize(900, 560)
    for index in reject:
        dialog.diff_view.set_accepted(index, False)
    dialog.diff_view.go_to_hunk(0)
    _spin(app, 0.4)
    out.parent.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(out))
    print(out, flush=True)
    flow.close_dialog()
    runner.shutdown()
    history.close()
    window.deleteLater()


def main() -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    from desktop.app import make_application
    from desktop.ui import theme
    from tests.fakes.fake_ollama import FakeOllama

    app = make_application()
    out = REPO / "docs" / "screenshots"
    with tempfile.TemporaryDirectory() as tmp, FakeOllama() as server:
        server.tokens_per_second = None  # no need to watch it type
        os.environ["HEARTH_HOME"] = str(Path(tmp) / "home")
        project = Path(tmp) / "geometry"
        (project / "src").mkdir(parents=True)
        (project / "src" / "shapes.py").write_text(SAMPLE, encoding="utf-8")
        for scheme, answer, name, reject in (("light", ANSWER, "edit-diff-review.png", (2,)),
                                             ("light", BROKEN, "edit-diff-review-syntax.png", ()),
                                             ("dark", ANSWER, "edit-diff-review-dark.png", (2,))):
            QGuiApplication.styleHints().setColorScheme(
                Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
            if scheme == "dark" and not theme.is_dark():
                app.setPalette(_dark_palette())  # platforms without a dark theme (offscreen)
            elif scheme == "light":
                app.setPalette(app.style().standardPalette())
            render(app, server, project, answer, out / name, reject)


if __name__ == "__main__":
    main()
    os._exit(0)  # skip interpreter teardown: PySide may crash while collecting Qt objects at exit
