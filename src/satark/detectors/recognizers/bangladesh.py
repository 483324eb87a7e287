"""Bangladeshi identifiers: NID, mobile numbers, passport, memo (স্মারক) numbers.

Each is a :class:`.base.Recognizer`: patterns with base scores, context words and a
validator. A 10-digit NID
and a 10-digit Indian mobile look alike; a Bangladeshi mobile is 11 digits from "01".
The NID recognizer therefore scores low on its own and the detector reports an NID only
next to an NID label ("এনআইডি", "জাতীয় পরিচয়পত্র", "NID").
"""

from __future__ import annotations

import re
from typing import ClassVar

from .base import Pattern, Recognizer
from .context import CueKind, terms_for
from .data import merged_data
from .generic import MemoNumberRecognizer, PhoneInfo, classify_phone

__all__ = [
    "BENGALI_MEMO_LABELS",
    "BdMemoRecognizer",
    "BdNidRecognizer",
    "BdPassportRecognizer",
    "BdPhoneRecognizer",
]

_NON_DIGIT_RE = re.compile(r"\D")
_SEP_RE = re.compile(r"[\s\-]+")


def _placeholder(digits: str) -> bool:
    """One repeated digit ("0000000000"): a blank to fill in, not an ID.

    Runs like 1234567 are kept: people type them as stand-ins in drafts too, and a
    screening tool had better flag a post that looks like it publishes a number.
    """
    return len(set(digits)) == 1


class BdNidRecognizer(Recognizer):
    """Bangladesh national ID: 10 (smart card), 13 or 17 digits (older cards).

    The 13-digit number starts with a district code; the 17-digit one is the birth year
    followed by those 13. Validation rejects impossible structures; it cannot confirm
    an NID (there is no check digit), so the base scores stay low.
    """

    role: ClassVar[str] = "nid"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("NID (17 digits)", r"(?<![0-9])[0-9]{17}(?![0-9])", 0.3),
        Pattern("NID (13 digits)", r"(?<![0-9])[0-9]{13}(?![0-9])", 0.2),
        Pattern("NID (10 digits)", r"(?<![0-9])[1-9][0-9]{9}(?![0-9])", 0.05),
        Pattern(
            "NID (10 digits, grouped)",
            r"(?<![0-9])[1-9][0-9]{2,3}[\s\-][0-9]{3}[\s\-][0-9]{3,4}(?![0-9])",
            0.05,
        ),
        # Mistyped lengths ("NID ta dekhen 19827612345678", 14 digits): still presented as
        # someone's NID; the detector accepts them only right after an NID label.
        Pattern("NID (other length)", r"(?<![0-9])(?:[0-9]{11,12}|[0-9]{14,16})(?![0-9])", 0.01),
    ]
    STANDARD_LENGTHS: ClassVar[tuple[int, ...]] = (10, 13, 17)

    def __init__(self) -> None:
        super().__init__(
            supported_entity="BD_NID",
            context=terms_for(CueKind.NID, CueKind.ID_GENERIC),
        )

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = _NON_DIGIT_RE.sub("", pattern_text)
        if len(digits) not in self.STANDARD_LENGTHS:
            # other lengths: not a mobile ("01711234567"), not an Indian one with its 91
            if not 11 <= len(digits) <= 16 or digits.startswith(("01", "880", "91")):
                return False
            return None
        if len(digits) == 17 and not 1900 <= int(digits[:4]) <= 2030:
            return False
        if len(digits) >= 13 and digits[-13:-11] == "00":
            return False
        return None  # structure fits; no checksum exists to confirm it

    def invalidate_result(self, pattern_text: str) -> bool:
        return _placeholder(_NON_DIGIT_RE.sub("", pattern_text))


class BdPhoneRecognizer(Recognizer):
    """Bangladeshi mobile numbers: 01[3-9] + 8 digits, optional +88 / 88 / +880.

    ``phonenumbers`` confirms the operator prefix (only on candidates, never per post).
    """

    role: ClassVar[str] = "phone"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "BD mobile",
            r"(?<![0-9+])(?:(?:\+|00)?880[\s\-]?1|(?:(?:\+|00)?88[\s\-]?)?01)[3-9]"
            r"(?:[\s\-]?[0-9]){8}(?![0-9])",
            0.3,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="BD_PHONE_NUMBER",
            context=terms_for(CueKind.PHONE_LABEL),
        )

    def parse(self, pattern_text: str) -> PhoneInfo | None:
        """The parsed number, or ``None`` when it is not a plausible BD mobile."""
        groups = _SEP_RE.split(pattern_text.strip())
        if groups and groups[0].lstrip("+") in ("88", "880", "0088", "00880"):
            groups = groups[1:]
        if len(groups) > 3 or any(len(g) < 3 for g in groups):
            return None
        digits = _NON_DIGIT_RE.sub("", pattern_text)
        if digits.startswith("00"):
            digits = digits[2:]
        if digits.startswith("880"):
            digits = digits[3:]
        elif digits.startswith("0"):
            digits = digits[1:]
        if len(digits) != 10 or _placeholder(digits[3:]):
            return None
        return classify_phone("+880" + digits)

    def validate_result(self, pattern_text: str) -> bool:
        return self.parse(pattern_text) is not None


class BdPassportRecognizer(Recognizer):
    """Bangladeshi passports: one or two letters and 7-8 digits ("A01234567", "EB0123456").

    So loose a shape is reported only next to a passport label ("পাসপোর্ট").
    """

    role: ClassVar[str] = "passport"
    PATTERNS: ClassVar[list[Pattern]] = [Pattern("BD passport", r"\b[a-z]{1,2}[0-9]{7,8}\b", 0.05)]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="BD_PASSPORT",
            context=terms_for(CueKind.PASSPORT),
        )


#: from ``data/context.yaml`` (``memo_labels: bn``)
BENGALI_MEMO_LABELS: tuple[str, ...] = tuple(merged_data().memo_labels.get("bn", ()))


class BdMemoRecognizer(MemoNumberRecognizer):
    """Bengali memo labels: "স্মারক নং- ০৫.৪২.০০০০.০১৪.১৮.০০১.২৩-৪৫৬", "পত্র সংখ্যা"."""

    def __init__(self) -> None:
        super().__init__(BENGALI_MEMO_LABELS)
