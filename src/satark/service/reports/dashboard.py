"""The monitor's dashboard (BD §11(ক)): what needs attention now, down the hierarchy.

Not the author's dashboard (drafts, posts to approve): a monitoring officer of a ministry
wants, for it and every office below it, the comments past their response target, the posts
waiting for approval and for how long, what screening flagged this quarter, and the official
accounts that fail their §6.1 checklist. Read-only; needs ``read_monitoring``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from ..access import can, institution_tree, require, visible_institutions
from ..accounts import checklist
from ..errors import Forbidden, NotFound
from ..models import Account, AuditEvent, Institution, Post, User, by_id, utcnow
from ..timezones import zone
from .core_sections import findings
from .quarter import Quarter

__all__ = ["AGE_BUCKETS", "Dashboard", "InstitutionRow", "monitor_dashboard", "monitored_institutions"]

#: Pending approvals by age: (upper bound in hours, bucket key).
AGE_BUCKETS: tuple[tuple[float, str], ...] = ((24, "day"), (72, "three_days"), (168, "week"), (float("inf"), "older"))
#: How many overdue comments and pending posts the lists show (the counts cover all).
LIST_LIMIT = 25
#: Audit actions that start (or restart) a post's wait for approval.
_WAIT_STARTS = ("post_submit", "post_approval_expired", "post_correction_submitted", "post_retraction_submitted")


@dataclass
class InstitutionRow:
    institution: Institution
    depth: int
    overdue_comments: int = 0
    pending_approvals: int = 0
    oldest_pending_hours: float | None = None
    posts_with_findings: int = 0
    accounts: int = 0
    accounts_failing: int = 0


@dataclass
class Dashboard:
    quarter: Quarter
    time_zone: str
    now: dt.datetime
    rows: list[InstitutionRow]
    #: (post, hours waiting), longest first.
    pending: list[tuple[Post, float]] = field(default_factory=list)
    pending_by_age: dict[str, int] = field(default_factory=dict)
    #: Inbox items past their target (``inbox.overdue_items``), longest overdue first.
    overdue: list[Any] = field(default_factory=list)
    overdue_total: int = 0
    #: category → posts with a finding of it, this quarter.
    findings: list[tuple[str, int]] = field(default_factory=list)
    #: (account, [checklist items not met]).
    failing_accounts: list[tuple[Account, list[Any]]] = field(default_factory=list)
    #: Institutions the viewer may report on (for the report form), in tree order.
    reportable: list[InstitutionRow] = field(default_factory=list)


def monitored_institutions(session: Session, user: User) -> list[InstitutionRow]:
    """Every institution the user may monitor, in tree order with its depth (roots first)."""
    ids = {i for i in visible_institutions(session, user) if can(session, user, "read_monitoring", i)}
    if not ids:
        return []
    tree = institution_tree(session)
    institutions = {i.id: i for i in session.scalars(select(Institution).where(Institution.id.in_(ids)))}
    children: dict[int | None, list[int]] = defaultdict(list)
    for inst_id in sorted(ids, key=lambda i: institutions[i].name):
        parent = tree.parent.get(inst_id)
        children[parent if parent in ids else None].append(inst_id)
    rows: list[InstitutionRow] = []

    def walk(parent: int | None, depth: int) -> None:
        for inst_id in children.get(parent, []):
            rows.append(InstitutionRow(institutions[inst_id], depth))
            walk(inst_id, depth + 1)

    walk(None, 0)
    return rows


def monitor_dashboard(
    session: Session, user: User, screening: Any, *, institution_id: int | None = None, now: dt.datetime | None = None,
) -> Dashboard:
    """The dashboard for everything the user monitors, or for one institution and those below it."""
    now = now or utcnow()
    everything = monitored_institutions(session, user)
    if not everything:
        raise Forbidden("this needs the role admin or monitor in the institution")
    rows = everything
    if institution_id is not None:
        inst = by_id(session, Institution, institution_id)
        if inst is None or not can(session, user, "read", institution_id):
            raise NotFound(f"no institution {institution_id}")
        require(session, user, "read_monitoring", institution_id, what="institution")
        below = institution_tree(session).descendants([institution_id])
        rows = [InstitutionRow(r.institution, r.depth) for r in everything if r.institution.id in below]
        base = min(r.depth for r in rows)
        for r in rows:
            r.depth -= base
    by_id_row = {r.institution.id: r for r in rows}
    ids = list(by_id_row)
    time_zone = rows[0].institution.timezone
    quarter = Quarter.containing(now, time_zone)
    start, end = quarter.bounds(time_zone)
    board = Dashboard(quarter=quarter, time_zone=time_zone, now=now, rows=rows, reportable=everything)

    # Posts waiting for approval (a new post, or a correction or retraction of a published one).
    waiting = list(session.scalars(
        select(Post).options(joinedload(Post.account))
        .where(Post.institution_id.in_(ids), or_(Post.state == "submitted", Post.pending != ""))))
    since: dict[int, dt.datetime] = {}
    if waiting:
        for object_id, at in session.execute(
                select(AuditEvent.object_id, func.max(AuditEvent.at)).where(
                    AuditEvent.object_type == "post", AuditEvent.action.in_(_WAIT_STARTS),
                    AuditEvent.object_id.in_([p.id for p in waiting])).group_by(AuditEvent.object_id)):
            if object_id is not None:
                since[object_id] = at
    ages = Counter[str]()
    pending = []
    for post in waiting:
        hours = (now - since.get(post.id, post.updated_at)).total_seconds() / 3600
        pending.append((post, hours))
        ages[next(key for limit, key in AGE_BUCKETS if hours < limit)] += 1
        row = by_id_row[post.institution_id]
        row.pending_approvals += 1
        row.oldest_pending_hours = max(row.oldest_pending_hours or 0.0, hours)
    pending.sort(key=lambda ph: -ph[1])
    board.pending = pending[:LIST_LIMIT]
    board.pending_by_age = {key: ages[key] for _limit, key in AGE_BUCKETS}

    # Comments past their response target (the inbox's own rule).
    from .. import inbox

    overdue_items = getattr(inbox, "overdue_items", None)
    if overdue_items is not None:
        overdue = list(overdue_items(session, ids, now))
        board.overdue, board.overdue_total = overdue[:LIST_LIMIT], len(overdue)
        for item in overdue:
            by_id_row[item.institution_id].overdue_comments += 1

    # What screening flagged this quarter.
    found = findings(session, ids, start, end)
    totals: Counter[str] = Counter()
    for post_id, categories in found.categories.items():
        if categories:
            by_id_row[found.screened[post_id]].posts_with_findings += 1
            totals.update(categories)
    board.findings = totals.most_common()

    # Official accounts failing their checklist, as of today in each institution's zone.
    for account in session.scalars(select(Account).options(joinedload(Account.institution))
                                   .where(Account.institution_id.in_(ids)).order_by(Account.id)):
        today = now.astimezone(zone(account.institution.timezone)).date()
        unmet = [i for i in checklist(account, screening, today=today) if i.status == "not_met"]
        row = by_id_row[account.institution_id]
        row.accounts += 1
        if unmet:
            row.accounts_failing += 1
            board.failing_accounts.append((account, unmet))
    return board
