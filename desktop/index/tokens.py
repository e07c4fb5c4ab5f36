"""A conservative token estimate shared by the repo map and the context packer.

Real tokenizers differ per model; code averages about 3.5–4 characters per token on the
tokenizers of the common local models. Dividing by 3.2 over-counts a little on purpose:
an over-estimate wastes a few tokens of context, an under-estimate makes the server
silently truncate the prompt.
"""

from __future__ import annotations

import math

CHARS_PER_TOKEN = 3.2


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` will take at most, by a conservative characters-per-token rule."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)
