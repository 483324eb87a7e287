"""``/api/v1/notifications`` and ``/api/v1/me/notification-preferences`` (issue 12, section 6).

A user reads and marks only their own notifications; texts come in the user's language
(``ui_lang``), with the English template and its parameters beside them for programs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ConfigDict, Field

from .. import notifications as n
from ..models import User
from .routes import PathId, Svc
from .schemas import Body, Flag, Matches

router = APIRouter()

AN_EMAIL = Matches(rf"^$|{n.EMAIL_PATTERN}", "must be an e-mail address like name@example.gov, or empty")


class PreferencesIn(Body):
    """Where notifications go. E-mail needs an address (a rule the schema states with ``anyOf``)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"properties": {"notify_by_email": {"const": False}}},
        {"properties": {"email": {"minLength": 5}}},
    ]})

    email: Annotated[str, Field(max_length=n.MAX_EMAIL), AN_EMAIL]
    notify_by_email: Flag


def _out(user: User, rows: list[Any], zones: dict[int, str]) -> list[dict[str, Any]]:
    lang = user.ui_lang
    return [{**n.as_dict(row, lang, zones.get(row.institution_id or 0)), "message": row.message,
             "params": row.params} for row in rows]


@router.get("/notifications", tags=["notifications"], summary="Your notifications, newest first")
def list_notifications(
    request: Request, svc: Svc, unread: Annotated[bool, Query(description="Only those not yet read.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        rows = n.list_notifications(session, user, unread_only=unread, limit=limit, offset=offset)
        return {"unread": n.unread_count(session, user),
                "items": _out(user, rows, n.zones_of(session, rows))}


@router.post("/notifications/{notification_id}/read", tags=["notifications"], summary="Mark one read")
def mark_one_read(notification_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        marked = n.mark_read(session, user, [notification_id])
        return {"marked": marked, "unread": n.unread_count(session, user)}


@router.post("/notifications/read-all", tags=["notifications"], summary="Mark all your notifications read")
def mark_all_read(request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        marked = n.mark_read(session, user)
        return {"marked": marked, "unread": n.unread_count(session, user)}


@router.get("/me/notification-preferences", tags=["notifications"],
            summary="Where your notifications go: in the app only, or by e-mail too")
def get_preferences(request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (_session, user):
        return n.preferences(user)


@router.put("/me/notification-preferences", tags=["notifications"],
            summary="Choose e-mail (with the address) or in-app only")
def put_preferences(body: PreferencesIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        n.set_preferences(session, user, email=body.email, notify_by_email=body.notify_by_email)
        return n.preferences(user)
