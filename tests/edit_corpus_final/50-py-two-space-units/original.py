import json
from pathlib import Path


class Settings:
    def __init__(self, path: Path):
        self.path = path
        self.data = {}

    def load(self):
        if self.path.exists():
            with self.path.open(encoding="utf-8") as handle:
                self.data = json.load(handle)
        return self

    def get(self, key, default=None):
        node = self.data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        return node

    def save(self):
        self.path.write_text(json.dumps(self.data, indent=2), encoding="utf-8")
