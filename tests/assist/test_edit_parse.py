"""The tolerant parser of model answers (desktop/assist/edits/parse.py).

Property tests build a file, a region and the intended new region, wrap the new
region the sloppy ways small models write it, and check the parse gives back the
intended file. Example tests pin each failure mode and each tolerance on its own.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.assist.edits.model import (
    METHOD_SEARCH_EXACT,
    METHOD_SEARCH_FUZZY,
    METHOD_SEARCH_WHITESPACE,
    METHOD_WHOLE_FILE,
    METHOD_WHOLE_REGION,
    EditError,
    NoUsableEdit,
)
from desktop.assist.edits.parse import parse_response
from tests.bench.edit_corpus import CORPUS_DIR, FINAL_DIR, FRESH_DIR, HELDOUT_DIR, corpus_cases, run_corpus, success_share

PROPERTY = settings(max_examples=150, deadline=None)

BEFORE = ["", "Sure! Here's the updated code:", "Here is the new version of the function.", "Okay.", "Done!"]
AFTER = ["", "Let me know if you need anything else!", "This version is shorter and easier to read.", "Hope this helps."]
TAGS = ["", "python", "py", "go", "text", " python"]
FENCES = ["```", "~~~", "````"]


# --- generated scenarios -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    base: str
    region: tuple[int, int]
    new_region: list[str]  # the intended new lines, indented as in the file
    expected: str
    unit: str  # the file's indent unit: "\t", "  " or "    "
    depth: int  # levels the region sits at


@st.composite
def _block(draw: st.DrawFn, prefix: str, unit: str, depth: int, min_size: int) -> list[str]:
    """Code-like lines at ``depth`` levels, each nested at most one level deeper than the last."""
    size = draw(st.integers(min_size, 6))
    levels = [0]
    for _ in range(size - 1):
        levels.append(draw(st.integers(0, min(levels[-1] + 1, 3))))
    blanks = draw(st.sets(st.integers(1, max(size - 2, 1)), max_size=1)) if size > 2 else set()
    lines = []
    for i, level in enumerate(levels):
        value = draw(st.integers(0, 99))
        lines.append(f"{unit * (depth + level)}{prefix}_{i} = compute({value}, {prefix!r})")
        if i in blanks:
            lines.append("")
    return lines


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    unit = draw(st.sampled_from(["\t", "  ", "    "]))
    depth = draw(st.integers(0, 2))
    # The file shows its own indent unit (a line one level in) before the region.
    prefix = ["def outer(arg):", f"{unit}header = arg"] + draw(_block("p", unit, depth, 0))
    region = draw(_block("r", unit, depth, 1))
    new_region = draw(_block("n", unit, depth, 1))
    suffix = draw(_block("s", unit, 0, 0))
    ending = [""] if draw(st.booleans()) else []
    start = len(prefix) + 1
    base = "\n".join(prefix + region + suffix + ending)
    expected = "\n".join(prefix + new_region + suffix + ending)
    return Scenario(base, (start, start + len(region) - 1), new_region, expected, unit, depth)


def _dedent(lines: list[str], unit: str, depth: int) -> list[str]:
    return [line[len(unit) * depth :] if line.strip() else line for line in lines]


def _respell(lines: list[str], unit: str, spelling: str) -> list[str]:
    """Lines with their leading indent units written as ``spelling`` instead."""
    out = []
    for line in lines:
        body = line.lstrip(unit[0]) if unit else line
        levels = (len(line) - len(body)) // len(unit)
        out.append(spelling * levels + body)
    return out


@st.composite
def sloppy_answers(draw: st.DrawFn, scenario: Scenario) -> str:
    """The new region the way a small model might write it."""
    lines = list(scenario.new_region)
    if draw(st.booleans()):
        lines = _dedent(lines, scenario.unit, scenario.depth)
    if scenario.unit == "\t" and draw(st.booleans()):
        lines = _respell(lines, "\t", "    ")
    elif scenario.unit == "    " and draw(st.booleans()):
        lines = _respell(lines, "    ", "\t")
    before = draw(st.sampled_from(BEFORE))
    after = draw(st.sampled_from(AFTER))
    fenced = draw(st.booleans())
    out = [before, ""] if before else []
    if fenced:
        fence = draw(st.sampled_from(FENCES))
        pad = draw(st.sampled_from(["", "  ", "\t"]))
        out.append(fence + draw(st.sampled_from(TAGS)) + pad)
        if draw(st.booleans()):
            out.append("```python")  # echoed inside the block
        out += lines
        if after or draw(st.booleans()):
            out.append(fence + pad)
    else:
        out += lines
    if after:
        out += ["", after]
    text = "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@PROPERTY
@given(st.data())
def test_sloppy_whole_region_answers_give_the_intended_file(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    answer = data.draw(sloppy_answers(scenario))
    parsed = parse_response(answer, scenario.base, scenario.region)
    assert parsed.new_text == scenario.expected
    assert parsed.method == METHOD_WHOLE_REGION


@PROPERTY
@given(st.data())
def test_line_number_prefixes_are_removed(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    start = scenario.region[0]
    separator = data.draw(st.sampled_from([": ", " | ", "\t"]))
    numbered = [f"{start + i}{separator}{line}" for i, line in enumerate(scenario.new_region)]
    parsed = parse_response("```\n" + "\n".join(numbered) + "\n```\n", scenario.base, scenario.region)
    assert parsed.new_text == scenario.expected


@PROPERTY
@given(st.data())
def test_a_whole_file_answer_without_region_is_the_new_file(data: st.DataObject) -> None:
    scenario = data.draw(scenarios())
    body = scenario.expected.rstrip("\n")
    answer = data.draw(st.sampled_from(["{}", "Here is the file:\n\n```\n{}\n```\n", "```python\n{}"])).format(body)
    parsed = parse_response(answer, scenario.base)
    assert parsed.new_text == scenario.expected
    assert parsed.method == METHOD_WHOLE_FILE


# --- SEARCH/REPLACE round trips ---------------------------------------------------------


@st.composite
def search_cases(draw: st.DrawFn) -> tuple[str, list[str], list[str], int, int]:
    """(file, its lines, replacement lines, chunk start, chunk end) with unique lines."""
    unit = draw(st.sampled_from(["  ", "    "]))
    size = draw(st.integers(3, 12))
    lines = [f"{unit * draw(st.integers(1, 3))}line_{i} = value({i}, 'text number {i}')" for i in range(size)]
    start = draw(st.integers(0, size - 1))
    end = draw(st.integers(start + 1, min(size, start + 4)))
    replacement = [f"{unit * 2}changed_{i}()" for i in range(draw(st.integers(0, 3)))]
    base = "\n".join(lines) + "\n"
    return base, lines, replacement, start, end


def _search_block(search: list[str], replace: list[str]) -> str:
    return "\n".join(["<<<<<<< SEARCH", *search, "=======", *replace, ">>>>>>> REPLACE"])


@PROPERTY
@given(search_cases(), st.booleans(), st.booleans(), st.booleans())
def test_search_replace_round_trips(case, fenced: bool, filename: bool, crlf: bool) -> None:
    base, lines, replacement, start, end = case
    block = _search_block(lines[start:end], replacement)
    if fenced:
        block = f"```python\n{block}\n```"
    if filename:
        block = "src/module.py\n" + block
    answer = "I'll change it like this:\n\n" + block + "\n\nThat's all."
    if crlf:
        answer = answer.replace("\n", "\r\n")
    parsed = parse_response(answer, base)
    assert parsed.new_text == "\n".join([*lines[:start], *replacement, *lines[end:], ""])
    assert parsed.method == METHOD_SEARCH_EXACT


@PROPERTY
@given(search_cases(), st.integers(0, 3), st.booleans(), st.booleans())
def test_unified_diff_answers_apply_by_their_text(case, context: int, fenced: bool, wrong_numbers: bool) -> None:
    base, lines, replacement, start, end = case
    new = "\n".join([*lines[:start], *replacement, *lines[end:], ""])
    diff = "".join(difflib.unified_diff(base.splitlines(True), new.splitlines(True), "a/m.py", "b/m.py", n=context))
    if wrong_numbers:  # models rarely get the @@ numbers right; they are not used
        diff = re.sub(r"^@@ .* @@", "@@ -90,7 +91,9 @@", diff, flags=re.MULTILINE)
    answer = f"Here is the patch:\n```diff\n{diff}```\nIt renames the lines." if fenced else diff
    parsed = parse_response(answer, base)
    assert parsed.new_text == new
    assert "unified diff" in parsed.notes[0]


def test_a_diff_block_without_hunk_headers_is_read_as_one_hunk() -> None:
    base = "import os\n\n\ndef area(r):\n    return 3.14 * r * r\n"
    answer = "Sure:\n```diff\n def area(r):\n-    return 3.14 * r * r\n+    return 3.14159 * r ** 2\n```\n"
    parsed = parse_response(answer, base, (4, 5))
    assert parsed.new_text == base.replace("3.14 * r * r", "3.14159 * r ** 2")


def test_a_diff_whose_removed_lines_are_not_in_the_file_is_refused_with_the_closest_lines() -> None:
    base = "def area(r):\n    return 3.14 * r * r\n"
    answer = "```diff\n@@ -1,2 +1,2 @@\n def volume(r):\n-    return r ** 3\n+    return r ** 3 * 4 / 3\n```"
    with pytest.raises(NoUsableEdit) as caught:
        parse_response(answer, base)
    assert caught.value.reason == "search-not-found"
    assert caught.value.closest


@PROPERTY
@given(search_cases(), st.integers(1, 4))
def test_search_replace_with_indentation_drift_is_reindented(case, drop: int) -> None:
    base, lines, _, start, end = case
    chunk = lines[start:end]
    shallowest = min(len(line) - len(line.lstrip()) for line in chunk)
    cut = min(drop, shallowest)
    replacement = [line.replace("line_", "moved_") for line in chunk]
    answer = _search_block([line[cut:] for line in chunk], [line[cut:] for line in replacement])
    parsed = parse_response(answer, base)
    assert parsed.new_text == "\n".join([*lines[:start], *replacement, *lines[end:], ""])
    if cut:
        assert parsed.method == METHOD_SEARCH_WHITESPACE


# --- tolerances, one at a time ------------------------------------------------------------

CLASS_FILE = (
    "class Shop:\n"
    "    def __init__(self):\n"
    "        self.items = []\n"
    "\n"
    "    def count(self):\n"
    "        return len(self.items)\n"
    "\n"
    "    def empty(self):\n"
    "        return not self.items\n"
)
COUNT_NEW = CLASS_FILE.replace("return len(self.items)", "return sum(1 for _ in self.items)")


def test_a_fenced_answer_with_prose_replaces_the_region() -> None:
    answer = "Sure!\n\n```python\n    def count(self):\n        return sum(1 for _ in self.items)\n```\nDone."
    parsed = parse_response(answer, CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert parsed.notes == ()


def test_column_zero_answer_is_indented_back_and_says_so() -> None:
    parsed = parse_response("```\ndef count(self):\n    return sum(1 for _ in self.items)\n```", CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert any("re-indented" in note for note in parsed.notes)


def test_only_the_first_line_lost_its_indentation() -> None:
    answer = "```\ndef count(self):\n        return sum(1 for _ in self.items)\n```"
    parsed = parse_response(answer, CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert any("first line" in note for note in parsed.notes)


def test_tab_file_gets_tabs_back_from_a_spaces_answer() -> None:
    base = "func f() {\n\tif x {\n\t\treturn 1\n\t}\n\treturn 0\n}\n"
    answer = "```go\n    if x {\n        return 2\n    }\n```"
    parsed = parse_response(answer, base, (2, 4))
    assert parsed.new_text == "func f() {\n\tif x {\n\t\treturn 2\n\t}\n\treturn 0\n}\n"
    assert any("tabs" in note for note in parsed.notes)


def test_spaces_file_gets_spaces_back_from_a_tabs_answer() -> None:
    answer = "```\n\tdef count(self):\n\t\treturn sum(1 for _ in self.items)\n```"
    assert parse_response(answer, CLASS_FILE, (5, 6)).new_text == COUNT_NEW


def test_several_blocks_pick_the_one_like_the_region_and_say_which() -> None:
    answer = (
        "Install first:\n```bash\npip install shop\n```\n"
        "Then:\n```python\n    def count(self):\n        return sum(1 for _ in self.items)\n```\n"
        "Use it:\n```python\nprint(Shop().count())\n```\n"
    )
    parsed = parse_response(answer, CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert any("block 2" in note for note in parsed.notes)


def test_a_block_that_repeats_the_original_loses_to_the_changed_one() -> None:
    original = "```python\n    def count(self):\n        return len(self.items)\n```"
    changed = "```python\n    def count(self):\n        return sum(1 for _ in self.items)\n```"
    parsed = parse_response(f"Before:\n{original}\nAfter:\n{changed}", CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW


def test_unfenced_prose_around_code_is_left_out() -> None:
    answer = "Sure, here is the method:\n\ndef count(self):\n    return sum(1 for _ in self.items)\n\nHope this helps!"
    parsed = parse_response(answer, CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert any("prose" in note for note in parsed.notes)


def test_the_line_before_the_region_repeated_by_the_model_is_dropped() -> None:
    answer = "```\n    def count(self):\n        return sum(1 for _ in self.items)\n```"
    parsed = parse_response(answer, CLASS_FILE, (6, 6))
    assert parsed.new_text == COUNT_NEW
    assert any("before the selection" in note for note in parsed.notes)


def test_a_lone_closing_brace_of_the_answer_is_kept() -> None:
    base = "fn f() {\n    let a = 1;\n}\n"
    parsed = parse_response("```rust\n    if a > 0 {\n        a += 1;\n    }\n```", base, (2, 2))
    assert parsed.new_text == "fn f() {\n    if a > 0 {\n        a += 1;\n    }\n}\n"


def test_a_whole_file_answer_for_a_region_is_used_as_the_file() -> None:
    parsed = parse_response(f"```python\n{COUNT_NEW}```", CLASS_FILE, (5, 6))
    assert parsed.new_text == COUNT_NEW
    assert parsed.method == METHOD_WHOLE_FILE


def test_blank_lines_at_the_region_edges_are_kept() -> None:
    parsed = parse_response("```\n    def count(self):\n        return 0\n```", CLASS_FILE, (4, 7))
    assert parsed.new_text == CLASS_FILE.replace("return len(self.items)", "return 0")


def test_a_file_without_final_newline_keeps_it_that_way() -> None:
    base = "a = 1\nb = 2"
    assert parse_response("```\nb = 3\n```\n\n", base, (2, 2)).new_text == "a = 1\nb = 3"
    assert parse_response("```\na = 1\nb = 3\n```\n", base).new_text == "a = 1\nb = 3"


def test_crlf_answer_against_a_file() -> None:
    answer = "Here:\r\n```python\r\n    def count(self):\r\n        return sum(1 for _ in self.items)\r\n```\r\n"
    assert parse_response(answer, CLASS_FILE, (5, 6)).new_text == COUNT_NEW


def test_an_empty_file_takes_the_answer() -> None:
    parsed = parse_response("```python\nprint('hi')\n```", "")
    assert parsed.new_text == "print('hi')\n"


LONG_FILE = (
    "import math\n\n\n"
    "def area(r):\n    return math.pi * r * r\n\n\n"
    "def perimeter(r):\n    return 2 * math.pi * r\n\n\n"
    "def describe(r):\n    a = area(r)\n    p = perimeter(r)\n    return f'{a:.2f} {p:.2f}'\n"
)


def test_a_fragment_without_region_replaces_the_matching_definition() -> None:
    parsed = parse_response("```python\ndef perimeter(r):\n    return math.tau * r\n```", LONG_FILE,
                            place_fragments=True)
    assert parsed.new_text == LONG_FILE.replace("2 * math.pi * r", "math.tau * r")
    assert parsed.method == METHOD_WHOLE_REGION
    assert any("only part of the file" in note and "8-9" in note for note in parsed.notes)


def test_a_fragment_with_a_new_comment_above_keeps_the_rest_of_the_file() -> None:
    answer = "```python\n# Circumference.\ndef perimeter(r):\n    return 2 * math.pi * r\n```"
    parsed = parse_response(answer, LONG_FILE, place_fragments=True)
    assert parsed.new_text == LONG_FILE.replace("def perimeter", "# Circumference.\ndef perimeter")


def test_a_fragment_whose_first_lines_are_not_unique_is_the_whole_file() -> None:
    base = LONG_FILE + "\n\ndef perimeter(r):\n    return 0\n"
    parsed = parse_response("```python\ndef perimeter(r):\n    return math.tau * r\n```", base,
                            place_fragments=True)
    assert parsed.method == METHOD_WHOLE_FILE
    assert parsed.new_text == "def perimeter(r):\n    return math.tau * r\n"


def test_without_fragment_placement_an_answer_without_lines_is_the_whole_file() -> None:
    # The apply-edit contract: no --lines, a whole-region answer is the whole new file.
    parsed = parse_response("```python\ndef perimeter(r):\n    return math.tau * r\n```", LONG_FILE)
    assert parsed.method == METHOD_WHOLE_FILE
    assert parsed.new_text == "def perimeter(r):\n    return math.tau * r\n"


def test_a_short_file_takes_a_short_answer_as_the_whole_file() -> None:
    parsed = parse_response("```python\ndef area(r):\n    return r\n```", "def area(r):\n    return 3 * r * r\n")
    assert parsed.method == METHOD_WHOLE_FILE


# --- SEARCH/REPLACE specifics -------------------------------------------------------------


def test_later_blocks_see_the_earlier_blocks_changes() -> None:
    answer = _search_block(["        return len(self.items)"], ["        return self.size()"]) + "\n\n" + _search_block(
        ["        return self.size()"], ["        return self.size() + 0"]
    )
    parsed = parse_response(answer, CLASS_FILE)
    assert "return self.size() + 0" in parsed.new_text
    assert parsed.notes[0].startswith("block 1 of 2")


def test_fuzzy_search_says_how_alike_it_was() -> None:
    answer = _search_block(
        ["    def count(self):", "        return len(self.item)", "", "    def empty(self):"],
        ["    def count(self):", "        return 0", "", "    def empty(self):"],
    )
    parsed = parse_response(answer, CLASS_FILE)
    assert parsed.method == METHOD_SEARCH_FUZZY
    assert "return 0" in parsed.new_text and "len(self.items)" not in parsed.new_text
    assert "% alike" in parsed.notes[0]


def test_missing_replace_marker_ends_at_the_fence() -> None:
    answer = "```\n<<<<<<< SEARCH\n        return not self.items\n=======\n        return len(self.items) == 0\n```\nBye."
    parsed = parse_response(answer, CLASS_FILE)
    assert parsed.new_text == CLASS_FILE.replace("return not self.items", "return len(self.items) == 0")


def test_region_is_ignored_by_search_replace_blocks() -> None:
    answer = _search_block(["        return not self.items"], ["        return False"])
    assert parse_response(answer, CLASS_FILE, (1, 2)).new_text.endswith("        return False\n")


# --- failure modes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n\n",
        "I'm sorry, but I cannot see any problem with this method. It already does what it should.",
        "The function is fine as it is.\nYou could rename it, but that is a matter of taste.",
        "```python\n```",
        "Here you go:\n```\n\n```\nDone.",
    ],
)
def test_answers_without_code_are_no_code(answer: str) -> None:
    with pytest.raises(NoUsableEdit) as caught:
        parse_response(answer, CLASS_FILE, (5, 6))
    assert caught.value.reason == "no-code"
    assert caught.value.hint.startswith("Ask again")


@pytest.mark.parametrize(
    ("answer", "region"),
    [
        ("```python\n    def count(self):\n        return len(self.items)\n```", (5, 6)),
        ("def count(self):\n    return len(self.items)\n", (5, 6)),
        (f"```\n{CLASS_FILE}```", None),
        (_search_block(["        return not self.items"], ["        return not self.items"]), None),
    ],
)
def test_answers_equal_to_the_original_are_unchanged(answer: str, region: tuple[int, int] | None) -> None:
    with pytest.raises(NoUsableEdit) as caught:
        parse_response(answer, CLASS_FILE, region)
    assert caught.value.reason == "unchanged"
    assert "same as the original" in caught.value.message


def test_a_search_that_matches_nowhere_names_the_block_and_the_closest_lines() -> None:
    good = _search_block(["        return not self.items"], ["        return False"])
    bad = _search_block(["    def total(self):", "        return sum(self.items)"], ["    pass"])
    with pytest.raises(NoUsableEdit) as caught:
        parse_response(good + "\n" + bad, CLASS_FILE)
    error = caught.value
    assert error.reason == "search-not-found"
    assert "block 2 of 2" in error.message and "def total(self):" in error.message
    assert error.closest and all(line in CLASS_FILE.split("\n") for line in error.closest)
    assert error.hint.startswith("Ask again")


@pytest.mark.parametrize("region", [(0, 2), (3, 2), (5, 99)])
def test_a_region_outside_the_file_is_an_error(region: tuple[int, int]) -> None:
    with pytest.raises(EditError, match="not in the file"):
        parse_response("```\nx = 1\n```", CLASS_FILE, region)


# --- the corpus quality gate -------------------------------------------------------------


@pytest.mark.parametrize("directory", [CORPUS_DIR, HELDOUT_DIR, FRESH_DIR, FINAL_DIR],
                         ids=["corpus", "heldout", "fresh", "final"])
def test_the_response_corpus_applies_at_least_95_percent(directory) -> None:
    cases = corpus_cases(directory)
    assert len(cases) >= 30
    results = run_corpus(cases)
    failures = [f"{r.name}: {r.detail}" for r in results if not r.passed]
    assert success_share(results) >= 0.95, failures


# --- what small models wrap around or add to the code -------------------------------------

CART_FILE = (
    "class Cart:\n"
    "    def total(self, items):\n"
    "        result = 0\n"
    "        for item in items:\n"
    "            result += item.price\n"
    "        return result\n"
)


def test_codellama_tags_are_read_as_a_fence() -> None:
    answer = "[PYTHON]\ndef total(self, items):\n    return sum(i.price for i in items)\n[/PYTHON]\nShorter now."
    parsed = parse_response(answer, CART_FILE, (2, 6))
    assert parsed.new_text == "class Cart:\n    def total(self, items):\n        return sum(i.price for i in items)\n"


def test_html_code_tags_are_read_as_a_fence() -> None:
    answer = "Here:\n<code>\n    def total(self, items):\n        return 0\n</code>"
    parsed = parse_response(answer, CART_FILE, (2, 6))
    assert parsed.new_text == "class Cart:\n    def total(self, items):\n        return 0\n"


def test_a_php_open_tag_added_to_a_snippet_is_left_out() -> None:
    base = "<?php\nclass A\n{\n    public function f()\n    {\n        return 1;\n    }\n}\n"
    answer = "```php\n<?php\n\n    public function f()\n    {\n        return 2;\n    }\n```"
    parsed = parse_response(answer, base, (4, 7))
    assert parsed.new_text == base.replace("return 1;", "return 2;")
    assert any("<?php" in note for note in parsed.notes)


def test_an_example_appended_after_the_code_is_left_out() -> None:
    base = "import math\n\n\ndef area(r):\n    return 3.14 * r * r\n"
    answer = "```python\ndef area(r):\n    return math.pi * r * r\n\n# Example usage\nprint(area(2))\n```"
    parsed = parse_response(answer, base, (4, 5))
    assert parsed.new_text == "import math\n\n\ndef area(r):\n    return math.pi * r * r\n"
    assert any("example" in note for note in parsed.notes)


def test_a_main_block_that_was_already_in_the_file_is_kept() -> None:
    base = "def main():\n    print(1)\n\n\nif __name__ == \"__main__\":\n    main()\n"
    answer = "```python\ndef main():\n    print(2)\n\n\nif __name__ == \"__main__\":\n    main()\n```"
    parsed = parse_response(answer, base)
    assert parsed.new_text == base.replace("print(1)", "print(2)")


@pytest.mark.parametrize("elision", [
    "    # ... existing code ...",
    "    // ...",
    "    # rest of the function unchanged",
    "    …",
])
def test_an_answer_that_elides_code_is_refused_rather_than_deleting_it(elision: str) -> None:
    answer = f"```python\ndef total(self, items):\n{elision}\n        return result\n```"
    with pytest.raises(NoUsableEdit) as caught:
        parse_response(answer, CART_FILE, (2, 6))
    assert caught.value.reason == "no-code"
    assert "leaves code out" in caught.value.message


def test_ordinary_comments_and_comments_already_in_the_file_are_not_elisions() -> None:
    base = "def f(xs):\n    # ... keep this note ...\n    return xs\n"
    answer = "```python\ndef f(xs):\n    # ... keep this note ...\n    # skip existing entries; keep the cache unchanged\n    return list(xs)\n```"
    parsed = parse_response(answer, base, (1, 3))
    assert "return list(xs)" in parsed.new_text


@pytest.mark.parametrize(("file_unit", "answer_unit"), [("    ", "  "), ("  ", "    ")])
def test_an_answer_nested_by_another_width_gets_the_files_width(file_unit: str, answer_unit: str) -> None:
    u = file_unit
    base = f"class A:\n{u}def f(self, xs):\n{u}{u}for x in xs:\n{u}{u}{u}print(x)\n{u}{u}return xs\n"
    a = answer_unit
    answer = f"```python\ndef f(self, xs):\n{a}for x in xs:\n{a}{a}if x:\n{a}{a}{a}print(x)\n{a}return xs\n```"
    parsed = parse_response(answer, base, (2, 5))
    assert parsed.new_text == (f"class A:\n{u}def f(self, xs):\n{u}{u}for x in xs:\n{u}{u}{u}if x:\n"
                               f"{u}{u}{u}{u}print(x)\n{u}{u}return xs\n")


def test_an_answer_repeating_the_enclosing_class_replaces_only_that_class() -> None:
    base = ("interface Item {\n  id: number;\n}\n\nclass Store {\n  items: Item[] = [];\n\n"
            "  size(): number {\n    return this.items.length;\n  }\n}\n")
    answer = ("```ts\nclass Store {\n  items: Item[] = [];\n\n  size(): number {\n"
              "    return this.items.filter(Boolean).length;\n  }\n}\n```")
    parsed = parse_response(answer, base, (8, 10))
    assert parsed.new_text == base.replace("this.items.length", "this.items.filter(Boolean).length")
    assert parsed.method == METHOD_WHOLE_REGION


def test_an_answer_repeating_most_of_the_file_but_not_its_top_keeps_the_top() -> None:
    head = "import { x } from './x';\n\ninterface Item {\n  id: number;\n}\n\n"
    body = "".join(f"  m{i}(): number {{\n    return {i};\n  }}\n\n" for i in range(4))
    base = head + "class Store {\n" + body + "}\n"
    answer = "```ts\nclass Store {\n" + body.replace("return 2;", "return 20;") + "}\n```"
    parsed = parse_response(answer, base, (16, 18))
    assert parsed.new_text == base.replace("return 2;", "return 20;")
    assert any("around the selection" in note for note in parsed.notes)


def test_a_closing_brace_just_below_the_selection_is_not_doubled() -> None:
    base = "func f() int {\n\tx := 1\n\treturn x\n}\n"
    answer = "```go\nfunc f() int {\n\tx := 2\n\treturn x\n}\n```"
    parsed = parse_response(answer, base, (1, 3))
    assert parsed.new_text == base.replace("x := 1", "x := 2")


def test_a_ruby_method_whose_first_line_lost_its_indent_keeps_the_rest() -> None:
    base = "class A\n  def total\n    @x.sum\n  end\nend\n"
    answer = "```ruby\ndef total\n    @x.sum(0)\n  end\n```"
    parsed = parse_response(answer, base, (2, 4))
    assert parsed.new_text == base.replace("@x.sum", "@x.sum(0)")


def test_a_one_line_answer_in_an_inline_code_span_loses_the_backticks() -> None:
    parsed = parse_response("`TIMEOUT = 30`", "import os\n\nTIMEOUT = 10\n", (3, 3))
    assert parsed.new_text == "import os\n\nTIMEOUT = 30\n"


def test_chat_template_tokens_stuck_to_the_closing_fence_are_dropped() -> None:
    parsed = parse_response("```python\nTIMEOUT = 30\n```<|im_end|>", "import os\n\nTIMEOUT = 10\n", (3, 3))
    assert parsed.new_text == "import os\n\nTIMEOUT = 30\n"
    assert not any("no closing fence" in note for note in parsed.notes)


def test_a_labelled_inline_span_is_the_new_single_line() -> None:
    parsed = parse_response("Updated line: `TIMEOUT = 30`", "import os\n\nTIMEOUT = 10\n", (3, 3))
    assert parsed.new_text == "import os\n\nTIMEOUT = 30\n"
