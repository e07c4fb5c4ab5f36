"""`hearth index PATH [--json]` as a real subprocess: the exact contract scripts rely on."""

from __future__ import annotations

import json
import time
import os
import subprocess
import sys
from pathlib import Path

import pytest


def hearth(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "src").mkdir(parents=True)
    (root / "src" / "parser.py").write_text("def parse_http_response(data):\n    return data\n")
    (root / "README.md").write_text("# Demo\n\nSome words.\n")
    (root / ".env").write_text("TOKEN=secret\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (root / "node_modules" / "dep").mkdir(parents=True)
    (root / "node_modules" / "dep" / "index.js").write_text("module.exports = 1\n")
    return root


def test_json_summary_fields(project, hearth_home):
    result = hearth("index", str(project), "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["files_indexed"] == 2
    assert report["skipped"] == {"binary": 1, "secret": 1}
    assert report["skipped_total"] == 2
    assert report["symbols"] == 1
    assert report["chunks"] >= 2
    assert isinstance(report["seconds"], (int, float))
    assert list((hearth_home / "cache" / "projects").glob("proj-*/index.sqlite3"))
    assert not any(p.name.endswith(".sqlite3") for p in project.rglob("*"))  # nothing written into the project

    again = json.loads(hearth("index", str(project), "--json").stdout)
    assert again["files_changed"] == 0 and again["files_indexed"] == 2


def test_text_summary(project):
    result = hearth("index", str(project))
    assert result.returncode == 0, result.stderr
    assert "Indexed 2 files" in result.stdout
    assert "Skipped: 2 (1 binary, 1 secret)" in result.stdout
    assert "Symbols: 1" in result.stdout


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_bad_path_is_one_line_and_exit_1(tmp_path, kind):
    path = tmp_path / "nothing-here"
    if kind == "file":
        path.write_text("x")
    result = hearth("index", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("hearth: ") and str(path) in result.stderr


def test_index_does_not_import_qt(project):
    code = (
        "import sys\nfrom desktop.cli import main\n"
        f"main(['index', {str(project)!r}, '--json'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_index_waits_for_another_process_updating_the_same_index(project, hearth_home):
    from desktop.core.paths import HearthPaths
    from desktop.index.store import index_db_path
    from tests.index.test_indexer import another_process_updating

    db_path = index_db_path(HearthPaths.from_env(), project.resolve())
    with another_process_updating(db_path) as let_go:
        run = subprocess.Popen([sys.executable, "-m", "desktop", "index", str(project), "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        waiting = run.stderr.readline()
        assert waiting.startswith("hearth: waiting for another Hearth process to finish updating")
        assert run.poll() is None
        time.sleep(0.5)
        let_go()
        out, err = run.communicate(timeout=60)
    assert run.returncode == 0, err
    report = json.loads(out)
    assert report["files_indexed"] == 2
    assert report["waited_seconds"] >= 0.5  # the wait is reported apart from the update's seconds
    alone = json.loads(hearth("index", str(project), "--json").stdout)
    assert alone["waited_seconds"] == 0
