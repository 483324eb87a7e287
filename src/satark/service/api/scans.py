"""``/api/v1/scans``: audits of uploaded platform exports (issue 13, section 2).

An admin or monitor of the account's institution uploads the export; the audit runs in the
background (:class:`satark.service.scans.ScanRunner`) and the job's ``state`` and counts show
its progress. The rules are in :mod:`satark.service.scans`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from .. import scans
from ..models import MAX_ID
from ..models_scans import ScanItem, ScanJob, ScanProblem
from .routes import PathId, Svc

router = APIRouter(tags=["scans"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


def job_out(job: ScanJob) -> dict[str, Any]:
    return {
        "id": job.id, "institution_id": job.institution_id, "account_id": job.account_id,
        "filename": job.filename, "sha256": job.sha256, "size": job.size, "importer": job.importer,
        "state": job.state, "items": job.items, "done": job.done, "flagged": job.flagged,
        "problems": job.problems, "comments": job.comments, "responses": job.responses,
        "progress": scans.progress(job), "error": job.error,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def item_out(item: ScanItem) -> dict[str, Any]:
    return {
        "id": item.id, "seq": item.seq, "platform": item.platform, "item_id": item.item_id, "kind": item.kind,
        "parent_id": item.parent_id or None, "author": item.author, "created_at": item.created_at.isoformat(),
        "text": item.text, "links": item.links, "source": item.source, "verdict": item.verdict,
        "categories": [c for c in item.categories.split(",") if c], "flagged": item.flagged, "note": item.note,
        "findings": item.report.get("findings", []),
    }


def problem_out(problem: ScanProblem) -> dict[str, Any]:
    return {"id": problem.id, "file": problem.file, "pointer": problem.pointer, "message": problem.message}


@router.post("/scans", status_code=201,
             summary="Upload a platform export of an account and queue its audit (admin or monitor)")
async def create_scan(
    request: Request, svc: Svc,
    account_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    file: Annotated[UploadFile, File(description="the export: a ZIP, or one CSV or JSONL file "
                                                 "(at most SATARK_MAX_UPLOAD_BYTES)")],
    importer: Annotated[str, Form(max_length=40, pattern=r"^[a-z0-9_-]*$",
                                  description="the importer to use; empty: detect by structure")] = "",
) -> dict[str, Any]:
    limit = svc.settings.max_upload_bytes
    content = await file.read(limit + 1)
    name = file.filename or ""

    def save() -> dict[str, Any]:
        with svc.unit(request) as (session, user):
            job = scans.upload(session, user, account_id=account_id, content=content, filename=name,
                               importer=importer, max_bytes=limit)
            return job_out(job)

    out = await run_in_threadpool(save)
    runner = getattr(request.app.state, "scans", None)
    if runner is not None:
        runner.wake()
    return out


@router.get("/scans", summary="Audits of exports the caller may see, newest first")
def list_scans(request: Request, svc: Svc, account_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
               limit: Limit = 50, offset: Offset = 0) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [job_out(j) for j in scans.list_jobs(session, user, account_id=account_id, limit=limit,
                                                    offset=offset)]


@router.get("/scans/{scan_id}", summary="One audit: its state and progress")
def get_scan(scan_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return job_out(scans.get_job(session, user, scan_id))


@router.post("/scans/{scan_id}/cancel", summary="Stop a queued or running audit")
def cancel_scan(scan_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        job = scans.get_job(session, user, scan_id)
        scans.cancel(session, user, job)
        return job_out(job)


@router.get("/scans/{scan_id}/items", summary="The export's items with their screening, in the export's order")
def scan_items(scan_id: PathId, request: Request, svc: Svc, flagged: bool | None = None, limit: Limit = 50,
               offset: Offset = 0) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        job = scans.get_job(session, user, scan_id)
        total, items = scans.list_items(session, job, flagged=flagged, limit=limit, offset=offset)
        return {"total": total, "results": [item_out(i) for i in items]}


@router.get("/scans/{scan_id}/problems", summary="Records of the export that could not be read")
def scan_problems(scan_id: PathId, request: Request, svc: Svc, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  offset: Offset = 0) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        job = scans.get_job(session, user, scan_id)
        return [problem_out(p) for p in scans.list_problems(session, job, limit=limit, offset=offset)]
