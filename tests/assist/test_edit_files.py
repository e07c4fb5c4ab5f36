"""Reading files for an edit and writing them back byte-for-byte in their own format."""

from __future__ import annotations

import codecs
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from desktop.assist.edits.files import encode_text, read_snapshot, sha256_of, write_atomically
from desktop.assist.edits.model import EditError, FileFormat
from desktop.core.settings import atomic_write_bytes, atomic_write_text


@pytest.mark.parametrize(
    "raw",
    [
        b"a = 1\nb = 2\n",
        b"a = 1\r\nb = 2\r\n",
        b"a = 1\r\nb = 2",  # CRLF, no trailing newline
        b"a = 1\rb = 2\r",  # an old Mac's lone CR
        b"a = 1\nb = 2",  # no trailing newline
        b"\tif x:\n\t\treturn 1\n",  # tabs
        codecs.BOM_UTF8 + b"caf\xc3\xa9 = 1\r\n",
        codecs.BOM_UTF16_LE + "x = 'é'\r\ny = 2\r\n".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "x = 'é'\ny = 2".encode("utf-16-be"),
        b"",
        b"\n",
    ],
)
def test_snapshot_round_trips_the_exact_bytes(tmp_path, raw):
    path = tmp_path / "f.py"
    path.write_bytes(raw)
    snapshot = read_snapshot(path)
    assert "\r" not in snapshot.text
    assert snapshot.sha256 == sha256_of(raw)
    assert encode_text(snapshot.text, snapshot.format) == raw


def test_snapshot_records_the_format(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "one\r\ntwo\r\nthree".encode("utf-16-le"))
    snapshot = read_snapshot(path)
    assert snapshot.text == "one\ntwo\nthree"
    fmt = snapshot.format
    assert (fmt.encoding, fmt.bom, fmt.newline, fmt.trailing_newline) == ("utf-16-le", True, "\r\n", False)
    assert fmt.mode == stat.S_IMODE(path.stat().st_mode)


def test_mixed_line_endings_take_the_majority(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"a\r\nb\r\nc\nd\r\n")
    snapshot = read_snapshot(path)
    assert snapshot.format.newline == "\r\n"
    assert encode_text(snapshot.text, snapshot.format) == b"a\r\nb\r\nc\r\nd\r\n"


def test_an_old_mac_file_has_the_lines_the_code_view_shows(tmp_path):
    path = tmp_path / "old.py"
    path.write_bytes(b"def a():\r    return 1\r\rdef b():\r    return 2\r")
    snapshot = read_snapshot(path)
    assert snapshot.text.split("\n")[3:5] == ["def b():", "    return 2"]
    assert snapshot.format.newline == "\r"
    edited = snapshot.text.replace("return 2", "return 3")
    assert encode_text(edited, snapshot.format) == b"def a():\r    return 1\r\rdef b():\r    return 3\r"


def test_encode_keeps_trailing_newline_presence_whatever_the_new_text_says():
    with_newline = FileFormat(trailing_newline=True)
    without = FileFormat(trailing_newline=False, newline="\r\n")
    assert encode_text("a\nb", with_newline) == b"a\nb\n"
    assert encode_text("a\nb\n", without) == b"a\r\nb"
    assert encode_text("a\r\nb\n", with_newline) == b"a\nb\n"  # stray CRLF from a model answer


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"caf\xe9 = 1\n", "not UTF-8"),  # Latin-1
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("x = 1\n".encode("utf-16-le"), "not a text file"),  # UTF-16 without a BOM: NUL bytes
        (codecs.BOM_UTF8 + b"\xff\xfe bad", "not UTF-8"),
    ],
)
def test_refuses_what_it_cannot_write_back_faithfully(tmp_path, raw, words):
    path = tmp_path / "f.py"
    path.write_bytes(raw)
    with pytest.raises(EditError) as caught:
        read_snapshot(path)
    assert words in caught.value.message
    assert path.name in caught.value.message


def test_refuses_missing_file_and_folder(tmp_path):
    with pytest.raises(EditError, match="not there"):
        read_snapshot(tmp_path / "gone.py")
    with pytest.raises(EditError, match="not a regular file"):
        read_snapshot(tmp_path)


def test_unencodable_character_is_an_edit_error():
    with pytest.raises(EditError, match="cannot store"):
        encode_text("x = '\ud800'\n", FileFormat())


def test_atomic_write_keeps_requested_permissions_and_leaves_no_temp(tmp_path):
    path = tmp_path / "run.sh"
    path.write_text("old\n")
    path.chmod(0o755)
    write_atomically(path, b"#!/bin/sh\necho new\n", 0o755)
    assert path.read_bytes() == b"#!/bin/sh\necho new\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.sh"]


def test_atomic_write_text_still_writes_utf8_settings(tmp_path):
    path = tmp_path / "deep" / "settings.json"
    atomic_write_text(path, '{"name": "é"}\n')
    assert path.read_bytes() == '{"name": "é"}\n'.encode()
    atomic_write_bytes(path, b"{}\n")
    assert path.read_text() == "{}\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["settings.json"]


def test_failed_write_leaves_the_original_and_no_temp_file(tmp_path):
    """A real write failure: the child may not write files over 64 bytes (RLIMIT_FSIZE),
    so writing the new content fails with EFBIG part-way, like a full disk would."""
    if sys.platform == "win32":
        pytest.skip("RLIMIT_FSIZE is POSIX")
    path = tmp_path / "big.py"
    original = b"x = 1\n"
    path.write_bytes(original)
    code = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from desktop.assist.edits.files import write_atomically
        from desktop.assist.edits.model import EditError
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
        try:
            write_atomically(Path({str(path)!r}), b"y = 2\\n" * 1000, 0o644)
        except EditError as exc:
            print("EditError:", exc.message)
            sys.exit(0)
        sys.exit("the write did not fail")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert "Could not write big.py" in result.stdout
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.py"]


def test_write_into_a_missing_folder_path_that_is_a_file_fails_cleanly(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("i am a file\n")
    with pytest.raises(EditError, match="Could not write"):
        write_atomically(blocker / "x.py", b"x\n", None)
    assert blocker.read_text() == "i am a file\n"
    assert os.listdir(tmp_path) == ["blocker"]
