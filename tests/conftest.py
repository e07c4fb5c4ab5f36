"""Test configuration shared by every test.

Qt runs offscreen, and every test gets its own HEARTH_HOME so nothing touches the
real user's settings, chats or keychain.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import pytest  # noqa: E402

from tests.fakes.memory_keyring import MemoryKeyring  # noqa: E402

pytest_plugins = ["tests.fakes.fixtures"]


@pytest.fixture(autouse=True)
def hearth_home(tmp_path, monkeypatch):
    """A fresh HEARTH_HOME per test; OLLAMA_HOST cleared so tests choose the host."""
    home = tmp_path / "hearth-home"
    monkeypatch.setenv("HEARTH_HOME", str(home))
    monkeypatch.delenv("OLLAMA_HOST", raising=False)
    monkeypatch.delenv("OLLAMA_API_KEY", raising=False)
    return home


NOBODY = 65534  # the unprivileged user and group on Linux and macOS


@pytest.fixture
def unprivileged(tmp_path):
    """The test runs as a user a chmod 000 file is closed to.

    Root reads any file, and CI runs as root, so a permission error cannot happen there
    otherwise. As root, ``tmp_path`` is handed to ``nobody``, the folders above it and
    above Python's files are made passable (not readable), and the effective user and group become ``nobody`` until
    the test ends; as anyone else the test runs as it is."""
    if os.name == "nt" or os.geteuid() != 0:
        yield
        return
    # Python's own files lie under root's home when it was installed there (pyenv), and
    # a module imported during the test is read as nobody.
    needed = {tmp_path, Path(sys.base_prefix), Path(sys.prefix), Path(__file__).resolve().parent}
    folders = {parent for path in needed for parent in (path, *path.parents)} - {tmp_path}
    passable = [(folder, folder.stat().st_mode) for folder in sorted(folders) if not folder.stat().st_mode & 0o001]
    for parent, mode in passable:
        parent.chmod(mode | 0o001)
    _chown_tree(tmp_path, NOBODY)
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)
        _chown_tree(tmp_path, 0)
        for parent, mode in passable:
            parent.chmod(mode)


def _chown_tree(root, owner: int) -> None:
    os.lchown(root, owner, owner)
    for folder, names, files in os.walk(root):
        for name in names + files:
            os.lchown(os.path.join(folder, name), owner, owner)


@pytest.fixture(autouse=True)
def memory_keyring():
    """An in-memory keyring backend, so tests never touch a real keychain."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
