"""Reading settings files."""

import json
from pathlib import Path


def load_settings(path):
    with open(path) as handle:
        data = json.load(handle)
    return data


def save_settings(path, data):
    Path(path).write_text(json.dumps(data))
