"""Keyed audit chain (issue 11, section 2): a chain version and a content fingerprint per event,
and on PostgreSQL a trigger that refuses TRUNCATE of the audit table.

Existing events keep chain version 1 (plain SHA-256) and verify as written; new ones are
version 2 (HMAC-SHA256). Columns are added with plain ALTER TABLE, not a batch copy, so
SQLite's append-only triggers on the table stay in place.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_events', sa.Column('chain', sa.Integer(), server_default='1', nullable=False))
    op.add_column('audit_events', sa.Column('content', sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        # Row-level triggers do not fire on TRUNCATE; a statement-level one does. (A table
        # owner or superuser can still disable triggers: run the service as another role.)
        op.execute(
            "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION satark_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.drop_column('audit_events', 'content')
    op.drop_column('audit_events', 'chain')
