"""Rendering for the web UI: locale, flash messages, redirects, error pages and the route class.

Every page is rendered inside the request's one transaction (templates follow lazy
relationships), in the locale chosen by :func:`page_locale`. Messages that must survive a
redirect (POST-redirect-GET) travel in a short-lived cookie holding only *keys* of the
messages below plus an optional English detail, so a forged cookie cannot put arbitrary
translated text on a page and everything shown is escaped by Jinja anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi.routing import APIRoute
from markupsafe import Markup
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ... import __version__
from .. import security
from ..context import SAFE_METHODS, SESSION_COOKIE, Services
from ..errors import Conflict, Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceError, TooManyAttempts
from ..i18n import LANG_COOKIE, LOCALES, N_, make_environment, negotiate_locale, translations
from ..models import User
from ..timezones import DEFAULT_ZONE, user_zone
from ..totp import EnrolmentRequired
from .forms import MAX_INT
from .service_messages import translate_message

__all__ = ["FLASHES", "Web", "WebRoute", "error_page", "error_page_for", "page_locale", "page_zone", "redirect",
           "render", "safe_next", "services", "web_unit"]

FLASH_COOKIE = "satark_flash"

#: Where an administrator who must set up two-step sign-in is sent (``web/manage.py``).
TWO_STEP_PAGE = "/settings/two-step"

#: Messages a redirect may carry, by key.
FLASHES: dict[str, str] = {
    "logged_out": N_("You have logged out."),
    "draft_saved": N_("Draft saved and screened."),
    "post_edited": N_("Changes saved and screened again."),
    "no_change": N_("Nothing changed."),
    "submit": N_("Submitted for approval."),
    "withdraw": N_("Withdrawn: the post is a draft again."),
    "approve": N_("Your approval is recorded."),
    "request_changes": N_("Sent back to the author with your comment."),
    "reject": N_("The post is rejected."),
    "publish": N_("The publication is recorded."),
    "correct": N_("The correction is published beside the original."),
    "retract": N_("The post is retracted."),
    "archive": N_("The post is archived."),
    "account_created": N_("Account added."),
    "account_saved": N_("Account saved."),
    "check_saved": N_("Check saved."),
    "check_deleted": N_("Saved check deleted."),
    "lang_saved": N_("Language saved."),
    "token_revoked": N_("Token revoked."),
    "institution_saved": N_("Institution settings saved."),
    "member_added": N_("Member added."),
    "member_removed": N_("Member removed."),
    "notifications_read": N_("Marked as read."),
    "notification_choice_saved": N_("Your notification choice is saved."),
    "inbox_saved": N_("Saved."),
    "reply_sent": N_("The reply is recorded as sent; the clock has stopped."),
    "correction_submitted": N_("The correction is sent for approval; the original stays as published until then."),
    "retraction_submitted": N_("The retraction is sent for approval."),
    "user_created": N_("User created and added."),
    "user_deactivated": N_("User deactivated and logged out everywhere."),
    "user_activated": N_("User reactivated."),
    "password_reset": N_("Password reset; the user is logged out everywhere."),
    "password_changed": N_("Password changed; your other sessions have ended."),
    "logged_out_everywhere": N_("Your other sessions have ended and your tokens are revoked."),
    "user_logged_out": N_("The user is logged out everywhere."),
    # two-step sign-in (totp.py)
    "two_step_required": N_("Your role needs two-step sign-in. Set it up to continue."),
    "two_step_disabled": N_("Two-step sign-in is off."),
    "two_step_reset": N_("Two-step sign-in of the user is reset; they are logged out everywhere."),
    "login_expired": N_("The sign-in took too long or had too many wrong codes. Log in again."),
    "own_work": N_("Nobody may approve a text they wrote or edited, or a retraction they asked for; "
                   "another approver must do it."),
    "needs_confirmation": N_("The screening says “Do not publish”. Read the findings, then confirm to submit "
                             "anyway."),
    "self_grant": N_("Nobody may give themselves a role; another administrator must do it."),
    # the violation register's steps
    "violation_noted": N_("The incident is recorded."),
    "violation_show_cause": N_("The show-cause notice is recorded."),
    "violation_explanation": N_("The explanation is recorded."),
    "violation_decided": N_("The decision is recorded."),
    "violation_closed": N_("The case is closed."),
    "violation_file": N_("The file is added to the case."),
    "violation_conflict": N_("This is not possible in the case's current state."),
    "image_attached": N_("The image is attached; the text in it was read and screened."),
    "image_removed": N_("The image is removed from the post."),
    # Leads for service errors; the service's message follows them (translated where known).
    "invalid": N_("Please correct the input."),
    "conflict": N_("This is not possible in the post's current state."),
    "forbidden": N_("You are not allowed to do this."),
    "not_found": N_("Not found."),
    "too_many": N_("Too many failed logins. Wait a few minutes and try again."),
    "error": N_("The request could not be completed."),
}

#: Page headings for error statuses.
ERROR_TITLES: dict[int, str] = {
    400: N_("Bad request"),
    401: N_("Please log in"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("Not possible now"),
    413: N_("Too much data"),
    422: N_("Invalid input"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
    503: N_("Busy: please try again shortly"),
}


def services(request: Request) -> Services:
    svc: Services = request.app.state.services
    return svc


def error_key(exc: ServiceError) -> str:
    """The flash key that introduces a service error in the user's language."""
    for cls, key in ((InvalidInput, "invalid"), (Conflict, "conflict"), (Forbidden, "forbidden"),
                     (NotFound, "not_found"), (TooManyAttempts, "too_many")):
        if isinstance(exc, cls):
            return key
    return "error"


def page_locale(request: Request, user: User | None) -> str:
    """The cookie (an explicit choice) first, then the user's saved language, then the browser's."""
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie and cookie.strip().lower() in LOCALES:
        return cookie.strip().lower()
    if user is not None and user.ui_lang in LOCALES:
        return user.ui_lang
    return negotiate_locale(None, request.headers.get("accept-language"))


def safe_next(value: object, default: str = "/") -> str:
    """A local path to go to next; anything else (another site, ``//host``, ``/\\host``) gives ``default``."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 0x20 or ch == "\\" for ch in value) or urlsplit(value).netloc:
        return default
    return value


def cookie_secure(request: Request, svc: Services) -> bool:
    secure = svc.settings.cookie_secure
    return request.url.scheme == "https" if secure is None else secure


# --- flash messages ---------------------------------------------------------------------------

Flash = tuple[str, str, str]  # (level, key in FLASHES, English detail or "")


def _encode_flash(items: Sequence[Flash]) -> str:
    raw = json.dumps([list(i) for i in items], ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _decode_flash(value: str | None) -> list[Flash]:
    if not value or len(value) > 4000:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(value.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return []
    out: list[Flash] = []
    if isinstance(items, list):
        for item in items[:5]:
            if (isinstance(item, list) and len(item) == 3 and all(isinstance(x, str) for x in item)
                    and item[0] in ("error", "warning", "success", "info") and item[1] in FLASHES):
                out.append((item[0], item[1], item[2][:500]))
    return out


def message(locale: str, key: str, detail: str = "") -> Markup | str:
    """A flash key in ``locale``, followed by the service's detail: translated when it is one of
    :data:`~.service_messages.SERVICE_MESSAGES`, else in English marked ``lang="en"``."""
    text = translations(locale).gettext(FLASHES[key])
    if not detail:
        return text
    translated = translate_message(locale, detail)
    if locale == "en" or translated is not None:
        return f"{text} {translated or detail}"
    return Markup('{} <span lang="en">{}</span>').format(text, detail)


def page_zone(user: User | None) -> str:
    """The time zone of a page with no institution of its own: the user's (see ``user_zone``).
    A user detached from its session (an error page's) whose roles are not loaded gets UTC."""
    if user is None or not isinstance(user, User):
        return DEFAULT_ZONE
    state = sa_inspect(user)
    if state.detached and "memberships" in state.unloaded:
        return DEFAULT_ZONE
    return user_zone(user)


def redirect(url: str, *flashes: Flash) -> RedirectResponse:
    """303 See Other, so the browser follows with GET (POST-redirect-GET)."""
    response = RedirectResponse(url, status_code=303)
    if flashes:
        response.set_cookie(FLASH_COOKIE, _encode_flash(flashes), max_age=120, httponly=True, samesite="lax",
                            path="/")
    return response


# --- rendering --------------------------------------------------------------------------------

def _static(name: str) -> str:
    return f"/static/{name}?v={__version__}"


def render(
    request: Request, template: str, *, user: User | None = None, csrf_token: str = "", status: int = 200,
    messages: Sequence[tuple[str, Any]] = (), request_path: str | None = None, **context: Any,
) -> HTMLResponse:
    """Render ``template`` as a full page, taking any flash messages the last redirect left.

    Dates show in ``time_zone`` (an IANA name) when the context gives one (a post's page gives
    its institution's), else in the user's institution's zone."""
    locale = page_locale(request, user)
    context.setdefault("time_zone", page_zone(user))
    flashes = _decode_flash(request.cookies.get(FLASH_COOKIE))
    shown = [(level, message(locale, key, detail)) for level, key, detail in flashes] + list(messages)
    env = make_environment(locale)
    body = env.get_template(template).render(
        static=_static, request_path=request_path or request.url.path, user=user, csrf_token=csrf_token,
        messages=shown, locale=locale, **context,
    )
    response = HTMLResponse(body, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def error_page(
    request: Request, status: int, message: str, *, user: User | None = None, csrf_token: str = ""
) -> HTMLResponse:
    """A translated error page. Works with no user (the app's own handlers know none). The
    detail is translated when it is a known service message, else shown in English."""
    translated = translate_message(page_locale(request, user), message)
    return render(request, "error.html", user=user, csrf_token=csrf_token, status=status,
                  error_status=status, error_title=ERROR_TITLES.get(status, N_("Error")),
                  error_detail=translated or message, error_detail_lang="" if translated else "en")


async def error_page_for(request: Request, status: int, message: str) -> HTMLResponse:
    """An error page for handlers that know no user: the login is looked up, so the page keeps
    its navigation and CSRF token, and a failed lookup just shows the page logged out."""
    user, token = await run_in_threadpool(_current_auth, request)
    return error_page(request, status, message, user=user, csrf_token=token)


def _current_auth(request: Request) -> tuple[User | None, str]:
    """Who is logged in, for an error page's navigation; never raises."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None, ""
    try:
        with services(request).db.session(write=False) as session:
            found = security.user_for_session(session, cookie)
            if found is None:
                return None, ""
            user, row = found
            session.expunge(user)
            return user, row.csrf_token
    except Exception:  # an error page must not fail on the way to explaining an error
        return None, ""


# --- one request's unit of work --------------------------------------------------------------

@dataclass
class Web:
    """A page request's transaction, user and CSRF token, with ``render`` bound to them."""

    request: Request
    svc: Services
    session: Session
    user: User
    csrf_token: str

    def render(self, template: str, *, status: int = 200, messages: Sequence[tuple[str, Any]] = (),
               request_path: str | None = None, **context: Any) -> HTMLResponse:
        return render(self.request, template, user=self.user, csrf_token=self.csrf_token, status=status,
                      messages=messages, request_path=request_path, **context)

    @property
    def locale(self) -> str:
        return page_locale(self.request, self.user)

    @property
    def time_zone(self) -> str:
        """The zone for lists and forms with no institution of their own: the user's."""
        return page_zone(self.user)

    def gettext(self, msgid: str) -> str:
        return translations(self.locale).gettext(msgid)


@contextmanager
def web_unit(request: Request, form: FormData | None = None, *, write: bool | None = None,
             allow_unenrolled: bool = False) -> Iterator[Web]:
    """A transaction for a logged-in page; a change (any POST) must carry the session's CSRF token.

    A read unit for GET (and for ``write=False``), so that pages never queue for SQLite's one
    write lock; a write unit for other methods unless ``write`` says otherwise.
    ``allow_unenrolled``: the page is open to an administrator who must still set up two-step
    sign-in (``SATARK_REQUIRE_TOTP_FOR_ADMINS``); every other page sends them there.
    """
    svc = services(request)
    token = form.get("csrf_token") if form is not None else None
    if write is None:
        write = request.method not in SAFE_METHODS
    with svc.db.session(write=write) as session:
        auth = svc.authenticate(session, request, csrf_form_value=token if isinstance(token, str) else None,
                                allow_unenrolled=allow_unenrolled)
        if auth is None:
            raise NotAuthenticated("log in first")
        yield Web(request, svc, session, auth.user, auth.csrf_token)


def login_url(request: Request) -> str:
    """Where to send someone whose session is missing or over, coming back here afterwards."""
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # a POST-only address cannot be opened after login; go back to the page that posted
        referer = urlsplit(request.headers.get("referer", ""))
        same = referer.netloc in ("", request.url.netloc)
        here = safe_next(referer.path, "/") if same else "/"
    return "/login?next=" + quote(safe_next(here), safe="/")


def _secure_flash(response: Response) -> None:
    """Mark the flash cookie ``Secure`` like the session and language cookies (set and deleted
    deep in the handlers, which do not know the request's scheme)."""
    prefix = FLASH_COOKIE.encode("ascii") + b"="
    for i, (name, value) in enumerate(response.raw_headers):
        if name == b"set-cookie" and value.startswith(prefix) and b"; secure" not in value.lower():
            response.raw_headers[i] = (name, value + b"; Secure")


class WebRoute(APIRoute):
    """Service errors become HTML pages here whatever the Accept header says, and a missing login
    becomes a redirect to the login form, so no page request ends in JSON or a 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                # Ids in the path are ``int`` convertors, which take any number of digits; one
                # past the 32-bit columns would fail in the database. No such object exists.
                if any(isinstance(v, int) and not 0 <= v <= MAX_INT for v in request.path_params.values()):
                    raise NotFound("no such object")
                response = await handler(request)
                if cookie_secure(request, services(request)):
                    _secure_flash(response)
                return response
            except EnrolmentRequired:
                if request.headers.get("hx-request"):
                    return Response(status_code=200, headers={"HX-Redirect": TWO_STEP_PAGE})
                return redirect(TWO_STEP_PAGE, ("warning", "two_step_required", ""))
            except NotAuthenticated:
                url = login_url(request)
                if request.headers.get("hx-request"):
                    return Response(status_code=200, headers={"HX-Redirect": url})
                return RedirectResponse(url, status_code=303)
            except ServiceError as exc:
                response = await error_page_for(request, exc.status, exc.message)
                if "retry_after" in exc.details:
                    response.headers["Retry-After"] = str(exc.details["retry_after"])
                return response

        return run
