"""Asking the model about the project, with every message saved as it happens.

The question is saved before the model is asked, so it survives a crash or a server
that is down. The answer is saved when it completes, and also when it does not: a
stopped or broken answer is kept with ``incomplete=True`` and the reason, never lost.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from desktop.assist.conversations import (
    DEFAULT_TITLE,
    Conversation,
    ConversationStore,
    StoredMessage,
)
from desktop.assist.context import (
    ChatFocus,
    ContextPlan,
    SentPrompt,
    TokenCalibration,
    TokenEstimator,
    plan_turn,
)
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.assist.prompts import describe_project, indexed_system_text, listing_system_text
from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatDone, ChatEvent, ChatMessage, ChatOptions, TextDelta, ThinkingDelta
from desktop.core.errors import EngineError, HearthError, StorageError, StreamInterrupted
from desktop.engine.base import Engine
from desktop.index.ignore import IgnoreRules

if TYPE_CHECKING:
    from desktop.index.retrieval import SearchIndex

log = logging.getLogger(__name__)

STOPPED = "Stopped"
TITLE_MAX_CHARS = 50


class ChatService:
    """Runs a conversation turn: save, ask the engine, stream, save the answer."""

    def __init__(
        self,
        store: ConversationStore,
        project_root: Path,
        engine: Engine,
        rules: IgnoreRules | None = None,
        *,
        index_db: Path | None = None,
        calibration: TokenCalibration | None = None,
        hooks: Hooks = NO_HOOKS,
    ) -> None:
        self.store = store
        self.project_root = Path(project_root).expanduser().resolve()
        self.engine = engine  # swapped by the app when the host changes
        self.rules = rules if rules is not None else IgnoreRules.for_project(self.project_root)
        self.index_db = index_db  # the project's index; without one a file listing is sent
        self.calibration = calibration
        self.hooks = hooks  # plugins see (and may change) every request before it is sent
        self._index: SearchIndex | None = None
        self._index_lock = threading.RLock()  # a warm-up and a question each use the view alone
        self._closed = False  # the app moved on to another project: no more warm-ups
        self._last_context: ContextPlan | None = None

    def last_context(self) -> ContextPlan | None:
        """What the last request carried (items, estimated tokens, budget, trimmed turns)."""
        return self._last_context

    def close(self) -> None:
        """Close the index connection, and warm it no more (a question still reopens it).

        Waits for a warm-up or a question using the view to finish with it."""
        with self._index_lock:
            self._closed = True
            self._drop_index()

    def _drop_index(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def send(
        self,
        conversation_id: int,
        question: str,
        model: str,
        options: ChatOptions,
        cancel: CancelToken,
        focus: ChatFocus | None = None,
    ) -> Iterator[ChatEvent]:
        """Save ``question``, stream the answer, save it (see the module doc for failures).

        ``focus`` (the open file, selection, cursor) steers which code is sent.
        """
        if not question.strip():
            raise HearthError("There is no question to send.", "Type a question first.")
        conversation = self._conversation(conversation_id)
        history = _history(self.store.messages(conversation_id))
        self.store.add_message(conversation_id, "user", question)
        if conversation.title == DEFAULT_TITLE:
            self.store.rename_conversation(conversation_id, title_from_question(question))
        yield from self._answer(conversation_id, history, question, model, options, cancel, focus)

    def regenerate(
        self, conversation_id: int, model: str, options: ChatOptions, cancel: CancelToken,
        focus: ChatFocus | None = None,
    ) -> Iterator[ChatEvent]:
        """Answer the last question again, replacing the answer after it (also "Retry")."""
        self._conversation(conversation_id)
        stored = self.store.messages(conversation_id)
        index = _last_user_index(stored)
        if index is None:
            raise HearthError("This chat has no question to answer again.")
        if index + 1 < len(stored):
            self.store.delete_messages_from(conversation_id, stored[index + 1].id)
        question = stored[index].content
        history = _history(stored[:index])
        yield from self._answer(conversation_id, history, question, model, options, cancel, focus)

    def edit_last_question(
        self,
        conversation_id: int,
        new_question: str,
        model: str,
        options: ChatOptions,
        cancel: CancelToken,
        focus: ChatFocus | None = None,
    ) -> Iterator[ChatEvent]:
        """Replace the last question (and everything after it) with ``new_question``."""
        if not new_question.strip():
            raise HearthError("There is no question to send.", "Type a question first.")
        stored = self.store.messages(conversation_id)
        index = _last_user_index(stored)
        if index is not None:
            self.store.delete_messages_from(conversation_id, stored[index].id)
        yield from self.send(conversation_id, new_question, model, options, cancel, focus)

    # --- one answer ------------------------------------------------------------------

    def _answer(
        self,
        conversation_id: int,
        history: Sequence[ChatMessage],
        question: str,
        model: str,
        options: ChatOptions,
        cancel: CancelToken,
        focus: ChatFocus | None = None,
    ) -> Iterator[ChatEvent]:
        engine = self.engine  # one engine for the whole answer, even if swapped meanwhile
        answer = _PartialAnswer()
        saved = False
        self._last_context = None
        plan: ContextPlan | None = None
        try:
            plan = self.plan(history, question, model, options, cancel, focus)
            self._last_context = plan
            messages = self.hooks.prompt_will_be_sent(None, list(plan.messages))
            sent = self._sending(engine, model, plan)
            stream = engine.chat(model, messages, options, cancel)
            try:
                for event in stream:
                    if isinstance(event, ChatDone):
                        self.store.add_message(
                            conversation_id, "assistant", answer.text,
                            thinking=answer.thinking, model=event.model or model,
                            stats=event.stats, context=plan,
                        )
                        saved = True
                        self._calibrate(model, plan, event, sent)
                    else:
                        answer.add(event)
                    yield event
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()
        except (Cancelled, GeneratorExit):
            # GeneratorExit: the consumer stopped reading (the worker was cancelled).
            if not saved:
                self._save_partial(conversation_id, answer.text, answer.thinking, model, STOPPED, plan)
            raise
        except StreamInterrupted as exc:
            text = exc.partial_text or answer.text
            self._save_partial(conversation_id, text, answer.thinking, model, exc.message, plan)
            raise
        except EngineError as exc:
            if answer.has_content:  # failed after text arrived: keep what came
                self._save_partial(conversation_id, answer.text, answer.thinking, model,
                                   exc.message, plan)
            raise

    # --- what is sent ------------------------------------------------------------------

    def plan(
        self,
        history: Sequence[ChatMessage],
        question: str,
        model: str,
        options: ChatOptions,
        cancel: CancelToken,
        focus: ChatFocus | None = None,
    ) -> ContextPlan:
        """The request for this turn: retrieved code when the project is indexed, else
        the file listing; always within ``options.num_ctx`` minus room for the answer."""
        estimator = self.calibration.estimator(model) if self.calibration else TokenEstimator()
        # The view's caches are not read while a warm-up refreshes them; Stop still works
        # while this waits for one.
        while not self._index_lock.acquire(timeout=0.05):
            cancel.raise_if_cancelled()
        try:
            index = self._open_index()
            if index is not None:
                try:
                    return plan_turn(question, history, options.num_ctx, indexed_system_text(self.project_root),
                                     estimator=estimator, index=index, project_root=self.project_root, focus=focus)
                except sqlite3.Error as exc:
                    log.warning("the index could not be read (%s); sending the file listing instead", exc)
                    self._drop_index()
        finally:
            self._index_lock.release()
        overview = describe_project(self.project_root, self.rules, cancel=cancel)
        return plan_turn(question, history, options.num_ctx, listing_system_text(overview), estimator=estimator)

    def warm_up(self, current_file: str | None = None) -> None:
        """Read the project's index into the search caches and build its reference graph
        and the repo map's ranking now, so that the next question does not wait for them:
        about a second and a half on CPython's library when a project opens, seven on
        100,000 files, and a fraction of that after each change. A large project also gets
        its search partner process (``SearchIndex.start_partner``). With the file open
        in the code view (relative), what a question asked from it is personalised with
        is worked out too (``retrieval.warm_for_file``). Nothing happens without an index."""
        with self._index_lock:
            index = None if self._closed else self._open_index()
            if index is None:
                return
            from desktop.index import repomap  # imported with the search, when there is an index
            from desktop.index.retrieval import warm_for_file

            try:
                index.refresh()
                index.graph()
                repomap.prepare(index)
                if current_file:
                    warm_for_file(index, current_file)
                index.start_partner()  # a large project's searches then use both cores
            except sqlite3.Error as exc:  # closed or damaged under us: the next question reopens it
                log.info("the search view of %s was not warmed: %s", self.project_root, exc)

    def _open_index(self) -> SearchIndex | None:
        """The project's index when it exists and holds files; None otherwise."""
        if self._index is not None:
            if not self._index.replaced():
                return self._index
            self._index.close()  # rebuilt or removed under us: read the new file
            self._index = None
        if self.index_db is None or not self.index_db.is_file():
            return None
        from desktop.index.retrieval import SearchIndex

        try:
            index = SearchIndex.open(self.index_db)
            if index.reader.stats().files == 0:
                index.close()
                return None
        except (HearthError, sqlite3.Error) as exc:
            log.info("no usable index at %s: %s", self.index_db, exc)
            return None
        self._index = index
        return index

    def _sending(self, engine: Engine, model: str, plan: ContextPlan) -> SentPrompt | None:
        """Record the request before it goes: even one that fails may leave the server
        holding its prompt."""
        if self.calibration is None:
            return None
        return self.calibration.sending(model, getattr(engine, "host", ""), plan.num_ctx)

    def _calibrate(self, model: str, plan: ContextPlan, done: ChatDone, sent: SentPrompt | None) -> None:
        if self.calibration is not None:
            self.calibration.observe(model, plan.raw_tokens, done.stats.prompt_eval_count, plan.num_ctx, sent)

    def _save_partial(
        self, conversation_id: int, text: str, thinking: str, model: str, error: str,
        context: ContextPlan | None = None,
    ) -> None:
        try:
            self.store.add_message(conversation_id, "assistant", text, thinking=thinking,
                                   model=model, incomplete=True, error=error, context=context)
        except StorageError as exc:
            # The original failure is what the user needs to see; this one is logged.
            log.warning("could not save the unfinished answer: %s", exc)

    def _conversation(self, conversation_id: int) -> Conversation:
        conversation = self.store.get_conversation(conversation_id)
        if conversation is None:
            raise StorageError(f"The chat (id {conversation_id}) no longer exists.")
        return conversation


class _PartialAnswer:
    """Collects streamed text and thinking of one answer."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._thinking: list[str] = []

    def add(self, event: ChatEvent) -> None:
        if isinstance(event, TextDelta):
            self._text.append(event.text)
        elif isinstance(event, ThinkingDelta):
            self._thinking.append(event.text)

    @property
    def text(self) -> str:
        return "".join(self._text)

    @property
    def thinking(self) -> str:
        return "".join(self._thinking)

    @property
    def has_content(self) -> bool:
        return bool(self._text or self._thinking)


def title_from_question(question: str) -> str:
    """A conversation title: the question's first non-blank line, about 50 characters."""
    first_line = next((line.strip() for line in question.splitlines() if line.strip()), "")
    if len(first_line) <= TITLE_MAX_CHARS:
        return first_line or DEFAULT_TITLE
    cut = first_line[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] or first_line[:TITLE_MAX_CHARS]
    return cut.rstrip(" ,.;:") + "…"


def _last_user_index(stored: Sequence[StoredMessage]) -> int | None:
    for index in range(len(stored) - 1, -1, -1):
        if stored[index].role == "user":
            return index
    return None


def _history(stored: Sequence[StoredMessage]) -> list[ChatMessage]:
    """Saved messages as the model sees them; empty (e.g. stopped at once) ones dropped."""
    return [
        ChatMessage(message.role, message.content)  # type: ignore[arg-type]
        for message in stored
        if message.role in ("user", "assistant") and message.content.strip()
    ]
