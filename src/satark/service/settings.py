"""Service settings, from the environment (``SATARK_*``) with working defaults.

Defaults need no setup: data lives in SQLite under a per-user data directory, so
``satark serve`` on a fresh machine gives a working app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["Settings", "default_data_dir"]


def default_data_dir() -> Path:
    """``SATARK_DATA_DIR``, else ``$XDG_DATA_HOME/satark``, else ``~/.local/share/satark``."""
    if env := os.environ.get("SATARK_DATA_DIR"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "satark"


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    #: An SQLAlchemy URL; empty means SQLite in ``data_dir``.
    database_url: str = ""
    #: ``None`` lets each call choose; otherwise ``rules``, ``fast`` or ``full``.
    screening_mode: str | None = None
    #: Requests with a larger body get 413 before they are read.
    max_body_bytes: int = 512 * 1024
    session_hours: int = 12
    #: Send cookies with ``Secure``. ``None``: only when the request came over HTTPS,
    #: so a plain-HTTP loopback install still works.
    cookie_secure: bool | None = None
    #: Failed logins per username (or per client address) within the window before
    #: further attempts are refused with 429.
    login_max_failures: int = 5
    login_window_seconds: int = 900
    debug: bool = False

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        secure = os.environ.get("SATARK_COOKIE_SECURE")
        settings = cls(
            data_dir=default_data_dir(),
            database_url=os.environ.get("SATARK_DATABASE_URL", ""),
            screening_mode=os.environ.get("SATARK_MODE") or None,
            max_body_bytes=int(os.environ.get("SATARK_MAX_BODY_BYTES", 512 * 1024)),
            cookie_secure=None if secure in (None, "", "auto") else _flag("SATARK_COOKIE_SECURE", False),
            debug=_flag("SATARK_DEBUG", False),
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    @property
    def url(self) -> str:
        """The database URL in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'satark.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")
