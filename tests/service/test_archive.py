"""The archive of published posts: search in Bengali and Hindi, filters, CSV and JSON export, visibility."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from satark.service import workflow
from satark.service.archive import search_key
from satark.service.models import Post, User

ZWJ, ZWNJ = "\u200d", "\u200c"
RAB = "র" + ZWJ + "্যাব"  # RAB as most keyboards write it, with a zero-width joiner
RAB_TEXT = f"{RAB}-১ এর সহায়তায় ঢাকায় মাদকবিরোধী সচেতনতা সভা অনুষ্ঠিত হয়েছে।"
VICTORY = "আগামী ১৬ ডিসেম্বর বিজয় দিবস উপলক্ষে জেলা প্রশাসনের পক্ষ থেকে সকাল ৯টায় পুষ্পস্তবক অর্পণ করা হবে।"
CORRECTION = "বিজয় দিবসের অনুষ্ঠান সূচিতে সংশোধনী: পুষ্পস্তবক অর্পণ সকাল ১০টায়।"
WARD = "৭ নম্বর ওয়ার্ডে সেবা সপ্তাহ চলছে। আমার মেয়ের জন্মদিনের ছবিও দিলাম!"
PANCHAYAT = "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा। सभी नागरिक आमंत्रित हैं।"
HELPLINE = "@সবাই: জেলা প্রশাসনের নতুন হেল্পলাইন চালু হয়েছে।"
BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"


def _at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 4, 30, tzinfo=dt.UTC)


@dataclass
class Archive:
    rab: int
    victory: int
    ward: int
    panchayat: int
    helpline: int
    blocked: int
    demo_post: int
    #: The demo's own published post in Raipur ("टीकाकरण शिविर").
    demo_cg_post: int

    @property
    def bd(self) -> set[int]:
        return {self.rab, self.victory, self.ward, self.helpline, self.blocked, self.demo_post}

    @property
    def cg(self) -> set[int]:
        return {self.panchayat, self.demo_cg_post}


PEOPLE = {"dhaka_fb": ("rahima", "karim", "sohel"), "karim_x": ("rahima", "karim", "sohel"),
          "cg_fb": ("priya", "arvind", "priya")}


@pytest.fixture
def archive(svc, demo) -> Archive:
    """Published posts, made straight through the workflow functions (quicker than over HTTP)."""
    with svc.db.session() as session:
        users = {u.username: u for u in session.scalars(select(User))}

        def publish(text: str, when: dt.datetime, account: str = "dhaka_fb", title: str = "",
                    override: str | None = None) -> Post:
            author, approver, publisher = (users[n] for n in PEOPLE[account])
            post = workflow.create_post(session, svc.screening, author, account_id=demo.accounts[account],
                                        text=text, title=title)
            workflow.submit(session, author, post, confirm=True)
            workflow.approve(session, approver, post, override_reason=override)
            workflow.publish(session, publisher, post, url=f"https://example.gov/posts/{post.id}", published_at=when)
            return post

        victory = publish(VICTORY, _at(2, 15), title="বিজয় দিবস")
        made = Archive(
            rab=publish(RAB_TEXT, _at(1, 10), title="সচেতনতা সভা").id,
            victory=victory.id,
            ward=publish(WARD, _at(3, 1), account="karim_x").id,
            panchayat=publish(PANCHAYAT, _at(1, 20), account="cg_fb", title="स्वास्थ्य शिविर").id,
            helpline=publish(HELPLINE, _at(4, 2), title="=HYPERLINK(\"https://evil.example\")").id,
            blocked=publish(BLOCK_BN, _at(4, 5), override="Published at the complainant's written request.").id,
            demo_post=demo.published_post,
            demo_cg_post=demo.cg_published_post,
        )
        workflow.correct(session, svc.screening, users["rahima"], victory, text=CORRECTION,
                         note="The time was wrong: 10, not 9.")
        workflow.approve(session, users["karim"], victory)  # a correction goes live once approved
    return made


def _ids(api: Any, query: str = "") -> set[int]:
    found = api.ok("GET", "/archive" + ("?" + query if query else ""))
    assert found["total"] == len(found["results"]), found
    return {r["id"] for r in found["results"]}


def test_search_key_normalises_joiners_digits_and_case() -> None:
    assert search_key(RAB) == search_key("র্যাব") == "র্যাব"
    assert search_key("১৬ ডিসেম্বর") == search_key("16 ডিসেম্বর") == "16 ডিসেম্বর"
    assert search_key("१० बजे") == "10 बजे"
    assert search_key("क" + ZWNJ + "्ष") == "क्ष"
    assert search_key("  RAB\u00ad  Dhaka ") == "rab dhaka"


def test_bengali_search_ignores_joiners_and_native_digits(as_user, archive) -> None:
    admin = as_user("admin")
    assert _ids(admin, f"q={RAB}") == {archive.rab}
    assert _ids(admin, "q=র্যাব") == {archive.rab}, "typed without the zero-width joiner"
    assert _ids(admin, "q=র" + ZWNJ + "্যাব") == {archive.rab}, "typed with a ZWNJ instead"
    assert _ids(admin, "q=র্যাব-1") == {archive.rab}, "ASCII digit for the Bengali one"
    assert _ids(admin, "q=সচেতনতা সভা") == {archive.rab}
    assert _ids(admin, "q=ডিসেম্বর 16") == {archive.victory, archive.demo_post}
    assert _ids(admin, "q=পুষ্পস্তবক") == {archive.victory, archive.demo_post}
    assert _ids(admin, "q=কোনোকিছুনেই") == set()


def test_hindi_search(as_user, archive) -> None:
    for who in ("admin", "priya", "arvind"):
        assert _ids(as_user(who), "q=पंचायत") == {archive.panchayat}
    assert _ids(as_user("priya"), "q=१० बजे") == {archive.panchayat}, "Devanagari digits find ASCII ones"
    assert _ids(as_user("priya"), "q=स्वास्थ्य शिविर") == archive.cg, "both words, not necessarily side by side"
    assert _ids(as_user("priya"), "q=टीकाकरण") == {archive.demo_cg_post}
    assert _ids(as_user("rahima"), "q=पंचायत") == set(), "another institution's post"


def test_short_terms_of_one_or_two_characters(as_user, archive) -> None:
    admin = as_user("admin")
    assert _ids(admin, "q=ঢা") == {archive.rab}
    assert _ids(admin, "q=৭") == {archive.ward, archive.blocked}
    assert _ids(admin, "q=7") == {archive.ward, archive.blocked}
    assert _ids(admin, "q=ঢা সভা") == {archive.rab}, "a short and a long term together"
    assert _ids(admin, "q=ঢা বিজয়") == set()
    assert _ids(admin, "q=कल") == {archive.panchayat}
    assert _ids(admin, "q=%25") == set(), "LIKE wildcards are escaped"
    assert _ids(admin, "q=_") == set()


def test_corrections_are_searchable_and_kept_beside_the_original(as_user, archive) -> None:
    admin = as_user("admin")
    assert _ids(admin, "q=সংশোধনী") == {archive.victory}
    assert _ids(admin, "q=৯টায়") >= {archive.victory}, "the original text stays searchable"
    record = next(r for r in admin.ok("GET", "/archive?q=সংশোধনী")["results"])
    assert record["state"] == "corrected" and record["text"] == VICTORY
    assert [(c["text"], c["note"]) for c in record["corrections"]] == [(CORRECTION, "The time was wrong: 10, not 9.")]
    assert record["published_at"].startswith("2026-02-15T04:30:00")
    assert record["published_url"] == f"https://example.gov/posts/{archive.victory}"


def test_filters(as_user, demo, archive) -> None:
    admin = as_user("admin")
    everything = _ids(admin)
    assert everything == archive.bd | archive.cg
    assert _ids(admin, f"institution_id={demo.institutions['cg']}") == archive.cg
    assert _ids(admin, f"institution_id={demo.institutions['district']}") == archive.bd
    assert _ids(admin, f"account_id={demo.accounts['karim_x']}") == {archive.ward}
    assert _ids(admin, "date_from=2026-01-01&date_to=2026-01-31") == {archive.rab, archive.panchayat}
    assert _ids(admin, "date_from=2026-04-02&date_to=2026-04-02") == {archive.helpline}
    assert _ids(admin, "date_to=2025-12-31") == set()
    assert _ids(admin, "category=personal_on_official") == {archive.ward}
    assert _ids(admin, "category=confidential") == {archive.blocked}
    assert _ids(admin, "category=confid") == set(), "categories match whole"
    assert _ids(admin, "verdict=review") == {archive.ward}
    assert _ids(admin, "verdict=block") == {archive.blocked}
    assert _ids(admin, "verdict=clear") == everything - {archive.ward, archive.blocked}
    assert _ids(admin, "state=corrected") == {archive.victory}
    assert _ids(admin, f"q=সভা&institution_id={demo.institutions['cg']}") == set()
    assert _ids(admin, "q=প্রশাসনের&date_from=2026-04-01&date_to=2026-06-30") == {archive.helpline}


def test_paging_is_newest_first(as_user, demo, archive) -> None:
    admin = as_user("admin")
    district = demo.institutions["district"]
    first = admin.ok("GET", f"/archive?limit=2&institution_id={district}")
    assert first["total"] == len(archive.bd) and len(first["results"]) == 2
    assert [r["id"] for r in first["results"]] == [archive.demo_post, archive.blocked]
    rest = admin.ok("GET", f"/archive?limit=50&offset=2&institution_id={district}")["results"]
    assert [r["id"] for r in rest] == [archive.helpline, archive.ward, archive.victory, archive.rab]


def test_drafts_and_pending_posts_are_not_in_the_archive(as_user, flow, archive) -> None:
    for state in ("draft", "submitted", "approved"):
        flow.post(state, VICTORY + f" ({state})")
    retracted = flow.post("retracted", HELPLINE.replace("নতুন", "পুরোনো"))
    found = _ids(as_user("admin"))
    assert found == archive.bd | archive.cg | {retracted["id"]}
    record = as_user("admin").ok("GET", "/archive?q=পুরোনো")["results"][0]
    assert record["state"] == "retracted" and record["retraction_reason"] == "superseded by a new notice"


def test_users_see_only_their_institutions_posts(as_user, archive) -> None:
    assert _ids(as_user("priya")) == archive.cg
    assert _ids(as_user("arvind")) == archive.cg
    assert _ids(as_user("rahima")) == archive.bd
    assert _ids(as_user("monitor")) == archive.bd, "the ministry's monitor sees the district below"
    assert _ids(as_user("priya"), "q=সভা") == set()
    csv_text = as_user("priya").get("/archive?format=csv").text
    assert "পুষ্পস্তবক" not in csv_text and "पंचायत" in csv_text
    assert [r["id"] for r in as_user("priya").get("/archive?format=json").json()] == [archive.demo_cg_post,
                                                                                      archive.panchayat]


def test_csv_export(as_user, archive) -> None:
    response = as_user("admin").get("/archive?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf"), "a BOM, so spreadsheets read UTF-8"
    body = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["id", "institution", "account", "title", "state", "verdict", "categories",
                             "published_url", "published_at", "text", "latest_correction", "retraction_reason"]
    by_id = {int(r["id"]): r for r in rows}
    assert set(by_id) == archive.bd | archive.cg
    assert by_id[archive.rab]["text"] == RAB_TEXT, "Bengali, joiner and all, comes through unchanged"
    assert by_id[archive.panchayat]["text"] == PANCHAYAT
    assert by_id[archive.victory]["latest_correction"] == CORRECTION and by_id[archive.victory]["text"] == VICTORY
    # Cells a spreadsheet would run as formulas are defused.
    assert by_id[archive.helpline]["title"] == "'=HYPERLINK(\"https://evil.example\")"
    assert by_id[archive.helpline]["text"] == "'" + HELPLINE
    assert by_id[archive.ward]["categories"] == "personal_on_official"
    assert by_id[archive.ward]["account"] == "x:karim_dc"
    filtered = as_user("admin").get("/archive?format=csv&q=পঞ্চায়েত")
    assert filtered.content.decode("utf-8").count("\n") == 1, "only the header"


def test_json_export(as_user, archive) -> None:
    response = as_user("admin").get("/archive?format=json&verdict=clear")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert "attachment" in response.headers["content-disposition"]
    assert "পুষ্পস্তবক".encode() in response.content, "not \\u-escaped"
    records = json.loads(response.content)
    assert {r["id"] for r in records} == (archive.bd | archive.cg) - {archive.ward, archive.blocked}
    victory = next(r for r in records if r["id"] == archive.victory)
    assert victory["text"] == VICTORY and victory["corrections"][0]["text"] == CORRECTION
    assert victory["institution"] == "Deputy Commissioner's Office, Dhaka" and victory["categories"] == []
