import json
import os
from pathlib import Path

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8080,
    "debug": False,
}


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", str(Path.home() / ".config"))
    return Path(base) / "tinyserve" / "config.json"


def load_config(path: Path | None = None) -> dict:
    path = path or config_path()
    config = dict(DEFAULTS)
    if not path.exists():
        return config
    with open(path, encoding="utf-8") as handle:
        config.update(json.load(handle))
    return config


def save_config(config: dict, path: Path | None = None) -> None:
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
