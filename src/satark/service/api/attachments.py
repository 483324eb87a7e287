"""``/api/v1/posts/{id}/attachments``: images attached to a draft, the text read from them, its findings.

An upload is checked (may this user attach to this post now?) in a read unit, read by OCR and
screened with no unit open, then stored in a short write unit: see :mod:`..attachments`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from .. import attachments as att
from .. import workflow
from ..context import Services
from ..evidence import MAX_BYTES
from ..models_attachments import PostAttachment
from .routes import PathId, Svc

router = APIRouter(tags=["posts"])


def attachment_out(row: PostAttachment) -> dict[str, Any]:
    return {
        "id": row.id, "post_id": row.post_id, "filename": row.filename, "media_type": row.media_type,
        "size": row.size, "sha256": row.sha256, "width": row.width, "height": row.height,
        "verdict": row.verdict, "ocr_text": row.ocr_text, "ocr_langs": row.ocr_langs,
        "words": row.ocr_words.get("words", []), "report": row.report or None, "findings": row.findings,
        "uploaded_by": row.uploaded_by.username, "uploaded_at": row.created_at,
    }


def upload(request: Request, svc: Services, post_id: int, content: bytes, filename: str,
           csrf: str | None = None) -> dict[str, Any]:
    """Check, read and screen, then store (shared with the web form, which passes its ``csrf``
    token); returns the API's view of the image."""
    with svc.unit(request, write=False, csrf_form_value=csrf) as (session, user):
        post = workflow.get_post(session, user, post_id)
        att.check_attachable(session, user, post)
        jurisdiction = post.institution.jurisdiction
    reading = att.read(svc.screening, content, jurisdiction=jurisdiction)
    with svc.unit(request, csrf_form_value=csrf) as (session, user):
        post = workflow.get_post(session, user, post_id)
        row = att.attach(session, user, post, content, filename, reading)
        return attachment_out(row)


@router.post("/posts/{post_id}/attachments", status_code=201,
             summary="Attach a PNG or JPEG image to a draft: its text is read (OCR) and screened")
async def add_attachment(post_id: PathId, request: Request, svc: Svc,
                         file: Annotated[UploadFile, File(description=f"at most {MAX_BYTES} bytes")]) -> dict[str, Any]:
    content = await file.read(MAX_BYTES + 1)
    name = file.filename or ""
    return await run_in_threadpool(upload, request, svc, post_id, content, name)


@router.get("/posts/{post_id}/attachments", summary="A post's images, the text read from each and its findings")
def list_attachments(post_id: PathId, request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        return [attachment_out(a) for a in att.attachments_of(session, post)]


_IMAGE_TYPES: dict[str, dict[str, Any]] = {t: {} for t in att.IMAGE_TYPES}


@router.get("/posts/{post_id}/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": _IMAGE_TYPES}}, summary="An attached image, checked against its SHA-256")
def get_attachment_file(post_id: PathId, attachment_id: PathId, request: Request, svc: Svc) -> Response:
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        row = att.get_attachment(session, post, attachment_id)
        return image_response(row, att.content_of(session, row))


@router.delete("/posts/{post_id}/attachments/{attachment_id}", summary="Take an image off a draft")
def delete_attachment(post_id: PathId, attachment_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        att.remove(session, user, post, attachment_id)
        return {"id": attachment_id, "deleted": True, "post_verdict": post.verdict}


def image_response(row: PostAttachment, content: bytes) -> Response:
    ext = ".png" if row.media_type == "image/png" else ".jpg"
    return Response(content, media_type=row.media_type, headers={
        "Content-Disposition": f'inline; filename="post-{row.post_id}-image-{row.id}{ext}"',
        "X-Content-SHA256": row.sha256, "Cache-Control": "private, max-age=3600"})


__all__ = ["attachment_out", "image_response", "router", "upload"]
