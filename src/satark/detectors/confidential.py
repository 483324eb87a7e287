"""Personal and official identifiers, credentials and security details in a post
(category ``confidential``; CG 1, BD §6.1, §7): Aadhaar, PAN, EPIC, passport, NID, phone,
e-mail, memo numbers, partly masked numbers, passwords/OTPs/PINs with their values, and
the times, routes and head counts of coming convoys, raids and patrols.

A number alone is not a leak. An office publishes its helpline, a notice asks citizens
to bring their Aadhaar card, a circular carries its memo number. What makes a leak is
whose number it is, and that is read from the words around it, in Hindi, Bengali and
English (:mod:`.recognizers.context`). The recognizers are Presidio's where Presidio
has one (Aadhaar with its Verhoeff checksum, PAN, EPIC, passport, e-mail) and written in
its style where it has none (Bangladesh, phones, memo numbers, masked numbers,
credentials). Presidio's own context step needs a spaCy pipeline, so the context
decision is made here, per identifier, with the table in
:meth:`ConfidentialDataDetector.decide`; ``details`` records it the way Presidio's
``return_decision_process`` does.

- Masked numbers ("01711-xxx-482", "98xxxx3421", "NID 1992xxxx4471",
  :mod:`.recognizers.masked`) follow the full numbers' context rules a step lower: a
  partly hidden number beside a name and an address still identifies the person.
- Credentials (:mod:`.recognizers.credentials`): a password/OTP/PIN/log-in label followed
  by a value of its shape; safety advice has no value and stays clean. The message masks
  the secret.
- Security details (:mod:`.recognizers.security`): a convoy, raid, patrol or operation
  word with a clock time, route, head count or patrol gap of something still to come;
  public traffic advisories are counter-cues.

Cost: most posts hold no identifier. A post without a run of four digits, without an
"@" and without a credential or security word costs one regex search and one set lookup
on the post's ``key`` words (about 1.5 µs for 300 characters; the word list is cached on
the document, and the lexicon detector, which runs first, has already built it); one
with dates or counts a few more searches over short windows (about 4-8 µs). Only
candidates pay for the context scan, Presidio's ``analyze`` (on windows around them, not
the whole post) and ``phonenumbers`` (cached): about 30-160 µs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..categories import Severity
from ..findings import Hit, Span
from ..hookspecs import hookimpl
from ..messages import register_reasons
from ..normalize import Document, fold_term
from .base import ScreenContext
from .recognizers.context import (
    Cue,
    CueKind,
    cues_near,
    default_scanner,
    distance,
    norm_term,
    trie_regex,
)

if TYPE_CHECKING:
    from .recognizers.security import SecurityDetail

__all__ = ["ConfidentialDataDetector"]

CATEGORY = "confidential"
#: below this a candidate is dropped, not reported (an office's number, a bare code)
MIN_EMIT = 0.2

# --- the prefilter (runs on every post) -------------------------------------------------

# Every identifier holds a run of 4 digits or more: phones and NIDs are written in at most
# three groups of 3+ digits, Aadhaar in groups of 4, PAN/EPIC/passports carry 4-8 digits,
# and memo codes nearly always hold a year or a long serial. Posts without one (and
# without an "@") stop after this single search.
_RUN4_RE = re.compile(r"[0-9][0-9]{3}")  # not [0-9]{4}: this form lets `re` skip ahead, 2x faster
# 10+ digits with single joints (phones, Aadhaar, NID); a letter and 4 digits (PAN, EPIC,
# passport). Dates ("12.03.2023") and amounts ("2,300") match neither.
_DIGITS10_RE = re.compile(r"[0-9](?:[\s\-:]?[0-9]){9}")
_ALNUM_RE = re.compile(r"[a-z][0-9]{2} ?[0-9]{2}")
# an address, not an @-mention: something before the "@", a dot in the domain
_EMAIL_RE = re.compile(r"[0-9a-z_.+\-]@[0-9a-z\-]+\.[a-z]")
# Devanagari and Bengali letters and signs (not digits or dandas) read as spaces, one char
# for one char, before Presidio's ``\b`` patterns run: its regex engine counts vowel signs
# as word characters, so "नं९८२६…" would have no word boundary before the digits.
_BLANK_INDIC = str.maketrans(dict.fromkeys(
    [*range(0x0900, 0x0964), *range(0x0970, 0x09E6), *range(0x09F0, 0x0A00)], " "
))
_DIGIT_RE = re.compile(r"\d")
_DIGIT_ONLY_RE = re.compile(r"[^0-9x*]")
_WORD_CHAR_RE = re.compile(r"[^\W_]")

_PERSONAL = frozenset({CueKind.CITIZEN, CueKind.PERSONAL, CueKind.HONORIFIC})
_PERSON_RANK = {CueKind.CITIZEN: 0, CueKind.PERSONAL: 1, CueKind.HONORIFIC: 2}
_LABELS = frozenset({
    CueKind.AADHAAR, CueKind.PAN, CueKind.VOTER, CueKind.PASSPORT, CueKind.NID,
    CueKind.ID_GENERIC, CueKind.PHONE_LABEL, CueKind.EMAIL,
})
_ALNUM_IDS = frozenset({"IN_PAN", "IN_VOTER", "IN_PASSPORT", "BD_PASSPORT"})

# --- reasons ----------------------------------------------------------------------------

register_reasons(
    {
        "pii.aadhaar": {
            "en": "publishes an Aadhaar number ({masked})",
            "hi": "आधार संख्या ({masked}) सार्वजनिक की गई है",
            "bn": "আধার নম্বর ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.pan": {
            "en": "publishes a PAN, the income-tax permanent account number ({masked})",
            "hi": "पैन (स्थायी खाता संख्या) ({masked}) सार्वजनिक की गई है",
            "bn": "প্যান (আয়কর স্থায়ী হিসাব নম্বর) ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.voter_id": {
            "en": "publishes a voter ID (EPIC) number ({masked})",
            "hi": "मतदाता पहचान पत्र (EPIC) संख्या ({masked}) सार्वजनिक की गई है",
            "bn": "ভোটার আইডি (EPIC) নম্বর ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.passport": {
            "en": "publishes a passport number ({masked})",
            "hi": "पासपोर्ट संख्या ({masked}) सार्वजनिक की गई है",
            "bn": "পাসপোর্ট নম্বর ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.bd_nid": {
            "en": "publishes a national ID (NID) number ({masked})",
            "hi": "राष्ट्रीय पहचान पत्र (NID) संख्या ({masked}) सार्वजनिक की गई है",
            "bn": "জাতীয় পরিচয়পত্র (এনআইডি) নম্বর ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.phone": {
            "en": "publishes a phone number ({masked}) that is not an office helpline; "
            "citizens' numbers must not be posted",
            "hi": "फ़ोन नंबर ({masked}) सार्वजनिक किया गया है जो किसी कार्यालय की हेल्पलाइन "
            "नहीं है; नागरिकों के नंबर पोस्ट नहीं किए जाने चाहिए",
            "bn": "একটি ফোন নম্বর ({masked}) প্রকাশ করা হয়েছে যা কোনো দপ্তরের হেল্পলাইন নয়; "
            "নাগরিকের নম্বর পোস্ট করা যাবে না",
        },
        "pii.email": {
            "en": "publishes a personal e-mail address ({masked})",
            "hi": "व्यक्तिगत ई-मेल पता ({masked}) सार्वजनिक किया गया है",
            "bn": "ব্যক্তিগত ই-মেইল ঠিকানা ({masked}) প্রকাশ করা হয়েছে",
        },
        "pii.credential": {
            "en": "discloses a {credential} ({masked}); passwords, OTPs and log-ins of "
            "official systems must never be posted",
            "hi": "{credential_hi} ({masked}) सार्वजनिक किया गया है; शासकीय प्रणालियों के पासवर्ड, "
            "ओटीपी और लॉगिन कभी पोस्ट नहीं किए जाने चाहिए",
            "bn": "{credential_bn} ({masked}) প্রকাশ করা হয়েছে; দাপ্তরিক ব্যবস্থার পাসওয়ার্ড, ওটিপি "
            "ও লগইন কখনো পোস্ট করা যাবে না",
        },
        "security.details": {
            "en": "gives security or operation details ({topic}: {detail_kinds}) of a coming "
            "movement, raid or deployment",
            "hi": "आगामी दौरे, छापे या बल तैनाती की सुरक्षा/ऑपरेशन संबंधी जानकारी ({topic}: "
            "{detail_kinds}) दी गई है",
            "bn": "আসন্ন সফর, অভিযান বা মোতায়েনের নিরাপত্তা/অভিযান-সংক্রান্ত বিবরণ ({topic}: "
            "{detail_kinds}) দেওয়া হয়েছে",
        },
        "pii.memo_number": {
            "en": "quotes the official memo/file number {code}; internal official papers "
            "must not be shared",
            "hi": "शासकीय पत्र/नस्ती क्रमांक {code} उद्धृत है; आंतरिक शासकीय दस्तावेज़ साझा नहीं "
            "किए जाने चाहिए",
            "bn": "দাপ্তরিক স্মারক/নথি নম্বর {code} উল্লেখ করা হয়েছে; অভ্যন্তরীণ দাপ্তরিক "
            "কাগজপত্র প্রকাশ করা যাবে না",
        },
    }
)

_REASON_BY_ENTITY = {
    "IN_AADHAAR": "pii.aadhaar",
    "IN_PAN": "pii.pan",
    "IN_VOTER": "pii.voter_id",
    "IN_PASSPORT": "pii.passport",
    "BD_PASSPORT": "pii.passport",
    "BD_NID": "pii.bd_nid",
    "IN_PHONE_NUMBER": "pii.phone",
    "BD_PHONE_NUMBER": "pii.phone",
    "EMAIL_ADDRESS": "pii.email",
    "MEMO_NUMBER": "pii.memo_number",
    "CREDENTIAL": "pii.credential",
}
_CREDENTIAL_NAMES = {
    # kind: (en, hi, bn)
    "otp": ("one-time password (OTP)", "ओटीपी", "ওটিপি"),
    "pin": ("PIN", "पिन", "পিন"),
    "password": ("password", "पासवर्ड", "পাসওয়ার্ড"),
    "pass": ("password", "पासवर्ड", "পাসওয়ার্ড"),
    "login": ("log-in ID", "लॉगिन आईडी", "লগইন আইডি"),
}
#: confidence by kind of credential: a user name alone is half of a log-in
_CREDENTIAL_SCORE = {"otp": 0.9, "pin": 0.9, "password": 0.9, "pass": 0.85, "login": 0.45}


# --- helpers ----------------------------------------------------------------------------


def mask(text: str, entity: str) -> str:
    """The identifier with all but its last four digits (or characters) hidden.

    Messages quote it so that a reviewer can find it, without repeating the leak.
    """
    if entity == "MEMO_NUMBER":
        return text
    if entity == "EMAIL_ADDRESS":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    pattern = _WORD_CHAR_RE if entity in _ALNUM_IDS else _DIGIT_RE
    hide = {m.start() for m in pattern.finditer(text)}
    keep = sorted(hide)[-4:]
    hide.difference_update(keep)
    return "".join("X" if i in hide else c for i, c in enumerate(text))


def _nearest(cues: Iterable[Cue], start: int, end: int) -> Cue | None:
    return min(cues, key=lambda c: distance(c, start, end), default=None)


def _is_bengali(word: str) -> bool:
    return any("\u0980" <= c <= "\u09ff" for c in word)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the context made of one identifier (``decide`` returns None: not a leak)."""

    confidence: float
    severity: Severity
    why: str
    cue: Cue | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One identifier found by a recognizer, with everything :meth:`decide` needs."""

    entity: str
    start: int  # offsets into the ``norm`` view
    end: int
    value: str
    pattern_name: str
    base_score: float  # the pattern's score
    score: float  # after the recognizer's validator, before context
    recognizer: Any
    near: tuple[Cue, ...]  # context words within the window, outside the identifier


@dataclass(frozen=True, slots=True)
class _Reading:
    cand: Candidate
    decision: Decision
    details: dict[str, Any]

    @property
    def labelled(self) -> bool:
        cue = self.decision.cue
        return cue is not None and cue.kind in _LABELS


# --- the detector -----------------------------------------------------------------------


class ConfidentialDataDetector:
    """Finds identifiers and decides, from the words around each, whether it leaks."""

    name = "confidential-data"
    categories = frozenset({CATEGORY})

    def __init__(self) -> None:
        # Imported here, not at module level: presidio_analyzer takes about a second to
        # import, and plugin registration imports this module for every CLI command.
        from .recognizers.bangladesh import (
            BENGALI_MEMO_LABELS,
            BdMemoRecognizer,
            BdNidRecognizer,
            BdPassportRecognizer,
            BdPhoneRecognizer,
        )
        from .recognizers.credentials import (
            CREDENTIAL_GATE_WORDS,
            CREDENTIAL_LABELS,
            CredentialRecognizer,
            advice_after,
            mask_secret,
            parse_credential,
        )
        from .recognizers.generic import (
            ENGLISH_MEMO_LABELS,
            EnMemoRecognizer,
            SatarkEmailRecognizer,
            is_official_email,
        )
        from .recognizers.india import (
            HINDI_MEMO_LABELS,
            InMemoRecognizer,
            InPhoneRecognizer,
            SatarkAadhaarRecognizer,
            SatarkPanRecognizer,
            SatarkPassportRecognizer,
            SatarkVoterRecognizer,
        )
        from .recognizers.masked import (
            MASKED_RE,
            MaskedAadhaarRecognizer,
            MaskedBdNidRecognizer,
            MaskedBdPhoneRecognizer,
            MaskedInPhoneRecognizer,
        )
        from .recognizers.security import SECURITY_GATE_WORDS, SecurityScanner

        self._scanner = default_scanner()
        self._is_official_email = is_official_email
        self.aadhaar = SatarkAadhaarRecognizer()
        self.pan = SatarkPanRecognizer()
        self.voter = SatarkVoterRecognizer()
        self.passports = (SatarkPassportRecognizer(), BdPassportRecognizer())
        self.phones = (InPhoneRecognizer(), BdPhoneRecognizer())
        self.nid = BdNidRecognizer()
        self.email = SatarkEmailRecognizer()
        self.memos = (InMemoRecognizer(), BdMemoRecognizer(), EnMemoRecognizer())
        label_sets = (HINDI_MEMO_LABELS, BENGALI_MEMO_LABELS, ENGLISH_MEMO_LABELS)
        # Memo codes can be short ("क्रमांक/245/स्था."), so their gate is the label: one
        # regex for all on the hot path (no look-behind, so ``re`` skips ahead by first
        # character), then one per recognizer.
        self._memo_gate = re.compile(trie_regex([norm_term(t) for ls in label_sets for t in ls]))
        self._memo_gates = tuple(
            (rec, re.compile(trie_regex([norm_term(t) for t in ls])))
            for rec, ls in zip(self.memos, label_sets, strict=True)
        )
        # Each recognizer's own patterns, compiled with ``re``: Presidio's ``analyze`` (with
        # its ``regex`` engine, timeout and logging) then runs only when it will match.
        self._shape = {id(r): _union(r) for r in (*self.phones, self.aadhaar, self.nid, self.pan,
                                                   self.voter, *self.passports)}
        # masked numbers ("01711-xxx-482"): same entities, scored below full numbers
        self.masked_phones = (MaskedInPhoneRecognizer(), MaskedBdPhoneRecognizer())
        self.masked_nid = MaskedBdNidRecognizer()
        self.masked_aadhaar = MaskedAadhaarRecognizer()
        self._masked_re = MASKED_RE
        # credentials and security details are found by words, not digits: their gate is
        # a set lookup on the post's cached ``key`` words
        self.credential = CredentialRecognizer()
        self._parse_credential = parse_credential
        self._advice_after = advice_after
        self._mask_secret = mask_secret
        self._credential_words = frozenset(fold_term(w) for w in CREDENTIAL_GATE_WORDS)
        self._credential_label = re.compile(trie_regex(sorted(
            {norm_term(t) for terms in CREDENTIAL_LABELS.values() for t in terms})))
        self.security = SecurityScanner()
        self._security_words = frozenset(SECURITY_GATE_WORDS)
        self._word_gate = self._credential_words | self._security_words

    # -- entry point --

    def detect(self, doc: Document, ctx: ScreenContext) -> list[Hit]:
        text = doc.norm.text
        email = "@" in text and _EMAIL_RE.search(text) is not None
        digits = alnum = memo = masked = False
        if _RUN4_RE.search(text) is not None:
            maybe_masked = "xx" in text or "**" in text  # two C-level scans
            # the finer gates read only the stretches around the runs (a memo label can
            # sit some way before the run: "पत्र क्रमांक/245/स्था./2023")
            for a, b in _windows(_RUN4_RE, text, 64, 24):
                digits = digits or _DIGITS10_RE.search(text, a, b) is not None
                alnum = alnum or _ALNUM_RE.search(text, a, b) is not None
                memo = memo or self._memo_gate.search(text, a, b) is not None
                masked = masked or (maybe_masked
                                    and self._masked_re.search(text, a, b) is not None)
        credential = security = False
        words = doc.key_words
        if not self._word_gate.isdisjoint(words):
            credential = not self._credential_words.isdisjoint(words)
            security = not self._security_words.isdisjoint(words)
        if not (digits or alnum or memo or email or masked or credential or security):
            return []
        hits: list[Hit] = []
        if digits or alnum or memo or email or masked or credential:
            found = self.candidates(doc, digits=digits, alnum=alnum, memo=memo, email=email,
                                    masked=masked, credential=credential)
            readings = [r for c, cues in found
                        if (r := self._read(c, doc, ctx, cues, floor=0.0)) is not None]
            readings = [r for r in _listed(_resolve(readings)) if r.decision.confidence >= MIN_EMIT]
            hits.extend(self._hit(doc, r) for r in _corroborate(readings))
        if security:
            reading = self.security.scan(text)
            if reading is not None and reading.confidence >= MIN_EMIT:
                hits.append(self._security_hit(doc, reading))
        return hits

    def candidates(
        self,
        doc: Document,
        *,
        digits: bool = True,
        alnum: bool = True,
        memo: bool = True,
        email: bool = True,
        masked: bool = True,
        credential: bool = True,
    ) -> Iterator[tuple[Candidate, list[Cue]]]:
        """Every identifier the recognizers find, with the post's context words.

        The flags say which prefilters matched; with all of them on (the default) every
        recognizer whose shape occurs in the text runs. Presidio's ``analyze`` reads only
        windows around the places its patterns can match: its ``regex`` engine costs about
        50 µs a pattern on a 300-character post, and a few µs on a window.
        """
        text = doc.norm.text
        # memo numbers are judged without context words: skip the scan if only they can occur
        cues = self._scanner.scan(text) if digits or alnum or email or masked else []
        kinds = {c.kind for c in cues}
        shape = self._shape

        jobs: list[tuple[Any, list[tuple[int, int]], bool]] = []

        def add(recognizer: Any, windows: list[tuple[int, int]], blank: bool = True) -> None:
            gate = shape.get(id(recognizer))
            if gate is not None:  # the recognizer's own patterns, in each window
                windows = [(a, b) for a, b in windows if gate.search(text, a, b)]
            if windows:
                jobs.append((recognizer, windows, blank))

        if digits:
            numbers = _windows(_DIGITS10_RE, text, 24, 24)
            for rec in (*self.phones, self.aadhaar):
                add(rec, numbers)
            if kinds & {CueKind.NID, CueKind.ID_GENERIC, CueKind.VOTER, CueKind.CITIZEN,
                        CueKind.PERSONAL}:
                add(self.nid, numbers)
        if email:
            add(self.email, _windows(_EMAIL_RE, text, 48, 64))
        if alnum:
            codes = _windows(_ALNUM_RE, text, 24, 24)
            add(self.pan, codes)
            if kinds & {CueKind.VOTER, CueKind.ID_GENERIC}:
                add(self.voter, codes)
            if CueKind.PASSPORT in kinds:
                for passport in self.passports:
                    add(passport, codes)
        if memo:  # memo labels are Hindi/Bengali words: the recognizers read the real text
            for memo_rec, label in self._memo_gates:
                add(memo_rec, _windows(label, text, 8, 120), blank=False)
        if masked:
            hidden = _windows(self._masked_re, text, 24, 24)
            for masked_phone in self.masked_phones:
                add(masked_phone, hidden)
            if kinds & {CueKind.AADHAAR, CueKind.ID_GENERIC, CueKind.CITIZEN, CueKind.PERSONAL}:
                add(self.masked_aadhaar, hidden)
            if kinds & {CueKind.NID, CueKind.ID_GENERIC, CueKind.VOTER, CueKind.CITIZEN,
                        CueKind.PERSONAL}:
                add(self.masked_nid, hidden)
        if credential:  # labels in all scripts, values after them: the real text
            add(self.credential, _windows(self._credential_label, text, 2, 110), blank=False)

        n = len(text)
        for recognizer, windows, blank in jobs:
            for a, b in windows:
                chunk = text[a:b]
                if blank:  # same length: offsets hold
                    chunk = chunk.translate(_BLANK_INDIC)
                for res in recognizer.analyze(chunk, entities=recognizer.supported_entities,
                                              nlp_artifacts=None):
                    # a match touching a window's cut edge may be part of something longer
                    if (res.start == 0 and a > 0) or (res.end == len(chunk) and b < n):
                        continue
                    start, end = int(res.start) + a, int(res.end) + a
                    near = tuple(c for c in cues_near(cues, start, end, text=text)
                                 if c.end <= start or c.start >= end)
                    expl = res.analysis_explanation
                    yield Candidate(
                        entity=str(res.entity_type), start=start, end=end,
                        value=text[start:end],
                        pattern_name=str(expl.pattern_name) if expl is not None else "",
                        base_score=float(expl.original_score) if expl is not None else 0.0,
                        score=float(res.score), recognizer=recognizer, near=near,
                    ), cues

    # -- the decision --

    def decide(self, cand: Candidate, doc: Document, ctx: ScreenContext,
               cues: Sequence[Cue]) -> Decision | None:
        """The decision table: identifier x context -> confidence (C: severity critical).

        ==============  ===================================================  ===========
        identifier      context                                              confidence
        ==============  ===================================================  ===========
        Aadhaar         checksum ok + Aadhaar label                          0.95 C
                        checksum ok + citizen/personal words                 0.90 C
                        checksum ok, grouped 4-4-4 / bare 12 digits          0.70 / 0.50
                        checksum fails + Aadhaar label / 4-4-4 + citizen     0.60 / 0.50
        NID             NID label                                            0.95 C
                        13/17 digits + citizen/personal words                0.80
                        other length (11-16) right after an NID label        0.85
        PAN             strict layout + PAN label / person / in capitals     0.95 C/.80/.40
                        loose layout (any 4th letter) + PAN label            0.60
        EPIC, passport  label / person's details and in capitals             0.90 C / 0.50
        phone, e-mail   helpline/office words nearest; government domain     dropped
                        "call us", office or officer words near              dropped
                        citizen / personal / honorific words (best of them)  .85 / .80 / .60
                        citizen words elsewhere in the post                  0.70
                        only a "mobile"/"email" label / nothing              .35 / .25-.30
        memo number     label + code                                         0.30
        masked number   Aadhaar / NID label before it                        0.80
                        (x, *)  citizen's details (Aadhaar 4-4-4, NID 13/17)   .60 / .65
                        phone: the full-number decision, minus               0.10
        credential      password / OTP / PIN label + value of its shape      .90 C
                        "pass" + password-like value / log-in ID alone       .85 C / .45
        ==============  ===================================================  ===========

        Then, over the post: three or more phone numbers that no office claims are a
        list of people (each at least 0.5); a phone next to a published ID number is
        part of the same record (0.8, masked 0.7).

        "Near" is 40 characters before or 25 after. On an official account a number with
        no context is presumed the office's own and scores 0.1 lower, and one next to a
        named person (honorific only) 0.35: official pages name the staff to contact.
        """
        entity = cand.entity
        if entity == "CREDENTIAL":
            return self._credential(cand, doc)
        if getattr(cand.recognizer, "masked", False):
            return self._masked(cand, ctx, cues)
        if entity == "IN_AADHAAR":
            return self._aadhaar(cand, cues)
        if entity == "BD_NID":
            return self._nid(cand)
        if entity == "IN_PAN":
            return self._pan(cand, doc)
        if entity in ("IN_VOTER", "IN_PASSPORT", "BD_PASSPORT"):
            return self._document_id(cand, doc)
        if entity in ("IN_PHONE_NUMBER", "BD_PHONE_NUMBER", "EMAIL_ADDRESS"):
            return self._contact(cand, ctx, cues)
        if entity == "MEMO_NUMBER":
            official = ctx.account_type == "official"
            return Decision(0.2 if official else 0.3, Severity.MEDIUM,
                            "memo/file number: printed on public notices, weak alone")
        return None

    def _credential(self, cand: Candidate, doc: Document) -> Decision | None:
        parts = self._parse_credential(cand.value)
        if parts is None or self._advice_after(doc.norm.text[cand.end:cand.end + 40]):
            return None  # "PIN 1234 jaise aasan pin na rakhein": an example, not a leak
        kind = parts.kind
        severity = Severity.HIGH if kind == "login" else Severity.CRITICAL
        return Decision(_CREDENTIAL_SCORE[kind], severity,
                        f"a {kind} label followed by a value of its shape")

    def _masked(self, cand: Candidate, ctx: ScreenContext,
                cues: Sequence[Cue]) -> Decision | None:
        """Partly masked numbers: the full number's rules, a step lower.

        An ID label must come before the number ("NID 1992xxxx4471"): one after it
        labels the next number in a list ("mobile 01711-xxx-482, NID ...").
        """
        entity, high = cand.entity, Severity.HIGH
        before = [c for c in cand.near if c.end <= cand.start]
        places = sum(ch.isdigit() or ch in "x*" for ch in cand.value)
        if entity == "IN_AADHAAR":
            label = _nearest((c for c in before if c.kind in (CueKind.AADHAAR, CueKind.ID_GENERIC)),
                             cand.start, cand.end)
            if label:
                return Decision(0.8, high, "masked Aadhaar with an Aadhaar label", label)
            who = self._person(cand, strong=True)
            if who and not cand.value.replace("x", "").replace("*", "").isdigit():
                return Decision(0.6, high, "masked, grouped like an Aadhaar, beside a "
                                "citizen's details", who)
            return None
        if entity == "BD_NID":
            generic = (CueKind.ID_GENERIC, CueKind.VOTER)
            label = _nearest((c for c in before if c.kind == CueKind.NID
                              or (c.kind in generic and (places != 10 or _is_bengali(c.word)))),
                             cand.start, cand.end)
            if label:
                return Decision(0.8, high, f"masked {places}-place number with an NID label",
                                label)
            who = self._person(cand, strong=True)
            if who and places in (13, 17):
                return Decision(0.65, high, "masked NID next to a citizen's details", who)
            return None
        full = self._contact(cand, ctx, cues)
        if full is None:
            return None
        return Decision(round(full.confidence - 0.1, 4), full.severity,
                        f"partly masked; {full.why}", full.cue)

    @staticmethod
    def _label(cand: Candidate, *kinds: CueKind) -> Cue | None:
        return _nearest((c for c in cand.near if c.kind in kinds), cand.start, cand.end)

    @staticmethod
    def _person(cand: Candidate, *, strong: bool = False) -> Cue | None:
        """The best personal cue near: a citizen's role, then particulars, then a title.

        "Complainant Mr. Das, mob. 98…": the role says more than the nearer "Mr.".
        """
        kinds = (CueKind.CITIZEN, CueKind.PERSONAL) if strong else _PERSONAL
        return min(
            (c for c in cand.near if c.kind in kinds),
            key=lambda c: (_PERSON_RANK[c.kind], distance(c, cand.start, cand.end)),
            default=None,
        )

    def _aadhaar(self, cand: Candidate, cues: Sequence[Cue]) -> Decision | None:
        ok = bool(self.aadhaar.checksum_ok(cand.value))
        label = self._label(cand, CueKind.AADHAAR, CueKind.ID_GENERIC)
        crit, high = Severity.CRITICAL, Severity.HIGH
        if not ok:
            if label:
                return Decision(0.6, high, "Verhoeff checksum fails, but labelled Aadhaar", label)
            who = self._person(cand, strong=True)
            if who and not cand.value.isdigit():
                return Decision(0.5, high, "grouped like an Aadhaar beside a citizen's details",
                                who)
            return None
        if label:
            return Decision(0.95, crit, "valid Verhoeff checksum and an Aadhaar label", label)
        who = self._person(cand, strong=True) or _first(cues, CueKind.CITIZEN)
        if who:
            return Decision(0.9, crit, "valid checksum next to a citizen's details", who)
        if not cand.value.isdigit():
            return Decision(0.7, high, "valid checksum, grouped like an Aadhaar (4-4-4)")
        if cand.value.startswith("91"):
            return Decision(0.3, high, "valid checksum, but may be +91 and a mobile number")
        return Decision(0.5, high, "valid checksum, no context")

    def _nid(self, cand: Candidate) -> Decision | None:
        # A 10-digit NID and a 10-digit Indian mobile look alike: for those only an NID
        # label counts, or a Bengali "ভোটার আইডি"/"আইডি"; Hindi "मतदाता" means EPIC.
        n = sum(c.isdigit() for c in cand.value)
        if n not in (10, 13, 17):
            # a mistyped length: only an NID label just before it, with no phone label
            # between ("এনআইডি ..., মোবাইল 01...")
            before = [c for c in cand.near if c.end <= cand.start]
            last = max(before, key=lambda c: c.end, default=None)
            if last is not None and last.kind == CueKind.NID:
                return Decision(0.85, Severity.HIGH, f"{n}-digit number right after an NID label",
                                last)
            return None
        generic = (CueKind.ID_GENERIC, CueKind.VOTER)
        label = _nearest(
            (c for c in cand.near if c.kind == CueKind.NID
             or (c.kind in generic and (n != 10 or _is_bengali(c.word)))),
            cand.start, cand.end,
        )
        if label:
            return Decision(0.95, Severity.CRITICAL, f"{n}-digit number with an NID label", label)
        # 13/17 digits beside a citizen's particulars: an NID, or else a bank account, which
        # is no less personal; 10 digits there are more likely a phone number.
        who = self._person(cand, strong=True)
        if n != 10 and who:
            return Decision(0.8, Severity.HIGH, f"{n}-digit NID next to a citizen's details", who)
        return None

    def _pan(self, cand: Candidate, doc: Document) -> Decision | None:
        label = self._label(cand, CueKind.PAN)
        if cand.pattern_name != "PAN (High)":  # any 4th letter: not a PAN layout
            if label:
                return Decision(0.6, Severity.HIGH, "PAN-like code with a PAN label", label)
            return None
        if label:
            return Decision(0.95, Severity.CRITICAL, "PAN layout with a PAN label", label)
        who = self._person(cand)
        if who:
            return Decision(0.8, Severity.HIGH, "PAN layout next to a person's details", who)
        if _original(doc, cand).isupper():
            return Decision(0.4, Severity.HIGH, "PAN layout in capitals, no context")
        return None

    def _document_id(self, cand: Candidate, doc: Document) -> Decision | None:
        voter = cand.entity == "IN_VOTER"
        what = "voter ID" if voter else "passport"
        label = (self._label(cand, CueKind.VOTER, CueKind.ID_GENERIC) if voter
                 else self._label(cand, CueKind.PASSPORT))
        if label:
            return Decision(0.9, Severity.CRITICAL, f"{what} layout with a {what} label", label)
        who = self._person(cand)
        if who and _original(doc, cand).isupper():
            return Decision(0.5, Severity.HIGH, f"{what} layout next to a person's details", who)
        return None

    def _contact(self, cand: Candidate, ctx: ScreenContext,
                 cues: Sequence[Cue]) -> Decision | None:
        email = cand.entity == "EMAIL_ADDRESS"
        if email and self._is_official_email(cand.value):
            return None  # an office's own address is there to be published
        start, end, high = cand.start, cand.end, Severity.HIGH
        official = ctx.account_type == "official"
        office = self._label(cand, CueKind.OFFICE)
        who = self._person(cand)
        closest = _nearest((c for c in cand.near if c.kind in _PERSONAL), start, end)
        if office and (closest is None
                       or distance(office, start, end) <= distance(closest, start, end)):
            return None  # "हेल्पलाइन 98…", "কন্ট্রোল রুম: 01…"
        owned = self._label(cand, CueKind.OFFICE_WEAK, CueKind.INVITATION)
        if who:
            if who.kind == CueKind.HONORIFIC:
                if owned:
                    return None  # "नोडल अधिकारी श्री ए.के. शर्मा, मो. 94… से संपर्क करें"
                score = 0.35 if official else 0.6  # official pages name their staff
            else:
                score = 0.85 if who.kind == CueKind.CITIZEN else 0.8
            return Decision(score, high, f"a person's details near ({who.kind})", who)
        if owned:
            return None  # an office's or the author's own number, offered to be called
        citizen = _first(cues, CueKind.CITIZEN)
        if citizen:
            return Decision(0.7, high, "the post is about a citizen", citizen)
        if _first(cues, CueKind.OFFICE):
            return None  # the post lists office contacts
        lower = 0.1 if official else 0.0
        label = self._label(cand, CueKind.EMAIL if email else CueKind.PHONE_LABEL)
        if label:
            return Decision(0.35 - lower, high, "labelled, owner unknown", label)
        return Decision((0.3 if email else 0.25) - lower, high, "no context")

    # -- output --

    def _read(self, cand: Candidate, doc: Document, ctx: ScreenContext,
              cues: Sequence[Cue], *, floor: float = MIN_EMIT) -> _Reading | None:
        decision = self.decide(cand, doc, ctx, cues)
        if decision is None or decision.confidence < floor:
            return None
        original = _original(doc, cand)
        hidden = bool(getattr(cand.recognizer, "masked", False))
        details: dict[str, Any] = {
            "entity": cand.entity,
            "recognizer": str(cand.recognizer.name),
            "pattern_name": cand.pattern_name,
            "original_score": cand.base_score,
            "validator": _VALIDATORS.get(cand.entity, "none"),
            "score_before_context": cand.score,
            "context_words": [c.word for c in cand.near],
            "supportive_context_word": decision.cue.word if decision.cue else "",
            "supportive_context_kind": str(decision.cue.kind) if decision.cue else "",
            "score": decision.confidence,
            "score_context_improvement": round(decision.confidence - cand.score, 4),
            "decision": decision.why,
            "masked": mask(original, cand.entity),
        }
        if hidden:
            details["validator"] = "digit and mask counts"
            details["masked_digits"] = True
        if cand.entity == "CREDENTIAL":
            parts = self._parse_credential(cand.value)
            assert parts is not None  # decide() accepted it
            names = _CREDENTIAL_NAMES[parts.kind]
            secret = _original(doc, cand)[:parts.value_start] + self._mask_secret(parts.value)
            details.update(credential_kind=parts.kind, credential=names[0],
                           credential_hi=names[1], credential_bn=names[2], masked=secret)
        elif cand.entity == "IN_AADHAAR" and not hidden:
            details["validation_result"] = bool(self.aadhaar.checksum_ok(cand.value))
        elif cand.entity in ("IN_PHONE_NUMBER", "BD_PHONE_NUMBER") and not hidden:
            info = cand.recognizer.parse(cand.value)
            details["validation_result"] = info is not None
            if info is not None:
                details["number_type"] = info.number_type
        elif cand.entity == "MEMO_NUMBER":
            details["code"] = original
        return _Reading(cand, decision, details)

    def _security_hit(self, doc: Document, reading: SecurityDetail) -> Hit:
        spans: list[tuple[int, int]] = []
        for a, b in sorted({doc.span_from_norm(reading.start, reading.end),
                            doc.span_from_norm(*reading.detail_span)}):
            if spans and a <= spans[-1][1]:  # "3 escort vehicles" holds the topic word
                spans[-1] = (spans[-1][0], max(b, spans[-1][1]))
            else:
                spans.append((a, b))
        return Hit(
            category=CATEGORY,
            confidence=reading.confidence,
            spans=tuple(Span(a, b, doc.original[a:b]) for a, b in spans),
            severity=Severity.HIGH,
            detector=self.name,
            reason="security.details",
            details={
                "topic": doc.original[slice(*doc.span_from_norm(reading.start, reading.end))],
                "topic_kind": reading.topic,
                "detail_kinds": ", ".join(reading.details),
                "future": reading.future,
                "score": reading.confidence,
            },
        )

    def _hit(self, doc: Document, reading: _Reading) -> Hit:
        o_start, o_end = doc.span_from_norm(reading.cand.start, reading.cand.end)
        return Hit(
            category=CATEGORY,
            confidence=reading.decision.confidence,
            spans=(Span(o_start, o_end, doc.original[o_start:o_end]),),
            severity=reading.decision.severity,
            detector=self.name,
            reason=_REASON_BY_ENTITY[reading.cand.entity],
            details=reading.details,
        )


_VALIDATORS = {
    "IN_AADHAAR": "verhoeff checksum",
    "IN_PHONE_NUMBER": "phonenumbers",
    "BD_PHONE_NUMBER": "phonenumbers",
    "EMAIL_ADDRESS": "public suffix (tldextract)",
    "BD_NID": "length and birth-year structure",
    "MEMO_NUMBER": "two or more digits",
    "CREDENTIAL": "value shape for the label",
}


def _windows(gate: re.Pattern[str], text: str, before: int, after: int) -> list[tuple[int, int]]:
    """Merged ``[start, end)`` windows around every match of ``gate``."""
    out: list[tuple[int, int]] = []
    n = len(text)
    for m in gate.finditer(text):
        a, b = max(0, m.start() - before), min(n, m.end() + after)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def _union(recognizer: Any) -> re.Pattern[str]:
    """A recognizer's patterns as one stdlib regex: a cheap pre-check on the ``norm`` text.

    ``\\b`` becomes "not between two ASCII letters or digits": ``re`` and Presidio's
    ``regex`` disagree on word boundaries next to Indic vowel signs, and a gate may match
    more than the recognizer, never less (these patterns put ``\\b`` next to
    alphanumerics only).
    """
    loose = r"(?:(?<![0-9a-z])|(?![0-9a-z]))"
    parts = (p.regex.replace(r"\b", loose) for p in recognizer.patterns)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _first(cues: Sequence[Cue], kind: CueKind) -> Cue | None:
    return next((c for c in cues if c.kind == kind), None)


def _original(doc: Document, cand: Candidate) -> str:
    o_start, o_end = doc.span_from_norm(cand.start, cand.end)
    return doc.original[o_start:o_end]


def _resolve(readings: list[_Reading]) -> list[_Reading]:
    """One reading per stretch of text: a labelled reading first, then the likelier one.

    "9826143307" next to "এনআইডি" is an NID, next to "मोबाइल" a phone number.
    """
    ordered = sorted(readings, key=lambda r: (not r.labelled, -r.decision.confidence,
                                              r.cand.start))
    kept: list[_Reading] = []
    for r in ordered:
        if all(r.cand.end <= o.cand.start or r.cand.start >= o.cand.end for o in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.cand.start)


_PHONES = frozenset({"IN_PHONE_NUMBER", "BD_PHONE_NUMBER"})
#: this many different phone numbers that no office or invitation claims make a list of
#: people ("students' list with mobile numbers: Pooja 75870…, Rinki 62643…, …")
LIST_MIN = 3
LIST_SCORE = 0.5


def _listed(readings: list[_Reading]) -> list[_Reading]:
    """Numbers in a list are people's numbers: each of three or more scores at least 0.5.

    An office's list of contacts names its offices or officers (those numbers are dropped
    before this step, so they do not count); numbers offered to be called are dropped too.
    """
    phones = [r for r in readings if r.cand.entity in _PHONES]
    if len({_DIGIT_ONLY_RE.sub("", r.cand.value)[-10:] for r in phones}) < LIST_MIN:
        return readings
    out: list[_Reading] = []
    for r in readings:
        if r.cand.entity in _PHONES and r.decision.confidence < LIST_SCORE:
            why = f"one of {len(phones)} numbers listed in the post: a list of people"
            details = {**r.details, "score": LIST_SCORE, "decision": why,
                       "listed_numbers": len(phones)}
            r = _Reading(r.cand, Decision(LIST_SCORE, r.decision.severity, why,
                                          r.decision.cue), details)
        out.append(r)
    return out


_NATIONAL_IDS = frozenset({"IN_AADHAAR", "BD_NID", "IN_PAN", "IN_VOTER", "IN_PASSPORT",
                           "BD_PASSPORT"})
_CONTACTS = frozenset({"IN_PHONE_NUMBER", "BD_PHONE_NUMBER", "EMAIL_ADDRESS"})


def _corroborate(readings: list[_Reading], *, window: int = 60) -> list[_Reading]:
    """A phone or e-mail next to a published ID number is part of the same person's record.

    "এনআইডি ১৯৮৫…, মোবাইল ০১৭১১…": the words that name the person may be out of the
    phone's window, but the NID right before it is not.
    """
    ids = [r for r in readings if r.cand.entity in _NATIONAL_IDS and r.decision.confidence >= 0.6]
    if not ids:
        return readings
    out: list[_Reading] = []
    for r in readings:
        c = r.cand
        if c.entity in _CONTACTS and r.decision.confidence < 0.8 and any(
            c.start - window <= i.cand.end and i.cand.start <= c.end + window for i in ids
        ):
            i = min(ids, key=lambda i: abs(i.cand.start - c.start))
            why = f"next to a published {i.cand.entity} number"
            score = 0.7 if getattr(c.recognizer, "masked", False) else 0.8
            if score <= r.decision.confidence:
                out.append(r)
                continue
            details = {**r.details, "score": score, "decision": why,
                       "corroborated_by": i.cand.entity,
                       "score_context_improvement": round(score - c.score, 4)}
            r = _Reading(c, Decision(score, r.decision.severity, why, r.decision.cue), details)
        out.append(r)
    return out


@hookimpl
def satark_detectors() -> list[type[ConfidentialDataDetector]]:
    return [ConfidentialDataDetector]
