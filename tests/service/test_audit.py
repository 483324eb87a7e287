"""The audit trail: events for every change, a hash chain that finds tampering, append-only tables."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from satark.cli import main as satark_main
from satark.service.audit import GENESIS, verify_chain
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import AuditEvent

BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"


def _utc(value: str) -> dt.datetime:
    when = dt.datetime.fromisoformat(value)
    assert when.utcoffset() == dt.timedelta(0), value
    return when


def test_every_change_leaves_an_event_with_actor_time_and_details(as_user, anonymous, demo, flow) -> None:
    admin = as_user("admin")
    start = max(e["id"] for e in admin.ok("GET", "/audit?limit=1"))
    anonymous.ok("POST", "/session", json={"username": "karim", "password": DEMO_PASSWORD})
    admin.ok("PATCH", f"/institutions/{demo.institutions['district']}", json={"approval_ttl_hours": 48})
    admin.ok("PATCH", f"/accounts/{demo.accounts['dhaka_fb']}", json={"two_factor_enabled": True})
    post = flow.post("archived", BLOCK_BN, override_reason="The complainant asked for it to be published.")
    events = [e for e in reversed(admin.ok("GET", "/audit?limit=1000")) if e["id"] > start]

    by_action = {}
    for event in events:
        by_action.setdefault(event["action"], []).append(event)
        assert _utc(event["at"]) <= dt.datetime.now(dt.UTC)
        assert isinstance(event["details"], dict)
        assert len(event["hash"]) == 64 and len(event["prev_hash"]) == 64
    assert by_action["login"][0]["actor"] == "karim" and by_action["login"][0]["details"]["client"]
    settings = by_action["settings_changed"][0]
    assert (settings["actor"], settings["details"]) == ("admin", {"approval_ttl_hours": {"from": 72, "to": 48}})
    assert by_action["account_updated"][0]["details"] == {"two_factor_enabled": True}
    override = by_action["post_override"][0]
    assert override["actor"] == "karim" and override["details"]["reason"].startswith("The complainant")
    lifecycle = [(e["action"], e["actor"]) for e in events
                 if e["object_id"] == post["id"] and e["object_type"] == "post"]
    assert lifecycle == [
        ("post_created", "rahima"), ("post_submit", "rahima"), ("post_override", "karim"), ("post_approve", "karim"),
        ("post_publish", "sohel"), ("post_correct", "rahima"), ("post_retract", "sohel"), ("post_archive", "admin"),
    ]
    for event in (e for e in events if e["action"].startswith("post_")):
        assert event["actor_id"] == demo.users[event["actor"]]
        assert event["institution_id"] == demo.institutions["district"]
    # The chain links each event to the one before.
    ids = [e["id"] for e in events]
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    for before, after in itertools.pairwise(events):
        assert after["prev_hash"] == before["hash"]


def test_a_fresh_chain_verifies(svc, demo, as_user) -> None:
    with svc.db.session() as session:
        count, problems = verify_chain(session)
        first = session.scalar(select(AuditEvent).order_by(AuditEvent.id).limit(1))
        assert first.prev_hash == GENESIS
    assert count > 20 and problems == []
    assert as_user("admin").ok("GET", "/audit/verify") == {"events": count, "ok": True, "problems": []}
    # Small batches walk the same chain.
    with svc.db.session() as session:
        assert verify_chain(session, batch=7) == (count, [])


def test_updates_and_deletes_are_refused_by_the_database(svc, demo) -> None:
    for statement in (update(AuditEvent).where(AuditEvent.id == 2).values(actor="someone else"),
                      delete(AuditEvent).where(AuditEvent.id == 2),
                      delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"), svc.db.session() as session:
            session.execute(statement)
    with pytest.raises(DBAPIError, match="append-only"), svc.db.session() as session:
        session.delete(session.get(AuditEvent, 3))
    with svc.db.session() as session:
        assert session.get(AuditEvent, 2).actor == ""
        assert verify_chain(session)[1] == []


def _tamper(svc, statement: str) -> None:
    """Turn the append-only triggers off behind the service's back, then change the table."""
    with svc.db.engine.begin() as conn:
        if svc.db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
            conn.exec_driver_sql(statement)
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            try:
                conn.exec_driver_sql(statement)
            finally:
                conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")


def test_altered_details_are_found(svc, demo, as_user) -> None:
    with svc.db.session() as session:
        target = session.scalar(select(AuditEvent).where(AuditEvent.action == "post_publish"))
        target_id = target.id
    details = '{"from": "approved", "to": "published", "url": "https://evil.example/"}'
    _tamper(svc, f"UPDATE audit_events SET details = '{details}' WHERE id = {target_id}")
    with svc.db.session() as session:
        assert session.get(AuditEvent, target_id).details["url"] == "https://evil.example/"
        problems = verify_chain(session)[1]
    assert [(p.event_id, p.problem) for p in problems] == [
        (target_id, "hash does not match the event's contents (altered)")]
    report = as_user("admin").ok("GET", "/audit/verify")
    assert report["ok"] is False and report["problems"][0]["event_id"] == target_id


def test_removed_and_rehashed_events_are_found(svc, demo) -> None:
    _tamper(svc, "DELETE FROM audit_events WHERE id = 5")
    with svc.db.session() as session:
        problems = verify_chain(session)[1]
    assert {p.event_id for p in problems} == {6}
    assert any("missing" in p.problem for p in problems) and any("prev_hash" in p.problem for p in problems)


def test_the_time_of_an_event_is_hashed_too(svc, demo) -> None:
    with svc.db.session() as session:
        when = session.get(AuditEvent, 4).at
    earlier = (when - dt.timedelta(days=1)).replace(tzinfo=None).isoformat(sep=" ")
    _tamper(svc, f"UPDATE audit_events SET at = '{earlier}' WHERE id = 4")
    with svc.db.session() as session:
        assert [p.event_id for p in verify_chain(session)[1]] == [4]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_verifies_the_chain(svc, demo, monkeypatch, capsys) -> None:
    monkeypatch.setenv("SATARK_DATA_DIR", str(svc.settings.data_dir))
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    svc.db.dispose()

    def verify() -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            satark_main(["audit", "verify"])
        return int(exited.value.code or 0), capsys.readouterr().out

    code, out = verify()
    assert code == 0 and out.startswith("audit chain intact:"), out
    _tamper(svc, "UPDATE audit_events SET actor = 'nobody' WHERE id = 3")
    svc.db.dispose()
    code, out = verify()
    assert code == 1, out
    assert "event 3: hash does not match" in out and "audit chain BROKEN: 1 problem(s)" in out


def test_audit_listing_pages_backwards(as_user, demo) -> None:
    admin = as_user("admin")
    newest = admin.ok("GET", "/audit?limit=5")
    assert [e["id"] for e in newest] == sorted((e["id"] for e in newest), reverse=True)
    older = admin.ok("GET", f"/audit?limit=5&before={newest[-1]['id']}")
    assert older and older[0]["id"] == newest[-1]["id"] - 1
    own = as_user("rahima").ok("GET", "/audit")
    assert own and all(e["actor"] == "rahima" for e in own)

