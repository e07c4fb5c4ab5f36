"""Writing a reviewed edit: only the accepted hunks, atomically, in the file's own format."""

from __future__ import annotations

import logging
import time
from typing import Collection

from desktop.assist.edits.checks import ensure_unchanged, syntax_problems
from desktop.assist.edits.diff import apply_hunks, compute_hunks
from desktop.assist.edits.files import current_mode, encode_text, sha256_of, write_atomically
from desktop.assist.edits.model import AppliedEdit, EditError, EditProposal, SyntaxErrorsIntroduced, SyntaxProblem
from desktop.assist.edits.undo import UndoHistory
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.core.errors import StorageError

log = logging.getLogger(__name__)


def apply_edit(
    proposal: EditProposal,
    accepted: Collection[int] | None = None,
    *,
    allow_syntax_errors: bool = False,
    history: UndoHistory | None = None,
    hooks: Hooks = NO_HOOKS,
) -> AppliedEdit:
    """Write the proposal's accepted hunks (all when ``accepted`` is None) to its file.

    Refuses, leaving the file untouched: with ``EditError`` when no hunk is accepted or an
    index is unknown; ``SyntaxErrorsIntroduced`` when the text to be written has syntax
    errors the file did not have and ``allow_syntax_errors`` is False;
    ``FileChangedOnDisk`` when the file is not the one the proposal was made against.
    The write keeps the encoding, BOM, line endings, trailing newline and permissions.
    The applied edit is recorded in ``history`` (its id stays 0 if that fails: the file
    is written, only undo is unavailable) and reported to ``hooks.edit_did_apply``.
    """
    hunks = compute_hunks(proposal.base.text, proposal.new_text)
    all_indexes = {hunk.index for hunk in hunks}
    chosen = all_indexes if accepted is None else set(accepted)
    if not chosen:
        raise EditError(f"No change to {proposal.target.relative} was accepted; the file is unchanged.")
    unknown = chosen - all_indexes
    if unknown:
        raise EditError(f"The edit has no hunk {min(unknown)}; it has {len(hunks)}. Nothing was written.")
    if chosen == all_indexes:
        text, problems = proposal.new_text, proposal.syntax_problems
    else:
        text = apply_hunks(proposal.base.text, hunks, chosen)
        problems = syntax_problems(proposal.target.path, proposal.base.text, text)
    if problems and not allow_syntax_errors:
        raise SyntaxErrorsIntroduced(_syntax_message(proposal.target.relative, problems),
                                     "Review the edit, or apply it anyway with the explicit override.")
    fmt = proposal.base.format
    data = encode_text(text, fmt)
    ensure_unchanged(proposal)  # before writing anything; and again at the last moment
    path = proposal.target.path
    write_atomically(path, data, current_mode(path, fmt.mode), still_as_read=lambda: ensure_unchanged(proposal))
    applied = AppliedEdit(
        id=0,
        relative=proposal.target.relative,
        before_sha256=proposal.base.sha256,
        after_sha256=sha256_of(data),
        before_text=proposal.base.text,
        after_text=text,
        format=fmt,
        hunks_accepted=len(chosen),
        hunks_total=len(hunks),
        applied_at=time.time(),
        action_id=proposal.action_id,
    )
    if history is not None:
        try:
            applied = history.record(applied)
        except StorageError as exc:
            log.warning("the edit of %s was written but could not be added to the undo history: %s",
                        applied.relative, exc)
    hooks.edit_did_apply(applied)
    return applied


def _syntax_message(relative: str, problems: tuple[SyntaxProblem, ...]) -> str:
    shown = ", ".join(f"line {p.line}: {p.message}" for p in problems[:3])
    more = f" and {len(problems) - 3} more" if len(problems) > 3 else ""
    return f"The edit would introduce syntax errors in {relative} ({shown}{more}); nothing was written."
