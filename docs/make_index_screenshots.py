"""Render the index in the window: status-bar progress, skipped files, Ctrl+P, Ctrl+T, an answer with chips.

    python docs/make_index_screenshots.py  ->  docs/screenshots/index-*.png

Uses the fake Ollama server, a throwaway HEARTH_HOME and a generated sample project.
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

ANSWER = ("`area` computes πr² for a circle; `Shape.describe` formats the number of sides.\n\n"
          "Both live in `src/shapes.py`.")


def main() -> None:
    from desktop.app import build_main_window, make_application, shutdown
    from desktop.index.indexer import IndexProgress
    from desktop.index.store import index_storage_error
    from tests.fakes.fake_ollama import FakeOllama

    app = make_application()
    app.setPalette(app.style().standardPalette())
    out = REPO / "docs" / "screenshots"
    with tempfile.TemporaryDirectory() as tmp, FakeOllama() as server:
        server.answer = ANSWER
        os.environ["HEARTH_HOME"] = str(Path(tmp) / "home")
        project = Path(tmp) / "geometry"
        (project / "src").mkdir(parents=True)
        (project / "src" / "shapes.py").write_text(SAMPLE, encoding="utf-8")
        (project / "src" / "solids.py").write_text("def volume(radius):\n    return 4 / 3 * 3.14159 * radius ** 3\n")
        (project / "src" / "shape_io.py").write_text("def load_shapes(path):\n    return open(path).read().split()\n")
        (project / "tests").mkdir()
        (project / "tests" / "test_shapes.py").write_text(
            "from src.shapes import area\n\n\ndef test_area():\n    assert area(1) > 3\n\n\n"
            "def area(radius):  # a stand-in the test compares with\n    return 3.14159 * radius ** 2\n")
        (project / "README.md").write_text("# Geometry\n", encoding="utf-8")
        (project / ".env").write_text("API_TOKEN=secret\n", encoding="utf-8")
        (project / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
        (project / "poetry.lock").write_text('[[package]]\nname = "numpy"\nversion = "2.1.0"\n', encoding="utf-8")
        (Path(tmp) / "home-config.ini").write_text("[paths]\ncache = ~/.cache\n", encoding="utf-8")
        os.symlink(Path(tmp) / "home-config.ini", project / "settings.ini")  # a link out of the project
        parts = build_main_window(project, host_flag=server.host)
        window = parts.window
        window.resize(1400, 820)
        window.show()
        window.splitter.setSizes([220, 560, 620])
        _spin(app, 10, lambda: window.index_status.text.startswith("Index:") and window.chat_panel.current_model)
        # progress as it looks mid-way on a large project (rendered from a real event)
        done = window.index_status.text
        window.index_status.show_progress(IndexProgress("indexing", 1204, 3890, 412.0, 6.5, "Lib/email/_header_value_parser.py"))
        _spin(app, 0.3)
        window.statusBar().grab().save(str(out / "index-progress.png"))
        # the message a full disk gives (the error made as the indexer makes it)
        full = index_storage_error(OSError(28, "No space left on device"), window._indexer.db_path)
        window.index_status.show_failed(full.message, full.hint)
        _spin(app, 0.3)
        window.statusBar().grab().save(str(out / "index-disk-full.png"))
        window.index_status.show_done(window._indexer.summary)
        _spin(app, 0.2)
        window.show_skipped()
        _spin(app, 3, lambda: window.skipped_dialog is not None)
        _spin(app, 0.3)
        window.skipped_dialog.grab().save(str(out / "index-skipped.png"))
        window.skipped_dialog.close()
        for open_finder, typed, name in ((window.quick_open, "shp", "index-quick-open.png"),
                                         (window.go_to_symbol, "area", "index-go-to-symbol.png")):
            _render_finder(app, window, open_finder, typed, out / name)
        window.chat_panel.send_question("What does area do?")
        _spin(app, 10, lambda: not window.chat_panel.is_streaming and "tokens" in window.chat_panel.transcript.plain_text())
        _spin(app, 0.5)
        window.grab().save(str(out / "index-answer-chips.png"))
        print(done, flush=True)
        window.close()
        shutdown(parts)


def _render_finder(app, window, open_finder, typed: str, target: Path) -> None:  # noqa: ANN001
    """Open quick open or go to symbol, type ``typed``, and save the dialog once it settles."""
    open_finder()
    dialog = window.quick_open_dialog
    dialog.box.setText(typed)
    _spin(app, 3, lambda: dialog.settled)
    _spin(app, 0.2)
    dialog.grab().save(str(target))
    dialog.close()


if __name__ == "__main__":
    main()
    os._exit(0)
