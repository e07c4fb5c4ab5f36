import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

DEFAULTS = {
    "host": "127.0.0.1",
    "port": 8080,
    "workers": 2,
    "log_level": "info",
}


def load_config(env=os.environ):
    config = dict(DEFAULTS)
    if "APP_HOST" in env:
        config["host"] = env["APP_HOST"]
    if "APP_PORT" in env:
        config["port"] = int(env["APP_PORT"])
    if "APP_WORKERS" in env:
        config["workers"] = int(env["APP_WORKERS"])
    return config


def data_dir():
    path = BASE_DIR / "data"
    path.mkdir(exist_ok=True)
    return path
