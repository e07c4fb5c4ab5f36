"""Fuzzy file and symbol lookup over a real index."""

from __future__ import annotations

import pytest

from desktop.assist.navigate import Place, find_files, find_moved_definition, find_symbols, fuzzy_score
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
    (root / "etc_link").symlink_to(tmp_path)  # a link: left out, and not offered
    (root / "z\u00fcrich_x.py").write_text("ZONE = 1\n")  # written composed
    (root / "ko\u0308ln_x.py").write_text("ZONE = 2\n")  # written decomposed, as macOS may store it
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
    assert len(find_files(conn, "")) == 6
    assert [m.path for m in find_files(conn, "yarnlk")] == ["yarn.lock"]


def test_find_symbols_by_letters(conn):
    (match,) = find_symbols(conn, "opfile")
    assert (match.name, match.scope, match.path, match.start_line) == ("open_file", "MainWindow", "desktop/ui/main_window.py", 2)
    assert find_symbols(conn, "open")[0].name in {"open_file", "open_reader"}
    assert find_symbols(conn, "") == []


def test_quick_open_leaves_links_out_and_lists_left_out_files_after_indexed_ones(conn):
    assert find_files(conn, "etclink") == []
    everything = [m.path for m in find_files(conn, "")]
    assert everything[-1] == "yarn.lock"  # shorter than the others, but not indexed
    assert "etc_link" not in everything


def test_quick_open_matches_letters_outside_ascii_however_they_are_stored(conn):
    import unicodedata

    assert [m.path for m in find_files(conn, "z\u00fcr")] == ["z\u00fcrich_x.py"]
    assert [m.path for m in find_files(conn, unicodedata.normalize("NFD", "z\u00fcr"))] == ["z\u00fcrich_x.py"]
    assert [unicodedata.normalize("NFC", m.path) for m in find_files(conn, "k\u00f6l")] == ["k\u00f6ln_x.py"]


def test_a_member_is_found_as_the_list_shows_it(conn):
    (match,) = find_symbols(conn, "MainWindow.open_file")
    assert (match.name, match.scope) == ("open_file", "MainWindow")
    assert [m.name for m in find_symbols(conn, "MWin.opf")] == ["open_file"]
    assert find_symbols(conn, "Menu.open_file") == []
    assert find_symbols(conn, ".") == []


HELPERS = "def helper_one(x):\n    return x + 1\n\n\ndef helper_two(x):\n    return x * 2\n"  # helper_two: 5-6


def indexed(root, files: dict[str, str]):
    """Write ``files`` under ``root`` (removing the .py files not named), index, and open a reader."""
    for old in root.rglob("*.py"):
        if old.relative_to(root).as_posix() not in files:
            old.unlink()
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    paths = HearthPaths.from_env()
    ensure_index(root, paths)
    return open_reader(index_db_path(paths, root))


def test_a_definition_still_where_the_answer_had_it_has_not_moved(tmp_path):
    conn = indexed(tmp_path / "p", {"src/util.py": HELPERS})
    assert find_moved_definition(conn, Place("src/util.py", 5, 6), "helper_two") is None
    assert find_moved_definition(conn, Place("src/util.py", 6, 6), "helper_two") is None  # a piece of it
    conn.close()


def test_a_definition_pushed_down_the_file_is_found_where_it_is_now(tmp_path):
    conn = indexed(tmp_path / "p", {"src/util.py": "# a comment\n" * 20 + HELPERS})
    assert find_moved_definition(conn, Place("src/util.py", 5, 6), "helper_two") == Place("src/util.py", 25, 26)
    conn.close()


def test_the_nearest_of_several_definitions_in_the_file_wins(tmp_path):
    text = "class A:\n    def run(self):\n        pass\n" + "\n" * 30 + "class B:\n    def run(self):\n        pass\n"
    conn = indexed(tmp_path / "p", {"src/jobs.py": text})  # run: 2-3 and 35-36
    assert find_moved_definition(conn, Place("src/jobs.py", 30, 31), "run") == Place("src/jobs.py", 35, 36)
    conn.close()


def test_a_definition_in_a_renamed_file_is_found_in_its_new_file(tmp_path):
    conn = indexed(tmp_path / "p", {"src/helpers.py": HELPERS})
    assert find_moved_definition(conn, Place("src/util.py", 5, 6), "helper_two") == Place("src/helpers.py", 5, 6)
    conn.close()


def test_gone_or_defined_in_several_other_files_is_not_guessed(tmp_path):
    conn = indexed(tmp_path / "p", {"src/a.py": HELPERS, "src/b.py": HELPERS})
    assert find_moved_definition(conn, Place("src/util.py", 5, 6), "helper_two") is None
    assert find_moved_definition(conn, Place("src/util.py", 5, 6), "no_such_name") is None
    conn.close()
