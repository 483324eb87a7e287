"""The screening engine: text → normalise → detectors → findings per clause → report.

The engine knows nothing of the web or of storage. It is built from the registries
(:mod:`satark.plugins`), so a third-party pack or detector takes part exactly as the
built-ins do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from .calibration import Calibration, EvidenceKind
from .categories import CATEGORIES, Severity
from .detectors.base import Detector, ScreenContext
from .errors import ConfigError, InputError
from .findings import Finding, Hit, Report, Verdict, drop_nested_spans
from .langid import identify
from .messages import LANGS, reason_text
from .normalize import Document, normalize
from .packs.model import Clause, PolicyPack, VerdictPolicy
from .packs.registry import PackRegistry

__all__ = ["DEFAULT_MAX_CHARS", "MODES", "AccountType", "Mode", "Screener", "check_post", "default_screener", "screen"]

#: Facebook's own limit for a post is 63,206 characters; anything longer is not a post.
DEFAULT_MAX_CHARS = 65_536
AccountType = Literal["official", "personal"]
Mode = Literal["rules", "fast", "full"]
MODES: tuple[str, ...] = ("rules", "fast", "full")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

_TEMPLATES = {
    "en": "{label}: {reason}. This breaks {citation} ({title}).",
    "hi": "{label}: {reason}। यह {citation} ({title}) का उल्लंघन है।",
    "bn": "{label}: {reason}। এটি {citation} ({title}) লঙ্ঘন করে।",
}


class Screener:
    """Holds the packs and detectors; cheap to call, so build one and reuse it."""

    def __init__(
        self,
        packs: PackRegistry,
        detectors: Sequence[Detector],
        *,
        max_chars: int = DEFAULT_MAX_CHARS,
        mode: Mode | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.packs = packs
        self.detectors = tuple(detectors)
        self.max_chars = max_chars
        self.calibration = calibration or Calibration()
        self._model_sets: dict[str, str | None] = {}
        # the pack in force per jurisdiction as callers spell it, valid while the
        # registry holds as many packs as it did when filled (packs are only added)
        self._pack_for: dict[str, PolicyPack] = {}
        self._packs_known = -1
        # per (pack, category, account type): the clauses a finding cites, weightiest first
        self._clauses: dict[tuple[int, str, str], tuple[PolicyPack, tuple[Clause, ...]]] = {}
        # A detector with a ``modes`` attribute runs only in those modes (the classifiers);
        # one without runs in every mode (the rules).
        self._by_mode = {
            m: tuple(d for d in self.detectors if m in getattr(d, "modes", MODES)) for m in MODES
        }
        if mode is None:
            # The best mode that has a detector of its own: full, else fast, else rules.
            mode = next((m for m in ("full", "fast") if len(self._by_mode[m]) > len(self._by_mode["rules"])),
                        "rules")
        self.mode: Mode = self._check_mode(mode)

    @staticmethod
    def _check_mode(mode: object) -> Mode:
        if mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        return mode  # type: ignore[return-value]

    def detectors_for(self, mode: Mode | None = None) -> tuple[Detector, ...]:
        return self._by_mode[self._check_mode(mode or self.mode)]

    @classmethod
    def from_plugins(cls, *, max_chars: int = DEFAULT_MAX_CHARS, mode: Mode | None = None) -> Screener:
        from .plugins import get_plugin_manager

        hook = get_plugin_manager().hook
        registry = PackRegistry.from_plugins()
        detectors = [factory() for batch in hook.satark_detectors() for factory in batch]
        return cls(registry, detectors, max_chars=max_chars, mode=mode, calibration=hook.satark_calibration())

    def warm_up(self) -> None:
        """Load now what detectors otherwise load on first use (patterns, libraries,
        models): for servers and benchmarks, so that no post in a stream pays for it.
        Detectors opt in with a ``warm_up()`` method; results do not change."""
        for detector in self.detectors:
            warm = getattr(detector, "warm_up", None)
            if warm is not None:
                warm()

    def check_input(self, text: object) -> str:
        return check_post(text, max_chars=self.max_chars)

    def screen(
        self,
        text: str,
        *,
        jurisdiction: str,
        account_type: AccountType = "personal",
        categories: Iterable[str] | None = None,
        mode: Mode | None = None,
    ) -> Report:
        """Screen one post against the pack in force for ``jurisdiction``.

        ``categories`` limits which categories are reported (all by default). ``mode``:
        ``rules`` (lexicons, identifiers, context rules), ``fast`` (+ the n-gram model, for
        bulk audits) or ``full`` (+ the sentence-encoder model); default: the screener's.
        """
        mode = self._check_mode(mode or self.mode)
        doc, ctx = self._prepare(text, jurisdiction, account_type)
        hits = [hit for detector in self.detectors_for(mode) for hit in detector.detect(doc, ctx)]
        return self._report(doc, ctx, hits, categories, mode)

    def screen_many(
        self,
        posts: Sequence[tuple[str, str, AccountType]],
        *,
        categories: Iterable[str] | None = None,
        mode: Mode | None = None,
    ) -> list[Report]:
        """Screen ``(text, jurisdiction, account_type)`` posts in one batch (bulk audits).

        Same reports as :meth:`screen` one by one; detectors that can work on a batch
        (the classifiers: ``detect_many``) do, which is much faster per post.
        """
        mode = self._check_mode(mode or self.mode)
        prepared, hits = self._hits_many(posts, mode)
        return [self._report(d, c, h, categories, mode) for (d, c), h in zip(prepared, hits, strict=True)]

    def raw_confidences(
        self, posts: Sequence[tuple[str, str, AccountType]], *, mode: Mode | None = None
    ) -> list[tuple[str, dict[str, tuple[float, EvidenceKind]]]]:
        """Per post, its identified language, and each category's combined confidence
        *before* calibration with its kind of evidence.

        What calibration is fitted on (``satark train``): every category that a detector
        raised, however weakly (below the reporting threshold too), and that the pack
        has a clause for on the post's account type, as a report would treat it.
        """
        mode = self._check_mode(mode or self.mode)
        prepared, hits = self._hits_many(posts, mode)
        out = []
        for (_, ctx), found in zip(prepared, hits, strict=True):
            by_category: dict[str, list[Hit]] = {}
            for hit in found:
                if _applies(hit.category, ctx.pack, ctx.account_type):
                    by_category.setdefault(hit.category, []).append(hit)
            out.append((ctx.language.code, {c: (_noisy_or(group), _kind(group)) for c, group in by_category.items()}))
        return out

    def _hits_many(
        self, posts: Sequence[tuple[str, str, AccountType]], mode: Mode
    ) -> tuple[list[tuple[Document, ScreenContext]], list[list[Hit]]]:
        prepared = [self._prepare(t, j, a) for t, j, a in posts]
        docs = [d for d, _ in prepared]
        ctxs = [c for _, c in prepared]
        hits: list[list[Hit]] = [[] for _ in posts]
        for detector in self.detectors_for(mode):
            many = getattr(detector, "detect_many", None)
            batch = many(docs, ctxs) if many is not None else [list(detector.detect(d, c)) for d, c in prepared]
            for i, found in enumerate(batch):
                hits[i].extend(found)
        return prepared, hits

    def _prepare(self, text: str, jurisdiction: str, account_type: str) -> tuple[Document, ScreenContext]:
        text = self.check_input(text)
        if account_type not in ("official", "personal"):
            raise InputError(f"account_type must be 'official' or 'personal', not {account_type!r}")
        pack = self._pack(jurisdiction)
        doc = normalize(text)
        return doc, ScreenContext(pack=pack, account_type=account_type, language=identify(doc.norm.text))

    def _pack(self, jurisdiction: str) -> PolicyPack:
        if len(self.packs) != self._packs_known:
            self._pack_for.clear()
            self._packs_known = len(self.packs)
        pack = self._pack_for.get(jurisdiction)
        if pack is None:
            pack = self._pack_for[jurisdiction] = self.packs.get(jurisdiction)
        return pack

    def _cited(self, category: str, pack: PolicyPack, account_type: str) -> tuple[Clause, ...]:
        """The clauses a finding of ``category`` cites, weightiest and most specific first
        (a lettered item before its lead-in); none when the category does not apply."""
        key = (id(pack), category, account_type)
        cached = self._clauses.get(key)
        if cached is not None and cached[0] is pack:
            return cached[1]
        clauses: tuple[Clause, ...] = ()
        if _applies(category, pack, account_type):
            clauses = tuple(sorted(pack.clauses_for(category, account_type),
                                   key=lambda c: (-c.severity, c.parent is None)))
        self._clauses[key] = (pack, clauses)
        return clauses

    def _report(self, doc: Document, ctx: ScreenContext, hits: Sequence[Hit], categories: Iterable[str] | None,
                mode: Mode) -> Report:
        pack = ctx.pack
        findings = []
        if hits:  # most posts have none
            by_category: dict[str, list[Hit]] = {}
            for hit in hits:
                by_category.setdefault(hit.category, []).append(hit)
            wanted = set(categories) if categories is not None else None
            calibration, language = self.calibration, ctx.language.code
            floor = max(pack.verdict_policy.report_min_confidence, calibration.report_floor.get(mode, 0.0))
            for category, group in by_category.items():
                if wanted is not None and category not in wanted:
                    continue
                clauses = self._cited(category, pack, ctx.account_type)
                if not clauses:
                    continue
                # The hits' confidences combine (noisy-OR), then go through the calibration
                # curve for the mode, category, kind of evidence and language variety, so
                # that the pack's thresholds mean the same for rules and models.
                raw = _noisy_or(group)
                confidence = calibration.apply(mode, category, _kind(group), raw, language)
                if confidence >= floor:  # most model hits are below it
                    findings.append(_combine(category, group, clauses, confidence, raw, language))
            findings.sort(key=lambda f: (-f.severity, -f.confidence, f.category))
        return Report(
            text=doc.original,
            verdict=_verdict(findings, pack.verdict_policy, self.calibration.block_floor.get(mode, 0.0)),
            findings=tuple(findings),
            pack_id=pack.id,
            jurisdiction=pack.jurisdiction,
            account_type=ctx.account_type,
            language=ctx.language,
            mode=mode,
            model_set=self.model_set(mode),
        )

    def model_info(self, mode: Mode | None = None) -> dict[str, Any]:
        """The learned model set screening in ``mode``: its name, version, folder and
        training sources (``{}`` in rules mode)."""
        for detector in self.detectors_for(mode):
            describe = getattr(detector, "model_set", None)
            if describe is not None:
                info: dict[str, Any] = describe()
                return info
        return {}

    def model_set(self, mode: Mode | None = None) -> str | None:
        """The learned model set screening in ``mode`` (``"shipped v1"``), or ``None``."""
        mode = self._check_mode(mode or self.mode)
        if mode not in self._model_sets:
            info = self.model_info(mode)
            self._model_sets[mode] = f"{info['name']} v{info['version']}" if info else None
        return self._model_sets[mode]

def _applies(category: str, pack: PolicyPack, account_type: str) -> bool:
    meta = CATEGORIES.get(category)
    return meta is not None and account_type in meta.account_types and bool(pack.clauses_for(category, account_type))


def _noisy_or(hits: Sequence[Hit]) -> float:
    miss = 1.0
    for hit in hits:
        c = hit.confidence
        miss *= 1.0 - (0.0 if c < 0.0 else 1.0 if c > 1.0 else c)  # (clipped to [0, 1])
    return 1.0 - miss


def _kind(hits: Sequence[Hit]) -> EvidenceKind:
    """``rule`` when some detector pinpointed the words; ``model`` when only a classifier spoke."""
    for h in hits:
        if not h.coarse:
            return "rule"
    return "model"


def _combine(category: str, hits: list[Hit], clauses: Sequence[Clause], confidence: float, raw: float,
             language: str) -> Finding:
    """All hits of one category, reported at calibrated ``confidence`` (``raw``: their
    noisy-OR), become one finding citing ``clauses`` (those of the pack that the category
    breaks on the account type, weightiest and most specific first)."""
    hits = [h.completed() for h in hits]  # reported: now its evidence is looked for
    top = max(hits, key=lambda h: h.confidence)
    ceiling = max(c.severity for c in clauses)
    severity = min(max(h.severity for h in hits), ceiling)
    exact = [s for h in hits if not h.coarse for s in h.spans]
    spans = drop_nested_spans(exact or [s for h in hits for s in h.spans])
    return Finding(
        category=category,
        clause_ids=tuple(c.id for c in clauses),
        confidence=round(confidence, 4),
        severity=Severity(severity),
        spans=tuple(spans),
        detector=top.detector,
        explanation=_explain(category, top, clauses[0]),
        details={
            "raw_confidence": round(raw, 4),
            "evidence": [
                {
                    "detector": h.detector,
                    "reason": h.reason,
                    "confidence": h.confidence,
                    **dict(h.details),
                }
                for h in hits
            ]
        },
    )


def _explain(category: str, hit: Hit, clause: Clause) -> dict[str, str]:
    return {lang: head + reason_text(hit.reason, lang, hit.details) + tail
            for lang, head, tail in _frames(category, clause)}


#: per (category, clause): the explanation in each language around its reason
_FRAMES: dict[tuple[str, int], tuple[Clause, tuple[tuple[str, str, str], ...]]] = {}
_SLOT = "\x00reason\x00"


def _frames(category: str, clause: Clause) -> tuple[tuple[str, str, str], ...]:
    """``(lang, head, tail)``: :data:`_TEMPLATES` filled in for the category and clause
    but the reason, which goes between ``head`` and ``tail``. The same text as filling it
    all at once, made once per category and clause instead of for every finding."""
    key = (category, id(clause))
    cached = _FRAMES.get(key)
    if cached is not None and cached[0] is clause:
        return cached[1]
    label = CATEGORIES[category].label
    frames = []
    for lang in LANGS:
        filled = _TEMPLATES[lang].format(label=label[lang], reason=_SLOT, citation=clause.citation,
                                         title=clause.title.get(lang))
        head, _, tail = filled.partition(_SLOT)
        frames.append((lang, head, tail))
    if len(_FRAMES) >= 4096:  # packs are few; bounded all the same
        _FRAMES.clear()
    made = tuple(frames)
    _FRAMES[key] = (clause, made)
    return made


def _verdict(findings: Sequence[Finding], policy: VerdictPolicy, block_floor: float = 0.0) -> Verdict:
    verdict = Verdict.CLEAR
    block_at = max(policy.block_min_confidence, block_floor)
    for f in findings:
        if f.severity >= policy.block_min_severity and f.confidence >= block_at:
            return Verdict.BLOCK
        if f.severity >= policy.review_min_severity and f.confidence >= policy.review_min_confidence:
            verdict = Verdict.REVIEW
    return verdict


def check_post(text: object, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """``text`` if it can be screened, else :class:`InputError` saying why.

    A function, not only a method, so that the CLI rejects a bad post before it builds a
    screener (lexicons, recognizers, models).
    """
    if not isinstance(text, str):
        raise InputError(f"a post must be text, not {type(text).__name__}")
    if not text or text.isspace():
        raise InputError("the post is empty")
    if len(text) > max_chars:
        raise InputError(f"the post is {len(text):,} characters long; the limit is {max_chars:,}")
    if not text.isascii() and _SURROGATE_RE.search(text):  # (isascii is a flag of the str: free)
        raise InputError("the post contains invalid characters (unpaired surrogates)")
    return text


def default_screener() -> Screener:
    """The process-wide screener built from the registered plugins (built once).

    Its mode comes from ``SATARK_MODE`` (rules, fast or full) when set.
    """
    mode = os.environ.get("SATARK_MODE") or None
    if mode is not None and mode not in MODES:
        raise ConfigError(f"SATARK_MODE={mode!r}: should be one of {', '.join(MODES)}")
    return Screener.from_plugins(mode=mode)  # type: ignore[arg-type]


def screen(
    text: str,
    *,
    jurisdiction: str,
    account_type: AccountType = "personal",
    categories: Iterable[str] | None = None,
    mode: Mode | None = None,
) -> Report:
    """Screen ``text`` with the default screener. See :meth:`Screener.screen`."""
    return default_screener().screen(
        text, jurisdiction=jurisdiction, account_type=account_type, categories=categories, mode=mode
    )



