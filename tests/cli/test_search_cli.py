"""`hearth search` and `hearth map`, run as real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import snapshot

REPO = Path(__file__).resolve().parents[2]


def hearth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "src" / "net").mkdir(parents=True)
    (root / "src" / "net" / "parser.py").write_text(
        "def parseHTTPResponse(data):\n"
        '    """Turn a raw server reply into a status code."""\n'
        "    return int(data[:3])\n\n\n"
        "class Reader:\n    def read_chunked(self, stream):\n        return b''.join(stream)\n"
    )
    (root / "src" / "app.py").write_text("from net.parser import parseHTTPResponse\n\nprint(parseHTTPResponse(b'200'))\n")
    (root / "README.md").write_text("# Demo\n\nA tiny HTTP client.\n")
    return root


def test_search_json_contract(project):
    before = snapshot(project)
    result = hearth("search", str(project), "server reply status code", "--json")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert isinstance(hits, list) and hits
    best = hits[0]
    assert best["path"] == "src/net/parser.py"
    assert best["symbol"] == "parseHTTPResponse"
    assert (best["start_line"], best["end_line"]) == (1, 3)
    assert best["kind"] == "function"
    assert isinstance(best["score"], float)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert snapshot(project) == before  # nothing written into the project


def test_search_text_output_and_k(project):
    result = hearth("search", str(project), "parse http response read chunked", "-k", "1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(" 1. src/net/parser.py:")


def test_search_without_matches_says_so(project):
    result = hearth("search", str(project), "zebra flamingo")
    assert result.returncode == 0
    assert result.stdout.strip() == "no matches"
    assert json.loads(hearth("search", str(project), "zebra", "--json").stdout) == []


def test_search_sees_a_file_saved_since_the_last_run(project):
    assert json.loads(hearth("search", str(project), "frobnicate", "--json").stdout) == []
    (project / "src" / "extra.py").write_text("def frobnicate():\n    return 1\n")
    hits = json.loads(hearth("search", str(project), "frobnicate", "--json").stdout)
    assert hits[0]["path"] == "src/extra.py"


@pytest.mark.parametrize("command", [["search", "{p}", "anything"], ["map", "{p}"]])
def test_missing_or_non_folder_path_is_one_line_and_exit_1(tmp_path, command):
    for target in (tmp_path / "nope", tmp_path / "file.txt"):
        if target.name == "file.txt":
            target.write_text("x")
        result = hearth(*[part.format(p=target) for part in command])
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("hearth: ")
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["index", ""], ["search", "", "anything"], ["map", ""], ["ask", "", "hi"]])
def test_an_empty_path_is_refused_not_taken_for_the_current_folder(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "desktop", *command], capture_output=True, text=True, timeout=120, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == (2 if command[0] == "ask" else 1)
    assert result.stderr == "hearth: The project path is empty.\n"
    assert result.stdout == ""


def test_a_huge_k_means_every_hit(project):
    result = hearth("search", str(project), "parse", "-k", "4611686018427387904", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)


@pytest.mark.parametrize("bad", [["-k", "0"], ["-k", "many"]])
def test_bad_k_is_a_usage_error(project, bad):
    result = hearth("search", str(project), "parse", *bad)
    assert result.returncode == 2


def test_map_prints_an_outline_within_budget(project):
    result = hearth("map", str(project))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("src/net/parser.py:\n")
    assert "  def parseHTTPResponse(data):" in result.stdout
    assert "    def read_chunked(self, stream):" in result.stdout
    small = hearth("map", str(project), "--tokens", "10")
    assert small.returncode == 0
    assert len(small.stdout) <= 32
    assert hearth("map", str(project), "--tokens", "0").returncode == 2


def test_search_and_map_never_import_qt(project):
    code = (
        "import sys; from desktop.cli import main; "
        f"main(['search', {str(project)!r}, 'parse']); main(['map', {str(project)!r}]); "
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_search_answers_from_the_last_index_when_the_update_cannot_be_saved(project, monkeypatch, capsys):
    import io

    from desktop.cli.search import run_search
    from desktop.index import store

    assert run_search(project, "server reply status code", 3, True, io.StringIO()) == 0
    # More than the free pages the database has left to reuse.
    (project / "src" / "extra.py").write_text(
        "def frobnicate():\n    return 1\n" + "".join(f"\n\ndef helper_{n}(value):\n    return value + {n}\n" for n in range(3000))
    )
    configure = store._configure

    def full_disk(conn):
        # SQLite's page limit gives the SQLITE_FULL error of a full disk.
        configure(conn)
        conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")

    monkeypatch.setattr(store, "_configure", full_disk)
    out = io.StringIO()
    assert run_search(project, "server reply status code", 3, True, out) == 0
    assert json.loads(out.getvalue())[0]["symbol"] == "parseHTTPResponse"
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and "the disk is full" in warning[0] and "index as it was" in warning[0]

    monkeypatch.setattr(store, "_configure", configure)
    out = io.StringIO()
    assert run_search(project, "frobnicate", 3, True, out) == 0  # the next update catches up
    assert json.loads(out.getvalue())[0]["path"] == "src/extra.py"


def test_a_path_that_cannot_be_read_is_one_line_and_exit_1(project, monkeypatch, capsys):
    # Root reads a chmod 000 folder, so the refusal the system would give is injected.
    from desktop import cli

    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == project else real_access(path, mode))
    for command in (["search", str(project), "parse"], ["map", str(project)], ["index", str(project)]):
        assert cli.main(command) == 1
        captured = capsys.readouterr()
        assert captured.err == f"hearth: {project} cannot be read (permission denied).\n"
        assert captured.out == ""


def test_output_cut_off_by_its_reader_ends_quietly(tmp_path):
    root = tmp_path / "big"
    root.mkdir()
    for n in range(200):
        functions = "".join(f"def handler_{n}_{m}(request, response):\n    return {m}\n\n\n" for m in range(12))
        (root / f"module_{n}.py").write_text(functions)
    assert hearth("index", str(root)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", "map", str(root), "--tokens", "200000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.close()  # like `| head -1` after its line: the map is far more than a pipe holds
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 141
    assert errors == b""


def test_an_empty_map_says_why_on_stderr(project, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = hearth("map", str(empty))
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == f"hearth: nothing to map: no definitions were found in {empty}.\n"
    result = hearth("map", str(project), "--tokens", "1")
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == "hearth: nothing to map: a budget of 1 token holds no definition; try --tokens 1024.\n"


def test_a_quoted_tilde_path_is_the_home_folder_for_search_and_map(project, monkeypatch, capsys):
    from desktop import cli

    monkeypatch.setenv("HOME", str(project.parent))
    assert cli.main(["search", f"~/{project.name}", "server reply status code", "-k", "1"]) == 0
    assert "src/net/parser.py" in capsys.readouterr().out
    assert cli.main(["map", f"~/{project.name}"]) == 0
    assert "parseHTTPResponse" in capsys.readouterr().out


def _damage_table(db_path: Path, table: str) -> None:
    """Overwrite the first page of ``table`` in the index file, as a disk fault would."""
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with open(db_path, "r+b") as handle:
        handle.seek((page - 1) * page_size)
        handle.write(b"\xde\xad" * (page_size // 2))


@pytest.mark.parametrize("command", [["search", "{p}", "parse", "--json"], ["map", "{p}"]])
def test_an_index_found_damaged_while_reading_is_built_anew(project, command):
    from desktop.core.paths import HearthPaths
    from desktop.index.store import index_db_path

    assert hearth("index", str(project)).returncode == 0
    _damage_table(index_db_path(HearthPaths.from_env(), project.resolve()), "chunks")
    assert hearth("index", str(project)).returncode == 0  # nothing changed: the update reads no chunk
    result = hearth(*[part.format(p=project) for part in command])
    assert result.returncode == 0, result.stderr
    assert "was damaged" in result.stderr and "building it anew" in result.stderr
    assert "parseHTTPResponse" in result.stdout
    again = hearth(*[part.format(p=project) for part in command])
    assert again.returncode == 0 and again.stderr == "" and again.stdout == result.stdout



def test_a_damaged_index_that_cannot_be_removed_is_one_line_and_exit_1(project, monkeypatch, capsys):
    from desktop import cli
    from desktop.core.paths import HearthPaths
    from desktop.index import store
    from desktop.index.store import index_db_path

    assert cli.main(["index", str(project)]) == 0
    _damage_table(index_db_path(HearthPaths.from_env(), project.resolve()), "chunks")

    def held_by_another_process(db_path):  # noqa: ANN001, ANN202 - as Windows refuses to delete an open file
        raise PermissionError(13, "The process cannot access the file", str(db_path))

    monkeypatch.setattr(store, "_remove_database", held_by_another_process)
    capsys.readouterr()
    assert cli.main(["search", str(project), "parse"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        "hearth: the damaged index could not be removed (The process cannot access the file); "
        "close whatever else uses it (Hearth, another hearth command) and try again."
    )
    assert "Traceback" not in captured.err

def _search_held_back_at_the_damage(project: str, found, go, results) -> None:  # noqa: ANN001 - a child process
    """`hearth search` that, having found the index damaged, is held back (as a busy
    machine may hold a process) until another process has built the index anew."""
    import io
    import sqlite3

    from desktop.cli.search import run_search
    from desktop.index import retrieval

    search = retrieval.search

    def held_back(index, query, k):  # noqa: ANN001, ANN202
        try:
            return search(index, query, k=k)
        except sqlite3.DatabaseError:
            found.set()
            go.wait(60)
            raise

    retrieval.search = held_back
    out = io.StringIO()
    results.put(("late", run_search(project, "parse", 5, True, out), out.getvalue()))


def _search_and_keep_reading(project: str, found, go, done, results) -> None:  # noqa: ANN001 - a child process
    """`hearth search` that finds the damage second and rebuilds the index first, then
    keeps a reader of the new index open (as the app keeps one) while the other goes on."""
    import io

    from desktop.cli.search import run_search
    from desktop.core.paths import HearthPaths
    from desktop.index.retrieval import SearchIndex, search
    from desktop.index.store import file_identity, index_db_path

    found.wait(60)
    out = io.StringIO()
    code = run_search(project, "parse", 5, True, out)
    db_path = index_db_path(HearthPaths.from_env(), Path(project))
    index, fresh = SearchIndex.open(db_path), file_identity(db_path)
    go.set()
    done.wait(60)
    hits = [hit.path for hit in search(index, "parse", k=5)]
    results.put(("early", code, out.getvalue(), fresh, index.replaced(), hits))
    index.close()


def test_a_search_that_found_the_index_damaged_keeps_the_one_another_search_built_meanwhile(project):
    """Two `hearth search` runs find one damaged index: the first to get there removes it
    and builds a new one; the other, held back until then, must search that one, not
    remove it under its reader and build yet another."""
    import multiprocessing

    from desktop.core.paths import HearthPaths
    from desktop.index.store import file_identity, index_db_path

    assert hearth("index", str(project)).returncode == 0
    db_path = index_db_path(HearthPaths.from_env(), project.resolve())
    _damage_table(db_path, "chunks")
    context = multiprocessing.get_context("spawn")
    found, go, done, results = context.Event(), context.Event(), context.Event(), context.Queue()
    late = context.Process(target=_search_held_back_at_the_damage, args=(str(project), found, go, results))
    early = context.Process(target=_search_and_keep_reading, args=(str(project), found, go, done, results))
    late.start()
    early.start()
    try:
        tag, late_code, late_out = results.get(timeout=60)
        done.set()
        early_result = results.get(timeout=60)
    finally:
        done.set()
        for child in (late, early):
            child.join(30)
    assert (tag, early_result[0]) == ("late", "early") and [late.exitcode, early.exitcode] == [0, 0]
    _, early_code, early_out, fresh, replaced, hits = early_result
    assert not replaced, "the index built first was removed under its reader"
    assert file_identity(db_path) == fresh
    assert early_code == late_code == 0 and late_out == early_out
    assert json.loads(late_out)[0]["symbol"] == "parseHTTPResponse" and hits[0] == "src/net/parser.py"
