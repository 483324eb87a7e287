"""The citizen comments inbox and GRS referrals in the web UI.

Pages: the list (a clock on every item, overdue ones marked), an item's page (triage, the
reply editor with its screening result, approval, "sent", the GRS referral), new items by
hand or by upload, reply templates, and the inbox settings with the holiday calendar.

Every change is a form POST answered with a redirect (POST-redirect-GET); a refused one
comes back to the page with the service's message. Texts are screened in a read unit before
the write unit that stores them, as posts are.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import comment_import, grs, inbox
from ..access import can, roles_in, visible_institutions
from ..errors import InvalidInput, NotAuthenticated, NotFound, ServiceError
from ..models import Account, Institution, Membership, User, utcnow
from ..models_inbox import InboxItem
from ..pdf import html_to_pdf
from ..timezones import zone
from .forms import Form, opt_date, opt_datetime, opt_int, text
from .render import Web, WebRoute, error_key, redirect, web_unit

router = APIRouter(route_class=WebRoute)

PER_PAGE = 50


def _institutions(web: Web, action: str = "read") -> list[Institution]:
    ids = visible_institutions(web.session, web.user)
    rows = web.session.scalars(select(Institution).where(Institution.id.in_(ids)).order_by(Institution.name))
    return [i for i in rows if can(web.session, web.user, action, i.id)]


def _handled_accounts(web: Web) -> list[Account]:
    ids = [i.id for i in _institutions(web, "handle_comments")]
    return list(web.session.scalars(select(Account).where(Account.institution_id.in_(ids))
                                    .order_by(Account.institution_id, Account.platform, Account.handle)))


def _fail(url: str, exc: ServiceError) -> Response:
    return redirect(url, ("error", error_key(exc), exc.message))


# --- the list ------------------------------------------------------------------------------------

@router.get("/inbox", response_class=HTMLResponse)
def inbox_list(request: Request) -> Response:
    q = request.query_params
    status = q.get("status") or None
    tag = q.get("tag") or None
    mine = q.get("mine") == "1"
    institution_id = opt_int(q.get("institution_id"), "institution_id")
    page = opt_int(q.get("page"), "page", low=1, high=10_000) or 1
    now = utcnow()
    with web_unit(request) as web:
        flt = inbox.InboxFilter(institution_id=institution_id, status=status, tag=tag, mine=mine,
                                limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
        items = inbox.list_items(web.session, web.user, flt, now)
        visible = visible_institutions(web.session, web.user)
        counts = inbox.open_counts(web.session, visible if institution_id is None else {institution_id} & visible,
                                   now)
        rows = [(i, inbox.clock(i, now), inbox.display_text(web.session, web.user, i)) for i in items[:PER_PAGE]]
        return web.render("inbox.html", rows=rows, has_next=len(items) > PER_PAGE, page=page, state_filter=status,
                          tag=tag, mine=mine, institution_id=institution_id, counts=counts, tags=inbox.TAGS,
                          institutions=_institutions(web), accounts=_handled_accounts(web),
                          importers=sorted(comment_import.importers()))


# --- new items ---------------------------------------------------------------------------------

def _account_of(web: Web, form: FormData) -> Account:
    account_id = opt_int(form.get("account_id"), "account")
    if account_id is None:
        raise InvalidInput("choose an account")
    return inbox.account_for(web.session, web.user, account_id)


@router.post("/inbox/new", response_class=HTMLResponse)
def create_item(request: Request, form: Form) -> Response:
    body = text(form, "text", limit=inbox.MAX_TEXT)
    try:
        with web_unit(request, form, write=False) as web:
            account = _account_of(web, form)
            account_id = account.id
            jurisdiction, tz = account.institution.jurisdiction, zone(account.institution.timezone)
        if body.strip():
            inbox.screen(web.svc.screening, body.strip(), jurisdiction)
        with web_unit(request, form) as web:
            received = opt_datetime(form.get("received_at"), "received_at", tz=tz) or utcnow()
            item = inbox.create_item(web.session, web.svc.screening, web.user, account_id=account_id, text=body,
                                     received_at=received, kind=text(form, "kind", limit=20) or "comment",
                                     author_handle=text(form, "author_handle", limit=200),
                                     link=text(form, "link", limit=500))
            return redirect(f"/inbox/{item.id}", ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail("/inbox", exc)


@router.post("/inbox/import", response_class=HTMLResponse)
async def import_items(request: Request) -> Response:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _fail("/inbox", InvalidInput("choose a file to upload"))
    data = await upload.read(comment_import.MAX_BYTES + 1)
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_import, request, form, data, upload.filename, text(form, "format", limit=40))


def _import(request: Request, form: FormData, data: bytes, filename: str, fmt: str) -> Response:
    try:
        parsed = comment_import.parse_upload(data, comment_import.format_of(filename, fmt or None))
        default = opt_int(form.get("account_id"), "account")
        with web_unit(request, form, write=False) as web:
            found, errors = comment_import.resolve_accounts(web.session, web.user, parsed.rows, default)
            places = {line: a.institution.jurisdiction for line, a in found.items()}
        errors = sorted([*parsed.errors, *errors], key=lambda e: (e.line, e.field))
        if errors:
            listed = "; ".join(f"line {e.line} {e.field}: {e.message}".replace("  ", " ") for e in errors[:10])
            raise InvalidInput(f"{len(errors)} problems in the upload; nothing was imported ({listed})")
        reports = {row.line: inbox.screen(web.svc.screening, row.text, places[row.line]) for row in parsed.rows}
        with web_unit(request, form) as web:
            found, _errors = comment_import.resolve_accounts(web.session, web.user, parsed.rows, default)
            comment_import.import_rows(web.session, web.svc.screening, web.user, parsed.rows, found, reports)
        return redirect("/inbox", ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail("/inbox", exc)


# --- an item's page --------------------------------------------------------------------------------

def _moderators(web: Web, item: InboxItem) -> list[User]:
    ids = set(web.session.scalars(select(Membership.user_id)))
    users = web.session.scalars(select(User).where(User.id.in_(ids), User.is_active.is_(True))
                                .order_by(User.display_name))
    return [u for u in users if roles_in(web.session, u, item.institution_id) & {"moderator", "admin"}]


@router.get("/inbox/{item_id:int}", response_class=HTMLResponse)
def item_page(item_id: int, request: Request) -> Response:
    now = utcnow()
    with web_unit(request) as web:
        item = inbox.get_item(web.session, web.user, item_id)
        handles = can(web.session, web.user, "handle_comments", item.institution_id)
        approves = can(web.session, web.user, "approve_reply", item.institution_id)
        referral = grs.referral_of(web.session, item)
        system = grs.grievance_system(web.svc.screening, item.institution.jurisdiction)
        draft = next((r for r in reversed(item.replies) if r.author_id == web.user.id and r.status in
                      ("draft", "rejected")), None)
        report = draft.report if draft else None
        return web.render(
            "inbox_item.html", item=item, clock=inbox.clock(item, now), now=now,
            shown_text=inbox.display_text(web.session, web.user, item), handles=handles, approves=approves,
            screening=inbox.public_report(item.report, private=handles), tags=inbox.TAGS,
            moderators=_moderators(web, item) if handles else [], referral=referral, system=system,
            days_left=grs.days_left(web.session, referral, now) if referral else None,
            templates=inbox.list_templates(web.session, web.user, item.institution_id),
            needs_approval=inbox.get_policy(web.session, item.institution_id).replies_need_approval,
            draft=draft, report=report, clauses=web.svc.screening.clauses(report) if report else {},
            time_zone=item.institution.timezone,
        )


def _reply_text(request: Request, form: FormData, item_id: int) -> str:
    body = text(form, "text", limit=inbox.MAX_TEXT)
    if body.strip():
        try:
            with web_unit(request, form, write=False) as web:
                jurisdiction = inbox.get_item(web.session, web.user, item_id).institution.jurisdiction
            inbox.screen(web.svc.screening, body.strip(), jurisdiction)
        except ServiceError:  # met again in the write unit, and reported there
            pass
    return body


@router.post("/inbox/{item_id:int}/{action}", response_class=HTMLResponse)
def item_action(item_id: int, action: str, request: Request, form: Form) -> Response:
    here = f"/inbox/{item_id}"
    try:
        body = _reply_text(request, form, item_id) if action == "reply" else ""
        with web_unit(request, form) as web:
            session, user = web.session, web.user
            item = inbox.get_item(session, user, item_id)
            if action == "assign":
                inbox.assign(session, user, item, opt_int(form.get("assignee_id"), "assignee"))
            elif action == "tags":
                inbox.set_tags(session, user, item, [str(v) for v in form.getlist("tags")])
            elif action == "duplicate":
                inbox.mark_duplicate(session, user, item, opt_int(form.get("of"), "original"))
            elif action == "close":
                inbox.close_item(session, user, item, reason=text(form, "reason", limit=500))
            elif action == "reopen":
                inbox.reopen_item(session, user, item)
            elif action == "reply":
                draft_id = opt_int(form.get("reply_id"), "reply")
                if draft_id is not None:
                    inbox.edit_reply(session, web.svc.screening, user, inbox.get_reply(session, user, item, draft_id),
                                     text=body)
                else:
                    inbox.draft_reply(session, web.svc.screening, user, item, text=body,
                                      template_id=opt_int(form.get("template_id"), "template"))
            elif action == "grs":
                lang = text(form, "lang", limit=5) or None
                grs.create_referral(session, web.svc.screening, user, item, lang=lang)
            else:
                raise NotFound("no such object")
            return redirect(here, ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail(here, exc)


@router.post("/inbox/{item_id:int}/replies/{reply_id:int}/{action}", response_class=HTMLResponse)
def reply_action(item_id: int, reply_id: int, action: str, request: Request, form: Form) -> Response:
    here = f"/inbox/{item_id}"
    try:
        with web_unit(request, form) as web:
            session, user = web.session, web.user
            item = inbox.get_item(session, user, item_id)
            reply = inbox.get_reply(session, user, item, reply_id)
            if action == "submit":
                inbox.submit_reply(session, user, reply, confirm=form.get("confirm") == "1")
            elif action == "approve":
                inbox.approve_reply(session, user, reply, comment=text(form, "comment", limit=2000),
                                    override_reason=text(form, "override_reason", limit=2000) or None)
            elif action == "reject":
                inbox.reject_reply(session, user, reply, comment=text(form, "comment", limit=2000))
            elif action == "sent":
                sent_at = opt_datetime(form.get("sent_at"), "sent_at", tz=zone(item.institution.timezone))
                inbox.mark_sent(session, user, reply, link=text(form, "link", limit=500), sent_at=sent_at)
                return redirect(here, ("success", "reply_sent", ""))
            else:
                raise NotFound("no such object")
            return redirect(here, ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail(here, exc)


# --- GRS referrals -------------------------------------------------------------------------------

@router.get("/grs", response_class=HTMLResponse)
def referrals(request: Request) -> Response:
    now = utcnow()
    with web_unit(request) as web:
        rows = grs.list_referrals(web.session, web.user, visible_institutions(web.session, web.user),
                                  status=request.query_params.get("status") or None)
        return web.render("grs.html", rows=[(r, grs.days_left(web.session, r, now)) for r in rows],
                          states=grs.STATES, state_filter=request.query_params.get("status") or "")


@router.post("/grs/{referral_id:int}/{action}", response_class=HTMLResponse)
def referral_action(referral_id: int, action: str, request: Request, form: Form) -> Response:
    here = "/grs"
    try:
        with web_unit(request, form) as web:
            referral = grs.get_referral(web.session, web.user, referral_id)
            here = f"/inbox/{referral.item_id}"
            tz = zone(referral.institution.timezone)
            grs.update_referral(web.session, web.svc.screening, web.user, referral, action,
                                tracking_number=text(form, "tracking_number", limit=100) or None,
                                at=opt_datetime(form.get("at"), "date", tz=tz), note=text(form, "note", limit=2000))
            return redirect(here, ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail(here, exc)


@router.get("/grs/{referral_id:int}/packet.{fmt}")
def referral_packet(referral_id: int, fmt: str, request: Request) -> Response:
    with web_unit(request) as web:
        referral = grs.get_referral(web.session, web.user, referral_id)
        from ..access import require

        require(web.session, web.user, "handle_comments", referral.institution_id, what="referral")
        name = f"referral-{referral.system.lower()}-{referral.id}"
        if fmt == "txt":
            return Response(grs.packet_text(web.session, web.svc.screening, referral),
                            media_type="text/plain; charset=utf-8",
                            headers={"Content-Disposition": f'attachment; filename="{name}.txt"'})
        if fmt != "pdf":
            raise NotFound("no such object")
        page = grs.packet_html(web.session, web.svc.screening, referral)
    return Response(html_to_pdf(page), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'})


# --- templates and settings ------------------------------------------------------------------------

def _chosen(web: Web, request: Request, action: str) -> tuple[Institution | None, list[Institution]]:
    choices = _institutions(web, action) or _institutions(web)
    wanted = opt_int(request.query_params.get("institution_id"), "institution_id")
    chosen = next((i for i in choices if i.id == wanted), choices[0] if choices else None)
    return chosen, choices


@router.get("/inbox/templates", response_class=HTMLResponse)
def templates_page(request: Request) -> Response:
    with web_unit(request) as web:
        chosen, choices = _chosen(web, request, "handle_comments")
        rows = inbox.list_templates(web.session, web.user, chosen.id) if chosen else []
        return web.render("inbox_templates.html", institution=chosen, institutions=choices, rows=rows,
                          can_edit=bool(chosen) and can(web.session, web.user, "handle_comments",
                                                        chosen.id if chosen else 0))


@router.post("/inbox/templates", response_class=HTMLResponse)
def templates_save(request: Request, form: Form) -> Response:
    institution_id = opt_int(form.get("institution_id"), "institution") or 0
    here = f"/inbox/templates?institution_id={institution_id}"
    try:
        with web_unit(request, form) as web:
            template_id = opt_int(form.get("template_id"), "template")
            values: dict[str, Any] = {"name": text(form, "name", limit=100), "lang": text(form, "lang", limit=5),
                                      "text": text(form, "text", limit=inbox.MAX_TEXT)}
            if template_id is None:
                inbox.create_template(web.session, web.user, institution_id, **values)
            else:
                template = inbox.get_template(web.session, web.user, template_id)
                if form.get("delete") == "1":
                    inbox.delete_template(web.session, web.user, template)
                else:
                    inbox.update_template(web.session, web.user, template, **values)
            return redirect(here, ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail(here, exc)


@router.get("/inbox/settings", response_class=HTMLResponse)
def settings_page(request: Request) -> Response:
    with web_unit(request) as web:
        chosen, choices = _chosen(web, request, "manage_institution")
        policy = inbox.get_policy(web.session, chosen.id) if chosen else None
        return web.render("inbox_settings.html", institution=chosen, institutions=choices, policy=policy,
                          holidays=inbox.list_holidays(web.session, web.user, chosen.id) if chosen else [],
                          can_edit=bool(chosen) and can(web.session, web.user, "manage_institution",
                                                        chosen.id if chosen else 0),
                          time_zone=chosen.timezone if chosen else web.time_zone)


@router.post("/inbox/settings", response_class=HTMLResponse)
def settings_save(request: Request, form: Form) -> Response:
    institution_id = opt_int(form.get("institution_id"), "institution") or 0
    here = f"/inbox/settings?institution_id={institution_id}"
    try:
        with web_unit(request, form) as web:
            what = form.get("what")
            if what == "policy":
                inbox.update_policy(
                    web.session, web.user, institution_id,
                    replies_need_approval=form.get("replies_need_approval") == "1",
                    target_value=opt_int(form.get("target_value"), "target", low=1, high=10_000),
                    target_unit=text(form, "target_unit", limit=20) or None,
                    weekend=",".join(str(v) for v in form.getlist("weekend")),
                    grs_reminder_days=opt_int(form.get("grs_reminder_days"), "reminder", high=60))
            elif what == "holiday":
                day = opt_date(form.get("day"), "day")
                if day is None:
                    raise InvalidInput("day must be a date like 2026-11-23")
                inbox.add_holiday(web.session, web.user, institution_id, day=day, name=text(form, "name", limit=200))
            elif what == "remove_holiday":
                inbox.remove_holiday(web.session, web.user, institution_id,
                                     opt_int(form.get("holiday_id"), "holiday") or 0)
            else:
                raise NotFound("no such object")
            return redirect(here, ("success", "inbox_saved", ""))
    except NotAuthenticated:
        raise
    except ServiceError as exc:
        return _fail(here, exc)

