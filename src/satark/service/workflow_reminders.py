"""Reminders from the post workflow and the official accounts (issue 12, section 6).

- ``approval_lapsing``: an approved post not yet published whose approval ends soon (within
  a day, or the last third of a shorter approval period): its author and approvers are told
  once per approval, before it lapses and the post must be approved again.
- ``password_rotation_due``: an official account whose password is due for its periodic
  change (CG directive 7, BD §6.1(ঙ); the period is the institution's
  ``password_rotation_days``): its institution's admins and moderators are told a week
  before the date, and again once it has passed; an account with no change recorded, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .i18n import N_
from .models import Account, Institution, Post
from .notifications import members_with, post_name
from .reminders import Reminder, reminder_source
from .timezones import zone
from .workflow import active_approvals

__all__ = ["PASSWORD_NOTICE_DAYS", "approval_lapsing", "lapse_window", "password_rotation_due"]

#: How many days before a password change is due the admins are told.
PASSWORD_NOTICE_DAYS = 7
#: Who looks after an official account's passwords.
ACCOUNT_KEEPERS = ("admin", "moderator")

LAPSING = N_("The approval of the post “{post}” lapses on {expires_at}. Publish it before then, or it must be "
             "approved again.")
ROTATION_SOON = N_("The password of the official account {account} must be changed by {due_on} (last changed "
                   "on {rotated_on}; every {days} days: CG directive 7, BD §6.1(ঙ)).")
ROTATION_OVERDUE = N_("The password of the official account {account} was due for a change on {due_on} (last "
                      "changed on {rotated_on}). Change it and record the date on the account's page.")
ROTATION_UNKNOWN = N_("No password change is recorded for the official account {account}. Change its password "
                      "(every {days} days) and record the date on the account's page.")


def lapse_window(ttl_hours: int) -> dt.timedelta:
    """How long before an approval lapses its people are told: a day, or the last third of a
    shorter approval period (at least an hour), so that a 6-hour approval is not "lapsing" at once."""
    return dt.timedelta(hours=max(1, min(24, ttl_hours // 3)))


@reminder_source("approval_lapsing")
def approval_lapsing(session: Session, now: dt.datetime) -> Iterator[Reminder]:
    posts = session.scalars(
        select(Post).options(joinedload(Post.institution))
        .where(Post.state == "approved", Post.approval_expires_at.is_not(None), Post.approval_expires_at > now,
               Post.approval_expires_at <= now + dt.timedelta(hours=24))
        .order_by(Post.id))
    for post in posts:
        expires = post.approval_expires_at
        assert expires is not None  # the query asks for it
        if expires - now > lapse_window(post.institution.approval_ttl_hours):
            continue
        people = {post.author_id} | {a.user_id for a in active_approvals(post)}
        yield Reminder(
            kind="approval_lapsing", key=f"approval_lapsing:{post.id}:{int(expires.timestamp())}",
            institution_id=post.institution_id, recipients=tuple(sorted(people)), message=LAPSING,
            params={"post": post_name(post), "expires_at": expires.isoformat()}, link=f"/posts/{post.id}",
        )


def _account_name(account: Account) -> str:
    return f"{account.display_name or account.handle} ({account.platform}: {account.handle})"


@reminder_source("password_rotation_due")
def password_rotation_due(session: Session, now: dt.datetime) -> Iterator[Reminder]:
    accounts = session.scalars(select(Account).options(joinedload(Account.institution)).order_by(Account.id))
    keepers: dict[int, tuple[int, ...]] = {}
    for account in accounts:
        inst: Institution = account.institution
        today = now.astimezone(zone(inst.timezone)).date()
        days = inst.password_rotation_days
        params: dict[str, object] = {"account": _account_name(account), "days": days}
        rotated = account.password_rotated_on
        if rotated is None:
            stage, message = "unknown", ROTATION_UNKNOWN
        else:
            due = rotated + dt.timedelta(days=days)
            if today >= due:
                stage, message = "overdue", ROTATION_OVERDUE
            elif today >= due - dt.timedelta(days=PASSWORD_NOTICE_DAYS):
                stage, message = "soon", ROTATION_SOON
            else:
                continue
            params.update(due_on=due.isoformat(), rotated_on=rotated.isoformat())
        if inst.id not in keepers:
            keepers[inst.id] = tuple(members_with(session, inst.id, ACCOUNT_KEEPERS, above=True))
        yield Reminder(
            kind="password_rotation_due",
            key=f"password_rotation:{account.id}:{rotated.isoformat() if rotated else 'none'}:{stage}",
            institution_id=inst.id, recipients=keepers[inst.id], message=message, params=params,
            link=f"/accounts/{account.id}",
        )
