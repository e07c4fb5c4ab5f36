"""The ``hearth`` command.

``hearth`` (or ``python -m desktop``) opens the app, ``hearth open PATH`` opens it on a
folder. The headless commands (``--version``, ``doctor``, ``ask``) use the same services
as the app but never import PySide6, so they start fast and run where Qt cannot.

Exit codes: 0 success; 1 the model server failed (reason on stderr); 2 bad usage or
input; 3 the answer was cut short by the length limit; 130 interrupted.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Sequence, TextIO

from desktop import __version__
from desktop.core.errors import HearthError

EXIT_OK, EXIT_SERVER, EXIT_USAGE, EXIT_TRUNCATED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``hearth`` sub-command."""
    parser = argparse.ArgumentParser(prog="hearth", description="A coding assistant on local models.")
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument("--host", help="model server URL (default: OLLAMA_HOST, then settings, then http://127.0.0.1:11434)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    open_cmd = commands.add_parser("open", help="open the app on a project folder")
    open_cmd.add_argument("path", type=Path)
    open_cmd.add_argument("--host", dest="sub_host", help=argparse.SUPPRESS)

    doctor = commands.add_parser("doctor", help="check the model server, models and hardware")
    doctor.add_argument("--host", dest="sub_host", help="model server URL")

    ask = commands.add_parser("ask", help="ask a question about a project; the answer streams to stdout")
    ask.add_argument("path", type=Path, help="project folder")
    ask.add_argument("question", help="the question")
    ask.add_argument("--model", "-m", help="model name (default: settings, else the first installed chat model)")
    ask.add_argument("--host", dest="sub_host", help="model server URL")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hearth`` console script and ``python -m desktop``."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    host_flag = getattr(args, "sub_host", None) or args.host
    if args.command == "doctor":
        return _headless(lambda: run_doctor(host_flag, sys.stdout))
    if args.command == "ask":
        return _headless(lambda: run_ask(args.path, args.question, args.model, host_flag, sys.stdout, sys.stderr))
    project = args.path if args.command == "open" else None
    if project is not None and not project.is_dir():
        _fail(f"{project} is not a folder.")
        return EXIT_USAGE
    from desktop.app import run_app  # only the GUI path imports Qt

    return run_app(project.resolve() if project else None, host_flag)


def _headless(command) -> int:
    """Run a headless command: logging to the log file, never a traceback on screen."""
    from desktop.core.logs import configure_logging
    from desktop.core.paths import HearthPaths

    configure_logging(HearthPaths.from_env())
    try:
        return command()
    except HearthError as exc:
        _fail(str(exc))
        return EXIT_SERVER
    except Exception as exc:  # noqa: BLE001 - a CLI shows one line; the log keeps the trace
        log.exception("unexpected failure")
        _fail(f"unexpected error: {type(exc).__name__}: {exc} (details in Hearth's log)")
        return EXIT_SERVER


def _fail(message: str) -> None:
    print(f"hearth: {message}", file=sys.stderr, flush=True)


def _services(host_flag: str | None):
    from desktop.core.paths import HearthPaths
    from desktop.core.secrets import SecretStore
    from desktop.core.settings import SettingsStore
    from desktop.engine.factory import create_engine

    paths = HearthPaths.from_env()
    settings = SettingsStore(paths.settings_file).load()
    secrets = SecretStore()
    return paths, settings, secrets, create_engine(settings, secrets, host_flag)


# --- doctor ---------------------------------------------------------------------------


def run_doctor(host_flag: str | None, out: TextIO) -> int:
    """Report server, models, hardware and storage; 0 when the server answers."""
    from desktop.engine.hardware import probe_hardware
    from desktop.engine.lifecycle import diagnose

    paths, _settings, secrets, engine = _services(host_flag)
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
        _fail(diagnosis.reason)
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


def run_ask(project: Path, question: str, model: str | None, host_flag: str | None, out: TextIO, err: TextIO) -> int:
    """Stream an answer about ``project`` to ``out``; partial text stays printed on failure."""
    from desktop.assist.prompts import build_messages
    from desktop.core.cancel import CancelToken
    from desktop.core.chat import ChatDone, ChatOptions, TextDelta
    from desktop.core.errors import StreamInterrupted
    from desktop.index.ignore import IgnoreRules

    if not project.is_dir():
        _fail(f"{project} is not a folder.")
        return EXIT_USAGE
    if not question.strip():
        _fail("the question is empty.")
        return EXIT_USAGE
    _paths, settings, _secrets, engine = _services(host_flag)
    chosen = model or settings.default_model or _first_chat_model(engine)
    root = project.resolve()
    messages = build_messages(root, IgnoreRules.for_project(root), [], question)
    options = ChatOptions(num_ctx=settings.num_ctx, temperature=settings.temperature)
    cancel = CancelToken()
    wrote_text = False
    try:
        for event in engine.chat(chosen, messages, options, cancel):
            if isinstance(event, TextDelta):
                out.write(event.text)
                out.flush()
                wrote_text = wrote_text or bool(event.text)
            elif isinstance(event, ChatDone):
                _end_line(out, wrote_text)
                if event.stats.truncated:
                    _fail(f"the answer from {engine.host} was cut at the length limit (num_ctx {settings.num_ctx}).")
                    return EXIT_TRUNCATED
                return EXIT_OK
    except KeyboardInterrupt:
        cancel.cancel()
        _end_line(out, wrote_text)
        _fail("interrupted; the partial answer above is incomplete.")
        return EXIT_INTERRUPTED
    except StreamInterrupted as exc:
        _end_line(out, wrote_text)
        _fail(f"{exc} The answer above is incomplete.")
        return EXIT_SERVER
    except HearthError:
        _end_line(out, wrote_text)
        raise
    _end_line(out, wrote_text)
    _fail(f"the answer from {engine.host} ended without completing.")
    return EXIT_SERVER


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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
