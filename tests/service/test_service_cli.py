"""``satark db | admin | demo | audit``: the service's commands, on SQLite in a temporary data directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from satark.cli import main as satark_main
from satark.service import security
from satark.service.db import Database
from satark.service.models import Membership, User
from satark.service.settings import Settings

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, screening) -> Path:
    directory = tmp_path / "satark-data"
    monkeypatch.setenv("SATARK_DATA_DIR", str(directory))
    monkeypatch.setenv("SATARK_MODE", "rules")
    for name in ("SATARK_DATABASE_URL", "SATARK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    # Each command builds its own Services; share the session's engine rather than load it again.
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: screening)
    return directory


@pytest.fixture
def run(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exited:
            satark_main(list(args))
        out, err = capsys.readouterr()
        return int(exited.value.code or 0), out, err

    return run


@pytest.fixture
def db(data_dir: Path):
    database = Database(Settings(data_dir=data_dir))
    yield database
    database.dispose()


def test_db_upgrade_and_current(run: Run, data_dir: Path) -> None:
    code, out, _ = run("db", "current")
    assert code == 0 and out.startswith("current: empty  head: ")
    code, out, err = run("db", "upgrade")
    assert (code, err) == (0, "") and out.strip().endswith("(was empty)")
    assert (data_dir / "satark.sqlite3").exists()
    head = out.split()[3]
    code, out, _ = run("db", "upgrade")
    assert code == 0 and out.strip() == f"database at revision {head}"
    assert run("db", "current")[1].strip() == f"current: {head}  head: {head}"


def test_demo_is_idempotent(run: Run, db: Database) -> None:
    code, out, err = run("demo", "--no-serve")
    assert (code, err) == (0, ""), err
    assert "Demo data created." in out and "satark-demo-2026" in out and "rahima" in out
    code, out, _ = run("demo", "--no-serve")
    assert code == 0 and "Demo data is already there." in out
    with db.session() as session:
        assert len(session.scalars(select(User)).all()) == 8


def test_create_user_and_token(run: Run, db: Database) -> None:
    assert run("demo", "--no-serve")[0] == 0
    code, out, err = run("admin", "create-user", "x.officer", "--name", "X Officer", "--password",
                         "long-enough-passphrase", "--institution", "1", "--role", "author")
    assert (code, err) == (0, ""), err
    assert out.startswith("created user x.officer (id ")
    code, out, err = run("admin", "create-token", "x.officer", "--name", "ci")
    assert (code, err) == (0, "")
    token = out.strip()
    assert token.startswith(security.TOKEN_PREFIX) and "\n" not in token
    with db.session() as session:
        user = security.user_for_token(session, token)
        assert user.username == "x.officer" and user.display_name == "X Officer"
        roles = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
        assert [(m.institution_id, m.role) for m in roles] == [(1, "author")]
        assert security.verify_password(user.password_hash, "long-enough-passphrase")


@pytest.mark.parametrize(("args", "code", "message"), [
    (["admin", "create-user", "weakling", "--password", "short"], 4,
     "satark: the password must be at least 12 characters long"),
    (["admin", "create-user", "weakling", "--password", "weakling-pass-1"], 4,
     "satark: the password must not contain the username"),
    (["admin", "create-user", "Bad Name", "--password", "long-enough-passphrase"], 4,
     "satark: a username is 2-80 lowercase letters, digits, '.', '_' or '-'"),
    (["admin", "create-user", "rahima", "--password", "long-enough-passphrase"], 4,
     "satark: user 'rahima' exists already"),
    (["admin", "create-user", "newbie", "--password", "long-enough-passphrase", "--institution", "999",
      "--role", "author"], 4, "satark: no institution 999"),
    (["admin", "create-user", "newbie", "--password", "long-enough-passphrase", "--institution", "1",
      "--role", "king"], 4, "satark: role must be one of author, moderator, approver, monitor, admin"),
    (["admin", "create-user", "newbie", "--password", "long-enough-passphrase", "--institution", "1"], 3, None),
    (["admin", "create-token", "ghost"], 4, "satark: no user 'ghost'"),
])
def test_bad_input_is_one_line_and_exit_code(run: Run, db: Database, args, code, message) -> None:
    assert run("demo", "--no-serve")[0] == 0
    got, out, err = run(*args)
    assert got == code, (out, err)
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("satark: "), err
    if message is not None:
        assert lines[0] == message
    # Nothing half-made is left behind.
    with db.session() as session:
        assert session.scalar(select(User).where(User.username == "newbie")) is None


BAD_SETTINGS = [
    ("SATARK_MODE", "bogus", "SATARK_MODE='bogus': should be 'rules', 'fast' or 'full'"),
    ("SATARK_LIVE_MODE", "fastest", "SATARK_LIVE_MODE='fastest': should be 'rules', 'fast' or 'full'"),
    ("SATARK_MAX_BODY_BYTES", "abc", "SATARK_MAX_BODY_BYTES='abc': should be a valid integer"),
    ("SATARK_SESSION_IDLE_MINUTES", "-1", "SATARK_SESSION_IDLE_MINUTES='-1': should be greater than or equal to 1"),
    ("SATARK_SESSION_HOURS", "0", "SATARK_SESSION_HOURS='0': should be greater than or equal to 1"),
    ("SATARK_COOKIE_SECURE", "maybe", "SATARK_COOKIE_SECURE='maybe': should be a valid boolean"),
    ("SATARK_FORWARDED_ALLOW_IPS", "10.0.0.5,proxy", "'proxy' is not an IP address or network"),
    ("SATARK_DATABASE_URL", "mysql://root:hunter2@db/satark", "SATARK_DATABASE_URL: names the database 'mysql'"),
    ("SATARK_DATABASE_URL", "not a url", "SATARK_DATABASE_URL: is not a database URL"),
    ("SATARK_AUDIT_KEY", "too-short", "SATARK_AUDIT_KEY: must be at least 32 characters"),
]


@pytest.mark.parametrize("command", [["db", "current"], ["db", "upgrade"], ["demo", "--no-serve"], ["serve"],
                                     ["admin", "list-users"], ["audit", "verify"]])
@pytest.mark.parametrize(("variable", "value", "message"), BAD_SETTINGS)
def test_a_bad_setting_is_a_configuration_error(run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                command: list[str], variable: str, value: str,
                                                message: str) -> None:
    """Exit 3 and one line naming the variable, before anything is opened or written."""
    monkeypatch.setenv(variable, value)
    code, out, err = run(*command)
    assert code == 3, (out, err)
    assert "Traceback" not in out + err and "internal error" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("satark: configuration error: "), err
    assert message in lines[0]
    assert "hunter2" not in err  # a secret is never repeated
    assert not (data_dir / "satark.sqlite3").exists()


def test_the_data_directory_must_not_be_a_file(run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("not a directory", encoding="utf-8")
    code, _, err = run("db", "current")
    assert code == 3 and err.startswith("satark: configuration error: SATARK_DATA_DIR=") and "is a file" in err


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, field in Settings.model_fields.items():
        assert field.alias, name
        monkeypatch.delenv(field.alias, raising=False)
    monkeypatch.setenv("SATARK_DATA_DIR", str(tmp_path))
    defaults = Settings.from_env()
    assert (defaults.data_dir, defaults.url, defaults.is_sqlite) == (tmp_path, f"sqlite:///{tmp_path}/satark.sqlite3",
                                                                      True)
    assert (defaults.screening_mode, defaults.live_mode, defaults.cookie_secure) == (None, "fast", None)
    monkeypatch.setenv("SATARK_MODE", "rules")
    monkeypatch.setenv("SATARK_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("SATARK_COOKIE_SECURE", "yes")
    monkeypatch.setenv("SATARK_SESSION_IDLE_MINUTES", "")  # empty: the default
    monkeypatch.setenv("SATARK_DATABASE_URL", "postgresql+psycopg://satark@db.example/satark")
    monkeypatch.setenv("SATARK_FORWARDED_ALLOW_IPS", " 10.0.0.5, 192.168.0.0/16 ")
    s = Settings.from_env(live_mode="rules")
    assert (s.screening_mode, s.live_mode, s.max_body_bytes, s.cookie_secure) == ("rules", "rules", 2048, True)
    assert (s.session_idle_minutes, s.is_sqlite, s.forwarded_allow_ips) == (60, False, "10.0.0.5, 192.168.0.0/16")
    assert s.replace(max_body_bytes=4096).max_body_bytes == 4096 and s.max_body_bytes == 2048
    monkeypatch.setenv("SATARK_COOKIE_SECURE", "auto")
    assert Settings.from_env().cookie_secure is None


def test_serve_with_a_bad_setting_exits_3_in_a_real_process(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    satark = Path(sys.executable).with_name("satark")
    if not satark.exists():
        pytest.skip("the satark console script is not installed")
    env = {**os.environ, "SATARK_DATA_DIR": str(tmp_path), "SATARK_MAX_BODY_BYTES": "abc"}
    env.pop("SATARK_DEBUG", None)
    proc = subprocess.run([str(satark), "serve", "--port", "1"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.strip() == ("satark: configuration error: SATARK_MAX_BODY_BYTES='abc': should be a valid "
                                   "integer, unable to parse string as an integer")
