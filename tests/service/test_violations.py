"""The violation register (issue 12, section 4) through the API and the web UI, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from satark.service import demo_violations
from satark.service import violations as v
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import AuditEvent, Institution, User, utcnow
from satark.service.models_violations import ViolationCase
from satark.service.reports.base import ReportScope
from satark.service.reports.violations_section import ViolationsSection

from .conftest import BLOCK_BN, Api, Demo, Flow

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
LEAK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪ — সবাই সাবধান।"
HINDI_TEXT = "आज की आंतरिक समीक्षा बैठक की गोपनीय कार्यवाही की प्रति संलग्न है।"


def _record(api: Api, demo: Demo, **body: Any) -> Any:
    data = {"institution_id": demo.institutions["district"], "text": LEAK_BN,
            "source_url": "https://facebook.com/x/posts/1", "employee_user_id": demo.users["rahima"],
            "clause_ids": ["BD-2019/9"]} | body
    return api.ok("POST", "/violations", 201, json=data)


def test_the_whole_procedure_is_recorded_and_audited(as_user: Callable[[str], Api], demo: Demo,
                                                     svc: Services) -> None:
    monitor = as_user("monitor")
    case = _record(monitor, demo, clause_ids=["BD-2019/9", "BD-2019 §10(ঙ)"])
    assert case["state"] == "noted" and case["pack"] == "BD-2019"
    assert [c["id"] for c in case["clauses"]] == ["BD-2019/9", "BD-2019/10/nga"]
    assert case["evidence_sha256"] == hashlib.sha256(LEAK_BN.encode()).hexdigest()
    assert case["next_actions"] == ["issue_show_cause", "decide"]
    cid = case["id"]
    today = dt.date.fromisoformat(case["steps"][0]["on_date"])

    shown = monitor.ok("POST", f"/violations/{cid}/show-cause", json={"note": "নোটিশ জারি"})
    assert shown["state"] == "show_cause_issued"
    assert shown["due_on"] == (today + dt.timedelta(days=7)).isoformat()  # the default reply time
    # A warning before the reply or its deadline: 409, with why.
    early = monitor.post(f"/violations/{cid}/decision", json={"outcome": "warning", "note": "no reply was given"})
    assert early.status_code == 409 and "due by" in early.json()["message"]
    # A step out of order: 409.
    assert monitor.post(f"/violations/{cid}/close", json={}).status_code == 409

    explained = monitor.ok("POST", f"/violations/{cid}/explanation", json={"decision_days": 10})
    assert explained["state"] == "explanation_received"
    assert explained["due_on"] == (today + dt.timedelta(days=10)).isoformat()
    decided = monitor.ok("POST", f"/violations/{cid}/decision", json={
        "outcome": "referred", "note": "repeated disclosure of a citizen's data",
        "referred_to": "Divisional Commissioner, Dhaka"})
    assert decided["state"] == "decided" and decided["outcome"] == "referred" and decided["due_on"] is None
    closed = monitor.ok("POST", f"/violations/{cid}/close", json={"note": "sent on"})
    assert closed["state"] == "closed" and closed["next_actions"] == []
    again = monitor.post(f"/violations/{cid}/close", json={})
    assert again.status_code == 409 and "cannot close" in again.json()["message"]

    with svc.db.session(write=False) as session:
        actions = list(session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "violation", AuditEvent.object_id == cid).order_by(AuditEvent.id)))
        noted = session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "violation_noted",
                                                                   AuditEvent.object_id == cid))
    assert actions == ["violation_noted", "violation_show_cause_issued", "violation_explanation_received",
                       "violation_decided", "violation_closed"]
    assert noted is not None and noted["evidence_sha256"] == case["evidence_sha256"]
    # The audit trail names no one and quotes nothing (approvers read it).
    assert LEAK_BN not in str(noted)


def test_a_post_in_satark_gives_its_text_and_findings(as_user: Callable[[str], Api], demo: Demo,
                                                     flow: Flow) -> None:
    post = flow.post("published", BLOCK_BN, override_reason="the number is the office's hotline")
    case = as_user("monitor").ok("POST", "/violations", 201, json={"post_id": post["id"]})
    assert case["institution_id"] == demo.institutions["district"]
    assert case["evidence_text"] == BLOCK_BN and case["post_revision"] == 1
    assert case["employee"]["user_id"] == demo.users["rahima"]  # the author, by default
    assert case["clauses"] and all(c["from_findings"] for c in case["clauses"])


def test_bad_input_is_a_clear_4xx(as_user: Callable[[str], Api], demo: Demo,
                                  check_error: Callable[..., Any]) -> None:
    monitor = as_user("monitor")
    body = {"institution_id": demo.institutions["district"], "text": LEAK_BN, "employee_name": "মোঃ জাহিদ হাসান"}
    check_error(monitor.post("/violations", json=body | {"clause_ids": ["BD-2019/99"]}), 422, "invalid_input")
    check_error(monitor.post("/violations", json=body | {"clause_ids": ["IN-CG-2017/1"]}), 422)  # another pack
    check_error(monitor.post("/violations", json=body | {"clause_ids": ["BD-2019/1"]}), 422)  # informational
    check_error(monitor.post("/violations", json=body), 422)  # no clause and no findings
    # The employee must be a member of the institution.
    check_error(monitor.post("/violations", json={**body, "employee_name": "", "clause_ids": ["BD-2019/9"],
                                                  "employee_user_id": demo.users["priya"]}), 422)
    case = _record(monitor, demo)
    future = (utcnow() + dt.timedelta(days=3)).date().isoformat()
    check_error(monitor.post(f"/violations/{case['id']}/show-cause", json={"on_date": future}), 422)
    check_error(monitor.post(f"/violations/{case['id']}/decision", json={"outcome": "warning", "note": "x" * 12}),
                409)  # a warning needs a show-cause notice first
    ok = monitor.ok("POST", f"/violations/{case['id']}/decision",
                    json={"outcome": "no_action", "note": "the number was already public"})
    assert ok["outcome"] == "no_action"


def test_only_managers_and_the_employee_see_a_case(as_user: Callable[[str], Api], demo: Demo,
                                                  check_error: Callable[..., Any]) -> None:
    case = _record(as_user("monitor"), demo)
    cid = case["id"]
    # The employee reads their own case, with the notice's deadline, but may not act on it.
    as_user("monitor").ok("POST", f"/violations/{cid}/show-cause", json={"reply_days": 3})
    own = as_user("rahima").ok("GET", f"/violations/{cid}")
    assert own["state"] == "show_cause_issued" and own["due_on"] and own["next_actions"] == []
    assert cid in [c["id"] for c in as_user("rahima").ok("GET", "/violations")]
    check_error(as_user("rahima").post(f"/violations/{cid}/explanation", json={}), 403)
    # Everyone else in the office, and other offices, get 404; the list is empty for them.
    for name in ("karim", "sohel", "priya", "arvind"):
        check_error(as_user(name).get(f"/violations/{cid}"), 404)
        check_error(as_user(name).post(f"/violations/{cid}/explanation", json={}), 404)
        assert cid not in [c["id"] for c in as_user(name).ok("GET", "/violations")]
    # An author may not record one; a monitor of the ministry above may, and the site admin.
    check_error(as_user("sohel").post("/violations", json={"institution_id": demo.institutions["district"],
                                                           "text": LEAK_BN, "employee_name": "x",
                                                           "clause_ids": ["BD-2019/9"]}), 403)
    assert as_user("admin").ok("GET", f"/violations/{cid}")["id"] == cid
    # Nobody records a case about themselves.
    check_error(as_user("admin").post("/violations", json={
        "institution_id": demo.institutions["ministry"], "text": LEAK_BN, "employee_user_id": demo.users["admin"],
        "clause_ids": ["BD-2019/9"]}), 403)


def test_files_are_kept_by_hash_and_checked(as_user: Callable[[str], Api], demo: Demo, svc: Services,
                                           check_error: Callable[..., Any]) -> None:
    monitor = as_user("monitor")
    case = _record(monitor, demo)
    cid = case["id"]
    up = monitor.ok("POST", f"/violations/{cid}/files", 201, files={"file": ("screen.png", PNG, "image/png")})
    sha = hashlib.sha256(PNG).hexdigest()
    assert up["sha256"] == sha and up["media_type"] == "image/png"
    path = Path(svc.settings.data_dir) / "evidence" / sha[:2] / sha
    assert path.read_bytes() == PNG and path.stat().st_mode & 0o777 == 0o600
    got = monitor.get(f"/violations/{cid}/files/{up['id']}")
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    # HTML renamed .png, and a PNG named .pdf, are refused by their content.
    check_error(monitor.post(f"/violations/{cid}/files", files={"file": ("x.png", b"<html><script>", "image/png")}),
                422)
    check_error(monitor.post(f"/violations/{cid}/files", files={"file": ("x.pdf", PNG, "application/pdf")}), 422)
    check_error(as_user("karim").post(f"/violations/{cid}/files", files={"file": ("s.png", PNG, "image/png")}), 404)
    # A file altered on disk is reported, not handed out.
    path.chmod(0o600)
    path.write_bytes(PNG + b"tampered")
    check_error(monitor.get(f"/violations/{cid}/files/{up['id']}"), 409)


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    target = tmp_path / "case.pdf"
    target.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,;:।—()'\"]+", unicodedata.normalize("NFC", text)) if len(w) > 1]


def test_export_cites_the_clauses_in_the_packs_language(as_user: Callable[[str], Api], demo: Demo, svc: Services,
                                                        tmp_path: Path) -> None:
    monitor, admin = as_user("monitor"), as_user("admin")
    bd = _record(monitor, demo, clause_ids=["BD-2019/9", "BD-2019/10/nga"])
    response = monitor.get(f"/violations/{bd['id']}/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    pack = svc.screening.pack("BD")
    for cid in ("BD-2019/9", "BD-2019/10/nga"):
        for word in _words(pack.clause(cid).text.original):
            assert word in text, (cid, word)
    assert bd["evidence_sha256"] in text.replace("\n", "").replace(" ", "")
    assert "অবস্থা" in text  # labels in Bengali

    cg = admin.ok("POST", "/violations", 201, json={
        "institution_id": demo.institutions["cg"], "text": HINDI_TEXT, "employee_user_id": demo.users["priya"],
        "clause_ids": ["IN-CG-2017/1"]})
    hindi = _pdf_text(admin.get(f"/violations/{cg['id']}/export").content, tmp_path)
    for word in _words(svc.screening.pack("IN-CG").clause("IN-CG-2017/1").text.original):
        assert word in hindi, word
    for word in _words(HINDI_TEXT):
        assert word in hindi, word
    # Another language on request: the original stays, with the rendering beside it.
    english = _pdf_text(admin.get(f"/violations/{cg['id']}/export", params={"lang": "en"}).content, tmp_path)
    assert "Violation case" in english and "गोपनीय" in english
    # Only managers export.
    assert as_user("priya").get(f"/violations/{cg['id']}/export").status_code == 403
    with svc.db.session(write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "violation_exported")) == 3


def test_reminders_and_the_report_section(settings: Any, svc: Services, screening: Any) -> None:
    """The demo cases: a reply overdue reminds the managers; the report counts what the quarter holds."""
    from satark.service.demo import seed_demo

    now = utcnow()
    with svc.db.session() as session:
        seed_demo(session, screening)
        users = {u.username: u for u in session.scalars(sa.select(User))}
        inst = {i.short_name: i for i in session.scalars(sa.select(Institution))}
        places = {"ministry": inst["MoPA"], "district": inst["DC Office Dhaka"], "cg_office": inst["Collector Raipur"]}
        # The demo may seed them already (demo.py calls the same function); else seed them here.
        cases = list(session.scalars(sa.select(ViolationCase).order_by(ViolationCase.id))) or \
            demo_violations.seed(session, screening, users, places, now)
        assert [c.state for c in cases] == ["show_cause_issued", "decided", "show_cause_issued"]
        due = cases[0].due_on
        assert due is not None
        district_ids = (places["ministry"].id, places["district"].id)
        monitor_id, rahima_id = users["monitor"].id, users["rahima"].id
    later = dt.datetime.combine(due + dt.timedelta(days=2), dt.time(12), tzinfo=dt.UTC)
    with svc.db.session(write=False) as session:
        found = {r.key: r for r in v.due_steps(session, later)}
        assert f"violation:{cases[0].id}:reply:{due.isoformat()}" in found
        first = found[f"violation:{cases[0].id}:reply:{due.isoformat()}"]
        assert monitor_id in first.recipients and rahima_id not in first.recipients
        assert not [k for k in v.due_steps(session, now - dt.timedelta(days=1)) if k.key.startswith(
            f"violation:{cases[0].id}")]
        scope = ReportScope(root_id=district_ids[0], institution_ids=district_ids, quarter="",
                            start=now - dt.timedelta(days=100), end=now + dt.timedelta(days=1), lang="bn",
                            time_zone="Asia/Dhaka", now=now)
        result = ViolationsSection().build(session, scope, lambda s: s)
    figures = {f.key: f.value for f in result.figures}
    assert figures["recorded"] == 2 and figures["decided"] == 1 and figures["open"] == 1
    outcomes = {row[0]: row[1] for row in result.tables[2].rows}
    assert outcomes["Warning"] == 1
    clauses = {row[0]: row[2] for row in result.tables[0].rows}
    assert clauses["BD-2019 §9"] == 1 and clauses["BD-2019 §10(গ)"] == 1


# --- the web UI -------------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login(client: Any, username: str) -> str:
    client.cookies.clear()
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/"},
                    headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/violations", headers={"Accept": "text/html"})
    found = _CSRF.search(page.text)
    assert found
    return found.group(1)


@pytest.mark.parametrize("lang", ["en", "hi", "bn"])
def test_web_records_a_case_and_moves_it_on(client: Any, demo: Demo, lang: str) -> None:
    csrf = _login(client, "monitor")
    client.cookies.set("satark_lang", lang)
    form = client.get("/violations/new")
    assert form.status_code == 200 and "BD-2019/9" in form.text
    r = client.post("/violations/new", data={
        "csrf_token": csrf, "institution_id": str(demo.institutions["district"]), "text": LEAK_BN,
        "employee_name": "মোঃ জাহিদ হাসান", "employee_designation": "অফিস সহকারী", "clause_ids": ["BD-2019/9"]},
        files={"screenshot": ("shot.png", PNG, "image/png")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and "মোঃ জাহিদ হাসান" in page.text and "shot.png" in page.text
    labels = {"en": "Issue a show-cause notice", "hi": "कारण बताओ सूचना जारी करें",
              "bn": "কারণ দর্শানোর নোটিশ জারি করুন"}
    assert labels[lang] in page.text
    r = client.post(f"{url}/show-cause", data={"csrf_token": csrf, "days": "5", "note": "নোটিশ"},
                    files={"document": ("notice.txt", "কারণ দর্শানোর নোটিশ".encode(), "text/plain")},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(url)
    assert "notice.txt" in page.text
    # A decision before the deadline: the page says why, in the user's language, with status 409.
    r = client.post(f"{url}/decision", data={"csrf_token": csrf, "outcome": "warning", "note": "a warning now"})
    assert r.status_code == 409 and "a warning now" in r.text
    pdf = client.get(f"{url}/export.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


def test_web_hides_cases_from_others(client: Any, as_user: Callable[[str], Api], demo: Demo) -> None:
    case = _record(as_user("monitor"), demo)
    _login(client, "karim")
    assert client.get(f"/violations/{case['id']}").status_code == 404
    assert f"/violations/{case['id']}" not in client.get("/violations").text
    _login(client, "rahima")
    own = client.get(f"/violations/{case['id']}")
    assert own.status_code == 200
    assert 'action="/violations/' not in own.text  # read-only: no forms
    assert client.get("/violations/new").status_code == 403


def test_the_registers_audit_events_are_only_for_those_who_keep_it(as_user: Callable[[str], Api],
                                                                     demo: Demo) -> None:
    """An approver reads the institution's audit trail, but not that a colleague is under a
    show-cause notice: violation events are shown to monitors and admins only."""
    monitor, karim = as_user("monitor"), as_user("karim")
    case = _record(monitor, demo)
    query = f"/audit?institution_id={demo.institutions['district']}&limit=500"
    seen_by_monitor = monitor.ok("GET", query)
    seen_by_karim = karim.ok("GET", query)

    def cases(events: list[dict[str, Any]]) -> set[Any]:
        return {e["object_id"] for e in events if e["object_type"] == "violation"}

    assert case["id"] in cases(seen_by_monitor)
    assert cases(seen_by_karim) == set()
    assert any(e["object_type"] == "post" for e in seen_by_karim)


def test_a_refused_step_reads_whole_in_hindi_and_bengali() -> None:
    """The states and steps inside a 409's message are translated too, not left in English."""
    from satark.service.web.service_messages import translate_message

    message = "cannot close: the case is noted; allowed when it is decided"
    bn, hi = translate_message("bn", message), translate_message("hi", message)
    assert bn is not None and hi is not None
    for english in ("close", "noted", "decided"):
        assert english not in bn and english not in hi
    assert "নথিভুক্ত" in bn
