"""Reading HTML form bodies.

Handlers are plain ``def`` functions, which FastAPI runs in its threadpool, so screening and
database work never block the event loop; only reading the body (this dependency) is async.
Browsers send every field as text, so the helpers turn blanks into ``None`` and raise
:class:`InvalidInput` (a 422 with a message) for text that is not the kind expected.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Depends
from starlette.datastructures import FormData
from starlette.requests import Request

from ..errors import InvalidInput
from ..models import MAX_ID

__all__ = ["MAX_INT", "Form", "form_data", "opt_date", "opt_datetime", "opt_int", "text", "tri_bool"]


async def form_data(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(form_data)]


def text(form: FormData, name: str, *, limit: int = 100_000) -> str:
    """A text field ('' when absent); browsers send CRLF line ends, which posts should not keep."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    value = value.replace("\r\n", "\n")
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    return value


#: The largest id or count a form may give: the database's integer columns are 32-bit, and a
#: larger number would fail there (a 500) instead of here (a 422).
MAX_INT = MAX_ID


def opt_int(value: object, name: str, *, low: int = 0, high: int = MAX_INT) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text_value = str(value).strip()
    if len(text_value) > 12:
        raise InvalidInput(f"{name} must be from {low} to {high}")
    try:
        number = int(text_value)
    except ValueError:
        raise InvalidInput(f"{name} must be a whole number") from None
    if not low <= number <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}")
    return number


def opt_date(value: object, name: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-11-23") from None


def opt_datetime(value: object, name: str, *, tz: dt.tzinfo = dt.UTC) -> dt.datetime | None:
    """A ``datetime-local`` value, read in ``tz`` (the institution's zone: the form says which);
    an explicit offset is kept."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a date and time like 2026-11-23T10:00") from None
    when = when.replace(tzinfo=tz) if when.tzinfo is None else when
    try:
        when.astimezone(dt.UTC)  # 0001-01-01T00:00 in Dhaka is before year 1 in UTC
    except OverflowError:
        raise InvalidInput(f"{name} must be a date and time like 2026-11-23T10:00") from None
    return when


def tri_bool(value: object) -> bool | None:
    """A yes / no / not-yet-checked select."""
    if value == "yes":
        return True
    if value == "no":
        return False
    return None
