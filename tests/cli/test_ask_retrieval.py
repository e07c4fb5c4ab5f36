"""`hearth ask` indexes the project and sends the code that answers the question."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import hearth, snapshot


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "shop"
    (root / "billing").mkdir(parents=True)
    (root / "billing" / "tax.py").write_text(
        "def vat_for_country(country, amount):\n"
        '    """Value added tax owed on an amount, by country."""\n'
        "    rates = {'DE': 0.19, 'FR': 0.20, 'NL': 0.21}\n"
        "    return round(amount * rates.get(country, 0.0), 2)\n\n\n"
        "def format_money(amount):\n"
        "    return f'{amount:,.2f}'\n",
        encoding="utf-8",
    )
    (root / "billing" / "invoice.py").write_text(
        "from billing.tax import vat_for_country\n\n\n"
        "def render_invoice(lines):\n"
        "    return '\\n'.join(str(line) for line in lines)\n",
        encoding="utf-8",
    )
    (root / "users.py").write_text(
        "def reset_password(user):\n    user.password = None\n    return user\n", encoding="utf-8")
    (root / ".env").write_text("STRIPE_KEY=sk_live_secret\n", encoding="utf-8")
    return root


def test_ask_sends_the_function_that_answers(fake_ollama, project, hearth_home):
    fake_ollama.answer = "Germany pays 19%."
    before = snapshot(project)
    result = hearth("ask", str(project), "What tax rate applies to an amount in Germany?",
                    "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == fake_ollama.answer
    body = fake_ollama.last_chat_body
    question = body["messages"][-1]["content"]
    assert "billing/tax.py lines 1-4 (function vat_for_country)" in question
    assert "rates = {'DE': 0.19, 'FR': 0.20, 'NL': 0.21}" in question
    assert "sk_live_secret" not in json.dumps(body)  # secret files never go out
    assert body["options"]["num_ctx"] > 0
    assert snapshot(project) == before  # the index lives under HEARTH_HOME, not in the project
    assert list((hearth_home / "cache" / "projects").glob("*/index.sqlite3"))
    calibration = json.loads((hearth_home / "data" / "token_calibration.json").read_text())
    assert "mistral:7b" in calibration["models"]


def test_ask_falls_back_to_the_listing_when_indexing_fails(fake_ollama, project, hearth_home):
    # The cache folder cannot be created (a file is in its way), so the index cannot be built.
    hearth_home.mkdir(parents=True, exist_ok=True)
    (hearth_home / "cache").write_text("in the way", encoding="utf-8")
    fake_ollama.answer = "ok"
    result = hearth("ask", str(project), "What tax rate applies in Germany?",
                    "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    body = fake_ollama.last_chat_body
    system = body["messages"][0]["content"]
    assert "billing/tax.py" in system and "users.py" in system  # the file listing
    assert body["messages"][-1]["content"] == "What tax rate applies in Germany?"


def test_ask_with_a_question_too_long_for_the_context(fake_ollama, project, hearth_home):
    settings = hearth_home / "config" / "settings.json"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"num_ctx": 2048}), encoding="utf-8")
    result = hearth("ask", str(project), "why " * 3000, "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 2  # bad input, not a server failure
    assert "does not fit" in result.stderr and "Traceback" not in result.stderr
    assert fake_ollama.last_chat_body is None  # nothing was sent


def test_ask_sends_the_models_own_context_length_and_temperature(fake_ollama, project, hearth_home):
    from desktop.core.paths import HearthPaths
    from desktop.core.settings import Settings, SettingsStore

    paths = HearthPaths.under(hearth_home).ensure()
    settings = Settings(num_ctx=8192, temperature=0.2).with_model_options("mistral:7b", 2048, 0.7)
    SettingsStore(paths.settings_file).save(settings)
    result = hearth("ask", str(project), "What tax rate applies in Germany?",
                    "--model", "mistral:7b", "--host", fake_ollama.host)
    assert result.returncode == 0, result.stderr
    assert fake_ollama.last_chat_body["options"] == {"num_ctx": 2048, "temperature": 0.7}


def test_ctrl_c_while_the_first_index_is_built_exits_130_without_a_traceback(fake_ollama, tmp_path, hearth_home):
    import signal
    import subprocess
    import sys
    import time

    from desktop.core.paths import HearthPaths
    from desktop.index.store import index_db_path

    root = tmp_path / "big"
    root.mkdir()
    functions = "".join(f"def function_{n}(value):\n    return value + {n}\n\n\n" for n in range(60))
    for number in range(3000):  # a few seconds to index: the interrupt lands while it runs
        (root / f"module_{number}.py").write_text(functions, encoding="utf-8")
    # As from a terminal: Ctrl+C raises KeyboardInterrupt (see test_pull_ctrl_c_cancels_cleanly).
    start = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
             "sys.argv[0] = 'hearth'; runpy.run_module('desktop', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", start, "ask", str(root), "what?", "--model", "mistral:7b",
                             "--host", fake_ollama.host], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    database = index_db_path(HearthPaths.from_env(), root.resolve())
    deadline = time.monotonic() + 30
    while not database.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the index was built before the interrupt: make the project larger"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert err.strip() == f"hearth: interrupted while reading {root.resolve()}; nothing was sent."
    assert out == ""
    assert fake_ollama.last_chat_body is None
