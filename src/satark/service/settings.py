"""Service settings, from the environment (``SATARK_*``) with working defaults.

Defaults need no setup: data lives in SQLite under a per-user data directory, so
``satark serve`` on a fresh machine gives a working app.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..paths import data_dir as _data_dir
from .errors import InvalidInput

__all__ = ["MODES", "Settings", "default_data_dir"]

MODES = ("rules", "fast", "full")


def default_data_dir() -> Path:
    """``SATARK_DATA_DIR``, else ``$XDG_DATA_HOME/satark``, else ``~/.local/share/satark``."""
    return _data_dir()


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
    #: The mode of every screening that is stored or decided on (revisions, submissions,
    #: personal checks); ``None`` means the engine's default (``full`` when its models
    #: are installed).
    screening_mode: str | None = None
    #: The mode of the live check while an author types (the editor's live panel, and
    #: ``POST /api/v1/screen`` when the request names none). It runs on every pause in
    #: typing, so it defaults to ``fast``: the sentence encoder of ``full`` costs about
    #: 65 ms of CPU for a post it reads, which bounds a 2-core server at about 90 live
    #: checks a second. Saving a draft runs the full check, and that is what approvers see.
    live_mode: str = "fast"
    #: Requests with a larger body get 413 before they are read.
    max_body_bytes: int = 512 * 1024
    session_hours: int = 12
    #: A browser session unused for this many minutes is over (``SATARK_SESSION_IDLE_MINUTES``).
    session_idle_minutes: int = 60
    #: Proxy addresses whose ``X-Forwarded-For``/``-Proto`` ``satark serve`` trusts
    #: (``SATARK_FORWARDED_ALLOW_IPS``, comma-separated); empty trusts none.
    forwarded_allow_ips: str = ""
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
            live_mode=os.environ.get("SATARK_LIVE_MODE") or "fast",
            max_body_bytes=int(os.environ.get("SATARK_MAX_BODY_BYTES", 512 * 1024)),
            cookie_secure=None if secure in (None, "", "auto") else _flag("SATARK_COOKIE_SECURE", False),
            debug=_flag("SATARK_DEBUG", False),
            session_idle_minutes=int(os.environ.get("SATARK_SESSION_IDLE_MINUTES") or 60),
            forwarded_allow_ips=os.environ.get("SATARK_FORWARDED_ALLOW_IPS", ""),
        )
        return replace(settings, **overrides)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        for name, value in (("SATARK_MODE", self.screening_mode), ("SATARK_LIVE_MODE", self.live_mode)):
            if value is not None and value not in MODES:
                raise InvalidInput(f"{name} must be one of {', '.join(MODES)}, not {value!r}")

    @property
    def url(self) -> str:
        """The database URL in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'satark.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")
