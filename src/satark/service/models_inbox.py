"""Tables of the citizen comments inbox and GRS referrals (issue 12, sections 1 and 2).

An :class:`InboxItem` is a citizen's comment, question or complaint on an official account,
kept with its screening report (abuse, personal data) and its response clock: ``due_at`` is
fixed when it arrives from the institution's :class:`InboxPolicy` (hours, or working days
with the institution's :class:`Holiday` calendar), so "overdue" is one indexed comparison even
with tens of thousands of comments. Replies (:class:`InboxReply`) are drafted, screened and
approved like posts before they are marked sent. A grievance can be referred to the
grievance redress system of the institution's pack (:class:`GrsReferral`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Account, Base, Institution, User, utcnow

__all__ = ["GrsReferral", "Holiday", "InboxItem", "InboxPolicy", "InboxReply", "ReplyTemplate"]


class InboxPolicy(Base):
    """An institution's inbox settings; an institution without a row gets the defaults."""

    __tablename__ = "inbox_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), unique=True)
    #: Replies wait for an approver before they may be sent.
    replies_need_approval: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The first-response target: ``target_value`` ``hours`` or ``working_days``.
    target_value: Mapped[int] = mapped_column(Integer, default=24)
    target_unit: Mapped[str] = mapped_column(String(20), default="hours")
    #: Weekend days as ISO weekday numbers ("5,6" = Friday and Saturday); "" = the jurisdiction's.
    weekend: Mapped[str] = mapped_column(String(20), default="")
    #: Remind of a GRS deadline this many working days before it.
    grs_reminder_days: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Holiday(Base):
    """A day the institution does not count as a working day (public or its own holiday)."""

    __tablename__ = "inbox_holidays"
    __table_args__ = (UniqueConstraint("institution_id", "day", name="uq_inbox_holiday_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")


class InboxItem(Base):
    __tablename__ = "inbox_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: ``comment``, ``question`` or ``complaint``.
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    platform: Mapped[str] = mapped_column(String(40))
    author_handle: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[dt.datetime] = mapped_column(index=True)
    #: ``manual``, ``upload``, ``api`` or an importer's name.
    source: Mapped[str] = mapped_column(String(40), default="manual")
    #: The platform's id of the comment, when known (an upload of it again is skipped).
    external_id: Mapped[str] = mapped_column(String(200), default="")
    #: Detected language (``bn``, ``hi``, ``en``...), for the reply and a GRS packet.
    lang: Mapped[str] = mapped_column(String(10), default="")
    verdict: Mapped[str] = mapped_column(String(10), default="clear")
    report: Mapped[dict[str, Any]] = mapped_column()
    abusive: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Character ranges of personal data (``[[start, end], ...]``), hidden from most readers.
    private_spans: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Comma-separated: question, complaint, grievance, praise, abuse, spam.
    tags: Mapped[str] = mapped_column(String(200), default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_items.id"))
    #: ``open`` (waiting for a first response), ``answered`` or ``closed`` (no answer needed).
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    due_at: Mapped[dt.datetime] = mapped_column(index=True)
    first_response_at: Mapped[dt.datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    institution: Mapped[Institution] = relationship()
    account: Mapped[Account] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    replies: Mapped[list[InboxReply]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="InboxReply.id")

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]


class InboxReply(Base):
    """A reply drafted in Satark: ``draft`` → ``submitted`` → ``approved`` | ``rejected`` → ``sent``."""

    __tablename__ = "inbox_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inbox_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(10), default="")
    verdict: Mapped[str] = mapped_column(String(10), default="clear")
    report: Mapped[dict[str, Any]] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="draft")
    template_id: Mapped[int | None] = mapped_column(ForeignKey("inbox_templates.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    sent_link: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[InboxItem] = relationship(back_populates="replies")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class ReplyTemplate(Base):
    __tablename__ = "inbox_templates"
    __table_args__ = (UniqueConstraint("institution_id", "name", "lang", name="uq_inbox_template_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: ``en``, ``hi`` or ``bn``.
    lang: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GrsReferral(Base):
    """A grievance referred to the pack's grievance system (GRS, CPGRAMS), tracked to closure.

    ``prepared`` (packet made) → ``lodged`` (tracking number recorded; the deadline runs) →
    ``appealed`` (a second deadline) → ``resolved`` | ``closed``.
    """

    __tablename__ = "grs_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("inbox_items.id"), unique=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: The grievance system's id from the pack (``GRS``, ``CPGRAMS``).
    system: Mapped[str] = mapped_column(String(20))
    #: The packet's language (the citizen's).
    lang: Mapped[str] = mapped_column(String(5), default="en")
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="prepared", index=True)
    lodged_at: Mapped[dt.datetime | None] = mapped_column()
    #: The last day the grievance system has to settle it (in the institution's calendar).
    deadline_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    appealed_at: Mapped[dt.datetime | None] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[InboxItem] = relationship()
    institution: Mapped[Institution] = relationship()
