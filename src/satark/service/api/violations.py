"""``/api/v1/violations``: the violation register (CG violation clause, BD §6.2(গ)).

The routes are thin: :mod:`satark.service.violations` holds the rules. A case is visible to
those who manage violations in its institution (or above) and, read-only, to its employee;
anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from .. import violations as v
from ..evidence import MAX_BYTES
from ..models import MAX_ID, User
from ..models_violations import ViolationCase
from . import schemas as s
from .routes import PathId, QueryId, Svc

router = APIRouter(tags=["violations"])

#: A clause id as the packs write them (``BD-2019/10/gha``, ``IN-CG-2017/2``), or as the document
#: cites it (``BD-2019 §10(ঘ)``): people copy the citation.
ClauseId = Annotated[str, Field(min_length=1, max_length=80), s.SAYS]
Short = Annotated[str, Field(max_length=200), s.NO_NUL]
Note = Annotated[str, Field(max_length=5000), s.NO_NUL]
Days = Annotated[int, Field(ge=1, le=v.MAX_DAYS)]
CaseState = Annotated[str, s.OneOf(lambda: v.STATES, "state")]
Outcome = Literal["no_action", "warning", "referred"]
Lang = Literal["en", "hi", "bn"]


class CaseIn(s.Body):
    """An incident: a Satark post (``post_id``) or pasted ``text`` with ``source_url``; the employee as
    a Satark user (``employee_user_id``) or ``employee_name`` and ``employee_designation``."""

    institution_id: s.Id | None = Field(None, description="default: the post's institution")
    post_id: s.Id | None = None
    revision: Annotated[int, Field(ge=1, le=MAX_ID)] | None = Field(
        None, description="the post's revision whose text is the evidence; default: the published one")
    text: Annotated[str, Field(max_length=v.MAX_TEXT), s.NO_NUL] = Field(
        "", description="the post as it was, pasted (when it is not a Satark post)")
    source_url: s.UrlOrEmpty = ""
    employee_user_id: s.Id | None = Field(None, description="a member of the institution; default: the post's author")
    employee_name: Short = ""
    employee_designation: Short = ""
    clause_ids: Annotated[list[ClauseId], Field(max_length=v.MAX_CLAUSES)] = Field(
        default_factory=list, description="ids of the pack's clauses; default: those the post's findings cite")
    summary: Note = ""
    occurred_on: s.Day | None = None


class ShowCauseIn(s.Body):
    on_date: s.Day | None = Field(None, description="the notice's date; default today")
    reply_days: Days | None = Field(None, description=f"days allowed for the reply (default {v.REPLY_DAYS})")
    due_on: s.Day | None = Field(None, description="or the reply's due date")
    note: Note = ""


class ExplanationIn(s.Body):
    on_date: s.Day | None = Field(None, description="the day the explanation arrived; default today")
    decision_days: Days | None = Field(None, description=f"days until the decision is due (default {v.DECISION_DAYS})")
    due_on: s.Day | None = Field(None, description="or the decision's due date")
    note: Note = ""


class DecisionIn(s.Body):
    outcome: Outcome
    note: Annotated[str, Field(max_length=5000), s.WRITTEN_OUT]
    referred_to: Annotated[str, Field(max_length=300), s.NO_NUL] = Field(
        "", description="the competent authority (with outcome referred only)")
    on_date: s.Day | None = None


class CloseIn(s.Body):
    on_date: s.Day | None = None
    note: Note = ""


def _file_out(f: Any) -> dict[str, Any]:
    return {"id": f.id, "step_id": f.step_id, "filename": f.filename, "media_type": f.media_type, "size": f.size,
            "sha256": f.sha256, "uploaded_at": f.created_at}


def case_out(svc: Any, case: ViolationCase, user: User, manager: bool) -> dict[str, Any]:
    employee = {"user_id": case.employee_id, "name": case.employee_label,
                "designation": case.employee_designation}
    return {
        "id": case.id, "institution_id": case.institution_id, "state": case.state, "outcome": case.outcome or None,
        "referred_to": case.referred_to, "pack": case.pack_id, "post_id": case.post_id,
        "post_revision": case.post_revision, "evidence_text": case.evidence_text,
        "evidence_sha256": case.evidence_sha256, "source_url": case.source_url, "employee": employee,
        "summary": case.summary, "occurred_on": case.occurred_on, "due_on": case.due_on,
        "created_at": case.created_at, "created_by": case.created_by.username,
        "clauses": [{k: c[k] for k in ("id", "citation", "title", "original", "from_findings")}
                    for c in v.case_clauses(svc.screening, case, "en")],
        "steps": [{"id": st.id, "step": st.step, "on_date": st.on_date, "due_on": st.due_on,
                   "outcome": st.outcome or None, "note": st.note, "by": st.actor.username,
                   "files": [f.id for f in st.files]} for st in case.steps],
        "files": [_file_out(f) for f in case.files],
        "next_actions": v.next_actions(case) if manager else [],
        "can_manage": manager,
    }


def _case(svc: Any, session: Any, user: User, case: ViolationCase) -> dict[str, Any]:
    return case_out(svc, case, user, v.may_manage(session, user, case) and case.employee_id != user.id)


@router.get("/violations", summary="Violation cases you manage, and those about you")
def list_cases(request: Request, svc: Svc, state: CaseState | None = None, institution_id: QueryId = None,
               mine: bool = False, limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        flt = v.CaseFilter(state=state, institution_id=institution_id, mine=mine, limit=limit, offset=offset)
        return [_case(svc, session, user, c) for c in v.list_cases(session, user, flt)]


@router.post("/violations", status_code=201, summary="Record an incident (monitor or admin)")
def create_case(body: CaseIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        case = v.create_case(
            session, svc.screening, user, institution_id=body.institution_id, post_id=body.post_id,
            revision=body.revision, text=body.text, source_url=body.source_url,
            employee_id=body.employee_user_id, employee_name=body.employee_name,
            employee_designation=body.employee_designation, clause_ids=body.clause_ids, summary=body.summary,
            occurred_on=body.occurred_on)
        return _case(svc, session, user, case)


@router.get("/violations/{case_id}", summary="A case, its clauses, evidence and timeline")
def get_case(case_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return _case(svc, session, user, v.get_case(session, user, case_id))


@router.post("/violations/{case_id}/show-cause", summary="Record the show-cause notice and the reply's deadline")
def show_cause(case_id: PathId, body: ShowCauseIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        case = v.get_case(session, user, case_id)
        v.issue_show_cause(session, user, case, on_date=body.on_date, reply_days=body.reply_days,
                           due_on=body.due_on, note=body.note)
        return _case(svc, session, user, case)


@router.post("/violations/{case_id}/explanation", summary="Record the employee's explanation")
def explanation(case_id: PathId, body: ExplanationIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        case = v.get_case(session, user, case_id)
        v.record_explanation(session, user, case, on_date=body.on_date, decision_days=body.decision_days,
                             due_on=body.due_on, note=body.note)
        return _case(svc, session, user, case)


@router.post("/violations/{case_id}/decision",
             summary="Decide: no_action, warning, or referred to the competent authority")
def decision(case_id: PathId, body: DecisionIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        case = v.get_case(session, user, case_id)
        v.decide(session, user, case, outcome=body.outcome, note=body.note, referred_to=body.referred_to,
                 on_date=body.on_date)
        return _case(svc, session, user, case)


@router.post("/violations/{case_id}/close", summary="Close a decided case")
def close(case_id: PathId, body: CloseIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        case = v.get_case(session, user, case_id)
        v.close(session, user, case, note=body.note, on_date=body.on_date)
        return _case(svc, session, user, case)


@router.post("/violations/{case_id}/files", status_code=201,
             summary="Upload a screenshot or document (PNG, JPEG, PDF or UTF-8 text; kept with its SHA-256)")
async def upload_file(case_id: PathId, request: Request, svc: Svc,
                      file: Annotated[UploadFile, File(description=f"at most {MAX_BYTES} bytes")],
                      step_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None) -> dict[str, Any]:
    content = await file.read(MAX_BYTES + 1)
    name = file.filename or ""

    def save() -> dict[str, Any]:
        with svc.unit(request) as (session, user):
            case = v.get_case(session, user, case_id)
            row = v.attach_file(session, user, case, content, name, step_id=step_id)
            return _file_out(row)

    return await run_in_threadpool(save)


_FILE_TYPES: dict[str, dict[str, Any]] = {t: {} for t in ("image/png", "image/jpeg", "application/pdf", "text/plain")}


@router.get("/violations/{case_id}/files/{file_id}", response_class=Response,
            responses={200: {"content": _FILE_TYPES}}, summary="An evidence file, checked against its SHA-256")
def download_file(case_id: PathId, file_id: PathId, request: Request, svc: Svc) -> Response:
    with svc.unit(request) as (session, user):
        case = v.get_case(session, user, case_id)
        row, content = v.get_file(session, user, case, file_id)
        return file_response(row, content)


def file_response(row: Any, content: bytes) -> Response:
    media = row.media_type + ("; charset=utf-8" if row.media_type == "text/plain" else "")
    return Response(content, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"violation-file-{row.id}{_ext(row.filename)}\"",
        "X-Content-SHA256": row.sha256})


def _ext(name: str) -> str:
    dot = name.rfind(".")
    ext = name[dot:].lower() if dot >= 0 else ""
    return ext if ext in (".png", ".jpg", ".jpeg", ".pdf", ".txt") else ""


@router.get("/violations/{case_id}/export", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}},
            summary="The case as a PDF for the competent authority (default: the pack's language)")
def export(case_id: PathId, request: Request, svc: Svc, lang: Lang | None = None) -> Response:
    pdf = export_case(request, svc, case_id, lang)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="violation-{case_id}.pdf"'})


def export_case(request: Request, svc: Any, case_id: int, lang: str | None) -> bytes:
    """Render in a read unit (a second or so of WeasyPrint), then record the export in a short write unit."""
    with svc.unit(request, write=False) as (session, user):
        case = v.get_case(session, user, case_id)
        used, pdf = v.export_pdf(session, svc.screening, user, case, lang)
    with svc.unit(request, write=True) as (session, user):
        v.record_export(session, user, v.get_case(session, user, case_id), used, pdf)
    return bytes(pdf)


__all__ = ["case_out", "export_case", "file_response", "router"]
