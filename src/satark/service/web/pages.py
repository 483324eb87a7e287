"""The web UI: login, language, the dashboard, and the routers of the other pages.

Server-rendered Jinja pages that work without JavaScript (plain forms, POST-redirect-GET);
htmx adds live screening in the editor. Pages call the same service functions as the JSON
API in ``api/routes.py``, never the API itself. ``app.py`` imports ``router`` and
``error_page_for`` from here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import func, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .. import accounts, security, totp, workflow
from ..access import can, visible_institutions
from ..api.routes import client_of, set_session_cookie
from ..archive import ArchiveQuery, search
from ..context import SESSION_COOKIE
from ..errors import Forbidden, InvalidInput, NotAuthenticated, TooManyAttempts
from ..i18n import LANG_COOKIE, LOCALES, N_, translations
from ..models import Post
from ..workflow import STATES, active_approvals
from . import attachments, inbox, manage, monitoring, notifications, posts, scans, training, violations
from .forms import Form, text
from .render import (
    WebRoute,
    cookie_secure,
    error_page,
    error_page_for,
    page_locale,
    redirect,
    render,
    safe_next,
    services,
    web_unit,
)

__all__ = ["error_page", "error_page_for", "router"]

router = APIRouter(include_in_schema=False, route_class=WebRoute)


# --- logging in and out, language ------------------------------------------------------------

def _login_page(request: Request, *, username: str = "", next_url: str = "/", error: str = "",
                status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    response = render(request, "login.html", status=status, username=username, next_url=next_url,
                      error=translations(page_locale(request, None)).gettext(error) if error else "")
    response.headers.update(headers or {})
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    next_url = safe_next(request.query_params.get("next"))
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        with services(request).db.session(write=False) as session:
            if security.user_for_session(session, cookie) is not None:
                return RedirectResponse(next_url, status_code=303)
    return _login_page(request, next_url=next_url)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, form: Form) -> Response:
    """No CSRF token here (there is no session yet); the cookies are SameSite=Lax.

    An account with two-step sign-in gets no session here: a right password starts a login
    that waits for its code (``totp.start_pending_login``, a cookie for ``/login`` only) and
    the browser goes on to the code form (:func:`login_code`)."""
    svc = services(request)
    username, password = text(form, "username", limit=80), text(form, "password", limit=security.MAX_PASSWORD)
    next_url = safe_next(form.get("next"))
    pending = ""
    try:
        # The password is verified in a read unit: argon2 must not hold the write lock.
        with svc.db.session(write=False) as session:
            check = security.check_password(session, svc.settings, username, password, client=client_of(request))
        with svc.db.session() as session:
            if check.needs_second_factor:
                pending = totp.start_pending_login(session, svc.settings, check, client=client_of(request),
                                                   next_url=next_url) or ""
                value = ""
            else:
                # A refusal returns None and this block still commits, so failed attempts count.
                user = security.record_login(session, svc.settings, check, client=client_of(request))
                value = security.create_session(session, svc.settings, user)[0] if user is not None else ""
    except TooManyAttempts as exc:
        return _too_many(request, exc, username=username, next_url=next_url)
    if pending:
        response = RedirectResponse("/login/code", status_code=303)
        _set_pending_cookie(response, request, pending)
        return response
    if not value:
        return _login_page(request, username=username, next_url=next_url, status=401,
                           error=N_("Wrong username or password."))
    response = RedirectResponse(next_url, status_code=303)
    set_session_cookie(response, request, svc, value)
    return response


def _too_many(request: Request, exc: TooManyAttempts, *, username: str = "", next_url: str = "/") -> Response:
    return _login_page(request, username=username, next_url=next_url, status=429,
                       error=N_("Too many failed logins. Wait a few minutes and try again."),
                       headers={"Retry-After": str(exc.retry_after)})


def _set_pending_cookie(response: Response, request: Request, value: str) -> None:
    # SameSite=Strict: another site cannot post a code into someone's waiting login.
    response.set_cookie(totp.PENDING_COOKIE, value, max_age=totp.PENDING_MINUTES * 60, httponly=True,
                        secure=cookie_secure(request, services(request)), samesite="strict", path="/login")


def _code_page(request: Request, *, error: str = "", status: int = 200,
               headers: dict[str, str] | None = None) -> HTMLResponse:
    response = render(request, "login_code.html", status=status, minutes=totp.PENDING_MINUTES,
                      error=translations(page_locale(request, None)).gettext(error) if error else "")
    response.headers.update(headers or {})
    return response


def _login_again() -> Response:
    response = redirect("/login", ("warning", "login_expired", ""))
    response.delete_cookie(totp.PENDING_COOKIE, path="/login")
    return response


@router.get("/login/code", response_class=HTMLResponse)
def login_code_page(request: Request) -> Response:
    """The second step of a login: the code from the authenticator app, or a recovery code."""
    with services(request).db.session(write=False) as session:
        if totp.pending_login(session, request.cookies.get(totp.PENDING_COOKIE)) is None:
            return _login_again()
    return _code_page(request)


@router.post("/login/code", response_class=HTMLResponse)
def login_code(request: Request, form: Form) -> Response:
    """The code is checked in a read unit; the write unit records the attempt (a wrong code
    counts as a failed login) and uses the code up, so it is never accepted twice."""
    svc = services(request)
    value = request.cookies.get(totp.PENDING_COOKIE)
    code = text(form, "code", limit=40)
    try:
        with svc.db.session(write=False) as session:
            row = totp.pending_login(session, value)
            if row is None:
                return _login_again()
            security.check_throttle(session, svc.settings, row.user.username, client_of(request))
            checked = totp.check_code(session, row.user, code)
        with svc.db.session() as session:
            # A wrong code returns no user and this block still commits, so the attempt counts.
            result = totp.finish_pending_login(session, svc.settings, value, checked, client=client_of(request))
            session_value = security.create_session(session, svc.settings, result.user)[0] if result.user else ""
    except TooManyAttempts as exc:
        return _code_page(request, status=429, error=N_("Too many failed logins. Wait a few minutes and try again."),
                          headers={"Retry-After": str(exc.retry_after)})
    if result.expired:
        return _login_again()
    if not session_value:
        return _code_page(request, status=401, error=N_("The code is wrong, expired or already used."))
    response = RedirectResponse(safe_next(result.next_url), status_code=303)
    response.delete_cookie(totp.PENDING_COOKIE, path="/login")
    set_session_cookie(response, request, svc, session_value)
    return response


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    svc = services(request)
    token = form.get("csrf_token")
    with svc.db.session() as session:
        auth = svc.authenticate(session, request, csrf_form_value=token if isinstance(token, str) else None,
                                allow_unenrolled=True)
        if auth is not None and auth.web_session is not None:
            security.end_session(session, auth.web_session)
    response = redirect("/login", ("success", "logged_out", ""))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/lang")
def switch_language(request: Request, form: Form) -> Response:
    """Set the language cookie, and the logged-in user's saved language when the form is theirs.

    A stale or missing CSRF token only skips saving it on the account: the cookie alone
    changes nothing but the language, and error pages (rendered without a session) carry none.
    """
    lang = form.get("lang")
    if not isinstance(lang, str) or lang not in LOCALES:
        raise InvalidInput(f"choose one of {', '.join(LOCALES)}")
    svc = services(request)
    token = form.get("csrf_token")
    if request.cookies.get(SESSION_COOKIE):
        with svc.db.session() as session:
            try:
                auth = svc.authenticate(session, request, csrf_form_value=token if isinstance(token, str) else None)
            except (Forbidden, NotAuthenticated):
                auth = None
            if auth is not None:
                auth.user.ui_lang = lang
    response = RedirectResponse(safe_next(form.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=cookie_secure(request, svc), path="/")
    return response


# --- the dashboard ----------------------------------------------------------------------------

@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    with web_unit(request) as web:
        session, user = web.session, web.user
        mine = workflow.list_posts(session, user, workflow.PostFilter(mine=True, limit=200))
        drafts = [p for p in mine if p.state in ("draft", "changes_requested")]
        reviewer: dict[int, bool] = {}
        waiting = []
        for post in workflow.list_posts(session, user, workflow.PostFilter(state="submitted", limit=200)):
            if post.institution_id not in reviewer:
                reviewer[post.institution_id] = can(session, user, "review", post.institution_id)
            if (reviewer[post.institution_id] and post.author_id != user.id
                    and all(a.user_id != user.id for a in active_approvals(post))):
                waiting.append(post)
        _total, recent = search(session, user, ArchiveQuery(limit=5))
        counted = session.execute(
            select(Post.state, func.count()).where(Post.institution_id.in_(visible_institutions(session, user)))
            .group_by(Post.state)
        ).all()
        counts: dict[str, int] = {state: n for state, n in counted}
        unmet: list[tuple[Any, list[Any]]] = []
        for account in accounts.list_accounts(session, user):
            items = [i for i in accounts.checklist(account, web.svc.screening) if i.status == "not_met"]
            if items:
                unmet.append((account, items))
        return web.render("dashboard.html", drafts=drafts, waiting=waiting, recent=recent,
                          counts=[(s, counts.get(s, 0)) for s in STATES], unmet=unmet)


router.include_router(posts.router)
router.include_router(manage.router)
for _module in (attachments, inbox, monitoring, violations, training, notifications, scans):
    router.include_router(_module.router)
