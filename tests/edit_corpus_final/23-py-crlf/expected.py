import hashlib
import hmac
import secrets
import time

SESSION_TTL = 3600


class SessionStore:
    def __init__(self, secret: bytes):
        self._secret = secret
        self._sessions: dict[str, dict] = {}

    def _sign(self, token: str) -> str:
        mac = hmac.new(self._secret, token.encode(), hashlib.sha256)
        return f"{token}.{mac.hexdigest()}"

    def create(self, user_id: int) -> str:
        token = secrets.token_urlsafe(24)
        self._sessions[token] = {"user": user_id, "created": time.time()}
        return self._sign(token)

    def lookup(self, signed: str) -> int | None:
        token, _, mac = signed.partition(".")
        if not hmac.compare_digest(self._sign(token), signed):
            return None
        session = self._sessions.get(token)
        if session is None or time.time() - session["created"] > SESSION_TTL:
            self._sessions.pop(token, None)
            return None
        return session["user"]
