"""Audits of uploaded platform exports (issue 13, section 2): jobs, their items and problems.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from satark.service.models import UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scan_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('file_path', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('importer', sa.String(length=40), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('claim', sa.String(length=32), nullable=False),
        sa.Column('heartbeat_at', UTCDateTime(), nullable=True),
        sa.Column('items', sa.Integer(), nullable=True),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('problems', sa.Integer(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('responses', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_scan_jobs_account_id_accounts')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scan_jobs_created_by_id_users')),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                                name=op.f('fk_scan_jobs_institution_id_institutions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_jobs')),
    )
    op.create_index(op.f('ix_scan_jobs_institution_id'), 'scan_jobs', ['institution_id'], unique=False)
    op.create_index(op.f('ix_scan_jobs_account_id'), 'scan_jobs', ['account_id'], unique=False)
    op.create_index(op.f('ix_scan_jobs_sha256'), 'scan_jobs', ['sha256'], unique=False)
    op.create_index(op.f('ix_scan_jobs_state'), 'scan_jobs', ['state'], unique=False)
    op.create_index(op.f('ix_scan_jobs_created_at'), 'scan_jobs', ['created_at'], unique=False)
    op.create_table(
        'scan_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('platform', sa.String(length=40), nullable=False),
        sa.Column('item_id', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('parent_id', sa.String(length=200), nullable=False),
        sa.Column('author', sa.String(length=200), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('links', sa.JSON(), nullable=False),
        sa.Column('extra', sa.JSON(), nullable=False),
        sa.Column('source', sa.String(length=500), nullable=False),
        sa.Column('verdict', sa.String(length=10), nullable=False),
        sa.Column('categories', sa.String(length=400), nullable=False),
        sa.Column('flagged', sa.Boolean(), nullable=False),
        sa.Column('report', sa.JSON(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=False),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_scan_items_account_id_accounts')),
        sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                                name=op.f('fk_scan_items_institution_id_institutions')),
        sa.ForeignKeyConstraint(['job_id'], ['scan_jobs.id'], name=op.f('fk_scan_items_job_id_scan_jobs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_items')),
        sa.UniqueConstraint('job_id', 'item_id', name='uq_scan_item'),
    )
    for column in ('job_id', 'institution_id', 'account_id', 'created_at', 'verdict', 'flagged'):
        op.create_index(op.f(f'ix_scan_items_{column}'), 'scan_items', [column], unique=False)
    op.create_table(
        'scan_problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('file', sa.String(length=500), nullable=False),
        sa.Column('pointer', sa.String(length=200), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['job_id'], ['scan_jobs.id'], name=op.f('fk_scan_problems_job_id_scan_jobs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scan_problems')),
    )
    op.create_index(op.f('ix_scan_problems_job_id'), 'scan_problems', ['job_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_scan_problems_job_id'), table_name='scan_problems')
    op.drop_table('scan_problems')
    for column in ('flagged', 'verdict', 'created_at', 'account_id', 'institution_id', 'job_id'):
        op.drop_index(op.f(f'ix_scan_items_{column}'), table_name='scan_items')
    op.drop_table('scan_items')
    for column in ('created_at', 'state', 'sha256', 'account_id', 'institution_id'):
        op.drop_index(op.f(f'ix_scan_jobs_{column}'), table_name='scan_jobs')
    op.drop_table('scan_jobs')
