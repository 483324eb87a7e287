"""The pre-publication workflow over the API: the whole path, tiers, expiry, overrides, wrong moves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from satark.service import workflow
from satark.service.errors import Conflict
from satark.service.models import AuditEvent, Post, User, utcnow

CLEAR_BN = "আগামী ১৬ ডিসেম্বর বিজয় দিবস উপলক্ষে জেলা প্রশাসনের পক্ষ থেকে সকাল ৯টায় পুষ্পস্তবক অর্পণ করা হবে।"
REVIEW_BN = "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন। আমার মেয়ের জন্মদিনের ছবিও দিলাম!"
#: A citizen's mobile number on an official page: confidential, verdict block in rules mode.
BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"


def _events(api: Any, post_id: int) -> list[dict[str, Any]]:
    events = api.ok("GET", "/audit?limit=1000")
    return [e for e in reversed(events) if e["object_type"] == "post" and e["object_id"] == post_id]


def test_the_whole_path_from_draft_to_archive(as_user, demo) -> None:
    rahima, karim, sohel, admin = (as_user(n) for n in ("rahima", "karim", "sohel", "admin"))

    post = rahima.ok("POST", "/posts", 201, json={
        "account_id": demo.accounts["dhaka_fb"], "title": "সেবা সপ্তাহ", "text": REVIEW_BN})
    pid = post["id"]
    assert (post["state"], post["revision"], post["verdict"]) == ("draft", 1, "review")
    assert post["report"]["text"] == REVIEW_BN and post["report"]["findings"]
    assert "personal_on_official" in post["categories"]

    assert rahima.ok("POST", f"/posts/{pid}/submit")["state"] == "submitted"
    sent_back = karim.ok("POST", f"/posts/{pid}/request-changes",
                         json={"comment": "Please remove the line about your daughter."})
    assert sent_back["state"] == "changes_requested"
    assert sent_back["decisions"][-1]["decision"] == "changes_requested"

    # The edit is a new revision, screened again; each revision keeps its own report.
    edited = rahima.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN})
    assert (edited["state"], edited["revision"], edited["verdict"]) == ("changes_requested", 2, "clear")
    assert edited["categories"] == []
    revisions = rahima.ok("GET", f"/posts/{pid}/revisions")
    assert [(r["number"], r["kind"], r["verdict"]) for r in revisions] == [
        (1, "draft", "review"), (2, "draft", "clear")]
    assert [r["report"]["text"] for r in revisions] == [REVIEW_BN, CLEAR_BN]
    assert revisions[0]["report"]["findings"] and not revisions[1]["report"]["findings"]

    assert rahima.ok("POST", f"/posts/{pid}/submit")["state"] == "submitted"
    approved = karim.ok("POST", f"/posts/{pid}/approve", json={"comment": "ঠিক আছে"})
    assert approved["state"] == "approved" and approved["approvals"] == 1
    assert approved["approved_at"] and approved["approval_expires_at"]

    when = "2026-12-16T03:00:00Z"
    url = "https://facebook.com/dcdhaka/posts/2002"
    published = sohel.ok("POST", f"/posts/{pid}/publish", json={"url": url, "published_at": when})
    assert published["state"] == "published" and published["published_url"] == url
    assert dt.datetime.fromisoformat(published["published_at"]) == dt.datetime(2026, 12, 16, 3, tzinfo=dt.UTC)
    assert published["published_revision"] == 2

    correction = CLEAR_BN.replace("৯টায়", "১০টায়")
    pending = rahima.ok("POST", f"/posts/{pid}/correct", json={"text": correction, "note": "The time was 10, not 9."})
    # The correction waits for an approver; until then the published text is all the archive shows.
    assert (pending["state"], pending["pending"], pending["revision"]) == ("published", "correction", 3)
    assert pending["archive"]["corrections"] == []
    assert admin.ok("GET", "/archive?q=১০টায়")["results"] == []
    corrected = karim.ok("POST", f"/posts/{pid}/approve", json={"comment": "সংশোধন ঠিক আছে"})
    assert corrected["state"] == "corrected" and corrected["revision"] == 3 and corrected["pending"] is None
    assert corrected["published_revision"] == 2, "the published original stays what it was"
    record = corrected["archive"]
    assert record["text"] == CLEAR_BN
    assert [(c["text"], c["note"]) for c in record["corrections"]] == [(correction, "The time was 10, not 9.")]
    revisions = rahima.ok("GET", f"/posts/{pid}/revisions")
    assert [(r["number"], r["kind"]) for r in revisions] == [(1, "draft"), (2, "draft"), (3, "correction")]
    assert revisions[1]["text"] == CLEAR_BN and revisions[2]["text"] == correction
    found = admin.ok("GET", "/archive?q=১০টায়")
    assert [r["id"] for r in found["results"]] == [pid]
    assert found["results"][0]["text"] == CLEAR_BN and found["results"][0]["corrections"][0]["text"] == correction

    asked = sohel.ok("POST", f"/posts/{pid}/retract", json={"reason": "The event was postponed."})
    assert (asked["state"], asked["pending"], asked["retraction_reason"]) == ("corrected", "retraction", "")
    retracted = karim.ok("POST", f"/posts/{pid}/approve", json={})
    assert retracted["state"] == "retracted" and retracted["retraction_reason"] == "The event was postponed."
    archived = sohel.ok("POST", f"/posts/{pid}/archive")
    assert archived["state"] == "archived"
    assert archived["archive"]["text"] == CLEAR_BN and len(archived["archive"]["corrections"]) == 1

    actions = [(e["action"], e["actor"]) for e in _events(admin, pid)]
    assert actions == [
        ("post_created", "rahima"), ("post_submit", "rahima"), ("post_request_changes", "karim"),
        ("post_edited", "rahima"), ("post_submit", "rahima"), ("post_approve", "karim"),
        ("post_publish", "sohel"), ("post_correction_submitted", "rahima"), ("post_correction_approved", "karim"),
        ("post_retraction_submitted", "sohel"), ("post_retract", "karim"), ("post_archive", "sohel"),
    ]


def test_withdraw_and_reject(as_user, flow) -> None:
    rahima, karim = as_user("rahima"), as_user("karim")
    pid = flow.post("submitted")["id"]
    assert rahima.ok("POST", f"/posts/{pid}/withdraw")["state"] == "draft"
    rahima.ok("POST", f"/posts/{pid}/submit")
    short = karim.post(f"/posts/{pid}/reject", json={"comment": "no"})
    assert short.status_code == 422 and "at least 10 characters" in short.json()["message"]
    rejected = karim.ok("POST", f"/posts/{pid}/reject", json={"comment": "This is not for the official page."})
    assert rejected["state"] == "rejected"
    assert rahima.post(f"/posts/{pid}/submit").status_code == 409


def test_multi_tier_approval(as_user, demo, flow) -> None:
    admin, karim, nasreen = as_user("admin"), as_user("karim"), as_user("nasreen")
    district = demo.institutions["district"]
    changed = admin.ok("PATCH", f"/institutions/{district}", json={"approval_tiers": 2})
    assert changed["approval_tiers"] == 2 and changed["changed"] == {"approval_tiers": {"from": 1, "to": 2}}
    event = admin.ok("GET", f"/audit?institution_id={district}")[0]
    assert (event["action"], event["actor"], event["object_id"]) == ("settings_changed", "admin", district)
    assert event["details"] == {"approval_tiers": {"from": 1, "to": 2}}

    pid = flow.post("submitted")["id"]
    first = karim.ok("POST", f"/posts/{pid}/approve", json={"comment": "tier one"})
    assert (first["state"], first["required_tiers"], first["approvals"]) == ("submitted", 2, 1)
    again = karim.post(f"/posts/{pid}/approve", json={})
    assert again.status_code == 409 and "already approved" in again.json()["message"]
    second = nasreen.ok("POST", f"/posts/{pid}/approve", json={"comment": "tier two"})
    assert (second["state"], second["approvals"]) == ("approved", 2)
    assert [(d["user"], d["tier"]) for d in second["decisions"]] == [("karim", 1), ("nasreen", 2)]
    actions = [e["action"] for e in _events(admin, pid)]
    assert actions[-2:] == ["post_approve_tier", "post_approve"]


def test_a_lapsed_approval_sends_the_post_back(svc, as_user, demo, flow) -> None:
    admin = as_user("admin")
    admin.ok("PATCH", f"/institutions/{demo.institutions['district']}", json={"approval_ttl_hours": 1})
    approved = flow.post("approved")
    pid = approved["id"]
    granted = dt.datetime.fromisoformat(approved["approved_at"])
    assert dt.datetime.fromisoformat(approved["approval_expires_at"]) - granted == dt.timedelta(hours=1)

    with svc.db.session() as session:
        post = session.get(Post, pid)
        sohel = session.scalar(select(User).where(User.username == "sohel"))
        # Two hours later, so the one-hour approval has lapsed.
        post.approval_expires_at = utcnow() - dt.timedelta(hours=1)
        session.flush()
        with pytest.raises(Conflict, match="approval expired") as caught:
            workflow.publish(session, sohel, post, url="https://facebook.com/dcdhaka/posts/9")
        assert caught.value.status == 409

    after = admin.ok("GET", f"/posts/{pid}")
    assert (after["state"], after["approvals"], after["approved_at"]) == ("submitted", 0, None)
    assert after["published_url"] == "" and not any(d["active"] for d in after["decisions"])
    lapse = _events(admin, pid)[-1]
    assert lapse["action"] == "post_approval_expired" and lapse["actor"] == ""
    assert (lapse["details"]["from"], lapse["details"]["to"]) == ("approved", "submitted")
    assert lapse["details"]["expired_at"]
    # Publishing again is a wrong transition until someone approves anew.
    assert as_user("sohel").post(f"/posts/{pid}/publish", json={"url": "https://x.example/1"}).status_code == 409
    assert as_user("nasreen").ok("POST", f"/posts/{pid}/approve", json={})["state"] == "approved"


def test_a_lapsed_approval_over_http_is_recorded_although_the_request_fails(svc, as_user, flow) -> None:
    pid = flow.post("approved")["id"]
    with svc.db.session() as session:
        session.get(Post, pid).approval_expires_at = utcnow() - dt.timedelta(minutes=1)
    response = as_user("sohel").post(f"/posts/{pid}/publish", json={"url": "https://facebook.com/dcdhaka/posts/3"})
    assert response.status_code == 409 and "expired" in response.json()["message"]
    assert as_user("rahima").ok("GET", f"/posts/{pid}")["state"] == "submitted"
    with svc.db.session() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == pid,
                                                                  AuditEvent.object_type == "post"))
        assert "post_approval_expired" in list(actions)


def test_a_block_verdict_needs_a_written_override(svc, as_user, demo, flow) -> None:
    report = svc.screening.screen(BLOCK_BN, jurisdiction="BD", account_type="official")
    assert report["verdict"] == "block", report

    karim, admin = as_user("karim"), as_user("admin")
    post = flow.post("submitted", BLOCK_BN)
    pid = post["id"]
    assert post["verdict"] == "block" and "confidential" in post["categories"]

    missing = karim.post(f"/posts/{pid}/approve", json={"comment": "ok"})
    assert missing.status_code == 422 and "override reason" in missing.json()["message"]
    too_short = karim.post(f"/posts/{pid}/approve", json={"override_reason": "ok"})
    assert too_short.status_code == 422
    assert admin.ok("GET", f"/posts/{pid}")["state"] == "submitted"

    reason = "The complainant asked in writing for the number to be published."
    approved = karim.ok("POST", f"/posts/{pid}/approve", json={"override_reason": reason})
    assert approved["state"] == "approved"
    shown = as_user("rahima").ok("GET", f"/posts/{pid}")
    assert [(d["user"], d["decision"], d["override_reason"]) for d in shown["decisions"]] == [
        ("karim", "approved", reason)]
    override = next(e for e in _events(admin, pid) if e["action"] == "post_override")
    assert override["actor"] == "karim" and override["details"]["reason"] == reason
    assert override["details"]["categories"] == "confidential"


WRONG_MOVES = [
    # (state the post is in, who, action, body)
    ("draft", "sohel", "publish", {"url": "https://facebook.com/dcdhaka/posts/5"}),
    ("published", "rahima", "submit", None),
    ("draft", "karim", "approve", {}),
    ("draft", "rahima", "correct", {"text": CLEAR_BN + "!", "note": "a correction of a draft"}),
    ("approved", "rahima", "submit", None),
    ("submitted", "sohel", "archive", None),
    ("archived", "sohel", "retract", {"reason": "this was archived long ago"}),
    ("draft", "rahima", "withdraw", None),
]


@pytest.mark.parametrize(("state", "who", "action", "body"), WRONG_MOVES,
                         ids=[f"{m[2]}-{m[0]}" for m in WRONG_MOVES])
def test_wrong_transitions_are_conflicts(as_user, flow, check_error, state, who, action, body) -> None:
    pid = flow.post(state)["id"]
    response = as_user(who).post(f"/posts/{pid}/{action}", json=body)
    error = check_error(response, 409, "conflict")
    assert error["message"].startswith(f"cannot {action} a post that is {state}"), error["message"]
    assert "allowed from:" in error["message"]
    assert error["details"]["state"] == state
    assert as_user("admin").ok("GET", f"/posts/{pid}")["state"] == state


def test_editing_a_submitted_post_is_a_conflict(as_user, flow) -> None:
    pid = flow.post("submitted")["id"]
    response = as_user("rahima").put(f"/posts/{pid}", json={"text": "নতুন লেখা"})
    assert response.status_code == 409
    assert response.json()["message"].startswith("cannot edit a post that is submitted")


def test_an_unchanged_edit_adds_no_revision(as_user, flow) -> None:
    post = flow.create(CLEAR_BN)
    again = as_user("rahima").ok("PUT", f"/posts/{post['id']}", json={"text": CLEAR_BN, "title": "নতুন শিরোনাম"})
    assert again["revision"] == 1 and again["title"] == "নতুন শিরোনাম"


def test_an_approval_on_one_revision_does_not_carry_over(as_user, flow) -> None:
    """Sent back after approval, edited and resubmitted: it needs approving again."""
    rahima, karim = as_user("rahima"), as_user("karim")
    pid = flow.post("approved")["id"]
    karim.ok("POST", f"/posts/{pid}/request-changes", json={"comment": "One more change, please."})
    rahima.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " সবাইকে আমন্ত্রণ।"})
    resubmitted = rahima.ok("POST", f"/posts/{pid}/submit")
    assert (resubmitted["state"], resubmitted["approvals"], resubmitted["approved_at"]) == ("submitted", 0, None)
    assert as_user("sohel").post(f"/posts/{pid}/publish", json={"url": "https://x.example/2"}).status_code == 409
