"""Who is signed in: password or token sign-in, signed session cookies, CSRF, rate limit.

A session is a cookie signed with the console's ``secret_key`` (itsdangerous, timed): it
holds the user's name, role and the session's CSRF token, nothing secret. Every form
carries that CSRF token and every POST must send it back (the JSON API: ``X-CSRF-Token``).
Failed sign-ins are counted per address and per user name; past the limit in the window,
sign-in answers 429 whatever the password.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crmbridge.config import ConsoleConfig

COOKIE = "crmbridge_session"
ROLES = ("agent", "reviewer", "admin")
# What each role may do beyond reading people's pages.
MAY = {
    "decide": {"reviewer", "admin"},
    "failures": {"admin"},
}
_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so timing does not tell names apart.
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Session:
    """A signed-in user: name, role and the CSRF token of this session."""

    user: str
    role: str
    csrf: str

    def may(self, what: str) -> bool:
        """Whether this user's role allows ``what`` (``decide``, ``failures``)."""
        return self.role in MAY.get(what, set(ROLES))


class Authenticator:
    """Checks credentials and issues and reads session cookies."""

    def __init__(self, config: ConsoleConfig) -> None:
        self.config = config
        self._signer = URLSafeTimedSerializer(
            config.secret_key.get_secret_value(), salt="crmbridge-console-session"
        )
        self._users = {u.name: u for u in config.users}

    def sign_in(self, name: str, password: str) -> Session | None:
        """A new session when the name and password (or the shared token) are right."""
        token = self.config.token
        if not name and token is not None:
            if hmac.compare_digest(password.encode(), token.get_secret_value().encode()):
                return self._new("token", self.config.token_role)
            return None
        user = self._users.get(name)
        stored = user.password_hash.get_secret_value() if user else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        return self._new(user.name, user.role) if user else None

    def _new(self, user: str, role: str) -> Session:
        return Session(user, role, secrets.token_urlsafe(24))

    def cookie(self, session: Session) -> str:
        """The signed cookie value of a session."""
        return self._signer.dumps({"u": session.user, "r": session.role, "c": session.csrf})

    def session(self, cookie: str | None) -> Session | None:
        """The session a cookie carries, or None if absent, forged or expired."""
        if not cookie:
            return None
        try:
            data = self._signer.loads(cookie, max_age=self.config.session_minutes * 60)
        except BadSignature:
            return None
        if not isinstance(data, dict) or data.get("r") not in ROLES:
            return None
        if data["u"] != "token" and data["u"] not in self._users:
            return None  # a user removed from config is signed out
        return Session(str(data["u"]), str(data["r"]), str(data["c"]))


def csrf_ok(session: Session, sent: str | None) -> bool:
    """Whether the form's (or header's) CSRF token is this session's, compared in constant time."""
    return bool(sent) and hmac.compare_digest(session.csrf.encode(), str(sent).encode())


class SignInLimit:
    """At most ``attempts`` failed sign-ins per address and per name in ``window`` seconds."""

    def __init__(self, attempts: int, window: float) -> None:
        self.attempts, self.window = attempts, window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        """Whether any of the keys (address, name) used up its attempts."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        """Count one failed sign-in against each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def _recent(self, key: str, now: float) -> deque[float]:
        seen = self._failures.setdefault(key, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen
