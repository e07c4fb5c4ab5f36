"""The Models dialog: which model fits this machine at which context, and managing them.

The dialog adapts the engine, the settings and the hardware budget it is given; every
server call runs on the one ``TaskRunner``. The hardware budget is an argument (and
``set_budget``), so screenshots and tests can show any machine without faking the probe.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Sequence

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.cancel import CancelToken
from desktop.core.errors import EngineError, HearthError
from desktop.core.settings import Settings
from desktop.engine.base import Engine, ModelSummary
from desktop.engine.catalog import CatalogModel, find_model, load_catalog
from desktop.engine.memory import HardwareBudget, shape_from_show
from desktop.engine.models import RESUME_NOTE, LoadedModel, disk_space_problem
from desktop.qt.worker import TaskRunner, Worker
from desktop.ui.models.downloads import PullRow
from desktop.ui.models.rows import (
    CONTEXT_CHOICES,
    PURPOSES,
    InstalledModel,
    ModelRow,
    budget_text,
    build_rows,
    compare_loaded,
    format_context,
    loaded_text,
    recommendation_text,
    runtime_for,
    with_estimates,
)
from desktop.ui.models.table import ModelTableModel, PurposeFilter

log = logging.getLogger(__name__)

WAITING_FOR_BUDGET = "Checking this machine's memory before recommending a coding model…"
RELOAD_NOTE = "Changing the context length makes Ollama reload the model (a few seconds)."
DEFAULT_USES: tuple[tuple[str, str, str], ...] = (
    ("chat_model", "Chat", "The model new chats use"),
    ("edit_model", "Edits", "The model that proposes code edits"),
    ("embedding_model", "Embeddings", "The model that indexes the project for search"),
)


@dataclass(frozen=True)
class InstalledListed:
    """The server's installed models (details follow one by one)."""

    models: tuple[ModelSummary, ...]


@dataclass(frozen=True)
class DetailsRead:
    """One installed model's layout from ``/api/show``."""

    model: InstalledModel


@dataclass(frozen=True)
class LoadedListed:
    """What ``/api/ps`` says is in memory now, and the server's version (how it counts)."""

    models: tuple[LoadedModel, ...]
    server_version: str = ""


def read_models(engine: Engine, token: CancelToken) -> Iterator[object]:
    """Installed models, then each one's details, then the loaded models (a Work function)."""
    summaries = engine.list_models()
    yield InstalledListed(tuple(summaries))
    for summary in summaries:
        token.raise_if_cancelled()
        yield DetailsRead(read_details(engine, summary))
    yield LoadedListed(tuple(engine.loaded_models()), engine.server_info().version)


def read_details(engine: Engine, summary: ModelSummary) -> InstalledModel:
    """The model's shape from the verbose ``/api/show`` (exact tensor sizes)."""
    try:
        raw = engine.show_raw(summary.name, verbose=True)
    except EngineError as exc:
        return InstalledModel(summary, problem=f"Could not read the model's details: {exc.message}")
    capabilities = tuple(str(c) for c in raw.get("capabilities") or ())
    try:
        shape = shape_from_show(summary.name, raw, summary.size_bytes)
    except (KeyError, ValueError, TypeError) as exc:
        log.info("no memory estimate for %s: %s", summary.name, exc)
        return InstalledModel(summary, capabilities=capabilities,
                              problem="Hearth cannot estimate the memory of this kind of model.")
    return InstalledModel(summary, shape, capabilities)


class ModelsDialog(QDialog):
    """Pick, size, download, remove and unload models; choose defaults per use."""

    rows_changed = Signal()
    loaded_changed = Signal()
    settings_saved = Signal(object)  # Settings
    pull_finished = Signal(str)
    pull_cancelled = Signal(str)
    pull_failed = Signal(str, str)  # tag, message
    removed = Signal(str)
    unloaded = Signal(str)
    problem_shown = Signal(str)

    def __init__(self, engine: Engine, settings: Settings, runner: TaskRunner,
                 budget: HardwareBudget | None, save_settings: Callable[[Settings], bool],
                 catalog: Sequence[CatalogModel] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelsDialog")
        self.setWindowTitle("Models")
        self.engine = engine
        self.settings = settings
        self.runner = runner
        self.budget = budget
        self.catalog: tuple[CatalogModel, ...] = tuple(load_catalog() if catalog is None else catalog)
        self.num_ctx = settings.num_ctx
        self.loaded_notes: dict[str, str] = {}
        # Injectable so tests and scripts never block on a modal question.
        self.confirm_remove: Callable[[str], bool] = self._ask_remove
        self._save_settings = save_settings
        self._installed: dict[str, InstalledModel] = {}
        self._loaded: tuple[LoadedModel, ...] = ()
        self._refresh_worker: Worker | None = None
        self._pulls: dict[str, Worker] = {}
        self._selected_name = ""
        self._server_version = ""
        self.pull_rows: dict[str, PullRow] = {}
        self._build()
        self._recompute()
        self.resize(1060, 720)

    # --- public API -------------------------------------------------------------------

    def set_budget(self, budget: HardwareBudget | None) -> None:
        """Estimate for another machine (the app passes the probed one)."""
        self.budget = budget
        self._recompute()

    def set_context_length(self, num_ctx: int) -> None:
        """Estimate every model at ``num_ctx`` tokens of context."""
        index = self.context_box.findData(num_ctx)
        if index < 0:
            self.context_box.addItem(format_context(num_ctx), num_ctx)
            index = self.context_box.count() - 1
        self.context_box.setCurrentIndex(index)  # -> _on_context_changed

    def set_purpose(self, purpose: str) -> None:
        """Show only models good at ``purpose`` ("code", "chat"; "" for all)."""
        self.purpose_box.setCurrentIndex(max(0, self.purpose_box.findData(purpose)))

    def refresh(self) -> Worker:
        """Read installed and loaded models from the server (in the background)."""
        if self._refresh_worker is not None:
            self._refresh_worker.cancel()
        self.status.setText("Reading the models on the server…")
        engine = self.engine
        worker = self._run(lambda token: read_models(engine, token), "read-models",
                           on_item=self._on_read, on_error=self._on_refresh_error,
                           on_finished=lambda: self._refresh_done(worker))
        self._refresh_worker = worker
        return worker

    def visible_rows(self) -> list[ModelRow]:
        """The rows shown (after the purpose filter), top to bottom."""
        return [self.proxy.data(self.proxy.index(i, 0), Qt.ItemDataRole.UserRole + 1)
                for i in range(self.proxy.rowCount())]

    def row(self, name: str) -> ModelRow | None:
        return next((row for row in self.table_model.rows if row.name == name), None)

    def select_model(self, name: str) -> bool:
        """Select ``name`` in the table; False when it is not shown."""
        for i in range(self.proxy.rowCount()):
            index = self.proxy.index(i, 0)
            if self.proxy.data(index) == name:
                self.table.setCurrentIndex(index)
                return True
        return False

    def selected_row(self) -> ModelRow | None:
        return self.table_model.row_at(self.proxy.mapToSource(self.table.currentIndex()))

    def save_model_options(self) -> bool:
        """Keep the chosen context length and temperature for the selected model."""
        row = self.selected_row()
        if row is None:
            return False
        temperature = round(self.temperature_box.value(), 2)
        if not self._save(self.settings.with_model_options(row.name, self.num_ctx, temperature)):
            return False
        self.status.setText(f"Chats with {row.name} now use {self.num_ctx:,} tokens of context and "
                            f"temperature {temperature:g}.")
        return True

    def set_default(self, field_name: str, model: str) -> bool:
        """Make ``model`` the default for one use (``chat_model``, ``edit_model``, ``embedding_model``)."""
        return self._save(self.settings.with_changes(**{field_name: model}))

    def pull(self, tag: str) -> Worker | None:
        """Download ``tag`` with a progress line; None when it is already being pulled."""
        tag = tag.strip()
        if not tag or tag in self._pulls:
            return None
        self._drop_pull_row(tag)
        row = PullRow(tag, parent=self.downloads)
        row.cancel_requested.connect(self.cancel_pull)
        row.dismissed.connect(self._drop_pull_row)
        self.downloads_layout.addWidget(row)
        self.pull_rows[tag] = row
        self.downloads.show()
        engine = self.engine
        entry = find_model(self.catalog, tag)
        needed = entry.size_bytes if entry is not None else 0

        def work(token: CancelToken) -> Iterator[object]:
            if engine.is_local:
                problem = disk_space_problem(tag, needed)
                if problem is not None:
                    raise problem
            yield from engine.pull(tag, token)

        worker = self._run(work, f"pull-{tag}", on_item=row.add_progress,
                           on_error=lambda error: self._on_pull_error(row, error),
                           on_cancelled=lambda: self._on_pull_cancelled(row),
                           on_finished=lambda: self._on_pull_finished(row))
        self._pulls[tag] = worker
        return worker

    def cancel_pull(self, tag: str) -> None:
        """Stop the download of ``tag``: Ollama has no cancel, closing the stream is it."""
        worker = self._pulls.get(tag)
        if worker is not None:
            worker.cancel()

    def remove_selected(self) -> Worker | None:
        """Delete the selected installed model from the server, after asking."""
        row = self.selected_row()
        if row is None or not row.installed or not self.confirm_remove(row.name):
            return None
        engine, name = self.engine, row.name
        return self._run(lambda token: [engine.delete_model(name)], "delete-model",
                         on_item=lambda _: self._on_removed(name),
                         on_error=lambda error: self._show_problem(f"Could not remove {name}", error))

    def unload_selected(self) -> Worker | None:
        """Free the memory of the selected model now, instead of after Ollama's keep-alive."""
        row = self.selected_row()
        if row is None or row.loaded is None:
            return None
        engine, name = self.engine, row.name

        def work(token: CancelToken) -> Iterator[object]:
            engine.unload_model(name)
            yield LoadedListed(tuple(engine.loaded_models()), engine.server_info().version)

        return self._run(work, "unload-model", on_item=lambda listed: self._on_unloaded(name, listed),
                         on_error=lambda error: self._show_problem(f"Could not unload {name}", error))

    def _run(self, work: Callable[[CancelToken], Iterable[object]], name: str,
             **callbacks: Callable[..., None]) -> Worker:
        """Run on the one TaskRunner; results that arrive after the dialog is gone are dropped."""
        def alive(slot: Callable[..., None]) -> Callable[..., None]:
            return lambda *args: slot(*args) if shiboken6.isValid(self) else None

        return self.runner.run(work, name=name, **{key: alive(slot) for key, slot in callbacks.items()})

    # --- construction -----------------------------------------------------------------

    def _build(self) -> None:
        self.recommendation = QLabel(self)
        self.recommendation.setObjectName("modelRecommendation")
        self.recommendation.setWordWrap(True)
        self.recommendation.setFrameShape(QFrame.Shape.StyledPanel)
        self.recommendation.setMargin(8)
        self.recommendation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.machine = QLabel(self)
        self.machine.setObjectName("machineBudget")
        layout = QVBoxLayout(self)
        layout.addWidget(self.recommendation)
        layout.addLayout(self._build_controls())
        layout.addWidget(self.machine)
        layout.addWidget(self._build_table(), 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self._build_selected_box(), 3)
        bottom.addWidget(self._build_defaults_box(), 2)
        layout.addLayout(bottom)
        layout.addLayout(self._build_pull_line())
        self.downloads = QWidget(self)
        self.downloads_layout = QVBoxLayout(self.downloads)
        self.downloads_layout.setContentsMargins(0, 0, 0, 0)
        self.downloads.hide()
        layout.addWidget(self.downloads)
        layout.addLayout(self._build_footer())

    def _build_controls(self) -> QHBoxLayout:
        self.context_box = QComboBox(self)
        self.context_box.setObjectName("contextLength")
        self.context_box.setAccessibleName("Context length")
        self.context_box.setToolTip("How much text the model sees at once: the question, the project "
                                    "context and the conversation. Longer needs more memory. " + RELOAD_NOTE)
        for value in sorted(set(CONTEXT_CHOICES) | {self.num_ctx}):
            self.context_box.addItem(format_context(value), value)
        self.context_box.setCurrentIndex(self.context_box.findData(self.num_ctx))
        self.context_box.currentIndexChanged.connect(self._on_context_changed)
        self.reload_note = QLabel(RELOAD_NOTE, self)
        self.reload_note.setObjectName("reloadNote")
        self.purpose_box = QComboBox(self)
        self.purpose_box.setObjectName("purposeFilter")
        self.purpose_box.setAccessibleName("Show models for")
        for value, label in PURPOSES:
            self.purpose_box.addItem(label, value)
        self.purpose_box.currentIndexChanged.connect(
            lambda _i: self.proxy.set_purpose(self.purpose_box.currentData() or ""))
        context_label = QLabel("&Context length:", self)
        context_label.setBuddy(self.context_box)
        purpose_label = QLabel("&Show:", self)
        purpose_label.setBuddy(self.purpose_box)
        row = QHBoxLayout()
        for widget in (context_label, self.context_box, self.reload_note):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(purpose_label)
        row.addWidget(self.purpose_box)
        return row

    def _build_table(self) -> QTableView:
        self.table_model = ModelTableModel(self)
        self.proxy = PurposeFilter(self)
        self.proxy.setSourceModel(self.table_model)
        self.table = QTableView(self)
        self.table.setObjectName("modelTable")
        self.table.setAccessibleName("Models")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _prev: self._on_selected())
        return self.table

    def _build_selected_box(self) -> QGroupBox:
        box = QGroupBox("Selected model", self)
        self.selected_name = QLabel("Select a model in the table.", box)
        self.selected_name.setObjectName("selectedModel")
        self.selected_name.setWordWrap(True)
        self.loaded_label = QLabel("", box)
        self.loaded_label.setObjectName("loadedFigures")
        self.loaded_label.setWordWrap(True)
        self.temperature_box = QDoubleSpinBox(box)
        self.temperature_box.setObjectName("temperature")
        self.temperature_box.setRange(0.0, 2.0)
        self.temperature_box.setSingleStep(0.1)
        self.temperature_box.setDecimals(2)
        self.temperature_box.setMaximumWidth(90)
        self.temperature_box.setToolTip("Lower is more predictable; 0.2 suits code.")
        self.save_options_button = self._button("Use for this &model", "saveModelOptions",
                                                "Chats with this model use the context length above "
                                                "and this temperature", self.save_model_options)
        self.unload_button = self._button("&Unload now", "unloadModel",
                                          "Free the memory this model holds now", self.unload_selected)
        self.remove_button = self._button("&Remove…", "removeModel",
                                          "Delete the model from the server's disk", self.remove_selected)
        form = QFormLayout()
        form.addRow("Temperature:", self.temperature_box)
        buttons = QHBoxLayout()
        for button in (self.save_options_button, self.unload_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.selected_name)
        layout.addWidget(self.loaded_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        return box

    def _build_defaults_box(self) -> QGroupBox:
        box = QGroupBox("Default models", self)
        form = QFormLayout(box)
        self.default_boxes: dict[str, QComboBox] = {}
        for field_name, label, tip in DEFAULT_USES:
            combo = QComboBox(box)
            combo.setObjectName(f"default_{field_name}")
            combo.setAccessibleName(f"Default model for {label.lower()}")
            combo.setToolTip(tip)
            combo.activated.connect(lambda _i, f=field_name, c=combo: self.set_default(f, c.currentData() or ""))
            form.addRow(f"{label}:", combo)
            self.default_boxes[field_name] = combo
        return box

    def _build_pull_line(self) -> QHBoxLayout:
        self.pull_edit = QLineEdit(self)
        self.pull_edit.setObjectName("pullTag")
        self.pull_edit.setAccessibleName("Model to download")
        self.pull_edit.setPlaceholderText("Model tag to download, e.g. qwen2.5-coder:7b")
        self.pull_edit.returnPressed.connect(lambda: self.pull(self.pull_edit.text()))
        self.pull_button = self._button("&Pull", "pullModel", "Download the model to the server",
                                        lambda: self.pull(self.pull_edit.text()))
        row = QHBoxLayout()
        row.addWidget(self.pull_edit, 1)
        row.addWidget(self.pull_button)
        return row

    def _build_footer(self) -> QHBoxLayout:
        self.status = QLabel("", self)
        self.status.setObjectName("modelsStatus")
        self.status.setWordWrap(True)
        refresh = self._button("Re&fresh", "refreshModels", "Read the server's models again", self.refresh)
        close = self._button("Close", "closeModels", "", self.close)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(refresh)
        row.addWidget(close)
        return row

    def _button(self, text: str, name: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # --- state -> widgets -------------------------------------------------------------

    def _recompute(self) -> None:
        selected = self.selected_row()
        budget = self.budget
        rows = build_rows(list(self._installed.values()), self.catalog, self._loaded)
        if budget is not None:
            runtime = runtime_for(self.settings, self.num_ctx, budget)
            rows = with_estimates(rows, runtime, budget)
            self.recommendation.setText(recommendation_text(self.catalog, runtime, budget))
        else:
            self.recommendation.setText(WAITING_FOR_BUDGET)
        self.machine.setText(budget_text(budget))
        self.table_model.set_rows(rows, budget, self.num_ctx)
        if selected is not None:
            self.select_model(selected.name)
        self._fill_defaults()
        self._on_selected()
        self.rows_changed.emit()

    def _fill_defaults(self) -> None:
        installed = sorted(self._installed)
        for field_name, combo in self.default_boxes.items():
            current = getattr(self.settings, field_name, "")
            names = [n for n in installed if field_name != "embedding_model" or
                     "embedding" in self._installed[n].capabilities] or installed
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("(not set)", "")
            for name in names if current in names or not current else [*names, current]:
                combo.addItem(name, name)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def _on_selected(self) -> None:
        row = self.selected_row()
        has_row = row is not None
        self.save_options_button.setEnabled(has_row)
        self.temperature_box.setEnabled(has_row)
        self.remove_button.setEnabled(has_row and row.installed)
        self.unload_button.setEnabled(has_row and row.loaded is not None)
        if row is None:
            self.selected_name.setText("Select a model in the table.")
            self.loaded_label.setText("")
            return
        where = "installed" if row.installed else "not installed — Pull downloads it"
        self.selected_name.setText(f"<b>{row.name}</b> ({where})")
        loaded = loaded_text(row.loaded) + " (Ollama's figures)" if row.loaded else "Not loaded now."
        note = self.loaded_notes.get(row.name, "")
        self.loaded_label.setText(loaded if not note else f"{loaded}\n{note}")
        if not row.installed:
            self.pull_edit.setText(row.name)
        if row.name != self._selected_name:
            self._selected_name = row.name
            self._show_model_options(row.name)

    def _show_model_options(self, name: str) -> None:
        """Put the model's saved context length (or the global default) and temperature up."""
        options = self.settings.options_for(name)
        self.temperature_box.setValue(options.temperature)
        if options.num_ctx != self.num_ctx:
            self.set_context_length(options.num_ctx)

    def _on_context_changed(self, _index: int) -> None:
        value = self.context_box.currentData()
        if isinstance(value, int) and value != self.num_ctx:
            self.num_ctx = value
            self._recompute()

    # --- worker results ---------------------------------------------------------------

    def _on_read(self, item: object) -> None:
        if isinstance(item, InstalledListed):
            previous = self._installed
            self._installed = {m.name: previous.get(m.name, InstalledModel(m)) for m in item.models}
        elif isinstance(item, DetailsRead):
            self._installed[item.model.summary.name] = item.model
        elif isinstance(item, LoadedListed):
            self._server_version = item.server_version
            self._set_loaded(item.models)
            return
        self._recompute()

    def _set_loaded(self, loaded: Sequence[LoadedModel]) -> None:
        self._loaded = tuple(loaded)
        self._recompute()
        for model in self._loaded:
            row = self.row(model.name)
            if row is not None:
                self.loaded_notes[model.name] = compare_loaded(row, model, self.settings, self.budget,
                                                              self._server_version)
        self._on_selected()
        self.loaded_changed.emit()

    def _refresh_done(self, worker: Worker) -> None:
        if self._refresh_worker is worker:
            self._refresh_worker = None
            if self.status.text().startswith("Reading"):
                self.status.setText(f"{len(self._installed)} models installed on {self.engine.host}.")

    def _on_refresh_error(self, error: HearthError) -> None:
        self._show_problem("Could not read the server's models", error)

    def _on_pull_error(self, row: PullRow, error: HearthError) -> None:
        row.failed(error)
        self.pull_failed.emit(row.tag, error.message)

    def _on_pull_cancelled(self, row: PullRow) -> None:
        row.cancelled()
        self.status.setText(f"Stopped pulling {row.tag}. {RESUME_NOTE}")
        self.pull_cancelled.emit(row.tag)

    def _on_pull_finished(self, row: PullRow) -> None:
        self._pulls.pop(row.tag, None)
        if not row.outcome:
            row.finish()
            self.pull_finished.emit(row.tag)
            self.refresh()

    def _drop_pull_row(self, tag: str) -> None:
        row = self.pull_rows.pop(tag, None)
        if row is not None:
            row.hide()
            row.deleteLater()
        self.downloads.setVisible(bool(self.pull_rows))

    def _on_removed(self, name: str) -> None:
        self._installed.pop(name, None)
        self._loaded = tuple(m for m in self._loaded if m.name != name)
        self.status.setText(f"Removed {name}.")
        self._recompute()
        self.removed.emit(name)

    def _on_unloaded(self, name: str, listed: LoadedListed) -> None:
        self.loaded_notes.pop(name, None)
        self._set_loaded(listed.models)
        self.status.setText(f"Unloaded {name}; its memory is free.")
        self.unloaded.emit(name)

    # --- settings and questions ---------------------------------------------------------

    def _save(self, new: Settings) -> bool:
        if not self._save_settings(new):
            return False
        self.settings = new
        self._fill_defaults()
        self.settings_saved.emit(new)
        return True

    def _show_problem(self, title: str, error: HearthError) -> None:
        text = f"{title}: {error.message} {error.hint}".strip()
        self.status.setText(text)
        self.problem_shown.emit(text)

    def _ask_remove(self, name: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, "Remove model?",
                          f"Delete {name} from the server's disk? Using it again means downloading it again.",
                          parent=self)
        remove = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is remove
