"""UI state that is not a setting: window geometry, splitter sizes, recent projects,
the instructions given to Edit….

Kept in QSettings, INI format, at ``HearthPaths.ui_state_file`` so HEARTH_HOME relocates
it with everything else.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
MAX_INSTRUCTIONS = 20
_RECENT_KEY = "projects/recent"
_INSTRUCTIONS_KEY = "edit/instructions"


class AppState:
    """A thin typed wrapper over one INI-format QSettings file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    @property
    def path(self) -> Path:
        return Path(self._settings.fileName())

    def recent_projects(self) -> list[Path]:
        """Recently opened folders, newest first; folders that no longer exist are pruned."""
        raw = self._settings.value(_RECENT_KEY, [])
        entries = [raw] if isinstance(raw, str) else list(raw or [])
        existing = [Path(entry) for entry in entries if isinstance(entry, str) and Path(entry).is_dir()]
        if len(existing) != len(entries):
            self._write_recent(existing)
        return existing

    def add_recent_project(self, folder: Path) -> list[Path]:
        """Put ``folder`` first in the recent list (max 10) and return the list."""
        folder = folder.resolve()
        recent = [folder] + [p for p in self.recent_projects() if p != folder]
        recent = recent[:MAX_RECENT]
        self._write_recent(recent)
        return recent

    def _write_recent(self, folders: list[Path]) -> None:
        self._settings.setValue(_RECENT_KEY, [str(p) for p in folders])

    def instructions(self) -> list[str]:
        """What Edit… was asked to do lately, newest first."""
        raw = self._settings.value(_INSTRUCTIONS_KEY, [])
        entries = [raw] if isinstance(raw, str) else list(raw or [])
        return [entry for entry in entries if isinstance(entry, str) and entry.strip()]

    def remember_instruction(self, text: str) -> list[str]:
        """Put ``text`` first in the instruction history (max 20) and return the history."""
        history = [text] + [entry for entry in self.instructions() if entry != text]
        history = history[:MAX_INSTRUCTIONS]
        self._settings.setValue(_INSTRUCTIONS_KEY, history)
        return history

    def bytes_value(self, key: str) -> QByteArray | None:
        """A saved QByteArray (geometry, splitter state) or None."""
        value = self._settings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_bytes_value(self, key: str, value: QByteArray) -> None:
        self._settings.setValue(key, value)

    def sync(self) -> None:
        """Flush to disk now (also done by Qt on exit)."""
        self._settings.sync()
