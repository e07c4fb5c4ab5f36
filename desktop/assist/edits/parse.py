"""Turn a small model's raw answer into the new text of a file, tolerantly.

Two kinds of answer are understood:

* **Whole region** — the complete new text of the target lines (or of the file),
  usually in a fenced block. Accepted with or without a language tag, with ``~~~``
  fences, prose around it, a missing closing fence, no fences at all (when the answer
  looks like code), several blocks (the one most like the target wins), the code moved
  to column 0 (indented back), tabs where the file has spaces (and the reverse), line
  number prefixes, an echoed fence line inside the block and CRLF line endings;
  also CodeLlama's ``[PYTHON]…[/PYTHON]`` and ``<code>`` wrappers, a ``<?php`` tag or an
  "# Example usage" section the model added, and 2-space nesting in a 4-space file
  (or the reverse). An answer that writes "# ... rest unchanged" instead of the code
  is refused: applying it would silently delete that code.
* **SEARCH/REPLACE blocks** — applied in order to the whole file; each SEARCH is found
  exactly, then ignoring whitespace, then by the best fuzzy match above a threshold.
* **Unified diffs** (a ``diff`` block with ``@@`` hunks, which some models write even
  when asked for code) — each hunk becomes a SEARCH/REPLACE block (context and ``-``
  lines to find, context and ``+`` lines to put there); the ``@@`` line numbers are
  ignored, since models rarely get them right.

Anything else is a ``NoUsableEdit`` with a plain reason and a hint.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from desktop.assist.edits.model import (
    METHOD_SEARCH_EXACT,
    METHOD_SEARCH_FUZZY,
    METHOD_SEARCH_WHITESPACE,
    METHOD_WHOLE_FILE,
    METHOD_WHOLE_REGION,
    EditError,
    NoUsableEdit,
    ParsedEdit,
)

FUZZY_THRESHOLD = 0.8
ASK_AGAIN = "Ask again; "

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
_SEARCH = re.compile(r"^[ \t]*<{5,9}[ \t]*SEARCH\b.*$", re.IGNORECASE)
_DIVIDER = re.compile(r"^[ \t]*={5,9}[ \t]*$")
_REPLACE = re.compile(r"^[ \t]*>{5,9}[ \t]*REPLACE\b.*$", re.IGNORECASE)
_HUNK_HEADER = re.compile(r"^@@ .*@@")
_FILE_HEADER = re.compile(r"^(---|\+\+\+) \S")
_LINE_NUMBER = re.compile(r"^[ \t]*(\d{1,6})(?:[ \t]*[:|│][ \t]?|\t| )")


# --- the entry point --------------------------------------------------------------------


def parse_response(
    response: str, base_text: str, region: tuple[int, int] | None = None, *, place_fragments: bool = False
) -> ParsedEdit:
    """The whole new file text a model's ``response`` makes of ``base_text``.

    ``region`` is the 1-based inclusive lines of ``base_text`` a whole-region answer
    replaces; without it such an answer is the whole new file — unless
    ``place_fragments`` is set (a code block from the chat applied to a whole file) and
    the answer is unambiguously one definition of a long file, which it then replaces.
    ``hearth apply-edit`` keeps it off: its contract is "no lines, whole file". SEARCH/REPLACE blocks
    always apply to the whole of ``base_text``. Raises ``NoUsableEdit`` with reason
    ``"no-code"``, ``"unchanged"`` or ``"search-not-found"``, and ``EditError`` for a
    region outside the text.
    """
    text = _wrappers_as_fences(_without_chat_tokens(_normalise_newlines(response)))
    base_lines = base_text.split("\n")
    if region is not None:
        _check_region(region, base_lines)
    if _has_search_blocks(text):
        new_text, method, notes = _apply_search_blocks(_search_blocks(text), base_text)
    elif diff_blocks := _diff_hunks(text) or _headerless_diff_hunks(text):
        new_text, method, notes = _apply_search_blocks(diff_blocks, base_text)
        notes.insert(0, "the answer is a unified diff; applied its hunks by their text, not their line numbers")
    else:
        new_text, method, notes = _whole_region(text, base_text, region, place_fragments)
    if new_text == base_text:
        raise NoUsableEdit(
            "The answer is the same as the original code; there is nothing to change.",
            reason="unchanged",
            hint=ASK_AGAIN + "say more precisely what should change.",
        )
    return ParsedEdit(new_text=new_text, method=method, notes=tuple(notes))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_region(region: tuple[int, int], base_lines: list[str]) -> None:
    start, end = region
    count = _real_line_count(base_lines)
    if start < 1 or end < start or end > max(count, 1):
        raise EditError(
            f"Lines {start}-{end} are not in the file (it has {count} lines).",
            "Pick lines inside the file.",
        )


def _real_line_count(base_lines: list[str]) -> int:
    """Lines of a ``split("\\n")`` list, not counting the empty piece after a final newline."""
    if base_lines and base_lines[-1] == "":
        return len(base_lines) - 1
    return len(base_lines)


# --- whole-region answers ---------------------------------------------------------------


@dataclass(frozen=True)
class _Block:
    lines: tuple[str, ...]
    info: str
    closed: bool


def _whole_region(
    text: str, base_text: str, region: tuple[int, int] | None, place_fragments: bool
) -> tuple[str, str, list[str]]:
    base_lines = base_text.split("\n")
    count = _real_line_count(base_lines)
    start, end = region if region is not None else (1, count)
    target = base_lines[start - 1 : end] if count else []
    notes: list[str] = []
    code = _extract_code(text, target, notes)
    code = _strip_line_numbers(code, notes, first=start if region is not None else 1)
    code = _trim_blank_edges(code)
    if not code:
        raise _no_code()
    if region is None and place_fragments:
        anchored = _anchor_fragment(code, base_lines[:count])
        if anchored is not None:
            region = anchored
            start, end = anchored
            target = base_lines[start - 1 : end]
            notes.append(
                f"the answer is only part of the file; it replaces lines {start}-{end}, which start the same way"
            )
    whole_file = region is None
    if region is not None and _looks_like_whole_file(code, base_lines, start, end):
        span = _enclosing_span(code, base_lines[:count], start, end)
        if span is not None and span != (1, count):
            start, end = span
            target = base_lines[start - 1 : end]
            notes.append(f"the answer repeats lines {start}-{end} around the selection; it replaces those lines")
        else:
            notes.append("the answer is the whole file, not just the selected lines; used it as the new file")
            whole_file = True
            start, end, target = 1, count, base_lines[:count]
    code = _drop_added_open_tags(code, target, notes)
    code = _drop_appended_examples(code, target, notes)
    if not code:
        raise _no_code()
    _refuse_elisions(code, target)
    if not whole_file:
        code = _trim_echoed_context(code, base_lines, start, end, notes)
    code = _match_indentation(code, target, _indent_style(base_lines), notes)
    lead, trail = _blank_edges(target)
    new_lines = base_lines[: start - 1] + [""] * lead + code + [""] * trail + base_lines[end:]
    if count == 0:
        # An empty file: keep the answer's lines and end with a newline.
        new_lines = code + [""]
    return "\n".join(new_lines), METHOD_WHOLE_FILE if whole_file else METHOD_WHOLE_REGION, notes


def _no_code() -> NoUsableEdit:
    return NoUsableEdit(
        "The answer holds no code to apply.",
        reason="no-code",
        hint=ASK_AGAIN + "ask for the complete new code in one fenced block.",
    )


def _extract_code(text: str, target: list[str], notes: list[str]) -> list[str]:
    """The lines of the answer that are the new code (fenced block, or bare code)."""
    fenced = _fenced_blocks(text)
    blocks = [b for b in fenced if _trim_blank_edges(_strip_echoed_fences(list(b.lines)))]
    if blocks:
        return _choose_block(blocks, target, notes)
    if fenced:
        raise _no_code()  # only empty code blocks
    lines = [_unticked(line) for line in text.split("\n")]
    code = _bare_code(lines) or _single_inline_span(text, target)
    if code is None:
        raise _no_code()
    if len(code) < len(_trim_blank_edges(lines)):
        notes.append("no code fence; left out the prose around the code")
    else:
        notes.append("no code fence; took the whole answer as code")
    return code


def _fenced_blocks(text: str) -> list[_Block]:
    """Every fenced block (``` or ~~~); one without a closing fence runs to the end."""
    blocks: list[_Block] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group("fence")
        # As in CommonMark, a fence indented (inside a list item) indents its lines too.
        outdent = len(opening.group("indent").replace("\t", "   "))
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                closed = True
                i += 1
                break
            body.append(_outdent(lines[i], outdent))
            i += 1
        blocks.append(_Block(tuple(body), opening.group("info").strip(), closed))
    return blocks


def _outdent(line: str, columns: int) -> str:
    removable = len(line) - len(line.lstrip(" "))
    return line[min(columns, removable) :]


def _choose_block(blocks: list[_Block], target: list[str], notes: list[str]) -> list[str]:
    """The block most like the target lines; a block that merely repeats them loses."""
    cleaned = [_trim_blank_edges(_strip_echoed_fences(list(b.lines))) for b in blocks]
    if len(blocks) == 1:
        if not blocks[0].closed:
            notes.append("the code block had no closing fence; took it to the end of the answer")
        return cleaned[0]
    target_key = _loose(target)
    scored = []
    for number, lines in enumerate(cleaned):
        repeats = _loose(lines) == target_key
        similarity = _similarity(lines, target)
        scored.append((not repeats, similarity, len(lines), number))
    best = max(scored)
    number = best[3]
    repeating = [str(entry[3] + 1) for entry in scored if not entry[0]]
    why = "the one most like the original code"
    if repeating and best[0]:
        why = f"since block {', '.join(repeating)} only repeats the original code"
    notes.append(f"the answer has {len(blocks)} code blocks; used block {number + 1}, {why}")
    return cleaned[number]


def _strip_echoed_fences(lines: list[str]) -> list[str]:
    """Drop fence lines a model echoed inside a block (```` ```python ```` as its first line)."""
    while lines and (not lines[0].strip() or _FENCE_OPEN.match(lines[0])):
        lines = lines[1:]
    while lines and (not lines[-1].strip() or _FENCE_OPEN.match(lines[-1])):
        lines = lines[:-1]
    return lines


def _trim_blank_edges(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return [line.rstrip() if not line.strip() else line for line in lines[start:end]]


def _blank_edges(lines: list[str]) -> tuple[int, int]:
    """How many blank lines the target starts and ends with (kept around the new code)."""
    if not any(line.strip() for line in lines):
        return 0, 0
    lead = next(i for i, line in enumerate(lines) if line.strip())
    trail = next(i for i, line in enumerate(reversed(lines)) if line.strip())
    return lead, trail


# --- what small models wrap around or add to the code ---------------------------------------

_WRAPPER_OPEN = re.compile(r"^[ \t]*(?:\[(?P<tag>[A-Za-z][A-Za-z0-9+#]*)\]|<pre>\s*<code[^>]*>|<code[^>]*>|<pre>)[ \t]*$")
_WRAPPER_CLOSE = re.compile(r"^[ \t]*(?:\[/[A-Za-z][A-Za-z0-9+#]*\]|</code>\s*</pre>|</code>|</pre>)[ \t]*$")
_OPEN_TAGS = ("<?php", "<?", "?>")
_EXAMPLE_HEADING = re.compile(
    r"^(#|//|--|/\*)\s*(example|usage|test(s|ing)?|demo|output|sample|how to use)\b|^if __name__ == ['\"]__main__['\"]:",
    re.IGNORECASE,
)
_ELISION_COMMENT = re.compile(
    r"^(#|//|/\*|\*|--|<!--|;)\s*("
    r".*(\.\.\.|…)"  # "# ... existing arguments ...", "// …"
    r"|.*\b(rest|remainder) of (the )?(code|function|method|file|class|body|implementation)\b"
    r"|.*\b(code|lines|rest|everything else)\b.*\b(unchanged|the same|as before)\b"
    r"|.*\bsame as (before|above)\b|.*\bomitted\b"
    r"|.*\b(existing|previous|original) (code|logic|implementation|lines)\b"
    r")",
    re.IGNORECASE,
)


_CHAT_TOKEN = re.compile(
    r"<\|(?:im_start|im_end|end|eot_id|endoftext|end_of_text|assistant|user|system|"
    r"start_header_id|end_header_id|EOT)\|>|<｜[^｜>]{1,40}｜>|</s>|<end_of_turn>|<start_of_turn>(?:model)?"
)


def _without_chat_tokens(text: str) -> str:
    """Chat-template tokens a server leaked into the answer (``<|im_end|>``, ``</s>`` …)."""
    return _CHAT_TOKEN.sub("", text)


def _wrappers_as_fences(text: str) -> str:
    """``[PYTHON]…[/PYTHON]`` (CodeLlama) and ``<code>…</code>`` lines read as fences.

    Only when the answer has no fence of its own, so code that mentions such tags in a
    fenced block is left alone.
    """
    lines = text.split("\n")
    if any(_FENCE_OPEN.match(line) for line in lines):
        return text
    opened = False
    out = []
    for line in lines:
        opening = None if opened else _WRAPPER_OPEN.match(line)
        if opening:
            out.append("```" + (opening.group("tag") or "").lower())
            opened = True
        elif opened and _WRAPPER_CLOSE.match(line):
            out.append("```")
            opened = False
        else:
            out.append(line)
    return "\n".join(out)


def _drop_added_open_tags(code: list[str], target: list[str], notes: list[str]) -> list[str]:
    """A ``<?php`` (or closing ``?>``) the model put around a snippet that has none."""
    target_keys = {line.strip() for line in target}
    keys = [line.strip() for line in code]
    start, end = 0, len(code)
    while start < end and (not keys[start] or keys[start] in _OPEN_TAGS) and keys[start] not in target_keys:
        start += 1
    while end > start and (not keys[end - 1] or keys[end - 1] in _OPEN_TAGS) and keys[end - 1] not in target_keys:
        end -= 1
    if any(keys[i] for i in (*range(start), *range(end, len(code)))):
        notes.append("left out the <?php / ?> tags the answer added around the code")
        return code[start:end]
    return code


def _drop_appended_examples(code: list[str], target: list[str], notes: list[str]) -> list[str]:
    """Cut an "# Example usage" (or ``__main__``) section the model appended after the code.

    It must start at the answer's least indentation, after some code, and be absent from
    the original lines; otherwise it is part of the edit.
    """
    base = min((len(_leading(line).expandtabs(4)) for line in code if line.strip()), default=0)
    target_keys = {line.strip() for line in target}
    for i, line in enumerate(code[1:], start=1):
        stripped = line.strip()
        if len(_leading(line).expandtabs(4)) != base or stripped in target_keys:
            continue
        if _EXAMPLE_HEADING.match(stripped) and any(other.strip() for other in code[:i]):
            notes.append(f"left out the example the answer added after the code (from “{stripped[:40]}”)")
            return _trim_blank_edges(code[:i])
    return code


def _refuse_elisions(code: list[str], original: list[str]) -> None:
    """Refuse an answer that writes "# ... rest unchanged" instead of the code.

    Applying it would delete the code it leaves out, silently, so there is no usable edit.
    A comment that is already in the original lines is not an elision.
    """
    original_keys = {" ".join(line.split()) for line in original}
    for line in code:
        key = " ".join(line.split())
        if key in original_keys:
            continue
        if _ELISION_COMMENT.match(key) or key in ("...", "…"):
            raise NoUsableEdit(
                f"The answer leaves code out (“{key[:60]}”) instead of writing it; applying it would delete that code.",
                reason="no-code",
                hint=ASK_AGAIN + "ask for every line of the code, with nothing left out.",
            )


def _rescale_indent_width(code: list[str], target: list[str], file: _IndentStyle, notes: list[str]) -> list[str]:
    """An answer nested by 2 spaces for a file nested by 4 (or the reverse) is re-nested.

    The step of each side is read from its indentation relative to its own least-indented
    line; nothing changes unless both are clear, both use spaces, and they differ.
    """
    if file.tabs or any(line.startswith("\t") for line in code):
        return code
    answer_step = _relative_step(code)
    target_step = _relative_step(target) or file.width
    if not answer_step or answer_step == target_step:
        return code
    base = min(len(_leading(line)) for line in code if line.strip())
    out = []
    for line in code:
        if not line.strip():
            out.append(line)
            continue
        extra = len(_leading(line)) - base
        out.append(" " * (base + extra // answer_step * target_step + extra % answer_step) + line.lstrip(" "))
    notes.append(f"changed the answer's indentation from {answer_step} to {target_step} spaces per level, as in the file")
    return out


def _relative_step(lines: list[str]) -> int | None:
    """Spaces per nesting level, from indents relative to the least-indented line (None: unclear)."""
    widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip() and not line.startswith("\t")]
    if not widths:
        return None
    base = min(widths)
    steps = sorted({width - base for width in widths if width > base})
    if not steps:
        return None
    step = steps[0]
    if step not in (2, 4) or any(other % step for other in steps):
        return None
    return step


# --- answers without fences ---------------------------------------------------------------

_CODE_START = re.compile(
    r"^\s*(def|class|async|await|return|yield|import|from|if|elif|else|for|while|try|except|finally|with|raise|"
    r"pass|break|continue|lambda|func|fn|pub|impl|struct|enum|trait|use|mod|let|const|var|function|export|"
    r"interface|type|package|switch|case|default|match|module|require|end|begin|rescue|unless|until|do|"
    r"static|void|int|char|float|double|long|unsigned|bool|public|private|protected|namespace|template|"
    r"#include|#define|#if|#endif|@\w+|//|/\*|\*|#)\b"
)
_CODE_PUNCT = re.compile(r"[{}\[\]();=<>]|->|=>|::|:$|\+=|-=|\w\.\w|\w\(|^\s*[})\]]")
_SENTENCE = re.compile(r"^[\"'(*_]*[A-Z][\w'’,\-]*[!.,;:]?(\s+\S+){2,}\s*$")
_BULLET = re.compile(r"^([-*+•]|\d{1,2}[.)])\s+\S+(\s+\S+){2,}")
_TICKED = re.compile(r"`[^`]*`")
_HEADING = re.compile(r"^[A-Z][A-Za-z' ,]{0,40}[:.!?]$")  # "Explanation:", "Done.", "Sure thing!"
_COMMENT = re.compile(r"^(//|/\*|\*|#|--|;)")


def _single_inline_span(text: str, target: list[str]) -> list[str] | None:
    """The code of "Updated line: `x = 1`" when the target is one line and the answer has one span."""
    spans = re.findall(r"`([^`\n]+)`", text)
    if len([line for line in target if line.strip()]) != 1 or len(spans) != 1:
        return None
    return [spans[0]] if _line_kind(spans[0]) == "code" else None


def _unticked(line: str) -> str:
    """A line that is one inline code span (`` `x = 1` ``) without its backticks."""
    match = re.fullmatch(r"(\s*)`([^`]+)`\s*", line)
    return match.group(1) + match.group(2) if match else line


def _bare_code(lines: list[str]) -> list[str] | None:
    """The code in an answer without fences, with prose lines at either end left out.

    ``None`` when what is left is not code (an answer that only talks).
    """
    kinds = [_line_kind(line) for line in lines]
    code_rows = [i for i, kind in enumerate(kinds) if kind == "code"]
    if not code_rows:
        return None
    first, last = code_rows[0], code_rows[-1]
    core = lines[first : last + 1]
    nonblank = [kinds[i] for i in range(first, last + 1) if kinds[i] != "blank"]
    code_share = sum(1 for kind in nonblank if kind == "code") / len(nonblank)
    if code_share < 0.6:
        return None
    return core


def _line_kind(line: str) -> str:
    """``"blank"``, ``"code"`` or ``"prose"`` for one line of an answer."""
    stripped = line.strip()
    if not stripped:
        return "blank"
    if line[:1] in (" ", "\t"):
        return "code"
    if _BULLET.match(stripped) or _HEADING.match(stripped) or stripped.startswith(("**", "###", "> ")):
        return "prose"
    if _COMMENT.match(stripped):
        return "code"
    words_only = _TICKED.sub("x", stripped)
    if _SENTENCE.match(words_only):
        if not _CODE_PUNCT.search(words_only.rstrip(":.!?")):
            return "prose"
        letters = sum(ch.isalpha() or ch == " " for ch in words_only)
        if words_only[-1] in ".!?:" and letters >= 0.85 * len(words_only):
            return "prose"
    if _CODE_START.match(stripped) or _CODE_PUNCT.search(stripped):
        return "code"
    if len(stripped.split()) >= 4:
        return "prose"
    # A short line without sentence shape (``x``, ``end``, ``pass``) reads as code.
    return "code"


# --- cleaning up the code ----------------------------------------------------------------


def _strip_line_numbers(lines: list[str], notes: list[str], first: int | None = None) -> list[str]:
    """Remove ``12: `` / ``12 | `` / ``12<tab>`` prefixes a model copied from the prompt.

    Only when every non-blank line has one and they count up. A single numbered line,
    or numbers followed by a bare space or tab, must start at ``first`` (the region's
    first line), so code or data that merely starts with numbers is left alone.
    """
    matches = [_LINE_NUMBER.match(line) for line in lines if line.strip()]
    if not matches or not all(matches):
        return lines
    values = [int(match.group(1)) for match in matches if match]
    if any(b <= a for a, b in zip(values, values[1:])) or values[-1] - values[0] > 2 * len(lines):
        return lines
    marked = all(re.search(r"[:|│]", match.group(0)) for match in matches if match)
    if (len(values) < 2 or not marked) and values[0] != first:
        return lines
    notes.append("removed line numbers in front of the code")
    out = []
    for line in lines:
        match = _LINE_NUMBER.match(line)
        out.append(line[match.end() :] if match else line)
    return out


_CLOSER = re.compile(r"^([}\])]|end\b)")


def _anchor_fragment(code: list[str], base: list[str]) -> tuple[int, int] | None:
    """The lines of ``base`` a fragment answer (one function of a long file) replaces.

    Only when it is unambiguous: the file is long, the answer is short and mostly new,
    and one of its first lines is a distinctive line found exactly once in the file.
    The range runs from there to the end of that line's indented block.
    """
    base_keys = [line.strip() for line in base]
    code_keys = [line.strip() for line in code]
    base_nonblank = [key for key in base_keys if key]
    code_nonblank = [key for key in code_keys if key]
    if len(base_nonblank) < 8 or len(code_nonblank) * 2 > len(base_nonblank):
        return None
    if len(set(code_nonblank) & set(base_nonblank)) * 2 > len(set(base_nonblank)):
        return None
    for offset, key in enumerate(code_keys[:4]):
        if len(key) < 6 or not re.search(r"\w", key) or base_keys.count(key) != 1:
            continue
        anchor = base_keys.index(key)
        before = 0  # answer lines above the anchor that repeat the file's lines above it
        while before < offset and anchor - before > 0 and code_keys[offset - before - 1] == base_keys[anchor - before - 1]:
            before += 1
        start, end = anchor - before, _block_end(base, anchor) + 1
        # A whole-file answer that drops most of the file also repeats lines from
        # outside that block; then it is not a fragment.
        outside = set(base_keys[:start] + base_keys[end:]) - set(base_keys[start:end])
        if any(key in outside and len(key) >= 6 and re.search(r"\w", key) for key in code_keys):
            return None
        return start + 1, end
    return None


def _block_end(lines: list[str], start: int) -> int:
    """The index of the last line of the indented block that starts at ``lines[start]``."""
    indent = len(_leading(lines[start]).expandtabs(4))
    last = start
    for i in range(start + 1, len(lines)):
        if not lines[i].strip():
            continue
        if len(_leading(lines[i]).expandtabs(4)) <= indent:
            if lines[i].strip() == "{" and last == start:
                last = i  # a brace on its own line opens the block (Allman style)
                continue
            return i if _CLOSER.match(lines[i].strip()) else last
        last = i
    return last


def _enclosing_span(code: list[str], base: list[str], start: int, end: int) -> tuple[int, int] | None:
    """The lines of ``base`` an answer covers when it repeats code around the selection.

    A model asked for one method often answers with its whole class. The answer's first
    line must occur once in the file, at or above the selection; its last line is
    matched at or below the selection where the span's length is closest to the
    answer's. None when that is not clear, or when the answer also carries lines from
    outside the span (then it is more likely the whole file, rewritten).
    """
    keys = [line.strip() for line in code if line.strip()]
    base_keys = [line.strip() for line in base]
    if not keys or base_keys.count(keys[0]) != 1:
        return None
    first = base_keys.index(keys[0])
    if first > start - 1:
        return None
    candidates = [j for j in range(end - 1, len(base)) if base_keys[j] == keys[-1]]
    if not candidates:
        return None
    last = min(candidates, key=lambda j: abs((j - first + 1) - len(code)))
    outside = {key for key in base_keys[:first] + base_keys[last + 1 :] if key} - set(base_keys[first : last + 1])
    if any(key in outside for key in keys):
        return None
    return first + 1, last + 1


def _looks_like_whole_file(code: list[str], base_lines: list[str], start: int, end: int) -> bool:
    """Whether an answer for lines ``start..end`` is really the whole file.

    True when it also carries most of the file's lines outside the region.
    """
    outside = {line.strip() for line in base_lines[: start - 1] + base_lines[end:] if line.strip()}
    inside = {line.strip() for line in base_lines[start - 1 : end] if line.strip()}
    outside -= inside
    if len(outside) < 2:
        return False
    carried = outside & {line.strip() for line in code}
    return len(carried) >= 0.6 * len(outside)


def _trim_echoed_context(code: list[str], base_lines: list[str], start: int, end: int, notes: list[str]) -> list[str]:
    """Drop lines just outside the region that the answer repeated at its edges.

    Small models often include the line before a selection (a ``def`` line) or the line
    after it (a closing brace); kept, those would be doubled. A lone closing brace is
    only dropped when the line before was also repeated, since an answer may well end
    with a brace of its own.
    """
    region = [line.strip() for line in base_lines[start - 1 : end] if line.strip()]
    before = [line.strip() for line in base_lines[: start - 1] if line.strip()][-3:]
    after = [line.strip() for line in base_lines[end:] if line.strip()][:3]
    stripped = [line.strip() for line in code]
    lead = 0
    for k in range(len(before), 0, -1):
        echoed = stripped[:k]
        if echoed == before[-k:] and echoed != region[:k] and _has_words(echoed) and len(code) > k:
            lead = k
            break
    trail = 0
    for k in range(len(after), 0, -1):
        echoed = stripped[len(stripped) - k :]
        if len(code) - lead <= k or echoed != after[:k] or echoed == region[len(region) - k :]:
            continue
        if _has_words(echoed) or lead:
            trail = k
            break
    if not trail and after and stripped and stripped[-1] == after[0] and re.fullmatch(r"[}\])]+[;,]?", after[0]):
        # The selection stopped before a closing brace the answer also writes: it is
        # the file's, when without it the answer balances its brackets like the selection.
        if _bracket_balance(code[lead:-1]) == _bracket_balance(base_lines[start - 1 : end]):
            trail = 1
    if lead:
        notes.append(f"left out {lead} line(s) before the selection that the answer repeated")
    if trail:
        notes.append(f"left out {trail} line(s) after the selection that the answer repeated")
    # The blank lines between the repeated context and the code are the file's own.
    return _trim_blank_edges(code[lead : len(code) - trail])


def _bracket_balance(lines: list[str]) -> int:
    text = "\n".join(lines)
    return sum(text.count(c) for c in "{([") - sum(text.count(c) for c in "})]")


def _has_words(lines: list[str]) -> bool:
    return any(re.search(r"\w", line) for line in lines)


# --- indentation -------------------------------------------------------------------------


@dataclass(frozen=True)
class _IndentStyle:
    tabs: bool
    width: int  # columns per level (spaces) or columns one tab counts for


def _indent_style(lines: list[str]) -> _IndentStyle:
    """Whether the text indents with tabs or spaces, and by how many columns per level."""
    tab_lines = sum(1 for line in lines if line.startswith("\t"))
    space_widths = [len(line) - len(line.lstrip(" ")) for line in lines if line.startswith(" ") and line.strip()]
    if tab_lines > len(space_widths):
        return _IndentStyle(tabs=True, width=4)
    steps = [w for w in space_widths if w]
    # 4 unless the indents show another unit; a text indented only by 8 is still 4 per level.
    width = next((w for w in (4, 2, 3) if all(step % w == 0 for step in steps)), 4)
    return _IndentStyle(tabs=False, width=width)


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _columns(indent: str, tab_width: int) -> int:
    return sum(tab_width if ch == "\t" else 1 for ch in indent)


def _render_indent(columns: int, style: _IndentStyle) -> str:
    if style.tabs:
        return "\t" * (columns // style.width) + " " * (columns % style.width)
    return " " * columns


def _match_indentation(code: list[str], target: list[str], style: _IndentStyle, notes: list[str]) -> list[str]:
    """Code indented like the target: the file's tabs or spaces, at the target's depth.

    An answer whose least-indented line sits at another depth than the target's (most
    often column 0) is shifted as a whole, keeping its inner structure. The exception is
    an answer where only the first line lost its indentation (its other lines are
    already deeper than the target's base): then only that line is moved.
    """
    converted = _convert_indent_chars(code, _indent_style(code), style)
    if converted != code:
        notes.append("changed the answer's indentation to the file's " + ("tabs" if style.tabs else "spaces"))
    code = _rescale_indent_width(converted, target, style, notes)
    code_base = _base_columns(code, style)
    target_base = _base_columns(target, style)
    first_code = _first_columns(code, style)
    first_target = _first_columns(target, style)
    if code_base is None or target_base is None or first_code is None or first_target is None:
        return code
    rest_base = _base_columns(code[_first_index(code) + 1 :], style)
    rest_in_place = rest_base is not None and (rest_base > first_target or _closes_at(code, first_target, style))
    if first_code == 0 < first_target and rest_in_place:
        notes.append("indented the answer's first line like the original's")
        return _shift_first(code, first_target - first_code, style)
    if code_base != target_base:
        delta = target_base - code_base
        notes.append(f"re-indented the answer by {delta:+d} columns to match the original code")
        return _shift(code, delta, style)
    return code


def _closes_at(code: list[str], columns: int, style: _IndentStyle) -> bool:
    """Whether the answer ends with a block closer (``}``, ``end``) at ``columns``.

    Such a closer aligns with its opening line, so an answer whose first line sits at
    column 0 but whose closer sits at the original's depth only lost its first indent.
    """
    last = next((line for line in reversed(code) if line.strip()), "")
    return bool(_CLOSER.match(last.strip())) and _columns(_leading(last), style.width) == columns


def _first_index(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), len(lines))


def _base_columns(lines: list[str], style: _IndentStyle) -> int | None:
    widths = [_columns(_leading(line), style.width) for line in lines if line.strip()]
    return min(widths) if widths else None


def _first_columns(lines: list[str], style: _IndentStyle) -> int | None:
    for line in lines:
        if line.strip():
            return _columns(_leading(line), style.width)
    return None


def _shift(lines: list[str], delta: int, style: _IndentStyle) -> list[str]:
    return [_reindent(line, delta, style) if line.strip() else line for line in lines]


def _shift_first(lines: list[str], delta: int, style: _IndentStyle) -> list[str]:
    out = list(lines)
    for i, line in enumerate(out):
        if line.strip():
            out[i] = _reindent(line, delta, style)
            break
    return out


def _reindent(line: str, delta: int, style: _IndentStyle) -> str:
    indent = _leading(line)
    columns = max(0, _columns(indent, style.width) + delta)
    return _render_indent(columns, style) + line[len(indent) :]


def _convert_indent_chars(code: list[str], answer: _IndentStyle, file: _IndentStyle) -> list[str]:
    """Leading tabs turned into the file's spaces, or leading spaces into its tabs."""
    if answer.tabs == file.tabs:
        return code
    out = []
    for line in code:
        indent = _leading(line)
        if not line.strip() or not indent:
            out.append(line)
            continue
        if file.tabs:
            levels, rest = divmod(_columns(indent, answer.width), answer.width)
            out.append("\t" * levels + " " * rest + line[len(indent) :])
        else:
            columns = _columns(indent, file.width)
            out.append(" " * columns + line[len(indent) :])
    return out


# --- similarity helpers --------------------------------------------------------------------


def _loose(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Lines with whitespace differences and blank lines taken out, for comparisons."""
    return [" ".join(line.split()) for line in lines if line.strip()]


def _similarity(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, "\n".join(_loose(a)), "\n".join(_loose(b)), autojunk=False).ratio()


# --- SEARCH/REPLACE blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class _SearchBlock:
    search: tuple[str, ...]
    replace: tuple[str, ...]


def _has_search_blocks(text: str) -> bool:
    lines = text.split("\n")
    return any(_SEARCH.match(line) for line in lines) and any(_DIVIDER.match(line) for line in lines)


def _search_blocks(text: str) -> list[_SearchBlock]:
    """The blocks in order; a missing ``>>>>>>> REPLACE`` ends at the next block or fence."""
    blocks: list[_SearchBlock] = []
    state = "outside"
    search: list[str] = []
    replace: list[str] = []

    def close() -> None:
        blocks.append(_SearchBlock(tuple(search), tuple(_strip_trailing_fence(replace))))

    for line in text.split("\n"):
        if _SEARCH.match(line):
            if state == "replace":
                close()
            state, search, replace = "search", [], []
        elif state == "search" and _DIVIDER.match(line):
            state = "replace"
        elif state == "replace" and _REPLACE.match(line):
            close()
            state = "outside"
        elif state == "search":
            search.append(line)
        elif state == "replace":
            replace.append(line)
    if state == "replace":
        close()
    return blocks


def _strip_trailing_fence(lines: list[str]) -> list[str]:
    """A block left open by a missing REPLACE marker loses the fence and prose after it."""
    for i, line in enumerate(lines):
        if _FENCE_OPEN.match(line) and not _FENCE_OPEN.match(line).group("info"):
            return lines[:i]
    return lines


def _diff_hunks(text: str) -> list[_SearchBlock]:
    """The hunks of a unified diff in the answer as SEARCH/REPLACE blocks ([] if none).

    Only lines inside ``@@`` hunks count; a blank line there is a blank context line
    (models often drop its leading space). Hunks that add or remove nothing are skipped.
    """
    blocks: list[_SearchBlock] = []
    search: list[str] | None = None
    replace: list[str] = []

    def close() -> None:
        if search is not None and (search != replace):
            blocks.append(_SearchBlock(tuple(_trim_blank_edges(search)), tuple(_trim_blank_edges(replace))))

    for line in text.split("\n"):
        if _HUNK_HEADER.match(line):
            close()
            search, replace = [], []
        elif search is None:
            continue
        elif _FILE_HEADER.match(line) or _FENCE_OPEN.match(line):
            close()
            search = None
        elif line.startswith("-"):
            search.append(line[1:])
        elif line.startswith("+"):
            replace.append(line[1:])
        elif line.startswith(" ") or line == "":
            search.append(line[1:])
            replace.append(line[1:])
        elif line.startswith("\\"):
            continue  # "\ No newline at end of file"
        else:
            close()  # prose after the diff
            search = None
    close()
    return blocks


def _headerless_diff_hunks(text: str) -> list[_SearchBlock]:
    """A ``diff``-tagged block without ``@@`` lines, read as one hunk per block."""
    blocks: list[_SearchBlock] = []
    for block in _fenced_blocks(text):
        body = [line for line in block.lines if not _FILE_HEADER.match(line)]
        marked = [line for line in body if line[:1] in "+-"]
        if block.info.lower() in ("diff", "patch", "udiff") and marked:
            blocks.extend(_diff_hunks("\n".join(["@@ @@", *body])))
    return blocks


def _apply_search_blocks(blocks: list[_SearchBlock], base_text: str) -> tuple[str, str, list[str]]:
    if not blocks:
        raise _no_code()
    lines = base_text.split("\n")
    notes: list[str] = []
    methods: list[str] = []
    for number, block in enumerate(blocks, start=1):
        label = f"block {number} of {len(blocks)}" if len(blocks) > 1 else "the block"
        search = _trim_blank_edges(_strip_line_numbers(list(block.search), notes))
        replace = _trim_blank_edges(_strip_line_numbers(list(block.replace), []))
        if not search:
            lines, method = _append(lines, replace), METHOD_SEARCH_EXACT
            notes.append(f"{label}: empty SEARCH; added the REPLACE text at the end of the file")
            methods.append(method)
            continue
        found = _find(search, lines)
        if found is None:
            closest = _closest(search, lines)
            first = search[0].strip()
            raise NoUsableEdit(
                f"The SEARCH part of {label} (starting “{first[:60]}”) matches nothing in the file.",
                reason="search-not-found",
                hint=ASK_AGAIN + "the SEARCH part must repeat lines of the file exactly.",
                closest=tuple(closest),
            )
        start, end, method, how = found
        style = _indent_style(lines)
        replacement = _convert_indent_chars(replace, _indent_style(replace + search), style)
        delta = _first_columns(lines[start:end], style) or 0
        delta -= _first_columns(_convert_indent_chars(search, _indent_style(replace + search), style), style) or 0
        if delta and method != METHOD_SEARCH_EXACT:
            replacement = _shift(replacement, delta, style)
            how += f", re-indented the replacement by {delta:+d} columns"
        lines = lines[:start] + replacement + lines[end:]
        notes.append(f"{label}: {how}")
        methods.append(method)
    return "\n".join(lines), _weakest(methods), notes


def _append(lines: list[str], addition: list[str]) -> list[str]:
    if lines and lines[-1] == "":
        return lines[:-1] + addition + [""]
    return lines + addition


def _weakest(methods: list[str]) -> str:
    order = (METHOD_SEARCH_EXACT, METHOD_SEARCH_WHITESPACE, METHOD_SEARCH_FUZZY)
    return max(methods, key=order.index)


def _find(search: list[str], lines: list[str]) -> tuple[int, int, str, str] | None:
    """Where ``search`` is in ``lines``: (start, end, method, description) or ``None``."""
    exact = _find_exact(search, lines)
    if exact is not None:
        return exact, exact + len(search), METHOD_SEARCH_EXACT, f"found exactly at line {exact + 1}"
    loose = _find_loose(search, lines)
    if loose is not None:
        start, end = loose
        return start, end, METHOD_SEARCH_WHITESPACE, f"found at line {start + 1} ignoring whitespace"
    fuzzy = _find_fuzzy(search, lines)
    if fuzzy is not None:
        start, end, score = fuzzy
        return start, end, METHOD_SEARCH_FUZZY, f"closest match at line {start + 1} ({score:.0%} alike)"
    return None


def _find_exact(search: list[str], lines: list[str]) -> int | None:
    size = len(search)
    for i in range(len(lines) - size + 1):
        if lines[i : i + size] == search:
            return i
    return None


def _find_loose(search: list[str], lines: list[str]) -> tuple[int, int] | None:
    """Match ignoring indentation, spacing and blank lines; (start, end) of file lines."""
    wanted = _loose(search)
    rows = [(i, " ".join(line.split())) for i, line in enumerate(lines) if line.strip()]
    keys = [key for _, key in rows]
    size = len(wanted)
    for k in range(len(keys) - size + 1):
        if keys[k : k + size] == wanted:
            return rows[k][0], rows[k + size - 1][0] + 1
    return None


def _find_fuzzy(search: list[str], lines: list[str]) -> tuple[int, int, float] | None:
    """The best window of the same length (±1 line) above the threshold."""
    best = _best_window(search, lines)
    if best is None or best[2] < FUZZY_THRESHOLD:
        return None
    # Alike as a whole is not enough: two different short functions are 80% alike too.
    # At least half of the SEARCH lines must be lines of the window, spacing aside.
    wanted = _loose(search)
    window = _loose(lines[best[0] : best[1]])
    matcher = difflib.SequenceMatcher(None, wanted, window, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    if same * 2 < len(wanted):
        return None
    return best


def _best_window(search: list[str], lines: list[str]) -> tuple[int, int, float] | None:
    wanted = "\n".join(line.strip() for line in search)
    best: tuple[int, int, float] | None = None
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(wanted)
    for size in {len(search), len(search) - 1, len(search) + 1}:
        if size < 1 or size > len(lines):
            continue
        for i in range(len(lines) - size + 1):
            window = "\n".join(line.strip() for line in lines[i : i + size])
            matcher.set_seq1(window)
            if best is not None and matcher.real_quick_ratio() <= best[2]:
                continue
            if best is not None and matcher.quick_ratio() <= best[2]:
                continue
            score = matcher.ratio()
            if best is None or score > best[2]:
                best = (i, i + size, score)
    return best


def _closest(search: list[str], lines: list[str]) -> list[str]:
    best = _best_window(search, lines)
    if best is None:
        return []
    start, end, _ = best
    return lines[start:end]
