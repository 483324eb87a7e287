"""The REST API under ``/api/v1``: everything the web UI does, for programs."""

from __future__ import annotations

from . import attachments, inbox, notifications, reports, scans, training, violations
from .routes import router

for _module in (attachments, inbox, reports, violations, training, notifications, scans):
    router.include_router(_module.router)

__all__ = ["router"]
