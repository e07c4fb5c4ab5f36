"""Data types of model management: what is loaded, and how a download is going."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from desktop.core.errors import HearthError


@dataclass(frozen=True)
class LoadedModel:
    """A model the server has in memory, with its ``/api/ps`` figures."""

    name: str
    size_bytes: int
    size_vram_bytes: int
    context_length: int
    expires_at: str

    @property
    def cpu_percent(self) -> int:
        """Share of the model (by bytes) in system RAM, as ``ollama ps`` shows it."""
        if self.size_bytes <= 0:
            return 0
        return round(100 * (self.size_bytes - self.size_vram_bytes) / self.size_bytes)

    @property
    def processor(self) -> str:
        """``100% GPU``, ``100% CPU`` or ``48%/52% CPU/GPU`` (like ``ollama ps``)."""
        cpu = self.cpu_percent
        if cpu == 0:
            return "100% GPU"
        if cpu == 100:
            return "100% CPU"
        return f"{cpu}%/{100 - cpu}% CPU/GPU"


@dataclass(frozen=True)
class PullProgress:
    """One progress line of a pull. ``total``/``completed`` are 0 while unknown."""

    status: str
    digest: str = ""
    total: int = 0
    completed: int = 0

    @property
    def fraction(self) -> float | None:
        """Share of this layer downloaded, or None when there is no byte count."""
        return self.completed / self.total if self.total > 0 else None

    @property
    def done(self) -> bool:
        return self.status == "success"


RESUME_NOTE = "A later pull of the same model resumes where this one stopped."


def ollama_models_dir(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """Where a local Ollama keeps its models: ``OLLAMA_MODELS``, else ``~/.ollama/models``."""
    import os

    env = os.environ if environ is None else environ
    if env.get("OLLAMA_MODELS"):
        return Path(env["OLLAMA_MODELS"]).expanduser()
    return (home or Path.home()) / ".ollama" / "models"


def free_disk_bytes(path: Path) -> int | None:
    """Free bytes on the disk holding ``path`` (its nearest existing parent); None if unknown."""
    import shutil

    for candidate in (path, *path.parents):
        try:
            return shutil.disk_usage(candidate).free
        except OSError:
            continue
    return None


def disk_shortfall(free_bytes: int | None, needed_bytes: int) -> int:
    """Bytes missing to store a download of ``needed_bytes`` (with 5% spare); 0 when it fits.

    Unknown free space or an unknown size never blocks a pull.
    """
    if free_bytes is None or needed_bytes <= 0:
        return 0
    wanted = needed_bytes + needed_bytes // 20
    return max(0, wanted - free_bytes)


def disk_space_problem(name: str, needed_bytes: int, folder: Path | None = None) -> HearthError | None:
    """A clear error when the disk where Ollama keeps models lacks room for ``name``.

    ``needed_bytes`` 0 (size unknown) or an unknown amount of free space never blocks.
    Only meaningful for a server on this machine.
    """
    target = folder or ollama_models_dir()
    missing = disk_shortfall(free_disk_bytes(target), needed_bytes)
    if not missing:
        return None
    from desktop.engine.memory import format_bytes

    return HearthError(
        f"Not enough free disk space for {name} in {target}: {format_bytes(missing)} more are needed.",
        "Free some space (or remove a model you no longer use), then pull again.",
    )
