"""Referring grievances to the grievance redress system (BD §6.1(ঝ): pages are integrated with GRS).

Neither Bangladesh's GRS nor India's CPGRAMS has a public API. So when an inbox item is a
grievance, Satark prepares a referral packet (PDF and plain text, in the citizen's language:
the grievance as received, the office, the account, the dates), the officer lodges it on the
system's portal and enters the tracking number it gives, and from then on Satark tracks the
statutory deadline that the institution's pack names (GRS: 30 working days, then 20 after an
appeal; CPGRAMS: 21 days) until the referral is closed::

    prepared → lodged → (appealed) → resolved → closed      (closed also straight from any open state)

Deadlines are counted in the institution's working-day calendar (:mod:`.worktime`), and a
reminder goes to the assignee and the institution's admins when one is a few working days away.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from satark.packs.model import GrievanceSystem

from . import audit
from .access import can, require
from .errors import Conflict, InvalidInput, NotFound
from .i18n import N_, localized, make_environment, translations
from .inbox import admins_over, calendar_of, get_policy
from .models import Institution, User, by_id, utcnow
from .models_inbox import GrsReferral, InboxItem
from .pdf import FONT_FAMILY, html_to_pdf
from .reminders import Reminder, reminder_source
from .screening import Screening
from .worktime import WorkCalendar

__all__ = [
    "ACTIONS",
    "OPEN_STATES",
    "STATES",
    "create_referral",
    "days_left",
    "get_referral",
    "grievance_system",
    "list_referrals",
    "open_referrals_near_deadline",
    "packet_html",
    "packet_pdf",
    "packet_text",
    "update_referral",
]

STATES = ("prepared", "lodged", "appealed", "resolved", "closed")
#: States in which the grievance system's deadline runs.
OPEN_STATES = ("lodged", "appealed")
#: action → (states it may start from, state it leads to).
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "lodge": (frozenset({"prepared"}), "lodged"),
    "appeal": (frozenset({"lodged", "resolved"}), "appealed"),
    "resolve": (frozenset({"lodged", "appealed"}), "resolved"),
    "close": (frozenset({"prepared", "lodged", "appealed", "resolved"}), "closed"),
}
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.\-]{0,99}$")
LANGS = ("en", "hi", "bn")


def grievance_system(screening: Screening, jurisdiction: str) -> GrievanceSystem | None:
    """The grievance system the jurisdiction's pack names (None if it names none)."""
    return screening.pack(jurisdiction).grievance_system


def _calendar(session: Session, institution: Institution) -> WorkCalendar:
    return calendar_of(session, institution)


def _deadline(session: Session, institution: Institution, start: dt.datetime, value: int, unit: str) -> dt.date:
    cal = _calendar(session, institution)
    day = cal.local_date(start)
    if unit == "days":
        return day + dt.timedelta(days=value)
    return cal.add_working_days(day, value)


def days_left(session: Session, referral: GrsReferral, now: dt.datetime,
              calendar: WorkCalendar | None = None) -> int | None:
    """Working days from today (in the institution's zone) to the deadline; negative when past."""
    if referral.deadline_on is None:
        return None
    cal = calendar or _calendar(session, referral.institution)
    return cal.working_days_between(cal.local_date(now), referral.deadline_on)


def get_referral(session: Session, user: User, referral_id: int) -> GrsReferral:
    referral = by_id(session, GrsReferral, referral_id)
    if referral is None or not can(session, user, "read", referral.institution_id):
        raise NotFound(f"no referral {referral_id}")
    return referral


def referral_of(session: Session, item: InboxItem) -> GrsReferral | None:
    return session.scalar(select(GrsReferral).where(GrsReferral.item_id == item.id))


def list_referrals(session: Session, user: User, institution_ids: Collection[int], *,
                   status: str | None = None) -> list[GrsReferral]:
    ids = [i for i in institution_ids if can(session, user, "read", i)]
    query = select(GrsReferral).where(GrsReferral.institution_id.in_(ids))
    if status:
        if status not in STATES:
            raise InvalidInput(f"unknown state {status!r}; known: {', '.join(STATES)}")
        query = query.where(GrsReferral.status == status)
    return list(session.scalars(query.order_by(GrsReferral.created_at.desc(), GrsReferral.id.desc())))


def create_referral(session: Session, screening: Screening, user: User, item: InboxItem, *,
                    lang: str | None = None, now: dt.datetime | None = None) -> GrsReferral:
    """Prepare the referral of a grievance (the item is tagged ``grievance`` if it was not)."""
    require(session, user, "handle_comments", item.institution_id, what="comment")
    system = grievance_system(screening, item.institution.jurisdiction)
    if system is None:
        raise Conflict("the institution's policy pack names no grievance redress system")
    if referral_of(session, item) is not None:
        raise Conflict("this comment has already been referred")
    if item.duplicate_of_id is not None:
        raise Conflict("refer the original comment, not its duplicate")
    if lang is not None and lang not in LANGS:
        raise InvalidInput(f"a referral's language is one of {', '.join(LANGS)}")
    lang = lang or (item.lang if item.lang in LANGS else screening.pack(item.institution.jurisdiction).language)
    if "grievance" not in item.tag_list:
        item.tags = ",".join(t for t in ("question", "complaint", "grievance", "praise", "abuse", "spam")
                             if t in {*item.tag_list, "grievance"})
    referral = GrsReferral(item_id=item.id, institution_id=item.institution_id, system=system.id, lang=lang,
                           status="prepared", assignee_id=item.assignee_id or user.id, created_by_id=user.id,
                           created_at=now or utcnow())
    session.add(referral)
    session.flush()
    audit.record(session, "grs_referral_created", actor=user, institution_id=item.institution_id,
                 object_type="grs_referral", object_id=referral.id,
                 details={"item": item.id, "system": system.id, "lang": lang})
    return referral


def update_referral(session: Session, screening: Screening, user: User, referral: GrsReferral, action: str, *,
                    tracking_number: str | None = None, at: dt.datetime | None = None, note: str = "",
                    now: dt.datetime | None = None) -> GrsReferral:
    """Move a referral on: ``lodge`` (with the tracking number; the deadline starts),
    ``appeal`` (the appeal deadline starts), ``resolve``, ``close``; or ``note`` alone
    (``action="note"``, also to correct a mistyped tracking number)."""
    require(session, user, "handle_comments", referral.institution_id, what="referral")
    now = now or utcnow()
    when = at or now
    if when.tzinfo is None:
        raise InvalidInput("the time needs a time zone (e.g. 2026-11-23T10:00:00Z)")
    if when > now + dt.timedelta(minutes=10):
        raise InvalidInput("the time given is in the future")
    note = (note or "").strip()
    if len(note) > 2000:
        raise InvalidInput("the note is longer than 2000 characters")
    system = grievance_system(screening, referral.institution.jurisdiction)
    before = referral.status
    details: dict[str, Any] = {}
    if tracking_number is not None:
        tracking_number = tracking_number.strip()
        if not _TRACKING.match(tracking_number):
            raise InvalidInput("a tracking number is 1 to 100 letters, digits and / _ . -")
    if action == "note":
        if tracking_number is not None and referral.status != "prepared":
            details["tracking_number"] = {"from": referral.tracking_number, "to": tracking_number}
            referral.tracking_number = tracking_number
        if not note and not details:
            raise InvalidInput("nothing to record: give a note or a tracking number")
    else:
        if action not in ACTIONS:
            raise InvalidInput(f"unknown action {action!r}; known: {', '.join(ACTIONS)}")
        allowed, target = ACTIONS[action]
        if referral.status not in allowed:
            raise Conflict(f"cannot {action} a referral that is {referral.status}; "
                           f"allowed from: {', '.join(sorted(allowed))}")
        if action == "lodge":
            if not tracking_number:
                raise InvalidInput("lodging a referral needs the tracking number the grievance system gave")
            if system is None:  # pragma: no cover - a pack that dropped its system
                raise Conflict("the institution's policy pack names no grievance redress system")
            referral.tracking_number = tracking_number
            referral.lodged_at = when
            referral.deadline_on = _deadline(session, referral.institution, when, system.deadline,
                                             system.deadline_unit)
            details.update(tracking_number=tracking_number, deadline_on=referral.deadline_on.isoformat())
        elif action == "appeal":
            if system is None or system.appeal_deadline is None:
                raise Conflict("the grievance system of this pack has no appeal stage")
            referral.appealed_at = when
            referral.deadline_on = _deadline(session, referral.institution, when, system.appeal_deadline,
                                             system.appeal_unit)
            details.update(deadline_on=referral.deadline_on.isoformat())
        elif action == "close":
            referral.closed_at = when
        referral.status = target
    if note:
        stamp = when.astimezone(_calendar(session, referral.institution).tz).strftime("%Y-%m-%d")
        referral.note = (referral.note + "\n" if referral.note else "") + f"{stamp} {note}"
        details["note"] = note
    referral.updated_at = utcnow()
    audit.record(session, f"grs_referral_{action}", actor=user, institution_id=referral.institution_id,
                 object_type="grs_referral", object_id=referral.id,
                 details={"from": before, "to": referral.status, "at": when.isoformat(), **details})
    return referral


def open_referrals_near_deadline(session: Session, institution_ids: Collection[int], now: dt.datetime,
                                 within_days: int = 5) -> list[GrsReferral]:
    """Lodged or appealed referrals of these institutions whose deadline is at most
    ``within_days`` working days away (or already past), nearest first. No access check:
    callers pass the institutions the viewer may see."""
    ids = list(institution_ids)
    if not ids:
        return []
    rows = list(session.scalars(select(GrsReferral).where(
        GrsReferral.institution_id.in_(ids), GrsReferral.status.in_(OPEN_STATES),
        GrsReferral.deadline_on.is_not(None))))
    calendars: dict[int, WorkCalendar] = {}
    found: list[tuple[int, GrsReferral]] = []
    for referral in rows:
        cal = calendars.get(referral.institution_id)
        if cal is None:
            cal = calendars[referral.institution_id] = _calendar(session, referral.institution)
        left = days_left(session, referral, now, cal)
        if left is not None and left <= within_days:
            found.append((left, referral))
    found.sort(key=lambda pair: (pair[0], pair[1].id))
    return [referral for _, referral in found]


@reminder_source("grs_deadline")
def deadline_reminders(session: Session, now: dt.datetime) -> Iterable[Reminder]:
    """A GRS deadline a few working days away (the institution's setting) reaches the
    referral's assignee and the institution's admins, once per deadline."""
    by_institution: dict[int, list[GrsReferral]] = {}
    for referral in session.scalars(select(GrsReferral).where(GrsReferral.status.in_(OPEN_STATES))):
        by_institution.setdefault(referral.institution_id, []).append(referral)
    for inst_id in sorted(by_institution):
        within = get_policy(session, inst_id).grs_reminder_days
        for referral in open_referrals_near_deadline(session, [inst_id], now, within):
            people = set(admins_over(session, inst_id))
            if referral.assignee_id is not None:
                people.add(referral.assignee_id)
            if not people:
                continue
            assert referral.deadline_on is not None
            yield Reminder(
                kind="grs_deadline",
                key=f"grs:{referral.id}:{referral.status}:{referral.deadline_on.isoformat()}",
                institution_id=inst_id, recipients=tuple(sorted(people)),
                message=N_("The {system} deadline of grievance {tracking} (comment #{item}) is {deadline}."),
                params={"system": referral.system, "tracking": referral.tracking_number, "item": referral.item_id,
                        "deadline": referral.deadline_on.isoformat()},
                link=f"/inbox/{referral.item_id}",
            )


# --- the packet ---------------------------------------------------------------------------------

def _packet_data(session: Session, screening: Screening, referral: GrsReferral, now: dt.datetime) -> dict[str, Any]:
    item = referral.item
    inst = referral.institution
    system = grievance_system(screening, inst.jurisdiction)
    lang = referral.lang
    office = inst.local_name if lang != "en" and inst.local_name else inst.name
    return {
        "lang": lang,
        "system": localized(system.name.model_dump(), lang) if system else referral.system,
        "system_url": system.url if system else "",
        "office": office,
        "office_en": inst.name,
        "account": f"{item.account.platform} — {item.account.display_name or item.account.handle}",
        "account_url": item.account.url,
        "author": item.author_handle,
        "text": item.text,
        "link": item.link,
        "received_at": item.received_at,
        "referred_at": referral.created_at,
        "prepared_at": now,
        "tracking_number": referral.tracking_number,
        "deadline_on": referral.deadline_on,
        "item_id": item.id,
        "referral_id": referral.id,
        "time_zone": inst.timezone,
    }


def packet_text(session: Session, screening: Screening, referral: GrsReferral, now: dt.datetime | None = None) -> str:
    """The packet as plain text in the citizen's language (to paste into the portal's form)."""
    data = _packet_data(session, screening, referral, now or utcnow())
    _ = translations(data["lang"]).gettext
    cal = _calendar(session, referral.institution)

    def when(value: dt.datetime) -> str:
        return value.astimezone(cal.tz).strftime("%Y-%m-%d %H:%M")

    lines = [
        _("Grievance referral to %(system)s") % {"system": data["system"]},
        "",
        f"{_('Office')}: {data['office']}",
        f"{_('Account')}: {data['account']}",
        f"{_('Citizen')}: {data['author'] or '—'}",
        f"{_('Received')}: {when(data['received_at'])}",
        f"{_('Referred')}: {when(data['referred_at'])}",
    ]
    if data["link"]:
        lines.append(f"{_('Link')}: {data['link']}")
    if data["tracking_number"]:
        lines.append(f"{_('Tracking number')}: {data['tracking_number']}")
    if data["deadline_on"]:
        lines.append(f"{_('Deadline')}: {data['deadline_on'].isoformat()}")
    lines += ["", _("The grievance as received") + ":", "", data["text"], "",
              _("Satark reference: comment #%(item)s, referral #%(referral)s")
              % {"item": data["item_id"], "referral": data["referral_id"]}]
    return "\n".join(lines) + "\n"


def packet_html(session: Session, screening: Screening, referral: GrsReferral, now: dt.datetime | None = None) -> str:
    data = _packet_data(session, screening, referral, now or utcnow())
    env = make_environment(data["lang"])
    return env.get_template("grs_packet.html").render(**data, font_family=FONT_FAMILY, esc=html.escape)


def packet_pdf(session: Session, screening: Screening, referral: GrsReferral, now: dt.datetime | None = None) -> bytes:
    return html_to_pdf(packet_html(session, screening, referral, now))
