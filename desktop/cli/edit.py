"""`hearth apply-edit` and `hearth edit`: turn a model's answer into a reviewed-by-diff edit.

stdout is the unified diff; stderr gets one-line messages. Exit codes (scripts rely on
them): 0 an edit was produced (and written, with ``--write``); 1 a model-server or
other error (outside the project, a secret file, file changed, …); 2 bad usage or
input (a missing file, lines not in the file, an unreadable response file); 3 the edit would
introduce syntax errors (no ``--allow-syntax-errors``); 4 the answer holds no usable
edit. On 3 and 4 the file is never touched.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TextIO

from desktop.cli.common import EXIT_OK, EXIT_SERVER, EXIT_USAGE, add_host_option, fail

log = logging.getLogger(__name__)

EXIT_SYNTAX = 3
EXIT_NO_EDIT = 4
EDIT_ACTION_ID = "edit"
_CLOSEST_SHOWN = 12


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``apply-edit`` and ``edit`` to the ``hearth`` parser."""
    apply_cmd = commands.add_parser(
        "apply-edit", help="turn a model's raw answer into an edit of FILE; prints the diff")
    apply_cmd.add_argument("file", type=Path, metavar="FILE", help="the file the answer edits")
    apply_cmd.add_argument("--response", type=Path, required=True, metavar="RESPONSE_FILE",
                           help="a text file holding the model's raw answer")
    _common_options(apply_cmd)
    apply_cmd.add_argument("--root", type=Path, metavar="DIR",
                           help="project root (default: the enclosing git work tree, else FILE's folder)")
    apply_cmd.set_defaults(run=lambda args, host: run_apply_edit(args, sys.stdout))

    edit_cmd = commands.add_parser(
        "edit", help="ask the model to edit lines of a file (the Edit… action); prints the diff")
    edit_cmd.add_argument("path", type=Path, metavar="PATH", help="project folder")
    edit_cmd.add_argument("file", type=Path, metavar="FILE", help="file to edit (relative to PATH, or absolute)")
    edit_cmd.add_argument("--instruction", required=True, metavar="TEXT", help="what to change")
    edit_cmd.add_argument("--model", "-m", help="model name (default: the edit model in settings, else the chat "
                                                "model, else the first installed chat model)")
    add_host_option(edit_cmd)
    _common_options(edit_cmd, lines_required=True)
    edit_cmd.set_defaults(run=lambda args, host: run_edit(args, host, sys.stdout))


def _common_options(parser: argparse.ArgumentParser, lines_required: bool = False) -> None:
    parser.add_argument("--lines", type=line_range, required=lines_required, metavar="A-B",
                        help="1-based inclusive lines the answer replaces")
    parser.add_argument("--write", action="store_true", help="apply the edit (atomically); default: only print the diff")
    parser.add_argument("--allow-syntax-errors", action="store_true",
                        help="produce (and write) the edit even if it introduces syntax errors")


def line_range(text: str) -> tuple[int, int]:
    """argparse type for ``A-B`` (or a single line ``A``): 1-based, inclusive, A ≤ B."""
    first, sep, last = text.strip().partition("-")
    try:
        start, end = int(first), int(last if sep else first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a line range like 3-8") from None
    if start < 1 or end < start:
        raise argparse.ArgumentTypeError(f"{text!r}: lines start at 1 and the range must not run backwards")
    return start, end


def find_root(file: Path) -> Path:
    """The enclosing git work tree of ``file`` (a folder holding ``.git``), else its folder."""
    folder = file.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


# --- apply-edit -----------------------------------------------------------------------


def run_apply_edit(args: argparse.Namespace, out: TextIO) -> int:
    """Parse ``--response`` as an edit of FILE; print the diff; write it with ``--write``."""
    from desktop.assist.edits.checks import resolve_target
    from desktop.assist.edits.model import NoUsableEdit
    from desktop.assist.edits.propose import propose_edit
    from desktop.core.errors import ProjectError

    try:
        response = args.response.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        fail(f"cannot read the response file {args.response}: {exc.strerror or exc}.")
        return EXIT_USAGE
    file = args.file.absolute()
    root = args.root.absolute() if args.root else find_root(file)
    try:
        target = resolve_target(root, file, args.lines)
    except ProjectError as exc:
        fail(str(exc))
        return EXIT_USAGE
    try:
        proposal = propose_edit(target, response)
    except NoUsableEdit as exc:
        return _no_usable_edit(exc)
    return _print_and_apply(proposal, args, out)


def _plugin_hooks():  # noqa: ANN202 - desktop.assist.hooks.Hooks
    """The installed plugins' hooks, as the app runs them (a broken plugin is logged and skipped)."""
    from desktop.core.paths import HearthPaths
    from desktop.plugins.loader import load_default_plugins

    return load_default_plugins(HearthPaths.from_env()).hooks


def _print_and_apply(proposal, args: argparse.Namespace, out: TextIO, hooks=None) -> int:  # noqa: ANN001
    """The shared second half of both commands: print the diff, check, maybe write.

    ``proposal`` is an ``EditProposal``; ``hooks`` hear ``edit_did_apply`` (loaded when not given).
    """
    from desktop.assist.edits.apply import apply_edit
    from desktop.assist.edits.diff import unified_diff

    target = proposal.target
    out.write(unified_diff(proposal.base.text, proposal.new_text, target.relative))
    out.flush()
    if proposal.introduces_syntax_errors and not args.allow_syntax_errors:
        where = ", ".join(f"line {p.line}: {p.message}" for p in proposal.syntax_problems[:5])
        fail(f"the edit would introduce syntax errors in {target.relative} ({where}); "
             "nothing was written (use --allow-syntax-errors to override).")
        return EXIT_SYNTAX
    how = proposal.method + (f" ({'; '.join(proposal.notes)})" if proposal.notes else "")
    if not args.write:
        fail(f"edit of {target.relative} made by {how}; not written (use --write).")
        return EXIT_OK
    history = _history(target.root)
    try:
        applied = apply_edit(proposal, allow_syntax_errors=args.allow_syntax_errors, history=history,
                             hooks=hooks if hooks is not None else _plugin_hooks())
    finally:
        if history is not None:
            history.close()
    fail(f"wrote {target.relative}: {applied.hunks_accepted} change{'s' if applied.hunks_accepted != 1 else ''} "
         f"made by {how}.")
    return EXIT_OK


def _no_usable_edit(exc) -> int:  # noqa: ANN001 - NoUsableEdit
    message = exc.message.rstrip(".")
    fail(f"no usable edit ({exc.reason}): {message}.{(' ' + exc.hint) if exc.hint else ''}")
    if exc.reason == "search-not-found" and exc.closest:
        print("closest lines in the file:", file=sys.stderr)
        for line in exc.closest[:_CLOSEST_SHOWN]:
            print(f"  | {line}", file=sys.stderr)
    return EXIT_NO_EDIT


def _history(root: Path):  # noqa: ANN202 - UndoHistory | None
    """The project's undo history, so the app can undo a command-line edit too."""
    from desktop.assist.edits.undo import UndoHistory
    from desktop.core.errors import StorageError
    from desktop.core.paths import HearthPaths

    try:
        return UndoHistory.for_project(HearthPaths.from_env(), root)
    except StorageError as exc:
        log.warning("no undo history for %s: %s", root, exc)
        fail(f"the edit will not be undoable: {exc}")
        return None


# --- edit -----------------------------------------------------------------------------


def run_edit(args: argparse.Namespace, host_flag: str | None, out: TextIO) -> int:
    """Run the Edit… action on the model server, then do what ``apply-edit`` does."""
    from desktop.assist.actions import SCOPE_SELECTION, builtin_actions, resolve_context
    from desktop.assist.edits.checks import resolve_target
    from desktop.assist.edits.model import EditProposal, NoUsableEdit
    from desktop.assist.edits.service import EditService
    from desktop.cli.basic import _first_chat_model
    from desktop.cli.common import services
    from desktop.core.cancel import CancelToken
    from desktop.core.errors import ProjectError

    if not args.path.is_dir():
        fail(f"{args.path} is not a folder.")
        return EXIT_USAGE
    if not args.instruction.strip():
        fail("the instruction is empty.")
        return EXIT_USAGE
    root = args.path.resolve()
    file = args.file if args.file.is_absolute() or (root / args.file).exists() else args.file.absolute()
    try:
        target = resolve_target(root, file, args.lines)
    except ProjectError as exc:
        fail(str(exc))
        return EXIT_USAGE
    action = next((a for a in builtin_actions() if a.id == EDIT_ACTION_ID), None)
    if action is None:
        fail("the built-in Edit action is missing from this installation.")
        return EXIT_SERVER
    context = resolve_context(target.root, target.relative, scope=SCOPE_SELECTION,
                              selection_lines=args.lines, instruction=args.instruction)
    _paths, settings, _secrets, engine = services(host_flag)
    model = args.model or settings.edit_model or settings.chat_model or _first_chat_model(engine)
    cancel = CancelToken()
    proposal: EditProposal | None = None
    hooks = _plugin_hooks()
    try:
        for item in EditService(engine, hooks).stream(action, context, target, model, settings.options_for(model), cancel):
            if isinstance(item, EditProposal):
                proposal = item
    except KeyboardInterrupt:
        cancel.cancel()
        fail("interrupted; nothing was written.")
        return 130
    except NoUsableEdit as exc:
        return _no_usable_edit(exc)
    if proposal is None:  # pragma: no cover - stream always ends with a proposal or raises
        fail(f"the answer from {engine.host} held no edit.")
        return EXIT_NO_EDIT
    return _print_and_apply(proposal, args, out, hooks)

