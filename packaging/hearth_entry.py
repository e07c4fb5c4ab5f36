"""Entry point of the frozen app: the same as the `hearth` console script."""

import multiprocessing
import sys

from desktop.cli import main

if __name__ == "__main__":
    # The indexer parses in worker processes; a frozen app must let those children
    # run the worker instead of starting a second copy of the app.
    multiprocessing.freeze_support()
    sys.exit(main())
