"""The picker's table: an item model over ``ModelRow`` and a purpose filter."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop.engine.memory import HardwareBudget
from desktop.ui import theme
from desktop.ui.models.rows import ModelRow, badge_text, estimate_tooltip, size_text, loaded_text, matches_purpose

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS: tuple[str, ...] = ("Model", "Parameters", "Quantization", "Size on disk", "Memory needed", "Fit",
                            "Loaded now")
FIT_COLUMN = COLUMNS.index("Fit")
MEMORY_COLUMN = COLUMNS.index("Memory needed")
LOADED_COLUMN = COLUMNS.index("Loaded now")
# (light, dark) text colours per fit; readable on either background.
_FIT_COLOURS = {"gpu": ("#1b7a2f", "#6fd68a"), "partial": ("#9a6200", "#f0b45a"),
                "cpu": ("#5c5c5c", "#b0b0b0"), "too_large": ("#b3261e", "#ff8a80")}

Index = QModelIndex | QPersistentModelIndex


class ModelTableModel(QAbstractTableModel):
    """Rows of the picker; replaced whole when anything changes (a few dozen rows)."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ModelRow] = []
        self._budget: HardwareBudget | None = None
        self._num_ctx = 0

    def set_rows(self, rows: Sequence[ModelRow], budget: HardwareBudget | None, num_ctx: int) -> None:
        """Show ``rows`` (estimates already computed for ``budget`` at ``num_ctx``)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._budget = budget
        self._num_ctx = num_ctx
        self.endResetModel()

    @property
    def rows(self) -> list[ModelRow]:
        return list(self._rows)

    def row_at(self, index: Index) -> ModelRow | None:
        return self._rows[index.row()] if index.isValid() and index.row() < len(self._rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt API
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == MEMORY_COLUMN and self._num_ctx:
            return f"Memory at {self._num_ctx:,} tokens"
        return COLUMNS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == FIT_COLUMN and row.estimate:
            light, dark = _FIT_COLOURS.get(row.estimate.fit, ("", ""))
            return QBrush(QColor(dark if theme.is_dark() else light)) if light else None
        if role == Qt.ItemDataRole.FontRole and index.column() == 0 and row.installed:
            font = QFont()
            font.setBold(True)
            return font
        if role == ROW_ROLE:
            return row
        return None

    def _text(self, row: ModelRow, column: int) -> str:
        estimate = row.estimate
        return (
            row.name,
            row.parameters,
            row.quantization,
            size_text(row.size_bytes) + ("" if row.installed else " download"),
            size_text(estimate.total_bytes) if estimate else ("…" if row.shape is None and not row.problem else "—"),
            badge_text(estimate),
            loaded_text(row.loaded).removeprefix("Loaded: ") if row.loaded else "",
        )[column]

    def _tooltip(self, row: ModelRow, column: int) -> str:
        if column == 0:
            where = "Installed" if row.installed else "Not installed; Pull downloads it"
            purposes = ", ".join(row.purposes) or "unknown"
            return "\n".join(part for part in (row.name, where, f"Good at: {purposes}", row.summary) if part)
        return estimate_tooltip(row, self._budget)


class PurposeFilter(QSortFilterProxyModel):
    """Shows the rows whose model is good at the chosen purpose ("" shows all)."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(parent)
        self._purpose = ""

    def set_purpose(self, purpose: str) -> None:
        self.beginFilterChange()
        self._purpose = purpose
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    @property
    def purpose(self) -> str:
        return self._purpose

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802 - Qt API
        model = self.sourceModel()
        row = model.row_at(model.index(source_row, 0, source_parent))
        return row is not None and matches_purpose(row, self._purpose)
