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
