"""The citizen comments inbox (BD §8(খ), §8(ঘ)): what citizens raise on official pages, answered in time.

An item (a comment, question or complaint on an official account) arrives by hand, by an
upload (:mod:`.comment_import`) or through the API. Its text is screened like a post, for
abuse and for personal data: the character ranges of phone numbers, ID numbers and e-mail
addresses are kept, and only those who handle comments (moderators, admins) see them; every
other reader sees them masked (a citizen's phone number is not for everyone).

Each item's first-response clock starts when it was received and falls due by the
institution's target (default 24 hours; or N working days, skipping its weekend and
holidays, :mod:`.worktime`). ``due_at`` is fixed when the item arrives, by the policy then in
force, so a later change of target does not move promises already made, and "overdue" is one
indexed comparison.

Replies are drafted here, screened, and, when the institution's policy says so, approved by
an approver who did not write them (separation of duties) before they are marked sent with
the link. A reply whose screening verdict is ``block`` always needs an approver, whatever
the policy. The first reply sent stops the clock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import audit
from .access import can, institution_tree, require, roles_in, visible_institutions
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .i18n import N_
from .models import Account, Institution, Membership, User, by_id, utcnow
from .models_inbox import Holiday, InboxItem, InboxPolicy, InboxReply, ReplyTemplate
from .reminders import Reminder, reminder_source
from .screening import Screening
from .worktime import MAX_TARGET, UNITS, WorkCalendar, calendar_for, due_after, parse_weekend

__all__ = [
    "ABUSIVE_CATEGORIES",
    "KINDS",
    "REPLY_STATES",
    "STATUSES",
    "TAGS",
    "Clock",
    "InboxFilter",
    "account_for",
    "add_holiday",
    "approve_reply",
    "assign",
    "calendar_of",
    "clock",
    "close_item",
    "create_item",
    "create_template",
    "delete_template",
    "display_text",
    "draft_reply",
    "edit_reply",
    "get_item",
    "get_policy",
    "get_reply",
    "get_template",
    "institution_for",
    "list_holidays",
    "list_items",
    "list_templates",
    "mark_duplicate",
    "mark_sent",
    "overdue_items",
    "reject_reply",
    "remove_holiday",
    "reopen_item",
    "set_tags",
    "submit_reply",
    "update_policy",
    "update_template",
]

KINDS = ("comment", "question", "complaint")
TAGS = ("question", "complaint", "grievance", "praise", "abuse", "spam")
STATUSES = ("open", "answered", "closed")
REPLY_STATES = ("draft", "submitted", "approved", "rejected", "sent")
LANGS = ("en", "hi", "bn")
#: Finding categories that make an incoming item abusive (flagged and tagged ``abuse``).
ABUSIVE_CATEGORIES = frozenset({"obscene_abusive", "hate_discrimination"})
MAX_TEXT = 10_000
MAX_HANDLE = 200
MIN_REASON = 10
#: How far in the future a "received" time may lie (clocks of the machines that export differ).
CLOCK_SKEW = dt.timedelta(minutes=10)

# Personal data the engine may leave out in a citizen's own words (it judges official posts):
# e-mail addresses and phone-like digit runs (any script's digits, with spaces or dashes).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\w)\+?\d(?:[\s-]?\d){9,14}(?!\w)")
MASK = "•••"


# --- policy, holidays and the calendar -----------------------------------------------------

def get_policy(session: Session, institution_id: int) -> InboxPolicy:
    """The institution's policy row, or the defaults (an unsaved row) when it has none."""
    found = session.scalar(select(InboxPolicy).where(InboxPolicy.institution_id == institution_id))
    if found is not None:
        return found
    return InboxPolicy(institution_id=institution_id, replies_need_approval=True, target_value=24,
                       target_unit="hours", weekend="", grs_reminder_days=5)


def calendar_of(session: Session, institution: Institution, policy: InboxPolicy | None = None) -> WorkCalendar:
    policy = policy or get_policy(session, institution.id)
    return calendar_for(session, institution.id, time_zone=institution.timezone,
                        jurisdiction=institution.jurisdiction, weekend=policy.weekend)


def institution_for(session: Session, user: User, institution_id: int) -> Institution:
    inst = by_id(session, Institution, institution_id)
    if inst is None or not can(session, user, "read", inst.id):
        raise NotFound(f"no institution {institution_id}")
    return inst


def update_policy(session: Session, user: User, institution_id: int, *, replies_need_approval: bool | None = None,
                  target_value: int | None = None, target_unit: str | None = None, weekend: str | None = None,
                  grs_reminder_days: int | None = None) -> InboxPolicy:
    """Change the inbox settings (admins). Items already received keep the target they got."""
    institution_for(session, user, institution_id)
    require(session, user, "manage_institution", institution_id, what="institution")
    policy = get_policy(session, institution_id)
    before = _policy_dict(policy)
    if target_unit is not None and target_unit not in UNITS:
        raise InvalidInput(f"a target's unit is one of {', '.join(UNITS)}")
    unit = target_unit or policy.target_unit
    value = target_value if target_value is not None else policy.target_value
    if not 1 <= value <= MAX_TARGET[unit]:
        raise InvalidInput(f"a target in {unit.replace('_', ' ')} is between 1 and {MAX_TARGET[unit]}")
    if weekend is not None:
        days = parse_weekend(weekend)
        policy.weekend = ",".join(str(d) for d in sorted(days))
    if grs_reminder_days is not None:
        if not 0 <= grs_reminder_days <= 60:
            raise InvalidInput("the GRS reminder is given 0 to 60 working days before the deadline")
        policy.grs_reminder_days = grs_reminder_days
    if replies_need_approval is not None:
        policy.replies_need_approval = replies_need_approval
    policy.target_value, policy.target_unit = value, unit
    if policy.id is None:
        session.add(policy)
    session.flush()
    after = _policy_dict(policy)
    changed = {k: after[k] for k in after if after[k] != before[k]}
    if changed:
        audit.record(session, "inbox_policy_changed", actor=user, institution_id=institution_id,
                     object_type="institution", object_id=institution_id, details={"changed": changed})
    return policy


def _policy_dict(policy: InboxPolicy) -> dict[str, Any]:
    return {"replies_need_approval": policy.replies_need_approval, "target_value": policy.target_value,
            "target_unit": policy.target_unit, "weekend": policy.weekend,
            "grs_reminder_days": policy.grs_reminder_days}


def list_holidays(session: Session, user: User, institution_id: int) -> list[Holiday]:
    institution_for(session, user, institution_id)
    return list(session.scalars(select(Holiday).where(Holiday.institution_id == institution_id)
                                .order_by(Holiday.day)))


def add_holiday(session: Session, user: User, institution_id: int, *, day: dt.date, name: str = "") -> Holiday:
    institution_for(session, user, institution_id)
    require(session, user, "manage_institution", institution_id, what="institution")
    if session.scalar(select(Holiday).where(Holiday.institution_id == institution_id, Holiday.day == day)):
        raise Conflict(f"{day.isoformat()} is already a holiday of this institution")
    holiday = Holiday(institution_id=institution_id, day=day, name=name.strip()[:200])
    session.add(holiday)
    session.flush()
    audit.record(session, "inbox_holiday_added", actor=user, institution_id=institution_id,
                 object_type="holiday", object_id=holiday.id, details={"day": day.isoformat(), "name": holiday.name})
    return holiday


def remove_holiday(session: Session, user: User, institution_id: int, holiday_id: int) -> None:
    institution_for(session, user, institution_id)
    holiday = by_id(session, Holiday, holiday_id)
    if holiday is None or holiday.institution_id != institution_id:
        raise NotFound(f"no holiday {holiday_id}")
    require(session, user, "manage_institution", institution_id, what="institution")
    audit.record(session, "inbox_holiday_removed", actor=user, institution_id=institution_id,
                 object_type="holiday", object_id=holiday.id,
                 details={"day": holiday.day.isoformat(), "name": holiday.name})
    session.delete(holiday)


# --- screening incoming text -----------------------------------------------------------------

def screen(screening: Screening, text: str, jurisdiction: str) -> dict[str, Any]:
    """The report for a citizen's text (also what the routes call before a write unit opens)."""
    return screening.screen(text, jurisdiction=jurisdiction, account_type="official")


def private_spans(text: str, report: dict[str, Any]) -> list[list[int]]:
    """Character ranges of personal data: the engine's confidential findings, and e-mail
    addresses and phone-like numbers it may not count as a breach in a citizen's words."""
    spans = [(int(s["start"]), int(s["end"])) for f in report.get("findings", []) if f.get("category") == "confidential"
             for s in f.get("spans", []) if 0 <= int(s["start"]) < int(s["end"]) <= len(text)]
    spans += [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _PHONE.finditer(text)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def mask(text: str, spans: Sequence[Sequence[int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def sees_private(session: Session, user: User, item: InboxItem) -> bool:
    """Only those who handle the institution's comments see a citizen's personal data."""
    return can(session, user, "handle_comments", item.institution_id)


def display_text(session: Session, user: User, item: InboxItem) -> str:
    return item.text if sees_private(session, user, item) else mask(item.text, item.private_spans)


def public_report(report: dict[str, Any], *, private: bool) -> dict[str, Any]:
    """The screening report as a reader may see it: without the matched words of personal data
    unless ``private`` (the reader handles comments)."""
    if private:
        return report
    findings = [{**f, "spans": [], "details": {}} if f.get("category") == "confidential" else f
                for f in report.get("findings", [])]
    return {**{k: v for k, v in report.items() if k != "text"}, "findings": findings}


def _lang(report: dict[str, Any], fallback: str) -> str:
    code = str((report.get("language") or {}).get("code") or "").split("-")[0]
    return code if code in LANGS else fallback


# --- items -------------------------------------------------------------------------------------

def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("the text is empty")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"the text is longer than {MAX_TEXT} characters")
    return value.strip()


def _link(value: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not value.startswith(("https://", "http://")) or len(value) > 500 or any(c.isspace() for c in value):
        raise InvalidInput("a link must be an http(s) address of at most 500 characters")
    return value


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if value.tzinfo is None:
        raise InvalidInput("the time needs a time zone (e.g. 2026-11-23T10:00:00Z)", field=what)
    return value.astimezone(dt.UTC)


def account_for(session: Session, user: User, account_id: int) -> Account:
    account = by_id(session, Account, account_id)
    if account is None or not can(session, user, "read", account.institution_id):
        raise NotFound(f"no account {account_id}")
    return account


def create_item(
    session: Session, screening: Screening, user: User, *, account_id: int, text: str, received_at: dt.datetime,
    kind: str = "comment", author_handle: str = "", link: str = "", source: str = "manual", external_id: str = "",
    report: dict[str, Any] | None = None, now: dt.datetime | None = None, record: bool = True,
) -> InboxItem:
    """Record one incoming item, screened, with its response clock started at ``received_at``.

    ``report``: a screening report made beforehand (uploads screen all rows before the write
    unit opens); without it the text is screened here (the routes pre-screen, so this is a
    cache hit). ``record=False`` leaves the audit event to the caller (one per upload).
    """
    account = account_for(session, user, account_id)
    require(session, user, "handle_comments", account.institution_id, what="account")
    text = _text(text)
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    now = now or utcnow()
    received_at = _aware(received_at, "the time received")
    if received_at > now + CLOCK_SKEW:
        raise InvalidInput("the time received is in the future")
    handle = (author_handle or "").strip()
    if len(handle) > MAX_HANDLE:
        raise InvalidInput(f"the author handle is longer than {MAX_HANDLE} characters")
    inst = account.institution
    report = report if report is not None else screen(screening, text, inst.jurisdiction)
    spans = private_spans(text, report)
    categories = {f.get("category") for f in report.get("findings", [])}
    abusive = bool(categories & ABUSIVE_CATEGORIES)
    policy = get_policy(session, inst.id)
    item = InboxItem(
        institution_id=inst.id, account_id=account.id, kind=kind, platform=account.platform, author_handle=handle,
        text=text, link=_link(link), received_at=received_at, source=source, external_id=external_id.strip()[:200],
        lang=_lang(report, "en"), verdict=report.get("verdict", "clear"),
        report={k: v for k, v in report.items() if k != "text"}, abusive=abusive, private_spans=spans,
        tags="abuse" if abusive else ("question" if kind == "question" else ("complaint" if kind == "complaint"
                                                                            else "")),
        status="open", due_at=due_after(received_at, policy.target_value, policy.target_unit,
                                        calendar_of(session, inst, policy)),
        created_by_id=user.id, replies=[],
    )
    session.add(item)
    session.flush()
    if record:
        audit.record(session, "inbox_item_created", actor=user, institution_id=inst.id, object_type="inbox_item",
                     object_id=item.id, details={"account_id": account.id, "source": source, "kind": kind,
                                                 "verdict": item.verdict, "abusive": abusive,
                                                 "personal_data": bool(spans)})
    return item


def get_item(session: Session, user: User, item_id: int) -> InboxItem:
    item = by_id(session, InboxItem, item_id)
    if item is None or not can(session, user, "read", item.institution_id):
        raise NotFound(f"no comment {item_id}")
    return item


@dataclass(frozen=True)
class InboxFilter:
    institution_id: int | None = None
    account_id: int | None = None
    #: ``open``, ``answered``, ``closed`` or ``overdue`` (open and past its target).
    status: str | None = None
    tag: str | None = None
    assignee_id: int | None = None
    mine: bool = False
    abusive: bool | None = None
    limit: int = 100
    offset: int = 0


def list_items(session: Session, user: User, flt: InboxFilter, now: dt.datetime | None = None) -> list[InboxItem]:
    """Items the user may see, newest first (overdue ones: the longest overdue first)."""
    now = now or utcnow()
    visible = visible_institutions(session, user)
    query = select(InboxItem).where(InboxItem.institution_id.in_(visible))
    order: list[Any] = [InboxItem.received_at.desc(), InboxItem.id.desc()]
    if flt.status == "overdue":
        query = query.where(InboxItem.status == "open", InboxItem.duplicate_of_id.is_(None), InboxItem.due_at < now)
        order = [InboxItem.due_at, InboxItem.id]
    elif flt.status:
        if flt.status not in STATUSES:
            raise InvalidInput(f"unknown state {flt.status!r}; known: {', '.join((*STATUSES, 'overdue'))}")
        query = query.where(InboxItem.status == flt.status)
    if flt.institution_id is not None:
        query = query.where(InboxItem.institution_id == flt.institution_id)
    if flt.account_id is not None:
        query = query.where(InboxItem.account_id == flt.account_id)
    if flt.tag:
        if flt.tag not in TAGS:
            raise InvalidInput(f"unknown tag {flt.tag!r}; known: {', '.join(TAGS)}")
        # Tags are a short comma-separated list: match the whole word.
        query = query.where(("," + InboxItem.tags + ",").contains(f",{flt.tag},"))
    if flt.assignee_id is not None:
        query = query.where(InboxItem.assignee_id == flt.assignee_id)
    if flt.mine:
        query = query.where(InboxItem.assignee_id == user.id)
    if flt.abusive is not None:
        query = query.where(InboxItem.abusive.is_(flt.abusive))
    query = query.order_by(*order).limit(min(max(flt.limit, 1), 500)).offset(max(flt.offset, 0))
    return list(session.scalars(query))


def overdue_items(session: Session, institution_ids: Collection[int], now: dt.datetime) -> list[InboxItem]:
    """Open items of these institutions past their first-response target, longest overdue first
    (for the monitor dashboard and the escalation reminder; no access check: callers pass the
    institutions the viewer may see)."""
    ids = list(institution_ids)
    if not ids:
        return []
    return list(session.scalars(
        select(InboxItem).where(InboxItem.institution_id.in_(ids), InboxItem.status == "open",
                                InboxItem.duplicate_of_id.is_(None), InboxItem.due_at < now)
        .order_by(InboxItem.due_at, InboxItem.id)))


@dataclass(frozen=True)
class Clock:
    """Where an item stands against its target.

    ``state``: ``open`` (time left), ``overdue``, ``answered`` (``on_time`` says whether in
    time) or ``closed``/``duplicate`` (no answer needed). ``seconds``: time left, time overdue,
    or the first response time.
    """

    state: str
    due_at: dt.datetime
    seconds: int
    on_time: bool | None = None


def clock(item: InboxItem, now: dt.datetime | None = None) -> Clock:
    now = now or utcnow()
    if item.first_response_at is not None:
        taken = int((item.first_response_at - item.received_at).total_seconds())
        return Clock("answered", item.due_at, taken, on_time=item.first_response_at <= item.due_at)
    if item.duplicate_of_id is not None:
        return Clock("duplicate", item.due_at, 0)
    if item.status == "closed":
        return Clock("closed", item.due_at, 0)
    left = int((item.due_at - now).total_seconds())
    if left < 0:
        return Clock("overdue", item.due_at, -left, on_time=False)
    return Clock("open", item.due_at, left)


def duration_parts(seconds: int) -> tuple[int, int, int]:
    """(days, hours, minutes) of a duration, for the clock's wording."""
    seconds = max(0, seconds)
    return seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60


# --- triage ----------------------------------------------------------------------------------

def _handle(session: Session, user: User, item: InboxItem) -> None:
    require(session, user, "handle_comments", item.institution_id, what="comment")


def _touch(session: Session, user: User, item: InboxItem, action: str, **details: Any) -> None:
    item.updated_at = utcnow()
    audit.record(session, action, actor=user, institution_id=item.institution_id, object_type="inbox_item",
                 object_id=item.id, details=details)


def assign(session: Session, user: User, item: InboxItem, assignee_id: int | None) -> None:
    """Give the item to a moderator (or admin) of its institution; ``None`` unassigns it."""
    _handle(session, user, item)
    if assignee_id is not None:
        assignee = by_id(session, User, assignee_id)
        if assignee is None or not assignee.is_active:
            raise NotFound(f"no user {assignee_id}")
        if not roles_in(session, assignee, item.institution_id) & {"moderator", "admin"}:
            raise InvalidInput("comments can be assigned only to a moderator or admin of the institution")
    before = item.assignee_id
    item.assignee_id = assignee_id
    _touch(session, user, item, "inbox_item_assigned", **{"from": before, "to": assignee_id})


def set_tags(session: Session, user: User, item: InboxItem, tags: Iterable[str]) -> list[str]:
    _handle(session, user, item)
    wanted = list(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))
    unknown = [t for t in wanted if t not in TAGS]
    if unknown:
        raise InvalidInput(f"unknown tag {unknown[0]!r}; known: {', '.join(TAGS)}")
    before = item.tag_list
    item.tags = ",".join(t for t in TAGS if t in wanted)
    if before != item.tag_list:
        _touch(session, user, item, "inbox_item_tagged", **{"from": before, "to": item.tag_list})
    return item.tag_list


def mark_duplicate(session: Session, user: User, item: InboxItem, of_id: int | None) -> None:
    """Mark the item a duplicate of another of the same institution (its clock stops), or
    (``None``) not a duplicate any more."""
    _handle(session, user, item)
    if of_id is not None:
        original = by_id(session, InboxItem, of_id)
        if original is None or original.institution_id != item.institution_id:
            raise NotFound(f"no comment {of_id}")
        if original.id == item.id:
            raise InvalidInput("a comment cannot be a duplicate of itself")
        # Point at the first of the chain, so duplicates never form a loop.
        seen = {item.id}
        while original.duplicate_of_id is not None:
            if original.id in seen or original.duplicate_of_id == item.id:
                raise InvalidInput("a comment cannot be a duplicate of itself")
            seen.add(original.id)
            nxt = session.get(InboxItem, original.duplicate_of_id)
            if nxt is None:  # pragma: no cover - foreign key
                break
            original = nxt
        of_id = original.id
    before = item.duplicate_of_id
    item.duplicate_of_id = of_id
    _touch(session, user, item, "inbox_item_duplicate", **{"from": before, "to": of_id})


def close_item(session: Session, user: User, item: InboxItem, *, reason: str) -> None:
    """Close an item that needs no answer (spam, praise, answered elsewhere), with a reason."""
    _handle(session, user, item)
    if item.status == "closed":
        raise Conflict("this comment is already closed")
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise InvalidInput("say why the comment is closed (at least 3 characters)")
    before = item.status
    item.status = "closed"
    _touch(session, user, item, "inbox_item_closed", **{"from": before, "reason": reason[:500]})


def reopen_item(session: Session, user: User, item: InboxItem) -> None:
    _handle(session, user, item)
    if item.status != "closed":
        raise Conflict("only a closed comment can be reopened")
    item.status = "answered" if item.first_response_at is not None else "open"
    _touch(session, user, item, "inbox_item_reopened", to=item.status)


# --- replies -----------------------------------------------------------------------------------

def get_reply(session: Session, user: User, item: InboxItem, reply_id: int) -> InboxReply:
    reply = by_id(session, InboxReply, reply_id)
    if reply is None or reply.item_id != item.id:
        raise NotFound(f"no reply {reply_id}")
    return reply


def _reply_audit(session: Session, user: User, reply: InboxReply, action: str, **details: Any) -> None:
    reply.updated_at = utcnow()
    audit.record(session, action, actor=user, institution_id=reply.item.institution_id, object_type="inbox_item",
                 object_id=reply.item_id, details={"reply": reply.id, "status": reply.status, **details})


def _template_for(session: Session, item: InboxItem, template_id: int | None) -> ReplyTemplate | None:
    if template_id is None:
        return None
    template = by_id(session, ReplyTemplate, template_id)
    if template is None or template.institution_id != item.institution_id:
        raise NotFound(f"no template {template_id}")
    return template


def draft_reply(session: Session, screening: Screening, user: User, item: InboxItem, *, text: str,
                template_id: int | None = None) -> InboxReply:
    """A draft reply, screened as a post is (its verdict and findings kept)."""
    _handle(session, user, item)
    template = _template_for(session, item, template_id)
    text = _text(text)
    report = screen(screening, text, item.institution.jurisdiction)
    reply = InboxReply(item=item, author_id=user.id, text=text, lang=_lang(report, item.lang or "en"),
                       verdict=report.get("verdict", "clear"), report=report, status="draft",
                       template_id=template.id if template else None)
    session.add(reply)
    session.flush()
    _reply_audit(session, user, reply, "inbox_reply_drafted", verdict=reply.verdict,
                 template_id=reply.template_id)
    return reply


def _own_draft(session: Session, user: User, reply: InboxReply) -> None:
    _handle(session, user, reply.item)
    if reply.author_id != user.id:
        raise Forbidden("only the author of a reply may change or submit it")


def edit_reply(session: Session, screening: Screening, user: User, reply: InboxReply, *, text: str) -> InboxReply:
    _own_draft(session, user, reply)
    if reply.status not in ("draft", "rejected", "submitted"):
        raise Conflict(f"a reply that is {reply.status} cannot be changed")
    text = _text(text)
    if text == reply.text and reply.status == "draft":
        return reply
    report = screen(screening, text, reply.item.institution.jurisdiction)
    reply.text, reply.verdict, reply.report = text, report.get("verdict", "clear"), report
    reply.lang = _lang(report, reply.lang or "en")
    # A changed text needs deciding on again.
    reply.status, reply.decided_by_id, reply.decided_at, reply.decision_comment = "draft", None, None, ""
    _reply_audit(session, user, reply, "inbox_reply_edited", verdict=reply.verdict)
    return reply


def needs_approval(session: Session, reply: InboxReply) -> bool:
    """Per the institution's policy; a reply the screening would block always needs it."""
    return reply.verdict == "block" or get_policy(session, reply.item.institution_id).replies_need_approval


def submit_reply(session: Session, user: User, reply: InboxReply, *, confirm: bool = False) -> None:
    _own_draft(session, user, reply)
    if reply.status not in ("draft", "rejected"):
        raise Conflict(f"a reply that is {reply.status} cannot be submitted")
    if reply.verdict == "block" and not confirm:
        raise Conflict("the screening says this reply must not be sent (verdict 'block'); read the findings, "
                       "then confirm to submit it anyway", verdict="block", needs_confirmation=True)
    reply.status = "submitted"
    _reply_audit(session, user, reply, "inbox_reply_submitted", verdict=reply.verdict)


def _decider(session: Session, user: User, reply: InboxReply) -> None:
    # The reader may see the reply already: its state is no secret, so it is checked first.
    if reply.status != "submitted":
        raise Conflict(f"a reply that is {reply.status} awaits no decision")
    require(session, user, "approve_reply", reply.item.institution_id, what="comment")
    if reply.author_id == user.id:
        raise Forbidden("nobody may approve or decide on a reply they wrote; another approver must do it",
                        reason="own_work")


def approve_reply(session: Session, user: User, reply: InboxReply, *, comment: str = "",
                  override_reason: str | None = None) -> None:
    _decider(session, user, reply)
    override = ""
    if reply.verdict == "block":
        override = (override_reason or "").strip()
        if len(override) < MIN_REASON:
            raise InvalidInput("approving a reply whose verdict is 'block' needs an override reason, which must be "
                               f"written out (at least {MIN_REASON} characters)")
    reply.status, reply.decided_by_id, reply.decided_at = "approved", user.id, utcnow()
    reply.decision_comment = (comment or override).strip()[:2000]
    _reply_audit(session, user, reply, "inbox_reply_approved", comment=reply.decision_comment,
                 override_reason=override, verdict=reply.verdict)


def reject_reply(session: Session, user: User, reply: InboxReply, *, comment: str) -> None:
    _decider(session, user, reply)
    comment = (comment or "").strip()
    if len(comment) < MIN_REASON:
        raise InvalidInput(f"the comment to the author must be written out (at least {MIN_REASON} characters)")
    reply.status, reply.decided_by_id, reply.decided_at = "rejected", user.id, utcnow()
    reply.decision_comment = comment[:2000]
    _reply_audit(session, user, reply, "inbox_reply_rejected", comment=reply.decision_comment)


def mark_sent(session: Session, user: User, reply: InboxReply, *, link: str, sent_at: dt.datetime | None = None,
              now: dt.datetime | None = None) -> None:
    """Record that the reply was posted on the platform (with its link); the first one sent
    stops the item's clock."""
    item = reply.item
    _handle(session, user, item)
    if reply.status == "sent":
        raise Conflict("this reply was already marked sent")
    if reply.status != "approved" and (needs_approval(session, reply) or reply.status not in ("draft", "submitted")):
        raise Conflict("this reply needs an approver's approval before it is sent")
    link = _link(link, required=True)
    now = now or utcnow()
    when = _aware(sent_at, "the time sent") if sent_at is not None else now
    if when > now + CLOCK_SKEW:
        raise InvalidInput("the time sent is in the future")
    if when < item.received_at:
        raise InvalidInput("the time sent is before the comment was received")
    reply.status, reply.sent_at, reply.sent_link = "sent", when, link
    if item.first_response_at is None or when < item.first_response_at:
        item.first_response_at = when
    if item.status == "open":
        item.status = "answered"
    seconds = int((item.first_response_at - item.received_at).total_seconds())
    _reply_audit(session, user, reply, "inbox_reply_sent", link=link, sent_at=when.isoformat(),
                 first_response_seconds=seconds, on_time=item.first_response_at <= item.due_at)


# --- templates ---------------------------------------------------------------------------------

def list_templates(session: Session, user: User, institution_id: int, lang: str | None = None) -> list[ReplyTemplate]:
    institution_for(session, user, institution_id)
    query = select(ReplyTemplate).where(ReplyTemplate.institution_id == institution_id)
    if lang:
        query = query.where(ReplyTemplate.lang == lang)
    return list(session.scalars(query.order_by(ReplyTemplate.name, ReplyTemplate.lang)))


def get_template(session: Session, user: User, template_id: int) -> ReplyTemplate:
    template = by_id(session, ReplyTemplate, template_id)
    if template is None or not can(session, user, "read", template.institution_id):
        raise NotFound(f"no template {template_id}")
    return template


def _template_fields(name: str, lang: str, text: str) -> tuple[str, str, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput("a template's name is 1 to 100 characters")
    if lang not in LANGS:
        raise InvalidInput(f"a template's language is one of {', '.join(LANGS)}")
    return name, lang, _text(text)


def _unique_template(session: Session, institution_id: int, name: str, lang: str, own: int | None = None) -> None:
    found = session.scalar(select(ReplyTemplate.id).where(
        ReplyTemplate.institution_id == institution_id, ReplyTemplate.name == name, ReplyTemplate.lang == lang))
    if found is not None and found != own:
        raise Conflict("the institution already has a template of that name in that language")


def create_template(session: Session, user: User, institution_id: int, *, name: str, lang: str,
                    text: str) -> ReplyTemplate:
    institution_for(session, user, institution_id)
    require(session, user, "handle_comments", institution_id, what="institution")
    name, lang, text = _template_fields(name, lang, text)
    _unique_template(session, institution_id, name, lang)
    template = ReplyTemplate(institution_id=institution_id, name=name, lang=lang, text=text)
    session.add(template)
    session.flush()
    audit.record(session, "inbox_template_created", actor=user, institution_id=institution_id,
                 object_type="inbox_template", object_id=template.id, details={"name": name, "lang": lang})
    return template


def update_template(session: Session, user: User, template: ReplyTemplate, *, name: str | None = None,
                    lang: str | None = None, text: str | None = None) -> ReplyTemplate:
    require(session, user, "handle_comments", template.institution_id, what="template")
    name, lang, text = _template_fields(name if name is not None else template.name,
                                        lang if lang is not None else template.lang,
                                        text if text is not None else template.text)
    _unique_template(session, template.institution_id, name, lang, own=template.id)
    template.name, template.lang, template.text = name, lang, text
    template.updated_at = utcnow()
    audit.record(session, "inbox_template_changed", actor=user, institution_id=template.institution_id,
                 object_type="inbox_template", object_id=template.id, details={"name": name, "lang": lang})
    return template


def delete_template(session: Session, user: User, template: ReplyTemplate) -> None:
    require(session, user, "handle_comments", template.institution_id, what="template")
    for reply in session.scalars(select(InboxReply).where(InboxReply.template_id == template.id)):
        reply.template_id = None
    audit.record(session, "inbox_template_deleted", actor=user, institution_id=template.institution_id,
                 object_type="inbox_template", object_id=template.id,
                 details={"name": template.name, "lang": template.lang})
    session.delete(template)


# --- counts and escalation ------------------------------------------------------------------

def open_counts(session: Session, institution_ids: Collection[int], now: dt.datetime) -> dict[str, int]:
    """Open and overdue counts (for headers and dashboards)."""
    ids = list(institution_ids)
    base = select(func.count()).select_from(InboxItem).where(
        InboxItem.institution_id.in_(ids), InboxItem.status == "open", InboxItem.duplicate_of_id.is_(None))
    return {"open": session.scalar(base) or 0, "overdue": session.scalar(base.where(InboxItem.due_at < now)) or 0}


def members_with(session: Session, institution_id: int, roles: Collection[str]) -> list[int]:
    """Ids of the active users holding one of ``roles`` directly in the institution."""
    return sorted(set(session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id)
        .where(Membership.institution_id == institution_id, Membership.role.in_(list(roles)),
               User.is_active.is_(True)))))


def admins_over(session: Session, institution_id: int) -> list[int]:
    """The admins of the institution, else of the nearest institution above that has some (an
    admin's role reaches down the hierarchy)."""
    for inst_id in institution_tree(session).ancestors(institution_id):
        found = members_with(session, inst_id, ("admin",))
        if found:
            return found
    return []


def escalation_recipients(session: Session, item: InboxItem) -> tuple[int, ...]:
    """The institution's approvers (its admins when it has none) and the assignee."""
    people = members_with(session, item.institution_id, ("approver",)) or admins_over(session, item.institution_id)
    if item.assignee_id is not None:
        people.append(item.assignee_id)
    return tuple(sorted(set(people)))


@reminder_source("comment_overdue")
def overdue_reminders(session: Session, now: dt.datetime) -> Iterable[Reminder]:
    """An overdue comment escalates to the institution's approvers and its assignee, once."""
    ids = list(session.scalars(select(Institution.id)))
    for item in overdue_items(session, ids, now):
        recipients = escalation_recipients(session, item)
        if not recipients:
            continue
        yield Reminder(
            kind="comment_overdue", key=f"comment:{item.id}:overdue", institution_id=item.institution_id,
            recipients=recipients,
            message=N_("A citizen's comment (#{item}) on {account} has had no response within the target; "
                       "it was due {due}."),
            params={"item": item.id, "account": f"{item.platform}/{item.account.handle}",
                    "due": item.due_at.astimezone(calendar_of(session, item.institution).tz)
                    .strftime("%Y-%m-%d %H:%M")},
            link=f"/inbox/{item.id}",
        )

