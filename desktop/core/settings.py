"""The one settings schema, stored as JSON in the config directory.

Unknown keys are kept out, wrong types fall back to the default (and are reported),
and writes are atomic so a crash or a full disk never leaves half a file. Secrets are
not settings: tokens live only in the OS keychain (see ``desktop.core.secrets``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from desktop.core.chat import ChatOptions
from desktop.core.errors import SettingsError

log = logging.getLogger(__name__)

DEFAULT_HOST = "http://127.0.0.1:11434"


@dataclass(frozen=True)
class Settings:
    """User preferences. Every field has a safe default."""

    host: str = ""  # empty: use OLLAMA_HOST, else DEFAULT_HOST
    temperature: float = 0.2
    num_ctx: int = 8192
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 120.0  # a cold model load can take a minute
    font_size: int = 0  # 0: the system's size
    external_editor: str = ""  # empty: the system's default application
    plain_http_allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # Per model: (name, num_ctx, temperature); models not listed use num_ctx/temperature above.
    model_options: tuple[tuple[str, int, float], ...] = field(default_factory=tuple)
    # What the server runs with; no API reveals these, so they are assumed (Ollama's defaults).
    kv_cache_type: str = "f16"  # OLLAMA_KV_CACHE_TYPE: f16, q8_0 or q4_0
    flash_attention: bool = False  # OLLAMA_FLASH_ATTENTION
    num_parallel: int = 1  # OLLAMA_NUM_PARALLEL
    # Default model per use (empty: none chosen yet).
    chat_model: str = ""
    edit_model: str = ""
    embedding_model: str = ""

    def with_changes(self, **changes: Any) -> "Settings":
        return replace(self, **changes)

    def options_for(self, model: str) -> ChatOptions:
        """The context length and temperature chats with ``model`` send."""
        for name, num_ctx, temperature in self.model_options:
            if name == model:
                return ChatOptions(num_ctx=num_ctx, temperature=temperature)
        return ChatOptions(num_ctx=self.num_ctx, temperature=self.temperature)

    def with_model_options(self, model: str, num_ctx: int, temperature: float) -> "Settings":
        """A copy where ``model`` uses ``num_ctx`` and ``temperature``."""
        kept = tuple(entry for entry in self.model_options if entry[0] != model)
        entry = (model, int(num_ctx), float(temperature))
        return replace(self, model_options=tuple(sorted((*kept, entry))))


_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Return ``value`` in the type of ``default``, or raise ValueError."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ValueError
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ValueError
        return value
    if name == "model_options":
        return _model_options(value)
    if isinstance(default, tuple):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError
        return tuple(value)
    raise ValueError(name)


def _model_options(value: Any) -> tuple[tuple[str, int, float], ...]:
    """``[[name, num_ctx, temperature], ...]`` → tuples; raise ValueError on anything else."""
    if not isinstance(value, list):
        raise ValueError
    entries = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], str) and item[0]):
            raise ValueError
        name, num_ctx, temperature = item
        if isinstance(num_ctx, bool) or not isinstance(num_ctx, int) or num_ctx <= 0:
            raise ValueError
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise ValueError
        entries.append((name, num_ctx, float(temperature)))
    return tuple(entries)


def settings_from_dict(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Build Settings from parsed JSON; also returns a list of problems found."""
    defaults = Settings()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name in _FIELD_TYPES:
        if name not in data:
            continue
        try:
            values[name] = _coerce(name, data[name], getattr(defaults, name))
        except ValueError:
            problems.append(f"setting '{name}' has an invalid value; using the default")
    return replace(defaults, **values), problems


class SettingsStore:
    """Loads and saves the settings file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        """The saved settings; defaults if the file is missing or unreadable."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            log.warning("cannot read settings %s: %s; using defaults", self.path, exc)
            return Settings()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            log.warning("settings file %s is not valid JSON (%s); using defaults", self.path, exc)
            return Settings()
        settings, problems = settings_from_dict(data)
        for problem in problems:
            log.warning("%s (%s)", problem, self.path)
        return settings

    def save(self, settings: Settings) -> None:
        """Write atomically: the old file stays intact if anything fails."""
        payload = asdict(settings)
        payload["plain_http_allowed_hosts"] = list(settings.plain_http_allowed_hosts)
        payload["model_options"] = [list(entry) for entry in settings.model_options]
        text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
        try:
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise SettingsError(
                f"Could not save settings to {self.path}: {exc.strerror or exc}.",
                "Your previous settings are unchanged.",
            ) from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temporary file and rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(
    path: Path, data: bytes, mode: int | None = None, *, before_replace: Callable[[], None] | None = None
) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The bytes go to a temporary file in the same folder (a rename across file systems
    is not atomic), are flushed to disk, get ``mode`` (permission bits; the temporary
    file's private 0o600 when None) and then replace ``path``. ``before_replace`` runs
    just before that replacement: it may raise to keep ``path`` as it is. On any
    failure the temporary file is removed, ``path`` is untouched and the error is raised.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        if before_replace is not None:
            before_replace()
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
