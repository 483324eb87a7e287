"""Reading the audit trail: who may see which events, filters, and readable descriptions.

The API and the web page share these rules. An event is visible to a site administrator,
to holders of monitor, approver or admin in its institution (or one above it), and to
its own actor.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from .access import PERMISSIONS, roles_in, visible_institutions
from .errors import Forbidden, InvalidInput, NotFound
from .i18n import N_
from .models import MAX_ID, AuditEvent, User, storable
from .timezones import start_of_day

__all__ = ["ACTION_LABELS", "AuditFilter", "describe", "parse_filter", "visible_events"]

#: A readable description of each action code (translated where shown).
ACTION_LABELS: dict[str, str] = {
    "login": N_("Logged in"),
    "login_failed": N_("Failed login"),
    "logout": N_("Logged out"),
    "sessions_ended": N_("Logged out everywhere"),
    "token_created": N_("Access token created"),
    "token_revoked": N_("Access token revoked"),
    "user_created": N_("User created"),
    "user_deactivated": N_("User deactivated"),
    "user_activated": N_("User reactivated"),
    "password_changed": N_("Password changed"),
    "notification_preferences_changed": N_("Notification choices changed"),
    "password_reset": N_("Password reset by an administrator"),
    "totp_enabled": N_("Two-step sign-in turned on"),
    "totp_disabled": N_("Two-step sign-in turned off"),
    "totp_reset": N_("Two-step sign-in reset by an administrator"),
    "totp_recovery_code_used": N_("Recovery code of two-step sign-in used"),
    "institution_created": N_("Institution created"),
    "settings_changed": N_("Institution settings changed"),
    "member_added": N_("Role granted"),
    "member_removed": N_("Role removed"),
    "account_created": N_("Official account added"),
    "account_updated": N_("Official account updated"),
    "post_created": N_("Post written"),
    "post_edited": N_("Post edited"),
    "post_submit": N_("Submitted for approval"),
    "post_withdraw": N_("Withdrawn from approval"),
    "post_approve_tier": N_("Approved at one tier"),
    "post_approve": N_("Approved"),
    "post_override": N_("Approved despite a block verdict"),
    "post_request_changes": N_("Changes requested"),
    "post_reject": N_("Rejected"),
    "post_approval_expired": N_("Approval lapsed"),
    "post_publish": N_("Publication recorded"),
    "post_correct": N_("Correction published"),
    "post_correction_submitted": N_("Correction sent for approval"),
    "post_correction_approved": N_("Correction approved and published"),
    "post_correction_refused": N_("Correction refused"),
    "post_retraction_submitted": N_("Retraction sent for approval"),
    "post_retraction_refused": N_("Retraction refused"),
    "post_retract": N_("Retracted"),
    "post_archive": N_("Archived"),
    "post_attachment_added": N_("Image attached to a post"),
    "post_attachment_removed": N_("Image removed from a post"),
    "violation_noted": N_("Violation recorded"),
    "violation_show_cause_issued": N_("Show-cause notice recorded"),
    "violation_explanation_received": N_("Explanation recorded"),
    "violation_decided": N_("Violation decided"),
    "violation_closed": N_("Violation case closed"),
    "violation_file_added": N_("Evidence file added to a violation case"),
    "violation_exported": N_("Violation case exported for the competent authority"),
    "scan_uploaded": N_("Export uploaded for an audit"),
    "scan_finished": N_("Export audit finished"),
    "scan_failed": N_("Export audit failed"),
    "scan_cancelled": N_("Export audit cancelled"),
    "quiz_started": N_("Training quiz started"),
    "quiz_completed": N_("Training quiz completed"),
    "inbox_policy_changed": N_("Inbox settings changed"),
    "inbox_holiday_added": N_("Holiday added"),
    "inbox_holiday_removed": N_("Holiday removed"),
    "inbox_item_created": N_("Citizen comment recorded"),
    "inbox_items_imported": N_("Citizen comments imported"),
    "inbox_item_assigned": N_("Comment assigned"),
    "inbox_item_tagged": N_("Comment tagged"),
    "inbox_item_duplicate": N_("Comment marked duplicate"),
    "inbox_item_closed": N_("Comment closed"),
    "inbox_item_reopened": N_("Comment reopened"),
    "inbox_reply_drafted": N_("Reply drafted"),
    "inbox_reply_edited": N_("Reply edited"),
    "inbox_reply_submitted": N_("Reply sent for approval"),
    "inbox_reply_approved": N_("Reply approved"),
    "inbox_reply_rejected": N_("Reply sent back"),
    "inbox_reply_sent": N_("Reply sent"),
    "inbox_template_created": N_("Reply template created"),
    "inbox_template_changed": N_("Reply template changed"),
    "inbox_template_deleted": N_("Reply template deleted"),
    "grs_referral_created": N_("Grievance referral prepared"),
    "grs_referral_lodge": N_("Grievance lodged (tracking number recorded)"),
    "grs_referral_appeal": N_("Grievance appealed"),
    "grs_referral_resolve": N_("Grievance resolved"),
    "grs_referral_close": N_("Grievance referral closed"),
    "grs_referral_note": N_("Grievance referral note"),
}


def describe(action: str) -> str | None:
    """The message id describing ``action``; None for a code this version does not know."""
    return ACTION_LABELS.get(action)


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    post_id: int | None = None
    #: The zone whose days ``date_from`` and ``date_to`` are (the web page's: the user's institution's).
    tz: dt.tzinfo = dt.UTC

    def query_args(self) -> dict[str, str]:
        """The filter as query parameters (for links to further pages)."""
        args = {"actor": self.actor, "action": self.action, "post": str(self.post_id or ""),
                "from": self.date_from.isoformat() if self.date_from else "",
                "to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in args.items() if v}

    def apply(self, query: Select[Any]) -> Select[Any]:
        if self.actor:
            query = query.where(AuditEvent.actor == self.actor)
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.post_id is not None:
            query = query.where(AuditEvent.object_type == "post", AuditEvent.object_id == self.post_id)
        if self.date_from is not None:
            query = query.where(AuditEvent.at >= start_of_day(self.date_from, self.tz))
        if self.date_to is not None and self.date_to < dt.date.max:
            query = query.where(AuditEvent.at < start_of_day(self.date_to + dt.timedelta(days=1), self.tz))
        return query


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-12-06", field=name) from None


def parse_filter(params: Mapping[str, str]) -> AuditFilter:
    """A filter from query parameters ``actor``, ``action``, ``from``, ``to`` and ``post``; 422 for bad ones."""
    actor = (params.get("actor") or "").strip().lower()
    if len(actor) > 80 or not storable(actor):
        raise InvalidInput("actor is a username of at most 80 characters", field="actor")
    action = (params.get("action") or "").strip()
    if action and action not in ACTION_LABELS:
        raise InvalidInput(f"unknown action {action[:60]!r}", field="action")
    post = (params.get("post") or "").strip()
    post_id = None
    if post:
        if not post.isascii() or not post.isdigit() or not 1 <= int(post) <= MAX_ID:
            raise InvalidInput("post must be a post number", field="post")
        post_id = int(post)
    date_from = _date((params.get("from") or "").strip(), "from")
    date_to = _date((params.get("to") or "").strip(), "to")
    if date_from and date_to and date_from > date_to:
        raise InvalidInput("the date range ends before it starts", field="to")
    return AuditFilter(actor, action, date_from, date_to, post_id)


def visible_events(
    session: Session, user: User, *, institution_id: int | None = None, flt: AuditFilter | None = None,
    limit: int | None = 100, before: int | None = None, oldest_first: bool = False,
) -> list[AuditEvent]:
    """The events ``user`` may read, newest first (or oldest first for an export)."""
    readable = {i for i in visible_institutions(session, user)
                if user.is_superuser or roles_in(session, user, i) & PERMISSIONS["read_audit"]}
    if institution_id is not None:
        if institution_id not in visible_institutions(session, user):
            raise NotFound(f"no institution {institution_id}")
        if institution_id not in readable:
            raise Forbidden("reading the audit trail needs the role monitor, approver or admin")
        readable = {institution_id}
    # The violation register's own events (that a case exists, its steps) are for those who
    # keep the register: an approver reads the trail, not who is under a show-cause notice.
    registers = {i for i in readable
                 if user.is_superuser or roles_in(session, user, i) & PERMISSIONS["manage_violations"]}
    cond = and_(AuditEvent.institution_id.in_(readable),
                or_(AuditEvent.object_type != "violation", AuditEvent.institution_id.in_(registers)))
    query = select(AuditEvent)
    if institution_id is not None:
        query = query.where(cond)
    elif not user.is_superuser:
        query = query.where(or_(cond, AuditEvent.actor_id == user.id))
    if flt is not None:
        query = flt.apply(query)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    query = query.order_by(AuditEvent.id if oldest_first else AuditEvent.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
