"""The settings dialog: server, model defaults, timeouts, editor, the bearer token, plugins.

The token never touches the settings file: it goes to the OS keychain through
``SecretStore``. Where no keychain exists the field is disabled and the dialog says why.
The Plugins tab lists every plugin found, loaded or not, with its actions and, for a
broken one, why it was skipped.
"""

from __future__ import annotations

import html
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import HearthError
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings
from desktop.engine.hosts import normalize_host

if TYPE_CHECKING:  # annotations only
    from desktop.plugins.loader import PluginInfo, PluginProblem

KV_CACHE_TYPES = ("f16", "q8_0", "q4_0")  # Ollama's OLLAMA_KV_CACHE_TYPE values
HostResolver = Callable[[str], str]  # host field text -> host actually used
ERROR_COLOUR = "#c0392b"


def validate_host(text: str) -> str:
    """The normalised host for a non-empty entry; raises ValueError with a readable reason."""
    raw = text.strip()
    if not raw:
        return ""
    if "://" in raw and raw.split("://", 1)[0].lower() not in ("http", "https"):
        raise ValueError("The server address must start with http:// or https://.")
    if any(char.isspace() for char in raw):
        raise ValueError("The server address cannot contain spaces.")
    try:
        return normalize_host(raw)
    except ValueError as exc:
        raise ValueError(f"The server address is not valid: {exc}.") from None


def validate_editor_command(text: str) -> str:
    """The editor command as typed, if it splits into words; raises ValueError otherwise."""
    command = text.strip()
    if not command:
        return ""
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise ValueError(f"The editor command cannot be read: {exc}.") from None
    if not words:
        raise ValueError("The editor command is empty.")
    return command


class SettingsDialog(QDialog):
    """Edits a ``Settings``; ``result_settings`` holds the accepted values."""

    def __init__(
        self,
        settings: Settings,
        secrets: SecretStore,
        resolve_host: HostResolver,
        parent: QWidget | None = None,
        plugins: Sequence[PluginInfo] = (),
        plugins_dir: Path | None = None,
        plugin_problems: Sequence[PluginProblem] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Hearth Settings")
        self.setAccessibleName("Settings")
        self.setMinimumWidth(560)  # room for the placeholders and the keychain note
        self._settings = settings
        self._secrets = secrets
        self._resolve_host = resolve_host
        self.result_settings: Settings = settings
        self.token_changed = False
        self._initial_host = ""
        self._loaded_token = ""
        self._build_fields(settings)
        self.plugins_page = PluginsPage(plugins, plugins_dir, plugin_problems, self)
        self._build_layout()
        self._load_token()

    def _build_fields(self, settings: Settings) -> None:
        self.host_field = self._line("hostField", "Server address", settings.host,
                                     "empty: OLLAMA_HOST or http://127.0.0.1:11434")
        self.model_field = self._line("chatModelField", "Chat model", settings.chat_model,
                                      "e.g. qwen2.5-coder:7b")
        self.temperature_field = QDoubleSpinBox(self)
        self.temperature_field.setRange(0.0, 2.0)
        self.temperature_field.setSingleStep(0.1)
        self.temperature_field.setDecimals(2)
        self.temperature_field.setValue(settings.temperature)
        self.context_field = QSpinBox(self)
        self.context_field.setRange(512, 1_048_576)
        self.context_field.setSingleStep(1024)
        self.context_field.setValue(settings.num_ctx)
        self.context_field.setToolTip("Changing the context length makes Ollama reload the model.")
        self.connect_timeout_field = self._seconds(settings.connect_timeout_s, 0.5, 120.0)
        self.read_timeout_field = self._seconds(settings.read_timeout_s, 5.0, 3600.0)
        self.editor_field = self._line("externalEditorField", "External editor command",
                                       settings.external_editor, "e.g. code --goto {path}:{line}")
        self.kv_cache_field = QComboBox(self)
        self.kv_cache_field.addItems(KV_CACHE_TYPES)
        self.kv_cache_field.setCurrentText(settings.kv_cache_type)
        self.flash_field = QCheckBox("Flash attention is on", self)
        self.flash_field.setChecked(settings.flash_attention)
        self.parallel_field = QSpinBox(self)
        self.parallel_field.setRange(1, 64)
        self.parallel_field.setValue(max(1, settings.num_parallel))
        server_tip = ("How the Ollama server is configured (OLLAMA_KV_CACHE_TYPE, OLLAMA_FLASH_ATTENTION, "
                      "OLLAMA_NUM_PARALLEL). No API reveals them; Hearth uses them for memory estimates.")
        for widget in (self.kv_cache_field, self.flash_field, self.parallel_field):
            widget.setToolTip(server_tip)
        self.token_field = self._line("tokenField", "Bearer token", "", "only for a remote server behind a proxy")
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        for name, widget, accessible in (
            ("temperatureField", self.temperature_field, "Temperature"),
            ("contextField", self.context_field, "Context length in tokens"),
            ("connectTimeoutField", self.connect_timeout_field, "Connect timeout in seconds"),
            ("readTimeoutField", self.read_timeout_field, "Read timeout in seconds"),
            ("kvCacheField", self.kv_cache_field, "Server KV cache type"),
            ("flashAttentionField", self.flash_field, "Server flash attention"),
            ("parallelField", self.parallel_field, "Server parallel requests"),
        ):
            widget.setObjectName(name)
            widget.setAccessibleName(accessible)
        self.token_note = QLabel("", self)
        self.token_note.setObjectName("tokenNote")
        self.token_note.setWordWrap(True)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("settingsError")
        self.error_label.setAccessibleName("Settings problem")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.hide()

    def _line(self, name: str, accessible: str, value: str, placeholder: str) -> QLineEdit:
        field = QLineEdit(value, self)
        field.setObjectName(name)
        field.setAccessibleName(accessible)
        field.setPlaceholderText(placeholder)
        return field

    def _seconds(self, value: float, low: float, high: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(low, high)
        box.setDecimals(1)
        box.setSuffix(" s")
        box.setValue(value)
        return box

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Server address:", self.host_field)
        form.addRow("Chat &model:", self.model_field)
        form.addRow("&Temperature:", self.temperature_field)
        form.addRow("Default &context length:", self.context_field)
        form.addRow("C&onnect timeout:", self.connect_timeout_field)
        form.addRow("&Read timeout:", self.read_timeout_field)
        form.addRow("External &editor:", self.editor_field)
        form.addRow("Server &KV cache:", self.kv_cache_field)
        form.addRow("", self.flash_field)
        form.addRow("Server &parallel requests:", self.parallel_field)
        form.addRow("Bearer to&ken:", self.token_field)
        form.addRow("", self.token_note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        general = QWidget(self)
        general.setObjectName("generalPage")
        general.setLayout(form)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.tabs.addTab(general, "&General")
        self.tabs.addTab(self.plugins_page, "&Plugins")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def show_plugins(self) -> None:
        """Bring the Plugins tab to the front."""
        self.tabs.setCurrentWidget(self.plugins_page)

    def set_plugins(self, plugins: Sequence[PluginInfo], problems: Sequence[PluginProblem] = ()) -> None:
        """Show these plugins on the Plugins tab (they load after the window opens)."""
        old = self.plugins_page
        showing = self.tabs.currentWidget() is old
        self.plugins_page = PluginsPage(plugins, old.plugins_dir, problems, self)
        self.plugins_page.open_folder = old.open_folder
        index = self.tabs.indexOf(old)
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, self.plugins_page, "&Plugins")
        if showing:
            self.tabs.setCurrentWidget(self.plugins_page)
        old.deleteLater()

    def _token_host(self) -> str:
        """The host the token belongs to: the one typed, else the one in use."""
        try:
            typed = validate_host(self.host_field.text())
        except ValueError:
            typed = ""
        return self._resolve_host(typed)

    def _load_token(self) -> None:
        if not self._secrets.available:
            self.token_field.setEnabled(False)
            self.token_note.setText(self._secrets.unavailable_reason)
            return
        self._initial_host = self._token_host()
        self._loaded_token = self._secrets.get_token(self._initial_host) or ""
        self.token_field.setText(self._loaded_token)
        self.token_note.setText("Stored in the system keychain, never in Hearth's settings file.")

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def collect(self) -> Settings:
        """The settings as entered; raises ValueError with a readable reason."""
        return self._settings.with_changes(
            host=validate_host(self.host_field.text()),
            chat_model=self.model_field.text().strip(),
            temperature=round(self.temperature_field.value(), 2),
            num_ctx=self.context_field.value(),
            connect_timeout_s=self.connect_timeout_field.value(),
            read_timeout_s=self.read_timeout_field.value(),
            external_editor=validate_editor_command(self.editor_field.text()),
            kv_cache_type=self.kv_cache_field.currentText(),
            flash_attention=self.flash_field.isChecked(),
            num_parallel=self.parallel_field.value(),
        )

    def accept(self) -> None:
        """Validate, store the token in the keychain, then close; problems keep it open."""
        try:
            settings = self.collect()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if self._secrets.available:
            token = self.token_field.text().strip()
            moved = bool(token) and self._token_host() != self._initial_host
            if token != self._loaded_token or moved:
                try:
                    self._secrets.set_token(self._token_host(), token)
                except HearthError as exc:
                    self.show_error(exc.message)
                    return
                self.token_changed = True
        self.result_settings = settings
        super().accept()


SOURCE_NAMES = {"bundled": "bundled with Hearth", "user": "your plugin folder"}


def source_text(source: str) -> str:
    """Where a plugin came from, in words ("entry point x" is an installed package)."""
    if source.startswith("entry point"):
        name = source.removeprefix("entry point").strip()
        return f"installed package{f' ({name})' if name else ''}"
    return SOURCE_NAMES.get(source, source)


def plugin_html(info: PluginInfo, problems: Sequence[str] = (), muted: str = "#808080") -> str:
    """A plugin's card: name, version, where from, what it does, its actions, and what is wrong."""
    name = html.escape(info.name or info.id or (info.path.name if info.path else "unnamed plugin"))
    meta = " · ".join(part for part in (f"version {info.version}" if info.version else "", source_text(info.source))
                      if part)
    lines = [f"<b>{name}</b> &nbsp;<span style='color:{muted};'>{html.escape(meta)}</span>"]
    if info.description:
        lines.append(html.escape(info.description))
    if info.actions:
        titles = []
        for action in info.actions:
            key = QKeySequence(action.shortcut).toString(QKeySequence.SequenceFormat.NativeText) if action.shortcut else ""
            titles.append(html.escape(action.title) + (f" ({html.escape(key)})" if key else ""))
        lines.append("Actions: " + ", ".join(titles))
    if info.error:
        lines.append(f"<span style='color:{ERROR_COLOUR};'>Not loaded: {html.escape(info.error)}</span>")
    for problem in problems:
        lines.append(f"<span style='color:{ERROR_COLOUR};'>{html.escape(problem)}</span>")
    if info.path is not None:
        lines.append(f"<span style='color:{muted};'>{html.escape(str(info.path))}</span>")
    return "<br/>".join(lines)


class PluginsPage(QWidget):
    """Every plugin found (loaded or skipped), and a button to open the user's plugin folder."""

    def __init__(self, plugins: Sequence[PluginInfo], plugins_dir: Path | None,
                 problems: Sequence[PluginProblem] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pluginsPage")
        self.setAccessibleName("Plugins")
        self.plugins_dir = plugins_dir
        # Injectable so tests never open a file manager.
        self.open_folder: Callable[[Path], bool] = lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        intro = QLabel("Plugins add code actions to the menus. Put your own in the plugin folder, one folder "
                       "each with a <code>plugin.toml</code>, then restart Hearth. A broken plugin is "
                       "skipped and says why here.", self)
        intro.setWordWrap(True)
        self.cards: list[QLabel] = []
        column = QWidget(self)
        column_layout = QVBoxLayout(column)
        column_layout.setContentsMargins(0, 0, 0, 0)
        for info in plugins:
            hook_problems = [f"The {p.where} hook failed: {p.message}" for p in problems
                             if p.plugin_id == info.id and p.where != "load" and info.loaded]
            column_layout.addWidget(self._card(info, hook_problems))
        if not plugins:
            empty = QLabel("No plugins were found.", column)
            empty.setEnabled(False)
            column_layout.addWidget(empty)
        column_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("pluginList")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(column)
        scroll.viewport().setAutoFillBackground(False)  # the cards sit on the dialog's own background
        column.setAutoFillBackground(False)
        self.open_button = QPushButton("&Open Plugin Folder", self)
        self.open_button.setObjectName("openPluginFolder")
        self.open_button.setAccessibleName("Open plugin folder")
        self.open_button.setToolTip(str(plugins_dir) if plugins_dir else "No plugin folder")
        self.open_button.setEnabled(plugins_dir is not None)
        self.open_button.clicked.connect(self.open_plugin_folder)
        folder = QLabel(html.escape(str(plugins_dir)) if plugins_dir else "", self)
        folder.setObjectName("pluginFolderPath")
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        folder.setEnabled(False)
        bottom = QHBoxLayout()
        bottom.addWidget(self.open_button)
        bottom.addWidget(folder, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(bottom)

    def _card(self, info: PluginInfo, problems: Sequence[str]) -> QLabel:
        card = QLabel(plugin_html(info, problems, self._muted_colour()), self)
        card.setObjectName("pluginCardBroken" if info.error or problems else "pluginCard")
        card.setAccessibleName(f"Plugin {info.name or info.id}")
        card.setAccessibleDescription(info.error)
        card.setTextFormat(Qt.TextFormat.RichText)
        card.setWordWrap(True)
        card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMargin(8)
        self.cards.append(card)
        return card

    def _muted_colour(self) -> str:
        """Secondary text: between the text and the background, so it reads in light and dark."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        back = palette.color(QPalette.ColorRole.Window)
        mix = [round(a * 0.55 + b * 0.45) for a, b in zip(text.getRgb()[:3], back.getRgb()[:3])]
        return "#{:02x}{:02x}{:02x}".format(*mix)

    def open_plugin_folder(self) -> bool:
        """Create the user's plugin folder if needed and show it in the file manager."""
        if self.plugins_dir is None:
            return False
        self.plugins_dir.mkdir(parents=True, exist_ok=True)
        return self.open_folder(self.plugins_dir)
