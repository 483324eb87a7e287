"""Violation register (issue 12, section 4): cases, their clauses, steps and evidence files.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from satark.service.models import UTCDateTime

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('violation_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('pack_id', sa.String(length=40), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('post_revision', sa.Integer(), nullable=True),
    sa.Column('evidence_text', sa.Text(), nullable=False),
    sa.Column('evidence_sha256', sa.String(length=64), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('employee_name', sa.String(length=200), nullable=False),
    sa.Column('employee_designation', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('referred_to', sa.String(length=300), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_violation_cases_created_by_id_users')),
    sa.ForeignKeyConstraint(['employee_id'], ['users.id'], name=op.f('fk_violation_cases_employee_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'],
                            name=op.f('fk_violation_cases_institution_id_institutions')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_violation_cases_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_cases'))
    )
    with op.batch_alter_table('violation_cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violation_cases_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_cases_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_cases_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_cases_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_cases_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_cases_state'), ['state'], unique=False)

    op.create_table('violation_clauses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('clause_id', sa.String(length=80), nullable=False),
    sa.Column('from_findings', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['violation_cases.id'],
                            name=op.f('fk_violation_clauses_case_id_violation_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_clauses')),
    sa.UniqueConstraint('case_id', 'clause_id', name='uq_violation_clause')
    )
    with op.batch_alter_table('violation_clauses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violation_clauses_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_clauses_clause_id'), ['clause_id'], unique=False)

    op.create_table('violation_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=30), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_violation_steps_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['violation_cases.id'],
                            name=op.f('fk_violation_steps_case_id_violation_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_steps'))
    )
    with op.batch_alter_table('violation_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violation_steps_case_id'), ['case_id'], unique=False)

    op.create_table('violation_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['violation_cases.id'],
                            name=op.f('fk_violation_files_case_id_violation_cases')),
    sa.ForeignKeyConstraint(['step_id'], ['violation_steps.id'],
                            name=op.f('fk_violation_files_step_id_violation_steps')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_violation_files_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_violation_files'))
    )
    with op.batch_alter_table('violation_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_violation_files_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_files_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_violation_files_step_id'), ['step_id'], unique=False)


def downgrade() -> None:
    op.drop_table('violation_files')
    op.drop_table('violation_steps')
    op.drop_table('violation_clauses')
    op.drop_table('violation_cases')
