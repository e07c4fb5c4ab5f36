"""`hearth index PATH [--json]`: bring a project's index up to date and summarise it."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from desktop.cli.common import EXIT_INTERRUPTED, EXIT_OK, fail, project_path_problem, say_waiting

EXIT_BAD_PATH = 1  # the contract: a missing or unreadable PATH exits 1


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``index`` to the ``hearth`` parser."""
    index = commands.add_parser("index", help="bring a project's index up to date and print a summary")
    index.add_argument("path", help="project folder")
    index.add_argument("--json", action="store_true", help="print one JSON object")
    index.set_defaults(run=lambda args, host: run_index(args.path, args.json, sys.stdout))


def run_index(path: Path | str, as_json: bool, out: TextIO) -> int:
    """Index ``path``; print files indexed, skipped by reason, symbols, chunks, seconds
    (and how long it first waited for another process's update)."""
    from desktop.core.cancel import Cancelled
    from desktop.core.paths import HearthPaths
    from desktop.index.indexer import ensure_index

    problem = project_path_problem(path)
    if problem:
        fail(problem)
        return EXIT_BAD_PATH
    root = Path(path).expanduser()
    waited_from: list[float] = []

    def on_waiting() -> None:
        waited_from.append(time.monotonic())
        say_waiting()

    try:
        summary = ensure_index(root.resolve(), HearthPaths.from_env(), on_waiting=on_waiting)
    except (Cancelled, KeyboardInterrupt):
        fail("indexing interrupted; the work done so far is kept")
        return EXIT_INTERRUPTED
    report = {
        "path": str(root.resolve()),
        "files_indexed": summary.files_indexed,
        "skipped": dict(summary.skipped),
        "skipped_total": sum(summary.skipped.values()),
        "symbols": summary.symbols,
        "chunks": summary.chunks,
        "files_changed": summary.files_changed,
        "files_removed": summary.files_removed,
        "seconds": round(summary.seconds, 3),
        # Before the update could start, another process's (``seconds`` leaves it out).
        "waited_seconds": round(_waited(waited_from, summary.seconds), 3),
    }
    if as_json:
        print(json.dumps(report), file=out, flush=True)
        return EXIT_OK
    skipped = ", ".join(f"{count} {reason}" for reason, count in report["skipped"].items()) or "none"
    waited = f", after waiting {report['waited_seconds']:.2f} s for another Hearth process" if waited_from else ""
    print(f"Indexed {report['files_indexed']} files in {report['seconds']:.2f} s "
          f"({report['files_changed']} read, {report['files_removed']} removed{waited})", file=out)
    print(f"Skipped: {report['skipped_total']} ({skipped})", file=out)
    print(f"Symbols: {report['symbols']}  Chunks: {report['chunks']}", file=out, flush=True)
    return EXIT_OK


def _waited(waited_from: list[float], update_seconds: float) -> float:
    """Seconds spent waiting for another process's update: from the first wait to now,
    less the update's own time (0 when there was no wait)."""
    if not waited_from:
        return 0.0
    return max(0.0, time.monotonic() - waited_from[0] - update_seconds)
