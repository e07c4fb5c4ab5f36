"""Run Hearth's benchmarks: ``python -m tests.bench.run [--smoke] [NAME ...]``.

Each benchmark measures its own baseline in the same run and prints ratios against it,
because these machines are noisy. ``--smoke`` runs them at a small size (CI does this
to check they still work; the figures then mean little).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

BENCHMARKS = ("streaming", "startup", "engine_cancel", "retrieval_eval", "index_speed", "edit_corpus")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run")
    parser.add_argument("--smoke", action="store_true", help="small sizes, for CI")
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}; default all")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name in args.names or BENCHMARKS:
        module = importlib.import_module(f"tests.bench.{name}")
        started = time.perf_counter()
        print(f"== {name}{' (smoke)' if args.smoke else ''} ==", flush=True)
        for line in module.run(smoke=args.smoke):
            print(f"  {line}", flush=True)
        print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
