import csv
from pathlib import Path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def column_totals(rows: list[dict[str, str]], columns: list[str]) -> dict[str, float]:
    totals = {column: 0.0 for column in columns}
    for row in rows:
        for column in columns:
            totals[column] += float(row[column])
    return totals


def write_summary(path: Path, totals: dict[str, float]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["column", "total"])
        for column, total in totals.items():
            writer.writerow([column, f"{total:.2f}"])
