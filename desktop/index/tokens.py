"""A conservative token estimate shared by the repo map and the context packer.

Real tokenizers differ per model; code averages about 3.5–4 characters per token on the
tokenizers of the common local models. Dividing by 3.2 over-counts a little on purpose:
an over-estimate wastes a few tokens of context, an under-estimate makes the server
silently truncate the prompt.

Text outside ASCII is counted at one token per UTF-8 byte: the BPE tokenizers of
Llama, Qwen, Mistral and Gemma fall back to single bytes for what their vocabulary
lacks, so a CJK character takes up to 3 tokens and an emoji up to 4. Fewer characters
per token than 3.2 would be far off for them (an emoji alone can be four tokens), and a
per-model calibration cannot make up a gap that large.
"""

from __future__ import annotations

import math

CHARS_PER_TOKEN = 3.2  # ASCII characters per token, at least
TOKENS_PER_OTHER_BYTE = 1  # at most, for each UTF-8 byte of a character outside ASCII


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` will take at most: ASCII by a conservative characters-per-token
    rule, every other character by its UTF-8 length."""
    if text.isascii():  # nearly all code; the fast path
        return math.ceil(len(text) / CHARS_PER_TOKEN)
    ascii_chars = len(text.encode("ascii", "ignore"))
    other_bytes = len(text.encode("utf-8", "surrogatepass")) - ascii_chars
    return math.ceil(ascii_chars / CHARS_PER_TOKEN) + other_bytes * TOKENS_PER_OTHER_BYTE
