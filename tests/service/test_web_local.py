"""The web UI in the user's place and language (issue 11, section 8): dates in the institution's
time zone and the UI locale, the service's messages and the rules' titles in Hindi and Bengali,
the checklist of a new account, the phone-width menu, and the approver's request on the editor.

Same harness as ``test_web.py``: a fresh SQLite database with the demo data, driven through
plain HTML forms.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select

from satark.service import directory
from satark.service.context import Services
from satark.service.i18n import format_datetime_in
from satark.service.models import Account, Institution, Post

from . import test_web
from .test_web import Browser, ids, main_of, post_row, text_of

# test_web.py's fixtures: the app on a fresh SQLite database with the demo data, and a browser.
app_svc, svc, browser = test_web.app_svc, test_web.svc, test_web.browser

STATIC = Path(__file__).resolve().parents[2] / "src" / "satark" / "service" / "web" / "static"


def _set_published(svc: Services, post_id: int, when: dt.datetime) -> None:
    with svc.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        post.published_at = when


def _institution(svc: Services, short_name: str) -> Institution:
    with svc.db.session() as session:
        inst = session.scalar(select(Institution).where(Institution.short_name == short_name))
        assert inst is not None
        session.expunge(inst)
        return inst


# --- dates and time zones -------------------------------------------------------------------------

def test_institutions_get_their_jurisdictions_zone(svc: Services) -> None:
    assert _institution(svc, "DC Office Dhaka").timezone == "Asia/Dhaka"
    assert _institution(svc, "MoPA").timezone == "Asia/Dhaka"
    assert _institution(svc, "Collector Raipur").timezone == "Asia/Kolkata"


def test_a_post_shows_its_times_in_its_institutions_zone_and_the_ui_locale(browser: Browser, svc: Services) -> None:
    post_id = ids(svc)["published"]
    # 20:00 UTC on 23 November is 02:00 on the 24th in Dhaka: the day changes too.
    _set_published(svc, post_id, dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC))
    browser.login("rahima")
    english = browser.get(f"/posts/{post_id}")
    assert "24 Nov 2026, 2:00\u202fAM" in english.text  # day first, not the US's "Nov 24"
    assert "Nov 24" not in english.text and "11/24/26" not in english.text and "20:00" not in english.text
    assert "Times are shown in Bangladesh Time (Asia/Dhaka)." in english.text

    browser.post("/lang", {"lang": "bn", "next": "/"})
    bengali = browser.get(f"/posts/{post_id}")
    assert "24 নভে, 2026 2:00 AM" in bengali.text
    assert "সময় বাংলাদেশ সময় (Asia/Dhaka) অনুযায়ী দেখানো হয়েছে।" in bengali.text
    browser.post("/lang", {"lang": "hi", "next": "/"})
    hindi = browser.get(f"/posts/{post_id}")
    assert "24 नव॰ 2026, 2:00 am" in hindi.text
    assert "समय बांग्लादेश समय (Asia/Dhaka) में दिखाए गए हैं।" in hindi.text
    # Lists (the archive) use the user's institution's zone: Dhaka for Rahima.
    archive = browser.get("/archive")
    shown = format_datetime_in(dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC), "hi", "Asia/Dhaka", "short")
    assert shown == "24/11/26, 2:00 am" and shown in archive.text


def test_a_chhattisgarh_user_sees_india_time(browser: Browser, svc: Services) -> None:
    browser.login("priya")
    browser.post("/lang", {"lang": "hi", "next": "/"})
    page = browser.get("/posts")
    assert "समय भारत समय (Asia/Kolkata) में दिखाए गए हैं।" in page.text
    assert format_datetime_in(dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC), "hi", "Asia/Kolkata", "short") \
        == "1/1/26, 5:30 am"


def test_the_publication_time_is_read_in_the_institutions_zone(browser: Browser, svc: Services) -> None:
    """Priya (Raipur, UTC+5:30) records a publication at 10:00 her time: 04:30 UTC."""
    browser.login("priya")
    post = browser.act("/posts/new", {"account_id": str(ids(svc)["cg_fb"]), "title": "शिविर",
                                      "text": "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा।"})
    post_id = int(re.search(r'action="/posts/(\d+)/submit"', post.text).group(1))  # type: ignore[union-attr]
    browser.act(f"/posts/{post_id}/submit")
    browser.login("arvind")
    browser.act(f"/posts/{post_id}/approve", {"comment": "ठीक है"})
    browser.login("priya")
    form = browser.get(f"/posts/{post_id}")
    assert "Time in India Time (Asia/Kolkata). Leave empty for now." in form.text
    assert "Published at (UTC)" not in form.text
    done = browser.act(f"/posts/{post_id}/publish", {"url": "https://facebook.com/collectorraipur/posts/9",
                                                     "published_at": "2026-12-01T10:00"})
    assert post_row(svc, post_id).published_at == dt.datetime(2026, 12, 1, 4, 30, tzinfo=dt.UTC)
    assert "1 Dec 2026, 10:00\u202fAM" in done.text


def test_archive_dates_are_days_in_the_users_zone(browser: Browser, svc: Services) -> None:
    post_id = ids(svc)["published"]
    _set_published(svc, post_id, dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC))  # the 24th in Dhaka
    browser.login("rahima")
    on_24th = browser.get("/archive?date_from=2026-11-24&date_to=2026-11-24")
    assert f'href="/posts/{post_id}"' in on_24th.text
    assert "Dates are days in Bangladesh Time (Asia/Dhaka)." in on_24th.text
    on_23rd = browser.get("/archive?date_from=2026-11-23&date_to=2026-11-23")
    assert f'href="/posts/{post_id}"' not in on_23rd.text
    # The earliest day there is still works east of Greenwich (its midnight is before year 1 in UTC).
    assert browser.get("/archive?date_from=0001-01-01").status_code == 200
    # ... and the last day there is, west of Greenwich or east (its end is past year 9999 in UTC)
    assert browser.get("/archive?date_to=9999-12-31").status_code == 200
    assert browser.get("/archive?date_from=9999-12-31&date_to=9999-12-31").status_code == 200
    assert browser.get("/audit?from=0001-01-01").status_code == 200


def test_an_admin_sets_the_zone_and_the_local_name(browser: Browser, svc: Services) -> None:
    district = _institution(svc, "DC Office Dhaka").id
    browser.login("admin")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    page = browser.get("/settings")
    assert f'id="f-{district}-timezone"' in page.text and 'value="Asia/Dhaka"' in page.text
    assert '<datalist id="time-zones">' in page.text and "স্থানীয় ভাষায় নাম" in page.text

    bad = browser.post(f"/settings/institutions/{district}", {"timezone": "Mars/Olympus", "local_name": "",
                                                              "approval_tiers": "1"})
    assert bad.status_code == 422
    assert "Asia/Kolkata বা Asia/Dhaka-এর মতো সময় অঞ্চলের নাম দিন।" in bad.text  # next to the field
    assert "“সময় অঞ্চল” Asia/Kolkata বা Asia/Dhaka-এর মতো IANA সময় অঞ্চলের নাম হতে হবে" in bad.text  # the service's
    assert "must be an IANA" not in bad.text
    assert _institution(svc, "DC Office Dhaka").timezone == "Asia/Dhaka"

    saved = browser.act(f"/settings/institutions/{district}", {
        "timezone": " Asia/Kolkata ", "local_name": "জেলা প্রশাসকের কার্যালয়, ঢাকা", "approval_tiers": "1"})
    assert 'class="flash flash-success"' in saved.text
    inst = _institution(svc, "DC Office Dhaka")
    assert (inst.timezone, inst.local_name) == ("Asia/Kolkata", "জেলা প্রশাসকের কার্যালয়, ঢাকা")
    assert '<span lang="bn">জেলা প্রশাসকের কার্যালয়, ঢাকা</span>' in saved.text
    # The institution's posts now show India time.
    post = browser.get(f"/posts/{ids(svc)['published']}")
    assert "ভারত সময় (Asia/Kolkata)" in post.text


# --- the service's messages and the rules in Hindi and Bengali ----------------------------------

def test_service_messages_are_translated(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    browser.post("/lang", {"lang": "hi", "next": "/"})
    missing = browser.get("/posts/999999")
    assert missing.status_code == 404 and "पोस्ट 999999 नहीं मिली" in missing.text
    assert "no post" not in missing.text and '<span lang="en">' not in missing.text
    forbidden = browser.get("/accounts/new")
    assert forbidden.status_code == 403
    assert "खाता जोड़ने के लिए किसी संस्था में मॉडरेटर या प्रशासक की भूमिका चाहिए" in forbidden.text

    browser.login("karim")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    post_id = ids(svc)["submitted"]
    short = browser.post(f"/posts/{post_id}/request-changes", {"comment": "না"})
    assert short.status_code == 422
    assert "লেখকের জন্য মন্তব্য পুরোপুরি লিখতে হবে (অন্তত 10 অক্ষর)" in short.text
    assert "must be written out" not in short.text
    wrong_state = browser.post(f"/posts/{ids(svc)['published']}/approve", {"comment": "ঠিক আছে"})
    assert wrong_state.status_code == 409
    assert "“প্রকাশিত” অবস্থার পোস্টে “অনুমোদন করুন” কাজটি করা যায় না; যে অবস্থায় সম্ভব: জমা দেওয়া হয়েছে" \
        in wrong_state.text
    assert "cannot approve" not in wrong_state.text


def test_account_form_errors_are_translated(browser: Browser, svc: Services) -> None:
    karim_x = ids(svc)["karim_x"]
    browser.login("admin")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    bad = browser.post(f"/accounts/{karim_x}/edit", {"platform": "x", "handle": "karim_dc", "grs_url": "grs.gov.bd",
                                                      "admin_name_0": "Abdul Karim"})
    assert bad.status_code == 422
    assert "“জিআরএস লিংক” http(s) ঠিকানা হতে হবে" in bad.text  # the service's message, its field named in Bengali
    assert "grs_url must be" not in bad.text


def test_rule_titles_are_in_the_ui_language(browser: Browser, svc: Services) -> None:
    browser.login("admin")
    for lang, title in [("bn", "পেজ দপ্তরের নামে, ব্যক্তির নামে নয়"), ("hi", "पेज का नाम दफ्तर के नाम पर, व्यक्ति के नहीं"),
                        ("en", "Page named after the office, not a person")]:
        browser.post("/lang", {"lang": lang, "next": "/"})
        assert title in browser.get(f"/accounts/{ids(svc)['dhaka_fb']}").text, lang
    browser.post("/lang", {"lang": "hi", "next": "/"})
    post = browser.get(f"/posts/{ids(svc)['submitted']}")  # "my daughter's birthday photo": BD §7(গ)
    assert "§7(গ) — आधिकारिक मीडिया पर निजी या पारिवारिक सामग्री नहीं" in post.text


# --- a new account's checklist --------------------------------------------------------------------

def test_a_new_accounts_questions_start_as_not_yet_checked(browser: Browser, svc: Services) -> None:
    browser.login("admin")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    form = browser.get("/accounts/new")
    for name in ("two_factor_enabled", "profile_photo_institutional", "platform_terms_followed",
                 "letterhead_shows_address"):
        select_html = re.search(rf'<select id="f-{name}".*?</select>', form.text, flags=re.S)
        assert select_html, name
        assert '<option value="" selected>এখনও যাচাই করা হয়নি</option>' in select_html.group(0), name
        assert 'value="no" selected' not in select_html.group(0)
    new = browser.act("/accounts/new", {"institution_id": str(_institution(svc, "DC Office Dhaka").id),
                                        "platform": "facebook", "handle": "dc_dhaka_2",
                                        "display_name": "জেলা প্রশাসকের কার্যালয়, ঢাকা",
                                        "two_factor_enabled": "", "profile_photo_institutional": "",
                                        "platform_terms_followed": "", "letterhead_shows_address": ""})
    with svc.db.session() as session:
        account = session.scalar(select(Account).where(Account.handle == "dc_dhaka_2"))
        assert account is not None
        assert (account.profile_photo_institutional, account.platform_terms_followed,
                account.letterhead_shows_address, account.two_factor_enabled) == (None, None, None, None)
    assert "এখনও যাচাই করা হয়নি" in new.text


def test_a_bengali_page_name_meets_the_office_name_rule(browser: Browser, svc: Services) -> None:
    with svc.db.session() as session:
        inst = directory.create_institution(session, None, svc.screening, name="Ministry of Information",
                                            short_name="MoI", jurisdiction="BD", local_name="তথ্য মন্ত্রণালয়")
        inst_id = inst.id
        directory.add_member(session, None, inst_id, "sohel", "moderator")
    browser.login("sohel")
    new = browser.act("/accounts/new", {"institution_id": str(inst_id), "platform": "facebook",
                                        "handle": "moi.bd", "display_name": "তথ্য মন্ত্রণালয়, বাংলাদেশ"})
    row = re.search(r"§6\.1\(ক\).*?</tr>", new.text, flags=re.S)
    assert row and "check-met" in row.group(0) and "The name includes the institution" in row.group(0)


# --- the phone-width menu ---------------------------------------------------------------------------

def test_the_menu_folds_behind_a_toggle_without_script(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    page = browser.get("/posts")
    nav = re.search(r'<nav class="site-nav".*?</nav>', page.text, flags=re.S)
    assert nav
    assert '<input type="checkbox" id="nav-toggle" class="nav-toggle" aria-controls="nav-list">' in nav.group(0)
    assert '<label for="nav-toggle" class="nav-toggle-label">' in nav.group(0) and "মেনু</label>" in nav.group(0)
    assert '<ul id="nav-list" class="nav-list">' in nav.group(0) and ">ড্যাশবোর্ড</a>" in nav.group(0)
    assert "<script>" not in page.text and " style=" not in page.text  # nothing the CSP would block
    css = (STATIC / "satark.css").read_text(encoding="utf-8")
    phone = css[css.index("@media (max-width: 40rem)"):]
    assert ".nav-toggle:not(:checked) ~ .nav-list { display: none; }" in phone
    assert ".nav-toggle, .nav-toggle-label { display: none; }" in css[:css.index("@media (max-width: 40rem)")]


# --- the approver's request on the editor ----------------------------------------------------------

def test_the_editor_shows_what_the_approver_asked_for(browser: Browser, svc: Services) -> None:
    post_id = ids(svc)["submitted"]
    browser.login("karim")
    browser.act(f"/posts/{post_id}/request-changes", {"comment": "প্রথম অনুরোধ: ছবির লাইনটি দেখুন।"})
    browser.login("rahima")
    browser.act(f"/posts/{post_id}/submit", {"confirm": "1"})
    browser.login("nasreen")
    request = "মেয়ের জন্মদিনের ছবির লাইনটি বাদ দিন।\nবাকিটা ঠিক আছে।"
    browser.act(f"/posts/{post_id}/request-changes", {"comment": request})

    browser.login("rahima")
    browser.post("/lang", {"lang": "hi", "next": "/"})
    editor = browser.get(f"/posts/{post_id}/edit")
    box = re.search(r'<section class="notice notice-warning changes-request".*?</section>', editor.text, flags=re.S)
    assert box, text_of(main_of(editor.text))[:500]
    assert "अनुमोदक ने संशोधन माँगे हैं" in box.group(0) and "Nasreen Haque" in box.group(0)
    assert f'<blockquote class="reviewer-comment" lang="bn">{request}</blockquote>' in box.group(0)
    assert "প্রথম অনুরোধ" not in box.group(0)  # only the latest request
    assert ", संस्करण 1 पर:" in box.group(0)

    browser.act(f"/posts/{post_id}/edit", {"title": "সেবা সপ্তাহ", "text": "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন।",
                                          "action": "save"})
    browser.act(f"/posts/{post_id}/submit")
    assert browser.get(f"/posts/{post_id}/edit", follow_redirects=False).status_code == 303
    # A draft never sent back has no such box.
    new = browser.get("/posts/new")
    assert "changes-request" not in new.text
