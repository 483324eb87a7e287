"""The Alembic migrations build exactly the schema the models describe, and go down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from satark.service.db import Database
from satark.service.models import Base
from satark.service.settings import Settings

#: Made by the migration outside the models: SQLite's FTS5 table (and its shadow tables) and
#: PostgreSQL's trigram index.
EXTRAS_TABLES = ("post_search",)
EXTRAS_INDEXES = ("ix_posts_search_trgm",)


@pytest.fixture
def fresh_db(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty database (for PostgreSQL, a schema of its own), not yet migrated."""
    if backend == "sqlite":
        db = Database(Settings(data_dir=tmp_path))
        try:
            yield db
        finally:
            db.dispose()
        return
    server = request.getfixturevalue("postgres_server")
    schema = server.create_schema("satark_mig")
    db = Database(Settings(data_dir=tmp_path, database_url=server.schema_url(schema)))
    try:
        yield db
    finally:
        db.dispose()
        server.drop_schema(schema)


def _is_extra(diff: Any) -> bool:
    kind, obj = diff[0], diff[1] if len(diff) > 1 else None
    if kind in ("remove_table", "add_table") and getattr(obj, "name", "").startswith(EXTRAS_TABLES):
        return True
    return kind in ("remove_index", "add_index") and getattr(obj, "name", "") in EXTRAS_INDEXES


def _differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False})
        diffs = compare_metadata(context, Base.metadata)
    flat: list[Any] = []
    for diff in diffs:
        # Column-level changes come as a list of tuples.
        flat.extend(diff if isinstance(diff, list) else [diff])
    return [d for d in flat if not _is_extra(d)]


def _tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_the_migrated_schema_matches_the_models(fresh_db: Database) -> None:
    assert fresh_db.needs_upgrade()
    fresh_db.upgrade()
    assert not fresh_db.needs_upgrade() and fresh_db.current_revision() == fresh_db.head_revision()
    assert set(Base.metadata.tables) <= _tables(fresh_db)
    assert _differences(fresh_db) == []


def test_down_to_base_and_up_again(fresh_db: Database) -> None:
    fresh_db.upgrade()
    command.downgrade(fresh_db.alembic_config(), "base")
    assert fresh_db.current_revision() is None
    assert _tables(fresh_db) <= {"alembic_version"}, _tables(fresh_db)
    fresh_db.upgrade()
    assert fresh_db.current_revision() == fresh_db.head_revision()
    assert _differences(fresh_db) == []
    # The extras came back too: the append-only trigger refuses changes to the audit table.
    with fresh_db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO audit_events (id, at, actor, action, object_type, details, prev_hash, hash) "
            "VALUES (1, CURRENT_TIMESTAMP, '', 'test', '', '{}', :z, :h)"), {"z": "0" * 64, "h": "1" * 64})
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), fresh_db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_events"))


def test_upgrade_is_idempotent(fresh_db: Database) -> None:
    fresh_db.upgrade()
    fresh_db.upgrade()
    assert fresh_db.current_revision() == fresh_db.head_revision()


def test_the_comparison_would_see_a_difference(fresh_db: Database) -> None:
    """A guard that the check above is not vacuous: a missing index is reported."""
    fresh_db.upgrade()
    with fresh_db.engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_posts_state"))
    assert [(d[0], d[1].name) for d in _differences(fresh_db)] == [("add_index", "ix_posts_state")]


def test_a_schema_migrates_when_pg_trgm_lives_in_another(postgres_server: Any, tmp_path: Path) -> None:
    """pg_trgm is per database: a schema that Satark did not make may hold it (an earlier
    install, say), off this schema's search path. The trigram index must still find it."""
    elsewhere = postgres_server.create_schema("satark_ext")
    target = postgres_server.create_schema("satark_mig")
    with postgres_server.admin.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        home = conn.exec_driver_sql("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                                    "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").scalar_one()
        conn.exec_driver_sql(f'ALTER EXTENSION pg_trgm SET SCHEMA "{elsewhere}"')
    db = Database(Settings(data_dir=tmp_path, database_url=postgres_server.schema_url(target)))
    try:
        db.upgrade()
        assert not db.needs_upgrade()
        with db.engine.connect() as conn:
            index = conn.exec_driver_sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_posts_search_trgm' "
                                         "AND schemaname = current_schema()").scalar_one()
        assert f"{elsewhere}.gin_trgm_ops" in index
    finally:
        db.dispose()
        with postgres_server.admin.begin() as conn:
            conn.exec_driver_sql(f'ALTER EXTENSION pg_trgm SET SCHEMA "{home}"')
        postgres_server.drop_schema(target)
        postgres_server.drop_schema(elsewhere)


def test_0004_gives_existing_institutions_their_jurisdictions_zone(fresh_db: Database) -> None:
    """Institutions made before 0004 get the zone of their jurisdiction and an empty local name."""
    fresh_db.upgrade("0003")
    with fresh_db.engine.begin() as conn:
        for i, jurisdiction in enumerate(["BD", "IN-CG", "IN", "XX"], start=1):
            conn.execute(sa.text(
                "INSERT INTO institutions (id, name, short_name, kind, jurisdiction, approval_tiers, "
                "approval_ttl_hours, password_rotation_days, website_url, created_at) "
                "VALUES (:id, :name, '', 'district', :j, 1, 72, 90, '', CURRENT_TIMESTAMP)"),
                {"id": i, "name": f"জেলা {i}", "j": jurisdiction})
    fresh_db.upgrade()
    with fresh_db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT jurisdiction, timezone, local_name FROM institutions ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("BD", "Asia/Dhaka", ""), ("IN-CG", "Asia/Kolkata", ""),
                                        ("IN", "Asia/Kolkata", ""), ("XX", "UTC", "")]
    command.downgrade(fresh_db.alembic_config(), "0003")
    assert {c["name"] for c in sa.inspect(fresh_db.engine).get_columns("institutions")} >= {"name", "jurisdiction"}
    assert "timezone" not in {c["name"] for c in sa.inspect(fresh_db.engine).get_columns("institutions")}


def test_0011_two_step_sign_in_goes_up_and_down(fresh_db: Database) -> None:
    fresh_db.upgrade("0010")
    with fresh_db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (id, username, display_name, password_hash, is_superuser, is_active, ui_lang, "
            "created_at, email, notify_by_email) VALUES (1, 'old', 'Old', 'x', false, true, 'en', CURRENT_TIMESTAMP, "
            "'', false)"))
    fresh_db.upgrade()
    inspector = sa.inspect(fresh_db.engine)
    columns = {c["name"]: c for c in inspector.get_columns("users")}
    assert {"totp_secret", "totp_enabled_at", "totp_last_step"} <= set(columns)
    assert all(columns[n]["nullable"] for n in ("totp_secret", "totp_enabled_at", "totp_last_step"))
    assert {"totp_recovery_codes", "pending_logins"} <= set(inspector.get_table_names())
    with fresh_db.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT totp_secret, totp_enabled_at, totp_last_step FROM users")).one()
    assert tuple(row) == (None, None, None)  # an existing user has it off
    with fresh_db.engine.begin() as conn:  # the step is a 64-bit number
        conn.execute(sa.text("UPDATE users SET totp_last_step = :s"), {"s": 2**40})
    command.downgrade(fresh_db.alembic_config(), "0010")
    inspector = sa.inspect(fresh_db.engine)
    names = {c["name"] for c in inspector.get_columns("users")}
    assert not {"totp_secret", "totp_enabled_at", "totp_last_step"} & names
    assert not {"totp_recovery_codes", "pending_logins"} & set(inspector.get_table_names())
    fresh_db.upgrade()
    assert fresh_db.current_revision() == "0011"
