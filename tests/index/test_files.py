"""Reading project files as text: encodings, binaries, limits, unreadable paths."""

from __future__ import annotations

import codecs
import os
import zlib

import pytest

from desktop.core.errors import ProjectError
from desktop.index.files import (
    MAX_VIEW_BYTES,
    BinaryFile,
    FileTooLarge,
    UnreadableFile,
    looks_binary,
    read_text_file,
    text_lines,
)

PNG_HEADER = (
    b"\x89PNG\r\n\x1a\n"
    b"\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
)


def test_utf8_text_with_measurements(tmp_path):
    path = tmp_path / "hello.py"
    path.write_text("def hällo():\n    return 'ünïcode'\n", encoding="utf-8")
    result = read_text_file(path)
    assert result.text == "def hällo():\n    return 'ünïcode'\n"
    assert result.encoding == "utf-8"
    assert result.line_count == 2
    assert result.longest_line == len("    return 'ünïcode'")
    assert result.size_bytes == path.stat().st_size
    assert result.mtime_ns == path.stat().st_mtime_ns
    assert result.path == path
    assert not result.is_minified
    assert result.highlight_ok


def test_utf8_bom_is_stripped(tmp_path):
    path = tmp_path / "bom.cs"
    path.write_bytes(codecs.BOM_UTF8 + "class A {}\n".encode())
    result = read_text_file(path)
    assert result.text == "class A {}\n"
    assert result.encoding == "utf-8-sig"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_text(tmp_path, encoding):
    bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
    path = tmp_path / "wide.txt"
    path.write_bytes(bom + "Grüße\r\nzweite Zeile\r\n".encode(encoding))
    result = read_text_file(path)
    assert result.text == "Grüße\r\nzweite Zeile\r\n"
    assert result.encoding == "utf-16"
    assert result.line_count == 2


def test_utf32_with_bom_is_text(tmp_path):
    path = tmp_path / "wider.txt"
    path.write_bytes("x = 1\n".encode("utf-32"))  # Python writes the BOM
    assert read_text_file(path).text == "x = 1\n"


def test_cp1252_fallback(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("naïve “quotes” – €\n".encode("cp1252"))
    result = read_text_file(path)
    assert result.text == "naïve “quotes” – €\n"
    assert result.encoding == "cp1252"


def test_latin1_last_resort_never_fails(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"caf\xe9 \x81\x8d\n")  # 0x81 and 0x8d are undefined in cp1252
    result = read_text_file(path)
    assert result.encoding == "latin-1"
    assert result.text.startswith("café ")


def test_png_is_binary(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(PNG_HEADER + zlib.compress(b"\x00" * 64))
    with pytest.raises(BinaryFile) as caught:
        read_text_file(path)
    assert "logo.png" in caught.value.message
    assert isinstance(caught.value, ProjectError)


def test_looks_binary_rules():
    assert looks_binary(b"text\x00more")
    assert looks_binary(bytes(range(1, 9)) * 10)  # mostly control characters
    assert not looks_binary(b"plain\ttext\r\nwith \x1b[31mcolour\x1b[0m\n")
    assert not looks_binary(b"")
    assert not looks_binary(codecs.BOM_UTF16_LE + "hi".encode("utf-16-le"))
    assert looks_binary("hi there".encode("utf-16-le"))  # no BOM: NULs mean binary


def test_too_large_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"line\n" * 300)
    with pytest.raises(FileTooLarge) as caught:
        read_text_file(path, max_bytes=1000)
    assert "big.log" in caught.value.message
    assert "1000 bytes" in caught.value.message
    assert read_text_file(path, max_bytes=1500).line_count == 300
    assert MAX_VIEW_BYTES == 20 * 1024 * 1024


def test_a_folder_is_unreadable(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    with pytest.raises(UnreadableFile, match="pkg: it is a folder"):
        read_text_file(folder)


def test_missing_file_and_dangling_link_are_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="gone.py"):
        read_text_file(tmp_path / "gone.py")
    link = tmp_path / "link.py"
    os.symlink(tmp_path / "nowhere.py", link)
    with pytest.raises(UnreadableFile, match="points nowhere"):
        read_text_file(link)


def test_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_text_file(fifo)


def test_permission_denied_is_unreadable(tmp_path, unprivileged):
    path = tmp_path / "secret.txt"
    path.write_text("x")
    path.chmod(0)
    try:
        with pytest.raises(UnreadableFile, match="permission denied"):
            read_text_file(path)
    finally:
        path.chmod(0o644)


def test_minified_by_longest_line(tmp_path):
    path = tmp_path / "bundle.min.js"
    path.write_text("a.b=c(d,e);" * 150 + "\n")  # real minified code is 1-3% spaces
    result = read_text_file(path)
    assert result.longest_line > 1000
    assert result.is_minified
    assert not result.highlight_ok


def test_minified_by_mean_line_length(tmp_path):
    path = tmp_path / "styles.css"
    path.write_text(("a{color:red}" * 60 + "\n") * 10)  # 720-char lines, none over 1000
    result = read_text_file(path)
    assert result.longest_line < 1000
    assert result.is_minified


def test_prose_written_one_paragraph_per_line_is_not_minified(tmp_path):
    path = tmp_path / "README.md"
    paragraph = "Configure the flux capacitor before the first run of the machine. " * 20  # 1,300 characters
    path.write_text(f"# Guide\n\n{paragraph}\n\n{paragraph}\n")
    result = read_text_file(path)
    assert result.longest_line > 1000
    assert not result.is_minified
    assert result.highlight_ok


def test_chinese_prose_one_paragraph_per_line_is_not_minified(tmp_path):
    path = tmp_path / "README.zh.md"
    paragraph = "本项目用于计算订单的总价，并在结账前应用优惠券和运费规则。" * 16  # no spaces at all
    path.write_text("# 使用说明\n\n" + "\n\n".join([paragraph] * 6) + "\n", encoding="utf-8")
    result = read_text_file(path)
    assert result.longest_line > 400 and not result.is_minified


def test_a_line_past_ten_thousand_characters_is_minified_even_with_spaces(tmp_path):
    path = tmp_path / "bundle.js"
    path.write_text("var a = 1; " * 1000 + "\n")
    assert read_text_file(path).is_minified


def test_short_single_line_is_not_minified(tmp_path):
    path = tmp_path / "VERSION"
    path.write_text("x" * 500)
    assert not read_text_file(path).is_minified


def test_large_plain_file_is_not_highlighted(tmp_path):
    path = tmp_path / "data.py"
    path.write_text("x = 1\n" * 200_000)  # 1.2 MB of short lines
    result = read_text_file(path)
    assert not result.is_minified
    assert not result.highlight_ok


def test_empty_file(tmp_path):
    path = tmp_path / "__init__.py"
    path.write_bytes(b"")
    result = read_text_file(path)
    assert (result.text, result.line_count, result.longest_line) == ("", 0, 0)
    assert result.highlight_ok


def test_a_link_is_refused_when_links_are_not_to_be_followed(tmp_path):
    import os

    target = tmp_path / "elsewhere.txt"
    target.write_text("token = abc\n")
    link = tmp_path / "notes.txt"
    os.symlink(target, link)
    assert read_text_file(link).text == "token = abc\n"  # the code view follows links
    if not hasattr(os, "O_NOFOLLOW"):
        pytest.skip("this system cannot refuse a link when opening a file")
    with pytest.raises(UnreadableFile, match="became a link"):
        read_text_file(link, follow_link=False)


def test_a_pipe_in_place_of_a_file_is_refused_without_waiting_for_a_writer(tmp_path):
    import os

    if not hasattr(os, "mkfifo"):
        pytest.skip("this system has no named pipes")
    pipe = tmp_path / "notes.txt"
    os.mkfifo(pipe)
    with pytest.raises(UnreadableFile, match="not a regular file"):
        read_text_file(pipe)


def test_lines_end_at_lf_crlf_or_a_lone_cr_and_nowhere_else(tmp_path):
    # Editors and the parser do not break lines at a form feed or U+2028; counting
    # those as breaks would shift every line number after them.
    text = "one\r\ntwo\rthree\n\fform feed\u2028same line\x85too\n"
    assert text_lines(text) == ["one", "two", "three", "\fform feed\u2028same line\x85too"]
    assert text_lines("no end") == ["no end"] and text_lines("") == [] and text_lines("\n\n") == ["", ""]
    path = tmp_path / "mixed.txt"
    path.write_bytes(text.encode("utf-8"))
    assert read_text_file(path).line_count == 4
