"""What a quarterly report is made of: sections, each built from the database for a scope.

A section is any object with a ``key``, an ``order`` and a ``build`` method; built-in and
third-party sections register the same way (:mod:`.registry`). A section returns plain data
(numbers, tables, chart series) with its texts already translated into the report's
language, so every renderer (HTML, PDF, CSV, Excel) shows the same figures.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from sqlalchemy.orm import Session

__all__ = ["Chart", "Figure", "ReportScope", "ReportSection", "SectionResult", "Table", "Translate"]

#: ``gettext`` for the report's language (``translations(lang).gettext``).
Translate = Callable[[str], str]


@dataclass(frozen=True)
class ReportScope:
    """Which institutions and which period a report covers."""

    #: The institution the report is for.
    root_id: int
    #: It and, with ``--include-children``, every institution below it.
    institution_ids: tuple[int, ...]
    #: ``2026Q3``.
    quarter: str
    #: The quarter in the root institution's zone, as aware UTC datetimes; ``end`` excluded.
    start: dt.datetime
    end: dt.datetime
    #: ``en``, ``hi`` or ``bn``.
    lang: str
    #: The root institution's IANA time zone (months and dates are counted in it).
    time_zone: str
    #: When the report is built (deadlines and "overdue" are judged at this instant).
    now: dt.datetime


@dataclass(frozen=True)
class Figure:
    """One headline number: ``label`` (translated), its value, and an optional unit."""

    key: str
    label: str
    value: int | float | str | None
    unit: str = ""


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Chart:
    """A bar or line chart: one label per category and one series per legend entry."""

    key: str
    title: str
    kind: Literal["bar", "line", "barh"]
    labels: Sequence[str]
    series: dict[str, Sequence[float]]
    y_label: str = ""


@dataclass
class SectionResult:
    key: str
    title: str
    #: Sentences in the report's language for the summary at the top.
    summary: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@runtime_checkable
class ReportSection(Protocol):
    #: Unique, stable: ``posts``, ``comments``, ``grs``, ``violations``, ``training``...
    key: str
    #: Sections print in ascending order.
    order: int

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        """Read what the section needs for ``scope`` (read-only) and return it."""
        ...


# --- helpers for sections (added with the built-in sections; nothing above changes) -----------

#: ``Session.info`` key under which :func:`satark.service.reports.build.build_report` puts the
#: service's :class:`~satark.service.screening.Screening` for the sections to cite clauses with.
SCREENING_KEY = "satark_report_screening"


def screening_for(session: Session) -> Any:
    """The :class:`~satark.service.screening.Screening` to read packs (clause citations and
    texts, the §6.1 checklist) from: the one the report is built with, else a packs-only one
    (building it loads no screening model)."""
    found = session.info.get(SCREENING_KEY)
    return found if found is not None else _packs_only()


@functools.cache
def _packs_only() -> Any:
    from ..screening import Screening

    return Screening()


def in_scope(scope: ReportScope, when: dt.datetime | None) -> bool:
    """Whether an aware UTC time falls in the report's quarter (``end`` excluded)."""
    return when is not None and scope.start <= when < scope.end
