import logging

import pytest
from keyring.backends.fail import Keyring as FailKeyring

from desktop.core.errors import SecretsUnavailable
from desktop.core.secrets import SecretStore
from desktop.core.settings import Settings, SettingsStore


def test_token_round_trip_through_keyring(memory_keyring):
    store = SecretStore()
    store.set_token("https://gpu.example:443", "s3cret-token")
    assert store.get_token("https://gpu.example:443") == "s3cret-token"
    assert ("Hearth", "https://gpu.example:443") in memory_keyring.passwords
    store.set_token("https://gpu.example:443", "")
    assert store.get_token("https://gpu.example:443") is None


def test_no_keychain_is_said_plainly_and_reads_return_none():
    store = SecretStore(FailKeyring())
    assert not store.available
    assert "No system keychain" in store.unavailable_reason
    assert store.get_token("http://x:1") is None
    with pytest.raises(SecretsUnavailable) as info:
        store.set_token("http://x:1", "tok-123")
    assert "tok-123" not in str(info.value)


def test_token_never_lands_in_settings_file_or_log(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    SecretStore().set_token("https://h:443", "tok-very-secret")
    settings_store = SettingsStore(tmp_path / "settings.json")
    settings_store.save(Settings(host="https://h:443"))
    assert "tok-very-secret" not in (tmp_path / "settings.json").read_text()
    assert "tok-very-secret" not in caplog.text
