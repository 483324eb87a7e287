"""Tables of notifications and their delivery (issue 12, section 6).

A :class:`Notification` is what a user sees in the app; when the user chose e-mail it also
carries the e-mail's delivery state, so the table is the outbox too: the notification is
written in the transaction of the event that caused it, and the job sends the e-mail after
that commits (an SMTP call inside a transaction would hold it, and could not be undone).
:class:`ReminderSent` is the claim that makes each reminder go out once: its ``key`` is unique,
so a second scheduler, a restart or ``satark jobs run`` from cron cannot insert it again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow

__all__ = ["EMAIL_STATES", "Notification", "ReminderSent"]

#: An e-mail's way: none wanted (""), waiting, being sent, sent, given up, or too old to send.
EMAIL_STATES = ("", "pending", "sending", "sent", "failed", "expired")


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: The English message template (a msgid); translated when shown, then formatted with ``params``.
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column()
    link: Mapped[str] = mapped_column(String(500), default="")
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: The reminder's key, for a notification a reminder made.
    key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column()
    email_state: Mapped[str] = mapped_column(String(10), default="", index=True)
    #: Which run of the job took the e-mail to send (so two jobs never send the same one).
    email_claim: Mapped[str] = mapped_column(String(32), default="")
    email_claimed_at: Mapped[dt.datetime | None] = mapped_column()
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_error: Mapped[str] = mapped_column(String(300), default="")
    emailed_at: Mapped[dt.datetime | None] = mapped_column()


class ReminderSent(Base):
    __tablename__ = "reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    institution_id: Mapped[int | None] = mapped_column(Integer)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
