"""`hearth models`, `hearth fit` and `hearth pull`: model memory and downloads, headless."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, TextIO

from desktop.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    add_host_option,
    fail,
    positive_int,
    services,
)
from desktop.core.errors import EngineError, HearthError
from desktop.engine.memory import format_bytes

GIB = 2**30
BADGES = {
    "gpu": "Runs on GPU",
    "partial": "Partly on GPU ({cpu}% CPU, slower)",
    "cpu": "CPU only",
    "too_large": "Too large for this machine",
}
JSON_FIELDS = ("model", "num_ctx", "total_bytes", "gpu_bytes", "weights_bytes", "kv_cache_bytes",
               "graph_bytes", "overhead_bytes", "fit", "gpu_layers", "total_layers", "cpu_percent",
               "num_parallel", "gpu_kind", "vram_bytes", "ram_bytes")


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``models``, ``fit`` and ``pull`` to the ``hearth`` parser."""
    models = commands.add_parser("models", help="installed and loaded models, with memory estimates")
    add_host_option(models)
    models.add_argument("--json", action="store_true", help="one JSON object on stdout")
    models.set_defaults(run=lambda args, host: run_models(host, args.json, sys.stdout))

    fit = commands.add_parser("fit", help="memory a model needs at a context length, and where it runs")
    fit.add_argument("model", help="an installed model or a catalog tag")
    fit.add_argument("--ctx", type=positive_int, help="context length per slot (default: settings)")
    fit.add_argument("--parallel", type=positive_int, help="parallel slots (default: settings, 1)")
    fit.add_argument("--gpu", choices=("metal", "cuda", "rocm", "cpu"), help="GPU kind (default: probed)")
    fit.add_argument("--vram", type=_gib, help="GPU memory usable by models, GiB (default: probed)")
    fit.add_argument("--ram", type=_gib, help="system RAM, GiB (default: probed)")
    add_host_option(fit)
    fit.add_argument("--json", action="store_true", help="one JSON object on stdout")
    fit.set_defaults(run=lambda args, host: run_fit(args, host, sys.stdout))

    pull = commands.add_parser("pull", help="download a model with a progress bar (Ctrl+C cancels)")
    pull.add_argument("model", help="model tag, e.g. qwen2.5-coder:7b")
    add_host_option(pull)
    pull.set_defaults(run=lambda args, host: run_pull(args.model, host, sys.stdout))


def _gib(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of GiB") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return int(value * GIB)


def badge(fit: str, cpu_percent: int) -> str:
    """The picker's words for a fit."""
    return BADGES[fit].format(cpu=cpu_percent)


# --- fit --------------------------------------------------------------------------------


def run_fit(args: argparse.Namespace, host_flag: str | None, out: TextIO) -> int:
    """Estimate one model; 0 on success, 2 when the model is unknown."""
    from desktop.engine.catalog import find_model, load_catalog
    from desktop.engine.memory import RuntimeConfig, estimate

    _paths, settings, _secrets, engine = services(host_flag)
    shape, source, problem = _installed_shape(engine, args.model)
    if shape is None:
        entry = find_model(load_catalog(), args.model)
        if entry is None:
            fail(f"{args.model} is neither installed on {engine.host} nor in Hearth's catalog"
                 + (f" ({problem})" if problem else "") + ".")
            return EXIT_USAGE
        shape, source = entry.shape, "catalog"
    budget = _budget(args.gpu, args.vram, args.ram)
    options = settings.options_for(shape.name)
    runtime = RuntimeConfig(
        num_ctx=args.ctx or options.num_ctx,
        num_parallel=args.parallel or max(1, settings.num_parallel),
        kv_cache_type=settings.kv_cache_type,
        flash_attention=settings.flash_attention,
        gpu_kind=budget.gpu_kind,
    )
    result = estimate(shape, runtime, budget)
    if args.json:
        payload = {name: getattr(result, name) for name in JSON_FIELDS}
        payload.update(source=source, badge=badge(result.fit, result.cpu_percent))
        print(json.dumps(payload), file=out, flush=True)
    else:
        print(f"{badge(result.fit, result.cpu_percent)} (from the {source})", file=out)
        print(result.breakdown(), file=out, flush=True)
    return EXIT_OK


def _installed_shape(engine, name: str):  # noqa: ANN202 - (ModelShape | None, source, problem)
    from desktop.engine.memory import shape_from_show

    try:
        show = engine.show_raw(name, verbose=True)
        size = next((m.size_bytes for m in engine.list_models() if m.name in (name, f"{name}:latest")), 0)
        return shape_from_show(name, show, size), "server", ""
    except (EngineError, ValueError) as exc:
        return None, "", str(exc)


def _budget(gpu: str | None, vram: int | None, ram: int | None):  # noqa: ANN202 - HardwareBudget
    from desktop.engine.hardware import probe_hardware
    from desktop.engine.memory import HardwareBudget

    probed = None
    if gpu is None or vram is None or ram is None:
        probed = HardwareBudget.from_hardware(probe_hardware())
    kind = gpu or probed.gpu_kind
    vram_bytes = 0 if kind == "cpu" else (vram if vram is not None else probed.vram_bytes)
    return HardwareBudget(kind, vram_bytes, ram if ram is not None else probed.ram_bytes)


# --- models -----------------------------------------------------------------------------


def run_models(host_flag: str | None, as_json: bool, out: TextIO) -> int:
    """Installed models with estimates at the configured context, then loaded models."""
    from desktop.engine.memory import RuntimeConfig, estimate

    _paths, settings, _secrets, engine = services(host_flag)
    installed = engine.list_models()
    loaded = engine.loaded_models()
    budget = _budget(None, None, None)
    rows: list[dict[str, Any]] = []
    for model in installed:
        shape, _source, problem = _installed_shape(engine, model.name)
        row: dict[str, Any] = {"model": model.name, "size_bytes": model.size_bytes,
                               "parameters": model.parameter_size, "quantization": model.quantization}
        num_ctx = settings.options_for(model.name).num_ctx
        row["num_ctx"] = num_ctx
        if shape is not None:
            runtime = RuntimeConfig(num_ctx, max(1, settings.num_parallel), settings.kv_cache_type,
                                    settings.flash_attention, budget.gpu_kind)
            result = estimate(shape, runtime, budget)
            row.update(total_bytes=result.total_bytes, gpu_bytes=result.gpu_bytes, fit=result.fit,
                       badge=badge(result.fit, result.cpu_percent))
        else:
            row.update(total_bytes=None, gpu_bytes=None, fit=None, badge="no estimate", problem=problem)
        rows.append(row)
    running = [{"model": m.name, "size_bytes": m.size_bytes, "size_vram_bytes": m.size_vram_bytes,
                "context_length": m.context_length, "processor": m.processor, "expires_at": m.expires_at}
               for m in loaded]
    if as_json:
        print(json.dumps({"host": engine.host, "installed": rows, "loaded": running}), file=out, flush=True)
        return EXIT_OK
    _print_models(engine.host, rows, running, out)
    return EXIT_OK


def _print_models(host: str, rows: list[dict[str, Any]], running: list[dict[str, Any]], out: TextIO) -> None:
    write = lambda line="": print(line, file=out)  # noqa: E731
    write(f"Installed on {host}:")
    write(f"  {'NAME':<32} {'SIZE':>8} {'QUANT':<8} {'CTX':>7} {'MEMORY':>9}  FIT")
    for row in rows:
        memory = format_bytes(row["total_bytes"]) if row["total_bytes"] else "?"
        write(f"  {row['model']:<32} {format_bytes(row['size_bytes']):>9} {row['quantization']:<8} "
              f"{row['num_ctx']:>7} {memory:>9}  {row['badge']}")
    write()
    if not running:
        write("Loaded: none")
    for item in running:
        write(f"Loaded: {item['model']}  {format_bytes(item['size_bytes'])}  {item['processor']}  "
              f"context {item['context_length']}")
    out.flush()


# --- pull -------------------------------------------------------------------------------


def run_pull(name: str, host_flag: str | None, out: TextIO) -> int:
    """Pull with a progress bar; Ctrl+C closes the stream (a later pull resumes)."""
    from desktop.core.cancel import CancelToken, Cancelled
    from desktop.engine.models import RESUME_NOTE

    _paths, _settings, _secrets, engine = services(host_flag)
    if engine.is_local and not _enough_disk(name):
        return EXIT_SERVER
    token = CancelToken()
    bar = _ProgressBar(out)
    try:
        for progress in engine.pull(name, token):
            bar.show(progress)
    except KeyboardInterrupt:
        token.cancel()
        bar.end()
        fail(f"pull of {name} cancelled. {RESUME_NOTE}")
        return EXIT_INTERRUPTED
    except Cancelled:
        bar.end()
        fail(f"pull of {name} cancelled. {RESUME_NOTE}")
        return EXIT_INTERRUPTED
    except HearthError:
        bar.end()
        raise
    bar.end()
    print(f"{name} is installed.", file=out, flush=True)
    return EXIT_OK


def _enough_disk(name: str) -> bool:
    from desktop.engine.catalog import find_model, load_catalog
    from desktop.engine.models import disk_space_problem

    entry = find_model(load_catalog(), name)
    problem = disk_space_problem(name, entry.size_bytes if entry else 0)
    if problem is not None:
        fail(str(problem))
        return False
    return True


class _ProgressBar:
    """One line per layer: a bar with bytes, speed and time left; redrawn in place on a terminal."""

    WIDTH = 30

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._tty = out.isatty()
        self._status = ""
        self._started = time.monotonic()
        self._open = False

    def show(self, progress) -> None:  # noqa: ANN001 - PullProgress
        if progress.total <= 0:
            if progress.status != self._status:
                self.end()
                print(progress.status, file=self._out, flush=True)
                self._status = progress.status
            return
        if progress.status != self._status:
            self.end()
            self._status, self._started = progress.status, time.monotonic()
        line = self._line(progress)
        if self._tty:
            print("\r" + line, end="", file=self._out, flush=True)
            self._open = True
        elif progress.completed >= progress.total:
            print(line, file=self._out, flush=True)

    def _line(self, progress) -> str:  # noqa: ANN001 - PullProgress
        share = min(1.0, progress.completed / progress.total)
        filled = int(share * self.WIDTH)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        speed = progress.completed / elapsed
        left = (progress.total - progress.completed) / speed if speed > 0 else 0
        return (f"{progress.status} [{'#' * filled}{'.' * (self.WIDTH - filled)}] "
                f"{format_bytes(progress.completed)}/{format_bytes(progress.total)} "
                f"{format_bytes(int(speed))}/s {int(left // 60)}:{int(left % 60):02d} left")

    def end(self) -> None:
        if self._open:
            print(file=self._out, flush=True)
            self._open = False
