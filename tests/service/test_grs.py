"""GRS and CPGRAMS referrals: the packet in the citizen's language, the tracking number, the deadline."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable
from pathlib import Path

from satark.service import grs
from satark.service.context import Services
from satark.service.models import utcnow
from satark.service.models_inbox import GrsReferral
from satark.service.reminders import sources

from .conftest import Api, Demo

GRIEVANCE_BN = ("ভূমি অফিসে নামজারির আবেদন তিন মাস ধরে পড়ে আছে, কেউ কোনো উত্তর দিচ্ছে না। "
                "দ্রুত ব্যবস্থা নেওয়ার অনুরোধ করছি।")
GRIEVANCE_HI = "पेंशन का भुगतान छह महीने से रुका हुआ है, कार्यालय में कोई सुनवाई नहीं हो रही।"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_packs_name_their_grievance_system(svc: Services) -> None:
    bd = grs.grievance_system(svc.screening, "BD")
    cg = grs.grievance_system(svc.screening, "IN-CG")
    assert bd is not None and (bd.id, bd.deadline, bd.deadline_unit, bd.appeal_deadline) == ("GRS", 30, "working_days",
                                                                                            20)
    assert cg is not None and (cg.id, cg.deadline, cg.deadline_unit) == ("CPGRAMS", 21, "days")


def test_referral_from_packet_to_closure(as_user: Callable[[str], Api], demo: Demo, svc: Services,
                                         tmp_path: Path) -> None:
    sohel, rahima = as_user("sohel"), as_user("rahima")
    # The demo's own referral of the district, newest first.
    before = [r["id"] for r in rahima.ok("GET", "/grs/referrals")]
    item = sohel.ok("POST", "/inbox/items", 201, json={
        "account_id": demo.accounts["dhaka_fb"], "text": GRIEVANCE_BN, "kind": "complaint",
        "received_at": _iso(utcnow() - dt.timedelta(hours=5)), "author_handle": "abdul.hamid"})
    # Only those who handle comments refer.
    assert rahima.post(f"/inbox/items/{item['id']}/grs").status_code == 403
    ref = sohel.ok("POST", f"/inbox/items/{item['id']}/grs", 201)
    assert (ref["system"], ref["lang"], ref["status"], ref["deadline_on"]) == ("GRS", "bn", "prepared", None)
    assert "grievance" in sohel.ok("GET", f"/inbox/items/{item['id']}")["tags"]
    assert sohel.post(f"/inbox/items/{item['id']}/grs").status_code == 409
    # The packet, in Bengali, as text and as a PDF whose words read back intact.
    text = sohel.get(f"/grs/referrals/{ref['id']}/packet", params={"format": "txt"})
    assert text.status_code == 200 and "নামজারির" in text.text and "জিআরএস" in text.text
    pdf = sohel.get(f"/grs/referrals/{ref['id']}/packet")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert rahima.get(f"/grs/referrals/{ref['id']}/packet").status_code == 403
    (tmp_path / "p.pdf").write_bytes(pdf.content)
    extracted = subprocess.run(["pdftotext", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True,
                               check=True).stdout
    for word in ("নামজারির", "অভিযোগ", "প্রতিকার", "দ্রুত"):
        assert word in extracted, word
    # Lodged with the tracking number: 30 working days start.
    path = f"/grs/referrals/{ref['id']}"
    assert sohel.post(path, json={"action": "lodge"}).status_code == 422
    lodged = sohel.ok("POST", path, json={"action": "lodge", "tracking_number": "GRS-2026-001234"})
    assert lodged["status"] == "lodged" and lodged["working_days_left"] == 30
    assert sohel.post(path, json={"action": "lodge", "tracking_number": "X1"}).status_code == 409
    # An appeal: 20 working days from the appeal.
    appealed = sohel.ok("POST", path, json={"action": "appeal", "note": "নাগরিক আপিল করেছেন"})
    assert appealed["working_days_left"] == 20 and "আপিল" in appealed["note"]
    sohel.ok("POST", path, json={"action": "resolve"})
    closed = sohel.ok("POST", path, json={"action": "close"})
    assert closed["status"] == "closed" and closed["working_days_left"] is None
    assert [r["id"] for r in rahima.ok("GET", "/grs/referrals")] == [ref["id"], *before]


def test_deadline_near_and_the_reminder(as_user: Callable[[str], Api], demo: Demo, svc: Services) -> None:
    admin = as_user("admin")
    item = admin.ok("POST", "/inbox/items", 201, json={
        "account_id": demo.accounts["cg_fb"], "text": GRIEVANCE_HI, "received_at": _iso(utcnow())})
    ref = admin.ok("POST", f"/inbox/items/{item['id']}/grs", 201)
    assert (ref["system"], ref["lang"]) == ("CPGRAMS", "hi")
    text = admin.get(f"/grs/referrals/{ref['id']}/packet", params={"format": "txt"}).text
    assert "पेंशन" in text and "शिकायत" in text
    # Lodged 18 days ago: CPGRAMS's 21 days end in 3.
    admin.ok("POST", f"/grs/referrals/{ref['id']}", json={
        "action": "lodge", "tracking_number": "DARPG/E/2026/0012345", "at": _iso(utcnow() - dt.timedelta(days=18))})
    cg = demo.institutions["cg"]
    with svc.db.session(write=False) as session:
        near = grs.open_referrals_near_deadline(session, [cg], utcnow())
        assert [r.id for r in near] == [ref["id"]]
        assert grs.open_referrals_near_deadline(session, [cg], utcnow(), within_days=1) == []
        assert grs.open_referrals_near_deadline(session, [demo.institutions["district"]], utcnow()) == []
        reminders = [r for r in sources()["grs_deadline"](session, utcnow()) if r.institution_id == cg]
        row = session.get(GrsReferral, ref["id"])
        assert row is not None and row.deadline_on is not None
        deadline = row.deadline_on
    assert len(reminders) == 1
    assert reminders[0].key == f"grs:{ref['id']}:lodged:{deadline.isoformat()}"
    assert demo.users["admin"] in reminders[0].recipients
    # A district referral past its deadline: the district has no admin of its own, so the
    # ministry's admin is told, with the assignee.
    sohel = as_user("sohel")
    late = sohel.ok("POST", "/inbox/items", 201, json={
        "account_id": demo.accounts["dhaka_fb"], "text": GRIEVANCE_BN, "received_at": _iso(utcnow())})
    district_ref = sohel.ok("POST", f"/inbox/items/{late['id']}/grs", 201)
    lodged = sohel.ok("POST", f"/grs/referrals/{district_ref['id']}", json={
        "action": "lodge", "tracking_number": "GRS-2026-000001", "at": _iso(utcnow() - dt.timedelta(days=60))})
    assert lodged["working_days_left"] < 0
    with svc.db.session(write=False) as session:
        found = [r for r in sources()["grs_deadline"](session, utcnow())
                 if r.key.startswith(f"grs:{district_ref['id']}:")]
    assert len(found) == 1 and set(found[0].recipients) == {demo.users["admin"], demo.users["sohel"]}
