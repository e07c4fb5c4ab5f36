"""Code actions as data: Explain, Edit…, Document, Write tests, … and plugins' own.

CONTRACT (the types are fixed; the helper that owns this file fills in the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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
