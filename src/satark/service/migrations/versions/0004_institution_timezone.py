"""Institutions' time zone and local-language name (issue 11, section 8).

Pages show times in the institution's zone and read the times typed into forms in it; the
zone of an existing institution is its jurisdiction's (BD → Asia/Dhaka, IN-* → Asia/Kolkata,
anything else UTC). The local name (Bengali, Hindi) counts as the institution's name in the
BD §6.1(ক) check that an account is named after the office.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('institutions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_name', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))
    op.execute("UPDATE institutions SET timezone = 'Asia/Dhaka' WHERE jurisdiction = 'BD' OR jurisdiction LIKE 'BD-%'")
    op.execute("UPDATE institutions SET timezone = 'Asia/Kolkata' WHERE jurisdiction = 'IN' OR jurisdiction LIKE 'IN-%'")


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), as in 0003: a batch copy of ``institutions`` would drop
    # a table that users' memberships, accounts and posts point to.
    op.drop_column('institutions', 'timezone')
    op.drop_column('institutions', 'local_name')
