"""The curated model catalog (``resources/models/catalog.json``) and the coder recommendation.

The catalog is data: each entry carries the facts the memory estimator needs, what the
model is good at, its licence and the sources of its figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from desktop.core.assets import resource_path
from desktop.engine.memory import HardwareBudget, MemoryEstimate, ModelShape, RuntimeConfig, estimate

PURPOSES = ("code", "chat", "fim", "embedding")


@dataclass(frozen=True)
class CatalogModel:
    """A model Hearth can suggest before it is downloaded."""

    tag: str
    family: str
    parameters: str
    quantization: str
    size_bytes: int
    purposes: tuple[str, ...]
    licence: str
    summary: str
    sources: tuple[str, ...]
    shape: ModelShape
    note: str = ""


def load_catalog(path: Path | None = None) -> tuple[CatalogModel, ...]:
    """The catalog's models, in file order. Raises ``ValueError`` on a malformed file."""
    return _load(path or resource_path("models", "catalog.json"))


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[CatalogModel, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("models") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: no 'models' list")
    return tuple(_entry(item, path) for item in entries)


def _entry(item: Any, path: Path) -> CatalogModel:
    try:
        raw = item["shape"]
        shape = ModelShape(
            name=item["tag"],
            architecture=raw["architecture"],
            block_count=int(raw["block_count"]),
            embedding_length=int(raw["embedding_length"]),
            head_count=_heads(raw["head_count"]),
            head_count_kv=_heads(raw["head_count_kv"]),
            key_length=int(raw.get("key_length", 0)),
            value_length=int(raw.get("value_length", 0)),
            vocab_size=int(raw["vocab_size"]),
            context_length=int(raw["context_length"]),
            sliding_window=int(raw.get("sliding_window", 0)),
            file_size_bytes=int(item["size_bytes"]),
            quantization=item["quantization"],
            parameter_count=int(raw.get("parameter_count", 0)),
            tied_embeddings=bool(raw.get("tied_embeddings", False)),
        )
        purposes = tuple(item["purposes"])
        if not set(purposes) <= set(PURPOSES) or not item["sources"]:
            raise ValueError("unknown purpose or no source")
        return CatalogModel(
            tag=item["tag"], family=item["family"], parameters=item["parameters"],
            quantization=item["quantization"], size_bytes=int(item["size_bytes"]), purposes=purposes,
            licence=item["licence"], summary=item["summary"], sources=tuple(item["sources"]),
            shape=shape, note=item.get("note", ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        tag = item.get("tag", "?") if isinstance(item, dict) else "?"
        raise ValueError(f"{path}: catalog entry {tag} is malformed ({exc})") from None


def _heads(value: Any) -> int | tuple[int, ...]:
    return tuple(int(v) for v in value) if isinstance(value, list) else int(value)


def find_model(catalog: Iterable[CatalogModel], tag: str) -> CatalogModel | None:
    """The entry for ``tag`` (``x`` also matches ``x:latest``)."""
    for model in catalog:
        if model.tag == tag or model.tag == f"{tag}:latest":
            return model
    return None


RECOMMEND_HEADROOM = 0.9  # share of usable GPU memory a recommended model may need


def recommend_coder(
    catalog: Iterable[CatalogModel], runtime: RuntimeConfig, budget: HardwareBudget
) -> tuple[CatalogModel, MemoryEstimate, str] | None:
    """The largest coding model that runs fully on the GPU at ``runtime``, and why.

    "Largest" is by size on disk (a proxy for capability within the catalog). A model
    is recommended only if it needs at most ``RECOMMEND_HEADROOM`` of the usable GPU
    memory: the desktop, the browser and the editor use some too, and a model that
    only just fits spills to the CPU the moment they do. None when no coder qualifies.
    """
    best: tuple[CatalogModel, MemoryEstimate] | None = None
    for model in catalog:
        if "code" not in model.purposes:
            continue
        result = estimate(model.shape, runtime, budget)
        roomy = result.total_bytes <= RECOMMEND_HEADROOM * budget.vram_bytes
        if result.fit == "gpu" and roomy and (best is None or model.size_bytes > best[0].size_bytes):
            best = (model, result)
    if best is None:
        return None
    model, result = best
    reason = (
        f"{model.tag} is the largest coding model in the catalog that runs fully on this GPU at "
        f"{runtime.num_ctx:,} tokens of context with room to spare: it needs about "
        f"{result.total_bytes / 2**30:.1f} GiB of the {budget.vram_bytes / 2**30:.1f} GiB available "
        f"(at most {RECOMMEND_HEADROOM:.0%} is used for a recommendation)."
    )
    return model, result, reason
