"""``satark eval --transfer``: how the screener does on posts real people wrote.

The public data sets in ``../shared/data`` label real tweets and comments for their own
tasks (abuse, hate, fake news, violence). :data:`MAPPING` says, for each set and label,
which of our categories a positive *should* raise (its ``strict`` categories) and that a
negative should raise none; ``docs/transfer-mapping.md`` is the same table in prose.

Per set, and pooled over the sets that have a clean class:

* ``neg_flagged``: share of negatives with any finding (advisories excluded);
* ``neg_blocked``: share of negatives whose verdict is ``block``; ``block_precision``:
  of the posts blocked, the share that are positives;
* ``recall``: share of positives with a finding in any content category (the post is
  sent for review, whatever the category);
* ``strict_recall``: share of positives with a finding in one of their labels' own
  categories; also per label (``by_label``);
* ``auc``: area under the ROC curve of the post's top content-finding confidence
  (0 when nothing is found), negatives against positives.

HateCheckHIn (a functional test suite) is reported by functionality group instead.
Settings are chosen on ``--split dev``; ``test`` is for reporting only.
"""

from __future__ import annotations

import hashlib
import json
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .categories import Severity
from .engine import Mode, Screener
from .findings import Report, Verdict
from .training import datasets

__all__ = [
    "CONTENT",
    "HATECHECK_GROUPS",
    "MAPPING",
    "SetResult",
    "TransferResult",
    "evaluate_transfer",
    "markdown_transfer",
]

#: The content categories: a finding in any of them sends a hostile post for review.
CONTENT: frozenset[str] = frozenset({
    "obscene_abusive", "hate_discrimination", "religious_sentiment", "misinformation",
    "anti_government", "political", "defamation", "national_unity",
})
HATE = frozenset({"hate_discrimination", "religious_sentiment"})
ABUSE = frozenset({"obscene_abusive"})

#: A labelled real post as the transfer evaluation sees it: ``labels`` maps each of its
#: positive labels to that label's own (strict) categories; empty means a negative;
#: ``None`` means the post is left out (its label says nothing either way).
Labels = dict[str, frozenset[str]] | None
LabelFn = Callable[[datasets.Example], Labels]


def _constraint_hi(ex: datasets.Example) -> Labels:
    own = {"fake": frozenset({"misinformation"}), "hate": HATE, "offensive": ABUSE,
           "defamation": frozenset({"defamation"})}
    parts = [p.strip() for p in ex.meta_dict().get("Labels Set", "").split(",") if p.strip()]
    return {p: own[p] for p in parts if p in own}


def _constraint_en(ex: datasets.Example) -> Labels:
    return {"fake": frozenset({"misinformation"})} if ex.task_label == "fake" else {}


def _hasoc(ex: datasets.Example) -> Labels:
    kind = ex.meta_dict().get("task_2", "NONE")
    return {} if kind == "NONE" else {kind: HATE if kind == "HATE" else ABUSE}


def _trac(ex: datasets.Example) -> Labels:
    meta = ex.meta_dict()
    out: dict[str, frozenset[str]] = {}
    if meta.get("Sub-task A") in ("OAG", "CAG"):
        out[meta["Sub-task A"]] = ABUSE
    if meta.get("Sub-task B") == "GEN":
        out["GEN"] = frozenset({"hate_discrimination"})
    return out


def _offensive_with_group(ex: datasets.Example) -> Labels:
    # OLID (OFF, GRP) and TB-OLID (O, G): offensive, and hate when aimed at a group.
    if "obscene_abusive" not in ex.categories:
        return {}
    out = {"offensive": ABUSE}
    if "hate_discrimination" in ex.categories:
        out["group"] = frozenset({"hate_discrimination"})
    return out


def _hot(ex: datasets.Example) -> Labels:
    return {"0": {}, "1": {"hate-inducing": HATE}, "2": {"abusive": ABUSE}}[ex.task_label or "0"]


def _macd(ex: datasets.Example) -> Labels:
    return {"abusive": ABUSE} if ex.task_label == "0" else {}


def _karim(ex: datasets.Example) -> Labels:
    own = {"Religious": HATE, "Political": frozenset({"political", "anti_government"}),
           "Geopolitical": frozenset({"defamation"}), "Personal": frozenset({"obscene_abusive", "defamation"})}
    return {ex.task_label or "": own[ex.task_label or ""]}


def _belal(ex: datasets.Example) -> Labels:
    own = {"vulgar": ABUSE, "Insult": frozenset({"obscene_abusive", "defamation"}), "troll": ABUSE,
           "hate": HATE, "religious": frozenset({"religious_sentiment"}),
           "threat": frozenset({"national_unity", "obscene_abusive"})}
    meta = ex.meta_dict()
    return {k: v for k, v in own.items() if meta.get(k) == "1"}


def _violens(ex: datasets.Example) -> Labels:
    return {"0": {}, "1": {"passive violence": frozenset({"national_unity"})},
            "2": {"direct violence": frozenset({"national_unity"})}}[ex.task_label or "0"]


def _bmh(ex: datasets.Example) -> Labels:
    meta = ex.meta_dict()
    kind = meta.get("hate_type", "None")
    if kind == "Abusive" and meta.get("hate_severity") == "Little to None":
        return None  # mostly plain complaints: neither clearly clean nor abusive
    own = {"None": None, "Abusive": ABUSE, "Profane": ABUSE, "Religious Hate": HATE,
           "Sexism": frozenset({"hate_discrimination"}),
           "Political Hate": frozenset({"political", "anti_government"})}[kind]
    return {} if own is None else {kind: own}


@dataclass(frozen=True)
class SetMapping:
    name: str
    labels: LabelFn
    #: whether the set has a clean class (pooled figures use only these).
    has_negatives: bool = True


MAPPING: tuple[SetMapping, ...] = (
    SetMapping("constraint2021-hindi-hostile", _constraint_hi),
    SetMapping("constraint2021-english-covid-fakenews", _constraint_en),
    SetMapping("hasoc2019-hindi", _hasoc),
    SetMapping("hasoc2019-english", _hasoc),
    SetMapping("trac2-2020-aggression-misogyny:en", _trac),
    SetMapping("trac2-2020-aggression-misogyny:hi", _trac),
    SetMapping("trac2-2020-aggression-misogyny:bn", _trac),
    SetMapping("olid-offenseval2019", _offensive_with_group),
    SetMapping("hot-hinglish-offensive", _hot),
    SetMapping("macd-hindi-abusive", _macd),
    SetMapping("bengali-hate-karim2020", _karim, has_negatives=False),
    SetMapping("bengali-multilabel-toxic-belal2023", _belal),
    SetMapping("blp2023-vitd-violence-inciting", _violens),
    SetMapping("tb-olid-banglish-offensive", _offensive_with_group),
    SetMapping("banglamultihate-blp2025-dev", _bmh),
)
#: Evaluation-only sets: never train on them, so any split of theirs may be reported.
EVAL_ONLY = frozenset({"banglamultihate-blp2025-dev", "hatecheckhin-hindi-functional-tests"})
HATECHECK = "hatecheckhin-hindi-functional-tests"

#: HateCheckHIn functionalities, grouped as the issue that asked for this report does.
HATECHECK_GROUPS: dict[str, tuple[str, ...]] = {
    "hateful": (),  # every case labelled hateful
    "neutral, positive, negated, reclaimed (F9 F15 F18 F19 F22)": ("9", "15", "18", "19", "22"),
    "counter-speech (F20 F21)": ("20", "21"),
    "profanity, insults of individuals (F11 F23 F24)": ("11", "23", "24"),
}


def sample(examples: list[datasets.Example], limit: int | None) -> list[datasets.Example]:
    """A fixed subset (by id hash) so that repeated runs see the same posts (also the
    calibration's per-set sample)."""
    if limit is None or len(examples) <= limit:
        return examples
    return sorted(examples, key=lambda e: hashlib.sha1(e.id.encode()).hexdigest())[:limit]


def _flagged(report: Report) -> set[str]:
    return {f.category for f in report.findings if f.severity > Severity.INFO}


def _score(report: Report) -> float:
    return max((f.confidence for f in report.findings if f.category in CONTENT), default=0.0)


def _auc(neg: Sequence[float], pos: Sequence[float]) -> float | None:
    """ROC AUC: the chance a positive outscores a negative, ties counting half.

    The Mann-Whitney form, in pure Python (scikit-learn is a training dependency only).
    """
    if not neg or not pos:
        return None
    ranked = sorted(neg)
    wins = 0.0
    for p in pos:
        below = bisect_left(ranked, p)
        wins += below + 0.5 * (bisect_right(ranked, p) - below)
    return wins / (len(neg) * len(pos))


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Tally:
    negatives: int = 0
    neg_flagged: int = 0
    neg_blocked: int = 0
    positives: int = 0
    pos_blocked: int = 0
    caught: int = 0
    strict: int = 0
    neg_scores: list[float] = field(default_factory=list)
    pos_scores: list[float] = field(default_factory=list)
    by_label: dict[str, list[int]] = field(default_factory=dict)  # label -> [n, strict hits]
    by_category: dict[str, int] = field(default_factory=dict)  # categories raised on negatives

    def add(self, labels: dict[str, frozenset[str]], report: Report) -> None:
        raised = _flagged(report)
        score = _score(report)
        if not labels:
            self.negatives += 1
            self.neg_flagged += bool(raised)
            self.neg_blocked += report.verdict is Verdict.BLOCK
            self.neg_scores.append(score)
            for c in raised:
                self.by_category[c] = self.by_category.get(c, 0) + 1
            return
        self.positives += 1
        self.pos_blocked += report.verdict is Verdict.BLOCK
        self.caught += bool(raised & CONTENT)
        own = frozenset().union(*labels.values())
        self.strict += bool(raised & own)
        self.pos_scores.append(score)
        for label, cats in labels.items():
            n = self.by_label.setdefault(label, [0, 0])
            n[0] += 1
            n[1] += bool(raised & cats)

    def merge(self, other: Tally) -> None:
        for name in ("negatives", "neg_flagged", "neg_blocked", "positives", "pos_blocked", "caught", "strict"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.neg_scores += other.neg_scores
        self.pos_scores += other.pos_scores

    def to_dict(self) -> dict[str, Any]:
        return {
            "negatives": self.negatives,
            "positives": self.positives,
            "neg_flagged": _rate(self.neg_flagged, self.negatives),
            "neg_blocked": _rate(self.neg_blocked, self.negatives),
            # of the posts blocked, the share that were hostile (in this set's mix)
            "block_precision": _rate(self.pos_blocked, self.pos_blocked + self.neg_blocked),
            "recall": _rate(self.caught, self.positives),
            "strict_recall": _rate(self.strict, self.positives),
            "auc": _auc(self.neg_scores, self.pos_scores),
            "by_label": {k: {"n": n, "strict_recall": _rate(s, n)} for k, (n, s) in sorted(self.by_label.items())},
            "neg_categories": dict(sorted(self.by_category.items(), key=lambda kv: -kv[1])),
        }


#: Confidence bins of the reliability table (a finding's confidence, lower edges).
BINS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass
class Reliability:
    """How often a finding of a given confidence is right, on posts whose labels tell."""

    bins: dict[float, list[int]] = field(default_factory=lambda: {b: [0, 0] for b in BINS})  # [right, all]

    def add(self, confidence: float, right: bool) -> None:
        edge = max((b for b in BINS if confidence >= b), default=None)
        if edge is not None:
            self.bins[edge][0] += right
            self.bins[edge][1] += 1

    def to_dict(self) -> list[dict[str, Any]]:
        return [{"from": b, "findings": n, "right": _rate(r, n)} for b, (r, n) in self.bins.items()]


def _judge(report: Report, labels: dict[str, frozenset[str]], annotated: frozenset[str],
           reliability: Reliability) -> None:
    own = frozenset().union(*labels.values()) if labels else frozenset()
    for f in report.findings:
        if f.severity <= Severity.INFO:
            continue
        if not labels:
            reliability.add(f.confidence, False)
        elif f.category in own:
            reliability.add(f.confidence, True)
        elif f.category in annotated:
            reliability.add(f.confidence, False)


@dataclass
class SetResult:
    name: str
    split: str
    tally: Tally
    languages: dict[str, Tally]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "split": self.split, **self.tally.to_dict(),
                "by_lang": {k: v.to_dict() for k, v in sorted(self.languages.items())}}


@dataclass
class TransferResult:
    mode: str
    split: str
    sets: list[SetResult]
    pooled: Tally
    hatecheck: dict[str, dict[str, Any]]
    seconds: float
    posts: int
    reliability: Reliability = field(default_factory=Reliability)
    #: which model set screened (the manifest's ``version`` and training data sources).
    models: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "split": self.split, "posts": self.posts, "seconds": round(self.seconds, 1),
                "models": self.models, "pooled": self.pooled.to_dict(),
                "reliability": self.reliability.to_dict(),
                "sets": [s.to_dict() for s in self.sets], "hatecheckhin": self.hatecheck}


def _screen(screener: Screener, examples: Sequence[datasets.Example], mode: Mode,
            account_type: str = "personal") -> list[Report]:
    out: list[Report] = []
    for i in range(0, len(examples), 256):
        batch = examples[i:i + 256]
        out += screener.screen_many([(e.text, e.jurisdiction, account_type) for e in batch],  # type: ignore[misc]
                                    mode=mode)
    return out


def _usable(examples: Iterable[datasets.Example], screener: Screener) -> list[datasets.Example]:
    keep = []
    for e in examples:
        try:
            screener.check_input(e.text)
        except ValueError:
            continue
        keep.append(e)
    return keep


def evaluate_transfer(
    screener: Screener,
    *,
    mode: Mode,
    split: str = "test",
    limit: int | None = None,
    sets: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TransferResult:
    """Screen the real posts of every public set's ``split`` and score them by :data:`MAPPING`.

    ``limit`` caps the posts per set (a fixed sample), for quick looks while developing.
    """
    if split not in datasets.SPLITS:
        raise ValueError(f"split must be one of {', '.join(datasets.SPLITS)}, not {split!r}")
    wanted = set(sets) if sets else None
    start = time.perf_counter()
    results: list[SetResult] = []
    pooled = Tally()
    reliability = Reliability()
    posts = 0
    for mapping in MAPPING:
        if wanted is not None and mapping.name not in wanted and mapping.name.split(":")[0] not in wanted:
            continue
        spec = datasets.get(mapping.name)
        use_split = split if split in spec.splits else spec.splits[0]
        if mapping.name.split(":")[0] not in EVAL_ONLY and use_split != split:
            continue
        examples = sample(_usable(datasets.load(mapping.name, use_split), screener), limit)
        if progress:
            progress(f"{mapping.name} ({use_split}, {len(examples)} posts)")
        reports = _screen(screener, examples, mode)
        tally, langs = Tally(), dict[str, Tally]()
        for ex, report in zip(examples, reports, strict=True):
            labels = mapping.labels(ex)
            if labels is None:
                continue
            tally.add(labels, report)
            langs.setdefault(ex.lang, Tally()).add(labels, report)
            if labels or mapping.has_negatives:
                _judge(report, labels, spec.annotated, reliability)
        posts += len(examples)
        results.append(SetResult(mapping.name, use_split, tally, langs))
        if mapping.has_negatives:
            pooled.merge(tally)
    hatecheck: dict[str, dict[str, Any]] = {}
    if wanted is None or HATECHECK in wanted:
        examples = sample(_usable(datasets.load(HATECHECK, "test"), screener), limit)
        if progress:
            progress(f"{HATECHECK} (test, {len(examples)} posts)")
        hatecheck = _hatecheck(examples, _screen(screener, examples, mode))
        posts += len(examples)
    return TransferResult(mode=mode, split=split, sets=results, pooled=pooled, hatecheck=hatecheck,
                          seconds=time.perf_counter() - start, posts=posts, models=screener.model_info(mode),
                          reliability=reliability)


def _hatecheck(examples: Sequence[datasets.Example], reports: Sequence[Report]) -> dict[str, dict[str, Any]]:
    pairs = list(zip(examples, reports, strict=True))
    groups = {
        group: [(e, r) for e, r in pairs
                if (e.task_label == "hateful" if not functionalities
                    else e.meta_dict().get("functionality") in functionalities)]
        for group, functionalities in HATECHECK_GROUPS.items()
    }
    groups["English in Devanagari (MF4, hateful)"] = [
        (e, r) for e, r in pairs if e.meta_dict().get("functionality") == "MF4"]
    return {group: _group_stats(rows) for group, rows in groups.items() if rows}


def _group_stats(rows: Sequence[tuple[datasets.Example, Report]]) -> dict[str, Any]:
    raised = [_flagged(r) for _, r in rows]
    n = len(rows)
    by_target: dict[str, list[int]] = {}
    for (e, _), cats in zip(rows, raised, strict=True):
        t = by_target.setdefault(e.meta_dict().get("target", "") or "-", [0, 0])
        t[0] += 1
        t[1] += bool(cats)
    return {
        "n": n,
        "flagged": sum(bool(c) for c in raised) / n,
        "hate_or_religious": sum(bool(c & HATE) for c in raised) / n,
        "obscene_abusive": sum("obscene_abusive" in c for c in raised) / n,
        "by_target": {k: {"n": a, "flagged": b / a} for k, (a, b) in sorted(by_target.items())},
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown_transfer(result: TransferResult | dict[str, Any]) -> str:
    """The tables of :func:`evaluate_transfer` as Markdown (README, closing notes).

    Takes the result or its JSON form (``satark eval --transfer --json``).
    """
    r = result.to_dict() if isinstance(result, TransferResult) else result
    models = r.get("models") or {}
    lines = [
        f"Transfer evaluation, `{r['mode']}` mode, `{r['split']}` splits, {r['posts']:,} posts in {r['seconds']:.0f} s"
        + (f", model set `{models['name']}` v{models.get('version', '?')}." if models else "."),
        "",
        "| data set | neg. | flagged | blocked | pos. | recall | strict recall | AUC |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for t in r["sets"]:
        lines.append(f"| {t['name']} | {t['negatives']} | {_pct(t['neg_flagged'])} | {_pct(t['neg_blocked'])} | "
                     f"{t['positives']} | {_pct(t['recall'])} | {_pct(t['strict_recall'])} | {_num(t['auc'])} |")
    p = r["pooled"]
    lines.append(f"| **pooled (sets with a clean class)** | {p['negatives']} | **{_pct(p['neg_flagged'])}** | "
                 f"**{_pct(p['neg_blocked'])}** | {p['positives']} | **{_pct(p['recall'])}** | "
                 f"{_pct(p['strict_recall'])} | {_num(p['auc'])} |")
    if p.get("block_precision") is not None:
        lines += ["", f"Of the pooled posts blocked, {_pct(p['block_precision'])} were hostile ones."]
    lines += ["", "Strict recall by label (the label's own categories):", "",
              "| data set | label | posts | strict recall |", "|---|---|---:|---:|"]
    for t in r["sets"]:
        for label, v in t["by_label"].items():
            lines.append(f"| {t['name']} | {label} | {v['n']} | {_pct(v['strict_recall'])} |")
    if r.get("hatecheckhin"):
        lines += ["", "HateCheckHIn by functionality group:", "",
                  "| group | cases | flagged | hate or religious | obscene_abusive |", "|---|---:|---:|---:|---:|"]
        for group, v in r["hatecheckhin"].items():
            lines.append(f"| {group} | {v['n']} | {_pct(v['flagged'])} | {_pct(v['hate_or_religious'])} | "
                         f"{_pct(v['obscene_abusive'])} |")
    if r.get("reliability"):
        lines += ["", "Reliability: how often a finding of a given confidence is right (posts whose labels tell):",
                  "", "| confidence | findings | right |", "|---|---:|---:|"]
        edges = [b["from"] for b in r["reliability"]] + [1.0]
        for b, hi in zip(r["reliability"], edges[1:], strict=True):
            lines.append(f"| {b['from']:.1f}–{hi:.1f} | {b['findings']} | {_pct(b['right'])} |")
    return "\n".join(lines) + "\n"


def to_json(result: TransferResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
