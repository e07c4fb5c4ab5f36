"""`hearth ask` with a context length too small for the question: exit 2, one clear line."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import hearth


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "shop"
    root.mkdir()
    (root / "tax.py").write_text("def vat(amount):\n    return amount * 0.19\n", encoding="utf-8")
    return root


def _set_num_ctx(hearth_home, num_ctx: int) -> None:
    settings = hearth_home / "config" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"num_ctx": num_ctx}), encoding="utf-8")


def test_ask_refuses_a_context_too_small_for_the_instructions_with_exit_2(fake_ollama, project, hearth_home):
    _set_num_ctx(hearth_home, 512)
    result = hearth("ask", str(project), "hi", "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "num_ctx 512" in result.stderr and "at least 1,024" in result.stderr
    assert fake_ollama.last_chat_body is None  # nothing was sent


def test_ask_answers_with_a_small_context(fake_ollama, project, hearth_home):
    _set_num_ctx(hearth_home, 1024)
    fake_ollama.answer = "19%."
    result = hearth("ask", str(project), "hi", "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == 1024


def test_an_ask_that_failed_still_counts_as_a_prompt_the_server_may_hold(fake_ollama, project, hearth_home):
    from tests.fakes.fake_ollama import Fault

    fake_ollama.prefix_cache = True  # counts only what follows the start it holds from the last prompt
    fake_ollama.answer = "The rate is 19% for every amount."
    question = "Which rate does the vat function apply to an amount, and where is it set? " * 12
    fake_ollama.fault = Fault.DROP_MID_STREAM  # the prompt was read (and cached), the answer lost
    failed = hearth("ask", str(project), question, "--model", "mistral:7b", "--host", fake_ollama.host)
    assert failed.returncode == 1
    fake_ollama.fault = Fault.NONE
    second = hearth("ask", str(project), "And " + question, "--model", "mistral:7b", "--host", fake_ollama.host)
    assert second.returncode == 0, second.stderr
    calibration = json.loads((hearth_home / "data" / "token_calibration.json").read_text())
    assert calibration["models"].get("mistral:7b", []) == []  # a partial count taught nothing
