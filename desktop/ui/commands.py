"""Commands as data: one table builds the menus and every shortcut.

Each entry names the method that runs it, on the main window (``target="window"``)
or on the chat panel (``target="chat"``). The window puts every entry in its menus;
the chat panel binds its own entries' keys so they also work in a panel on its own.
Adding a command is one line here plus one method there. Code actions (Explain, Edit…,
plugins' actions) are not commands: they come from the action registry
(``desktop.assist.actions``) and fill the Code menu through ``desktop.ui.action_menu``;
a test checks that no key is used twice across both tables.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    """One user-visible action of the main window."""

    id: str
    title: str
    menu: str  # the top-level menu it appears in
    handler: str  # name of the MainWindow method called on trigger
    shortcuts: tuple[str, ...] = ()  # portable key sequences; the first is shown in menus
    tip: str = ""
    separator_before: bool = False
    target: str = "window"  # "window": a MainWindow method; "chat": a ChatPanel method


MENUS: tuple[str, ...] = ("&File", "&Edit", "&Code", "&View", "&Chat")
CODE_MENU = "&Code"  # filled from the action registry

COMMANDS: tuple[Command, ...] = (
    Command("file.open", "&Open Folder…", "&File", "open_folder_dialog", ("Ctrl+O",),
            "Open a project folder"),
    Command("file.recent", "Open &Recent", "&File", "", (), "Recently opened projects"),
    Command("file.quick_open", "&Quick Open File…", "&File", "quick_open", ("Ctrl+P",),
            "Open a project file by typing part of its name"),
    Command("file.external", "Open in &External Editor", "&File", "open_in_external_editor",
            ("Ctrl+Shift+E",), "Open the current file in your editor", separator_before=True),
    Command("file.settings", "&Settings…", "&File", "show_settings", ("Ctrl+,",),
            "Server, model and editor settings", separator_before=True),
    Command("file.quit", "&Quit", "&File", "close", ("Ctrl+Q",), "Quit Hearth", separator_before=True),
    Command("edit.copy", "&Copy", "&Edit", "copy_selection", ("Ctrl+C",), "Copy the selected text"),
    Command("edit.undo_applied", "&Undo Last Applied Edit", "&Edit", "undo_last_edit", ("Ctrl+Alt+Z",),
            "Put back the file as it was before the last edit Hearth applied", separator_before=True),
    Command("edit.find", "&Find in File…", "&Edit", "show_find", ("Ctrl+F",),
            "Find text in the open file", separator_before=True),
    Command("edit.find_next", "Find &Next", "&Edit", "find_next", ("F3",)),
    Command("edit.find_previous", "Find &Previous", "&Edit", "find_previous", ("Shift+F3",)),
    Command("edit.goto_line", "&Go to Line…", "&Edit", "go_to_line_dialog", ("Ctrl+G",),
            "Jump to a line of the open file"),
    Command("edit.goto_symbol", "Go to &Symbol…", "&Edit", "go_to_symbol", ("Ctrl+T",),
            "Jump to a definition of the project by typing part of its name"),
    Command("view.zoom_in", "Zoom &In", "&View", "zoom_in", ("Ctrl+=", "Ctrl++"), "Larger text"),
    Command("view.zoom_out", "Zoom &Out", "&View", "zoom_out", ("Ctrl+-",), "Smaller text"),
    Command("view.zoom_reset", "&Reset Zoom", "&View", "zoom_reset", ("Ctrl+0",), "The system's text size"),
    Command("view.focus_tree", "Focus &Project Tree", "&View", "focus_tree", ("Ctrl+1",),
            separator_before=True),
    Command("view.focus_code", "Focus Code &View", "&View", "focus_code", ("Ctrl+2",)),
    Command("view.skipped", "S&kipped Files…", "&View", "show_skipped", ("Ctrl+Shift+I",),
            "Files the index left out (secrets, binaries, huge or minified files) and why",
            separator_before=True),
    Command("chat.new", "&New Chat", "&Chat", "new_conversation", ("Ctrl+Shift+N",),
            "Start a new conversation", target="chat"),
    Command("chat.stop", "&Stop Answer", "&Chat", "stop", ("Esc",),
            "Stop the answer being written; what arrived stays", target="chat"),
    Command("chat.regenerate", "&Regenerate Answer", "&Chat", "regenerate", ("Ctrl+Shift+R",),
            "Answer the last question again", target="chat"),
    Command("chat.edit_last", "&Edit Last Question", "&Chat", "edit_last_question", ("Ctrl+Shift+Up",),
            "Put the last question back in the message box; sending replaces it", target="chat"),
    Command("chat.rename", "Re&name Chat", "&Chat", "rename_current", ("F2",),
            "Rename the current conversation", target="chat", separator_before=True),
    Command("chat.focus_model", "Choose &Model", "&Chat", "focus_model_selector", ("Ctrl+Shift+M",),
            "Move to the model selector", target="chat"),
    Command("chat.focus_list", "Conversation &List", "&Chat", "focus_conversation_list", ("Ctrl+Shift+L",),
            "Move to the list of conversations", target="chat"),
    Command("chat.check_server", "Check &Server Again", "&Chat", "check_server", ("F5",),
            "Ask the model server whether it is running", separator_before=True),
    Command("chat.models", "&Models…", "&Chat", "show_models", ("Ctrl+Shift+O",),
            "Which models fit this machine; download, remove, unload; defaults and context per model"),
)


def command(command_id: str) -> Command:
    """The command with ``command_id``; raises KeyError for an unknown id."""
    for entry in COMMANDS:
        if entry.id == command_id:
            return entry
    raise KeyError(command_id)


def commands_for(target: str) -> tuple[Command, ...]:
    """The commands run by ``target`` (``"window"`` or ``"chat"``)."""
    return tuple(entry for entry in COMMANDS if entry.target == target)
