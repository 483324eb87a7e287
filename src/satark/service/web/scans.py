"""Pages of export audits: upload an export, the list of audits, one audit with its progress and
flagged items, one item with its full report, and "Open a violation case" from a finding.

While an audit runs, its page asks for the progress fragment every few seconds (htmx); once
the audit ends the fragment answers ``HX-Refresh`` and the page reloads with the results.
Without script the page offers a plain refresh link. The rules are in :mod:`..scans`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import scans
from ..access import can
from ..accounts import list_accounts
from ..errors import Forbidden, InvalidInput, NotAuthenticated, ServiceError
from ..models_scans import ScanItem, ScanJob
from ..timezones import zone
from .forms import Form, opt_int, text
from .render import Web, WebRoute, error_key, message, redirect, web_unit
from .violations import close_files, new_page

router = APIRouter(route_class=WebRoute)

PER_PAGE = 50


def _auditable_accounts(web: Web) -> list[Any]:
    return [a for a in list_accounts(web.session, web.user)
            if can(web.session, web.user, "audit_exports", a.institution_id)]


def _list_page(web: Web, *, status: int = 200, messages: list[tuple[str, Any]] | None = None,
               values: dict[str, str] | None = None) -> HTMLResponse:
    account_id = opt_int(web.request.query_params.get("account_id"), "account_id")
    jobs = scans.list_jobs(web.session, web.user, account_id=account_id, limit=100)
    accounts = _auditable_accounts(web)
    if not accounts and not jobs:
        raise Forbidden("this needs the role admin or monitor in the institution")
    return web.render("scans.html", status=status, messages=messages or [], jobs=jobs, accounts=accounts,
                      values=values or {"account_id": str(account_id or "")}, progress=scans.progress,
                      importers=scans.importer_names(),
                      request_path="/scans")


@router.get("/scans", response_class=HTMLResponse)
def scans_page(request: Request) -> Response:
    with web_unit(request) as web:
        return _list_page(web)


@router.post("/scans", response_class=HTMLResponse)
def upload_scan(request: Request, form: Form) -> Response:
    try:
        return _upload(request, form)
    finally:
        close_files(form)


def _upload(request: Request, form: FormData) -> Response:
    values = {"account_id": text(form, "account_id", limit=20), "importer": text(form, "importer", limit=40)}
    try:
        with web_unit(request, form) as web:
            item = form.get("file")
            limit = web.svc.settings.max_upload_bytes
            content, name = b"", ""
            if isinstance(item, UploadFile) and item.filename:
                content, name = item.file.read(limit + 1), item.filename
            account_id = opt_int(values["account_id"], "account")
            if account_id is None:
                raise InvalidInput("choose an account")
            job = scans.upload(web.session, web.user, account_id=account_id, content=content, filename=name,
                               importer=values["importer"], max_bytes=limit)
            job_id = job.id
    except (NotAuthenticated, Forbidden):
        raise
    except ServiceError as exc:
        with web_unit(request, form, write=False) as web:
            return _list_page(web, status=exc.status, values=values,
                              messages=[("error", message(web.locale, error_key(exc), exc.message))])
    runner = getattr(request.app.state, "scans", None)
    if runner is not None:
        runner.wake()
    return redirect(f"/scans/{job_id}")


def _item_view(item: ScanItem) -> dict[str, Any]:
    return {"item": item, "report": {**item.report, "text": item.text} if item.report else None}


@router.get("/scans/{scan_id}", response_class=HTMLResponse)
def scan_page(scan_id: int, request: Request) -> Response:
    show_all = request.query_params.get("all") == "1"
    page = opt_int(request.query_params.get("page"), "page", low=1, high=100_000) or 1
    with web_unit(request) as web:
        job = scans.get_job(web.session, web.user, scan_id)
        total, items = scans.list_items(web.session, job, flagged=None if show_all else True, limit=PER_PAGE,
                                        offset=(page - 1) * PER_PAGE)
        problems = scans.list_problems(web.session, job, limit=50)
        can_record = can(web.session, web.user, "manage_violations", job.institution_id)

        def page_url(n: int) -> str:
            return f"/scans/{job.id}?" + urlencode({**({"all": "1"} if show_all else {}), "page": n})

        return web.render("scan.html", job=job, items=[_item_view(i) for i in items], total=total,
                          show_all=show_all, page=page, pages=max(1, -(-total // PER_PAGE)), page_url=page_url,
                          problems=problems, progress=scans.progress(job), can_record=can_record,
                          request_path=f"/scans/{job.id}")


@router.get("/scans/{scan_id}/progress", response_class=HTMLResponse)
def scan_progress(scan_id: int, request: Request) -> Response:
    """The progress fragment the page polls; a finished audit makes the page reload."""
    with web_unit(request) as web:
        job = scans.get_job(web.session, web.user, scan_id)
        response = web.render("scan_progress.html", job=job, progress=scans.progress(job))
        if job.state not in ("queued", "running"):
            response.headers["HX-Refresh"] = "true"
        return response


@router.post("/scans/{scan_id}/cancel", response_class=HTMLResponse)
def cancel_scan(scan_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        job = scans.get_job(web.session, web.user, scan_id)
        scans.cancel(web.session, web.user, job)
    return redirect(f"/scans/{scan_id}")


def _job_and_item(web: Web, scan_id: int, item_id: int) -> tuple[ScanJob, ScanItem]:
    job = scans.get_job(web.session, web.user, scan_id)
    return job, scans.get_item(web.session, job, item_id)


@router.get("/scans/{scan_id}/items/{item_id}", response_class=HTMLResponse)
def scan_item_page(scan_id: int, item_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        job, item = _job_and_item(web, scan_id, item_id)
        view = _item_view(item)
        clauses = web.svc.screening.clauses(item.report) if item.report else {}
        return web.render("scan_item.html", job=job, item=item, report=view["report"], clauses=clauses,
                          can_record=can(web.session, web.user, "manage_violations", job.institution_id))


@router.get("/scans/{scan_id}/items/{item_id}/violation", response_class=HTMLResponse)
def violation_from_item(scan_id: int, item_id: int, request: Request) -> Response:
    """The violation register's new-case form, filled in from the item: its text as evidence,
    its link, the clauses its findings cite, and the day it was posted."""
    with web_unit(request) as web:
        job, item = _job_and_item(web, scan_id, item_id)
        clause_ids = sorted({c for f in item.report.get("findings", []) for c in f.get("clause_ids", [])})
        link = next((u for u in item.links if isinstance(u, str) and u.startswith(("https://", "http://"))), "")
        values = {"institution_id": str(job.institution_id), "post_id": "", "text": item.text,
                  "source_url": link if len(link) <= 500 else "", "clause_ids": clause_ids,
                  "occurred_on": item.created_at.astimezone(zone(job.institution.timezone)).date().isoformat(),
                  "summary": web.gettext("From the audit of an export (%(file)s), item %(item)s.")
                  % {"file": job.filename, "item": item.item_id}}
        return new_page(web, values)
