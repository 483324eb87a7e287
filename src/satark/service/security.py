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
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from . import audit
from .errors import InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from .models import ApiToken, LoginAttempt, PendingLogin, User, WebSession, by_id, storable, utcnow
from .settings import Settings

__all__ = [
    "CODE_NEEDED",
    "CODE_WRONG",
    "TOKEN_PREFIX",
    "CurrentPassword",
    "NewPassword",
    "PasswordCheck",
    "SecondFactor",
    "SecondFactorRequired",
    "authenticate",
    "check_password",
    "check_password_strength",
    "check_throttle",
    "create_session",
    "create_token",
    "csrf_matches",
    "end_all_sessions",
    "end_session",
    "hash_password",
    "new_password",
    "record_login",
    "record_use",
    "revoke_token",
    "session_touch_due",
    "token_for",
    "touch_due",
    "user_for_session",
    "user_for_token",
    "verify_current",
    "verify_password",
]

TOKEN_PREFIX = "satark_pat_"
MIN_PASSWORD = 12
#: Also the login form's limit, so every password that can be set can be used to log in.
MAX_PASSWORD = 128
#: Backoff of a throttled login key: this many seconds, doubling with each further failure.
BACKOFF_BASE_SECONDS = 30
#: A session's or token's last use is written at most this often, so that a busy client
#: does not write on every request, and reads need no write unit in the common case.
TOUCH_EVERY = dt.timedelta(minutes=1)
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
    """Check a login and record the attempt, in one unit of work; ``None`` means refused.

    Raises 429 (with the seconds to wait) while a throttling key backs off: the username
    from this address after ``login_max_failures`` failures, the address after four times
    as many, the username from anywhere after ten times as many. The caller commits even on
    refusal, so failed attempts count.

    The service's routes split it in two, :func:`check_password` in a read unit and
    :func:`record_login` in a write unit, so that the password hash (argon2: a tenth of a
    second of CPU) is never computed while holding the database's write lock.
    """
    return record_login(session, settings, check_password(session, settings, username, password, client=client),
                        client=client)


#: The answer to a right password without the code that the account needs ...
CODE_NEEDED = "this account uses two-step sign-in: give the 6-digit code from the authenticator app, or a recovery code"
#: ... and to one with a wrong code.
CODE_WRONG = "the two-step sign-in code is wrong, expired or already used"


class SecondFactorRequired(NotAuthenticated):
    """The password is right, but the account uses two-step sign-in and the code was missing or
    wrong (401; the API's answer says ``totp_required``)."""

    code = "totp_required"

    def __init__(self, message: str) -> None:
        super().__init__(message, totp_required=True)


class SecondFactor(Protocol):
    """The second step of a login, checked in the read unit (``totp.CodeCheck``)."""

    @property
    def kind(self) -> str:
        """What it was, for the audit trail: ``totp`` or ``recovery_code``."""
        ...

    def confirm(self, session: Session, user: User) -> bool:
        """In the write unit: whether it still holds, using it up (a code's time step, a
        recovery code), so that two logins racing with one code cannot both succeed."""
        ...


@dataclass(frozen=True)
class PasswordCheck:
    """A login's password, verified (:func:`check_password`) but not yet recorded."""

    username: str
    user_id: int | None
    #: The hash the password was verified against: the login fails if it changed meanwhile.
    verified_hash: str
    ok: bool
    #: The password hashed again with the current parameters, when the stored hash is older.
    new_hash: str | None = None
    #: The password is right and the account uses two-step sign-in: a code must follow.
    needs_second_factor: bool = False
    #: The code that came with the login, checked (``totp.check_login``).
    second_factor: SecondFactor | None = None


@dataclass(frozen=True)
class NewPassword:
    """A new password, checked against the policy and hashed by :func:`new_password` before the
    write unit that stores it. argon2 takes tens of milliseconds on purpose; inside a write
    unit (on SQLite, the one write lock) every other writer would wait for it."""

    #: the user it was checked for (the policy refuses a password holding the username)
    username: str
    hash: str = field(repr=False)


def new_password(password: str, *, username: str) -> NewPassword:
    """:func:`check_password_strength`, then the hash: for outside any write unit."""
    check_password_strength(password, username=username)
    return NewPassword(username, hash_password(password))


@dataclass(frozen=True)
class CurrentPassword:
    """A user's password, verified by :func:`verify_current` before the write unit. The write
    unit accepts it only while the user's hash is still the one it was verified against."""

    user_id: int
    verified_hash: str = field(repr=False)
    ok: bool

    def still_holds(self, user: User) -> bool:
        """In the write unit: right, for ``user``, and the password not changed meanwhile."""
        return self.ok and self.user_id == user.id and user.password_hash == self.verified_hash


def verify_current(user: User, password: str) -> CurrentPassword:
    """Verify ``user``'s password (for outside any write unit: see :class:`CurrentPassword`)."""
    return CurrentPassword(user.id, user.password_hash, verify_password(user.password_hash, password[:MAX_PASSWORD]))


def check_throttle(session: Session, settings: Settings, username: str, client: str) -> None:
    """429 while a throttling key of this username and address backs off (see :func:`authenticate`)."""
    _throttle(session, settings, username, client)


def _throttle(session: Session, settings: Settings, username: str, client: str) -> None:
    name, addr = LoginAttempt.username == username[:80], LoginAttempt.client == client[:64]
    limit = settings.login_max_failures
    wait = max(_retry_after(session, settings, limit, name, addr), _retry_after(session, settings, limit * 4, addr),
               _retry_after(session, settings, limit * 10, name))
    if wait:
        raise TooManyAttempts("too many failed logins; wait a few minutes and try again", retry_after=wait)


def check_password(session: Session, settings: Settings, username: str, password: str, *,
                   client: str) -> PasswordCheck:
    """The first half of :func:`authenticate`, for a read unit: refuse bad input and throttled
    keys (429), then verify the password. Nothing is recorded yet."""
    username = username.strip()
    if not storable(username) or not storable(password):
        raise InvalidInput("the username or password contains a character that cannot be used")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password is at most {MAX_PASSWORD} characters long")
    _throttle(session, settings, username, client)
    user = session.scalar(select(User).where(User.username == username))
    verified_hash = user.password_hash if user else _DUMMY_HASH
    ok = verify_password(verified_hash, password) and user is not None and user.is_active
    new_hash = hash_password(password) if ok and _hasher.check_needs_rehash(verified_hash) else None
    second = ok and user is not None and user.totp_enabled_at is not None
    return PasswordCheck(username, user.id if user else None, verified_hash, ok, new_hash, needs_second_factor=second)


def record_login(session: Session, settings: Settings, check: PasswordCheck, *, client: str) -> User | None:
    """The second half of :func:`authenticate`, for the write unit: count the attempt and audit
    it; the user when the login succeeds. The throttles are checked again, so attempts that
    were recorded meanwhile count, and a password or account that changed meanwhile fails.

    An account with two-step sign-in (``totp.py``) also needs ``check.second_factor``, confirmed
    here (a wrong code counts as a failed login); without one this raises
    :class:`SecondFactorRequired` and records nothing, so a caller that forgets the code fails
    closed."""
    _throttle(session, settings, check.username, client)
    user = session.get(User, check.user_id) if check.user_id is not None else None
    ok = check.ok and user is not None and user.is_active and user.password_hash == check.verified_hash
    reason = ""
    if ok and user is not None and user.totp_enabled_at is not None:
        if check.second_factor is None:
            raise SecondFactorRequired(CODE_NEEDED)
        if not check.second_factor.confirm(session, user):
            ok, reason = False, "wrong_code"
    session.add(LoginAttempt(username=check.username[:80], client=client[:64], success=ok))
    if not ok or user is None:
        details = {"username": check.username[:80], "client": client} | ({"reason": reason} if reason else {})
        audit.record(session, "login_failed", actor=None, details=details)
        return None
    if check.new_hash is not None:
        user.password_hash = check.new_hash
    second = {"second_factor": check.second_factor.kind} if check.second_factor is not None and \
        user.totp_enabled_at is not None else {}
    audit.record(session, "login", actor=user, details={"client": client} | second)
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


def touch_due(last_use: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """Whether a use after ``last_use`` is to be written down (at most once a minute)."""
    return last_use is None or (now or utcnow()) - last_use > TOUCH_EVERY


def _seen(row: WebSession) -> dt.datetime:
    return row.last_seen_at or row.created_at


def user_for_session(
    session: Session, cookie_value: str, *, idle_minutes: int | None = None, touch: bool = False
) -> tuple[User, WebSession] | None:
    """The session's user; None when unknown, expired, idle for longer than ``idle_minutes``
    or the user is deactivated. ``touch`` records the use (at most once a minute) on the row,
    for a write unit; a read unit uses :func:`record_use` when :func:`touch_due` says so."""
    row = session.scalar(_SESSION_QUERY, {"token_hash": _sha256(cookie_value)})
    now = utcnow()
    if row is None or row.expires_at <= now or not row.user.is_active:
        return None
    seen = _seen(row)
    if idle_minutes and now - seen > dt.timedelta(minutes=idle_minutes):
        return None
    if touch and touch_due(seen, now):
        row.last_seen_at = now
    return row.user, row


def session_touch_due(row: WebSession) -> bool:
    return touch_due(_seen(row))


def record_use(session: Session, row: WebSession | ApiToken) -> bool:
    """Write down a use of a browser session or token seen in a read unit, in ``session`` (a
    short write unit of its own). Conditional, so that of several requests racing to record
    the same minute only one writes; True if this one did."""
    now = utcnow()
    cutoff = now - TOUCH_EVERY
    if isinstance(row, WebSession):
        seen = WebSession.last_seen_at
        stmt = update(WebSession).where(WebSession.id == row.id, or_(seen.is_(None), seen < cutoff))
        stmt = stmt.values(last_seen_at=now)
    else:
        used = ApiToken.last_used_at
        stmt = update(ApiToken).where(ApiToken.id == row.id, or_(used.is_(None), used < cutoff))
        stmt = stmt.values(last_used_at=now)
    result = session.execute(stmt.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def end_session(session: Session, row: WebSession) -> None:
    audit.record(session, "logout", actor=row.user)
    session.delete(row)


def end_all_sessions(session: Session, user: User, *, keep: WebSession | None = None,
                     tokens: bool = True) -> tuple[int, int]:
    """Log ``user`` out everywhere: delete their browser sessions (but ``keep``) and revoke
    their access tokens. Returns (sessions ended, tokens revoked); the caller audits. Logins
    waiting for their second step (``PendingLogin``) end too."""
    session.execute(delete(PendingLogin).where(PendingLogin.user_id == user.id)
                    .execution_options(synchronize_session=False))
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
    return token_for(session, value, touch=touch).user


# One query for the token or session and its user, built once: they run on every request
# (building the statement with its joined load cost about a fifth of the lookup).
_TOKEN_QUERY = (select(ApiToken).options(joinedload(ApiToken.user))
                .where(ApiToken.token_hash == bindparam("token_hash")))
_SESSION_QUERY = (select(WebSession).options(joinedload(WebSession.user))
                  .where(WebSession.token_hash == bindparam("token_hash")))


def token_for(session: Session, value: str, *, touch: bool = True) -> ApiToken:
    """The live token row (with its user) for a token value; 401 when unknown or revoked.
    ``touch`` records the use on the row (at most once a minute), for a write unit."""
    if not value.startswith(TOKEN_PREFIX):
        raise NotAuthenticated("not a Satark access token")
    row = session.scalar(_TOKEN_QUERY, {"token_hash": _sha256(value)})
    if row is None or row.revoked_at is not None or not row.user.is_active:
        raise NotAuthenticated("the access token is unknown or revoked")
    now = utcnow()
    if touch and touch_due(row.last_used_at, now):
        row.last_used_at = now
    return row


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    row = by_id(session, ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "token_revoked", actor=user, object_type="token", object_id=row.id,
                     details={"name": row.name})
    return row
