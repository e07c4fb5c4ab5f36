"""The points where plugins may take part, seen from the assist layer.

The assist layer calls these; ``desktop.plugins`` supplies an implementation that runs
every loaded plugin's hooks (and survives a hook that raises). ``NO_HOOKS`` is the
default when no plugins are loaded. Hook names follow ``noun_will_verb`` /
``noun_did_verb``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from desktop.assist.actions import Action, ActionContext
from desktop.assist.edits.model import AppliedEdit
from desktop.core.chat import ChatMessage


class Hooks:
    """Hooks that change nothing; subclass and override what you take part in."""

    def context_will_be_built(self, action: Action, context: ActionContext) -> Mapping[str, str]:
        """Extra template variables for ``action`` (e.g. ``git_diff``)."""
        return {}

    def prompt_will_be_sent(self, action: Action | None, messages: Sequence[ChatMessage]) -> list[ChatMessage]:
        """The messages about to go to the model (``action`` is None for a plain chat turn)."""
        return list(messages)

    def edit_did_apply(self, applied: AppliedEdit) -> None:
        """An edit was written to disk."""


NO_HOOKS = Hooks()
