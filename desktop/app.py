"""Composition root: builds paths, settings, engine, services and the main window.

Start-up stays lean: the Ollama client, pygments and the keychain backend are loaded
when first needed, on the worker, and the server check never runs on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatEvent, ChatMessage, ChatOptions
from desktop.core.paths import HearthPaths
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.base import Engine, ModelDetails, ModelSummary, ServerInfo
from desktop.engine.hosts import is_loopback, resolve_host

log = logging.getLogger(__name__)


class DeferredEngine(Engine):
    """An engine built on first use, so importing the HTTP client costs nothing at start-up.

    ``host`` and ``is_local`` answer at once; every other call builds the real engine
    (through ``desktop.engine.factory.create_engine``) the first time, on whichever
    thread asks — in the app that is always the worker.
    """

    def __init__(self, settings: Settings, secrets: object, host_flag: str | None = None) -> None:
        self._settings = settings
        self._secrets = secrets
        self._flag = host_flag
        self._host = resolve_host(host_flag, settings.host)
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    def _real(self) -> Engine:
        with self._lock:
            if self._engine is None:
                from desktop.engine.factory import create_engine

                self._engine = create_engine(self._settings, self._secrets, self._flag)
            return self._engine

    @property
    def host(self) -> str:
        return self._host

    @property
    def is_local(self) -> bool:
        return is_loopback(self._host)

    def server_info(self) -> ServerInfo:
        return self._real().server_info()

    def list_models(self) -> list[ModelSummary]:
        return self._real().list_models()

    def show_model(self, name: str) -> ModelDetails:
        return self._real().show_model(name)

    def chat(self, model: str, messages: Sequence[ChatMessage], options: ChatOptions,
             cancel: CancelToken) -> Iterator[ChatEvent]:
        return self._real().chat(model, messages, options, cancel)


@dataclass(frozen=True)
class AppParts:
    """Everything ``build_main_window`` made, for ``run_app``, tests and benchmarks."""

    window: object  # desktop.ui.main_window.MainWindow
    services: object  # desktop.ui.main_window.WindowServices
    paths: HearthPaths


def make_application(argv: list[str] | None = None):  # noqa: ANN201 - QApplication
    """The QApplication, created once with Hearth's name, icon and style."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from desktop.core.assets import resource_path

    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else [sys.argv[0]])
    app.setApplicationName("Hearth")
    app.setApplicationDisplayName("Hearth")
    app.setDesktopFileName("hearth")
    if sys.platform != "darwin":  # macOS's own style follows light/dark best
        app.setStyle("Fusion")
    icon = resource_path("icons", "hearth.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


class LazySecrets:
    """A ``SecretStore`` created on first use: finding the keychain backend takes ~0.1 s."""

    def __init__(self) -> None:
        self._store: object | None = None
        self._lock = threading.Lock()

    def _real(self):  # noqa: ANN202 - SecretStore
        with self._lock:
            if self._store is None:
                from desktop.core.secrets import SecretStore

                self._store = SecretStore()
            return self._store

    def __getattr__(self, name: str) -> object:
        return getattr(self._real(), name)


def _engine_factory(secrets: LazySecrets):  # noqa: ANN202 - an EngineFactory
    def make_engine(settings: Settings, host_flag: str | None) -> Engine:
        return DeferredEngine(settings, secrets, host_flag)

    return make_engine


def build_main_window(project: Path | None = None, host_flag: str | None = None,
                      paths: HearthPaths | None = None, check_server: bool = True) -> AppParts:
    """Build the services and the main window (not shown, no event loop)."""
    from PySide6.QtCore import QTimer

    from desktop.assist.conversations import ConversationStore
    from desktop.qt.worker import TaskRunner
    from desktop.ui.app_state import AppState
    from desktop.ui.main_window import MainWindow, WindowServices

    make_application()
    paths = (paths or HearthPaths.from_env()).ensure()
    settings_store = SettingsStore(paths.settings_file)
    settings = settings_store.load()
    secrets = LazySecrets()
    services = WindowServices(
        paths=paths,
        settings_store=settings_store,
        secrets=secrets,
        store=ConversationStore(paths.chats_db),
        runner=TaskRunner(),
        app_state=AppState(paths.ui_state_file),
        make_engine=_engine_factory(secrets),
        host_flag=host_flag,
    )
    window = MainWindow(services, settings, services.make_engine(settings, host_flag))
    # Background work starts once the event loop runs, so it does not compete with
    # building and showing the window for the interpreter lock.
    if project is not None:
        QTimer.singleShot(0, lambda: window.open_project(project))
    if check_server:
        QTimer.singleShot(0, window.check_server)  # once the window is up; runs on the worker
    return AppParts(window, services, paths)


def shutdown(parts: AppParts) -> None:
    """Stop background work and close the chat database."""
    from PySide6.QtCore import QCoreApplication

    parts.services.runner.shutdown(timeout=2.0)
    # Deliver the workers' last queued signals while the store is still open.
    QCoreApplication.sendPostedEvents()
    parts.services.store.close()


def _configure_logging(paths: HearthPaths) -> None:
    handler = logging.FileHandler(paths.log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def run_app(project: Path | None = None, host_flag: str | None = None) -> int:
    """Start the desktop app; returns the exit code when the window closes."""
    paths = HearthPaths.from_env().ensure()
    _configure_logging(paths)
    app = make_application()
    parts = build_main_window(project, host_flag, paths=paths)
    parts.window.show()
    try:
        return app.exec()
    finally:
        shutdown(parts)
