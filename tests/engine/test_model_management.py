"""Pull, loaded models, show, delete and unload against the fake Ollama server."""

from __future__ import annotations

import threading

import pytest

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.errors import ModelNotFound, ServerNotRunning
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.engine.factory import DeferredEngine
from desktop.engine.memory import shape_from_show
from desktop.engine.models import LoadedModel, PullProgress, disk_shortfall, disk_space_problem, free_disk_bytes, ollama_models_dir
from desktop.engine.ollama_engine import OllamaEngine


@pytest.fixture
def engine(fake_ollama):
    eng = OllamaEngine(fake_ollama.host)
    yield eng
    eng.close()


def test_pull_streams_progress_and_installs(engine, fake_ollama):
    lines = list(engine.pull("tinyllama:1b", CancelToken()))
    assert lines[0] == PullProgress("pulling manifest")
    sized = [p for p in lines if p.total]
    assert sized and sized[-1].completed == sized[-1].total == fake_ollama.pull_total
    assert [p.completed for p in sized] == sorted(p.completed for p in sized)
    assert lines[-1].done
    assert any(m.name == "tinyllama:1b" for m in engine.list_models())


def test_pull_unknown_tag_fails_in_stream_with_typed_error(engine):
    with pytest.raises(ModelNotFound) as caught:
        list(engine.pull("missing-thing:7b", CancelToken()))
    assert caught.value.model == "missing-thing:7b"
    assert "ollama.com/library" in caught.value.hint


def test_pull_cancel_closes_the_stream_and_a_later_pull_resumes(engine, fake_ollama):
    fake_ollama.pull_steps = 50
    fake_ollama.pull_step_delay = 0.05
    token = CancelToken()
    seen: list[PullProgress] = []
    with pytest.raises(Cancelled):
        for progress in engine.pull("slow:1b", token):
            seen.append(progress)
            if progress.completed > 0:
                token.cancel()
    assert fake_ollama.find_model("slow:1b") is None
    partial = seen[-1].completed
    assert 0 < partial < fake_ollama.pull_total
    fake_ollama.pull_step_delay = 0.0
    again = [p.completed for p in engine.pull("slow:1b", CancelToken()) if p.total]
    assert again[0] >= partial  # resumed, not restarted
    assert fake_ollama.find_model("slow:1b") is not None


def test_pull_cancel_from_another_thread_while_waiting(engine, fake_ollama):
    fake_ollama.pull_step_delay = 5.0
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    with pytest.raises(Cancelled):
        list(engine.pull("stuck:1b", token))


def test_loaded_models_report_ps_figures(engine, fake_ollama):
    fake_ollama.loaded["mistral:7b"] = 4096
    fake_ollama.ps_figures["mistral:7b"] = (5_560_649_728, 2_780_324_864)
    loaded = engine.loaded_models()
    assert loaded == [LoadedModel("mistral:7b", 5_560_649_728, 2_780_324_864, 4096, "2099-01-01T00:00:00Z")]
    assert loaded[0].cpu_percent == 50 and loaded[0].processor == "50%/50% CPU/GPU"


def test_unload_frees_the_model(engine, fake_ollama):
    fake_ollama.loaded["mistral:7b"] = 4096
    engine.unload_model("mistral:7b")
    assert engine.loaded_models() == []
    body = fake_ollama.requests[-2].body
    assert body == {"model": "mistral:7b", "keep_alive": 0}


def test_delete_removes_and_unknown_is_typed(engine, fake_ollama):
    engine.delete_model("qwen3:8b")
    assert fake_ollama.find_model("qwen3:8b") is None
    with pytest.raises(ModelNotFound):
        engine.delete_model("qwen3:8b")
    with pytest.raises(ModelNotFound):
        engine.unload_model("nope:1b")


def test_show_raw_verbose_has_tensors_and_full_vocab(engine):
    plain = engine.show_raw("mistral:7b")
    verbose = engine.show_raw("mistral:7b", verbose=True)
    assert "tensors" not in plain and plain["model_info"]["tokenizer.ggml.tokens"] == []
    assert len(verbose["model_info"]["tokenizer.ggml.tokens"]) == 32768
    assert shape_from_show("mistral:7b", verbose).tensors
    with pytest.raises(ModelNotFound):
        engine.show_raw("nope:1b")


def test_server_down_is_typed(free_local_port):
    engine = OllamaEngine(f"http://127.0.0.1:{free_local_port}", connect_timeout=1.0)
    with pytest.raises(ServerNotRunning):
        engine.loaded_models()
    with pytest.raises(ServerNotRunning):
        list(engine.pull("x", CancelToken()))


def test_deferred_engine_forwards_management(fake_ollama):
    engine = DeferredEngine(Settings(host=fake_ollama.host), SecretStore())
    fake_ollama.loaded["mistral:7b"] = 2048
    assert [m.name for m in engine.loaded_models()] == ["mistral:7b"]
    engine.unload_model("mistral:7b")
    assert engine.show_raw("mistral:7b")["details"]["quantization_level"] == "Q4_0"
    assert list(engine.pull("tiny:1b", CancelToken()))[-1].done
    engine.delete_model("tiny:1b")
    assert fake_ollama.find_model("tiny:1b") is None


def test_disk_check(tmp_path):
    assert ollama_models_dir({"OLLAMA_MODELS": str(tmp_path)}) == tmp_path
    assert ollama_models_dir({}, home=tmp_path) == tmp_path / ".ollama" / "models"
    assert free_disk_bytes(tmp_path / "not" / "yet") is not None
    assert disk_shortfall(10 * 10**9, 4 * 10**9) == 0
    assert disk_shortfall(4 * 10**9, 4 * 10**9) == 2 * 10**8
    assert disk_shortfall(None, 4 * 10**9) == 0 and disk_shortfall(10, 0) == 0


def test_disk_space_problem_names_the_model_and_what_is_missing(tmp_path):
    assert disk_space_problem("tiny:1b", 0, tmp_path) is None  # size unknown: nothing to check
    assert disk_space_problem("tiny:1b", 1000, tmp_path) is None
    problem = disk_space_problem("huge:900b", 10**18, tmp_path / "not" / "made" / "yet")
    assert problem is not None
    assert "huge:900b" in problem.message and "more are needed" in problem.message and problem.hint
