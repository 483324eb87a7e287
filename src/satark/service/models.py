"""The service's tables (SQLAlchemy 2 declarative).

Schema changes go through Alembic migrations in ``migrations/``; a test checks that the
migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, Session, mapped_column, relationship

from .errors import InvalidInput
from .timezones import default_timezone

__all__ = [
    "MAX_ID",
    "ROLES",
    "Account",
    "AccountAdmin",
    "ApiToken",
    "Approval",
    "AuditEvent",
    "Base",
    "Institution",
    "LoginAttempt",
    "Membership",
    "PendingLogin",
    "Post",
    "RecoveryCode",
    "Revision",
    "RevisionEditor",
    "SavedCheck",
    "User",
    "WebSession",
    "by_id",
    "storable",
    "utcnow",
]

#: Roles a user can hold in an institution.
ROLES = ("author", "moderator", "approver", "monitor", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def storable(value: str) -> bool:
    """False for text a database cannot keep: NUL (PostgreSQL) or unpaired surrogates (not UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


def _jurisdiction_zone(context: Any) -> str:
    """An institution's default time zone, from the jurisdiction being inserted."""
    return default_timezone(context.get_current_parameters().get("jurisdiction"))


class Institution(Base):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60), default="")
    #: ministry, division, department, directorate, district or field office.
    kind: Mapped[str] = mapped_column(String(30), default="department")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: A jurisdiction or pack id understood by the engine (``BD``, ``IN-CG``).
    jurisdiction: Mapped[str] = mapped_column(String(30))
    #: How many approvers (tiers) a post needs before it may be published: 1-3.
    approval_tiers: Mapped[int] = mapped_column(Integer, default=1)
    #: An approval lapses if the post is not published within this many hours.
    approval_ttl_hours: Mapped[int] = mapped_column(Integer, default=72)
    password_rotation_days: Mapped[int] = mapped_column(Integer, default=90)
    website_url: Mapped[str] = mapped_column(String(500), default="")
    #: The name in the local language (Bengali, Hindi), e.g. "তথ্য মন্ত্রণালয়" (BD §6.1(ক) accepts it).
    local_name: Mapped[str] = mapped_column(String(200), default="")
    #: The IANA zone its people read and enter times in; by default its jurisdiction's.
    timezone: Mapped[str] = mapped_column(String(64), default=_jurisdiction_zone)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    parent: Mapped[Institution | None] = relationship(remote_side=[id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    #: May create top-level institutions and manage any institution.
    is_superuser: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    ui_lang: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Where notifications go by e-mail, when the user chose that (issue 12; notifications.py).
    email: Mapped[str] = mapped_column(String(254), default="")
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Two-step sign-in (``totp.py``): the TOTP secret (base32), set when enrolment begins and
    #: kept as is, since checking a code needs it (see the module's note on storage).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: When enrolment was confirmed with a valid code; ``None``: two-step sign-in is off.
    totp_enabled_at: Mapped[dt.datetime | None] = mapped_column()
    #: The last time step whose code was accepted: a code of this step or an earlier one is
    #: refused, so a code seen over someone's shoulder cannot be used again.
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "institution_id", "role", name="uq_membership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    user: Mapped[User] = relationship(back_populates="memberships")
    institution: Mapped[Institution] = relationship()


class ApiToken(Base):
    """A personal access token; only its SHA-256 is kept, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters, shown so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column()
    revoked_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class WebSession(Base):
    """A browser session; the cookie holds a random value and the table its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    #: Last request seen (updated at most once a minute), for the idle timeout.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column()

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class RecoveryCode(Base):
    """A one-time recovery code of two-step sign-in; only its SHA-256 is kept."""

    __tablename__ = "totp_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: Set when the code is used; a used code is refused.
    used_at: Mapped[dt.datetime | None] = mapped_column()


class PendingLogin(Base):
    """A web login whose password was right and that waits for the second step's code.

    The browser holds a random value in a short-lived cookie; the table its SHA-256. It
    expires after a few minutes, after a few wrong codes, or when the password changes.
    """

    __tablename__ = "pending_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The SHA-256 of the password hash the password was verified against.
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    next_url: Mapped[str] = mapped_column(String(500), default="/")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()

    user: Mapped[User] = relationship()


class Account(Base):
    """An official social-media account of an institution (BD guideline §6.1)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    platform: Mapped[str] = mapped_column(String(40))
    handle: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    website_url: Mapped[str] = mapped_column(String(500), default="")
    grs_url: Mapped[str] = mapped_column(String(500), default="")
    password_rotated_on: Mapped[dt.date | None] = mapped_column(Date)
    privacy_notes: Mapped[str] = mapped_column(Text, default="")
    #: Attestations an admin records; ``None`` means not yet checked.
    profile_photo_institutional: Mapped[bool | None] = mapped_column(Boolean)
    platform_terms_followed: Mapped[bool | None] = mapped_column(Boolean)
    letterhead_shows_address: Mapped[bool | None] = mapped_column(Boolean)
    two_factor_enabled: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship()
    admins: Mapped[list[AccountAdmin]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="AccountAdmin.id"
    )


class AccountAdmin(Base):
    __tablename__ = "account_admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    designation: Mapped[str] = mapped_column(String(200), default="")

    account: Mapped[Account] = relationship(back_populates="admins")


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    #: The revision under work, review or publication.
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    #: Approval tiers required, fixed when the post is submitted.
    required_tiers: Mapped[int] = mapped_column(Integer, default=1)
    approved_at: Mapped[dt.datetime | None] = mapped_column()
    approval_expires_at: Mapped[dt.datetime | None] = mapped_column()
    published_url: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    #: The published revision, kept when a correction follows (CG directive 8).
    published_revision: Mapped[int | None] = mapped_column(Integer)
    retraction_reason: Mapped[str] = mapped_column(Text, default="")
    #: A change to a published post awaiting approval: ``correction``, ``retraction`` or "".
    pending: Mapped[str] = mapped_column(String(20), default="")
    #: The reason given for a pending retraction (it becomes ``retraction_reason`` once approved).
    pending_reason: Mapped[str] = mapped_column(Text, default="")
    #: The current revision's verdict and categories, for filters.
    verdict: Mapped[str] = mapped_column(String(10), default="clear", index=True)
    categories: Mapped[str] = mapped_column(String(400), default="")
    #: Normalised text of the published and corrected revisions, for archive search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship()
    account: Mapped[Account] = relationship()
    author: Mapped[User] = relationship()
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="Revision.number"
    )
    approvals: Mapped[list[Approval]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="Approval.id"
    )


class Revision(Base):
    """One version of a post's text with the screening report it got."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("post_id", "number", name="uq_revision_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    #: ``draft`` (before publication) or ``correction`` (after).
    kind: Mapped[str] = mapped_column(String(20), default="draft")
    text: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[str] = mapped_column(String(10))
    report: Mapped[dict[str, Any]] = mapped_column()
    #: For a correction: ``pending`` (awaiting approval), ``live`` or ``refused``; "" for drafts.
    status: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="revisions")
    editor: Mapped[User] = relationship()
    #: Everyone whose words are in this revision: the author and every editor up to it.
    editors: Mapped[list[RevisionEditor]] = relationship(cascade="all, delete-orphan", order_by="RevisionEditor.id")

    @property
    def is_live_correction(self) -> bool:
        return self.kind == "correction" and self.status == "live"

    @property
    def editor_ids(self) -> set[int]:
        return {e.user_id for e in self.editors}


class RevisionEditor(Base):
    """One person who wrote or changed a revision's text; none of them may approve it."""

    __tablename__ = "revision_editors"
    __table_args__ = (UniqueConstraint("revision_id", "user_id", name="uq_revision_editor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Approval(Base):
    """A reviewer's decision on one revision: approved, changes_requested or rejected."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    revision_number: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tier: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[str] = mapped_column(String(20))
    #: What was decided on: ``post`` (before publication), ``correction`` or ``retraction``.
    subject: Mapped[str] = mapped_column(String(20), default="post")
    comment: Mapped[str] = mapped_column(Text, default="")
    #: Written reason for approving a post whose verdict is ``block``.
    override_reason: Mapped[str] = mapped_column(Text, default="")
    #: False once the approval no longer counts (expired, or the post was sent back).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship(back_populates="approvals")
    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """An append-only, hash-chained record (triggers refuse UPDATE, DELETE and TRUNCATE)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[str] = mapped_column(String(60), index=True)
    institution_id: Mapped[int | None] = mapped_column(Integer, index=True)
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column()
    #: 1: plain SHA-256 (written before the chain had a key); 2: HMAC-SHA256 (see ``audit``).
    chain: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: For post events: the post's content fingerprint when the event was recorded.
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class SavedCheck(Base):
    """A personal pre-check the user chose to keep (nothing is kept otherwise)."""

    __tablename__ = "saved_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(10))
    report: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@event.listens_for(Base, "before_insert", propagate=True)
@event.listens_for(Base, "before_update", propagate=True)
def _refuse_unstorable_text(_mapper: Mapper[Any], _conn: Connection, target: Base) -> None:
    # Text the driver cannot send would fail inside the database call (a 500); say what is wrong.
    for column in target.__table__.columns:
        value = target.__dict__.get(column.key)
        if isinstance(value, str) and not storable(value):
            raise InvalidInput(f"{column.key} contains a character that cannot be stored "
                               "(NUL or an unpaired surrogate)")


#: Ids are 32-bit integer columns on every backend (SQLite's are wider, PostgreSQL's not).
MAX_ID = 2**31 - 1
_Row = TypeVar("_Row", bound=Base)


def by_id(session: Session, model: type[_Row], ident: int) -> _Row | None:
    """``session.get`` for an id that came from outside. A number past the id columns'
    range names no row, and the drivers raise on it (SQLite: OverflowError; PostgreSQL:
    integer out of range) instead of finding nothing."""
    if not 0 < ident <= MAX_ID:
        return None
    return session.get(model, ident)


# The tables of the monitoring and response side (issue 12) live in their own modules; importing
# them here puts them in ``Base.metadata`` for Alembic, the migration test and ``create_all``.
from . import (  # noqa: E402
    models_attachments,  # noqa: F401
    models_inbox,  # noqa: F401
    models_notifications,  # noqa: F401
    models_scans,  # noqa: F401
    models_training,  # noqa: F401
    models_violations,  # noqa: F401
)
