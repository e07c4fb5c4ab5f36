"""Test configuration shared by every test.

Qt runs offscreen, and every test gets its own HEARTH_HOME so nothing touches the
real user's settings, chats or keychain.
"""

from __future__ import annotations

import os

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


@pytest.fixture(autouse=True)
def memory_keyring():
    """An in-memory keyring backend, so tests never touch a real keychain."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
