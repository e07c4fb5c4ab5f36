"""Turn Ollama's per-layer pull progress into one line: bytes, speed, time left.

Pure and clock-injected: the caller passes ``now`` (seconds, monotonic), so the
arithmetic is tested with exact numbers and no waiting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from desktop.engine.models import PullProgress
from desktop.ui.models.rows import size_text

SPEED_WINDOW_S = 5.0  # speed is averaged over the last few seconds


@dataclass(frozen=True)
class PullStatus:
    """Where a download stands."""

    status: str
    completed: int = 0
    total: int = 0
    bytes_per_second: float = 0.0
    seconds_left: float | None = None

    @property
    def percent(self) -> int:
        return int(100 * self.completed / self.total) if self.total else 0

    def describe(self) -> str:
        """``1.2 GiB of 4.1 GiB · 35 MiB/s · about 1 min 23 s left``, or the server's status."""
        if not self.total:
            return _status_words(self.status)
        parts = [f"{size_text(self.completed)} of {size_text(self.total)}"]
        if self.bytes_per_second > 0:
            parts.append(f"{size_text(int(self.bytes_per_second))}/s")
        if self.seconds_left is not None and self.completed < self.total:
            parts.append(f"about {format_duration(self.seconds_left)} left")
        return " · ".join(parts)


class PullTracker:
    """Sums the layers of one pull and measures its speed."""

    def __init__(self) -> None:
        self._layers: dict[str, tuple[int, int]] = {}
        self._samples: deque[tuple[float, int]] = deque()
        self._status = "starting"

    def update(self, progress: PullProgress, now: float) -> PullStatus:
        """Fold in one progress line received at ``now``."""
        self._status = progress.status
        if progress.digest and progress.total:
            self._layers[progress.digest] = (progress.completed, progress.total)
        completed = sum(done for done, _ in self._layers.values())
        total = sum(size for _, size in self._layers.values())
        self._samples.append((now, completed))
        while len(self._samples) > 2 and now - self._samples[0][0] > SPEED_WINDOW_S:
            self._samples.popleft()
        speed = self._speed()
        left = (total - completed) / speed if speed > 0 else None
        return PullStatus(self._status, completed, total, speed, left)

    def _speed(self) -> float:
        (first_t, first_b), (last_t, last_b) = self._samples[0], self._samples[-1]
        if last_t <= first_t or last_b <= first_b:
            return 0.0
        return (last_b - first_b) / (last_t - first_t)


def format_duration(seconds: float) -> str:
    """``83`` -> ``1 min 23 s``; ``4000`` -> ``1 h 7 min``."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _status_words(status: str) -> str:
    if status.startswith("pulling ") and status != "pulling manifest":
        return "Downloading…"
    return {"pulling manifest": "Asking the registry…", "verifying sha256 digest": "Verifying the download…",
            "writing manifest": "Finishing…", "success": "Done"}.get(status, status.capitalize() or "Starting…")
