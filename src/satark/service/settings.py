"""Service settings: the ``SATARK_*`` environment variables, read and checked by pydantic-settings.

Defaults need no setup: data lives in SQLite under a per-user data directory, so
``satark serve`` on a fresh machine gives a working app. Each field names its variable
(``alias``); README.md's "Environment variables" table lists them all (a test checks it).
A value that does not fit (``SATARK_MODE=bogus``, ``SATARK_MAX_BODY_BYTES=abc``) is a
:class:`~satark.errors.ConfigError` naming the variable, so the command line exits 3 with
one line instead of failing later.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from ..errors import ConfigError
from ..paths import data_dir as _data_dir
from .audit_key import MIN_KEY_CHARS

__all__ = ["MODES", "Settings", "default_data_dir"]

MODES = ("rules", "fast", "full")
Mode = Literal["rules", "fast", "full"]
#: Dialects Satark is built and tested for.
DIALECTS = ("sqlite", "postgresql")
#: Fields whose value an error message must not repeat.
_SECRET = frozenset({"database_url", "audit_key", "smtp_password"})


def default_data_dir() -> Path:
    """``SATARK_DATA_DIR``, else ``$XDG_DATA_HOME/satark``, else ``~/.local/share/satark``."""
    return _data_dir()


def _auto(value: object) -> object:
    """``SATARK_COOKIE_SECURE=auto`` (or empty) is the default: Secure only over HTTPS."""
    return None if isinstance(value, str) and value.strip().lower() in ("", "auto") else value


def _a_directory(path: Path) -> Path:
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ValueError("is a file, not a directory")
    return path


class Settings(BaseSettings):
    """The service's settings; each field's ``alias`` is its environment variable."""

    model_config = SettingsConfigDict(env_prefix="SATARK_", case_sensitive=True, env_ignore_empty=True,
                                      populate_by_name=True, frozen=True, extra="forbid")

    data_dir: Annotated[Path, AfterValidator(_a_directory)] = Field(
        default_factory=default_data_dir, alias="SATARK_DATA_DIR")
    #: An SQLAlchemy URL (``sqlite:///…`` or ``postgresql+psycopg://…``); empty means SQLite in ``data_dir``.
    database_url: str = Field("", alias="SATARK_DATABASE_URL")
    #: The mode of every screening that is stored or decided on (revisions, submissions,
    #: personal checks); ``None`` means the engine's default (``full`` when its models
    #: are installed).
    screening_mode: Mode | None = Field(None, alias="SATARK_MODE")
    #: The mode of the live check while an author types (the editor's live panel, and
    #: ``POST /api/v1/screen`` when the request names none). It runs on every pause in
    #: typing, so it defaults to ``fast``: the sentence encoder of ``full`` costs about
    #: 65 ms of CPU for a post it reads, which bounds a 2-core server at about 90 live
    #: checks a second. Saving a draft runs the full check, and that is what approvers see.
    live_mode: Mode = Field("fast", alias="SATARK_LIVE_MODE")
    #: Requests with a larger body get 413 before they are read.
    max_body_bytes: int = Field(512 * 1024, ge=1024, le=64 * 1024 * 1024, alias="SATARK_MAX_BODY_BYTES")
    #: The same for file uploads (``multipart/form-data``): evidence screenshots, comment files.
    #: Threads that run uploaded export audits inside ``satark serve``; 0 runs none (uploads wait).
    scan_workers: int = Field(2, ge=0, le=16, alias="SATARK_SCAN_WORKERS")
    #: The share of right answers (percent) that passes the awareness quiz (BD §11(খ)).
    training_pass_mark: int = Field(70, ge=1, le=100, alias="SATARK_TRAINING_PASS_MARK")
    max_upload_bytes: int = Field(12 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024, alias="SATARK_MAX_UPLOAD_BYTES")
    #: A browser session ends this many hours after login.
    session_hours: int = Field(12, ge=1, le=24 * 30, alias="SATARK_SESSION_HOURS")
    #: A browser session unused for this many minutes is over.
    session_idle_minutes: int = Field(60, ge=1, le=24 * 60 * 30, alias="SATARK_SESSION_IDLE_MINUTES")
    #: Proxy addresses (comma-separated IPs or networks, or ``*``) whose ``X-Forwarded-For``/
    #: ``-Proto`` ``satark serve`` trusts; empty trusts none.
    forwarded_allow_ips: str = Field("", alias="SATARK_FORWARDED_ALLOW_IPS")
    #: Send cookies with ``Secure``. ``None`` (``auto``): only when the request came over
    #: HTTPS, so a plain-HTTP loopback install still works.
    cookie_secure: Annotated[bool | None, BeforeValidator(_auto)] = Field(None, alias="SATARK_COOKIE_SECURE")
    #: Failed logins per username (or per client address) within the window before
    #: further attempts are refused with 429.
    login_max_failures: int = Field(5, ge=1, le=1000, alias="SATARK_LOGIN_MAX_FAILURES")
    login_window_seconds: int = Field(900, ge=1, le=7 * 24 * 3600, alias="SATARK_LOGIN_WINDOW_SECONDS")
    #: Institution admins and site administrators must use two-step sign-in (``totp.py``): one
    #: who has not set it up is sent to set it up after the password, and can do nothing else.
    require_totp_for_admins: bool = Field(False, alias="SATARK_REQUIRE_TOTP_FOR_ADMINS")
    #: The audit chain's key; unset, ``audit.key`` in the data directory (``audit_key.py``
    #: reads it; checked here so that a short one stops the start, not the first write).
    audit_key: SecretStr | None = Field(None, alias="SATARK_AUDIT_KEY")
    #: Tracebacks instead of one-line errors on the command line.
    debug: bool = Field(False, alias="SATARK_DEBUG")
    #: The mail server for notifications by e-mail (``mailer.py``); empty sends no e-mail
    #: (notifications are still shown in the app).
    smtp_host: str = Field("", max_length=253, alias="SATARK_SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, alias="SATARK_SMTP_PORT")
    #: Upgrade the connection with STARTTLS (port 587); ignored when ``SATARK_SMTP_SSL`` is on.
    smtp_starttls: bool = Field(True, alias="SATARK_SMTP_STARTTLS")
    #: Implicit TLS from the first byte (port 465).
    smtp_ssl: bool = Field(False, alias="SATARK_SMTP_SSL")
    #: A PEM file of the certificate authorities to trust for the mail server's certificate,
    #: for a server whose certificate an office's own CA signed; empty trusts the system's.
    smtp_ca_file: str = Field("", max_length=1000, alias="SATARK_SMTP_CA_FILE")
    smtp_username: str = Field("", max_length=200, alias="SATARK_SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, alias="SATARK_SMTP_PASSWORD")
    #: The From address of notification e-mails.
    smtp_from: str = Field("satark@localhost", min_length=3, max_length=254, alias="SATARK_SMTP_FROM")
    #: The address users reach the web app at (``https://satark.example.gov``), for the links in
    #: e-mails; empty leaves the link out.
    public_url: str = Field("", max_length=300, alias="SATARK_PUBLIC_URL")
    #: Seconds between runs of the reminder and e-mail job inside ``satark serve``; 0 turns the
    #: in-process scheduler off (run ``satark jobs run`` from cron instead).
    jobs_interval: int = Field(300, ge=0, le=24 * 3600, alias="SATARK_JOBS_INTERVAL")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Arguments, then the environment: no .env file and no secrets directory is read.
        return init_settings, env_settings

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """The settings in force: ``overrides``, else ``SATARK_*``, else the defaults.

        :class:`~satark.errors.ConfigError` (one line, naming each variable) when one is invalid.
        """
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise ConfigError(describe(exc)) from None

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (checked like the rest; the environment is not read again)."""
        try:
            return type(self).model_validate({**self.model_dump(), **changes})
        except ValidationError as exc:
            raise ConfigError(describe(exc)) from None

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("is not a database URL (like postgresql+psycopg://user@host/db)") from None
        if url.get_backend_name() not in DIALECTS:
            raise ValueError(f"names the database {url.get_backend_name()!r}; Satark runs on "
                             f"{' or '.join(DIALECTS)}") from None
        return value

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        for item in (part.strip() for part in value.split(",")):
            if not item or item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (give addresses, "
                                 "comma-separated, or *)") from None
        return value.strip()

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// or http:// (like https://satark.example.gov)")
        return value

    @field_validator("smtp_from")
    @classmethod
    def _check_from(cls, value: str) -> str:
        if "@" not in value or any(ch in value for ch in "\r\n"):
            raise ValueError("must be an e-mail address (like satark@example.gov or Satark <satark@example.gov>)")
        return value.strip()

    @field_validator("smtp_ca_file")
    @classmethod
    def _check_ca_file(cls, value: str) -> str:
        if value and not Path(value).is_file():
            raise ValueError("no such file (a PEM file of certificate authorities)")
        return value

    @field_validator("audit_key")
    @classmethod
    def _check_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_KEY_CHARS:
            raise ValueError(f"must be at least {MIN_KEY_CHARS} characters (e.g. 64 hex digits)")
        return value

    @property
    def url(self) -> str:
        """The database URL in force."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'satark.sqlite3'}"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


def describe(exc: ValidationError) -> str:
    """One line for the errors of a ValidationError of :class:`Settings`: each variable, its
    value (never that of a secret) and what is wrong with it."""
    fields = Settings.model_fields
    by_alias = {info.alias: name for name, info in fields.items() if info.alias}
    parts = []
    for error in exc.errors(include_url=False):
        where = str(error["loc"][0]) if error["loc"] else ""
        name = by_alias.get(where, where)
        variable = fields[name].alias if name in fields else where
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Input ")
        shown = "" if name in _SECRET or error["type"] == "missing" else f"={_short(error.get('input'))}"
        parts.append(f"{variable}{shown}: {message}")
    return "; ".join(parts)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
