"""The repo map over a real index of a small project."""

from __future__ import annotations

import random

import pytest

from desktop.core.paths import HearthPaths
from desktop.index import repomap
from desktop.index.indexer import ensure_index
from desktop.index.repomap import MapEntry, ranked_entries, render, repo_map
from desktop.index.retrieval import SearchIndex
from desktop.index.store import index_db_path
from desktop.index.tokens import estimate_tokens

CORE = '''\
class Store:
    """Keeps records."""

    def load(self, key):
        return key

    def save(self, key, value):
        return value


def connect(url):
    return Store()
'''

USERS = [
    "from core import Store, connect\n\n\ndef use_{n}():\n    store = connect('x')\n    return store.load({n})\n"
]


@pytest.fixture
def index(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "core.py").write_text(CORE)
    for n in range(4):
        (root / f"user{n}.py").write_text(USERS[0].format(n=n))
    (root / "lonely.py").write_text("def lonely_helper():\n    return 0\n")
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    opened = SearchIndex.open(index_db_path(paths, root.resolve()))
    yield opened
    opened.close()


def test_the_most_used_definitions_come_first(index):
    text = repo_map(index, 1024)
    assert text.startswith("core.py:\n")
    assert "  def connect(url):" in text
    assert "  class Store:" in text
    assert "    def load(self, key):" in text  # a method sits under its class
    assert text.index("core.py:") < text.index("lonely.py:")


def test_builtin_names_and_tests_do_not_lead_the_map(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / "core.py").write_text(CORE)
    # a class whose methods share names with builtins every file calls
    (root / "shadow.py").write_text("class Shadow:\n    def str(self):\n        return ''\n\n    def len(self):\n        return 0\n")
    for n in range(6):
        (root / f"user{n}.py").write_text(
            f"from core import connect\n\n\ndef use_{n}(items):\n    print(len(items), str(items))\n    return connect(str(len(items)))\n"
        )
    (root / "tests").mkdir()
    for n in range(6):
        (root / "tests" / f"test_{n}.py").write_text(f"from tests.helpers import check\n\n\ndef test_{n}():\n    check({n})\n")
    (root / "tests" / "helpers.py").write_text("def check(value):\n    assert value is not None\n")
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    opened = SearchIndex.open(index_db_path(paths, root.resolve()))
    try:
        text = repo_map(opened, 1024)
    finally:
        opened.close()
    assert text.startswith("core.py:\n")
    assert text.index("core.py:") < text.index("tests/helpers.py:")  # as used, but only by tests
    files = [line[:-1] for line in text.splitlines() if not line.startswith(" ")]
    # nothing refers to Shadow's methods: the calls are to Python's own str() and len()
    assert files.index("shadow.py") > files.index("tests/helpers.py")


def _map_of(tmp_path, files: dict[str, str], budget: int) -> str:
    root = tmp_path / "proj"
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    opened = SearchIndex.open(index_db_path(paths, root.resolve()))
    try:
        return repo_map(opened, budget)
    finally:
        opened.close()


def test_a_functions_own_helpers_are_not_offered_in_the_map(tmp_path):
    report = (
        "def render_report(rows):\n    def cell(value):\n        return str(value)\n\n"
        "    class Row:\n        def cell_width(self):\n            return 1\n\n    return [cell(r) for r in rows]\n"
    )
    users = {f"user{n}.py": f"from report import render_report\n\n\ndef show_{n}(rows, cell):\n    return render_report(cell(rows))\n" for n in range(4)}
    text = _map_of(tmp_path, {"report.py": report, **users}, 1024)
    assert "def render_report(rows):" in text
    assert "def cell(value):" not in text  # its name is called elsewhere, but never it
    assert "Row" not in text and "cell_width" not in text  # nor a local class or its methods


def test_test_fixtures_and_one_word_methods_make_way_for_what_the_code_offers(tmp_path):
    fixture = "class Person:\n    def equals(self, other):\n        return self is other\n"
    users = {
        f"tests/test_{n}.py": f"from tests.data.person import Person\n\n\ndef test_{n}(a, b):\n    assert a.equals(b)\n    assert b.wait()\n"
        for n in range(8)
    }
    worker = "class Worker:\n    def wait(self):\n        return True\n"
    engine = "def start_engine(config):\n    return config\n"
    app = {f"app{n}.py": f"from engine import start_engine\n\n\ndef main_{n}():\n    return start_engine({n})\n" for n in range(2)}
    text = _map_of(tmp_path, {"tests/data/person.py": fixture, "worker.py": worker, "engine.py": engine, **users, **app}, 1024)
    files = [line[:-1] for line in text.splitlines() if not line.startswith(" ")]
    assert files[0] == "engine.py"
    assert files.index("worker.py") < files.index("tests/data/person.py")


def test_what_only_tests_call_makes_way_for_what_the_code_calls(tmp_path):
    # A testing library outside any tests folder (like the standard library's
    # unittest): many test files call it, two modules call the parser.
    checks = "class Checks:\n    def expect_equal(self, a, b):\n        return a == b\n"
    tests = {
        f"tests/test_{n}.py": f"from checking import Checks\n\n\ndef test_{n}(c):\n    Checks().expect_equal(c, {n})\n"
        for n in range(12)
    }
    parser = "def parse_config(text):\n    return text.split()\n"
    app = {f"app{n}.py": f"from parser import parse_config\n\n\ndef main_{n}():\n    return parse_config('{n}')\n" for n in range(2)}
    text = _map_of(tmp_path, {"checking.py": checks, "parser.py": parser, **tests, **app}, 1024)
    files = [line[:-1] for line in text.splitlines() if not line.startswith(" ")]
    assert files.index("parser.py") < files.index("checking.py")


def test_the_map_fits_the_budget(index):
    full = repo_map(index, 10_000)
    for budget in (5, 20, 40, 80):
        text = repo_map(index, budget)
        assert estimate_tokens(text) <= budget
        assert len(text) <= len(full)
    assert repo_map(index, 40) != full
    assert "core.py:" in repo_map(index, 40)


@pytest.mark.parametrize("budget", [0, -5, 1])
def test_a_budget_too_small_gives_an_empty_map(index, budget):
    assert repo_map(index, budget) == ""


def test_focus_on_a_file_or_name_pulls_it_in(index):
    small = 12
    assert "lonely.py" not in repo_map(index, small)
    assert "lonely.py:" in repo_map(index, small, focus=["lonely.py"])
    assert "lonely.py:" in repo_map(index, small, focus=["lonely_helper"])
    assert repo_map(index, small, focus=["no_such_thing", "missing.py"]) == repo_map(index, small)


def _web_of_modules(root, count, seed):
    """``count`` modules whose definitions call each other's at random: a graph with
    many more definitions than a few leaders, and every file some focus's neighbour."""
    chooser = random.Random(seed)
    for n in range(count):
        calls = "".join(f"    helper_{chooser.randrange(count)}_{chooser.randrange(4)}()\n" for _ in range(3))
        body = "".join(f"def helper_{n}_{k}():\n{calls}\n\n" for k in range(4))
        (root / f"mod_{n}.py").write_text(body + f"class Thing{n}:\n    def act_{n}(self):\n{calls}")


def _scored_afresh(index, focus):
    """The ranking with every definition held (the reference the kept ranking must
    match); the kept one is put back afterwards."""
    kept = repomap._standings.pop(index, None)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(repomap, "LEADERS", 10**9)
        entries = ranked_entries(index, focus)
    repomap.forget(index)
    if kept is not None:
        repomap._standings[index] = kept
    return entries


@pytest.fixture
def small_leaders(monkeypatch):
    """Few candidates and fewer leaders than definitions, so the shortcuts all come into play."""
    monkeypatch.setattr(repomap, "MAX_CANDIDATES", 12)
    monkeypatch.setattr(repomap, "LEADERS", 24)


@pytest.fixture
def web(tmp_path):
    """(root, paths, view) of an indexed web of 40 modules."""
    root = tmp_path / "proj"
    root.mkdir()
    _web_of_modules(root, 40, seed=1)
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root.resolve()))
    yield root, paths, index
    index.close()


def test_a_turn_ranks_as_if_every_definition_were_scored_afresh(web, small_leaders):
    _root, _paths, index = web
    index.refresh()
    chooser = random.Random(2)
    files = sorted(index.file_paths.values())
    focuses = [[]] + [chooser.sample(files, chooser.choice([1, 2, 5])) for _ in range(25)] + [["helper_3_1"]]
    expected = [_scored_afresh(index, focus) for focus in focuses]
    repomap.prepare(index)
    assert [ranked_entries(index, focus) for focus in focuses] == expected
    assert len(expected[1]) == 12
    assert any(entries[0].path in focus for entries, focus in zip(expected[1:], focuses[1:]))


def test_the_kept_ranking_follows_saved_added_and_deleted_files(web, small_leaders, monkeypatch):
    root, paths, index = web
    repomap.prepare(index)
    leader = ranked_entries(index, [])[0]
    changes = [
        lambda: (root / leader.path).unlink(),  # the best-ranked file goes
        lambda: (root / "mod_7.py").write_text("def helper_7_0():\n    return 1\n"),  # one shrinks
        lambda: (root / "fresh.py").write_text("def helper_99_0():\n    helper_1_1()\n" * 3),  # one arrives
    ]
    for change in changes:
        change()
        ensure_index(root, paths)
        index.refresh()
        with monkeypatch.context() as patch:
            patch.setattr(repomap, "_standing_of_all", None)  # it must be patched, not made anew
            kept = ranked_entries(index, ["mod_1.py"])
        assert kept == _scored_afresh(index, ["mod_1.py"])
    assert all(entry.path != leader.path for entry in ranked_entries(index, []))
    assert any(entry.path == "fresh.py" for entry in ranked_entries(index, ["fresh.py"]))


LONG_CJK = "def 核心(" + ", ".join(f"参数{n}: 字符串类型" for n in range(30)) + "):\n    return 1\n"  # ~600 tokens


def test_a_definition_too_long_for_the_budget_makes_way_for_the_ones_after_it(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    callers = "".join(f"\n\ndef user_{n}():\n    return 核心()\n" for n in range(6))
    (root / "core.py").write_text(LONG_CJK + callers, encoding="utf-8")  # 核心 is the most used
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root.resolve()))
    try:
        assert "def 核心(" in repo_map(index, 2000)
        text = repo_map(index, 200)
        assert estimate_tokens(text) <= 200
        assert "def 核心(" not in text
        assert "def user_0():" in text and "def user_5():" in text
    finally:
        index.close()


def test_empty_project_maps_to_nothing(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root.resolve()))
    try:
        assert repo_map(index, 1024) == ""
    finally:
        index.close()


def test_render_shows_scope_headers_for_methods_without_their_class():
    entries = [MapEntry("a.py", "run", "Job", "def run(self):", 5, 1.0)]
    assert render(entries) == "a.py:\n  Job:\n    def run(self):\n"
    assert render([]) == ""


def test_render_shows_a_one_line_class_once_with_its_members():
    line = "interface Payable { public function pay(): void; }"
    entries = [MapEntry("pay.php", "Payable", "", line, 2, 1.0), MapEntry("pay.php", "pay", "Payable", line, 2, 0.5)]
    assert render(entries) == f"pay.php:\n  {line}\n"


def test_estimate_tokens_is_conservative():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abc") == 1
    assert estimate_tokens("x" * 32) == 10
