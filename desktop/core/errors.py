"""Every failure Hearth shows a person is one of these typed errors.

Each carries a plain-language ``message`` (what happened, naming the host where there is
one) and, where useful, a ``hint`` (what to do about it). Secrets never go into either.
"""

from __future__ import annotations


class HearthError(Exception):
    """Base of all errors meant to be shown to the user."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip()


class SettingsError(HearthError):
    """The settings file could not be read or written."""


class SecretsUnavailable(HearthError):
    """No OS keychain backend is available (e.g. a headless Linux box)."""


class ProjectError(HearthError):
    """A project folder or file could not be opened."""


class StorageError(HearthError):
    """Hearth's own data (chats, index) could not be read or written."""


# --- model server errors -------------------------------------------------------------


class EngineError(HearthError):
    """A failure talking to the model server at ``host``."""

    def __init__(self, message: str, host: str, hint: str = "") -> None:
        super().__init__(message, hint)
        self.host = host


class ServerNotRunning(EngineError):
    """Nothing listens at a local host: the server is not started."""


class HostUnreachable(EngineError):
    """A remote host could not be reached (DNS, routing, refused, TLS)."""


class RequestTimedOut(EngineError):
    """The server accepted the connection but did not answer in time."""


class AuthenticationFailed(EngineError):
    """The server (or a proxy in front of it) refused our credentials: 401/403."""


class ModelNotFound(EngineError):
    """The model is not installed on the server."""

    def __init__(self, message: str, host: str, model: str, hint: str = "") -> None:
        super().__init__(message, host, hint)
        self.model = model

    @property
    def pull_command(self) -> str:
        return f"ollama pull {self.model}"


class ModelCannotChat(EngineError):
    """The model exists but does not support chat (e.g. an embedding model)."""


class OutOfMemory(EngineError):
    """The server could not load the model: not enough memory."""


class ServerBusy(EngineError):
    """The server's queue is full (503)."""


class ServerError(EngineError):
    """Any other error status or error body from the server."""


class StreamInterrupted(EngineError):
    """The answer stopped early; ``partial_text`` keeps what arrived.

    Subclasses tell why: the server sent an error line, the connection dropped, or a
    line could not be understood.
    """

    def __init__(self, message: str, host: str, partial_text: str = "", hint: str = "") -> None:
        super().__init__(message, host, hint)
        self.partial_text = partial_text


class StreamErrorLine(StreamInterrupted):
    """The server reported an error in the middle of the answer."""


class ConnectionDropped(StreamInterrupted):
    """The connection closed before the answer was complete."""


class MalformedResponse(StreamInterrupted):
    """The server sent something that is not the protocol we expect."""
