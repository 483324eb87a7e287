"""Separation of duties and user lifecycle (issue 11, sections 1 and 4).

Each revision keeps the set of its editors (none may approve it); a correction or a
retraction of a published post waits for approval like the post did; approvals say what
they decided on; a browser session remembers when it was last used (idle timeout).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from satark.service.models import UTCDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'revision_editors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['revision_id'], ['revisions.id'],
                                name=op.f('fk_revision_editors_revision_id_revisions')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_revision_editors_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_revision_editors')),
        sa.UniqueConstraint('revision_id', 'user_id', name='uq_revision_editor'),
    )
    with op.batch_alter_table('revision_editors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_editors_revision_id'), ['revision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_revision_editors_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=False, server_default=''))
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('pending_reason', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=20), nullable=False, server_default='post'))
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', UTCDateTime(), nullable=True))

    # Existing data: corrections made before this revision went live at once; each revision's
    # editors are the post's author and everyone who wrote that revision or an earlier one.
    op.execute("UPDATE revisions SET status = 'live' WHERE kind = 'correction'")
    op.execute(
        "INSERT INTO revision_editors (revision_id, user_id) "
        "SELECT r.id, e.editor_id FROM revisions r JOIN revisions e ON e.post_id = r.post_id AND e.number <= r.number "
        "UNION SELECT r.id, p.author_id FROM revisions r JOIN posts p ON p.id = r.post_id"
    )


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy of ``posts`` would drop a table that
    # revisions and approvals point to, which SQLite's foreign keys refuse once there is data.
    op.drop_column('web_sessions', 'last_seen_at')
    op.drop_column('approvals', 'subject')
    op.drop_column('posts', 'pending_reason')
    op.drop_column('posts', 'pending')
    op.drop_column('revisions', 'status')
    with op.batch_alter_table('revision_editors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_editors_user_id'))
        batch_op.drop_index(batch_op.f('ix_revision_editors_revision_id'))
    op.drop_table('revision_editors')
