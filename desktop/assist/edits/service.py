"""Running an edit action against the model: stream the answer, then propose the edit."""

from __future__ import annotations

from typing import Iterator

from desktop.assist.actions import Action, ActionContext, render_messages
from desktop.assist.edits.model import EditError, EditProposal, EditTarget
from desktop.assist.edits.propose import propose_edit
from desktop.assist.hooks import NO_HOOKS, Hooks
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatDone, ChatMessage, ChatOptions, TextDelta
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
        ``EditError`` when the prompt and the edited code cannot both fit the model's
        context, or the answer was cut at the length limit (a cut answer would delete
        the rest of the region), engine errors as they come, ``Cancelled``.
        """
        variables = self.hooks.context_will_be_built(action, context)
        messages = render_messages(action, context, variables)
        messages = self.hooks.prompt_will_be_sent(action, messages)
        _ensure_it_fits(messages, context, model, options)
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


def _ensure_it_fits(messages: list[ChatMessage], context: ActionContext, model: str, options: ChatOptions) -> None:
    """Refuse before sending when the prompt and an answer that rewrites the code cannot
    both fit ``num_ctx``: the server would silently cut the prompt's start, rules included."""
    from desktop.assist.context import raw_prompt_tokens
    from desktop.index.tokens import estimate_tokens

    prompt, answer = raw_prompt_tokens(messages), estimate_tokens(context.text)
    if prompt + answer <= options.num_ctx:
        return
    raise EditError(
        f"This is too much code for one edit with {model}: the request takes about {prompt:,} tokens "
        f"and the edited code about {answer:,} more, but its context holds {options.num_ctx:,}.",
        "Select fewer lines, or give the model a larger context length in the settings.",
    )
