"""What a chat turn sends: code from the index packed into the model's context window.

Ollama silently cuts a prompt longer than ``num_ctx`` (it keeps the end), so every
request is planned against a budget: ``num_ctx`` minus room for the answer. The system
prompt and the current question always go; earlier turns are dropped oldest-first when
they do not fit (and the plan says how many); the rest of the budget holds, in order,
the selected code (or the symbol under the cursor), the best retrieved chunks, and an
outline of the project (the repo map).

Retrieved code travels with the *last* user message, not in the system prompt, so the
system prompt and earlier turns form a prefix the server can reuse from its cache.

Token counts are estimated conservatively (``tokens.estimate_tokens``) and scaled per
model by a factor learnt from the ``prompt_eval_count`` the server reports. A server
that reused the cached start of an earlier prompt counts just the rest: such a count
can raise the factor but never lower it (see ``TokenCalibration``).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from desktop.core.chat import ChatMessage
from desktop.core.errors import HearthError
from desktop.core.settings import atomic_write_text
from desktop.index.tokens import estimate_tokens

if TYPE_CHECKING:  # loaded on first use: the conversation store imports this module at start-up
    from desktop.index.retrieval import Hit, SearchIndex

log = logging.getLogger(__name__)

MESSAGE_OVERHEAD = 8  # role markers and separators a chat template adds per message
MIN_ANSWER_TOKENS = 1024
ANSWER_SHARE = 0.25
CONTEXT_STEP = 1024  # suggested context lengths are multiples of this
HISTORY_SHARE = 0.5  # history may take this much of what is left before code is packed
SELECTION_SHARE = 0.5
MAP_SHARE = 0.2
MAP_MAX_TOKENS = 1024
RETRIEVE_K = 8
MIN_ITEM_TOKENS = 48  # a chunk cut shorter than this is not worth sending

CALIBRATION_FILE = "token_calibration.json"
CALIBRATION_VERSION = 2  # 2: the file also records the requests sent (model, host, num_ctx)
CALIBRATION_SAMPLES = 8
CALIBRATION_MARGIN = 1.05
MIN_SAMPLE_TOKENS = 64
CACHED_PREFIX_RATIO = 0.5  # counts below half the estimate cannot cover the whole prompt
MAX_PLAUSIBLE_RATIO = 3.0
MIN_FACTOR, MAX_FACTOR = 0.6, 2.5
SENT_RECORDS = 16  # per model
UNKNOWN_HOST = ""
ANY_CONTEXT = 0
ANY_MODEL = "*"  # sends recorded here count for every model
ANYWHERE = (UNKNOWN_HOST, ANY_CONTEXT)

SOURCES = ("selection", "retrieved", "map")


class ContextTooSmall(HearthError):
    """The system prompt and the question alone do not fit the model's context."""


@dataclass(frozen=True)
class ChatFocus:
    """What the user is looking at when asking: the file, the selection, the cursor.

    ``current_file`` is relative to the project root, ``/``-separated; lines are 1-based.
    """

    current_file: str | None = None
    selection: str = ""
    selection_lines: tuple[int, int] | None = None
    cursor_line: int | None = None


@dataclass(frozen=True)
class ContextItem:
    """One piece of code sent with a question. The map item has no path or lines."""

    path: str
    start_line: int
    end_line: int
    symbol: str | None
    kind: str
    tokens: int
    source: str  # "selection" | "retrieved" | "map"


@dataclass(frozen=True)
class ContextPlan:
    """A planned request: the messages to send and what they carry.

    ``used_tokens`` estimates the whole prompt (every message) and is never above
    ``budget_tokens`` = ``num_ctx`` minus the room kept for the answer.
    ``raw_tokens`` is the same estimate before per-model calibration.
    """

    items: tuple[ContextItem, ...]
    used_tokens: int
    budget_tokens: int
    trimmed_turns: int
    num_ctx: int = 0
    listing: bool = False  # True: no index yet, a file listing was sent instead
    raw_tokens: int = 0
    messages: tuple[ChatMessage, ...] = field(default=(), compare=False)

    def summary(self) -> str:
        """"3,120 of 6,000 tokens" (and the trimmed turns), for the line under an answer."""
        text = f"{self.used_tokens:,} of {self.budget_tokens:,} tokens"
        if self.trimmed_turns:
            turns = "turn" if self.trimmed_turns == 1 else "turns"
            text += f" · {self.trimmed_turns} earlier {turns} left out to fit"
        return text

    def to_json(self) -> str:
        """What was sent, for the conversation record (the messages are left out)."""
        return json.dumps({
            "items": [item.__dict__ for item in self.items],
            "used_tokens": self.used_tokens,
            "budget_tokens": self.budget_tokens,
            "trimmed_turns": self.trimmed_turns,
            "num_ctx": self.num_ctx,
            "listing": self.listing,
            "raw_tokens": self.raw_tokens,
        })

    @classmethod
    def from_json(cls, text: str) -> "ContextPlan":
        """A recorded plan (without messages); raises ValueError when unreadable."""
        try:
            data = json.loads(text)
            items = tuple(ContextItem(**item) for item in data.get("items", ()))
            return cls(items, int(data["used_tokens"]), int(data["budget_tokens"]),
                       int(data.get("trimmed_turns", 0)), int(data.get("num_ctx", 0)),
                       bool(data.get("listing", False)), int(data.get("raw_tokens", 0)))
        except (TypeError, KeyError, AttributeError) as exc:
            raise ValueError(f"not a context record: {exc}") from None


# --- token estimates ---------------------------------------------------------------------


@dataclass(frozen=True)
class TokenEstimator:
    """``estimate_tokens`` scaled by a per-model factor (1.0 until calibrated)."""

    factor: float = 1.0

    def tokens(self, text: str) -> int:
        """Tokens ``text`` takes at most, by this model's calibrated estimate."""
        return math.ceil(estimate_tokens(text) * self.factor)

    def message_tokens(self, messages: Iterable[ChatMessage]) -> int:
        """Tokens a list of messages takes, template overhead included."""
        return sum(self.tokens(m.content) + MESSAGE_OVERHEAD for m in messages)


def raw_prompt_tokens(messages: Iterable[ChatMessage]) -> int:
    """The uncalibrated estimate of a prompt, the base that calibration scales."""
    return TokenEstimator(1.0).message_tokens(messages)


Record = tuple[int, bool]  # (sequence number of the send, answered)
Records = dict[tuple[str, int], Record]  # (host, num_ctx) -> the latest send there


@dataclass(frozen=True)
class SentPrompt:
    """A request on its way to the server, as the calibration recorded it.

    ``whole`` is False when the server may still hold an earlier Hearth prompt to this
    model at this context size: it would reuse their shared start (at least the system
    prompt) and count only the rest, so the count cannot lower the factor.
    """

    model: str
    host: str
    num_ctx: int
    seq: int
    whole: bool


@dataclass(frozen=True)
class _Saved:
    """What the calibration file holds: ratios and sends per model, the last sequence number."""

    ratios: dict[str, list[float]]
    sent: dict[str, Records]
    seq: int


class TokenCalibration:
    """Per-model estimate factors learnt from the server's prompt counts, kept in a JSON file.

    Ollama reuses the cached start of an earlier prompt and counts only the rest. So a
    count lowers a model's factor only when it is known to cover the whole prompt, which
    the file's record of the requests Hearth sent tells (``_may_be_cached``); any count
    may raise it, as part of a prompt never takes more tokens than the whole. Every
    Hearth process shares the file: another's changes are read before each use.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ratios: dict[str, list[float]] = {}
        self._sent: dict[str, Records] = {}
        self._seq = 0
        self._stamp: tuple[int, int, int] | None = None
        with self._lock:
            self._refresh()

    def estimator(self, model: str) -> TokenEstimator:
        """The estimator for ``model`` (factor 1.0 when nothing was learnt yet)."""
        with self._lock:
            self._refresh()
            factor = _factor(self._ratios.get(model, []))
        return TokenEstimator(min(MAX_FACTOR, max(MIN_FACTOR, factor)))

    def sending(self, model: str, host: str, num_ctx: int) -> SentPrompt:
        """Record a request about to go to ``host``; hand the result to ``observe``."""
        with self._lock:
            self._refresh()
            sent = self._record(model, host, num_ctx)
            self._save()
        return sent

    def observe(
        self, model: str, raw_tokens: int, prompt_eval_count: int, num_ctx: int = 0, sent: SentPrompt | None = None,
    ) -> bool:
        """Learn from one answered request; False when the count taught nothing.

        ``sent`` is what ``sending`` returned; without it, the request is recorded now,
        as sent to an unknown host. The count lowers the factor only when it covers the
        whole prompt (``sent.whole``, not at the context limit where the prompt may
        have been cut, not far below the estimate); otherwise it can only raise it.
        Small prompts (noisy) and implausibly large ratios are ignored.
        """
        with self._lock:
            self._refresh()
            if sent is None:
                sent = self._record(model, UNKNOWN_HOST, num_ctx)
            self._answered(sent)
            cut = bool(num_ctx) and prompt_eval_count >= num_ctx * 0.98
            learnt = self._learn(model, raw_tokens, prompt_eval_count, sent.whole and not cut)
            self._save()
        return learnt

    def _record(self, model: str, host: str, num_ctx: int) -> SentPrompt:
        records = self._sent.setdefault(_model_key(model), {})
        whole = not _may_be_cached(_merged(records, self._sent.get(ANY_MODEL, {})), host, num_ctx)
        self._seq += 1
        records[(host, num_ctx)] = (self._seq, False)
        _prune(records)
        return SentPrompt(model, host, num_ctx, self._seq, whole)

    def _answered(self, sent: SentPrompt) -> None:
        """Mark the send answered: the server then had the model loaded at its size."""
        records = self._sent.get(_model_key(sent.model), {})
        if records.get((sent.host, sent.num_ctx)) == (sent.seq, False):
            records[(sent.host, sent.num_ctx)] = (sent.seq, True)

    def _learn(self, model: str, raw_tokens: int, count: int, whole: bool) -> bool:
        if raw_tokens < MIN_SAMPLE_TOKENS or count <= 0:
            return False
        ratio = count / raw_tokens
        if ratio > MAX_PLAUSIBLE_RATIO:
            return False
        ratios = self._ratios.get(model, [])
        if not (whole and ratio >= CACHED_PREFIX_RATIO) and ratio * CALIBRATION_MARGIN <= _factor(ratios):
            return False  # maybe part of the prompt: it only shows the factor is at least this
        self._ratios[model] = [*ratios, round(ratio, 4)][-CALIBRATION_SAMPLES:]
        return True

    def _refresh(self) -> None:
        """Take in the file when another process (or a first read) changed it."""
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return
        self._stamp = stamp
        saved = _read(self.path) if stamp is not None else None
        if saved is None:
            return
        self._ratios = saved.ratios
        self._seq = max(self._seq, saved.seq)
        for model, records in saved.sent.items():
            self._sent[model] = _merged(self._sent.get(model, {}), records)

    def _save(self) -> None:
        sent = {model: [[host, size, seq, answered] for (host, size), (seq, answered)
                        in sorted(records.items(), key=lambda item: item[1])]
                for model, records in self._sent.items() if records}
        text = json.dumps({"version": CALIBRATION_VERSION, "seq": self._seq, "models": self._ratios, "sent": sent},
                          indent=1, sort_keys=True)
        try:
            atomic_write_text(self.path, text)
            self._stamp = _stamp(self.path)
        except OSError as exc:
            log.warning("could not save token calibration to %s: %s", self.path, exc)


def _may_be_cached(records: Records, host: str, num_ctx: int) -> bool:
    """True when the server may hold a Hearth prompt to this model at ``num_ctx``.

    Ollama reloads a model whose num_ctx changes, and that empties its cache: a send is
    cleared by an answered one to the same host at another size after it. Sends to
    other or unknown hosts count too, as they may be this server under another name.
    """
    if num_ctx == ANY_CONTEXT:
        return bool(records)
    reloaded = max((seq for (where, size), (seq, answered) in records.items()
                    if answered and host and where == host and size not in (num_ctx, ANY_CONTEXT)), default=-1)
    return any(seq >= reloaded for (_, size), (seq, _) in records.items() if size in (num_ctx, ANY_CONTEXT))


def _merged(first: Records, second: Records) -> Records:
    """Both sets of sends; the later where both have one."""
    merged = dict(first)
    for key, record in second.items():
        merged[key] = max(record, merged.get(key, record))
    return merged


def _prune(records: Records) -> None:
    """Keep ``SENT_RECORDS``: the oldest fold into one send at any size to any host, which
    is only more cautious."""
    while len(records) > SENT_RECORDS:
        oldest = min((key for key in records if key != ANYWHERE), key=lambda key: records[key])
        seq, _ = records.pop(oldest)
        records[ANYWHERE] = (max(seq, records.get(ANYWHERE, (seq, False))[0]), False)


def _model_key(model: str) -> str:
    """The name Ollama loads: ``mistral`` is ``mistral:latest``."""
    return model if ":" in model.rsplit("/", 1)[-1] else f"{model}:latest"


def _factor(ratios: list[float]) -> float:
    # The largest recent ratio, plus a margin: under-estimating makes the server cut the
    # prompt; over-estimating only wastes a little room.
    return max(ratios) * CALIBRATION_MARGIN if ratios else 1.0


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size, status.st_ino


def _read(path: Path) -> _Saved | None:
    """The file's contents; None when there is none. An unreadable file says nothing of
    what was sent, so any server may hold a Hearth prompt to any model."""
    try:
        return _parse(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        log.warning("ignoring unreadable token calibration %s: %s", path, exc)
        return _Saved({}, {ANY_MODEL: {ANYWHERE: (0, False)}}, 0)


def _parse(data: dict) -> _Saved:
    ratios = {str(name): [float(r) for r in values if _plausible_ratio(r)][-CALIBRATION_SAMPLES:]
              for name, values in data["models"].items() if isinstance(values, list)}
    if data.get("version") != CALIBRATION_VERSION:
        return _legacy(ratios)
    sent = {str(model): _parse_records(entries) for model, entries in data["sent"].items()}
    seq = max([int(data["seq"]), *(seq for records in sent.values() for seq, _ in records.values())])
    return _Saved(ratios, sent, seq)


def _parse_records(entries: list) -> Records:
    records: Records = {}
    for host, size, seq, answered in entries:
        if not (isinstance(host, str) and _count(size) and _count(seq) and isinstance(answered, bool)):
            raise ValueError(f"not a record of a request: {[host, size, seq, answered]}")
        records = _merged(records, {(host, size): (seq, answered)})
    return records


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _legacy(ratios: dict[str, list[float]]) -> _Saved:
    """A file from before sends were recorded. Its ratios may come from counts of part of
    a prompt, so each is only a lower bound: the largest stays if it raises the factor.
    And any server may still hold a prompt an older Hearth sent."""
    kept = {name: [max(values)] for name, values in ratios.items() if values and _factor(values) > 1.0}
    return _Saved(kept, {ANY_MODEL: {ANYWHERE: (0, False)}}, 0)


def _plausible_ratio(value: object) -> bool:
    """True for a ratio ``observe`` could have saved; NaN, negatives and the like are not
    (clamping them would give the most aggressive factor)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return CACHED_PREFIX_RATIO <= value <= MAX_PLAUSIBLE_RATIO


# --- planning -----------------------------------------------------------------------------


def answer_room(num_ctx: int) -> int:
    """Tokens kept for the answer: a quarter of ``num_ctx``, at least ``MIN_ANSWER_TOKENS``
    but never more than half, so that a small window still leaves room for the prompt."""
    return max(int(num_ctx * ANSWER_SHARE), min(MIN_ANSWER_TOKENS, num_ctx // 2))


def prompt_budget(num_ctx: int) -> int:
    """Tokens the prompt may take: ``num_ctx`` minus room for the answer."""
    return max(0, num_ctx - answer_room(num_ctx))


def context_needed(prompt_tokens: int) -> int:
    """The smallest ``num_ctx``, in whole thousands (1,024s), whose budget holds a prompt
    of ``prompt_tokens`` — what to suggest when a prompt does not fit."""
    num_ctx = CONTEXT_STEP
    while prompt_budget(num_ctx) < prompt_tokens:
        num_ctx += CONTEXT_STEP
    return num_ctx


def _too_small(num_ctx: int, instructions: int, with_question: int) -> ContextTooSmall:
    """The refusal when the system prompt and the question overflow: names ``num_ctx``
    and the context length that would do."""
    needed = f"{context_needed(with_question):,}"
    if instructions > prompt_budget(num_ctx):
        return ContextTooSmall(
            f"The context length (num_ctx {num_ctx:,}) is too small: Hearth's instructions alone take "
            f"{instructions:,} tokens and {answer_room(num_ctx):,} are kept for the answer.",
            f"Set the context length to at least {needed} in Settings.",
        )
    return ContextTooSmall(
        f"The question does not fit the model's context ({with_question:,} tokens with the "
        f"instructions; {prompt_budget(num_ctx):,} available with num_ctx {num_ctx:,}).",
        f"Shorten the question, or raise the context length in Settings (to at least {needed}).",
    )


@dataclass(frozen=True)
class _Block:
    """A piece of the context message, ready to join, with its item."""

    text: str
    item: ContextItem


def plan_turn(
    question: str,
    history: Sequence[ChatMessage],
    num_ctx: int,
    system_text: str,
    *,
    estimator: TokenEstimator = TokenEstimator(),
    index: SearchIndex | None = None,
    project_root: Path | None = None,
    focus: ChatFocus | None = None,
) -> ContextPlan:
    """Plan one request: system prompt, the history that fits, code, the question.

    ``system_text`` is the complete system message (with a file listing when there is
    no index). With an ``index``, the selection or current symbol (read from
    ``project_root``), retrieved chunks and the repo map go with the question.
    Raises ``ContextTooSmall`` when the system prompt and the question alone overflow.
    """
    budget = prompt_budget(num_ctx)
    system = ChatMessage("system", system_text)
    fixed = estimator.message_tokens([system, ChatMessage("user", _with_context(question, ""))])
    if fixed > budget:
        raise _too_small(num_ctx, estimator.message_tokens([system, ChatMessage("user", "")]), fixed)
    turns = _turns(history)
    kept = _newest_turns_within(turns, (budget - fixed) * HISTORY_SHARE, estimator)
    room = budget - fixed - _turn_tokens(turns[len(turns) - kept:], estimator)
    blocks: list[_Block] = []
    if index is not None:
        blocks = _code_blocks(question, index, project_root, focus, room, estimator)
        room -= sum(estimator.tokens(block.text) for block in blocks)
    kept = _newest_turns_within(turns, _turn_tokens(turns[len(turns) - kept:], estimator) + room, estimator)
    kept_history = [m for turn in turns[len(turns) - kept:] for m in turn]
    return _assemble(system, kept_history, question, blocks, len(turns) - kept, num_ctx, budget,
                     estimator, listing=index is None)


def _assemble(
    system: ChatMessage, history: list[ChatMessage], question: str, blocks: list[_Block],
    trimmed: int, num_ctx: int, budget: int, estimator: TokenEstimator, *, listing: bool,
) -> ContextPlan:
    """The final messages; drops the last block in the (unexpected) case they overflow."""
    while True:
        context = "".join(block.text for block in blocks)
        messages = (system, *history, ChatMessage("user", _with_context(question, context)))
        used = estimator.message_tokens(messages)
        if used <= budget or not blocks:
            break
        blocks = blocks[:-1]
    items = tuple(block.item for block in blocks)
    return ContextPlan(items, used, budget, trimmed, num_ctx, listing, raw_prompt_tokens(messages), messages)


def _with_context(question: str, context: str) -> str:
    if not context:
        return question
    return (
        "Code from the project that may help (chosen by Hearth's index for this question):\n\n"
        f"{context}\n---\n\nQuestion: {question}"
    )


def _turns(history: Sequence[ChatMessage]) -> list[list[ChatMessage]]:
    """History split into turns: a user message and the answers after it."""
    turns: list[list[ChatMessage]] = []
    for message in history:
        if not message.content.strip() or message.role == "system":
            continue
        if message.role == "user" or not turns:
            turns.append([message])
        else:
            turns[-1].append(message)
    return turns


def _turn_tokens(turns: Sequence[Sequence[ChatMessage]], estimator: TokenEstimator) -> int:
    return sum(estimator.message_tokens(turn) for turn in turns)


def _newest_turns_within(turns: Sequence[Sequence[ChatMessage]], allowance: float, estimator: TokenEstimator) -> int:
    """How many of the newest turns fit in ``allowance`` tokens (a contiguous run)."""
    used = 0
    kept = 0
    for turn in reversed(turns):
        cost = estimator.message_tokens(turn)
        if used + cost > allowance:
            break
        used += cost
        kept += 1
    return kept


# --- code for the question ---------------------------------------------------------------


def _code_blocks(
    question: str, index: SearchIndex, root: Path | None, focus: ChatFocus | None,
    room: int, estimator: TokenEstimator,
) -> list[_Block]:
    """Selection (or current symbol), retrieved chunks and the map, within ``room`` tokens."""
    from desktop.index.retrieval import search
    from desktop.index.scanner import withheld_from_models

    if room <= MIN_ITEM_TOKENS:
        return []
    focus = focus or ChatFocus()
    blocks: list[_Block] = []
    spent = 0
    selection = _focus_block(question, index, root, focus, int(room * SELECTION_SHARE), estimator)
    if selection is not None:
        blocks.append(selection)
        spent += selection.item.tokens
    map_reserve = min(MAP_MAX_TOKENS, int(room * MAP_SHARE))
    current = focus.current_file if focus.current_file and not withheld_from_models(root, focus.current_file) else None
    hits = search(index, question, k=RETRIEVE_K, current_file=current, selection=focus.selection or None)
    already_sent = [selection.item] if selection is not None else _quoted_selection(question, focus)
    for hit in hits:
        if any(_overlaps(hit, item) for item in already_sent):
            continue
        block = _hit_block(index, root, hit, room - map_reserve - spent, estimator)
        if block is not None:
            blocks.append(block)
            spent += block.item.tokens
    map_block = _map_block(index, hits, focus, min(MAP_MAX_TOKENS, room - spent), estimator)
    if map_block is not None:
        blocks.append(map_block)
    return blocks


def _focus_block(
    question: str, index: SearchIndex, root: Path | None, focus: ChatFocus, room: int, estimator: TokenEstimator,
) -> _Block | None:
    """The selected code, else the definition under the cursor; None when neither applies.

    A selection the user already pasted into the question is not sent twice.
    """
    path = focus.current_file
    if not path or room < MIN_ITEM_TOKENS or _withheld(root, path, focus.selection):
        return None
    current = _read_current(root, path)  # one read: the key check and the lines at the cursor
    if current.holds_key:
        return None
    if focus.selection.strip() and focus.selection_lines is not None:
        if focus.selection.strip() in question:
            return None
        start, end = focus.selection_lines
        lines = focus.selection.splitlines()
        symbol_row = _enclosing_symbol(index, path, start)
        symbol, kind = (symbol_row.name if symbol_row else None), "selection"
    elif focus.cursor_line is not None and root is not None:
        symbol_row = _enclosing_symbol(index, path, focus.cursor_line)
        if symbol_row is None:
            return None
        if current.text is None:
            log.info("not sending %s: %s", path, current.problem)
            return None
        from desktop.index.files import text_lines

        start, end = symbol_row.start_line, symbol_row.end_line
        lines = text_lines(current.text)[start - 1:end]
        symbol, kind = symbol_row.name, symbol_row.kind
    else:
        return None
    title = "Selected code" if kind == "selection" else "Code at the cursor"
    return _fit_block(title, path, index.language_of(path), start, lines, symbol, kind, "selection", room, estimator)


def _withheld(root: Path | None, path: str, selection: str) -> bool:
    """True when ``path`` may not go to a model by its name or link (a secret, or out of
    the project), or the selection holds a private key. (A key elsewhere in the file is
    found by ``_read_current``.)"""
    from desktop.index.scanner import holds_private_key, withheld_from_models

    return withheld_from_models(root, path) or holds_private_key(selection.encode("utf-8", errors="replace"))


@dataclass(frozen=True)
class _CurrentFile:
    """The file in focus as one read found it: whether it holds a private key (then no
    part of it may go, not even a selection: the index leaves such files out, but the
    user can still open one), and its text, None when not read as text (``problem``)."""

    holds_key: bool = False
    text: str | None = None
    problem: str = ""


def _read_current(root: Path | None, path: str) -> _CurrentFile:
    """``path``'s key check and text, both from one read of its bytes; nothing without a
    root. A file too large or unreadable holds no key as far as Hearth knows: it sends
    none of its lines either."""
    from desktop.index.files import decode_file, read_file_bytes
    from desktop.index.scanner import holds_private_key

    if root is None:
        return _CurrentFile()
    try:
        raw = read_file_bytes(Path(root) / path)
        if holds_private_key(raw.data):  # before the binary check: a key in any file withholds it
            return _CurrentFile(holds_key=True)
        text, _encoding = decode_file(raw)
    except HearthError as exc:
        return _CurrentFile(problem=exc.message)
    return _CurrentFile(text=text)


def _enclosing_symbol(index: SearchIndex, path: str, line: int):  # noqa: ANN202 - SymbolRow | None
    rows = [row for row in index.reader.symbols_in_file(path) if row.start_line <= line <= row.end_line]
    return min(rows, key=lambda row: row.end_line - row.start_line, default=None)


def _hit_block(index: SearchIndex, root: Path | None, hit: Hit, room: int, estimator: TokenEstimator) -> _Block | None:
    from desktop.index.files import text_lines
    from desktop.index.scanner import withheld_from_models

    if withheld_from_models(root, hit.path):  # the index leaves these out; an old one may not
        return None
    row = index.conn.execute(
        "SELECT text FROM chunk_view WHERE path = ? AND start_line = ? AND end_line = ? LIMIT 1",
        (hit.path, hit.start_line, hit.end_line),
    ).fetchone()
    if row is None:
        return None
    return _fit_block("", hit.path, index.language_of(hit.path), hit.start_line, text_lines(str(row[0])),
                      hit.symbol, hit.kind, "retrieved", room, estimator)


def _fit_block(
    title: str, path: str, language: str | None, start: int, lines: list[str], symbol: str | None, kind: str,
    source: str, room: int, estimator: TokenEstimator,
) -> _Block | None:
    """The block for these lines, cut at a line end to fit ``room``; None if too little fits."""
    if room < MIN_ITEM_TOKENS or not lines:
        return None
    low, high = 0, len(lines)
    best: _Block | None = None
    while low < high:  # the most lines whose block fits
        middle = (low + high + 1) // 2
        block = _render_block(title, path, language, start, lines[:middle], symbol, kind, source, estimator)
        if block.item.tokens <= room:
            best, low = block, middle
        else:
            high = middle - 1
    if best is None or best.item.tokens < MIN_ITEM_TOKENS and len(lines) > low:
        return None
    return best


def _render_block(
    title: str, path: str, language: str | None, start: int, lines: list[str], symbol: str | None, kind: str,
    source: str, estimator: TokenEstimator,
) -> _Block:
    from desktop.index.languages import markdown_tag

    end = start + len(lines) - 1
    where = f"{path} line {start}" if start == end else f"{path} lines {start}-{end}"
    what = f" ({kind} {symbol})" if symbol and kind != "selection" else (f" (in {symbol})" if symbol else "")
    body = "\n".join(lines)
    fence = "````" if "```" in body else "```"
    heading = f"{title}: {where}{what}" if title else f"{where}{what}"
    text = f"{heading}\n{fence}{markdown_tag(language)}\n{body}\n{fence}\n\n"
    item = ContextItem(path, start, end, symbol, kind, estimator.tokens(text), source)
    return _Block(text, item)


def _map_block(
    index: SearchIndex, hits: Sequence[Hit], focus: ChatFocus, room: int, estimator: TokenEstimator,
) -> _Block | None:
    from desktop.index.repomap import repo_map

    heading = "Outline of the project (its most used definitions):\n"
    overhead = estimator.tokens(heading + "\n")
    if room - overhead < MIN_ITEM_TOKENS:
        return None
    focus_names = [hit.path for hit in hits]
    if focus.current_file:
        focus_names.insert(0, focus.current_file)
    # repo_map measures with the uncalibrated estimate; scale its budget so the
    # calibrated cost of its text still fits.
    map_budget = int((room - overhead) / max(estimator.factor, 1e-6))
    text = repo_map(index, map_budget, focus=focus_names)
    if not text.strip():
        return None
    block_text = f"{heading}{text.rstrip()}\n\n"
    item = ContextItem("", 0, 0, None, "map", estimator.tokens(block_text), "map")
    if item.tokens > room:
        return None
    return _Block(block_text, item)


def _quoted_selection(question: str, focus: ChatFocus) -> list[ContextItem]:
    """The selection's range when the user pasted it into the question (so it is not sent again)."""
    if not (focus.current_file and focus.selection.strip() and focus.selection_lines is not None):
        return []
    if focus.selection.strip() not in question:
        return []
    start, end = focus.selection_lines
    return [ContextItem(focus.current_file, start, end, None, "selection", 0, "selection")]


def _overlaps(hit: Hit, item: ContextItem) -> bool:
    return hit.path == item.path and hit.start_line <= item.end_line and item.start_line <= hit.end_line

