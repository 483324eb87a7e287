"""The reminder job, e-mail over a real SMTP server on loopback, and the scheduler (issue 12, §6).

The mail server is aiosmtpd listening on 127.0.0.1 on a free port; what it receives is parsed
back with the standard library, so subjects and bodies are checked as a mail client reads them.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from satark.service import jobs
from satark.service.app import create_app
from satark.service.context import Services
from satark.service.db import Database
from satark.service.jobs import Scheduler, run_once
from satark.service.mailer import Mailer
from satark.service.models import Account, Institution, Post, User
from satark.service.models_notifications import Notification, ReminderSent
from satark.service.settings import Settings

from .conftest import CLEAR_BN, Demo, Flow, TestClient

MY_SOURCES = ("approval_lapsing", "password_rotation_due")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < end:
            time.sleep(0.05)


class SmtpServer:
    def __init__(self, port: int, **options: Any) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port, **options)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def mail_settings(settings: Settings, port: int) -> Settings:
    return settings.replace(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
                            smtp_from="Satark <satark@dhaka.gov.bd>", public_url="https://satark.example.gov/")


def body_of(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def set_user(svc: Services, username: str, **values: Any) -> int:
    with svc.db.session() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        for name, value in values.items():
            setattr(user, name, value)
        return user.id


def count(svc: Services, model: Any, *where: Any) -> int:
    with svc.db.session(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


# --- e-mail in the user's language; in-app only gets none ------------------------------------------

def test_email_goes_in_each_users_language_and_in_app_only_users_get_none(
    svc: Services, demo: Demo, flow: Flow, smtp: SmtpServer,
) -> None:
    set_user(svc, "karim", ui_lang="bn", email="karim@dhaka.gov.bd", notify_by_email=True)
    nasreen = set_user(svc, "nasreen", ui_lang="hi", email="nasreen@dhaka.gov.bd", notify_by_email=False)
    set_user(svc, "rahima", ui_lang="hi", email="rahima@dhaka.gov.bd", notify_by_email=True)
    post = flow.create(CLEAR_BN, title="বিজয় দিবস")
    pid = post["id"]
    flow.as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    with svc.db.session(write=False) as session:
        # Written with the event: both approvers see it in the app, only karim's waits for e-mail.
        rows = session.scalars(select(Notification).where(Notification.link == f"/posts/{pid}")).all()
        assert {(r.user_id, r.kind, r.email_state) for r in rows} == {
            (demo.users["karim"], "post_submitted", "pending"), (nasreen, "post_submitted", "")}

    report = run_once(svc.db, mailer=Mailer(mail_settings(svc.settings, smtp.port)), names=())
    assert (report.emails_sent, report.emails_failed, report.errors) == (1, 0, [])
    [msg] = smtp.inbox.messages
    assert msg["To"] == "karim@dhaka.gov.bd" and msg["From"] == "Satark <satark@dhaka.gov.bd>"
    assert msg["Auto-Submitted"] == "auto-generated"
    subject, body = str(msg["Subject"]), body_of(msg)
    # Bengali: "sent the post … for approval", with the author's name and the post's title.
    assert "অনুমোদনের জন্য পাঠিয়েছেন" in subject and "বিজয় দিবস" in subject
    assert "Rahima Akter (author)" in body and "অনুমোদনের জন্য পাঠিয়েছেন" in body
    assert f"https://satark.example.gov/posts/{pid}" in body
    assert "https://satark.example.gov/notifications" in body
    assert smtp.inbox.to("nasreen@dhaka.gov.bd") == []

    # The approver approves: the author (Hindi, e-mail) is told in Hindi, by e-mail too.
    flow.as_user("karim").ok("POST", f"/posts/{pid}/approve", json={"comment": "ঠিক আছে"})
    report = run_once(svc.db, mailer=Mailer(mail_settings(svc.settings, smtp.port)), names=())
    assert report.emails_sent == 1
    [to_rahima] = smtp.inbox.to("rahima@dhaka.gov.bd")
    assert "स्वीकृत" in str(to_rahima["Subject"]) and "Abdul Karim (approver)" in body_of(to_rahima)
    assert str(to_rahima["Subject"]).startswith("सतर्क: ")
    # Sent once: another run sends nothing more.
    assert run_once(svc.db, mailer=Mailer(mail_settings(svc.settings, smtp.port)), names=()).emails_sent == 0
    assert len(smtp.inbox.messages) == 2


# --- nothing twice, also after a restart and with two runs at once ----------------------------------

def _approved_post(svc: Services, flow: Flow, *, approved_at: dt.datetime) -> int:
    post = flow.post("approved", CLEAR_BN, title="লক্ষ্য")
    with svc.db.session() as session:
        row = session.get(Post, post["id"])
        assert row is not None
        row.approved_at = approved_at
        row.approval_expires_at = approved_at + dt.timedelta(hours=72)
    return int(post["id"])


class Told:
    """A notification's fields, read out of its unit of work."""

    def __init__(self, row: Notification) -> None:
        self.user_id, self.key, self.params = row.user_id, row.key or "", dict(row.params)


def _lapsing(svc: Services, pid: int) -> list[Told]:
    with svc.db.session(write=False) as session:
        return [Told(r) for r in session.scalars(select(Notification).where(
            Notification.kind == "approval_lapsing", Notification.link == f"/posts/{pid}").order_by(Notification.id))]


def test_approval_lapsing_fires_once_inside_its_window(svc: Services, demo: Demo, flow: Flow) -> None:
    approved = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    pid = _approved_post(svc, flow, approved_at=approved)
    assert run_once(svc.db, now=approved + dt.timedelta(hours=40), names=MY_SOURCES).errors == []
    assert _lapsing(svc, pid) == []  # 32 hours left: not yet
    report = run_once(svc.db, now=approved + dt.timedelta(hours=50), names=MY_SOURCES)
    assert report.errors == []
    told = _lapsing(svc, pid)
    # The author and the approver who approved it.
    assert {n.user_id for n in told} == {demo.users["rahima"], demo.users["karim"]}
    assert all(n.params["expires_at"].startswith("2026-12-04T09:00") for n in told)
    run_once(svc.db, now=approved + dt.timedelta(hours=60), names=MY_SOURCES)
    assert len(_lapsing(svc, pid)) == 2
    # A run with a new Services (a restart: new engine, new process state) sends nothing again.
    again = Services(svc.settings, screening=svc.screening)
    try:
        report = run_once(again.db, now=approved + dt.timedelta(hours=61), names=MY_SOURCES)
    finally:
        again.db.dispose()
    assert report.reminders == 0 and report.already_sent >= 1
    assert len(_lapsing(svc, pid)) == 2
    assert count(svc, ReminderSent, ReminderSent.key.like(f"approval_lapsing:{pid}:%")) == 1


def test_two_runs_at_once_send_each_reminder_once(svc: Services, demo: Demo, flow: Flow) -> None:
    approved = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    pid = _approved_post(svc, flow, approved_at=approved)
    now = approved + dt.timedelta(hours=55)
    databases = [Database(svc.settings) for _ in range(3)]
    try:
        with ThreadPoolExecutor(3) as pool:
            reports = list(pool.map(lambda db: run_once(db, now=now, names=MY_SOURCES), databases))
    finally:
        for db in databases:
            db.dispose()
    assert all(r.errors == [] for r in reports), [r.errors for r in reports]
    assert len(_lapsing(svc, pid)) == 2
    assert sum(r.reminders for r in reports) == count(svc, ReminderSent)


# --- password rotation -------------------------------------------------------------------------------

def test_password_rotation_due_tells_admins_and_moderators_a_week_before_and_when_overdue(
    svc: Services, demo: Demo,
) -> None:
    set_user(svc, "sohel", ui_lang="bn")
    account_id = demo.accounts["dhaka_fb"]
    with svc.db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.password_rotated_on = dt.date(2026, 1, 1)
        institution = session.get(Institution, account.institution_id)
        assert institution is not None
        institution.password_rotation_days = 90  # due 2026-04-01 (Asia/Dhaka)
        # The other accounts far from due, so only this one speaks.
        for other in session.scalars(select(Account).where(Account.id != account_id)):
            other.password_rotated_on = dt.date(2026, 3, 15)

    def told() -> list[Told]:
        with svc.db.session(write=False) as session:
            return [Told(r) for r in session.scalars(select(Notification).where(
                Notification.kind == "password_rotation_due", Notification.link == f"/accounts/{account_id}")
                .order_by(Notification.id))]

    at = lambda day: dt.datetime.combine(day, dt.time(3, 0), tzinfo=dt.UTC)  # noqa: E731
    run_once(svc.db, now=at(dt.date(2026, 3, 24)), names=MY_SOURCES)
    assert told() == []  # 8 days before
    run_once(svc.db, now=at(dt.date(2026, 3, 25)), names=MY_SOURCES)
    soon = told()
    # The district's moderator: its own admins and moderators (the ministry's admin only when it has none).
    assert {n.user_id for n in soon} == {demo.users["sohel"]}
    assert soon[0].key.endswith(":soon")
    run_once(svc.db, now=at(dt.date(2026, 3, 30)), names=MY_SOURCES)
    assert len(told()) == 1  # once per stage
    run_once(svc.db, now=at(dt.date(2026, 4, 1)), names=MY_SOURCES)
    overdue = told()
    assert len(overdue) == 2 and overdue[-1].key.endswith(":overdue")
    # In the moderator's language (Bengali) on the API, with the dates in Bengali style.
    texts = [i["text"] for i in _api_items(svc, demo, "sohel")]
    assert any("পাসওয়ার্ড" in t and "dcdhaka" in t for t in texts), texts
    # Recording the change starts a new cycle: nothing now; a reminder again before the next date.
    with svc.db.session() as session:
        account = session.get(Account, account_id)
        assert account is not None
        account.password_rotated_on = dt.date(2026, 4, 1)
    run_once(svc.db, now=at(dt.date(2026, 4, 2)), names=MY_SOURCES)
    assert len(told()) == 2
    run_once(svc.db, now=at(dt.date(2026, 6, 25)), names=MY_SOURCES)
    assert len(told()) == 3


def _api_items(svc: Services, demo: Demo, username: str) -> list[dict[str, Any]]:
    with TestClient(create_app(svc.settings.replace(jobs_interval=0), svc)) as client:
        response = client.get("/api/v1/notifications", headers={"Authorization": f"Bearer {demo.tokens[username]}"})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


# --- the mail server down: no crash, tried again ---------------------------------------------------

def test_smtp_down_is_logged_and_retried_on_the_next_run(
    svc: Services, demo: Demo, flow: Flow, caplog: pytest.LogCaptureFixture,
) -> None:
    set_user(svc, "karim", ui_lang="bn", email="karim@dhaka.gov.bd", notify_by_email=True)
    pid = flow.create(CLEAR_BN)["id"]
    flow.as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    port = free_port()  # nobody listens there yet
    mailer = Mailer(mail_settings(svc.settings, port))
    report = run_once(svc.db, mailer=mailer, names=())
    assert (report.emails_sent, report.emails_failed) == (0, 1)
    assert "cannot reach the mail server" in caplog.text
    with svc.db.session(write=False) as session:
        row = session.scalars(select(Notification).where(Notification.user_id == demo.users["karim"],
                                                         Notification.link == f"/posts/{pid}")).one()
        assert (row.email_state, row.email_attempts) == ("pending", 1) and row.email_error
    # The server comes up on that port: the next run sends it, and only once.
    server = SmtpServer(port)
    server.start()
    try:
        assert run_once(svc.db, mailer=mailer, names=()).emails_sent == 1
        assert run_once(svc.db, mailer=mailer, names=()).emails_sent == 0
        [msg] = server.inbox.messages
        assert msg["To"] == "karim@dhaka.gov.bd"
    finally:
        server.stop()
    with svc.db.session(write=False) as session:
        row = session.scalars(select(Notification).where(Notification.user_id == demo.users["karim"],
                                                         Notification.link == f"/posts/{pid}")).one()
        assert row.email_state == "sent" and row.emailed_at is not None and row.email_error == ""


def test_email_not_sent_within_two_days_is_given_up(svc: Services, demo: Demo, flow: Flow) -> None:
    set_user(svc, "karim", email="karim@dhaka.gov.bd", notify_by_email=True)
    pid = flow.create(CLEAR_BN)["id"]
    flow.as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
    mailer = Mailer(mail_settings(svc.settings, free_port()))
    run_once(svc.db, mailer=mailer, names=(), now=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    with svc.db.session(write=False) as session:
        states = set(session.scalars(select(Notification.email_state).where(Notification.link == f"/posts/{pid}")))
    assert states == {"expired", ""}


# --- the scheduler inside the app -----------------------------------------------------------------

@pytest.mark.parametrize("settings_overrides", [{"jobs_interval": 1}])
def test_the_scheduler_starts_and_stops_with_the_app(svc: Services, demo: Demo) -> None:
    app = create_app(svc.settings, svc)
    with TestClient(app) as client:
        scheduler: Scheduler = app.state.scheduler
        assert scheduler.running
        assert client.get("/healthz").status_code == 200
        end = time.monotonic() + 20
        while scheduler.runs < 1 and time.monotonic() < end:
            time.sleep(0.1)
        assert scheduler.runs >= 1
    assert not scheduler.running
    assert not any(t.name == "satark-jobs" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("settings_overrides", [{"jobs_interval": 0}])
def test_interval_zero_leaves_the_scheduler_off(svc: Services) -> None:
    app = create_app(svc.settings, svc)
    with TestClient(app):
        assert not app.state.scheduler.running


@pytest.mark.parametrize("settings_overrides", [{"jobs_interval": 3600}])
def test_the_scheduler_sends_an_events_email_soon_after_the_commit(
    svc: Services, demo: Demo, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_user(svc, "karim", ui_lang="bn", email="karim@dhaka.gov.bd", notify_by_email=True)
    settings = mail_settings(svc.settings, smtp.port)
    mailed = Services(settings, screening=svc.screening)  # the same database, with a mail server
    monkeypatch.setattr(Scheduler, "POLL", 0.1)
    with TestClient(create_app(settings, mailed)) as client:
        api = {"Authorization": f"Bearer {demo.tokens['rahima']}"}
        post = client.post("/api/v1/posts", headers=api, json={"account_id": demo.accounts["dhaka_fb"],
                                                                "text": CLEAR_BN, "title": ""}).json()
        assert client.post(f"/api/v1/posts/{post['id']}/submit", headers=api,
                           json={"confirm": True}).status_code == 200
        smtp.inbox.wait_for(1)
    [msg] = smtp.inbox.messages
    assert msg["To"] == "karim@dhaka.gov.bd" and "অনুমোদনের জন্য" in str(msg["Subject"])


# --- satark jobs run -------------------------------------------------------------------------------

def test_satark_jobs_run_from_cron(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], screening: Any,
) -> None:
    from satark.cli import main as satark_main

    monkeypatch.setenv("SATARK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SATARK_MODE", "rules")
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: screening)
    ran: list[int] = []
    real = jobs.run_once

    def mine(db: Database, **kw: Any) -> Any:  # Satark's own sources (the others have their tests)
        ran.append(1)
        return real(db, names=MY_SOURCES, **kw)

    monkeypatch.setattr(jobs, "run_once", mine)
    with pytest.raises(SystemExit) as exited:
        satark_main(["jobs", "run"])
    out = capsys.readouterr().out
    assert exited.value.code in (0, None), out
    assert "0 reminder(s) sent" in out and ran


# --- the mail server's login, and the settings ----------------------------------------------------

def test_the_mail_server_login_is_used(svc: Services, demo: Demo, flow: Flow) -> None:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[str, str]] = []

    def authenticator(_server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            login, password = (x.decode() if isinstance(x, bytes) else str(x) for x in (data.login, data.password))
            logins.append((login, password))
            return AuthResult(success=(login, password) == ("satark", "s3cret-pass"))
        return AuthResult(success=False)

    server = SmtpServer(free_port(), authenticator=authenticator, auth_require_tls=False)
    server.start()
    try:
        set_user(svc, "karim", email="karim@dhaka.gov.bd", notify_by_email=True)
        pid = flow.create(CLEAR_BN)["id"]
        flow.as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
        right = mail_settings(svc.settings, server.port).replace(smtp_username="satark", smtp_password="s3cret-pass")
        # A password smtplib cannot send (it encodes AUTH as ASCII) fails the run's e-mail, not the job.
        unsendable = right.replace(smtp_password="গোপন-পাস")
        report = run_once(svc.db, mailer=Mailer(unsendable), names=())
        assert (report.emails_failed, report.errors) == (1, [])
        assert run_once(svc.db, mailer=Mailer(right), names=()).emails_sent == 1
        assert logins == [("satark", "s3cret-pass")]
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_mail_settings_are_checked_and_the_password_never_shown() -> None:
    from satark.errors import ConfigError

    with pytest.raises(ConfigError, match="SATARK_SMTP_FROM='nobody': must be an e-mail address"):
        Settings.from_env(smtp_from="nobody")
    with pytest.raises(ConfigError, match="SATARK_PUBLIC_URL"):
        Settings.from_env(public_url="satark.example.gov")
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(smtp_password="hunter2-secret", smtp_port=0)
    assert "hunter2" not in str(refused.value) and "SATARK_SMTP_PORT" in str(refused.value)
    assert Settings.from_env(public_url="https://satark.example.gov/").public_url == "https://satark.example.gov"
    assert "hunter2" not in repr(Settings.from_env(smtp_password="hunter2-secret"))


# --- TLS: STARTTLS and implicit TLS against a real server with a certificate of the office's CA ----

@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_mail_goes_over_tls_checked_against_the_offices_ca(
    svc: Services, demo: Demo, flow: Flow, tmp_path: Any, mode: str,
) -> None:
    """STARTTLS (port 587) and SMTPS (465) to a real aiosmtpd whose certificate a test CA signed:
    sent when SATARK_SMTP_CA_FILE names that CA; refused (and kept for the next run) with the
    system's CAs or another CA, so nothing goes to a server that is not the office's."""
    import ssl

    import trustme

    from satark.errors import ConfigError

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    ca_file, other_ca = tmp_path / "office-ca.pem", tmp_path / "other-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    port = free_port()
    if mode == "starttls":
        server = SmtpServer(port, tls_context=server_context, require_starttls=True)
    else:
        server = SmtpServer(port, ssl_context=server_context)
    server.start()
    try:
        set_user(svc, "karim", email="karim@dhaka.gov.bd", notify_by_email=True)
        pid = flow.create(CLEAR_BN)["id"]
        flow.as_user("rahima").ok("POST", f"/posts/{pid}/submit", json={"confirm": True})
        base = mail_settings(svc.settings, port).replace(smtp_starttls=mode == "starttls", smtp_ssl=mode == "ssl")
        untrusted = run_once(svc.db, mailer=Mailer(base), names=())
        assert (untrusted.emails_sent, untrusted.emails_failed) == (0, 1)
        another = run_once(svc.db, mailer=Mailer(base.replace(smtp_ca_file=str(other_ca))), names=())
        assert (another.emails_sent, another.emails_failed) == (0, 1)
        trusted = run_once(svc.db, mailer=Mailer(base.replace(smtp_ca_file=str(ca_file))), names=())
        assert trusted.emails_sent == 1
        server.inbox.wait_for(1)
        [msg] = server.inbox.messages
        assert msg["To"] == "karim@dhaka.gov.bd" and "sent the post" in body_of(msg)
    finally:
        server.stop()
    with pytest.raises(ConfigError, match="SATARK_SMTP_CA_FILE"):
        Settings.from_env(smtp_ca_file=str(tmp_path / "missing.pem"))
