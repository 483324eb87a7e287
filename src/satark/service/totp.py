"""Two-step sign-in: a time-based one-time password (TOTP, RFC 6238) after the password.

Optional for everyone, and required of institution admins and site administrators when
``SATARK_REQUIRE_TOTP_FOR_ADMINS`` is on. The rules live here; the API, the web pages and
the command line call these functions.

- **Enrolment.** :func:`begin` makes a new secret (160 random bits, base32) and its
  ``otpauth://`` URI (issuer "Satark", the username); it is on only once :func:`confirm` got a
  valid code from the app, which also makes :data:`RECOVERY_CODES` one-time recovery codes,
  shown once. Only their SHA-256 is kept.
- **Login.** After the password (``security.check_password``, a read unit) the code is
  checked against the current time step and one either side (:data:`VALID_WINDOW`, for clocks
  a little off), in the read unit too (:func:`check_login`). The write unit
  (``security.record_login``) then *uses it up* (:meth:`CodeCheck.confirm`): one conditional
  ``UPDATE`` moves ``users.totp_last_step`` forward only if it is still below the code's
  step, or marks a recovery code used only if it is still unused. Of two logins racing with
  one code only one can succeed (SQLite runs write units one at a time; on PostgreSQL the
  second ``UPDATE`` waits for the first's row lock, then finds its condition false), and a
  code is never accepted twice, nor one older than the last accepted. A wrong code counts
  as a failed login for the throttles; a missing one does not count (the client is asked).
- **Web login.** A right password for an account with two-step sign-in makes a
  :class:`~.models.PendingLogin`: a random value in a cookie (SameSite=Strict, path
  ``/login``), its SHA-256 in the table, bound to the password hash it was checked against,
  over after :data:`PENDING_MINUTES` minutes or :data:`PENDING_MAX_ATTEMPTS` wrong codes. The
  password is never put in the page.
- **Turning it off.** :func:`disable` needs a current code (or a recovery code) or the
  password; a wrong one counts as a failed login. An administrator of the user's institution
  (or a site administrator, or the command line) resets another user's two-step sign-in
  with :func:`reset`, which also ends all their sessions and tokens; nobody resets their own.

**Storage of the secret.** The secret is kept as is in ``users.totp_secret``. Checking a
code needs the secret itself (TOTP is an HMAC of the time with it), so it cannot be hashed
like a password; encrypting it would need a key outside the database that the service can
read, and the service has none for this (``audit_key`` holds the audit chain's HMAC key and
offers no encryption). The second step protects against a stolen or guessed password; someone
who can read the database (or a backup: keep those as private as the database) could make
codes, but would still need a password, of which only the argon2 hash is there.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field, replace

import pyotp
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit, security
from .directory import manages
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import LoginAttempt, PendingLogin, RecoveryCode, User, utcnow
from .security import CODE_NEEDED, PasswordCheck, SecondFactorRequired
from .settings import Settings

__all__ = [
    "ISSUER",
    "PENDING_COOKIE",
    "PENDING_MAX_ATTEMPTS",
    "PENDING_MINUTES",
    "RECOVERY_CODES",
    "VALID_WINDOW",
    "CodeCheck",
    "Enrolment",
    "EnrolmentRequired",
    "PendingResult",
    "TotpStatus",
    "begin",
    "check_code",
    "check_login",
    "confirm",
    "disable",
    "enrolment_required",
    "finish_pending_login",
    "is_admin",
    "now",
    "pending_login",
    "reset",
    "secret_groups",
    "start_pending_login",
    "status",
]

ISSUER = "Satark"
#: Time steps accepted either side of the current one (30 s each).
VALID_WINDOW = 1
RECOVERY_CODES = 10
#: A recovery code: two groups of five from an alphabet without look-alikes (0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
#: A web login waits this long for its code.
PENDING_MINUTES = 5
#: Wrong codes after which a waiting web login ends (the password must be given again).
PENDING_MAX_ATTEMPTS = 5
#: The cookie of a web login waiting for its code.
PENDING_COOKIE = "satark_login"


def now() -> float:
    """The time codes are checked at (seconds since the epoch); tests patch it."""
    return time.time()


class EnrolmentRequired(Forbidden):
    """An administrator without two-step sign-in while it is required: only its set-up is open."""

    code = "totp_enrolment_required"


class _WrongCode(Forbidden):
    """A wrong code or password when turning two-step sign-in off: the failed attempt is kept."""

    keeps_changes = True


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clean(code: str) -> str:
    """A code as typed: spaces and hyphens left out, lowercase (recovery codes)."""
    return "".join(code.split()).replace("-", "").lower()


def secret_groups(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret, name=user.username, issuer=ISSUER).provisioning_uri()


# --- who needs it ------------------------------------------------------------------------------

def is_admin(user: User) -> bool:
    """A site administrator, or an admin of some institution."""
    return user.is_superuser or any(m.role == "admin" for m in user.memberships)


def enrolment_required(settings: Settings, user: User) -> bool:
    """Whether ``user`` must set up two-step sign-in before anything else."""
    return settings.require_totp_for_admins and user.totp_enabled_at is None and is_admin(user)


@dataclass(frozen=True)
class TotpStatus:
    enabled: bool
    #: Enrolment begun (a secret made) but not yet confirmed with a code.
    pending: bool
    enabled_at: dt.datetime | None
    recovery_codes_left: int
    #: Required of this user (``SATARK_REQUIRE_TOTP_FOR_ADMINS`` and an admin role).
    required: bool


def status(session: Session, settings: Settings, user: User) -> TotpStatus:
    left = 0
    if user.totp_enabled_at is not None:
        left = session.scalar(select(func.count()).select_from(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    return TotpStatus(enabled=user.totp_enabled_at is not None,
                      pending=user.totp_enabled_at is None and user.totp_secret is not None,
                      enabled_at=user.totp_enabled_at, recovery_codes_left=left,
                      required=settings.require_totp_for_admins and is_admin(user))


# --- enrolment ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Enrolment:
    secret: str = field(repr=False)
    uri: str = field(repr=False)

    @property
    def grouped(self) -> str:
        return secret_groups(self.secret)


def begin(session: Session, user: User) -> Enrolment:
    """A new secret for ``user`` (replacing one not yet confirmed); not on until :func:`confirm`."""
    if user.totp_enabled_at is not None:
        raise Conflict("two-step sign-in is already on; turn it off first to set it up again")
    secret = base64.b32encode(secrets.token_bytes(20)).decode("ascii")  # 160 bits, 32 characters
    user.totp_secret = secret
    user.totp_last_step = None
    return Enrolment(secret, _uri(user, secret))


def pending_enrolment(user: User) -> Enrolment | None:
    """The secret of an enrolment begun and not yet confirmed, to show again."""
    if user.totp_enabled_at is not None or not user.totp_secret:
        return None
    return Enrolment(user.totp_secret, _uri(user, user.totp_secret))


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id)
                    .execution_options(synchronize_session=False))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        session.add(RecoveryCode(user_id=user.id, code_hash=_sha256(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    session.flush()
    return codes


def confirm(session: Session, user: User, code: str) -> list[str]:
    """Turn two-step sign-in on with a valid code from the app; the new recovery codes (shown once)."""
    if user.totp_enabled_at is not None:
        raise Conflict("two-step sign-in is already on")
    secret = user.totp_secret
    if not secret:
        raise Conflict("set up two-step sign-in first, then confirm it with a code from the app")
    step = _matching_step(secret, _clean(code), user.totp_last_step)
    if step is None or not _use_step(session, user, secret, step):
        raise InvalidInput("the code is wrong or has expired; enter the current code from the app", field="code")
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(session, user)
    audit.record(session, "totp_enabled", actor=user, object_type="user", object_id=user.id,
                 details={"username": user.username, "recovery_codes": len(codes)})
    return codes


# --- checking a code ---------------------------------------------------------------------------

def _matching_step(secret: str, code: str, last_step: int | None) -> int | None:
    """The time step (within :data:`VALID_WINDOW` of :func:`now`) whose code is ``code``, if it
    is later than ``last_step``; None otherwise."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now())
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code) and (last_step is None or step > last_step):
            return step
    return None


def _use_step(session: Session, user: User, secret: str, step: int) -> bool:
    """Move the user's last accepted step to ``step``, only if it is still earlier and the
    secret is still the one the code was checked against: one statement, so that of two
    units racing with one code only one succeeds."""
    result = session.execute(
        update(User)
        .where(User.id == user.id, User.totp_secret == secret,
               or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False))
    if not getattr(result, "rowcount", 0):
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _use_recovery_code(session: Session, user: User, code_hash: str) -> bool:
    """Mark a recovery code used, only if it is still unused (one statement, as above)."""
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == code_hash, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False))
    if not getattr(result, "rowcount", 0):
        return False
    left = session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0
    audit.record(session, "totp_recovery_code_used", actor=user, object_type="user", object_id=user.id,
                 details={"username": user.username, "recovery_codes_left": left})
    return True


@dataclass(frozen=True)
class CodeCheck:
    """A code checked in a read unit; :meth:`confirm` uses it up in the write unit
    (``security.SecondFactor``)."""

    #: ``totp``, ``recovery_code``, or ``wrong`` (no match: it never confirms).
    kind: str
    secret: str = field(default="", repr=False)
    step: int | None = None
    code_hash: str = field(default="", repr=False)

    @property
    def ok(self) -> bool:
        return self.kind != "wrong"

    def confirm(self, session: Session, user: User) -> bool:
        if self.kind == "totp" and self.step is not None:
            return user.totp_enabled_at is not None and _use_step(session, user, self.secret, self.step)
        if self.kind == "recovery_code":
            return user.totp_enabled_at is not None and _use_recovery_code(session, user, self.code_hash)
        return False


_WRONG = CodeCheck("wrong")


def check_code(session: Session, user: User, code: str) -> CodeCheck:
    """Check a code (6 digits from the app, or a recovery code) for ``user``'s two-step sign-in.
    Nothing is written: :meth:`CodeCheck.confirm` does that, in the write unit."""
    secret = user.totp_secret
    if user.totp_enabled_at is None or not secret or len(code) > 40:
        return _WRONG
    cleaned = _clean(code)
    if len(cleaned) == 6:
        step = _matching_step(secret, cleaned, user.totp_last_step)
        return _WRONG if step is None else CodeCheck("totp", secret=secret, step=step)
    if len(cleaned) == _RECOVERY_LENGTH and cleaned.isascii() and cleaned.isalnum():
        digest = _sha256(cleaned)
        unused = session.scalar(select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == digest, RecoveryCode.used_at.is_(None)))
        return _WRONG if unused is None else CodeCheck("recovery_code", code_hash=digest)
    return _WRONG


def check_login(session: Session, check: PasswordCheck, code: str | None) -> PasswordCheck:
    """The read unit's part of a login with a code: ``check`` with the code checked when the
    account needs one (:class:`~.security.SecondFactorRequired` when it is missing; nothing is
    recorded then). ``security.record_login`` uses it up, or counts a wrong one."""
    if not check.needs_second_factor or check.user_id is None:
        return check
    if code is None or not code.strip():
        raise SecondFactorRequired(CODE_NEEDED)
    user = session.get(User, check.user_id)
    if user is None:
        return check
    return replace(check, second_factor=check_code(session, user, code))


# --- a web login waiting for its code ----------------------------------------------------------

def start_pending_login(session: Session, settings: Settings, check: PasswordCheck, *, client: str,
                        next_url: str) -> str | None:
    """In the write unit after a right password for an account with two-step sign-in: the
    cookie value of a login waiting for its code (None if the account changed meanwhile)."""
    security.check_throttle(session, settings, check.username, client)
    user = session.get(User, check.user_id) if check.user_id is not None else None
    if (user is None or not check.ok or not user.is_active or user.password_hash != check.verified_hash
            or user.totp_enabled_at is None):
        return None
    if check.new_hash is not None:
        user.password_hash = check.new_hash
    at = utcnow()
    session.execute(delete(PendingLogin).where(PendingLogin.expires_at <= at)
                    .execution_options(synchronize_session=False))
    value = secrets.token_urlsafe(32)
    session.add(PendingLogin(token_hash=_sha256(value), user_id=user.id,
                             password_fingerprint=_sha256(user.password_hash), client=client[:64],
                             next_url=next_url[:500], created_at=at,
                             expires_at=at + dt.timedelta(minutes=PENDING_MINUTES)))
    session.flush()
    return value


def pending_login(session: Session, value: str | None) -> PendingLogin | None:
    """The waiting login of a cookie value; None when unknown, expired, or its user deactivated,
    with another password or without two-step sign-in now."""
    if not value or len(value) > 100:
        return None
    row = session.scalar(select(PendingLogin).where(PendingLogin.token_hash == _sha256(value)))
    if row is None or row.expires_at <= utcnow():
        return None
    user = row.user
    if (not user.is_active or user.totp_enabled_at is None
            or not hmac.compare_digest(row.password_fingerprint, _sha256(user.password_hash))):
        return None
    return row


@dataclass(frozen=True)
class PendingResult:
    #: The logged-in user; None when the code was wrong or the waiting login is over.
    user: User | None
    next_url: str = "/"
    #: The waiting login is over (expired, too many wrong codes, or the account changed).
    expired: bool = False


def finish_pending_login(session: Session, settings: Settings, value: str | None, code: CodeCheck, *,
                         client: str) -> PendingResult:
    """In the write unit: the login with its code, recorded like any other (a wrong code
    counts as a failed login; :data:`PENDING_MAX_ATTEMPTS` of them end the waiting login)."""
    row = pending_login(session, value)
    if row is None:
        return PendingResult(None, expired=True)
    user = row.user
    check = PasswordCheck(user.username, user.id, user.password_hash, ok=True, needs_second_factor=True,
                          second_factor=code)
    found = security.record_login(session, settings, check, client=client)
    next_url = row.next_url
    if found is None:
        row.attempts += 1
        if row.attempts >= PENDING_MAX_ATTEMPTS:
            session.delete(row)
            return PendingResult(None, next_url, expired=True)
        return PendingResult(None, next_url)
    session.delete(row)
    return PendingResult(found, next_url)


# --- turning it off ----------------------------------------------------------------------------

def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id)
                    .execution_options(synchronize_session=False))


def disable(session: Session, settings: Settings, user: User, *, client: str, code: str | None = None,
            password: security.CurrentPassword | None = None) -> None:
    """Turn one's own two-step sign-in off, with a current code (or a recovery code) or the
    password (verified before the write unit: :func:`~.security.verify_current`). A wrong one
    counts as a failed login (and the throttles apply), so this is no way around them to guess
    either."""
    if user.totp_enabled_at is None:
        raise Conflict("two-step sign-in is not on")
    if settings.require_totp_for_admins and is_admin(user):
        raise Forbidden("two-step sign-in is required for your role; it cannot be turned off")
    if (code is None) == (password is None):
        raise InvalidInput("give either a current code from the app or your password")
    security.check_throttle(session, settings, user.username, client)
    if code is not None:
        checked = check_code(session, user, code)
        ok, means = checked.ok and checked.confirm(session, user), checked.kind
    else:
        ok, means = password is not None and password.still_holds(user), "password"
    if not ok:
        session.add(LoginAttempt(username=user.username[:80], client=client[:64], success=False))
        raise _WrongCode("the code or password is wrong", field="code" if code is not None else "password")
    _clear(session, user)
    audit.record(session, "totp_disabled", actor=user, object_type="user", object_id=user.id,
                 details={"username": user.username, "with": means})


def reset(session: Session, actor: User | None, target: User) -> tuple[int, int]:
    """An administrator who manages ``target`` (``directory.manages``; ``actor`` None: the
    command line) turns their two-step sign-in off, so they can log in with the password and
    set it up again; every session and token of theirs ends. Returns (sessions, tokens)."""
    if actor is not None and actor.id == target.id:
        raise Forbidden("nobody may reset their own two-step sign-in; another administrator must do it")
    if actor is not None and not manages(session, actor, target):
        raise NotFound(f"no user {target.id}")
    if target.totp_secret is None:
        raise Conflict("two-step sign-in is not set up for this user")
    _clear(session, target)
    sessions, tokens = security.end_all_sessions(session, target)
    audit.record(session, "totp_reset", actor=actor, object_type="user", object_id=target.id,
                 details={"username": target.username, "sessions": sessions, "tokens": tokens})
    return sessions, tokens
