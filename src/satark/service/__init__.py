"""Satark's governance service: institutions, official accounts, the approval workflow,
the audit trail and the archive, behind a REST API and a web UI.

The service calls the screening engine through its public API (``satark.Screener``) and
stores what it returns; the engine knows nothing of the service or its database.
"""

from __future__ import annotations

from .settings import Settings

__all__ = ["Settings"]
