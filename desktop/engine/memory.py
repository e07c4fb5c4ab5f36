"""How much memory a model needs at a context length, and where it runs (pure functions).

This follows the "classic" estimate Ollama used from v0.2 to v0.12.10 to decide how
many layers go to the GPU (see ``shared/reference/ollama.md``, "How Ollama sizes a
model"): weights, per-layer KV cache, compute graph, a fixed per-GPU reserve and one
layer kept as a buffer. ``total_bytes`` is what those servers report as ``size`` in
``/api/ps`` and ``gpu_bytes`` what they report as ``size_vram``.

The inputs come from ``/api/show`` (``shape_from_show``) or from the catalog. With the
tensor list (``"verbose": true``) weights are summed tensor by tensor; without it they
are derived from the file size and the quantization.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from desktop.engine.hardware import HardwareInfo

MIB = 1024 * 1024
GIB = 1024 * MIB
BATCH = 512  # Ollama's default num_batch
GPU_KINDS = ("metal", "cuda", "rocm", "cpu")
KV_CACHE_TYPES = ("f16", "q8_0", "q4_0")
# Fixed reserve per GPU (Ollama's MinimumMemory): Metal 512 MiB, CUDA and ROCm 457 MiB.
GPU_MINIMUM_BYTES = {"metal": 512 * MIB, "cuda": 457 * MIB, "rocm": 457 * MIB, "cpu": 0}
GEMMA3_GLOBAL_EVERY = 6  # gemma3: every 6th layer attends globally, the other 5 use the window

# (block size in weights, bytes per block) for the GGML tensor types Ollama models use.
GGML_TYPES: dict[str, tuple[int, int]] = {
    "F32": (1, 4), "F16": (1, 2), "BF16": (1, 2), "F64": (1, 8),
    "I8": (1, 1), "I16": (1, 2), "I32": (1, 4), "I64": (1, 8),
    "Q4_0": (32, 18), "Q4_1": (32, 20), "Q5_0": (32, 22), "Q5_1": (32, 24),
    "Q8_0": (32, 34), "Q8_1": (32, 36),
    "Q2_K": (256, 84), "Q3_K": (256, 110), "Q4_K": (256, 144), "Q5_K": (256, 176),
    "Q6_K": (256, 210), "Q8_K": (256, 292),
    "IQ2_XXS": (256, 66), "IQ2_XS": (256, 74), "IQ2_S": (256, 82), "IQ3_XXS": (256, 98),
    "IQ3_S": (256, 110), "IQ1_S": (256, 50), "IQ1_M": (256, 56), "IQ4_NL": (32, 18),
    "IQ4_XS": (256, 136), "TQ1_0": (256, 54), "TQ2_0": (256, 66), "MXFP4": (32, 17),
}

# general.file_type → quantization name (for model_info without details).
FILE_TYPES = {0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1",
              10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S",
              15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 32: "BF16"}

FIT_RULES = (
    "Runs on GPU: every layer, the context cache, the compute graph and the fixed GPU "
    "reserve fit in the GPU memory models may use.\n"
    "Partly on GPU: the fixed reserve, the compute graph and at least one layer fit on the "
    "GPU (plus one layer kept as a buffer); the remaining layers run on the CPU, slower. "
    "The CPU share must fit in system RAM.\n"
    "CPU only: no GPU (or not even one layer fits); the whole model must fit in system RAM.\n"
    "Too large for this machine: the part that must live in system RAM is larger than it.\n"
    "On Apple Silicon the GPU limit is the usable share of unified memory "
    "(about 2/3 of RAM up to 32 GiB, 3/4 above, or iogpu.wired_limit_mb), and GPU and CPU "
    "parts together must fit in RAM."
)


@dataclass(frozen=True)
class TensorInfo:
    """One weight tensor; its size in bytes follows from its GGML type and shape."""

    name: str
    ggml_type: str
    shape: tuple[int, ...]

    @property
    def size_bytes(self) -> int:
        """Bytes the tensor takes (whole blocks of its quantization type)."""
        return tensor_bytes(self.ggml_type, math.prod(self.shape))


@dataclass(frozen=True)
class ModelShape:
    """The facts an estimate needs. Head counts may be one number or one per layer."""

    name: str
    architecture: str
    block_count: int
    embedding_length: int
    head_count: int | tuple[int, ...]
    head_count_kv: int | tuple[int, ...]
    key_length: int
    value_length: int
    vocab_size: int
    context_length: int
    sliding_window: int = 0
    file_size_bytes: int = 0
    quantization: str = ""
    parameter_count: int = 0
    tensors: tuple[TensorInfo, ...] = ()
    tied_embeddings: bool = False  # no separate output tensor: token_embd is the output too

    def heads(self, layer: int) -> int:
        """Attention heads of ``layer``."""
        return _per_layer(self.head_count, layer)

    def kv_heads(self, layer: int) -> int:
        """KV heads of ``layer`` (GQA: fewer than the attention heads)."""
        return _per_layer(self.head_count_kv, layer)

    def key_dim(self, layer: int) -> int:
        """Key head size; defaults to embedding / heads as Ollama does."""
        if self.key_length:
            return self.key_length
        heads = self.heads(layer)
        return self.embedding_length // heads if heads else 0

    def value_dim(self, layer: int) -> int:
        """Value head size; defaults to embedding / heads as Ollama does."""
        if self.value_length:
            return self.value_length
        heads = self.heads(layer)
        return self.embedding_length // heads if heads else 0


@dataclass(frozen=True)
class RuntimeConfig:
    """How the server will run the model: context per slot, slots, KV cache type, GPU kind."""

    num_ctx: int
    num_parallel: int = 1
    kv_cache_type: str = "f16"
    flash_attention: bool = False
    gpu_kind: str = "cuda"  # "metal" | "cuda" | "rocm" | "cpu"


@dataclass(frozen=True)
class HardwareBudget:
    """Memory a model may use: GPU memory usable by models, and system RAM."""

    gpu_kind: str
    vram_bytes: int
    ram_bytes: int

    @classmethod
    def from_hardware(cls, info: "HardwareInfo") -> "HardwareBudget":
        """From the probe. Apple Silicon: the usable unified share; Intel Mac / no GPU: CPU.

        NVIDIA and AMD: the free memory of the GPU with the most free memory (a split
        across several GPUs is not modelled); the probe's Apple figure already is the
        usable share.
        """
        ram = info.total_ram_bytes
        if not info.gpus:
            return cls("cpu", 0, ram)
        gpu = max(info.gpus, key=lambda g: g.free_bytes)
        kind = {"Apple": "metal", "NVIDIA": "cuda", "AMD": "rocm"}.get(gpu.vendor, "cpu")
        vram = gpu.total_bytes if gpu.unified else gpu.free_bytes
        return cls(kind, vram if kind != "cpu" else 0, ram)


@dataclass(frozen=True)
class MemoryEstimate:
    """An estimate. The four parts add up to ``total_bytes``."""

    model: str
    num_ctx: int
    total_bytes: int
    gpu_bytes: int
    weights_bytes: int
    kv_cache_bytes: int
    graph_bytes: int
    overhead_bytes: int  # fixed per-GPU reserve + the one-layer buffer
    fit: str  # "gpu" | "partial" | "cpu" | "too_large"
    gpu_layers: int
    total_layers: int
    gpu_kind: str = "cuda"
    vram_bytes: int = 0
    ram_bytes: int = 0
    num_parallel: int = 1
    weights_from_tensors: bool = False

    @property
    def cpu_percent(self) -> int:
        """Share of the model (by bytes) that runs on the CPU, as ``ollama ps`` shows it."""
        if self.total_bytes <= 0:
            return 0
        return round(100 * (self.total_bytes - self.gpu_bytes) / self.total_bytes)

    @property
    def cpu_bytes(self) -> int:
        """Bytes that live in system RAM."""
        return self.total_bytes - self.gpu_bytes

    def breakdown(self) -> str:
        """Human text: the parts, where they run, and the thresholds used."""
        lines = [
            f"{self.model} at {self.num_ctx:,} tokens of context"
            + (f" × {self.num_parallel} slots" if self.num_parallel > 1 else ""),
            f"  Weights:        {format_bytes(self.weights_bytes)}"
            + ("" if self.weights_from_tensors else " (from the file size)"),
            f"  Context cache:  {format_bytes(self.kv_cache_bytes)}",
            f"  Compute graph:  {format_bytes(self.graph_bytes)}",
            f"  GPU reserve and one-layer buffer: {format_bytes(self.overhead_bytes)}",
            f"  Total:          {format_bytes(self.total_bytes)}",
            f"  On GPU:         {format_bytes(self.gpu_bytes)} "
            f"({self.gpu_layers}/{self.total_layers} layers, {100 - self.cpu_percent}%)",
            f"  Budget: {self.gpu_kind}, GPU {format_bytes(self.vram_bytes)}, RAM {format_bytes(self.ram_bytes)}",
            "",
            FIT_RULES,
        ]
        return "\n".join(lines)


# --- public functions ---------------------------------------------------------------------


def tensor_bytes(ggml_type: str, elements: int) -> int:
    """Bytes of ``elements`` weights stored as ``ggml_type`` (unknown types count as F16)."""
    block, size = GGML_TYPES.get(ggml_type.upper(), (1, 2))
    return -(-elements // block) * size


def estimate(shape: ModelShape, runtime: RuntimeConfig, budget: HardwareBudget) -> MemoryEstimate:
    """Memory ``shape`` needs under ``runtime``, and how it splits on ``budget``.

    The GPU kind of ``budget`` decides the fixed reserve and the placement; a budget of
    kind ``cpu`` (or 0 bytes of GPU memory) puts everything in system RAM.
    """
    ctx = max(1, runtime.num_ctx) * max(1, runtime.num_parallel)
    batch = min(BATCH, ctx)
    weights = _weights(shape)
    kv = kv_cache_per_layer(shape, ctx, batch, runtime)
    full, partial = graph_sizes(shape, ctx, batch, kv)
    kind = budget.gpu_kind if budget.gpu_kind in GPU_KINDS else "cpu"
    if kind == "metal":
        partial = full  # Metal has no partial-offload overhead
    if kind != "cpu" and budget.vram_bytes > 0:
        placed = _place_on_gpu(shape, weights, kv, full, partial, kind, budget.vram_bytes)
        if placed is not None:
            return _finish(shape, runtime, budget, kind, weights, kv, *placed)
    return _cpu_only(shape, runtime, budget, kind, weights, kv, full)


def kv_cache_per_layer(shape: ModelShape, ctx: int, batch: int, runtime: RuntimeConfig) -> list[int]:
    """KV-cache bytes per layer: GQA, per-layer KV heads, gemma3's sliding window, cache type."""
    per_element = kv_bytes_per_element(runtime.kv_cache_type, runtime.flash_attention)
    window = 0
    if shape.architecture == "gemma3" and shape.sliding_window:
        window = max(1, runtime.num_parallel) * shape.sliding_window + batch
    sizes = []
    for layer in range(shape.block_count):
        tokens = ctx
        if window and (layer + 1) % GEMMA3_GLOBAL_EVERY != 0:
            tokens = window
        width = (shape.key_dim(layer) + shape.value_dim(layer)) * shape.kv_heads(layer)
        sizes.append(int(tokens * width * per_element))
    return sizes


def kv_bytes_per_element(kv_cache_type: str, flash_attention: bool) -> float:
    """f16: 2; q8_0: 1 and q4_0: 0.5, but only with flash attention (else the server uses f16)."""
    if not flash_attention:
        return 2.0
    return {"q8_0": 1.0, "q4_0": 0.5}.get(kv_cache_type, 2.0)


def graph_sizes(shape: ModelShape, ctx: int, batch: int, kv: Sequence[int]) -> tuple[int, int]:
    """(full offload, partial offload) compute-graph bytes, by architecture as Ollama does."""
    emb, vocab = shape.embedding_length, shape.vocab_size
    layers = range(max(1, shape.block_count))
    heads = max((shape.heads(i) for i in layers), default=1) or 1
    heads_kv = max((shape.kv_heads(i) for i in layers), default=1) or 1
    head_k = max((shape.key_dim(i) for i in layers), default=1) or 1
    head_dim = emb // heads if heads else 1
    arch = shape.architecture
    full = partial = 0
    if arch == "llama":
        full = max(4 * batch * (1 + 4 * emb + ctx * (1 + heads)), 4 * batch * (emb + vocab))
        partial = 4 * batch * emb + max(
            4 * batch * (1 + emb + max(ctx, emb)) + emb * emb * 9 // 16
            + 4 * ctx * (batch * heads + head_dim * heads_kv),
            4 * batch * (emb + vocab) + emb * vocab * 105 // 128,
        )
    elif arch in ("gemma", "gemma2", "gemma3"):
        full = max(4 * batch * (emb + vocab),
                   4 * batch * (2 + ctx + ctx * heads + 2 * emb + 2 * head_k * heads))
        partial = max(
            4 * emb * batch + emb * vocab * 105 // 128 + 4 * vocab * batch,
            4 * batch * (2 * emb + 1 + 2 * head_k * heads + ctx + ctx * heads)
            + 4 * head_k * ctx * 8 + emb * head_k * heads * 9 // 16,
        )
    elif arch == "command-r":
        full = max(4 * batch * (emb + vocab), 4 * batch * (2 + 4 * emb + ctx * (1 + heads)))
        partial = max(4 * batch * (emb + vocab) + emb * vocab * 105 // 128,
                      4 * batch * (1 + 2 * emb + ctx * (1 + heads)) + 4 * emb * ctx + emb * emb * 9 // 16)
    elif arch == "qwen2":
        full = max(4 * batch * (emb + vocab), 4 * batch * (1 + 2 * emb + ctx + ctx * heads))
        partial = max(4 * batch * (emb + vocab) + emb * vocab * 105 // 128,
                      4 * (batch * (1 + 2 * emb + ctx * (1 + heads)) + emb * (1 + ctx)))
    elif arch == "phi2":
        full = max(4 * batch * (emb + vocab), 4 * batch * (1 + 4 * emb + ctx + ctx * heads))
        partial = max(4 * batch * (2 * emb + vocab) + emb * vocab * 105 // 128,
                      4 * batch * (2 + 3 * emb + ctx + ctx * heads))
    elif arch == "stablelm":
        full = 4 * batch * (ctx * (1 + heads) + 3 * emb + 2)
        partial = max(4 * batch * (vocab + 2 * emb), full)
    elif arch == "deepseek2":
        full = max(4 * batch * (3 * emb + vocab),
                   4 * batch * (3 * emb + 2 + ctx * (1 + heads_kv) + 2 * head_k * heads_kv))
        partial = max(
            4 * batch * (3 * emb + vocab) + emb * vocab * 105 // 128,
            4 * batch * (2 * emb + 1 + 2 * head_k * heads_kv + ctx + ctx * heads_kv)
            + 4 * head_k * ctx * heads_kv + emb * head_k * heads_kv * 9 // 16,
        )
    if partial == 0:
        # No formula for this family: Ollama's fallback, (heads / kv heads) · KV total / 6.
        min_kv = min((shape.kv_heads(i) for i in layers), default=1) or 1
        partial = (heads // min_kv) * sum(kv) // 6
    if full == 0:
        full = partial
    return full, partial


def shape_from_show(name: str, show: Mapping[str, Any], size_bytes: int = 0) -> ModelShape:
    """A ``ModelShape`` from the raw JSON of ``POST /api/show`` (verbose or not).

    ``size_bytes`` is the file size from ``/api/tags``; without the tensor list the
    weights are derived from it. Raises ``ValueError`` when the answer lacks the
    architecture or the layer count.
    """
    info = show.get("model_info") or show.get("modelinfo") or {}
    if not isinstance(info, Mapping):
        raise ValueError(f"{name}: model_info is not an object")
    arch = str(info.get("general.architecture") or "")
    blocks = _int(info.get(f"{arch}.block_count"))
    if not arch or blocks <= 0:
        raise ValueError(f"{name}: the server did not say the model's architecture and layer count")
    details = show.get("details") if isinstance(show.get("details"), Mapping) else {}
    tensors = _tensors(show.get("tensors"))
    quant = str(details.get("quantization_level") or FILE_TYPES.get(_int(info.get("general.file_type")), ""))
    return ModelShape(
        name=name,
        architecture=arch,
        block_count=blocks,
        embedding_length=_int(info.get(f"{arch}.embedding_length")),
        head_count=_int_or_list(info.get(f"{arch}.attention.head_count")),
        head_count_kv=_int_or_list(info.get(f"{arch}.attention.head_count_kv")),
        key_length=_int(info.get(f"{arch}.attention.key_length")),
        value_length=_int(info.get(f"{arch}.attention.value_length")),
        vocab_size=_vocab(info, arch, tensors),
        context_length=_int(info.get(f"{arch}.context_length")),
        sliding_window=_int(info.get(f"{arch}.attention.sliding_window")),
        file_size_bytes=int(size_bytes or 0),
        quantization=quant,
        parameter_count=_int(info.get("general.parameter_count")),
        tensors=tensors,
        tied_embeddings=bool(tensors) and not any(t.name == "output.weight" for t in tensors)
        or (not tensors and arch.startswith("gemma")),
    )


def comparable_size(estimate_: MemoryEstimate, server_version: str) -> int:
    """What a server of ``server_version`` reports as ``size`` for this estimate.

    From v0.12.11 the reported size leaves out the fixed reserve and the one-layer
    buffer (still reserved), so compare like with like.
    """
    if _version_tuple(server_version) >= (0, 12, 11):
        return estimate_.total_bytes - estimate_.overhead_bytes
    return estimate_.total_bytes


def format_bytes(count: int) -> str:
    """``5.2 GiB``-style text.

    Binary units throughout, because the machine's memory they are compared with is
    quoted in GiB (a "24 GB" card holds 24 GiB); decimal GB next to it would make a
    model that does not fit look as if it did.
    """
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    if count >= 2**20:
        return f"{count / 2**20:.0f} MiB"
    return f"{count / 2**10:.0f} KiB"


# --- weights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Weights:
    blocks: tuple[int, ...]  # bytes per layer
    output: int  # output norm + output (or token_embd when tied)
    from_tensors: bool

    @property
    def total(self) -> int:
        return sum(self.blocks) + self.output


def _weights(shape: ModelShape) -> _Weights:
    if shape.tensors:
        return _weights_from_tensors(shape)
    return _weights_from_file(shape)


def _weights_from_tensors(shape: ModelShape) -> _Weights:
    blocks = [0] * shape.block_count
    named: dict[str, int] = {}
    for tensor in shape.tensors:
        match = re.match(r"blk\.(\d+)\.", tensor.name)
        if match and int(match.group(1)) < shape.block_count:
            blocks[int(match.group(1))] += tensor.size_bytes
        else:
            group = tensor.name.rsplit(".", 1)[0] if tensor.name.endswith((".weight", ".bias")) else tensor.name
            named[group] = named.get(group, 0) + tensor.size_bytes
    output = named.get("output_norm", 0)
    # The input embedding stays on the CPU when a separate output tensor exists.
    output += named["output"] if "output" in named else named.get("token_embd", 0)
    return _Weights(tuple(blocks), output, True)


# Per quantization: (type of the embedding tensor, type of the output tensor), as
# llama.cpp's quantizer writes them (the output keeps more precision).
_EMBED_OUTPUT_TYPES = {
    "F32": ("F32", "F32"), "F16": ("F16", "F16"), "BF16": ("BF16", "BF16"),
    "Q8_0": ("Q8_0", "Q8_0"), "Q4_0": ("Q4_0", "Q6_K"), "Q4_1": ("Q4_1", "Q6_K"),
    "Q5_0": ("Q5_0", "Q6_K"), "Q5_1": ("Q5_1", "Q6_K"), "Q6_K": ("Q6_K", "Q6_K"),
    "Q2_K": ("Q2_K", "Q6_K"), "Q3_K_S": ("Q3_K", "Q6_K"), "Q3_K_M": ("Q3_K", "Q6_K"),
    "Q3_K_L": ("Q3_K", "Q6_K"), "Q4_K_S": ("Q4_K", "Q6_K"), "Q4_K_M": ("Q4_K", "Q6_K"),
    "Q5_K_S": ("Q5_K", "Q6_K"), "Q5_K_M": ("Q5_K", "Q6_K"),
}
_HEADER_BYTES_PER_TOKEN = 24  # GGUF metadata is mostly the token list, scores and types


def _weights_from_file(shape: ModelShape) -> _Weights:
    """Split the file size into layers and output when the tensor list is not known."""
    embed_type, output_type = _EMBED_OUTPUT_TYPES.get(shape.quantization.upper(), ("Q4_0", "Q6_K"))
    table = shape.vocab_size * shape.embedding_length
    norm = shape.embedding_length * 4
    if shape.tied_embeddings:
        embed, output = 0, tensor_bytes(output_type, table) + norm
    else:
        embed, output = tensor_bytes(embed_type, table), tensor_bytes(output_type, table) + norm
    header = _HEADER_BYTES_PER_TOKEN * shape.vocab_size
    size = shape.file_size_bytes or _size_from_parameters(shape)
    layers_total = max(0, size - header - embed - output)
    per_layer = layers_total // max(1, shape.block_count)
    return _Weights(tuple([per_layer] * shape.block_count), output, False)


def _size_from_parameters(shape: ModelShape) -> int:
    bits = {"F32": 32, "F16": 16, "BF16": 16, "Q8_0": 8.5, "Q6_K": 6.56, "Q5_K_M": 5.7,
            "Q4_K_M": 4.85, "Q4_0": 4.55}.get(shape.quantization.upper(), 4.85)
    return int(shape.parameter_count * bits / 8)


# --- placement ----------------------------------------------------------------------------


def _place_on_gpu(
    shape: ModelShape, weights: _Weights, kv: Sequence[int], full: int, partial: int, kind: str, vram: int
) -> tuple[int, int, int, int, int] | None:
    """Ollama's layer placement on one GPU → (gpu bytes, total, graph, overhead, layers).

    None when not even the reserve, the graph and two layers fit (then: CPU only).
    """
    minimum = GPU_MINIMUM_BYTES[kind]
    buffer = (weights.blocks[0] if weights.blocks else 0) + (kv[0] if kv else 0)
    graph_max = max(full, partial)
    if minimum + graph_max + 2 * buffer > vram:
        return None
    on_gpu = minimum + buffer
    overflow = 0
    layers = 0
    room = True
    for index, block in enumerate(weights.blocks):
        layer = block + kv[index]
        if room and vram > on_gpu + graph_max + layer:
            on_gpu += layer
            layers += 1
        else:
            room = False
            overflow += layer
    if room and vram > on_gpu + graph_max + weights.output:
        on_gpu += weights.output
        layers += 1
    else:
        overflow += weights.output
    fully = layers == shape.block_count + 1
    graph = full if fully else partial
    if layers:
        on_gpu += graph
    return on_gpu, on_gpu + overflow, graph, minimum + buffer, layers


def _finish(
    shape: ModelShape, runtime: RuntimeConfig, budget: HardwareBudget, kind: str, weights: _Weights,
    kv: Sequence[int], gpu_bytes: int, total: int, graph: int, overhead: int, layers: int,
) -> MemoryEstimate:
    total_layers = shape.block_count + 1
    cpu_part = total - gpu_bytes
    # Unified memory: the GPU part is taken from RAM too.
    ram_needed = total if kind == "metal" else cpu_part
    if ram_needed > budget.ram_bytes > 0 or (cpu_part and budget.ram_bytes <= 0):
        fit = "too_large"
    elif layers == total_layers:
        fit = "gpu"
    else:
        fit = "partial"
    return MemoryEstimate(
        shape.name, runtime.num_ctx, total, gpu_bytes, weights.total, sum(kv), graph, overhead,
        fit, layers, total_layers, kind, budget.vram_bytes, budget.ram_bytes,
        max(1, runtime.num_parallel), weights.from_tensors,
    )


def _cpu_only(
    shape: ModelShape, runtime: RuntimeConfig, budget: HardwareBudget, kind: str, weights: _Weights,
    kv: Sequence[int], graph: int,
) -> MemoryEstimate:
    """Everything in system RAM: weights, cache and graph; no GPU reserve or buffer."""
    total = weights.total + sum(kv) + graph
    fit = "cpu" if total <= budget.ram_bytes else "too_large"
    return MemoryEstimate(
        shape.name, runtime.num_ctx, total, 0, weights.total, sum(kv), graph, 0,
        fit, 0, shape.block_count + 1, kind, budget.vram_bytes, budget.ram_bytes,
        max(1, runtime.num_parallel), weights.from_tensors,
    )


# --- parsing helpers ----------------------------------------------------------------------


def _per_layer(value: int | tuple[int, ...], layer: int) -> int:
    if isinstance(value, tuple):
        return value[layer] if layer < len(value) else (value[-1] if value else 0)
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, (int, float)):
        return int(value)
    return 0


def _int_or_list(value: Any) -> int | tuple[int, ...]:
    if isinstance(value, list) and value:
        return tuple(_int(v) for v in value)
    return _int(value)


def _tensors(raw: Any) -> tuple[TensorInfo, ...]:
    if not isinstance(raw, list):
        return ()
    tensors = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        shape = item.get("shape")
        if not isinstance(item.get("name"), str) or not isinstance(shape, list):
            continue
        tensors.append(TensorInfo(item["name"], str(item.get("type") or "F16"), tuple(_int(d) for d in shape)))
    return tuple(tensors)


def _vocab(info: Mapping[str, Any], arch: str, tensors: Sequence[TensorInfo]) -> int:
    tokens = info.get("tokenizer.ggml.tokens")
    if isinstance(tokens, list) and tokens:
        return len(tokens)
    if _int(info.get(f"{arch}.vocab_size")):
        return _int(info.get(f"{arch}.vocab_size"))
    for tensor in tensors:
        if tensor.name == "token_embd.weight" and len(tensor.shape) == 2:
            return tensor.shape[1]
    return 0


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", version.split("-")[0])[:3]
    return tuple(int(p) for p in parts) if parts else (0,)
