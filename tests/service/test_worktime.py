"""Working days: weekends per jurisdiction, an institution's holidays, and targets that skip them."""

from __future__ import annotations

import datetime as dt

import pytest

from satark.service.errors import InvalidInput
from satark.service.worktime import WorkCalendar, default_weekend, due_after, parse_weekend

DHAKA = WorkCalendar("Asia/Dhaka", default_weekend("BD"), frozenset({dt.date(2026, 12, 16)}))  # Victory Day
RAIPUR = WorkCalendar("Asia/Kolkata", default_weekend("IN-CG"), frozenset())


def test_weekends_by_jurisdiction() -> None:
    assert default_weekend("BD") == {5, 6}  # Friday and Saturday
    assert default_weekend("IN-CG") == {7}  # Sunday
    assert parse_weekend("6,7") == {6, 7} and parse_weekend("") == frozenset()
    for bad in ("0", "8", "fri", "1,2,3,4,5,6,7"):
        with pytest.raises(InvalidInput):
            parse_weekend(bad)


def test_working_days_skip_the_weekend_and_holidays() -> None:
    # Thursday 10 December 2026 in Dhaka: Friday and Saturday are the weekend.
    assert DHAKA.add_working_days(dt.date(2026, 12, 10), 1) == dt.date(2026, 12, 13)
    # Tuesday 15th + 1: Wednesday 16th is Victory Day, so Thursday 17th.
    assert DHAKA.add_working_days(dt.date(2026, 12, 15), 1) == dt.date(2026, 12, 17)
    # In Raipur, Saturday is a working day and Sunday is not.
    assert RAIPUR.add_working_days(dt.date(2026, 12, 11), 1) == dt.date(2026, 12, 12)
    assert RAIPUR.add_working_days(dt.date(2026, 12, 12), 1) == dt.date(2026, 12, 14)
    assert DHAKA.working_days_between(dt.date(2026, 12, 10), dt.date(2026, 12, 17)) == 4
    assert DHAKA.working_days_between(dt.date(2026, 12, 17), dt.date(2026, 12, 10)) == -4


def test_targets_in_hours_and_working_days() -> None:
    # 20:00 Thursday in Dhaka (14:00 UTC).
    received = dt.datetime(2026, 12, 10, 14, 0, tzinfo=dt.UTC)
    assert due_after(received, 24, "hours", DHAKA) == received + dt.timedelta(hours=24)
    # One working day: the end of Sunday 13th, Dhaka time (18:00 UTC).
    assert due_after(received, 1, "working_days", DHAKA) == dt.datetime(2026, 12, 13, 18, 0, tzinfo=dt.UTC)
    # GRS: 30 working days from Thursday 10 December 2026.
    day = DHAKA.add_working_days(dt.date(2026, 12, 10), 30)
    assert DHAKA.working_days_between(dt.date(2026, 12, 10), day) == 30
    assert DHAKA.is_working_day(day)
    with pytest.raises(InvalidInput):
        due_after(received, 0, "hours", DHAKA)
    with pytest.raises(InvalidInput):
        due_after(received, 1, "weeks", DHAKA)
