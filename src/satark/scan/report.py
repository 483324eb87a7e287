"""A scan's report: figures built once from the results, written as HTML, PDF, CSV or JSONL.

Every figure (by category, by clause, by month, the share flagged) is counted from the same
per-item results that the CSV and JSONL hold, so the printed numbers can be re-derived from
the data files. HTML and PDF share one template; the PDF goes through :mod:`satark.pdf`,
which shapes and extracts Devanagari and Bengali correctly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..categories import CATEGORIES, Severity
from ..errors import InputError
from ..importers.base import ImportProblem, Record
from .runner import ItemResult, ScanResult

__all__ = ["FORMATS", "ScanSummary", "report_format", "summarize", "to_csv", "to_html", "to_jsonl", "to_pdf",
           "write_report"]

FORMATS = (".html", ".pdf", ".csv", ".jsonl")
#: Items listed in "worst items" (the CSV and JSONL keep every finding).
WORST_ITEMS = 25
MAX_PROBLEMS_SHOWN = 200
CSV_FIELDS = ("item_id", "time", "platform", "kind", "source", "category", "clause", "clauses", "severity",
              "confidence", "evidence", "verdict", "explanation", "export_file", "pointer")


def report_format(out: Path) -> str:
    """The report's format from ``out``'s extension, or :class:`InputError` naming the ones known."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{out}: the report's format comes from its extension: {', '.join(FORMATS)}")
    return suffix


@dataclass
class Row:
    label: str
    count: int
    detail: str = ""


@dataclass
class Month:
    month: str
    items: int
    flagged: int
    findings: int


@dataclass
class ScanSummary:
    export: str
    settings: dict[str, Any]
    generated_at: str
    items: int
    flagged: int
    findings: int
    not_screened: int
    verdicts: dict[str, int]
    by_category: list[Row]
    by_clause: list[Row]
    by_month: list[Month]
    worst: list[tuple[Record, ItemResult]]
    problems: list[ImportProblem]
    errors: list[tuple[Record, ItemResult]] = field(default_factory=list)

    @property
    def share_flagged(self) -> float:
        return self.flagged / self.items if self.items else 0.0


def _severity(finding: dict[str, Any]) -> int:
    return int(Severity.parse(finding["severity"]))


def _rank(result: ItemResult) -> tuple[int, float, int]:
    return (max(_severity(f) for f in result.findings), max(f["confidence"] for f in result.findings),
            len(result.findings))


def summarize(scan: ScanResult, export: str) -> ScanSummary:
    """The report's figures. An item is *flagged* when it has at least one finding."""
    from ..packs.registry import PackRegistry

    pack = PackRegistry.from_plugins().get(scan.settings.jurisdiction)
    categories: Counter[str] = Counter()
    clauses: Counter[str] = Counter()
    months: dict[str, list[int]] = {}
    verdicts: Counter[str] = Counter()
    flagged: list[tuple[Record, ItemResult]] = []
    errors = []
    for record, result in zip(scan.records, scan.results, strict=True):
        month = months.setdefault(record.created_at.astimezone(dt.UTC).strftime("%Y-%m"), [0, 0, 0])
        month[0] += 1
        verdicts[result.verdict] += 1
        if result.error:
            errors.append((record, result))
        if result.findings:
            month[1] += 1
            month[2] += len(result.findings)
            flagged.append((record, result))
        for f in result.findings:
            categories[f["category"]] += 1
            clauses[f["clause_ids"][0]] += 1  # the weightiest clause it breaks (the others are its lead-ins)
    flagged.sort(key=lambda pair: _rank(pair[1]), reverse=True)

    def clause_title(clause_id: str) -> str:
        try:
            clause = pack.clause(clause_id)
        except KeyError:
            return ""
        return f"{clause.citation} — {clause.title.get('en')}"

    return ScanSummary(
        export=export,
        settings={"jurisdiction": pack.jurisdiction, "pack": pack.id, "account": scan.settings.account_type,
                  "mode": scan.settings.mode, "ocr": scan.settings.ocr},
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        items=len(scan.records),
        flagged=len(flagged),
        findings=sum(categories.values()),
        not_screened=len(errors),
        verdicts={v: verdicts.get(v, 0) for v in ("clear", "review", "block")},
        by_category=[Row(CATEGORIES[c].label["en"] if c in CATEGORIES else c, n, c)
                     for c, n in categories.most_common()],
        by_clause=[Row(c, n, clause_title(c)) for c, n in clauses.most_common()],
        by_month=[Month(m, *v) for m, v in sorted(months.items())],
        worst=flagged[:WORST_ITEMS],
        problems=scan.problems,
        errors=errors,
    )


def _item_json(record: Record, result: ItemResult) -> dict[str, Any]:
    out: dict[str, Any] = {"id": record.item_id, "time": record.created_at.astimezone(dt.UTC).isoformat(),
                           "platform": record.platform, "kind": record.kind, "verdict": result.verdict,
                           "findings": list(result.findings)}
    if record.source_file:
        out["export_file"] = record.source_file
        out["pointer"] = record.pointer
    if result.error:
        out["error"] = result.error
    if result.notes:
        out["notes"] = list(result.notes)
    return out


def to_jsonl(scan: ScanResult) -> str:
    """One line per item, in the export's order: its id, time and findings."""
    return "".join(json.dumps(_item_json(r, res), ensure_ascii=False) + "\n"
                   for r, res in zip(scan.records, scan.results, strict=True))


def to_csv(scan: ScanResult) -> str:
    """One row per finding (an item with two findings has two rows; a clear item none)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record, result in zip(scan.records, scan.results, strict=True):
        for f in result.findings:
            writer.writerow({
                "item_id": record.item_id, "time": record.created_at.astimezone(dt.UTC).isoformat(),
                "platform": record.platform, "kind": record.kind, "source": f["source"],
                "category": f["category"], "clause": f["clause_ids"][0], "clauses": " ".join(f["clause_ids"]),
                "severity": f["severity"], "confidence": f["confidence"],
                "evidence": " | ".join(s["text"] for s in f["spans"]), "verdict": result.verdict,
                "explanation": f["explanation"], "export_file": record.source_file, "pointer": record.pointer,
            })
    return buf.getvalue()


def _marked(text: str, spans: list[dict[str, Any]]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is evidence) around the spans, for highlighting."""
    out: list[tuple[str, bool]] = []
    at = 0
    for s in sorted(spans, key=lambda s: s["start"]):
        start, end = max(s["start"], at), s["end"]
        if start >= end or end > len(text):
            continue
        out += [(text[at:start], False), (text[start:end], True)]
        at = end
    out.append((text[at:], False))
    return [p for p in out if p[0]]


def to_html(summary: ScanSummary, *, for_print: bool = False) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..pdf import FONT_FAMILY

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                      autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    return env.get_template("scan_report.html").render(
        s=summary, marked=_marked, font_family=FONT_FAMILY, for_print=for_print,
        max_problems=MAX_PROBLEMS_SHOWN)


def to_pdf(summary: ScanSummary) -> bytes:
    from ..pdf import html_to_pdf

    return html_to_pdf(to_html(summary, for_print=True))


def write_report(scan: ScanResult, out: Path, *, export: str) -> ScanSummary:
    """Write the report in the format of ``out``'s extension (to a temporary file first, so a
    failure never leaves half a report), and return its figures."""
    fmt = report_format(out)
    summary = summarize(scan, export)
    data: bytes
    if fmt == ".jsonl":
        data = to_jsonl(scan).encode()
    elif fmt == ".csv":
        data = to_csv(scan).encode("utf-8-sig")  # the BOM: Excel then reads Devanagari and Bengali right
    elif fmt == ".html":
        data = to_html(summary).encode()
    else:
        data = to_pdf(summary)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return summary
