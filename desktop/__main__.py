"""`python -m desktop` behaves exactly like the `hearth` command."""

from desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
