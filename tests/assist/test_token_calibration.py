"""Per-model token calibration: what it learns from the server's counts, and its file."""

from __future__ import annotations

import json

import pytest

from desktop.assist.context import TokenCalibration


@pytest.mark.parametrize("nonsense", ["NaN", "-Infinity", "Infinity", "-1.0", "0", "0.001", "1e308", "true", '"0.9"'])
def test_nonsense_ratios_in_the_file_are_ignored_not_clamped(tmp_path, nonsense):
    path = tmp_path / "cal.json"
    path.write_text('{"version": 1, "models": {"m": [%s]}}' % nonsense, encoding="utf-8")
    assert TokenCalibration(path).estimator("m").factor == 1.0


def test_sane_ratios_next_to_nonsense_are_kept(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"version": 1, "models": {"m": [1.2, -3]}}), encoding="utf-8")
    assert TokenCalibration(path).estimator("m").factor == pytest.approx(1.2 * 1.05)


# --- which counts cover the whole prompt ---------------------------------------------------

HOST = "http://127.0.0.1:11434"


def _answered(calibration, model, host, num_ctx, count=800):
    sent = calibration.sending(model, host, num_ctx)
    calibration.observe(model, 1000, count, num_ctx, sent)
    return sent


def test_the_first_send_is_whole_and_the_next_at_that_size_may_be_cached(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    assert _answered(calibration, "m", HOST, 4096).whole
    assert not calibration.sending("m", HOST, 4096).whole
    assert calibration.sending("m", HOST, 8192).whole  # no prompt of this size was ever sent


def test_only_an_answered_request_at_another_size_shows_the_model_was_reloaded(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    _answered(calibration, "m", HOST, 4096)
    calibration.sending("m", HOST, 8192)  # no answer: the server may never have loaded it
    assert not calibration.sending("m", HOST, 4096).whole
    _answered(calibration, "m", HOST, 8192)
    assert calibration.sending("m", HOST, 4096).whole


def test_sends_to_another_or_an_unknown_host_may_be_to_the_same_server(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    _answered(calibration, "m", "http://localhost:11434", 4096)
    assert not calibration.sending("m", HOST, 4096).whole
    asked = TokenCalibration(tmp_path / "other.json")
    asked.observe("m", 1000, 800, 4096)  # hearth ask: recorded when the answer came, host unknown
    assert not asked.sending("m", HOST, 4096).whole


def test_models_are_named_as_ollama_loads_them(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    calibration.sending("mistral", HOST, 4096)
    assert not calibration.sending("mistral:latest", HOST, 4096).whole
    assert calibration.sending("mistral:7b", HOST, 4096).whole


def test_a_count_that_may_leave_out_a_cached_start_only_raises(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    assert _answered(calibration, "m", HOST, 4096, count=800).whole
    assert not calibration.observe("m", 1000, 600, 4096, calibration.sending("m", HOST, 4096))
    assert calibration.estimator("m").factor == pytest.approx(0.8 * 1.05)
    assert calibration.observe("m", 1000, 1000, 4096, calibration.sending("m", HOST, 4096))
    assert calibration.estimator("m").factor == pytest.approx(1.0 * 1.05)


def test_a_count_at_the_context_limit_can_raise_but_not_lower(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    assert not calibration.observe("m", 5000, 4090, 4096, calibration.sending("m", HOST, 4096))
    assert calibration.estimator("m").factor == 1.0
    assert calibration.observe("m", 2000, 4090, 4096, calibration.sending("m", HOST, 4096))
    assert calibration.estimator("m").factor == pytest.approx(4090 / 2000 * 1.05)


def test_processes_sharing_the_file_see_each_others_sends(tmp_path):
    path = tmp_path / "cal.json"
    first, second = TokenCalibration(path), TokenCalibration(path)
    assert first.sending("m", HOST, 4096).whole
    assert not second.sending("m", HOST, 4096).whole
    assert second.observe("m", 1000, 1200, 4096, second.sending("m", HOST, 4096))  # raises
    assert first.estimator("m").factor == pytest.approx(1.2 * 1.05)


def test_a_file_from_before_sends_were_recorded_is_taken_cautiously(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"version": 1, "models": {"m": [0.7, 0.69], "big": [1.2, 0.9]}}), encoding="utf-8")
    calibration = TokenCalibration(path)
    assert calibration.estimator("m").factor == 1.0  # maybe counts of part of a prompt: too low
    assert calibration.estimator("big").factor == pytest.approx(1.2 * 1.05)  # a lower bound still raises
    assert not calibration.sending("other", HOST, 4096).whole  # an older Hearth may have left a prompt
    _answered(calibration, "other", HOST, 8192)
    assert calibration.sending("other", HOST, 4096).whole
    assert json.loads(path.read_text())["version"] == 2


def test_an_unreadable_file_is_taken_cautiously(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text('{"version": 2, "models": {}, "seq": 3, "sent": {"m": [["h", "big", 1, true]]}}',
                    encoding="utf-8")
    calibration = TokenCalibration(path)
    assert calibration.estimator("m").factor == 1.0
    assert not calibration.sending("m", HOST, 4096).whole


def test_the_oldest_sends_fold_into_one_that_stays_cautious(tmp_path):
    path = tmp_path / "cal.json"
    calibration = TokenCalibration(path)
    for step in range(1, 30):
        calibration.sending("m", HOST, 1024 * step)  # never answered: no reloads shown
    assert len(json.loads(path.read_text())["sent"]["m:latest"]) <= 16
    assert not calibration.sending("m", HOST, 1024).whole  # folded, not forgotten
