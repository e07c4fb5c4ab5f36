"""Chat data that crosses layer boundaries: messages, options, streamed events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a conversation as sent to the model."""

    role: Role
    content: str


@dataclass(frozen=True)
class ChatOptions:
    """Sampling and context options sent with every request.

    ``num_ctx`` is always sent: Ollama silently truncates prompts longer than its
    default context, which differs between server versions.
    """

    num_ctx: int = 8192
    temperature: float = 0.2
    think: bool | None = None


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer's visible text."""

    text: str


@dataclass(frozen=True)
class ThinkingDelta:
    """A piece of a thinking model's reasoning, shown collapsed."""

    text: str


@dataclass(frozen=True)
class ChatStats:
    """Token counts and timings from the final chunk (durations in nanoseconds)."""

    done_reason: str = "stop"
    prompt_eval_count: int = 0
    eval_count: int = 0
    total_duration_ns: int = 0
    load_duration_ns: int = 0
    prompt_eval_duration_ns: int = 0
    eval_duration_ns: int = 0

    @property
    def tokens_per_second(self) -> float:
        if self.eval_duration_ns <= 0:
            return 0.0
        return self.eval_count / self.eval_duration_ns * 1e9

    @property
    def truncated(self) -> bool:
        """True when generation stopped at the length limit."""
        return self.done_reason == "length"


@dataclass(frozen=True)
class ChatDone:
    """The last event of a complete answer."""

    model: str
    stats: ChatStats = field(default_factory=ChatStats)


ChatEvent = Union[TextDelta, ThinkingDelta, ChatDone]
