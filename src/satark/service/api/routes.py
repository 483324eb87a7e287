"""``/api/v1`` routes. Each opens one transaction; service errors become 4xx in ``app``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BeforeValidator, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import Scope

from .. import accounts, checks, directory, security, totp, workflow
from ..access import roles_in
from ..archive import (
    ArchiveQuery,
    archive_record,
    export_csv,
    export_imported_csv,
    export_json,
    imported_record,
    search,
    search_imported,
)
from ..audit import export_row, verify_chain
from ..audit_view import AuditFilter, parse_filter, visible_events
from ..context import SESSION_COOKIE, Services
from ..errors import Forbidden, InvalidInput, NotAuthenticated
from ..models import MAX_ID, AuditEvent, Membership, Post, User
from . import schemas as s


class _PrefixedRouter(APIRouter):
    """An ``APIRouter`` that answers "no match" at once for a path outside its prefix.

    FastAPI matches a request against an included router by trying each of its routes in
    turn, twice (to choose, then to handle): for a web page, every API route first. That was
    about a tenth of the server's time under the editor's live check.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):  # behind a proxy's prefix, as Starlette reads it
            path = path[len(root):]
        if not path.startswith(self.prefix + "/"):
            return Match.NONE, {}
        return super().matches(scope)


router = _PrefixedRouter(prefix="/api/v1", responses={
    400: {"model": s.ErrorOut}, 401: {"model": s.ErrorOut}, 403: {"model": s.ErrorOut},
    404: {"model": s.ErrorOut}, 409: {"model": s.ErrorOut}, 413: {"model": s.ErrorOut},
    422: {"model": s.ErrorOut}, 429: {"model": s.ErrorOut},
})

#: A larger id names nothing, and if it reached the database the driver would fail on it
#: (a 500), so it is refused here (422).
def _plain_id(value: object) -> object:
    """An id in a URL is digits only: "1.0", "+1" and " 1" are not ids (422, not post 1)."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("an id is a whole number written in digits, like 42")
    return value


def _iso_date(value: object) -> object:
    """A date in a URL is YYYY-MM-DD (pydantic would also read "0" as 1970-01-01)."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD, like 2026-12-06")
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# WithJsonSchema: with a validator in front, the bounds would reach OpenAPI as "ge"/"le".
PathId = Annotated[int, BeforeValidator(_plain_id), WithJsonSchema(_ID_SCHEMA), Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, BeforeValidator(_plain_id), WithJsonSchema({"anyOf": [_ID_SCHEMA, {"type": "null"}]}),
                    Query(ge=1, le=MAX_ID)]
QueryDate = Annotated[dt.date | None, BeforeValidator(_iso_date),
                      WithJsonSchema({"anyOf": [{"type": "string", "format": "date", "pattern": s.DATE},
                                                {"type": "null"}]}), Query()]
RolePath = Annotated[s.Role, Path()]


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


Svc = Annotated[Services, Depends(services)]


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def set_session_cookie(response: Response, request: Request, svc: Services, value: str) -> None:
    secure = svc.settings.cookie_secure
    if secure is None:
        secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, value, max_age=svc.settings.session_hours * 3600, httponly=True,
                        secure=secure, samesite="lax", path="/")


# --- sessions, the current user, tokens -------------------------------------------------

@router.post("/session", tags=["auth"], summary="Log in (sets the session cookie; returns the CSRF token)",
             description="An account with two-step sign-in also needs `totp_code`; without it the answer is 401 "
                         "with `error` `totp_required` (and `details.totp_required` true), and a wrong code "
                         "counts as a failed login.")
def login(body: s.LoginIn, request: Request, response: Response, svc: Svc) -> dict[str, Any]:
    # The password (and a two-step code) is verified in a read unit: argon2 must not hold the
    # write lock. The write unit records the attempt and uses the code up (totp.py).
    with svc.db.session(write=False) as session:
        check = security.check_password(session, svc.settings, body.username, body.password,
                                        client=client_of(request))
        check = totp.check_login(session, check, body.totp_code)
    with svc.db.session() as session:
        user = security.record_login(session, svc.settings, check, client=client_of(request))
        if user is None:
            session.commit()  # the failed attempt must count even though the request fails
            if check.needs_second_factor:
                raise security.SecondFactorRequired(security.CODE_WRONG)
            raise NotAuthenticated("wrong username or password")
        value, row = security.create_session(session, svc.settings, user)
        set_session_cookie(response, request, svc, value)
        return {"user": s.user_out(user), "csrf_token": row.csrf_token}


@router.delete("/session", tags=["auth"], summary="Log out")
def logout(request: Request, response: Response, svc: Svc) -> dict[str, Any]:
    with svc.db.session() as session:
        auth = svc.authenticate(session, request, allow_unenrolled=True)
        if auth is not None and auth.web_session is not None:
            security.end_session(session, auth.web_session)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me", tags=["auth"])
def me(request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (_session, user):
        return s.user_out(user)


def _current_web_session(svc: Services, session: Session, request: Request) -> Any:
    auth = svc.authenticate(session, request)
    return auth.web_session if auth is not None else None


@router.post("/me/password", tags=["auth"], summary="Change your password (your other browser sessions end)")
def change_password(body: s.OwnPasswordIn, request: Request, svc: Svc) -> dict[str, Any]:
    # argon2 (twice) in the read unit: a write unit would hold every other writer up meanwhile
    with svc.unit(request, write=False) as (session, user):
        change = directory.prepare_password_change(user, current=body.current_password, new=body.new_password)
    with svc.unit(request) as (session, user):
        directory.change_own_password(session, user, change, keep=_current_web_session(svc, session, request))
        return {"ok": True}


@router.post("/me/logout-everywhere", tags=["auth"],
             summary="End all your other browser sessions and revoke all your access tokens")
def logout_everywhere(request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        ended, revoked = directory.logout_everywhere(session, user, user,
                                                     keep=_current_web_session(svc, session, request))
        return {"sessions_ended": ended, "tokens_revoked": revoked}


# --- two-step sign-in (totp.py) -------------------------------------------------------------------
# Open to an administrator who must still set it up (SATARK_REQUIRE_TOTP_FOR_ADMINS): nothing else is.

@router.get("/me/totp", tags=["auth"], summary="Your two-step sign-in: on or not, recovery codes left")
def totp_status(request: Request, svc: Svc) -> s.TotpStatusOut:
    with svc.unit(request, allow_unenrolled=True) as (session, user):
        found = totp.status(session, svc.settings, user)
        return s.TotpStatusOut(enabled=found.enabled, pending=found.pending, enabled_at=found.enabled_at,
                               recovery_codes_left=found.recovery_codes_left, required=found.required)


@router.post("/me/totp", tags=["auth"],
             summary="Begin setting up two-step sign-in: a new secret for the authenticator app (not on until "
                     "confirmed)")
def totp_begin(request: Request, svc: Svc) -> s.TotpBeginOut:
    with svc.unit(request, allow_unenrolled=True) as (session, user):
        enrolment = totp.begin(session, user)
        return s.TotpBeginOut(secret=enrolment.secret, secret_grouped=enrolment.grouped,
                              otpauth_uri=enrolment.uri)


@router.post("/me/totp/confirm", tags=["auth"],
             summary="Turn two-step sign-in on with a code from the app; returns the recovery codes (shown once)")
def totp_confirm(body: s.TotpConfirmIn, request: Request, svc: Svc) -> s.TotpEnabledOut:
    with svc.unit(request, allow_unenrolled=True) as (session, user):
        codes = totp.confirm(session, user, body.code)
        return s.TotpEnabledOut(enabled_at=user.totp_enabled_at or dt.datetime.now(dt.UTC), recovery_codes=codes)


@router.delete("/me/totp", tags=["auth"],
               summary="Turn your two-step sign-in off (with a current code, a recovery code or your password)")
def totp_disable(body: s.TotpDisableIn, request: Request, svc: Svc) -> s.OkOut:
    password = None
    if body.password is not None:  # verified (argon2) before the write unit
        with svc.unit(request, write=False) as (session, user):
            security.check_throttle(session, svc.settings, user.username, client_of(request))
            password = security.verify_current(user, body.password)
    with svc.unit(request) as (session, user):
        totp.disable(session, svc.settings, user, client=client_of(request), code=body.code, password=password)
        return s.OkOut(ok=True)


@router.get("/tokens", tags=["auth"])
def list_tokens(request: Request, svc: Svc) -> list[dict[str, Any]]:
    from ..models import ApiToken

    with svc.unit(request) as (session, user):
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
        return [{"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
                 "last_used_at": t.last_used_at, "revoked": t.revoked_at is not None} for t in rows]


@router.post("/tokens", tags=["auth"], status_code=201, summary="Create a personal access token (shown once)")
def create_token(body: s.TokenIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        value, row = security.create_token(session, user, body.name)
        return {"id": row.id, "name": row.name, "token": value, "prefix": row.prefix}


@router.delete("/tokens/{token_id}", tags=["auth"])
def revoke_token(token_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        row = security.revoke_token(session, user, token_id)
        return {"id": row.id, "revoked": True}


# --- institutions and people ----------------------------------------------------------------

@router.get("/institutions", tags=["institutions"])
def list_institutions(request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [s.institution_out(i) | {"roles": sorted(roles_in(session, user, i.id))}
                for i in directory.list_institutions(session, user)]


@router.post("/institutions", tags=["institutions"], status_code=201)
def create_institution(body: s.InstitutionIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        data = body.model_dump(exclude_none=True)
        inst = directory.create_institution(session, user, svc.screening, **data)
        return s.institution_out(inst)


@router.get("/institutions/{institution_id}", tags=["institutions"])
def get_institution(institution_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        inst = directory.get_institution(session, user, institution_id)
        return s.institution_out(inst) | {"roles": sorted(roles_in(session, user, inst.id))}


@router.patch("/institutions/{institution_id}", tags=["institutions"], summary="Change settings (admin)")
def update_institution(institution_id: PathId, body: s.InstitutionPatch, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        inst = directory.get_institution(session, user, institution_id)
        changed = directory.update_institution(session, user, inst, body.model_dump(exclude_unset=True))
        return s.institution_out(inst) | {"changed": changed}


@router.get("/institutions/{institution_id}/members", tags=["institutions"])
def list_members(institution_id: PathId, request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        directory.get_institution(session, user, institution_id)
        return [{"user_id": m.user_id, "username": m.user.username, "display_name": m.user.display_name,
                 "role": m.role} for m in directory.members(session, institution_id)]


@router.post("/institutions/{institution_id}/members", tags=["institutions"], status_code=201)
def add_member(institution_id: PathId, body: s.MemberIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        directory.get_institution(session, user, institution_id)
        m = directory.add_member(session, user, institution_id, body.username, body.role)
        return {"user_id": m.user_id, "institution_id": m.institution_id, "role": m.role}


@router.delete("/institutions/{institution_id}/members/{user_id}/{role}", tags=["institutions"])
def remove_member(institution_id: PathId, user_id: PathId, role: RolePath, request: Request,
                  svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        directory.get_institution(session, user, institution_id)
        directory.remove_member(session, user, institution_id, user_id, role)
        return {"removed": True}


@router.post("/users", tags=["users"], status_code=201,
             summary="Create a user (site administrator, or an institution admin with a role in their institution)")
def create_user(body: s.UserIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):  # refused, or hashed before the write unit
        username = directory.check_new_user(session, user, username=body.username, superuser=body.superuser,
                                            institution_id=body.institution_id, role=body.role)
    password = security.new_password(body.password, username=username)
    with svc.unit(request) as (session, user):
        new = directory.create_user(session, user, username=username, display_name=body.display_name,
                                    password=password, superuser=body.superuser,
                                    institution_id=body.institution_id, role=body.role)
        return {"id": new.id, "username": new.username}


@router.get("/users", tags=["users"], summary="The users you administer")
def list_users(request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [s.user_out(u) for u in directory.list_users(session, user)]


@router.get("/users/{user_id}", tags=["users"])
def get_user(user_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return s.user_out(directory.get_user(session, user, user_id))


@router.post("/users/{user_id}/deactivate", tags=["users"], summary="Deactivate (and log out everywhere)")
def deactivate_user(user_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        target = directory.get_user(session, user, user_id)
        directory.set_active(session, user, target, False)
        return s.user_out(target)


@router.post("/users/{user_id}/activate", tags=["users"])
def activate_user(user_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        target = directory.get_user(session, user, user_id)
        directory.set_active(session, user, target, True)
        return s.user_out(target)


@router.post("/users/{user_id}/password", tags=["users"], summary="Reset a user's password (ends their sessions)")
def reset_password(user_id: PathId, body: s.PasswordIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):  # allowed, then hashed before the write unit
        target = directory.get_user(session, user, user_id)
        directory.check_password_reset(user, target)
        username = target.username
    password = security.new_password(body.password, username=username)
    with svc.unit(request) as (session, user):
        target = directory.get_user(session, user, user_id)
        directory.reset_password(session, user, target, password)
        return {"ok": True}


@router.post("/users/{user_id}/logout-everywhere", tags=["users"],
             summary="End every browser session and revoke every access token of a user")
def logout_user_everywhere(user_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        target = directory.get_user(session, user, user_id)
        if target.id == user.id:
            raise Forbidden("use /me/logout-everywhere for yourself")
        ended, revoked = directory.logout_everywhere(session, user, target)
        return {"sessions_ended": ended, "tokens_revoked": revoked}


@router.post("/users/{user_id}/totp/reset", tags=["users"],
             summary="Reset a user's two-step sign-in (an administrator of theirs; ends their sessions and tokens)")
def reset_totp(user_id: PathId, request: Request, svc: Svc) -> s.TotpResetOut:
    with svc.unit(request) as (session, user):
        target = directory.get_user(session, user, user_id)
        sessions, tokens = totp.reset(session, user, target)
        return s.TotpResetOut(user_id=target.id, sessions_ended=sessions, tokens_revoked=tokens)


# --- official accounts --------------------------------------------------------------------

def _account_data(body: s.AccountIn) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=True)
    data.pop("institution_id", None)
    return data


@router.get("/accounts", tags=["accounts"])
def list_accounts(request: Request, svc: Svc, institution_id: QueryId = None) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [s.account_out(a, svc.screening) for a in accounts.list_accounts(session, user, institution_id)]


@router.post("/accounts", tags=["accounts"], status_code=201)
def create_account(body: s.AccountCreate, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        account = accounts.create_account(session, user, body.institution_id, _account_data(body))
        return s.account_out(account, svc.screening)


@router.get("/accounts/{account_id}", tags=["accounts"], summary="An account with its live §6.1 checklist")
def get_account(account_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return s.account_out(accounts.get_account(session, user, account_id), svc.screening)


@router.patch("/accounts/{account_id}", tags=["accounts"])
def update_account(account_id: PathId, body: s.AccountIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        account = accounts.get_account(session, user, account_id)
        changed = accounts.update_account(session, user, account, _account_data(body))
        return s.account_out(account, svc.screening) | {"changed": list(changed)}


# --- posts and the workflow ---------------------------------------------------------------

def prescreen(svc: Services, text: str, jurisdiction: str) -> None:
    """Screen before the write transaction opens; the workflow then gets the cached report.

    Screening takes up to tens of milliseconds, and on SQLite a write transaction holds
    the database's one write lock for as long as it is open.
    """
    if text.strip():
        svc.screening.screen(text, jurisdiction=jurisdiction, account_type="official")


@router.get("/posts", tags=["posts"])
def list_posts(
    request: Request, svc: Svc, state: s.State | None = None, institution_id: QueryId = None,
    account_id: QueryId = None, mine: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        flt = workflow.PostFilter(state=state, institution_id=institution_id, account_id=account_id, mine=mine,
                                  limit=limit, offset=offset)
        return [s.post_out(p, full=False) for p in workflow.list_posts(session, user, flt)]


@router.post("/posts", tags=["posts"], status_code=201, summary="Write a draft (screened at once)")
def create_post(body: s.PostIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):
        jurisdiction = accounts.get_account(session, user, body.account_id).institution.jurisdiction
    prescreen(svc, body.text, jurisdiction)
    with svc.unit(request) as (session, user):
        post = workflow.create_post(session, svc.screening, user, account_id=body.account_id, text=body.text,
                                    title=body.title)
        return s.post_out(post)


@router.get("/posts/{post_id}", tags=["posts"])
def get_post(post_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        return s.post_out(workflow.get_post(session, user, post_id))


@router.put("/posts/{post_id}", tags=["posts"], summary="Edit a draft (re-screened; a new revision)")
def edit_post(post_id: PathId, body: s.PostEdit, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):
        jurisdiction = workflow.get_post(session, user, post_id).institution.jurisdiction
    prescreen(svc, body.text, jurisdiction)
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        workflow.edit_post(session, svc.screening, user, post, text=body.text, title=body.title)
        return s.post_out(post)


@router.get("/posts/{post_id}/revisions", tags=["posts"], summary="Every revision with its screening report")
def list_revisions(post_id: PathId, request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [s.revision_out(r) for r in workflow.get_post(session, user, post_id).revisions]


Action = Callable[[Session, User, Post], object]


def _act(request: Request, svc: Services, post_id: int, action: Action) -> dict[str, Any]:
    """One workflow action on one post in one unit of work; the routes differ only in their body."""
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        action(session, user, post)
        return s.post_out(post)


@router.post("/posts/{post_id}/submit", tags=["workflow"],
             summary="Send to the approvers; a 'block' verdict is refused (409, with the findings) unless confirm")
def submit(post_id: PathId, request: Request, svc: Svc, body: s.SubmitIn | None = None) -> dict[str, Any]:
    return _act(request, svc, post_id, partial(workflow.submit, confirm=bool(body and body.confirm)))


@router.post("/posts/{post_id}/withdraw", tags=["workflow"])
def withdraw(post_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, workflow.withdraw)


@router.post("/posts/{post_id}/approve", tags=["workflow"],
             summary="Approve one tier (a 'block' verdict needs override_reason)")
def approve(post_id: PathId, body: s.ApproveIn, request: Request, svc: Svc) -> dict[str, Any]:
    action = partial(workflow.approve, comment=body.comment, override_reason=body.override_reason)
    return _act(request, svc, post_id, action)


@router.post("/posts/{post_id}/request-changes", tags=["workflow"])
def request_changes(post_id: PathId, body: s.CommentIn, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, partial(workflow.request_changes, comment=body.comment))


@router.post("/posts/{post_id}/reject", tags=["workflow"])
def reject(post_id: PathId, body: s.CommentIn, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, partial(workflow.reject, comment=body.comment))


@router.post("/posts/{post_id}/publish", tags=["workflow"], summary="Record publication: URL and time")
def publish(post_id: PathId, body: s.PublishIn, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, partial(workflow.publish, url=body.url, published_at=body.published_at))


@router.post("/posts/{post_id}/correct", tags=["workflow"], summary="Publish a correction beside the original")
def correct(post_id: PathId, body: s.CorrectIn, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request, write=False) as (session, user):
        jurisdiction = workflow.get_post(session, user, post_id).institution.jurisdiction
    prescreen(svc, body.text, jurisdiction)
    with svc.unit(request) as (session, user):
        post = workflow.get_post(session, user, post_id)
        workflow.correct(session, svc.screening, user, post, text=body.text, note=body.note)
        return s.post_out(post)


@router.post("/posts/{post_id}/retract", tags=["workflow"],
             summary="Ask for a retraction (approved like a post), or fast_track it as an approver")
def retract(post_id: PathId, body: s.ReasonIn, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, partial(workflow.retract, reason=body.reason, fast_track=body.fast_track))


@router.post("/posts/{post_id}/archive", tags=["workflow"])
def archive_post(post_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    return _act(request, svc, post_id, workflow.archive)


# --- archive ------------------------------------------------------------------------------

def archive_query(
    q: Annotated[str, Query(max_length=500, description="at most 10 words"), s.FEW_WORDS] = "",
    institution_id: QueryId = None, account_id: QueryId = None,
    date_from: QueryDate = None, date_to: QueryDate = None,
    category: Annotated[s.CategoryName | None, Query(description="a finding category, e.g. confidential")] = None,
    verdict: s.Verdict | None = None, state: s.ArchivedState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    kind: Annotated[Literal["post", "imported"], Query(
        description="post: published posts; imported: items of audited exports (state does not apply)")] = "post",
) -> ArchiveQuery:
    return ArchiveQuery(q=q, institution_id=institution_id, account_id=account_id, date_from=date_from,
                        date_to=date_to, category=category or None, verdict=verdict or None, state=state or None,
                        limit=limit, offset=offset, kind=kind)


@router.get("/archive", tags=["archive"], summary="Search published posts; format=json|csv exports",
            responses={200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}})
def archive_search(
    request: Request, svc: Svc, aq: Annotated[ArchiveQuery, Depends(archive_query)],
    format: Literal["page", "json", "csv"] = "page",
) -> Any:
    with svc.unit(request) as (session, user):
        if aq.kind == "imported":
            return _imported(session, user, aq, format)
        total, posts = search(session, user, aq)
        if format == "csv":
            return Response(export_csv(posts), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="satark-archive.csv"'})
        if format == "json":
            return Response(export_json(posts), media_type="application/json",
                            headers={"Content-Disposition": 'attachment; filename="satark-archive.json"'})
        return {"total": total, "results": [archive_record(p) for p in posts]}


def _imported(session: Session, user: Any, aq: ArchiveQuery, format: str) -> Any:
    total, items = search_imported(session, user, aq)
    if format == "csv":
        return Response(export_imported_csv(items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="satark-imported.csv"'})
    records = [imported_record(i) for i in items]
    if format == "json":
        return Response(json.dumps(records, ensure_ascii=False, indent=1), media_type="application/json",
                        headers={"Content-Disposition": 'attachment; filename="satark-imported.json"'})
    return {"total": total, "results": records}


# --- audit ----------------------------------------------------------------------------------

def audit_out(e: AuditEvent) -> dict[str, Any]:
    return {"id": e.id, "at": e.at, "actor": e.actor, "actor_id": e.actor_id, "action": e.action,
            "institution_id": e.institution_id, "object_type": e.object_type, "object_id": e.object_id,
            "details": e.details, "hash": e.hash, "prev_hash": e.prev_hash}


def audit_events(session: Any, user: User, institution_id: int | None, limit: int, before: int | None,
                 flt: AuditFilter | None = None) -> list[Any]:
    return visible_events(session, user, institution_id=institution_id, flt=flt, limit=limit, before=before)


def _audit_filter(
    actor: Annotated[str, Query(max_length=80, description="A username"), s.NO_NUL] = "",
    action: Annotated[s.Action | None, Query(description="An action code, e.g. post_publish")] = None,
    date_from: Annotated[QueryDate, Query(alias="from", description="YYYY-MM-DD (UTC)")] = None,
    date_to: Annotated[QueryDate, Query(alias="to", description="YYYY-MM-DD (UTC), inclusive; not before from")] = None,
    post: Annotated[QueryId, Query(description="A post number")] = None,
) -> AuditFilter:
    days = {"from": date_from.isoformat() if date_from else "", "to": date_to.isoformat() if date_to else ""}
    return parse_filter({"actor": actor, "action": action or "", "post": str(post or ""), **days})


AuditFilterParams = Annotated[AuditFilter, Depends(_audit_filter)]


@router.get("/audit", tags=["audit"], summary="Audit events you may see, newest first")
def list_audit(
    request: Request, svc: Svc, flt: AuditFilterParams, institution_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100, before: QueryId = None,
) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [audit_out(e) for e in audit_events(session, user, institution_id, limit, before, flt)]


@router.get("/audit/export", tags=["audit"], response_class=Response,
            responses={200: {"content": {"application/x-ndjson": {}}}},
            summary="The audit events you may see as JSON lines, oldest first, with their hashes")
def export_audit(request: Request, svc: Svc, flt: AuditFilterParams, institution_id: QueryId = None) -> Response:
    with svc.unit(request) as (session, user):
        events = visible_events(session, user, institution_id=institution_id, flt=flt, limit=None,
                                oldest_first=True)
        body = "".join(json.dumps(export_row(e), ensure_ascii=False, sort_keys=True) + "\n" for e in events)
    return Response(body, media_type="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="satark-audit.jsonl"'})


@router.get("/audit/verify", tags=["audit"], summary="Re-check the whole hash chain (site administrator)")
def verify_audit(request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        if not user.is_superuser:
            raise Forbidden("only a site administrator may verify the whole audit chain")
        count, problems = verify_chain(session)
        return {"events": count, "ok": not problems,
                "problems": [{"event_id": p.event_id, "problem": p.problem} for p in problems]}


# --- screening and personal pre-checks ----------------------------------------------------

def default_jurisdiction(session: Any, user: User) -> str:
    m = session.scalars(select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)).first()
    if m is None:
        raise InvalidInput("say which jurisdiction to screen against (BD or IN-CG)")
    return str(m.institution.jurisdiction)


@router.post("/screen", tags=["screening"], summary="Screen a text; nothing is stored",
             description="The live check. Without `mode` it runs the server's live mode (`SATARK_LIVE_MODE`, "
                         "default `fast`); the report's `mode` says which ran. Stored screenings (drafts, "
                         "revisions, personal checks) use the full mode.")
async def screen(body: s.ScreenIn, request: Request, svc: Svc) -> Response:
    # The busiest endpoint (the editor screens as the author types), so it is async: the
    # login check takes a pool thread briefly, and the wait for the screening thread none.
    def login() -> str:
        with svc.unit(request, write=False) as (session, user):
            return body.jurisdiction or default_jurisdiction(session, user)

    jurisdiction = await run_in_threadpool(login)
    report = await svc.screening.screen_async(body.text, jurisdiction=jurisdiction, account_type=body.account_type,
                                              mode=body.mode or svc.settings.live_mode)
    # The report is plain JSON data already; skip FastAPI's generic re-encoding of it.
    return Response(json.dumps(report, ensure_ascii=False), media_type="application/json")


@router.post("/checks", tags=["screening"],
             summary="Personal pre-check: the text is not stored unless save is true")
def personal_check(body: s.CheckIn, request: Request, svc: Svc) -> dict[str, Any]:
    # Screening between units of work, never inside one: it must not hold the write lock.
    with svc.unit(request, write=False) as (session, user):
        jurisdiction = body.jurisdiction or default_jurisdiction(session, user)
    report = svc.screening.screen(body.text, jurisdiction=jurisdiction, account_type=body.account_type,
                                  mode=body.mode)
    out: dict[str, Any] = {"report": report, "saved_id": None}
    if body.save:
        with svc.unit(request) as (session, user):
            row = checks.save_check(session, user, jurisdiction=jurisdiction, text=body.text, report=report)
            out["saved_id"] = row.id
    return out


@router.get("/checks", tags=["screening"], summary="Your saved personal pre-checks")
def saved_checks(request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        rows = checks.saved_checks(session, user)
        return [{"id": r.id, "jurisdiction": r.jurisdiction, "text": r.text, "verdict": r.verdict,
                 "created_at": r.created_at} for r in rows]


@router.delete("/checks/{check_id}", tags=["screening"])
def delete_check(check_id: PathId, request: Request, svc: Svc) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        checks.delete_check(session, user, check_id)
        return {"deleted": True}


@router.get("/policies", tags=["screening"], summary="Jurisdictions and their policy packs")
def policies(svc: Svc) -> dict[str, str]:
    return svc.screening.jurisdictions()
