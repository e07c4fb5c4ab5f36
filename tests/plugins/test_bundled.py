"""The bundled plugins render real prompts; commit-message runs real git in tmp repos."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop.assist.actions import (
    RESULT_CHAT,
    RESULT_EDIT,
    SCOPE_FILE,
    SCOPE_SELECTION,
    render_messages,
    resolve_context,
)
from desktop.core.assets import asset_dir
from desktop.plugins.api import GitError, NotAGitRepository, run_git, truncate_text
from desktop.plugins.loader import load_plugins

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def bundled():
    loaded = load_plugins(asset_dir("plugins"), None, "hearth.plugins.none-installed")
    assert all(info.loaded for info in loaded.plugins), [info.error for info in loaded.plugins]
    return loaded


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def make_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True)
    git(root, "init", "-q")
    git(root, "config", "user.email", "dev@example.com")
    git(root, "config", "user.name", "Dev")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def commit_prompt(bundled, root: Path, relative: str | None = None) -> str:
    action = bundled.registry.get("commit_message")
    context = resolve_context(root, relative, scope="folder")
    variables = bundled.hooks.context_will_be_built(action, context)
    assert bundled.hooks.problems() == ()
    return render_messages(action, context, variables)[1].content


@needs_git
def test_commit_message_sends_the_diff_and_leaves_secrets_out(bundled, tmp_path):
    root = make_repo(tmp_path / "repo", {"app.py": "def main():\n    return 1\n", ".env": "TOKEN=old\n",
                                        "docs/readme.md": "Hello\n"})
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    (root / "app.py").write_text("def main():\n    return 2\n", encoding="utf-8")
    (root / ".env").write_text("TOKEN=new-secret-value\n", encoding="utf-8")
    (root / "docs" / "readme.md").write_text("Hello world\n", encoding="utf-8")
    prompt = commit_prompt(bundled, root)
    assert "```diff\n" in prompt and "-    return 1\n+    return 2" in prompt
    assert "new-secret-value" not in prompt and "TOKEN=" not in prompt
    assert "left out because they hold secrets: .env" in prompt
    assert " M app.py" in prompt  # git status
    assert "{git_diff}" not in prompt and "{git_status}" not in prompt
    assert "imperative mood" in prompt

    only_docs = commit_prompt(bundled, root, "docs")
    assert "+Hello world" in only_docs and "return 2" not in only_docs


@needs_git
def test_commit_message_in_a_repo_without_commits_uses_the_staged_changes(bundled, tmp_path):
    root = make_repo(tmp_path / "fresh", {"lib.py": "VALUE = 1\n"})
    git(root, "add", "lib.py")
    prompt = commit_prompt(bundled, root)
    assert "first commit" in prompt and "+VALUE = 1" in prompt


@needs_git
def test_commit_message_with_no_changes_says_so(bundled, tmp_path):
    root = make_repo(tmp_path / "clean", {"a.py": "x = 1\n"})
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    prompt = commit_prompt(bundled, root)
    assert "(no changes to tracked files)" in prompt and "(nothing changed)" in prompt


@needs_git
def test_commit_message_cuts_a_huge_diff(bundled, tmp_path):
    root = make_repo(tmp_path / "big", {"data.py": "".join(f"A{n} = {n}\n" for n in range(3000))})
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    (root / "data.py").write_text("".join(f"A{n} = {n + 1}\n" for n in range(3000)), encoding="utf-8")
    prompt = commit_prompt(bundled, root)
    assert len(prompt) < 16_000
    assert "diff cut here" in prompt


def test_commit_message_outside_a_repo_tells_the_model(bundled, tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    prompt = commit_prompt(bundled, folder)
    assert "not in a git repository" in prompt and "git init" in prompt


def test_type_hints_is_an_edit_with_the_answer_format(bundled, tmp_path):
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    action = bundled.registry.get("add_type_hints")
    assert action.result == RESULT_EDIT and action.source == "type-hints"
    context = resolve_context(tmp_path, "calc.py", scope=SCOPE_SELECTION, selection_lines=(1, 2))
    system, user = render_messages(action, context, bundled.hooks.context_will_be_built(action, context))
    assert "```python\ndef add(a, b):\n    return a + b\n```" in user.content
    assert "lines 1-2 of calc.py" in user.content and "one fenced code block" in user.content
    assert "str | None" in user.content


def test_translate_asks_for_the_language_and_answers_in_chat(bundled, tmp_path):
    (tmp_path / "calc.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    action = bundled.registry.get("translate")
    assert action.asks_instruction and action.result == RESULT_CHAT
    assert action.tip.startswith("Translate to which language?")
    context = resolve_context(tmp_path, "calc.py", scope=SCOPE_FILE, instruction="Rust")
    user = render_messages(action, context)[1].content
    assert "into Rust." in user and "idiomatic Rust" in user and "def add(a, b):" in user


# --- the api helpers --------------------------------------------------------------------


@needs_git
def test_run_git_returns_output_and_names_failures(tmp_path):
    root = make_repo(tmp_path / "r", {})
    assert run_git(root, "rev-parse", "--is-inside-work-tree").strip() == "true"
    with pytest.raises(GitError, match="git log failed"):
        run_git(root, "log")  # no commits yet
    with pytest.raises(NotAGitRepository, match="is not a git repository"):
        run_git(tmp_path, "status")


def test_run_git_without_git_installed_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(GitError, match="git is not installed"):
        run_git(tmp_path, "status")


def test_truncate_text_cuts_at_a_line_and_says_how_much():
    text = "".join(f"line {n}\n" for n in range(100))
    cut = truncate_text(text, 50, "diff")
    assert cut.startswith("line 0\n") and cut.endswith("more lines left out)")
    assert "diff cut here" in cut and len(cut) < 120
    assert truncate_text("short", 50) == "short"


@needs_git
def test_commit_message_leaves_out_a_file_whose_changes_hold_a_private_key(bundled, tmp_path):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\n-----END OPENSSH PRIVATE KEY-----\n"
    root = make_repo(tmp_path / "repo", {"app.py": "def main():\n    return 1\n", "deploy/old_key.txt": key})
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    (root / "app.py").write_text("def main():\n    return 2\n", encoding="utf-8")
    (root / "deploy" / "settings.py").write_text(f'DEPLOY_KEY = """{key}"""\n', encoding="utf-8")
    git(root, "add", "deploy/settings.py")
    (root / "deploy" / "old_key.txt").unlink()  # git sees a rename, the key on both sides
    prompt = commit_prompt(bundled, root)
    assert "b3BlbnNzaC1rZXkt" not in prompt
    assert "+    return 2" in prompt
    assert "left out because they hold secrets: deploy/old_key.txt → deploy/settings.py" in prompt

    (root / "deploy" / "settings.py").write_text("DEPLOY_KEY = None\n" * 20, encoding="utf-8")
    git(root, "add", "-A")  # now a removed key and an unrelated new file
    prompt = commit_prompt(bundled, root)
    assert "b3BlbnNzaC1rZXkt" not in prompt and "+DEPLOY_KEY = None" in prompt
    assert "left out because they hold secrets: deploy/old_key.txt)" in prompt
