"""``satark db backup`` and ``restore``: a backup taken while posts are being written restores
with every post committed before it began, and the restored audit chain verifies."""

from __future__ import annotations

import secrets
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from satark.cli import main as satark_main
from satark.service import workflow
from satark.service.audit import verify
from satark.service.audit_key import read_head
from satark.service.backup import backup, restore
from satark.service.db import Database
from satark.service.errors import InvalidInput
from satark.service.models import Post, User
from satark.service.settings import Settings

from .conftest import CLEAR_BN, Demo


class Writer(threading.Thread):
    """Creates posts one unit of work at a time until stopped; ``committed`` grows after each commit."""

    def __init__(self, db: Database, screening, demo: Demo) -> None:
        super().__init__(daemon=True)
        self.db, self.screening, self.demo = db, screening, demo
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                with self.db.session() as session:
                    author = session.get(User, self.demo.users["rahima"])
                    post = workflow.create_post(session, self.screening, author,
                                                account_id=self.demo.accounts["dhaka_fb"],
                                                text=f"{CLEAR_BN} ({n})", title=f"নোটিশ {n}")
                    post_id = post.id
                self.committed.append(post_id)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, count: int) -> None:
        while len(self.committed) < count:
            assert self.is_alive(), self.error
            self.stop.wait(0.01)


def _backup_under_writes(svc, demo, target: Path, *, logical: bool = False) -> tuple[list[int], list[int]]:
    """Back up while a writer commits posts; (posts committed before the backup, all committed)."""
    writer = Writer(svc.db, svc.screening, demo)
    writer.start()
    try:
        writer.wait_for(5)
        before = list(writer.committed)
        backup(svc.db, target, logical=logical)
        writer.wait_for(len(before) + 5)
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None, writer.error
    return before, writer.committed


def _check_restored(db: Database, before: list[int], committed: list[int], original: set[int]) -> None:
    with db.session() as session:
        restored = set(session.scalars(select(Post.id)))
        result = verify(session)
    assert set(before) | original <= restored <= set(committed) | original
    assert result.problems == [] and result.posts_checked == len(restored)
    assert read_head(db.settings.data_dir).id == result.last_id


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_backup_under_writes_restores_every_committed_post(svc, demo, tmp_path, monkeypatch, capsys) -> None:
    with svc.db.session() as session:
        original = set(session.scalars(select(Post.id)))
    target = tmp_path / "backup" / "satark.backup"
    before, committed = _backup_under_writes(svc, demo, target)
    assert target.stat().st_mode & 0o077 == 0
    # Restore into a fresh data directory, with the original's key copied there by hand.
    fresh = tmp_path / "restored"
    fresh.mkdir()
    shutil.copy2(svc.settings.data_dir / "audit.key", fresh / "audit.key")
    monkeypatch.setenv("SATARK_DATA_DIR", str(fresh))
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exited:
        satark_main(["db", "restore", str(target), "--yes"])
    out = capsys.readouterr().out
    assert exited.value.code == 0, out
    assert "head re-anchored" in out and out.rstrip().endswith("audit chain intact")
    db = Database(Settings(data_dir=fresh))
    try:
        _check_restored(db, before, committed, original)
    finally:
        db.dispose()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_cli_backs_up_and_a_plain_file_copy_would_lose_the_wal(svc, demo, tmp_path, monkeypatch,
                                                                   capsys) -> None:
    with svc.db.session() as session:
        author = session.get(User, demo.users["rahima"])
        post_id = workflow.create_post(session, svc.screening, author, account_id=demo.accounts["dhaka_fb"],
                                       text=CLEAR_BN).id
    live = svc.settings.data_dir / "satark.sqlite3"
    assert Path(f"{live}-wal").stat().st_size > 0
    plain = tmp_path / "plain.sqlite3"
    shutil.copyfile(live, plain)
    monkeypatch.setenv("SATARK_DATA_DIR", str(svc.settings.data_dir))
    monkeypatch.delenv("SATARK_DATABASE_URL", raising=False)
    target = tmp_path / "cli.backup"
    with pytest.raises(SystemExit) as exited:
        satark_main(["db", "backup", str(target)])
    assert exited.value.code == 0
    assert "the audit key is not in the backup" in capsys.readouterr().out

    def has_post(path: Path) -> bool:
        conn = sqlite3.connect(path)
        try:
            return conn.execute("SELECT count(*) FROM posts WHERE id = ?", (post_id,)).fetchone()[0] == 1
        except sqlite3.DatabaseError:
            return False
        finally:
            conn.close()

    assert has_post(target)
    assert not has_post(plain)  # the newest commits were still in satark.sqlite3-wal


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_restore_without_the_key_or_of_a_wrong_file_says_so(svc, demo, tmp_path) -> None:
    target = tmp_path / "b.backup"
    backup(svc.db, target)
    keyless = Database(Settings(data_dir=tmp_path / "keyless"))
    try:
        result = restore(keyless, target).verification
        assert [p.problem for p in result.problems][:1] == [
            "no audit key: keyed events cannot be checked (copy audit.key into the data directory or set "
            "SATARK_AUDIT_KEY)"]
        junk = tmp_path / "junk.backup"
        junk.write_text("not a database", encoding="utf-8")
        with pytest.raises(InvalidInput, match="not an SQLite database backup"):
            restore(keyless, junk)
        with pytest.raises(InvalidInput, match="no backup file"):
            restore(keyless, tmp_path / "missing")
    finally:
        keyless.dispose()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgres_backup_under_writes_restores_into_a_fresh_database(svc, demo, tmp_path, postgres_server) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore are not on PATH")
    with svc.db.session() as session:
        original = set(session.scalars(select(Post.id)))
        schema = session.execute(sa.text("SELECT current_schema()")).scalar_one()
    target = tmp_path / "pg.backup"
    before, committed = _backup_under_writes(svc, demo, target)
    name = f"satark_restore_{secrets.token_hex(4)}"
    admin = postgres_server.admin.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(postgres_server.base_url).set(database=name)
    url = url.update_query_dict({"options": f"-csearch_path={schema},public"})
    fresh = tmp_path / "restored"
    fresh.mkdir()
    shutil.copy2(svc.settings.data_dir / "audit.key", fresh / "audit.key")
    db = Database(Settings(data_dir=fresh, database_url=url.render_as_string(hide_password=False)))
    try:
        with db.engine.begin() as conn:  # the new database's (empty) schema, named as the backup's
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        restored = restore(db, target)
        assert restored.verification.problems == []
        _check_restored(db, before, committed, original)
        # The TRUNCATE guard came back with the schema.
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session() as session:
            session.execute(sa.text("TRUNCATE audit_events"))
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_postgres_logical_backup_under_writes_restores_into_a_fresh_schema(svc, demo, tmp_path,
                                                                           postgres_server) -> None:
    """Without pg_dump on PATH (forced here), Satark's own JSON-lines dump does the same job."""
    with svc.db.session() as session:
        original = set(session.scalars(select(Post.id)))
    target = tmp_path / "pg.jsonl"
    before, committed = _backup_under_writes(svc, demo, target, logical=True)
    assert target.read_bytes().startswith(b'{"satark_logical_backup"')
    schema = postgres_server.create_schema("satark_restore")
    fresh = tmp_path / "restored"
    fresh.mkdir()
    shutil.copy2(svc.settings.data_dir / "audit.key", fresh / "audit.key")
    db = Database(Settings(data_dir=fresh, database_url=postgres_server.schema_url(schema)))
    try:
        assert restore(db, target).verification.problems == []
        _check_restored(db, before, committed, original)
        with db.session() as session:  # new rows continue after the restored ids
            restored = max(session.scalars(select(Post.id)))
            author = session.get(User, demo.users["rahima"])
            post = workflow.create_post(session, svc.screening, author, account_id=demo.accounts["dhaka_fb"],
                                        text=CLEAR_BN)
            assert post.id == restored + 1
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.session() as session:
            session.execute(sa.text("DELETE FROM audit_events"))
        with db.session() as session:
            assert verify(session).problems == []
    finally:
        db.dispose()
        postgres_server.drop_schema(schema)
