"""Users and sessions (issue 11, section 4): lifecycle in the API, the web UI and the command
line; the password policy; login throttling with backoff; idle timeout; response headers;
the flash cookie; the SQLite file's permissions. On SQLite and PostgreSQL where a database is used."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from satark.cli import main as satark_main
from satark.service import security
from satark.service.db import Database
from satark.service.demo import DEMO_PASSWORD
from satark.service.errors import TooManyAttempts
from satark.service.models import LoginAttempt, User, WebSession, utcnow
from satark.service.settings import Settings

from .conftest import Api

PASSWORD = "ঢাকা-জেলা-২০২৬-নিরাপদ"
OTHER = "रायपुर-जिला-2026-सुरक्षित"


def _session_login(client: Any, username: str, password: str) -> tuple[Any, str]:
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    return response, (response.json().get("csrf_token", "") if response.status_code == 200 else "")


def _token_for(client: Any, username: str, password: str) -> Api:
    response, csrf = _session_login(client, username, password)
    assert response.status_code == 200, response.text
    token = client.post("/api/v1/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    client.cookies.clear()
    return Api(client, token)


def _district_admin(as_user: Any, demo: Any, client: Any) -> Api:
    as_user("admin").ok("POST", "/users", 201, json={
        "username": "dadmin", "display_name": "জেলা প্রশাসক (admin)", "password": PASSWORD,
        "institution_id": demo.institutions["district"], "role": "admin"})
    return _token_for(client, "dadmin", PASSWORD)


# --- lifecycle over the API -------------------------------------------------------------------

def test_an_institution_admin_creates_lists_and_deactivates_users(as_user, demo, client, check_error,
                                                                  argon2_outside_write_units) -> None:
    dadmin = _district_admin(as_user, demo, client)
    district, cg = demo.institutions["district"], demo.institutions["cg"]
    created = dadmin.ok("POST", "/users", 201, json={"username": "salma", "display_name": "সালমা", "password": OTHER,
                                                     "institution_id": district, "role": "author"})
    # Only in an institution they administer, and never a site administrator.
    check_error(dadmin.post("/users", json={"username": "x1", "password": OTHER}), 403)
    check_error(dadmin.post("/users", json={"username": "x2", "password": OTHER, "institution_id": cg,
                                            "role": "author"}), 404)
    check_error(dadmin.post("/users", json={"username": "x3", "password": OTHER, "superuser": True,
                                            "institution_id": district, "role": "author"}), 403)
    listed = {u["username"] for u in dadmin.ok("GET", "/users")}
    assert {"salma", "rahima", "karim", "sohel"} <= listed and not listed & {"priya", "arvind", "admin"}
    check_error(as_user("rahima").get("/users"), 403)
    # Another institution's user is not found, whatever the action.
    priya = demo.users["priya"]
    check_error(dadmin.get(f"/users/{priya}"), 404)
    check_error(dadmin.post(f"/users/{priya}/deactivate"), 404)
    check_error(dadmin.post(f"/users/{priya}/password", json={"password": OTHER}), 404)

    salma = _token_for(client, "salma", OTHER)
    assert salma.ok("GET", "/me")["username"] == "salma"
    assert dadmin.ok("POST", f"/users/{created['id']}/deactivate")["active"] is False
    check_error(salma.get("/me"), 401)  # the token died with the deactivation
    assert _session_login(client, "salma", OTHER)[0].status_code == 401
    dadmin.ok("POST", f"/users/{created['id']}/activate")
    assert _session_login(client, "salma", OTHER)[0].status_code == 200
    own_id = dadmin.ok("GET", "/me")["id"]
    check_error(dadmin.post(f"/users/{own_id}/deactivate"), 403)  # not oneself
    actions = [e["action"] for e in as_user("admin").ok("GET", "/audit?limit=30")]
    assert {"user_created", "user_deactivated", "user_activated"} <= set(actions)


def test_reset_change_password_and_log_out_everywhere(as_user, demo, client, check_error,
                                                      argon2_outside_write_units) -> None:
    admin = as_user("admin")
    rahima_id = demo.users["rahima"]
    # rahima has a token (the demo's) and a browser session
    _, csrf = _session_login(client, "rahima", DEMO_PASSWORD)
    cookie = client.cookies.get("satark_session")
    assert client.get("/api/v1/me").status_code == 200

    # Changing her own password: the current one must be right, the new one strong.
    check_error(client.post("/api/v1/me/password", json={"current_password": "wrong-password-here",
                                                         "new_password": OTHER}, headers={"X-CSRF-Token": csrf}), 403)
    check_error(client.post("/api/v1/me/password", json={"current_password": DEMO_PASSWORD,
                                                         "new_password": "password12345"},
                            headers={"X-CSRF-Token": csrf}), 422)
    ok = client.post("/api/v1/me/password", json={"current_password": DEMO_PASSWORD, "new_password": OTHER},
                     headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    assert client.get("/api/v1/me").status_code == 200  # this session stays
    assert as_user("rahima").ok("GET", "/me")["username"] == "rahima"  # tokens stay on a password change

    # An admin resets it: every session and token ends.
    admin.ok("POST", f"/users/{rahima_id}/password", json={"password": PASSWORD})
    client.cookies.set("satark_session", cookie)
    check_error(client.get("/api/v1/me"), 401)
    client.cookies.clear()
    check_error(as_user("rahima").get("/me"), 401)
    assert _session_login(client, "rahima", OTHER)[0].status_code == 401
    _, csrf = _session_login(client, "rahima", PASSWORD)
    hashed = argon2_outside_write_units.count("hash")
    check_error(admin.post(f"/users/{demo.users['admin']}/password", json={"password": PASSWORD}), 403)
    assert argon2_outside_write_units.count("hash") == hashed  # refused before any hashing

    # Log out everywhere: her other sessions and all her tokens end, this session stays.
    other = _token_for(client.__class__(client.app), "rahima", PASSWORD)
    _, csrf = _session_login(client, "rahima", PASSWORD)
    ended = client.post("/api/v1/me/logout-everywhere", headers={"X-CSRF-Token": csrf})
    assert ended.status_code == 200 and ended.json()["tokens_revoked"] >= 1
    check_error(other.get("/me"), 401)
    assert client.get("/api/v1/me").status_code == 200
    # And an admin does it for her.
    admin.ok("POST", f"/users/{rahima_id}/logout-everywhere")
    check_error(client.get("/api/v1/me"), 401)


# --- password policy --------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "why"), [
    ("short-pw-1", "at least 12"), ("x" * 129, "at most 128"), ("password12345", "commonly used"),
    ("Qwertyuiop123!", "commonly used"), ("ab-newbie-ab-2026", "username"), ("aaaaaaaaaaaaaaab", "repetitive"),
])
def test_the_password_policy(as_user, check_error, password, why) -> None:
    error = check_error(as_user("admin").post("/users", json={"username": "newbie", "password": password}), 422)
    assert why in error["message"], error


def test_the_same_maximum_length_at_creation_and_login(as_user, anonymous, check_error) -> None:
    longest = "দীর্ঘ-" + "ক" * (security.MAX_PASSWORD - 6)
    assert len(longest) == security.MAX_PASSWORD
    as_user("admin").ok("POST", "/users", 201, json={"username": "longpass", "password": longest})
    assert anonymous.ok("POST", "/session", json={"username": "longpass", "password": longest})["csrf_token"]
    check_error(anonymous.post("/session", json={"username": "longpass", "password": longest + "x"}), 422)
    assert len(security.common_passwords()) > 5000


# --- throttling -------------------------------------------------------------------------------

def _try(svc: Any, username: str, password: str, client: str) -> User | None:
    with svc.db.session() as session:
        return security.authenticate(session, svc.settings, username, password, client=client)


def _age_attempts(svc: Any, seconds: int) -> None:
    with svc.db.session() as session:
        for row in session.scalars(select(LoginAttempt)):
            row.at = row.at - dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 3, "login_window_seconds": 900}])
def test_throttling_backs_off_per_account_and_address_without_locking_others_out(svc, demo) -> None:
    for _ in range(3):
        assert _try(svc, "karim", "not-the-password", "10.0.0.1") is None
    with pytest.raises(TooManyAttempts) as first:
        _try(svc, "karim", DEMO_PASSWORD, "10.0.0.1")
    assert 1 <= first.value.details["retry_after"] <= 30
    # The owner from another address, and another user from the same address, get in.
    assert _try(svc, "karim", DEMO_PASSWORD, "10.0.0.2") is not None
    assert _try(svc, "nasreen", DEMO_PASSWORD, "10.0.0.1") is not None
    # After the wait one more guess is allowed, and the next wait doubles.
    _age_attempts(svc, 31)
    assert _try(svc, "karim", "still-not-it", "10.0.0.1") is None
    with pytest.raises(TooManyAttempts) as second:
        _try(svc, "karim", DEMO_PASSWORD, "10.0.0.1")
    assert 30 < second.value.details["retry_after"] <= 60
    # A success resets the pair's count.
    _age_attempts(svc, 61)
    assert _try(svc, "karim", DEMO_PASSWORD, "10.0.0.1") is not None
    assert _try(svc, "karim", "wrong-once-more", "10.0.0.1") is None
    assert _try(svc, "karim", DEMO_PASSWORD, "10.0.0.1") is not None


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 2, "login_window_seconds": 900}])
def test_an_address_spraying_many_usernames_is_slowed_down(svc, demo) -> None:
    for name in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8"):  # 4 × login_max_failures
        assert _try(svc, name, "guess-guess-guess", "10.9.9.9") is None
    with pytest.raises(TooManyAttempts):
        _try(svc, "sohel", DEMO_PASSWORD, "10.9.9.9")
    assert _try(svc, "sohel", DEMO_PASSWORD, "10.9.9.10") is not None


# --- sessions, headers, cookies, the database file --------------------------------------------

@pytest.mark.parametrize("settings_overrides", [{"session_idle_minutes": 30}])
def test_an_idle_session_ends(svc, client, demo, check_error) -> None:
    _session_login(client, "sohel", DEMO_PASSWORD)
    assert client.get("/api/v1/me").status_code == 200
    with svc.db.session() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=31)))
    check_error(client.get("/api/v1/me"), 401)


def test_api_responses_are_not_cached_and_name_no_server(anonymous, as_user) -> None:
    response = anonymous.post("/session", json={"username": "sohel", "password": DEMO_PASSWORD})
    assert response.headers["cache-control"] == "no-store"
    assert as_user("sohel").get("/me").headers["cache-control"] == "no-store"
    assert "server" not in response.headers


@pytest.mark.parametrize("settings_overrides", [{"cookie_secure": True}])
def test_the_flash_cookie_is_secure_like_the_others(client, demo) -> None:
    client = client.__class__(client.app, base_url="https://testserver")  # Secure cookies go back over https only
    _, csrf = _session_login(client, "sohel", DEMO_PASSWORD)
    saved = client.post("/settings/language", data={"csrf_token": csrf, "ui_lang": "bn"}, follow_redirects=False)
    cookies = saved.headers.get_list("set-cookie")
    flash = [c for c in cookies if c.startswith("satark_flash=")]
    assert flash and all("Secure" in c for c in flash), cookies


def test_the_sqlite_file_is_created_private(tmp_path: Path) -> None:
    db = Database(Settings(data_dir=tmp_path / "data"))
    try:
        db.upgrade()
        mode = stat.S_IMODE(os.stat(tmp_path / "data" / "satark.sqlite3").st_mode)
        assert mode == 0o600, oct(mode)
    finally:
        db.dispose()


def test_serve_runs_uvicorn_without_banner_and_trusts_only_the_named_proxy(monkeypatch, tmp_path) -> None:
    import uvicorn

    from satark.service import cli

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.setenv("SATARK_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(cli, "_upgrade", lambda svc: None)
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: None)
    cli.serve(host="127.0.0.1", port=8000, workers=1)
    assert seen["server_header"] is False and seen["proxy_headers"] is False
    cli.serve(host="127.0.0.1", port=8000, workers=1, forwarded_allow_ips="10.0.0.5")
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5"


# --- the web settings page --------------------------------------------------------------------

def test_settings_page_creates_a_user_and_manages_them(client, as_user, demo, svc, argon2_outside_write_units) -> None:
    _district_admin(as_user, demo, client)
    _, csrf = _session_login(client, "dadmin", PASSWORD)
    district = demo.institutions["district"]
    url = f"/settings/institutions/{district}/members"
    unknown = client.post(url, data={"csrf_token": csrf, "username": "faruk", "role": "author"})
    assert unknown.status_code == 404 and "also give a name and a first password" in unknown.text
    weak = client.post(url, data={"csrf_token": csrf, "username": "faruk", "role": "author",
                                  "display_name": "ফারুক", "password": "password12345"})
    assert weak.status_code == 422 and "not a commonly used password" in weak.text
    made = client.post(url, data={"csrf_token": csrf, "username": "faruk", "role": "author",
                                  "display_name": "ফারুক", "password": OTHER})
    assert made.status_code == 200 and "User created and added." in made.text and "ফারুক" in made.text
    self_grant = client.post(url, data={"csrf_token": csrf, "username": "dadmin", "role": "approver"})
    assert self_grant.status_code == 403 and "Nobody may give themselves a role" in self_grant.text
    with svc.db.session() as session:
        faruk = session.scalars(select(User).where(User.username == "faruk")).one()
        faruk_id = faruk.id
    weak = client.post(f"/settings/users/{faruk_id}/password", data={"csrf_token": csrf, "password": "password12345"})
    assert weak.status_code == 422 and "not a commonly used password" in weak.text
    reset = client.post(f"/settings/users/{faruk_id}/password", data={"csrf_token": csrf, "password": PASSWORD + "!"})
    assert "Password reset; the user is logged out everywhere." in reset.text
    assert _session_login(client.__class__(client.app), "faruk", PASSWORD + "!")[0].status_code == 200
    gone = client.post(f"/settings/users/{faruk_id}/deactivate", data={"csrf_token": csrf})
    assert "User deactivated and logged out everywhere." in gone.text
    assert _session_login(client.__class__(client.app), "faruk", OTHER)[0].status_code == 401
    _, csrf = _session_login(client, "dadmin", PASSWORD)
    changed = client.post("/settings/password", data={"csrf_token": csrf, "current_password": PASSWORD,
                                                      "new_password": PASSWORD + "-নতুন"})
    assert "Password changed" in changed.text


# --- the command line -------------------------------------------------------------------------

Run = Callable[..., tuple[int, str, str]]


def test_cli_user_lifecycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, screening,
                            argon2_outside_write_units) -> None:
    monkeypatch.setenv("SATARK_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("SATARK_MODE", "rules")
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: screening)

    def run(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            satark_main(list(args))
        out, err = capsys.readouterr()
        return int(exited.value.code or 0), out + err

    assert run("admin", "create-user", "meera", "--name", "मीरा", "--password", PASSWORD)[0] == 0
    code, out = run("admin", "create-user", "weak", "--password", "password12345")
    assert code != 0 and "commonly used" in out
    code, out = run("admin", "list-users")
    assert code == 0 and "meera\tactive" in out
    assert run("admin", "create-token", "meera")[0] == 0
    code, out = run("admin", "logout-everywhere", "meera")
    assert code == 0 and "1 token(s) revoked" in out
    assert run("admin", "deactivate", "meera")[0] == 0
    assert "meera\tdeactivated" in run("admin", "list-users")[1]
    assert run("admin", "activate", "meera")[0] == 0
    code, out = run("admin", "reset-password", "meera", "--password", OTHER)
    assert code == 0 and "reset" in out
    db = Database(Settings(data_dir=tmp_path / "d"))
    try:
        with db.session(write=False) as session:
            user = session.scalars(select(User).where(User.username == "meera")).one()
            assert user.is_active and security.verify_password(user.password_hash, OTHER)
    finally:
        db.dispose()
    assert argon2_outside_write_units.count("hash") == 2  # meera's two passwords (the weak one is refused first)
    assert run("admin", "deactivate", "nobody-here")[0] != 0
