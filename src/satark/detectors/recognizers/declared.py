"""Recognizers for identifiers declared in data files (a state's ration card, a permit).

Such an identifier has no rule of its own in the detector's decision table; it is
decided by its own context words (:meth:`DeclaredRecognizer.label_near`): labelled, it is
a leak; validated by its checksum and next to a citizen's particulars, a likely one.
A validator's failure drops the match.
"""

from __future__ import annotations

import re
from typing import ClassVar

from .base import Pattern, Recognizer
from .context import norm_term, trie_regex
from .data import IdentifierSpec, validator_for

__all__ = ["DeclaredRecognizer"]


class DeclaredRecognizer(Recognizer):
    """A recognizer built from an ``identifiers`` entry of a data file."""

    role: ClassVar[str] = "generic"

    def __init__(self, spec: IdentifierSpec) -> None:
        super().__init__(
            supported_entity=spec.entity,
            patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
            context=list(spec.context),
            name=f"DeclaredRecognizer[{spec.entity}]",
        )
        self.spec = spec
        self.validator_name = spec.validator
        self._check = validator_for(spec.validator)
        self._label_re = re.compile(
            r"(?<![0-9a-z])(?:" + trie_regex(norm_term(w) for w in spec.context) + ")"
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        if self._check is None:
            return None
        return bool(self._check(pattern_text))  # a failed checksum: not this identifier

    def label_near(self, text: str, start: int, end: int, *, before: int = 40,
                   after: int = 25) -> str | None:
        """The nearest of its context words within the window, or ``None``."""
        best: tuple[int, str] | None = None
        for m in self._label_re.finditer(text, max(0, start - before), min(len(text), end + after)):
            if m.end() <= start or m.start() >= end:
                gap = start - m.end() if m.end() <= start else m.start() - end
                if best is None or gap < best[0]:
                    best = (gap, m.group())
        return None if best is None else best[1]
