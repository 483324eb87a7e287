"""Institutions' time zones: the zone their people read and enter times in.

Satark stores every time in UTC; pages show them in the viewing institution's zone and read
the dates and times typed into forms in it. Each institution has an IANA zone name, by
default the one of its jurisdiction (``BD`` → Asia/Dhaka, ``IN-*`` → Asia/Kolkata).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import InvalidInput

if TYPE_CHECKING:
    from .models import User

__all__ = ["DEFAULT_ZONE", "SUGGESTED_ZONES", "check_timezone", "default_timezone", "start_of_day", "user_zone",
           "zone"]

DEFAULT_ZONE = "UTC"
#: Offered on the settings page (any valid IANA name is accepted).
SUGGESTED_ZONES = ("Asia/Kolkata", "Asia/Dhaka", "Asia/Kathmandu", "Asia/Thimphu", "UTC")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}$")


def default_timezone(jurisdiction: str | None) -> str:
    """The zone of a jurisdiction or pack id: ``BD`` → Asia/Dhaka, ``IN`` and ``IN-*`` → Asia/Kolkata."""
    code = (jurisdiction or "").strip().upper()
    if code == "BD" or code.startswith("BD-"):
        return "Asia/Dhaka"
    if code == "IN" or code.startswith("IN-"):
        return "Asia/Kolkata"
    return DEFAULT_ZONE


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


@functools.lru_cache(maxsize=64)
def _load(name: str) -> dt.tzinfo | None:
    if not _NAME.match(name) or len(name) > 64:
        return None
    if _known() and name not in _known():
        return None
    try:
        return dt.UTC if name == "UTC" else ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return dt.UTC if name == "UTC" else None


def check_timezone(name: object, field: str = "timezone") -> str:
    """``name`` stripped, if it is an IANA time zone name (``Asia/Kolkata``); else a 422."""
    text = name.strip() if isinstance(name, str) else ""
    if not text or _load(text) is None:
        raise InvalidInput(f"{field} must be an IANA time zone name like Asia/Kolkata or Asia/Dhaka", field=field)
    return text


def zone(name: str | None) -> dt.tzinfo:
    """The tzinfo for a stored zone name; UTC for an empty or unknown one (never raises)."""
    return _load(name or DEFAULT_ZONE) or dt.UTC


def start_of_day(day: dt.date, tz: dt.tzinfo = dt.UTC) -> dt.datetime:
    """The first moment of ``day`` in ``tz``, in UTC (for 0001-01-01 east of Greenwich, the
    earliest time there is: the moment itself would be before year 1 in UTC)."""
    try:
        return dt.datetime.combine(day, dt.time(), tz).astimezone(dt.UTC)
    except OverflowError:
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def user_zone(user: User | None) -> str:
    """The zone name for a user's lists: that of the institution of their first role, else UTC."""
    if user is None:
        return DEFAULT_ZONE
    rows = sorted(user.memberships, key=lambda m: (m.institution_id, m.role))
    return rows[0].institution.timezone if rows else DEFAULT_ZONE
