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
model by a factor learnt from the ``prompt_eval_count`` the server reports. Only counts
that cover the whole prompt teach anything: a server that reused a cached prefix
counts just the new part, far below the estimate, and such counts are ignored.
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
CALIBRATION_SAMPLES = 8
CALIBRATION_MARGIN = 1.05
MIN_SAMPLE_TOKENS = 64
CACHED_PREFIX_RATIO = 0.5  # counts below half the estimate cannot cover the whole prompt
MAX_PLAUSIBLE_RATIO = 3.0
MIN_FACTOR, MAX_FACTOR = 0.6, 2.5

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


class TokenCalibration:
    """Per-model estimate factors learnt from the server's prompt counts, kept in a JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ratios: dict[str, list[float]] = self._load()

    def estimator(self, model: str) -> TokenEstimator:
        """The estimator for ``model`` (factor 1.0 when nothing was learnt yet)."""
        with self._lock:
            ratios = self._ratios.get(model)
        if not ratios:
            return TokenEstimator(1.0)
        # The largest recent ratio, plus a margin: under-estimating makes the server
        # cut the prompt; over-estimating only wastes a little room.
        factor = max(ratios) * CALIBRATION_MARGIN
        return TokenEstimator(min(MAX_FACTOR, max(MIN_FACTOR, factor)))

    def observe(self, model: str, raw_tokens: int, prompt_eval_count: int, num_ctx: int = 0) -> bool:
        """Learn from one answered request; False when the count is not usable.

        Ignored: small prompts (noisy), counts far below the estimate (the server reused
        a cached prefix and counted only the rest), counts at the context limit (the
        prompt may have been cut), and implausibly large ratios.
        """
        if raw_tokens < MIN_SAMPLE_TOKENS or prompt_eval_count <= 0:
            return False
        if num_ctx and prompt_eval_count >= num_ctx * 0.98:
            return False
        ratio = prompt_eval_count / raw_tokens
        if not CACHED_PREFIX_RATIO <= ratio <= MAX_PLAUSIBLE_RATIO:
            return False
        with self._lock:
            ratios = self._ratios.setdefault(model, [])
            ratios.append(round(ratio, 4))
            del ratios[:-CALIBRATION_SAMPLES]
            text = json.dumps({"version": 1, "models": self._ratios}, indent=1, sort_keys=True)
        try:
            atomic_write_text(self.path, text)
        except OSError as exc:
            log.warning("could not save token calibration to %s: %s", self.path, exc)
        return True

    def _load(self) -> dict[str, list[float]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            models = data["models"]
            return {str(name): [float(r) for r in ratios if _plausible_ratio(r)][-CALIBRATION_SAMPLES:]
                    for name, ratios in models.items() if isinstance(ratios, list)}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("ignoring unreadable token calibration %s: %s", self.path, exc)
            return {}


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
    from desktop.index.scanner import withheld_from_models

    path = focus.current_file
    if not path or withheld_from_models(root, path) or room < MIN_ITEM_TOKENS:
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
        start, end = symbol_row.start_line, symbol_row.end_line
        lines = _read_lines(root, path, start, end)
        if lines is None:
            return None
        symbol, kind = symbol_row.name, symbol_row.kind
    else:
        return None
    title = "Selected code" if kind == "selection" else "Code at the cursor"
    return _fit_block(title, path, index.language_of(path), start, lines, symbol, kind, "selection", room, estimator)


def _enclosing_symbol(index: SearchIndex, path: str, line: int):  # noqa: ANN202 - SymbolRow | None
    rows = [row for row in index.reader.symbols_in_file(path) if row.start_line <= line <= row.end_line]
    return min(rows, key=lambda row: row.end_line - row.start_line, default=None)


def _read_lines(root: Path, path: str, start: int, end: int) -> list[str] | None:
    from desktop.index.files import read_text_file, text_lines

    try:
        text = read_text_file(Path(root) / path).text
    except HearthError as exc:
        log.info("not sending %s: %s", path, exc.message)
        return None
    return text_lines(text)[start - 1:end]


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

