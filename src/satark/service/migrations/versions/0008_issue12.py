"""Notifications, reminders sent and users' delivery choices (issue 12, section 6).

``notifications`` is what each user sees in the app and, for those who chose e-mail, the
outbox the job sends from; ``reminders_sent`` holds one row per reminder key, its unique
constraint being the claim that keeps a reminder from going out twice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on every backend: a batch copy of ``users`` on SQLite would drop a table
    # that memberships, posts and sessions point to (and fail once they hold rows).
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=False, server_default=''))
    op.add_column('users', sa.Column('notify_by_email', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('email_state', sa.String(length=10), nullable=False),
        sa.Column('email_claim', sa.String(length=32), nullable=False),
        sa.Column('email_claimed_at', sa.DateTime(), nullable=True),
        sa.Column('email_attempts', sa.Integer(), nullable=False),
        sa.Column('email_error', sa.String(length=300), nullable=False),
        sa.Column('emailed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                                name=op.f('fk_notifications_institution_id_institutions')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_email_state'), ['email_state'], unique=False)
    op.create_table(
        'reminders_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=True),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
        sa.UniqueConstraint('key', name=op.f('uq_reminders_sent_key')),
    )


def downgrade() -> None:
    op.drop_table('reminders_sent')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_email_state'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))
        batch_op.drop_index(batch_op.f('ix_notifications_institution_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
    op.drop_table('notifications')
    # Plain DROP COLUMN (SQLite 3.35+), as in 0003 and 0004: a batch copy of ``users`` would
    # drop a table that memberships, posts and sessions point to.
    op.drop_column('users', 'notify_by_email')
    op.drop_column('users', 'email')
