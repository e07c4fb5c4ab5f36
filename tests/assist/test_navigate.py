"""Fuzzy file and symbol lookup over a real index."""

from __future__ import annotations

import pytest

from desktop.assist.navigate import Place, find_files, find_moved_definition, find_symbols, fuzzy_match, fuzzy_score
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


def test_fuzzy_match_finds_the_best_alignment_not_just_the_leftmost():
    found = fuzzy_match("test_ssl", "test/test_asyncio/test_ssl.py")
    assert found.positions == tuple(range(18, 26))  # the file name, not letters spread over three parts
    assert fuzzy_match("hR", "httpResponse").positions == (0, 4)
    assert fuzzy_match("ab", "xyz") is None
    # Drawn together from its end: "ssl" is the name's last three letters, not the "s"
    # of "test" and two of "ssl"; so the file whose name ends in it wins.
    assert fuzzy_match("tstasyncssl", "test/test_asyncio/test_ssl.py").positions[-3:] == (23, 24, 25)
    assert fuzzy_score("tstasyncssl", "test/test_asyncio/test_ssl.py") > fuzzy_score(
        "tstasyncssl", "test/test_asyncio/test_sock_lowlevel.py")
    # Scattered letters are a weaker match than the same letters in a few runs.
    assert fuzzy_score("tkinit", "tkinter/__init__.py") > fuzzy_score("tkinit", "tokenize_tests-utf8-coding-cookie-and-bom-sig.txt")


def test_find_files_puts_a_spelled_name_first_and_scattered_letters_last(tmp_path):
    conn = indexed(tmp_path / "p", {
        "test/test_ssl.py": "X = 1\n",
        "test/test_asyncio/test_ssl.py": "X = 1\n",
        "test/test_syslog.py": "X = 1\n",
        "tkinter/__init__.py": "X = 1\n",
        "test/tokenizedata/tokenize_tests-utf8-coding-cookie-and-utf8-bom-sig.txt": "x\n",
    })
    assert [m.path for m in find_files(conn, "test_ssl")][:3] == [
        "test/test_ssl.py", "test/test_asyncio/test_ssl.py", "test/test_syslog.py",
    ]
    assert find_files(conn, "tkinit")[0].path == "tkinter/__init__.py"
    (best,) = find_files(conn, "asyncio/test_ssl")
    assert best.positions == tuple(range(10, 26))  # in the folder and the name, as typed
    conn.close()


def test_files_opened_lately_come_first_and_win_a_close_call_only(tmp_path, monkeypatch):
    from desktop.assist import navigate

    conn = indexed(tmp_path / "p", {"src/alpha.py": "A = 1\n", "src/beta.py": "B = 1\n", "lib/parser.py": "P = 1\n"})
    recent = ["src/beta.py", "lib/parser.py"]
    assert [m.path for m in find_files(conn, "", recent=recent)] == ["src/beta.py", "lib/parser.py", "src/alpha.py"]
    assert find_files(conn, "py", recent=recent)[0].path == "src/beta.py"  # every name holds "py": a close call
    assert find_files(conn, "alpha", recent=recent)[0].path == "src/alpha.py"  # a clearly better match still wins
    monkeypatch.setattr(navigate, "CANDIDATE_LIMIT", 1)  # a big project: the recent file is past the limit
    assert find_files(conn, "", recent=["lib/parser.py"])[0].path == "lib/parser.py"
    conn.close()


def test_go_to_symbol_puts_the_code_before_its_tests_and_says_where_it_matched(tmp_path):
    conn = indexed(tmp_path / "p", {
        "wire/codec.py": "def dumps(value):\n    return value\n",  # sorts after tests/
        "tests/test_codec.py": "def dumps(value):\n    return value\n\ndef test_dumps():\n    pass\n",
    })
    found = find_symbols(conn, "dumps")
    assert [(m.path, m.name) for m in found] == [
        ("wire/codec.py", "dumps"), ("tests/test_codec.py", "dumps"), ("tests/test_codec.py", "test_dumps"),
    ]
    assert found[0].positions == (0, 1, 2, 3, 4) and found[2].positions == (5, 6, 7, 8, 9)
    conn.close()


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
