"""Composition root: builds paths, settings, engine, services and the main window.

Start-up stays lean: the Ollama client, pygments and the keychain backend are loaded
when first needed, on the worker, and the server check never runs on the GUI thread.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop import __version__
from desktop.core.paths import HearthPaths
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.base import Engine
from desktop.engine.factory import DeferredEngine

log = logging.getLogger(__name__)


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
    # macOS's own style follows light/dark best; elsewhere Fusion does. Setting a style
    # rebuilds every palette and font (~17 ms), so skip it when Fusion is already on.
    if sys.platform != "darwin" and app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    icon = resource_path("icons", "hearth.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def _engine_factory(secrets: SecretStore):  # noqa: ANN202 - an EngineFactory
    def make_engine(settings: Settings, host_flag: str | None) -> Engine:
        return DeferredEngine(settings, secrets, host_flag)

    return make_engine


def build_main_window(project: Path | None = None, host_flag: str | None = None,
                      paths: HearthPaths | None = None, check_server: bool = True,
                      load_plugins: bool = True) -> AppParts:
    """Build the services and the main window (not shown, no event loop).

    Once the event loop runs, the project opens, the server is checked (``check_server``)
    and the plugins load (``load_plugins``), all on the worker.
    """
    from PySide6.QtCore import QTimer

    from desktop.assist.conversations import ConversationStore
    from desktop.qt.worker import TaskRunner
    from desktop.ui.app_state import AppState
    from desktop.ui.main_window import MainWindow, WindowServices

    make_application()
    paths = (paths or HearthPaths.from_env()).ensure()
    settings_store = SettingsStore(paths.settings_file)
    settings = settings_store.load()
    secrets = SecretStore()  # finds the keychain backend on first use
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
    if load_plugins:
        # The window opens with the built-in actions; the plugins' join the menus when loaded.
        QTimer.singleShot(0, window.load_plugins)
    return AppParts(window, services, paths)


def shutdown(parts: AppParts) -> None:
    """Stop background work and close the chat database."""
    from PySide6.QtCore import QCoreApplication

    parts.services.runner.shutdown(timeout=2.0)
    # Deliver the workers' last queued signals while the store is still open.
    QCoreApplication.sendPostedEvents()
    parts.services.store.close()


def _quit_on_terminal_signals(app, window) -> None:  # noqa: ANN001 - QApplication, MainWindow
    """Ctrl+C or SIGTERM in a terminal closes the window properly (state saved, tasks stopped).

    Python only runs signal handlers between bytecodes, so a light timer gives it the
    chance while Qt's event loop waits.
    """
    import signal

    from PySide6.QtCore import QTimer

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_args: window.close())
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)


def run_app(project: Path | None = None, host_flag: str | None = None) -> int:
    """Start the desktop app; returns the exit code when the window closes."""
    from desktop.core.logs import configure_logging

    paths = HearthPaths.from_env().ensure()
    configure_logging(paths)
    app = make_application()
    parts = build_main_window(project, host_flag, paths=paths)
    parts.window.show()
    _quit_on_terminal_signals(app, parts.window)
    log.info("Hearth %s started (project: %s)", __version__, project or "none")
    try:
        return app.exec()
    finally:
        shutdown(parts)
        log.info("Hearth closed")
