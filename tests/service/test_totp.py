"""Two-step sign-in (``totp.py``): enrolment, logins over the API and the web, replay, throttling,
recovery codes, turning it off, resets by administrators, the setting that requires it of
admins, the command line and the migration. On SQLite and PostgreSQL (``backend``).

Codes are real ones, computed with pyotp from the secret the service gave, at a time fixed by
patching ``totp.now`` (no sleeping): :class:`Clock` moves it on by whole 30-second steps.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from html import unescape
from typing import Any

import pyotp
import pytest
from sqlalchemy import func, select

from satark.service import directory, security, totp
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import ApiToken, AuditEvent, LoginAttempt, PendingLogin, RecoveryCode, User, WebSession
from satark.service.settings import Settings

from .conftest import API, Api, Demo

HTML = {"accept": "text/html,application/xhtml+xml"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
DISTRICT_ADMIN_PASSWORD = "district-admin-pass-2026"


class Clock:
    """The time ``totp`` checks codes at: the middle of a 30-second step, moved by whole steps."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = float(int(time.time()) // 30 * 30 + 10)
        monkeypatch.setattr(totp, "now", lambda: self.at)

    def step(self, steps: int = 1) -> None:
        self.at += 30 * steps

    def code(self, secret: str, offset: int = 0) -> str:
        return pyotp.TOTP(secret).at(self.at + 30 * offset)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _enrol(api: Api, clock: Clock) -> tuple[str, list[str]]:
    """Turn two-step sign-in on for ``api``'s user: (secret, recovery codes)."""
    begun = api.ok("POST", "/me/totp")
    secret = begun["secret"]
    confirmed = api.ok("POST", "/me/totp/confirm", json={"code": clock.code(secret)})
    clock.step()  # the confirming code's step is used up; the next login needs the next one
    return secret, confirmed["recovery_codes"]


def _login(client: Any, username: str, password: str = DEMO_PASSWORD, code: str | None = None) -> Any:
    body: dict[str, Any] = {"username": username, "password": password}
    if code is not None:
        body["totp_code"] = code
    client.cookies.clear()
    return client.post(f"{API}/session", json=body)


def _actions(svc: Services, action: str) -> list[AuditEvent]:
    with svc.db.session(write=False) as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        session.expunge_all()
        return events


def _failures(svc: Services, username: str) -> int:
    with svc.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == username, LoginAttempt.success.is_(False))) or 0


def _user(svc: Services, username: str) -> User:
    with svc.db.session(write=False) as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        session.expunge(user)
        return user


@pytest.fixture
def district_admin(svc: Services, demo: Demo, client: Any) -> tuple[int, Api]:
    """An admin of the Dhaka district office (not a site administrator), with a token."""
    with svc.db.session() as session:
        user = directory.create_user(session, None, username="dadmin", display_name="District admin",
                                     password=security.new_password(DISTRICT_ADMIN_PASSWORD, username="dadmin"),
                                     institution_id=demo.institutions["district"],
                                     role="admin")
        token = security.create_token(session, user, "tests")[0]
        return user.id, Api(client, token)


# --- enrolment ---------------------------------------------------------------------------------

def test_enrol_and_confirm(as_user: Callable[[str], Api], svc: Services, clock: Clock, check_error: Any) -> None:
    rahima = as_user("rahima")
    assert rahima.ok("GET", "/me/totp") == {"enabled": False, "pending": False, "enabled_at": None,
                                            "recovery_codes_left": 0, "required": False}
    begun = rahima.ok("POST", "/me/totp")
    secret = begun["secret"]
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert begun["secret_grouped"] == " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    assert begun["otpauth_uri"].startswith("otpauth://totp/Satark:rahima?")
    assert f"secret={secret}" in begun["otpauth_uri"] and "issuer=Satark" in begun["otpauth_uri"]
    assert rahima.ok("GET", "/me/totp")["pending"] is True
    # Not on yet: the password alone still logs in.
    assert _login(rahima.client, "rahima").status_code == 200
    # A wrong code (and one of the secret before a new begin) does not confirm.
    check_error(rahima.post("/me/totp/confirm", json={"code": clock.code(secret, offset=5)}), 422, "invalid_input")
    check_error(rahima.post("/me/totp/confirm", json={"code": "12345"}), 422)
    confirmed = rahima.ok("POST", "/me/totp/confirm", json={"code": clock.code(secret)})
    codes = confirmed["recovery_codes"]
    assert len(codes) == len(set(codes)) == totp.RECOVERY_CODES
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    status = rahima.ok("GET", "/me/totp")
    assert status["enabled"] and not status["pending"] and status["recovery_codes_left"] == 10
    check_error(rahima.post("/me/totp"), 409, "conflict")
    check_error(rahima.post("/me/totp/confirm", json={"code": clock.code(secret, 1)}), 409)
    # Only hashes of the recovery codes are kept.
    with svc.db.session(write=False) as session:
        hashes = set(session.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & hashes
    (event,) = _actions(svc, "totp_enabled")
    assert event.details == {"username": "rahima", "recovery_codes": 10}


# --- logging in ---------------------------------------------------------------------------------

def test_api_login_needs_the_code_and_refuses_a_replay(as_user: Callable[[str], Api], client: Any, svc: Services,
                                                       clock: Clock, check_error: Any) -> None:
    secret, _codes = _enrol(as_user("rahima"), clock)
    refused = check_error(_login(client, "rahima"), 401, "totp_required")
    assert refused["details"] == {"totp_required": True} and "two-step" in refused["message"]
    assert "satark_session" not in client.cookies
    # Asking for the code is no failed login; a wrong password stays the usual answer.
    assert _failures(svc, "rahima") == 0
    check_error(_login(client, "rahima", "wrong-password-123", code=clock.code(secret)), 401, "not_authenticated")
    code = clock.code(secret)
    ok = _login(client, "rahima", code=code)
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["username"] == "rahima" and ok.json()["user"]["totp_enabled"] is True
    assert "satark_session" in client.cookies
    # The same code again, still within its time: refused, and counted.
    before = _failures(svc, "rahima")
    check_error(_login(client, "rahima", code=code), 401, "totp_required")
    assert _failures(svc, "rahima") == before + 1
    # An older code (the step before) is refused too; the next step's code works.
    check_error(_login(client, "rahima", code=clock.code(secret, -1)), 401, "totp_required")
    clock.step()
    assert _login(client, "rahima", code=clock.code(secret)).status_code == 200
    logins = _actions(svc, "login")
    assert logins[-1].details["second_factor"] == "totp"
    assert _actions(svc, "login_failed")[-1].details["reason"] == "wrong_code"


def test_a_code_racing_another_login_is_used_once(as_user: Callable[[str], Api], svc: Services, clock: Clock) -> None:
    """Both read units accept the code; only the first write unit may use it (the conditional
    UPDATE of totp_last_step), so the second login fails."""
    secret, _ = _enrol(as_user("rahima"), clock)
    code = clock.code(secret)
    checks = []
    for _ in range(2):
        with svc.db.session(write=False) as session:
            check = security.check_password(session, svc.settings, "rahima", DEMO_PASSWORD, client="test")
            checks.append(totp.check_login(session, check, code))
    assert all(c.second_factor is not None and c.second_factor.kind == "totp" for c in checks)
    with svc.db.session() as session:
        assert security.record_login(session, svc.settings, checks[0], client="test") is not None
    with svc.db.session() as session:
        assert security.record_login(session, svc.settings, checks[1], client="test") is None
    assert _user(svc, "rahima").totp_last_step == int(clock.at) // 30


def test_record_login_without_the_code_fails_closed(as_user: Callable[[str], Api], svc: Services,
                                                    clock: Clock) -> None:
    _enrol(as_user("rahima"), clock)
    with svc.db.session(write=False) as session:
        check = security.check_password(session, svc.settings, "rahima", DEMO_PASSWORD, client="test")
    assert check.ok and check.needs_second_factor
    with pytest.raises(security.SecondFactorRequired), svc.db.session() as session:
        security.record_login(session, svc.settings, check, client="test")


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 3}])
def test_wrong_codes_count_for_the_throttle(as_user: Callable[[str], Api], client: Any, svc: Services, clock: Clock,
                                            check_error: Any) -> None:
    secret, _ = _enrol(as_user("rahima"), clock)
    for _ in range(3):
        check_error(_login(client, "rahima", code="000000" if clock.code(secret) != "000000" else "111111"), 401,
                    "totp_required")
    assert _failures(svc, "rahima") == 3
    # Backing off now: even the right code waits.
    throttled = check_error(_login(client, "rahima", code=clock.code(secret)), 429, "too_many_attempts")
    assert throttled["details"]["retry_after"] > 0


def test_a_recovery_code_works_once(as_user: Callable[[str], Api], client: Any, svc: Services, clock: Clock,
                                    check_error: Any) -> None:
    rahima = as_user("rahima")
    _secret, codes = _enrol(rahima, clock)
    assert _login(client, "rahima", code=codes[0]).status_code == 200
    check_error(_login(client, "rahima", code=codes[0]), 401, "totp_required")
    # Typed without the hyphen and in capitals, another one works.
    assert _login(client, "rahima", code=codes[1].replace("-", "").upper()).status_code == 200
    assert rahima.ok("GET", "/me/totp")["recovery_codes_left"] == 8
    used = _actions(svc, "totp_recovery_code_used")
    assert [e.details["recovery_codes_left"] for e in used] == [9, 8]
    assert _actions(svc, "login")[-1].details["second_factor"] == "recovery_code"
    # Not a code at all: refused by the schema.
    check_error(_login(client, "rahima", code="12345"), 422, "invalid_input")


# --- the web login ----------------------------------------------------------------------------

def _web_login(client: Any, username: str, password: str = DEMO_PASSWORD, next_url: str = "/posts") -> Any:
    client.cookies.clear()
    return client.post("/login", data={"username": username, "password": password, "next": next_url},
                       headers=HTML, follow_redirects=False)


def test_web_login_asks_for_the_code(as_user: Callable[[str], Api], client: Any, svc: Services,
                                     clock: Clock) -> None:
    secret, codes = _enrol(as_user("rahima"), clock)
    first = _web_login(client, "rahima")
    assert first.status_code == 303 and first.headers["location"] == "/login/code"
    assert "satark_session" not in client.cookies and client.cookies.get(totp.PENDING_COOKIE)
    cookie_header = first.headers["set-cookie"]
    assert "samesite=strict" in cookie_header.lower() and "path=/login" in cookie_header.lower()
    # No session yet: other pages still send to the login form.
    assert client.get("/posts", headers=HTML, follow_redirects=False).headers["location"].startswith("/login")
    form = client.get("/login/code", headers=HTML)
    assert form.status_code == 200 and 'name="code"' in form.text and DEMO_PASSWORD not in form.text
    wrong = client.post("/login/code", data={"code": "000000" if clock.code(secret) != "000000" else "111111"},
                        headers=HTML, follow_redirects=False)
    assert wrong.status_code == 401 and "wrong" in unescape(wrong.text)
    code = clock.code(secret)
    done = client.post("/login/code", data={"code": code[:3] + " " + code[3:]}, headers=HTML, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/posts"
    assert client.cookies.get("satark_session")
    assert client.get("/posts", headers=HTML).status_code == 200
    # The waiting login is over, and the same code does not log in again.
    with svc.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PendingLogin)) == 0
    _web_login(client, "rahima")
    again = client.post("/login/code", data={"code": code}, headers=HTML, follow_redirects=False)
    assert again.status_code == 401
    assert client.post("/login/code", data={"code": codes[2]}, headers=HTML,
                       follow_redirects=False).status_code == 303
    # A wrong password never reaches the code form.
    assert _web_login(client, "rahima", "wrong-password-123").status_code == 401


def test_a_waiting_web_login_expires(as_user: Callable[[str], Api], client: Any, svc: Services, clock: Clock) -> None:
    secret, _ = _enrol(as_user("rahima"), clock)
    assert _web_login(client, "rahima").status_code == 303
    with svc.db.session() as session:
        row = session.scalar(select(PendingLogin))
        assert row is not None
        assert row.expires_at - row.created_at == dt.timedelta(minutes=totp.PENDING_MINUTES)
        row.expires_at = row.created_at - dt.timedelta(seconds=1)
    late = client.post("/login/code", data={"code": clock.code(secret)}, headers=HTML, follow_redirects=False)
    assert late.status_code == 303 and late.headers["location"] == "/login"
    assert "satark_session" not in client.cookies
    # Without a waiting login the form is not shown either.
    assert client.get("/login/code", headers=HTML, follow_redirects=False).headers["location"] == "/login"


def test_too_many_wrong_codes_end_the_waiting_login(as_user: Callable[[str], Api], client: Any, svc: Services,
                                                    clock: Clock) -> None:
    secret, _ = _enrol(as_user("rahima"), clock)
    _web_login(client, "rahima")
    wrong = "000000" if clock.code(secret) != "000000" else "111111"
    statuses = [client.post("/login/code", data={"code": wrong}, headers=HTML, follow_redirects=False).status_code
                for _ in range(totp.PENDING_MAX_ATTEMPTS)]
    assert statuses == [401] * (totp.PENDING_MAX_ATTEMPTS - 1) + [303]
    assert client.post("/login/code", data={"code": clock.code(secret)}, headers=HTML,
                       follow_redirects=False).headers["location"] == "/login"


# --- turning it off -------------------------------------------------------------------------------

def test_disable_with_the_password_or_a_code(as_user: Callable[[str], Api], client: Any, svc: Services,
                                             clock: Clock, check_error: Any, argon2_outside_write_units: list[str]
                                             ) -> None:
    rahima = as_user("rahima")
    check_error(rahima.request("DELETE", "/me/totp", json={"password": DEMO_PASSWORD}), 409, "conflict")
    secret, _ = _enrol(rahima, clock)
    check_error(rahima.request("DELETE", "/me/totp", json={}), 422)
    check_error(rahima.request("DELETE", "/me/totp", json={"password": DEMO_PASSWORD, "code": "123456"}), 422)
    before = _failures(svc, "rahima")
    check_error(rahima.request("DELETE", "/me/totp", json={"password": "not-the-password"}), 403, "forbidden")
    assert _failures(svc, "rahima") == before + 1  # counted, although the request failed
    assert rahima.ok("GET", "/me/totp")["enabled"] is True
    rahima.ok("DELETE", "/me/totp", json={"password": DEMO_PASSWORD})
    assert rahima.ok("GET", "/me/totp") == {"enabled": False, "pending": False, "enabled_at": None,
                                            "recovery_codes_left": 0, "required": False}
    assert _login(client, "rahima").status_code == 200
    with svc.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    # Again, turned off with a code this time.
    secret, _ = _enrol(rahima, clock)
    rahima.ok("DELETE", "/me/totp", json={"code": clock.code(secret)})
    assert [e.details["with"] for e in _actions(svc, "totp_disabled")] == ["password", "totp"]


# --- resets by an administrator --------------------------------------------------------------------

def test_an_admin_resets_a_members_two_step_sign_in(as_user: Callable[[str], Api], client: Any, svc: Services,
                                                    demo: Demo, clock: Clock, district_admin: tuple[int, Api],
                                                    check_error: Any) -> None:
    karim = as_user("karim")
    secret, _ = _enrol(karim, clock)
    assert _login(client, "karim", code=clock.code(secret)).status_code == 200  # a browser session
    _admin_id, dadmin = district_admin
    reset = dadmin.ok("POST", f"/users/{demo.users['karim']}/totp/reset")
    assert reset == {"user_id": demo.users["karim"], "sessions_ended": 1, "tokens_revoked": 1}
    check_error(karim.get("/me"), 401)  # karim's token is revoked
    with svc.db.session(write=False) as session:
        karim_id = demo.users["karim"]
        assert session.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == karim_id)) == 0
        assert session.scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == karim_id, ApiToken.revoked_at.is_(None))) == 0
    (event,) = _actions(svc, "totp_reset")
    assert event.actor == "dadmin" and event.details == {"username": "karim", "sessions": 1, "tokens": 1}
    # The password alone logs in again; a second reset has nothing to reset.
    assert _login(client, "karim").status_code == 200
    check_error(dadmin.post(f"/users/{demo.users['karim']}/totp/reset"), 409, "conflict")


def test_an_admin_cannot_reset_their_own(district_admin: tuple[int, Api], clock: Clock, check_error: Any) -> None:
    admin_id, dadmin = district_admin
    _enrol(dadmin, clock)
    check_error(dadmin.post(f"/users/{admin_id}/totp/reset"), 403, "forbidden")
    assert dadmin.ok("GET", "/me/totp")["enabled"] is True


def test_a_member_of_another_institution_cannot_be_reset(as_user: Callable[[str], Api], demo: Demo, clock: Clock,
                                                         district_admin: tuple[int, Api], check_error: Any) -> None:
    _enrol(as_user("priya"), clock)
    _admin_id, dadmin = district_admin
    check_error(dadmin.post(f"/users/{demo.users['priya']}/totp/reset"), 404, "not_found")
    check_error(as_user("karim").post(f"/users/{demo.users['priya']}/totp/reset"), 404)  # not an admin
    assert as_user("priya").ok("GET", "/me/totp")["enabled"] is True
    # A site administrator manages everyone.
    assert as_user("admin").ok("POST", f"/users/{demo.users['priya']}/totp/reset")["user_id"] == demo.users["priya"]


def test_the_web_reset_button(as_user: Callable[[str], Api], client: Any, demo: Demo, clock: Clock,
                              district_admin: tuple[int, Api]) -> None:
    _enrol(as_user("karim"), clock)
    _web_login(client, "dadmin", DISTRICT_ADMIN_PASSWORD)
    page = client.get("/settings", headers=HTML)
    assert page.status_code == 200
    action = f'action="/settings/users/{demo.users["karim"]}/two-step-reset"'
    assert action in page.text and f"/settings/users/{demo.users['rahima']}/two-step-reset" not in page.text
    csrf = _CSRF.search(page.text)
    assert csrf is not None
    done = client.post(f"/settings/users/{demo.users['karim']}/two-step-reset", data={"csrf_token": csrf.group(1)},
                       headers=HTML, follow_redirects=True)
    assert done.status_code == 200 and "Two-step sign-in of the user is reset" in done.text
    assert as_user("rahima").ok("GET", "/me")  # others' tokens are untouched


# --- the web settings -----------------------------------------------------------------------------

def test_enrol_and_disable_on_the_settings_page(client: Any, svc: Services, demo: Demo, clock: Clock,
                                                argon2_outside_write_units: list[str]) -> None:
    assert _web_login(client, "sohel").status_code == 303
    page = client.get("/settings", headers=HTML)
    assert "Two-step sign-in" in page.text and 'action="/settings/two-step/begin"' in page.text
    csrf = _CSRF.search(page.text)
    assert csrf is not None
    token = csrf.group(1)
    begun = client.post("/settings/two-step/begin", data={"csrf_token": token}, headers=HTML, follow_redirects=True)
    assert begun.status_code == 200
    secret = _user(svc, "sohel").totp_secret
    assert secret is not None
    grouped = " ".join(secret[i:i + 4] for i in range(0, 32, 4))
    assert grouped in begun.text and f"otpauth://totp/Satark:sohel?secret={secret}" in unescape(begun.text)
    wrong = client.post("/settings/two-step/confirm", data={"csrf_token": token, "code": "12"}, headers=HTML)
    assert wrong.status_code == 422
    shown = client.post("/settings/two-step/confirm", data={"csrf_token": token, "code": clock.code(secret)},
                        headers=HTML)
    assert shown.status_code == 200
    codes = re.findall(r'<code class="token">([a-z2-9]{5}-[a-z2-9]{5})</code>', shown.text)
    assert len(codes) == 10
    clock.step()
    assert "recovery codes left" in client.get("/settings", headers=HTML).text
    assert "<code class=\"token\">" + codes[0] not in client.get("/settings/two-step", headers=HTML).text
    refused = client.post("/settings/two-step/disable", data={"csrf_token": token, "password": "not-it-at-all"},
                          headers=HTML)
    assert refused.status_code == 403 and _failures(svc, "sohel") == 1
    off = client.post("/settings/two-step/disable", data={"csrf_token": token, "code": clock.code(secret)},
                      headers=HTML, follow_redirects=True)
    assert off.status_code == 200 and "Two-step sign-in is off." in off.text
    assert _user(svc, "sohel").totp_enabled_at is None


def test_the_pages_in_hindi_and_bengali(client: Any, demo: Demo) -> None:
    assert _web_login(client, "sohel").status_code == 303
    client.post("/lang", data={"lang": "bn", "next": "/"}, headers=HTML, follow_redirects=False)
    page = client.get("/settings/two-step", headers=HTML)
    assert page.status_code == 200 and "<h1 id=\"two-step-title\">দুই ধাপের লগইন</h1>" in page.text
    client.post("/lang", data={"lang": "hi", "next": "/"}, headers=HTML, follow_redirects=False)
    assert "दो-चरणीय लॉगिन सेट अप करें" in client.get("/settings/two-step", headers=HTML).text


# --- required of administrators ----------------------------------------------------------------------

@pytest.mark.parametrize("settings_overrides", [{"require_totp_for_admins": True}])
def test_admins_must_enrol_when_required(as_user: Callable[[str], Api], client: Any, svc: Services, clock: Clock,
                                         district_admin: tuple[int, Api], check_error: Any) -> None:
    _admin_id, dadmin = district_admin
    blocked = check_error(dadmin.get("/institutions"), 403, "totp_enrolment_required")
    assert "two-step sign-in is required" in blocked["message"]
    check_error(dadmin.get("/me"), 403, "totp_enrolment_required")
    check_error(as_user("admin").get("/posts"), 403, "totp_enrolment_required")  # a site administrator too
    assert as_user("rahima").ok("GET", "/posts") is not None  # an author is not asked
    assert dadmin.ok("GET", "/me/totp")["required"] is True
    # The web: after the password, every page sends to the set-up page.
    assert _web_login(client, "dadmin", DISTRICT_ADMIN_PASSWORD).status_code == 303
    sent = client.get("/posts", headers=HTML, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == "/settings/two-step"
    assert client.get("/settings", headers=HTML, follow_redirects=False).headers["location"] == "/settings/two-step"
    page = client.get("/settings/two-step", headers=HTML)
    assert page.status_code == 200 and "Your role needs two-step sign-in" in page.text
    badge = client.get("/notifications/badge", headers={**HTML, "HX-Request": "true"})
    assert badge.status_code == 200 and "HX-Redirect" not in badge.headers
    # Set up over the API, the admin gets everywhere again (a code is now needed to log in).
    secret, _ = _enrol(dadmin, clock)
    assert dadmin.ok("GET", "/institutions")
    assert client.get("/posts", headers=HTML, follow_redirects=False).status_code == 200
    check_error(dadmin.request("DELETE", "/me/totp", json={"code": clock.code(secret)}), 403, "forbidden")
    check_error(_login(client, "dadmin", DISTRICT_ADMIN_PASSWORD), 401, "totp_required")
    # Logging out stays open to one who must still enrol.
    check_error(as_user("admin").get("/me"), 403)
    api_login = _login(client, "admin")
    assert api_login.status_code == 200
    csrf = api_login.json()["csrf_token"]
    check_error(client.get(f"{API}/institutions"), 403, "totp_enrolment_required")
    assert client.delete(f"{API}/session", headers={"X-CSRF-Token": csrf}).status_code == 200


# --- the command line -----------------------------------------------------------------------------

def test_the_operator_resets_from_the_command_line(as_user: Callable[[str], Api], svc: Services, settings: Settings,
                                                    clock: Clock, monkeypatch: pytest.MonkeyPatch, screening: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from satark.cli import main as satark_main

    _enrol(as_user("rahima"), clock)
    monkeypatch.setenv("SATARK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SATARK_MODE", "rules")
    if settings.database_url:
        monkeypatch.setenv("SATARK_DATABASE_URL", settings.database_url)
    else:
        monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: screening)
    with pytest.raises(SystemExit) as exited:
        satark_main(["admin", "totp-reset", "rahima"])
    out = capsys.readouterr().out
    assert exited.value.code in (0, None), out
    assert "two-step sign-in of rahima reset; 0 session(s) ended, 1 token(s) revoked" in out
    assert _user(svc, "rahima").totp_enabled_at is None
    (event,) = _actions(svc, "totp_reset")
    assert event.actor == "" and event.details["username"] == "rahima"
    with pytest.raises(SystemExit) as again:
        satark_main(["admin", "totp-reset", "rahima"])
    assert again.value.code == 4 and "not set up" in capsys.readouterr().err
