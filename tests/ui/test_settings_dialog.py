"""The settings dialog: values saved, token only in the keychain, clear problems."""

from __future__ import annotations

import json

from keyring.backends import fail

from desktop.core.paths import HearthPaths
from desktop.core.secrets import SERVICE, SecretStore
from desktop.core.settings import Settings, SettingsStore
from desktop.engine.hosts import resolve_host
from desktop.ui.settings_dialog import SettingsDialog, validate_editor_command, validate_host


def make_dialog(qtbot, settings: Settings | None = None, secrets: SecretStore | None = None) -> SettingsDialog:
    dialog = SettingsDialog(settings or Settings(), secrets or SecretStore(),
                            lambda typed: resolve_host(None, typed))
    qtbot.addWidget(dialog)
    return dialog


def test_saving_collects_values_and_stores_the_token_in_the_keychain(qtbot, memory_keyring) -> None:
    dialog = make_dialog(qtbot)
    dialog.host_field.setText("https://models.example.com")
    dialog.model_field.setText("qwen2.5-coder:7b")
    dialog.temperature_field.setValue(0.7)
    dialog.context_field.setValue(16384)
    dialog.editor_field.setText("code --goto {path}:{line}")
    dialog.token_field.setText("s3cret-token")
    dialog.accept()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    saved = dialog.result_settings
    assert saved.host == "https://models.example.com:443"
    assert (saved.chat_model, saved.temperature, saved.num_ctx) == ("qwen2.5-coder:7b", 0.7, 16384)
    assert saved.external_editor == "code --goto {path}:{line}"
    assert memory_keyring.passwords[(SERVICE, "https://models.example.com:443")] == "s3cret-token"
    assert dialog.token_changed
    store = SettingsStore(HearthPaths.from_env().ensure().settings_file)
    store.save(saved)
    text = store.path.read_text(encoding="utf-8")
    assert "s3cret-token" not in text
    assert json.loads(text)["num_ctx"] == 16384


def test_existing_token_is_shown_masked_and_can_be_removed(qtbot, memory_keyring) -> None:
    secrets = SecretStore()
    secrets.set_token("http://127.0.0.1:11434", "old")
    dialog = make_dialog(qtbot, secrets=secrets)
    assert dialog.token_field.text() == "old"
    assert dialog.token_field.echoMode() == dialog.token_field.EchoMode.Password
    dialog.token_field.clear()
    dialog.accept()
    assert secrets.get_token("http://127.0.0.1:11434") is None


def test_bad_host_keeps_the_dialog_open_with_a_reason(qtbot) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    dialog.host_field.setText("ftp://example.com")
    dialog.accept()
    assert dialog.isVisible()
    assert "http:// or https://" in dialog.error_label.text()


def test_bad_editor_command_is_reported(qtbot) -> None:
    dialog = make_dialog(qtbot)
    dialog.show()
    dialog.editor_field.setText("code 'unclosed")
    dialog.accept()
    assert dialog.isVisible()
    assert "editor command" in dialog.error_label.text()


def test_without_a_keychain_the_token_field_is_disabled_and_says_why(qtbot) -> None:
    secrets = SecretStore(backend=fail.Keyring())
    dialog = make_dialog(qtbot, secrets=secrets)
    assert not dialog.token_field.isEnabled()
    assert dialog.token_note.text() == secrets.unavailable_reason
    assert "keychain" in dialog.token_note.text()
    dialog.model_field.setText("mistral:7b")
    dialog.accept()  # everything else still saves
    assert dialog.result_settings.chat_model == "mistral:7b"


def test_validators() -> None:
    assert validate_host("") == ""
    assert validate_host("10.0.0.5") == "http://10.0.0.5:11434"
    assert validate_editor_command("  subl  ") == "subl"


def test_server_assumptions_for_estimates_are_saved(qtbot, memory_keyring) -> None:
    from desktop.core.secrets import SecretStore
    from desktop.core.settings import Settings
    from desktop.ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), SecretStore(), lambda typed: typed or "http://127.0.0.1:11434")
    qtbot.addWidget(dialog)
    dialog.kv_cache_field.setCurrentText("q8_0")
    dialog.flash_field.setChecked(True)
    dialog.parallel_field.setValue(4)
    dialog.accept()
    saved = dialog.result_settings
    assert (saved.kv_cache_type, saved.flash_attention, saved.num_parallel) == ("q8_0", True, 4)
