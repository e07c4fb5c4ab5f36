"""The Models dialog's picker: rows, estimates at the chosen context, badges, filter,
recommendation, /api/ps figures, and per-model options that chats then send.

Real widgets, real HTTP to the fake Ollama server, the real catalog and estimator.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.core.paths import HearthPaths
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.catalog import load_catalog, recommend_coder
from desktop.engine.memory import FIT_RULES, HardwareBudget
from desktop.engine.ollama_engine import OllamaEngine
from desktop.ui.models import ModelsDialog
from desktop.ui.models.rows import runtime_for
from desktop.ui.models.table import FIT_COLUMN, LOADED_COLUMN, MEMORY_COLUMN
from tests.ui.window_fixtures import *  # noqa: F403 - make_window, project

GIB = 2**30
NVIDIA_24 = HardwareBudget("cuda", 24 * GIB, 64 * GIB)
SMALL_GPU = HardwareBudget("cuda", 4 * GIB, 16 * GIB)
NO_ROOM = HardwareBudget("cpu", 0, 2 * GIB)


@pytest.fixture
def settings_store(hearth_home) -> SettingsStore:
    return SettingsStore(HearthPaths.from_env().ensure().settings_file)


@pytest.fixture
def open_dialog(qtbot, fake_ollama, task_runner, settings_store):
    """Build a Models dialog on the fake server and wait until its details are read."""

    def make(budget: HardwareBudget | None = NVIDIA_24, settings: Settings | None = None) -> ModelsDialog:
        def save(new: Settings) -> bool:
            settings_store.save(new)
            return True

        dialog = ModelsDialog(OllamaEngine(fake_ollama.host), settings or Settings(), task_runner, budget, save)
        qtbot.addWidget(dialog)
        with qtbot.waitSignal(dialog.loaded_changed, timeout=10000):
            dialog.refresh()
        return dialog

    return make


def cell(dialog: ModelsDialog, name: str, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    for i in range(dialog.proxy.rowCount()):
        if dialog.proxy.data(dialog.proxy.index(i, 0)) == name:
            return dialog.proxy.data(dialog.proxy.index(i, column), role)
    raise AssertionError(f"{name} is not shown")


def test_installed_models_come_first_then_the_catalog(open_dialog, fake_ollama) -> None:
    dialog = open_dialog()
    rows = dialog.visible_rows()
    installed = sorted(model.name for model in fake_ollama.models)
    assert [row.name for row in rows[:len(installed)]] == installed
    assert all(row.installed for row in rows[:len(installed)])
    rest = rows[len(installed):]
    assert rest and not any(row.installed for row in rest)
    catalog_tags = [entry.tag for entry in load_catalog()]
    assert [row.name for row in rest] == [tag for tag in catalog_tags if tag not in installed]


def test_changing_the_context_updates_every_estimate(open_dialog) -> None:
    dialog = open_dialog()
    before = {row.name: row.estimate for row in dialog.visible_rows() if row.estimate}
    assert "mistral:7b" in before and before["mistral:7b"].num_ctx == 8192
    dialog.set_context_length(32768)
    after = {row.name: row.estimate for row in dialog.visible_rows() if row.estimate}
    assert after.keys() == before.keys()
    for name, estimate in after.items():
        assert estimate.num_ctx == 32768
        assert estimate.kv_cache_bytes > before[name].kv_cache_bytes, name
    header = dialog.proxy.headerData(MEMORY_COLUMN, Qt.Orientation.Horizontal)
    assert header == "Memory at 32,768 tokens"
    assert "reload" in dialog.reload_note.text()


def test_the_badge_follows_the_hardware_budget(open_dialog) -> None:
    dialog = open_dialog()
    assert cell(dialog, "mistral:7b", FIT_COLUMN) == "Runs on GPU"
    dialog.set_budget(SMALL_GPU)
    partial = cell(dialog, "mistral:7b", FIT_COLUMN)
    assert partial.startswith("Partly on GPU (") and partial.endswith("% CPU, slower)")
    assert dialog.row("mistral:7b").estimate.fit == "partial"
    dialog.set_budget(NO_ROOM)
    assert cell(dialog, "mistral:7b", FIT_COLUMN) == "Too large for this machine"
    assert "no usable GPU" in dialog.machine.text()


def test_the_tooltip_explains_the_figures_and_the_thresholds(open_dialog) -> None:
    dialog = open_dialog()
    tip = cell(dialog, "mistral:7b", FIT_COLUMN, Qt.ItemDataRole.ToolTipRole)
    for words in ("Weights", "Context cache", "NVIDIA GPU", FIT_RULES):
        assert words in tip


def test_the_purpose_filter_shows_coders_or_chat_models(open_dialog) -> None:
    dialog = open_dialog()
    everything = dialog.visible_rows()
    dialog.set_purpose("code")
    coders = dialog.visible_rows()
    assert coders and all("code" in row.purposes for row in coders)
    assert "qwen2.5-coder:7b" in [row.name for row in coders]
    dialog.set_purpose("chat")
    chat = dialog.visible_rows()
    assert chat and all("chat" in row.purposes for row in chat)
    assert len(coders) < len(everything) and len(chat) < len(everything)
    dialog.set_purpose("")
    assert len(dialog.visible_rows()) == len(everything)


def test_the_recommendation_names_the_largest_coder_that_fits_and_why(open_dialog) -> None:
    dialog = open_dialog()
    runtime = runtime_for(dialog.settings, dialog.num_ctx, NVIDIA_24)
    model, _estimate, reason = recommend_coder(dialog.catalog, runtime, NVIDIA_24)
    text = dialog.recommendation.text()
    assert model.tag in text and reason in text
    dialog.set_budget(HardwareBudget("cuda", 1 * GIB, 16 * GIB))
    assert dialog.recommendation.text().startswith("No coding model in the catalog fits fully")


def test_waiting_for_the_machine_shows_no_badges(open_dialog) -> None:
    dialog = open_dialog(budget=None)
    assert cell(dialog, "mistral:7b", FIT_COLUMN) == ""
    assert "Checking" in dialog.machine.text() and "Checking" in dialog.recommendation.text()
    dialog.set_budget(NVIDIA_24)
    assert cell(dialog, "mistral:7b", FIT_COLUMN) == "Runs on GPU"


def test_a_model_without_a_layout_says_so(open_dialog) -> None:
    dialog = open_dialog()
    embedder = dialog.row("nomic-embed-text:latest")
    assert embedder.installed and embedder.estimate is None
    assert "cannot estimate" in embedder.problem
    assert cell(dialog, "nomic-embed-text:latest", MEMORY_COLUMN) == "—"


def test_loaded_models_show_ollamas_figures_next_to_the_estimate(open_dialog, fake_ollama, caplog) -> None:
    fake_ollama.loaded["mistral:7b"] = 8192
    fake_ollama.ps_figures["mistral:7b"] = (6_000_000_000, 6_000_000_000)
    caplog.set_level(logging.INFO, logger="desktop.ui.models.rows")
    dialog = open_dialog()
    assert cell(dialog, "mistral:7b", LOADED_COLUMN) == "5.6 GiB, 100% GPU at 8K tokens"
    assert dialog.select_model("mistral:7b")
    assert "Loaded: 5.6 GiB, 100% GPU" in dialog.loaded_label.text()
    assert "Hearth's estimate at the same context" in dialog.loaded_label.text()
    assert dialog.unload_button.isEnabled()
    logged = [r.getMessage() for r in caplog.records if "memory estimate vs. /api/ps" in r.getMessage()]
    assert logged and "mistral:7b at 8192 tokens: reported 6000000000 B" in logged[0]


def test_server_down_is_reported(qtbot, task_runner, free_local_port) -> None:
    dialog = ModelsDialog(OllamaEngine(f"http://127.0.0.1:{free_local_port}"), Settings(), task_runner,
                          NVIDIA_24, lambda new: True)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.problem_shown, timeout=10000) as blocker:
        dialog.refresh()
    assert blocker.args[0].startswith("Could not read the server's models")
    assert dialog.status.text() == blocker.args[0]
    assert not any(row.installed for row in dialog.visible_rows())


def test_per_model_options_are_saved_and_sent_with_chats(qtbot, make_window, project: Path, fake_ollama) -> None:
    window = make_window(project, host=fake_ollama.host)
    panel = window.chat_panel
    qtbot.waitUntil(lambda: panel.model_selector.count() > 0, timeout=5000)
    window.actions_by_id["chat.models"].trigger()
    dialog = window.models_dialog
    qtbot.waitUntil(lambda: dialog.row("mistral:7b") is not None and dialog.row("mistral:7b").shape is not None,
                    timeout=10000)
    assert dialog.select_model("mistral:7b")
    dialog.set_context_length(16384)
    dialog.temperature_box.setValue(0.6)
    with qtbot.waitSignal(dialog.settings_saved, timeout=2000):
        assert dialog.save_model_options()
    saved = SettingsStore(HearthPaths.from_env().settings_file).load()
    assert saved.options_for("mistral:7b").num_ctx == 16384
    assert saved.options_for("qwen3:8b").num_ctx == saved.num_ctx  # never configured: the global default
    dialog.close()

    panel.model_selector.setCurrentText("mistral:7b")
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        panel.send_question("What does main return?")
    assert fake_ollama.last_chat_body["model"] == "mistral:7b"
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == 16384
    assert fake_ollama.last_chat_body["options"]["temperature"] == pytest.approx(0.6)

    panel.model_selector.setCurrentText("qwen3:8b")
    with qtbot.waitSignal(panel.answer_finished, timeout=10000):
        panel.send_question("And again?")
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == saved.num_ctx
