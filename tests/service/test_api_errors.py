"""Bad requests get a 4xx with ``error`` and ``message``, never a 500."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from satark.service.app import BodyGuard
from satark.service.models import Post, SavedCheck

JSON = {"Content-Type": "application/json"}
MAX_CHARS = 65_536


@pytest.fixture
def rahima(as_user):
    return as_user("rahima")


def test_malformed_json_is_400(rahima, demo, check_error) -> None:
    for path in ("/posts", "/screen", "/checks"):
        error = check_error(rahima.post(path, content=b'{"account_id": 1, "text": ', headers=JSON), 400,
                            "malformed_json")
        assert "not valid JSON" in error["message"]
    check_error(rahima.put(f"/posts/{demo.submitted_post}", content=b"{text: 'x'}", headers=JSON), 400)
    check_error(rahima.patch(f"/institutions/{demo.institutions['district']}", content=b'{"approval_tiers": 2,}',
                             headers=JSON), 400)


def test_invalid_utf8_is_400(rahima, demo, check_error) -> None:
    body = b'{"account_id": %d, "text": "\xff\xfe bad bytes"}' % demo.accounts["dhaka_fb"]
    error = check_error(rahima.post("/posts", content=body, headers=JSON), 400, "invalid_utf8")
    assert "UTF-8" in error["message"]
    check_error(rahima.post("/screen", content=b'{"text": "\xc3\x28"}', headers=JSON), 400, "invalid_utf8")
    check_error(rahima.post("/screen", content=b'{"text": "\xe0\xa6"}', headers={
        "Content-Type": "application/json; charset=utf-8"}), 400, "invalid_utf8")


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 10_000, "max_upload_bytes": 100_000}])
def test_file_uploads_have_their_own_larger_limit(rahima, svc, check_error) -> None:
    """A phone's screenshot is bigger than any JSON request: multipart bodies get
    ``SATARK_MAX_UPLOAD_BYTES``; everything else keeps ``SATARK_MAX_BODY_BYTES``."""
    body = b"x" * 50_000
    headers = {"Content-Type": "multipart/form-data; boundary=b", "Content-Length": str(len(body))}
    # Over the JSON limit but under the upload limit: it reaches the route (which refuses the
    # malformed form, but not for its size).
    assert rahima.post("/inbox/import", content=body, headers=headers).status_code != 413
    big = b"x" * 150_000
    error = check_error(rahima.post("/inbox/import", content=big, headers={**headers, "Content-Length": str(len(big))}),
                        413, "too_large")
    assert "100,000 bytes" in error["message"]
    check_error(rahima.post("/screen", content=json.dumps({"text": "ক" * 20_000}).encode(), headers=JSON),
                413, "too_large")


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 10_000}])
def test_oversized_bodies_are_413(rahima, svc, check_error) -> None:
    assert svc.settings.max_body_bytes == 10_000
    big = json.dumps({"text": "ক" * 20_000, "jurisdiction": "BD"}).encode()
    assert len(big) > 20_000
    error = check_error(rahima.post("/screen", content=big, headers=JSON), 413, "too_large")
    assert "10,000 bytes" in error["message"]

    def chunks():
        for _ in range(20):
            yield b"x" * 1024

    # A chunked upload announces no length; the limit holds all the same.
    check_error(rahima.post("/screen", content=chunks(), headers=JSON), 413, "too_large")
    # Just under the limit is fine.
    small = json.dumps({"text": "ক" * 3_000, "jurisdiction": "BD"}, ensure_ascii=False).encode()
    assert 9_000 < len(small) < 10_000
    assert rahima.ok("POST", "/screen", content=small, headers=JSON)["verdict"] in ("clear", "review", "block")


def test_the_body_guard_stops_reading_a_stream_once_over_the_limit() -> None:
    """Straight at the ASGI layer: a chunked body of many messages is cut off, not read whole."""
    reached_app = []
    sent: list[dict[str, Any]] = []
    received = 0

    async def app(scope, receive, send):
        reached_app.append(True)

    async def receive():
        nonlocal received
        received += 1
        return {"type": "http.request", "body": b"y" * 4096, "more_body": True}  # endless

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/screen",
             "headers": [(b"transfer-encoding", b"chunked")]}
    asyncio.run(BodyGuard(app, max_bytes=10_000)(scope, receive, send))
    assert not reached_app and received == 3
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["error"] == "too_large"


def test_unknown_ids_are_404(rahima, as_user, demo, check_error) -> None:
    admin = as_user("admin")
    for api, method, path, body in [
        (rahima, "GET", "/posts/987654", None),
        (rahima, "GET", "/posts/987654/revisions", None),
        (rahima, "PUT", "/posts/987654", {"text": "লেখা"}),
        (rahima, "POST", "/posts/987654/submit", None),
        (rahima, "POST", "/posts/987654/publish", {"url": "https://x.example/1"}),
        (rahima, "POST", "/posts", {"account_id": 987654, "text": "লেখা"}),
        (rahima, "GET", "/accounts/987654", None),
        (admin, "PATCH", "/accounts/987654", {"purpose": "x"}),
        (admin, "POST", "/accounts", {"institution_id": 987654, "platform": "x", "handle": "h"}),
        (rahima, "GET", "/institutions/987654", None),
        (admin, "PATCH", "/institutions/987654", {"approval_tiers": 2}),
        (admin, "POST", "/institutions/987654/members", {"username": "rahima", "role": "author"}),
        (admin, "POST", f"/institutions/{demo.institutions['district']}/members",
         {"username": "ghost", "role": "author"}),
        (admin, "DELETE", f"/institutions/{demo.institutions['district']}/members/987654/author", None),
        (rahima, "DELETE", "/checks/987654", None),
        (rahima, "DELETE", "/tokens/987654", None),
        (admin, "GET", "/audit?institution_id=987654", None),
        (rahima, "GET", "/no-such-endpoint", None),
    ]:
        check_error(api.request(method, path, json=body), 404)


def test_text_over_the_engine_limit_is_422_not_500(rahima, demo, check_error) -> None:
    over = "ক" * (MAX_CHARS + 1)
    error = check_error(rahima.post("/screen", json={"text": over, "jurisdiction": "BD"}), 422, "invalid_input")
    assert "65,536" in error["message"] or "65536" in error["message"]
    check_error(rahima.post("/checks", json={"text": over, "save": True}), 422)
    check_error(rahima.post("/posts", json={"account_id": demo.accounts["dhaka_fb"], "text": over}), 422)


def test_empty_text_is_422(svc, rahima, demo, check_error) -> None:
    with svc.db.session() as session:
        before = session.scalar(select(func.count()).select_from(Post))
    for text in ("", "   \n\t "):
        check_error(rahima.post("/screen", json={"text": text, "jurisdiction": "BD"}), 422)
        check_error(rahima.post("/checks", json={"text": text}), 422)
        check_error(rahima.post("/posts", json={"account_id": demo.accounts["dhaka_fb"], "text": text}), 422)
    check_error(rahima.put(f"/posts/{demo.submitted_post}", json={"text": ""}), 422)  # the body is checked first
    with svc.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Post)) == before


def test_unknown_fields_are_422(rahima, as_user, demo, check_error) -> None:
    error = check_error(rahima.post("/posts", json={"account_id": demo.accounts["dhaka_fb"], "text": "লেখা",
                                                    "state": "published"}), 422, "invalid_input")
    assert "state" in error["message"] and "Extra inputs" in error["message"]
    check_error(rahima.post("/screen", json={"text": "লেখা", "lang": "bn"}), 422)
    check_error(as_user("admin").patch(f"/institutions/{demo.institutions['district']}",
                                       json={"approval_tiers": 2, "jurisdiction": "IN-CG"}), 422)
    check_error(as_user("admin").patch(f"/accounts/{demo.accounts['dhaka_fb']}", json={"owner": "x"}), 422)
    check_error(as_user("karim").post(f"/posts/{demo.submitted_post}/approve", json={"force": True}), 422)


def test_wrong_types_are_422(rahima, as_user, demo, check_error) -> None:
    admin = as_user("admin")
    district = demo.institutions["district"]
    for api, method, path, body in [
        (rahima, "POST", "/posts", {"account_id": "one", "text": "লেখা"}),
        (rahima, "POST", "/posts", {"account_id": demo.accounts["dhaka_fb"], "text": 42}),
        (rahima, "POST", "/posts", {"account_id": demo.accounts["dhaka_fb"], "text": ["লেখা"]}),
        (rahima, "POST", "/posts", ["not", "an", "object"]),
        (rahima, "POST", "/posts", None),
        (rahima, "POST", "/screen", {"text": "লেখা", "account_type": "secret"}),
        (rahima, "POST", "/screen", {"text": "লেখা", "mode": "turbo"}),
        (rahima, "POST", "/screen", {"text": "লেখা", "jurisdiction": "XX"}),
        (rahima, "POST", "/checks", {"text": "লেখা", "save": "maybe"}),
        (admin, "PATCH", f"/institutions/{district}", {"approval_tiers": "two"}),
        (admin, "PATCH", f"/institutions/{district}", {"approval_tiers": 7}),
        (admin, "PATCH", f"/institutions/{district}", {"approval_ttl_hours": 0}),
        (admin, "PATCH", f"/institutions/{district}", {"name": ""}),
        (admin, "PATCH", f"/accounts/{demo.accounts['dhaka_fb']}", {"password_rotated_on": "last week"}),
        (admin, "PATCH", f"/accounts/{demo.accounts['dhaka_fb']}", {"platform": "myspace"}),
        (admin, "PATCH", f"/accounts/{demo.accounts['dhaka_fb']}", {"grs_url": "javascript:alert(1)"}),
        (admin, "PATCH", f"/accounts/{demo.accounts['dhaka_fb']}", {"admins": [{"designation": "no name"}]}),
        (admin, "POST", f"/institutions/{district}/members", {"username": "rahima", "role": "king"}),
        (admin, "POST", "/institutions", {"name": "X", "jurisdiction": "XX"}),
        (admin, "POST", "/institutions", {"name": "X", "jurisdiction": "BD", "kind": "galaxy"}),
        (admin, "POST", "/users", {"username": "Bad Name", "password": "a-long-pass-phrase"}),
        (admin, "POST", "/users", {"username": "newbie", "password": "short"}),
        (rahima, "POST", "/tokens", {"name": ""}),
        (rahima, "GET", "/posts?limit=0", None),
        (rahima, "GET", "/posts?limit=lots", None),
        (rahima, "GET", "/posts?state=published-ish", None),
        (rahima, "GET", "/posts/abc", None),
        (rahima, "GET", "/archive?verdict=maybe", None),
        (rahima, "GET", "/archive?state=draft", None),
        (rahima, "GET", "/archive?date_from=2026-13-01", None),
        (rahima, "GET", "/archive?format=xml", None),
        (rahima, "GET", "/archive?q=" + "ক" * 501, None),
        (rahima, "GET", "/archive?q=" + "+".join(["শব্দ"] * 11), None),
    ]:
        check_error(api.request(method, path, json=body), 422)


def test_workflow_bodies_are_checked(flow, as_user, check_error) -> None:
    approved = flow.post("approved")
    sohel = as_user("sohel")
    pid = approved["id"]
    check_error(sohel.post(f"/posts/{pid}/publish", json={"url": "ftp://example.org/1"}), 422)
    check_error(sohel.post(f"/posts/{pid}/publish", json={"url": "https://x.example/" + "a" * 500}), 422)
    check_error(sohel.post(f"/posts/{pid}/publish", json={"url": "https://x.example/1",
                                                         "published_at": "2026-11-23T10:00:00"}), 422)
    check_error(sohel.post(f"/posts/{pid}/publish", json={"url": "https://x.example/1",
                                                         "published_at": "yesterday"}), 422)
    check_error(sohel.post(f"/posts/{pid}/publish", json={}), 422)
    published = sohel.ok("POST", f"/posts/{pid}/publish", json={"url": "https://x.example/1"})
    assert published["state"] == "published"
    check_error(sohel.post(f"/posts/{pid}/retract", json={"reason": "short"}), 422)
    check_error(as_user("rahima").post(f"/posts/{pid}/correct", json={"text": "ঠিক", "note": ""}), 422)


def test_text_no_database_can_store_is_422(rahima, as_user, demo, check_error) -> None:
    """NUL (PostgreSQL refuses it) and unpaired surrogates (not UTF-8) in stored text."""
    account = demo.accounts["dhaka_fb"]
    for raw in (b'{"account_id": %d, "text": "ok text", "title": "\\ud800"}' % account,
                b'{"account_id": %d, "text": "ok \\u0000 text"}' % account,
                b'{"account_id": %d, "text": "\\udfff"}' % account):
        check_error(rahima.post("/posts", content=raw, headers=JSON), 422)
    check_error(rahima.post("/checks", content=b'{"text": "a\\u0000b", "save": true}', headers=JSON), 422)
    check_error(rahima.post("/tokens", json={"name": "a\x00b"}), 422)
    admin = as_user("admin")
    check_error(admin.patch(f"/accounts/{account}", content=b'{"display_name": "\\ud83d"}', headers=JSON), 422)
    check_error(admin.patch(f"/institutions/{demo.institutions['district']}", json={"name": "DC\x00"}), 422)
    check_error(admin.post("/users", json={"username": "newbie", "password": "long-enough\x00pass"}), 422)
    check_error(admin.post(f"/institutions/{demo.institutions['district']}/members",
                           json={"username": "ra\x00hima", "role": "author"}), 404)
    check_error(admin.delete(f"/institutions/{demo.institutions['district']}/members/1/%00"), 422)  # not a role
    anonymous_login = rahima.client.post("/api/v1/session", json={"username": "rahima\x00", "password": "x"})
    check_error(anonymous_login, 422)
    assert rahima.ok("GET", "/archive?q=%00")["total"] >= 0
    check_error(rahima.get("/archive?category=%00"), 422)


def test_huge_ids_are_404(rahima, check_error) -> None:
    # Within 32 bits on every backend.
    check_error(rahima.get("/posts/2147483647"), 404)


def test_ids_are_positive_whole_numbers_in_digits(rahima, demo, check_error) -> None:
    """Ids below -2^31 and -2^63 failed in the drivers (500); "1.0", "+1", " 1" and JSON true
    passed for 1. Each is now a 422 that says what an id is."""
    post = demo.published_post
    for bad in ("-1", "0", "-2147483649", "-9223372036854775809", f"{post}.0", f"+{post}", f" {post}", f"{post}_0"):
        error = check_error(rahima.get(f"/posts/{bad}"), 422, "invalid_input")
        assert "post_id" in error["message"], error
    for query in ("account_id=-9223372036854775809", "institution_id=+1", "account_id=1.0"):
        check_error(rahima.get(f"/archive?{query}"), 422, "invalid_input")
    for value in (True, "1", 1.5, -1, 2**40):
        check_error(rahima.post("/posts", json={"account_id": value, "text": "বিজয় দিবসের শুভেচ্ছা"}), 422)
    assert rahima.post("/posts", json={"account_id": float(demo.accounts["dhaka_fb"]),
                                       "text": "বিজয় দিবসের শুভেচ্ছা"}).status_code == 201


def test_extreme_dates_and_times_are_handled(rahima, as_user, demo, client, flow, check_error) -> None:
    assert rahima.ok("GET", "/archive?date_to=9999-12-31")["total"] >= 1
    assert rahima.ok("GET", "/archive?date_from=0001-01-01&date_to=0001-01-01")["total"] == 0
    check_error(rahima.get("/archive?date_to=0"), 422)
    check_error(rahima.get("/archive?date_from=2026-13-01"), 422)
    pid = flow.post("approved")["id"]
    publisher = flow.PEOPLE["dhaka_fb"][2]
    error = check_error(as_user(publisher).post(f"/posts/{pid}/publish", json={
        "url": "https://facebook.com/dhaka/1", "published_at": "0001-01-01T00:00:00+14:00"}), 422)
    assert "range" in error["message"]


def test_names_are_never_cut_and_websites_are_checked(as_user, demo, check_error) -> None:
    admin = as_user("admin")
    district = demo.institutions["district"]
    check_error(admin.patch(f"/institutions/{district}", json={"name": "ক" * 201}), 422)
    check_error(admin.patch(f"/institutions/{district}", json={"short_name": "ক" * 61}), 422)
    for url in ("dhaka.gov.bd", "javascript:alert(1)", "ftp://dhaka.gov.bd", "https://", "https://dhaka gov.bd"):
        check_error(admin.patch(f"/institutions/{district}", json={"website_url": url}), 422)
    assert admin.ok("PATCH", f"/institutions/{district}", json={"website_url": "https://dhaka.gov.bd"})
    assert admin.ok("GET", f"/institutions/{district}")["website_url"] == "https://dhaka.gov.bd"


def test_a_wrong_method_lists_every_method_the_path_serves(rahima) -> None:
    response = rahima.request("OPTIONS", "/accounts")
    assert response.status_code == 405 and response.headers["Allow"] == "GET, POST"
    response = rahima.delete(f"/posts/{1}/submit")
    assert response.status_code == 405 and response.headers["Allow"] == "POST"


def test_ids_past_the_column_range_are_4xx(rahima, demo) -> None:
    """Ids are 32-bit columns: a larger number must not reach the driver, which fails on it."""
    for path in ("/posts/2147483648", "/posts/99999999999999999999", "/audit?before=99999999999999999999",
                 "/posts?account_id=99999999999999999999", "/archive?offset=99999999999999999999"):
        response = rahima.get(path)
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text)
    # Ids inside request bodies go through the same guard.
    response = rahima.post("/posts", json={"account_id": 2**40, "text": "বিজয় দিবসের শুভেচ্ছা"})
    assert response.status_code == 422, response.text


def test_saved_nothing_on_bad_requests(svc, rahima, check_error) -> None:
    with svc.db.session() as session:
        before = session.scalar(select(func.count()).select_from(SavedCheck))
    check_error(rahima.post("/checks", json={"text": "", "save": True}), 422)
    check_error(rahima.post("/checks", content=b'{"text": "x", "save": true', headers=JSON), 400)
    with svc.db.session() as session:
        assert session.scalar(select(func.count()).select_from(SavedCheck)) == before


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 10_000}])
def test_every_response_carries_the_security_headers(client, rahima) -> None:
    responses = {
        "api": rahima.get("/institutions"),
        "error": rahima.post("/screen", content=b"x" * 20_000, headers=JSON),
        "page": client.get("/login"),
        "static": client.get("/static/satark.css"),
    }
    for name, response in responses.items():
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff", name
        assert headers["x-frame-options"] == "DENY", name
        assert "script-src 'self'" in headers["content-security-policy"], name
        assert len(headers.get_list("content-security-policy")) == 1, name
    assert responses["error"].status_code == 413


# --- a busy or full database is 503 with Retry-After, and nothing is lost -----------------

def _new_post(api: Any, demo: Any, text: str) -> Any:
    return api.post("/posts", json={"account_id": demo.accounts["dhaka_fb"], "title": "সভা",
                                     "text": text})


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_write_lock_held_by_another_process_is_503_with_retry_after(svc, rahima, demo, check_error,
                                                                       client) -> None:
    import sqlite3
    import time

    path = svc.settings.data_dir / "satark.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)  # another program, e.g. a backup
    try:
        other.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        response = _new_post(rahima, demo, "জেলা প্রশাসনের সভা আগামীকাল")
        waited = time.monotonic() - started
        error = check_error(response, 503, "unavailable")
        assert int(response.headers["Retry-After"]) > 0 and "busy" in error["message"]
        assert waited < 15  # not the 30 s it used to be
        page = client.get("/posts/new", headers={"Accept": "text/html"})  # reads still work
        assert page.status_code in (200, 303)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _new_post(rahima, demo, "জেলা প্রশাসনের সভা আগামীকাল").status_code == 201


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_full_disk_is_503_and_keeps_what_was_saved(svc, rahima, demo, check_error, anonymous) -> None:
    from sqlalchemy import event, text

    # SQLite's own limit on the file's pages gives the real "database or disk is full".
    svc.db.engine.dispose()
    with svc.db.engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()

    @event.listens_for(svc.db.engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages + 2}")

    svc.db.engine.dispose()
    statuses = []
    for i in range(60):
        response = _new_post(rahima, demo, f"সভার নোটিশ {i}: " + "জেলা প্রশাসন " * 40)
        statuses.append(response.status_code)
        if response.status_code == 503:
            error = check_error(response, 503, "unavailable")
            assert "disk is full" in error["message"] and response.headers["Retry-After"] == "60"
            break
    assert statuses[-1] == 503 and set(statuses[:-1]) <= {201}, statuses
    # a login (it records the session) on the full disk: 503 too, not 500
    from satark.service.demo import DEMO_PASSWORD

    login = anonymous.post("/session", json={"username": "karim", "password": DEMO_PASSWORD})
    error = check_error(login, 503, "unavailable")
    assert "disk is full" in error["message"] and login.headers["Retry-After"] == "60"
    event.remove(svc.db.engine, "connect", _cap)
    svc.db.engine.dispose()
    with svc.db.session() as session:
        saved = session.scalar(select(func.count()).select_from(Post).where(Post.title == "সভা"))
    assert saved == len(statuses) - 1


def test_the_api_router_passes_over_other_paths_at_once() -> None:
    """A web page is not tried against each API route (twice) before its own: the API router
    says "no match" from its prefix alone; its own paths match as before, behind a proxy too."""
    from starlette.routing import Match

    from satark.service.api.routes import router

    def scope(path: str, root_path: str = "") -> dict[str, object]:
        return {"type": "http", "path": path, "root_path": root_path, "method": "GET", "headers": []}

    assert router.matches(scope("/ui/screen")) == (Match.NONE, {})
    assert router.matches(scope("/api/v1x/posts")) == (Match.NONE, {})
    assert router.matches(scope("/satark/posts/1", "/satark")) == (Match.NONE, {})


def test_api_and_web_paths_still_route(client, as_user, demo) -> None:
    assert as_user("rahima").get("/posts").status_code == 200
    assert client.get("/login").status_code == 200
    missing = as_user("rahima").get("/no-such-thing")
    assert missing.status_code == 404 and missing.json()["error"] == "http_error"
