"""Reading a file for an edit and writing it back exactly the way it was stored.

An edit works on text with ``\\n`` line endings; the file's encoding, byte-order mark,
line-ending style, trailing newline and permissions are kept in a ``FileFormat`` and
restored on write. Hearth edits UTF-8 and UTF-16/32 files that carry a byte-order
mark; anything else (a legacy code page, binary data) is refused rather than guessed
at, because writing a guessed encoding back would silently change bytes the edit
never touched.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Callable

from desktop.assist.edits.model import EditError, FileFormat, FileSnapshot
from desktop.core.settings import atomic_write_bytes
from desktop.index.files import (
    BYTE_ORDER_MARKS,
    MAX_VIEW_BYTES,
    FileBytes,
    UnreadableFile,
    byte_order_mark,
    looks_binary,
    normalize_newlines,
    stat_regular_file,
)

_MARK_FOR = {bom.text_codec: bom.mark for bom in BYTE_ORDER_MARKS}


def sha256_of(data: bytes) -> str:
    """The hex SHA-256 of ``data`` (how edits recognise a file's exact content)."""
    return hashlib.sha256(data).hexdigest()


def current_sha256(path: Path) -> str | None:
    """The hash of the file's bytes now, or None when it is missing or unreadable."""
    try:
        return sha256_of(Path(path).read_bytes())
    except OSError:
        return None


def read_snapshot(path: Path) -> FileSnapshot:
    """Read ``path`` for editing: its text (``\\n`` newlines), format and hash.

    Raises ``EditError`` for a missing, unreadable, too large, binary or non-UTF file.
    """
    return snapshot_of(read_bytes_for_edit(path))


def read_bytes_for_edit(path: Path) -> FileBytes:
    """``path``'s bytes, read once, for ``snapshot_of``; ``EditError`` for a missing,
    unreadable or too large file."""
    path = Path(path)
    info = _regular_file_stat(path)
    if info.st_size > MAX_VIEW_BYTES:
        raise EditError(f"{path.name} is too large to edit ({info.st_size} bytes).", str(path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EditError(f"Cannot read {path.name}: {exc.strerror or exc}.", str(path)) from None
    return FileBytes(path, data, info.st_mtime_ns, stat.S_IMODE(info.st_mode))


def snapshot_of(raw: FileBytes) -> FileSnapshot:
    """The snapshot of bytes ``read_bytes_for_edit`` read; ``EditError`` for a binary or
    non-UTF file."""
    text, fmt = decode_bytes(raw.data, raw.path.name)
    return FileSnapshot(text=text, format=replace(fmt, mode=raw.mode), sha256=sha256_of(raw.data))


def decode_bytes(data: bytes, name: str = "the file") -> tuple[str, FileFormat]:
    """Split file bytes into ``\\n`` text and the format needed to write them back."""
    encoding, bom = _encoding_of(data, name)
    body = data[len(_MARK_FOR[encoding]):] if bom else data
    try:
        raw = body.decode(encoding)
    except UnicodeDecodeError:
        raise EditError(
            f"{name} is not UTF-8 text; Hearth edits UTF-8/UTF-16 files.",
            f"It is not valid {encoding} after its byte-order mark.",
        ) from None
    newline = _line_end_of(raw)
    text = normalize_newlines(raw)
    fmt = FileFormat(encoding=encoding, bom=bom, newline=newline, trailing_newline=text.endswith("\n"))
    return text, fmt


def _line_end_of(raw: str) -> str:
    """The line end most lines of ``raw`` use: LF, CRLF or an old Mac's lone CR."""
    crlf = raw.count("\r\n")
    counts = {"\n": raw.count("\n") - crlf, "\r\n": crlf, "\r": raw.count("\r") - crlf}
    return max(counts, key=counts.__getitem__)  # ties go to LF, the first


def _encoding_of(data: bytes, name: str) -> tuple[str, bool]:
    bom = byte_order_mark(data)
    if bom is not None:
        return bom.text_codec, True
    if looks_binary(data[:8192]):
        raise EditError(f"{name} is not a text file.", "It looks like binary data.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise EditError(
            f"{name} is not UTF-8 text; Hearth edits UTF-8/UTF-16 files.",
            "Convert the file to UTF-8 to edit it with Hearth.",
        ) from None
    return "utf-8", False


def with_trailing_newline(text: str, fmt: FileFormat) -> str:
    """``text`` ending in a newline exactly when the original file did (empty stays empty)."""
    if not text:
        return text
    if fmt.trailing_newline:
        return text if text.endswith("\n") else text + "\n"
    return text[:-1] if text.endswith("\n") else text


def encode_text(text: str, fmt: FileFormat) -> bytes:
    """The bytes to write for ``text``: trailing newline, line endings, BOM and encoding of ``fmt``."""
    text = with_trailing_newline(normalize_newlines(text), fmt)
    if fmt.newline != "\n":
        text = text.replace("\n", fmt.newline)
    try:
        body = text.encode(fmt.encoding)
    except UnicodeEncodeError as exc:
        raise EditError(
            f"The new text has a character that {fmt.encoding} cannot store "
            f"(position {exc.start}); nothing was written."
        ) from None
    return (_MARK_FOR.get(fmt.encoding, b"") if fmt.bom else b"") + body


def write_atomically(
    path: Path, data: bytes, mode: int | None, *, still_as_read: Callable[[], None] | None = None
) -> None:
    """Replace ``path``'s content with ``data`` atomically, keeping ``mode``.

    ``still_as_read`` checks, as late as possible, that the file is the one the new
    bytes were made from, and raises if not: a save in another editor while the new
    bytes reach the disk (flushing can take a while) is then kept, not overwritten.
    Raises ``EditError`` (the file untouched, no temporary file left) when the write
    fails: a full disk, a read-only folder, no permission.
    """
    path = Path(path)
    try:
        atomic_write_bytes(path, data, mode, before_replace=still_as_read)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == 28 else (exc.strerror or str(exc))
        raise EditError(
            f"Could not write {path.name}: {reason}.", "The file is unchanged."
        ) from None


def current_mode(path: Path, fallback: int | None) -> int | None:
    """The file's permission bits now (they may have changed since it was read)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return fallback


def _regular_file_stat(path: Path) -> os.stat_result:
    try:
        return stat_regular_file(path)
    except UnreadableFile as exc:
        raise EditError(exc.message, exc.hint) from None
