"""The system prompt, the project listing and the message list sent to the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.assist.prompts import build_messages, describe_project, project_overview, system_prompt
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatMessage
from desktop.index.ignore import IgnoreRules


def make_project(root: Path, files: list[str]) -> IgnoreRules:
    for relative in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return IgnoreRules.for_project(root)


def test_system_prompt_is_our_resource_text():
    text = system_prompt()
    assert text.startswith("You are Hearth")
    assert "Never invent files" in text


def test_overview_lists_relative_paths_without_ignored_files(tmp_path):
    rules = make_project(tmp_path, [
        "README.md", "src/app/main.py", "src/app/util.py", "src/lib.py",
        "node_modules/x/index.js", "tests/test_main.py",
    ])
    text = project_overview(tmp_path, rules)
    assert text.splitlines() == [
        f"Project folder: {tmp_path.name}",
        "README.md",
        "src/lib.py",
        "src/app/main.py",
        "src/app/util.py",
        "tests/test_main.py",
    ]


def test_overview_truncates_with_a_count_of_the_rest(tmp_path):
    rules = make_project(tmp_path, [f"mod{index:03}.py" for index in range(40)])
    overview = describe_project(tmp_path, rules, max_entries=10)
    assert overview.files_listed == 10
    assert overview.files_total == 40
    assert overview.text.splitlines()[-1] == "… and 30 more files"
    assert "mod009.py" in overview.text and "mod010.py" not in overview.text


def test_overview_of_an_empty_project(tmp_path):
    overview = describe_project(tmp_path, IgnoreRules.for_project(tmp_path))
    assert overview.files_listed == 0
    assert "(no files)" in overview.text


def test_overview_can_be_cancelled(tmp_path):
    rules = make_project(tmp_path, ["a.py", "b/c.py"])
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        project_overview(tmp_path, rules, cancel=token)


def test_build_messages_order_and_content(tmp_path):
    rules = make_project(tmp_path, ["main.py"])
    history = [
        ChatMessage("user", "first question"),
        ChatMessage("assistant", "first answer"),
        ChatMessage("assistant", "   "),  # an answer stopped before any text
    ]
    messages = build_messages(tmp_path, rules, history, "second question")
    assert [m.role for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0].content.startswith(system_prompt())
    assert "main.py" in messages[0].content
    assert messages[1:] == [history[0], history[1], ChatMessage("user", "second question")]
