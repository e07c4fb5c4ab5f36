"""Planned prompts against what a (fake) Ollama server really counts, over HTTP.

The fake server's ``count_tokens`` plays a tokenizer; the plan's budget must hold for
the count it reports for the whole prompt.
"""

from __future__ import annotations

import json

import pytest

from desktop.assist.chat_service import ChatService
from desktop.assist.context import (
    CALIBRATION_FILE,
    CALIBRATION_SAMPLES,
    ContextTooSmall,
    TokenCalibration,
    context_needed,
    prompt_budget,
)
from desktop.assist.conversations import ConversationStore
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatOptions
from desktop.core.paths import HearthPaths, project_key
from desktop.engine.ollama_engine import OllamaEngine
from desktop.index.indexer import ensure_index
from desktop.index.store import index_db_path
from tests.assist.test_chat_service_context import CACHE_PY

MODEL = "qwen2.5-coder:7b"


def byte_fallback_tokens(text: str) -> int:
    """A tokenizer at its worst outside its vocabulary: one token per UTF-8 byte there."""
    ascii_chars = len(text.encode("ascii", "ignore"))
    return ascii_chars // 4 + len(text.encode("utf-8")) - ascii_chars


@pytest.fixture
def paths() -> HearthPaths:
    return HearthPaths.from_env().ensure()


@pytest.fixture
def service(tmp_path, paths, fake_ollama):
    root = tmp_path / "project"
    (root / "store").mkdir(parents=True)
    (root / "store" / "cache.py").write_text(CACHE_PY, encoding="utf-8")
    ensure_index(root, paths)
    store = ConversationStore(paths.chats_db)
    service = ChatService(store, root, OllamaEngine(fake_ollama.host), index_db=index_db_path(paths, root),
                          calibration=TokenCalibration(paths.data_dir / CALIBRATION_FILE))
    yield service
    service.close()
    store.close()


def ask(service: ChatService, question: str, num_ctx: int = 4096) -> int:
    """Ask in a new chat; the prompt_eval_count the server reported."""
    chat = service.store.create_conversation(project_key(service.project_root)).id
    list(service.send(chat, question, MODEL, ChatOptions(num_ctx=num_ctx), CancelToken()))
    return service.store.messages(chat)[-1].stats.prompt_eval_count


@pytest.mark.parametrize("question", [
    "请解释下面的日志并告诉我缓存为什么清空了旧的条目。" * 20,
    "Why does the cache log print these? " + "🔥🚀✅" * 120,
], ids=["cjk", "emoji"])
def test_a_question_outside_ascii_fits_the_budget_by_the_servers_count(service, fake_ollama, question):
    fake_ollama.count_tokens = byte_fallback_tokens
    for _ in range(2):  # the second question is planned with what the first taught
        counted = ask(service, question)
        plan = service.last_context()
        assert counted <= plan.used_tokens <= plan.budget_tokens


def test_a_cjk_question_longer_than_the_context_is_refused_not_cut(service, fake_ollama):
    fake_ollama.count_tokens = byte_fallback_tokens
    with pytest.raises(ContextTooSmall):
        ask(service, "请解释下面的日志并告诉我缓存为什么清空了旧的条目。" * 160)
    assert fake_ollama.last_chat_body is None


@pytest.mark.parametrize("num_ctx", [1024, 1280])
def test_a_small_context_still_answers(service, fake_ollama, num_ctx):
    counted = ask(service, "hi", num_ctx)
    plan = service.last_context()
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == num_ctx
    assert counted <= plan.used_tokens <= plan.budget_tokens == prompt_budget(num_ctx)


def test_a_context_too_small_for_the_instructions_says_what_to_set(service, fake_ollama):
    with pytest.raises(ContextTooSmall) as caught:
        ask(service, "hi", 512)
    assert fake_ollama.last_chat_body is None
    assert "num_ctx 512" in caught.value.message and "instructions alone" in caught.value.message
    suggested = int(caught.value.hint.split("at least ")[1].split()[0].replace(",", ""))
    assert suggested == 1024
    ask(service, "hi", suggested)  # what the message says to set is enough
    assert fake_ollama.last_chat_body["options"]["num_ctx"] == suggested


@pytest.mark.parametrize("tokens", [1, 255, 256, 257, 500, 1024, 1025, 3072, 3073, 3074, 10_000])
def test_context_needed_is_the_smallest_step_that_holds_the_prompt(tokens):
    needed = context_needed(tokens)
    assert needed % 1024 == 0
    assert prompt_budget(needed) >= tokens
    assert needed == 1024 or prompt_budget(needed - 1024) < tokens


# --- calibration against a server that reuses the cached start of a prompt ----------------


def _whole_count(fake_ollama) -> int:
    return fake_ollama.whole_prompt_count(fake_ollama.last_chat_body["messages"])


def test_counts_that_leave_out_a_cached_start_never_lower_the_factor(service, fake_ollama):
    fake_ollama.prefix_cache = True
    question = "why is the cache empty after evict_oldest runs twice? " * 110
    for n in range(CALIBRATION_SAMPLES + 3):  # enough to push a first, whole count out
        counted = ask(service, f"({n}) {question}")
        plan = service.last_context()
        assert counted < _whole_count(fake_ollama) or n == 0  # the system prompt was cached
        assert _whole_count(fake_ollama) <= plan.used_tokens <= plan.budget_tokens


def test_a_reload_at_another_num_ctx_makes_counts_whole_again(service, fake_ollama):
    fake_ollama.prefix_cache = True
    fake_ollama.count_tokens = lambda text: len(text) // 3  # a first model that takes more tokens
    ask(service, "Where is the cache eviction?")
    high = service.calibration.estimator(MODEL).factor
    fake_ollama.count_tokens = None  # characters / 4 from now on
    ask(service, "Where is the cache eviction, again?")  # cached start: cannot lower
    assert service.calibration.estimator(MODEL).factor == high
    for n in range(CALIBRATION_SAMPLES):  # each size change reloads the model: whole counts
        counted = ask(service, f"({n}) Where is the cache eviction?", 8192 if n % 2 == 0 else 4096)
        assert counted == _whole_count(fake_ollama)
    low = service.calibration.estimator(MODEL).factor
    assert low < high
    assert _whole_count(fake_ollama) <= service.last_context().used_tokens


def test_after_a_restart_hearth_knows_the_server_may_still_hold_its_prompt(service, paths, fake_ollama):
    fake_ollama.prefix_cache = True
    ask(service, "Where is the cache eviction? " * 40)
    first = json.loads((paths.data_dir / CALIBRATION_FILE).read_text())["models"][MODEL]
    service.calibration = TokenCalibration(paths.data_dir / CALIBRATION_FILE)  # as a new process would
    counted = ask(service, "How is the oldest entry found? " * 150)  # a long new part: most of the prompt
    assert counted < _whole_count(fake_ollama)
    assert json.loads((paths.data_dir / CALIBRATION_FILE).read_text())["models"][MODEL] == first
