"""The web UI through plain HTML forms (no JavaScript, no browser): every flow must work like this.

Each test gets a fresh SQLite database with the demo data and drives the pages the way a
browser with JavaScript off would: GET a page, read the form's CSRF token, POST the form,
follow the redirect. The screening engine is the shared rules-mode one from ``conftest.py``,
so the real BD and IN-CG packs are loaded.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import warnings
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette asks for ``httpx2`` and warns when its test client falls back to ``httpx``.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from satark.service.app import create_app
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD, seed_demo
from satark.service.models import (
    Account,
    AuditEvent,
    Institution,
    LoginAttempt,
    Post,
    Revision,
    SavedCheck,
    User,
    WebSession,
)
from satark.service.screening import Screening
from satark.service.settings import Settings

#: "my daughter's birthday photo" on an official page: personal content, verdict review.
REVIEW_BN = "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন। আমার মেয়ের জন্মদিনের ছবিও দিলাম!"
#: A citizen's mobile number on an official page: confidential, verdict block.
BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"
CLEAR_BN = "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন।"
CLEAR_HI = "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा। सभी नागरिक आमंत्रित हैं।"
HTML = {"accept": "text/html,application/xhtml+xml"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class Browser:
    """A TestClient that keeps cookies like a browser and fills in the CSRF token of the last page."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.csrf = ""

    def get(self, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        response = self.client.get(path, headers=HTML | (headers or {}), **kwargs)
        if found := _CSRF.search(response.text):
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, follow: bool = False,
             **kwargs: Any) -> Any:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf_token", self.csrf)
        response = self.client.post(path, data=body, headers=HTML, follow_redirects=follow, **kwargs)
        if found := _CSRF.search(response.text):
            self.csrf = found.group(1)
        return response

    def login(self, username: str) -> None:
        self.client.cookies.clear()
        response = self.post("/login", {"username": username, "password": DEMO_PASSWORD, "next": "/"}, csrf=False)
        assert response.status_code == 303, response.text
        assert self.get("/").status_code == 200
        assert self.csrf

    def act(self, path: str, data: dict[str, Any] | None = None) -> Any:
        """POST a form that should succeed, and return the page it redirects to."""
        response = self.post(path, data)
        assert response.status_code == 303, f"{path}: {response.status_code} {text_of(response.text)[:800]}"
        return self.get(response.headers["location"])


@pytest.fixture
def app_svc(tmp_path: Path, screening: Screening) -> Iterator[tuple[Any, Services]]:
    """The app on a fresh SQLite database with the demo data; ``screening`` is conftest's shared engine."""
    assert {"BD", "IN-CG"} <= set(screening.jurisdictions())  # the real packs, not a stub
    settings = Settings(data_dir=tmp_path / "data", screening_mode="rules", live_mode="rules")
    svc = Services(settings, screening=screening)
    app = create_app(settings, svc)
    with TestClient(app):  # runs the migrations (the app's lifespan)
        with svc.db.session() as session:
            assert seed_demo(session, svc.screening).created
        yield app, svc
    svc.db.dispose()


@pytest.fixture
def svc(app_svc: tuple[Any, Services]) -> Services:
    """This module's services (SQLite only), in place of conftest's ``svc`` that runs on every backend."""
    return app_svc[1]


@pytest.fixture
def browser(app_svc: tuple[Any, Services]) -> Iterator[Browser]:
    with TestClient(app_svc[0]) as client:
        yield Browser(client)


@pytest.fixture
def on_backend(settings: Settings, screening: Screening) -> Iterator[tuple[Browser, Services]]:
    """A browser and services on conftest's ``settings``: each backend it runs (SQLite, PostgreSQL)."""
    svc = Services(settings, screening=screening)
    with TestClient(create_app(settings, svc)) as client:
        with svc.db.session() as session:
            assert seed_demo(session, svc.screening).created
        yield Browser(client), svc
    svc.db.dispose()


def text_of(html: str) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, spaces squeezed."""
    without = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", without)).split())


def main_of(html: str) -> str:
    match = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert match, html[:500]
    return match.group(0)


def ids(svc: Services) -> dict[str, int]:
    with svc.db.session() as session:
        accounts = {a.handle: a.id for a in session.scalars(select(Account))}
        # the first post in each state (the demo publishes one in Dhaka, then one in Raipur)
        posts = {p.state: p.id for p in session.scalars(select(Post).order_by(Post.id.desc()))}
        cg_published = session.scalars(select(Post.id).where(
            Post.account_id == accounts["collectorraipur"], Post.state == "published").order_by(Post.id)).first()
    assert cg_published is not None
    return {"dhaka_fb": accounts["dcdhaka"], "karim_x": accounts["karim_dc"], "cg_fb": accounts["collectorraipur"],
            "published": posts["published"], "submitted": posts["submitted"], "cg_published": cg_published}


def post_row(svc: Services, post_id: int) -> Post:
    with svc.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        return post


def count(svc: Services, model: Any) -> int:
    with svc.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


# --- logging in and out ------------------------------------------------------------------------

def test_login_and_logout(browser: Browser, svc: Services) -> None:
    first = browser.get("/posts?state=draft", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/login?next=/posts%3Fstate%3Ddraft"

    page = browser.get("/login?next=/posts")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert 'for="f-username"' in page.text and 'autocomplete="current-password"' in page.text
    assert "site-nav" not in page.text  # no menu before logging in

    wrong = browser.post("/login", {"username": "rahima", "password": "not-the-password", "next": "/posts"},
                         csrf=False)
    assert wrong.status_code == 401 and "Wrong username or password." in wrong.text
    assert 'aria-describedby="login-error"' in wrong.text and "set-cookie" not in wrong.headers
    assert 'value="rahima"' in wrong.text  # the username is kept, the password is not

    ok = browser.post("/login", {"username": "rahima", "password": DEMO_PASSWORD, "next": "/posts"}, csrf=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/posts"
    cookie = ok.headers["set-cookie"].lower()
    assert "satark_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    home = browser.get("/")
    assert home.status_code == 200 and "Rahima Akter (author)" in home.text and 'action="/logout"' in home.text
    assert browser.get("/login", follow_redirects=False).headers["location"] == "/"  # already logged in

    out = browser.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert "You have logged out." in browser.get("/login").text
    assert browser.get("/", follow_redirects=False).status_code == 303
    assert count(svc, WebSession) == 0


def test_login_goes_only_to_local_pages_and_is_throttled(browser: Browser, svc: Services) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = browser.post("/login", {"username": "karim", "password": DEMO_PASSWORD, "next": target},
                                csrf=False)
        assert response.status_code == 303 and response.headers["location"] == "/", target
    browser.client.cookies.clear()
    statuses = [browser.post("/login", {"username": "nasreen", "password": "wrong-password-1"}, csrf=False).status_code
                for _ in range(svc.settings.login_max_failures + 1)]
    assert statuses[:-1] == [401] * svc.settings.login_max_failures
    assert statuses[-1] == 429
    refused = browser.post("/login", {"username": "nasreen", "password": DEMO_PASSWORD}, csrf=False)
    assert refused.status_code == 429 and "Too many failed logins" in refused.text and "retry-after" in refused.headers
    with svc.db.session() as session:
        failures = session.scalar(select(func.count()).select_from(LoginAttempt)
                                  .where(LoginAttempt.username == "nasreen", LoginAttempt.success.is_(False)))
    assert failures == svc.settings.login_max_failures  # each refusal was committed and counted


def test_a_post_without_the_csrf_token_is_refused(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    submitted = ids(svc)["submitted"]
    for data in ({}, {"csrf_token": "forged"}):
        response = browser.client.post(f"/posts/{submitted}/withdraw", data=data, headers=HTML,
                                       follow_redirects=False)
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "Not allowed" in response.text and "CSRF" in response.text
    assert post_row(svc, submitted).state == "submitted"
    assert browser.client.post("/logout", data={}, headers=HTML).status_code == 403
    # with the token the same form works
    assert "Withdrawn: the post is a draft again." in browser.act(f"/posts/{submitted}/withdraw").text
    assert post_row(svc, submitted).state == "draft"


# --- languages ---------------------------------------------------------------------------------

def test_language_switch(browser: Browser, svc: Services) -> None:
    assert '<html lang="hi">' in browser.get("/login", headers={"accept-language": "hi-IN,hi;q=0.9"}).text
    browser.login("rahima")
    page = browser.get("/posts")
    assert '<html lang="en">' in page.text and '<input type="hidden" name="next" value="/posts">' in page.text

    switched = browser.post("/lang", {"lang": "hi", "next": "/posts"})
    assert switched.status_code == 303 and switched.headers["location"] == "/posts"
    assert "satark_lang=hi" in switched.headers["set-cookie"]
    hindi = browser.get("/")
    assert '<html lang="hi">' in hindi.text and ">डैशबोर्ड</a>" in hindi.text and "मेरे प्रारूप" in hindi.text
    with svc.db.session() as session:
        assert session.scalar(select(User.ui_lang).where(User.username == "rahima")) == "hi"

    assert browser.post("/lang", {"lang": "bn", "next": "//evil.example"}).headers["location"] == "/"
    bengali = browser.get("/posts/new")
    assert '<html lang="bn">' in bengali.text and ">ড্যাশবোর্ড</a>" in bengali.text and "খসড়া সংরক্ষণ করুন" in bengali.text

    # A form without the token (an error page has none) still switches the cookie, not the account.
    forged = browser.post("/lang", {"lang": "en", "next": "/"}, csrf=False)
    assert forged.status_code == 303 and "satark_lang=en" in forged.headers["set-cookie"]
    with svc.db.session() as session:
        assert session.scalar(select(User.ui_lang).where(User.username == "rahima")) == "bn"
    # Without the cookie, the language saved on the account wins over the browser's.
    browser.client.cookies.delete("satark_lang")
    assert '<html lang="bn">' in browser.get("/", headers={"accept-language": "en"}).text
    assert browser.post("/lang", {"lang": "fr", "next": "/"}).status_code == 422


# --- the editor, with JavaScript off -----------------------------------------------------------

def test_editor_checks_and_saves_without_javascript(browser: Browser, svc: Services) -> None:
    account = ids(svc)["dhaka_fb"]
    browser.login("rahima")
    editor = browser.get("/posts/new")
    assert f'<option value="{account}">' in editor.text
    assert f'<option value="{ids(svc)["cg_fb"]}">' not in editor.text  # not her institution
    assert 'hx-post="/ui/screen"' in editor.text and 'hx-trigger="input changed delay:500ms"' in editor.text
    before = count(svc, Post)

    checked = browser.post("/posts/new", {"account_id": account, "title": "সেবা", "text": REVIEW_BN,
                                          "action": "check"})
    assert checked.status_code == 200
    marks = re.findall(r'<mark class="flag flag-personal_on_official"[^>]*>([^<]*)</mark>', checked.text)
    assert marks == ["আমার মেয়ের"]
    assert "§7(গ)" in checked.text and "Needs review" in checked.text
    assert ">\n" + REVIEW_BN + "</textarea>" in checked.text  # what was typed stays in the box
    assert count(svc, Post) == before  # checking stores nothing

    empty = browser.post("/posts/new", {"account_id": account, "text": "  ", "action": "save"})
    assert empty.status_code == 422 and "Write the post&#39;s text." in empty.text
    assert 'aria-describedby="f-text-help f-text-error"' in empty.text and 'aria-invalid="true"' in empty.text

    saved = browser.act("/posts/new", {"account_id": account, "title": "সেবা সপ্তাহ", "text": REVIEW_BN,
                                       "action": "save"})
    assert "Draft saved and screened." in saved.text and "<mark " in saved.text
    assert count(svc, Post) == before + 1

    # The live check htmx calls: the report's live region alone, swapped in place.
    partial = browser.client.post("/ui/screen", data={"account_id": account, "text": REVIEW_BN},
                                  headers={"X-CSRF-Token": browser.csrf, "HX-Request": "true"})
    assert partial.status_code == 200 and partial.text.lstrip().startswith('<div id="screen-result"')
    assert "<html" not in partial.text and "আমার মেয়ের</mark>" in partial.text
    assert browser.client.post("/ui/screen", data={"account_id": account, "text": REVIEW_BN}).status_code == 403


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("settings_overrides", [{"live_mode": "fast"}])
def test_the_live_check_says_it_is_the_quick_one(on_backend: tuple[Browser, Services]) -> None:
    browser, svc = on_backend
    browser.login("rahima")
    account = ids(svc)["dhaka_fb"]
    partial = browser.client.post("/ui/screen", data={"account_id": account, "text": REVIEW_BN},
                                  headers={"X-CSRF-Token": browser.csrf, "HX-Request": "true"})
    assert partial.status_code == 200 and "Quick check" in partial.text
    assert "The full check runs when you save or press Check." in partial.text
    checked = browser.post("/posts/new", {"account_id": account, "title": "", "text": REVIEW_BN, "action": "check"})
    assert "Rules only" in checked.text and "The full check runs" not in checked.text


def test_the_whole_workflow_through_forms_with_an_override(on_backend: tuple[Browser, Services]) -> None:
    browser, svc = on_backend
    account = ids(svc)["dhaka_fb"]
    browser.login("rahima")
    page = browser.act("/posts/new", {"account_id": account, "title": "অভিযোগ", "text": BLOCK_BN, "action": "save"})
    post_id = int(re.search(r'action="/posts/(\d+)/submit"', page.text).group(1))  # type: ignore[union-attr]
    assert post_row(svc, post_id).verdict == "block" and "Do not publish" in page.text
    # A "block" verdict asks the author to confirm, next to the findings (issue 11).
    unconfirmed = browser.post(f"/posts/{post_id}/submit")
    assert unconfirmed.status_code == 409 and post_row(svc, post_id).state == "draft"
    assert "Read the findings, then confirm to submit anyway." in unconfirmed.text
    assert 'id="f-submit-confirm"' in unconfirmed.text and "publishes a phone nu" in unconfirmed.text
    assert "Submitted for approval." in browser.act(f"/posts/{post_id}/submit", {"confirm": "1"}).text
    assert f'action="/posts/{post_id}/approve"' not in browser.get(f"/posts/{post_id}").text  # not her own

    browser.login("karim")
    assert f'href="/posts/{post_id}"' in browser.get("/").text  # waiting for his approval
    page = browser.get(f"/posts/{post_id}")
    assert "Reason for approving anyway" in page.text and 'id="f-approve-override"' in page.text

    refused = browser.post(f"/posts/{post_id}/approve", {"comment": "দেখা হয়েছে", "override_reason": "ok"})
    assert refused.status_code == 422 and post_row(svc, post_id).state == "submitted"
    assert "Write why you approve despite the findings" in refused.text and 'aria-invalid="true"' in refused.text
    assert ">\nদেখা হয়েছে</textarea>" in refused.text  # the comment typed is not lost

    reason = "নাগরিক নিজেই নম্বরটি প্রকাশের অনুমতি দিয়েছেন (লিখিত সম্মতি আছে)"
    approved = browser.act(f"/posts/{post_id}/approve", {"comment": "ঠিক আছে", "override_reason": reason})
    assert "Your approval is recorded." in approved.text
    overrides = re.search(r'<section class="notice notice-warning".*?</section>', approved.text, flags=re.S)
    assert overrides and reason in overrides.group(0) and "Do not publish" in overrides.group(0)
    assert post_row(svc, post_id).state == "approved"

    browser.login("sohel")
    bad = browser.post(f"/posts/{post_id}/publish", {"url": "facebook.com/x"})
    assert bad.status_code == 422 and "starting with https://" in bad.text
    published = browser.act(f"/posts/{post_id}/publish", {"url": "https://facebook.com/dcdhaka/posts/77",
                                                          "published_at": "2026-11-20T09:30"})
    assert "The publication is recorded." in published.text
    assert 'href="https://facebook.com/dcdhaka/posts/77"' in published.text
    row = post_row(svc, post_id)
    # Typed in the institution's zone (Dhaka, UTC+6), stored in UTC, shown in Dhaka's time again.
    assert row.state == "published" and row.published_at == dt.datetime(2026, 11, 20, 3, 30, tzinfo=dt.UTC)
    assert "20 Nov 2026, 9:30\u202fAM" in published.text and "Bangladesh Time (Asia/Dhaka)" in published.text
    # A move the state does not allow is a message, not a 500.
    again = browser.post(f"/posts/{post_id}/publish", {"url": "https://facebook.com/dcdhaka/posts/78"})
    assert again.status_code == 409 and "This is not possible in the post&#39;s current state." in again.text
    with svc.db.session() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == post_id,
                                                                       AuditEvent.object_type == "post")))
    assert actions == ["post_created", "post_submit", "post_override", "post_approve", "post_publish"]


def test_request_changes_edit_and_resubmit(browser: Browser, svc: Services) -> None:
    post_id = ids(svc)["submitted"]  # the demo's post with "my daughter's birthday photo"
    browser.login("karim")
    short = browser.post(f"/posts/{post_id}/request-changes", {"comment": "no"})
    assert short.status_code == 422 and "Write a comment for the author" in short.text
    sent = browser.act(f"/posts/{post_id}/request-changes", {"comment": "মেয়ের জন্মদিনের ছবির লাইনটি বাদ দিন।"})
    assert "Sent back to the author" in sent.text and post_row(svc, post_id).state == "changes_requested"

    browser.login("rahima")
    dashboard = browser.get("/")
    assert f'href="/posts/{post_id}"' in main_of(dashboard.text).split("waiting-title")[0]  # among her drafts
    assert "মেয়ের জন্মদিনের ছবির লাইনটি বাদ দিন।" in browser.get(f"/posts/{post_id}").text
    editor = browser.get(f"/posts/{post_id}/edit")
    assert editor.status_code == 200 and "আমার মেয়ের</mark>" in editor.text  # the stored report, highlighted
    recheck = browser.post(f"/posts/{post_id}/edit", {"title": "সেবা সপ্তাহ", "text": CLEAR_BN, "action": "check"})
    assert recheck.status_code == 200 and "<mark " not in recheck.text and "No problems found." in recheck.text
    edited = browser.act(f"/posts/{post_id}/edit", {"title": "সেবা সপ্তাহ", "text": CLEAR_BN, "action": "save"})
    assert "Changes saved and screened again." in edited.text and post_row(svc, post_id).verdict == "clear"
    assert re.search(r"<th scope=\"row\">2 <span class=\"muted\">\(current\)", edited.text)
    browser.act(f"/posts/{post_id}/submit")
    assert post_row(svc, post_id).state == "submitted"
    assert browser.get(f"/posts/{post_id}/edit", follow_redirects=False).status_code == 303  # no longer editable

    browser.login("nasreen")  # the second approver rejects it
    rejected = browser.act(f"/posts/{post_id}/reject", {"comment": "এই সপ্তাহে সেবা সপ্তাহের পোস্ট হবে না।"})
    assert "The post is rejected." in rejected.text and "এই সপ্তাহে সেবা সপ্তাহের পোস্ট হবে না।" in rejected.text
    assert post_row(svc, post_id).state == "rejected"


def test_a_correction_is_shown_beside_the_original(browser: Browser, svc: Services) -> None:
    post_id = ids(svc)["published"]
    with svc.db.session() as session:
        original = session.scalars(select(Revision.text).where(Revision.post_id == post_id)).one()
    corrected = original.replace("সকাল ৯টায়", "সকাল ১০টায়")
    browser.login("rahima")
    short = browser.post(f"/posts/{post_id}/correct", {"text": corrected, "note": "time"})
    assert short.status_code == 422 and "Say what was wrong" in short.text
    page = browser.act(f"/posts/{post_id}/correct", {"text": corrected, "note": "অনুষ্ঠানের সময় ভুল ছিল: ৯টা নয়, ১০টা"})
    assert "The correction is sent for approval" in page.text and "A correction awaits approval" in page.text
    assert post_row(svc, post_id).state == "published" and 'class="side-by-side"' not in page.text

    browser.login("karim")  # the correction goes live once approved
    page = browser.act(f"/posts/{post_id}/approve", {"comment": "ঠিক আছে"})
    side = re.search(r'<div class="side-by-side">(.*?)</div>\s*</section>', page.text, flags=re.S)
    assert side, page.text
    first, second = side.group(1).split("</article>")[:2]
    assert "Original, as published" in first and original in first
    assert "Correction" in second and corrected in second and "অনুষ্ঠানের সময় ভুল ছিল" in second
    assert post_row(svc, post_id).state == "corrected"

    browser.login("sohel")
    asked = browser.act(f"/posts/{post_id}/retract", {"reason": "অনুষ্ঠানটি স্থগিত করা হয়েছে"})
    assert "The retraction is sent for approval." in asked.text and "A retraction awaits approval" in asked.text
    browser.login("karim")
    retracted = browser.act(f"/posts/{post_id}/approve", {})
    browser.login("sohel")
    notice = re.search(r'<section class="notice notice-danger".*?</section>', retracted.text, flags=re.S)
    assert notice and "অনুষ্ঠানটি স্থগিত করা হয়েছে" in notice.group(0)
    assert "The post is archived." in browser.act(f"/posts/{post_id}/archive").text
    assert post_row(svc, post_id).state == "archived"


# --- archive, personal check, pages ------------------------------------------------------------

def _publish_hindi(browser: Browser, svc: Services) -> int:
    browser.login("priya")
    page = browser.act("/posts/new", {"account_id": ids(svc)["cg_fb"], "title": "स्वास्थ्य शिविर", "text": CLEAR_HI,
                                      "action": "save"})
    post_id = int(re.search(r'action="/posts/(\d+)/submit"', page.text).group(1))  # type: ignore[union-attr]
    browser.act(f"/posts/{post_id}/submit")
    browser.login("arvind")
    browser.act(f"/posts/{post_id}/approve", {"comment": ""})
    browser.login("priya")
    browser.act(f"/posts/{post_id}/publish", {"url": "https://facebook.com/collectorraipur/posts/5"})
    return post_id


def test_archive_search_in_bengali_and_hindi(on_backend: tuple[Browser, Services]) -> None:
    """Both backends' search (SQLite FTS5 trigrams, PostgreSQL pg_trgm) find words in either script."""
    browser, svc = on_backend
    bengali_post, demo_hindi_post = ids(svc)["published"], ids(svc)["cg_published"]
    hindi_post = _publish_hindi(browser, svc)
    browser.login("admin")  # a site administrator sees both countries' archives

    found = browser.get("/archive", params={"q": "শহীদ মিনারে"})
    assert found.status_code == 200 and "1 post found" in found.text
    assert f'href="/posts/{bengali_post}"' in found.text and f'href="/posts/{hindi_post}"' not in found.text

    found = browser.get("/archive", params={"q": "स्वास्थ्य"})  # the demo's Raipur post has the word too
    assert "2 posts found" in found.text and f'href="/posts/{hindi_post}"' in found.text
    assert f'href="/posts/{demo_hindi_post}"' in found.text and f'href="/posts/{bengali_post}"' not in found.text
    assert "/api/v1/archive?q=%E0%A4%B8" in found.text and "format=csv" in found.text  # export keeps the search
    found = browser.get("/archive", params={"q": "पंचायत भवन"})
    assert "1 post found" in found.text and f'href="/posts/{hindi_post}"' in found.text

    everything = browser.get("/archive")
    assert "3 posts found" in everything.text
    assert "0 posts found" in browser.get("/archive", params={"q": "রাজশাহী"}).text
    bad_date = browser.get("/archive", params={"date_from": "yesterday"})
    assert bad_date.status_code == 422 and "Give a date like 2026-11-23." in bad_date.text
    export = browser.client.get("/api/v1/archive", params={"q": "स्वास्थ्य", "format": "csv"})
    assert export.status_code == 200 and "स्वास्थ्य शिविर" in export.text

    browser.login("rahima")  # a Dhaka author does not see the Raipur post
    assert "0 posts found" in browser.get("/archive", params={"q": "स्वास्थ्य"}).text


def test_personal_check_is_not_stored_unless_saved(browser: Browser, svc: Services) -> None:
    browser.login("karim")
    page = browser.get("/check")
    assert "The text is not stored unless you tick “Save this check”." in page.text
    assert re.search(r'<input type="checkbox" id="f-save" name="save" value="1"[^>]*>', page.text)
    assert 'name="save" value="1" checked' not in page.text  # unticked by default

    checked = browser.post("/check", {"text": BLOCK_BN, "jurisdiction": "BD"})
    assert checked.status_code == 200 and "This text was not stored." in checked.text
    assert "০১৭১১২২৩৩৪৪</mark>" in checked.text and "You have no saved checks." in checked.text
    browser.client.post("/ui/screen", data={"text": BLOCK_BN, "jurisdiction": "BD"},
                        headers={"X-CSRF-Token": browser.csrf})
    assert count(svc, SavedCheck) == 0

    saved = browser.post("/check", {"text": BLOCK_BN, "jurisdiction": "BD", "save": "1"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/check?show=")
    assert count(svc, SavedCheck) == 1
    shown = browser.get(saved.headers["location"])
    assert "Check saved." in shown.text and "০১৭১১২২৩৩৪৪</mark>" in shown.text
    check_id = int(saved.headers["location"].split("=")[1].split("#")[0])

    browser.login("rahima")  # nobody else sees or deletes it
    assert browser.get(f"/check?show={check_id}").status_code == 404
    assert browser.post(f"/check/{check_id}/delete").status_code == 404
    browser.login("karim")
    browser.get("/check")
    assert "Saved check deleted." in browser.act(f"/check/{check_id}/delete").text
    assert count(svc, SavedCheck) == 0


def test_ids_past_the_column_range_are_404_pages(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    for path in ("/posts/2147483648", "/posts/99999999999999999999/edit", "/accounts/99999999999999999999"):
        response = browser.get(path)
        assert response.status_code == 404, (path, response.status_code)


def test_error_pages_are_html(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    missing = browser.get("/posts/99999")
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in missing.text and "site-nav" in missing.text  # still logged in
    assert browser.get("/posts/not-a-number").status_code == 404
    huge = "99999999999999999999"  # past the 32-bit id columns: refused here, never sent to the database
    assert browser.get(f"/posts/{huge}").status_code == 404
    assert browser.get(f"/accounts/{huge}/edit").status_code == 404
    assert browser.get("/archive", params={"institution_id": huge}).status_code == 422
    assert browser.get("/check", params={"show": huge}).status_code == 422
    assert browser.get("/audit", params={"before": huge}).status_code == 422
    assert "<h1>Page not found</h1>" in browser.get("/no/such/page").text
    browser.login("priya")  # another country's post does not exist for her
    assert browser.get(f"/posts/{ids(svc)['published']}").status_code == 404
    browser.post("/lang", {"lang": "hi", "next": "/"})
    hindi = browser.get("/posts/99999")
    assert hindi.status_code == 404 and "<h1>पृष्ठ नहीं मिला</h1>" in hindi.text and '<html lang="hi">' in hindi.text
    # Without a login, the app's own handler renders it (no user known).
    browser.client.cookies.delete("satark_session")
    assert "<h1>पृष्ठ नहीं मिला</h1>" in browser.get("/no/such/page").text


def test_a_too_large_form_and_a_server_fault_give_pages_not_json(
    app_svc: tuple[Any, Services], browser: Browser, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser.login("rahima")
    browser.post("/lang", {"lang": "bn", "next": "/"})
    browser.get("/check")
    big = browser.post("/check", {"text": "ক" * svc.settings.max_body_bytes, "jurisdiction": "BD"})
    assert big.status_code == 413 and big.headers["content-type"].startswith("text/html")
    assert '<html lang="bn">' in big.text and "site-nav" in big.text  # translated, still logged in
    assert browser.client.post("/api/v1/screen", content=b"x" * (svc.settings.max_body_bytes + 1),
                               headers={"content-type": "application/json"}).json()["error"] == "too_large"

    from satark.service.web import posts

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(posts, "_check_page", broken)
    with TestClient(app_svc[0], raise_server_exceptions=False) as client:
        client.cookies.update(browser.client.cookies)
        fault = client.get("/check", headers=HTML)
        assert fault.status_code == 500 and fault.headers["content-type"].startswith("text/html")
        assert "a bug" not in fault.text and '<html lang="bn">' in fault.text
        api = client.get("/check")  # no HTML asked for: JSON
        assert api.status_code == 500 and api.json()["error"] == "internal"


PAGES = ["/", "/posts", "/posts?state=published", "/posts/new", "/accounts", "/archive", "/archive?q=বিজয়",
         "/check", "/audit", "/settings"]


@pytest.mark.parametrize("username", ["admin", "monitor", "rahima", "arvind"])
def test_every_page_renders_for_every_role(browser: Browser, svc: Services, username: str) -> None:
    browser.login(username)
    the = ids(svc)
    paths = [*PAGES, f"/posts/{the['published']}", f"/accounts/{the['dhaka_fb']}"]
    if username == "admin":
        paths += ["/accounts/new", f"/accounts/{the['karim_x']}/edit", "/audit?verify=1"]
    for path in paths:
        response = browser.get(path)
        expected = 404 if username == "arvind" and path.startswith(("/posts/1", "/accounts/1")) else 200
        assert response.status_code == expected, (path, text_of(response.text)[:500])
        html = response.text
        levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
        assert levels.count(1) == 1 and levels[0] == 1, (path, levels)
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (path, levels)  # no level skipped
        # The CSP forbids inline script and style: every script has a src, nothing has style="".
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and " style=" not in html, path
        for field in re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html):
            assert f'for="{field}"' in html, (path, field)  # every field has a label
    if username == "admin":
        assert "The chain is intact." in browser.get("/audit?verify=1").text


def test_accounts_checklist_and_edit(browser: Browser, svc: Services) -> None:
    karim_x = ids(svc)["karim_x"]
    browser.login("admin")
    page = browser.get(f"/accounts/{karim_x}")
    assert "§6.1(ক)" in page.text and "The name reads as a person" in page.text and "Not met" in page.text
    form = browser.get(f"/accounts/{karim_x}/edit")
    assert form.text.count('name="admin_name_') == 6  # two admins and four empty rows

    bad = browser.post(f"/accounts/{karim_x}/edit", {"platform": "x", "handle": "karim_dc", "grs_url": "grs.gov.bd",
                                                      "admin_name_0": "Abdul Karim"})
    assert bad.status_code == 422 and "Give an address starting with https://" in bad.text
    assert 'id="f-grs_url"' in bad.text and 'aria-describedby="f-grs_url-error"' in bad.text

    data = {"platform": "x", "handle": "dcdhaka_x", "display_name": "DC Office Dhaka", "grs_url": "https://grs.gov.bd",
            "two_factor_enabled": "yes", "profile_photo_institutional": "no"}
    data |= {f"admin_name_{i}": name for i, name in enumerate(["Sohel Rana", "Abdul Karim", "Rahima Akter"])}
    saved = browser.act(f"/accounts/{karim_x}/edit", data)
    assert "Account saved." in saved.text and "3 admin(s) named." in saved.text
    assert "The name includes the institution" in saved.text
    with svc.db.session() as session:
        account = session.get(Account, karim_x)
        assert account is not None and account.two_factor_enabled is True
        assert account.profile_photo_institutional is False and len(account.admins) == 3

    new = browser.act("/accounts/new", {"institution_id": "2", "platform": "youtube", "handle": "dcdhaka_yt",
                                        "display_name": "DC Office Dhaka"})
    assert "Account added." in new.text and "dcdhaka_yt" in new.text
    browser.login("rahima")  # an author may not edit accounts
    assert browser.get(f"/accounts/{karim_x}/edit").status_code == 403


def test_settings_tokens_institution_and_members(browser: Browser, svc: Services) -> None:
    browser.login("rahima")
    page = browser.post("/settings/tokens", {"name": "publishing script"})
    assert page.status_code == 200
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', page.text)
    assert token and token.group(1).startswith("satark_pat_")
    again = browser.get("/settings")
    assert token.group(1) not in again.text and "publishing script" in again.text  # shown once only
    api = browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"})
    assert api.status_code == 200 and api.json()["username"] == "rahima"
    token_id = re.search(r'action="/settings/tokens/(\d+)/revoke"', again.text).group(1)  # type: ignore[union-attr]
    assert "Token revoked." in browser.act(f"/settings/tokens/{token_id}/revoke").text
    assert "Institutions you administer" not in again.text  # an author administers nothing

    browser.login("admin")
    district = 2
    bad = browser.post(f"/settings/institutions/{district}", {"approval_tiers": "2", "approval_ttl_hours": "0",
                                                             "password_rotation_days": "90"})
    assert bad.status_code == 422 and "Give a whole number in the range shown." in bad.text
    browser.act(f"/settings/institutions/{district}", {"approval_tiers": "2", "approval_ttl_hours": "48",
                                                        "password_rotation_days": "60"})
    with svc.db.session() as session:
        inst = session.get(Institution, district)
        assert inst is not None and (inst.approval_tiers, inst.approval_ttl_hours) == (2, 48)
    unknown = browser.post(f"/settings/institutions/{district}/members", {"username": "nobody", "role": "author"})
    assert unknown.status_code == 404 and "No user with this username." in unknown.text
    added = browser.act(f"/settings/institutions/{district}/members", {"username": "priya", "role": "monitor"})
    assert "Member added." in added.text
    district_part = re.search(rf'aria-labelledby="inst-{district}-title">.*?</section>', added.text, flags=re.S)
    assert district_part
    priya = re.search(r'name="user_id" value="(\d+)">\s*<input type="hidden" name="role" value="monitor">',
                      district_part.group(0))
    assert priya
    removed = browser.act(f"/settings/institutions/{district}/members/remove",
                          {"user_id": priya.group(1), "role": "monitor"})
    assert "Member removed." in removed.text
    saved = browser.act("/settings/language", {"ui_lang": "bn"})
    assert '<html lang="bn">' in saved.text and "ভাষা সংরক্ষণ করা হয়েছে।" in saved.text
