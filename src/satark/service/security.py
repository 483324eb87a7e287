"""Passwords, browser sessions, CSRF tokens, personal access tokens and login throttling.

Password policy: 12 to 128 characters (the same bounds at creation and at login), not one
of the common passwords bundled in ``data/common-passwords.txt``, not the username.

Throttling backs off exponentially per (username, address), per address and per username,
each with its own threshold, so one attacker can slow down guesses at an account from
their address without locking its owner, or anyone else, out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
from functools import cache
from importlib.resources import files
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from . import audit
from .errors import InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from .models import ApiToken, LoginAttempt, User, WebSession, by_id, storable, utcnow
from .settings import Settings

__all__ = [
    "TOKEN_PREFIX",
    "authenticate",
    "check_password_strength",
    "create_session",
    "create_token",
    "csrf_matches",
    "end_all_sessions",
    "end_session",
    "hash_password",
    "revoke_token",
    "user_for_session",
    "user_for_token",
    "verify_password",
]

TOKEN_PREFIX = "satark_pat_"
MIN_PASSWORD = 12
#: Also the login form's limit, so every password that can be set can be used to log in.
MAX_PASSWORD = 128
#: Backoff of a throttled login key: this many seconds, doubling with each further failure.
BACKOFF_BASE_SECONDS = 30
_hasher = PasswordHasher()
# A real hash to verify against when the username is unknown, so a wrong username and a
# wrong password take the same time and cannot be told apart.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (lowercase), read once."""
    text = files("satark.service").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _is_common(password: str) -> bool:
    lowered = password.lower()
    # "password2026!" is "password" with a suffix everyone adds; check the stem too.
    stem = lowered.rstrip("0123456789!@#$%^&*.?_- ")
    known = common_passwords()
    return lowered in known or stem in known


def check_password_strength(password: str, *, username: str = "") -> None:
    """The BD guideline §6.1(ঙ) asks for strong passwords; hold our own users to it too."""
    if not storable(password):
        raise InvalidInput("the password contains a character that cannot be used (NUL or an unpaired surrogate)")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD} characters long", field="password")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"the password must be at most {MAX_PASSWORD} characters long", field="password")
    if username and username.lower() in password.lower():
        raise InvalidInput("the password must not contain the username", field="password")
    if len(set(password)) < 5:
        raise InvalidInput("the password is too repetitive", field="password")
    if _is_common(password):
        raise InvalidInput("the password is on the list of commonly used passwords; choose another",
                           field="password")


def _retry_after(session: Session, settings: Settings, threshold: int, *conditions: Any) -> int:
    """Seconds until the next attempt is allowed for one throttling key (0: now).

    Failures count within the window and since the key's last success; at ``threshold``
    failures the wait is BACKOFF_BASE_SECONDS, doubling with each further one, up to the window.
    """
    now = utcnow()
    since = now - dt.timedelta(seconds=settings.login_window_seconds)
    last_ok = session.scalar(select(func.max(LoginAttempt.at)).where(LoginAttempt.success.is_(True), *conditions))
    if last_ok is not None and last_ok > since:
        since = last_ok
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at))
        .where(LoginAttempt.success.is_(False), LoginAttempt.at > since, *conditions)
    ).one()
    if not count or count < threshold or last is None:
        return 0
    delay = min(settings.login_window_seconds, BACKOFF_BASE_SECONDS * 2 ** min(count - threshold, 20))
    wait = (last + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(wait))


def authenticate(session: Session, settings: Settings, username: str, password: str, *, client: str) -> User | None:
    """Check a login and record the attempt; ``None`` means refused.

    Raises 429 (with the seconds to wait) while a throttling key backs off: the username
    from this address after ``login_max_failures`` failures, the address after four times
    as many, the username from anywhere after ten times as many. The caller commits even on
    refusal, so failed attempts count.
    """
    username = username.strip()
    if not storable(username) or not storable(password):
        raise InvalidInput("the username or password contains a character that cannot be used")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password is at most {MAX_PASSWORD} characters long")
    name, addr = LoginAttempt.username == username[:80], LoginAttempt.client == client[:64]
    limit = settings.login_max_failures
    wait = max(_retry_after(session, settings, limit, name, addr), _retry_after(session, settings, limit * 4, addr),
               _retry_after(session, settings, limit * 10, name))
    if wait:
        raise TooManyAttempts("too many failed logins; wait a few minutes and try again", retry_after=wait)
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(username=username[:80], client=client[:64], success=ok))
    if not ok or user is None:
        audit.record(session, "login_failed", actor=None, details={"username": username[:80], "client": client})
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, "login", actor=user, details={"client": client})
    return user


def create_session(session: Session, settings: Settings, user: User) -> tuple[str, WebSession]:
    """Return the cookie value (never stored) and the session row."""
    value = secrets.token_urlsafe(32)
    row = WebSession(
        token_hash=_sha256(value),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + dt.timedelta(hours=settings.session_hours),
    )
    session.add(row)
    session.flush()
    return value, row


def user_for_session(
    session: Session, cookie_value: str, *, idle_minutes: int | None = None, touch: bool = False
) -> tuple[User, WebSession] | None:
    """The session's user; None when unknown, expired, idle for longer than ``idle_minutes``
    or the user is deactivated. ``touch`` records the use (at most once a minute)."""
    row = session.scalar(select(WebSession).options(joinedload(WebSession.user))
                         .where(WebSession.token_hash == _sha256(cookie_value)))
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    seen = row.last_seen_at or row.created_at
    if idle_minutes and now - seen > dt.timedelta(minutes=idle_minutes):
        return None
    if touch and now - seen > dt.timedelta(minutes=1):
        row.last_seen_at = now
    return row.user, row


def end_session(session: Session, row: WebSession) -> None:
    audit.record(session, "logout", actor=row.user)
    session.delete(row)


def end_all_sessions(session: Session, user: User, *, keep: WebSession | None = None,
                     tokens: bool = True) -> tuple[int, int]:
    """Log ``user`` out everywhere: delete their browser sessions (but ``keep``) and revoke
    their access tokens. Returns (sessions ended, tokens revoked); the caller audits."""
    rows = list(session.scalars(select(WebSession).where(WebSession.user_id == user.id)))
    ended = 0
    for row in rows:
        if keep is None or row.id != keep.id:
            session.delete(row)
            ended += 1
    revoked = 0
    if tokens:
        now = utcnow()
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))):
            token.revoked_at = now
            revoked += 1
    session.flush()
    return ended, revoked


def csrf_matches(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def create_token(session: Session, user: User, name: str) -> tuple[str, ApiToken]:
    """Return the token (shown once, never stored) and its row."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a token needs a name of 1-100 characters")
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_sha256(value), prefix=value[: len(TOKEN_PREFIX) + 6])
    session.add(row)
    session.flush()
    audit.record(session, "token_created", actor=user, object_type="token", object_id=row.id,
                 details={"name": name, "prefix": row.prefix})
    return value, row


def user_for_token(session: Session, value: str, *, touch: bool = True) -> User:
    if not value.startswith(TOKEN_PREFIX):
        raise NotAuthenticated("not a Satark access token")
    # One query for token and user: this runs on every API request.
    row = session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                         .where(ApiToken.token_hash == _sha256(value)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        raise NotAuthenticated("the access token is unknown or revoked")
    now = utcnow()
    # Record use at most once a minute, so a busy client does not write on every request.
    if touch and (row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=1)):
        row.last_used_at = now
    return row.user


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    row = by_id(session, ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "token_revoked", actor=user, object_type="token", object_id=row.id,
                     details={"name": row.name})
    return row
