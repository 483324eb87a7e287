"""The quarterly report's awareness section (BD §11(খ)): who completed the training quiz."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..i18n import translations
from ..training import institution_rates, scope_totals
from .base import Figure, ReportScope, SectionResult, Table, Translate
from .fmt import number
from .registry import register

__all__ = ["TrainingSection"]


class TrainingSection:
    """Members, those with a passing quiz in the quarter, the completion rate and the average
    score, for the institution and (rolled up) each one in scope."""

    key = "training"
    order = 90

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        rates = institution_rates(session, scope.institution_ids, scope.start, scope.end)
        totals = scope_totals(session, scope.institution_ids, scope.start, scope.end)
        members, completed = totals.members, totals.completed
        average = round(totals.average_score, 1) if totals.average_score is not None else None
        rate = round(100 * completed / members, 1) if members else None
        result = SectionResult(key=self.key, title=_("Awareness training"))
        result.figures = [
            Figure("members", _("Active members"), members),
            Figure("completed", _("Members who passed the quiz"), completed),
            Figure("completion_rate", _("Completion rate"), rate, "%"),
            Figure("average_score", _("Average quiz score"), average, "%"),
        ]
        result.tables = [Table(
            "training_by_institution", _("Training completion by institution"),
            [_("Institution"), _("Active members"), _("Passed"), _("Completion rate"),
             _("Average quiz score")],
            [[r.institution.name, r.members, r.completed,
              None if r.rate is None else round(100 * r.rate, 1),
              None if r.average_score is None else round(r.average_score, 1)] for r in rates],
        )]
        if members:
            result.summary.append(
                translations(scope.lang).ngettext(
                    "%(completed)s of %(members)s active member passed the awareness quiz this quarter (%(rate)s%%).",
                    "%(completed)s of %(members)s active members passed the awareness quiz this quarter (%(rate)s%%).",
                    members)
                % {"completed": number(completed, scope.lang, decimals=0),
                   "members": number(members, scope.lang, decimals=0), "rate": number(rate, scope.lang)})
        else:
            result.summary.append(_("No active members to train in this scope."))
        return result


register(TrainingSection())
