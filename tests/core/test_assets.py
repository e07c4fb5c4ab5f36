import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktop.core.assets import asset_dir, resource_path

REPO = Path(__file__).resolve().parents[2]


def test_source_checkout_finds_top_level_folders():
    assert asset_dir("resources") == REPO / "resources"
    assert asset_dir("plugins") == REPO / "plugins"
    assert resource_path("prompts").parent == REPO / "resources"


def test_unknown_folder_is_rejected():
    with pytest.raises(ValueError):
        asset_dir("secrets")


def test_frozen_bundle_location_wins(tmp_path, monkeypatch):
    (tmp_path / "resources").mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    asset_dir.cache_clear()
    try:
        assert asset_dir("resources") == tmp_path / "resources"
    finally:
        asset_dir.cache_clear()


@pytest.mark.slow
def test_wheel_carries_resources_and_plugins_and_finds_them(tmp_path):
    """Build the real wheel, unpack it elsewhere, and resolve the folders from there."""
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(REPO), "-w", str(tmp_path)],
        capture_output=True, text=True,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(tmp_path.glob("hearth-*.whl"))
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    names = zipfile.ZipFile(wheel).namelist()
    assert any(name.startswith("desktop/_bundled/resources/") for name in names)
    assert any(name.startswith("desktop/_bundled/plugins/") for name in names)
    probe = subprocess.run(
        [sys.executable, "-c", "from desktop.core.assets import asset_dir; print(asset_dir('resources'))"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()) == site / "desktop" / "_bundled" / "resources"
