"""Fit :class:`satark.calibration.Calibration` on labelled real posts.

The posts: the dev splits of the public data sets (real tweets and comments; never their
test splits, and never the evaluation-only sets), mapped to our categories as
``docs/transfer-mapping.md`` says, plus the project's own dev posts. A public post speaks
only for the categories its data set labels, except that a post of a set's clean class
is taken as clean for every content category (so a model that calls a real clean
comment ``political`` is counted wrong, as the transfer evaluation counts it).

For each mode, category and kind of evidence, the raw confidences of the findings the
engine raised are fitted against whether they were right, by logistic regression on the
logit of the raw confidence (Platt scaling, scikit-learn). Isotonic regression was tried
first: with a few dozen findings for some categories its steps jumped from 0.1 to 0.98
on one post. Two parameters are steadier, and monotone as long as the slope is positive
(a curve that comes out falling is replaced by its mean: the raw score tells nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..calibration import VARIETIES, Calibration, Curve, EvidenceKind, variety
from ..categories import SCORED_CATEGORIES, Severity
from ..detectors.classifier import SEVERITY
from ..engine import MODES, Screener
from ..transfer import CONTENT, EVAL_ONLY, MAPPING, sample
from . import datasets

__all__ = ["LabelledPost", "calibration_posts", "fit_calibration"]

#: The source name of the project's own dev posts (the floors are set on real posts only).
OWN = "in-domain dev"
#: Categories whose findings can block (severity high or above).
SEVERE = frozenset(c for c, s in SEVERITY.items() if s >= Severity.HIGH)

#: Posts per public data set (a fixed sample): enough for the curves, and full mode's
#: encoder makes every post count.
PER_SET = 1000
#: Fewer labelled findings than this for a (mode, category, kind): leave it uncalibrated.
MIN_FINDINGS = 12
#: A language variety gets curves of its own with at least this many labelled findings,
#: and this many right and wrong among them; otherwise the variety-blind curve holds.
MIN_VARIETY_FINDINGS, MIN_VARIETY_EACH = 60, 10
#: Confidence is never quite 0 or 1 on real text.
FLOOR, CEILING = 0.02, 0.98
#: Share of real clean dev posts that may get a finding, and that may be blocked: the
#: operating floors are the least confidences that keep within these (the issue's
#: targets are 8% and 1% on the test splits; the budget leaves a margin).
FLAG_BUDGET, BLOCK_BUDGET = 0.075, 0.008


@dataclass(frozen=True)
class LabelledPost:
    text: str
    jurisdiction: str
    account_type: str
    labels: frozenset[str]
    #: the categories whose presence or absence this post's labels tell.
    known: frozenset[str]
    source: str
    #: how many posts of its data set this one stands for (the sample is capped per set,
    #: the pooled figures are not): the operating floors are set on the pooled mix.
    weight: float = 1.0


def calibration_posts(own_dev: Sequence[LabelledPost], per_set: int = PER_SET) -> tuple[list[LabelledPost],
                                                                                       list[dict[str, str]]]:
    """The project's dev posts plus each public set's dev split; returns posts and sources."""
    posts = list(own_dev)
    used: list[dict[str, str]] = []
    for mapping in MAPPING:
        spec = datasets.get(mapping.name)
        if mapping.name.split(":")[0] in EVAL_ONLY or "dev" not in spec.splits:
            continue
        try:
            everything = datasets.load(mapping.name, "dev")
        except FileNotFoundError:
            continue
        examples = sample(everything, per_set)
        weight = len(everything) / max(1, len(examples))
        for e in examples:
            labels = mapping.labels(e)
            if labels is None:
                continue
            clean = not labels and mapping.has_negatives
            known = (CONTENT | {"confidential", "self_promotion"}) if clean else spec.annotated
            posts.append(LabelledPost(e.text, e.jurisdiction, "personal", e.categories, frozenset(known),
                                      mapping.name, weight))
        used.append({"set": mapping.name, "split": "dev", "posts": str(len(examples)), "licence": spec.licence})
    return posts, used


#: Where the curves are sampled (linear interpolation between).
KNOTS: tuple[float, ...] = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0)


def _logit(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 1e-3, 1 - 1e-3)
    out: np.ndarray = np.log(x / (1 - x))
    return out


def _curve(x: np.ndarray, y: np.ndarray) -> Curve | None:
    from sklearn.linear_model import LogisticRegression

    n, pos = len(y), int(y.sum())
    if n < MIN_FINDINGS:
        return None
    mean = min(max((pos + 0.5) / (n + 1.0), FLOOR), CEILING)  # pulled towards a half by a pseudo-count
    if pos == 0 or pos == n:
        return Curve((0.0, 1.0), (mean, mean), (pos, n))
    lr = LogisticRegression(C=1.0).fit(_logit(x).reshape(-1, 1), y)
    if lr.coef_[0][0] <= 0:
        return Curve((0.0, 1.0), (mean, mean), (pos, n))
    ys = lr.predict_proba(_logit(np.array(KNOTS)).reshape(-1, 1))[:, 1]
    ys = np.clip(ys, FLOOR, CEILING)
    return Curve(KNOTS, tuple(float(v) for v in ys), (pos, n))


def fit_calibration(
    screener: Screener,
    posts: Sequence[LabelledPost],
    sources: Sequence[dict[str, str]],
    log: Callable[[str], None] = print,
    modes: Sequence[str] = MODES,
) -> Calibration:
    """Screen ``posts`` uncalibrated in each mode and fit one curve per category and kind."""
    curves: dict[tuple[str, str, str], Curve] = {}
    by_variety: dict[tuple[str, str, str, str], Curve] = {}
    report_floor: dict[str, float] = {}
    block_floor: dict[str, float] = {}
    batch = [(p.text, p.jurisdiction, p.account_type) for p in posts]
    for mode in modes:
        langs: list[str | None] = []
        raw: list[dict[str, tuple[float, EvidenceKind]]] = []
        for start in range(0, len(batch), 256):
            for lang, found in screener.raw_confidences(batch[start:start + 256], mode=mode):  # type: ignore[arg-type]
                langs.append(variety(lang))
                raw.append(found)
        for category in SCORED_CATEGORIES:
            for kind in ("rule", "model"):
                xs, ys, vs = [], [], []
                for post, found, v in zip(posts, raw, langs, strict=True):
                    hit = found.get(category)
                    if hit is None or hit[1] != kind or category not in post.known:
                        continue
                    xs.append(hit[0])
                    ys.append(category in post.labels)
                    vs.append(v)
                x, y = np.array(xs, dtype=float), np.array(ys, dtype=bool)
                curve = _curve(x, y)
                if curve is None:
                    continue
                curves[(mode, category, kind)] = curve
                log(f"  calibration {mode} {category} {kind}: {curve.support[0]}/{curve.support[1]} right, "
                    f"raw 0.5 -> {curve(0.5):.2f}, raw 0.9 -> {curve(0.9):.2f}")
                for v in VARIETIES:
                    mask = np.array([w == v for w in vs], dtype=bool)
                    right = int(y[mask].sum())
                    if mask.sum() < MIN_VARIETY_FINDINGS or min(right, int(mask.sum()) - right) < MIN_VARIETY_EACH:
                        continue
                    own = _curve(x[mask], y[mask])
                    if own is not None:
                        by_variety[(mode, category, kind, v)] = own
        # The operating floors: the top calibrated confidence of each real clean post
        # (severe categories only for blocking), and the least floors within budget.
        top: list[tuple[float, float]] = []
        top_severe: list[tuple[float, float]] = []
        fitted = Calibration(curves, by_variety)
        for post, found, v in zip(posts, raw, langs, strict=True):
            if post.source == OWN or post.labels or not post.known >= CONTENT:
                continue
            conf = {c: fitted.apply(mode, c, k, x, v) for c, (x, k) in found.items()
                    if c in SCORED_CATEGORIES}
            top.append((max(conf.values(), default=0.0), post.weight))
            top_severe.append((max((p for c, p in conf.items() if c in SEVERE), default=0.0), post.weight))
        report_floor[mode] = _floor(top, FLAG_BUDGET, 0.5)
        block_floor[mode] = _floor(top_severe, BLOCK_BUDGET, 0.8)
        log(f"  {mode}: report floor {report_floor[mode]:.3f}, block floor {block_floor[mode]:.3f} "
            f"({len(top)} real clean posts)")
    return Calibration(curves, by_variety,
                       {"posts": len(posts), "sets": list(sources),
                        "method": "Platt scaling per mode, category, kind of evidence and (where the data "
                                  "allow) language variety",
                        "flag_budget": FLAG_BUDGET, "block_budget": BLOCK_BUDGET},
                       report_floor, block_floor)


def _floor(tops: Sequence[tuple[float, float]], budget: float, least: float) -> float:
    """The least threshold >= ``least`` that leaves at most ``budget`` of the (weighted)
    ``(top confidence, weight)`` pairs at or above it."""
    total = sum(w for _, w in tops)
    if not total:
        return least
    above = 0.0
    for conf, w in sorted(tops, reverse=True):
        if above + w > budget * total:  # this post must fall below the floor
            return least if conf < least else round(min(conf + 1e-4, CEILING), 4)
        above += w
    return least
