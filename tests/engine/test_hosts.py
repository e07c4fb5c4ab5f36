import pytest

from desktop.engine.hosts import is_loopback, normalize_host, resolve_host, sends_code_in_clear


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.2.3.4", "http://1.2.3.4:11434"),
        (":5000", "http://127.0.0.1:5000"),
        ("example.com:56789/path/", "http://example.com:56789/path"),
        ("http://example.com", "http://example.com:80"),
        ("https://example.com", "https://example.com:443"),
        ("[::1]", "http://[::1]:11434"),
        ("0.0.0.0:11434", "http://127.0.0.1:11434"),
    ],
)
def test_normalize_like_the_official_client(raw, expected):
    assert normalize_host(raw) == expected


def test_precedence_flag_env_settings_default():
    env = {"OLLAMA_HOST": "envhost"}
    assert resolve_host("flaghost", "setting", env) == "http://flaghost:11434"
    assert resolve_host(None, "setting", env) == "http://envhost:11434"
    assert resolve_host(None, "setting", {}) == "http://setting:11434"
    assert resolve_host(None, "", {}) == "http://127.0.0.1:11434"


def test_loopback_and_clear_text_warnings():
    assert is_loopback("http://localhost:11434")
    assert is_loopback("http://127.0.0.2:11434")
    assert not is_loopback("http://10.0.0.5:11434")
    assert sends_code_in_clear("http://10.0.0.5:11434")
    assert not sends_code_in_clear("https://10.0.0.5:443")
    assert not sends_code_in_clear("http://127.0.0.1:11434")
