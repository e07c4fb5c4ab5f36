import csv
import logging
from pathlib import Path

log = logging.getLogger(__name__)


class ReportBuilder:
    """Collects rows and writes a CSV summary."""

    def __init__(self, title: str):
        self.title = title
        self.rows = []

    def add_row(self, name, hours, rate):
        self.rows.append({"name": name, "hours": hours, "rate": rate})

    def totals(self):
        result = {}
        for row in self.rows:
            amount = row["hours"] * row["rate"]
            result[row["name"]] = result.get(row["name"], 0) + amount
        return result

    def write(self, path: Path):
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["name", "amount"])
            for name, amount in sorted(self.totals().items()):
                writer.writerow([name, f"{amount:.2f}"])
        log.info("wrote %s", path)


def load_rows(path: Path):
    with path.open() as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["hours"] = float(row["hours"])
        row["rate"] = float(row["rate"])
    return rows
