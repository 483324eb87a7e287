"""The notifications page: the list, marking read, and where notifications go (issue 12, §6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import notifications as n
from ..errors import InvalidInput
from ..i18n import N_, make_environment
from ..models import by_id
from ..models_notifications import Notification
from .forms import Form, text
from .render import Web, WebRoute, message, page_locale, redirect, safe_next, services, web_unit

router = APIRouter(route_class=WebRoute)

#: How many notifications the page lists.
SHOWN = 100
EMAIL_ERROR = N_("Give an e-mail address like name@example.gov.")
CHOICE_ERROR = N_("Give an e-mail address to be notified by e-mail.")


def _page(web: Web, *, status: int = 200, errors: dict[str, str] | None = None,
          values: dict[str, Any] | None = None, messages: list[tuple[str, Any]] | None = None) -> Response:
    rows = n.list_notifications(web.session, web.user, limit=SHOWN)
    zones = n.zones_of(web.session, rows)
    items = [n.as_dict(row, web.locale, zones.get(row.institution_id or 0)) for row in rows]
    return web.render("notifications.html", status=status, messages=messages or [], items=items,
                      unread=n.unread_count(web.session, web.user), shown=SHOWN,
                      prefs=values or n.preferences(web.user), errors=errors or {},
                      mail_on=bool(web.svc.settings.smtp_host))


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request) -> Response:
    with web_unit(request) as web:
        return _page(web)


@router.get("/notifications/badge", response_class=HTMLResponse)
def badge(request: Request) -> Response:
    """The unread count beside the user's name (fetched by htmx on each page). It does not
    count as using the session, or an open tab would keep a session alive past its idle limit."""
    svc = services(request)
    with svc.db.session(write=False) as session:
        auth = svc.authenticate(session, request, touch=False, allow_unenrolled=True)
        count = n.unread_count(session, auth.user) if auth is not None else 0
        user = auth.user if auth is not None else None
        body = make_environment(page_locale(request, user)).get_template("_notification_badge.html").render(
            unread=count)
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/notifications/{notification_id:int}/read")
def mark_read(notification_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        n.mark_read(web.session, web.user, [notification_id])
        return redirect("/notifications", ("success", "notifications_read", ""))


@router.post("/notifications/{notification_id:int}/open")
def open_notification(notification_id: int, request: Request, form: Form) -> Response:
    """Mark it read and go to what it is about."""
    with web_unit(request, form) as web:
        n.mark_read(web.session, web.user, [notification_id])  # not the user's: not found
        row = by_id(web.session, Notification, notification_id)
        return redirect(safe_next(row.link if row is not None else "", "/notifications"))


@router.post("/notifications/read-all")
def mark_all_read(request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        n.mark_read(web.session, web.user)
        return redirect("/notifications", ("success", "notifications_read", ""))


@router.post("/notifications/preferences", response_class=HTMLResponse)
def save_preferences(request: Request, form: Form) -> Response:
    email = text(form, "email", limit=n.MAX_EMAIL + 50)
    by_email = form.get("delivery") == "email"
    with web_unit(request, form) as web:
        try:
            changed = n.set_preferences(web.session, web.user, email=email, notify_by_email=by_email)
        except InvalidInput as exc:
            field_error = CHOICE_ERROR if by_email and not email.strip() else EMAIL_ERROR
            return _page(web, status=422, errors={"email": web.gettext(field_error)},
                         values={"email": email, "notify_by_email": by_email},
                         messages=[("error", message(web.locale, "invalid", exc.message))])
        return redirect("/notifications", ("success", "notification_choice_saved" if changed else "no_change", ""))
