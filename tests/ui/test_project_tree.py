"""The project tree lists the folder lazily and hides what the ignore rules hide."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.index.ignore import IgnoreRules
from desktop.ui.project_tree import ProjectTree
from tests.ui.window_fixtures import project  # noqa: F401 - fixture


def shown_tree(qtbot, root: Path) -> ProjectTree:
    tree = ProjectTree()
    qtbot.addWidget(tree)
    tree.set_project(root, IgnoreRules.for_project(root))
    tree.show()
    qtbot.waitUntil(lambda: len(tree.listed_names()) >= 3, timeout=5000)
    return tree


def test_tree_hides_ignored_and_builtin_folders(qtbot, project: Path) -> None:
    tree = shown_tree(qtbot, project)
    assert tree.listed_names() == ["src", ".gitignore", "README.md"]
    assert "node_modules" not in tree.listed_names()
    assert "generated" not in tree.listed_names()
    assert "debug.log" not in tree.listed_names()


def test_folders_load_when_expanded(qtbot, project: Path) -> None:
    tree = shown_tree(qtbot, project)
    tree.expand(tree.index_for(project / "src"))
    qtbot.waitUntil(lambda: tree.listed_names(project / "src") == ["app.py"], timeout=5000)


def test_enter_on_file_opens_it_and_on_folder_expands(qtbot, project: Path) -> None:
    tree = shown_tree(qtbot, project)
    folder = tree.index_for(project / "src")
    tree.setCurrentIndex(folder)
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert tree.isExpanded(folder)
    qtbot.waitUntil(lambda: tree.index_for(project / "src" / "app.py").isValid(), timeout=5000)
    tree.setCurrentIndex(tree.index_for(project / "src" / "app.py"))
    with qtbot.waitSignal(tree.file_activated) as opened:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert opened.args == [project / "src" / "app.py"]


def test_new_ignore_rule_applies_after_refresh(qtbot, project: Path) -> None:
    rules = IgnoreRules.for_project(project)
    tree = ProjectTree()
    qtbot.addWidget(tree)
    tree.set_project(project, rules)
    qtbot.waitUntil(lambda: "README.md" in tree.listed_names(), timeout=5000)
    (project / ".gitignore").write_text("generated/\n*.log\n*.md\n", encoding="utf-8")
    rules.reload()
    tree.refresh_filter()
    assert "README.md" not in tree.listed_names()
    assert "src" in tree.listed_names()


def test_links_out_of_the_project_are_hidden(qtbot, project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "credentials").write_text("secret\n")
    (project / "ext").symlink_to(elsewhere, target_is_directory=True)
    (project / "creds.txt").symlink_to(elsewhere / "credentials")
    (project / "readme_link.md").symlink_to(project / "README.md")  # inside: shown
    tree = shown_tree(qtbot, project)
    qtbot.waitUntil(lambda: "readme_link.md" in tree.listed_names(), timeout=5000)
    assert "ext" not in tree.listed_names() and "creds.txt" not in tree.listed_names()
