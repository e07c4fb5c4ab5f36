"""Shared fixtures for widget tests: a task runner, a real chat store, a chat service.

Everything is real: the SQLite store lives under the test's HEARTH_HOME, the service
talks HTTP to the fake Ollama server, and a small project folder lives in tmp_path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from desktop.assist.chat_service import ChatService
from desktop.assist.conversations import ConversationStore
from desktop.core.paths import HearthPaths, project_key
from desktop.engine.ollama_engine import OllamaEngine
from desktop.qt.worker import TaskRunner


@pytest.fixture
def task_runner(qtbot) -> Iterator[TaskRunner]:
    """The one worker abstraction; every task is cancelled and awaited at teardown."""
    runner = TaskRunner()
    yield runner
    runner.shutdown(timeout=2.0)
    qtbot.waitUntil(lambda: runner.active_count == 0, timeout=5000)


@pytest.fixture
def chat_store(hearth_home) -> Iterator[ConversationStore]:
    """The real conversation store under this test's HEARTH_HOME."""
    store = ConversationStore(HearthPaths.from_env().ensure().chats_db)
    yield store
    store.close()


@pytest.fixture
def sample_project(tmp_path) -> Path:
    """A tiny project folder to chat about."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def main():\n    return 42\n", encoding="utf-8")
    (root / "README.md").write_text("# Sample\n", encoding="utf-8")
    return root


@pytest.fixture
def sample_project_key(sample_project) -> str:
    return project_key(sample_project)


@pytest.fixture
def chat_service(chat_store, sample_project, fake_ollama) -> ChatService:
    """A chat service over the real store and the fake Ollama server."""
    return ChatService(chat_store, sample_project, OllamaEngine(fake_ollama.host))
