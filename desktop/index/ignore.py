"""Which files of a project Hearth looks at.

The rules follow git: ``.gitignore`` files at any depth (deeper files win, the last
matching line of a file wins, ``!`` re-includes), ``.git/info/exclude``, and
directory-only patterns (``build/``). On top of that, a fixed set of folders that are
never source (VCS metadata, virtualenvs, caches, build output) is always skipped, so a
project without a ``.gitignore`` does not drown the index in ``node_modules``; so is any
Python environment, known by its ``pyvenv.cfg`` or ``conda-meta`` whatever its name.

Nothing here writes anything; the rules only read the project.
"""

from __future__ import annotations

import logging
import os
import stat
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from desktop.core.cancel import CancelToken

if TYPE_CHECKING:
    import pathspec

log = logging.getLogger(__name__)

GITIGNORE = ".gitignore"
INFO_EXCLUDE = PurePosixPath(".git/info/exclude")

BUILTIN_IGNORED_DIRS: frozenset[str] = frozenset(
    {
        # version control
        ".git", ".hg", ".svn", ".bzr", "_darcs", ".jj",
        # Python
        "__pycache__", ".venv", "venv", "env", ".tox", ".nox", ".mypy_cache",
        ".pytest_cache", ".ruff_cache", ".pytype", ".ipynb_checkpoints", ".eggs",
        # JavaScript and friends
        "node_modules", "bower_components", ".next", ".nuxt", ".parcel-cache",
        ".svelte-kit", ".turbo", ".yarn",
        # build output and tool state
        "dist", "build", "target", "out", ".gradle", ".idea", ".vs", ".vscode-test",
        ".cache", ".terraform", ".stack-work", "zig-cache", ".zig-cache",
        # OS clutter (files, but named here so one set answers "never look at this")
        ".DS_Store", "Thumbs.db",
    }
)
"""Names skipped wherever they appear, whatever the ``.gitignore`` files say."""

BUILTIN_IGNORED_FILES: frozenset[str] = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""File names skipped everywhere (the dir names above only apply to folders)."""


@dataclass(frozen=True)
class _SpecSource:
    """The patterns of one ignore file and the folder they are relative to."""

    base: str  # posix path relative to the project root; "" for the root
    spec: pathspec.GitIgnoreSpec
    origin: Path

    @property
    def prefix(self) -> str:
        return f"{self.base}/"


class IgnoreRules:
    """The ignore rules of one project, loaded from its ignore files.

    Thread-safe: ``reload`` swaps the loaded rules in one step, so a reader sees either
    the old or the new set.
    """

    def __init__(self, root: Path, extra_patterns: Sequence[str] = ()) -> None:
        self.root = Path(root).expanduser().resolve()
        self._extra_patterns = tuple(extra_patterns)
        self._lock = threading.Lock()
        self._sources: tuple[_SpecSource, ...] = ()
        self._environments: dict[str, bool] = {}  # folder (relative) -> is a Python environment
        self.reload()

    @classmethod
    def for_project(cls, root: Path, extra_patterns: Sequence[str] = ()) -> "IgnoreRules":
        """Load the rules of the project at ``root``.

        ``extra_patterns`` are gitignore-style lines applied at the root with the lowest
        precedence (e.g. user settings); the project's own files can override them.
        """
        return cls(root, extra_patterns)

    def reload(self) -> None:
        """Read the ignore files again (after a ``.gitignore`` changed)."""
        sources = list(self._load_root_sources())
        self._load_nested_gitignores(sources)
        with self._lock:
            self._sources = tuple(sources)
            self._environments = {}

    @property
    def ignore_files(self) -> tuple[Path, ...]:
        """The ignore files currently in effect (for display and tests)."""
        return tuple(s.origin for s in self._snapshot() if s.origin != self.root)

    def is_ignored(self, path: Path, is_dir: bool | None = None) -> bool:
        """True when ``path`` (absolute, or relative to the root) is not part of the project.

        ``is_dir`` says whether the path is a folder; when None it is looked up on disk
        (a path that no longer exists counts as a file). Paths outside the root are
        ignored. A path inside an ignored folder is ignored, as in git.
        """
        relative = self._relative(path)
        if relative is None:
            return True
        if is_dir is None:
            is_dir = (self.root / relative).is_dir()
        return _is_ignored(self._snapshot(), relative, is_dir) or self._in_environment(relative, is_dir)

    def _in_environment(self, relative: str, is_dir: bool) -> bool:
        """True when the path is, or is inside, a Python environment (``ENVIRONMENT_MARKERS``)."""
        parts = relative.split("/") if relative else []
        known = self._environments  # asked per tree row and per watcher event: remembered
        for depth in range(1, len(parts) + 1 if is_dir else len(parts)):
            folder = "/".join(parts[:depth])
            found = known.get(folder)
            if found is None:
                found = known[folder] = is_environment(self.root / folder)
            if found:
                return True
        return False

    def is_ignore_file(self, path: Path) -> bool:
        """True for a file whose change means the rules must be reloaded: an ignore
        file, or the mark of a Python environment (one made while the project is open)."""
        relative = self._relative(path)
        if relative is None:
            return False
        name = PurePosixPath(relative).name
        return name == GITIGNORE or name in ENVIRONMENT_MARKERS or relative == INFO_EXCLUDE.as_posix()

    def _snapshot(self) -> tuple[_SpecSource, ...]:
        """The loaded ignore files, lowest precedence first (a consistent snapshot)."""
        with self._lock:
            return self._sources

    def _relative(self, path: Path) -> str | None:
        path = Path(path)
        if path.is_absolute():
            try:
                path = path.relative_to(self.root)
            except ValueError:
                try:
                    path = path.resolve().relative_to(self.root)
                except (ValueError, OSError):
                    return None
        relative = PurePosixPath(path.as_posix())
        if ".." in relative.parts:
            return None
        return "" if relative == PurePosixPath(".") else relative.as_posix()

    def _load_root_sources(self) -> Iterator[_SpecSource]:
        root_base = ""
        if self._extra_patterns:
            import pathspec  # ~40 ms to import; not needed until rules are read

            spec = pathspec.GitIgnoreSpec.from_lines(self._extra_patterns)
            yield _SpecSource(root_base, spec, self.root)
        for origin in (self.root / INFO_EXCLUDE, self.root / GITIGNORE):
            spec = _read_spec(origin)
            if spec is not None:
                yield _SpecSource(root_base, spec, origin)

    def _load_nested_gitignores(self, sources: list[_SpecSource]) -> None:
        """Append the ``.gitignore`` files below the root, parents before children.

        Folders that are already ignored are not searched: git never reads an ignore
        file inside an ignored folder either.
        """

        def visit(directory: Path, relative: str) -> None:
            if not relative:
                return  # the root's file is already loaded
            origin = directory / GITIGNORE
            spec = _read_spec(origin)
            if spec is not None:
                sources.append(_SpecSource(relative, spec, origin))

        for _ in _walk(self.root, lambda: tuple(sources), visit_dir=visit, want_files=False):
            pass


def _is_ignored(sources: tuple[_SpecSource, ...], relative: str, is_dir: bool) -> bool:
    if relative in ("", "."):
        return False
    parts = relative.split("/")
    for depth in range(1, len(parts)):
        if _matches(sources, "/".join(parts[:depth]), parts[depth - 1], is_dir=True):
            return True
    return _matches(sources, relative, parts[-1], is_dir=is_dir)


def _matches(sources: tuple[_SpecSource, ...], relative: str, name: str, *, is_dir: bool) -> bool:
    """Whether this one path is ignored, its parent folders taken as not ignored."""
    if is_dir and name in BUILTIN_IGNORED_DIRS:
        return True
    if not is_dir and name in BUILTIN_IGNORED_FILES:
        return True
    ignored = False
    for source in sources:  # ordered lowest precedence first: the last verdict wins
        if source.base:
            if not relative.startswith(source.prefix):
                continue
            candidate = relative[len(source.prefix):]
        else:
            candidate = relative
        result = source.spec.check_file(candidate + "/" if is_dir else candidate)
        if result.include is not None:
            ignored = result.include
    return ignored


def _read_spec(origin: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        text = origin.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:  # unreadable or a folder named .gitignore: carry on without it
        log.warning("could not read ignore file %s: %s", origin, exc)
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(text.splitlines())


def walk_project(
    root: Path,
    rules: IgnoreRules,
    cancel: CancelToken | None = None,
    max_files: int | None = None,
    *,
    links: bool = False,
) -> Iterator[Path]:
    """The project's files that are not ignored, as absolute paths in a stable order.

    Folders are visited depth-first in name order, a folder's files before its
    subfolders. Symbolic links are not followed, as git does not follow them: a link
    to a folder is not walked (where it points, in the project or out of it, is not
    the project's under that name, and the ignore and secret rules see the link's
    name, not its target's). With ``links`` they are yielded, folders and files alike,
    for ``scanner.classify`` to record as skipped. Folders that cannot be read are
    skipped. Raises ``Cancelled`` when ``cancel`` is set.
    """
    count = 0
    root = Path(root).expanduser().resolve()
    for path, _relative in _walk(root, rules._snapshot, cancel=cancel, want_links=links):
        yield path
        count += 1
        if max_files is not None and count >= max_files:
            return


def _walk(
    root: Path,
    sources: Callable[[], tuple[_SpecSource, ...]],
    *,
    cancel: CancelToken | None = None,
    visit_dir: Callable[[Path, str], None] | None = None,
    want_files: bool = True,
    want_links: bool = False,
) -> Iterator[tuple[Path, str]]:
    """Files below ``root`` as ``(path, relative posix string)``, pruned as we go;
    symbolic links too with ``want_links``, never followed.

    Ancestors are checked once, when their folder is entered, so each entry needs
    only its own match. ``sources`` is called per folder: loading the rules adds
    nested ignore files while walking.
    """
    stack: list[tuple[Path, str]] = [(root, "")]
    while stack:
        if cancel is not None:
            cancel.raise_if_cancelled()
        directory, relative = stack.pop()
        entries = _scan(directory)
        if relative and any(entry.name in ENVIRONMENT_MARKERS for entry in entries):
            continue
        if visit_dir is not None:
            visit_dir(directory, relative)
        current = sources()
        subdirs: list[tuple[Path, str]] = []
        for entry in entries:
            child = f"{relative}/{entry.name}" if relative else entry.name
            if _entry_is_link(entry):
                if want_links and not _matches(current, child, entry.name, is_dir=_entry_is_dir(entry)):
                    yield Path(entry.path), child
            elif _entry_is_dir(entry):
                if not _matches(current, child, entry.name, is_dir=True):
                    subdirs.append((Path(entry.path), child))
            elif want_files and _entry_is_file(entry):
                if not _matches(current, child, entry.name, is_dir=False):
                    yield Path(entry.path), child
        stack.extend(reversed(subdirs))


def _scan(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:  # permission denied, vanished, not a folder: skip it
        log.debug("skipping unreadable folder %s: %s", directory, exc)
        return []


ENVIRONMENT_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})
"""A folder that holds one of these is a Python environment (a virtualenv, a conda
env) whatever it is called (``.venv-3.12``, ``py311``, ``.direnv/python-3.11``): thousands
of installed packages, none of them the project's."""


def is_environment(folder: Path) -> bool:
    """True when ``folder`` is a Python environment (``ENVIRONMENT_MARKERS``)."""
    return any(os.path.lexists(folder / marker) for marker in ENVIRONMENT_MARKERS)


def leads_outside(path: str | Path, root: Path) -> bool:
    """True when ``path``, links followed, lies outside ``root`` (a resolved path):
    ``/etc`` or a credentials file in the home folder linked into the project."""
    return not is_within(os.path.realpath(path), root)


def is_within(target: str, root: Path) -> bool:
    """True when the resolved path ``target`` is ``root`` (resolved) or lies below it."""
    base = str(root)
    return target == base or target.startswith(base.rstrip(os.sep) + os.sep)


def is_link(info: os.stat_result) -> bool:
    """True for an ``lstat`` result of a symbolic link, or on Windows of a junction
    (a link to a folder that is not ``S_ISLNK``, made by ``mklink /J``)."""
    reparse = getattr(info, "st_file_attributes", 0) & stat.FILE_ATTRIBUTE_REPARSE_POINT
    return stat.S_ISLNK(info.st_mode) or bool(reparse)


def _entry_is_link(entry: os.DirEntry[str]) -> bool:
    if entry.is_symlink():
        return True
    if os.name != "nt":
        return False  # elsewhere DirEntry.stat would cost a system call per entry
    try:
        return is_link(entry.stat(follow_symlinks=False))
    except OSError:
        return False


def _entry_is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=True)
    except OSError:
        return False


def _entry_is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file(follow_symlinks=True)
    except OSError:
        return False
