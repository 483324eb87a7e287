"""Audits of an official account's history from a platform export, in the background (issue 13, §2).

An admin or monitor uploads an export (a ZIP, or one CSV/JSONL file); :func:`upload` keeps its
bytes beside the database under their SHA-256 (:func:`.evidence.keep`, as evidence files are)
and queues a :class:`~.models_scans.ScanJob`. The :class:`ScanRunner` threads, started with
the app, take queued jobs and run them (:func:`run_job`):

* a job is claimed with one ``UPDATE ... WHERE state = 'queued'`` that names a fresh token, so
  two workers (threads or processes) never take the same job; every later write of the job is
  guarded by that token, so a worker that lost its job (cancelled, or given to another after it
  stalled) stops instead of writing twice;
* the export is read with the importers (:func:`satark.importers.registry.read_export`); the
  items are screened in batches *outside* any write unit (screening never holds SQLite's write
  lock), then each batch is written in one short write unit with the job's progress counts;
* a restarted job skips the item ids it has already stored, so nothing is screened twice; a
  ``running`` job whose worker stopped writing for :data:`STALE_AFTER` is taken to have died
  and goes back to the queue.

When all items are in, the export's comments feed the comments inbox (:func:`feed_inbox`): a
citizen's comment or reply becomes an inbox item received at its own time, and the account's
own reply to it stops that item's clock, so the quarterly report's response times include the
imported history. The account's own items are told apart by their author: an item whose
author, case-folded and without a leading ``@``, equals the account's handle or display name is
the account's; an item with no author is left out of the inbox (it cannot be told).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from satark.errors import InputError
from satark.importers.base import ImportProblem, Record
from satark.importers.registry import importers, read_export

from . import audit, evidence
from .access import can, require, visible_institutions
from .archive import search_key
from .audit import data_dir_of
from .db import Database
from .errors import Conflict, InvalidInput, NotFound
from .inbox import ABUSIVE_CATEGORIES, LANGS, MAX_TEXT, calendar_of, get_policy, private_spans
from .models import Account, User, by_id, utcnow
from .models_inbox import InboxItem
from .models_scans import ScanItem, ScanJob, ScanProblem
from .screening import Screening
from .worktime import due_after

__all__ = ["Reader", "ScanRunner", "cancel", "claim_next", "feed_inbox", "get_job", "importer_names", "list_items",
           "list_jobs", "list_problems", "requeue_stale", "run_job", "upload"]

log = logging.getLogger("satark.service.scans")

#: Items screened, then written, per unit of work.
BATCH = 50
#: A running job whose worker has not written for this long is taken to have died.
STALE_AFTER = dt.timedelta(minutes=10)
#: Inbox items written per unit of work when the comments feed the inbox.
INBOX_SLICE = 200
_IMPORTER_NAME = re.compile(r"[a-z0-9_-]{1,40}")

#: Reads an export (a ZIP, a folder or one CSV/JSONL file) with the importer named ("" = detect it).
Reader = Callable[[Path, str], Iterable[Record | ImportProblem]]


def read_with_importers(path: Path, importer: str) -> Iterator[Record | ImportProblem]:
    """The importers' registry: the export's records and problems, in the export's order."""
    yield from read_export(path, importer or None)


def importer_names() -> list[str]:
    """The names of the importers installed (Satark's own and plugins'), in the order tried."""
    return [i.name for i in importers()]


# --- uploading and reading jobs ------------------------------------------------------------------

def _account(session: Session, user: User, account_id: int) -> Account:
    account = by_id(session, Account, account_id)
    if account is None or not can(session, user, "read", account.institution_id):
        raise NotFound(f"no account {account_id}")
    require(session, user, "audit_exports", account.institution_id, what="account")
    return account


def _filename(name: str) -> str:
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base or base in (".", ".."):
        raise InvalidInput("the uploaded export needs a file name")
    return base[-200:]


def upload(session: Session, user: User, *, account_id: int, content: bytes, filename: str, importer: str = "",
           max_bytes: int | None = None) -> ScanJob:
    """Keep an uploaded export and queue its audit. The content is not read here: the
    importers judge it by structure when the job runs, and report what they cannot read."""
    account = _account(session, user, account_id)
    name = _filename(filename)
    importer = (importer or "").strip().lower()
    if importer and not _IMPORTER_NAME.fullmatch(importer):
        raise InvalidInput("an importer's name is 1-40 lowercase letters, digits, - and _")
    if importer and importer not in importer_names():
        raise InvalidInput(f"no importer named {importer}; known: {', '.join(importer_names())}")
    if not content:
        raise InvalidInput("the uploaded file is empty")
    if max_bytes is not None and len(content) > max_bytes:
        raise InvalidInput(f"the uploaded file is {len(content)} bytes; the limit is {max_bytes}")
    sha = evidence.keep(session, content)
    job = ScanJob(institution_id=account.institution_id, account_id=account.id, filename=name,
                  file_path=f"evidence/{sha[:2]}/{sha}", sha256=sha, size=len(content), importer=importer,
                  state="queued", created_by_id=user.id)
    session.add(job)
    session.flush()
    audit.record(session, "scan_uploaded", actor=user, institution_id=account.institution_id, object_type="scan",
                 object_id=job.id, details={"account_id": account.id, "filename": name, "sha256": sha,
                                            "size": len(content), "importer": importer})
    return job


def get_job(session: Session, user: User, job_id: int) -> ScanJob:
    job = by_id(session, ScanJob, job_id)
    if job is None or not can(session, user, "read", job.institution_id):
        raise NotFound(f"no scan {job_id}")
    require(session, user, "audit_exports", job.institution_id, what="scan")
    return job


def auditable_institutions(session: Session, user: User) -> set[int]:
    return {i for i in visible_institutions(session, user) if can(session, user, "audit_exports", i)}


def list_jobs(session: Session, user: User, *, account_id: int | None = None, limit: int = 50,
              offset: int = 0) -> list[ScanJob]:
    query = select(ScanJob).where(ScanJob.institution_id.in_(auditable_institutions(session, user)))
    if account_id is not None:
        query = query.where(ScanJob.account_id == account_id)
    query = query.order_by(ScanJob.id.desc()).limit(max(1, min(limit, 500))).offset(max(0, offset))
    return list(session.scalars(query))


def list_items(session: Session, job: ScanJob, *, flagged: bool | None = None, limit: int = 50,
               offset: int = 0) -> tuple[int, list[ScanItem]]:
    query = select(ScanItem).where(ScanItem.job_id == job.id)
    if flagged is not None:
        query = query.where(ScanItem.flagged.is_(flagged))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(ScanItem.seq).limit(max(1, min(limit, 500))).offset(max(0, offset))
    return total, list(session.scalars(page))


def get_item(session: Session, job: ScanJob, item_id: int) -> ScanItem:
    item = by_id(session, ScanItem, item_id)
    if item is None or item.job_id != job.id:
        raise NotFound(f"no item {item_id} in this scan")
    return item


def list_problems(session: Session, job: ScanJob, *, limit: int = 100, offset: int = 0) -> list[ScanProblem]:
    query = select(ScanProblem).where(ScanProblem.job_id == job.id).order_by(ScanProblem.id)
    return list(session.scalars(query.limit(max(1, min(limit, 1000))).offset(max(0, offset))))


def cancel(session: Session, user: User, job: ScanJob) -> None:
    """Stop a queued or running job; a running worker notices at its next write and stops."""
    if job.state not in ("queued", "running"):
        raise Conflict(f"a scan that is {job.state} cannot be cancelled")
    job.state, job.claim, job.finished_at = "cancelled", "", utcnow()
    session.flush()
    audit.record(session, "scan_cancelled", actor=user, institution_id=job.institution_id, object_type="scan",
                 object_id=job.id, details={"done": job.done})


def progress(job: ScanJob) -> float | None:
    """The share of items done (0-1), once the number of items is known."""
    if job.state == "done":
        return 1.0
    if not job.items:
        return None
    return min(1.0, job.done / job.items)


# --- claiming --------------------------------------------------------------------------------------

def requeue_stale(db: Database, *, now: dt.datetime | None = None, stale_after: dt.timedelta = STALE_AFTER) -> int:
    """Put running jobs whose worker stopped writing back in the queue; how many there were."""
    cutoff = (now or utcnow()) - stale_after
    stale = (ScanJob.state == "running", or_(ScanJob.heartbeat_at.is_(None), ScanJob.heartbeat_at < cutoff))
    # Looked for in a read unit first: the workers poll, and a write unit takes SQLite's write lock.
    with db.session(write=False) as session:
        if session.scalar(select(ScanJob.id).where(*stale).limit(1)) is None:
            return 0
    with db.session() as session:
        result = session.execute(update(ScanJob).where(*stale).values(state="queued", claim=""))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def claim_next(db: Database) -> tuple[int, str] | None:
    """Take the oldest queued job: ``(job id, claim token)``, or None when none waits."""
    while True:
        with db.session(write=False) as session:
            job_id = session.scalar(select(ScanJob.id).where(ScanJob.state == "queued").order_by(ScanJob.id).limit(1))
        if job_id is None:
            return None
        token = secrets.token_hex(16)
        now = utcnow()
        with db.session() as session:
            result = session.execute(
                update(ScanJob).where(ScanJob.id == job_id, ScanJob.state == "queued")
                .values(state="running", claim=token, heartbeat_at=now,
                        started_at=func.coalesce(ScanJob.started_at, now)))
            if result.rowcount == 1:  # type: ignore[attr-defined]
                return job_id, token
        # another worker took it between the two statements: look again


class _Lost(Exception):
    """The job is no longer this worker's (cancelled, or requeued and taken by another)."""


def _guard(session: Session, job_id: int, token: str, **values: Any) -> None:
    """Update the job if this worker still holds it (the row lock keeps the check and the
    writes that follow in one piece on PostgreSQL; SQLite's write lock does on SQLite)."""
    result = session.execute(update(ScanJob).where(ScanJob.id == job_id, ScanJob.claim == token,
                                                   ScanJob.state == "running")
                             .values(heartbeat_at=utcnow(), **values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _Lost


# --- running a job -------------------------------------------------------------------------------

@dataclass
class _Context:
    job_id: int
    token: str
    institution_id: int
    account_id: int
    jurisdiction: str
    importer: str
    filename: str
    blob: Path
    work: Path
    created_by_id: int


def _clean(value: str, limit: int | None = None) -> str:
    """Text a database can keep: no NUL, no unpaired surrogates."""
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value[:limit] if limit is not None else value


def _export_path(ctx: _Context) -> Path:
    """What the importers read: the kept bytes under the uploaded name (a single CSV or JSONL
    file is told by its extension), as a hard link in a folder of the job's where the file
    system allows, else a copy."""
    ctx.work.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = ctx.work / ctx.filename
    if not target.exists():
        try:
            os.link(ctx.blob, target)
        except OSError:
            shutil.copyfile(ctx.blob, target)
    return target


def _public(message: str, ctx: _Context) -> str:
    """A message without the server's paths: the upload's name stands for them."""
    for path in (ctx.work / ctx.filename, ctx.work, ctx.blob):
        message = message.replace(str(path), ctx.filename)
    return message


def run_job(db: Database, screening: Screening, job_id: int, token: str, *, reader: Reader | None = None,
            batch: int = BATCH, stop: threading.Event | None = None) -> str:
    """Run a claimed job to its end; its final state (``done``, ``failed``, or ``lost`` when it
    stopped being this worker's, ``stopped`` when ``stop`` was set: it then goes back to the queue)."""
    reader = reader or read_with_importers
    with db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        if job is None:
            return "lost"
        data_dir = data_dir_of(session)
        ctx = _Context(job.id, token, job.institution_id, job.account_id, job.institution.jurisdiction, job.importer,
                       job.filename, data_dir / job.file_path, data_dir / "scans" / str(job.id), job.created_by_id)
    try:
        outcome = _run(db, screening, ctx, reader, batch, stop)
    except _Lost:
        return "lost"
    except Exception as exc:  # a broken export, a missing file: the job fails, the worker goes on
        known = isinstance(exc, (InputError, ValueError, OSError))
        if known:
            log.warning("scan %s failed: %s", job_id, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        else:
            log.exception("scan %s failed", job_id)
        message = _public(str(exc) if known else f"{type(exc).__name__}: {exc}", ctx)
        try:
            with db.session() as session:
                _guard(session, job_id, token, state="failed", claim="", error=_clean(message, 2000),
                       finished_at=utcnow())
                audit.record(session, "scan_failed", actor=None, institution_id=ctx.institution_id,
                             object_type="scan", object_id=job_id, details={"error": _clean(message, 300)})
        except _Lost:
            return "lost"
        return "failed"
    finally:
        shutil.rmtree(ctx.work, ignore_errors=True)
    return outcome


def _run(db: Database, screening: Screening, ctx: _Context, reader: Reader, batch: int,
         stop: threading.Event | None) -> str:
    if not ctx.blob.exists():
        raise FileNotFoundError(f"the uploaded export {ctx.filename} is missing from the data directory")
    path = _export_path(ctx)
    with db.session(write=False) as session:
        seen = set(session.scalars(select(ScanItem.item_id).where(ScanItem.job_id == ctx.job_id)))
        known_problems = {(p.file, p.pointer, p.message) for p in session.scalars(
            select(ScanProblem).where(ScanProblem.job_id == ctx.job_id))}
        counted = session.scalar(select(ScanJob.items).where(ScanJob.id == ctx.job_id))
    if counted is None:  # one pass to count, so the page can show how far the audit is
        total = 0
        for entry in reader(path, ctx.importer):
            if stop is not None and stop.is_set():
                with db.session() as session:
                    _guard(session, ctx.job_id, ctx.token, state="queued", claim="")
                return "stopped"
            total += isinstance(entry, Record)
        with db.session() as session:
            _guard(session, ctx.job_id, ctx.token, items=total)
    records: list[tuple[int, Record]] = []
    problems: list[ImportProblem] = []
    seq = 0
    for entry in reader(path, ctx.importer):
        if stop is not None and stop.is_set():
            _write_batch(db, screening, ctx, records, problems)
            with db.session() as session:
                _guard(session, ctx.job_id, ctx.token, state="queued", claim="")
            return "stopped"
        if isinstance(entry, ImportProblem):
            entry = ImportProblem(_public(entry.file, ctx), entry.pointer, _public(entry.message, ctx))
            key = (_clean(entry.file, 500), _clean(entry.pointer, 200), _clean(entry.message))
            if key not in known_problems:
                known_problems.add(key)
                problems.append(entry)
            continue
        seq += 1
        if entry.item_id in seen:
            continue
        seen.add(entry.item_id)
        if len(entry.item_id) > 200:
            problems.append(ImportProblem(entry.source_file, entry.pointer, "the item's id is over 200 characters"))
            continue
        records.append((seq, entry))
        if len(records) >= batch:
            _write_batch(db, screening, ctx, records, problems)
            records, problems = [], []
    _write_batch(db, screening, ctx, records, problems)
    comments, responses = feed_inbox(db, ctx.job_id, token=ctx.token)
    with db.session() as session:
        _guard(session, ctx.job_id, ctx.token, state="done", claim="", items=seq, finished_at=utcnow())
        job = session.get(ScanJob, ctx.job_id)
        assert job is not None
        audit.record(session, "scan_finished", actor=None, institution_id=ctx.institution_id, object_type="scan",
                     object_id=ctx.job_id, details={"items": seq, "flagged": job.flagged, "problems": job.problems,
                                                    "comments": comments, "responses": responses})
    return "done"


def _write_batch(db: Database, screening: Screening, ctx: _Context, records: list[tuple[int, Record]],
                 problems: list[ImportProblem]) -> None:
    if not records and not problems:
        return
    texts = [_clean(r.text) for _, r in records]
    with_text = [i for i, t in enumerate(texts) if t.strip()]
    # Screening happens here, before the write unit opens.
    results = screening.screen_batch([texts[i] for i in with_text], jurisdiction=ctx.jurisdiction,
                                     account_type="official") if with_text else []
    reports: dict[int, dict[str, Any] | InvalidInput] = dict(zip(with_text, results, strict=True))
    rows: list[ScanItem] = []
    for index, (seq, record) in enumerate(records):
        found = reports.get(index)
        report: dict[str, Any] = {}
        note = ""
        if found is None:
            note = "no text (media only)"
        elif isinstance(found, InvalidInput):
            note = _clean(found.message, 300)
        else:
            report = {k: v for k, v in found.items() if k != "text"}
        categories = sorted({str(f.get("category", "")) for f in report.get("findings", [])} - {""})
        verdict = str(report.get("verdict", "clear"))
        created = record.created_at if record.created_at.tzinfo else record.created_at.replace(tzinfo=dt.UTC)
        rows.append(ScanItem(
            job_id=ctx.job_id, institution_id=ctx.institution_id, account_id=ctx.account_id, seq=seq,
            platform=_clean(record.platform, 40), item_id=_clean(record.item_id, 200), kind=_clean(record.kind, 20),
            parent_id=_clean(record.parent_id or "", 200), author=_clean(record.author, 200), created_at=created,
            text=texts[index], links=[_clean(link, 2000) for link in record.links][:50],
            extra={_clean(str(k), 60): _clean(str(v), 500) for k, v in list(record.extra.items())[:20]},
            source=_clean(f"{record.source_file}#{record.pointer}" if record.pointer else record.source_file, 500),
            verdict=verdict, categories=",".join(categories)[:400], flagged=verdict != "clear", report=report,
            note=note, search_text=search_key(texts[index])))
    flagged = sum(1 for r in rows if r.flagged)
    with db.session() as session:
        _guard(session, ctx.job_id, ctx.token, done=ScanJob.done + len(rows), flagged=ScanJob.flagged + flagged,
               problems=ScanJob.problems + len(problems))
        session.add_all(rows)
        session.add_all(ScanProblem(job_id=ctx.job_id, file=_clean(p.file, 500), pointer=_clean(p.pointer, 200),
                                    message=_clean(p.message)) for p in problems)


# --- comments into the inbox ------------------------------------------------------------------------

def _who(name: str) -> str:
    return " ".join(name.casefold().lstrip("@").split())


def own_names(account: Account) -> set[str]:
    """The names the account's own items carry in an export: its handle and display name."""
    return {n for n in (_who(account.handle), _who(account.display_name)) if n}


def _lang(report: dict[str, Any]) -> str:
    code = str((report.get("language") or {}).get("code") or "").split("-")[0]
    return code if code in LANGS else "en"


#: The text of an inbox item for a post the export does not hold, which the account answered.
OUTSIDE_TEXT = "(not in the export: the post by @{who} that the account's reply {reply} answered)"


@dataclass(frozen=True)
class _Comment:
    """One incoming item for the inbox: a citizen's comment of the export, or the post an own
    reply answered that is not in the export (X: its time comes from its snowflake id)."""

    external_id: str
    author: str
    received_at: dt.datetime
    text: str
    scan_item_id: int | None


def _aware_time(value: object) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when.astimezone(dt.UTC) if when.tzinfo is not None else None


def _incoming(rows: list[Any], mine: set[str], now: dt.datetime) -> tuple[list[_Comment], dict[str, dt.datetime]]:
    """The export's incoming comments, and the first own answer to each (by the answered id)."""
    ids = {r.item_id for r in rows}
    comments: list[_Comment] = []
    answers: dict[str, dt.datetime] = {}
    outside: dict[str, _Comment] = {}
    for r in rows:
        own = bool(r.author) and _who(r.author) in mine
        if not own:
            text = r.text.strip()
            if r.author and r.kind in ("comment", "reply") and text and len(text) <= MAX_TEXT and r.created_at <= now:
                comments.append(_Comment(r.item_id, r.author[:200], r.created_at, text, r.id))
            continue
        if not r.parent_id:
            continue
        answers[r.parent_id] = min(answers.get(r.parent_id, r.created_at), r.created_at)
        extra = r.extra or {}
        who = str(extra.get("in_reply_to") or "")
        asked = _aware_time(extra.get("parent_created_at"))
        if r.parent_id not in ids and who and _who(who) not in mine and asked is not None and asked <= r.created_at:
            outside.setdefault(r.parent_id, _Comment(r.parent_id, who[:200], asked,
                                                     OUTSIDE_TEXT.format(who=who, reply=r.item_id), None))
    return comments + list(outside.values()), answers


def feed_inbox(db: Database, job_id: int, *, token: str | None = None,
               now: dt.datetime | None = None) -> tuple[int, int]:
    """Citizens' comments of the job's export as inbox items, and the account's replies as their
    first responses; ``(items created, clocks stopped)``.

    An item written by someone else than the account (see the module's note on telling them
    apart) with kind comment or reply is a citizen's comment, received at its own time. An own
    reply stops the clock of the item it answers. An own reply to a post the export does not
    hold (an X archive holds only the account's tweets) still counts when the importer knows
    when that post was made (``extra.parent_created_at``, from the X snowflake id) and whose
    it was (``extra.in_reply_to``, another account): the inbox gets an item for it, answered,
    whose text says that the post is not in the export. Safe to run again: an item already in
    the inbox (same account and platform id) is not made twice, and a response only moves earlier.
    """
    now = now or utcnow()
    with db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        if job is None:
            return 0, 0
        mine = own_names(job.account)
        rows = list(session.execute(
            select(ScanItem.id, ScanItem.item_id, ScanItem.kind, ScanItem.parent_id, ScanItem.author,
                   ScanItem.created_at, ScanItem.text, ScanItem.extra)
            .where(ScanItem.job_id == job_id).order_by(ScanItem.seq)))
    incoming, answers = _incoming(rows, mine, now)
    created = stopped = in_inbox = answered_items = 0
    for start in range(0, len(incoming), INBOX_SLICE):
        chunk = incoming[start:start + INBOX_SLICE]
        with db.session() as session:
            if token is not None:
                _guard(session, job_id, token)
            job = session.get(ScanJob, job_id)
            assert job is not None
            account, institution = job.account, job.institution
            existing = {i.external_id: i for i in session.scalars(select(InboxItem).where(
                InboxItem.account_id == account.id, InboxItem.external_id.in_([c.external_id for c in chunk])))}
            policy = get_policy(session, institution.id)
            calendar = calendar_of(session, institution, policy)
            reports = {i.id: i.report for i in session.scalars(
                select(ScanItem).where(ScanItem.id.in_([c.scan_item_id for c in chunk if c.scan_item_id])))}
            for c in chunk:
                item = existing.get(c.external_id)
                if item is None:
                    report = reports.get(c.scan_item_id or 0) or {}
                    abusive = bool({f.get("category") for f in report.get("findings", [])} & ABUSIVE_CATEGORIES)
                    item = InboxItem(
                        institution_id=institution.id, account_id=account.id, kind="comment",
                        platform=account.platform, author_handle=c.author, text=c.text, link="",
                        received_at=c.received_at, source="scan", external_id=c.external_id[:200],
                        lang=_lang(report), verdict=str(report.get("verdict", "clear")), report=report,
                        abusive=abusive, private_spans=private_spans(c.text, report) if report else [],
                        tags="abuse" if abusive else "", status="open",
                        due_at=due_after(c.received_at, policy.target_value, policy.target_unit, calendar),
                        created_by_id=job.created_by_id, replies=[])
                    session.add(item)
                    existing[c.external_id] = item
                    created += 1
                answered = answers.get(c.external_id)
                if answered is not None and answered >= item.received_at and (
                        item.first_response_at is None or answered < item.first_response_at):
                    item.first_response_at = answered
                    if item.status == "open":
                        item.status = "answered"
                    stopped += 1
                in_inbox += 1
                answered_items += item.first_response_at is not None
    totals = {"comments": in_inbox, "responses": answered_items}
    with db.session() as session:
        if token is not None:
            _guard(session, job_id, token, **totals)
        else:
            session.execute(update(ScanJob).where(ScanJob.id == job_id).values(**totals))
    return created, stopped


# --- the runner ----------------------------------------------------------------------------------

class ScanRunner:
    """Worker threads that run queued jobs, started and stopped with the app (``app.py``).

    Each thread claims a job, runs it, and looks for the next; with none waiting it sleeps
    until :meth:`wake` (an upload) or :attr:`POLL` seconds pass. At start, and every poll,
    running jobs whose worker died (no write for :data:`STALE_AFTER`) go back to the queue.
    """

    POLL = 5.0

    def __init__(self, db: Database, screening: Screening, *, workers: int = 2, reader: Reader | None = None,
                 stale_after: dt.timedelta = STALE_AFTER) -> None:
        self.db = db
        self.screening = screening
        self.workers = workers
        self.reader = reader
        self.stale_after = stale_after
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def start(self) -> None:
        if self.workers <= 0 or self.running:
            return
        self._stop.clear()
        self._threads = [threading.Thread(target=self._loop, name=f"satark-scan-{n}", daemon=True)
                         for n in range(self.workers)]
        for thread in self._threads:
            thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the threads to stop; a job in progress writes its batch and goes back to the queue."""
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("a scan worker did not stop within %s s", timeout)
        self._threads = []

    def run_pending(self) -> int:
        """Run queued jobs until none is left (in this thread); how many ran."""
        ran = 0
        requeue_stale(self.db, stale_after=self.stale_after)
        while not self._stop.is_set():
            claimed = claim_next(self.db)
            if claimed is None:
                break
            run_job(self.db, self.screening, *claimed, reader=self.reader, stop=self._stop)
            ran += 1
        return ran

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_pending()
            except Exception:  # never let the thread die: the next round tries again
                log.exception("the scan worker failed")
            self._wake.wait(self.POLL)
            self._wake.clear()

