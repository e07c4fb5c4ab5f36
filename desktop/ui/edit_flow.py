"""The edit flow in the window: run an edit action, review it, apply it, undo it.

``EditFlow`` ties the pieces together: the model's answer streams on the one worker
(``TaskRunner``) into a ``DiffReviewDialog``; the finished proposal is turned into a
diff off the GUI thread; Apply writes the accepted hunks with ``apply_edit`` (also on
the worker) and records them in the project's ``UndoHistory``. Closing the dialog
stops the model. The window only calls ``start`` / ``apply_code_block`` / ``undo_last``
and listens to ``applied``, ``undone`` and ``message``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Collection, Iterator

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from desktop.assist.actions import Action, ActionContext, resolve_context
from desktop.assist.edits.apply import apply_edit
from desktop.assist.edits.checks import resolve_target
from desktop.assist.edits.model import (
    AppliedEdit,
    EditProposal,
    EditTarget,
    FileChangedOnDisk,
    SyntaxErrorsIntroduced,
)
from desktop.assist.edits.propose import propose_edit
from desktop.assist.edits.service import EditService
from desktop.assist.edits.undo import UndoHistory
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatOptions, TextDelta
from desktop.core.errors import HearthError
from desktop.qt.worker import TaskRunner, Worker
from desktop.ui.diff_review import DiffReviewDialog, ReviewData, prepare_review

CHAT_APPLY_ACTION_ID = "chat-apply"  # action_id of edits made from a chat code block
CHAT_APPLY_TITLE = "Apply code from chat"

ServiceGetter = Callable[[], EditService | None]
ModelGetter = Callable[[], tuple[str, ChatOptions]]


def fence_code(code: str, language: str = "") -> str:
    """``code`` as a fenced block the edit parser reads (a longer fence if it holds one)."""
    longest, run = 0, 0
    for char in code:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    body = code if code.endswith("\n") else code + "\n"
    return f"{fence}{language}\n{body}{fence}\n"


def _lines_of(target: EditTarget) -> tuple[int, int] | None:
    if not target.has_region:
        return None
    return int(target.start_line or 0), int(target.end_line or 0)


class EditFlow(QObject):
    """Runs edit actions and chat "Apply" through review, apply and undo."""

    applied = Signal(object)  # AppliedEdit, after the file was written
    undone = Signal(object)  # AppliedEdit (undone=True), after the file was restored
    message = Signal(str)  # one line for the status bar

    def __init__(self, runner: TaskRunner, service: ServiceGetter, history: UndoHistory | None,
                 model_options: ModelGetter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._service = service
        self._history = history
        self._model_options = model_options
        self._window = parent
        self._dialog: DiffReviewDialog | None = None
        self._worker: Worker | None = None  # the stream (or proposal) being read
        self._applying = False
        self._run = 0  # callbacks of older runs are ignored
        self._rerun: Callable[[], None] | None = None

    # --- public API ------------------------------------------------------------------

    @property
    def dialog(self) -> DiffReviewDialog | None:
        """The review dialog that is open (None when none is)."""
        return self._dialog

    @property
    def history(self) -> UndoHistory | None:
        return self._history

    def set_history(self, history: UndoHistory | None) -> None:
        """Another project was opened: its undo history from now on."""
        self.close_dialog()
        self._history = history

    def start(self, action: Action, context: ActionContext, target: EditTarget) -> None:
        """Ask the model for ``action`` on ``context`` and review the edit of ``target``."""
        service = self._service()
        if service is None:
            self.message.emit("No model server is connected; the edit was not started.")
            return
        model, options = self._model_options()
        if not model:
            self.message.emit("Choose a model first; the edit was not started.")
            return
        dialog = self._open_dialog(_title(action.title), target, model)
        self._rerun = lambda: self._stream(dialog, action, context, target, fresh=True)
        self._stream(dialog, action, context, target, fresh=False)

    def apply_code_block(self, code: str, language: str, target: EditTarget) -> None:
        """Review ``code`` (a chat answer's block) as an edit of ``target``; no model call."""
        dialog = self._open_dialog(CHAT_APPLY_TITLE, target, "")
        response = fence_code(code, language)
        self._rerun = lambda: self._propose(dialog, target, response)
        self._propose(dialog, target, response)

    def undo_last(self) -> None:
        """Undo the newest applied edit; a refusal is reported, never raised."""
        history = self._history
        if history is None:
            self.message.emit("No project is open; there is nothing to undo.")
            return

        def work(token: CancelToken) -> Iterator[AppliedEdit]:
            yield history.undo()

        self._runner.run(work, name="undo-edit", on_item=self._on_undone,
                         on_error=lambda error: self.message.emit(str(error)))

    def close_dialog(self) -> None:
        """Close the review dialog (stopping the model); nothing is written."""
        if self._dialog is not None:
            self._dialog.reject()

    # --- running ---------------------------------------------------------------------

    def _stop(self) -> None:
        # Cancelled, not forgotten: the worker's ``cancelled`` signal shows "Stopped".
        if self._worker is not None:
            self._worker.cancel()

    def _open_dialog(self, title: str, target: EditTarget, model: str) -> DiffReviewDialog:
        self.close_dialog()
        dialog = DiffReviewDialog(title, target.relative, _lines_of(target), model, self._window)
        dialog.stop_requested.connect(self._stop)
        dialog.rerun_requested.connect(lambda: self._rerun() if self._rerun is not None else None)
        dialog.apply_requested.connect(lambda accepted, allow: self._apply(dialog, accepted, allow))
        dialog.finished.connect(lambda _result: self._on_dialog_closed(dialog))
        self._dialog = dialog
        dialog.show()
        dialog.activateWindow()
        return dialog

    def _stream(self, dialog: DiffReviewDialog, action: Action, context: ActionContext,
                target: EditTarget, *, fresh: bool) -> None:
        service = self._service()
        if service is None:
            dialog.show_error(HearthError("No model server is connected.", "Start Ollama, then run it again."))
            return
        model, options = self._model_options()

        def work(token: CancelToken) -> Iterator[object]:
            run_context, run_target = (_fresh(context, target) if fresh else (context, target))
            for event in service.stream(action, run_context, run_target, model, options, token):
                yield prepare_review(event, token) if isinstance(event, EditProposal) else event

        dialog.set_model(model)
        dialog.begin_streaming(f"Waiting for {model}…")
        self._launch(dialog, work, "edit-stream")

    def _propose(self, dialog: DiffReviewDialog, target: EditTarget, response: str) -> None:
        def work(token: CancelToken) -> Iterator[ReviewData]:
            proposal = propose_edit(target, response, CHAT_APPLY_ACTION_ID, place_fragments=True)
            yield prepare_review(proposal, token)

        dialog.begin_streaming("Reading the code block…")
        dialog.append_answer(response)
        dialog.set_status("Reading the code block…")
        self._launch(dialog, work, "edit-propose")

    def _launch(self, dialog: DiffReviewDialog, work: Callable[[CancelToken], Iterator[object]], name: str) -> None:
        self._cancel_stream()
        self._run += 1
        run = self._run

        def current(slot: Callable[..., None]) -> Callable[..., None]:
            # Signals of a stopped or replaced run, or of a closed dialog, are ignored.
            return lambda *args: slot(*args) if run == self._run and dialog is self._dialog else None

        self._worker = self._runner.run(
            work,
            name=name,
            on_item=current(lambda item: self._on_stream_item(dialog, item)),
            on_error=current(dialog.show_error),
            on_cancelled=current(dialog.show_stopped),
            on_finished=current(self._forget_stream),
        )

    def _on_stream_item(self, dialog: DiffReviewDialog, item: object) -> None:
        if isinstance(item, TextDelta):
            dialog.append_answer(item.text)
        elif isinstance(item, ReviewData):
            dialog.show_review(item)

    def _cancel_stream(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    def _forget_stream(self) -> None:
        self._worker = None

    def _apply(self, dialog: DiffReviewDialog, accepted: Collection[int], allow_syntax_errors: bool) -> None:
        review = dialog.review
        if review is None or self._applying:
            return
        proposal = review.proposal
        history = self._history
        service = self._service()
        hooks: Hooks = service.hooks if service is not None else NO_HOOKS
        chosen = tuple(accepted)

        def work(token: CancelToken) -> Iterator[AppliedEdit]:
            yield apply_edit(proposal, chosen, allow_syntax_errors=allow_syntax_errors, history=history, hooks=hooks)

        def failed(error: HearthError) -> None:
            if dialog is not self._dialog:
                self.message.emit(str(error))
            elif isinstance(error, FileChangedOnDisk):
                dialog.show_changed_on_disk(error)
            elif isinstance(error, SyntaxErrorsIntroduced):
                dialog.show_syntax_refusal(error)
            else:
                dialog.show_error(error)

        def finished() -> None:
            self._applying = False
            if dialog is self._dialog:
                dialog.set_busy(False)

        self._applying = True
        dialog.set_busy(True)
        # Never cancelled: a write that started finishes, even if the dialog is closed.
        self._runner.run(work, name="apply-edit", on_item=lambda item: self._on_applied(dialog, item),
                         on_error=failed, on_finished=finished)

    def _on_applied(self, dialog: DiffReviewDialog, applied: object) -> None:
        if not isinstance(applied, AppliedEdit):
            return
        if dialog is self._dialog:
            dialog.accept()
        if applied.hunks_accepted != applied.hunks_total:
            counted = f"{applied.hunks_accepted} of {applied.hunks_total} changes"
        else:
            counted = "the change" if applied.hunks_total == 1 else f"all {applied.hunks_total} changes"
        undo = "" if applied.id else " (it could not be added to the undo history)"
        self.message.emit(f"Applied {counted} to {applied.relative}{undo}.")
        self.applied.emit(applied)

    def _on_undone(self, undone: object) -> None:
        if isinstance(undone, AppliedEdit):
            self.message.emit(f"Undid the edit of {undone.relative}.")
            self.undone.emit(undone)

    def _on_dialog_closed(self, dialog: DiffReviewDialog) -> None:
        if dialog is not self._dialog:
            return
        self._cancel_stream()  # stop the model; an apply in progress finishes
        self._run += 1
        self._dialog = None
        self._rerun = None
        dialog.deleteLater()


def _title(title: str) -> str:
    return title.removesuffix("…").removesuffix("...").strip() or title


def _fresh(context: ActionContext, target: EditTarget) -> tuple[ActionContext, EditTarget]:
    """The context and target read again from disk (a re-run after the file changed)."""
    lines = None
    if context.start_line is not None and context.end_line is not None:
        lines = (context.start_line, context.end_line)
    new_context = context
    if context.relative is not None:
        new_context = resolve_context(context.root, context.relative, scope=context.scope,
                                      selection_lines=lines, instruction=context.instruction)
    return new_context, resolve_target(target.root, Path(target.path), _lines_of(target))
