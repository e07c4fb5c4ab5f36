import csv
import sys
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def column_totals(rows: list[dict[str, str]], columns: list[str]) -> dict[str, float]:
    totals = {column: 0.0 for column in columns}
    for row in rows:
        for column in columns:
            raw = (row.get(column) or "").strip()
            if not raw:
                continue
            try:
                totals[column] += float(raw.replace(",", ""))
            except ValueError:
                print(f"skipping bad value {raw!r} in {column}", file=sys.stderr)
    return totals


def format_totals(totals: dict[str, float]) -> str:
    lines = []
    for name, value in totals.items():
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print("usage: csvsum FILE COLUMN...", file=sys.stderr)
        return 2
    rows = read_rows(Path(argv[1]))
    print(format_totals(column_totals(rows, argv[2:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
