"""The chat's Markdown renderer: escaping, code blocks, streaming equals one-shot."""

from __future__ import annotations

import random

import pytest

from desktop.ui.chat.markdown import MarkdownRenderer, StreamingMarkdown, split_blocks

SAMPLE = """# Reading files
Use **open** with a context manager <script>alert(1)</script>.

- first
- second

- loose third

1. step one
2. step two

```python
def read(path):

    with open(path) as f:
        return f.read()
```
After the code, a [link](https://example.org) and ![logo](http://example.org/logo.png).

> a quote
continued lazily

    indented code

| a | b |
|---|---|
| 1 | 2 |

~~~
tilde fence
~~~
The end."""


@pytest.fixture
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer()


def test_raw_html_is_escaped(renderer):
    html = renderer.render("Hi <b>there</b> <img src=x onerror=alert(1)>").html
    assert "<b>" not in html and "<img" not in html
    assert "&lt;b&gt;there&lt;/b&gt;" in html


def test_unsafe_links_are_not_links(renderer):
    html = renderer.render("[a](javascript:alert(1)) [b](file:///etc/passwd) [c](copy:0) [d](https://ok.example)").html
    assert "javascript:" not in html.split("[a]")[0]
    assert 'href="javascript' not in html and 'href="file' not in html and 'href="copy' not in html
    assert '<a href="https://ok.example">d</a>' in html


def test_images_are_never_loaded(renderer):
    html = renderer.render("![diagram](https://example.org/d.png) ![x](data:image/png;base64,AAAA)").html
    assert "<img" not in html
    assert '<a href="https://example.org/d.png">[image: diagram]</a>' in html
    assert 'href="data:' not in html  # a data: image is neither loaded nor linked


def test_code_block_is_highlighted_with_label_and_copy_link(renderer):
    rendered = renderer.render("Text\n\n```python\ndef f():\n    return 1\n```\n", first_code_id=3)
    assert rendered.code_blocks == ("def f():\n    return 1\n",)
    assert 'href="copy:3"' in rendered.html
    assert ">python<" in rendered.html
    assert "<span style=" in rendered.html  # pygments inline colours


def test_code_in_fence_is_escaped(renderer):
    rendered = renderer.render("```html\n<script>x</script>\n```")
    assert "<script>" not in rendered.html
    assert rendered.code_blocks == ("<script>x</script>\n",)


def test_unknown_language_falls_back_to_plain_text(renderer):
    rendered = renderer.render("```no-such-language\nplain & simple\n```")
    assert "plain &amp; simple" in rendered.html
    assert ">no-such-language<" in rendered.html


def test_indented_code_blocks_get_copy_links_too(renderer):
    rendered = renderer.render("para\n\n    x = 1\n")
    assert rendered.code_blocks == ("x = 1\n",)


def test_open_fence_in_a_streaming_tail_renders_as_code(renderer):
    rendered = renderer.render("```python\nprint('half")
    assert rendered.code_blocks == ("print('half\n",)


def test_split_keeps_fences_and_lists_whole():
    blocks, tail = split_blocks(SAMPLE)
    assert blocks[0] == "# Reading files"
    assert any(block.startswith("- first\n- second\n\n- loose third\n\n1. step one") for block in blocks)
    assert any(block.startswith("```python") and block.endswith("```") and "\n\n" in block for block in blocks)
    assert tail == "The end."


def test_split_waits_for_a_complete_line_before_closing_a_block():
    blocks, tail = split_blocks("para one\n\n1")
    assert blocks == [] and tail == "para one\n\n1"
    blocks, tail = split_blocks("para one\n\nnext\n")
    assert blocks == ["para one"] and tail == "next\n"


@pytest.mark.parametrize("seed", range(20))
def test_streaming_in_random_pieces_gives_the_one_shot_html(renderer, seed):
    rng = random.Random(seed)
    stream = StreamingMarkdown(renderer)
    appended: list[str] = []
    codes: list[str] = []
    position = 0
    update = None
    while position < len(SAMPLE):
        size = rng.randint(1, 9)
        stream.feed(SAMPLE[position:position + size])
        position += size
        update = stream.update()
        appended.append(update.completed.html)
        codes.extend(update.completed.code_blocks)
    assert update is not None
    full = renderer.render(SAMPLE)
    assert "".join(appended) + update.tail.html == full.html
    assert tuple(codes) + update.tail.code_blocks == full.code_blocks
    assert stream.text == SAMPLE


def test_streaming_update_only_renders_the_tail(renderer):
    stream = StreamingMarkdown(renderer)
    stream.feed("para one\n\npara two\n\nop")
    first = stream.update()
    assert first.completed.html == "<p>para one</p>\n"  # "op" may still become a list item
    assert first.tail.html == "<p>para two</p>\n<p>op</p>\n"
    stream.feed("en\n")
    second = stream.update()
    assert second.completed.html == "<p>para two</p>\n"
    assert second.tail.html == "<p>open</p>\n"
    stream.feed(" more")
    third = stream.update()
    assert third.completed.html == ""
    assert third.tail.html == "<p>open\nmore</p>\n"


def test_dark_style_changes_code_colours():
    from desktop.ui.chat.markdown import CodeStyle
    light = MarkdownRenderer().render("```python\ndef f(): pass\n```").html
    dark = MarkdownRenderer(CodeStyle("monokai", "#272822", "#3e3f3a", "#a6a6a0")).render(
        "```python\ndef f(): pass\n```").html
    assert light != dark and "#272822" in dark
