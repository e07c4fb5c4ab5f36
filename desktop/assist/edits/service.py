"""Running an edit action against the model: stream the answer, then propose the edit."""

from __future__ import annotations

from typing import Iterator

from desktop.assist.actions import Action, ActionContext, render_messages
from desktop.assist.edits.model import EditError, EditProposal, EditTarget
from desktop.assist.edits.propose import propose_edit
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatDone, ChatOptions, TextDelta
from desktop.engine.base import Engine


class EditService:
    """Asks the model for an edit and turns the answer into an ``EditProposal``."""

    def __init__(self, engine: Engine, hooks: Hooks = NO_HOOKS) -> None:
        self.engine = engine
        self.hooks = hooks

    def stream(
        self,
        action: Action,
        context: ActionContext,
        target: EditTarget,
        model: str,
        options: ChatOptions,
        cancel: CancelToken,
    ) -> Iterator[TextDelta | EditProposal]:
        """Yield the answer's ``TextDelta``s as they arrive, then one ``EditProposal``.

        The prompt is the action's, with the variables plugins add, as plugins may
        rewrite it. Raises ``NoUsableEdit`` when the answer holds no usable edit,
        ``EditError`` when the answer was cut at the length limit (a cut answer would
        delete the rest of the region), engine errors as they come, ``Cancelled``.
        """
        variables = self.hooks.context_will_be_built(action, context)
        messages = render_messages(action, context, variables)
        messages = self.hooks.prompt_will_be_sent(action, messages)
        parts: list[str] = []
        for event in self.engine.chat(model, messages, options, cancel):
            if isinstance(event, TextDelta):
                parts.append(event.text)
                yield event
            elif isinstance(event, ChatDone) and event.stats.truncated:
                raise EditError(
                    f"The answer from {model} was cut at the length limit (num_ctx {options.num_ctx}); "
                    "no edit was made from it.",
                    "Select less code, or give the model a larger context in the settings.",
                )
        cancel.raise_if_cancelled()
        yield propose_edit(target, "".join(parts), action.id)
