"""Hunks between two texts, applying a chosen subset of them, and unified diffs.

Texts use ``\\n`` line endings. Lines are the pieces of ``text.split("\\n")``, so a file
that ends with a newline has an empty last piece: a change to the trailing newline is a
hunk like any other, and applying every hunk gives the new text back exactly.
"""

from __future__ import annotations

import difflib
from typing import Collection, Sequence

from desktop.assist.edits.model import Hunk


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as hunks see them (see the module docstring)."""
    return text.split("\n")


def compute_hunks(base_text: str, new_text: str) -> tuple[Hunk, ...]:
    """The real changes from ``base_text`` to ``new_text``, in order, indexed from 0.

    Built from ``difflib.SequenceMatcher`` opcodes on lines (no autojunk, so repeated
    lines such as blank ones are still matched); every non-equal opcode is one hunk,
    so no hunk holds an unchanged line.
    """
    base = split_lines(base_text)
    new = split_lines(new_text)
    matcher = difflib.SequenceMatcher(None, base, new, autojunk=False)
    hunks: list[Hunk] = []
    for tag, b1, b2, n1, n2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hunks.append(
            Hunk(
                index=len(hunks),
                base_start=b1 + 1,
                base_lines=tuple(base[b1:b2]),
                new_start=n1 + 1,
                new_lines=tuple(new[n1:n2]),
            )
        )
    return tuple(hunks)


def apply_hunks(base_text: str, hunks: Sequence[Hunk], accepted: Collection[int]) -> str:
    """``base_text`` with the hunks whose ``index`` is in ``accepted`` applied.

    Every hunk must come from ``compute_hunks(base_text, …)``: its base lines are checked
    against the text and a mismatch raises ``ValueError`` rather than writing a guess.
    """
    lines = split_lines(base_text)
    wanted = set(accepted)
    # Back to front, so earlier hunks' line numbers stay valid.
    for hunk in sorted(hunks, key=lambda h: h.base_start, reverse=True):
        if hunk.index not in wanted:
            continue
        start = hunk.base_start - 1
        end = start + len(hunk.base_lines)
        if tuple(lines[start:end]) != hunk.base_lines:
            raise ValueError(f"hunk {hunk.index} does not match the text at line {hunk.base_start}")
        lines[start:end] = hunk.new_lines
    return "\n".join(lines)


def unified_diff(base_text: str, new_text: str, relative: str, context: int = 3) -> str:
    """A unified diff with ``a/`` and ``b/`` names, ending with a newline ("" if equal).

    A last line without a newline gets git's ``\\ No newline at end of file`` marker.
    """
    if base_text == new_text:
        return ""
    lines = difflib.unified_diff(
        _diff_lines(base_text),
        _diff_lines(new_text),
        fromfile=f"a/{relative}",
        tofile=f"b/{relative}",
        n=context,
    )
    out: list[str] = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_lines(text: str) -> list[str]:
    # Not str.splitlines: that also splits on form feeds and other separators.
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines
