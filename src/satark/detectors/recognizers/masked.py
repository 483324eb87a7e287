"""Partly masked phone, NID and Aadhaar numbers: "01711-xxx-482", "98xxxx3421", "NID 1992xxxx4471".

People hide a few digits and think the number is safe to post. Beside a name and an
address it is not: the visible digits, the operator prefix and the person's details
together still point at one person. So a run of ``x``/``X``/``*`` inside a digit
sequence counts as masked digits, and these recognizers find the shapes of the full
ones (:mod:`.india`, :mod:`.bangladesh`) with some digits masked. They cannot be
validated (no ``phonenumbers`` type, no checksum), so the detector scores them below a
full number, with the same context rules: a citizen's words raise them, an office's
helpline words drop them ("Helpline: 0771-2xxxx10" stays clean).

Every match must show at least two masked and four real digits, start and end with real
digits (at least two at the end: "01320-xxxxx1" is a blanked office number, not a
disclosure) and, for phones, keep the grouping rules of the full recognizers.
"""

from __future__ import annotations

import re
from typing import ClassVar

from .base import Pattern, Recognizer
from .context import CueKind, terms_for

__all__ = [
    "MASKED_RE",
    "MaskedAadhaarRecognizer",
    "MaskedBdNidRecognizer",
    "MaskedBdPhoneRecognizer",
    "MaskedInPhoneRecognizer",
    "MaskedNumberRecognizer",
    "masked_counts",
]

_M = "x*"  # masked digit characters in the ``norm`` view (lower case)
#: The detector's gate: a masked run next to a digit.
MASKED_RE = re.compile(rf"[0-9][\s\-]?[{_M}]{{2}}|[{_M}]{{2}}[\s\-]?[0-9]")
_SYM = f"[0-9{_M}]"
_LEFT = rf"(?<![0-9a-z+{_M}])"
_RIGHT = rf"(?![0-9a-z{_M}])"
_STD_RE = re.compile(r"^0[0-9]{2,4}[\s\-]")
_PREFIX_RE = re.compile(r"^(?:(?:\+|00)?(?:91|880?)[\s\-]?)")
_TRAIL_RE = re.compile(r"[0-9]{2,}$")


def masked_counts(text: str) -> tuple[int, int]:
    """(real digits, masked digits) in a candidate."""
    return sum(c.isdigit() for c in text), sum(c in _M for c in text)


class MaskedNumberRecognizer(Recognizer):
    """Base: a shape with masked digits; validation counts real and masked digits."""

    masked: ClassVar[bool] = True
    role: ClassVar[str] = "masked"
    MIN_REAL: ClassVar[int] = 4
    MIN_MASKED: ClassVar[int] = 2
    #: allowed totals of digits and masks (without a country prefix); empty: any
    LENGTHS: ClassVar[tuple[int, ...]] = ()

    def parse(self, pattern_text: str) -> None:
        """A masked number has no line type (the detector's record asks phones for one)."""
        return None

    def _body(self, pattern_text: str) -> str:
        return pattern_text

    def validate_result(self, pattern_text: str) -> bool | None:
        body = self._body(pattern_text.strip())
        real, masked = masked_counts(body)
        if real < self.MIN_REAL or masked < self.MIN_MASKED or not _TRAIL_RE.search(body):
            return False
        if self.LENGTHS and real + masked not in self.LENGTHS:
            return False
        return None  # a plausible shape; nothing can confirm it


class _MaskedPhone(MaskedNumberRecognizer):
    role: ClassVar[str] = "masked_phone"
    LENGTHS = (10,)

    def _body(self, pattern_text: str) -> str:
        return _PREFIX_RE.sub("", pattern_text, count=1).lstrip("0") if len(
            re.sub(r"[^0-9x*]", "", pattern_text)) > 10 else pattern_text

    def validate_result(self, pattern_text: str) -> bool | None:
        groups = re.split(r"[\s\-]+", pattern_text.strip())
        if groups and _PREFIX_RE.fullmatch(groups[0] + " "):
            groups = groups[1:]
        if len(groups) > 3 or any(len(g) < 3 for g in groups):
            return False
        return super().validate_result(pattern_text)


class MaskedInPhoneRecognizer(_MaskedPhone):
    """Indian mobile with masked digits: "98xxxx3421", "94XXXX6120", "+91 98261 xxx07"."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "IN mobile (masked)",
            rf"{_LEFT}(?:(?:\+|00)?91[\s\-]?|0[\s\-]?)?[6-9]{_SYM}(?:[\s\-]?{_SYM}){{8}}{_RIGHT}",
            0.2,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_PHONE_NUMBER",
                         context=terms_for(CueKind.PHONE_LABEL))

    def validate_result(self, pattern_text: str) -> bool | None:
        if _STD_RE.match(pattern_text):
            return False  # "0771-2xxxx10": a landline in STD form, an office's
        return super().validate_result(pattern_text)


class MaskedBdPhoneRecognizer(_MaskedPhone):
    """Bangladeshi mobile with masked digits: "01711-xxx-482", "01819-XXX-220"."""

    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "BD mobile (masked)",
            rf"{_LEFT}(?:(?:\+|00)?88[\s\-]?)?01[3-9]{_SYM}(?:[\s\-]?{_SYM}){{7}}{_RIGHT}",
            0.2,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="BD_PHONE_NUMBER",
                         context=terms_for(CueKind.PHONE_LABEL))

    def _body(self, pattern_text: str) -> str:
        digits = re.sub(r"[^0-9x*]", "", pattern_text)
        if digits.startswith("88"):
            digits = digits[2:]
        return digits[1:] if digits.startswith("0") else digits


class MaskedBdNidRecognizer(MaskedNumberRecognizer):
    """A masked NID: "1992xxxx4471", "7791XXXX2301". The length is not checked here (people
    mask with as many x as they like); the detector wants an NID label, or 10/13/17
    places beside a citizen's details."""

    role: ClassVar[str] = "masked_nid"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "NID (masked)",
            rf"{_LEFT}[0-9]+(?:[\s\-]?[{_M}]+)+(?:[\s\-]?[0-9]+)+{_RIGHT}",
            0.1,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="BD_NID",
                         context=terms_for(CueKind.NID, CueKind.ID_GENERIC))

    def validate_result(self, pattern_text: str) -> bool | None:
        real, masked = masked_counts(pattern_text)
        if not 8 <= real + masked <= 17:
            return False
        return super().validate_result(pattern_text)


class MaskedAadhaarRecognizer(MaskedNumberRecognizer):
    """A masked Aadhaar: "4512 xxxx 7730", "XXXX XXXX 7730", "4512xxxx7730" (4-4-4 places)."""

    role: ClassVar[str] = "masked_aadhaar"
    MIN_MASKED = 4
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "AADHAAR (masked)",
            rf"{_LEFT}{_SYM}{{4}}[\s\-]?{_SYM}{{4}}[\s\-]?[0-9]{{4}}{_RIGHT}",
            0.1,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_AADHAAR",
                         context=terms_for(CueKind.AADHAAR))

    def checksum_ok(self, pattern_text: str) -> bool:
        """No checksum can be computed on masked digits."""
        return False
