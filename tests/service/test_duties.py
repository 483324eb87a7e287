"""Separation of duties (issue 11, section 1), over the API and the web UI, on SQLite and PostgreSQL.

Nobody approves a revision they wrote or edited; N tiers need N distinct approvers, none
of them an editor; nobody grants themselves a role; corrections and retractions wait for
approval; a 'block' post is submitted only once the author confirms; an institution admin
cannot pull in another institution's user, nor learn which usernames exist.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select

from satark.service import workflow
from satark.service.db import Database
from satark.service.demo import DEMO_PASSWORD, seed_demo
from satark.service.models import Account, Post, Revision, User
from satark.service.settings import Settings

from .conftest import BLOCK_BN, CLEAR_BN

NEW_PASSWORD = "নতুন-পাসওয়ার্ড-২০২৬-x"


def _make_approver(as_user: Any, demo: Any, username: str) -> None:
    as_user("admin").ok("POST", f"/institutions/{demo.institutions['district']}/members", 201,
                        json={"username": username, "role": "approver"})


def _institution_admin(as_user: Any, demo: Any, username: str, place: str) -> Any:
    """A new user who is admin of one demo institution, logged in with a token."""
    admin = as_user("admin")
    admin.ok("POST", "/users", 201, json={"username": username, "display_name": username, "password": NEW_PASSWORD,
                                          "institution_id": demo.institutions[place], "role": "admin"})
    return admin


def test_a_moderator_approver_cannot_approve_a_draft_they_rewrote(as_user, demo, check_error) -> None:
    """The reproduced case: sohel (moderator, then also approver) rewrites rahima's draft,
    submits it and tries to approve and publish it."""
    _make_approver(as_user, demo, "sohel")
    rahima, sohel, karim = as_user("rahima"), as_user("sohel"), as_user("karim")
    pid = rahima.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": CLEAR_BN})["id"]
    sohel.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " সবাইকে আমন্ত্রণ।"})
    revisions = rahima.ok("GET", f"/posts/{pid}/revisions")
    assert [r["editors"] for r in revisions] == [
        [demo.users["rahima"]], sorted([demo.users["rahima"], demo.users["sohel"]])]
    sohel.ok("POST", f"/posts/{pid}/submit")

    error = check_error(sohel.post(f"/posts/{pid}/approve", json={"comment": "ঠিক আছে"}), 403, "forbidden")
    assert "revision they wrote or edited" in error["message"]
    check_error(sohel.post(f"/posts/{pid}/reject", json={"comment": "a self review, refused"}), 403)
    check_error(sohel.post(f"/posts/{pid}/publish", json={"url": "https://facebook.com/dcdhaka/posts/9"}), 409)
    assert rahima.ok("GET", f"/posts/{pid}")["state"] == "submitted"
    # The author herself is an editor too; an approver who wrote none of it may approve.
    check_error(as_user("rahima").post(f"/posts/{pid}/approve", json={}), 403)
    assert karim.ok("POST", f"/posts/{pid}/approve", json={})["state"] == "approved"


def test_an_editor_stays_barred_after_later_edits(as_user, demo, check_error) -> None:
    _make_approver(as_user, demo, "sohel")
    rahima, sohel = as_user("rahima"), as_user("sohel")
    pid = rahima.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": CLEAR_BN})["id"]
    sohel.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " ১"})
    rahima.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " ২"})  # sohel's words may still be in it
    rahima.ok("POST", f"/posts/{pid}/submit")
    check_error(sohel.post(f"/posts/{pid}/approve", json={}), 403)


def test_n_tiers_need_n_distinct_approvers_none_an_editor(as_user, demo, check_error) -> None:
    admin = as_user("admin")
    admin.ok("PATCH", f"/institutions/{demo.institutions['district']}", json={"approval_tiers": 2})
    _make_approver(as_user, demo, "sohel")
    rahima, sohel, karim, nasreen = (as_user(n) for n in ("rahima", "sohel", "karim", "nasreen"))
    pid = rahima.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": CLEAR_BN})["id"]
    sohel.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " (সম্পাদিত)"})
    rahima.ok("POST", f"/posts/{pid}/submit")
    assert karim.ok("POST", f"/posts/{pid}/approve", json={})["approvals"] == 1
    check_error(karim.post(f"/posts/{pid}/approve", json={}), 409)  # the same person twice
    check_error(sohel.post(f"/posts/{pid}/approve", json={}), 403)  # an editor
    done = nasreen.ok("POST", f"/posts/{pid}/approve", json={})
    assert (done["state"], done["approvals"]) == ("approved", 2)
    assert {d["user"] for d in done["decisions"]} == {"karim", "nasreen"}


def test_nobody_grants_a_role_to_themselves(as_user, demo, check_error) -> None:
    admin = _institution_admin(as_user, demo, "dadmin", "district")
    district = demo.institutions["district"]
    dadmin = _login(as_user, "dadmin")
    error = check_error(dadmin.post(f"/institutions/{district}/members", json={"username": "dadmin",
                                                                              "role": "approver"}), 403)
    assert "themselves" in error["message"]
    # Not the site administrator either (a superuser holds no approver role by default).
    check_error(admin.post(f"/institutions/{district}/members", json={"username": "admin", "role": "approver"}), 403)
    # Another admin may grant it.
    admin.ok("POST", f"/institutions/{district}/members", 201, json={"username": "dadmin", "role": "approver"})


def _login(as_user: Any, username: str) -> Any:
    """A token client for a user created in the test (the demo tokens cover the demo users only)."""
    api = as_user("admin")
    client = api.client
    response = client.post("/api/v1/session", json={"username": username, "password": NEW_PASSWORD})
    assert response.status_code == 200, response.text
    csrf = response.json()["csrf_token"]
    value = client.post("/api/v1/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": csrf}).json()["token"]
    client.cookies.clear()
    return type(api)(client, value)


def test_an_institution_admin_cannot_pull_in_another_institutions_user(as_user, demo, check_error) -> None:
    _institution_admin(as_user, demo, "cgadmin", "cg")
    cgadmin = _login(as_user, "cgadmin")
    cg = demo.institutions["cg"]
    other = check_error(cgadmin.post(f"/institutions/{cg}/members", json={"username": "rahima", "role": "author"}),
                        404)
    unknown = check_error(cgadmin.post(f"/institutions/{cg}/members", json={"username": "nobody-at-all",
                                                                            "role": "author"}), 404)
    assert other == unknown, "an existing user of another institution answers exactly like an unknown one"
    members = {m["username"] for m in cgadmin.ok("GET", f"/institutions/{cg}/members")}
    assert "rahima" not in members
    # The site administrator may.
    as_user("admin").ok("POST", f"/institutions/{cg}/members", 201, json={"username": "rahima", "role": "author"})


def test_a_block_post_is_submitted_only_once_confirmed(as_user, demo, check_error) -> None:
    rahima = as_user("rahima")
    pid = rahima.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": BLOCK_BN})["id"]
    error = check_error(rahima.post(f"/posts/{pid}/submit"), 409, "conflict")
    assert error["details"]["needs_confirmation"] is True and error["details"]["verdict"] == "block"
    assert [f["category"] for f in error["details"]["findings"]] == ["confidential"]
    assert error["details"]["findings"][0]["explanation"]
    check_error(rahima.post(f"/posts/{pid}/submit", json={"confirm": False}), 409)
    assert rahima.ok("GET", f"/posts/{pid}")["state"] == "draft"
    assert rahima.ok("POST", f"/posts/{pid}/submit", json={"confirm": True})["state"] == "submitted"


def test_a_block_correction_does_not_go_live_without_approval(as_user, flow, check_error) -> None:
    rahima, karim, admin = as_user("rahima"), as_user("karim"), as_user("admin")
    pid = flow.post("published")["id"]
    pending = rahima.ok("POST", f"/posts/{pid}/correct", json={"text": BLOCK_BN, "note": "the number was missing"})
    assert (pending["state"], pending["pending"], pending["verdict"]) == ("published", "correction", "block")
    assert pending["archive"]["corrections"] == []
    assert all(r["id"] != pid for r in admin.ok("GET", "/archive?q=০১৭১১২২৩৩৪৪")["results"])
    check_error(rahima.post(f"/posts/{pid}/correct", json={"text": CLEAR_BN, "note": "another correction"}), 409)
    check_error(rahima.post(f"/posts/{pid}/approve", json={}), 403)  # the author: not an approver, and an editor
    missing = check_error(karim.post(f"/posts/{pid}/approve", json={}), 422)
    assert "override reason" in missing["message"]
    refused = karim.ok("POST", f"/posts/{pid}/reject", json={"comment": "No phone numbers on the page."})
    assert (refused["state"], refused["pending"], refused["verdict"]) == ("published", None, "clear")
    assert refused["revision"] == refused["published_revision"], "the page shows the live text again"
    revisions = rahima.ok("GET", f"/posts/{pid}/revisions")
    assert revisions[-1]["status"] == "refused"

    rahima.ok("POST", f"/posts/{pid}/correct", json={"text": BLOCK_BN, "note": "the number was missing"})
    reason = "The helpline number is the office's own, published on purpose."
    live = karim.ok("POST", f"/posts/{pid}/approve", json={"override_reason": reason})
    assert (live["state"], live["pending"]) == ("corrected", None)
    assert [c["text"] for c in live["archive"]["corrections"]] == [BLOCK_BN]
    actions = [e["action"] for e in admin.ok("GET", "/audit?limit=20") if e["object_id"] == pid]
    assert {"post_correction_submitted", "post_correction_refused", "post_override",
            "post_correction_approved"} <= set(actions)


def test_a_retraction_waits_for_another_approver_or_is_fast_tracked(as_user, flow, check_error) -> None:
    sohel, karim, admin = as_user("sohel"), as_user("karim"), as_user("admin")
    pid = flow.post("published")["id"]
    asked = sohel.ok("POST", f"/posts/{pid}/retract", json={"reason": "The event was called off."})
    assert (asked["state"], asked["pending"], asked["pending_reason"]) == ("published", "retraction",
                                                                           "The event was called off.")
    _make_approver(as_user, flow.demo, "sohel")
    check_error(sohel.post(f"/posts/{pid}/approve", json={}), 403)  # not the one who asked
    assert karim.ok("POST", f"/posts/{pid}/approve", json={})["state"] == "retracted"

    # Fast track: one approver, at once, with the reason in the audit trail.
    other = flow.post("published")["id"]
    check_error(as_user("rahima").post(f"/posts/{other}/retract", json={"reason": "an author cannot fast-track",
                                                                         "fast_track": True}), 403)
    done = karim.ok("POST", f"/posts/{other}/retract", json={"reason": "Wrong district named.", "fast_track": True})
    assert (done["state"], done["retraction_reason"]) == ("retracted", "Wrong district named.")
    event = next(e for e in admin.ok("GET", "/audit?limit=10") if e["object_id"] == other
                 and e["action"] == "post_retract")
    assert event["actor"] == "karim" and event["details"]["fast_track"] is True
    assert event["details"]["reason"] == "Wrong district named."


def _web_login(client: Any, username: str, password: str = DEMO_PASSWORD) -> str:
    response = client.post("/api/v1/session", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def test_web_refuses_approving_own_edit_with_a_translated_message(client, as_user, demo) -> None:
    _make_approver(as_user, demo, "sohel")
    rahima = as_user("rahima")
    pid = rahima.ok("POST", "/posts", 201, json={"account_id": demo.accounts["dhaka_fb"], "text": CLEAR_BN})["id"]
    as_user("sohel").ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " (সম্পাদিত)"})
    as_user("sohel").ok("POST", f"/posts/{pid}/submit")
    csrf = _web_login(client, "sohel")
    client.cookies.set("satark_lang", "bn")
    page = client.get(f"/posts/{pid}")
    assert f'action="/posts/{pid}/approve"' not in page.text  # no approve form for an editor
    refused = client.post(f"/posts/{pid}/approve", data={"csrf_token": csrf, "comment": ""})
    assert refused.status_code == 403
    assert "নিজে লিখেছেন বা সম্পাদনা করেছেন" in refused.text  # the Bengali message, not the English detail
    assert rahima.ok("GET", f"/posts/{pid}")["state"] == "submitted"


def test_the_page_shows_no_earlier_revisions_override_as_current(client, as_user, flow) -> None:
    reason = "The complainant asked in writing for the number to be published."
    pid = flow.post("published", BLOCK_BN, override_reason=reason)["id"]
    _web_login(client, "rahima")
    page = client.get(f"/posts/{pid}").text
    box = re.search(r'<section class="notice notice-warning" aria-labelledby="overrides-title">.*?</section>',
                    page, flags=re.S)
    assert box and reason in box.group(0)
    # A clear correction, approved without override: the warning about the old override goes.
    as_user("rahima").ok("POST", f"/posts/{pid}/correct", json={"text": CLEAR_BN, "note": "removed the number"})
    as_user("karim").ok("POST", f"/posts/{pid}/approve", json={})
    page = client.get(f"/posts/{pid}").text
    assert 'aria-labelledby="overrides-title"' not in page
    assert reason in page  # still on record, in the decisions table with its revision


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_keeps_editors_and_live_corrections_of_existing_data(kind, request, tmp_path, screening) -> None:
    """Upgrading a database with posts in it: each revision gets its editors (the author and
    every earlier editor), and corrections made before went live at once, so they stay live."""
    schema = url = ""
    if kind == "postgresql":
        server = request.getfixturevalue("postgres_server")
        schema = server.create_schema("satark_mig")
        url = server.schema_url(schema)
    db = Database(Settings(data_dir=tmp_path, database_url=url))
    try:
        db.upgrade()
        with db.session() as session:
            seed_demo(session, screening)
            users = {u.username: u for u in session.scalars(select(User))}
            dhaka_fb = session.scalars(select(Account.id).where(Account.handle == "dcdhaka")).one()
            post = session.scalars(select(Post).where(Post.state == "published", Post.account_id == dhaka_fb)).one()
            workflow.correct(session, screening, users["sohel"], post, text=post.revisions[0].text + " ।",
                             note="a full stop was missing")
            workflow.approve(session, users["karim"], post)
            post_id, author, sohel = post.id, users["rahima"].id, users["sohel"].id
        command.downgrade(db.alembic_config(), "0002")
        db.upgrade()
        with db.session() as session:
            revisions = session.scalars(select(Revision).where(Revision.post_id == post_id)
                                        .order_by(Revision.number)).all()
            assert [(r.kind, r.status, r.editor_ids) for r in revisions] == [
                ("draft", "", {author}), ("correction", "live", {author, sohel})]
    finally:
        db.dispose()
        if schema:
            request.getfixturevalue("postgres_server").drop_schema(schema)


def test_web_fast_track_retraction_by_an_approver(client, as_user, flow) -> None:
    pid = flow.post("published")["id"]
    csrf = _web_login(client, "karim")
    page = client.get(f"/posts/{pid}").text
    assert 'id="f-retract-fast"' in page
    done = client.post(f"/posts/{pid}/retract", data={"csrf_token": csrf, "reason": "ভুল জেলার নাম ছাপা হয়েছে",
                                                      "fast_track": "1"})
    assert done.status_code == 200 and "The post is retracted." in done.text
    post = as_user("admin").ok("GET", f"/posts/{pid}")
    assert (post["state"], post["retraction_reason"]) == ("retracted", "ভুল জেলার নাম ছাপা হয়েছে")
