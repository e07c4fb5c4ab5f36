"""Logging to Hearth's log directory (rotating), shared by the app and the CLI."""

from __future__ import annotations

import logging
import logging.handlers

from desktop.core.paths import HearthPaths

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(paths: HearthPaths, level: int = logging.INFO) -> None:
    """Send Hearth's log records to ``paths.log_file``; idempotent.

    If the log directory cannot be written (read-only home, full disk), logging falls
    back to stderr at WARNING level rather than stopping Hearth.
    """
    root = logging.getLogger()
    if any(getattr(handler, "_hearth", False) for handler in root.handlers):
        return
    try:
        paths.log_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler()
        level = logging.WARNING
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._hearth = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO; keep the log about Hearth.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
