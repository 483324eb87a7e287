"""Human-readable reports, like a linter: the post with spans marked, a line per finding."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from .engine import Screener
from .findings import Report, Verdict

__all__ = ["print_report"]

_VERDICT_STYLE = {Verdict.CLEAR: "bold green", Verdict.REVIEW: "bold yellow", Verdict.BLOCK: "bold red"}
_VERDICT_TEXT = {
    "en": {"clear": "CLEAR", "review": "REVIEW", "block": "BLOCK"},
    "hi": {"clear": "स्वीकार्य", "review": "समीक्षा आवश्यक", "block": "रोकें"},
    "bn": {"clear": "গ্রহণযোগ্য", "review": "পর্যালোচনা প্রয়োজন", "block": "প্রকাশযোগ্য নয়"},
}


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _marked(report: Report, *, plain: bool) -> Text:
    """The post with flagged spans in colour, or between ⟦ ⟧ where there is no colour."""
    if not plain:
        body = Text(report.text)
        for finding in report.findings:
            style = "reverse red" if finding.severity >= 3 else "reverse yellow"
            for span in finding.spans:
                body.stylize(style, span.start, span.end)
        return body
    merged: list[list[int]] = []
    for start, end in sorted((s.start, s.end) for f in report.findings for s in f.spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out += [report.text[pos:start], "⟦", report.text[start:end], "⟧"]
        pos = end
    out.append(report.text[pos:])
    return Text("".join(out))


def print_report(report: Report, screener: Screener, lang: str, console: Console, *,
                 source: str = "post") -> None:
    pack = screener.packs.get(report.pack_id)
    console.print(_marked(report, plain=not console.is_terminal or console.no_color))
    console.print()
    for finding in report.findings:
        first = finding.spans[0] if finding.spans else None
        where = f"{source}:{':'.join(map(str, _line_col(report.text, first.start)))}" if first else source
        clause = pack.clause(finding.clause_ids[0])
        head = Text.assemble(
            (where, "bold"), "  ", (clause.id, "cyan"), "  ", (finding.category, "magenta"),
            f"  {finding.confidence:.2f}  {finding.severity}",
        )
        console.print(head)
        console.print(Text("    " + finding.message(lang)))
        if first is not None:
            quoted = ", ".join(f"«{s.text}»" for s in finding.spans[:4])
            console.print(Text(f"    {quoted}", style="dim"))
        console.print(Text(f"    {clause.citation}: {clause.text.get(lang)}", style="dim"))
    verdict_word = _VERDICT_TEXT.get(lang, _VERDICT_TEXT["en"])[report.verdict.value]
    summary = Text.assemble(
        (verdict_word, _VERDICT_STYLE[report.verdict]),
        f"  {len(report.findings)} finding(s) · {report.pack_id} · {report.account_type} · "
        f"language {report.language.code}",
    )
    console.print(summary)
