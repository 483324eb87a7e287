"""In-app notifications: who the post workflow tells, in which language, the API and the page,
and each user's choice of e-mail or in-app only (issue 12, section 6)."""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable
from typing import Any

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from satark.service import notifications as n
from satark.service import workflow_reminders as wr
from satark.service.context import Services
from satark.service.i18n import LOCALE_DIR
from satark.service.mailer import FOOTER, OPEN_LINK, SUBJECT
from satark.service.models import AuditEvent, User

from .conftest import CLEAR_BN, CLEAR_HI, Api, Demo, Flow, TestClient
from .test_web import Browser, text_of


def set_lang(svc: Services, **langs: str) -> None:
    with svc.db.session() as session:
        for user in session.scalars(select(User).where(User.username.in_(list(langs)))):
            user.ui_lang = langs[user.username]


def about(api: Api, pid: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.ok("GET", "/notifications?limit=200")["items"]
    return [i for i in items if i["link"] == f"/posts/{pid}"]


# --- the workflow tells the right people ------------------------------------------------------------

def test_workflow_events_notify_the_right_people_in_their_language(
    svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api],
) -> None:
    set_lang(svc, karim="bn", nasreen="hi", rahima="bn")
    rahima, karim, nasreen, sohel = (as_user(u) for u in ("rahima", "karim", "nasreen", "sohel"))
    pid = flow.create(CLEAR_BN, title="বিজয় দিবস")["id"]
    rahima.ok("POST", f"/posts/{pid}/submit", json={"confirm": True})

    # Sent for approval: the institution's approvers, not the author or the moderator.
    [to_karim] = about(karim, pid)
    assert to_karim["kind"] == "post_submitted" and not to_karim["read"]
    assert to_karim["text"] == "Rahima Akter (author) পোস্ট “বিজয় দিবস” অনুমোদনের জন্য পাঠিয়েছেন।"
    assert to_karim["kind_label"] == "অনুমোদন প্রয়োজন"
    assert to_karim["message"] == "{actor} sent the post “{post}” for approval."
    [to_nasreen] = about(nasreen, pid)
    assert to_nasreen["text"] == "Rahima Akter (author) ने पोस्ट “বিজয় দিবস” स्वीकृति के लिए भेजी है।"
    assert about(rahima, pid) == [] and about(sohel, pid) == []

    # Sent back: the author, with the approver's comment.
    karim.ok("POST", f"/posts/{pid}/request-changes", json={"comment": "তারিখটি আবার দেখুন, দয়া করে।"})
    [back] = about(rahima, pid)
    assert back["kind"] == "changes_requested"
    assert back["text"] == ("Abdul Karim (approver) আপনার পোস্ট “বিজয় দিবস”-এ পরিবর্তন চেয়েছেন: "
                            "তারিখটি আবার দেখুন, দয়া করে।")

    # Submitted again, approved: the author is told, with the lapse date in Dhaka time.
    rahima.ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    assert len(about(karim, pid)) == 2
    karim.ok("POST", f"/posts/{pid}/approve", json={"comment": "ঠিক আছে"})
    approved = [i for i in about(rahima, pid) if i["kind"] == "post_approved"]
    assert len(approved) == 1
    assert "অনুমোদন করেছেন" in approved[0]["text"] and "{expires_at}" not in approved[0]["text"]
    assert approved[0]["params"]["expires_at"]


def test_the_approver_who_wrote_the_text_is_not_asked_to_approve_it(
    svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api],
) -> None:
    pid = flow.create(CLEAR_BN)["id"]
    # The moderator edits the text: it is now also his; the approvers are asked, he is not.
    as_user("sohel").ok("PUT", f"/posts/{pid}", json={"text": CLEAR_BN + " (সম্পাদিত)"})
    as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    assert len(about(as_user("karim"), pid)) == 1 and len(about(as_user("nasreen"), pid)) == 1
    assert about(as_user("sohel"), pid) == []


def test_a_tier_approved_tells_the_approvers_who_may_still_decide(
    svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api],
) -> None:
    """With two tiers, karim's approval tells nasreen (the other approver) that the next tier
    waits, in her language; not karim himself, nor the author."""
    as_user("admin").ok("PATCH", f"/institutions/{demo.institutions['district']}", json={"approval_tiers": 2})
    set_lang(svc, nasreen="bn")
    pid = flow.create(CLEAR_BN, title="বিজয় দিবস")["id"]
    as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    karim, nasreen = as_user("karim"), as_user("nasreen")
    karim.ok("POST", f"/posts/{pid}/approve", json={})
    newest = about(nasreen, pid)[0]
    assert newest["kind"] == "post_submitted"
    assert newest["message"] == "{actor} approved tier {tier} of {of} for the post “{post}”; it needs another approver."
    assert newest["text"] == ("Abdul Karim (approver) পোস্ট “বিজয় দিবস” 2টি স্তরের মধ্যে 1 নম্বর স্তরে অনুমোদন "
                              "করেছেন; এখন আরেকজন অনুমোদনকারীর অনুমোদন প্রয়োজন।")
    assert [i["kind"] for i in about(karim, pid)] == ["post_submitted"]  # only the request to approve
    assert all(i["kind"] != "post_submitted" for i in about(as_user("rahima"), pid))
    nasreen.ok("POST", f"/posts/{pid}/approve", json={})
    assert [i["kind"] for i in about(as_user("rahima"), pid)] == ["post_approved"]


def test_corrections_and_retractions_wait_for_approvers_who_are_told(
    svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api],
) -> None:
    set_lang(svc, arvind="hi")
    post = flow.post("published", CLEAR_HI, account="cg_fb", title="स्वास्थ्य शिविर")
    pid = post["id"]
    arvind = as_user("arvind")
    before = len(about(arvind, pid))
    as_user("priya").ok("POST", f"/posts/{pid}/correct",
                        json={"text": CLEAR_HI + " (संशोधित)", "note": "समय गलत था, सुधारा गया"})
    newest = about(arvind, pid)[0]
    assert len(about(arvind, pid)) == before + 1
    assert newest["text"] == "Priya Sharma (author) ने पोस्ट “स्वास्थ्य शिविर” का संशोधन स्वीकृति के लिए भेजा है।"


# --- the API -------------------------------------------------------------------------------------------

def test_marking_read_and_nobody_elses(
    svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api], check_error: Any,
) -> None:
    karim, nasreen = as_user("karim"), as_user("nasreen")
    for _ in range(2):
        pid = flow.create(CLEAR_BN)["id"]
        as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    listing = karim.ok("GET", "/notifications?unread=true")
    assert listing["unread"] >= 2 and all(not i["read"] for i in listing["items"])
    first = listing["items"][0]["id"]
    # Another user's notification is not found (its existence is not told).
    check_error(nasreen.post(f"/notifications/{first}/read"), 404, "not_found")
    check_error(karim.post("/notifications/2147483647/read"), 404)
    assert karim.ok("POST", f"/notifications/{first}/read") == {"marked": 1, "unread": listing["unread"] - 1}
    assert karim.ok("POST", f"/notifications/{first}/read")["marked"] == 0
    assert karim.ok("POST", "/notifications/read-all") == {"marked": listing["unread"] - 1, "unread": 0}
    assert karim.ok("GET", "/notifications?unread=true")["items"] == []
    assert nasreen.ok("GET", "/notifications")["unread"] >= 2  # hers are untouched
    check_error(karim.get("/notifications?limit=0"), 422)


def test_choosing_email_or_in_app_only(svc: Services, demo: Demo, as_user: Callable[[str], Api],
                                       check_error: Any) -> None:
    karim = as_user("karim")
    assert karim.ok("GET", "/me/notification-preferences") == {"email": "", "notify_by_email": False}
    body = check_error(karim.put("/me/notification-preferences", json={"email": "", "notify_by_email": True}), 422)
    assert "e-mail address" in body["message"]
    check_error(karim.put("/me/notification-preferences", json={"email": "karim at dhaka", "notify_by_email": False}),
                422)
    check_error(karim.put("/me/notification-preferences", json={"email": "k@dhaka.gov.bd"}), 422)
    chosen = {"email": "karim@dhaka.gov.bd", "notify_by_email": True}
    assert karim.ok("PUT", "/me/notification-preferences", json=chosen) == chosen
    assert karim.ok("GET", "/me/notification-preferences") == chosen
    assert as_user("nasreen").ok("GET", "/me/notification-preferences")["notify_by_email"] is False
    # In-app only again, the address kept.
    back = {"email": "karim@dhaka.gov.bd", "notify_by_email": False}
    assert karim.ok("PUT", "/me/notification-preferences", json=back) == back
    with svc.db.session(write=False) as session:
        events = list(session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "notification_preferences_changed", AuditEvent.actor_id == demo.users["karim"])))
    assert events == [{"email_changed": True, "notify_by_email": True},
                      {"email_changed": False, "notify_by_email": False}]


# --- the page --------------------------------------------------------------------------------------------

def test_the_page_lists_marks_read_and_saves_the_choice(
    client: TestClient, svc: Services, demo: Demo, flow: Flow, as_user: Callable[[str], Api],
) -> None:
    set_lang(svc, karim="bn")
    pid = flow.create(CLEAR_BN, title="বিজয় দিবস")["id"]
    as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    browser = Browser(client)
    browser.login("karim")
    page = browser.get("/notifications")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "Rahima Akter (author) পোস্ট “বিজয় দিবস” অনুমোদনের জন্য পাঠিয়েছেন।" in shown
    assert "অপঠিত বিজ্ঞপ্তি" in shown and "শুধু অ্যাপে" in shown
    # The badge beside the name.
    badge = browser.get("/notifications/badge", headers={"HX-Request": "true"})
    assert badge.status_code == 200 and 'class="notification-count"' in badge.text
    assert 'hx-get="/notifications/badge"' in browser.get("/").text
    # Open: marked read, and off to the post.
    nid = int(re.findall(r'action="/notifications/(\d+)/open"', page.text)[0])
    opened = browser.post(f"/notifications/{nid}/open")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/posts/")
    assert browser.act("/notifications/read-all").status_code == 200
    assert "অপঠিত কিছু নেই।" in text_of(browser.get("/notifications").text)
    assert 'class="notification-count"' not in browser.get("/notifications/badge").text

    # The choice: e-mail without an address is refused on the page, in Bengali.
    refused = browser.post("/notifications/preferences", {"delivery": "email", "email": ""})
    assert refused.status_code == 422
    assert "ই-মেইলে বিজ্ঞপ্তি পেতে একটি ই-মেইল ঠিকানা দিন" in text_of(refused.text)
    saved = browser.act("/notifications/preferences", {"delivery": "email", "email": "karim@dhaka.gov.bd"})
    assert "বিজ্ঞপ্তির বিষয়ে আপনার পছন্দ সংরক্ষিত হয়েছে।" in text_of(saved.text)
    assert as_user("karim").ok("GET", "/me/notification-preferences") == {
        "email": "karim@dhaka.gov.bd", "notify_by_email": True}
    # Someone else's notification cannot be marked or opened.
    assert browser.post("/notifications/2147483647/read").status_code == 404


def test_the_badge_does_not_keep_a_session_alive(client: TestClient, svc: Services, demo: Demo) -> None:
    from satark.service.models import WebSession

    browser = Browser(client)
    browser.login("karim")
    with svc.db.session() as session:
        row = session.scalars(select(WebSession)).all()[-1]
        old = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
        row.last_seen_at = old
        ident = row.id
    browser.get("/notifications/badge")
    with svc.db.session(write=False) as session:
        seen = session.get(WebSession, ident)
        assert seen is not None and seen.last_seen_at is not None
        assert seen.last_seen_at <= old + dt.timedelta(seconds=1)


# --- texts -------------------------------------------------------------------------------------------------

def test_dates_in_messages_follow_the_readers_language_and_zone() -> None:
    params = {"post": "लक्ष्य", "expires_at": "2026-12-04T09:00:00+00:00"}
    en = n.render_text(wr.LAPSING, params, "en", "Asia/Dhaka")
    hi = n.render_text(wr.LAPSING, params, "hi", "Asia/Kolkata")
    bn = n.render_text(wr.LAPSING, params, "bn", "Asia/Dhaka")
    assert "4 Dec 2026, 3:00" in en and "लक्ष्य" in en
    assert "पोस्ट “लक्ष्य” की स्वीकृति" in hi and "2:30" in hi and "दिस॰" in hi
    assert "অনুমোদনের মেয়াদ" in bn and "ডিসে" in bn and "3:00" in bn
    due = n.render_text(wr.ROTATION_SOON, {"account": "dcdhaka", "due_on": "2026-04-01",
                                           "rotated_on": "2026-01-01", "days": 90}, "bn")
    assert "1 এপ্রি, 2026" in due and "প্রতি 90 দিনে" in due
    # Other modules' dates and local times (ISO text) are shown the same way.
    local = n.render_text("{due}", {"due": "2026-12-06 14:30"}, "bn", "Asia/Dhaka")
    assert "ডিসে" in local and "2:30" in local and "2026-12-06" not in local
    # A missing parameter is left as it is rather than failing.
    assert n.render_text("{actor} did {what}", {"actor": "X"}, "en") == "X did {what}"


MESSAGES = [*(m for _k, m in n.POST_EVENTS.values()), *n.KIND_LABELS.values(), n.OTHER_KIND, wr.LAPSING,
            wr.ROTATION_SOON, wr.ROTATION_OVERDUE, wr.ROTATION_UNKNOWN, SUBJECT, OPEN_LINK, FOOTER]


@pytest.mark.parametrize("locale", ["hi", "bn"])
def test_every_notification_text_is_translated_with_its_fields(locale: str) -> None:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    script = "\u0900-\u097f" if locale == "hi" else "\u0980-\u09ff"
    for msgid in MESSAGES:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, f"{locale}: {msgid!r} is not translated"
        assert fields(str(entry.string)) == fields(msgid), (locale, msgid)
        assert re.search(f"[{script}]", str(entry.string)), (locale, msgid)


def test_email_addresses() -> None:
    assert n.check_email("  karim@dhaka.gov.bd ") == "karim@dhaka.gov.bd"
    assert n.check_email("") == ""
    for bad in ("karim", "karim@dhaka", "a b@c.d", "a@b@c.d", "x" * 250 + "@a.bd", "a@b.c\nd", "<a@b.cd>"):
        with pytest.raises(Exception, match="e-mail address"):
            n.check_email(bad)
