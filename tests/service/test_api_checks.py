"""Screening and personal pre-checks: nothing is kept unless the user asks, and only for that user."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from satark.errors import ConfigError
from satark.service.app import create_app
from satark.service.context import Services
from satark.service.models import AuditEvent, SavedCheck
from satark.service.screening import Screening
from satark.service.settings import Settings

PERSONAL_BN = "আজ পরিবারের সঙ্গে ঘুরতে গিয়েছিলাম। সরকারের এই সিদ্ধান্ত একেবারে ভুল, মন্ত্রী পদত্যাগ করুন!"
BIRTHDAY = "আমার মেয়ের জন্মদিনের ছবি দিলাম, সবাই দোয়া করবেন"
HINDI = "आज परिवार के साथ घूमने गए। मौसम बहुत अच्छा था।"


def _count(svc, model) -> int:
    with svc.db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_check_without_save_stores_nothing(svc, as_user) -> None:
    rahima = as_user("rahima")
    checks, events = _count(svc, SavedCheck), _count(svc, AuditEvent)
    out = rahima.ok("POST", "/checks", json={"text": PERSONAL_BN})
    assert out["saved_id"] is None and out["report"]["text"] == PERSONAL_BN
    assert out["report"]["jurisdiction"] == "BD", "the user's institution's rules by default"
    assert out["report"]["account_type"] == "personal"
    explicit = rahima.ok("POST", "/checks", json={"text": PERSONAL_BN, "save": False})
    assert explicit["saved_id"] is None
    assert rahima.ok("POST", "/screen", json={"text": PERSONAL_BN})["verdict"] == out["report"]["verdict"]
    assert (_count(svc, SavedCheck), _count(svc, AuditEvent)) == (checks, events)
    assert rahima.ok("GET", "/checks") == []


def test_a_saved_check_is_kept_for_its_owner_only(svc, as_user, check_error) -> None:
    rahima, karim = as_user("rahima"), as_user("karim")
    before = _count(svc, SavedCheck)
    saved = rahima.ok("POST", "/checks", json={"text": PERSONAL_BN, "save": True})
    check_id = saved["saved_id"]
    assert isinstance(check_id, int) and _count(svc, SavedCheck) == before + 1
    listed = rahima.ok("GET", "/checks")
    assert [(c["id"], c["text"], c["jurisdiction"]) for c in listed] == [(check_id, PERSONAL_BN, "BD")]
    assert listed[0]["verdict"] == saved["report"]["verdict"]

    assert karim.ok("GET", "/checks") == []
    check_error(karim.delete(f"/checks/{check_id}"), 404, "not_found")
    check_error(as_user("admin").delete(f"/checks/{check_id}"), 404)
    assert _count(svc, SavedCheck) == before + 1

    assert rahima.ok("DELETE", f"/checks/{check_id}") == {"deleted": True}
    assert _count(svc, SavedCheck) == before and rahima.ok("GET", "/checks") == []
    check_error(rahima.delete(f"/checks/{check_id}"), 404)


def test_checks_follow_the_users_jurisdiction_or_the_one_asked_for(as_user) -> None:
    priya = as_user("priya")
    assert priya.ok("POST", "/checks", json={"text": HINDI})["report"]["jurisdiction"] == "IN-CG"
    asked = priya.ok("POST", "/checks", json={"text": HINDI, "jurisdiction": "BD", "account_type": "official"})
    assert (asked["report"]["jurisdiction"], asked["report"]["account_type"]) == ("BD", "official")
    assert asked["report"]["pack"] == "BD-2019"


def test_screening_needs_a_login(anonymous, check_error) -> None:
    check_error(anonymous.post("/screen", json={"text": HINDI, "jurisdiction": "IN-CG"}), 401)
    check_error(anonymous.post("/checks", json={"text": HINDI, "save": True}), 401)
    assert anonymous.ok("GET", "/policies") == {"BD": "BD-2019", "IN-CG": "IN-CG-2017"}


def test_screen_reports_findings_with_clauses(as_user) -> None:
    report = as_user("rahima").ok("POST", "/screen", json={
        "text": "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪", "account_type": "official"})
    assert report["verdict"] == "block" and report["mode"] == "rules"
    finding = report["findings"][0]
    assert finding["category"] == "confidential" and finding["clause_ids"][0].startswith("BD-2019/")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_default_modes_live_fast_and_stored_full(settings, demo) -> None:
    """Unconfigured, stored screenings run the engine's default (full) mode, models included,
    and the live check (``/screen`` without a mode) runs the n-gram model alone (fast)."""
    default = settings.replace(screening_mode=None, live_mode=Settings().live_mode)
    services = Services(default, screening=Screening(default.screening_mode))
    with TestClient(create_app(default, services)) as client:
        headers = {"Authorization": f"Bearer {demo.tokens['rahima']}"}
        live = client.post("/api/v1/screen", headers=headers, json={"text": BIRTHDAY, "account_type": "official"})
        full = client.post("/api/v1/screen", headers=headers,
                           json={"text": BIRTHDAY, "account_type": "official", "mode": "full"})
        check = client.post("/api/v1/checks", headers=headers, json={"text": BIRTHDAY, "account_type": "official"})
    assert live.status_code == full.status_code == check.status_code == 200, (live.text, full.text, check.text)
    assert live.json()["mode"] == "fast"
    report = check.json()["report"]
    assert report["mode"] == full.json()["mode"] == "full" and report["verdict"] != "clear"
    assert any(f["detector"].startswith("classifier") for f in report["findings"]), report["findings"]
    assert report["findings"] == full.json()["findings"]


@pytest.mark.parametrize("name", ["SATARK_MODE", "SATARK_LIVE_MODE"])
def test_an_unknown_mode_in_the_environment_is_refused(monkeypatch, name) -> None:
    monkeypatch.setenv(name, "fastest")
    with pytest.raises(ConfigError, match=f"{name}='fastest': should be 'rules', 'fast' or 'full'"):
        Settings.from_env()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_screening_never_runs_inside_a_write_unit(svc, client, as_user, demo, monkeypatch) -> None:
    """The live check, the personal check and the API's screen hold no write lock while they
    screen: on SQLite every login and approval would wait for them."""
    seen: list[bool] = []
    real, real_async = svc.screening.screen, svc.screening.screen_async

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(svc.db.in_write_unit() or svc.db.open_write_units > 0)
        return real(*args, **kwargs)

    async def spy_async(*args: Any, **kwargs: Any) -> Any:
        # The live check waits on the event loop's thread: no write unit may be open anywhere.
        seen.append(svc.db.open_write_units > 0)
        return await real_async(*args, **kwargs)

    monkeypatch.setattr(svc.screening, "screen", spy)
    monkeypatch.setattr(svc.screening, "screen_async", spy_async)
    api = as_user("rahima")
    assert api.post("/checks", json={"text": "জেলা প্রশাসনের সভা", "save": True}).status_code == 200
    assert api.post("/checks", json={"text": "জেলা প্রশাসনের সভা"}).status_code == 200
    login = client.post("/api/v1/session", json={"username": "rahima", "password": "satark-demo-2026"})
    csrf = login.json()["csrf_token"]
    for path, form in (("/ui/screen", {"text": "জেলা প্রশাসনের সভা", "account_id": str(demo.accounts["dhaka_fb"])}),
                       ("/ui/screen", {"text": "आज बैठक है", "jurisdiction": "IN-CG"}),
                       ("/check", {"text": "জেলা প্রশাসনের সভা", "save": "1"}),
                       ("/check", {"text": "জেলা প্রশাসনের সভা"})):
        response = client.post(path, data={**form, "csrf_token": csrf}, headers={"X-CSRF-Token": csrf})
        assert response.status_code in (200, 303), (path, response.status_code, response.text[:300])
    assert len(seen) == 6 and not any(seen), seen
