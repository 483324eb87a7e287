"""The quarterly report's sections on citizens' comments (BD §8) and GRS referrals (BD §6.1(ঝ)).

Comments are those received during the quarter: how many, how many answered, first-response
times (median and 90th percentile) against each institution's target, how many were answered
late, and how many are still unanswered past their target when the report is built. Referrals
are those prepared during the quarter or still open at its end, with their status and deadline.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

from ..i18n import N_
from ..models import Account, Institution
from ..models_inbox import GrsReferral, InboxItem, InboxPolicy
from ..worktime import WorkCalendar
from .base import Chart, Figure, ReportScope, SectionResult, Table, Translate
from .core_sections import account_label, median_of, percentile
from .fmt import month_label, number
from .quarter import parse_quarter
from .registry import register

__all__ = ["CommentsSection", "GrsSection"]

UNIT_LABELS = {"hours": N_("hours"), "working_days": N_("working days"), "days": N_("days")}
STATUS_LABELS = {"prepared": N_("prepared"), "lodged": N_("lodged"), "appealed": N_("appealed"),
                 "resolved": N_("resolved"), "closed": N_("closed")}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class CommentsSection:
    """Citizens' comments received and answered, and response times against the target."""

    key = "comments"
    order = 60

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        items = list(session.scalars(
            # Only the columns the figures need: the text and screening report of 50,000
            # comments would triple the time the section takes.
            select(InboxItem).options(
                load_only(InboxItem.id, InboxItem.account_id, InboxItem.received_at, InboxItem.first_response_at,
                          InboxItem.due_at, InboxItem.status),
                selectinload(InboxItem.account))
            .where(InboxItem.institution_id.in_(scope.institution_ids), InboxItem.received_at >= scope.start,
                   InboxItem.received_at < scope.end, InboxItem.duplicate_of_id.is_(None))
            .order_by(InboxItem.id)))
        answered = [i for i in items if i.first_response_at is not None]
        hours = [(i.first_response_at - i.received_at).total_seconds() / 3600 for i in answered
                 if i.first_response_at is not None]
        on_time = sum(1 for i in answered if i.first_response_at is not None and i.first_response_at <= i.due_at)
        overdue = [i for i in items if i.status == "open" and i.due_at < scope.now]
        median, p90 = _round(median_of(hours)), _round(percentile(hours, 90))
        policies = {p.institution_id: p for p in session.scalars(
            select(InboxPolicy).where(InboxPolicy.institution_id.in_(scope.institution_ids)))}
        root = policies.get(scope.root_id)
        target_value, target_unit = (root.target_value, root.target_unit) if root else (24, "hours")
        target = f"{number(target_value, scope.lang, decimals=0)} {_(UNIT_LABELS.get(target_unit, target_unit))}"
        lang = scope.lang
        result = SectionResult(key=self.key, title=_("Citizens' comments and response times"))
        result.figures = [
            Figure("received", _("Comments received"), len(items)),
            Figure("answered", _("Answered"), len(answered)),
            Figure("answered_on_time", _("Answered within the target"), on_time),
            Figure("median_hours", _("Median first response"), median, _("hours")),
            Figure("p90_hours", _("90th percentile first response"), p90, _("hours")),
            Figure("target", _("First-response target"), target),
            Figure("overdue", _("Unanswered past the target"), len(overdue)),
        ]
        if items:
            result.summary.append(
                _("Citizens' comments received: %(received)s; answered: %(answered)s, %(on_time)s of them within "
                  "the target of %(target)s; unanswered past the target: %(overdue)s.")
                % {"received": number(len(items), lang, decimals=0), "answered": number(len(answered), lang,
                                                                                          decimals=0),
                   "on_time": number(on_time, lang, decimals=0), "target": target,
                   "overdue": number(len(overdue), lang, decimals=0)})
        else:
            result.summary.append(_("No citizens' comments were recorded this quarter."))
        per_account: dict[int, list[InboxItem]] = defaultdict(list)
        for item in items:
            per_account[item.account_id].append(item)
        rows = []
        for _account_id, group in sorted(per_account.items()):
            account: Account = group[0].account
            times = [(i.first_response_at - i.received_at).total_seconds() / 3600 for i in group
                     if i.first_response_at is not None]
            rows.append([account_label(account, lang), len(group), len(times),
                         sum(1 for i in group if i.first_response_at is not None and i.first_response_at <= i.due_at),
                         _round(median_of(times)), _round(percentile(times, 90)),
                         sum(1 for i in group if i.status == "open" and i.due_at < scope.now)])
        result.tables.append(Table(
            "comments_by_account", _("Comments by account"),
            [_("Account"), _("Received"), _("Answered"), _("Within target"), _("Median hours"), _("P90 hours"),
             _("Overdue")], rows))
        if overdue:
            result.tables.append(Table(
                "comments_overdue", _("Comments unanswered past the target"),
                [_("Comment"), _("Account"), _("Received"), _("Due")],
                [[f"#{i.id}", account_label(i.account, lang), i.received_at, i.due_at] for i in overdue[:50]]))
        months = parse_quarter(scope.quarter).months()
        from ..timezones import zone

        tz = zone(scope.time_zone)
        received_by: Counter[tuple[int, int]] = Counter()
        answered_by: Counter[tuple[int, int]] = Counter()
        for item in items:
            local = item.received_at.astimezone(tz)
            received_by[(local.year, local.month)] += 1
            if item.first_response_at is not None:
                answered_by[(local.year, local.month)] += 1
        result.charts.append(Chart(
            "comments_by_month", _("Comments received and answered by month"), "bar",
            [month_label(y, m, lang) for y, m in months],
            {_("Received"): [float(received_by[m]) for m in months],
             _("Answered"): [float(answered_by[m]) for m in months]}, y_label=_("Comments")))
        return result


class GrsSection:
    """Grievances referred to GRS or CPGRAMS, and where each stands."""

    key = "grs"
    order = 65

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        from ..grs import OPEN_STATES
        from ..inbox import calendar_of

        rows_ = list(session.scalars(
            select(GrsReferral).options(joinedload(GrsReferral.institution))
            .where(GrsReferral.institution_id.in_(scope.institution_ids), GrsReferral.created_at < scope.end,
                   or_(GrsReferral.created_at >= scope.start, GrsReferral.status.in_(OPEN_STATES)))
            .order_by(GrsReferral.created_at, GrsReferral.id)))
        calendars: dict[int, WorkCalendar] = {}
        past, rows = 0, []
        for r in rows_:
            inst: Institution = r.institution
            cal = calendars.get(inst.id)
            if cal is None:
                cal = calendars[inst.id] = calendar_of(session, inst)
            left = None
            if r.deadline_on is not None and r.status in OPEN_STATES:
                left = cal.working_days_between(cal.local_date(scope.now), r.deadline_on)
                past += left < 0
            rows.append([r.tracking_number or "—", r.system, _(STATUS_LABELS.get(r.status, r.status)),
                         f"#{r.item_id}", r.created_at, r.deadline_on, left])
        by_status = Counter(r.status for r in rows_)
        result = SectionResult(key=self.key, title=_("Grievance referrals (GRS)"))
        result.figures = [
            Figure("referred", _("Grievances referred"), len(rows_)),
            Figure("open", _("Open with the grievance system"), sum(by_status[s] for s in OPEN_STATES)),
            Figure("resolved", _("Resolved or closed"), by_status["resolved"] + by_status["closed"]),
            Figure("past_deadline", _("Open past the deadline"), past),
        ]
        result.summary.append(
            _("Grievances referred to the grievance redress system: %(referred)s; open past their deadline: "
              "%(past)s.") % {"referred": number(len(rows_), scope.lang, decimals=0),
                                    "past": number(past, scope.lang, decimals=0)})
        result.tables.append(Table(
            "grs_referrals", _("Grievance referrals"),
            [_("Tracking number"), _("System"), _("Status"), _("Comment"), _("Referred"), _("Deadline"),
             _("Working days left")], rows))
        return result


register(CommentsSection())
register(GrsSection())
