"""What the model picker shows, computed without widgets: rows, badges, texts.

Installed models come first (sorted by name), then catalog models not installed, in
catalog order. Every memory figure is the engine's estimate (``desktop.engine.memory``)
at the context length the user chose, against the hardware budget the picker was given.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Sequence

from desktop.core.settings import Settings
from desktop.engine.base import ModelSummary
from desktop.engine.catalog import CatalogModel, find_model, recommend_coder
from desktop.engine.memory import (
    HardwareBudget,
    MemoryEstimate,
    ModelShape,
    RuntimeConfig,
    comparable_size,
    estimate,
    format_bytes,
)
from desktop.engine.models import LoadedModel

log = logging.getLogger(__name__)

CONTEXT_CHOICES: tuple[int, ...] = (2048, 4096, 8192, 16384, 32768, 65536, 131072)
PURPOSES: tuple[tuple[str, str], ...] = (("", "All models"), ("code", "Code"), ("chat", "Chat"))
CODE_NAME_HINTS = ("code", "coder", "starcoder", "codegemma", "codellama")
BADGES = {
    "gpu": "Runs on GPU",
    "cpu": "CPU only",
    "too_large": "Too large for this machine",
}


@dataclass(frozen=True)
class InstalledModel:
    """An installed model with what ``/api/show`` told about it (shape None until known)."""

    summary: ModelSummary
    shape: ModelShape | None = None
    capabilities: tuple[str, ...] = ()
    problem: str = ""  # why the details could not be read


@dataclass(frozen=True)
class ModelRow:
    """One line of the picker."""

    name: str
    installed: bool
    parameters: str
    quantization: str
    size_bytes: int
    purposes: tuple[str, ...]
    shape: ModelShape | None
    estimate: MemoryEstimate | None = None
    loaded: LoadedModel | None = None
    summary: str = ""
    problem: str = ""


def size_text(count: int) -> str:
    """Bytes as ``ollama`` prints them (``4.1 GB``); a dash when unknown."""
    return format_bytes(count) if count > 0 else "—"


def format_context(num_ctx: int) -> str:
    """``8192`` -> ``8K tokens``; sizes that are not multiples of 1024 stay exact."""
    if num_ctx % 1024 == 0:
        return f"{num_ctx // 1024}K tokens"
    return f"{num_ctx:,} tokens"


def runtime_for(settings: Settings, num_ctx: int, budget: HardwareBudget) -> RuntimeConfig:
    """The server-side assumptions of this connection at ``num_ctx``."""
    return RuntimeConfig(num_ctx=num_ctx, num_parallel=settings.num_parallel,
                         kv_cache_type=settings.kv_cache_type, flash_attention=settings.flash_attention,
                         gpu_kind=budget.gpu_kind)


def installed_purposes(name: str, capabilities: Sequence[str], entry: CatalogModel | None) -> tuple[str, ...]:
    """What an installed model is for: the catalog's word if it knows it, else a guess."""
    if entry is not None:
        return tuple(entry.purposes)
    if "embedding" in capabilities:
        return ("embedding",)
    purposes = ["chat"]
    lowered = name.lower()
    if any(hint in lowered for hint in CODE_NAME_HINTS):
        purposes.insert(0, "code")
    if "insert" in capabilities:
        purposes.append("fim")
    return tuple(purposes)


def build_rows(installed: Sequence[InstalledModel], catalog: Sequence[CatalogModel],
               loaded: Sequence[LoadedModel]) -> list[ModelRow]:
    """Installed models (by name), then catalog models that are not installed."""
    loaded_by_name = {item.name: item for item in loaded}
    rows: list[ModelRow] = []
    names: set[str] = set()
    for item in sorted(installed, key=lambda i: i.summary.name):
        summary = item.summary
        entry = find_model(catalog, summary.name)
        names.add(summary.name)
        if entry is not None:
            names.add(entry.tag)
        rows.append(ModelRow(
            name=summary.name, installed=True,
            parameters=summary.parameter_size or (entry.parameters if entry else ""),
            quantization=summary.quantization or (entry.quantization if entry else ""),
            size_bytes=summary.size_bytes, purposes=installed_purposes(summary.name, item.capabilities, entry),
            shape=item.shape, loaded=loaded_by_name.get(summary.name),
            summary=entry.summary if entry else "", problem=item.problem))
    for entry in catalog:
        if entry.tag in names or f"{entry.tag}:latest" in names:
            continue
        rows.append(ModelRow(name=entry.tag, installed=False, parameters=entry.parameters,
                             quantization=entry.quantization, size_bytes=entry.size_bytes,
                             purposes=tuple(entry.purposes), shape=entry.shape, summary=entry.summary))
    return rows


def with_estimates(rows: Sequence[ModelRow], runtime: RuntimeConfig,
                   budget: HardwareBudget | None) -> list[ModelRow]:
    """The rows with their estimate at ``runtime`` (None without a shape or a budget)."""
    return [replace(row, estimate=_estimate(row, runtime, budget)) for row in rows]


def _estimate(row: ModelRow, runtime: RuntimeConfig, budget: HardwareBudget | None) -> MemoryEstimate | None:
    if row.shape is None or budget is None or "embedding" in row.purposes and not row.shape.block_count:
        return None
    try:
        return estimate(row.shape, runtime, budget)
    except (ValueError, ZeroDivisionError) as exc:  # a shape the estimator cannot size
        log.warning("cannot estimate %s: %s", row.name, exc)
        return None


def matches_purpose(row: ModelRow, purpose: str) -> bool:
    """True when ``purpose`` is empty (all) or the row's model is good at it."""
    return not purpose or purpose in row.purposes


def badge_text(fit_estimate: MemoryEstimate | None) -> str:
    """The fit badge: Runs on GPU / Partly on GPU (N% CPU, slower) / CPU only / Too large."""
    if fit_estimate is None:
        return ""
    if fit_estimate.fit == "partial":
        return f"Partly on GPU ({fit_estimate.cpu_percent}% CPU, slower)"
    return BADGES.get(fit_estimate.fit, fit_estimate.fit)


def budget_text(budget: HardwareBudget | None) -> str:
    """One line about the machine the estimates are for (GiB, as machines are sold)."""
    if budget is None:
        return "Checking this machine's memory…"
    ram = _gib(budget.ram_bytes)
    if budget.gpu_kind == "cpu" or budget.vram_bytes <= 0:
        return f"This machine: no usable GPU, models run on the CPU · {ram} RAM"
    if budget.gpu_kind == "metal":
        return (f"This machine: Apple GPU, {_gib(budget.vram_bytes)} of the {ram} unified memory usable "
                "by models")
    label = {"cuda": "NVIDIA GPU", "rocm": "AMD GPU"}.get(budget.gpu_kind, "GPU")
    return f"This machine: {label} with {_gib(budget.vram_bytes)} free · {ram} RAM"


def _gib(count: int) -> str:
    value = count / 2**30
    return f"{value:.0f} GiB" if abs(value - round(value)) < 0.05 else f"{value:.1f} GiB"


def estimate_tooltip(row: ModelRow, budget: HardwareBudget | None) -> str:
    """The breakdown behind a row's figures, and the thresholds the badge follows."""
    if row.problem:
        return row.problem
    if row.estimate is None:
        if budget is None:
            return "Waiting for this machine's memory figures."
        return "No estimate: the model's layout is not known yet." if row.shape is None else \
            "No estimate for this kind of model."
    parts = [budget_text(budget), "", row.estimate.breakdown()]  # the breakdown ends with the rules
    if row.loaded is not None:
        parts[1:1] = [loaded_text(row.loaded) + " (Ollama's figures)", ""]
    return "\n".join(parts)


def loaded_text(loaded: LoadedModel) -> str:
    """What ``ollama ps`` reports: size and the share on the GPU."""
    if loaded.size_bytes <= 0:
        return "Loaded"
    share = round(100 * loaded.size_vram_bytes / loaded.size_bytes)
    where = "100% GPU" if share >= 100 else "100% CPU" if share <= 0 else f"{share}% GPU / {100 - share}% CPU"
    return f"Loaded: {format_bytes(loaded.size_bytes)}, {where} at {format_context(loaded.context_length)}"


def compare_loaded(row: ModelRow, loaded: LoadedModel, settings: Settings,
                   budget: HardwareBudget | None, server_version: str = "") -> str:
    """Estimate at the context the server loaded the model with vs. what it reports.

    Like is compared with like (servers from 0.12.11 leave the fixed reserve out of
    ``size``). Logged so the estimator's error on real machines can be read later.
    """
    if row.shape is None or budget is None or loaded.context_length <= 0:
        return ""
    try:
        at_loaded = estimate(row.shape, runtime_for(settings, loaded.context_length, budget), budget)
    except (ValueError, ZeroDivisionError):
        return ""
    expected = comparable_size(at_loaded, server_version)
    difference = expected - loaded.size_bytes
    percent = 100 * difference / loaded.size_bytes if loaded.size_bytes else 0.0
    log.info("memory estimate vs. /api/ps (server %s): %s at %d tokens: reported %d B (%d B on GPU), "
             "estimated %d B (%d B on GPU), difference %+d B (%+.1f%%)", server_version or "?", loaded.name,
             loaded.context_length, loaded.size_bytes, loaded.size_vram_bytes, expected, at_loaded.gpu_bytes,
             difference, percent)
    return f"Hearth's estimate at the same context: {format_bytes(expected)} ({percent:+.1f}%)."


def recommendation_text(catalog: Sequence[CatalogModel], runtime: RuntimeConfig,
                        budget: HardwareBudget) -> str:
    """Which coder to pick on this machine at this context, and why."""
    picked = recommend_coder(catalog, runtime, budget)
    if picked is None:
        return (f"No coding model in the catalog fits fully on this machine's GPU at "
                f"{format_context(runtime.num_ctx)}. Choose a shorter context, or a model marked "
                "“Partly on GPU” and accept slower answers.")
    model, _estimate, reason = picked
    return f"Recommended for code: <b>{model.tag}</b> ({model.parameters} parameters). {reason}"
