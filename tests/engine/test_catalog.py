"""The curated catalog: complete, sourced, loadable; and the coder recommendation."""

from __future__ import annotations

import json

import pytest

from desktop.engine.catalog import PURPOSES, RECOMMEND_HEADROOM, find_model, load_catalog, recommend_coder
from desktop.engine.memory import GIB, HardwareBudget, RuntimeConfig, estimate

REQUIRED = ["codellama:7b", "codellama:13b", "codellama:34b", "mistral:7b", "phi3:mini", "phi3:medium",
            "gemma:2b", "gemma:7b", "gemma2:9b", "gemma3:1b", "gemma3:4b", "gemma3:12b", "llama3:8b",
            "llama3.1:8b", "llama3.2:3b", "qwen2.5-coder:1.5b", "qwen2.5-coder:7b", "qwen2.5-coder:14b",
            "qwen2.5-coder:32b", "deepseek-coder-v2:16b", "starcoder2:3b", "starcoder2:7b",
            "starcoder2:15b", "codegemma:7b", "nomic-embed-text:latest"]


def test_catalog_has_every_required_model_with_sources():
    catalog = load_catalog()
    for tag in REQUIRED:
        model = find_model(catalog, tag)
        assert model is not None, tag
        assert model.sources and all(s.startswith("https://") for s in model.sources)
        assert model.licence and model.summary and set(model.purposes) <= set(PURPOSES)
        assert model.shape.block_count > 0 and model.shape.vocab_size > 0 and model.size_bytes > 0


def test_every_catalog_model_gets_an_estimate():
    budget = HardwareBudget("cuda", 24 * GIB, 32 * GIB)
    for model in load_catalog():
        result = estimate(model.shape, RuntimeConfig(4096), budget)
        assert result.total_bytes > model.size_bytes // 2, model.tag


def test_deepseek_key_and_value_sizes_differ():
    shape = find_model(load_catalog(), "deepseek-coder-v2:16b").shape
    assert (shape.key_length, shape.value_length) == (192, 128)


def test_recommend_coder_picks_the_largest_that_fits_and_says_why():
    catalog = load_catalog()
    runtime = RuntimeConfig(8192)
    small = recommend_coder(catalog, runtime, HardwareBudget("cuda", 8 * GIB, 32 * GIB))
    large = recommend_coder(catalog, runtime, HardwareBudget("cuda", 24 * GIB, 64 * GIB))
    assert small is not None and large is not None
    assert small[1].fit == "gpu" and large[1].fit == "gpu"
    assert large[0].size_bytes > small[0].size_bytes
    assert large[0].tag in large[2] and "8,192" in large[2]
    # Every larger coder either does not fit on the GPU or leaves less than the headroom.
    budget = HardwareBudget("cuda", 24 * GIB, 64 * GIB)
    for model in catalog:
        if "code" in model.purposes and model.size_bytes > large[0].size_bytes:
            result = estimate(model.shape, runtime, budget)
            assert result.fit != "gpu" or result.total_bytes > RECOMMEND_HEADROOM * budget.vram_bytes, model.tag


def test_recommend_coder_none_without_a_gpu():
    assert recommend_coder(load_catalog(), RuntimeConfig(8192, gpu_kind="cpu"), HardwareBudget("cpu", 0, 64 * GIB)) is None


@pytest.mark.parametrize("content", ["[]", '{"models": [{"tag": "x"}]}', "not json"])
def test_malformed_catalog_is_reported(tmp_path, content):
    path = tmp_path / "catalog.json"
    path.write_text(content)
    with pytest.raises(ValueError):
        load_catalog(path)


def test_catalog_file_entries_cite_sources():
    from desktop.core.assets import resource_path

    data = json.loads(resource_path("models", "catalog.json").read_text())
    assert all(entry["sources"] for entry in data["models"])


CODE_FAMILIES = {"codellama", "qwen2.5-coder", "deepseek-coder-v2", "starcoder2", "codegemma"}


def test_only_code_specialised_models_carry_code_and_every_entry_says_what_was_verified():
    from desktop.core.assets import resource_path

    data = json.loads(resource_path("models", "catalog.json").read_text())
    for entry in data["models"]:
        assert entry.get("verified"), entry["tag"]
        family = entry["tag"].split(":")[0]
        assert ("code" in entry["purposes"]) == (family in CODE_FAMILIES), entry["tag"]
        if "fim" in entry["purposes"]:
            assert family in CODE_FAMILIES, entry["tag"]
    embed = find_model(load_catalog(), "nomic-embed-text")
    assert embed is not None and embed.purposes == ("embedding",)


@pytest.mark.parametrize(("tag", "size", "quant"), [
    # Byte sizes seen in public /api/tags outputs (see each entry's "verified").
    ("mistral:7b", 4_372_824_384, "Q4_K_M"),
    ("llama3.1:8b", 4_920_753_328, "Q4_K_M"),
    ("llama3.2:3b", 2_019_393_189, "Q4_K_M"),
    ("qwen2.5-coder:7b", 4_683_087_561, "Q4_K_M"),
    ("qwen2.5-coder:14b", 8_988_124_298, "Q4_K_M"),
    ("gemma3:4b", 3_338_801_804, "Q4_K_M"),
])
def test_sizes_confirmed_from_public_tags_listings(tag, size, quant):
    model = find_model(load_catalog(), tag)
    assert (model.size_bytes, model.quantization) == (size, quant)


def test_starcoder2_small_models_tie_embeddings_and_15b_does_not():
    catalog = load_catalog()
    tied = {tag: find_model(catalog, tag).shape.tied_embeddings for tag in ("starcoder2:3b", "starcoder2:7b", "starcoder2:15b")}
    assert tied == {"starcoder2:3b": True, "starcoder2:7b": True, "starcoder2:15b": False}
