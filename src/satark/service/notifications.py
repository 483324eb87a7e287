"""In-app notifications and users' delivery choices (issue 12, section 6).

A notification is written by :func:`notify` in the transaction of the event it tells of (a
post sent for approval, a reminder claimed by the job), so it exists exactly when the event
does. Its text is kept as an English template (a msgid marked with ``N_``) and its
parameters, and is translated into the reader's language when shown or e-mailed: a user who
switches to Bengali reads old notifications in Bengali too.

Each user chooses e-mail or in-app only (``User.notify_by_email`` and ``User.email``). For
those who chose e-mail the notification is also the outbox entry (``email_state``
``pending``): the job (``jobs.py``) sends it after the event's transaction has committed, and
a commit that left e-mail waiting wakes the in-process scheduler so it goes out at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from babel.dates import format_date
from sqlalchemy import event, func, insert, select, update
from sqlalchemy.orm import Session

from . import audit
from .errors import InvalidInput, NotFound
from .i18n import DATE_LOCALES, LOCALES, N_, format_datetime_in, translations
from .models import Institution, Membership, Post, User, by_id, utcnow
from .models_notifications import Notification
from .timezones import zone as tz_of

__all__ = [
    "EMAIL_PATTERN",
    "KIND_LABELS",
    "MAX_EMAIL",
    "check_email",
    "list_notifications",
    "mark_read",
    "members_with",
    "notify",
    "notify_post",
    "preferences",
    "render_text",
    "set_preferences",
    "take_mail_waiting",
    "unread_count",
]

MAX_EMAIL = 254
#: One address, as people type them: something, "@", a domain with a dot; no spaces or controls.
# Characters spelled out (no ``\s``) so that Python's, Rust's and ECMA's regexes agree: the API
# schema states the same pattern (``api/notifications.py``).
_ATOM = (r"[^@\x00-\x20\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
         r"<>(),;:\"\[\]\\]+")
EMAIL_PATTERN = rf"^{_ATOM}@{_ATOM}\.{_ATOM}$"
EMAIL = re.compile(EMAIL_PATTERN)

#: What each kind of notification is called on the page.
KIND_LABELS: dict[str, str] = {
    "post_submitted": N_("Approval needed"),
    "changes_requested": N_("Changes requested"),
    "post_rejected": N_("Rejected"),
    "post_approved": N_("Approved"),
    "approval_lapsing": N_("Approval lapsing"),
    "comment_overdue": N_("Comment overdue"),
    "grs_deadline": N_("GRS deadline"),
    "violation_step_due": N_("Violation case step due"),
    "password_rotation_due": N_("Password change due"),
}
OTHER_KIND = N_("Reminder")

# --- what the workflow tells whom ------------------------------------------------------------------

#: Post events: (kind, message). ``{actor}`` did it; ``{post}`` is the title (or ``#id``).
POST_EVENTS: dict[str, tuple[str, str]] = {
    "submitted": ("post_submitted", N_("{actor} sent the post “{post}” for approval.")),
    "correction": ("post_submitted", N_("{actor} sent a correction of the post “{post}” for approval.")),
    "retraction": ("post_submitted", N_("{actor} asked to retract the post “{post}”; this needs approval.")),
    "changes_requested": ("changes_requested", N_("{actor} asked for changes to your post “{post}”: {comment}")),
    "rejected": ("post_rejected", N_("{actor} rejected your post “{post}”: {comment}")),
    "approved": ("post_approved", N_("{actor} approved your post “{post}”. Publish it before the approval "
                                     "lapses on {expires_at}.")),
    "tier_approved": ("post_submitted", N_("{actor} approved tier {tier} of {of} for the post “{post}”; it "
                                           "needs another approver.")),
}


# --- the e-mail wake-up -----------------------------------------------------------------------------

_MAIL_KEY = "satark_mail_waiting"
_waiting: set[str] = set()
_waiting_lock = threading.Lock()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    url = session.info.pop(_MAIL_KEY, None)
    if url is not None:
        with _waiting_lock:
            _waiting.add(url)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_MAIL_KEY, None)


def take_mail_waiting(url: str) -> bool:
    """Whether a commit to the database at ``url`` left e-mail to send since the last call."""
    with _waiting_lock:
        if url in _waiting:
            _waiting.discard(url)
            return True
    return False


# --- notify --------------------------------------------------------------------------------------------

def notify(
    session: Session, *, kind: str, recipients: Iterable[int], message: str,
    params: Mapping[str, Any] | None = None, link: str = "", institution_id: int | None = None,
    key: str | None = None,
) -> int:
    """Tell ``recipients`` (user ids) about an event, in the caller's transaction; how many were told.

    ``message`` is an English template marked with ``N_``; it is translated into each
    recipient's language and formatted with ``params`` when shown or e-mailed (see
    :func:`render_text`). Inactive users and unknown ids are left out; each user is told once.
    Those who chose e-mail get the notification queued for the job to send after the commit.

    The rows go in with one multi-row INSERT, not as ORM objects: this runs inside workflow
    steps, while SQLite's one write lock is held, and the unit of work's bookkeeping for each
    object was most of a submit's cost.
    """
    ids = sorted({int(i) for i in recipients})
    if not ids:
        return 0
    stored = {name: _plain(value) for name, value in (params or {}).items()}
    users = session.execute(select(User.id, User.notify_by_email, User.email)
                            .where(User.id.in_(ids), User.is_active.is_(True)).order_by(User.id)).all()
    rows = [{"user_id": user_id, "kind": kind[:40], "message": message, "params": stored, "link": link[:500],
             "institution_id": institution_id, "key": key,
             "email_state": "pending" if by_email and email else "", "email_claim": "", "email_attempts": 0,
             "email_error": ""}
            for user_id, by_email, email in users]
    if not rows:
        return 0
    session.execute(insert(Notification), rows)
    if any(row["email_state"] for row in rows):
        session.info[_MAIL_KEY] = session.get_bind().engine.url.render_as_string(hide_password=True)
    return len(rows)


def _plain(value: Any) -> Any:
    """A parameter as JSON keeps it: dates and datetimes as ISO text (formatted when shown)."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class _Params(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ISO_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
                       r"(?:Z|[+-][0-9]{2}:[0-9]{2})?$")


def _shown(value: Any, locale: str, zone: str | None) -> Any:
    """A date (``2026-04-01``) or time (``2026-04-01T09:00:00+00:00``) parameter in the locale's
    style; a time with an offset in ``zone``, one without taken as already in it."""
    if not isinstance(value, str):
        return value
    with contextlib.suppress(ValueError):
        if _ISO_DATE.match(value):
            return format_date(dt.date.fromisoformat(value), "medium", locale=DATE_LOCALES[locale])
        if _ISO_TIME.match(value):
            when = dt.datetime.fromisoformat(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=tz_of(zone))
            return format_datetime_in(when, locale, zone)
    return value


def render_text(message: str, params: Mapping[str, Any], locale: str, zone: str | None = None) -> str:
    """``message`` in ``locale``, with ``params`` put in.

    Parameters holding an ISO date or date-time (as :func:`notify` stores dates and datetimes)
    are shown in the locale's style, times in ``zone`` (the institution's). A field the
    template names that is missing is left as it is rather than failing.
    """
    locale = locale if locale in LOCALES else "en"
    shown = {name: _shown(value, locale, zone) for name, value in params.items()}
    template = translations(locale).gettext(message)
    try:
        return template.format_map(_Params(shown))
    except (ValueError, IndexError, AttributeError):  # a translation with broken braces
        return message.format_map(_Params(shown))


def kind_label(kind: str, locale: str) -> str:
    return translations(locale if locale in LOCALES else "en").gettext(KIND_LABELS.get(kind, OTHER_KIND))


def zones_of(session: Session, notifications: Sequence[Notification]) -> dict[int, str]:
    """The time zone of each institution the notifications belong to (their times show in it)."""
    ids = {n.institution_id for n in notifications if n.institution_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Institution.id, Institution.timezone).where(Institution.id.in_(ids))).all())


def as_dict(n: Notification, locale: str, zone: str | None) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "kind_label": kind_label(n.kind, locale),
            "text": render_text(n.message, n.params, locale, zone), "link": n.link,
            "institution_id": n.institution_id, "created_at": n.created_at, "read_at": n.read_at,
            "read": n.read_at is not None, "email": n.email_state}


# --- reading and marking --------------------------------------------------------------------------

def list_notifications(
    session: Session, user: User, *, unread_only: bool = False, limit: int = 50, offset: int = 0,
) -> list[Notification]:
    """The user's own notifications, newest first (nobody sees another's)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc())
    return list(session.scalars(query.limit(max(1, min(limit, 200))).offset(max(0, offset))))


def unread_count(session: Session, user: User) -> int:
    return int(session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0)


def mark_read(session: Session, user: User, ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications ``ids`` read (all unread ones when ``None``); how many changed.

    An id that is not the user's is not found (whether it exists elsewhere is not told).
    Reading is the user's own business, like a session's last use, so it is not audited.
    """
    now = utcnow()
    if ids is None:
        result = session.execute(update(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=now))
        return int(getattr(result, "rowcount", 0) or 0)
    changed = 0
    for ident in dict.fromkeys(ids):
        row = by_id(session, Notification, ident)
        if row is None or row.user_id != user.id:
            raise NotFound(f"no notification {ident}")
        if row.read_at is None:
            row.read_at = now
            changed += 1
    return changed


# --- delivery choices -----------------------------------------------------------------------------

def check_email(value: str) -> str:
    """An e-mail address as typed, stripped; "" (none) is allowed."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        raise InvalidInput("give an e-mail address like name@example.gov")
    return value


def preferences(user: User) -> dict[str, Any]:
    return {"email": user.email, "notify_by_email": user.notify_by_email}


def set_preferences(session: Session, user: User, *, email: str | None = None,
                    notify_by_email: bool | None = None) -> bool:
    """Change where the user's notifications go; whether anything changed. Audited: the
    address is where official matters are sent."""
    new_email = user.email if email is None else check_email(email)
    new_choice = user.notify_by_email if notify_by_email is None else bool(notify_by_email)
    if new_choice and not new_email:
        raise InvalidInput("give an e-mail address to receive notifications by e-mail")
    if (new_email, new_choice) == (user.email, user.notify_by_email):
        return False
    changed = {"email_changed": new_email != user.email, "notify_by_email": new_choice}
    user.email, user.notify_by_email = new_email, new_choice
    audit.record(session, "notification_preferences_changed", actor=user, object_type="user", object_id=user.id,
                 details=changed)
    return True


# --- who to tell --------------------------------------------------------------------------------------

def members_with(session: Session, institution_id: int, roles: Iterable[str], *, above: bool = False) -> list[int]:
    """Active users holding one of ``roles`` in the institution. With ``above``, when it has
    none, those holding them in the nearest institution above (monitor and admin reach down)."""
    wanted = tuple(roles)
    current: int | None = institution_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        ids = list(session.scalars(
            select(Membership.user_id).join(User, User.id == Membership.user_id)
            .where(Membership.institution_id == current, Membership.role.in_(wanted), User.is_active.is_(True))
            .distinct().order_by(Membership.user_id)))
        if ids or not above:
            return ids
        current = session.scalar(select(Institution.parent_id).where(Institution.id == current))
    return []


def post_name(post: Post) -> str:
    return post.title.strip() or f"#{post.id}"


def notify_post(
    session: Session, post: Post, what: str, *, actor: User, exclude: Iterable[int] = (), comment: str = "",
    extra: Mapping[str, Any] | None = None,
) -> int:
    """Tell the right people about a workflow step of ``post``: the approvers (except ``exclude``,
    those barred from deciding) when it waits for them, else its author."""
    kind, message = POST_EVENTS[what]
    if kind == "post_submitted":
        barred = set(exclude) | {actor.id}
        recipients = [u for u in members_with(session, post.institution_id, ("approver",)) if u not in barred]
    else:
        recipients = [post.author_id] if post.author_id != actor.id else []
    params: dict[str, Any] = {"actor": actor.display_name, "post": post_name(post)}
    if comment:
        params["comment"] = comment
    params.update(extra or {})
    if what == "approved" and post.approval_expires_at is not None:
        params["expires_at"] = post.approval_expires_at
    return notify(session, kind=kind, recipients=recipients, message=message, params=params,
                  link=f"/posts/{post.id}", institution_id=post.institution_id)
