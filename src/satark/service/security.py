"""Passwords, browser sessions, CSRF tokens, personal access tokens and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

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
    "end_session",
    "hash_password",
    "revoke_token",
    "user_for_session",
    "user_for_token",
    "verify_password",
]

TOKEN_PREFIX = "satark_pat_"
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


def check_password_strength(password: str, *, username: str = "") -> None:
    """The BD guideline §6.1(ঙ) asks for strong passwords; hold our own users to it too."""
    if not storable(password):
        raise InvalidInput("the password contains a character that cannot be used (NUL or an unpaired surrogate)")
    if len(password) < 10:
        raise InvalidInput("the password must be at least 10 characters long")
    if username and username.lower() in password.lower():
        raise InvalidInput("the password must not contain the username")
    if len(set(password)) < 5:
        raise InvalidInput("the password is too repetitive")


def authenticate(session: Session, settings: Settings, username: str, password: str, *, client: str) -> User | None:
    """Check a login and record the attempt; ``None`` means refused.

    Raises 429 after too many recent failures for the username or the client. The caller
    commits even on refusal, so failed attempts count.
    """
    username = username.strip()
    if not storable(username) or not storable(password):
        raise InvalidInput("the username or password contains a character that cannot be used")
    since = utcnow() - dt.timedelta(seconds=settings.login_window_seconds)
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    )
    by_name = session.scalar(failures.where(LoginAttempt.username == username[:80])) or 0
    by_client = session.scalar(failures.where(LoginAttempt.client == client[:64])) or 0
    if by_name >= settings.login_max_failures or by_client >= settings.login_max_failures * 4:
        raise TooManyAttempts(
            "too many failed logins; wait a few minutes and try again",
            retry_after=settings.login_window_seconds,
        )
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


def user_for_session(session: Session, cookie_value: str) -> tuple[User, WebSession] | None:
    row = session.scalar(select(WebSession).options(joinedload(WebSession.user))
                         .where(WebSession.token_hash == _sha256(cookie_value)))
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    return row.user, row


def end_session(session: Session, row: WebSession) -> None:
    audit.record(session, "logout", actor=row.user)
    session.delete(row)


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
