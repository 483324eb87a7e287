"""The citizen comments inbox: items, screening and masking, triage, replies with approval, the clock."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from satark.service import inbox
from satark.service.context import Services
from satark.service.models import AuditEvent, utcnow
from satark.service.reminders import sources

from .conftest import Api, Demo

PHONE_BN = "আমার এলাকায় তিন দিন ধরে পানি নেই। আমার মোবাইল নম্বর ০১৭১১২২৩৩৪৪, দয়া করে ব্যবস্থা নিন।"
ABUSE_BN = "তোরা সব চোর, শালা!"
HINDI = "कृपया बताएं कि राशन कार्ड के लिए आवेदन कहाँ करें?"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _new(api: Api, demo: Demo, text: str, *, hours_ago: float = 1, **extra: Any) -> dict[str, Any]:
    body = {"account_id": demo.accounts["dhaka_fb"], "text": text,
            "received_at": _iso(utcnow() - dt.timedelta(hours=hours_ago)), "author_handle": "citizen.rahim", **extra}
    result: dict[str, Any] = api.ok("POST", "/inbox/items", 201, json=body)
    return result


def test_an_item_is_screened_and_personal_data_is_masked_for_non_moderators(
        as_user: Callable[[str], Api], demo: Demo) -> None:
    sohel, rahima, monitor = as_user("sohel"), as_user("rahima"), as_user("monitor")
    item = _new(sohel, demo, PHONE_BN, kind="complaint")
    assert item["text"] == PHONE_BN and item["lang"] == "bn" and item["tags"] == ["complaint"]
    assert item["clock"]["state"] == "open" and item["clock"]["seconds"] > 22 * 3600
    # An author of the district and the ministry's monitor see the comment without the number.
    for api in (rahima, monitor):
        seen = api.ok("GET", f"/inbox/items/{item['id']}")
        assert "০১৭১১২২৩৩৪৪" not in seen["text"] and inbox.MASK in seen["text"]
        assert seen["personal_data_hidden"] is True
        assert "০১৭১১২২৩৩৪৪" not in json.dumps(seen, ensure_ascii=False)
    # Abuse is flagged and tagged; only moderators and admins record items.
    abusive = _new(sohel, demo, ABUSE_BN)
    assert abusive["abusive"] is True and "abuse" in abusive["tags"]
    r = rahima.post("/inbox/items", json={"account_id": demo.accounts["dhaka_fb"], "text": HINDI,
                                          "received_at": _iso(utcnow())})
    assert r.status_code == 403
    # The Raipur office's comments are not the Dhaka moderator's to see.
    cg = as_user("admin").ok("POST", "/inbox/items", 201, json={
        "account_id": demo.accounts["cg_fb"], "text": HINDI, "received_at": _iso(utcnow())})
    assert cg["lang"] == "hi"
    assert sohel.get(f"/inbox/items/{cg['id']}").status_code == 404
    future = sohel.post("/inbox/items", json={"account_id": demo.accounts["dhaka_fb"], "text": HINDI,
                                              "received_at": _iso(utcnow() + dt.timedelta(days=1))})
    assert future.status_code == 422


def test_triage_reply_approval_and_first_response_time(
        as_user: Callable[[str], Api], demo: Demo, svc: Services) -> None:
    sohel, karim, rahima = as_user("sohel"), as_user("karim"), as_user("rahima")
    item = _new(sohel, demo, "When will the Victory Day programme start?", hours_ago=2, kind="question")
    path = f"/inbox/items/{item['id']}"
    # Assign: only a moderator or admin of the institution.
    assert sohel.post(f"{path}/assign", json={"assignee_id": demo.users["rahima"]}).status_code == 422
    assert sohel.ok("POST", f"{path}/assign", json={"assignee_id": demo.users["sohel"]})["assignee_id"] == \
        demo.users["sohel"]
    assert sohel.ok("PUT", f"{path}/tags", json={"tags": ["question", "praise"]})["tags"] == ["question", "praise"]
    assert sohel.put(f"{path}/tags", json={"tags": ["nonsense"]}).status_code == 422
    # Templates per institution in en/hi/bn (the demo's own templates are there already).
    district_templates = {"institution_id": demo.institutions["district"]}
    before = {t["id"] for t in rahima.ok("GET", "/inbox/templates", params=district_templates)}
    template = sohel.ok("POST", "/inbox/templates", 201, json={
        "institution_id": demo.institutions["district"], "name": "ধন্যবাদ", "lang": "bn",
        "text": "আপনার মন্তব্যের জন্য ধন্যবাদ। বিস্তারিত জেলা প্রশাসনের ওয়েবসাইটে পাবেন।"})
    listed = rahima.ok("GET", "/inbox/templates", params=district_templates)
    assert {t["id"] for t in listed} == before | {template["id"]}
    assert [t["name"] for t in listed if t["id"] not in before] == ["ধন্যবাদ"]
    reply = sohel.ok("POST", f"{path}/replies", 201, json={
        "text": "The programme starts at 9 am at the Central Shaheed Minar.", "template_id": template["id"]})
    assert reply["status"] == "draft" and reply["verdict"] == "clear"
    rpath = f"{path}/replies/{reply['id']}"
    # The policy says replies need approval: not sent before.
    assert sohel.post(f"{rpath}/sent", json={"link": "https://facebook.com/dcdhaka/posts/1001?c=1"}).status_code == 409
    sohel.ok("POST", f"{rpath}/submit")
    # An author cannot approve; the approver can; nobody approves their own reply.
    assert rahima.post(f"{rpath}/approve", json={}).status_code == 403
    karim.ok("POST", f"{rpath}/approve", json={"comment": "ঠিক আছে"})
    sent = sohel.ok("POST", f"{rpath}/sent", json={"link": "https://facebook.com/dcdhaka/posts/1001?c=1"})
    assert sent["status"] == "sent"
    done = sohel.ok("GET", path)
    assert done["status"] == "answered" and done["clock"]["state"] == "answered" and done["clock"]["on_time"]
    assert 2 * 3600 - 60 <= done["clock"]["seconds"] <= 2 * 3600 + 60
    with svc.db.session(write=False) as session:
        actions = [e.action for e in session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "inbox_item", AuditEvent.object_id == item["id"])
            .order_by(AuditEvent.id))]
    assert actions == ["inbox_item_created", "inbox_item_assigned", "inbox_item_tagged", "inbox_reply_drafted",
                       "inbox_reply_submitted", "inbox_reply_approved", "inbox_reply_sent"]


def test_separation_of_duties_and_the_no_approval_policy(as_user: Callable[[str], Api], demo: Demo) -> None:
    admin, karim, sohel = as_user("admin"), as_user("karim"), as_user("sohel")
    district = demo.institutions["district"]
    # An approver who is also a moderator drafts a reply: another approver must decide on it.
    admin.ok("POST", f"/institutions/{district}/members", 201, json={"username": "karim", "role": "moderator"})
    item = _new(sohel, demo, "রাস্তার বাতি নষ্ট, কবে ঠিক হবে?")
    path = f"/inbox/items/{item['id']}"
    reply = karim.ok("POST", f"{path}/replies", 201, json={"text": "আগামী সপ্তাহে মেরামত করা হবে।"})
    karim.ok("POST", f"{path}/replies/{reply['id']}/submit")
    own = karim.post(f"{path}/replies/{reply['id']}/approve", json={})
    assert own.status_code == 403
    assert as_user("nasreen").post(f"{path}/replies/{reply['id']}/reject", json={"comment": "ok"}).status_code == 422
    as_user("nasreen").ok("POST", f"{path}/replies/{reply['id']}/reject",
                          json={"comment": "তারিখ উল্লেখ করুন, তারপর পাঠান।"})
    # Without the approval step (a setting), a clear draft is sent at once.
    policy = admin.ok("PATCH", f"/institutions/{district}/inbox-policy",
                      json={"replies_need_approval": False, "target_value": 2, "target_unit": "working_days"})
    assert policy["replies_need_approval"] is False and policy["target_unit"] == "working_days"
    assert sohel.patch(f"/institutions/{district}/inbox-policy", json={"target_value": 3}).status_code == 403
    quick = sohel.ok("POST", f"{path}/replies", 201, json={"text": "ধন্যবাদ, বিষয়টি দেখা হচ্ছে।"})
    sohel.ok("POST", f"{path}/replies/{quick['id']}/sent", json={"link": "https://facebook.com/dcdhaka/c/9"})
    # An item received now gets the new target: two working days, in Dhaka's calendar.
    later = _new(sohel, demo, "ধন্যবাদ!", hours_ago=0)
    due = dt.datetime.fromisoformat(later["clock"]["due_at"])
    assert due - utcnow() > dt.timedelta(days=1)


def test_duplicates_holidays_overdue_and_escalation(as_user: Callable[[str], Api], demo: Demo, svc: Services) -> None:
    sohel, admin = as_user("sohel"), as_user("admin")
    district = demo.institutions["district"]
    # The demo's own overdue comments, there before this test's.
    already = [i["id"] for i in sohel.ok("GET", "/inbox/items", params={"status": "overdue"})]
    with svc.db.session(write=False) as session:
        already_due = [i.id for i in inbox.overdue_items(session, [district], utcnow())]
    assert set(already_due) == set(already)
    first = _new(sohel, demo, PHONE_BN, hours_ago=30)
    second = _new(sohel, demo, PHONE_BN, hours_ago=29)
    third = _new(sohel, demo, "পানি নেই!", hours_ago=28)
    sohel.ok("POST", f"/inbox/items/{second['id']}/duplicate", json={"of": first["id"]})
    # A duplicate of a duplicate points at the original.
    dup = sohel.ok("POST", f"/inbox/items/{third['id']}/duplicate", json={"of": second["id"]})
    assert dup["duplicate_of_id"] == first["id"] and dup["clock"]["state"] == "duplicate"
    assert sohel.post(f"/inbox/items/{first['id']}/duplicate", json={"of": first["id"]}).status_code == 422
    listed = sohel.ok("GET", "/inbox/items", params={"status": "overdue"})
    assert {i["id"] for i in listed} == {*already, first["id"]}
    overdue = [i for i in listed if i["id"] not in already]
    assert [i["id"] for i in overdue] == [first["id"]]
    assert overdue[0]["clock"]["state"] == "overdue" and overdue[0]["clock"]["seconds"] >= 5 * 3600
    with svc.db.session(write=False) as session:
        assert [i.id for i in inbox.overdue_items(session, [district], utcnow()) if i.id not in already_due] == \
            [first["id"]]
        reminders = list(sources()["comment_overdue"](session, utcnow()))
    mine = [r for r in reminders if r.key == f"comment:{first['id']}:overdue"]
    assert len(mine) == 1 and set(mine[0].recipients) == {demo.users["karim"], demo.users["nasreen"]}
    assert mine[0].link == f"/inbox/{first['id']}"
    # Holidays per institution (on a day that is none of the demo's holidays).
    holidays = sohel.ok("GET", f"/institutions/{district}/holidays")
    assert "2026-04-14" not in {h["day"] for h in holidays}
    holiday = admin.ok("POST", f"/institutions/{district}/holidays", 201, json={"day": "2026-04-14",
                                                                               "name": "পহেলা বৈশাখ"})
    assert admin.post(f"/institutions/{district}/holidays", json={"day": "2026-04-14"}).status_code == 409
    listed_days = sohel.ok("GET", f"/institutions/{district}/holidays")
    assert [h["name"] for h in listed_days if h["id"] != holiday["id"]] == [h["name"] for h in holidays]
    assert [h["name"] for h in listed_days if h["id"] == holiday["id"]] == ["পহেলা বৈশাখ"]
    admin.ok("DELETE", f"/institutions/{district}/holidays/{holiday['id']}")
    assert sohel.ok("GET", f"/institutions/{district}/holidays") == holidays
    # Closing stops the clock.
    sohel.ok("POST", f"/inbox/items/{first['id']}/close", json={"reason": "spam"})
    assert [i["id"] for i in sohel.ok("GET", "/inbox/items", params={"status": "overdue"})] == already


def test_import_csv_and_jsonl_with_per_row_errors(as_user: Callable[[str], Api], demo: Demo) -> None:
    sohel = as_user("sohel")
    before = {i["id"] for i in sohel.ok("GET", "/inbox/items", params={"limit": 500})}
    csv_text = ("text,received_at,author_handle,link,kind,external_id\n"
                "\"বিদ্যুৎ বিল নিয়ে অভিযোগ, কোথায় জানাব?\",2026-12-01T10:00:00+06:00,karim.u,,question,fb-1\n"
                "Thanks for the update!,2026-12-01T11:00:00Z,anon,https://facebook.com/x/1,comment,fb-2\n")
    done = sohel.ok("POST", "/inbox/import", json={"format": "csv", "content": csv_text,
                                                   "account_id": demo.accounts["dhaka_fb"]})
    assert len(done["created"]) == 2 and done["skipped_lines"] == []
    # The same export again: its rows are known by their platform ids.
    again = sohel.ok("POST", "/inbox/import", json={"format": "csv", "content": csv_text,
                                                    "account_id": demo.accounts["dhaka_fb"]})
    assert again["created"] == [] and again["skipped_lines"] == [2, 3]
    bad = "\n".join([
        json.dumps({"text": "राशन कब मिलेगा?", "received_at": "2026-12-01T10:00:00+05:30", "account": "dcdhaka"}),
        json.dumps({"text": "", "received_at": "yesterday", "account": "dcdhaka"}),
        "{not json",
        json.dumps({"text": "hello", "received_at": "2026-12-01T10:00:00", "kind": "rant", "account": "nobody"}),
    ])
    r = sohel.post("/inbox/import", json={"format": "jsonl", "content": bad})
    assert r.status_code == 422
    errors = {(e["line"], e["field"]) for e in r.json()["details"]["errors"]}
    assert {(2, "text"), (2, "received_at"), (3, ""), (4, "received_at"), (4, "kind")} <= errors
    # Nothing of the refused batch was recorded: only the CSV's two comments are new.
    after = {i["id"] for i in sohel.ok("GET", "/inbox/items", params={"limit": 500})}
    assert after - before == set(done["created"]) and len(after) == len(before) + 2
    good = sohel.ok("POST", "/inbox/import", json={"format": "jsonl", "content": bad.splitlines()[0]})
    assert len(good["created"]) == 1
    assert sohel.post("/inbox/import", json={"format": "xml", "content": "x"}).status_code == 422


def test_block_reply_needs_an_override_and_a_confirmation(as_user: Callable[[str], Api], demo: Demo) -> None:
    sohel, karim = as_user("sohel"), as_user("karim")
    item = _new(sohel, demo, PHONE_BN)
    path = f"/inbox/items/{item['id']}"
    reply = sohel.ok("POST", f"{path}/replies", 201,
                     json={"text": "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"})
    assert reply["verdict"] == "block" and reply["findings"]
    rpath = f"{path}/replies/{reply['id']}"
    assert sohel.post(f"{rpath}/submit").status_code == 409
    sohel.ok("POST", f"{rpath}/submit", json={"confirm": True})
    assert karim.post(f"{rpath}/approve", json={}).status_code == 422
    karim.ok("POST", f"{rpath}/approve", json={"override_reason": "The citizen asked us to publish it."})


@pytest.mark.parametrize("backend", ["sqlite"])
def test_report_section_counts_the_quarter(svc: Services, demo: Demo, as_user: Callable[[str], Api]) -> None:
    from satark.service.i18n import translations
    from satark.service.models import Account
    from satark.service.reports.base import ReportScope
    from satark.service.reports.core_sections import account_label
    from satark.service.reports.inbox_section import CommentsSection

    sohel, karim = as_user("sohel"), as_user("karim")
    now = utcnow()
    district = demo.institutions["district"]
    scope = ReportScope(root_id=district, institution_ids=(district,), quarter="2026Q4",
                        start=now - dt.timedelta(days=5), end=now + dt.timedelta(days=1), lang="bn",
                        time_zone="Asia/Dhaka", now=now + dt.timedelta(minutes=1))

    def build() -> tuple[dict[str, Any], dict[str, list[Any]]]:
        with svc.db.session(write=False) as session:
            result = CommentsSection().build(session, scope, translations("bn").gettext)
            labels = {account_label(a, "bn"): a.id for a in session.scalars(select(Account))}
        rows = next(t.rows for t in result.tables if t.key == "comments_by_account")
        return {f.key: f.value for f in result.figures}, {labels[r[0]]: r for r in rows}

    # The demo's comments of the last days are counted too: this test's comments come on top,
    # on an account of the district's own, so that its row holds only them.
    before = build()[0]
    account = as_user("admin").ok("POST", "/accounts", 201, json={
        "institution_id": district, "platform": "facebook", "handle": "dcdhaka.questions"})["id"]
    a = _new(sohel, demo, "প্রশ্ন ১?", hours_ago=3, account_id=account)
    _new(sohel, demo, "প্রশ্ন ২?", hours_ago=30, account_id=account)
    reply = sohel.ok("POST", f"/inbox/items/{a['id']}/replies", 201, json={"text": "উত্তর দেওয়া হলো।"})
    sohel.ok("POST", f"/inbox/items/{a['id']}/replies/{reply['id']}/submit")
    karim.ok("POST", f"/inbox/items/{a['id']}/replies/{reply['id']}/approve", json={})
    sohel.ok("POST", f"/inbox/items/{a['id']}/replies/{reply['id']}/sent", json={"link": "https://fb.com/c/1"})
    figures, rows = build()
    added = {key: figures[key] - before[key] for key in ("received", "answered", "answered_on_time", "overdue")}
    assert added == {"received": 2, "answered": 1, "answered_on_time": 1, "overdue": 1}
    # The account's row: received, answered, within target, median and p90 hours, overdue.
    _label, received, answered, on_time, median, p90, overdue = rows[account]
    assert (received, answered, on_time, overdue) == (2, 1, 1, 1)
    assert 2.9 <= float(median or 0) <= 3.1 and 2.9 <= float(p90 or 0) <= 3.1


def test_demo_seed(svc: Services, demo: Demo) -> None:
    """What ``seed_demo`` (which the ``demo`` fixture ran) put in the inbox; it does not seed twice."""
    from satark.service.demo import seed_demo
    from satark.service.models_inbox import GrsReferral, Holiday, InboxItem, InboxPolicy, ReplyTemplate

    now = utcnow()
    district, cg = demo.institutions["district"], demo.institutions["cg"]
    with svc.db.session(write=False) as session:
        items = list(session.scalars(select(InboxItem)))
        assert 15 <= len(items) <= 25
        assert {i.lang for i in items} >= {"bn", "hi", "en"}
        overdue = inbox.overdue_items(session, [district, cg], now)
        assert len(overdue) == 2 and {i.institution_id for i in overdue} == {district}
        answered = [i for i in items if i.first_response_at is not None]
        late = [i for i in answered if i.first_response_at is not None and i.first_response_at > i.due_at]
        assert late and len(late) < len(answered)
        referrals = list(session.scalars(select(GrsReferral)))
        assert {r.tracking_number for r in referrals} >= {"GRS-2026-004512"}
        assert all(r.status == "lodged" and r.deadline_on for r in referrals)
        assert {r.institution_id for r in referrals} == {district, cg}
        templates = {(t.institution_id, t.name, t.lang) for t in session.scalars(select(ReplyTemplate))}
        assert templates == {*((district, name, lang) for name in ("thanks", "grs") for lang in ("bn", "en")),
                             (district, "thanks", "hi"), (cg, "thanks", "hi")}
        holidays = [(h.institution_id, h.day.month, h.day.day) for h in session.scalars(select(Holiday))]
        assert sorted(holidays) == sorted([(district, 2, 21), (district, 3, 26), (district, 12, 16),
                                           (cg, 1, 26), (cg, 8, 15), (cg, 10, 2)])
        policy = session.scalar(select(InboxPolicy).where(InboxPolicy.institution_id == cg))
        assert policy is not None and (policy.target_value, policy.target_unit, policy.replies_need_approval) == \
            (2, "working_days", True)
    # Seeding again finds the demo there and adds nothing.
    with svc.db.session() as session:
        assert seed_demo(session, svc.screening).created is False
    with svc.db.session(write=False) as session:
        assert len(list(session.scalars(select(InboxItem.id)))) == len(items)


def test_web_inbox_walk(client: Any, demo: Demo, svc: Services) -> None:
    """The web pages: record a comment, see its clock, triage it, reply, approve, mark sent, in bn."""
    from .test_web import Browser

    sohel, karim = Browser(client), Browser(client)
    sohel.login("sohel")
    client.cookies.set("satark_lang", "bn")
    page = sohel.get("/inbox")
    assert page.status_code == 200 and "নাগরিকদের মন্তব্য" in page.text
    item_page = sohel.act("/inbox/new", {"account_id": demo.accounts["dhaka_fb"], "kind": "complaint",
                                          "author_handle": "rafiq", "text": PHONE_BN})
    assert "০১৭১১২২৩৩৪৪" in item_page.text
    item_id = int(str(item_page.url).rsplit("/", 1)[1])
    listing = sohel.get("/inbox")
    assert f"/inbox/{item_id}" in listing.text and "clock-open" in listing.text
    sohel.act(f"/inbox/{item_id}/assign", {"assignee_id": demo.users["sohel"]})
    sohel.act(f"/inbox/{item_id}/tags", {"tags": ["complaint", "grievance"]})
    after = sohel.act(f"/inbox/{item_id}/reply", {"text": "ধন্যবাদ, বিষয়টি দেখা হচ্ছে।"})
    assert "screen-result" in after.text
    with svc.db.session(write=False) as session:
        from satark.service.models_inbox import InboxReply

        reply_id = session.scalars(select(InboxReply.id).where(InboxReply.item_id == item_id)).one()
    sohel.act(f"/inbox/{item_id}/replies/{reply_id}/submit")
    karim.login("karim")
    client.cookies.set("satark_lang", "bn")
    karim_page = karim.get(f"/inbox/{item_id}")
    assert "০১৭১১২২৩৩৪৪" not in karim_page.text  # an approver is not a moderator
    karim.act(f"/inbox/{item_id}/replies/{reply_id}/approve", {"comment": ""})
    sohel.login("sohel")
    done = sohel.act(f"/inbox/{item_id}/replies/{reply_id}/sent", {"link": "https://facebook.com/dcdhaka/c/1"})
    assert "clock-answered" in done.text
    refused = sohel.post(f"/inbox/{item_id}/close", {"reason": ""})
    assert refused.status_code == 303
    # Templates and settings pages.
    assert sohel.get("/inbox/templates").status_code == 200
    assert sohel.get("/inbox/settings").status_code == 200
    sohel.act(f"/inbox/{item_id}/grs", {"lang": "bn"})
    assert sohel.get("/grs").status_code == 200
    with svc.db.session(write=False) as session:
        from satark.service.models_inbox import GrsReferral

        ref_id = session.scalars(select(GrsReferral.id).where(GrsReferral.item_id == item_id)).one()
    lodged = sohel.act(f"/grs/{ref_id}/lodge", {"tracking_number": "GRS-2026-000777"})
    assert "GRS-2026-000777" in lodged.text
    pdf = sohel.get(f"/grs/{ref_id}/packet.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_platform_importer_registers_as_an_upload_format(as_user: Callable[[str], Api], demo: Demo) -> None:
    from satark.service import comment_import

    def facebook_export(data: bytes) -> Any:
        """A stand-in for a platform export: {"comments": [{"message", "created_time", "from", "id"}]}."""
        for number, c in enumerate(json.loads(data)["comments"], start=1):
            yield number, {"text": c["message"], "received_at": c["created_time"], "author_handle": c["from"],
                           "external_id": c["id"], "account": "dcdhaka"}

    comment_import.register_importer("facebook_test", facebook_export)
    try:
        export = {"comments": [{"message": "জন্ম নিবন্ধন সংশোধন কোথায় করব?", "created_time": "2026-12-01T09:00:00+06:00",
                                "from": "jewel", "id": "fb_1"}]}
        done = as_user("sohel").ok("POST", "/inbox/import", json={"format": "facebook_test",
                                                                   "content": json.dumps(export)})
        assert len(done["created"]) == 1
        item = as_user("sohel").ok("GET", f"/inbox/items/{done['created'][0]}")
        assert item["source"] == "facebook_test" and item["external_id"] == "fb_1" and item["lang"] == "bn"
    finally:
        comment_import._IMPORTERS.pop("facebook_test", None)
    with pytest.raises(ValueError):
        comment_import.register_importer("bad name!", facebook_export)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_web_pages_with_the_demo_comments(client: Any, demo: Demo, svc: Services) -> None:
    """Every inbox page renders for each role and language over the demo's comments (which the
    ``demo`` fixture's ``seed_demo`` put there)."""
    from satark.service.models_inbox import InboxItem

    from .test_web import Browser

    with svc.db.session(write=False) as session:
        ids = list(session.scalars(select(InboxItem.id)))
    browser = Browser(client)
    for username, lang in (("monitor", "hi"), ("admin", "bn"), ("sohel", "en"), ("arvind", "hi")):
        browser.login(username)
        client.cookies.set("satark_lang", lang)
        for path in ("/inbox", "/inbox?status=overdue", "/inbox/templates", "/inbox/settings", "/grs",
                     *(f"/inbox/{i}" for i in ids)):
            response = browser.get(path)
            assert response.status_code in (200, 404), (username, path, response.status_code)
        if username == "monitor":
            overdue = browser.get("/inbox?status=overdue")
            assert overdue.text.count("clock-overdue") == 2 and "देरी" in overdue.text
            listing = browser.get("/inbox").text
            assert "০১৭১১২২৩৩৪৪" not in listing and "9876543210" not in listing
            assert "rahim.uddin@gmail.com" not in listing and inbox.MASK in listing
