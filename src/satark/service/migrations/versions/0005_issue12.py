"""Citizen comments inbox, reply templates, response targets, holidays and GRS referrals (issue 12, sections 1-2).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from satark.service.models import UTCDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_inbox_holidays_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_holidays')),
    sa.UniqueConstraint('institution_id', 'day', name='uq_inbox_holiday_day')
    )
    op.create_index(op.f('ix_inbox_holidays_institution_id'), 'inbox_holidays', ['institution_id'], unique=False)
    op.create_table('inbox_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('replies_need_approval', sa.Boolean(), nullable=False),
    sa.Column('target_value', sa.Integer(), nullable=False),
    sa.Column('target_unit', sa.String(length=20), nullable=False),
    sa.Column('weekend', sa.String(length=20), nullable=False),
    sa.Column('grs_reminder_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_inbox_policies_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_policies')),
    sa.UniqueConstraint('institution_id', name=op.f('uq_inbox_policies_institution_id'))
    )
    op.create_table('inbox_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_inbox_templates_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_templates')),
    sa.UniqueConstraint('institution_id', 'name', 'lang', name='uq_inbox_template_name')
    )
    op.create_index(op.f('ix_inbox_templates_institution_id'), 'inbox_templates', ['institution_id'], unique=False)
    op.create_table('inbox_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('platform', sa.String(length=40), nullable=False),
    sa.Column('author_handle', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=False),
    sa.Column('received_at', UTCDateTime(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('lang', sa.String(length=10), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('abusive', sa.Boolean(), nullable=False),
    sa.Column('private_spans', sa.JSON(), nullable=False),
    sa.Column('tags', sa.String(length=200), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_at', UTCDateTime(), nullable=False),
    sa.Column('first_response_at', UTCDateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_inbox_items_account_id_accounts')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_inbox_items_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_inbox_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['inbox_items.id'], name=op.f('fk_inbox_items_duplicate_of_id_inbox_items')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_inbox_items_institution_id_institutions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_items'))
    )
    op.create_index(op.f('ix_inbox_items_account_id'), 'inbox_items', ['account_id'], unique=False)
    op.create_index(op.f('ix_inbox_items_assignee_id'), 'inbox_items', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_inbox_items_due_at'), 'inbox_items', ['due_at'], unique=False)
    op.create_index(op.f('ix_inbox_items_institution_id'), 'inbox_items', ['institution_id'], unique=False)
    op.create_index(op.f('ix_inbox_items_received_at'), 'inbox_items', ['received_at'], unique=False)
    op.create_index(op.f('ix_inbox_items_status'), 'inbox_items', ['status'], unique=False)
    op.create_table('grs_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('system', sa.String(length=20), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('lodged_at', UTCDateTime(), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=True),
    sa.Column('appealed_at', UTCDateTime(), nullable=True),
    sa.Column('closed_at', UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_grs_referrals_assignee_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grs_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['institutions.id'], name=op.f('fk_grs_referrals_institution_id_institutions')),
    sa.ForeignKeyConstraint(['item_id'], ['inbox_items.id'], name=op.f('fk_grs_referrals_item_id_inbox_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grs_referrals')),
    sa.UniqueConstraint('item_id', name=op.f('uq_grs_referrals_item_id'))
    )
    op.create_index(op.f('ix_grs_referrals_deadline_on'), 'grs_referrals', ['deadline_on'], unique=False)
    op.create_index(op.f('ix_grs_referrals_institution_id'), 'grs_referrals', ['institution_id'], unique=False)
    op.create_index(op.f('ix_grs_referrals_status'), 'grs_referrals', ['status'], unique=False)
    op.create_table('inbox_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('lang', sa.String(length=10), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', UTCDateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.Column('sent_at', UTCDateTime(), nullable=True),
    sa.Column('sent_link', sa.String(length=500), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_inbox_replies_author_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_inbox_replies_decided_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['inbox_items.id'], name=op.f('fk_inbox_replies_item_id_inbox_items')),
    sa.ForeignKeyConstraint(['template_id'], ['inbox_templates.id'], name=op.f('fk_inbox_replies_template_id_inbox_templates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_replies'))
    )
    op.create_index(op.f('ix_inbox_replies_item_id'), 'inbox_replies', ['item_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_inbox_replies_item_id'), table_name='inbox_replies')
    op.drop_table('inbox_replies')
    op.drop_index(op.f('ix_grs_referrals_status'), table_name='grs_referrals')
    op.drop_index(op.f('ix_grs_referrals_institution_id'), table_name='grs_referrals')
    op.drop_index(op.f('ix_grs_referrals_deadline_on'), table_name='grs_referrals')
    op.drop_table('grs_referrals')
    op.drop_index(op.f('ix_inbox_items_status'), table_name='inbox_items')
    op.drop_index(op.f('ix_inbox_items_received_at'), table_name='inbox_items')
    op.drop_index(op.f('ix_inbox_items_institution_id'), table_name='inbox_items')
    op.drop_index(op.f('ix_inbox_items_due_at'), table_name='inbox_items')
    op.drop_index(op.f('ix_inbox_items_assignee_id'), table_name='inbox_items')
    op.drop_index(op.f('ix_inbox_items_account_id'), table_name='inbox_items')
    op.drop_table('inbox_items')
    op.drop_index(op.f('ix_inbox_templates_institution_id'), table_name='inbox_templates')
    op.drop_table('inbox_templates')
    op.drop_table('inbox_policies')
    op.drop_index(op.f('ix_inbox_holidays_institution_id'), table_name='inbox_holidays')
    op.drop_table('inbox_holidays')
