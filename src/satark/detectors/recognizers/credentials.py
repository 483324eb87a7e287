"""Credentials written into a post: passwords, OTPs, PINs and log-in IDs with their values.

"পাসওয়ার্ড: Land@2024", "user dc_ctg_rec, pass Land#2024", "Today's OTP 448213",
"पासवर्ड है raipur123", "ওটিপি এলো ৪৮২৯১৭": a label, at most a few words, then a value
token. What tells a disclosure from safety advice ("never share your OTP or password",
"ওটিপি বা পাসওয়ার্ড চাইবে না", "OTP किसी को न बताएं") is the value: advice has none. So the
pattern demands a value of the right shape for its label, and :func:`parse_credential`
rejects values behind a negation or an example marker ("like Abc@123", "जैसे 1234").

Value shapes, by label:

==========  ===========================================================  ==========
label       value                                                        free words
==========  ===========================================================  ==========
OTP         4-8 digits / a token with letters and digits or symbols       1 / 4
PIN         4 digits or such a token ("pin code 492001" is a PIN code)    1
password    a token with letters and digits or symbols / 4-8 digits       4 / 0
"pass"      a token with letters and digits or symbols, 6+ characters     0
log-in, ID  a user name with a digit, "_", "." or "@" ("dc_ctg_rec")      1
==========  ===========================================================  ==========

"Free words" are the words between label and value other than glue ("is", "है", "হলো",
"এলো", "today's"); at most four words stand between them in any case, none of them a
negation or an example marker, and never a comma or a sentence end.

The recognizer runs on the ``norm`` view (digits ASCII, lower case), on windows after a
label, and only for posts whose words include a label (the detector's gate).
"""

from __future__ import annotations

import re
from functools import cache
from typing import ClassVar, NamedTuple

from .base import Pattern, Recognizer
from .context import norm_term, trie_regex
from .data import merged_data

__all__ = [
    "CREDENTIAL_GATE_WORDS",
    "CREDENTIAL_LABELS",
    "CredentialParts",
    "CredentialRecognizer",
    "advice_after",
    "mask_secret",
    "parse_credential",
]

#: label kind -> labels as people type them (Indic labels may take a suffix: "পাসওয়ার্ডটা");
#: from ``data/context.yaml``
CREDENTIAL_LABELS: dict[str, tuple[str, ...]] = {
    kind: tuple(words) for kind, words in merged_data().credential_labels.items()
}

#: The detector's gate: one of these among a post's ``key`` words (folded: "password" is
#: "pasword" there). A set lookup on the cached word list, about 0.3 µs a post.
CREDENTIAL_GATE_WORDS: tuple[str, ...] = tuple(merged_data().credential_gate_words)

_LABEL_KIND = {norm_term(t): kind for kind, terms in CREDENTIAL_LABELS.items() for t in terms}
_LABEL_RE = trie_regex(sorted(_LABEL_KIND))
_INDIC_TAIL = "[\u0900-\u0963\u0980-\u09e5]*"  # a suffix on an Indic label: "পাসওয়ার্ডটা"
# A gap word: letters only (Latin or Indic), no digits; the gap never crosses a sentence
# end or a comma, so "ओटीपी, पिन या पासवर्ड नहीं मांगता। ... १९३०" finds no value.
_GAP_WORD = "[a-z'\u2019\u0900-\u0963\u0980-\u09e5]+"
_SEP = r"[\s:=\-\u2013\u2014'\"\u201c\u201d\u2018\u2019(]"
# the value: letters, digits and password symbols, never ending in a dot ("Land@2024.")
_VALUE_CHARS = "0-9a-z@#$%&*!_+"
_VALUE = rf"[{_VALUE_CHARS}\-]+(?:\.[{_VALUE_CHARS}\-]+)*"
_LATIN_LABEL_END = "(?![a-z0-9])"

CREDENTIAL_REGEX = (
    rf"(?<![a-z0-9\u0900-\u0963\u0980-\u09e5])(?P<label>{_LABEL_RE}){_INDIC_TAIL}"
    rf"(?P<gap>(?:{_SEP}+{_GAP_WORD}){{0,4}}?){_SEP}+"
    rf"(?P<value>(?=[{_VALUE_CHARS}.\-]*[0-9@#$%&*!_]){_VALUE})(?![{_VALUE_CHARS}])"
)
_LATIN_LABEL_RE = re.compile(r"[a-z]")

# Words that make the value an example or the sentence advice: "like Abc@123", "জैसे",
# "never", "না", "नहीं".
_STOP_WORDS = frozenset(norm_term(w) for w in (
    "not", "never", "no", "dont", "don't", "don\u2019t", "na", "nahi", "nahin", "mat", "kabhi",
    "kokhono", "like", "eg", "example", "jaise", "jaisa", "such", "strong", "weak", "default",
    "nai", "নাই", "না", "কখনো", "কখনোই", "যেমন", "মজবুত", "শক্তিশালী", "उदाहरण", "नहीं",
    "न", "मत", "कभी", "जैसे", "जैसा", "मजबूत", "मज़बूत",
))
# Words that join a label to its value and say nothing else: "is", "है", "হলো", "এলো".
_GLUE_WORDS = frozenset(norm_term(w) for w in (
    "is", "was", "hai", "he", "h", "tha", "holo", "hoilo", "hol", "ta", "ti", "er", "ka", "ki",
    "ke", "elo", "aya", "aaya", "ayi", "aayi", "mila", "today's", "todays", "today", "new",
    "naya", "nayi", "number", "code", "है", "हे", "था", "का", "की", "के", "आया", "आई", "मिला",
    "नया", "नई", "नंबर", "হলো", "হল", "টা", "টি", "এর", "এলো", "এসেছে", "আসছে", "আসলো",
    "নতুন", "নম্বর",
))
# after a value: it is an example ("Abc@123 jaise"), or advice against it ("1234 na rakhein")
_EXAMPLE_WORDS = frozenset(norm_term(w) for w in (
    "like", "eg", "example", "jaise", "jaisa", "na", "mat", "जैसे", "जैसा", "उदाहरण", "न", "मत",
    "যেমন", "উদাহরণ",
))
_YEAR_RE = re.compile(r"(?:19|20)[0-9]{2}")
_URL_RE = re.compile(r"(?:www|https?|\.(?:com|in|bd|org|net|gov|nic)(?:\.|$))")
_EMAIL_RE = re.compile(r"@[0-9a-z\-]+\.[a-z]")
_PIN_CODE_RE = re.compile(r"\s*(?:code|कोड|কোড)")


@cache
def _parse_re() -> re.Pattern[str]:
    """The credential pattern, compiled on first use (a large trie; ~40 ms)."""
    return re.compile(CREDENTIAL_REGEX)


class CredentialParts(NamedTuple):
    """A credential found in a post: what kind, the label as written, and where the value is."""

    kind: str  # otp, pin, password, pass, login
    label: str
    value: str
    value_start: int  # offsets into the matched text
    value_end: int


def _strong(value: str) -> bool:
    """Letters with digits or password symbols, 5+ characters: "land@2024", "raipur123"."""
    if len(value) < 5 or _URL_RE.search(value):
        return False
    letters = any(c.isalpha() for c in value)
    digits = any(c.isdigit() for c in value)
    symbols = any(c in "@#$%&*!_" for c in value)
    return (letters and digits) or (symbols and (letters or digits))


def _user_name(value: str) -> bool:
    """A log-in name: letters and a digit, "_", "." or "@" ("dc_ctg_rec", "upz.sadar@...")."""
    return (len(value) >= 4 and any(c.isalpha() for c in value)
            and any(c.isdigit() or c in "_.@" for c in value) and not value.startswith("@"))


def parse_credential(text: str) -> CredentialParts | None:
    """The parts of a label-gap-value match, or ``None`` when the value does not fit.

    ``text`` is a match of :data:`CREDENTIAL_REGEX` (or any text starting with a label).
    """
    m = _parse_re().match(text)
    if m is None:
        return None
    label, gap, value = m.group("label"), m.group("gap"), m.group("value")
    kind = _LABEL_KIND.get(label) or _LABEL_KIND.get(re.sub(r"[\s\-]+", " ", label))
    if kind is None:
        return None
    if _LATIN_LABEL_RE.match(label[-1:]) and re.match(r"[a-z0-9]", text[m.end("label"):]):
        return None  # "passenger", "pinned": not a label
    words = [w for w in re.split(r"[\s:=\-\u2013\u2014'\"\u201c\u201d\u2018\u2019(]+", gap) if w]
    if any(norm_term(w) in _STOP_WORDS for w in words):
        return None
    n_gap = len(words)
    n_free = sum(norm_term(w) not in _GLUE_WORDS for w in words)
    pure = value.isdigit()
    strong = _strong(value)
    email = _EMAIL_RE.search(value) is not None
    ok = False
    if kind == "otp":
        ok = (pure and 4 <= len(value) <= 8 and n_free <= 1) or (strong and not email)
    elif kind == "pin":
        after_label = text[m.end("label"):]
        if _PIN_CODE_RE.match(after_label):
            return None  # "pin code 492001": a postal code
        ok = ((pure and len(value) == 4) or (strong and not email)) and n_free <= 1
    elif kind == "password":
        ok = (strong and not email) or (pure and 4 <= len(value) <= 8 and n_free == 0)
    elif kind == "pass":
        ok = strong and not email and n_gap == 0 and len(value) >= 6
    elif kind == "login":
        ok = _user_name(value) and n_free <= 1 and not _YEAR_RE.fullmatch(value)
    if not ok:
        return None
    return CredentialParts(kind, label, value, m.start("value"), m.end("value"))


def advice_after(text: str) -> bool:
    """The words right after a value make it an example or advice ("1234 jaise", "na rakhein")."""
    words = re.findall(_GAP_WORD, text)[:2]
    return any(norm_term(w) in _EXAMPLE_WORDS for w in words)


def mask_secret(value: str) -> str:
    """A secret as stars, one per character: the message never repeats it."""
    return "*" * len(value)


class CredentialRecognizer(Recognizer):
    """Password, OTP, PIN and log-in labels followed by a value (see the module docstring).

    One pattern; ``validate_result`` keeps a match only when :func:`parse_credential`
    accepts its value, and marks it certain (1.0) then. The detector decides the
    confidence by the kind of label (a user name alone is weak, a password is not).
    """

    role: ClassVar[str] = "credential"
    BASE_SCORE: ClassVar[float] = 0.5
    PATTERNS: ClassVar[list[Pattern]] = [
        Pattern("CREDENTIAL (label + value)", CREDENTIAL_REGEX, BASE_SCORE),
    ]

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CREDENTIAL",
            patterns=self.PATTERNS,
            context=[t for terms in CREDENTIAL_LABELS.values() for t in terms],
        )

    def validate_result(self, pattern_text: str) -> bool:
        return parse_credential(pattern_text) is not None
