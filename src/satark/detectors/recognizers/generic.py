"""Recognizers that belong to no one country: e-mail addresses and memo/file numbers.

Every recognizer here and in :mod:`.india` / :mod:`.bangladesh` is a
:class:`.base.Recognizer`: patterns with base scores, context words and a validator.
They run on the ``norm`` view of a post (digits already ASCII, positions unchanged) and
only after the detector's prefilter found a candidate, so their per-call overhead (the
``regex`` module) is paid on few posts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import ClassVar, NamedTuple

from .base import Pattern, Recognizer
from .context import CueKind, norm_term, terms_for, trie_regex
from .data import merged_data

__all__ = [
    "ENGLISH_MEMO_LABELS",
    "EnMemoRecognizer",
    "MemoNumberRecognizer",
    "PhoneInfo",
    "SatarkEmailRecognizer",
    "classify_phone",
    "is_official_email",
]

class PhoneInfo(NamedTuple):
    """A number ``phonenumbers`` accepts: E.164 form and line type (MOBILE, FIXED_LINE...)."""

    e164: str
    number_type: str


_TYPE_NAMES = ("FIXED_LINE", "MOBILE", "FIXED_LINE_OR_MOBILE", "TOLL_FREE", "PREMIUM_RATE",
               "SHARED_COST", "VOIP", "PERSONAL_NUMBER", "PAGER", "UAN", "VOICEMAIL")


@cache
def type_names() -> dict[int, str]:
    import phonenumbers  # ~0.1 s; only posts with a phone-shaped number load it

    return {getattr(phonenumbers.PhoneNumberType, name): name for name in _TYPE_NAMES}


@lru_cache(maxsize=4096)
def classify_phone(e164: str) -> PhoneInfo | None:
    """``None`` unless ``phonenumbers`` knows the number's type (i.e. it is valid).

    ``number_type`` alone answers both questions (an invalid number is UNKNOWN), half the
    cost of ``is_valid_number`` followed by ``number_type``; the cache serves the
    validator and the decision record, which both ask.
    """
    import phonenumbers

    names = type_names()
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return None
    name = names.get(phonenumbers.number_type(number))
    return None if name is None else PhoneInfo(e164, name)


# gov.in, nic.in, gov.bd, *.gov, and state portals under them (cg.gov.in, mopa.gov.bd).
_OFFICIAL_DOMAIN_RE = re.compile(
    r"@(?:[a-z0-9\-]+\.)*(?:gov|nic|gov\.[a-z]{2}|nic\.[a-z]{2}|mil\.[a-z]{2})$"
)


def is_official_email(address: str) -> bool:
    """True for government domains: an office's own address is meant to be published."""
    return _OFFICIAL_DOMAIN_RE.search(address.strip().lower()) is not None


class SatarkEmailRecognizer(Recognizer):
    """E-mail addresses (Presidio's pattern), confirmed by a public-suffix check.

    Whether an address is a leak is decided by the detector: official domains never are,
    a private address is when personal context surrounds it.
    """

    role: ClassVar[str] = "email"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "Email (Medium)",
            r"\b((([!#$%&'*+\-/=?^_`{|}~\w])|([!#$%&'*+\-/=?^_`{|}~\w][!#$%&'*+\-/=?^_`{|}~\.\w]{0,}"
            r"[!#$%&'*+\-/=?^_`{|}~\w]))[@]\w+(?:-+\w+)*(?:\.\w+(?:-+\w+)*)+)\b",
            0.5,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="EMAIL_ADDRESS", context=terms_for(CueKind.EMAIL))

    def validate_result(self, pattern_text: str) -> bool:
        """The host ends in a known public suffix (tldextract's bundled list, no network)."""
        return _public_suffix_host(pattern_text)


@lru_cache(maxsize=1024)
def _public_suffix_host(address: str) -> bool:
    # Imported on first use (~0.25 s, it pulls in requests): only posts with an address
    # pay. The bundled snapshot only: never fetch the list at users' sites.
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    import tldextract

    return str(tldextract.extract(address).fqdn) != ""


# Separators between a label and its code: "F. No. 12/3", "স্মারক নং- ০৫.৪২", "क्रमांक/245".
_TAIL_WORDS = r"(?:no|nos|number|नं|नंबर|नम्बर|क्र|क्रमांक|संख्या|নং|নম্বর|সংখ্যা)"
_SEPS = r"[\s.:\-–—=/ঃ]*"
_LABEL_TAIL = rf"{_SEPS}(?:{_TAIL_WORDS}{_SEPS})?"
# A code: alphanumeric groups (Latin, Devanagari or Bengali letters allowed: "स्था.",
# "প্রশা") joined by dots, slashes or hyphens, at least one joint.
_CODE_PART = "[0-9a-z\u0900-\u0963\u0980-\u09e5()]+"
_CODE = rf"{_CODE_PART}(?:\s?[./\-–]{{1,2}}\s?{_CODE_PART})+"

#: from ``data/context.yaml`` (``memo_labels: en``)
ENGLISH_MEMO_LABELS: tuple[str, ...] = tuple(merged_data().memo_labels.get("en", ()))


class MemoNumberRecognizer(Recognizer):
    """A memo, file or reference number after its label ("স্মারক নং", "F. No.").

    The span is the code alone: ``\\K`` (the ``regex`` module has it) drops the
    label from the match, while the search is still driven by the label's literal text.
    The base score is low on purpose: memo numbers are printed on every public notice,
    so one is only a weak sign of a leaked internal paper; the engine's noisy-OR adds it
    to leak cues found by other detectors.
    """

    BASE_SCORE = 0.3
    role: ClassVar[str] = "memo"

    def __init__(
        self,
        labels: Sequence[str],
        *,
        name: str | None = None,
        supported_entity: str = "MEMO_NUMBER",
    ) -> None:
        terms = [norm_term(t) for t in labels]
        regex = (
            rf"(?<![\w])(?:{trie_regex(terms)}){_LABEL_TAIL}\K"
            rf"(?!{_TAIL_WORDS}(?![\w])){_CODE}"
        )
        super().__init__(
            supported_entity=supported_entity,
            name=name or type(self).__name__,
            patterns=[Pattern("MEMO (label + code)", regex, self.BASE_SCORE)],
            context=list(labels),
        )
        #: the labels, for the detector's gate
        self.labels = tuple(labels)

    def validate_result(self, pattern_text: str) -> bool | None:
        """A code needs two digits: "क्र. स्था/अ" is a section name, not a number."""
        return None if sum(c.isdigit() for c in pattern_text) >= 2 else False


class EnMemoRecognizer(MemoNumberRecognizer):
    """English labels, used in both countries' offices."""

    def __init__(self) -> None:
        super().__init__(ENGLISH_MEMO_LABELS)
