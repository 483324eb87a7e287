"""The REST API under ``/api/v1``: everything the web UI does, for programs."""

from __future__ import annotations

from .routes import router

__all__ = ["router"]
