"""``satark db backup`` and ``satark db restore``: consistent copies of the service's database.

SQLite goes through sqlite3's online backup API, which copies a consistent snapshot while
other connections keep writing, committed WAL contents included; a plain copy of the
database file would miss whatever is still in ``satark.sqlite3-wal``. PostgreSQL goes
through ``pg_dump --format=custom`` (one repeatable-read snapshot) and ``pg_restore`` when
they are on PATH, else (or with ``logical=True``) through a logical dump of its own: every
row of every table as JSON lines, read in one repeatable-read transaction, and restored in
one transaction into a database at the same schema revision.

The audit key is not in the backup (a backup that carried its key could be rewritten and
re-signed by whoever holds it): keep ``audit.key`` (or ``SATARK_AUDIT_KEY``) apart. A
restore re-anchors the head file on the restored chain and then verifies it with the key
in force, so a restore with the wrong key, or of a tampered backup, says so.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from . import audit
from .audit_key import AuditKeyError, Head, read_head
from .db import Database
from .errors import InvalidInput, ServiceError
from .models import Base, UTCDateTime

__all__ = ["BackupError", "Restored", "backup", "restore"]


class BackupError(ServiceError):
    status = 500
    code = "backup_failed"


@dataclass(frozen=True)
class Restored:
    verification: audit.Verification
    #: The head file before the restore: events after the backup's last one are gone.
    previous_head: Head | None


def _sqlite_path(db: Database) -> Path:
    name = db.engine.url.database
    if not name:
        raise InvalidInput("backup needs a file database, not an in-memory one")
    return Path(name)


def backup(db: Database, target: Path, *, logical: bool = False) -> str:
    """Write a consistent copy of the database to ``target`` (replaced whole, mode 0600); return
    how (``sqlite``, ``pg_dump`` or ``logical``)."""
    target = target.expanduser()
    if target.is_dir():
        raise InvalidInput(f"{target} is a directory; name the backup file")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    if db.dialect == "sqlite" and target.resolve() == _sqlite_path(db).resolve():
        partial.unlink()
        raise InvalidInput("the backup file must not be the live database")
    try:
        if db.dialect == "sqlite":
            how = "sqlite"
            _sqlite_backup(_sqlite_path(db), partial)
        elif logical or shutil.which("pg_dump") is None:
            how = "logical"
            _logical_dump(db, partial)
        else:
            how = "pg_dump"
            _pg_backup(db, partial)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return how


def _sqlite_backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            # All pages in one step, under one read transaction: a snapshot, however busy
            # the writers (a stepwise copy restarts whenever another connection writes).
            src.backup(dst, pages=-1)
            if dst.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError("the backup copy failed its integrity check")
        finally:
            dst.close()
    finally:
        src.close()


def restore(db: Database, source: Path) -> Restored:
    """Replace the database's contents with a backup's, migrate it, re-anchor and verify the audit chain.

    Run it with the service stopped: running processes would keep serving from their
    open connections meanwhile.
    """
    source = source.expanduser()
    if not source.is_file():
        raise InvalidInput(f"no backup file {source}")
    with open(source, "rb") as fh:
        magic = fh.read(len(_LOGICAL_MAGIC))
    if magic == _LOGICAL_MAGIC:
        _logical_restore(db, source)
    elif db.dialect == "sqlite":
        _sqlite_restore(source, _sqlite_path(db))
    else:
        _pg_restore(db, source)
    if db.needs_upgrade():
        db.upgrade()
    data_dir = db.settings.data_dir
    try:
        previous = read_head(data_dir)
    except AuditKeyError:
        previous = None
    with db.session() as session:
        audit.anchor(session)
    with db.session() as session:
        return Restored(audit.verify(session), previous)


def _sqlite_restore(source: Path, live: Path) -> None:
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise InvalidInput(f"{source} is damaged (integrity check failed)")
            tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"audit_events", "alembic_version"} <= tables:
                raise InvalidInput(f"{source} is not a Satark database backup")
            live.parent.mkdir(parents=True, exist_ok=True)
            dst = sqlite3.connect(live, timeout=30)
            try:
                # Through the backup API again, not a file copy: the live file's WAL and
                # any reader see a whole database, the old one or the restored one.
                src.backup(dst, pages=-1)
            finally:
                dst.close()
        finally:
            src.close()
    except sqlite3.DatabaseError as exc:
        raise InvalidInput(f"{source} is not an SQLite database backup ({exc})") from exc


# --- PostgreSQL -----------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client tools "
                          "(the same major version as the server, or newer)")
    return found


def _libpq(db: Database) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for the service's URL, its password passed in the environment."""
    url = make_url(db.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _schema(db: Database) -> str:
    with db.engine.connect() as conn:
        schema: str = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
    return schema


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _pg_backup(db: Database, target: Path) -> None:
    uri, env = _libpq(db)
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--schema={_schema(db)}",
          f"--file={target}", f"--dbname={uri}"], env)


def _pg_restore(db: Database, source: Path) -> None:
    tool = _tool("pg_restore")
    uri, env = _libpq(db)
    listing = subprocess.run([tool, "--list", str(source)], capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise InvalidInput(f"{source} is not a pg_dump archive ({listing.stderr.strip()[:300]})")
    schemas = {parts[parts.index("TABLE") + 1] for line in listing.stdout.splitlines()
               if "TABLE" in (parts := line.split()) and "audit_events" in parts and "DATA" not in parts}
    target = _schema(db)
    if not schemas:
        raise InvalidInput(f"{source} is not a Satark database backup")
    if schemas != {target}:
        raise InvalidInput(f"the backup holds schema {', '.join(sorted(schemas))}, but the database URL's "
                           f"schema is {target}; point SATARK_DATABASE_URL's search_path at it")
    with db.engine.begin() as conn:
        # The trigram index names pg_trgm's operator class; the extension is not in the dump.
        has_public = conn.exec_driver_sql("SELECT 1 FROM pg_namespace WHERE nspname = 'public'").scalar()
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" WITH SCHEMA public" if has_public else ""))
    db.dispose()
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={uri}", str(source)], env)


# --- the logical dump (PostgreSQL without the client tools) ---------------------------------

_LOGICAL_MAGIC = b'{"satark_logical_backup"'


def _encode(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _decoder(column: sa.Column[Any]) -> Any:
    if isinstance(column.type, UTCDateTime):
        return dt.datetime.fromisoformat
    if isinstance(column.type, sa.Date):
        return dt.date.fromisoformat
    return None


def _logical_dump(db: Database, target: Path) -> None:
    if db.needs_upgrade():
        raise InvalidInput("the database is not at this version's schema revision; run `satark db upgrade` first")
    bind = db.engine.execution_options(isolation_level="REPEATABLE READ") if db.dialect == "postgresql" \
        else db.engine
    with bind.connect() as conn, open(target, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"satark_logical_backup": 1, "revision": db.current_revision()}) + "\n")
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select().order_by(*table.primary_key.columns)):
                record = {k: _encode(v) for k, v in row._mapping.items()}
                fh.write(json.dumps({"t": table.name, "r": record}, ensure_ascii=False) + "\n")


def _logical_restore(db: Database, source: Path) -> None:
    if db.dialect != "postgresql":
        raise InvalidInput("a logical backup restores into PostgreSQL; SQLite restores its own backup files")
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with open(source, encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        if header.get("revision") != db.head_revision():
            raise InvalidInput(f"the backup is of schema revision {header.get('revision')}, this version's is "
                               f"{db.head_revision()}: restore it with the Satark version that wrote it")
        db.upgrade()
        with db.engine.begin() as conn:
            # As the table owner: the append-only triggers would refuse emptying the audit table.
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
            batch: list[dict[str, Any]] = []
            current: sa.Table | None = None
            for line in fh:
                item = json.loads(line)
                table = tables[item["t"]]
                if table is not current and batch and current is not None:
                    conn.execute(current.insert(), batch)
                    batch = []
                current = table
                row = dict(item["r"])
                for column in table.columns:
                    decode = _decoder(column)
                    if decode is not None and row.get(column.name) is not None:
                        row[column.name] = decode(row[column.name])
                batch.append(row)
                if len(batch) >= 500:
                    conn.execute(table.insert(), batch)
                    batch = []
            if batch and current is not None:
                conn.execute(current.insert(), batch)
            for table in Base.metadata.sorted_tables:
                if "id" in table.columns:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"COALESCE(max(id), 0) + 1, false) FROM {table.name}")
            conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")
