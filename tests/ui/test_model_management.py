"""Managing models from the Models dialog: pull (progress, cancel, errors), remove,
unload, defaults per use, the free-disk check, and the download arithmetic.

Real widgets and real HTTP to the fake Ollama server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core.paths import HearthPaths
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.memory import HardwareBudget
from desktop.engine.models import PullProgress
from desktop.engine.ollama_engine import OllamaEngine
from desktop.ui.models import ModelsDialog
from desktop.ui.models.pull_progress import PullTracker, format_duration

BUDGET = HardwareBudget("cuda", 24 * 2**30, 64 * 2**30)


@pytest.fixture
def settings_store(hearth_home) -> SettingsStore:
    return SettingsStore(HearthPaths.from_env().ensure().settings_file)


@pytest.fixture
def dialog(qtbot, fake_ollama, task_runner, settings_store) -> ModelsDialog:
    def save(new: Settings) -> bool:
        settings_store.save(new)
        return True

    made = ModelsDialog(OllamaEngine(fake_ollama.host), Settings(), task_runner, BUDGET, save)
    qtbot.addWidget(made)
    with qtbot.waitSignal(made.loaded_changed, timeout=10000):
        made.refresh()
    return made


def test_a_pull_shows_its_progress_and_completes(qtbot, dialog, fake_ollama) -> None:
    fake_ollama.pull_total, fake_ollama.pull_steps = 4_000_000_000, 4
    row_values: list[int] = []
    with qtbot.waitSignal(dialog.pull_finished, timeout=10000) as blocker:
        dialog.pull("codellama:7b")
        row = dialog.pull_rows["codellama:7b"]
        row.bar.valueChanged.connect(row_values.append)
    assert blocker.args == ["codellama:7b"]
    assert row.outcome == "done" and row.bar.value() == row.bar.maximum()
    assert [v for v in row_values if 0 < v < 1000] == [250, 500, 750]
    assert row.status.total == 4_000_000_000 and row.status.completed == 4_000_000_000
    assert "Downloaded" in row.detail.text()
    qtbot.waitUntil(lambda: dialog.row("codellama:7b") is not None and dialog.row("codellama:7b").installed,
                    timeout=10000)


def test_cancel_stops_the_pull_and_says_it_resumes(qtbot, dialog, fake_ollama) -> None:
    fake_ollama.pull_steps, fake_ollama.pull_step_delay = 50, 0.05
    with qtbot.waitSignal(dialog.pull_cancelled, timeout=10000):
        dialog.pull("codellama:13b")
        row = dialog.pull_rows["codellama:13b"]
        row.bar.valueChanged.connect(lambda value: value > 0 and row.cancel_button.click())
    assert row.outcome == "cancelled"
    assert "resumes" in row.detail.text() and "resumes" in dialog.status.text()
    assert fake_ollama.find_model("codellama:13b") is None
    assert 0 < fake_ollama.pulled_bytes["codellama:13b"] < fake_ollama.pull_total  # the partial file stays
    row.cancel_button.click()  # now "Dismiss"
    assert "codellama:13b" not in dialog.pull_rows


def test_an_unknown_tag_is_reported_clearly(qtbot, dialog) -> None:
    with qtbot.waitSignal(dialog.pull_failed, timeout=10000) as blocker:
        dialog.pull("missing-model:1b")
    row = dialog.pull_rows["missing-model:1b"]
    assert row.outcome == "failed"
    assert blocker.args[0] == "missing-model:1b"
    assert "missing-model:1b" in row.title.text()
    assert "file does not exist" in row.detail.text() or "not found" in row.detail.text().lower()


def test_the_same_tag_is_not_pulled_twice_at_once(qtbot, dialog, fake_ollama) -> None:
    fake_ollama.pull_steps, fake_ollama.pull_step_delay = 20, 0.05
    first = dialog.pull("starcoder2:3b")
    assert first is not None and dialog.pull("starcoder2:3b") is None and dialog.pull("  ") is None
    with qtbot.waitSignal(dialog.pull_cancelled, timeout=10000):
        dialog.cancel_pull("starcoder2:3b")


def test_remove_asks_first_and_then_removes(qtbot, dialog, fake_ollama) -> None:
    asked: list[str] = []
    dialog.confirm_remove = lambda name: asked.append(name) or False
    assert dialog.select_model("qwen3:8b")
    assert dialog.remove_selected() is None
    assert asked == ["qwen3:8b"] and fake_ollama.find_model("qwen3:8b") is not None
    dialog.confirm_remove = lambda name: True
    with qtbot.waitSignal(dialog.removed, timeout=10000):
        dialog.remove_selected()
    assert fake_ollama.find_model("qwen3:8b") is None
    assert dialog.row("qwen3:8b") is None  # not in the catalog either, so gone from the table


def test_remove_is_only_offered_for_installed_models(dialog) -> None:
    assert dialog.select_model("codellama:34b")
    assert not dialog.remove_button.isEnabled() and dialog.remove_selected() is None
    assert dialog.pull_edit.text() == "codellama:34b"  # selecting a catalog model prepares its pull


def test_unload_frees_a_loaded_model(qtbot, dialog, fake_ollama) -> None:
    fake_ollama.loaded["mistral:7b"] = 4096
    with qtbot.waitSignal(dialog.loaded_changed, timeout=10000):
        dialog.refresh()
    assert dialog.select_model("mistral:7b") and dialog.unload_button.isEnabled()
    with qtbot.waitSignal(dialog.unloaded, timeout=10000):
        dialog.unload_selected()
    assert "mistral:7b" not in fake_ollama.loaded
    unload = [r.body for r in fake_ollama.requests if r.path == "/api/generate"]
    assert unload and unload[-1]["keep_alive"] == 0
    assert dialog.row("mistral:7b").loaded is None and not dialog.unload_button.isEnabled()
    assert "Not loaded" in dialog.loaded_label.text()


def test_defaults_per_use_are_saved(dialog, settings_store) -> None:
    chat = dialog.default_boxes["chat_model"]
    embeddings = dialog.default_boxes["embedding_model"]
    assert [embeddings.itemData(i) for i in range(embeddings.count())] == ["", "nomic-embed-text:latest"]
    assert dialog.set_default("chat_model", "qwen2.5-coder:7b")
    assert dialog.set_default("edit_model", "qwen2.5-coder:7b")
    assert dialog.set_default("embedding_model", "nomic-embed-text:latest")
    saved = settings_store.load()
    assert (saved.chat_model, saved.edit_model, saved.embedding_model) == \
        ("qwen2.5-coder:7b", "qwen2.5-coder:7b", "nomic-embed-text:latest")
    assert chat.currentData() == "qwen2.5-coder:7b"


def test_a_failed_settings_save_changes_nothing(qtbot, fake_ollama, task_runner) -> None:
    made = ModelsDialog(OllamaEngine(fake_ollama.host), Settings(), task_runner, BUDGET, lambda new: False)
    qtbot.addWidget(made)
    assert not made.set_default("chat_model", "mistral:7b")
    assert made.settings.chat_model == ""


def test_download_speed_and_time_left_from_the_layers() -> None:
    tracker = PullTracker()
    assert tracker.update(PullProgress("pulling manifest"), 0.0).describe() == "Asking the registry…"
    digest = "sha256:abc"
    tracker.update(PullProgress("pulling abc", digest, 4_000_000_000, 0), 0.0)
    status = tracker.update(PullProgress("pulling abc", digest, 4_000_000_000, 1_000_000_000), 2.0)
    assert status.bytes_per_second == 500_000_000 and status.seconds_left == 6.0 and status.percent == 25
    assert status.describe() == "954 MiB of 3.7 GiB · 477 MiB/s · about 6 s left"
    second = tracker.update(PullProgress("pulling def", "sha256:def", 1_000_000_000, 0), 2.0)
    assert second.total == 5_000_000_000 and second.completed == 1_000_000_000
    assert tracker.update(PullProgress("success"), 3.0).describe().startswith("954 MiB of 4.7 GiB")
    assert (format_duration(83), format_duration(4000), format_duration(-1)) == ("1 min 23 s", "1 h 6 min", "0 s")
