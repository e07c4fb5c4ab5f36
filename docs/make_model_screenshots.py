"""Render the Models dialog on simulated machines, and a pull in progress.

    python docs/make_model_screenshots.py  ->  docs/screenshots/models-apple-16gb.png,
                                               models-nvidia-24gb.png, models-pull.png

The machine is simulated by handing the dialog a HardwareBudget (as the app hands it the
probed one); the server is the fake Ollama from tests/fakes; HEARTH_HOME is a throwaway
folder. Nothing of the user's is touched and nothing is downloaded.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "screenshots"
GIB = 2**30

from docs.make_screenshots import _spin  # noqa: E402


def _dialog(server, budget):  # noqa: ANN001, ANN202 - FakeOllama, HardwareBudget -> ModelsDialog
    from desktop.core.settings import Settings
    from desktop.engine.ollama_engine import OllamaEngine
    from desktop.qt.worker import TaskRunner
    from desktop.ui.models import ModelsDialog

    settings = Settings(num_ctx=16384).with_model_options("qwen2.5-coder:7b", 16384, 0.2)
    dialog = ModelsDialog(OllamaEngine(server.host), settings, TaskRunner(), budget, lambda new: True)
    dialog.resize(1180, 760)
    dialog.show()
    return dialog


def render(budget, out: Path, *, loaded: bool = False, pull: str = "") -> None:  # noqa: ANN001
    from desktop.app import make_application
    from tests.fakes.fake_ollama import FakeOllama

    app = make_application()
    with FakeOllama() as server:
        if loaded:
            server.loaded["qwen2.5-coder:7b"] = 16384
        dialog = _dialog(server, budget)
        done: list[bool] = []
        dialog.loaded_changed.connect(lambda: done.append(True))
        dialog.refresh()
        _spin(app, 10, lambda: bool(done))
        dialog.select_model("qwen2.5-coder:7b")
        if pull:
            entry = next(e for e in dialog.catalog if e.tag == pull)
            server.pull_total, server.pull_steps, server.pull_step_delay = entry.size_bytes, 400, 0.02
            dialog.pull(pull)
            row = dialog.pull_rows[pull]
            _spin(app, 20, lambda: row.status.percent >= 37)
        _spin(app, 0.3)
        dialog.grab().save(str(out))
        print(f"wrote {out}")
        for tag in list(dialog.pull_rows):
            dialog.cancel_pull(tag)
        dialog.runner.shutdown(2.0)
        _spin(app, 0.2)
        dialog.close()


def main() -> int:
    os.environ["HEARTH_HOME"] = tempfile.mkdtemp(prefix="hearth-shots-")
    from desktop.engine.hardware import apple_unified_gpu_bytes
    from desktop.engine.memory import HardwareBudget

    OUT.mkdir(parents=True, exist_ok=True)
    apple = HardwareBudget("metal", apple_unified_gpu_bytes(16 * GIB), 16 * GIB)
    nvidia = HardwareBudget("cuda", 24 * GIB, 64 * GIB)
    render(apple, OUT / "models-apple-16gb.png")
    render(nvidia, OUT / "models-nvidia-24gb.png", loaded=True)
    render(nvidia, OUT / "models-pull.png", pull="qwen2.5-coder:14b")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
