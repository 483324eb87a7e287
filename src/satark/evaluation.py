"""``satark eval``: score the engine on a labelled JSONL file (format: taxonomy.md)."""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from .categories import SCORED_CATEGORIES
from .engine import Screener
from .errors import InputError

__all__ = [
    "EvalResult",
    "LabelledPost",
    "evaluate",
    "evaluate_file",
    "load_jsonl",
    "markdown_report",
    "print_evaluation",
]


#: Posts screened per batch (``Screener.screen_many``), as a bulk audit would.
BATCH = 256


@dataclass(frozen=True, slots=True)
class LabelledPost:
    id: str
    lang: str
    jurisdiction: str
    account_type: str
    text: str
    labels: frozenset[str]


def load_jsonl(path: Path) -> list[LabelledPost]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not valid UTF-8 (offset {exc.start})") from None
    posts = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            labels = row.get("labels", [])
            unknown = [x for x in labels if x not in SCORED_CATEGORIES]
            if unknown:
                raise ValueError(f"unknown label(s) {unknown}")
            posts.append(LabelledPost(
                id=str(row.get("id", f"line{no}")),
                lang=str(row.get("lang", "und")),
                jurisdiction=str(row["jurisdiction"]),
                account_type=str(row.get("account_type", "personal")),
                text=str(row["text"]),
                labels=frozenset(labels),
            ))
        except (json.JSONDecodeError, KeyError, ValueError, TypeError, AttributeError) as exc:
            what = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            raise InputError(f"{path}:{no}: not a valid labelled post: {what}") from None
    if not posts:
        raise InputError(f"{path}: no posts")
    return posts


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "support": self.tp + self.fn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4)}


@dataclass
class _Slice:
    n: int = 0
    clean: int = 0
    clean_flagged: int = 0
    counts: _Counts = field(default_factory=_Counts)
    lang_correct: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"posts": self.n, "clean": self.clean,
                "clean_fp_rate": round(self.clean_flagged / self.clean, 4) if self.clean else None,
                "micro_f1": round(self.counts.f1, 4),
                "langid_accuracy": round(self.lang_correct / self.n, 4) if self.n else None}


@dataclass
class EvalResult:
    path: str
    per_category: dict[str, _Counts]
    overall: _Slice
    per_language: dict[str, _Slice]
    verdicts: Counter[str]
    seconds: float
    errors: list[dict[str, Any]]
    mode: str = "rules"

    @property
    def micro_f1(self) -> float:
        return self.overall.counts.f1

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the categories present in the file (support > 0)."""
        present = [c for c in self.per_category.values() if c.tp + c.fn > 0]
        return sum(c.f1 for c in present) / len(present) if present else 0.0

    @property
    def clean_fp_rate(self) -> float:
        o = self.overall
        return o.clean_flagged / o.clean if o.clean else 0.0

    @property
    def posts_per_second(self) -> float:
        return self.overall.n / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "mode": self.mode,
            "posts": self.overall.n,
            "micro_f1": round(self.micro_f1, 4),
            "macro_f1": round(self.macro_f1, 4),
            "clean_fp_rate": round(self.clean_fp_rate, 4),
            "posts_per_second": round(self.posts_per_second, 1),
            "per_category": {k: v.to_dict() for k, v in self.per_category.items()},
            "per_language": {k: v.to_dict() for k, v in sorted(self.per_language.items())},
            "verdicts": dict(self.verdicts),
            "errors": self.errors,
        }


def evaluate(posts: Sequence[LabelledPost], screener: Screener, *, path: str = "",
             mode: str | None = None) -> EvalResult:
    per_category = {c: _Counts() for c in SCORED_CATEGORIES}
    overall = _Slice()
    per_language: dict[str, _Slice] = defaultdict(_Slice)
    verdicts: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    reports = []
    start = time.perf_counter()
    for i in range(0, len(posts), BATCH):
        chunk = posts[i:i + BATCH]
        reports += screener.screen_many(
            [(p.text, p.jurisdiction, p.account_type) for p in chunk],  # type: ignore[misc]
            mode=mode,  # type: ignore[arg-type]
        )
    seconds = time.perf_counter() - start
    for post, report in zip(posts, reports, strict=True):
        predicted = {f.category for f in report.findings} & set(SCORED_CATEGORIES)
        verdicts[report.verdict.value] += 1
        slices = (overall, per_language[post.lang])
        for s in slices:
            s.n += 1
            s.lang_correct += report.language.code == post.lang
            if not post.labels:
                s.clean += 1
                s.clean_flagged += bool(predicted)
        for category in SCORED_CATEGORIES:
            gold, pred = category in post.labels, category in predicted
            if not (gold or pred):
                continue
            kind = "tp" if gold and pred else ("fp" if pred else "fn")
            for counts in (per_category[category], overall.counts, per_language[post.lang].counts):
                setattr(counts, kind, getattr(counts, kind) + 1)
        if predicted != post.labels:
            errors.append({"id": post.id, "lang": post.lang, "gold": sorted(post.labels),
                           "predicted": sorted(predicted)})
    return EvalResult(path, per_category, overall, dict(per_language), verdicts, seconds, errors,
                      mode or screener.mode)


def evaluate_file(path: Path, screener: Screener, *, mode: str | None = None) -> EvalResult:
    return evaluate(load_jsonl(path), screener, path=str(path), mode=mode)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def print_evaluation(result: EvalResult, console: Console) -> None:
    table = Table(title=f"satark eval {result.path} (mode {result.mode})", title_justify="left")
    for col in ("category", "support", "precision", "recall", "F1", "TP", "FP", "FN"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for name, c in result.per_category.items():
        table.add_row(name, str(c.tp + c.fn), _pct(c.precision), _pct(c.recall), _pct(c.f1),
                      str(c.tp), str(c.fp), str(c.fn))
    console.print(table)
    lang_table = Table(title="per language", title_justify="left")
    for col in ("lang", "posts", "clean", "clean FP rate", "micro-F1", "lang-id acc."):
        lang_table.add_column(col, justify="left" if col == "lang" else "right")
    for lang, s in sorted(result.per_language.items()):
        d = s.to_dict()
        lang_table.add_row(lang, str(s.n), str(s.clean), _pct(d["clean_fp_rate"]),
                           _pct(d["micro_f1"]), _pct(d["langid_accuracy"]))
    console.print(lang_table)
    console.print(
        f"posts {result.overall.n} · micro-F1 {result.micro_f1:.3f} · macro-F1 {result.macro_f1:.3f} · "
        f"clean FP rate {result.clean_fp_rate:.3f} ({result.overall.clean_flagged}/{result.overall.clean}) · "
        f"verdicts {dict(result.verdicts)} · {result.posts_per_second:,.0f} posts/s"
    )


def markdown_report(result: EvalResult) -> str:
    """The same tables as Markdown, for READMEs and issue notes."""
    lines = ["| category | support | precision | recall | F1 |", "|---|---:|---:|---:|---:|"]
    for name, c in result.per_category.items():
        lines.append(f"| {name} | {c.tp + c.fn} | {c.precision:.3f} | {c.recall:.3f} | {c.f1:.3f} |")
    lines += [
        "",
        f"micro-F1 **{result.micro_f1:.3f}** · macro-F1 **{result.macro_f1:.3f}** · "
        f"false-positive rate on clean posts **{result.clean_fp_rate:.3f}** "
        f"({result.overall.clean_flagged}/{result.overall.clean}) · {result.overall.n} posts",
        "",
        "| lang | posts | clean | clean FP rate | micro-F1 | lang-id accuracy |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for lang, sl in sorted(result.per_language.items()):
        d = sl.to_dict()
        lines.append(f"| {lang} | {sl.n} | {sl.clean} | {_pct(d['clean_fp_rate'])} | {_pct(d['micro_f1'])} | "
                     f"{_pct(d['langid_accuracy'])} |")
    return "\n".join(lines) + "\n"
