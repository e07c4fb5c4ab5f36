import argparse
import logging
import sys

log = logging.getLogger("backup")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backup", description="Copy a folder to a dated archive.")
    parser.add_argument("source", help="folder to back up")
    parser.add_argument("target", help="where archives are written")
    parser.add_argument("--keep", type=int, default=7, help="how many archives to keep")
    parser.add_argument("--compress", choices=["zip", "tar"], default="zip")
    parser.add_argument("--exclude", action="append", default=[], help="glob to skip")
    parser.add_argument("--dry-run", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    log.info("backing up %s to %s", args.source, args.target)
    if args.dry_run:
        log.info("dry run, nothing written")
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
