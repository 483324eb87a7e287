"""Citizen comments inbox, reply templates, response targets, holidays and GRS referrals (issue 12, sections 1-2).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
