"""The code view: highlighted text, refusals, plain view of huge files, find, go to line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication, QTextCursor

from desktop.ui.code_view import (
    DELETED_NOTICE,
    DISPLAY_ROW_CHARS,
    PLAIN_NOTICE,
    CodeView,
    highlight_runs,
    split_long_lines,
)


@pytest.fixture
def view(qtbot, task_runner) -> CodeView:
    widget = CodeView(task_runner)
    qtbot.addWidget(widget)
    widget.resize(700, 400)
    widget.show()
    return widget


def load(qtbot, view: CodeView, path: Path, highlighted: bool = False) -> None:
    signal = view.highlighted if highlighted else view.file_loaded
    with qtbot.waitSignal(signal, timeout=10000):
        view.open_file(path)


PYTHON = '"""Module doc.\n\nstill the docstring\n"""\nimport os\n\n\ndef main():\n    return os.sep  # done\n'


def test_python_file_is_shown_with_colours_and_line_numbers(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "main.py"
    source.write_text(PYTHON, encoding="utf-8")
    load(qtbot, view, source, highlighted=True)
    assert view.is_showing_file
    assert view.text == PYTHON
    assert view.lexer_name == "Python"
    assert "main.py" in view.header.text() and "Python" in view.header.text()
    assert view.notice_text == ""
    qtbot.waitUntil(lambda: view.editor.coloured_blocks > 0)
    keyword_block = view.editor.document().findBlockByNumber(4)  # "import os"
    formats = keyword_block.layout().formats()
    assert formats and formats[0].start == 0 and formats[0].length == len("import")
    docstring_line = view.editor.document().findBlockByNumber(2)  # inside the docstring
    assert docstring_line.layout().formats()[0].length == len("still the docstring")


def test_gutter_grows_with_the_number_of_lines(qtbot, view: CodeView, tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("one\ntwo\n", encoding="utf-8")
    load(qtbot, view, short)
    narrow = view.editor.gutter_width()
    long = tmp_path / "long.txt"
    long.write_text("line\n" * 123456, encoding="utf-8")
    load(qtbot, view, long)
    assert view.editor.line_count == 123456
    assert view.editor.gutter_width() > narrow
    assert view.editor.viewportMargins().left() == view.editor.gutter_width()


def test_binary_file_is_refused_with_a_message(qtbot, view: CodeView, tmp_path: Path) -> None:
    image = tmp_path / "logo.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with qtbot.waitSignal(view.load_failed, timeout=10000) as failed:
        view.open_file(image)
    assert failed.args[0] == image
    assert not view.is_showing_file
    assert "logo.png is not a text file" in view.message.text()


def test_missing_file_gives_a_message(qtbot, view: CodeView, tmp_path: Path) -> None:
    with qtbot.waitSignal(view.load_failed, timeout=10000):
        view.open_file(tmp_path / "gone.py")
    assert "gone.py" in view.message.text()


def test_minified_file_is_plain_and_cut_into_rows(qtbot, view: CodeView, tmp_path: Path) -> None:
    line = "var a=1;" * 2000  # 16,000 characters on one line
    source = tmp_path / "bundle.min.js"
    source.write_text(f"{line}\nlast()\n", encoding="utf-8")
    load(qtbot, view, source)
    assert view.notice_text == PLAIN_NOTICE
    assert view.lexer_name == "Plain text"
    assert view.editor.document().blockCount() > len(line) // DISPLAY_ROW_CHARS
    assert view.editor.coloured_blocks == 0
    last_row = view.editor.document().blockCount() - 2
    assert view.editor.source_line(last_row) == 1  # "last()" is still line 2
    view.editor.selectAll()
    assert view.selected_text() == f"{line}\nlast()\n"  # copying gives the file's text back
    assert view.go_to_line(2)
    assert view.editor.textCursor().block().text() == "last()"


def test_large_file_is_shown_without_highlighting(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "big.py"
    source.write_text("x = 1  # a comment that takes some room\n" * 40000, encoding="utf-8")  # ~1.6 MB
    load(qtbot, view, source)
    assert view.notice_text == PLAIN_NOTICE
    assert view.editor.line_count == 40000
    assert view.editor.coloured_blocks == 0


def test_find_counts_matches_and_wraps(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("alpha\nbeta ALPHA\ngamma\nalpha end\n", encoding="utf-8")
    load(qtbot, view, source)
    view.show_find()
    assert view.find_bar.isVisible()
    qtbot.keyClicks(view.find_bar.field, "alpha")
    assert view.find_bar.counter.text() == "1 of 3"
    qtbot.keyClick(view.find_bar.field, "\r")
    assert view.find_bar.counter.text() == "2 of 3"
    assert view.current_line() == 2
    view.find_step()
    view.find_step()  # wraps to the first match
    assert view.find_bar.counter.text() == "1 of 3"
    assert view.find_step(backwards=True).index == 2
    assert view.editor.textCursor().selectedText() == "alpha"
    assert view.find("nothing-like-this").total == 0
    assert view.find_bar.counter.text() in ("No matches", "1 of 3")


def test_escape_closes_the_find_bar(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("alpha\n", encoding="utf-8")
    load(qtbot, view, source)
    view.show_find()
    qtbot.keyClick(view.find_bar.field, "\x1b")
    assert not view.find_bar.isVisible()


def test_find_positions_with_characters_outside_the_basic_plane(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "emoji.txt"
    source.write_text("🔥 fire 🔥 fire\n", encoding="utf-8")
    load(qtbot, view, source)
    view.find("fire")
    view.find("fire")
    assert view.editor.textCursor().selectedText() == "fire"
    assert view.find_bar.counter.text() == "2 of 2"


def test_go_to_line(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("".join(f"line {n}\n" for n in range(1, 501)), encoding="utf-8")
    load(qtbot, view, source)
    assert view.go_to_line(250)
    assert view.current_line() == 250
    assert view.editor.textCursor().block().text() == "line 250"
    assert not view.go_to_line(0)
    assert not view.go_to_line(501)
    assert view.current_line() == 250


def test_reload_keeps_the_scroll_position(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("".join(f"line {n}\n" for n in range(1, 2001)), encoding="utf-8")
    load(qtbot, view, source)
    view.go_to_line(1500)
    scroll = view.editor.verticalScrollBar().value()
    assert scroll > 0
    source.write_text("".join(f"changed {n}\n" for n in range(1, 2001)), encoding="utf-8")
    with qtbot.waitSignal(view.file_loaded, timeout=10000):
        view.reload()
    assert view.text.startswith("changed 1\n")
    assert view.editor.verticalScrollBar().value() == scroll


def test_deleted_file_keeps_the_last_text(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "gone.txt"
    source.write_text("keep me\n", encoding="utf-8")
    load(qtbot, view, source)
    source.unlink()
    view.mark_deleted()
    assert view.notice_text == DELETED_NOTICE
    assert view.text == "keep me\n"
    assert view.is_showing_file


def test_copy_puts_the_selection_on_the_clipboard(qtbot, view: CodeView, tmp_path: Path) -> None:
    source = tmp_path / "copy.txt"
    source.write_text("first\nsecond\n", encoding="utf-8")
    load(qtbot, view, source)
    cursor = view.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.NextBlock)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    view.editor.setTextCursor(cursor)
    view.editor.copy()
    assert QGuiApplication.clipboard().text() == "second"
    assert view.selected_line_range() == (2, 2)
    assert view.editor.isReadOnly()


def test_zoom_changes_the_code_font(qtbot, view: CodeView) -> None:
    view.set_code_font_size(21)
    assert view.editor.font().pointSizeF() == 21


# --- pure helpers -----------------------------------------------------------------------


def test_split_long_lines_maps_rows_to_lines() -> None:
    text, rows = split_long_lines("ab\n" + "x" * 25 + "\nz", width=10)
    assert text.split("\n") == ["ab", "x" * 10, "x" * 10, "x" * 5, "z"]
    assert rows == [0, 1, 1, 1, 2]
    assert split_long_lines("short\nlines", width=10) == ("short\nlines", None)


def test_highlight_runs_split_multiline_tokens_per_line() -> None:
    name, runs = highlight_runs('x = """a\nbb\n"""\n', "demo.py")
    assert name == "Python"
    assert runs[1] == ((0, 2, runs[1][0][2]),)  # the middle of the string, line 2
    assert str(runs[1][0][2]).startswith("Token.Literal.String")


def test_unknown_file_type_has_no_runs() -> None:
    assert highlight_runs("anything", "NOTES.unknownext") == ("Plain text", {})
