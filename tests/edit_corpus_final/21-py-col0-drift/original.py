"""Parse access-log lines into records."""

import re
from collections import Counter
from dataclasses import dataclass

LINE_RE = re.compile(r'(?P<ip>\S+) \S+ \S+ \[(?P<when>[^\]]+)\] "(?P<method>\w+) (?P<path>\S+)[^"]*" (?P<status>\d{3})')


@dataclass
class Hit:
    ip: str
    method: str
    path: str
    status: int


class LogReader:
    def __init__(self, path):
        self.path = path
        self.skipped = 0

    def hits(self):
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                match = LINE_RE.match(line)
                if match is None:
                    self.skipped += 1
                    continue
                yield Hit(match["ip"], match["method"], match["path"], int(match["status"]))

    def top_paths(self, n=10):
        counts = Counter(hit.path for hit in self.hits())
        return counts.most_common(n)
