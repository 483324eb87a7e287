"""The reminder and e-mail job, and the scheduler that runs it inside ``satark serve``.

One run (:func:`run_once`, also ``satark jobs run`` for cron):

1. asks every reminder source (:func:`satark.service.reminders.sources`) what is due now, in
   a read unit;
2. for each reminder, claims its key in ``reminders_sent`` and, in the same transaction,
   writes the in-app notifications. The key's unique constraint is the claim: a reminder
   already claimed (by an earlier run, another process's scheduler, or cron) is skipped, and
   a run that fails before committing leaves nothing claimed, so it is tried again;
3. sends the e-mails waiting in the outbox (notifications of users who chose e-mail): each
   batch is claimed with a token first, so that two runs never send the same e-mail; one that
   fails stays waiting and is tried on the next run, for up to two days.

Nothing here raises out of a run: a source or a mail server that fails is logged and the rest
goes on. The scheduler (:class:`Scheduler`) runs the job every ``SATARK_JOBS_INTERVAL``
seconds (0: off) and sends e-mail at once when a request's commit left some waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from .db import Database
from .i18n import LOCALES
from .mailer import Mail, Mailer
from .models import Institution, User, utcnow
from .models_notifications import Notification, ReminderSent
from .notifications import notify, render_text, take_mail_waiting
from .reminders import Reminder, sources

__all__ = ["JobReport", "Scheduler", "deliver_email", "run_once", "run_reminders"]

log = logging.getLogger("satark.service.jobs")

#: Reminders claimed and written per unit of work.
SLICE = 200
#: E-mails sent per batch (a run sends batches until none is left or one fails).
BATCH = 100
#: An e-mail not sent by then is not sent at all (it would be stale): it stays in the app.
MAX_AGE = dt.timedelta(days=2)
#: A batch claimed longer ago than this was cut off mid-send (the process died): it is not sent
#: again, since some of it may have gone out, and is marked failed.
STALE_CLAIM = dt.timedelta(hours=1)


@dataclass
class JobReport:
    """What one run did."""

    reminders: int = 0
    already_sent: int = 0
    notifications: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"{self.reminders} reminder(s) sent ({self.notifications} notification(s)), "
                f"{self.already_sent} already sent before; {self.emails_sent} e-mail(s) sent, "
                f"{self.emails_failed} to try again")
        return text + (f"; {len(self.errors)} error(s): " + "; ".join(self.errors) if self.errors else "")


def run_once(db: Database, *, now: dt.datetime | None = None, mailer: Mailer | None = None,
             names: Iterable[str] | None = None) -> JobReport:
    """One run of the job: reminders (from the sources ``names``, default all), then e-mail."""
    now = now or utcnow()
    report = run_reminders(db, now=now, names=names)
    deliver_email(db, mailer or Mailer(db.settings), now=now, report=report)
    return report


# --- reminders -------------------------------------------------------------------------------------

def run_reminders(db: Database, *, now: dt.datetime, report: JobReport | None = None,
                  names: Iterable[str] | None = None) -> JobReport:
    report = report or JobReport()
    try:
        found = sources()
    except Exception as exc:  # a plugin's module that fails to import
        log.exception("loading the reminder sources failed")
        report.errors.append(f"sources: {type(exc).__name__}: {exc}")
        return report
    wanted = set(found) if names is None else set(names)
    for name, source in sorted(found.items()):
        if name not in wanted:
            continue
        try:
            with db.session(write=False) as session:
                due = _unique(list(source(session, now)))
            # In slices, so that one unit of work (SQLite's one write lock) is never long.
            for start in range(0, len(due), SLICE):
                _deliver(db, due[start:start + SLICE], report)
        except Exception as exc:  # one broken source must not stop the others
            log.exception("reminder source %r failed", name)
            report.errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return report


def _unique(reminders: list[Reminder]) -> list[Reminder]:
    seen: dict[str, Reminder] = {}
    for reminder in reminders:
        if reminder.recipients:  # told nobody, it is not spent: someone may take the role later
            seen.setdefault(reminder.key[:200], reminder)
    return list(seen.values())


def _deliver(db: Database, due: list[Reminder], report: JobReport) -> None:
    with db.session() as session:
        claimed = set(session.scalars(select(ReminderSent.key).where(
            ReminderSent.key.in_([r.key[:200] for r in due]))))
        for reminder in due:
            key = reminder.key[:200]
            if key in claimed:
                report.already_sent += 1
                continue
            try:
                # The unique key is the claim: another run that got there first makes this
                # insert fail (on PostgreSQL it waits for that run's commit, then fails).
                with session.begin_nested():
                    session.add(ReminderSent(key=key, kind=reminder.kind[:40], institution_id=reminder.institution_id,
                                             recipients=len(set(reminder.recipients))))
                    session.flush()
            except IntegrityError:
                report.already_sent += 1
                continue
            made = notify(session, kind=reminder.kind, recipients=reminder.recipients, message=reminder.message,
                          params=reminder.params, link=reminder.link, institution_id=reminder.institution_id,
                          key=key)
            report.reminders += 1
            report.notifications += made


# --- e-mail ------------------------------------------------------------------------------------------

def deliver_email(db: Database, mailer: Mailer, *, now: dt.datetime | None = None,
                  report: JobReport | None = None) -> JobReport:
    """Send the e-mails waiting in the outbox, batch by batch, until none is left or a batch fails."""
    report = report or JobReport()
    now = now or utcnow()
    try:
        _tidy(db, now)
        if not mailer.configured:
            return report
        while True:
            sent, failed = _send_batch(db, mailer, now)
            report.emails_sent += sent
            report.emails_failed += failed
            if failed or sent < BATCH:
                return report
    except Exception as exc:  # the job goes on; what was not sent stays waiting
        log.exception("sending notification e-mail failed")
        report.errors.append(f"e-mail: {type(exc).__name__}")
        return report


def _tidy(db: Database, now: dt.datetime) -> None:
    with db.session() as session:
        session.execute(update(Notification).where(
            Notification.email_state == "pending", Notification.created_at < now - MAX_AGE,
        ).values(email_state="expired", email_claim=""))
        session.execute(update(Notification).where(
            Notification.email_state == "sending", Notification.email_claimed_at < now - STALE_CLAIM,
        ).values(email_state="failed", email_claim="",
                 email_error="cut off while sending; not sent again in case it went out"))


def _send_batch(db: Database, mailer: Mailer, now: dt.datetime) -> tuple[int, int]:
    claim = secrets.token_hex(16)
    with db.session() as session:
        ids = list(session.scalars(select(Notification.id).where(Notification.email_state == "pending")
                                   .order_by(Notification.id).limit(BATCH)))
        if not ids:
            return 0, 0
        session.execute(update(Notification).where(Notification.id.in_(ids), Notification.email_state == "pending")
                        .values(email_state="sending", email_claim=claim, email_claimed_at=now))
    try:
        mails, unwanted = _compose(db, mailer, claim)
        results = mailer.send(mails)  # never raises: each e-mail comes back sent or with its reason
    except Exception:  # nothing was sent: give the batch back for the next run
        with db.session() as session:
            session.execute(update(Notification).where(Notification.email_claim == claim).values(
                email_state="pending", email_claim=""))
        raise
    sent = [ident for ident, error in results.items() if not error]
    failed = {ident: error for ident, error in results.items() if error}
    with db.session() as session:
        if sent:
            session.execute(update(Notification).where(Notification.id.in_(sent)).values(
                email_state="sent", emailed_at=utcnow(), email_claim="", email_error=""))
        if unwanted:
            session.execute(update(Notification).where(Notification.id.in_(unwanted)).values(
                email_state="", email_claim=""))
        for ident, error in failed.items():
            session.execute(update(Notification).where(Notification.id == ident).values(
                email_state="pending", email_claim="", email_error=error[:300],
                email_attempts=Notification.email_attempts + 1))
    return len(sent), len(failed)


def _compose(db: Database, mailer: Mailer, claim: str) -> tuple[list[tuple[int, Mail]], list[int]]:
    """The claimed batch's e-mails, each in its reader's language; and those no longer wanted."""
    mails: list[tuple[int, Mail]] = []
    unwanted: list[int] = []
    with db.session(write=False) as session:
        rows = session.execute(
            select(Notification, User, Institution.timezone).join(User, User.id == Notification.user_id)
            .outerjoin(Institution, Institution.id == Notification.institution_id)
            .where(Notification.email_claim == claim).order_by(Notification.id))
        for note, user, zone in rows:
            if not (user.notify_by_email and user.email and user.is_active):
                unwanted.append(note.id)  # the user changed their mind since
                continue
            locale = user.ui_lang if user.ui_lang in LOCALES else "en"
            text = render_text(note.message, note.params, locale, zone)
            mails.append((note.id, mailer.compose(to=user.email, locale=locale, text=text, link=note.link)))
    return mails, unwanted


# --- the scheduler -----------------------------------------------------------------------------------

class Scheduler:
    """Runs the job every ``interval`` seconds in a daemon thread, and sends e-mail soon after a
    commit leaves some waiting. Started and stopped with the app (``app.py``'s lifespan).

    The first run comes one interval after the start, not at once: a server restarted in a loop
    should not hammer the mail server, and nothing is lost by waiting, since reminders are found
    from the data each time. Several processes (workers, a cron job beside them) may run it:
    the claims keep each reminder and e-mail to one of them.
    """

    #: How often the thread looks for e-mail that a request left waiting.
    POLL = 1.0

    def __init__(self, db: Database, interval: float, *, mailer: Mailer | None = None) -> None:
        self.db = db
        self.interval = interval
        self.mailer = mailer or Mailer(db.settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._url = db.engine.url.render_as_string(hide_password=True)
        self.runs = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.interval <= 0 or self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="satark-jobs", daemon=True)
        self._thread.start()
        log.info("reminder job scheduled every %s s", self.interval)

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop and wait for a run in progress to end."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("the reminder job did not stop within %s s", timeout)
            self._thread = None

    def _loop(self) -> None:
        due = time.monotonic() + self.interval
        while not self._stop.wait(min(self.POLL, max(0.0, due - time.monotonic()))):
            try:
                if time.monotonic() >= due:
                    report = run_once(self.db, mailer=self.mailer)
                    self.runs += 1
                    due = time.monotonic() + self.interval
                    if report.reminders or report.emails_sent or report.errors:
                        log.info("reminder job: %s", report.summary())
                elif take_mail_waiting(self._url):
                    deliver_email(self.db, self.mailer)
            except Exception:  # never let the thread die: the next round tries again
                log.exception("the reminder job failed")
                due = time.monotonic() + self.interval
