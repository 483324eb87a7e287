"""The audit trail: append-only events, each carrying the hash of the one before.

Changing, removing or reordering any event breaks every later hash, which
``verify_chain`` (``satark audit verify``) finds. Database triggers refuse UPDATE and
DELETE on the table as a second line.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from .models import AuditEvent, User, utcnow

__all__ = ["GENESIS", "ChainProblem", "record", "verify_chain"]

GENESIS = "0" * 64
#: Any fixed number: the key of the PostgreSQL advisory lock that orders appends.
_PG_LOCK_KEY = 0x5A7A4C


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = {
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
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


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
    """Append one event in the caller's transaction."""
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
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = _digest(prev_hash, event)
    session.add(event)
    session.flush()
    return event


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    # Round-trip now so the hashed form is exactly what the database gives back later.
    loaded: dict[str, Any] = json.loads(json.dumps(details, ensure_ascii=False, default=str))
    return loaded


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(session: Session, *, batch: int = 1000) -> tuple[int, list[ChainProblem]]:
    """Re-hash every event in order; return how many were checked and what is wrong."""
    problems: list[ChainProblem] = []
    prev_hash, expected_id, count = GENESIS, 1, 0
    for event in _events(session, batch):
        count += 1
        if event.id != expected_id:
            problems.append(ChainProblem(event.id, f"expected event {expected_id}: events are missing"))
        if event.prev_hash != prev_hash:
            problems.append(ChainProblem(event.id, "prev_hash does not match the previous event's hash"))
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(ChainProblem(event.id, "hash does not match the event's contents (altered)"))
        prev_hash, expected_id = event.hash, event.id + 1
    return count, problems


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
        session.expunge_all()
