"""`hearth` command line. Headless commands never import PySide6."""

from __future__ import annotations

import sys

from desktop import __version__


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(f"hearth {__version__}")
        return 0
    from desktop.app import run_app

    return run_app(args)
