"""What a request works with: the database, the engine, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session
from starlette.requests import Request

from .db import Database, is_write_unit
from .errors import Forbidden, NotAuthenticated
from .models import ApiToken, User, WebSession
from .screening import Screening
from .security import csrf_matches, record_use, session_touch_due, token_for, touch_due, user_for_session
from .settings import Settings
from .totp import EnrolmentRequired, enrolment_required

__all__ = ["SESSION_COOKIE", "Auth", "Services"]

SESSION_COOKIE = "satark_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class Auth:
    user: User
    #: The browser session, when the request came with the session cookie (not a token).
    web_session: WebSession | None = None

    @property
    def csrf_token(self) -> str:
        return self.web_session.csrf_token if self.web_session else ""


class Services:
    def __init__(self, settings: Settings, db: Database | None = None, screening: Screening | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings)
        self.screening = screening or Screening(settings.screening_mode)

    def authenticate(
        self, session: Session, request: Request, *, csrf_form_value: str | None = None, touch: bool = True,
        allow_unenrolled: bool = False,
    ) -> Auth | None:
        """The user behind a bearer token or a session cookie; None if neither is there.

        A cookie-authenticated request that changes something must carry the session's
        CSRF token (header ``X-CSRF-Token`` or the form field); a bearer token needs none,
        since browsers never attach one on their own.

        ``touch`` records the use of the session or token (for the idle timeout and "last
        used"), at most once a minute: on the row in a write unit; from a read unit in a
        short write unit of its own, and only when that minute is over, so that pages and
        the live check take no write lock in the common case.

        While ``SATARK_REQUIRE_TOTP_FOR_ADMINS`` is on, an administrator without two-step
        sign-in gets :class:`~.totp.EnrolmentRequired` (403) everywhere but where the caller
        passes ``allow_unenrolled`` (setting it up, logging out).
        """
        in_place = touch and is_write_unit(session)
        header = request.headers.get("authorization", "")
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() != "bearer" or not value.strip():
                raise NotAuthenticated("use 'Authorization: Bearer <token>'")
            token = token_for(session, value.strip(), touch=in_place)
            if touch and not in_place and touch_due(token.last_used_at):
                self._record_use(token)
            self._check_enrolment(token.user, allow_unenrolled)
            return Auth(token.user)
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        found = user_for_session(session, cookie, idle_minutes=self.settings.session_idle_minutes, touch=in_place)
        if found is None:
            return None
        user, web_session = found
        if touch and not in_place and session_touch_due(web_session):
            self._record_use(web_session)
        if request.method not in SAFE_METHODS:
            given = request.headers.get("x-csrf-token") or csrf_form_value
            if not csrf_matches(web_session.csrf_token, given):
                raise Forbidden("missing or wrong CSRF token; reload the page and try again")
        self._check_enrolment(user, allow_unenrolled)
        return Auth(user, web_session)

    def _check_enrolment(self, user: User, allowed: bool) -> None:
        if not allowed and enrolment_required(self.settings, user):
            raise EnrolmentRequired("two-step sign-in is required for your role: set it up first (on the web: "
                                    "Settings; in the API: POST /api/v1/me/totp, then POST /api/v1/me/totp/confirm)")

    def _record_use(self, row: WebSession | ApiToken) -> None:
        with self.db.session() as session:
            record_use(session, row)

    @contextmanager
    def unit(
        self, request: Request, *, csrf_form_value: str | None = None, write: bool | None = None,
        allow_unenrolled: bool = False,
    ) -> Iterator[tuple[Session, User]]:
        """A transaction for an authenticated request (401 without a login).

        ``write`` defaults to whether the method changes anything; pass ``write=False``
        for a POST that only reads (screening).
        """
        if write is None:
            write = request.method not in SAFE_METHODS
        with self.db.session(write=write) as session:
            auth = self.authenticate(session, request, csrf_form_value=csrf_form_value,
                                     allow_unenrolled=allow_unenrolled)
            if auth is None:
                raise NotAuthenticated("log in or send an access token")
            yield session, auth.user
