"""`hearth doctor` and `hearth ask`: the foundation's headless commands."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TextIO

from desktop import __version__
from desktop.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_TRUNCATED,
    EXIT_USAGE,
    add_host_option,
    fail,
    project_path_problem,
    services,
    updated_index,
)
from desktop.core.errors import HearthError

log = logging.getLogger(__name__)


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``doctor`` and ``ask`` to the ``hearth`` parser."""
    doctor = commands.add_parser("doctor", help="check the model server, models and hardware")
    add_host_option(doctor)
    doctor.set_defaults(run=lambda args, host: run_doctor(host, sys.stdout))

    ask = commands.add_parser("ask", help="ask a question about a project; the answer streams to stdout")
    ask.add_argument("path", help="project folder")
    ask.add_argument("question", help="the question")
    ask.add_argument("--model", "-m", help="model name (default: the chat model in settings, else the first installed chat model)")
    add_host_option(ask)
    ask.set_defaults(run=lambda args, host: run_ask(args.path, args.question, args.model, host, sys.stdout, sys.stderr))


# --- doctor ---------------------------------------------------------------------------


def run_doctor(host_flag: str | None, out: TextIO) -> int:
    """Report server, models, hardware and storage; 0 when the server answers."""
    from desktop.engine.hardware import probe_hardware
    from desktop.engine.lifecycle import diagnose

    paths, _settings, secrets, engine = services(host_flag)
    diagnosis = diagnose(engine)
    write = lambda line="": print(line, file=out, flush=True)  # noqa: E731
    write(f"Hearth {__version__}")
    write(f"Server:    {engine.host}")
    if diagnosis.reachable:
        write(f"  running, Ollama {diagnosis.version}")
        _write_models(engine, write)
    else:
        write(f"  not reachable: {diagnosis.reason}")
    _write_hardware(probe_hardware(), write)
    write(f"Keychain:  {'available' if secrets.available else secrets.unavailable_reason}")
    write(f"Data:      {paths.data_dir}")
    write(f"Logs:      {paths.log_file}")
    if not diagnosis.reachable:
        fail(diagnosis.reason)
        return EXIT_SERVER
    return EXIT_OK


def _write_models(engine, write) -> None:
    try:
        models = engine.list_models()
    except HearthError as exc:
        write(f"Models:    could not list: {exc}")
        return
    if not models:
        write("Models:    none installed (try: ollama pull qwen2.5-coder:7b)")
        return
    write(f"Models:    {len(models)} installed")
    for model in models:
        details = " ".join(part for part in (model.parameter_size, model.quantization) if part)
        write(f"  {model.name:<36} {model.size_bytes / 1e9:6.1f} GB  {details}")


def _write_hardware(hardware, write) -> None:
    write(f"Machine:   {hardware.os}, {hardware.cpu or 'unknown CPU'}")
    write(f"  RAM {hardware.total_ram_bytes / 2**30:.1f} GiB total, {hardware.available_ram_bytes / 2**30:.1f} GiB available")
    if not hardware.gpus:
        write("  GPU: none detected (models run on the CPU)")
    for gpu in hardware.gpus:
        kind = "unified memory" if gpu.unified else "VRAM"
        write(f"  GPU: {gpu.name}, {gpu.total_bytes / 2**30:.1f} GiB {kind}")


# --- ask ------------------------------------------------------------------------------


def run_ask(
    project: Path | str, question: str, model: str | None, host_flag: str | None, out: TextIO, err: TextIO
) -> int:
    """Stream an answer about ``project`` to ``out``; partial text stays printed on failure."""
    from desktop.core.cancel import CancelToken
    from desktop.core.chat import ChatDone, TextDelta
    from desktop.core.errors import StreamInterrupted

    problem = project_path_problem(project)
    if problem:
        fail(problem)
        return EXIT_USAGE
    project = Path(project).expanduser()
    if not question.strip():
        fail("the question is empty.")
        return EXIT_USAGE
    paths, settings, _secrets, engine = services(host_flag)
    chosen = model or settings.chat_model or _first_chat_model(engine)
    root = project.resolve()
    options = settings.options_for(chosen)  # the model's own context length and temperature, if set
    try:
        calibration, plan = _plan_question(root, paths, question, chosen, options.num_ctx)
    except KeyboardInterrupt:  # the first index of a large project takes a while
        fail(f"interrupted while reading {root}; nothing was sent.")
        return EXIT_INTERRUPTED
    cancel = CancelToken()
    wrote_text = False
    sent = calibration.sending(chosen, engine.host, plan.num_ctx)  # before: the server may cache it
    try:
        for event in engine.chat(chosen, list(plan.messages), options, cancel):
            if isinstance(event, TextDelta):
                out.write(event.text)
                out.flush()
                wrote_text = wrote_text or bool(event.text)
            elif isinstance(event, ChatDone):
                _end_line(out, wrote_text)
                calibration.observe(chosen, plan.raw_tokens, event.stats.prompt_eval_count, plan.num_ctx, sent)
                if event.stats.truncated:
                    fail(f"the answer from {engine.host} was cut at the length limit (num_ctx {options.num_ctx}).")
                    return EXIT_TRUNCATED
                if not wrote_text:  # a script must not take silence for an answer
                    fail(f"{chosen} at {engine.host} finished without an answer (a reasoning model may have "
                         "spent it all on its reasoning); nothing was printed.")
                    return EXIT_SERVER
                return EXIT_OK
    except KeyboardInterrupt:
        cancel.cancel()
        _end_line(out, wrote_text)
        fail("interrupted; the partial answer above is incomplete.")
        return EXIT_INTERRUPTED
    except StreamInterrupted as exc:
        _end_line(out, wrote_text)
        fail(f"{exc} {'The answer above is incomplete.' if wrote_text else 'No part of the answer arrived.'}")
        return EXIT_SERVER
    except HearthError:
        _end_line(out, wrote_text)
        raise
    _end_line(out, wrote_text)
    fail(f"the answer from {engine.host} ended without completing.")
    return EXIT_SERVER


def _plan_question(root: Path, paths, question: str, model: str, num_ctx: int):  # noqa: ANN001, ANN202
    """(calibration, plan): retrieved code from the up-to-date index; the file listing
    only when indexing fails. Raises ``ContextTooSmall`` when the question cannot fit."""
    import sqlite3

    from desktop.assist.context import CALIBRATION_FILE, TokenCalibration, plan_turn
    from desktop.assist.prompts import describe_project, indexed_system_text, listing_system_text
    from desktop.index.ignore import IgnoreRules

    calibration = TokenCalibration(paths.data_dir / CALIBRATION_FILE)
    estimator = calibration.estimator(model)
    try:
        index = updated_index(root, paths)
    except (HearthError, OSError, sqlite3.Error) as exc:
        log.warning("indexing %s failed (%s); sending the file listing instead", root, exc)
    else:
        try:
            return calibration, plan_turn(question, [], num_ctx, indexed_system_text(root), estimator=estimator,
                                          index=index, project_root=root)
        except sqlite3.Error as exc:
            log.warning("the index of %s could not be read (%s); sending the file listing instead", root, exc)
        finally:
            index.close()
    overview = describe_project(root, IgnoreRules.for_project(root))
    return calibration, plan_turn(question, [], num_ctx, listing_system_text(overview), estimator=estimator)


def _first_chat_model(engine) -> str:
    """The first installed model that can chat, or a clear error when there is none."""
    from desktop.core.errors import ModelNotFound

    for summary in engine.list_models():
        if engine.show_model(summary.name).can_chat:
            return summary.name
    raise ModelNotFound(
        f"No chat model is installed on {engine.host}.",
        engine.host,
        model="qwen2.5-coder:7b",
        hint="Install one with: ollama pull qwen2.5-coder:7b (or pass --model).",
    )


def _end_line(out: TextIO, wrote_text: bool) -> None:
    if wrote_text:
        out.write("\n")
        out.flush()
