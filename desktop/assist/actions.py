"""Code actions as data: Explain, Edit…, Document, Write tests, … and plugins' own.

An action is a row of a TOML manifest: the built-ins live in
``resources/actions/builtin.toml`` and every plugin's ``plugin.toml`` uses the same
format, read by the one parser here (``parse_actions``). The UI builds its menus and
shortcuts from an ``ActionRegistry``; ``resolve_context`` turns what the user pointed at
into an ``ActionContext``; ``render_messages`` turns action + context into the messages
sent to the model.

Manifest format, one table per action::

    [[actions]]
    id = "explain"                  # lower case, unique across Hearth
    title = "Explain"               # menu text
    scopes = ["selection"]          # any of "selection", "file", "folder"
    result = "chat"                 # "chat" or "edit"
    prompt = '''Explain … {selection}'''
    shortcut = "Ctrl+E"             # optional, portable key sequence
    asks_instruction = false        # optional; true: the prompt must use {instruction}
    tip = "…"                       # optional status/tooltip text

Template variables (``TEMPLATE_VARIABLES``): ``{selection}`` the target code in a fenced
block tagged with its language, ``{code}`` the same text unfenced, ``{file}``,
``{location}`` (file, lines and symbol in words), ``{lines}``, ``{language}``,
``{symbol}``, ``{instruction}``, ``{project}``; plugins add their own through the
``context_will_be_built`` hook (``{git_diff}``). Write ``{{`` and ``}}`` for literal
braces. A variable nobody provides stays visible as ``{name}`` in the prompt.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from desktop.assist.edits.model import EditError, OutsideProject, SecretFile
from desktop.core.assets import resource_path
from desktop.core.chat import ChatMessage
from desktop.core.errors import HearthError

log = logging.getLogger(__name__)

RESULT_CHAT = "chat"  # the answer goes to the chat
RESULT_EDIT = "edit"  # the answer is an edit, reviewed as a diff

SCOPE_SELECTION = "selection"  # selected lines in the code view (or the symbol at the cursor)
SCOPE_FILE = "file"  # a file in the tree or the open file as a whole
SCOPE_FOLDER = "folder"  # a folder in the tree (the project root counts)
SCOPES = (SCOPE_SELECTION, SCOPE_FILE, SCOPE_FOLDER)


@dataclass(frozen=True)
class Action:
    """One code action. ``prompt`` is a template: ``{selection}``, ``{file}``,
    ``{language}``, ``{symbol}``, ``{instruction}``, ``{project}`` and variables
    plugins provide (``{git_diff}``)."""

    id: str
    title: str
    prompt: str
    result: str  # RESULT_CHAT | RESULT_EDIT
    scopes: tuple[str, ...]
    shortcut: str = ""  # portable key sequence, e.g. "Ctrl+I"
    asks_instruction: bool = False  # Edit…: ask the user what to change first
    tip: str = ""
    source: str = "built-in"  # or the plugin id


@dataclass(frozen=True)
class ActionContext:
    """What an action works on, resolved from the UI or the CLI.

    ``relative`` is the file relative to ``root`` (None for a folder); lines are
    1-based inclusive and cover ``text``.
    """

    root: Path
    scope: str
    relative: str | None
    text: str
    start_line: int | None = None
    end_line: int | None = None
    language: str | None = None
    symbol: str | None = None
    instruction: str = ""


# --- names -----------------------------------------------------------------------------

RESULTS = (RESULT_CHAT, RESULT_EDIT)

ADD_TO_CHAT = "add_to_chat"
ADD_FILE_TO_CHAT = "add_file_to_chat"
FILLS_CHAT_INPUT = frozenset({ADD_TO_CHAT, ADD_FILE_TO_CHAT})
"""Actions that are not sent: their rendered prompt goes into the chat box to finish."""

TEMPLATE_VARIABLES = (
    "selection", "code", "file", "location", "lines", "language", "symbol", "instruction", "project",
)
BUILTIN_MANIFEST = ("actions", "builtin.toml")
BUILTIN_SOURCE = "built-in"

SMALL_FILE_LINES = 200
"""With no selection and no symbol at the cursor, a file this short is sent whole."""

CURSOR_WINDOW_LINES = 30
"""Otherwise the lines this far above and below the cursor are sent."""

_ACTION_ID = re.compile(r"^[a-z][a-z0-9_.-]*$")
_ACTION_FIELDS = {"id", "title", "prompt", "result", "scopes", "shortcut", "asks_instruction", "tip"}
_LINE_KINDS = frozenset({"constant", "field", "macro"})  # one-liners: too small to be "the code at the cursor"
_MODIFIERS = ("ctrl", "meta", "alt", "shift")

EDIT_SYSTEM_PROMPT = (
    "You are Hearth, a coding assistant that edits code on the user's computer. "
    "You answer with code only: the complete new text of the lines you are asked to change, "
    "in one fenced code block. Never shorten unchanged code with \"...\" or comments such as "
    "\"rest unchanged\". Keep the style and indentation of the original. "
    "The user reviews your change as a diff before it is applied."
)


def fills_chat_input(action: Action) -> bool:
    """True for "Add to chat" actions: the prompt goes into the chat box, unsent."""
    return action.id in FILLS_CHAT_INPUT


# --- errors ----------------------------------------------------------------------------


class ManifestError(HearthError):
    """An action manifest (``builtin.toml`` or a plugin's ``plugin.toml``) is invalid.

    The message names the file and, where there is one, the field.
    """

    def __init__(self, path: Path | str, problem: str, field: str = "", hint: str = "") -> None:
        where = f"{path}: {field}: " if field else f"{path}: "
        super().__init__(f"{where}{problem}", hint)
        self.path = Path(path)
        self.field = field
        self.problem = problem


class ActionConflict(HearthError):
    """An action's id or shortcut is already taken."""


# --- manifests -------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    """The TOML table of a manifest file; ``ManifestError`` when unreadable or not TOML."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(path, "the manifest file is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(path, f"could not be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(path, f"is not valid TOML ({exc})") from None


def parse_actions(manifest: Mapping[str, Any], path: Path | str, source: str) -> tuple[Action, ...]:
    """The ``[[actions]]`` of a parsed manifest, validated; ``source`` goes into each.

    Raises ``ManifestError`` naming ``path`` and the field for a missing or unknown
    field, an unknown result or scope, bad template braces, or an id used twice.
    """
    tables = manifest.get("actions", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise ManifestError(path, "must be a list of [[actions]] tables", "actions")
    actions = tuple(_parse_action(table, path, index, source) for index, table in enumerate(tables))
    seen: set[str] = set()
    for action in actions:
        if action.id in seen:
            raise ManifestError(path, f"the id {action.id!r} is used twice", "actions.id")
        seen.add(action.id)
    return actions


def load_actions(path: Path, source: str) -> tuple[Action, ...]:
    """Read and validate the actions of the manifest at ``path``."""
    return parse_actions(read_manifest(path), path, source)


def builtin_actions() -> tuple[Action, ...]:
    """Hearth's own actions, from ``resources/actions/builtin.toml``."""
    return load_actions(resource_path(*BUILTIN_MANIFEST), BUILTIN_SOURCE)


def template_fields(template: str) -> tuple[str, ...]:
    """The variable names a prompt template uses; ``ValueError`` for bad braces."""
    names: list[str] = []
    for _literal, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise ValueError(f"{shown} is not a variable; use a plain name like {{selection}}, "
                             "and {{ }} for literal braces")
        names.append(name)
    return tuple(names)


def _parse_action(table: Mapping[str, Any], path: Path | str, index: int, source: str) -> Action:
    where = f"actions[{index}]"
    unknown = sorted(set(table) - _ACTION_FIELDS)
    if unknown:
        raise ManifestError(path, f"unknown field {unknown[0]!r} (known: {', '.join(sorted(_ACTION_FIELDS))})",
                            f"{where}.{unknown[0]}")
    action_id = _text_field(table, "id", path, where)
    if not _ACTION_ID.match(action_id):
        raise ManifestError(path, f"{action_id!r} is not a valid id: use lower-case letters, digits, "
                            "'_', '-' and '.', starting with a letter", f"{where}.id")
    where = f"actions[{index}] ({action_id})"
    result = _text_field(table, "result", path, where)
    if result not in RESULTS:
        raise ManifestError(path, f"unknown result {result!r} (use one of: {', '.join(RESULTS)})",
                            f"{where}.result")
    scopes = table.get("scopes")
    if scopes is None:
        raise ManifestError(path, "missing required field", f"{where}.scopes")
    if not isinstance(scopes, list) or not scopes or not all(isinstance(scope, str) for scope in scopes):
        raise ManifestError(path, "must be a non-empty list of strings", f"{where}.scopes")
    for scope in scopes:
        if scope not in SCOPES:
            raise ManifestError(path, f"unknown scope {scope!r} (use any of: {', '.join(SCOPES)})",
                                f"{where}.scopes")
    if result == RESULT_EDIT and SCOPE_FOLDER in scopes:
        raise ManifestError(path, "an edit action cannot apply to a folder; use \"selection\" or \"file\"",
                            f"{where}.scopes")
    prompt = _text_field(table, "prompt", path, where)
    try:
        fields = template_fields(prompt)
    except ValueError as exc:
        raise ManifestError(path, f"bad template: {exc}", f"{where}.prompt") from None
    asks = table.get("asks_instruction", False)
    if not isinstance(asks, bool):
        raise ManifestError(path, "must be true or false", f"{where}.asks_instruction")
    if asks and "instruction" not in fields:
        raise ManifestError(path, "the action asks for an instruction but the prompt never uses {instruction}",
                            f"{where}.prompt")
    shortcut = _text_field(table, "shortcut", path, where, required=False)
    if shortcut and not normalize_shortcut(shortcut):
        raise ManifestError(path, f"{shortcut!r} is not a key sequence like \"Ctrl+Shift+T\"",
                            f"{where}.shortcut")
    return Action(
        id=action_id,
        title=_text_field(table, "title", path, where),
        prompt=prompt,
        result=result,
        scopes=tuple(dict.fromkeys(scopes)),
        shortcut=shortcut,
        asks_instruction=asks,
        tip=_text_field(table, "tip", path, where, required=False),
        source=source,
    )


def _text_field(table: Mapping[str, Any], name: str, path: Path | str, where: str, *, required: bool = True) -> str:
    value = table.get(name)
    if value is None:
        if required:
            raise ManifestError(path, "missing required field", f"{where}.{name}")
        return ""
    if not isinstance(value, str):
        raise ManifestError(path, f"must be a string, not {type(value).__name__}", f"{where}.{name}")
    if required and not value.strip():
        raise ManifestError(path, "must not be empty", f"{where}.{name}")
    return value.strip() if name != "prompt" else value


# --- the registry ----------------------------------------------------------------------


def normalize_shortcut(shortcut: str) -> str:
    """A comparable form of a key sequence: ``"shift+Ctrl+x"`` → ``"ctrl+shift+x"``.

    Returns "" for text that is not a key sequence (no key, or a key twice).
    """
    parts = [part.strip().lower() for part in shortcut.replace(" ", "").split("+")]
    if shortcut.strip().endswith("++"):  # "Ctrl++": the key is "+"
        parts = [part for part in parts if part] + ["+"]
    aliases = {"control": "ctrl", "cmd": "ctrl", "command": "ctrl", "option": "alt", "opt": "alt"}
    parts = [aliases.get(part, part) for part in parts]
    modifiers = [part for part in parts if part in _MODIFIERS]
    keys = [part for part in parts if part not in _MODIFIERS]
    if len(keys) != 1 or not keys[0] or len(set(modifiers)) != len(modifiers):
        return ""
    return "+".join(sorted(modifiers, key=_MODIFIERS.index) + keys)


class ActionRegistry:
    """Every action Hearth offers, in the order added; ids and shortcuts are unique.

    ``reserved_shortcuts`` are keys already taken elsewhere (the window's commands): an
    action asking for one of them is refused like a duplicate.
    """

    def __init__(self, actions: Iterable[Action] = (), *, reserved_shortcuts: Iterable[str] = ()) -> None:
        self._actions: dict[str, Action] = {}
        self._shortcuts: dict[str, str] = {}
        self._reserved = {normalize_shortcut(key) for key in reserved_shortcuts} - {""}
        self.add_all(actions)

    @classmethod
    def with_builtins(cls, *, reserved_shortcuts: Iterable[str] = ()) -> "ActionRegistry":
        """A registry holding ``builtin_actions()``."""
        return cls(builtin_actions(), reserved_shortcuts=reserved_shortcuts)

    def conflict(self, action: Action) -> str:
        """Why ``action`` cannot be added ("" when it can)."""
        existing = self._actions.get(action.id)
        if existing is not None:
            return f"the action id {action.id!r} is already used by {existing.source}"
        key = normalize_shortcut(action.shortcut) if action.shortcut else ""
        if action.shortcut and not key:
            return f"{action.shortcut!r} is not a key sequence"
        if key in self._reserved:
            return f"the shortcut {action.shortcut} of {action.id!r} is taken by a Hearth command"
        if key in self._shortcuts:
            other = self._actions[self._shortcuts[key]]
            return f"the shortcut {action.shortcut} of {action.id!r} is already used by {other.id!r} ({other.source})"
        return ""

    def add(self, action: Action) -> None:
        """Add ``action``; ``ActionConflict`` when its id or shortcut is taken."""
        problem = self.conflict(action)
        if problem:
            raise ActionConflict(problem[0].upper() + problem[1:] + ".")
        self._actions[action.id] = action
        if action.shortcut:
            self._shortcuts[normalize_shortcut(action.shortcut)] = action.id

    def add_all(self, actions: Iterable[Action]) -> None:
        """Add all of ``actions`` or, on the first conflict, none of them."""
        added: list[Action] = []
        try:
            for action in actions:
                self.add(action)
                added.append(action)
        except ActionConflict:
            for action in added:
                self.remove(action.id)
            raise

    def remove(self, action_id: str) -> None:
        """Take out the action with ``action_id`` (nothing happens when there is none)."""
        action = self._actions.pop(action_id, None)
        if action is not None and action.shortcut:
            self._shortcuts.pop(normalize_shortcut(action.shortcut), None)

    def get(self, action_id: str) -> Action:
        """The action with ``action_id``; ``KeyError`` when there is none."""
        return self._actions[action_id]

    def all(self) -> tuple[Action, ...]:
        """Every action, in the order added."""
        return tuple(self._actions.values())

    def for_scope(self, scope: str) -> tuple[Action, ...]:
        """The actions that apply to ``scope`` (one of ``SCOPES``), in order."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}")
        return tuple(action for action in self._actions.values() if scope in action.scopes)

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._actions

    def __len__(self) -> int:
        return len(self._actions)


# --- what an action works on -----------------------------------------------------------


def resolve_context(
    root: Path,
    relative: str | None,
    *,
    scope: str,
    selection_lines: tuple[int, int] | None = None,
    cursor_line: int | None = None,
    index_reader: Any = None,
    instruction: str = "",
) -> ActionContext:
    """What an action on ``relative`` (a path below ``root``) works on.

    ``SCOPE_SELECTION``: the selected lines (1-based, inclusive); with no selection the
    innermost symbol around ``cursor_line`` found through ``index_reader`` (anything
    with ``symbols_in_file(path)``, e.g. ``IndexReader``), else the whole file when it is
    short, else the lines around the cursor. ``SCOPE_FILE``: the whole file.
    ``SCOPE_FOLDER``: a folder (``relative`` None or "" for the project root); no text.

    Raises ``OutsideProject`` for a path leading out of ``root``, ``SecretFile`` for a
    file the index treats as secret (by name or a private key inside), ``EditError`` for
    a missing, binary or unreadable file or lines outside it.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")
    root = Path(root).expanduser().resolve()
    if scope == SCOPE_FOLDER:
        return _folder_context(root, relative, instruction)
    if not relative:
        raise EditError("No file was given for the action.")
    from desktop.index.files import text_lines

    path, relative = _inside(root, relative)
    text = _read_for_model(path, relative)
    lines = text_lines(text)
    language = _language(relative, text)
    base = ActionContext(root=root, scope=scope, relative=relative, text=text, language=language,
                         instruction=instruction)
    if scope == SCOPE_FILE or not lines:
        return _with_lines(base, lines, 1, len(lines)) if lines else base
    if selection_lines is not None:
        start, end = _check_range(selection_lines, len(lines), relative)
        symbol = _enclosing_symbol(index_reader, relative, start, end)
        return _with_lines(base, lines, start, end, symbol.name if symbol else None)
    if cursor_line is not None and index_reader is not None:
        symbol = _enclosing_symbol(index_reader, relative, cursor_line, cursor_line)
        if symbol is not None:
            return _with_lines(base, lines, max(1, symbol.start_line), min(len(lines), symbol.end_line),
                               symbol.name)
    if len(lines) <= SMALL_FILE_LINES:
        return _with_lines(base, lines, 1, len(lines))
    cursor = min(max(cursor_line or 1, 1), len(lines))
    start = max(1, cursor - CURSOR_WINDOW_LINES)
    return _with_lines(base, lines, start, min(len(lines), cursor + CURSOR_WINDOW_LINES))


def _folder_context(root: Path, relative: str | None, instruction: str) -> ActionContext:
    if relative in (None, "", "."):
        return ActionContext(root=root, scope=SCOPE_FOLDER, relative=None, text="", instruction=instruction)
    path, relative = _inside(root, relative)
    if not path.is_dir():
        raise EditError(f"{relative} is not a folder.")
    return ActionContext(root=root, scope=SCOPE_FOLDER, relative=relative, text="", instruction=instruction)


def _inside(root: Path, relative: str) -> tuple[Path, str]:
    """The resolved path of ``relative`` and its clean relative form, if inside ``root``."""
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise OutsideProject(f"{relative} is outside the project folder {root}.",
                             "Hearth only works on files inside the open project.")
    return path, path.relative_to(root).as_posix()


def _read_for_model(path: Path, relative: str) -> str:
    from desktop.index.files import decode_file, normalize_newlines, read_file_bytes
    from desktop.index.scanner import holds_private_key, is_secret_path

    refusal = (f"{relative} holds secrets, so Hearth does not send it to a model.",
               "Files like .env, credentials and private keys are always left out.")
    if is_secret_path(relative):
        raise SecretFile(*refusal)
    try:  # not read_text_file: it normalises the newlines to measure the text, then drops that
        text, _encoding = decode_file(read_file_bytes(path))
    except HearthError as exc:
        raise EditError(exc.message, exc.hint) from exc
    if holds_private_key(text.encode("utf-8", errors="replace")):
        raise SecretFile(*refusal)
    return normalize_newlines(text)


def _check_range(selection: tuple[int, int], count: int, relative: str) -> tuple[int, int]:
    start, end = selection
    if start < 1 or end < start or start > count:
        raise EditError(f"Lines {start}-{end} are not in {relative} (it has {count} lines).")
    return start, min(end, count)  # a selection ending past the last newline counts to the end


def _enclosing_symbol(index_reader: Any, relative: str, start: int, end: int) -> Any:
    """The innermost indexed symbol spanning ``start..end``, or None."""
    if index_reader is None:
        return None
    try:
        symbols = index_reader.symbols_in_file(relative)
    except sqlite3.Error as exc:  # a damaged or busy index: the action still works without a symbol
        log.info("no symbols for %s from the index: %s", relative, exc)
        return None
    rows = [row for row in symbols
            if row.start_line <= start and end <= row.end_line and row.kind not in _LINE_KINDS]
    return min(rows, key=lambda row: row.end_line - row.start_line, default=None)


def _with_lines(
    base: ActionContext, lines: list[str], start: int, end: int, symbol: str | None = None
) -> ActionContext:
    return ActionContext(root=base.root, scope=base.scope, relative=base.relative,
                         text="\n".join(lines[start - 1:end]), start_line=start, end_line=end,
                         language=base.language, symbol=symbol, instruction=base.instruction)


def _language(relative: str, text: str) -> str | None:
    from desktop.index.languages import language_for_file

    return language_for_file(relative, text)  # the text tells Objective-C's .m from MATLAB's


# --- prompts ---------------------------------------------------------------------------


def template_values(context: ActionContext) -> dict[str, str]:
    """The built-in template variables for ``context`` (see ``TEMPLATE_VARIABLES``)."""
    file = context.relative or "."
    return {
        "selection": fenced(context.text, fence_tag(context)),
        "code": context.text,
        "file": file,
        "location": describe_location(context),
        "lines": _lines_text(context),
        "language": context.language or "text",
        "symbol": context.symbol or "",
        "instruction": context.instruction.strip(),
        "project": context.root.name,
    }


def render_template(template: str, values: Mapping[str, str]) -> str:
    """``template`` with its ``{name}`` variables replaced; unknown ones stay as they are."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:  # an action made in code with stray braces: send it as written
        return template
    out: list[str] = []
    for literal, name, spec, conversion in parts:
        out.append(literal)
        if name is None:
            continue
        if name in values and not spec and not conversion:
            out.append(values[name])
        else:
            out.append("{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}")
    return "".join(out)


def render_prompt(action: Action, context: ActionContext, variables: Mapping[str, str] | None = None) -> str:
    """The user message of ``action`` on ``context``: its template filled in and, for an
    edit, the instruction on how to answer. ``variables`` (from hooks) add to or override
    the built-in ones."""
    values = template_values(context)
    values.update(variables or {})
    text = render_template(action.prompt, values).strip()
    if action.result == RESULT_EDIT:
        text = f"{text}\n\n{edit_answer_instruction(context)}"
    return text


def render_messages(
    action: Action, context: ActionContext, variables: Mapping[str, str] | None = None
) -> list[ChatMessage]:
    """The system and user messages for ``action`` on ``context``.

    Chat actions get Hearth's chat system prompt; edit actions a short one that asks for
    code only, and a user message ending with exactly which lines to answer with.
    """
    if action.result == RESULT_EDIT:
        system = EDIT_SYSTEM_PROMPT
    else:
        from desktop.assist.prompts import system_prompt

        system = system_prompt()
    return [ChatMessage("system", system), ChatMessage("user", render_prompt(action, context, variables))]


def edit_answer_instruction(context: ActionContext) -> str:
    """How an edit's answer must look: the complete new text of exactly the target lines."""
    tag = fence_tag(context) or "text"
    file = context.relative or "the file"
    if context.start_line is not None and context.end_line is not None:
        what = (f"the complete new text of lines {context.start_line}-{context.end_line} of {file} "
                "(the code shown above)")
    else:
        what = f"the complete new text of {file}"
    return (
        f"Answer with {what} as one fenced code block that starts with ```{tag}. "
        "Include every line of it, changed or not; never write \"...\" for unchanged code. "
        "Keep the original indentation. No explanation before or after the block."
    )


def describe_location(context: ActionContext) -> str:
    """Where the code is, in words: ``src/app.py, lines 10-24 (`load`)``."""
    if context.relative is None:
        return f"the project folder {context.root.name}"
    text = context.relative
    if context.scope == SCOPE_FOLDER:
        return f"the folder {text}"
    lines = _lines_text(context)
    if lines and context.scope == SCOPE_SELECTION:
        text += f", lines {lines}"
    if context.symbol:
        text += f" (`{context.symbol}`)"
    return text


def fence_tag(context: ActionContext) -> str:
    """The Markdown code-fence language tag for the context's file ("" when unknown)."""
    if context.language:
        from desktop.index.languages import markdown_tag

        return markdown_tag(context.language)
    suffix = Path(context.relative or "").suffix.lstrip(".").lower()
    return suffix if suffix.isalnum() else ""


def fenced(text: str, tag: str = "") -> str:
    """``text`` in a Markdown code block, with a fence longer than any run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{tag}\n{text}\n{fence}"


def _lines_text(context: ActionContext) -> str:
    if context.start_line is None or context.end_line is None:
        return ""
    if context.start_line == context.end_line:
        return str(context.start_line)
    return f"{context.start_line}-{context.end_line}"
