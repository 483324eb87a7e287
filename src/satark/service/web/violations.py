"""The violation register's pages: the list, recording an incident, a case with its steps, the
evidence files and the export for the competent authority.

Forms post normally (multipart, for the screenshot and documents) and answer with a redirect;
a refused step re-renders the page with the message and what was typed. The rules are in
:mod:`satark.service.violations`, shared with the API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import violations as v
from ..api.violations import export_case, file_response
from ..errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceError
from ..evidence import MAX_BYTES
from ..i18n import LOCALES
from ..models import Institution, Membership, User
from ..models_violations import ViolationCase
from .forms import Form, opt_date, opt_int, text
from .render import Web, WebRoute, error_key, message, redirect, web_unit

router = APIRouter(route_class=WebRoute)

def _error_key(exc: ServiceError) -> str:
    key = error_key(exc)
    return "violation_conflict" if key == "conflict" else key

#: URL slug → (domain action, flash key).
STEPS: dict[str, tuple[str, str]] = {
    "show-cause": ("issue_show_cause", "violation_show_cause"),
    "explanation": ("record_explanation", "violation_explanation"),
    "decision": ("decide", "violation_decided"),
    "close": ("close", "violation_closed"),
}


def _upload(form: FormData, name: str) -> tuple[bytes, str] | None:
    """An uploaded file's bytes and name (None when the field was left empty)."""
    item = form.get(name)
    if not isinstance(item, UploadFile) or not item.filename:
        return None
    content = item.file.read(MAX_BYTES + 1)
    if not content:
        raise InvalidInput("the uploaded file is empty")
    return content, item.filename


def close_files(form: FormData) -> None:
    """Close the uploads' spooled temporary files (Starlette leaves that to the handler)."""
    for _key, value in form.multi_items():
        if isinstance(value, UploadFile):
            value.file.close()


# --- the list ---------------------------------------------------------------------------------

@router.get("/violations", response_class=HTMLResponse)
def cases_page(request: Request) -> Response:
    state = request.query_params.get("state") or None
    with web_unit(request) as web:
        cases = v.list_cases(web.session, web.user, v.CaseFilter(state=state, limit=200))
        managed = v.managed_institutions(web.session, web.user)
        return web.render("violations.html", cases=cases, state=state, states=v.STATES,
                          can_record=bool(managed))


# --- recording an incident -------------------------------------------------------------------

def _form_context(web: Web) -> dict[str, Any]:
    session, user = web.session, web.user
    managed = v.managed_institutions(session, user)
    institutions = list(session.scalars(select(Institution).where(Institution.id.in_(managed))
                                        .order_by(Institution.name))) if managed else []
    members = session.execute(
        select(User.id, User.display_name, User.username, Institution.short_name, Institution.name)
        .join(Membership, Membership.user_id == User.id).join(Institution, Institution.id == Membership.institution_id)
        .where(Membership.institution_id.in_(managed), User.id != user.id).order_by(User.display_name)).all() \
        if managed else []
    seen: set[tuple[int, str]] = set()
    people = []
    for row in members:
        place = row.short_name or row.name
        if (row.id, place) not in seen:
            seen.add((row.id, place))
            people.append((str(row.id), f"{row.display_name} ({row.username}) — {place}"))
    packs = []
    for jurisdiction in sorted({i.jurisdiction for i in institutions}):
        try:
            packs.append((jurisdiction, v.breakable_clauses(web.svc.screening, jurisdiction, web.locale)))
        except ServiceError:
            continue
    return {"institutions": institutions, "people": people, "packs": packs}


def new_page(web: Web, values: dict[str, Any], *, status: int = 200,
              messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    context = _form_context(web)
    if not context["institutions"]:
        raise Forbidden("recording violations needs the role monitor or admin in the institution")
    return web.render("violation_new.html", status=status, messages=messages or [], values=values,
                      request_path="/violations/new", **context)


@router.get("/violations/new", response_class=HTMLResponse)
def new_case_page(request: Request) -> Response:
    q = request.query_params
    with web_unit(request) as web:
        values = {"post_id": q.get("post_id", ""), "institution_id": q.get("institution_id", ""), "clause_ids": []}
        return new_page(web, values)


def _values(form: FormData) -> dict[str, Any]:
    out: dict[str, Any] = {k: text(form, k, limit=v.MAX_TEXT) for k in (
        "institution_id", "post_id", "revision", "text", "source_url", "employee_user_id", "employee_name",
        "employee_designation", "summary", "occurred_on")}
    out["clause_ids"] = [c for c in form.getlist("clause_ids") if isinstance(c, str)][:50]
    return out


@router.post("/violations/new", response_class=HTMLResponse)
def create_case(request: Request, form: Form) -> Response:
    try:
        return _create_case(request, form)
    finally:
        close_files(form)


def _create_case(request: Request, form: FormData) -> Response:
    values = _values(form)
    try:
        with web_unit(request, form) as web:
            case = v.create_case(
                web.session, web.svc.screening, web.user,
                institution_id=opt_int(values["institution_id"], "institution"),
                post_id=opt_int(values["post_id"], "post"), revision=opt_int(values["revision"], "revision", low=1),
                text=values["text"], source_url=values["source_url"],
                employee_id=opt_int(values["employee_user_id"], "employee"),
                employee_name=values["employee_name"], employee_designation=values["employee_designation"],
                clause_ids=values["clause_ids"], summary=values["summary"],
                occurred_on=opt_date(values["occurred_on"], "occurred_on"), screenshot=_upload(form, "screenshot"))
            return redirect(f"/violations/{case.id}", ("success", "violation_noted", ""))
    except (NotAuthenticated, Forbidden):
        raise
    except ServiceError as exc:
        with web_unit(request, form, write=False) as web:
            return new_page(web, values, status=exc.status,
                             messages=[("error", message(web.locale, _error_key(exc), exc.message))])


# --- a case -----------------------------------------------------------------------------------

def _case_page(web: Web, case: ViolationCase, *, status: int = 200, values: dict[str, str] | None = None,
               messages: list[tuple[str, Any]] | None = None) -> HTMLResponse:
    manager = v.may_manage(web.session, web.user, case) and case.employee_id != web.user.id
    return web.render(
        "violation.html", status=status, messages=messages or [], request_path=f"/violations/{case.id}",
        case=case, manager=manager, actions=v.next_actions(case) if manager else [],
        clauses=v.case_clauses(web.svc.screening, case, web.locale), time_zone=case.institution.timezone,
        export_lang=v.export_language(web.svc.screening, case), langs=LOCALES, values=values or {},
        outcomes=v.OUTCOMES, reply_days=v.REPLY_DAYS, decision_days=v.DECISION_DAYS)


@router.get("/violations/{case_id:int}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        return _case_page(web, v.get_case(web.session, web.user, case_id))


def _step(web: Web, case: ViolationCase, action: str, form: FormData) -> None:
    session, user = web.session, web.user
    on_date = opt_date(form.get("on_date"), "on_date")
    note = text(form, "note", limit=5000)
    due_on = opt_date(form.get("due_on"), "due_on")
    if action == "issue_show_cause":
        step = v.issue_show_cause(session, user, case, on_date=on_date, note=note, due_on=due_on,
                                  reply_days=None if due_on else opt_int(form.get("days"), "days", low=1,
                                                                         high=v.MAX_DAYS))
    elif action == "record_explanation":
        step = v.record_explanation(session, user, case, on_date=on_date, note=note, due_on=due_on,
                                    decision_days=None if due_on else opt_int(form.get("days"), "days", low=1,
                                                                              high=v.MAX_DAYS))
    elif action == "decide":
        step = v.decide(session, user, case, outcome=str(form.get("outcome") or ""), note=note,
                        referred_to=text(form, "referred_to", limit=300), on_date=on_date)
    else:
        step = v.close(session, user, case, note=note, on_date=on_date)
    document = _upload(form, "document")
    if document is not None:
        v.attach_file(session, user, case, *document, step_id=step.id)


@router.post("/violations/{case_id:int}/files", response_class=HTMLResponse)
def add_file(case_id: int, request: Request, form: Form) -> Response:
    return _post_step(case_id, request, form, None)


@router.post("/violations/{case_id:int}/{slug}", response_class=HTMLResponse)
def case_step(case_id: int, slug: str, request: Request, form: Form) -> Response:
    if slug not in STEPS:
        raise NotFound(f"no action {slug!r}")
    return _post_step(case_id, request, form, slug)


def _post_step(case_id: int, request: Request, form: FormData, slug: str | None) -> Response:
    try:
        return _run_step(case_id, request, form, slug)
    finally:
        close_files(form)


def _run_step(case_id: int, request: Request, form: FormData, slug: str | None) -> Response:
    checked = False
    try:
        with web_unit(request, form) as web:
            checked = True
            case = v.get_case(web.session, web.user, case_id)
            if slug is None:
                upload = _upload(form, "document")
                if upload is None:
                    raise InvalidInput("choose a file to upload")
                v.attach_file(web.session, web.user, case, *upload)
                key = "violation_file"
            else:
                action, key = STEPS[slug]
                _step(web, case, action, form)
            return redirect(f"/violations/{case.id}", ("success", key, ""))
    except ServiceError as exc:
        if not checked or isinstance(exc, (NotAuthenticated, NotFound)):
            raise
        failure = exc
    with web_unit(request, form, write=False) as web:
        case = v.get_case(web.session, web.user, case_id)
        values = {f"{slug}.{k}": val for k, val in form.items() if isinstance(val, str) and k != "csrf_token"}
        return _case_page(web, case, status=failure.status, values=values,
                          messages=[("error", message(web.locale, _error_key(failure), failure.message))])


@router.get("/violations/{case_id:int}/files/{file_id:int}")
def download_file(case_id: int, file_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        case = v.get_case(web.session, web.user, case_id)
        row, content = v.get_file(web.session, web.user, case, file_id)
        return file_response(row, content)


@router.get("/violations/{case_id:int}/export.pdf")
def export_pdf(case_id: int, request: Request) -> Response:
    lang = request.query_params.get("lang") or None
    if lang is not None and lang not in LOCALES:
        raise InvalidInput(f"lang must be one of {', '.join(LOCALES)}")
    pdf = export_case(request, request.app.state.services, case_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="violation-{case_id}.pdf"', "Cache-Control": "no-store"})
