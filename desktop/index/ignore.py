"""Which files of a project Hearth looks at.

The rules follow git: ``.gitignore`` files at any depth (deeper files win, the last
matching line of a file wins, ``!`` re-includes), the repository's ``info/exclude``
(found through a ``.git`` file in a worktree or a submodule too), and directory-only
patterns (``build/``). As in git's own walk, each folder is judged on its own before
its entries: a line is matched against one path at a time, never against the paths
below it, so ``*`` then ``!*/`` keeps every folder, while the files in a folder that is
left out stay out whatever later lines say. On top of that, a fixed set of folders
that are never source (VCS metadata, virtualenvs, caches, build output) is always
skipped, so a project without a ``.gitignore`` does not drown the index in
``node_modules``; so is any Python environment, known by its ``pyvenv.cfg`` or
``conda-meta`` whatever its name.

Nothing here writes anything; the rules only read the project.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, Sequence

from desktop.core.cancel import CancelToken
from desktop.index.files import NotRegularFile, open_regular_file

log = logging.getLogger(__name__)

GITIGNORE = ".gitignore"
INFO_EXCLUDE = PurePosixPath(".git/info/exclude")
GIT_POINTER_MAX_BYTES = 4096
"""A ``.git`` file or a ``commondir`` is one short line; anything longer is not one."""

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

BUILTIN_IGNORED_FILES: frozenset[str] = frozenset(
    {
        # a worktree's or a submodule's .git is a file naming the repository
        ".git",
        ".DS_Store", "Thumbs.db", "desktop.ini",
    }
)
"""File names skipped everywhere (the dir names above only apply to folders)."""


@dataclass(frozen=True)
class _SpecSource:
    """The patterns of one ignore file and the folder they are relative to."""

    base: str  # posix path relative to the project root; "" for the root
    patterns: _PatternList
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
        self._exclude_file: Path | None = None
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
        exclude_file = _info_exclude(self.root)
        sources = list(self._load_root_sources(exclude_file))
        self._load_nested_gitignores(sources)
        with self._lock:
            self._sources = tuple(sources)
            self._exclude_file = exclude_file
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
        if self._exclude_file is not None and Path(path) == self._exclude_file:
            return True  # a worktree's lies outside the project
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

    def _load_root_sources(self, exclude_file: Path | None) -> Iterator[_SpecSource]:
        root_base = ""
        if self._extra_patterns:
            yield _SpecSource(root_base, _PatternList(self._extra_patterns), self.root)
        for origin in (exclude_file, self.root / GITIGNORE):
            patterns = _read_patterns(origin) if origin is not None else None
            if patterns is not None:
                yield _SpecSource(root_base, patterns, origin)

    def _load_nested_gitignores(self, sources: list[_SpecSource]) -> None:
        """Append the ``.gitignore`` files below the root, parents before children.

        Folders that are already ignored are not searched: git never reads an ignore
        file inside an ignored folder either.
        """

        def visit(directory: Path, relative: str) -> None:
            if not relative:
                return  # the root's file is already loaded
            origin = directory / GITIGNORE
            patterns = _read_patterns(origin)
            if patterns is not None:
                sources.append(_SpecSource(relative, patterns, origin))

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
    for source in reversed(sources):  # highest precedence first: the first verdict wins
        if source.base:
            if not relative.startswith(source.prefix):
                continue
            candidate = relative[len(source.prefix):]
        else:
            candidate = relative
        verdict = source.patterns.verdict(candidate, name, is_dir)
        if verdict is not None:
            return verdict
    return False


@dataclass(frozen=True)
class _Line:
    """One pattern of an ignore file, as a regular expression for a whole path."""

    regex: str
    ignores: bool  # False for a ``!`` line, which re-includes
    dir_only: bool  # written with a trailing ``/``
    by_name: bool  # no ``/`` inside: matched against the name alone, at any depth


class _PatternList:
    """The lines of one ignore file, ready to judge one file or folder.

    Each line is matched against the path itself only, as git does while it walks:
    not against the paths below it (a folder's verdict already covers those), and
    without ranking one kind of line over another; the last matching line decides.
    """

    def __init__(self, lines: Sequence[str]) -> None:
        parsed = [(number, _parse_line(text)) for number, text in enumerate(lines)]
        numbered = [(number, line) for number, line in parsed if line is not None]
        self._files = _Matcher([(number, line) for number, line in numbered if not line.dir_only])
        self._dirs = _Matcher(numbered)

    def verdict(self, path: str, name: str, is_dir: bool) -> bool | None:
        """True when the last line matching ``path`` (relative to the ignore file's
        folder; ``name`` is its last part) ignores it, False when it re-includes it,
        None when no line matches."""
        return (self._dirs if is_dir else self._files).verdict(path, name)


class _Matcher:
    """Some numbered lines, as one alternation matched against the name and one against
    the path: a call each, in C, instead of a loop over the lines in Python."""

    def __init__(self, numbered: Sequence[tuple[int, _Line]]) -> None:
        self._by_name = _alternation([item for item in numbered if item[1].by_name])
        self._by_path = _alternation([item for item in numbered if not item[1].by_name])

    def verdict(self, path: str, name: str) -> bool | None:
        by_name = _last_match(self._by_name, name)
        by_path = _last_match(self._by_path, path)
        if by_path is not None and (by_name is None or by_path[0] > by_name[0]):
            return by_path[1]
        return None if by_name is None else by_name[1]


_Alternation = tuple[re.Pattern[str], tuple[tuple[int, bool], ...]]


def _alternation(numbered: Sequence[tuple[int, _Line]]) -> _Alternation | None:
    """One regular expression with a group per line, the last line first, so that the
    group that matches is the last matching line; with each group's (number, ignores)."""
    if not numbered:
        return None
    ordered = sorted(numbered, key=lambda item: item[0], reverse=True)
    regex = re.compile("|".join(f"({line.regex})" for _, line in ordered), re.DOTALL)
    return regex, tuple((number, line.ignores) for number, line in ordered)


def _last_match(alternation: _Alternation | None, subject: str) -> tuple[int, bool] | None:
    if alternation is None:
        return None
    regex, outcomes = alternation
    found = regex.fullmatch(subject)
    return None if found is None else outcomes[found.lastindex - 1]


def _parse_line(text: str) -> _Line | None:
    """A line of an ignore file as git reads it, or None for a blank line, a comment, or
    a pattern that can match nothing (an unclosed ``[``, a trailing ``\\``)."""
    if not text or text.startswith("#"):
        return None
    pattern = _trim_trailing_spaces(text)
    ignores = not pattern.startswith("!")
    if not ignores:
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    if dir_only:
        pattern = pattern[:-1]
    by_name = "/" not in pattern
    if not by_name and pattern.startswith("/"):  # anchored to the ignore file's folder
        pattern = pattern[1:]
    regex = _glob_regex(pattern) if pattern else None
    return _Line(regex, ignores, dir_only, by_name) if regex is not None else None


def _trim_trailing_spaces(text: str) -> str:
    """``text`` without trailing spaces, but one escaped by a backslash stays."""
    trimmed = text.rstrip(" ")
    backslashes = len(trimmed) - len(trimmed.rstrip("\\"))
    return trimmed + " " if trimmed != text and backslashes % 2 else trimmed


def _glob_regex(glob: str) -> str | None:
    """The regular expression for a whole path matching ``glob`` as git's wildmatch
    does with ``WM_PATHNAME``, or None when git would match nothing with it."""
    parts: list[str] = []
    index, end = 0, len(glob)
    literal_end = next((at for at, char in enumerate(glob) if char in "*?[\\"), end)
    while index < end:
        char = glob[index]
        if char == "*":
            stars = index
            while index < end and glob[index] == "*":
                index += 1
            rest = glob[index:]
            # ``**`` spans folders as a whole part (``**/x``, ``x/**``, ``x/**/y``), and right
            # after a literal start (``a**/x``): git compares that start on its own first
            spans = (
                index - stars > 1
                and (stars == literal_end or glob[stars - 1] == "/")
                and (not rest or rest.startswith(("/", "\\/")))
            )
            if spans and rest.startswith("/"):
                parts.append("(?:.*/)?")  # no folder at all, or any number of them
                index += 1
            else:
                parts.append(".*" if spans else "[^/]*")
            continue
        if char == "?":
            parts.append("[^/]")
        elif char == "[":
            bracket = _bracket_regex(glob, index)
            if bracket is None:
                return None
            regex, index = bracket
            parts.append(regex)
            continue
        elif char == "\\":
            index += 1
            if index == end:
                return None
            parts.append(re.escape(glob[index]))
        else:
            parts.append(re.escape(char))
        index += 1
    return "".join(parts)


_CHARACTER_CLASSES = {
    "alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": " \\t\\n\\r\\x0b\\x0c", "upper": "A-Z", "xdigit": "0-9a-fA-F",
}
"""The ``[:name:]`` classes git knows, for ASCII as git has them."""


def _bracket_regex(glob: str, start: int) -> tuple[str, int] | None:
    """The ``[...]`` at ``glob[start]`` as a regular expression and the index after it,
    or None when it is not closed or names an unknown class (git then matches nothing)."""
    index = start + 1
    negated = glob[index:index + 1] in ("!", "^")
    index += negated
    items: list[str] = []
    previous = ""  # the last plain character: where a range starts
    first = True
    while True:
        if index >= len(glob):
            return None
        char = glob[index]
        if char == "]" and not first:
            break
        first = False
        if char == "\\":
            index += 1
            if index >= len(glob):
                return None
            previous = glob[index]
            items.append(re.escape(previous))
        elif char == "-" and previous and glob[index + 1:index + 2] not in ("", "]"):
            index += 1
            last = glob[index]
            if last == "\\":
                index += 1
                if index >= len(glob):
                    return None
                last = glob[index]
            if previous <= last:  # a reversed range matches nothing
                items.append(f"{re.escape(previous)}-{re.escape(last)}")
            previous = ""
        elif char == "[" and glob.startswith(":", index + 1):
            close = glob.find("]", index + 2)
            if close < 0:
                return None
            if close > index + 2 and glob[close - 1] == ":":
                known = _CHARACTER_CLASSES.get(glob[index + 2:close - 1])
                if known is None:
                    return None
                items.append(known)
                previous = ""
                index = close
            else:  # no ``:]`` before the ``]``: the ``[`` is a plain character
                previous = char
                items.append(re.escape(char))
        else:
            previous = char
            items.append(re.escape(char))
        index += 1
    if not items:
        return ("[^/]" if negated else "(?!)"), index + 1
    listed = "".join(items)
    # ``/`` is never matched by a class, whatever it lists (WM_PATHNAME)
    return (f"[^{listed}/]" if negated else f"(?!/)[{listed}]"), index + 1


def _read_patterns(origin: Path) -> _PatternList | None:
    data = _read_regular_file(origin)
    if data is None:
        return None
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    # git splits at line feeds only and drops a carriage return before one
    return _PatternList([line.removesuffix("\r") for line in text.split("\n")])


def _read_regular_file(path: Path, max_bytes: int | None = None) -> bytes | None:
    """The bytes of ``path`` when it is a regular file that can be read (of at most
    ``max_bytes``), else None; a folder, pipe or device in its place is not read."""
    try:
        with open_regular_file(path) as handle:
            data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except NotRegularFile:
        log.warning("not reading %s: not a regular file", path)
        return None
    except OSError as exc:  # unreadable: carry on without it
        log.warning("could not read %s: %s", path, exc)
        return None
    if max_bytes is not None and len(data) > max_bytes:
        log.warning("not reading %s: over %d bytes", path, max_bytes)
        return None
    return data


def _info_exclude(root: Path) -> Path | None:
    """The ``info/exclude`` of the repository whose work tree is ``root``: in ``.git``
    when it is a folder, else in the folder a ``.git`` file names (``gitdir: ...``, in
    a worktree or a submodule), or rather in the common folder that one's ``commondir``
    names (a worktree's). None when there is no repository or a pointer is odd."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        git_dir = dot_git
    else:
        git_dir = _follow_pointer(dot_git, "gitdir: ")
        if git_dir is None:
            return None
    commondir = git_dir / "commondir"
    if os.path.lexists(commondir):
        git_dir = _follow_pointer(commondir, "")
        if git_dir is None:
            return None
    return git_dir / "info" / "exclude"


def _follow_pointer(pointer: Path, prefix: str) -> Path | None:
    """The repository folder the one-line file ``pointer`` names after ``prefix``
    (relative to the pointer's own folder unless absolute), or None when the file is
    missing, unreadable, odd (not one line, control characters), or names a folder that
    is not a repository (no ``HEAD``)."""
    data = _read_regular_file(pointer, GIT_POINTER_MAX_BYTES)
    if data is None:
        return None
    try:
        text = os.fsdecode(data.rstrip(b"\r\n"))
    except UnicodeDecodeError:
        return None
    target = text[len(prefix):] if text.startswith(prefix) else ""
    if not target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        log.warning("not following %s: not a single path", pointer)
        return None
    try:
        folder = Path(pointer.parent, target).resolve()
        if (folder / "HEAD").is_file():
            return folder
    except (OSError, RuntimeError, ValueError):
        pass
    log.warning("not following %s: %s is not a repository", pointer, target)
    return None


def walk_project(
    root: Path,
    rules: IgnoreRules,
    cancel: CancelToken | None = None,
    max_files: int | None = None,
    *,
    links: bool = False,
    folder: Path | None = None,
) -> Iterator[Path]:
    """The project's files that are not ignored, as absolute paths in a stable order;
    with ``folder`` (a folder of the project, not itself ignored), those below it.

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
    inside = Path(folder).relative_to(root) if folder is not None else Path()
    start = inside.as_posix() if inside.parts else ""
    for path, _relative in _walk(root, rules._snapshot, cancel=cancel, want_links=links, start=start):
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
    start: str = "",
) -> Iterator[tuple[Path, str]]:
    """Files below ``root`` as ``(path, relative posix string)``, pruned as we go;
    symbolic links too with ``want_links``, never followed. With ``start`` (relative to
    ``root``) only those below that folder, whose ancestors the caller has checked.

    Ancestors are checked once, when their folder is entered, so each entry needs
    only its own match. ``sources`` is called per folder: loading the rules adds
    nested ignore files while walking.
    """
    stack: list[tuple[Path, str]] = [(root.joinpath(start), start)]
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
