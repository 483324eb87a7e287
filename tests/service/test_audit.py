"""The audit trail: events for every change, a keyed hash chain that finds each kind of tampering
(with a head file outside the database and the posts' content in the chain), append-only tables."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import stat
import subprocess
import sys

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from satark.cli import main as satark_main
from satark.service import audit
from satark.service.audit import CHAIN_KEYED, CHAIN_LEGACY, GENESIS, record, verify_chain
from satark.service.audit_key import KEY_ENV, AuditKeyError, read_head, write_head
from satark.service.db import Database
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import AuditEvent
from satark.service.settings import Settings

BLOCK_BN = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"
CLEAR_HI = "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा। सभी नागरिक आमंत्रित हैं।"


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
        ("post_publish", "sohel"), ("post_correction_submitted", "rahima"), ("post_override", "karim"),
        ("post_correction_approved", "karim"), ("post_retraction_submitted", "sohel"), ("post_retract", "karim"),
        ("post_archive", "admin"),
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
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
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
    head = read_head(svc.settings.data_dir)
    assert f"head file: event {head.id} {head.hash}" in out
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



# --- the keyed chain: each kind of tampering the issue lists is found -------------------------

def _use_cli(svc, monkeypatch) -> None:
    """Point ``satark`` commands at the test's database and data directory."""
    monkeypatch.setenv("SATARK_DATA_DIR", str(svc.settings.data_dir))
    if svc.db.dialect == "postgresql":
        monkeypatch.setenv("SATARK_DATABASE_URL", svc.settings.database_url)
    else:
        monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)


def _problems(svc) -> list[tuple[int, str]]:
    with svc.db.session() as session:
        return [(p.event_id, p.problem) for p in verify_chain(session)[1]]


def _last_id(svc) -> int:
    with svc.db.session() as session:
        return session.scalar(select(func.max(AuditEvent.id)))


def test_the_key_file_and_head_file_live_outside_the_database(svc, demo, flow) -> None:
    key = svc.settings.data_dir / "audit.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    flow.post("published")
    head = read_head(svc.settings.data_dir)
    with svc.db.session() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        assert (head.id, head.hash) == (last.id, last.hash) and last.chain == CHAIN_KEYED
        assert last.content["published_url"].startswith("https://example.gov/posts/")
    # The head never goes backwards, whatever order concurrent writers finish in.
    assert not write_head(svc.settings.data_dir, head.id - 1, "1" * 64)
    assert read_head(svc.settings.data_dir) == head
    # A rolled-back event leaves the head alone.
    with pytest.raises(RuntimeError), svc.db.session() as session:
        record(session, "login", actor=None)
        raise RuntimeError("rolled back")
    assert read_head(svc.settings.data_dir) == head and _problems(svc) == []


def test_a_chain_through_the_whole_workflow_verifies(svc, demo, flow) -> None:
    flow.post("archived", BLOCK_BN, override_reason="The complainant asked for it to be published.")
    flow.post("approved")
    rahima, karim = flow.as_user("rahima"), flow.as_user("karim")
    pid = flow.post("submitted")["id"]
    karim.ok("POST", f"/posts/{pid}/request-changes", json={"comment": "please fix the date"})
    rahima.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_HI, "title": "नया"})
    rahima.ok("POST", f"/posts/{pid}/submit")
    rahima.ok("POST", f"/posts/{pid}/withdraw")
    rahima.ok("POST", f"/posts/{pid}/submit")
    karim.ok("POST", f"/posts/{pid}/reject", json={"comment": "not for this account"})
    assert _problems(svc) == []


def test_the_recorded_fingerprint_is_what_the_rows_read_back_give(svc, demo, flow, monkeypatch) -> None:
    """Events take a post's fingerprint from the rows just flushed, not from three queries;
    at every step of the workflow it must be exactly what reading the rows back gives."""
    compared: list[str] = []
    real = audit._recorded_content

    def checked(session, post_id):
        recorded = real(session, post_id)
        assert recorded == audit.post_content(session, post_id)
        compared.append(recorded["state"])
        return recorded

    monkeypatch.setattr(audit, "_recorded_content", checked)
    dhaka = dt.timezone(dt.timedelta(hours=6))  # a local publication time: stored as UTC
    flow.post("archived", BLOCK_BN, override_reason="The complainant asked for it to be published.",
              published_at=dt.datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=dhaka))
    flow.post("retracted", account="cg_fb")
    rahima, karim = flow.as_user("rahima"), flow.as_user("karim")
    pid = flow.post("submitted")["id"]
    karim.ok("POST", f"/posts/{pid}/request-changes", json={"comment": "please fix the date"})
    rahima.ok("PUT", f"/posts/{pid}", json={"text": CLEAR_HI, "title": "नया"})
    rahima.ok("POST", f"/posts/{pid}/submit")
    rahima.ok("POST", f"/posts/{pid}/withdraw")
    assert {"draft", "submitted", "approved", "published", "corrected", "retracted", "archived",
            "changes_requested"} <= set(compared)
    assert _problems(svc) == []


def test_the_head_file_is_written_once_the_write_lock_is_released(svc, demo, flow, monkeypatch) -> None:
    held: list[bool] = []
    real = audit.write_head

    def spy(*args, **kwargs):
        held.append(svc.db.in_write_unit())
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "write_head", spy)
    flow.post("published")
    assert held and not any(held)
    head = read_head(svc.settings.data_dir)
    assert head is not None and head.id == _last_id(svc) and _problems(svc) == []


def test_deleting_the_newest_events_is_found(svc, demo, monkeypatch, capsys) -> None:
    last = _last_id(svc)
    _tamper(svc, f"DELETE FROM audit_events WHERE id > {last - 3}")
    assert _problems(svc) == [(last, f"the head file records event {last} but the chain ends at {last - 3}: "
                                     "the newest events were removed")]
    # Re-anchoring does not paper over it, unless forced.
    _use_cli(svc, monkeypatch)
    with pytest.raises(SystemExit) as exited:
        satark_main(["audit", "anchor"])
    assert exited.value.code == 1 and "not anchored" in capsys.readouterr().out
    assert read_head(svc.settings.data_dir).id == last


def _rechain(svc, start: int, key: bytes | None, change: dict) -> None:
    """What an attacker with write access to the database would do: change event ``start``,
    then recompute every later hash, plain SHA-256 (``key`` None) or HMAC with a guessed key."""
    with svc.db.session() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.id >= start).order_by(AuditEvent.id)))
        prev = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == start - 1))
        session.expunge_all()
    rows = []
    for ev in events:
        if ev.id == start:
            for name, value in change.items():
                setattr(ev, name, value)
        ev.prev_hash = prev
        body = (prev + audit._body(ev, keyed=ev.chain == CHAIN_KEYED)).encode()
        ev.hash = (hashlib.sha256(body) if key is None else hmac.new(key, body, hashlib.sha256)).hexdigest()
        rows.append(ev)
        prev = ev.hash
    with svc.db.engine.begin() as conn:
        if svc.db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        table = AuditEvent.__table__
        for ev in rows:
            conn.execute(table.update().where(table.c.id == ev.id).values(
                details=ev.details, chain=ev.chain, prev_hash=ev.prev_hash, hash=f"x{ev.id}"))
        for ev in rows:
            conn.execute(table.update().where(table.c.id == ev.id).values(hash=ev.hash))
        if svc.db.dialect == "postgresql":
            conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")


@pytest.mark.parametrize("guess", [None, b"0" * 64], ids=["sha256", "guessed-key"])
def test_an_edit_with_recomputed_later_hashes_is_found(svc, demo, guess) -> None:
    last = _last_id(svc)
    start = last - 5
    with svc.db.session() as session:
        details = dict(session.get(AuditEvent, start).details, forged="yes")
    _rechain(svc, start, guess, {"details": details})
    problems = _problems(svc)
    # The links agree again, but no hash from the edited event on is the key's.
    assert [p for p in problems if "prev_hash" in p[1]] == []
    assert [e for e, p in problems if "altered" in p] == list(range(start, last + 1))
    assert (last, "the event differs from the one the head file records") in problems


def test_relabelling_keyed_events_as_unkeyed_is_found(svc, demo) -> None:
    last = _last_id(svc)
    _rechain(svc, last - 2, None, {"chain": CHAIN_LEGACY})
    problems = _problems(svc)
    assert [e for e, p in problems if "unkeyed event after keyed" in p] == [last - 2]


@pytest.mark.parametrize("chain", [CHAIN_LEGACY, CHAIN_KEYED])
def test_a_forged_insert_is_found(svc, demo, chain) -> None:
    with svc.db.session() as session:
        last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
        last_id, last_hash = last.id, last.hash
    forged = AuditEvent(id=last_id + 1, at=dt.datetime.now(dt.UTC), actor_id=None, actor="", action="post_publish",
                        institution_id=demo.institutions["district"], object_type="post",
                        object_id=demo.submitted_post, details={"url": "https://evil.example/"}, chain=chain,
                        content=None, prev_hash=last_hash, hash="")
    body = (last_hash + audit._body(forged, keyed=chain == CHAIN_KEYED)).encode()
    # A correct plain hash, or an HMAC under a key that is not the service's.
    forged.hash = hashlib.sha256(body).hexdigest() if chain == CHAIN_LEGACY else \
        hmac.new(b"guessed" * 8, body, hashlib.sha256).hexdigest()
    with svc.db.engine.begin() as conn:
        conn.execute(AuditEvent.__table__.insert().values(
            {c.name: getattr(forged, c.key) for c in AuditEvent.__table__.columns}))
    expected = "an unkeyed event after keyed ones (forged)" if chain == CHAIN_LEGACY else \
        "hash does not match the event's contents (altered)"
    assert _problems(svc) == [(last_id + 1, expected)]


def test_truncating_the_audit_table_is_refused_and_found(svc, demo) -> None:
    last = _last_id(svc)
    if svc.db.dialect == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), svc.db.session() as session:
            session.execute(text("TRUNCATE audit_events"))
        assert _problems(svc) == []
        # A table owner can still switch the triggers off (hence: run the service as another role).
        _tamper(svc, "TRUNCATE audit_events")
    else:
        _tamper(svc, "DELETE FROM audit_events")
    assert _problems(svc) == [(last, f"the head file records event {last} but the chain ends at 0: "
                                     "the newest events were removed")]


CONTENT_EDITS = {
    "post text": ("UPDATE revisions SET text = 'অন্য কথা' WHERE post_id = {post}", "revisions"),
    "publication URL": ("UPDATE posts SET published_url = 'https://evil.example/' WHERE id = {post}",
                        "published_url"),
    "publication time": ("UPDATE posts SET published_at = '2020-01-01 00:00:00' WHERE id = {post}", "published_at"),
    "approval comment": ("UPDATE approvals SET comment = 'no' WHERE post_id = {post}", "approvals"),
    "approver": ("UPDATE approvals SET user_id = {author} WHERE post_id = {post}", "approvals"),
    "approval removed": ("DELETE FROM approvals WHERE post_id = {post}", "approvals"),
    "state": ("UPDATE posts SET state = 'approved' WHERE id = {post}", "state"),
}


@pytest.mark.parametrize("edit", list(CONTENT_EDITS))
def test_edits_to_posts_revisions_and_approvals_are_found(svc, demo, edit) -> None:
    statement, field = CONTENT_EDITS[edit]
    post = demo.published_post
    with svc.db.engine.begin() as conn:
        conn.exec_driver_sql(statement.format(post=post, author=demo.users["rahima"]))
    problems = _problems(svc)
    assert len(problems) == 1 and problems[0][1] == f"post {post} differs from its audited record ({field})", problems
    with svc.db.session() as session:
        latest = session.scalar(select(AuditEvent.id).where(AuditEvent.object_type == "post",
                                                            AuditEvent.object_id == post)
                                .order_by(AuditEvent.id.desc()).limit(1))
    assert problems[0][0] == latest


def test_a_post_inserted_behind_the_services_back_is_found(svc, demo) -> None:
    with svc.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO posts (institution_id, account_id, author_id, title, state, revision_number, required_tiers,"
            " published_url, retraction_reason, verdict, categories, search_text, created_at, updated_at) "
            f"SELECT institution_id, account_id, author_id, 'forged', state, revision_number, required_tiers, "
            f"published_url, retraction_reason, verdict, categories, search_text, created_at, updated_at "
            f"FROM posts WHERE id = {demo.published_post}")
    newest = max(demo.published_post, demo.submitted_post, demo.cg_published_post)
    assert [p for _, p in _problems(svc)] == [f"post {newest + 1} has no audit record (inserted directly)"]


def test_a_different_key_fails_every_keyed_event(svc, demo, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, "f" * 64)
    problems = _problems(svc)
    assert len(problems) == _last_id(svc) and all("altered" in p for _, p in problems)
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(AuditKeyError, match="at least 32"), svc.db.session() as session:
        record(session, "login", actor=None)


def test_the_key_can_come_from_the_environment(svc, monkeypatch) -> None:
    (svc.settings.data_dir / "audit.key").unlink(missing_ok=True)
    monkeypatch.setenv(KEY_ENV, "a" * 64)
    with svc.db.session() as session:
        record(session, "login", actor=None)
    assert not (svc.settings.data_dir / "audit.key").exists()
    assert _problems(svc) == []
    monkeypatch.delenv(KEY_ENV)
    assert _problems(svc) == [(0, "no audit key: keyed events cannot be checked (copy audit.key into the data "
                                  "directory or set SATARK_AUDIT_KEY)")]


def test_a_key_file_readable_by_others_is_refused(svc) -> None:
    with svc.db.session() as session:
        record(session, "login", actor=None)
    (svc.settings.data_dir / "audit.key").chmod(0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"), svc.db.session() as session:
        record(session, "login", actor=None)


def test_a_missing_head_file_is_reported_and_can_be_reanchored(svc, demo, monkeypatch, capsys) -> None:
    (svc.settings.data_dir / "audit-head.json").unlink()
    last = _last_id(svc)
    assert [e for e, _ in _problems(svc)] == [last]
    _use_cli(svc, monkeypatch)
    with pytest.raises(SystemExit) as exited:
        satark_main(["audit", "anchor"])
    assert exited.value.code == 0 and f"anchored: {last} " in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        satark_main(["audit", "head"])
    head = read_head(svc.settings.data_dir)
    assert exited.value.code == 0 and capsys.readouterr().out == f"{head.id} {head.hash}\n"
    assert _problems(svc) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_export_writes_every_event_with_its_hashes(svc, demo, monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("SATARK_DATA_DIR", str(svc.settings.data_dir))
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    out = tmp_path / "audit.jsonl"
    with pytest.raises(SystemExit) as exited:
        satark_main(["audit", "export", "--out", str(out)])
    assert exited.value.code == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [e["id"] for e in lines] == list(range(1, _last_id(svc) + 1))
    for before, after in itertools.pairwise(lines):
        assert after["prev_hash"] == before["hash"] and after["chain"] == CHAIN_KEYED
    assert any(e["content"] and "revisions" in e["content"] for e in lines)
    assert "মোবাইল" in out.read_text(encoding="utf-8") or "ঠিক আছে" in out.read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        satark_main(["audit", "export"])
    assert capsys.readouterr().out.splitlines()[0] == out.read_text(encoding="utf-8").splitlines()[0]


# --- events from before the key ---------------------------------------------------------------

@pytest.fixture
def legacy_db(backend: str, request: pytest.FixtureRequest, tmp_path):
    """A database at revision 0001 (the unkeyed chain), for the upgrade."""
    url = ""
    schema = None
    if backend == "postgresql":
        server = request.getfixturevalue("postgres_server")
        schema = server.create_schema("satark_legacy")
        url = server.schema_url(schema)
    db = Database(Settings(data_dir=tmp_path / "data", database_url=url))
    db.upgrade("0001")
    try:
        yield db
    finally:
        db.dispose()
        if schema is not None:
            request.getfixturevalue("postgres_server").drop_schema(schema)


def test_events_written_before_the_key_still_verify_after_the_upgrade(legacy_db) -> None:
    # Three events as the unkeyed chain wrote them (before this migration's columns existed).
    prev = GENESIS
    with legacy_db.engine.begin() as conn:
        for i in (1, 2, 3):
            at = dt.datetime(2026, 11, i, 10, 0, tzinfo=dt.UTC)
            body = {"id": i, "at": at.isoformat(), "actor_id": None, "actor": "", "action": "login",
                    "institution_id": None, "object_type": "", "object_id": None, "details": {"client": "টেস্ট"}}
            digest = hashlib.sha256((prev + json.dumps(body, sort_keys=True, ensure_ascii=False,
                                                       separators=(",", ":"))).encode()).hexdigest()
            conn.execute(text("INSERT INTO audit_events (id, at, actor_id, actor, action, institution_id, "
                              "object_type, object_id, details, prev_hash, hash) VALUES (:id, :at, NULL, '', "
                              "'login', NULL, '', NULL, :details, :prev, :hash)"),
                         {"id": i, "at": at.replace(tzinfo=None), "details": '{"client": "টেস্ট"}',
                          "prev": prev, "hash": digest})
            prev = digest
    legacy_db.upgrade()
    with legacy_db.session() as session:
        assert verify_chain(session) == (3, [])
        record(session, "login", actor=None, details={"client": "after the upgrade"})
    with legacy_db.session() as session:
        result = audit.verify(session)
        assert (result.count, result.legacy, result.problems) == (4, 3, [])
        assert [e.chain for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [1, 1, 1, 2]
    # The keyed event anchors the unkeyed ones: rewriting them all consistently still shows.
    with legacy_db.engine.begin() as conn:
        if legacy_db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'x' WHERE id = 2")
    with legacy_db.session() as session:
        assert [p.event_id for p in verify_chain(session)[1]] == [2]


# --- reading the trail: the web page's filters and descriptions, and the API export -----------

def _rows(page) -> str:
    """The events table of an audit page (the filter form lists every description too)."""
    text = page.text
    return text[text.index('<table class="audit"'):] if '<table class="audit"' in text else ""


def test_the_audit_page_filters_and_describes_events_in_each_language(client, demo, flow) -> None:
    from .test_web import Browser

    post = flow.post("published")
    browser = Browser(client)
    browser.login("admin")
    page = browser.get("/audit", params={"post": post["id"]})
    rows = _rows(page)
    assert page.status_code == 200
    assert "Publication recorded" in rows and "Post written" in rows and "Logged in" not in rows
    assert f"/api/v1/audit/export?post={post['id']}" in page.text
    only = _rows(browser.get("/audit", params={"action": "post_publish", "actor": "sohel"}))
    assert "Publication recorded" in only and "Post written" not in only
    today = dt.datetime.now(dt.UTC).date()
    assert "Publication recorded" not in _rows(browser.get(
        "/audit", params={"action": "post_publish", "to": (today - dt.timedelta(days=1)).isoformat()}))
    assert "Publication recorded" in _rows(browser.get(
        "/audit", params={"action": "post_publish", "from": today.isoformat(), "to": "9999-12-31"}))
    for lang, words in (("bn", "প্রকাশ নথিভুক্ত হয়েছে"), ("hi", "प्रकाशन दर्ज किया गया")):
        browser.client.cookies.set("satark_lang", lang)
        assert words in _rows(browser.get("/audit", params={"post": post["id"]})), lang
    browser.client.cookies.delete("satark_lang")
    for bad, field in (({"from": "06/12/2026"}, "2026-12-06"), ({"post": "-1"}, "post number"),
                       ({"action": "drop_table"}, "from the list"),
                       ({"from": "2026-12-06", "to": "2026-12-01"}, "not before")):
        response = browser.get("/audit", params=bad)
        assert response.status_code == 422 and field in response.text, bad


def test_the_api_exports_the_events_you_may_see(as_user, demo, flow, check_error) -> None:
    post = flow.post("published")
    admin, rahima = as_user("admin"), as_user("rahima")
    response = admin.get("/audit/export")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert [e["id"] for e in lines] == sorted(e["id"] for e in lines) and lines[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(lines):
        assert after["prev_hash"] == before["hash"]
    mine = [json.loads(line) for line in rahima.get("/audit/export").text.splitlines()]
    assert mine and all(e["actor"] == "rahima" for e in mine)
    filtered = admin.get("/audit/export", params={"post": post["id"], "action": "post_publish"}).text.splitlines()
    assert [json.loads(line)["content"]["published_url"] for line in filtered] == [
        f"https://example.gov/posts/{post['id']}"]
    listed = admin.ok("GET", "/audit", params={"actor": "sohel", "action": "post_publish"})
    assert listed and {e["actor"] for e in listed} == {"sohel"}
    check_error(admin.get("/audit/export", params={"to": "2026-13-01"}), 422)
    check_error(admin.get("/audit", params={"action": "nope"}), 422)
    check_error(admin.get("/audit", params={"actor": "a\x00b"}), 422)
    check_error(admin.get("/audit/export", params={"post": "१२"}), 422)
    assert admin.ok("GET", "/audit", params={"from": "0001-01-01", "to": "9999-12-31", "limit": 1})
    check_error(as_user("admin").get("/audit/export", headers={"Authorization": "Bearer nope"}), 401)


_WRITER = """
import sys
from pathlib import Path
from satark.service import audit
from satark.service.db import Database
from satark.service.settings import Settings
db = Database(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]))
for i in range(int(sys.argv[3])):
    with db.session() as session:
        audit.record(session, "login", actor=None, details={"client": f"process {sys.argv[4]}, {i}"})
db.dispose()
"""


def test_concurrent_writer_processes_keep_the_chain_and_the_head_in_step(svc, demo) -> None:
    """Several processes append at once (as uvicorn workers do): the chain stays one line and
    the head file ends at the last event, never behind it."""
    svc.db.dispose()
    start = _last_id(svc)
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(svc.settings.data_dir), svc.settings.database_url,
                               "25", str(n)]) for n in range(3)]
    assert [p.wait(120) for p in procs] == [0, 0, 0]
    last = _last_id(svc)
    assert last == start + 75
    head = read_head(svc.settings.data_dir)
    assert head.id == last and _problems(svc) == []
