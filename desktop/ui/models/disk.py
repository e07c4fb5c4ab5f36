"""Free-disk check before a pull, when the Ollama server runs on this machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from desktop.core.errors import HearthError

SPARE_BYTES = 1_000_000_000  # keep some room besides the model itself


def ollama_models_dir(environ: dict[str, str] | None = None) -> Path:
    """Where a local Ollama keeps models: ``OLLAMA_MODELS``, else ``~/.ollama/models``."""
    env = os.environ if environ is None else environ
    configured = env.get("OLLAMA_MODELS", "").strip()
    return Path(configured).expanduser() if configured else Path.home() / ".ollama" / "models"


def free_disk_problem(needed_bytes: int, folder: Path | None = None) -> HearthError | None:
    """An error when ``folder``'s disk lacks room for ``needed_bytes`` (unknown size: None)."""
    if needed_bytes <= 0:
        return None
    target = folder or ollama_models_dir()
    existing = next((p for p in (target, *target.parents) if p.exists()), None)
    if existing is None:
        return None
    free = shutil.disk_usage(existing).free
    if free >= needed_bytes + SPARE_BYTES:
        return None
    return HearthError(
        f"Not enough free disk space: the download needs about {needed_bytes / 1e9:.1f} GB and "
        f"{free / 1e9:.1f} GB are free where Ollama keeps models ({existing}).",
        "Free some space (or remove a model you no longer use), then pull again.")
