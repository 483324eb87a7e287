"""The quarterly report's section on the violation register (CG violation clause, BD §6.2(গ)).

Counts the cases recorded in the quarter in the scope's institutions, by clause broken and by
the state they are in when the report is built, and the decisions taken in the quarter with
their outcome. Names of employees stay out of the report: it goes to the monitoring chain,
and the register itself is where a case is read, by those allowed to.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from satark import UnknownClause

from ..errors import ServiceError
from ..i18n import N_, translations
from ..models_violations import ViolationCase, ViolationStep
from ..timezones import zone
from ..violations import OUTCOMES, STATES
from .base import Chart, Figure, ReportScope, SectionResult, Table, Translate, screening_for
from .fmt import number
from .registry import register

__all__ = ["OUTCOME_LABELS", "STATE_LABELS", "ViolationsSection"]

STATE_LABELS: dict[str, str] = {
    "noted": N_("Noted"),
    "show_cause_issued": N_("Show-cause notice issued"),
    "explanation_received": N_("Explanation received"),
    "decided": N_("Decided"),
    "closed": N_("Closed"),
}
OUTCOME_LABELS: dict[str, str] = {
    "no_action": N_("No action"),
    "warning": N_("Warning"),
    "referred": N_("Referred to the competent authority for disciplinary action"),
}


class ViolationsSection:
    """Violations recorded in the quarter, by clause and state, and the decisions dated in it."""

    key = "violations"
    order = 60

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        # A decision counts in the quarter of its date (a day in the root institution's zone).
        tz = zone(scope.time_zone)
        first_day, end_day = scope.start.astimezone(tz).date(), scope.end.astimezone(tz).date()
        recorded = list(session.scalars(
            select(ViolationCase).options(selectinload(ViolationCase.clauses)).where(
                ViolationCase.institution_id.in_(scope.institution_ids),
                ViolationCase.created_at >= scope.start, ViolationCase.created_at < scope.end)))
        decided = list(session.execute(
            select(ViolationStep.outcome, ViolationCase.id)
            .join(ViolationCase, ViolationCase.id == ViolationStep.case_id)
            .where(ViolationCase.institution_id.in_(scope.institution_ids), ViolationStep.step == "decided",
                   ViolationStep.on_date >= first_day, ViolationStep.on_date < end_day)))
        open_cases = list(session.scalars(select(ViolationCase).where(
            ViolationCase.institution_id.in_(scope.institution_ids),
            ViolationCase.state.in_(("noted", "show_cause_issued", "explanation_received")),
            ViolationCase.created_at < scope.end)))
        local_today = scope.now.astimezone(tz).date()
        overdue = sum(1 for c in open_cases if c.due_on is not None and c.due_on < local_today)

        states = Counter(c.state for c in recorded)
        outcomes = Counter(outcome for outcome, _case in decided)
        clauses: Counter[tuple[str, str]] = Counter()
        for case in recorded:
            for row in case.clauses:
                clauses[(case.pack_id, row.clause_id)] += 1

        result = SectionResult(self.key, _("Violations recorded"))
        result.figures = [
            Figure("recorded", _("Cases recorded"), len(recorded)),
            Figure("decided", _("Decisions taken"), len(decided)),
            Figure("referred", _("Referred to the competent authority"), outcomes["referred"]),
            Figure("open", _("Cases open"), len(open_cases)),
            Figure("overdue", _("Open cases past their deadline"), overdue),
        ]
        lang = scope.lang
        result.summary.append(
            _("Violation cases recorded: %(n)s; decided: %(d)s; referred to the competent authority: "
              "%(r)s.") % {"n": number(len(recorded), lang), "d": number(len(decided), lang),
                               "r": number(outcomes["referred"], lang)})
        if overdue:
            result.summary.append(translations(lang).ngettext("%(n)s open case is past its deadline.",
                                                              "%(n)s open cases are past their deadline.", overdue)
                                  % {"n": number(overdue, lang)})
        rows: list[list[Any]] = [[citation, title, count] for (citation, title), count in
                                 _clause_rows(session, clauses, lang)]
        result.tables.append(Table("by_clause", _("Cases by clause broken"),
                                   [_("Clause"), _("Title"), _("Cases")], rows))
        result.tables.append(Table("by_state", _("Cases recorded this quarter, by state now"),
                                   [_("State"), _("Cases")], [[_(STATE_LABELS[s]), states[s]] for s in STATES]))
        result.tables.append(Table("outcomes", _("Decisions taken this quarter, by outcome"),
                                   [_("Outcome"), _("Cases")], [[_(OUTCOME_LABELS[o]), outcomes[o]] for o in OUTCOMES]))
        if decided:
            result.charts.append(Chart("outcomes", _("Decisions by outcome"), "bar",
                                       [_(OUTCOME_LABELS[o]) for o in OUTCOMES],
                                       {_("Cases"): [float(outcomes[o]) for o in OUTCOMES]}, _("Cases")))
        return result


def _clause_rows(session: Session, clauses: Counter[tuple[str, str]],
                 lang: str) -> list[tuple[tuple[str, str], int]]:
    """(citation with the pack, title in ``lang``) and the count, most frequent first."""
    screening = screening_for(session)
    out: list[tuple[tuple[str, str], int]] = []
    for (pack_id, clause_id), count in clauses.most_common():
        try:
            clause = screening.pack(pack_id).clause(clause_id)
            out.append(((f"{pack_id} {clause.citation}", clause.title.get(lang)), count))
        except (UnknownClause, ServiceError):  # a pack no longer installed: cite the id
            out.append(((clause_id, ""), count))
    return out


register(ViolationsSection())
