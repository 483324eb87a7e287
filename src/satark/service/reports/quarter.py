"""Calendar quarters ("2026Q3") as the institution counts them: in its own time zone.

A quarter that starts at midnight in Dhaka starts at 18:00 UTC the day before, so a post
published at 20:00 UTC on 30 June belongs to Q3 in Dhaka. Every bound is computed in the
root institution's zone and handed to the database as UTC.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import InvalidInput
from ..timezones import start_of_day, zone

__all__ = ["QUARTER_PATTERN", "Quarter", "parse_quarter"]

#: ``2026Q3`` (also ``2026-Q3``, ``2026q3``) for a year from 1970 to 2999; the API's schema
#: states the same pattern, so a request it allows is never refused for its quarter.
QUARTER_PATTERN = r"^(19[7-9][0-9]|2[0-9]{3})-?[Qq][1-4]$"
_QUARTER = re.compile(QUARTER_PATTERN)
MIN_YEAR, MAX_YEAR = 1970, 2999


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_month(self) -> int:
        return 3 * (self.number - 1) + 1

    def months(self) -> list[tuple[int, int]]:
        """``(year, month)`` of its three months, in order."""
        return [(self.year, self.first_month + i) for i in range(3)]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def bounds(self, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
        """Its first moment and the first moment after it in ``time_zone``, as aware UTC datetimes."""
        tz = zone(time_zone)
        return start_of_day(self.first_day, tz), start_of_day(self.next().first_day, tz)

    @classmethod
    def containing(cls, when: dt.datetime, time_zone: str) -> Quarter:
        """The quarter ``when`` (aware) falls in, in ``time_zone``."""
        local = when.astimezone(zone(time_zone))
        return cls(local.year, (local.month - 1) // 3 + 1)


def parse_quarter(text: object) -> Quarter:
    """``2026Q3`` → Quarter(2026, 3); anything else is a 422."""
    value = text.strip() if isinstance(text, str) else ""
    if not _QUARTER.match(value):
        raise InvalidInput(f"the quarter must be written like 2026Q3 (a year from {MIN_YEAR} to {MAX_YEAR}, "
                           "Q and 1 to 4)", field="quarter")
    return Quarter(int(value[:4]), int(value[-1]))
