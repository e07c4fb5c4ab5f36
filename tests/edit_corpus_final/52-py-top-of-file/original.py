import argparse
import logging
import sys

from reporter.build import build_report
from reporter.sources import load_sources

log = logging.getLogger("reporter")


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="reporter")
    parser.add_argument("sources", nargs="+")
    parser.add_argument("--out", default="report.html")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    sources = load_sources(args.sources)
    log.info("loaded %d sources", len(sources))
    build_report(sources, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
