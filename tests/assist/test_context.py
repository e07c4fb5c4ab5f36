"""Packing code into a chat turn: budget, trimming, calibration, selection first.

A real project in tmp_path is indexed with the real indexer; plans are built over the
real SQLite index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.assist.context import (
    ChatFocus,
    ContextPlan,
    ContextTooSmall,
    TokenCalibration,
    TokenEstimator,
    plan_turn,
    prompt_budget,
    raw_prompt_tokens,
)
from desktop.core.chat import ChatMessage
from desktop.core.paths import HearthPaths
from desktop.index.indexer import ensure_index
from desktop.index.retrieval import SearchIndex
from desktop.index.store import index_db_path

SYSTEM = "You are Hearth. " * 20

HTTP_SOURCE = '''"""Reading HTTP responses."""


def parse_http_response(data):
    """Split a raw HTTP response into status line, headers and body."""
    head, _, body = data.partition(b"\\r\\n\\r\\n")
    lines = head.split(b"\\r\\n")
    status = lines[0].decode("ascii")
    headers = dict(line.decode("latin-1").split(": ", 1) for line in lines[1:])
    return status, headers, body


def read_chunked(stream):
    """Join the pieces of a chunked transfer encoding."""
    parts = []
    while True:
        size = int(stream.readline(), 16)
        if size == 0:
            return b"".join(parts)
        parts.append(stream.read(size))
        stream.read(2)
'''


def _filler(name: str, lines: int) -> str:
    body = "\n".join(f"    total += value * {i}  # step {i} of the {name} computation" for i in range(lines))
    return f"def {name}(value):\n    total = 0\n{body}\n    return total\n\n\n"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, SearchIndex]:
    """A small project with an index; shared by the module (read-only use)."""
    base = tmp_path_factory.mktemp("context")
    root = base / "project"
    (root / "net").mkdir(parents=True)
    (root / "net" / "http.py").write_text(HTTP_SOURCE, encoding="utf-8")
    (root / "math_stuff.py").write_text("".join(_filler(f"compute_{n}", 30) for n in range(12)), encoding="utf-8")
    (root / "app.py").write_text(
        "from net.http import parse_http_response\n\n\ndef main(raw):\n"
        "    status, headers, body = parse_http_response(raw)\n    return status\n",
        encoding="utf-8",
    )
    (root / ".env").write_text("API_KEY=very-secret-value\n", encoding="utf-8")
    paths = HearthPaths.under(base / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    yield root, index
    index.close()


def _history(turns: int, size: int) -> list[ChatMessage]:
    messages = []
    for n in range(turns):
        messages.append(ChatMessage("user", f"question {n}: " + "why " * size))
        messages.append(ChatMessage("assistant", f"answer {n}: " + "because " * size))
    return messages


def test_budget_is_num_ctx_minus_room_for_the_answer():
    assert prompt_budget(8192) == 8192 - 2048
    assert prompt_budget(4096) == 4096 - 1024
    assert prompt_budget(2048) == 1024
    # a small window keeps half for the prompt instead of giving all of it to the answer
    assert prompt_budget(1280) == 640
    assert prompt_budget(1024) == 512
    assert prompt_budget(512) == 256


@pytest.mark.parametrize("factor", [0.8, 1.0, 1.7])
def test_budget_is_never_exceeded_across_sizes(indexed, factor):
    root, index = indexed
    estimator = TokenEstimator(factor)
    focus = ChatFocus("math_stuff.py", cursor_line=40)
    for num_ctx in range(1300, 20000, 1100):
        for turns, size in ((0, 0), (3, 40), (12, 300)):
            plan = plan_turn("How is an HTTP response parsed into headers?", _history(turns, size), num_ctx,
                             SYSTEM, estimator=estimator, index=index, project_root=root, focus=focus)
            assert plan.used_tokens <= plan.budget_tokens == prompt_budget(num_ctx)
            # used_tokens is the estimate of exactly what is sent
            assert plan.used_tokens == estimator.message_tokens(plan.messages)
            assert plan.messages[0].content == SYSTEM
            assert plan.messages[-1].content.endswith("How is an HTTP response parsed into headers?")
            assert sum(item.tokens for item in plan.items) <= plan.used_tokens


def test_retrieved_code_of_the_right_function_is_sent(indexed):
    root, index = indexed
    plan = plan_turn("how are the headers of an http response split", [], 8192, SYSTEM,
                     index=index, project_root=root)
    retrieved = [item for item in plan.items if item.source == "retrieved"]
    assert retrieved and retrieved[0].path == "net/http.py"
    assert any(item.symbol == "parse_http_response" for item in retrieved)
    last = plan.messages[-1].content
    assert 'head, _, body = data.partition(b"\\r\\n\\r\\n")' in last
    assert "net/http.py lines" in last
    assert "```python\n" in last  # fenced with the file's Markdown language tag
    assert not plan.listing and plan.trimmed_turns == 0


def test_repo_map_fills_remaining_room(indexed):
    root, index = indexed
    plan = plan_turn("what does main do", [], 16384, SYSTEM, index=index, project_root=root)
    maps = [item for item in plan.items if item.source == "map"]
    assert len(maps) == 1 and maps[0].path == "" and maps[0].tokens > 0
    assert plan.items[-1] is maps[0]  # the map comes last
    assert "Outline of the project" in plan.messages[-1].content


def test_earlier_turns_are_trimmed_oldest_first(indexed):
    root, index = indexed
    history = _history(10, 120)
    plan = plan_turn("And what does read_chunked return?", history, 4096, SYSTEM,
                     index=index, project_root=root)
    sent_history = list(plan.messages[1:-1])
    kept_turns = len(sent_history) // 2
    assert 0 < kept_turns < 10
    assert plan.trimmed_turns == 10 - kept_turns
    assert sent_history == history[len(history) - len(sent_history):]  # the newest ones, in order
    assert plan.messages[0].content == SYSTEM and plan.messages[-1].role == "user"
    assert "earlier turns left out" in plan.summary()


def test_no_trimming_when_everything_fits(indexed):
    root, index = indexed
    history = _history(2, 5)
    plan = plan_turn("and then?", history, 8192, SYSTEM, index=index, project_root=root)
    assert list(plan.messages[1:-1]) == history and plan.trimmed_turns == 0
    assert plan.summary() == f"{plan.used_tokens:,} of {plan.budget_tokens:,} tokens"


def test_question_that_cannot_fit_is_a_clear_error(indexed):
    root, index = indexed
    with pytest.raises(ContextTooSmall) as caught:
        plan_turn("explain " * 2000, [], 2048, SYSTEM, index=index, project_root=root)
    assert "does not fit" in caught.value.message and "context length" in caught.value.hint


def test_selection_comes_first(indexed):
    root, index = indexed
    selection = "    head, _, body = data.partition(b\"\\r\\n\\r\\n\")\n    lines = head.split(b\"\\r\\n\")"
    focus = ChatFocus("net/http.py", selection=selection, selection_lines=(6, 7))
    plan = plan_turn("why split on CRLF here?", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
    first = plan.items[0]
    assert (first.source, first.path, first.start_line, first.end_line) == ("selection", "net/http.py", 6, 7)
    assert first.symbol == "parse_http_response"
    last = plan.messages[-1].content
    assert last.index("Selected code: net/http.py lines 6-7") < last.index("Question:")
    assert all(item.source != "retrieved" or item.path != "net/http.py" or item.end_line < 6
               or item.start_line > 7 for item in plan.items[1:])  # not sent twice


def test_selection_already_in_the_question_is_not_repeated(indexed):
    root, index = indexed
    selection = "status = lines[0].decode(\"ascii\")"
    focus = ChatFocus("net/http.py", selection=selection, selection_lines=(8, 8))
    plan = plan_turn(f"what does this do?\n{selection}", [], 8192, SYSTEM, index=index,
                     project_root=root, focus=focus)
    assert all(item.source != "selection" for item in plan.items)
    # Nor does retrieval send the function around those lines back a second time.
    assert not any(item.path == "net/http.py" and item.start_line <= 8 <= item.end_line for item in plan.items)


def test_symbol_at_the_cursor_is_sent_without_a_selection(indexed):
    root, index = indexed
    focus = ChatFocus("net/http.py", cursor_line=17)
    plan = plan_turn("what does this loop do", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
    first = plan.items[0]
    assert (first.source, first.symbol, first.kind) == ("selection", "read_chunked", "function")
    assert "size = int(stream.readline(), 16)" in plan.messages[-1].content


def test_secret_file_is_never_sent(indexed):
    root, index = indexed
    focus = ChatFocus(".env", selection="API_KEY=very-secret-value", selection_lines=(1, 1), cursor_line=1)
    plan = plan_turn("what is the api key", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
    assert all(item.path != ".env" for item in plan.items)
    assert "very-secret-value" not in "".join(m.content for m in plan.messages)


def test_no_line_of_a_file_holding_a_private_key_is_sent(tmp_path):
    # The index leaves the file out, but the user can open it and select its lines.
    root = tmp_path / "project"
    (root / "deploy").mkdir(parents=True)
    key_lines = ["-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE", "-----END OPENSSH PRIVATE KEY-----"]
    source = "\n".join(["def deploy_key():", '    return """' + key_lines[0]] + key_lines[1:] + ['"""', ""])
    (root / "deploy" / "settings.py").write_text(source, encoding="utf-8")
    (root / "app.py").write_text("def main():\n    return 1\n", encoding="utf-8")
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    try:
        focuses = [
            ChatFocus("deploy/settings.py", selection="def deploy_key():", selection_lines=(1, 1)),  # the key is elsewhere
            ChatFocus("deploy/settings.py", cursor_line=3),
            ChatFocus("app.py", selection="\n".join(key_lines), selection_lines=(1, 2)),  # pasted over, not yet saved
        ]
        plans = [plan_turn("what does this do", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
                 for focus in focuses]
    finally:
        index.close()
    for plan in plans:
        sent = "".join(m.content for m in plan.messages)
        assert "b3BlbnNzaC1rZXkt" not in sent and "deploy_key" not in sent
        assert all(item.source != "selection" for item in plan.items)


def test_a_file_reached_through_a_link_to_a_secret_or_out_of_the_project_is_never_sent(indexed, tmp_path):
    import os

    root, index = indexed
    outside = tmp_path / "home" / "credentials"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text("aws_secret_access_key = very-secret-value\n")
    os.symlink(outside, root / "config.ini")  # an innocent name, out of the project
    os.symlink(root / ".env", root / "settings.txt")  # an innocent name for a secret
    (root / "linked").symlink_to(outside.parent, target_is_directory=True)
    for path in ("config.ini", "settings.txt", "linked/credentials"):
        focus = ChatFocus(path, selection="aws_secret_access_key = very-secret-value", selection_lines=(1, 1), cursor_line=1)
        plan = plan_turn("what is in this file", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
        assert all(item.path != path for item in plan.items), path
        assert "very-secret-value" not in "".join(m.content for m in plan.messages), path


def test_a_retrieved_chunk_whose_path_now_leads_to_a_secret_is_not_sent(tmp_path):
    import os
    import shutil

    root = tmp_path / "project"
    (root / "auth").mkdir(parents=True)
    (root / "auth" / "config.json").write_text('{"registry": "images.example.com", "login": "image registry login"}\n')
    (root / "tools" / ".docker").mkdir(parents=True)
    (root / "tools" / ".docker" / "config.json").write_text('{"auths": {"r": {"auth": "c2VjcmV0"}}}\n')
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    shutil.rmtree(root / "auth")  # swapped for a link to the secret before the index caught up
    os.symlink(root / "tools" / ".docker", root / "auth")
    index = SearchIndex.open(index_db_path(paths, root.resolve()))
    try:
        plan = plan_turn("which image registry login is configured", [], 8192, SYSTEM, index=index, project_root=root)
    finally:
        index.close()
    assert all(item.path != "auth/config.json" for item in plan.items)


def test_selection_larger_than_its_share_is_cut_at_a_line(indexed):
    root, index = indexed
    text = (root / "math_stuff.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    focus = ChatFocus("math_stuff.py", selection=text, selection_lines=(1, len(lines)))
    plan = plan_turn("summarise", [], 2048, SYSTEM, index=index, project_root=root, focus=focus)
    first = plan.items[0]
    assert first.source == "selection" and first.start_line == 1 and first.end_line < len(lines)
    sent = plan.messages[-1].content
    assert lines[first.end_line - 1] + "\n```" in sent  # ends on a whole line
    assert plan.used_tokens <= plan.budget_tokens


def test_a_dot_m_file_is_fenced_as_the_language_the_index_read_it_in(tmp_path):
    # .m is Objective-C or MATLAB; only the file's text tells, and a chunk rarely holds
    # the #import that does: the fence takes the indexer's verdict.
    root = tmp_path / "project"
    root.mkdir()
    (root / "Meter.m").write_text(
        '#import "Meter.h"\n\n@implementation Meter\n\n'
        "- (double)kilometresFromMiles:(double)miles {\n    return miles * 1.609344;\n}\n\n@end\n",
        encoding="utf-8",
    )
    (root / "furlongs.m").write_text(
        "function k = furlongs(miles)\n  % convert miles to furlongs\n  k = miles * 8;\nend\n", encoding="utf-8"
    )
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    try:
        plan = plan_turn("convert miles", [], 8192, SYSTEM, index=index, project_root=root)
    finally:
        index.close()
    last = plan.messages[-1].content
    assert {item.path for item in plan.items if item.source == "retrieved"} == {"Meter.m", "furlongs.m"}
    assert "```objectivec\n@implementation Meter" in last
    assert "```\nfunction k = furlongs(miles)" in last


def test_without_index_only_system_history_and_question(tmp_path):
    plan = plan_turn("hello", _history(1, 3), 4096, SYSTEM + "\nfile listing")
    assert plan.items == () and plan.listing
    assert [m.role for m in plan.messages] == ["system", "user", "assistant", "user"]
    assert plan.messages[-1].content == "hello"


def test_plan_round_trips_through_json(indexed):
    root, index = indexed
    plan = plan_turn("parse http response", _history(1, 2), 8192, SYSTEM, index=index, project_root=root)
    again = ContextPlan.from_json(plan.to_json())
    assert again == plan  # messages are not part of the record or of equality
    assert again.messages == ()
    with pytest.raises(ValueError):
        ContextPlan.from_json('{"items": 5}')


# --- calibration ---------------------------------------------------------------------------


def test_calibration_learns_whole_prompt_counts_and_persists(tmp_path):
    path = tmp_path / "data" / "token_calibration.json"
    calibration = TokenCalibration(path)
    assert calibration.estimator("m").factor == 1.0
    assert calibration.observe("m", raw_tokens=1000, prompt_eval_count=1300, num_ctx=8192)
    assert calibration.estimator("m").factor == pytest.approx(1.3 * 1.05)
    assert calibration.estimator("other").factor == 1.0  # per model
    reopened = TokenCalibration(path)
    assert reopened.estimator("m").factor == pytest.approx(1.3 * 1.05)
    assert json.loads(path.read_text())["models"]["m"] == [1.3]


def test_calibration_ignores_cached_prefix_counts(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    assert calibration.observe("m", 2000, 1700)  # the whole prompt was counted
    # a follow-up whose prefix the server had cached: only the new tail was counted
    assert not calibration.observe("m", 2400, 300)
    assert calibration.estimator("m").factor == pytest.approx(0.85 * 1.05)


def test_calibration_ignores_small_cut_and_absurd_counts(tmp_path):
    path = tmp_path / "cal.json"
    calibration = TokenCalibration(path)
    assert not calibration.observe("m", 20, 30)  # too small to say anything
    assert not calibration.observe("m", 9000, 4096, num_ctx=4096)  # the server cut the prompt
    assert not calibration.observe("m", 1000, 0)
    assert not calibration.observe("m", 1000, 9000)
    assert "m" not in json.loads(path.read_text())["models"]  # the file records only the sends
    assert calibration.estimator("m").factor == 1.0


def test_calibration_file_that_is_unreadable_is_ignored(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text("{not json", encoding="utf-8")
    assert TokenCalibration(path).estimator("m").factor == 1.0
    path.write_text('{"models": {"m": "oops"}}', encoding="utf-8")
    assert TokenCalibration(path).estimator("m").factor == 1.0


def test_factor_is_clamped(tmp_path):
    calibration = TokenCalibration(tmp_path / "cal.json")
    calibration.observe("m", 1000, 2900)
    assert calibration.estimator("m").factor == 2.5


def test_raw_prompt_tokens_counts_overhead():
    messages = [ChatMessage("system", "x" * 32), ChatMessage("user", "y" * 64)]
    assert raw_prompt_tokens(messages) == 10 + 8 + 20 + 8


@pytest.mark.parametrize("line_end", ["\r", "\r\n"])
def test_the_symbol_at_the_cursor_of_a_file_with_other_line_ends_is_sent_whole(tmp_path, line_end):
    root = tmp_path / "project"
    root.mkdir()
    source = "\f\ndef alpha(x):\n    return x + 1\n\n\ndef beta(y):\n    return y * 2\n"
    (root / "old.py").write_bytes(source.replace("\n", line_end).encode("utf-8"))
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    try:
        focus = ChatFocus("old.py", cursor_line=7)
        plan = plan_turn("what does this do", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
    finally:
        index.close()
    first = plan.items[0]
    assert (first.source, first.symbol, first.start_line, first.end_line) == ("selection", "beta", 6, 7)
    assert "def beta(y):\n    return y * 2\n```" in plan.messages[-1].content
    assert "\r" not in plan.messages[-1].content


# --- the file in focus is read once -------------------------------------------------------

KEY_LINES = ("-----BEGIN OPENSSH PRIVATE KEY-----", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE",
             "-----END OPENSSH PRIVATE KEY-----")
CLEAN_DEPLOY = 'def deploy_key():\n    return """\nkey goes here\nnot yet\nnot yet\n"""\n'
KEYED_DEPLOY = 'def deploy_key():\n    return """\n' + "\n".join(KEY_LINES) + '\n"""\n'


@pytest.fixture
def deploy_project(tmp_path) -> tuple[Path, SearchIndex]:
    """A project whose ``deploy.py`` holds no key yet, indexed."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "deploy.py").write_text(CLEAN_DEPLOY, encoding="utf-8")
    paths = HearthPaths.under(tmp_path / "home")
    ensure_index(root, paths)
    index = SearchIndex.open(index_db_path(paths, root))
    yield root, index
    index.close()


def test_the_key_check_and_the_lines_at_the_cursor_come_from_one_read(deploy_project):
    from tests.fakes.opens import watch_opens

    # A key written into the file after its first read must not reach the prompt through
    # a second one: the lines sent are the lines checked.
    root, index = deploy_project
    with watch_opens(root / "deploy.py", later=KEYED_DEPLOY.encode()) as watch:
        plan = plan_turn("what does this return", [], 8192, SYSTEM, index=index, project_root=root,
                         focus=ChatFocus("deploy.py", cursor_line=2))
    sent = plan.messages[-1].content
    assert KEY_LINES[1][:16] not in sent
    assert "Code at the cursor: deploy.py lines 1-6" in sent and "key goes here" in sent
    assert watch.opens == 1


def test_a_key_in_the_file_withholds_the_lines_at_the_cursor(deploy_project):
    root, index = deploy_project
    (root / "deploy.py").write_text(KEYED_DEPLOY, encoding="utf-8")  # the index still has it clean
    plan = plan_turn("what does this return", [], 8192, SYSTEM, index=index, project_root=root,
                     focus=ChatFocus("deploy.py", cursor_line=2))
    assert KEY_LINES[1][:16] not in plan.messages[-1].content
    assert all(item.source != "selection" for item in plan.items)


@pytest.mark.parametrize(("data", "sent"), [
    (b"\x00\x01\x02 not text " * 50, True),  # binary: the selection still goes, as before
    (b"\x00\x01\x02 " * 50 + "\n".join(KEY_LINES).encode() + b"\n", False),  # binary, a key inside
])
def test_a_selection_in_a_file_that_is_not_text_goes_unless_its_bytes_hold_a_key(deploy_project, data, sent):
    root, index = deploy_project
    (root / "blob.bin").write_bytes(data)
    focus = ChatFocus("blob.bin", selection="def deploy_key():", selection_lines=(1, 1))
    plan = plan_turn("what is this", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
    assert any(item.source == "selection" for item in plan.items) is sent


def test_crlf_lines_at_the_cursor_are_normalised_once(deploy_project, monkeypatch):
    from desktop.index import files

    root, index = deploy_project
    (root / "deploy.py").write_bytes(CLEAN_DEPLOY.replace("\n", "\r\n").encode())
    normalised: list[int] = []
    real = files.normalize_newlines

    def counting(text: str) -> str:
        if "\r" in text:
            normalised.append(len(text))
        return real(text)

    monkeypatch.setattr(files, "normalize_newlines", counting)
    plan = plan_turn("what does this return", [], 8192, SYSTEM, index=index, project_root=root,
                     focus=ChatFocus("deploy.py", cursor_line=2))
    sent = plan.messages[-1].content
    assert "Code at the cursor: deploy.py lines 1-6" in sent and "key goes here\nnot yet" in sent
    assert "\r" not in sent
    assert len(normalised) == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_key_in_a_utf16_file_withholds_its_lines(deploy_project, encoding):
    # Read as text, such a file shows its key; its bytes spell it between NULs.
    root, index = deploy_project
    (root / "deploy.py").write_text(KEYED_DEPLOY, encoding=encoding)
    for focus in (ChatFocus("deploy.py", cursor_line=2),
                  ChatFocus("deploy.py", selection="def deploy_key():", selection_lines=(1, 1))):
        plan = plan_turn("what does this return", [], 8192, SYSTEM, index=index, project_root=root, focus=focus)
        assert KEY_LINES[1][:16] not in plan.messages[-1].content
        assert all(item.source != "selection" for item in plan.items)
