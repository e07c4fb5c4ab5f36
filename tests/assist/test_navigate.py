"""Fuzzy file and symbol lookup over a real index."""

from __future__ import annotations

import pytest

from desktop.assist.navigate import find_files, find_symbols, fuzzy_score
from desktop.core.paths import HearthPaths
from desktop.index.indexer import ensure_index
from desktop.index.store import index_db_path, open_reader


@pytest.fixture
def conn(tmp_path):
    root = tmp_path / "p"
    (root / "desktop" / "ui").mkdir(parents=True)
    (root / "desktop" / "ui" / "main_window.py").write_text("class MainWindow:\n    def open_file(self):\n        pass\n")
    (root / "desktop" / "ui" / "menu.py").write_text("def make_menu():\n    return 1\n")
    (root / "windows_100%_done.py").write_text("def open_reader():\n    return 2\n")
    (root / "yarn.lock").write_text("# yarn lockfile v1\n")  # left out of the index, still openable
    paths = HearthPaths.from_env()
    ensure_index(root, paths)
    connection = open_reader(index_db_path(paths, root))
    yield connection
    connection.close()


def test_fuzzy_score_prefers_word_starts_and_runs():
    assert fuzzy_score("mw", "main_window.py") > fuzzy_score("mw", "somewhere_x.py")
    assert fuzzy_score("opRd", "open_reader") is not None
    assert fuzzy_score("xyz", "main_window.py") is None
    assert fuzzy_score("", "anything") == 0.0


def test_find_files_ranks_the_file_name_first(conn):
    found = [m.path for m in find_files(conn, "mwin")]
    assert found[0] == "desktop/ui/main_window.py"
    assert [m.path for m in find_files(conn, "menu")] == ["desktop/ui/menu.py"]
    assert [m.path for m in find_files(conn, "100%")] == ["windows_100%_done.py"]  # LIKE wildcards escaped
    assert find_files(conn, "qqq") == []
    assert len(find_files(conn, "")) == 4
    assert [m.path for m in find_files(conn, "yarnlk")] == ["yarn.lock"]


def test_find_symbols_by_letters(conn):
    (match,) = find_symbols(conn, "opfile")
    assert (match.name, match.scope, match.path, match.start_line) == ("open_file", "MainWindow", "desktop/ui/main_window.py", 2)
    assert find_symbols(conn, "open")[0].name in {"open_file", "open_reader"}
    assert find_symbols(conn, "") == []
