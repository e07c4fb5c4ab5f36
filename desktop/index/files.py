"""Reading a project file as text for the code view, the index and prompts.

Project files come in every encoding and some are not text at all. ``read_text_file``
never fails on an encoding: it tries the byte-order marks, then UTF-8, then the Windows
and Latin-1 code pages (which accept any byte). It refuses, with a message naming the
file, what is binary, too large, or cannot be opened.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from desktop.core.errors import ProjectError

MAX_VIEW_BYTES = 20 * 1024 * 1024
"""Files larger than this are not opened at all."""

HIGHLIGHT_MAX_BYTES = 1024 * 1024
"""Past this size the code view shows the text plain: highlighting would stall it."""

MINIFIED_LONGEST_LINE = 1000
MINIFIED_CERTAIN_LINE = 10_000  # nobody writes a line this long by hand, prose included
MINIFIED_MEAN_LINE = 200
MINIFIED_MIN_CHARS = 2000  # a short one-line file is not "minified", just short
# Prose and hand-written code are a sixth spaces or more (words, indentation); minified
# code drops them, keeping a few percent in its strings. A Markdown file written one
# paragraph per line has long lines too; prose in scripts without spaces counts by its
# characters outside ASCII.
MINIFIED_MAX_SPACE_SHARE = 0.08

BINARY_SAMPLE_BYTES = 8192
_BINARY_CONTROL_RATIO = 0.30
# Control bytes common in real text files: tab, newline, carriage return, form feed,
# backspace and escape (ANSI colours in logs).
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\b\x1b")
# Every byte that is not such a control: deleting these leaves the controls to count.
_NOT_CONTROLS = bytes(b for b in range(256) if b >= 32 or b in _TEXT_CONTROLS)


@dataclass(frozen=True)
class ByteOrderMark:
    """A byte-order mark: its bytes, the codec that reads a file starting with it, and
    the codec (byte order spelled out) that writes the text after it back."""

    mark: bytes
    reading_codec: str
    text_codec: str


BYTE_ORDER_MARKS: tuple[ByteOrderMark, ...] = (
    ByteOrderMark(codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),  # before UTF-16 LE: same first bytes
    ByteOrderMark(codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    ByteOrderMark(codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    ByteOrderMark(codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    ByteOrderMark(codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)


class BinaryFile(ProjectError):
    """The file is not text (an image, an archive, compiled code …)."""


class FileTooLarge(ProjectError):
    """The file is larger than Hearth opens."""


class UnreadableFile(ProjectError):
    """The file could not be opened or read (permissions, a folder, gone …)."""


class LinkRefused(UnreadableFile):
    """The file, or a folder on its path, is a link, and links were not to be followed."""


@dataclass(frozen=True)
class FileText:
    """A project file decoded to text, with the measurements the views need."""

    path: Path
    text: str
    encoding: str
    size_bytes: int
    line_count: int
    longest_line: int
    mtime_ns: int

    @property
    def is_minified(self) -> bool:
        """True for generated one-line-per-file code (minified JS/CSS, bundles): very
        long lines, or long ones with hardly a space."""
        if self.longest_line > MINIFIED_CERTAIN_LINE:
            return True
        long_lines = self.longest_line > MINIFIED_LONGEST_LINE or (
            len(self.text) >= MINIFIED_MIN_CHARS
            and self.line_count > 0
            and len(self.text) / self.line_count > MINIFIED_MEAN_LINE
        )
        return long_lines and _word_breaks(self.text) < MINIFIED_MAX_SPACE_SHARE * len(self.text)

    @property
    def highlight_ok(self) -> bool:
        """False when the code view should show the text plain (huge or minified)."""
        return self.size_bytes <= HIGHLIGHT_MAX_BYTES and not self.is_minified


def normalize_newlines(text: str) -> str:
    """One line convention for all of Hearth: CRLF and an old Mac's lone CR become LF.

    The parser, the code view, hits' line numbers and prompts then agree on what a line
    is. (``str.splitlines`` would also break at form feeds and U+2028, where editors and
    tree-sitter do not.)"""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def text_lines(text: str) -> list[str]:
    """``text``'s lines by that convention, without their ends; a final line end does
    not start another line."""
    lines = normalize_newlines(text).split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def _word_breaks(text: str) -> int:
    """Spaces, and characters outside ASCII: Chinese or Japanese prose has no spaces,
    and minified code is ASCII but for a few strings."""
    return text.count(" ") + len(text) - len(text.encode("ascii", errors="ignore"))


def byte_order_mark(data: bytes) -> ByteOrderMark | None:
    """The byte-order mark ``data`` starts with, if any."""
    return next((bom for bom in BYTE_ORDER_MARKS if data.startswith(bom.mark)), None)


def _bom_encoding(sample: bytes) -> str | None:
    bom = byte_order_mark(sample)
    return bom.reading_codec if bom else None


def looks_binary(sample: bytes) -> bool:
    """True when the first bytes of a file say it is not text.

    Text with a UTF-16/32 byte-order mark is text despite its NUL bytes. Otherwise a NUL
    byte, or a high share of control characters, means binary.
    """
    sample = sample[:BINARY_SAMPLE_BYTES]
    if not sample or _bom_encoding(sample) is not None:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROLS))  # counted in C: this runs per indexed file
    return controls / len(sample) > _BINARY_CONTROL_RATIO


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode file bytes to ``(text, encoding)``; never raises on bad bytes."""
    bom_encoding = _bom_encoding(data)
    if bom_encoding is not None:
        return data.decode(bom_encoding, errors="replace"), bom_encoding
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    # Latin-1 maps every byte, so this cannot fail; it is the last resort.
    return data.decode("latin-1"), "latin-1"


@dataclass(frozen=True)
class FileBytes:
    """A file's bytes as one read gave them, with what ``stat`` said of it then.

    A check and a use of the content (a private-key check and the lines sent) both made
    from one ``FileBytes`` cannot disagree, as two reads of a changing file can."""

    path: Path
    data: bytes
    mtime_ns: int
    mode: int  # permission bits (st_mode & 0o7777)


def read_text_file(
    path: Path, max_bytes: int = MAX_VIEW_BYTES, *, follow_link: bool = True, beneath: Path | None = None
) -> FileText:
    """Read ``path`` as text; without ``follow_link``, a symbolic link there is refused
    when the file is opened (where the system can: ``O_NOFOLLOW``), not read through,
    and so is a link in place of any folder between ``beneath`` and the file.

    Raises ``UnreadableFile`` (missing, a folder, no permission, a device or pipe, a
    refused link), ``FileTooLarge`` (over ``max_bytes``) or ``BinaryFile``; each message
    names the file.
    """
    raw = read_file_bytes(path, max_bytes, follow_link=follow_link, beneath=beneath)
    text, encoding = decode_file(raw)
    lines = text_lines(text)
    return FileText(
        path=raw.path,
        text=text,
        encoding=encoding,
        size_bytes=len(raw.data),
        line_count=len(lines),
        longest_line=max(map(len, lines), default=0),
        mtime_ns=raw.mtime_ns,
    )


def read_file_bytes(
    path: Path, max_bytes: int = MAX_VIEW_BYTES, *, follow_link: bool = True, beneath: Path | None = None
) -> FileBytes:
    """``path``'s bytes, read once, as ``read_text_file`` reads them (same arguments).

    Raises ``UnreadableFile`` or ``FileTooLarge`` as ``read_text_file`` does."""
    path = Path(path)
    info = stat_regular_file(path)
    if info.st_size > max_bytes:
        raise FileTooLarge(
            f"{path.name} is too large to open ({_size_text(info.st_size)}; "
            f"the limit is {_size_text(max_bytes)}).",
            f"Open {path} in another editor.",
        )
    data = _read_bytes(path, max_bytes, follow_link, beneath)
    return FileBytes(path, data, info.st_mtime_ns, stat.S_IMODE(info.st_mode))


def decode_file(raw: FileBytes) -> tuple[str, str]:
    """``(text, encoding)`` of a file's bytes, its line ends as stored; ``BinaryFile``
    (naming the file) when they are not text."""
    if looks_binary(raw.data[:BINARY_SAMPLE_BYTES]):
        raise BinaryFile(f"{raw.path.name} is not a text file.", f"{raw.path} looks like binary data.")
    return decode_text(raw.data)


def stat_regular_file(path: Path) -> os.stat_result:
    """``path``'s stat when it is a regular file; ``UnreadableFile`` (naming it) otherwise."""
    try:
        info = path.stat()
    except FileNotFoundError:
        kind = "a link that points nowhere" if path.is_symlink() else "not there any more"
        raise UnreadableFile(f"Cannot open {path.name}: it is {kind}.", str(path)) from None
    except OSError as exc:
        raise UnreadableFile(f"Cannot open {path.name}: {exc.strerror or exc}.", str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise UnreadableFile(f"Cannot open {path.name}: it is a folder, not a regular file.", str(path))
    if not stat.S_ISREG(info.st_mode):
        # Reading a pipe or a device could block forever or never end.
        raise UnreadableFile(
            f"Cannot open {path.name}: it is not a regular file (a pipe, socket or device).",
            str(path),
        )
    return info


class _FolderBecameLink(OSError):
    """A folder on the way to a file was a link when it was opened."""


class NotRegularFile(OSError):
    """What is at the path is a folder, pipe, socket or device, not a regular file."""


def open_regular_file(path: Path, *, follow_link: bool = True, beneath: Path | None = None) -> BinaryIO:
    """``path`` opened for reading when it is a regular file; ``NotRegularFile`` when it
    is not, found without blocking on a pipe. ``follow_link`` and ``beneath`` as for
    ``read_text_file``; other failures raise the ``OSError`` that opening gave."""
    handle = os.fdopen(_open_for_reading(path, follow_link, beneath), "rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
    return handle


def _read_bytes(path: Path, max_bytes: int, follow_link: bool = True, beneath: Path | None = None) -> bytes:
    try:
        with open_regular_file(path, follow_link=follow_link, beneath=beneath) as handle:
            data = handle.read(max_bytes + 1)
    except NotRegularFile:  # swapped in since the stat
        raise UnreadableFile(f"Cannot read {path.name}: it is no longer a regular file.", str(path)) from None
    except PermissionError:
        raise UnreadableFile(
            f"Cannot open {path.name}: permission denied.",
            f"Check the file's permissions: {path}",
        ) from None
    except _FolderBecameLink:
        raise LinkRefused(
            f"Cannot read {path.name}: a folder on its path became a link, which is not followed.", str(path)
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_link:
            raise LinkRefused(f"Cannot read {path.name}: it became a link, which is not followed.", str(path)) from None
        raise UnreadableFile(f"Cannot read {path.name}: {exc.strerror or exc}.", str(path)) from None
    if len(data) > max_bytes:  # it grew between stat and read
        raise FileTooLarge(
            f"{path.name} is too large to open (over {_size_text(max_bytes)}).", str(path)
        )
    return data


def _open_for_reading(path: Path, follow_link: bool, beneath: Path | None) -> int:
    """A read descriptor for ``path``. Without ``follow_link``: the file itself must not
    be a link, and with ``beneath``, each folder below it is opened in turn relative to
    the last, refusing links, so that a folder swapped for a link between the scan and
    this read cannot lead elsewhere (where the system opens relative to a folder)."""
    # Non-blocking: a pipe swapped in for the file must not hang the open (the read
    # then refuses it by its fstat); reading a regular file does not care.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if follow_link:
        return os.open(path, flags)
    flags |= getattr(os, "O_NOFOLLOW", 0)
    if beneath is None or os.open not in os.supports_dir_fd or not hasattr(os, "O_DIRECTORY"):
        return os.open(path, flags)
    *folders, name = Path(path).relative_to(beneath).parts
    folder = os.open(beneath, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folders:
            try:
                inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _FolderBecameLink(exc.errno, exc.strerror) from None
                raise
            os.close(folder)
            folder = inner
        return os.open(name, flags, dir_fd=folder)
    finally:
        os.close(folder)


def _size_text(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
