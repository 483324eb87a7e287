"""The audit trail: append-only events, each carrying a keyed hash of the one before.

Each event's hash is an HMAC-SHA256, with a key kept outside the database
(:mod:`.audit_key`), over the previous hash and the event. Without the key nobody can
edit an event and recompute the later hashes, nor forge a new one. The last committed
event is also written to a head file outside the database, so removing the newest events
is found. Events about a post carry a fingerprint of its content (each revision's text
hash, the approvals, the publication URL and time), and ``verify`` compares the post's
current rows with it, so editing those tables directly is found too. Database triggers
refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) as a second line.

Events written before the key existed (chain version 1, plain SHA-256) still verify as
they were written; they may only precede the keyed ones, and the first keyed event's
HMAC covers the last of their hashes, which anchors them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, event, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from .audit_key import AuditKeyError, Head, load_key, read_head, write_head
from .db import after_unit
from .models import Approval, AuditEvent, Post, Revision, User, utcnow

__all__ = [
    "CHAIN_KEYED",
    "CHAIN_LEGACY",
    "GENESIS",
    "ChainProblem",
    "Verification",
    "data_dir_of",
    "export_events",
    "post_content",
    "record",
    "verify",
    "verify_chain",
]

GENESIS = "0" * 64
#: Chain versions: 1, plain SHA-256 (before the key); 2, HMAC-SHA256 with content fingerprints.
CHAIN_LEGACY = 1
CHAIN_KEYED = 2
#: Any fixed number: the key of the PostgreSQL advisory lock that orders appends.
_PG_LOCK_KEY = 0x5A7A4C
_PENDING_HEAD = "satark_audit_head"


def data_dir_of(session: Session) -> Path:
    """The service data directory of the database behind ``session`` (set by ``Database``)."""
    settings = session.info.get("settings")
    if settings is None:
        raise AuditKeyError("this database session does not know the service's data directory "
                            "(open sessions through satark.service.db.Database)")
    path: Path = settings.data_dir
    return path


def _body(event: AuditEvent, *, keyed: bool) -> str:
    body: dict[str, Any] = {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "institution_id": event.institution_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "details": event.details,
    }
    if keyed:
        body["chain"] = event.chain
        body["content"] = event.content
    return _canonical(body)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _legacy_digest(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _body(event, keyed=False)).encode("utf-8")).hexdigest()


def _keyed_digest(key: bytes, prev_hash: str, event: AuditEvent) -> str:
    message = (prev_hash + _body(event, keyed=True)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _sha(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _content(post: Any, revisions: list[Any], approvals: list[Any]) -> dict[str, Any]:
    published_at = post.published_at.isoformat() if post.published_at is not None else None
    return {
        "state": post.state,
        "revision": post.revision_number,
        "published_url": post.published_url,
        "published_at": published_at,
        "published_revision": post.published_revision,
        "retraction": _sha(post.retraction_reason) if post.retraction_reason else "",
        "pending": post.pending,
        "revisions": [[r.number, r.kind, r.status, _sha(r.text), r.editor_id, r.verdict] for r in revisions],
        "approvals": [[a.id, a.subject, a.revision_number, a.user_id, a.tier, a.decision, bool(a.active),
                       _sha(a.comment + "\x00" + a.override_reason)] for a in approvals],
    }


_POST_COLS = (Post.id, Post.state, Post.revision_number, Post.published_url, Post.published_at,
              Post.published_revision, Post.retraction_reason, Post.pending)
_REV_COLS = (Revision.post_id, Revision.number, Revision.kind, Revision.status, Revision.text, Revision.editor_id,
             Revision.verdict)
_APPROVAL_COLS = (Approval.post_id, Approval.id, Approval.subject, Approval.revision_number, Approval.user_id,
                  Approval.tier, Approval.decision, Approval.active, Approval.comment, Approval.override_reason)


def post_content(session: Session, post_id: int) -> dict[str, Any] | None:
    """The fingerprint of a post as its rows stand now (read back from the database)."""
    session.flush()
    post = session.execute(select(*_POST_COLS).where(Post.id == post_id)).first()
    if post is None:
        return None
    revisions = session.execute(select(*_REV_COLS).where(Revision.post_id == post_id)
                                .order_by(Revision.number)).all()
    approvals = session.execute(select(*_APPROVAL_COLS).where(Approval.post_id == post_id)
                                .order_by(Approval.id)).all()
    return _content(post, list(revisions), list(approvals))


def _recorded_content(session: Session, post_id: int) -> dict[str, Any] | None:
    """The fingerprint to record: ``post_content``, taken from the rows this transaction has
    just flushed when they are all in the session (the common case: the workflow loaded them
    to change them), instead of reading them back with three queries.

    Each value is what the database gives back for it (a time passes through its column
    type both ways), so ``verify`` computes the same fingerprint from the rows later; the
    tests compare the two for every step of the workflow. Anything unusual (the post not in
    the session, a row not flushed or deleted) reads the rows back instead.
    """
    session.flush()
    post = session.get(Post, post_id)
    if post is None:
        return None
    revisions, approvals = list(post.revisions), list(post.approvals)
    if any(not inspect(obj).persistent for obj in (post, *revisions, *approvals)):
        return post_content(session, post_id)
    content = _content(post, sorted(revisions, key=lambda r: r.number), sorted(approvals, key=lambda a: a.id))
    content["published_at"] = _as_stored(session, Post.__table__.c.published_at.type, post.published_at)
    return content


def _as_stored(session: Session, column_type: Any, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(column_type, TypeDecorator):
        dialect = session.get_bind().dialect
        value = column_type.process_result_value(column_type.process_bind_param(value, dialect), dialect)
    return str(value.isoformat())


def _all_post_contents(session: Session) -> dict[int, dict[str, Any]]:
    revisions: dict[int, list[Any]] = {}
    for rev in session.execute(select(*_REV_COLS).order_by(Revision.post_id, Revision.number)):
        revisions.setdefault(rev.post_id, []).append(rev)
    approvals: dict[int, list[Any]] = {}
    for appr in session.execute(select(*_APPROVAL_COLS).order_by(Approval.post_id, Approval.id)):
        approvals.setdefault(appr.post_id, []).append(appr)
    return {p.id: _content(p, revisions.get(p.id, []), approvals.get(p.id, []))
            for p in session.execute(select(*_POST_COLS))}


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    institution_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction; the head file follows after the commit.

    An event about a post carries the post's content fingerprint as it stands now, so
    callers record after changing the post.
    """
    data_dir = data_dir_of(session)
    key = load_key(data_dir)
    assert key is not None
    content = _recorded_content(session, object_id) if object_type == "post" and object_id is not None else None
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends until commit, so ids and the chain agree. SQLite needs no
        # lock: its write transactions begin IMMEDIATE and so already run one at a time.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        at=utcnow(),
        actor_id=actor.id if actor else None,
        actor=actor.username if actor else "",
        action=action,
        institution_id=institution_id,
        object_type=object_type,
        object_id=object_id,
        details=_jsonable(details or {}),
        chain=CHAIN_KEYED,
        content=content,
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _keyed_digest(key, prev_hash, event)
    # A plain INSERT of the row (the event object stays out of the session): the ORM's unit of
    # work cost a flush per event, inside the write lock, for a row that is never changed.
    session.execute(_INSERT_EVENT, {c.key: getattr(event, c.key) for c in _EVENT_COLUMNS})
    session.info[_PENDING_HEAD] = (data_dir, event.id, event.hash)
    return event


_EVENT_TABLE = cast(Table, AuditEvent.__table__)
_EVENT_COLUMNS = tuple(_EVENT_TABLE.columns)
_INSERT_EVENT = _EVENT_TABLE.insert()


@event.listens_for(Session, "after_commit")
def _write_head_after_commit(session: Session) -> None:
    # Once the write lock is released (``after_unit``): ``write_head`` keeps the file from
    # going backwards when writers reach it out of order, and no other writer waits for it.
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is not None:
        after_unit(session, partial(write_head, *pending))


@event.listens_for(Session, "after_rollback")
def _forget_head_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING_HEAD, None)


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip now so the hashed form is exactly what the database gives back later.
    loaded: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return loaded


@dataclass(frozen=True)
class ChainProblem:
    #: The event concerned; 0 when no event is (a post with no audit record).
    event_id: int
    problem: str


@dataclass
class Verification:
    count: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    head: Head | None = None
    last_id: int = 0
    #: Events committed after the head file was last written (a crash between the two).
    after_head: int = 0
    legacy: int = 0
    posts_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(session: Session, *, batch: int = 1000) -> Verification:
    """Re-hash every event with the key, compare with the head file and the posts' rows."""
    data_dir = data_dir_of(session)
    result = Verification()
    problems = result.problems
    # The head is read before the chain: it is written after each commit, so it can only
    # lag the events read afterwards, never run ahead of them.
    try:
        result.head = read_head(data_dir)
    except AuditKeyError as exc:
        problems.append(ChainProblem(0, exc.message))
    try:
        key = load_key(data_dir, create=False)
    except AuditKeyError as exc:
        problems.append(ChainProblem(0, exc.message))
        key = None
    prev_hash, expected_id, keyed_seen, missing_key = GENESIS, 1, False, False
    head_hash: str | None = None
    contents: dict[int, tuple[int, dict[str, Any]]] = {}
    for ev in _events(session, batch):
        result.count += 1
        if ev.id != expected_id:
            problems.append(ChainProblem(ev.id, f"expected event {expected_id}: events are missing"))
        if ev.prev_hash != prev_hash:
            problems.append(ChainProblem(ev.id, "prev_hash does not match the previous event's hash"))
        if ev.chain == CHAIN_LEGACY:
            result.legacy += 1
            if keyed_seen:
                problems.append(ChainProblem(ev.id, "an unkeyed event after keyed ones (forged)"))
            elif _legacy_digest(ev.prev_hash, ev) != ev.hash:
                problems.append(ChainProblem(ev.id, "hash does not match the event's contents (altered)"))
        elif ev.chain == CHAIN_KEYED:
            keyed_seen = True
            if key is None:
                missing_key = True
            elif not hmac.compare_digest(_keyed_digest(key, ev.prev_hash, ev), ev.hash):
                problems.append(ChainProblem(ev.id, "hash does not match the event's contents (altered)"))
            if ev.object_type == "post" and ev.object_id is not None and ev.content is not None:
                contents[ev.object_id] = (ev.id, ev.content)
        else:
            problems.append(ChainProblem(ev.id, f"unknown chain version {ev.chain}"))
        if result.head is not None and ev.id == result.head.id:
            head_hash = ev.hash
        prev_hash, expected_id, result.last_id = ev.hash, ev.id + 1, ev.id
    if missing_key:
        problems.append(ChainProblem(0, "no audit key: keyed events cannot be checked (copy audit.key "
                                        "into the data directory or set SATARK_AUDIT_KEY)"))
    _check_head(result, head_hash, keyed_seen)
    _check_posts(session, result, contents, complete=keyed_seen and result.legacy == 0)
    return result


def _check_head(result: Verification, head_hash: str | None, keyed_seen: bool) -> None:
    head = result.head
    if head is None:
        if keyed_seen:
            result.problems.append(ChainProblem(result.last_id, "no head file: the removal of the newest "
                                                "events cannot be ruled out (see `satark audit anchor`)"))
        return
    if result.last_id < head.id:
        result.problems.append(ChainProblem(head.id, f"the head file records event {head.id} but the chain ends "
                                            f"at {result.last_id}: the newest events were removed"))
    elif head_hash != head.hash:
        result.problems.append(ChainProblem(head.id, "the event differs from the one the head file records"))
    else:
        result.after_head = result.last_id - head.id


def _check_posts(session: Session, result: Verification, contents: dict[int, tuple[int, dict[str, Any]]],
                 *, complete: bool) -> None:
    current = _all_post_contents(session)
    for post_id, (event_id, recorded) in sorted(contents.items()):
        now = current.get(post_id)
        result.posts_checked += 1
        if now is None:
            result.problems.append(ChainProblem(event_id, f"post {post_id} was removed from the database"))
        elif _canonical(now) != _canonical(recorded):
            changed = sorted(k for k in set(now) | set(recorded) if now.get(k) != recorded.get(k))
            result.problems.append(ChainProblem(
                event_id, f"post {post_id} differs from its audited record ({', '.join(changed)})"))
    if complete:
        for post_id in sorted(set(current) - set(contents)):
            result.problems.append(ChainProblem(0, f"post {post_id} has no audit record (inserted directly)"))


def verify_chain(session: Session, *, batch: int = 1000) -> tuple[int, list[ChainProblem]]:
    """``verify``, as how many events were checked and what is wrong."""
    result = verify(session, batch=batch)
    return result.count, result.problems


def anchor(session: Session) -> Head | None:
    """Write the head file from the chain's last event (after a restore, or for a legacy chain)."""
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is None:
        return None
    data_dir = data_dir_of(session)
    write_head(data_dir, last.id, last.hash, force=True)
    return read_head(data_dir)


def export_row(ev: AuditEvent) -> dict[str, Any]:
    return {
        "id": ev.id, "at": ev.at.isoformat(), "actor_id": ev.actor_id, "actor": ev.actor, "action": ev.action,
        "institution_id": ev.institution_id, "object_type": ev.object_type, "object_id": ev.object_id,
        "details": ev.details, "content": ev.content, "chain": ev.chain, "prev_hash": ev.prev_hash,
        "hash": ev.hash,
    }


def export_events(session: Session, *, batch: int = 1000) -> Iterator[str]:
    """Every event as one JSON line, oldest first, with its hashes."""
    for ev in _events(session, batch):
        yield json.dumps(export_row(ev), ensure_ascii=False, sort_keys=True) + "\n"


def _events(session: Session, batch: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        for row in rows:
            session.expunge(row)
