"""A model's answer becomes an edit proposal: parsed, checked, ready for review."""

from __future__ import annotations

from desktop.assist.edits.checks import line_count, read_checked_snapshot, syntax_problems
from desktop.assist.edits.files import with_trailing_newline
from desktop.assist.edits.model import EditProposal, EditTarget, FileChangedOnDisk, NoUsableEdit
from desktop.assist.edits.parse import parse_response


def propose_edit(
    target: EditTarget, response: str, action_id: str = "", *, place_fragments: bool = False
) -> EditProposal:
    """Turn ``response`` (a model's raw answer) into a proposal against the file as it is now.

    The file is read once (its hash is the proposal's base, checked for a private key),
    the answer parsed for the target's lines (or the whole file), the trailing newline
    kept as the file has it, and the syntax errors the edit would introduce are listed.
    Raises ``NoUsableEdit`` when the answer holds no code or changes nothing,
    ``SecretFile`` when the file now holds a private key, ``EditError`` when it cannot
    be read as text, ``FileChangedOnDisk`` when the target lines no longer exist.
    ``place_fragments``: see ``parse_response`` (for code blocks applied from the chat).
    """
    snapshot = read_checked_snapshot(target)
    region = None
    if target.has_region:
        region = (int(target.start_line or 0), int(target.end_line or 0))
        if region[1] > line_count(snapshot.text):
            raise FileChangedOnDisk(
                f"{target.relative} has fewer lines than the selection {region[0]}-{region[1]} now.",
                "Select the code again and re-run the action.",
            )
    parsed = parse_response(response, snapshot.text, region, place_fragments=place_fragments)
    new_text = with_trailing_newline(parsed.new_text, snapshot.format)
    if new_text == snapshot.text:
        raise NoUsableEdit(f"The answer does not change {target.relative}.", "unchanged")
    return EditProposal(
        target=target,
        base=snapshot,
        new_text=new_text,
        method=parsed.method,
        notes=parsed.notes,
        syntax_problems=syntax_problems(target.path, snapshot.text, new_text),
        action_id=action_id,
    )
