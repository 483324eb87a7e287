"""Working time: response targets and statutory deadlines in hours or working days.

A target in hours runs on the clock (a citizen waits through weekends too). A target in
working days skips the institution's weekend and its holidays: Bangladesh's weekend is
Friday and Saturday, India's Sunday; holidays are kept per institution (public holidays
vary by state and district, and offices declare their own), so nothing here depends on a
national list that could be wrong for a given office.

Counting rule: "N working days" from a moment means the end of the N-th working day after
the day it falls on, in the institution's time zone. A comment received on Thursday
evening in Dhaka with a 1-working-day target is due by the end of Sunday; a GRS grievance
lodged on a holiday has its 30 days counted from the next day, as the office would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import InvalidInput
from .timezones import start_of_day, zone

__all__ = [
    "UNITS",
    "WorkCalendar",
    "calendar_for",
    "default_weekend",
    "due_after",
    "parse_weekend",
]

#: Units a target may be given in.
UNITS = ("hours", "working_days", "days")
#: Targets longer than this are refused (a year of working days is not a response target).
MAX_TARGET = {"hours": 24 * 90, "working_days": 250, "days": 365}


def default_weekend(jurisdiction: str | None) -> frozenset[int]:
    """ISO weekdays (Monday 1 ... Sunday 7) of the jurisdiction's weekend: BD Friday and
    Saturday, India (and anywhere else) Sunday."""
    code = (jurisdiction or "").strip().upper()
    if code == "BD" or code.startswith("BD-"):
        return frozenset({5, 6})
    return frozenset({7})


def parse_weekend(value: str) -> frozenset[int]:
    """``"5,6"`` → {5, 6}; "" → empty (meaning: the jurisdiction's). A 422 for anything else."""
    value = (value or "").strip()
    if not value:
        return frozenset()
    try:
        days = frozenset(int(part) for part in value.split(","))
    except ValueError:
        raise InvalidInput("the weekend is a list of ISO weekday numbers (1 = Monday ... 7 = Sunday), "
                           "like 5,6") from None
    if not days or not days <= set(range(1, 8)) or len(days) > 6:
        raise InvalidInput("the weekend is a list of ISO weekday numbers (1 = Monday ... 7 = Sunday), "
                           "like 5,6")
    return days


@dataclass(frozen=True)
class WorkCalendar:
    """An institution's working days: its zone, its weekend and its holidays."""

    time_zone: str = "UTC"
    weekend: frozenset[int] = frozenset({7})
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def tz(self) -> dt.tzinfo:
        return zone(self.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.isoweekday() not in self.weekend and day not in self.holidays

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``day`` itself when ``n`` is 0)."""
        if n < 0:
            raise ValueError("n must not be negative")
        current = day
        left = n
        # A calendar with every day a holiday would loop for ever: give up after 20 years.
        limit = day + dt.timedelta(days=366 * 20)
        while left > 0:
            current += dt.timedelta(days=1)
            if current > limit:  # pragma: no cover - a calendar with no working days
                raise InvalidInput("the calendar has no working days left")
            if self.is_working_day(current):
                left -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is
        before ``start``: the working days it is past)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1)
                   if self.is_working_day(start + dt.timedelta(days=i)))

    def end_of_day(self, day: dt.date) -> dt.datetime:
        """The last moment of ``day`` here: the start of the next day, in UTC."""
        return start_of_day(day + dt.timedelta(days=1), self.tz)


def due_after(moment: dt.datetime, value: int, unit: str, calendar: WorkCalendar) -> dt.datetime:
    """When a target of ``value`` ``unit`` started at ``moment`` falls due (aware UTC)."""
    if unit not in UNITS:
        raise InvalidInput(f"a target's unit is one of {', '.join(UNITS)}")
    if not 1 <= value <= MAX_TARGET[unit]:
        raise InvalidInput(f"a target in {unit.replace('_', ' ')} is between 1 and {MAX_TARGET[unit]}")
    if unit == "hours":
        return moment + dt.timedelta(hours=value)
    day = calendar.local_date(moment)
    if unit == "days":
        return calendar.end_of_day(day + dt.timedelta(days=value))
    return calendar.end_of_day(calendar.add_working_days(day, value))


def calendar_for(session: Session, institution_id: int, *, time_zone: str, jurisdiction: str,
                 weekend: str = "") -> WorkCalendar:
    """The institution's calendar from its settings and its holiday rows."""
    from .models_inbox import Holiday

    days = frozenset(session.scalars(select(Holiday.day).where(Holiday.institution_id == institution_id)))
    return WorkCalendar(time_zone=time_zone, weekend=parse_weekend(weekend) or default_weekend(jurisdiction),
                        holidays=days)


def calendars_for(session: Session, institutions: Iterable[tuple[int, str, str, str]]
                  ) -> dict[int, WorkCalendar]:
    """Calendars for many institutions at once: ``(id, time zone, jurisdiction, weekend)`` each."""
    from .models_inbox import Holiday

    rows = list(institutions)
    ids: Collection[int] = [r[0] for r in rows]
    holidays: dict[int, set[dt.date]] = {}
    for inst_id, day in session.execute(select(Holiday.institution_id, Holiday.day)
                                        .where(Holiday.institution_id.in_(ids))):
        holidays.setdefault(inst_id, set()).add(day)
    return {inst_id: WorkCalendar(time_zone=tz, weekend=parse_weekend(weekend) or default_weekend(jur),
                                  holidays=frozenset(holidays.get(inst_id, ())))
            for inst_id, tz, jur, weekend in rows}
