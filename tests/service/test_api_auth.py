"""Who may see and do what: institutions, roles, own posts, tokens, sessions, CSRF, throttling."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from satark.service.demo import DEMO_PASSWORD
from satark.service.models import WebSession, utcnow

BD_TEXT = "জেলা প্রশাসনের পক্ষ থেকে আগামীকাল সকাল ১০টায় উন্নয়ন মেলার উদ্বোধন করা হবে।"


# --- another institution's objects are not there at all --------------------------------------

def test_another_institutions_posts_are_not_found(as_user, demo, check_error) -> None:
    priya = as_user("priya")
    pid = demo.submitted_post
    for method, path, body in [
        ("GET", f"/posts/{pid}", None),
        ("GET", f"/posts/{pid}/revisions", None),
        ("PUT", f"/posts/{pid}", {"text": "बदला हुआ पाठ"}),
        ("POST", f"/posts/{pid}/approve", {}),
        ("POST", f"/posts/{pid}/withdraw", None),
        ("POST", f"/posts/{demo.published_post}/retract", {"reason": "a reason long enough"}),
        ("POST", f"/posts/{demo.published_post}/correct", {"text": "x", "note": "a note long enough"}),
    ]:
        check_error(priya.request(method, path, json=body), 404, "not_found")
    listed = priya.ok("GET", "/posts")
    assert listed == [] or {p["institution_id"] for p in listed} == {demo.institutions["cg"]}
    assert priya.ok("GET", f"/posts?institution_id={demo.institutions['district']}") == []
    # Nothing changed.
    assert as_user("rahima").ok("GET", f"/posts/{pid}")["state"] == "submitted"


def test_another_institutions_accounts_and_institution_are_not_found(as_user, demo, check_error) -> None:
    priya = as_user("priya")
    dhaka = demo.accounts["dhaka_fb"]
    check_error(priya.get(f"/accounts/{dhaka}"), 404)
    check_error(priya.patch(f"/accounts/{dhaka}", json={"display_name": "Hacked"}), 404)
    check_error(priya.post("/posts", json={"account_id": dhaka, "text": "नमस्ते"}), 404)
    check_error(priya.get(f"/institutions/{demo.institutions['district']}"), 404)
    check_error(priya.patch(f"/institutions/{demo.institutions['district']}", json={"approval_tiers": 3}), 404)
    check_error(priya.get(f"/institutions/{demo.institutions['district']}/members"), 404)
    assert {a["id"] for a in priya.ok("GET", "/accounts")} == {demo.accounts["cg_fb"]}
    assert {i["id"] for i in priya.ok("GET", "/institutions")} == {demo.institutions["cg"]}
    assert as_user("admin").ok("GET", f"/accounts/{dhaka}")["display_name"].startswith("DC Office Dhaka")


def test_another_institutions_audit_events_are_not_shown(as_user, demo, check_error) -> None:
    arvind, karim = as_user("arvind"), as_user("karim")
    check_error(arvind.get(f"/audit?institution_id={demo.institutions['district']}"), 404)
    events = arvind.ok("GET", "/audit?limit=1000")
    assert events, "arvind reads his own institution's events"
    for event in events:
        assert event["institution_id"] == demo.institutions["cg"] or event["actor_id"] == demo.users["arvind"], event
    district = karim.ok("GET", f"/audit?institution_id={demo.institutions['district']}")
    assert district and all(e["institution_id"] == demo.institutions["district"] for e in district)
    # An author may not read the trail (403: the institution is visible to her, the trail is not).
    check_error(as_user("rahima").get(f"/audit?institution_id={demo.institutions['district']}"), 403)
    check_error(karim.get("/audit/verify"), 403)
    assert as_user("admin").ok("GET", "/audit/verify")["ok"] is True


# --- roles ---------------------------------------------------------------------------------------

def test_an_author_cannot_approve(as_user, demo, check_error) -> None:
    sohel, rahima = as_user("sohel"), as_user("rahima")
    post = sohel.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": BD_TEXT})
    sohel.ok("POST", f"/posts/{post['id']}/submit")
    error = check_error(rahima.post(f"/posts/{post['id']}/approve", json={}), 403, "forbidden")
    assert "approver" in error["message"]
    check_error(rahima.post(f"/posts/{post['id']}/reject", json={"comment": "I do not like it at all"}), 403)
    check_error(rahima.post(f"/posts/{post['id']}/archive"), 403)
    assert sohel.ok("GET", f"/posts/{post['id']}")["state"] == "submitted"


def test_a_monitor_reads_below_but_changes_nothing(as_user, demo, check_error) -> None:
    monitor = as_user("monitor")
    pid = demo.submitted_post
    assert monitor.ok("GET", f"/posts/{pid}")["institution_id"] == demo.institutions["district"]
    assert pid in {p["id"] for p in monitor.ok("GET", "/posts")}
    assert monitor.ok("GET", f"/audit?institution_id={demo.institutions['district']}")
    check_error(monitor.put(f"/posts/{pid}", json={"text": BD_TEXT}), 403)
    check_error(monitor.post(f"/posts/{pid}/approve", json={}), 403)
    check_error(monitor.post(f"/posts/{pid}/request-changes", json={"comment": "please change this"}), 403)
    check_error(monitor.post(f"/posts/{demo.published_post}/retract", json={"reason": "monitor says so"}), 403)
    check_error(monitor.post("/posts", json={"account_id": demo.accounts["dhaka_fb"], "text": BD_TEXT}), 403)
    check_error(monitor.patch(f"/accounts/{demo.accounts['dhaka_fb']}", json={"purpose": "x"}), 403)
    # The ministry monitor does not reach the separate Chhattisgarh hierarchy.
    check_error(monitor.get(f"/accounts/{demo.accounts['cg_fb']}"), 404)


def test_an_approver_cannot_manage_accounts_or_settings(as_user, demo, check_error) -> None:
    karim = as_user("karim")
    body = {"institution_id": demo.institutions["district"], "platform": "youtube", "handle": "dcdhaka"}
    check_error(karim.post("/accounts", json=body), 403)
    check_error(karim.patch(f"/accounts/{demo.accounts['dhaka_fb']}", json={"grs_url": ""}), 403)
    check_error(karim.patch(f"/institutions/{demo.institutions['district']}", json={"approval_tiers": 1}), 403)
    check_error(karim.post("/users", json={"username": "newbie", "password": "a-long-pass-phrase"}), 403)
    # The moderator may.
    assert as_user("sohel").ok("POST", "/accounts", 201, json=body)["handle"] == "dcdhaka"


def test_nobody_approves_their_own_post(as_user, demo, check_error) -> None:
    admin = as_user("admin")
    admin.ok("POST", f"/institutions/{demo.institutions['district']}/members", 201,
             json={"username": "karim", "role": "author"})
    karim = as_user("karim")
    post = karim.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": BD_TEXT})
    karim.ok("POST", f"/posts/{post['id']}/submit")
    error = check_error(karim.post(f"/posts/{post['id']}/approve", json={}), 403)
    assert "revision they wrote or edited" in error["message"]
    check_error(karim.post(f"/posts/{post['id']}/request-changes", json={"comment": "a self review"}), 403)
    assert as_user("nasreen").ok("POST", f"/posts/{post['id']}/approve", json={})["state"] == "approved"


def test_a_superuser_can_do_everything_but_review(as_user, demo, check_error) -> None:
    admin = as_user("admin")
    check_error(admin.post(f"/posts/{demo.submitted_post}/approve", json={}), 403)
    assert admin.ok("GET", f"/posts/{demo.submitted_post}")["state"] == "submitted"


# --- tokens and sessions ---------------------------------------------------------------------

def test_a_token_speaks_only_for_its_owner(with_token, as_user, anonymous, demo, check_error) -> None:
    for name in ("rahima", "karim", "priya"):
        me = as_user(name).ok("GET", "/me")
        assert me["username"] == name and me["id"] == demo.users[name]
    rahima = as_user("rahima")
    made = rahima.ok("POST", "/tokens", 201, json={"name": "laptop"})
    assert made["token"].startswith("satark_pat_") and made["prefix"] == made["token"][:17]
    laptop = with_token(made["token"])
    assert laptop.ok("GET", "/me")["username"] == "rahima"
    check_error(as_user("karim").delete(f"/tokens/{made['id']}"), 404)
    assert laptop.ok("GET", "/me")["username"] == "rahima"
    listed = rahima.ok("GET", "/tokens")
    assert "token" not in listed[0] and {t["name"] for t in listed} == {"tests", "laptop"}
    assert rahima.ok("DELETE", f"/tokens/{made['id']}") == {"id": made["id"], "revoked": True}
    check_error(laptop.get("/me"), 401, "not_authenticated")
    check_error(with_token("satark_pat_" + "x" * 43).get("/me"), 401)
    check_error(with_token("not-a-token").get("/me"), 401)
    check_error(anonymous.get("/me"), 401)
    check_error(anonymous.get("/me", headers={"Authorization": "Basic cmFoaW1hOng="}), 401)
    check_error(anonymous.get("/me", headers={"Authorization": "Bearer "}), 401)


def test_login_session_cookie_and_csrf(client, anonymous, demo, check_error) -> None:
    login = anonymous.ok("POST", "/session", json={"username": "rahima", "password": DEMO_PASSWORD})
    csrf = login["csrf_token"]
    assert login["user"]["username"] == "rahima" and csrf
    cookie = client.cookies.get("satark_session")
    assert cookie and cookie != csrf
    assert anonymous.ok("GET", "/me")["username"] == "rahima"

    body = {"account_id": demo.accounts["dhaka_fb"], "text": BD_TEXT}
    error = check_error(anonymous.post("/posts", json=body), 403, "forbidden")
    assert "CSRF" in error["message"]
    check_error(anonymous.post("/posts", json=body, headers={"X-CSRF-Token": "wrong"}), 403)
    check_error(anonymous.delete("/session"), 403)
    made = anonymous.post("/posts", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text

    assert anonymous.ok("DELETE", "/session", headers={"X-CSRF-Token": csrf}) == {"ok": True}
    client.cookies.set("satark_session", cookie)  # an old cookie kept by hand is dead too
    check_error(anonymous.get("/me"), 401)


def test_a_wrong_password_is_refused_and_recorded(anonymous, as_user, check_error) -> None:
    error = check_error(anonymous.post("/session", json={"username": "rahima", "password": "wrong-password"}),
                        401, "not_authenticated")
    assert error["message"] == "wrong username or password"
    check_error(anonymous.post("/session", json={"username": "nobody", "password": "wrong-password"}), 401)
    events = as_user("admin").ok("GET", "/audit?limit=5")
    assert [(e["action"], e["details"]["username"]) for e in events[:2]] == [
        ("login_failed", "nobody"), ("login_failed", "rahima")]


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 5, "login_window_seconds": 900}])
def test_login_throttling(anonymous, as_user, check_error) -> None:
    for _ in range(5):
        check_error(anonymous.post("/session", json={"username": "karim", "password": "not-the-password"}), 401)
    refused = anonymous.post("/session", json={"username": "karim", "password": DEMO_PASSWORD})
    check_error(refused, 429, "too_many_attempts")
    assert 1 <= int(refused.headers["Retry-After"]) <= 30  # backs off: 30 s after five failures, then doubles
    assert "satark_session" not in refused.headers.get("set-cookie", "")
    # Another user is not locked out by karim's failures.
    assert anonymous.ok("POST", "/session", json={"username": "nasreen", "password": DEMO_PASSWORD})["csrf_token"]
    actions = [e["action"] for e in as_user("admin").ok("GET", "/audit?limit=7")]
    assert actions[0] == "login" and actions[1:6] == ["login_failed"] * 5


def test_an_expired_session_is_logged_out(svc, anonymous, demo, check_error) -> None:
    anonymous.ok("POST", "/session", json={"username": "sohel", "password": DEMO_PASSWORD})
    assert anonymous.ok("GET", "/me")["username"] == "sohel"
    with svc.db.session() as session:
        for row in session.scalars(select(WebSession)):
            row.expires_at = utcnow() - dt.timedelta(seconds=1)
    check_error(anonymous.get("/me"), 401)
