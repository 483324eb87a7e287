"""Curated-lexicon detector: every category's reviewed terms, matched in one pass."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from pathlib import Path

from ..categories import Severity
from ..findings import Hit, Span, drop_nested_spans
from ..hookspecs import hookimpl
from ..lexicons import LexiconIndex, Match, load_lexicon
from ..normalize import Document
from .base import Detector, ScreenContext

__all__ = ["LexiconDetector"]

#: Below this a category's lexicon evidence is not even passed on to the engine.
MIN_HIT_CONFIDENCE = 0.15
_FIRST = attrgetter("first")


class LexiconDetector:
    """Noisy-OR over the distinct terms of a category; counter-cues damp the result.

    Weak cues (weight < 0.5) only add up to a finding together, so that a post which
    merely *mentions* an election or a transfer list is not flagged, while one that adds
    "vote for" or "leak" is.
    """

    name = "lexicon"

    def __init__(self, index: LexiconIndex) -> None:
        self.index = index
        self.categories = frozenset(lex.category for lex in index.files)

    @classmethod
    def from_paths(cls, paths: Sequence[Path]) -> LexiconDetector:
        return cls(LexiconIndex(load_lexicon(p) for p in paths))

    @classmethod
    def from_plugins(cls) -> LexiconDetector:
        from ..plugins import get_plugin_manager

        paths = [p for batch in get_plugin_manager().hook.satark_lexicons() for p in batch]
        return cls.from_paths(paths)

    def clear_caches(self) -> None:
        """Forget the words classified so far (``satark bench``: each pass from the same state)."""
        self.index.clear_caches()

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        matches = self.index.find(doc.key_words)
        if not matches:
            return []
        by_category: dict[str, list[Match]] = {}
        for m in matches:
            by_category.setdefault(m.category, []).append(m)
        hits = []
        for category, ms in by_category.items():
            positive: dict[str, Match] = {}
            damp = 1.0
            seen_neg: set[str] = set()
            for m in ms:
                if m.weight > 0:
                    if m.term not in positive or positive[m.term].weight < m.weight:
                        positive[m.term] = m
                elif m.term not in seen_neg:
                    seen_neg.add(m.term)
                    damp *= 1.0 + m.weight
            if not positive:
                continue
            miss = 1.0
            for m in positive.values():
                miss *= 1.0 - m.weight
            confidence = (1.0 - miss) * damp
            if confidence < MIN_HIT_CONFIDENCE:
                continue
            spans = []
            word_span, original = doc.key_word_span, doc.original
            for m in sorted(ms, key=_FIRST):
                if m.weight <= 0:
                    continue
                a, b = doc.span_from_key(word_span(m.first)[0], word_span(m.last)[1])
                spans.append(Span(a, b, original[a:b]))
            spans = drop_nested_spans(spans)
            severity = max((m.severity for m in positive.values()), default=Severity.LOW)
            terms = ", ".join(f"«{s.text}»" for s in spans[:3])
            hits.append(
                Hit(
                    category=category,
                    confidence=round(confidence, 4),
                    spans=tuple(spans),
                    severity=severity,
                    detector=self.name,
                    reason="lexicon",
                    details={
                        "terms": terms,
                        "matched": sorted({f"{m.term} ({m.lang}, {m.weight:+.2f})" for m in ms}),
                        "counter_cues": sorted(seen_neg),
                    },
                )
            )
        return hits


@hookimpl
def satark_detectors() -> Iterable[Callable[[], Detector]]:
    return [LexiconDetector.from_plugins]
