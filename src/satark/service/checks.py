"""Personal pre-checks the user chose to keep: theirs alone, and nobody else's to see.

A check is stored only on request (``save``); without it the text and its report live no
longer than the response. A kept check is not audited: it is the employee's own draft for
a personal account, not an act of the office.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import NotFound
from .models import SavedCheck, User, by_id

__all__ = ["delete_check", "own_check", "save_check", "saved_checks"]


def save_check(session: Session, user: User, *, jurisdiction: str, text: str, report: dict[str, Any]) -> SavedCheck:
    row = SavedCheck(user_id=user.id, jurisdiction=jurisdiction, text=text, verdict=report["verdict"], report=report)
    session.add(row)
    session.flush()
    return row


def saved_checks(session: Session, user: User) -> list[SavedCheck]:
    """Newest first."""
    query = select(SavedCheck).where(SavedCheck.user_id == user.id).order_by(SavedCheck.id.desc())
    return list(session.scalars(query))


def own_check(session: Session, user: User, check_id: int) -> SavedCheck:
    """The user's own check; anyone else's answers as missing (404), so it does not leak."""
    row = by_id(session, SavedCheck, check_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no saved check {check_id}")
    return row


def delete_check(session: Session, user: User, check_id: int) -> None:
    session.delete(own_check(session, user, check_id))
