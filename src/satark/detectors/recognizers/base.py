"""The recognizer base: patterns with base scores, context words and an optional validator.

A recognizer finds the candidates of one entity ("IN_AADHAAR", "BD_NID") in a stretch of
text and says how each was found, so that every finding can show its decision process:
which recognizer, which pattern, the pattern's score, and whether a validator (a
checksum, ``phonenumbers``) confirmed or rejected it. Whose number it is, and so whether
it leaks, is decided later from the context words around it (:mod:`.context`).

Patterns run with the ``regex`` module (case-insensitive, ``\\K`` supported, Unicode word
boundaries that treat Indic vowel signs as word characters), as Presidio's
``PatternRecognizer`` did, so the recognizers ported from Presidio match exactly as
before. The scoring rules are Presidio's too: a validator's ``True`` makes the score 1.0,
``False`` drops the match, ``None`` keeps the pattern's score; ``invalidate_result``
answering ``True`` drops it; of overlapping matches of the same entity, one contained in
another with no higher score is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["MAX_SCORE", "Pattern", "Recognizer", "RecognizerResult"]

MAX_SCORE = 1.0
#: case-insensitive, ``.`` matches newlines, ``^``/``$`` at line ends: Presidio's flags
_FLAGS_NAMES = ("IGNORECASE", "DOTALL", "MULTILINE")


@dataclass(frozen=True, slots=True)
class Pattern:
    """A named regular expression and the score a match of it starts with."""

    name: str
    regex: str
    score: float


@dataclass(frozen=True, slots=True)
class RecognizerResult:
    """One match: where, what, how it was found, and its score after validation."""

    entity_type: str
    start: int
    end: int
    score: float
    pattern_name: str
    original_score: float  # the pattern's score, before the validator
    validation_result: bool | None  # the validator's answer (None: it had none)

    def contained_in(self, other: RecognizerResult) -> bool:
        return self.start >= other.start and self.end <= other.end


class Recognizer:
    """Patterns of one entity with context words and a validator (override the hooks).

    Subclasses set ``PATTERNS`` or pass ``patterns``; ``role`` tells the confidential-data
    detector which of its decision rules applies ("aadhaar", "phone", ...); a recognizer
    with the role ``generic`` (a third party's, or one from a data file) is decided by its
    own context words.
    """

    PATTERNS: ClassVar[list[Pattern]] = []
    role: ClassVar[str] = "generic"
    #: digits partly hidden ("01711-xxx-482"): scored below full numbers
    masked: ClassVar[bool] = False

    def __init__(
        self,
        *,
        supported_entity: str,
        patterns: list[Pattern] | None = None,
        context: list[str] | None = None,
        name: str | None = None,
    ) -> None:
        self.supported_entity = supported_entity
        self.patterns = list(patterns if patterns is not None else self.PATTERNS)
        self.context = list(context or ())
        self.name = name or type(self).__name__
        self._compiled: list[Any] | None = None

    @property
    def supported_entities(self) -> list[str]:
        return [self.supported_entity]

    def validate_result(self, pattern_text: str) -> bool | None:
        """``True``: confirmed (score 1.0); ``False``: not this entity; ``None``: no verdict."""
        return None

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """``True`` drops the match (a placeholder such as "0000000000")."""
        return None

    def _regexes(self) -> list[Any]:
        if self._compiled is None:
            import regex  # ~25 ms; only recognizers that run pay it

            flags = 0
            for flag in _FLAGS_NAMES:
                flags |= getattr(regex, flag)
            self._compiled = [regex.compile(p.regex, flags) for p in self.patterns]
        return self._compiled

    def analyze(self, text: str) -> list[RecognizerResult]:
        """Every match in ``text`` that survives validation, best score first."""
        results: list[RecognizerResult] = []
        seen: set[tuple[int, int, float]] = set()
        for pattern, compiled in zip(self.patterns, self._regexes(), strict=True):
            for match in compiled.finditer(text):
                start, end = match.span()
                if start == end:
                    continue
                found = text[start:end]
                verdict = self.validate_result(found)
                score = pattern.score
                if verdict is not None:
                    score = MAX_SCORE if verdict else 0.0
                if self.invalidate_result(found):
                    score = 0.0
                if score <= 0.0 or (start, end, score) in seen:
                    continue
                seen.add((start, end, score))
                results.append(RecognizerResult(
                    self.supported_entity, start, end, score, pattern.name, pattern.score, verdict,
                ))
        return _remove_contained(results)


def _remove_contained(results: list[RecognizerResult]) -> list[RecognizerResult]:
    """Drop a match inside another one that scores at least as high (Presidio's rule)."""
    ordered = sorted(results, key=lambda r: (r.start, -(r.end - r.start), -r.score))
    kept: list[RecognizerResult] = []
    active: list[RecognizerResult] = []
    for result in ordered:
        active = [a for a in active if a.end >= result.start]
        if any(result.contained_in(a) and result.score <= a.score for a in active):
            continue
        kept.append(result)
        active.append(result)
    return sorted(kept, key=lambda r: (-r.score, r.start, -(r.end - r.start)))
