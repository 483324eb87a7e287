"""``/api/v1`` routes of the citizen comments inbox and GRS referrals (BD §8, §6.1(ঝ)).

Screening runs before the write unit opens (as for posts): the route reads what it needs in
a read unit, screens, then the domain function finds the report in the screening cache.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BeforeValidator, Field
from sqlalchemy.orm import Session

from .. import comment_import, grs, inbox
from ..access import require, visible_institutions
from ..errors import InvalidInput
from ..models import MAX_ID, User, utcnow
from ..models_inbox import GrsReferral, Holiday, InboxItem, InboxPolicy, InboxReply, ReplyTemplate
from ..pdf import html_to_pdf
from ..worktime import MAX_TARGET, UNITS
from . import schemas as s
from .routes import PathId, QueryId, Svc

router = APIRouter(tags=["inbox"])

ItemKind = Literal["comment", "question", "complaint"]
Tag = Literal["question", "complaint", "grievance", "praise", "abuse", "spam"]
Lang = Literal["en", "hi", "bn"]
Handle = Annotated[str, Field(max_length=inbox.MAX_HANDLE), s.NO_NUL]
ItemText = Annotated[str, Field(min_length=1, max_length=inbox.MAX_TEXT), s.SAYS]
Short = Annotated[str, Field(max_length=200), s.NO_NUL]


def _not_bool(value: object) -> object:
    # JSON's true is not the number 1.
    if isinstance(value, bool):
        raise ValueError("a whole number, like 2")
    return value


#: A whole number in a body (not a JSON boolean).
Whole = Annotated[int, BeforeValidator(_not_bool)]


# --- bodies ---------------------------------------------------------------------------------------

class ItemIn(s.Body):
    account_id: s.Id
    text: ItemText
    received_at: s.Timestamp = Field(description="when the citizen wrote it (not in the future)")
    kind: ItemKind = "comment"
    author_handle: Handle = ""
    link: s.UrlOrEmpty = ""
    external_id: Short = ""


class ImportIn(s.Body):
    format: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                                 description="csv, jsonl, or a registered importer's name")]
    content: Annotated[str, Field(min_length=1, max_length=comment_import.MAX_BYTES), s.NO_NUL]
    account_id: s.Id = Field(s.UNSET, description="the account of rows that name none")


class AssignIn(s.Body):
    assignee_id: s.Id | None = Field(description="a moderator or admin of the institution; null to unassign")


class TagsIn(s.Body):
    tags: list[Tag] = Field(max_length=6)


class DuplicateIn(s.Body):
    of: s.Id | None = Field(description="the original comment; null: not a duplicate")


class ReasonIn(s.Body):
    reason: Annotated[str, Field(min_length=3, max_length=500), s.SAYS]


class ReplyIn(s.Body):
    text: ItemText
    template_id: s.Id = Field(s.UNSET)


class ReplyEdit(s.Body):
    text: ItemText


class SubmitIn(s.Body):
    confirm: s.Flag = Field(False, description="send a reply whose verdict is 'block' on to the approvers anyway")


class SentIn(s.Body):
    link: s.Url
    sent_at: s.Timestamp | None = Field(None, description="when it was posted; default: now")


class TemplateIn(s.Body):
    institution_id: s.Id
    name: Annotated[str, Field(min_length=1, max_length=100), s.SAYS]
    lang: Lang
    text: ItemText


class TemplatePatch(s.Body):
    name: Annotated[str, Field(min_length=1, max_length=100), s.SAYS] = s.UNSET
    lang: Lang = s.UNSET
    text: ItemText = s.UNSET


class PolicyIn(s.Body):
    replies_need_approval: s.Flag = s.UNSET
    target_value: Whole = Field(s.UNSET, ge=1, le=max(MAX_TARGET.values()))
    target_unit: Literal["hours", "working_days", "days"] = s.UNSET
    weekend: Annotated[str, Field(max_length=20, pattern=r"^$|^[1-7](,[1-7]){0,5}$",
                                  description="ISO weekdays, 1 = Monday ... 7 = Sunday; empty: the jurisdiction's")] \
        = s.UNSET
    grs_reminder_days: Whole = Field(s.UNSET, ge=0, le=60)


class HolidayIn(s.Body):
    day: s.Day
    name: Short = ""


class ReferralIn(s.Body):
    lang: Lang = Field(s.UNSET, description="the packet's language; default: the citizen's")


class ReferralUpdate(s.Body):
    action: Literal["lodge", "appeal", "resolve", "close", "note"]
    tracking_number: Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.\-]*$")] \
        = s.UNSET
    at: s.Timestamp = Field(s.UNSET, description="when it happened; default: now")
    note: Annotated[str, Field(max_length=2000), s.NO_NUL] = ""


# --- what the API answers --------------------------------------------------------------------

def clock_out(item: InboxItem, now: dt.datetime) -> dict[str, Any]:
    c = inbox.clock(item, now)
    return {"state": c.state, "due_at": c.due_at.isoformat(), "seconds": c.seconds, "on_time": c.on_time}


def reply_out(reply: InboxReply) -> dict[str, Any]:
    return {"id": reply.id, "author_id": reply.author_id, "text": reply.text, "lang": reply.lang,
            "verdict": reply.verdict, "findings": reply.report.get("findings", []), "status": reply.status,
            "template_id": reply.template_id, "decided_by_id": reply.decided_by_id,
            "decided_at": reply.decided_at.isoformat() if reply.decided_at else None,
            "decision_comment": reply.decision_comment,
            "sent_at": reply.sent_at.isoformat() if reply.sent_at else None, "sent_link": reply.sent_link}


def item_out(session: Session, user: User, item: InboxItem, now: dt.datetime, *, full: bool = True) -> dict[str, Any]:
    private = inbox.sees_private(session, user, item)
    out: dict[str, Any] = {
        "id": item.id, "institution_id": item.institution_id, "account_id": item.account_id, "kind": item.kind,
        "platform": item.platform, "author_handle": item.author_handle,
        "text": item.text if private else inbox.mask(item.text, item.private_spans),
        "personal_data_hidden": bool(item.private_spans) and not private,
        "link": item.link, "received_at": item.received_at.isoformat(), "source": item.source,
        "external_id": item.external_id, "lang": item.lang, "verdict": item.verdict, "abusive": item.abusive,
        "tags": item.tag_list, "assignee_id": item.assignee_id, "duplicate_of_id": item.duplicate_of_id,
        "status": item.status,
        "first_response_at": item.first_response_at.isoformat() if item.first_response_at else None,
        "clock": clock_out(item, now),
    }
    if full:
        out["screening"] = inbox.public_report(item.report, private=private)
        out["replies"] = [reply_out(r) for r in item.replies]
        referral = grs.referral_of(session, item)
        out["referral"] = referral_out(session, referral, now) if referral else None
    return out


def referral_out(session: Session, referral: GrsReferral, now: dt.datetime) -> dict[str, Any]:
    return {"id": referral.id, "item_id": referral.item_id, "institution_id": referral.institution_id,
            "system": referral.system, "lang": referral.lang, "tracking_number": referral.tracking_number,
            "status": referral.status, "lodged_at": referral.lodged_at.isoformat() if referral.lodged_at else None,
            "deadline_on": referral.deadline_on.isoformat() if referral.deadline_on else None,
            "working_days_left": grs.days_left(session, referral, now) if referral.status in grs.OPEN_STATES
            else None,
            "appealed_at": referral.appealed_at.isoformat() if referral.appealed_at else None,
            "closed_at": referral.closed_at.isoformat() if referral.closed_at else None, "note": referral.note,
            "assignee_id": referral.assignee_id}


def template_out(t: ReplyTemplate) -> dict[str, Any]:
    return {"id": t.id, "institution_id": t.institution_id, "name": t.name, "lang": t.lang, "text": t.text}


def policy_out(p: InboxPolicy) -> dict[str, Any]:
    return {"institution_id": p.institution_id, "replies_need_approval": p.replies_need_approval,
            "target_value": p.target_value, "target_unit": p.target_unit, "weekend": p.weekend,
            "grs_reminder_days": p.grs_reminder_days, "units": list(UNITS)}


def holiday_out(h: Holiday) -> dict[str, Any]:
    return {"id": h.id, "institution_id": h.institution_id, "day": h.day.isoformat(), "name": h.name}


# --- items -------------------------------------------------------------------------------------

@router.get("/inbox/items", summary="Citizens' comments you may see (status=overdue: past their target)")
def list_items(
    request: Request, svc: Svc, institution_id: QueryId = None, account_id: QueryId = None,
    status: Literal["open", "answered", "closed", "overdue"] | None = None, tag: Tag | None = None,
    assignee_id: QueryId = None, mine: bool = False, abusive: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[dict[str, Any]]:
    now = utcnow()
    with svc.unit(request) as (session, user):
        flt = inbox.InboxFilter(institution_id=institution_id, account_id=account_id, status=status, tag=tag,
                                assignee_id=assignee_id, mine=mine, abusive=abusive, limit=limit, offset=offset)
        return [item_out(session, user, i, now, full=False) for i in inbox.list_items(session, user, flt, now)]


@router.post("/inbox/items", status_code=201, summary="Record a citizen's comment (screened at once)")
def create_item(body: ItemIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):
        account = inbox.account_for(session, user, body.account_id)
        jurisdiction = account.institution.jurisdiction
    inbox.screen(svc.screening, body.text.strip(), jurisdiction)
    with svc.unit(request) as (session, user):
        item = inbox.create_item(session, svc.screening, user, account_id=body.account_id, text=body.text,
                                 received_at=body.received_at, kind=body.kind, author_handle=body.author_handle,
                                 link=body.link, source="api", external_id=body.external_id)
        return item_out(session, user, item, utcnow())


@router.post("/inbox/import", summary="Import comments from CSV or JSON Lines (nothing is imported if a row is wrong)")
def import_items(body: ImportIn, request: Request, svc: Svc) -> dict[str, Any]:
    parsed = comment_import.parse_upload(body.content.encode("utf-8"), body.format)
    with svc.unit(request, write=False) as (session, user):
        accounts, errors = comment_import.resolve_accounts(session, user, parsed.rows, body.account_id)
        places = {line: a.institution.jurisdiction for line, a in accounts.items()}
    errors = sorted([*parsed.errors, *errors], key=lambda e: (e.line, e.field))
    if errors:
        raise InvalidInput(f"{len(errors)} problems in the upload; nothing was imported",
                           errors=[e.as_dict() for e in errors[:200]])
    reports = {row.line: inbox.screen(svc.screening, row.text, places[row.line]) for row in parsed.rows}
    with svc.unit(request) as (session, user):
        accounts, errors = comment_import.resolve_accounts(session, user, parsed.rows, body.account_id)
        if errors:  # pragma: no cover - a role removed in between
            raise InvalidInput(f"{len(errors)} problems in the upload; nothing was imported",
                               errors=[e.as_dict() for e in errors[:200]])
        result = comment_import.import_rows(session, svc.screening, user, parsed.rows, accounts, reports,
                                            source="upload" if body.format in ("csv", "jsonl") else body.format)
        return {"created": [i.id for i in result.created], "skipped_lines": result.skipped}


def _item(session: Session, user: User, item_id: int) -> InboxItem:
    return inbox.get_item(session, user, item_id)


@router.get("/inbox/items/{item_id}")
def get_item(item_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return item_out(session, user, _item(session, user, item_id), utcnow())


@router.post("/inbox/items/{item_id}/assign", summary="Assign to a moderator (or admin) of the institution")
def assign(item_id: PathId, body: AssignIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        inbox.assign(session, user, item, body.assignee_id)
        return item_out(session, user, item, utcnow())


@router.put("/inbox/items/{item_id}/tags", summary="Set the tags")
def set_tags(item_id: PathId, body: TagsIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        inbox.set_tags(session, user, item, body.tags)
        return item_out(session, user, item, utcnow())


@router.post("/inbox/items/{item_id}/duplicate", summary="Mark a duplicate of another comment (its clock stops)")
def mark_duplicate(item_id: PathId, body: DuplicateIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        inbox.mark_duplicate(session, user, item, body.of)
        return item_out(session, user, item, utcnow())


@router.post("/inbox/items/{item_id}/close", summary="Close a comment that needs no answer, with a reason")
def close_item(item_id: PathId, body: ReasonIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        inbox.close_item(session, user, item, reason=body.reason)
        return item_out(session, user, item, utcnow())


@router.post("/inbox/items/{item_id}/reopen")
def reopen_item(item_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        inbox.reopen_item(session, user, item)
        return item_out(session, user, item, utcnow())


# --- replies -----------------------------------------------------------------------------------

def _jurisdiction_of(svc: Any, request: Request, item_id: int) -> str:
    with svc.unit(request, write=False) as (session, user):
        return str(_item(session, user, item_id).institution.jurisdiction)


@router.post("/inbox/items/{item_id}/replies", status_code=201, summary="Draft a reply (screened at once)")
def draft_reply(item_id: PathId, body: ReplyIn, request: Request, svc: Svc) -> dict[str, Any]:
    inbox.screen(svc.screening, body.text.strip(), _jurisdiction_of(svc, request, item_id))
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        return reply_out(inbox.draft_reply(session, svc.screening, user, item, text=body.text,
                                           template_id=body.template_id))


@router.put("/inbox/items/{item_id}/replies/{reply_id}", summary="Change a draft reply (screened again)")
def edit_reply(item_id: PathId, reply_id: PathId, body: ReplyEdit, request: Request, svc: Svc) -> dict[str, Any]:
    inbox.screen(svc.screening, body.text.strip(), _jurisdiction_of(svc, request, item_id))
    with svc.unit(request) as (session, user):
        reply = inbox.get_reply(session, user, _item(session, user, item_id), reply_id)
        return reply_out(inbox.edit_reply(session, svc.screening, user, reply, text=body.text))


def _reply(session: Session, user: User, item_id: int, reply_id: int) -> InboxReply:
    return inbox.get_reply(session, user, _item(session, user, item_id), reply_id)


@router.post("/inbox/items/{item_id}/replies/{reply_id}/submit", summary="Send a reply to the approvers")
def submit_reply(item_id: PathId, reply_id: PathId, request: Request, svc: Svc,
                 body: SubmitIn | None = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        reply = _reply(session, user, item_id, reply_id)
        inbox.submit_reply(session, user, reply, confirm=bool(body and body.confirm))
        return reply_out(reply)


@router.post("/inbox/items/{item_id}/replies/{reply_id}/approve",
             summary="Approve a reply (an approver who did not write it)")
def approve_reply(item_id: PathId, reply_id: PathId, body: s.ApproveIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        reply = _reply(session, user, item_id, reply_id)
        inbox.approve_reply(session, user, reply, comment=body.comment, override_reason=body.override_reason)
        return reply_out(reply)


@router.post("/inbox/items/{item_id}/replies/{reply_id}/reject", summary="Send a reply back with a comment")
def reject_reply(item_id: PathId, reply_id: PathId, body: s.CommentIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        reply = _reply(session, user, item_id, reply_id)
        inbox.reject_reply(session, user, reply, comment=body.comment)
        return reply_out(reply)


@router.post("/inbox/items/{item_id}/replies/{reply_id}/sent",
             summary="Record that the reply was posted, with its link (the first one stops the clock)")
def mark_sent(item_id: PathId, reply_id: PathId, body: SentIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        reply = _reply(session, user, item_id, reply_id)
        inbox.mark_sent(session, user, reply, link=body.link, sent_at=body.sent_at)
        return reply_out(reply)


# --- templates, policy, holidays --------------------------------------------------------------

@router.get("/inbox/templates", summary="Reply templates of an institution")
def list_templates(request: Request, svc: Svc, institution_id: Annotated[int, Query(ge=1, le=MAX_ID)],
                   lang: Lang | None = None) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [template_out(t) for t in inbox.list_templates(session, user, institution_id, lang)]


@router.post("/inbox/templates", status_code=201)
def create_template(body: TemplateIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return template_out(inbox.create_template(session, user, body.institution_id, name=body.name,
                                                  lang=body.lang, text=body.text))


@router.get("/inbox/templates/{template_id}")
def get_template(template_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return template_out(inbox.get_template(session, user, template_id))


@router.patch("/inbox/templates/{template_id}")
def update_template(template_id: PathId, body: TemplatePatch, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        template = inbox.get_template(session, user, template_id)
        return template_out(inbox.update_template(session, user, template, **body.model_dump(exclude_unset=True)))


@router.delete("/inbox/templates/{template_id}")
def delete_template(template_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        inbox.delete_template(session, user, inbox.get_template(session, user, template_id))
        return {"ok": True}


@router.get("/institutions/{institution_id}/inbox-policy", summary="Inbox settings: approval, target, weekend")
def get_policy(institution_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        inbox.institution_for(session, user, institution_id)
        return policy_out(inbox.get_policy(session, institution_id))


@router.patch("/institutions/{institution_id}/inbox-policy", summary="Change the inbox settings (admins)")
def update_policy(institution_id: PathId, body: PolicyIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return policy_out(inbox.update_policy(session, user, institution_id, **body.model_dump(exclude_unset=True)))


@router.get("/institutions/{institution_id}/holidays")
def list_holidays(institution_id: PathId, request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [holiday_out(h) for h in inbox.list_holidays(session, user, institution_id)]


@router.post("/institutions/{institution_id}/holidays", status_code=201,
             summary="Add a holiday (not a working day for targets and deadlines)")
def add_holiday(institution_id: PathId, body: HolidayIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return holiday_out(inbox.add_holiday(session, user, institution_id, day=body.day, name=body.name))


@router.delete("/institutions/{institution_id}/holidays/{holiday_id}")
def remove_holiday(institution_id: PathId, holiday_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        inbox.remove_holiday(session, user, institution_id, holiday_id)
        return {"ok": True}


# --- GRS referrals --------------------------------------------------------------------------------

@router.get("/grs/referrals", tags=["grs"], summary="Grievance referrals you may see")
def list_referrals(request: Request, svc: Svc, institution_id: QueryId = None,
                   status: Literal["prepared", "lodged", "appealed", "resolved", "closed"] | None = None
                   ) -> list[dict[str, Any]]:
    now = utcnow()
    with svc.unit(request) as (session, user):
        ids = visible_institutions(session, user)
        if institution_id is not None:
            ids = {institution_id} & ids
        return [referral_out(session, r, now) for r in grs.list_referrals(session, user, ids, status=status)]


@router.post("/inbox/items/{item_id}/grs", tags=["grs"], status_code=201,
             summary="Refer a grievance to the pack's grievance system (GRS, CPGRAMS)")
def create_referral(item_id: PathId, request: Request, svc: Svc, body: ReferralIn | None = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        item = _item(session, user, item_id)
        referral = grs.create_referral(session, svc.screening, user, item, lang=body.lang if body else None)
        return referral_out(session, referral, utcnow())


@router.get("/grs/referrals/{referral_id}", tags=["grs"])
def get_referral(referral_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return referral_out(session, grs.get_referral(session, user, referral_id), utcnow())


@router.post("/grs/referrals/{referral_id}", tags=["grs"],
             summary="Lodge (with the tracking number), appeal, resolve, close, or add a note")
def update_referral(referral_id: PathId, body: ReferralUpdate, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        referral = grs.get_referral(session, user, referral_id)
        grs.update_referral(session, svc.screening, user, referral, body.action,
                            tracking_number=body.tracking_number, at=body.at, note=body.note)
        return referral_out(session, referral, utcnow())


@router.get("/grs/referrals/{referral_id}/packet", tags=["grs"],
            summary="The referral packet in the citizen's language (PDF or plain text)",
            responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}})
def referral_packet(referral_id: PathId, request: Request, svc: Svc,
                    format: Literal["pdf", "txt"] = "pdf") -> Response:
    with svc.unit(request) as (session, user):
        referral = grs.get_referral(session, user, referral_id)
        # The packet carries the citizen's words unmasked (personal data included).
        require(session, user, "handle_comments", referral.institution_id, what="referral")
        name = f"referral-{referral.system.lower()}-{referral.id}"
        if format == "txt":
            return Response(grs.packet_text(session, svc.screening, referral), media_type="text/plain; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.txt"'})
        html = grs.packet_html(session, svc.screening, referral)
    return Response(html_to_pdf(html), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})
