"""The token estimate is an upper bound, also for text outside ASCII."""

from __future__ import annotations

import pytest

from desktop.index.tokens import estimate_tokens


def test_ascii_code_is_estimated_at_3_2_characters_per_token():
    assert estimate_tokens("") == 0
    assert estimate_tokens("abc") == 1
    assert estimate_tokens("x" * 32) == 10
    assert estimate_tokens("def evict_oldest(self):\n") == 8


@pytest.mark.parametrize(("text", "at_least"), [
    ("🙂" * 100, 400),  # an emoji can be four byte tokens
    ("缓存" * 100, 600),  # a CJK character up to three
    ("привет", 12),  # Cyrillic up to two
    ("café", 3),
])
def test_text_outside_ascii_counts_up_to_a_token_per_utf8_byte(text, at_least):
    assert estimate_tokens(text) >= at_least
    assert estimate_tokens(text) <= len(text.encode("utf-8"))


def test_mixed_text_adds_the_two_rules():
    code = "print('done')  # "  # 17 ASCII characters -> 6 tokens
    assert estimate_tokens(code + "完成") == 6 + 6


def test_a_lone_surrogate_is_counted_not_an_error():
    assert estimate_tokens("a\udcff") == 1 + 3
