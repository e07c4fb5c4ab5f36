"""The memory estimator against the worked example, a public report and hand-checked cases."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.engine.hardware import GIB, GpuInfo, HardwareInfo
from desktop.engine.memory import (
    FIT_RULES,
    HardwareBudget,
    ModelShape,
    RuntimeConfig,
    TensorInfo,
    comparable_size,
    estimate,
    kv_cache_per_layer,
    shape_from_show,
    tensor_bytes,
)
from tests.fakes.fake_ollama import default_models

WORKED_METAL = 5_560_649_728
WORKED_CUDA = 5_502_978_048
MISTRAL_FILE = 4_113_301_824
BIG = HardwareBudget("cuda", 64 * GIB, 128 * GIB)


def mistral_show(verbose: bool) -> dict:
    """/api/show of the fake's mistral:7b, built by the fake's own model description."""
    model = default_models()[0]
    show = {"details": model.details(), "model_info": model.info_dict(verbose=verbose)}
    if verbose:
        show["tensors"] = model.tensor_list()
    return show


def llama_shape(**changes) -> ModelShape:
    base = ModelShape("m", "llama", 32, 4096, 32, 8, 0, 0, 32768, 32768,
                      file_size_bytes=MISTRAL_FILE, quantization="Q4_0")
    return dataclasses.replace(base, **changes)


def test_worked_example_exact_from_tensors():
    shape = shape_from_show("mistral:7b", mistral_show(verbose=True), MISTRAL_FILE)
    assert shape.vocab_size == 32768 and len(shape.tensors) == 3 + 32 * 9
    metal = estimate(shape, RuntimeConfig(4096, gpu_kind="metal"), HardwareBudget("metal", 16 * GIB, 32 * GIB))
    cuda = estimate(shape, RuntimeConfig(4096), BIG)
    assert metal.total_bytes == WORKED_METAL
    assert cuda.total_bytes == WORKED_CUDA
    assert metal.weights_bytes == 3_926_917_120 + 110_116_864
    assert metal.kv_cache_bytes == 536_870_912
    assert metal.graph_bytes == 310_380_544
    assert metal.overhead_bytes == 512 * 2**20 + 122_716_160 + 16_777_216
    assert metal.fit == "gpu" and metal.gpu_bytes == metal.total_bytes and metal.cpu_percent == 0
    assert metal.gpu_layers == metal.total_layers == 33


def test_worked_example_within_one_percent_without_tensors():
    shape = shape_from_show("mistral:7b", mistral_show(verbose=False), MISTRAL_FILE)
    assert shape.tensors == ()
    result = estimate(shape, RuntimeConfig(4096, gpu_kind="metal"), HardwareBudget("metal", 16 * GIB, 32 * GIB))
    assert abs(result.total_bytes / WORKED_METAL - 1) < 0.01
    assert not result.weights_from_tensors


def test_parts_add_up_to_total():
    for budget in (BIG, HardwareBudget("cuda", 3 * GIB, 32 * GIB), HardwareBudget("cpu", 0, 32 * GIB)):
        r = estimate(llama_shape(), RuntimeConfig(8192), budget)
        assert r.weights_bytes + r.kv_cache_bytes + r.graph_bytes + r.overhead_bytes == r.total_bytes


# Public /api/ps reports, compared with the estimate on the catalog shape. Target: within ±3%.
# Each row: (source, model, num_ctx, num_parallel, GPU kind, reported size in bytes, allowed error).
# "ollama ps" prints decimal GB to one place, so a printed "4.0 GB" stands for 3.95–4.05e9 B: the
# allowed error for those is the ±3% target; byte-exact /api/ps figures get ±1%.
PUBLIC_PS_REPORTS = [
    # ollama/ollama-python#490 (2025-03): llama3.2:latest Q4_K_M, /api/ps size = size_vram =
    # 3,972,362,240 B; 0.6-era server defaults (num_ctx 2048, 4 parallel slots), CUDA.
    ("ollama-python#490", "llama3.2:3b", 2048, 4, "cuda", 3_972_362_240, 0.01),
    # ollama/ollama#11331 (2025-07-08, maintainer's example for the new CONTEXT column):
    # llama3.2:latest (a80c4f17acd5) "4.0 GB 100% GPU" at 4096 and "5.4 GB 100% GPU" at 8192.
    # The slot count is not shown; 2 slots is the setting that fits both rows (1 slot gives
    # 3.4 / 4.0 GB, 4 slots 5.4 / 8.2 GB). GPU kind not shown; the prompt is macOS's (Metal).
    ("ollama#11331", "llama3.2:3b", 4096, 2, "metal", 4.0e9, 0.03),
    ("ollama#11331", "llama3.2:3b", 8192, 2, "metal", 5.4e9, 0.03),
]


@pytest.mark.parametrize(("source", "tag", "num_ctx", "parallel", "kind", "reported", "allowed"), PUBLIC_PS_REPORTS)
def test_public_ps_reports(source, tag, num_ctx, parallel, kind, reported, allowed):
    from desktop.engine.catalog import find_model, load_catalog

    shape = find_model(load_catalog(), tag).shape
    result = estimate(shape, RuntimeConfig(num_ctx, num_parallel=parallel, gpu_kind=kind),
                      HardwareBudget(kind, 16 * GIB, 32 * GIB))
    error = result.total_bytes / reported - 1
    assert abs(error) < allowed, f"{source}: estimate {result.total_bytes:,} vs reported {reported:,.0f} ({error:+.2%})"
    assert result.fit == "gpu"  # every report says 100% GPU


def test_slot_count_decides_the_11331_report():
    # The #11331 figures rule out 1 and 4 slots: only the total context (num_ctx × slots) matters.
    from desktop.engine.catalog import find_model, load_catalog

    shape = find_model(load_catalog(), "llama3.2:3b").shape
    budget = HardwareBudget("metal", 16 * GIB, 32 * GIB)

    def size(ctx: int, slots: int) -> int:
        return estimate(shape, RuntimeConfig(ctx, num_parallel=slots, gpu_kind="metal"), budget).total_bytes

    assert size(4096, 2) == size(8192, 1) == size(2048, 4)
    assert abs(size(4096, 1) / 4.0e9 - 1) > 0.03 and abs(size(8192, 4) / 5.4e9 - 1) > 0.03


def test_gqa_codellama_needs_four_times_the_kv_of_mistral():
    mistral = kv_cache_per_layer(llama_shape(), 4096, 512, RuntimeConfig(4096))
    codellama = kv_cache_per_layer(llama_shape(head_count_kv=32), 4096, 512, RuntimeConfig(4096))
    assert sum(mistral) == 4096 * 131_072
    assert sum(codellama) == 4 * sum(mistral) == 4096 * 524_288


def test_per_layer_kv_heads_are_honoured():
    heads_kv = tuple(8 if i % 2 else 0 for i in range(32))  # e.g. layers without attention
    sizes = kv_cache_per_layer(llama_shape(head_count_kv=heads_kv), 1000, 512, RuntimeConfig(1000))
    assert sizes[0] == 0 and sizes[1] == 1000 * 256 * 8 * 2
    assert sum(sizes) == 16 * sizes[1]


def test_gemma3_sliding_window_five_of_six_layers():
    shape = ModelShape("g", "gemma3", 12, 2560, 8, 4, 256, 256, 262208, 131072, sliding_window=1024,
                       file_size_bytes=3 * 10**9, quantization="Q4_K_M", tied_embeddings=True)
    sizes = kv_cache_per_layer(shape, 32768, 512, RuntimeConfig(32768))
    window_layer = (1024 + 512) * 512 * 4 * 2
    global_layer = 32768 * 512 * 4 * 2
    assert [i for i, s in enumerate(sizes) if s == global_layer] == [5, 11]
    assert all(s == window_layer for i, s in enumerate(sizes) if i not in (5, 11))
    two_slots = kv_cache_per_layer(shape, 65536, 512, RuntimeConfig(32768, num_parallel=2))
    assert two_slots[0] == (2 * 1024 + 512) * 512 * 4 * 2


def test_gemma2_window_is_ignored_like_ollama():
    shape = ModelShape("g2", "gemma2", 6, 3584, 16, 8, 256, 256, 256000, 8192, sliding_window=4096)
    assert set(kv_cache_per_layer(shape, 8192, 512, RuntimeConfig(8192))) == {8192 * 512 * 8 * 2}


def test_kv_cache_type_needs_flash_attention():
    shape = llama_shape()
    f16 = estimate(shape, RuntimeConfig(4096), BIG).kv_cache_bytes
    q8_off = estimate(shape, RuntimeConfig(4096, kv_cache_type="q8_0"), BIG).kv_cache_bytes
    q8_on = estimate(shape, RuntimeConfig(4096, kv_cache_type="q8_0", flash_attention=True), BIG).kv_cache_bytes
    q4_on = estimate(shape, RuntimeConfig(4096, kv_cache_type="q4_0", flash_attention=True), BIG).kv_cache_bytes
    assert q8_off == f16 and q8_on == f16 // 2 and q4_on == f16 // 4


def test_parallel_slots_multiply_the_context():
    one = estimate(llama_shape(), RuntimeConfig(4096), BIG)
    four = estimate(llama_shape(), RuntimeConfig(4096, num_parallel=4), BIG)
    assert four.kv_cache_bytes == 4 * one.kv_cache_bytes
    assert four.total_bytes > one.total_bytes


def test_partial_offload_split():
    shape = shape_from_show("mistral:7b", mistral_show(verbose=True), MISTRAL_FILE)
    result = estimate(shape, RuntimeConfig(4096), HardwareBudget("cuda", 3 * GIB, 32 * GIB))
    assert result.fit == "partial"
    assert 0 < result.gpu_layers < result.total_layers
    assert 0 < result.gpu_bytes < 3 * GIB < result.total_bytes
    assert 0 < result.cpu_percent < 100
    # Partial offload uses the (larger) partial graph on CUDA.
    assert result.graph_bytes > estimate(shape, RuntimeConfig(4096), BIG).graph_bytes
    # Layer by layer: one more layer would not have fitted.
    per_layer = 122_716_160 + 16_777_216
    assert result.gpu_bytes + per_layer >= 3 * GIB - result.graph_bytes


def test_cpu_only_and_too_large():
    cpu = estimate(llama_shape(), RuntimeConfig(4096, gpu_kind="cpu"), HardwareBudget("cpu", 0, 16 * GIB))
    assert cpu.fit == "cpu" and cpu.gpu_bytes == 0 and cpu.overhead_bytes == 0 and cpu.cpu_percent == 100
    tiny_gpu = estimate(llama_shape(), RuntimeConfig(4096), HardwareBudget("cuda", GIB // 2, 16 * GIB))
    assert tiny_gpu.fit == "cpu" and tiny_gpu.gpu_layers == 0
    too_large = estimate(llama_shape(), RuntimeConfig(4096), HardwareBudget("cpu", 0, 2 * GIB))
    assert too_large.fit == "too_large"


def test_badge_changes_when_context_grows():
    shape = llama_shape()
    budget = HardwareBudget("metal", int(5.7 * 10**9), 8 * GIB)
    assert estimate(shape, RuntimeConfig(2048, gpu_kind="metal"), budget).fit == "gpu"
    assert estimate(shape, RuntimeConfig(32768, gpu_kind="metal"), budget).fit != "gpu"


def test_unified_memory_counts_gpu_part_against_ram():
    # 24 GiB of Metal share on a machine with less RAM left is still too large overall.
    result = estimate(llama_shape(), RuntimeConfig(4096, gpu_kind="metal"), HardwareBudget("metal", 24 * GIB, 4 * GIB))
    assert result.fit == "too_large"


def test_budget_from_hardware():
    apple = HardwareInfo("macOS", "Apple M2", 16 * GIB, 8 * GIB,
                         (GpuInfo("Apple M2 GPU", "Apple", int(16 * GIB * 2 / 3), 0, unified=True),))
    assert HardwareBudget.from_hardware(apple) == HardwareBudget("metal", int(16 * GIB * 2 / 3), 16 * GIB)
    intel = HardwareInfo("macOS", "Intel Core i9", 32 * GIB, 8 * GIB)
    assert HardwareBudget.from_hardware(intel) == HardwareBudget("cpu", 0, 32 * GIB)
    nvidia = HardwareInfo("Linux", "x", 64 * GIB, 32 * GIB, (GpuInfo("RTX", "NVIDIA", 24 * GIB, 1 * GIB),))
    assert HardwareBudget.from_hardware(nvidia) == HardwareBudget("cuda", 23 * GIB, 64 * GIB)
    amd = HardwareInfo("Linux", "x", 64 * GIB, 32 * GIB, (GpuInfo("AMD", "AMD", 16 * GIB, 0),))
    assert HardwareBudget.from_hardware(amd).gpu_kind == "rocm"


def test_newer_servers_report_without_overhead():
    result = estimate(llama_shape(), RuntimeConfig(4096), BIG)
    assert comparable_size(result, "0.11.4") == result.total_bytes
    assert comparable_size(result, "0.12.11") == result.total_bytes - result.overhead_bytes
    assert comparable_size(result, "0.13.0-rc1") == result.total_bytes - result.overhead_bytes


def test_tensor_bytes_by_type():
    assert tensor_bytes("Q4_0", 32) == 18
    assert tensor_bytes("Q6_K", 256) == 210
    assert tensor_bytes("F32", 10) == 40
    assert TensorInfo("x", "Q8_0", (64, 2)).size_bytes == 4 * 34
    assert tensor_bytes("NEW_TYPE", 10) == 20  # unknown types count as F16


@pytest.mark.parametrize("show", [{}, {"model_info": []}, {"model_info": {"general.architecture": "llama"}}])
def test_shape_from_show_rejects_answers_without_layers(show):
    with pytest.raises(ValueError):
        shape_from_show("x", show)


def test_shape_from_show_skips_malformed_tensors_and_reads_per_layer_lists():
    info = {"general.architecture": "llama", "llama.block_count": 2, "llama.embedding_length": 64,
            "llama.attention.head_count": [4, 4], "llama.attention.head_count_kv": [2, 0],
            "llama.context_length": 1024, "llama.vocab_size": 100}
    shape = shape_from_show("x", {"model_info": info, "tensors": [{"name": 3}, "junk",
                                                                   {"name": "blk.0.a", "type": "F16", "shape": [8]}]})
    assert shape.head_count_kv == (2, 0) and shape.kv_heads(1) == 0
    assert shape.tensors == (TensorInfo("blk.0.a", "F16", (8,)),)


def test_breakdown_names_the_parts_and_thresholds():
    text = estimate(llama_shape(), RuntimeConfig(4096), BIG).breakdown()
    for word in ("Weights", "Context cache", "Compute graph", "reserve", "Total"):
        assert word in text
    assert FIT_RULES in text
