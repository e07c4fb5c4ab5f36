"""UI state that is not a setting: window geometry, splitter sizes, recent projects and
the files opened lately in each, the instructions given to Edit….

Kept in QSettings, INI format, at ``HearthPaths.ui_state_file`` so HEARTH_HOME relocates
it with everything else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10
MAX_RECENT_FILES = 20
MAX_INSTRUCTIONS = 20
_RECENT_KEY = "projects/recent"
_RECENT_FILES_GROUP = "recent-files"  # one key per project: a digest of its folder
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

    def recent_files(self, project: Path) -> list[str]:
        """Files of ``project`` opened lately (relative, ``/``-separated), newest first."""
        raw = self._settings.value(_recent_files_key(project), [])
        entries = [raw] if isinstance(raw, str) else list(raw or [])
        return [entry for entry in entries if isinstance(entry, str) and entry]

    def add_recent_file(self, project: Path, relative: str) -> list[str]:
        """Put ``relative`` first among ``project``'s recent files (max 20) and return them."""
        recent = [relative] + [entry for entry in self.recent_files(project) if entry != relative]
        recent = recent[:MAX_RECENT_FILES]
        self._settings.setValue(_recent_files_key(project), recent)
        return recent

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


def _recent_files_key(project: Path) -> str:
    # A digest, not the path: a key holds no slashes and stays short, and the folder's
    # name is not written into the file a second time.
    digest = hashlib.sha1(str(project.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{_RECENT_FILES_GROUP}/{digest}"
