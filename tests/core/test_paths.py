from pathlib import Path

from desktop.core.paths import HearthPaths, project_key


def test_hearth_home_relocates_every_directory(tmp_path):
    paths = HearthPaths.from_env({"HEARTH_HOME": str(tmp_path / "h")})
    for directory in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert directory.is_relative_to(tmp_path / "h")
    assert paths.settings_file.parent == paths.config_dir
    assert paths.ui_state_file.parent == paths.config_dir
    assert paths.chats_db.parent == paths.data_dir


def test_without_hearth_home_uses_platform_dirs_named_hearth(tmp_path):
    paths = HearthPaths.from_env({})
    assert "Hearth" in str(paths.config_dir)
    assert paths.cache_dir != paths.data_dir


def test_ensure_creates_directories(tmp_path):
    paths = HearthPaths.under(tmp_path / "state").ensure()
    assert paths.data_dir.is_dir() and paths.log_dir.is_dir()


def test_project_key_is_stable_safe_and_distinct(tmp_path):
    a = tmp_path / "my project!"
    b = tmp_path / "other" / "my project!"
    a.mkdir()
    b.mkdir(parents=True)
    assert project_key(a) == project_key(Path(str(a) + "/"))
    assert project_key(a) != project_key(b)
    assert all(ch.isalnum() or ch in "-_." for ch in project_key(a))


def test_project_cache_dir_is_never_inside_the_project(tmp_path):
    project = tmp_path / "proj"
    project.mkdir()
    paths = HearthPaths.under(tmp_path / "home")
    assert not paths.project_cache_dir(project).is_relative_to(project)
