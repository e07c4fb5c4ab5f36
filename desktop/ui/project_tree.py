"""The project tree: the folder as the user sees it, minus what the ignore rules hide.

``QFileSystemModel`` lists a folder only when it is expanded, so a huge repository costs
nothing up front; a filter proxy asks ``IgnoreRules`` about each row as it appears.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QDir,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QFileSystemModel, QTreeView, QWidget

from desktop.index.ignore import IgnoreRules, leads_outside

ModelIndex = QModelIndex | QPersistentModelIndex


class IgnoreFilterProxy(QSortFilterProxyModel):
    """Hides ignored rows below the project root; folders sort before files."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rules: IgnoreRules | None = None
        self._root: Path | None = None
        self.setRecursiveFilteringEnabled(False)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_rules(self, rules: IgnoreRules | None) -> None:
        self.beginFilterChange()
        self._rules = rules
        self._root = rules.root if rules is not None else None
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refresh(self) -> None:
        """Apply the rules again (after a ``.gitignore`` changed and they were reloaded)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _source(self) -> QFileSystemModel:
        model = self.sourceModel()
        assert isinstance(model, QFileSystemModel)
        return model

    def filterAcceptsRow(self, source_row: int, source_parent: ModelIndex) -> bool:  # noqa: N802
        if self._rules is None or self._root is None:
            return True
        source = self._source()
        index = source.index(source_row, 0, source_parent)
        path = Path(source.filePath(index))
        try:
            path.relative_to(self._root)
        except ValueError:
            return True  # the root's ancestors must stay, or the root disappears with them
        if path == self._root:
            return True
        if source.fileInfo(index).isSymLink() and leads_outside(path, self._root):
            return False  # elsewhere on the disk: not the project's, as for the index
        return not self._rules.is_ignored(path, is_dir=source.isDir(index))

    def lessThan(self, left: ModelIndex, right: ModelIndex) -> bool:  # noqa: N802
        source = self._source()
        left_dir, right_dir = source.isDir(left), source.isDir(right)
        if left_dir != right_dir:
            return left_dir
        return source.fileName(left).casefold() < source.fileName(right).casefold()


class ProjectTree(QTreeView):
    """Shows one project; Enter or double-click on a file emits ``file_activated``."""

    file_activated = Signal(object)  # Path
    context_menu_requested = Signal(object, bool, object)  # Path, is a folder, QPoint (global)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectTree")
        self.setAccessibleName("Project files")
        self._model = QFileSystemModel(self)
        self._model.setFilter(QDir.Filter.AllEntries | QDir.Filter.NoDotAndDotDot | QDir.Filter.Hidden)
        self._model.setOption(QFileSystemModel.Option.DontUseCustomDirectoryIcons, True)
        self._model.setReadOnly(True)
        self._proxy = IgnoreFilterProxy(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setDynamicSortFilter(True)
        self.setModel(self._proxy)
        self.setHeaderHidden(True)
        for column in range(1, self._model.columnCount()):
            self.hideColumn(column)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.doubleClicked.connect(self._on_double_clicked)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self._root: Path | None = None

    @property
    def root(self) -> Path | None:
        return self._root

    def set_project(self, root: Path, rules: IgnoreRules) -> None:
        """Show ``root`` filtered by ``rules``; its first level loads in the background."""
        self._root = root
        self._proxy.set_rules(rules)
        source_root = self._model.setRootPath(str(root))
        self.setRootIndex(self._proxy.mapFromSource(source_root))

    def refresh_filter(self) -> None:
        """Re-apply the ignore rules (they were reloaded)."""
        self._proxy.refresh()
        if self._root is not None:
            self.setRootIndex(self._proxy.mapFromSource(self._model.index(str(self._root))))

    def index_for(self, path: Path) -> QModelIndex:
        """The view index of ``path`` (invalid if hidden or not loaded yet)."""
        return self._proxy.mapFromSource(self._model.index(str(path)))

    def path_at(self, index: QModelIndex) -> Path:
        return Path(self._model.filePath(self._proxy.mapToSource(index)))

    def listed_names(self, folder: Path | None = None) -> list[str]:
        """Names shown under ``folder`` (the root by default), in display order."""
        parent = self.rootIndex() if folder is None else self.index_for(folder)
        return [self._proxy.index(row, 0, parent).data() for row in range(self._proxy.rowCount(parent))]

    def select_path(self, path: Path) -> None:
        index = self.index_for(path)
        if index.isValid():
            self.setCurrentIndex(index)
            self.scrollTo(index)

    def is_folder(self, index: QModelIndex) -> bool:
        return self._model.isDir(self._proxy.mapToSource(index))

    def _on_context_menu(self, position: QPoint) -> None:
        """Right-click on a row (or on empty space: the project folder)."""
        if self._root is None:
            return
        index = self.indexAt(position)
        if index.isValid():
            self.setCurrentIndex(index)
            path, folder = self.path_at(index), self.is_folder(index)
        else:
            path, folder = self._root, True
        self.context_menu_requested.emit(path, folder, self.viewport().mapToGlobal(position))

    def _on_double_clicked(self, index: QModelIndex) -> None:
        path = self.path_at(index)
        if not self._model.isDir(self._proxy.mapToSource(index)):
            self.file_activated.emit(path)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        index = self.currentIndex()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and index.isValid():
            if self._model.isDir(self._proxy.mapToSource(index)):
                self.setExpanded(index, not self.isExpanded(index))
            else:
                self.file_activated.emit(self.path_at(index))
            event.accept()
            return
        super().keyPressEvent(event)
