"""Images on a post's pages: the upload form on the editor, removal, and the image itself.

The upload is a plain multipart form answered with a redirect to the editor (its flash says
what happened), so it works without JavaScript. The post's page shows each image with the
boxes of the words its findings rest on, drawn by ``_attachments.html``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from .. import attachments as att
from .. import workflow
from ..api.attachments import image_response, upload
from ..errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceError
from ..evidence import MAX_BYTES
from .forms import Form
from .render import WebRoute, error_key, redirect, services, web_unit

router = APIRouter(route_class=WebRoute)


def _image(form: FormData) -> tuple[bytes, str]:
    item = form.get("image")
    if not isinstance(item, UploadFile) or not item.filename:
        raise InvalidInput("choose an image to attach")
    return item.file.read(MAX_BYTES + 1), item.filename


@router.post("/posts/{post_id:int}/attachments/new")
def add_image(post_id: int, request: Request, form: Form) -> Response:
    token = form.get("csrf_token")
    try:
        content, name = _image(form)
        upload(request, services(request), post_id, content, name, token if isinstance(token, str) else None)
        return redirect(f"/posts/{post_id}/edit#images", ("success", "image_attached", ""))
    except (NotAuthenticated, Forbidden, NotFound):  # the login, the CSRF token, the roles: an error page
        raise
    except ServiceError as exc:
        return redirect(f"/posts/{post_id}/edit#images", ("error", error_key(exc), exc.message))
    finally:
        for _key, value in form.multi_items():
            if isinstance(value, UploadFile):
                value.file.close()


@router.post("/posts/{post_id:int}/attachments/{attachment_id:int}/delete")
def remove_image(post_id: int, attachment_id: int, request: Request, form: Form) -> Response:
    checked = False
    try:
        with web_unit(request, form) as web:
            checked = True
            post = workflow.get_post(web.session, web.user, post_id)
            att.remove(web.session, web.user, post, attachment_id)
            return redirect(f"/posts/{post_id}/edit#images", ("success", "image_removed", ""))
    except ServiceError as exc:
        if not checked or isinstance(exc, (NotAuthenticated, NotFound)):
            raise
        return redirect(f"/posts/{post_id}/edit#images", ("error", error_key(exc), exc.message))


@router.get("/posts/{post_id:int}/attachments/{attachment_id:int}")
def image(post_id: int, attachment_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        post = workflow.get_post(web.session, web.user, post_id)
        row = att.get_attachment(web.session, post, attachment_id)
        return image_response(row, att.content_of(web.session, row))
