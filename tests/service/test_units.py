"""Units of work (issue 11 §6): pages and the live check read without the write lock; the
use of a session or token is written in a short write unit of its own, only once a minute;
a read unit refuses to write; the institution tree is read once per unit of work."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, func, select, update

from satark.service import access
from satark.service.db import ReadUnitWrote
from satark.service.models import (
    ApiToken,
    AuditEvent,
    Institution,
    LoginAttempt,
    Membership,
    User,
    WebSession,
    utcnow,
)

HTML = {"accept": "text/html,application/xhtml+xml"}


class Writes:
    """Counts the write units opened (and, on SQLite, the BEGIN IMMEDIATEs sent)."""

    def __init__(self, svc: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.units = 0
        self.immediate = 0
        real = svc.db._enter_write

        def enter() -> None:
            self.units += 1
            real()

        monkeypatch.setattr(svc.db, "_enter_write", enter)

        def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if statement.strip().upper().startswith("BEGIN IMMEDIATE"):
                self.immediate += 1

        event.listen(svc.db.engine, "before_cursor_execute", on_execute)
        self._undo = lambda: event.remove(svc.db.engine, "before_cursor_execute", on_execute)

    def reset(self) -> None:
        self.units = self.immediate = 0

    @property
    def none(self) -> bool:
        return self.units == 0 and self.immediate == 0


@pytest.fixture
def writes(svc: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    counter = Writes(svc, monkeypatch)
    yield counter
    counter._undo()


def _web_login(client: Any, username: str) -> str:
    response = client.post("/api/v1/session", json={"username": username, "password": "satark-demo-2026"})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def _age_sessions(svc: Any, minutes: int) -> None:
    with svc.db.session() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=minutes)))


def _last_seen(svc: Any) -> dt.datetime:
    with svc.db.session(write=False) as session:
        seen = session.scalar(select(WebSession.last_seen_at).order_by(WebSession.id.desc()).limit(1))
    assert seen is not None
    return seen


def test_pages_and_the_live_check_take_no_write_unit(svc, client, demo, writes) -> None:
    csrf = _web_login(client, "rahima")
    writes.reset()
    pages = ["/", "/posts", "/posts/new", f"/posts/{demo.published_post}", f"/posts/{demo.submitted_post}",
             "/check", "/accounts", f"/accounts/{demo.accounts['dhaka_fb']}", "/archive", "/archive?q=বিজয়",
             "/audit", "/settings", "/login"]
    for path in pages:
        response = client.get(path, headers=HTML, follow_redirects=False)
        assert response.status_code in (200, 303, 403), (path, response.status_code, response.text[:300])
    for form in ({"text": "জেলা প্রশাসনের সভা", "account_id": str(demo.accounts["dhaka_fb"])},
                 {"text": "आज बैठक है", "jurisdiction": "IN-CG"}, {"text": ""}):
        response = client.post("/ui/screen", data={**form, "csrf_token": csrf},
                               headers={"HX-Request": "true", "X-CSRF-Token": csrf})
        assert response.status_code == 200 and "screen-result" in response.text, response.text[:300]
    assert writes.none, (writes.units, writes.immediate)


def test_a_session_unused_for_a_minute_is_touched_in_a_short_write_of_its_own(svc, client, demo, writes) -> None:
    csrf = _web_login(client, "rahima")
    _age_sessions(svc, 5)
    writes.reset()
    assert client.get("/", headers=HTML).status_code == 200
    assert writes.units == 1
    assert utcnow() - _last_seen(svc) < dt.timedelta(seconds=30)
    writes.reset()
    assert client.get("/posts", headers=HTML).status_code == 200
    response = client.post("/ui/screen", data={"text": "জেলা প্রশাসনের সভা", "csrf_token": csrf,
                                                "account_id": str(demo.accounts["dhaka_fb"])},
                           headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert response.status_code == 200
    assert writes.none
    # The live check keeps a session alive too.
    _age_sessions(svc, 5)
    writes.reset()
    response = client.post("/ui/screen", data={"text": "জেলা প্রশাসনের সভা", "csrf_token": csrf,
                                                "account_id": str(demo.accounts["dhaka_fb"])},
                           headers={"HX-Request": "true", "X-CSRF-Token": csrf})
    assert response.status_code == 200 and writes.units == 1
    assert utcnow() - _last_seen(svc) < dt.timedelta(seconds=30)


@pytest.mark.parametrize("settings_overrides", [{"session_idle_minutes": 30}])
def test_an_idle_session_still_ends_on_a_page(svc, client, demo) -> None:
    _web_login(client, "rahima")
    _age_sessions(svc, 29)
    assert client.get("/", headers=HTML, follow_redirects=False).status_code == 200  # touched: 29 minutes
    assert utcnow() - _last_seen(svc) < dt.timedelta(seconds=30)
    _age_sessions(svc, 31)
    response = client.get("/", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_token_s_use_is_recorded_from_reads_once_a_minute(svc, as_user, demo, writes) -> None:
    api = as_user("rahima")
    with svc.db.session() as session:
        session.execute(update(ApiToken).values(last_used_at=None))
    writes.reset()
    assert api.get("/posts").status_code == 200
    assert writes.units == 1
    with svc.db.session(write=False) as session:
        used = session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == demo.users["rahima"]))
    assert used is not None and utcnow() - used < dt.timedelta(seconds=30)
    writes.reset()
    assert api.get("/posts").status_code == 200 and api.get("/me").status_code == 200
    assert writes.none


def test_a_read_unit_refuses_to_write(svc, demo) -> None:
    with pytest.raises(ReadUnitWrote), svc.db.session(write=False) as session:
        user = session.get(User, demo.users["rahima"])
        assert user is not None
        user.display_name = "changed in a read unit"
    with pytest.raises(ReadUnitWrote), svc.db.session(write=False) as session:
        session.add(Institution(name="Nowhere", jurisdiction="BD"))
        session.flush()
    with svc.db.session(write=False) as session:
        assert session.get(User, demo.users["rahima"]).display_name != "changed in a read unit"
        assert session.scalar(select(Institution).where(Institution.name == "Nowhere")) is None


def test_one_post_page_reads_the_institution_tree_once(svc, client, demo, monkeypatch) -> None:
    _web_login(client, "karim")
    built: list[int] = []
    membership_reads: list[str] = []
    real = access.InstitutionTree.__init__

    def counting(self: access.InstitutionTree, session: Any) -> None:
        built.append(1)
        real(self, session)

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT memberships.institution_id, memberships.role"):  # access's own
            membership_reads.append(statement)

    monkeypatch.setattr(access.InstitutionTree, "__init__", counting)
    event.listen(svc.db.read_engine, "before_cursor_execute", on_execute)
    try:
        response = client.get(f"/posts/{demo.submitted_post}", headers=HTML)
    finally:
        event.remove(svc.db.read_engine, "before_cursor_execute", on_execute)
    assert response.status_code == 200 and 'action="/posts/' in response.text
    assert len(built) == 1
    assert len(membership_reads) == 1, membership_reads


def test_the_cached_tree_and_roles_follow_changes_in_the_same_unit(svc, demo) -> None:
    with svc.db.session() as session:
        karim = session.get(User, demo.users["karim"])
        cg = demo.institutions["cg"]
        assert access.roles_in(session, karim, cg) == set()
        session.add(Membership(user_id=karim.id, institution_id=cg, role="monitor"))  # not flushed yet
        assert access.roles_in(session, karim, cg) == {"monitor"}
        child = Institution(name="Block office", jurisdiction="IN-CG", parent_id=cg)
        session.add(child)
        session.flush()
        assert child.id in access.visible_institutions(session, karim)
        assert access.roles_in(session, karim, child.id) == {"monitor"}
        child.parent_id = None
        assert access.roles_in(session, karim, child.id) == set()
        session.rollback()
    with svc.db.session(write=False) as session:
        karim = session.get(User, demo.users["karim"])
        assert access.roles_in(session, karim, demo.institutions["cg"]) == set()


def test_a_login_verifies_the_password_outside_the_write_lock(svc, client, demo, monkeypatch) -> None:
    """argon2 takes a tenth of a second: under the write lock, every writer waited for each login."""
    from satark.service import security

    held: list[bool] = []
    real = security.verify_password

    def spy(password_hash: str, password: str) -> bool:
        held.append(svc.db.in_write_unit())
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", spy)
    for password, status in (("satark-demo-2026", 200), ("wrong-password-1", 401)):
        response = client.post("/api/v1/session", json={"username": "rahima", "password": password})
        assert response.status_code == status, response.text
    response = client.post("/login", data={"username": "karim", "password": "satark-demo-2026", "next": "/"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert len(held) == 3 and not any(held), held
    with svc.db.session(write=False) as session:
        kinds = [a for (a,) in session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(3))]
        failures = session.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.success.is_(False)))
    assert kinds == ["login", "login_failed", "login"] and failures == 1


def test_a_password_changed_between_check_and_record_fails_the_login(svc, demo) -> None:
    from satark.service import security

    with svc.db.session(write=False) as session:
        check = security.check_password(session, svc.settings, "rahima", "satark-demo-2026", client="test")
    assert check.ok
    with svc.db.session() as session:
        session.get(User, demo.users["rahima"]).password_hash = security.hash_password("another-password-2026")
    with svc.db.session() as session:
        assert security.record_login(session, svc.settings, check, client="test") is None


def test_the_write_lock_serves_writers_in_arrival_order() -> None:
    import threading
    import time

    from satark.service.db import FairLock

    lock = FairLock()
    order: list[int] = []

    def writer(i: int) -> None:
        with lock:
            order.append(i)

    with lock:  # held while the writers queue up, one after another
        threads = []
        for i in range(8):
            thread = threading.Thread(target=writer, args=(i,))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + 5
            while len(lock._waiters) < i + 1 and time.monotonic() < deadline:
                time.sleep(0.001)
    for thread in threads:
        thread.join(5)
    assert order == list(range(8))
    with lock:  # and it is free again
        pass


def _turnstile_writer(db_path: str, name: str, units: int, start: float) -> None:
    """One process of the test below: ``units`` write units, each holding the lock a while."""
    import sqlite3
    import time

    from satark.service.db import FairLock

    lock = FairLock(db_path)
    conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)  # SQLite does not wait: any overlap fails
    while time.time() < start:
        time.sleep(0.001)
    for i in range(units):
        with lock:
            conn.execute("BEGIN IMMEDIATE")  # fails at once if another process holds SQLite's lock
            conn.execute("INSERT INTO log (who, n, at) VALUES (?, ?, ?)", (name, i, time.time()))
            time.sleep(0.002)
            conn.execute("COMMIT")
    conn.close()


def test_writers_in_two_processes_take_turns_through_the_file_locks(tmp_path) -> None:
    """``satark serve --workers 2``: the lock files beside the database keep the two processes'
    writers out of SQLite's busy handler (no busy timeout here: any overlap fails), and
    hand the lock from one process to the other rather than letting one run its whole queue."""
    import multiprocessing
    import sqlite3
    import stat
    import time

    db_path = str(tmp_path / "satark.sqlite3")
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE log (who TEXT, n INTEGER, at REAL)")
    ctx = multiprocessing.get_context("spawn")
    start = time.time() + 3
    procs = [ctx.Process(target=_turnstile_writer, args=(db_path, name, 40, start)) for name in ("a", "b")]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0]
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT who FROM log ORDER BY rowid").fetchall()
    order = "".join(who for (who,) in rows)
    assert sorted(order) == ["a"] * 40 + ["b"] * 40
    # While both were writing, neither ran more than a few units in a row.
    both = order[: min(order.rindex("a"), order.rindex("b"))]
    assert max(len(run) for run in both.replace("ab", "a b").replace("ba", "b a").split()) <= 3, order
    for name in ("queue", "writer"):
        assert stat.S_IMODE((tmp_path / f"satark.sqlite3-{name}.lock").stat().st_mode) == 0o600


def test_a_turn_runs_the_writers_queued_in_its_process_when_it_began(tmp_path) -> None:
    """Two FairLocks on one database stand for two worker processes (``flock`` locks of two
    open files exclude each other even in one process). When a process's turn begins, the
    writers already queued in it run before the other process's next writer, holding the
    writer lock throughout; strict alternation gave b1, a1, b2, a2, a3."""
    import threading
    import time

    from satark.service.db import FairLock

    path = str(tmp_path / "satark.sqlite3")
    lock_a, lock_b = FairLock(path), FairLock(path)
    order: list[str] = []

    def write(lock: FairLock, name: str) -> None:
        with lock:
            order.append(name)
            time.sleep(0.01)

    def queue(lock: FairLock, name: str, queued: int) -> threading.Thread:
        thread = threading.Thread(target=write, args=(lock, name))
        thread.start()
        deadline = time.monotonic() + 10
        while len(lock._waiters) < queued and time.monotonic() < deadline:
            time.sleep(0.001)
        return thread

    lock_a.__enter__()  # a's turn: nobody was queued in a when it began
    threads = [queue(lock_b, "b1", 0)]
    time.sleep(0.2)  # b1 now waits for the writer lock, holding the queue lock: b is next
    threads += [queue(lock_b, "b2", 1), queue(lock_a, "a1", 1), queue(lock_a, "a2", 2), queue(lock_a, "a3", 3)]
    lock_a.__exit__(None, None, None)
    for thread in threads:
        thread.join(10)
    assert order == ["b1", "b2", "a1", "a2", "a3"]
    assert not lock_a._files_held and not lock_b._files_held  # the last writer of each turn let go


def test_head_writes_from_many_threads_end_at_the_latest_event(tmp_path) -> None:
    import random
    import threading

    from satark.service.audit_key import read_head, write_head

    ids = list(range(1, 201))
    random.Random(7).shuffle(ids)
    chunks = [ids[i::8] for i in range(8)]

    def run(chunk: list[int]) -> None:
        for event_id in chunk:
            write_head(tmp_path, event_id, f"{event_id:064x}")

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    head = read_head(tmp_path)
    assert head is not None and (head.id, head.hash) == (200, f"{200:064x}")
    assert not write_head(tmp_path, 150, "1" * 64) and read_head(tmp_path) == head
    assert write_head(tmp_path, 5, "2" * 64, force=True) and read_head(tmp_path).id == 5  # re-anchoring


def test_a_rewritten_key_file_is_read_again(tmp_path, monkeypatch) -> None:
    from satark.service.audit_key import KEY_ENV, KEY_FILE, load_key

    monkeypatch.delenv(KEY_ENV, raising=False)
    first = load_key(tmp_path)
    assert first is not None and load_key(tmp_path) == first
    path = tmp_path / KEY_FILE
    path.unlink()
    path.write_text("b" * 64 + "\n", encoding="ascii")
    path.chmod(0o600)
    assert load_key(tmp_path) == b"b" * 64
