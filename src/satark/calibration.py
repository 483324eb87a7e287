"""One calibrated confidence scale for rules and models, fitted on real posts.

Detectors give raw confidences on scales of their own: a lexicon entry's is a curator's
guess, a classifier's is fitted to the posts it was trained on. On real posts they mean
different things (a model's 0.95 on an innocent short comment, a slur list's 0.8 on a
real insult). So each finding's combined raw confidence goes through a monotone curve,
per mode and category, and per *kind* of evidence: ``rule`` when a rule pinpointed
words or an identifier, ``model`` when only a classifier spoke. Where the real posts of
a language variety are enough, that variety gets curves of its own (a model can be
sure of Hindi abuse and unsure of Bengali); elsewhere the variety-blind curve holds. The curves are isotonic
fits of "was this finding right?" on labelled real posts (the public data sets' dev
splits and the project's own dev posts), so that a confidence of 0.9 is right about
nine times in ten on such text.

A curve is stored as knots (``xs``, ``ys``) and read by linear interpolation: plain
numbers in ``calibration.json`` beside the models, no pickles.

Beside the curves, each mode has two *operating floors*, also chosen on real dev posts:
the least calibrated confidence at which a finding is reported, and at which it blocks.
They only ever raise the pack's own thresholds (``report_min_confidence``,
``block_min_confidence``): "more likely right than wrong" is not enough when nine real
posts in ten are innocent, so the floors hold the share of real clean posts flagged and
blocked to a budget (:data:`satark.training.calibrate.FLAG_BUDGET`).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Calibration", "Curve", "EvidenceKind", "variety"]

EvidenceKind = Literal["rule", "model"]
#: The varieties that can get curves of their own (native script with English words
#: counts as its native script).
VARIETIES: tuple[str, ...] = ("hi", "bn", "en", "hi-en", "bn-en")


def variety(language: str) -> str | None:
    """The calibration variety of an identified language code (``hi-mixed`` -> ``hi``)."""
    code = {"hi-mixed": "hi", "bn-mixed": "bn"}.get(language, language)
    return code if code in VARIETIES else None


@dataclass(frozen=True)
class Curve:
    """A monotone map from raw to calibrated confidence."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    #: labelled findings it was fitted on (positives, all), for the model card.
    support: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        if len(self.xs) != len(self.ys) or not self.xs:
            raise ValueError("a calibration curve needs as many xs as ys, and at least one")
        if any(b < a for a, b in zip(self.xs, self.xs[1:], strict=False)):
            raise ValueError("calibration xs must be sorted")
        if any(b < a - 1e-9 for a, b in zip(self.ys, self.ys[1:], strict=False)):
            raise ValueError("calibration ys must not decrease")

    def __call__(self, x: float) -> float:
        """Piecewise-linear, flat outside the knots: ``numpy.interp``'s arithmetic, step for
        step (so results are bit-identical), without importing numpy on the rules path."""
        xs, ys = self.xs, self.ys
        if x < xs[0]:
            return float(ys[0])
        if x >= xs[-1]:
            return float(ys[-1])
        j = bisect_right(xs, x) - 1
        if xs[j] == x:
            return float(ys[j])
        slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
        return float(slope * (x - xs[j]) + ys[j])

    def to_dict(self) -> dict[str, Any]:
        return {"xs": [round(x, 4) for x in self.xs], "ys": [round(y, 4) for y in self.ys],
                "support": list(self.support)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Curve:
        support = d.get("support", (0, 0))
        return cls(tuple(float(x) for x in d["xs"]), tuple(float(y) for y in d["ys"]),
                   (int(support[0]), int(support[1])))


@dataclass(frozen=True)
class Calibration:
    """Curves by ``(mode, category, kind)``; a missing curve leaves the confidence as it is."""

    curves: Mapping[tuple[str, str, str], Curve] = field(default_factory=dict)
    #: curves of one language variety: ``(mode, category, kind, variety)``.
    by_variety: Mapping[tuple[str, str, str, str], Curve] = field(default_factory=dict)
    #: where the curves came from (data sets, splits), for reports and the model card.
    source: Mapping[str, Any] = field(default_factory=dict)
    #: per mode: the least confidence at which a finding is reported.
    report_floor: Mapping[str, float] = field(default_factory=dict)
    #: per mode: the least confidence at which a finding may block.
    block_floor: Mapping[str, float] = field(default_factory=dict)
    #: curves already looked up (:meth:`curve`); not part of the value
    _chosen: dict[tuple[str, str, str, str | None], Curve | None] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def apply(self, mode: str, category: str, kind: EvidenceKind, confidence: float,
              language: str | None = None) -> float:
        curve = self.curve(mode, category, kind, language)
        return confidence if curve is None else curve(confidence)

    def curve(self, mode: str, category: str, kind: EvidenceKind, language: str | None = None) -> Curve | None:
        """The curve :meth:`apply` reads: the language variety's, else the variety-blind
        one, else none. Remembered per key: every finding of every post asks."""
        key = (mode, category, kind, language)
        try:
            return self._chosen[key]
        except KeyError:
            pass
        curve = None
        if language is not None and (v := variety(language)) is not None:
            curve = self.by_variety.get((mode, category, kind, v))
        if curve is None:
            curve = self.curves.get((mode, category, kind))
        if len(self._chosen) < 4096:  # (language codes come from langid: a handful)
            self._chosen[key] = curve
        return curve

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": dict(self.source), "report_floor": dict(self.report_floor),
                               "block_floor": dict(self.block_floor), "curves": {}}
        for (mode, category, kind), curve in sorted(self.curves.items()):
            out["curves"].setdefault(mode, {}).setdefault(category, {})[kind] = curve.to_dict()
        if self.by_variety:
            out["by_variety"] = {}
        for (mode, category, kind, v), curve in sorted(self.by_variety.items()):
            out["by_variety"].setdefault(mode, {}).setdefault(v, {}).setdefault(category, {})[kind] = curve.to_dict()
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Calibration:
        curves = {
            (mode, category, kind): Curve.from_dict(c)
            for mode, by_cat in d.get("curves", {}).items()
            for category, by_kind in by_cat.items()
            for kind, c in by_kind.items()
        }
        by_variety = {
            (mode, category, kind, v): Curve.from_dict(c)
            for mode, by_v in d.get("by_variety", {}).items()
            for v, by_cat in by_v.items()
            for category, by_kind in by_cat.items()
            for kind, c in by_kind.items()
        }
        return cls(curves, by_variety, d.get("source", {}),
                   {k: float(v) for k, v in d.get("report_floor", {}).items()},
                   {k: float(v) for k, v in d.get("block_floor", {}).items()})

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
