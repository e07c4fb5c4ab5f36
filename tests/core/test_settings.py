import json
import os
import subprocess
import sys

import pytest

from desktop.core.errors import SettingsError
from desktop.core.settings import Settings, SettingsStore


def test_missing_file_gives_defaults(tmp_path):
    assert SettingsStore(tmp_path / "settings.json").load() == Settings()


def test_round_trip(tmp_path):
    store = SettingsStore(tmp_path / "cfg" / "settings.json")
    saved = Settings(host="http://gpu-box:11434", chat_model="mistral:7b", num_ctx=4096,
                     plain_http_allowed_hosts=("http://gpu-box:11434",))
    store.save(saved)
    assert store.load() == saved


def test_invalid_json_falls_back_to_defaults(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text("{not json", encoding="utf-8")
    assert SettingsStore(path).load() == Settings()
    assert "not valid JSON" in caplog.text


def test_wrong_types_are_replaced_by_defaults_and_unknown_keys_ignored(tmp_path, caplog):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"num_ctx": "big", "temperature": 0.7, "bogus": 1, "num_ctx_typo": 3}))
    loaded = SettingsStore(path).load()
    assert loaded.num_ctx == Settings().num_ctx
    assert loaded.temperature == 0.7
    assert "num_ctx" in caplog.text


def test_failed_save_keeps_the_previous_file(tmp_path, unprivileged):
    path = tmp_path / "settings.json"
    store = SettingsStore(path)
    store.save(Settings(chat_model="old"))
    os.chmod(tmp_path, 0o500)
    try:
        if os.access(tmp_path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
            pytest.skip("running with privileges that ignore directory permissions")
        with pytest.raises(SettingsError, match="Could not save settings"):
            store.save(Settings(chat_model="new"))
    finally:
        os.chmod(tmp_path, 0o700)
    assert store.load().chat_model == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


def test_disk_full_keeps_the_previous_file(tmp_path):
    """A write that fails half-way (a file-size limit stands in for a full disk)."""
    path = tmp_path / "settings.json"
    SettingsStore(path).save(Settings(chat_model="old"))
    script = f"""
import resource, signal
from desktop.core.settings import Settings, SettingsStore
from desktop.core.errors import SettingsError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
try:
    SettingsStore(__import__('pathlib').Path({str(path)!r})).save(Settings(chat_model='new' * 50))
except SettingsError as exc:
    print('ERROR:', exc)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "ERROR: Could not save settings" in result.stdout, result.stderr
    assert "previous settings are unchanged" in result.stdout
    assert SettingsStore(path).load().chat_model == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]


# --- per-model options and server assumptions (issue 5) --------------------------------


def test_model_options_round_trip_and_defaults(tmp_path):
    from desktop.core.chat import ChatOptions
    from desktop.core.settings import Settings, SettingsStore

    settings = Settings(num_ctx=8192, temperature=0.2).with_model_options("qwen2.5-coder:7b", 16384, 0.1)
    settings = settings.with_model_options("qwen2.5-coder:7b", 32768, 0.3).with_changes(
        kv_cache_type="q8_0", flash_attention=True, num_parallel=2,
        chat_model="qwen3:8b", edit_model="qwen2.5-coder:7b", embedding_model="nomic-embed-text")
    assert settings.model_options == (("qwen2.5-coder:7b", 32768, 0.3),)
    assert settings.options_for("qwen2.5-coder:7b") == ChatOptions(num_ctx=32768, temperature=0.3)
    assert settings.options_for("never-configured") == ChatOptions(num_ctx=8192, temperature=0.2)
    store = SettingsStore(tmp_path / "settings.json")
    store.save(settings)
    assert store.load() == settings
