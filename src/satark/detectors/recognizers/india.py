"""Indian identifiers: Aadhaar, PAN, voter ID (EPIC), passport, mobile numbers, memo numbers.

The Aadhaar, PAN, EPIC and passport recognizers are Presidio's own, kept for their
patterns and validators, with two changes: context words in Hindi, Bengali and
romanized forms besides English, and narrower patterns where Presidio's are too loose
(PAN). Phones are our own: Presidio's ``PhoneRecognizer`` tries every region's
metadata on every post (~450 µs a post); here a regex finds the candidates and
``phonenumbers`` checks only those.
"""

from __future__ import annotations

import re
from typing import ClassVar

from presidio_analyzer import Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    InAadhaarRecognizer,
    InPanRecognizer,
    InPassportRecognizer,
    InVoterRecognizer,
)

from .context import CueKind, terms_for
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


class SatarkAadhaarRecognizer(InAadhaarRecognizer):
    """Presidio's Aadhaar recognizer (Verhoeff checksum), plus Indic context.

    Presidio drops a 12-digit number whose checksum fails. Here it is kept at the weak
    pattern score instead (``validate_result`` answers ``None``, not ``False``), because
    "आधार क्र. ४७२१ ८८३० १९५६" publishes what is presented as a citizen's Aadhaar number
    even when a digit is mistyped; only explicit Aadhaar context lifts such a number.
    """

    def __init__(self) -> None:
        super().__init__(
            patterns=[
                *InAadhaarRecognizer.PATTERNS,
                # Handwritten-style spacing: "4721  8830  1956", "4721 - 8830 - 1956".
                Pattern(
                    "AADHAAR (loosely grouped)",
                    r"\b[2-9][0-9]{3}[\s\-:.]{1,3}[0-9]{4}[\s\-:.]{1,3}[0-9]{4}\b",
                    0.01,
                ),
            ],
            context=terms_for(CueKind.AADHAAR),
        )

    def checksum_ok(self, pattern_text: str) -> bool:
        """Presidio's test: 12 digits, first 2-9, Verhoeff check digit, not a palindrome."""
        digits = _NON_DIGIT_RE.sub("", pattern_text)
        return bool(super().validate_result(digits))

    def validate_result(self, pattern_text: str) -> bool | None:  # type: ignore[override]
        # Presidio's base class allows None ("no verdict"); InAadhaarRecognizer narrowed it.
        return True if self.checksum_ok(pattern_text) else None

    def invalidate_result(self, pattern_text: str) -> bool | None:
        """UIDAI never issues numbers starting 0/1; one repeated digit is a placeholder."""
        digits = _NON_DIGIT_RE.sub("", pattern_text)
        return len(digits) != 12 or digits[0] in "01" or len(set(digits)) == 1


class SatarkPanRecognizer(InPanRecognizer):
    """Presidio's PAN recognizer without its "PAN (Low)" pattern.

    "PAN (Low)" accepts any 10-character token with four digits (order numbers, product
    codes, hashtags) and scans the whole post with two look-aheads per position. Kept:
    "PAN (High)", the strict AAAPA9999A layout whose 4th letter is a holder type (P
    person, C company, H HUF, ...), and "PAN (Medium)" (5 letters, 4 digits, 1 letter,
    any 4th letter), which the detector accepts only next to a PAN label.
    """

    def __init__(self) -> None:
        strict = [p for p in InPanRecognizer.PATTERNS if p.name in ("PAN (High)", "PAN (Medium)")]
        super().__init__(patterns=strict, context=terms_for(CueKind.PAN))


class SatarkVoterRecognizer(InVoterRecognizer):
    """Presidio's EPIC recognizer (3 letters + 7 digits) with Hindi/Bengali context.

    Any 3-letter, 7-digit code matches, so the detector reports one only next to a
    voter-ID label ("मतदाता", "वोटर आईडी", "EPIC").
    """

    def __init__(self) -> None:
        super().__init__(context=terms_for(CueKind.VOTER))


class SatarkPassportRecognizer(InPassportRecognizer):
    """Presidio's Indian passport recognizer (letter + 7 digits), with Indic context.

    The pattern is weak (0.1) and stays so without a passport label.
    """

    def __init__(self) -> None:
        super().__init__(context=terms_for(CueKind.PASSPORT))


class InPhoneRecognizer(PatternRecognizer):
    """Indian mobile numbers: 10 digits starting 6-9, optional +91 / 0091 / 91 / 0.

    Separators are allowed between digit groups of 3 or more ("98261 43307",
    "982-614-3307"), never inside a date-like run. ``phonenumbers`` then checks the
    number; a number written in STD style ("0771-2221234") is a landline, i.e. an
    office, and is rejected.
    """

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
        super().__init__(
            supported_entity="IN_PHONE_NUMBER",
            patterns=self.PATTERNS,
            context=terms_for(CueKind.PHONE_LABEL),
        )

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


HINDI_MEMO_LABELS: tuple[str, ...] = (
    "पत्र क्रमांक", "पत्र क्र.", "क्रमांक", "क्र.", "ज्ञापन क्रमांक", "ज्ञापन क्र.", "आदेश क्रमांक",
    "आदेश क्र.", "नस्ती क्रमांक", "नस्ती क्र.", "नस्ती", "फाइल नं", "फ़ाइल नं", "फाइल नंबर",
    "फ़ाइल नंबर", "फाइल क्रमांक", "पृ. क्र.", "पृ.क्र.", "पृष्ठांकन क्रमांक", "संदर्भ क्रमांक",
    "संदर्भ", "परिपत्र क्रमांक", "अधिसूचना क्रमांक",
    "patra kramank", "patra kr.", "kramank", "kr.", "nasti kramank",
)


class InMemoRecognizer(MemoNumberRecognizer):
    """Hindi memo labels: "पत्र क्रमांक", "क्रमांक/245/स्था./2023", "पृ. क्र."."""

    def __init__(self) -> None:
        super().__init__(HINDI_MEMO_LABELS)
