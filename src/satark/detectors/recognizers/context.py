"""Context words in Hindi, Bengali and English (native script and romanized).

A pattern's context words in most PII tools are English only ("aadhaar", "pan", "voter"),
so "आधार क्र." or "এনআইডি নং" count for nothing. These lists fix that, and add what
decides a leak besides the identifier's own label: whose number it is. A citizen's number
sits next to "शिकायतकर्ता", "রোগী" or an address; an office's number next to "हेल्पलाइन" or
"কন্ট্রোল রুম".

The words themselves are data (``data/context.yaml``, validated on load; a plugin adds
its own through the ``satark_recognizer_data`` hook, see :mod:`.data`), written as people
type them: they go through the same normalisation as posts. All of them are compiled
into one trie-shaped regex and found in one pass over the ``norm`` view. The scan runs
only on posts that already hold a candidate identifier, never on the hot path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from functools import cache
from typing import NamedTuple

from ...normalize import normalize

__all__ = [
    "Cue",
    "CueKind",
    "CueScanner",
    "context_terms",
    "cues_near",
    "default_scanner",
    "distance",
    "norm_term",
    "terms_for",
    "trie_regex",
]


class CueKind(StrEnum):
    """What a context word says about a number next to it."""

    #: the number belongs to a citizen in a role: complainant, patient, applicant...
    CITIZEN = "citizen"
    #: address, family relation or age: personal particulars
    PERSONAL = "personal"
    #: an honorific or "name": a person is being named (weaker: officers are named too)
    HONORIFIC = "honorific"
    #: "mobile", "मो.", "ফোন": says it is a phone number, not whose
    PHONE_LABEL = "phone_label"
    #: helpline, control room, toll free: an office's public number
    OFFICE = "office"
    #: an office or officer word: weaker than OFFICE
    OFFICE_WEAK = "office_weak"
    #: "संपर्क करें", "যোগাযোগ করুন", "contact us": the number is offered to be called, so
    #: it is its owner's (an office, a seller), not a third party's that leaked
    INVITATION = "invitation"
    AADHAAR = "aadhaar"
    PAN = "pan"
    VOTER = "voter"
    PASSPORT = "passport"
    NID = "nid"
    #: "ID no.", "पहचान पत्र": an identity document, unspecified
    ID_GENERIC = "id_generic"
    EMAIL = "email"


# Age written as a number and a unit ("45 वर्ष", "৩২ বছর", "45 yrs"): a personal particular.
_AGE_RE = r"(?<![0-9])[0-9]{1,3}\s?(?:वर्ष|साल|বছর|years?|yrs?)(?![a-z])"

_INDIC = "\u0900-\u0963\u0971-\u09e5\u09f0-\u09ff"
_SEP_KEY_RE = re.compile(r"[\s\-]+")


class Cue(NamedTuple):
    """A context word found in the ``norm`` view (offsets into ``norm``).

    A named tuple, not a frozen dataclass: a frozen dataclass costs about a microsecond
    to build, and a post can have dozens of cues.
    """

    kind: CueKind
    word: str
    start: int
    end: int


def norm_term(term: str) -> str:
    """A term as it appears in the ``norm`` view (NFC, lower case, no ZWJ/ZWNJ)."""
    return normalize(term).norm.text.strip()


def _key(text: str) -> str:
    return _SEP_KEY_RE.sub("", text)


_Trie = dict[str, "_Trie"]


def trie_regex(terms: Iterable[str]) -> str:
    """One regex for many literal terms: a trie, so a failed branch costs one char test.

    A space or hyphen inside a term matches any run of spaces or hyphens, or none
    ("टोल फ्री", "टोल-फ्री", "टोलफ्री"). Optional tails are greedy, so the longest term wins.
    """
    trie: _Trie = {}
    for term in terms:
        node = trie
        for ch in _SEP_KEY_RE.sub(" ", term):
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        parts: list[str] = []
        for ch in sorted(node, key=lambda c: (c == " ", c)):
            if not ch:
                continue
            child = node[ch]
            head = r"[\s\-]*" if ch == " " else re.escape(ch)
            parts.append(head + emit(child))
        if not parts:
            return ""
        body = parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


class CueScanner:
    """Finds every context word of a post in one regex pass.

    Latin terms match as whole words (a plural "s"/"es" allowed); Indic terms at a word
    start, with any suffix, because Hindi and Bengali inflect by suffix ("मरीजों",
    "ঠিকানায়"). The word boundaries are checked in Python after the match: a look-behind
    in front of the trie would stop ``re`` from skipping ahead by first character, and
    makes the scan half again as slow.
    """

    def __init__(self, terms: Mapping[CueKind, Sequence[str]]) -> None:
        self._kinds: dict[str, CueKind] = {}
        normed: list[str] = []
        for kind, words in terms.items():
            for word in words:
                norm = norm_term(word)
                if not norm:
                    continue
                # the first kind listed wins for a term listed twice
                self._kinds.setdefault(_key(norm), kind)
                normed.append(norm)
        self._regex = re.compile(trie_regex(normed))

    def scan(self, text: str) -> list[Cue]:
        """All cues in ``text`` (the ``norm`` view), in order."""
        cues: list[Cue] = []
        for m in self._regex.finditer(text):
            start, end = m.span()
            word = m.group()
            prev = text[start - 1] if start else " "
            if word[0].isascii():
                if prev in _LATIN_WORD or (word[-1].isalnum() and not _latin_end(text, end)):
                    continue  # "mob." may run into the number or name: "mob.98…", "mr.das"
            elif _INDIC_CHAR_RE.match(prev):
                continue
            kind = self._kinds.get(word if word.isalnum() else _key(word))
            if kind is not None:
                cues.append(Cue(kind, word, start, end))
        if _AGE_QUICK_RE.search(text):
            cues.extend(Cue(CueKind.PERSONAL, m.group(), m.start(), m.end())
                        for m in _AGE_FULL_RE.finditer(text))
            cues.sort(key=lambda c: c.start)
        return cues


_LATIN_WORD = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_LATIN_LETTER = frozenset("abcdefghijklmnopqrstuvwxyz")
_INDIC_CHAR_RE = re.compile(f"[{_INDIC}]")
_AGE_QUICK_RE = re.compile(r"[0-9]\s?(?:वर्ष|साल|বছর|y)")
_AGE_FULL_RE = re.compile(_AGE_RE)


def _latin_end(text: str, end: int) -> bool:
    """A Latin term ends a word here, allowing a plural ("patients", "addresses")."""
    for tail in ("", "s", "es"):
        if text.startswith(tail, end):
            after = end + len(tail)
            if after >= len(text) or text[after] not in _LATIN_LETTER:
                return True
    return False


def cues_near(
    cues: Iterable[Cue],
    start: int,
    end: int,
    *,
    before: int = 40,
    after: int = 25,
    text: str | None = None,
) -> list[Cue]:
    """Cues within ``before`` characters before the span or ``after`` characters after it.

    Labels come before a number in all three languages ("मोबाइल 98...", "NID: ..."); a few
    phrases follow it ("...-এ যোগাযোগ করুন", "... पर संपर्क करें"), hence the short tail.
    Given the ``text``, the tail stops at a line break: in a list, the next line is
    another person's record.
    """
    lo, hi = start - before, end + after
    if text is not None:
        newline = text.find("\n", end, hi)
        if newline != -1:
            hi = newline
    return [c for c in cues if c.end > lo and c.start < hi]


def distance(cue: Cue, start: int, end: int) -> int:
    """Characters between a cue and a span (0 when they touch or overlap)."""
    if cue.end <= start:
        return start - cue.end
    if cue.start >= end:
        return cue.start - end
    return 0


def context_terms() -> Mapping[CueKind, Sequence[str]]:
    """The context words by kind, from the data files (read on first use)."""
    from .data import merged_data

    return merged_data().context


def terms_for(*kinds: CueKind) -> list[str]:
    """The context words of some kinds, for a recognizer's ``context``."""
    terms = context_terms()
    return [t for k in kinds for t in terms.get(k, ())]


@cache
def default_scanner() -> CueScanner:
    """The scanner for :func:`context_terms`, compiled on first use."""
    return CueScanner(context_terms())
