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
