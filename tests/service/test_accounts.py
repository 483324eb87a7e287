"""The official account registry and its live checklist: BD §6.1 (ক)-(ঞ) and CG directive 7."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from satark.service import accounts
from satark.service.models import Account

BD_ITEMS = ["ka", "kha", "ga", "gha", "nga", "ca", "cha", "ja", "jha", "nya"]  # (ক) to (ঞ)
#: The checklist's today is the institution's: Dhaka's for the BD accounts these tests make.
DHAKA = ZoneInfo("Asia/Dhaka")


def _days_ago(days: int, zone: ZoneInfo = DHAKA) -> str:
    return (dt.datetime.now(zone).date() - dt.timedelta(days=days)).isoformat()


def _statuses(account: dict[str, Any]) -> dict[str, str]:
    return {item["clause_id"].rsplit("/", 1)[-1] if item["clause_id"].startswith("BD") else item["clause_id"]:
            item["status"] for item in account["checklist"]}


@pytest.fixture
def make_account(as_user, demo):
    admin = as_user("admin")

    def make(institution: str = "district", **fields: Any) -> dict[str, Any]:
        body = {"institution_id": demo.institutions[institution], "platform": "facebook", "handle": "page", **fields}
        return admin.ok("POST", "/accounts", 201, json=body)

    return make


def test_a_bd_account_has_all_ten_items_with_citations_and_three_languages(make_account) -> None:
    account = make_account()
    assert [i["clause_id"] for i in account["checklist"]] == [f"BD-2019/6.1/{k}" for k in BD_ITEMS]
    for item in account["checklist"]:
        assert item["citation"].strip() and item["status"] in ("met", "not_met", "unknown")
        assert set(item["title"]) >= {"en", "bn"} and set(item["detail"]) == {"en", "hi", "bn"}
    summary = account["checklist_summary"]
    assert sum(summary.values()) == 10
    # Nothing recorded: the attestations and the password are unknown, links and names missing.
    assert _statuses(account) == {"ka": "unknown", "kha": "not_met", "ga": "not_met", "gha": "unknown",
                                  "nga": "unknown", "ca": "unknown", "cha": "unknown", "ja": "not_met",
                                  "jha": "not_met", "nya": "unknown"}


def test_ga_one_admin_or_a_team_of_three_to_five(make_account) -> None:
    for names, status in [(0, "not_met"), (1, "met"), (2, "not_met"), (3, "met"), (5, "met"), (6, "not_met")]:
        account = make_account(admins=[{"name": f"Officer {i}", "designation": "AC"} for i in range(names)])
        assert _statuses(account)["ga"] == status, names
        item = next(i for i in account["checklist"] if i["clause_id"].endswith("/ga"))
        assert item["detail"]["en"].startswith(f"{names} admin")


def test_nga_password_rotation_against_the_institutions_limit(make_account) -> None:
    for rotated, status in [(200, "not_met"), (91, "not_met"), (90, "met"), (20, "met"), (None, "unknown")]:
        account = make_account(password_rotated_on=None if rotated is None else _days_ago(rotated))
        assert _statuses(account)["nga"] == status, rotated
    detail = next(i for i in make_account(password_rotated_on=_days_ago(200))["checklist"]
                  if i["clause_id"].endswith("/nga"))["detail"]
    assert "200 days" in detail["en"] and "90 days" in detail["en"]


def test_nga_follows_the_institution_setting(as_user, make_account, demo) -> None:
    account = make_account(password_rotated_on=_days_ago(120))
    assert _statuses(account)["nga"] == "not_met"
    admin = as_user("admin")
    admin.ok("PATCH", f"/institutions/{demo.institutions['district']}", json={"password_rotation_days": 180})
    assert _statuses(admin.ok("GET", f"/accounts/{account['id']}"))["nga"] == "met"


def test_ka_the_page_is_named_after_the_office(make_account) -> None:
    for display_name, status in [
        ("Md. Abdul Karim", "not_met"),
        ("Dr. Rahman", "not_met"),
        ("জনাব আব্দুল করিম", "not_met"),
        ("মোঃ আব্দুল করিম", "not_met"),
        ("Abdul Karim", "not_met"),
        ("DC Office Dhaka — জেলা প্রশাসকের কার্যালয়, ঢাকা", "met"),
        ("Deputy Commissioner's Office, Dhaka (official)", "met"),
        ("dc office dhaka", "met"),
        ("", "unknown"),
    ]:
        assert _statuses(make_account(display_name=display_name))["ka"] == status, display_name


def test_the_demo_accounts(as_user, demo) -> None:
    admin = as_user("admin")
    dhaka = _statuses(admin.ok("GET", f"/accounts/{demo.accounts['dhaka_fb']}"))
    assert dhaka == dict.fromkeys(BD_ITEMS, "met")
    personal = _statuses(admin.ok("GET", f"/accounts/{demo.accounts['karim_x']}"))
    assert (personal["ka"], personal["ga"], personal["nga"], personal["jha"]) == ("not_met",) * 4


def test_ja_jha_links(as_user, make_account) -> None:
    account = make_account()
    for field, clause, value in [("grs_url", "jha", "https://grs.gov.bd"), ("website_url", "ja", "https://dhaka.gov.bd")]:
        assert _statuses(account)[clause] == "not_met"
        account = as_user("sohel").ok("PATCH", f"/accounts/{account['id']}", json={field: value})
        assert account["changed"] == [field] and _statuses(account)[clause] == "met"


def test_kha_purpose_and_audience_both(make_account) -> None:
    assert _statuses(make_account(purpose="Notices"))["kha"] == "not_met"
    assert _statuses(make_account(purpose="Notices", audience="Citizens of Dhaka"))["kha"] == "met"


def test_ca_privacy_notes(make_account) -> None:
    assert _statuses(make_account(privacy_notes="Messages answered by the admin team"))["ca"] == "met"


def test_attested_items(make_account) -> None:
    for value, status in [(True, "met"), (False, "not_met"), (None, "unknown")]:
        statuses = _statuses(make_account(profile_photo_institutional=value, platform_terms_followed=value,
                                          letterhead_shows_address=value))
        assert (statuses["gha"], statuses["cha"], statuses["nya"]) == (status,) * 3


def test_cg_directive_7_passwords_and_two_step_login(make_account) -> None:
    for rotated, two_factor, status in [(30, True, "met"), (30, False, "not_met"), (30, None, "unknown"),
                                        (200, True, "not_met"), (None, True, "unknown")]:
        account = make_account("cg", platform="x", handle="collector_raipur", two_factor_enabled=two_factor,
                               password_rotated_on=None if rotated is None else _days_ago(rotated))
        assert [i["clause_id"] for i in account["checklist"]] == ["IN-CG-2017/7"]
        item = account["checklist"][0]
        assert item["status"] == status, (rotated, two_factor)
        assert set(item["detail"]) == {"en", "hi", "bn"} and "Two-step login" in item["detail"]["en"]


def test_updates_are_audited_and_admin_lists_replaced(as_user, make_account, demo) -> None:
    account = make_account(admins=[{"name": "A"}, {"name": "B"}])
    sohel = as_user("sohel")
    updated = sohel.ok("PATCH", f"/accounts/{account['id']}", json={
        "admins": [{"name": "A", "designation": "AC"}, {"name": "B"}, {"name": "C"}],
        "password_rotated_on": _days_ago(1), "two_factor_enabled": True})
    assert sorted(updated["changed"]) == ["admins", "password_rotated_on", "two_factor_enabled"]
    assert [a["name"] for a in updated["admins"]] == ["A", "B", "C"]
    assert _statuses(updated)["ga"] == "met"
    # The same values again change nothing and are not audited again.
    assert sohel.ok("PATCH", f"/accounts/{account['id']}", json={"two_factor_enabled": True})["changed"] == []
    events = [e for e in as_user("admin").ok("GET", "/audit?limit=50")
              if e["object_type"] == "account" and e["object_id"] == account["id"]]
    assert [e["action"] for e in events] == ["account_updated", "account_created"]
    assert events[0]["actor"] == "sohel" and events[0]["details"]["admins"] == ["A", "B", "C"]


def test_the_checklist_function_takes_today(svc, demo) -> None:
    """Straight at the function, for the day-exact boundary of the rotation limit."""
    with svc.db.session() as session:
        account = session.scalar(select(Account).where(Account.id == demo.accounts["dhaka_fb"]))
        rotated = account.password_rotated_on
        at_limit = accounts.checklist(account, svc.screening, today=rotated + dt.timedelta(days=90))
        past = accounts.checklist(account, svc.screening, today=rotated + dt.timedelta(days=91))
    assert next(i for i in at_limit if i.clause_id.endswith("/nga")).status == "met"
    assert next(i for i in past if i.clause_id.endswith("/nga")).status == "not_met"


# --- §6.1(ক) with the office's name in Bengali or Hindi (issue 11, section 8) ------------------

@pytest.fixture
def ministry(as_user):
    """A BD ministry known by its English name, with its Bengali name as the local name."""
    admin = as_user("admin")
    return admin.ok("POST", "/institutions", 201, json={
        "name": "Ministry of Information", "short_name": "MoI", "jurisdiction": "BD", "kind": "ministry",
        "local_name": "তথ্য মন্ত্রণালয়"})


def test_institutions_have_a_zone_and_a_local_name(as_user, ministry) -> None:
    admin = as_user("admin")
    assert (ministry["timezone"], ministry["local_name"]) == ("Asia/Dhaka", "তথ্য মন্ত্রণালয়")
    cg = admin.ok("POST", "/institutions", 201, json={"name": "सूचना एवं जनसंपर्क विभाग", "jurisdiction": "IN-CG"})
    assert cg["timezone"] == "Asia/Kolkata"
    other = admin.ok("POST", "/institutions", 201, json={"name": "Field office", "jurisdiction": "BD",
                                                         "timezone": "Asia/Kolkata"})
    assert other["timezone"] == "Asia/Kolkata"
    bad = admin.request("POST", "/institutions", json={"name": "X", "jurisdiction": "BD", "timezone": "Asia/Nowhere"})
    assert bad.status_code == 422 and "timezone" in bad.json()["message"]
    for zone in ("../etc/passwd", "/usr/share/zoneinfo/UTC", "Asia/Dhaka\n"):
        assert admin.request("PATCH", f"/institutions/{ministry['id']}", json={"timezone": zone}).status_code == 422
    changed = admin.ok("PATCH", f"/institutions/{ministry['id']}", json={"timezone": "Asia/Kathmandu",
                                                                         "local_name": "তথ্য ও সম্প্রচার মন্ত্রণালয়"})
    assert changed["timezone"] == "Asia/Kathmandu" and changed["changed"]["timezone"]["from"] == "Asia/Dhaka"
    assert changed["local_name"] == "তথ্য ও সম্প্রচার মন্ত্রণালয়"


@pytest.mark.parametrize(
    ("display_name", "status"),
    [
        ("তথ্য মন্ত্রণালয়, বাংলাদেশ", "met"),
        # The same name typed with the decomposed য় (য + nukta) and a stray ZWNJ and ZWJ.
        ("ত\u200cথ্য মন্ত্রণাল\u09af\u09bc\u200d, বাংলাদেশ", "met"),
        ("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার — তথ্য মন্ত্রণালয়", "met"),
        ("MoI Bangladesh", "met"),
        ("Moinul Haque", "not_met"),  # "MoI" is a word, not the start of a name
        ("জনাব আব্দুল করিম, তথ্য মন্ত্রণালয়", "not_met"),  # a person's page, whatever else it names
        ("মোঃ আব্দুল করিম", "not_met"),
        ("বাংলাদেশ সরকার", "not_met"),
    ],
)
def test_ka_accepts_the_bengali_name(as_user, ministry, display_name: str, status: str) -> None:
    account = as_user("admin").ok("POST", "/accounts", 201, json={
        "institution_id": ministry["id"], "platform": "facebook", "handle": "moi", "display_name": display_name})
    assert _statuses(account)["ka"] == status, display_name


def test_ka_accepts_a_hindi_name_and_words_only_as_words(as_user) -> None:
    admin = as_user("admin")
    inst = admin.ok("POST", "/institutions", 201, json={
        "name": "Sreenagar Upazila Office", "jurisdiction": "BD", "local_name": "श्रीनगर उपजिला कार्यालय"})

    def ka(display_name: str) -> str:
        account = admin.ok("POST", "/accounts", 201, json={"institution_id": inst["id"], "platform": "facebook",
                                                           "handle": "sreenagar", "display_name": display_name})
        return _statuses(account)["ka"]

    # "श्री" (Mr.) inside the place name "श्रीनगर" is no personal title.
    assert ka("श्रीनगर उपजिला कार्यालय (आधिकारिक)") == "met"
    assert ka("श्री राम कुमार") == "not_met"
    assert ka("श्री राम कुमार, श्रीनगर उपजिला कार्यालय") == "not_met"
    detail = next(i for i in admin.ok("POST", "/accounts", 201, json={
        "institution_id": inst["id"], "platform": "x", "handle": "x", "display_name": "Upazila"})["checklist"]
        if i["clause_id"].endswith("/ka"))["detail"]
    assert "श्रीनगर उपजिला कार्यालय" in detail["hi"] and "Sreenagar Upazila Office" in detail["en"]
