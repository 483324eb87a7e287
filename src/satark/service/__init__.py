"""Satark's governance service: institutions, official accounts, the approval workflow,
the audit trail and the archive, behind a REST API and a web UI.

The service calls the screening engine through its public API (``satark.Screener``) and
stores what it returns; the engine knows nothing of the service or its database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settings import Settings

__all__ = ["Settings"]


def __getattr__(name: str) -> Any:
    # Lazily: the command line imports this package for its commands' names, and ``satark
    # check`` must neither pay for pydantic-settings nor need the [service] extra.
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
