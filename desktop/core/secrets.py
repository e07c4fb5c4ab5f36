"""Bearer tokens for remote model servers, stored only in the OS keychain.

Tokens never go to settings files, logs or error messages. Where no keychain backend
exists (a headless Linux box without Secret Service), ``available`` is False, the
reason says so plainly, and Hearth keeps working without a stored token.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from desktop.core.errors import SecretsUnavailable

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "Hearth"
NO_KEYCHAIN = (
    "No system keychain is available on this machine, so Hearth cannot store a token. "
    "Hearth works without one; to use a token, install a keychain service "
    "(e.g. GNOME Keyring or KWallet on Linux)."
)


def _backend_usable(backend: "KeyringBackend") -> bool:
    # The fail backend and the "null" backends have a priority of 0 or less.
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a broken backend is simply not usable
        return False


class SecretStore:
    """Per-host tokens in the keychain under the service name ``Hearth``.

    The keychain backend is found on first use, not at construction: importing keyring
    and probing its backends takes ~0.1 s that the app's start-up should not pay.
    """

    def __init__(self, backend: "KeyringBackend | None" = None) -> None:
        self._given_backend = backend
        self._lock = threading.Lock()

    @property
    def _backend(self) -> "KeyringBackend":
        with self._lock:
            if self._given_backend is None:
                import keyring

                self._given_backend = keyring.get_keyring()
            return self._given_backend

    @property
    def available(self) -> bool:
        return _backend_usable(self._backend)

    @property
    def unavailable_reason(self) -> str:
        return "" if self.available else NO_KEYCHAIN

    def get_token(self, host: str) -> str | None:
        """The token stored for ``host``, or None (also when no keychain exists)."""
        if not self.available:
            return None
        from keyring.errors import KeyringError

        try:
            return self._backend.get_password(SERVICE, host) or None
        except KeyringError as exc:
            log.warning("keychain read failed for %s: %s", host, type(exc).__name__)
            return None

    def set_token(self, host: str, token: str) -> None:
        """Store (or with an empty token, remove) the token for ``host``."""
        from keyring.errors import KeyringError

        if not self.available:
            raise SecretsUnavailable(NO_KEYCHAIN)
        try:
            if token:
                self._backend.set_password(SERVICE, host, token)
            else:
                self.delete_token(host)
        except KeyringError as exc:
            raise SecretsUnavailable(
                f"The system keychain refused to store the token ({type(exc).__name__})."
            ) from None

    def delete_token(self, host: str) -> None:
        from keyring.errors import KeyringError, PasswordDeleteError

        if not self.available:
            return
        try:
            self._backend.delete_password(SERVICE, host)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            log.warning("keychain delete failed for %s: %s", host, type(exc).__name__)
