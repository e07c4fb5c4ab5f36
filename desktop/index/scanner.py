"""Which project files the index reads, and why it leaves the others out.

The walk itself is ``ignore.walk_project`` (``.gitignore`` rules, the built-in list,
symlink loops); reading is ``files.read_text_file`` (binary, size, encodings). On top
of those this module keeps **secret-bearing files** out — ``.env`` files, private
keys, certificates with keys, credential files — by name and, for keys, by content.
They are never indexed and never sent to a model. Every file left out gets a reason.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from desktop.core.cancel import CancelToken
from desktop.index.files import BinaryFile, FileText, FileTooLarge, UnreadableFile, read_text_file
from desktop.index.ignore import IgnoreRules, walk_project

MAX_INDEX_BYTES = 2 * 1024 * 1024
"""Larger files are skipped: they are data or generated, and would swamp the index."""

MAX_INDEX_FILES = 200_000
"""Past this many files the rest of a project is skipped (recorded, not indexed)."""

SECRET_NAME_PATTERNS: tuple[str, ...] = (
    ".env", ".env.*", "*.env", ".envrc",
    "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.kdbx", "*.asc", "*.gpg",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*",
    ".netrc", "_netrc", ".pgpass", ".pypirc", ".npmrc", ".git-credentials", ".htpasswd",
    "credentials", "*credentials.json", "credentials.yaml", "credentials.yml", "credentials.ini",
    "credentials.toml", "credentials.xml", "secrets.json", "secrets.yaml", "secrets.yml",
    "secrets.toml", "secrets.env", "*.secret", "*.secrets",
    "service-account*.json", "*.tfvars", "terraform.tfstate*",
)
"""File names (lower-cased) whose content is assumed to be a secret."""

SECRET_EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist")
"""``.env.example`` and friends document settings and hold no secret."""

_PRIVATE_KEY_MARKERS = (b"-----BEGIN RSA PRIVATE KEY", b"-----BEGIN OPENSSH PRIVATE KEY",
                        b"-----BEGIN PRIVATE KEY", b"-----BEGIN EC PRIVATE KEY",
                        b"-----BEGIN DSA PRIVATE KEY", b"-----BEGIN ENCRYPTED PRIVATE KEY",
                        b"-----BEGIN PGP PRIVATE KEY")

SKIP_REASONS = ("secret", "binary", "too-large", "minified", "unreadable", "too-many-files")


@dataclass(frozen=True)
class ScannedFile:
    """A project file the walk found, with what ``stat`` said about it."""

    path: Path
    relative: str  # posix, relative to the project root
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skip:
    """A file left out of the index and the reason (one of ``SKIP_REASONS``)."""

    relative: str
    reason: str
    detail: str
    size: int = 0
    mtime_ns: int = 0


def is_secret_path(path: Path | str) -> bool:
    """True when a file's name says it holds secrets (never index it, never send it)."""
    name = os.path.basename(str(path)).lower()
    if name.endswith(SECRET_EXAMPLE_SUFFIXES):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in SECRET_NAME_PATTERNS)


def holds_private_key(data: bytes) -> bool:
    """True when file content contains a PEM/OpenSSH/PGP private key block."""
    head = data[:65536]
    return b"-----BEGIN" in head and any(marker in head for marker in _PRIVATE_KEY_MARKERS)


def scan(
    root: Path,
    rules: IgnoreRules,
    cancel: CancelToken | None = None,
    max_files: int = MAX_INDEX_FILES,
) -> Iterator[ScannedFile | Skip]:
    """The project's files that are not ignored: each a ``ScannedFile`` or a ``Skip``.

    Skips found here need only the name and ``stat``: secrets, files too large, and
    files past ``max_files``. Raises ``Cancelled`` when ``cancel`` is set.
    """
    root = Path(root).expanduser().resolve()
    prefix = len(str(root)) + 1
    count = 0
    for path in walk_project(root, rules, cancel):
        item = classify(path, str(path)[prefix:].replace(os.sep, "/"))
        if isinstance(item, ScannedFile):
            if count >= max_files:
                item = Skip(item.relative, "too-many-files", f"over {max_files} files", item.size, item.mtime_ns)
            else:
                count += 1
        yield item


def classify(path: Path, relative: str) -> ScannedFile | Skip:
    """One file by name and ``stat``: to be read, or skipped (secret, too large, unreadable)."""
    try:
        info = path.stat()
    except OSError as exc:
        return Skip(relative, "unreadable", exc.strerror or str(exc))
    if is_secret_path(relative):
        return Skip(relative, "secret", "may hold credentials", info.st_size, info.st_mtime_ns)
    if info.st_size > MAX_INDEX_BYTES:
        return Skip(relative, "too-large", f"{info.st_size} bytes", info.st_size, info.st_mtime_ns)
    return ScannedFile(path, relative, info.st_size, info.st_mtime_ns)


def read_for_index(path: Path, relative: str) -> FileText | Skip:
    """The file's text, or why it is left out (binary, too large, minified, unreadable, secret)."""
    try:
        text = read_text_file(path, max_bytes=MAX_INDEX_BYTES)
    except BinaryFile:
        return Skip(relative, "binary", "not a text file")
    except FileTooLarge as exc:
        return Skip(relative, "too-large", str(exc))
    except UnreadableFile as exc:
        return Skip(relative, "unreadable", str(exc))
    if text.is_minified:
        return Skip(relative, "minified", "generated or minified (very long lines)", text.size_bytes, text.mtime_ns)
    if "-----BEGIN" in text.text and holds_private_key(text.text.encode("utf-8", errors="replace")):
        return Skip(relative, "secret", "contains a private key", text.size_bytes, text.mtime_ns)
    return text
