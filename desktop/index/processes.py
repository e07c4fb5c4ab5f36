"""How the index starts helper processes (the indexer's parsers, search's partner)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.context


def process_context() -> multiprocessing.context.BaseContext:
    """The start method for Hearth's helper processes.

    Not fork: the app starts them from worker threads, and forking a threaded process
    can deadlock. The fork server starts once, clean, and forks helpers cheaply.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["desktop.index.indexer"])
        return context
    return multiprocessing.get_context("spawn")
