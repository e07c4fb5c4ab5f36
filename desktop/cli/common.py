"""What every ``hearth`` sub-command shares: exit codes, error line, services."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_SERVER, EXIT_USAGE, EXIT_TRUNCATED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CLOSED_PIPE = 141  # what a program the closed pipe's signal ends exits with (128 + SIGPIPE)


def fail(message: str) -> None:
    """One line on stderr, prefixed ``hearth:``; never a traceback."""
    print(f"hearth: {message}", file=sys.stderr, flush=True)


def say_waiting() -> None:
    """The line a command prints when its index update waits for another process's."""
    fail("waiting for another Hearth process to finish updating this project's index (Ctrl+C stops)")


def services(host_flag: str | None):  # noqa: ANN201 - (paths, settings, secrets, engine)
    """Paths, settings, keychain and the engine for ``--host`` — as the app builds them."""
    from desktop.core.paths import HearthPaths
    from desktop.core.secrets import SecretStore
    from desktop.core.settings import SettingsStore
    from desktop.engine.factory import create_engine

    paths = HearthPaths.from_env()
    settings = SettingsStore(paths.settings_file).load()
    secrets = SecretStore()
    return paths, settings, secrets, create_engine(settings, secrets, host_flag)


MAX_COUNT = 1_000_000_000  # more than any project has hits or tokens; SQLite takes it


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1, with a plain-words error; a huge
    one is taken as "all" (``MAX_COUNT``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return min(value, MAX_COUNT)


def add_host_option(parser: argparse.ArgumentParser) -> None:
    """``--host URL`` on a sub-command (the same flag also works before the sub-command)."""
    parser.add_argument("--host", dest="sub_host", metavar="URL", help="model server URL")


def updated_index(root, paths):  # noqa: ANN001, ANN201 - (Path, HearthPaths) -> SearchIndex
    """Bring the index of the project at ``root`` up to date and open it for searching.

    When the update cannot be saved (a full disk, a read-only cache) but an earlier
    index is there, say so on stderr and open that one: results from the index as it
    was beat none. Raises ``StorageError`` when there is no index to fall back on."""
    import sqlite3

    from desktop.core.errors import HearthError, StorageError
    from desktop.index.indexer import ensure_index
    from desktop.index.retrieval import SearchIndex
    from desktop.index.store import index_db_path

    db_path = index_db_path(paths, root)
    try:
        ensure_index(root, paths, on_waiting=say_waiting)
    except StorageError as exc:
        try:
            index = SearchIndex.open(db_path)
            index.reader.stats()  # an index from an older Hearth, or half made, fails here
        except (HearthError, sqlite3.Error):
            raise exc from None
        fail(f"{exc} Answering from the index as it was.")
        return index
    return SearchIndex.open(db_path)


def project_path_problem(root: Path | str) -> str | None:
    """Why ``root`` cannot be indexed (empty, missing, not a folder, unreadable), or None.

    Give the path as typed: an empty one (an unset variable in a script) would be the
    current folder once made a ``Path``."""
    if not str(root).strip():
        return "The project path is empty."
    root = Path(root).expanduser()
    if not root.exists():
        return f"{root} does not exist."
    if not root.is_dir():
        return f"{root} is not a folder."
    if not os.access(root, os.R_OK | os.X_OK):
        return f"{root} cannot be read (permission denied)."
    return None
