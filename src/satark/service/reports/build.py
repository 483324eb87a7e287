"""Build a quarterly monitoring report (BD §11(ক)): the scope, every registered section, a summary.

The report is built in one read unit (``Database.session(write=False)``): it changes
nothing, and on SQLite it runs beside the writers instead of holding the write lock for the
seconds a large institution takes. The result is plain data that every renderer
(:mod:`.render`) turns into HTML, PDF, CSV or Excel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from ..access import can, institution_tree, require
from ..errors import InvalidInput, NotFound
from ..i18n import LOCALES, translations
from ..models import Institution, User, by_id, utcnow
from .base import SCREENING_KEY, ReportScope, SectionResult
from .core_sections import institution_label
from .fmt import date_label, number, quarter_label
from .quarter import Quarter, parse_quarter
from .registry import sections

if TYPE_CHECKING:
    from ..context import Services

__all__ = ["Report", "build_report", "build_report_in_read_unit", "report_filename"]


@dataclass
class Report:
    scope: ReportScope
    institution: str
    #: The institution's name in the other script (the English one in a Bengali report), or "".
    institution_other: str
    #: Names of the institutions covered, the root first.
    institutions: list[str]
    quarter: Quarter
    #: "Q3 2026 (July–September)" and "1 Jul 2026 – 30 Sep 2026", in the report's language.
    quarter_label: str
    period: str
    summary: list[str]
    sections: list[SectionResult] = field(default_factory=list)
    #: The root institution's jurisdiction (``BD``, ``IN-CG``): which rule the report cites.
    jurisdiction: str = ""

    @property
    def lang(self) -> str:
        return self.scope.lang

    def gettext(self, message: str) -> str:
        return translations(self.scope.lang).gettext(message)

    def section(self, key: str) -> SectionResult:
        return next(s for s in self.sections if s.key == key)

    def figure(self, section: str, key: str) -> Any:
        return next(f.value for f in self.section(section).figures if f.key == key)


def check_lang(lang: object) -> str:
    if not isinstance(lang, str) or lang not in LOCALES:
        raise InvalidInput(f"the report language must be one of {', '.join(LOCALES)}", field="lang")
    return lang


def build_report(
    session: Session, *, institution_id: int, quarter: str, include_children: bool = False, lang: str = "en",
    user: User | None = None, now: dt.datetime | None = None, screening: Any = None,
) -> Report:
    """The report for one institution (and, with ``include_children``, everything below it).

    ``user`` (None from the command line, which the server's operator runs) needs the
    ``read_monitoring`` permission there; an institution they cannot see is not found.
    """
    lang = check_lang(lang)
    q = parse_quarter(quarter)
    root = by_id(session, Institution, institution_id)
    if root is None or (user is not None and not can(session, user, "read", institution_id)):
        raise NotFound(f"no institution {institution_id}")
    if user is not None:
        require(session, user, "read_monitoring", institution_id, what="institution")
    ids = [root.id]
    if include_children:
        below = institution_tree(session).descendants([root.id]) - {root.id}
        ids += sorted(below)
    start, end = q.bounds(root.timezone)
    scope = ReportScope(root_id=root.id, institution_ids=tuple(ids), quarter=str(q), start=start, end=end,
                        lang=lang, time_zone=root.timezone, now=now or utcnow())
    if screening is not None:
        session.info[SCREENING_KEY] = screening
    _ = translations(lang).gettext
    results = [section.build(session, scope, _) for section in sections()]
    names = {i.id: institution_label(i, lang) for i in
             (session.get(Institution, x) for x in ids) if i is not None}
    name = names[root.id]
    other = root.name if name != root.name else (root.local_name or "")
    label = quarter_label(q, lang)
    period = f"{date_label(q.first_day, lang)} – {date_label(q.last_day, lang)}"
    dates = {"start": date_label(q.first_day, lang), "end": date_label(q.last_day, lang)}
    if len(ids) > 1:
        intro = _("This report covers %(institution)s and the %(n)s institutions below it for %(quarter)s, "
                  "from %(start)s to %(end)s.") % {"institution": name, "n": number(len(ids) - 1, lang),
                                                   "quarter": label, **dates}
    else:
        intro = _("This report covers %(institution)s for %(quarter)s, from %(start)s to %(end)s.") % {
            "institution": name, "quarter": label, **dates}
    summary = [intro] + [sentence for r in results for sentence in r.summary]
    return Report(scope=scope, institution=name, institution_other=other, institutions=[names[i] for i in ids],
                  quarter=q, quarter_label=label, period=period, summary=summary, sections=results,
                  jurisdiction=root.jurisdiction)


def build_report_in_read_unit(svc: Services, *, user_id: int | None = None, **kwargs: Any) -> Report:
    """:func:`build_report` in a read unit of its own (``user_id`` is looked up in it)."""
    with svc.db.session(write=False) as session:
        user = session.get(User, user_id) if user_id is not None else None
        return build_report(session, user=user, screening=svc.screening, **kwargs)


def report_filename(report: Report, extension: str) -> str:
    """``satark-quarterly-3-2026Q3-bn.pdf``: institution id, quarter and language (ASCII only)."""
    return f"satark-quarterly-{report.scope.root_id}-{report.scope.quarter}-{report.lang}.{extension}"
