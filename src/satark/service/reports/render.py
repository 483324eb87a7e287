"""A built quarterly report as HTML, PDF, CSV or Excel.

HTML and PDF share one template (``web/templates/report_quarterly.html``) and show numbers
and dates in the report's language and digits (:mod:`.fmt`). CSV (long format: one line per
value) and Excel (a sheet per section) keep raw values: numbers as numbers, times in the
institution's zone as ISO text (CSV) or Excel date-times, so they can be summed and sorted.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from ..i18n import LOCALE_NAMES, format_datetime_in, make_environment
from ..pdf import FONT_FAMILY, html_to_pdf
from ..timezones import zone
from .build import Report
from .charts import render_svg
from .fmt import date_label, digits, number

__all__ = ["FORMATS", "MEDIA_TYPES", "render", "to_csv", "to_html", "to_pdf", "to_xlsx"]

MEDIA_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MEDIA_TYPES)
#: Rows a table shows in HTML and PDF: a quarter's 2,000 overrides would be 80 printed pages
#: that nobody reads; the CSV and Excel files keep every row.
MAX_PRINTED_ROWS = 100
#: CSS counter styles for page numbers, per language (WeasyPrint knows the predefined ones).
PAGE_COUNTERS = {"bn": "bengali", "hi": "decimal", "en": "decimal"}


def _cell(report: Report) -> Callable[[Any], tuple[str, bool]]:
    """(text, is a number) for a table value, in the report's language, digits and zone."""
    lang, tz = report.lang, report.scope.time_zone

    def cell(value: Any) -> tuple[str, bool]:
        if value is None:
            return "–", False
        if isinstance(value, bool):
            return report.gettext("Yes") if value else report.gettext("No"), False
        if isinstance(value, (int, float)):
            return number(value, lang), True
        if isinstance(value, dt.datetime):
            return digits(format_datetime_in(value, lang, tz, "short"), lang), False
        if isinstance(value, dt.date):
            return date_label(value, lang), False
        return str(value), False

    return cell


def _chart_uris(report: Report) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for section in report.sections:
        for chart in section.charts:
            if not chart.labels or not chart.series:  # nothing to draw
                continue
            svg = render_svg(chart, report.lang).encode("utf-8")
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
            out.setdefault(section.key, []).append((chart.title, uri))
    return out


def to_html(report: Report) -> str:
    """The standalone, print-friendly document (its CSS inline, charts as data URIs)."""
    env = make_environment(report.lang)
    generated = digits(format_datetime_in(report.scope.now, report.lang, report.scope.time_zone), report.lang)
    return env.get_template("report_quarterly.html").render(
        report=report, charts=_chart_uris(report), cell=_cell(report), font_family=FONT_FAMILY,
        generated_at=generated, language_name=LOCALE_NAMES[report.lang],
        page_counter=PAGE_COUNTERS.get(report.lang, "decimal"), max_rows=MAX_PRINTED_ROWS,
    )


def to_pdf(report: Report) -> bytes:
    """A4 PDF through WeasyPrint with the bundled Noto fonts (Indic words extract intact)."""
    return html_to_pdf(to_html(report))


def _plain(value: Any, tz: dt.tzinfo) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def _meta(report: Report) -> list[tuple[str, str, Any]]:
    """(key, label, value) of the title block."""
    g = report.gettext
    scope = report.scope
    return [
        ("institution_id", g("Office or institution"), scope.root_id),
        ("institution", g("Office or institution"), report.institution),
        ("quarter", g("Quarter"), scope.quarter),
        ("start", g("Period"), scope.start),
        ("end", g("Period"), scope.end),
        ("time_zone", g("Time zone"), scope.time_zone),
        ("institutions", g("Institutions covered"), "; ".join(report.institutions)),
        ("generated_at", g("Generated at"), scope.now),
        ("lang", g("Language"), scope.lang),
    ]


def _long_rows(report: Report) -> Iterator[list[Any]]:
    tz = zone(report.scope.time_zone)
    for key, label, value in _meta(report):
        yield ["report", "meta", key, label, _plain(value, tz)]
    for i, sentence in enumerate(report.summary, 1):
        yield ["report", "summary", i, "", sentence]
    for section in report.sections:
        for fig in section.figures:
            yield [section.key, "figures", fig.key, fig.label + (f" ({fig.unit})" if fig.unit else ""),
                   _plain(fig.value, tz)]
        for table in section.tables:
            for r, row in enumerate(table.rows, 1):
                for column, value in zip(table.columns, row, strict=False):
                    yield [section.key, table.key, r, column, _plain(value, tz)]


def to_csv(report: Report) -> str:
    """Long format: ``section, table, row, column, value``, one line per value (with a BOM, so
    spreadsheet programs read Hindi and Bengali as UTF-8)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["section", "table", "row", "column", "value"])
    writer.writerows(_long_rows(report))
    return "\ufeff" + buf.getvalue()


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" {n}"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    taken.add(name.lower())
    return name


def to_xlsx(report: Report) -> bytes:
    """One sheet for the title block, summary and headline figures, then one per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    tz = zone(report.scope.time_zone)
    bold, title_font = Font(bold=True), Font(bold=True, size=14)
    head_fill = PatternFill("solid", fgColor="E8EEF4")

    def excel(value: Any) -> Any:
        # Excel has no time zones: the institution's local time, as the other formats show it.
        if isinstance(value, dt.datetime):
            return value.astimezone(tz).replace(tzinfo=None)
        return value

    def widths(ws: Any) -> None:
        for column in ws.columns:
            longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
            ws.column_dimensions[get_column_letter(column[0].column)].width = min(60, max(10, longest + 2))

    wb = Workbook()
    taken: set[str] = set()
    ws = wb.active
    ws.title = _sheet_title(report.gettext("Summary"), taken)
    ws.append([report.gettext("Quarterly monitoring report")])
    ws["A1"].font = title_font
    for _key, label, value in _meta(report):
        ws.append([label, excel(value)])
        ws.cell(ws.max_row, 1).font = bold
    ws.append([])
    ws.append([report.gettext("Summary")])
    ws.cell(ws.max_row, 1).font = bold
    for sentence in report.summary:
        ws.append([sentence])
    ws.append([])
    ws.append([report.gettext("Headline figures")])
    ws.cell(ws.max_row, 1).font = bold
    for section in report.sections:
        for fig in section.figures:
            ws.append([fig.label, fig.value, fig.unit])
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["B"].width = 30
    for section in report.sections:
        sheet = wb.create_sheet(_sheet_title(section.title, taken))
        sheet.append([section.title])
        sheet["A1"].font = title_font
        for fig in section.figures:
            sheet.append([fig.label, fig.value, fig.unit])
        for table in section.tables:
            sheet.append([])
            sheet.append([table.title])
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.append(list(table.columns))
            for i in range(1, len(table.columns) + 1):
                cell = sheet.cell(sheet.max_row, i)
                cell.font, cell.fill = bold, head_fill
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            for row in table.rows:
                sheet.append([excel(v) for v in row])
                for i, value in enumerate(row, 1):
                    if isinstance(value, dt.datetime):
                        sheet.cell(sheet.max_row, i).number_format = "yyyy-mm-dd hh:mm"
                    elif isinstance(value, dt.date):
                        sheet.cell(sheet.max_row, i).number_format = "yyyy-mm-dd"
        widths(sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(report: Report, fmt: str) -> bytes:
    """The report as the bytes of a ``pdf``, ``html``, ``csv`` or ``xlsx`` file."""
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "html":
        return to_html(report).encode("utf-8")
    if fmt == "csv":
        return to_csv(report).encode("utf-8")
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}")
