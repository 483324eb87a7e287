"""Indian identifiers: Aadhaar, PAN, voter ID (EPIC), passport, mobile numbers, memo numbers.

The Aadhaar, PAN, EPIC and passport patterns and scores are those of Presidio's
recognizers, which Satark used before (kept so that findings did not change), with
narrower patterns where Presidio's were too loose (PAN). The checks are python-stdnum's:
Aadhaar's Verhoeff check digit, the PAN's holder-type letter, the EPIC's Luhn digit
(recorded, not required: many real EPIC numbers fail it). Phones: a regex finds the
candidates and ``phonenumbers`` checks only those.
"""

from __future__ import annotations

import re
from typing import ClassVar

from stdnum.in_ import aadhaar as stdnum_aadhaar
from stdnum.in_ import epic as stdnum_epic
from stdnum.in_ import pan as stdnum_pan

from .base import Pattern, Recognizer
from .context import CueKind, terms_for
from .data import merged_data
from .generic import MemoNumberRecognizer, PhoneInfo, classify_phone

__all__ = [
    "HINDI_MEMO_LABELS",
    "InMemoRecognizer",
    "InPhoneRecognizer",
    "SatarkAadhaarRecognizer",
    "SatarkPanRecognizer",
    "SatarkPassportRecognizer",
    "SatarkVoterRecognizer",
]

_NON_DIGIT_RE = re.compile(r"\D")


class SatarkAadhaarRecognizer(Recognizer):
    """Aadhaar: 12 digits, bare or grouped 4-4-4, checked by Verhoeff (python-stdnum).

    A 12-digit number whose checksum fails is kept at the weak pattern score
    (``validate_result`` answers ``None``, not ``False``), because "आधार क्र. ४७२१ ८८३० १९५६"
    publishes what is presented as a citizen's Aadhaar number even when a digit is
    mistyped; only explicit Aadhaar context lifts such a number.
    """

    role: ClassVar[str] = "aadhaar"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("AADHAAR (Very Weak)", r"\b[0-9]{12}\b", 0.01),
        Pattern("AADHAR (Very Weak)", r"\b[0-9]{4}[- :][0-9]{4}[- :][0-9]{4}\b", 0.01),
        # Handwritten-style spacing: "4721  8830  1956", "4721 - 8830 - 1956".
        Pattern(
            "AADHAAR (loosely grouped)",
            r"\b[2-9][0-9]{3}[\s\-:.]{1,3}[0-9]{4}[\s\-:.]{1,3}[0-9]{4}\b",
            0.01,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_AADHAAR", context=terms_for(CueKind.AADHAAR))

    def checksum_ok(self, pattern_text: str) -> bool:
        """12 digits, first 2-9, not a palindrome, Verhoeff check digit (python-stdnum)."""
        return bool(stdnum_aadhaar.is_valid(_NON_DIGIT_RE.sub("", pattern_text)))

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if self.checksum_ok(pattern_text) else None

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """UIDAI never issues numbers starting 0/1; one repeated digit is a placeholder."""
        digits = _NON_DIGIT_RE.sub("", pattern_text)
        return len(digits) != 12 or digits[0] in "01" or len(set(digits)) == 1


class SatarkPanRecognizer(Recognizer):
    """PAN: "PAN (High)", the strict AAAPA9999A layout whose 4th letter is a holder type
    (P person, C company, H HUF, ...), and "PAN (Medium)" (any 4th letter), which the
    detector accepts only next to a PAN label.

    Presidio's third pattern, "PAN (Low)", accepted any 10-character token with four
    digits (order numbers, product codes, hashtags); it is left out.
    """

    role: ClassVar[str] = "pan"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "PAN (High)",
            r"\b([A-Za-z]{3}[AaBbCcFfGgHhJjLlPpTt]{1}[A-Za-z]{1}[0-9]{4}[A-Za-z]{1})\b",
            0.5,
        ),
        Pattern("PAN (Medium)", r"\b([A-Za-z]{5}[0-9]{4}[A-Za-z]{1})\b", 0.1),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_PAN", context=terms_for(CueKind.PAN))

    @staticmethod
    def layout_ok(pattern_text: str) -> bool:
        """python-stdnum's PAN check: the layout and a known holder-type letter."""
        return bool(stdnum_pan.is_valid(pattern_text.upper()))


class SatarkVoterRecognizer(Recognizer):
    """EPIC (3 letters + 7 digits) with Hindi/Bengali context.

    Any 3-letter, 7-digit code matches, so the detector reports one only next to a
    voter-ID label ("मतदाता", "वोटर आईडी", "EPIC").
    """

    role: ClassVar[str] = "voter"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("VOTER", r"\b([A-Za-z]{1}[ABCDGHJKMNPRSYabcdghjkmnprsy]{1}[A-Za-z]{1}([0-9]){7})\b",
                0.4),
        Pattern("VOTER", r"\b([A-Za-z]){3}([0-9]){7}\b", 0.3),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_VOTER", context=terms_for(CueKind.VOTER))

    @staticmethod
    def checksum_ok(pattern_text: str) -> bool:
        """The EPIC's Luhn check digit (python-stdnum); recorded, not required."""
        return bool(stdnum_epic.is_valid(pattern_text.upper()))


class SatarkPassportRecognizer(Recognizer):
    """Indian passport (letter + 7 digits), with Indic context.

    The pattern is weak (0.1) and stays so without a passport label.
    """

    role: ClassVar[str] = "passport"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("PASSPORT", r"\b[A-Z][1-9]\d\s?\d{4}[1-9]\b", 0.1),
    ]

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_PASSPORT", context=terms_for(CueKind.PASSPORT))


class InPhoneRecognizer(Recognizer):
    """Indian mobile numbers: 10 digits starting 6-9, optional +91 / 0091 / 91 / 0.

    Separators are allowed between digit groups of 3 or more ("98261 43307",
    "982-614-3307"), never inside a date-like run. ``phonenumbers`` then checks the
    number; a number written in STD style ("0771-2221234") is a landline, i.e. an
    office, and is rejected.
    """

    role: ClassVar[str] = "phone"
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern(
            "IN mobile",
            # not after another country code ("+1-800-222-1222"): a lone digit and a joint
            r"(?<![0-9+])(?<![^0-9][0-9][\s\-])(?<!^[0-9][\s\-])"
            r"(?:(?:\+|00)?91[\s\-]?|0[\s\-]?)?[6-9](?:[\s\-]?[0-9]){9}(?![0-9])",
            0.3,
        ),
    ]
    _PREFIX_RE = re.compile(r"^(?:(?:\+|00)?91|0)[\s\-]?")
    _STD_RE = re.compile(r"^0[0-9]{2,4}[\s\-]")

    def __init__(self) -> None:
        super().__init__(supported_entity="IN_PHONE_NUMBER",
                         context=terms_for(CueKind.PHONE_LABEL))

    def parse(self, pattern_text: str) -> PhoneInfo | None:
        """The number's E.164 form and type, or ``None`` unless a plausible mobile."""
        if self._STD_RE.match(pattern_text):
            return None
        body = pattern_text
        if len(_NON_DIGIT_RE.sub("", body)) > 10:  # "9179034561" starts with 91 too
            body = self._PREFIX_RE.sub("", body, count=1)
        groups = re.split(r"[\s\-]", body)
        if len(groups) > 3 or any(len(g) < 3 for g in groups):
            return None
        digits = "".join(groups)
        if len(digits) != 10 or len(set(digits)) == 1:
            return None
        return classify_phone("+91" + digits)

    def validate_result(self, pattern_text: str) -> bool:
        return self.parse(pattern_text) is not None


#: from ``data/context.yaml`` (``memo_labels: hi``)
HINDI_MEMO_LABELS: tuple[str, ...] = tuple(merged_data().memo_labels.get("hi", ()))


class InMemoRecognizer(MemoNumberRecognizer):
    """Hindi memo labels: "पत्र क्रमांक", "क्रमांक/245/स्था./2023", "पृ. क्र."."""

    def __init__(self) -> None:
        super().__init__(HINDI_MEMO_LABELS)
