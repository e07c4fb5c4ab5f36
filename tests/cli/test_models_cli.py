"""`hearth models`, `hearth fit` and `hearth pull`, run as subprocesses against the fake server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from tests.cli.test_cli import hearth

PARTS = ("weights_bytes", "kv_cache_bytes", "graph_bytes", "overhead_bytes")


def test_fit_installed_model_json_matches_worked_example(fake_ollama):
    result = hearth("fit", "mistral:7b", "--ctx", "4096", "--gpu", "metal", "--vram", "16", "--ram", "32",
                    "--json", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "mistral:7b" and data["num_ctx"] == 4096
    assert data["total_bytes"] == 5_560_649_728 == data["gpu_bytes"]
    assert sum(data[p] for p in PARTS) == data["total_bytes"]
    assert data["fit"] == "gpu" and data["source"] == "server"


def test_fit_catalog_model_partial_and_too_large(fake_ollama):
    partial = json.loads(hearth("fit", "qwen2.5-coder:32b", "--gpu", "cuda", "--vram", "8", "--ram", "64",
                                "--json", "--host", fake_ollama.host).stdout)
    assert partial["fit"] == "partial" and 0 < partial["gpu_bytes"] < partial["total_bytes"]
    assert partial["source"] == "catalog"
    too_large = json.loads(hearth("fit", "qwen2.5-coder:32b", "--gpu", "cpu", "--ram", "8", "--json",
                                  "--host", fake_ollama.host).stdout)
    assert too_large["fit"] == "too_large" and too_large["gpu_bytes"] == 0


def test_fit_parallel_grows_the_cache(fake_ollama):
    def kv(*extra):
        out = hearth("fit", "mistral:7b", "--ctx", "4096", "--gpu", "cuda", "--vram", "24", "--ram", "32",
                     "--json", "--host", fake_ollama.host, *extra).stdout
        return json.loads(out)["kv_cache_bytes"]

    assert kv("--parallel", "2") == 2 * kv()


def test_fit_catalog_model_works_with_the_server_down(free_local_port):
    result = hearth("fit", "gemma3:4b", "--gpu", "metal", "--vram", "10.7", "--ram", "16", "--json",
                    "--host", f"http://127.0.0.1:{free_local_port}")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fit"] == "gpu"


def test_fit_text_output_shows_badge_and_breakdown(fake_ollama):
    result = hearth("fit", "mistral:7b", "--gpu", "cuda", "--vram", "24", "--ram", "32", "--host", fake_ollama.host)
    assert result.returncode == 0
    assert result.stdout.startswith("Runs on GPU") and "Context cache" in result.stdout


def test_fit_unknown_model_and_bad_flags(fake_ollama):
    unknown = hearth("fit", "no-such-model:1b", "--host", fake_ollama.host)
    assert unknown.returncode == 2 and "neither installed" in unknown.stderr
    for bad in (["--ctx", "0"], ["--ctx", "lots"], ["--vram", "-1"], ["--gpu", "tpu"]):
        result = hearth("fit", "mistral:7b", *bad, "--host", fake_ollama.host)
        assert result.returncode == 2, bad
        assert "Traceback" not in result.stderr


def test_models_json_lists_installed_and_loaded(fake_ollama):
    fake_ollama.loaded["qwen2.5-coder:7b"] = 8192
    result = hearth("models", "--json", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    names = [row["model"] for row in data["installed"]]
    assert names == sorted(m.name for m in fake_ollama.models)
    mistral = next(row for row in data["installed"] if row["model"] == "mistral:7b")
    assert mistral["num_ctx"] == 8192 and mistral["total_bytes"] > mistral["size_bytes"]
    assert mistral["fit"] in ("gpu", "partial", "cpu", "too_large")
    assert data["loaded"][0]["model"] == "qwen2.5-coder:7b" and data["loaded"][0]["context_length"] == 8192


def test_models_text_and_server_down(fake_ollama, free_local_port):
    result = hearth("models", "--host", fake_ollama.host)
    assert result.returncode == 0 and "mistral:7b" in result.stdout and "Loaded: none" in result.stdout
    down = hearth("models", "--host", f"http://127.0.0.1:{free_local_port}")
    assert down.returncode == 1 and down.stderr.startswith("hearth: ") and "Traceback" not in down.stderr


def test_pull_shows_progress_and_installs(fake_ollama, tmp_path):
    result = hearth("pull", "tinyllama:1b", "--host", fake_ollama.host, env_extra={"OLLAMA_MODELS": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "pulling manifest" in result.stdout and "[####" in result.stdout and "success" in result.stdout
    assert fake_ollama.find_model("tinyllama:1b") is not None


def test_pull_unknown_tag_exits_1(fake_ollama, tmp_path):
    result = hearth("pull", "missing-model:1b", "--host", fake_ollama.host, env_extra={"OLLAMA_MODELS": str(tmp_path)})
    assert result.returncode == 1
    assert "no model called missing-model:1b" in result.stderr and "Traceback" not in result.stderr


def test_pull_ctrl_c_cancels_cleanly(fake_ollama, tmp_path):
    fake_ollama.pull_steps = 100
    fake_ollama.pull_step_delay = 0.1
    env = dict(os.environ, OLLAMA_MODELS=str(tmp_path))
    # As from a terminal: a shell's background job (CI started with `&`) passes SIGINT on
    # ignored, and Python then keeps ignoring it, so Ctrl+C is put back first.
    start = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
             "sys.argv[0] = 'hearth'; runpy.run_module('desktop', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", start, "pull", "slow:1b", "--host", fake_ollama.host],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    first = proc.stdout.readline()  # "pulling manifest": the stream is open
    assert first.strip() == "pulling manifest"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert "cancelled" in err and "resumes" in err and "Traceback" not in err
    assert fake_ollama.find_model("slow:1b") is None
