"""The REST API under ``/api/v1``: everything the web UI does, for programs."""

from __future__ import annotations

from . import inbox, notifications, reports, training, violations
from .routes import router

for _module in (inbox, reports, violations, training, notifications):
    router.include_router(_module.router)

__all__ = ["router"]
