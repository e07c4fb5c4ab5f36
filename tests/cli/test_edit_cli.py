"""`hearth apply-edit` and `hearth edit`, run as real subprocesses (the exact contract)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SOURCE = "def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n"


def hearth(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return subprocess.run([sys.executable, "-m", "desktop", *args], capture_output=True, text=True,
                          env=env, timeout=60, cwd=cwd)


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "pkg").mkdir()
    (root / "pkg" / "calc.py").write_text(SOURCE)
    return root


def response(tmp_path: Path, text: str) -> str:
    path = tmp_path / "answer.txt"
    path.write_text(text)
    return str(path)


GOOD = "Sure! Here is the updated function:\n```python\ndef sub(a, b):\n    return b - a\n```\n"


def test_prints_the_diff_and_writes_nothing_without_write(repo, tmp_path):
    result = hearth("apply-edit", str(repo / "pkg" / "calc.py"), "--response", response(tmp_path, GOOD),
                    "--lines", "5-6")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("--- a/pkg/calc.py\n+++ b/pkg/calc.py\n")  # root = the git work tree
    assert "-    return a - b\n+    return b - a\n" in result.stdout
    assert (repo / "pkg" / "calc.py").read_text() == SOURCE
    assert len(result.stderr.strip().splitlines()) == 1 and "whole-region" in result.stderr


def test_write_applies_atomically_and_is_undoable(repo, tmp_path):
    path = repo / "pkg" / "calc.py"
    path.chmod(0o751)
    result = hearth("apply-edit", str(path), "--response", response(tmp_path, GOOD), "--lines", "5-6", "--write")
    assert result.returncode == 0, result.stderr
    assert path.read_text() == SOURCE.replace("return a - b", "return b - a")
    assert path.stat().st_mode & 0o777 == 0o751
    assert sorted(p.name for p in path.parent.iterdir()) == ["calc.py"]

    from desktop.assist.edits.undo import UndoHistory
    from desktop.core.paths import HearthPaths

    history = UndoHistory.for_project(HearthPaths.from_env(), repo)
    try:
        history.undo()
    finally:
        history.close()
    assert path.read_text() == SOURCE


def test_whole_file_answer_without_lines(repo, tmp_path):
    new = SOURCE.replace("a + b", "b + a")
    result = hearth("apply-edit", str(repo / "pkg" / "calc.py"), "--response", response(tmp_path, f"```\n{new}```"),
                    "--write")
    assert result.returncode == 0, result.stderr
    assert (repo / "pkg" / "calc.py").read_text() == new


def test_search_replace_needs_no_lines_and_says_which(repo, tmp_path):
    answer = "<<<<<<< SEARCH\n    return a + b\n=======\n    return sum((a, b))\n>>>>>>> REPLACE\n"
    result = hearth("apply-edit", "pkg/calc.py", "--response", response(tmp_path, answer), "--write", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert "search-replace: exact" in result.stderr
    assert "return sum((a, b))" in (repo / "pkg" / "calc.py").read_text()


def test_root_defaults_to_the_files_folder_without_git(tmp_path):
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "x.py").write_text("x = 1\n")
    result = hearth("apply-edit", str(tmp_path / "loose" / "x.py"), "--response",
                    response(tmp_path, "```python\nx = 2\n```"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("--- a/x.py\n")


def test_syntax_error_exits_3_and_leaves_the_file(repo, tmp_path):
    bad = response(tmp_path, "```python\ndef sub(a, b:\n    return b - a\n```")
    path = repo / "pkg" / "calc.py"
    result = hearth("apply-edit", str(path), "--response", bad, "--lines", "5-6", "--write")
    assert result.returncode == 3
    assert "syntax error" in result.stderr.lower() or "missing" in result.stderr
    assert "line 5" in result.stderr
    assert "+def sub(a, b:" in result.stdout
    assert path.read_text() == SOURCE
    allowed = hearth("apply-edit", str(path), "--response", bad, "--lines", "5-6", "--write",
                     "--allow-syntax-errors")
    assert allowed.returncode == 0, allowed.stderr
    assert "def sub(a, b:" in path.read_text()


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("I'm not sure what you want me to change.", "no-code"),
        ("```python\ndef sub(a, b):\n    return a - b\n```", "unchanged"),
    ],
)
def test_no_usable_edit_exits_4(repo, tmp_path, answer, reason):
    path = repo / "pkg" / "calc.py"
    result = hearth("apply-edit", str(path), "--response", response(tmp_path, answer), "--lines", "5-6", "--write")
    assert result.returncode == 4
    assert f"({reason})" in result.stderr
    assert result.stdout == ""
    assert path.read_text() == SOURCE


def test_search_not_found_exits_4_with_the_closest_lines(repo, tmp_path):
    answer = "<<<<<<< SEARCH\nclass Matrix:\n    rows: list[list[float]]\n=======\nx\n>>>>>>> REPLACE\n"
    path = repo / "pkg" / "calc.py"
    result = hearth("apply-edit", str(path), "--response", response(tmp_path, answer), "--write")
    assert result.returncode == 4
    assert "search-not-found" in result.stderr
    assert "closest lines" in result.stderr and "| def " in result.stderr
    assert path.read_text() == SOURCE


def test_outside_the_root_and_secret_files_exit_1(repo, tmp_path):
    (tmp_path / "elsewhere.py").write_text("y = 1\n")
    answer = response(tmp_path, "```python\ny = 2\n```")
    outside = hearth("apply-edit", str(tmp_path / "elsewhere.py"), "--response", answer, "--root", str(repo))
    assert outside.returncode == 1 and "outside the project" in outside.stderr
    assert "Traceback" not in outside.stderr
    (repo / ".env").write_text("TOKEN=abc\n")
    secret = hearth("apply-edit", str(repo / ".env"), "--response", answer, "--write")
    assert secret.returncode == 1 and "secret" in secret.stderr
    assert (repo / ".env").read_text() == "TOKEN=abc\n"


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--lines", "7-9"], "has 6 lines"),
        (["--lines", "x-2"], "not a line range"),
        (["--lines", "3-1"], "must not run backwards"),
    ],
)
def test_usage_errors_exit_2(repo, tmp_path, extra, words):
    result = hearth("apply-edit", str(repo / "pkg" / "calc.py"), "--response", response(tmp_path, GOOD), *extra)
    assert result.returncode == 2
    assert words in result.stderr


def test_missing_response_or_file_exit_2(repo, tmp_path):
    no_response = hearth("apply-edit", str(repo / "pkg" / "calc.py"), "--response", str(tmp_path / "none.txt"))
    assert no_response.returncode == 2 and "response file" in no_response.stderr
    no_file = hearth("apply-edit", str(repo / "pkg" / "nope.py"), "--response", response(tmp_path, GOOD))
    assert no_file.returncode == 2 and "does not exist" in no_file.stderr


# --- hearth edit ------------------------------------------------------------------------


def test_edit_asks_the_model_and_writes(fake_ollama, repo):
    fake_ollama.answer = "Okay:\n```python\ndef sub(a: int, b: int) -> int:\n    return a - b\n```"
    path = repo / "pkg" / "calc.py"
    result = hearth("edit", str(repo), "pkg/calc.py", "--lines", "5-6", "--instruction", "add type hints",
                    "--model", "mistral:7b", "--host", fake_ollama.host, "--write")
    assert result.returncode == 0, result.stderr
    assert "+def sub(a: int, b: int) -> int:" in result.stdout
    assert path.read_text() == SOURCE.replace("def sub(a, b):", "def sub(a: int, b: int) -> int:")
    body = fake_ollama.last_chat_body
    assert body["model"] == "mistral:7b"
    prompt = "\n".join(m["content"] for m in body["messages"])
    assert "add type hints" in prompt and "return a - b" in prompt


def test_edit_without_write_only_prints(fake_ollama, repo):
    fake_ollama.answer = "```python\ndef sub(a, b):\n    return -(b - a)\n```"
    result = hearth("edit", str(repo), "pkg/calc.py", "--lines", "5-6", "--instruction", "rewrite",
                    "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert "+    return -(b - a)" in result.stdout
    assert (repo / "pkg" / "calc.py").read_text() == SOURCE


def test_edit_no_code_answer_exits_4(fake_ollama, repo):
    fake_ollama.answer = "This function is already perfect."
    result = hearth("edit", str(repo), "pkg/calc.py", "--lines", "5-6", "--instruction", "improve",
                    "--model", "mistral:7b", "--host", fake_ollama.host, "--write")
    assert result.returncode == 4 and "no-code" in result.stderr
    assert (repo / "pkg" / "calc.py").read_text() == SOURCE


def test_edit_server_down_exits_1(free_local_port, repo):
    host = f"http://127.0.0.1:{free_local_port}"
    result = hearth("edit", str(repo), "pkg/calc.py", "--lines", "5-6", "--instruction", "x",
                    "--model", "mistral:7b", "--host", host)
    assert result.returncode == 1
    assert host in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_edit_requires_lines_and_instruction(repo):
    assert hearth("edit", str(repo), "pkg/calc.py", "--instruction", "x").returncode == 2
    assert hearth("edit", str(repo), "pkg/calc.py", "--lines", "1-2").returncode == 2
    empty = hearth("edit", str(repo), "pkg/calc.py", "--lines", "1-2", "--instruction", "  ")
    assert empty.returncode == 2 and "empty" in empty.stderr


def test_edit_commands_never_import_qt(fake_ollama, repo, tmp_path):
    fake_ollama.answer = "```python\ndef sub(a, b):\n    return b - a\n```"
    answer = response(tmp_path, GOOD)
    code = (
        "import sys, io, contextlib\n"
        "from desktop.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        f"    assert main(['apply-edit', {str(repo / 'pkg' / 'calc.py')!r}, '--response', {answer!r}, '--lines', '5-6']) == 0\n"
        f"    assert main(['edit', {str(repo)!r}, 'pkg/calc.py', '--lines', '5-6', '--instruction', 'swap',"
        f" '--model', 'mistral:7b', '--host', {fake_ollama.host!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


STAMPING_PLUGIN = '''
from desktop.plugins import api


def setup(plugin):
    @plugin.on("prompt_will_be_sent")
    def stamp(action, messages):
        return [*messages[:-1], api.ChatMessage("user", messages[-1].content + "\\n[stamped by a plugin]")]

    @plugin.on("edit_did_apply")
    def note(applied):
        (plugin.root / "applied.txt").write_text(applied.relative)
'''


def test_edit_runs_the_users_plugin_hooks_like_the_app(fake_ollama, repo):
    from desktop.core.paths import HearthPaths
    from tests.plugins.plugin_files import write_plugin

    plugin = write_plugin(HearthPaths.from_env().plugins_dir, "stamper", module=STAMPING_PLUGIN, actions="")
    fake_ollama.answer = "```python\ndef sub(a, b):\n    return b - a\n```"
    result = hearth("edit", str(repo), "pkg/calc.py", "--lines", "5-6", "--instruction", "swap",
                    "--model", "mistral:7b", "--host", fake_ollama.host, "--write")
    assert result.returncode == 0, result.stderr
    assert fake_ollama.last_chat_body["messages"][-1]["content"].endswith("[stamped by a plugin]")
    assert (plugin / "applied.txt").read_text() == "pkg/calc.py"
