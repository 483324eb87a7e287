"""What the engine returns: spans, hits, findings and the report.

Hot-path objects are slotted dataclasses, not pydantic models: a report is built for
every post, thousands of times a second, and only validated input needs pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .categories import Severity

__all__ = ["Finding", "Hit", "LanguageGuess", "Report", "Span", "Verdict", "drop_nested_spans"]


class Verdict(StrEnum):
    CLEAR = "clear"
    REVIEW = "review"
    BLOCK = "block"

    @property
    def exit_code(self) -> int:
        return {"clear": 0, "review": 1, "block": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Span:
    """Half-open character offsets into the ORIGINAL text, with the text they cover."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


def drop_nested_spans(spans: list[Span]) -> list[Span]:
    """Sorted spans without those inside another (a phrase and one of its words)."""
    ordered = sorted(set(spans), key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    for s in ordered:
        if out and s.start >= out[-1].start and s.end <= out[-1].end:
            continue
        out.append(s)
    return out


@dataclass(frozen=True, slots=True)
class Hit:
    """A detector's raw result, before it is tied to the clauses of a policy pack.

    ``details`` is the decision process: which pattern or term matched, which context
    words raised the score, which validator passed.
    ``reason`` is a short message key plus parameters, rendered per language later.
    """

    category: str
    confidence: float
    spans: tuple[Span, ...]
    severity: Severity
    detector: str
    reason: str
    details: Mapping[str, Any] = field(default_factory=dict)
    #: True when the spans only locate the sentence the signal is in (a classifier's
    #: evidence); exact spans from other detectors of the category are shown instead.
    coarse: bool = False
    #: Evidence costly to find (the sentence a classifier's signal is in): a function
    #: that returns this hit with its final ``spans`` and ``details`` (the same category,
    #: confidence and severity). The engine calls it only for a finding it reports; most
    #: hits of a classifier are below the reporting floor, so their evidence is never
    #: looked for. ``None``: the hit is complete.
    complete: Callable[[], Hit] | None = field(default=None, compare=False, repr=False)

    def completed(self) -> Hit:
        """This hit with its final spans and details."""
        return self if self.complete is None else self.complete()


@dataclass(frozen=True, slots=True)
class Finding:
    """A hit that breaks one or more clauses of the pack in force, explained."""

    category: str
    clause_ids: tuple[str, ...]
    confidence: float
    severity: Severity
    spans: tuple[Span, ...]
    detector: str
    explanation: Mapping[str, str]
    details: Mapping[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return self.explanation.get(lang) or self.explanation["en"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "clause_ids": list(self.clause_ids),
            "confidence": round(self.confidence, 4),
            "severity": str(self.severity),
            "spans": [s.to_dict() for s in self.spans],
            "detector": self.detector,
            "explanation": dict(self.explanation),
            "details": dict(self.details),
        }


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """``code`` is one of hi, bn, en, hi-Latn, bn-Latn, mixed or und."""

    code: str
    scripts: Mapping[str, float]
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "scripts": {k: round(v, 3) for k, v in self.scripts.items()},
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class Report:
    text: str
    verdict: Verdict
    findings: tuple[Finding, ...]
    pack_id: str
    jurisdiction: str
    account_type: str
    language: LanguageGuess
    #: the mode it was screened in, and the learned model set that took part (``shipped``
    #: or a set trained on the office's machine, with its version; ``None`` in rules mode).
    mode: str = ""
    model_set: str | None = None

    @property
    def categories(self) -> set[str]:
        return {f.category for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "pack": self.pack_id,
            "jurisdiction": self.jurisdiction,
            "account_type": self.account_type,
            "language": self.language.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "length": len(self.text),
            "mode": self.mode,
            "model_set": self.model_set,
        }
