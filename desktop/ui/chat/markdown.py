"""Markdown to HTML for the chat transcript, whole or while it streams in.

Pure Python (no Qt) so it is testable without a display. Model output is untrusted:
raw HTML is escaped, only http(s)/mailto links are kept, and images become plain links
so nothing remote is ever loaded.

Streaming: the answer is split into top-level blocks (paragraphs, lists, fenced code,
headings …). A block is *complete* once later text proves it cannot change any more;
complete blocks are rendered once, only the open tail is re-rendered. The whole-message
render is defined as the concatenation of the same blocks, so a streamed answer ends up
with exactly the HTML a one-shot render gives.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Sequence


COPY_SCHEME = "copy"
APPLY_SCHEME = "apply"  # apply:N sends code block N through the edit pipeline
APPLY_UNKNOWN = "Hearth can't tell which file this answer is about, so it can't apply it."
_SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_LIST_OR_QUOTE = re.compile(r"^ {0,3}([-+*]|\d{1,9}[.)])(\s|$)|^ {0,3}>")
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")


@dataclass(frozen=True)
class CodeStyle:
    """How code blocks look: a pygments style and the block colours around it."""

    pygments_style: str = "default"
    background: str = "#f3f4f6"
    border: str = "#d0d4da"
    label: str = "#5f6670"


@dataclass(frozen=True)
class RenderedMarkdown:
    """HTML of some Markdown plus the source of its code blocks, in order.

    Copy links in the HTML are ``copy:N`` with N counted from the ``first_code_id``
    the render was given.
    """

    html: str
    code_blocks: tuple[str, ...] = ()


@dataclass(frozen=True)
class StreamUpdate:
    """What changed since the last update of a streaming answer.

    ``completed`` is appended once after what was appended before; ``tail`` replaces
    the previous tail.
    """

    completed: RenderedMarkdown
    tail: RenderedMarkdown


class MarkdownRenderer:
    """Renders Markdown blocks to Qt-rich-text-friendly HTML."""

    def __init__(self, style: CodeStyle | None = None) -> None:
        self.style = style or CodeStyle()
        # Code blocks get an "Apply" link next to "Copy": None = none (the default),
        # True = a working link, False = shown greyed (unknown which file it is about).
        self.apply_links: bool | None = None
        self._codes: list[str] = []
        self._next_code_id = 0

    # markdown-it and pygments are imported on first render, not at start-up
    # (together ~100 ms); the chat panel warms them up in the background.
    @functools.cached_property
    def _formatter(self):  # noqa: ANN202 - a pygments HtmlFormatter
        from pygments.formatters.html import HtmlFormatter

        return HtmlFormatter(noclasses=True, nowrap=True, style=self.style.pygments_style)

    @functools.cached_property
    def _md(self):  # noqa: ANN202 - a MarkdownIt parser
        from markdown_it import MarkdownIt

        md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
        md.validateLink = lambda url: bool(_SAFE_LINK.match(url.strip()))
        md.add_render_rule("image", _render_image)
        # markdown-it binds rule functions to its renderer, hence the plain closure.
        fence_rule = lambda _renderer, tokens, idx, _options, _env: self._render_fence(tokens[idx])  # noqa: E731
        md.add_render_rule("fence", fence_rule)
        md.add_render_rule("code_block", fence_rule)
        return md

    def render(self, text: str, first_code_id: int = 0) -> RenderedMarkdown:
        """Render a whole message (block by block, see the module docstring)."""
        blocks, tail = split_blocks(text)
        if tail:
            blocks.append(tail)
        return self.render_blocks(blocks, first_code_id)

    def render_blocks(self, blocks: Sequence[str], first_code_id: int = 0) -> RenderedMarkdown:
        """Render each block on its own and join the results."""
        parts: list[str] = []
        codes: list[str] = []
        for block in blocks:
            rendered = self._render_one(block, first_code_id + len(codes))
            parts.append(rendered.html)
            codes.extend(rendered.code_blocks)
        return RenderedMarkdown("".join(parts), tuple(codes))

    def _render_one(self, block: str, first_code_id: int) -> RenderedMarkdown:
        self._codes = []
        self._next_code_id = first_code_id
        body = self._md.render(_close_open_fence(block))
        return RenderedMarkdown(body, tuple(self._codes))

    def _render_fence(self, token) -> str:  # noqa: ANN001 - a markdown-it Token
        language = token.info.strip().split(" ")[0] if token.info else ""
        code = token.content
        code_id = self._next_code_id
        self._next_code_id += 1
        self._codes.append(code)
        return self.code_block_html(code, language, code_id)

    def code_block_html(self, code: str, language: str, code_id: int) -> str:
        """A framed, highlighted code block with a language label and a Copy link."""
        from pygments import highlight

        style = self.style
        body = highlight(code, _lexer_for(language), self._formatter).rstrip("\n")
        label = html.escape(language or "text")
        apply = ""
        if self.apply_links:
            apply = f'&nbsp;&nbsp;<a href="{APPLY_SCHEME}:{code_id}" style="font-size:small;">Apply</a>'
        elif self.apply_links is False:
            apply = (f'&nbsp;&nbsp;<span style="color:{style.label}; font-size:small;" '
                     f'title="{html.escape(APPLY_UNKNOWN)}">Apply</span>')
        return (
            f'<table width="100%" cellspacing="0" cellpadding="6" border="0" '
            f'style="margin-top:4px; margin-bottom:8px; border: 1px solid {style.border};" '
            f'bgcolor="{style.background}">'
            f'<tr><td><span style="color:{style.label}; font-size:small;">{label}</span>'
            f'&nbsp;&nbsp;<a href="{COPY_SCHEME}:{code_id}" style="font-size:small;">Copy</a>{apply}</td></tr>'
            f'<tr><td><pre style="margin:0;">{body}</pre></td></tr></table>\n'
        )


def _render_image(renderer, tokens, idx, options, env) -> str:  # noqa: ANN001 - markdown-it's signature
    """Images are never loaded: show the alt text as a link instead."""
    token = tokens[idx]
    alt = html.escape(token.content or "image")
    src = token.attrGet("src") or ""
    if src and _SAFE_LINK.match(str(src)):
        return f'<a href="{html.escape(str(src), quote=True)}">[image: {alt}]</a>'
    return f"[image: {alt}]"


@functools.lru_cache(maxsize=64)
def _lexer_for(language: str):  # noqa: ANN202 - pygments lexer
    # Cached: a lookup by name scans pygments' tables (and plugins) each time.
    # TextLexer comes from its own module: ``pygments.lexers`` resolves class names
    # lazily, and in about one app start in twenty that lookup, made by the warm-up
    # thread while start-up was using pygments elsewhere, failed with "cannot import
    # name 'TextLexer'".
    from pygments.lexers import get_lexer_by_name
    from pygments.lexers.special import TextLexer
    from pygments.util import ClassNotFound

    if not language:
        return TextLexer()
    try:
        return get_lexer_by_name(language.lower())
    except ClassNotFound:
        return TextLexer()


COMMON_LANGUAGES = ("python", "javascript", "typescript", "bash", "sh", "json", "go", "rust", "java", "c", "cpp")


def warm_up(languages: Sequence[str] = COMMON_LANGUAGES) -> int:
    """Load pygments' lexer tables and common lexers ahead of time; returns how many.

    The first lookup costs tens of milliseconds (it scans lexer tables and plugin entry
    points); doing it in the background keeps the first streamed code block from
    stalling the GUI thread.
    """
    MarkdownRenderer().render("```python\npass\n```")
    return sum(1 for language in languages if _lexer_for(language).name != "Text only")


def _close_open_fence(block: str) -> str:
    """Close a fence still open at the end of a streaming tail, so it renders as code."""
    fence = None
    for line in block.split("\n"):
        match = _FENCE.match(line)
        if not match:
            continue
        marker = match.group(2)
        if fence is None:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not match.group(3).strip():
            fence = None
    if fence is None:
        return block
    return block + ("\n" if not block.endswith("\n") else "") + fence


def split_blocks(text: str) -> tuple[list[str], str]:
    """Split Markdown into complete top-level blocks and the still-open tail.

    Blocks end at a blank line followed by a complete line that starts a new top-level
    block (not indented, not a list item or quote continuing the current block), after
    a closing fence opened at the block's start, or after an ATX heading line. The
    decision needs only text already seen, and a block boundary resets all state, so
    splitting incrementally gives the same blocks as splitting the whole text.
    """
    blocks: list[str] = []
    lines = text.split("\n")
    complete_lines = lines[:-1]  # the last element is an unfinished line (maybe empty)
    start = 0  # index of the block's first line
    fence: str | None = None
    fence_at_start = False
    block_is_list = False
    pending_blank = False
    for i, line in enumerate(complete_lines):
        if i == start:
            block_is_list = bool(_LIST_OR_QUOTE.match(line))
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence) \
                    and not match.group(3).strip():
                fence = None
                if fence_at_start and not block_is_list:
                    blocks.append("\n".join(lines[start:i + 1]))
                    start = i + 1
            continue
        if not line.strip():
            if i == start:
                start = i + 1  # blank lines between blocks belong to nobody
            else:
                pending_blank = True
            continue
        if pending_blank:
            pending_blank = False
            if not line[0].isspace() and not (block_is_list and _LIST_OR_QUOTE.match(line)):
                blocks.append("\n".join(lines[start:i]).rstrip("\n"))
                start = i
                block_is_list = bool(_LIST_OR_QUOTE.match(line))
        if match:
            fence = match.group(2)
            fence_at_start = i == start and not match.group(1)
            continue
        if i == start and _ATX_HEADING.match(line):
            blocks.append(line)
            start = i + 1
    tail = "\n".join(lines[start:])
    return blocks, tail


class StreamingMarkdown:
    """Turns a growing answer into append-only completed HTML plus a re-rendered tail.

    Work per update is proportional to the new text and the open tail, never to the
    whole answer.
    """

    def __init__(self, renderer: MarkdownRenderer, first_code_id: int = 0) -> None:
        self._renderer = renderer
        self._tail_source = ""
        self._next_code_id = first_code_id
        self.text = ""

    def feed(self, text: str) -> None:
        """Add newly streamed text."""
        self._tail_source += text
        self.text += text

    def update(self) -> StreamUpdate:
        """Render what completed since the last update, and the current tail."""
        blocks, tail = split_blocks(self._tail_source)
        completed = self._renderer.render_blocks(blocks, self._next_code_id)
        if blocks:
            consumed = _consumed_length(self._tail_source, tail)
            self._tail_source = self._tail_source[consumed:]
            self._next_code_id += len(completed.code_blocks)
        rendered_tail = self._renderer.render_blocks([tail] if tail else [], self._next_code_id)
        return StreamUpdate(completed, rendered_tail)


def _consumed_length(source: str, tail: str) -> int:
    """How much of ``source`` lies before ``tail`` (the tail is always its suffix)."""
    return len(source) - len(tail)
