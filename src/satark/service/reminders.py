"""Things that fall due: the sources the reminder job asks, and what each one reports.

A reminder source is a function ``(session, now) -> Iterable[Reminder]`` that finds what is
due *now* (a comment past its response target, a GRS deadline near, a violation step due, an
account's password rotation due, an approval about to lapse). The notification job
(:mod:`.notifications`) asks every source, and sends each reminder once per ``key``: a
stable key that names the occurrence (``comment:12:overdue``), so that a restart, a second
scheduler or ``satark jobs run`` from cron never sends it twice.

Sources register through :func:`reminder_source` (Satark's own and a plugin's alike).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

__all__ = ["Reminder", "ReminderSource", "reminder_source", "sources"]


@dataclass(frozen=True)
class Reminder:
    #: What kind of event: ``comment_overdue``, ``grs_deadline``, ``violation_step_due``,
    #: ``password_rotation_due``, ``approval_lapsing``...
    kind: str
    #: Stable and unique per occurrence; a reminder with a key already sent is not sent again.
    key: str
    institution_id: int
    #: User ids to tell.
    recipients: tuple[int, ...]
    #: An English message template marked with ``N_`` for extraction, translated into each
    #: recipient's language at delivery, then formatted with ``params`` (``{name}`` fields).
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    #: The page that deals with it (a path such as ``/inbox/12``).
    link: str = ""


ReminderSource = Callable[[Session, dt.datetime], Iterable[Reminder]]

_SOURCES: dict[str, ReminderSource] = {}


def reminder_source(name: str) -> Callable[[ReminderSource], ReminderSource]:
    """Register a source under ``name`` (decorator)."""

    def register(func: ReminderSource) -> ReminderSource:
        _SOURCES[name] = func
        return func

    return register


def sources() -> dict[str, ReminderSource]:
    """Every registered source (importing the modules that register Satark's own first)."""
    from . import reminder_sources  # noqa: F401  (registers the built-in sources)

    return dict(_SOURCES)
