"""EditService against the fake Ollama server: stream the answer, then one proposal."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pytest

from desktop.assist.actions import SCOPE_SELECTION, Action, ActionContext, builtin_actions, resolve_context
from desktop.assist.edits.checks import resolve_target
from desktop.assist.edits.model import EditError, EditProposal, NoUsableEdit
from desktop.assist.edits.service import EditService
from desktop.assist.hooks import Hooks
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatMessage, ChatOptions, TextDelta
from desktop.engine.ollama_engine import OllamaEngine

SOURCE = "def area(w, h):\n    return w * h\n\n\ndef main():\n    print(area(2, 3))\n"


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "geo.py").write_text(SOURCE)
    return root


def edit_action() -> Action:
    return next(a for a in builtin_actions() if a.id == "edit")


def run(service: EditService, project: Path, instruction: str = "add type hints") -> list:
    target = resolve_target(project, Path("geo.py"), (1, 2))
    context = resolve_context(project, "geo.py", scope=SCOPE_SELECTION, selection_lines=(1, 2),
                              instruction=instruction)
    return list(service.stream(edit_action(), context, target, "mistral:7b", ChatOptions(num_ctx=4096),
                               CancelToken()))


def test_streams_the_answer_then_yields_the_proposal(fake_ollama, project):
    fake_ollama.answer = "Here it is:\n```python\ndef area(w: float, h: float) -> float:\n    return w * h\n```\n"
    items = run(EditService(OllamaEngine(fake_ollama.host)), project)
    deltas = [item for item in items if isinstance(item, TextDelta)]
    assert "".join(d.text for d in deltas) == fake_ollama.answer
    assert len(deltas) > 1  # streamed, not in one piece
    proposal = items[-1]
    assert isinstance(proposal, EditProposal) and proposal.action_id == "edit"
    assert proposal.new_text == SOURCE.replace("def area(w, h):", "def area(w: float, h: float) -> float:")
    prompt = "\n".join(m["content"] for m in fake_ollama.last_chat_body["messages"])
    assert "add type hints" in prompt and "return w * h" in prompt
    assert (project / "geo.py").read_text() == SOURCE  # proposing writes nothing


def test_hooks_add_variables_and_rewrite_the_prompt(fake_ollama, project):
    seen: dict[str, object] = {}

    class Plugin(Hooks):
        def context_will_be_built(self, action: Action, context: ActionContext) -> Mapping[str, str]:
            seen["context"] = context.relative
            return {"style": "numpy"}

        def prompt_will_be_sent(self, action: Action | None, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
            return [*messages[:-1], ChatMessage("user", messages[-1].content + "\nPLUGIN WAS HERE")]

    fake_ollama.answer = "```python\ndef area(w, h):\n    return h * w\n```"
    items = run(EditService(OllamaEngine(fake_ollama.host), Plugin()), project)
    assert isinstance(items[-1], EditProposal)
    assert seen["context"] == "geo.py"
    assert fake_ollama.last_chat_body["messages"][-1]["content"].endswith("PLUGIN WAS HERE")


def test_answer_without_code_raises_no_usable_edit(fake_ollama, project):
    fake_ollama.answer = "The function already looks fine to me."
    with pytest.raises(NoUsableEdit) as caught:
        run(EditService(OllamaEngine(fake_ollama.host)), project)
    assert caught.value.reason == "no-code"


def test_answer_cut_at_the_length_limit_makes_no_edit(fake_ollama, project):
    fake_ollama.answer = "```python\ndef area(w: float, h: float) -> float:\n"
    fake_ollama.done_reason = "length"
    with pytest.raises(EditError, match="cut at the length limit"):
        run(EditService(OllamaEngine(fake_ollama.host)), project)


def test_code_too_large_for_the_context_is_refused_before_anything_is_sent(fake_ollama, project):
    # 1,600 lines with num_ctx 4,096: the server would silently cut the prompt's start.
    big = "".join(f"def step_{n}(value):\n    return value * {n} + {n} // 3\n\n\n" for n in range(400))
    (project / "geo.py").write_text(big)
    target = resolve_target(project, Path("geo.py"), (1, 1600))
    context = resolve_context(project, "geo.py", scope=SCOPE_SELECTION, selection_lines=(1, 1600),
                              instruction="add docstrings")
    service = EditService(OllamaEngine(fake_ollama.host))
    with pytest.raises(EditError) as caught:
        list(service.stream(edit_action(), context, target, "mistral:7b", ChatOptions(num_ctx=4096), CancelToken()))
    assert "too much code for one edit with mistral:7b" in caught.value.message
    assert "holds 4,096" in caught.value.message and "Select fewer lines" in caught.value.hint
    assert fake_ollama.last_chat_body is None
    # The same edit fits a model given a larger context.
    fake_ollama.answer = "```python\n" + big.replace("// 3", "// 4") + "```\n"
    fake_ollama.tokens_per_second = None  # as fast as it can
    items = list(service.stream(edit_action(), context, target, "mistral:7b", ChatOptions(num_ctx=32768), CancelToken()))
    assert isinstance(items[-1], EditProposal)
