"""Where Hearth keeps its state.

Everything Hearth writes lives in four directories. With ``HEARTH_HOME`` set, all four
sit under that directory (tests and scripts rely on this); otherwise they are the
platform's usual places, as reported by platformdirs for the app name ``Hearth``.
Nothing here ever points into the user's project.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import platformdirs

APP_NAME = "Hearth"
HOME_ENV = "HEARTH_HOME"


@dataclass(frozen=True)
class HearthPaths:
    """The directories for settings, chats and other data, caches (index) and logs."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "HearthPaths":
        """Paths under ``$HEARTH_HOME`` when set, else the platform defaults."""
        environ = os.environ if environ is None else environ
        home = environ.get(HOME_ENV, "").strip()
        if home:
            return cls.under(Path(home).expanduser())
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        )

    @classmethod
    def under(cls, home: Path) -> "HearthPaths":
        """All state below one directory: ``config``, ``data``, ``cache``, ``logs``."""
        home = home.resolve()
        return cls(home / "config", home / "data", home / "cache", home / "logs")

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def ui_state_file(self) -> Path:
        """QSettings (INI format) for window geometry and similar UI state."""
        return self.config_dir / "ui-state.ini"

    @property
    def chats_db(self) -> Path:
        return self.data_dir / "chats.sqlite3"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "hearth.log"

    def project_cache_dir(self, project_root: Path) -> Path:
        """Per-project cache directory (the index lives here), keyed by absolute path."""
        return self.cache_dir / "projects" / project_key(project_root)

    def project_data_dir(self, project_root: Path) -> Path:
        """Per-project data that must survive a cache wipe (the undo history)."""
        return self.data_dir / "projects" / project_key(project_root)

    @property
    def plugins_dir(self) -> Path:
        """The user's own plugins, one folder each."""
        return self.data_dir / "plugins"

    def ensure(self) -> "HearthPaths":
        """Create the directories if missing; returns self for chaining."""
        for directory in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            directory.mkdir(parents=True, exist_ok=True)
        return self


def project_key(project_root: Path) -> str:
    """A stable, file-name-safe key for a project: readable name plus a path hash."""
    absolute = str(Path(project_root).expanduser().resolve())
    digest = hashlib.sha256(absolute.encode("utf-8")).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(absolute).name).strip("-") or "root"
    return f"{slug[:40]}-{digest}"
