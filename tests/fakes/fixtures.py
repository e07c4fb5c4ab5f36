"""Pytest fixtures around the fake Ollama server (loaded by tests/conftest.py)."""

from __future__ import annotations

import socket
from typing import Iterator

import pytest

from tests.fakes.fake_ollama import FakeOllama


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    """A started fake Ollama server on a random local port; stopped after the test."""
    server = FakeOllama()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def free_local_port() -> int:
    """A loopback port with nothing listening on it (for "server not running")."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
