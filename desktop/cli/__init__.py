"""The ``hearth`` command.

``hearth`` (or ``python -m desktop``) opens the app, ``hearth open PATH`` opens it on a
folder. The headless sub-commands use the same services as the app but never import
PySide6, so they start fast and run where Qt cannot. Each module in
``COMMAND_MODULES`` registers its sub-commands with ``register(subparsers)``; a
sub-command sets ``run(args, host_flag) -> exit code``.

Exit codes: 0 success; 1 the model server failed (reason on stderr); 2 bad usage or
input (also a question the model's context cannot hold); 3 the answer was cut short by
the length limit; 130 interrupted; 141 the reader of the output went away
(``hearth search … | head``), quietly.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from desktop import __version__
from desktop.cli.common import EXIT_CLOSED_PIPE, EXIT_INTERRUPTED, EXIT_SERVER, EXIT_USAGE, fail
from desktop.core.errors import HearthError

log = logging.getLogger(__name__)

COMMAND_MODULES = ("desktop.cli.basic", "desktop.cli.models", "desktop.cli.index", "desktop.cli.search", "desktop.cli.edit",
                   "desktop.cli.plugins")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``hearth`` sub-command."""
    parser = argparse.ArgumentParser(prog="hearth", description="A coding assistant on local models.")
    parser.add_argument("--version", action="version", version=f"hearth {__version__}")
    parser.add_argument("--host", help="model server URL (default: OLLAMA_HOST, then settings, then http://127.0.0.1:11434)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    open_cmd = commands.add_parser("open", help="open the app on a project folder")
    open_cmd.add_argument("path", type=Path)
    open_cmd.add_argument("--host", dest="sub_host", help=argparse.SUPPRESS)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hearth`` console script and ``python -m desktop``."""
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    host_flag = getattr(args, "sub_host", None) or args.host
    run = getattr(args, "run", None)
    if run is not None:
        return _headless(lambda: run(args, host_flag))
    project = args.path if args.command == "open" else None
    if project is not None and not project.is_dir():
        fail(f"{project} is not a folder.")
        return EXIT_USAGE
    from desktop.app import run_app  # only the GUI path imports Qt

    return run_app(project.resolve() if project else None, host_flag)


def _headless(command: Callable[[], int]) -> int:
    """Run a headless command: logging to the log file, never a traceback on screen."""
    from desktop.core.logs import configure_logging
    from desktop.core.paths import HearthPaths

    configure_logging(HearthPaths.from_env())
    try:
        return command()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_CLOSED_PIPE
    except KeyboardInterrupt:  # a command that has partial output to close says more itself
        fail("interrupted.")
        return EXIT_INTERRUPTED
    except HearthError as exc:
        fail(str(exc))
        return _exit_code(exc)
    except Exception as exc:  # noqa: BLE001 - a CLI shows one line; the log keeps the trace
        log.exception("unexpected failure")
        fail(f"unexpected error: {type(exc).__name__}: {exc} (details in Hearth's log)")
        return EXIT_SERVER


def _exit_code(error: HearthError) -> int:
    """2 for input the command cannot use (a question the model's context cannot hold),
    1 for everything else."""
    from desktop.assist.context import ContextTooSmall

    return EXIT_USAGE if isinstance(error, ContextTooSmall) else EXIT_SERVER


def _silence_stdout() -> None:
    """Point stdout at the null device: the reader is gone, and Python's own flush at
    exit would otherwise fail again and print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (tests, embedding)
        pass


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
