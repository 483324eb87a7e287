"""Service errors; each maps to one HTTP status, so no bad request becomes a 500."""

from __future__ import annotations

__all__ = [
    "ApprovalLapsed",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotAuthenticated",
    "NotFound",
    "ServiceError",
    "TooManyAttempts",
    "Unavailable",
    "unavailable_for",
]


class ServiceError(Exception):
    status = 400
    code = "bad_request"
    #: True when the unit of work must still commit although the request fails, because
    #: the refusal itself changed something worth keeping (see ``Database.session``).
    keeps_changes = False

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(ServiceError):
    status = 422
    code = "invalid_input"


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    """Also raised for another institution's objects, so their existence is not disclosed."""

    status = 404
    code = "not_found"


class Conflict(ServiceError):
    """The object is not in a state that allows this (a wrong workflow transition)."""

    status = 409
    code = "conflict"


class ApprovalLapsed(Conflict):
    """Publishing came too late: the approval lapsed, and the lapse is kept on record."""

    keeps_changes = True


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """The database cannot take the request now (locked by another process, disk full, or
    unreachable): 503 with Retry-After. Nothing was written; the client may send it again."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


def unavailable_for(exc: BaseException) -> Unavailable | None:
    """The 503 for a database or disk failure that is the server's state, not the request's.

    SQLAlchemy's ``OperationalError`` covers exactly these (a lock not granted in time, a
    full disk, a lost or refused connection), on SQLite and PostgreSQL alike; an
    ``OSError`` with ENOSPC is a full disk met outside the database.
    """
    import errno

    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):
        text = str(exc.orig if exc.orig is not None else exc).lower()
        if "full" in text or "no space" in text:
            return Unavailable("the server's disk is full; nothing was saved, try again later", 60)
        if "locked" in text or "lock" in text or "busy" in text:
            return Unavailable("the database is busy; nothing was saved, try again in a few seconds", 5)
        return Unavailable("the database is unavailable; nothing was saved, try again shortly", 15)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return Unavailable("the server's disk is full; nothing was saved, try again later", 60)
    return None
