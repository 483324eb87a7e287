"""The decision table: whether an identifier leaks, from the words around it.

A number alone is not a leak; whose number it is decides, and that is read from the
context words near it (:mod:`..recognizers.context`). :class:`DecisionTable` holds the
rules per kind of identifier; identifiers declared in data files are decided by their
own labels (:meth:`DecisionTable.declared`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ...categories import Severity
from ...normalize import Document
from ..base import ScreenContext
from ..recognizers.context import Cue, CueKind, distance
from ..recognizers.credentials import advice_after, parse_credential
from ..recognizers.generic import is_official_email

__all__ = [
    "CREDENTIAL_SCORE",
    "LABELS",
    "PERSONAL",
    "Candidate",
    "Decision",
    "DecisionTable",
    "Reading",
    "first",
    "is_bengali",
    "nearest",
    "original",
]

PERSONAL = frozenset({CueKind.CITIZEN, CueKind.PERSONAL, CueKind.HONORIFIC})
PERSON_RANK = {CueKind.CITIZEN: 0, CueKind.PERSONAL: 1, CueKind.HONORIFIC: 2}
LABELS = frozenset({
    CueKind.AADHAAR, CueKind.PAN, CueKind.VOTER, CueKind.PASSPORT, CueKind.NID,
    CueKind.ID_GENERIC, CueKind.PHONE_LABEL, CueKind.EMAIL,
})
#: confidence by kind of credential: a user name alone is half of a log-in
CREDENTIAL_SCORE = {"otp": 0.9, "pin": 0.9, "password": 0.9, "pass": 0.85, "login": 0.45}


def nearest(cues: Iterable[Cue], start: int, end: int) -> Cue | None:
    return min(cues, key=lambda c: distance(c, start, end), default=None)


def is_bengali(word: str) -> bool:
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
class Reading:
    cand: Candidate
    decision: Decision
    details: dict[str, Any]

    @property
    def labelled(self) -> bool:
        cue = self.decision.cue
        return cue is not None and cue.kind in LABELS



def first(cues: Sequence[Cue], kind: CueKind) -> Cue | None:
    return next((c for c in cues if c.kind == kind), None)


def original(doc: Document, cand: Candidate) -> str:
    o_start, o_end = doc.span_from_norm(cand.start, cand.end)
    return doc.original[o_start:o_end]


class DecisionTable:
    """The rules, one method per kind of identifier (the detector inherits them)."""

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
        declared        its own label (checksum ok / none)                   0.90 / 0.80
        (data files)    checksum ok + citizen/personal words                 0.70
        ==============  ===================================================  ===========

        Then, over the post: three or more phone numbers that no office claims are a
        list of people (each at least 0.5); a phone next to a published ID number is
        part of the same record (0.8, masked 0.7).

        "Near" is 40 characters before or 25 after. On an official account a number with
        no context is presumed the office's own and scores 0.1 lower, and one next to a
        named person (honorific only) 0.35: official pages name the staff to contact.
        """
        entity = cand.entity
        if cand.recognizer.role == "generic":
            return self.declared(cand, doc)
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
        parts = parse_credential(cand.value)
        if parts is None or advice_after(doc.norm.text[cand.end:cand.end + 40]):
            return None  # "PIN 1234 jaise aasan pin na rakhein": an example, not a leak
        kind = parts.kind
        severity = Severity.HIGH if kind == "login" else Severity.CRITICAL
        return Decision(CREDENTIAL_SCORE[kind], severity,
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
            label = nearest((c for c in before if c.kind in (CueKind.AADHAAR, CueKind.ID_GENERIC)),
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
            label = nearest((c for c in before if c.kind == CueKind.NID
                              or (c.kind in generic and (places != 10 or is_bengali(c.word)))),
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
        return nearest((c for c in cand.near if c.kind in kinds), cand.start, cand.end)

    @staticmethod
    def _person(cand: Candidate, *, strong: bool = False) -> Cue | None:
        """The best personal cue near: a citizen's role, then particulars, then a title.

        "Complainant Mr. Das, mob. 98…": the role says more than the nearer "Mr.".
        """
        kinds = (CueKind.CITIZEN, CueKind.PERSONAL) if strong else PERSONAL
        return min(
            (c for c in cand.near if c.kind in kinds),
            key=lambda c: (PERSON_RANK[c.kind], distance(c, cand.start, cand.end)),
            default=None,
        )

    def _aadhaar(self, cand: Candidate, cues: Sequence[Cue]) -> Decision | None:
        ok = bool(cand.recognizer.checksum_ok(cand.value))
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
        who = self._person(cand, strong=True) or first(cues, CueKind.CITIZEN)
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
        label = nearest(
            (c for c in cand.near if c.kind == CueKind.NID
             or (c.kind in generic and (n != 10 or is_bengali(c.word)))),
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
        if original(doc, cand).isupper():
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
        if who and original(doc, cand).isupper():
            return Decision(0.5, Severity.HIGH, f"{what} layout next to a person's details", who)
        return None

    def _contact(self, cand: Candidate, ctx: ScreenContext,
                 cues: Sequence[Cue]) -> Decision | None:
        email = cand.entity == "EMAIL_ADDRESS"
        if email and is_official_email(cand.value):
            return None  # an office's own address is there to be published
        start, end, high = cand.start, cand.end, Severity.HIGH
        official = ctx.account_type == "official"
        office = self._label(cand, CueKind.OFFICE)
        who = self._person(cand)
        closest = nearest((c for c in cand.near if c.kind in PERSONAL), start, end)
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
        citizen = first(cues, CueKind.CITIZEN)
        if citizen:
            return Decision(0.7, high, "the post is about a citizen", citizen)
        if first(cues, CueKind.OFFICE):
            return None  # the post lists office contacts
        lower = 0.1 if official else 0.0
        label = self._label(cand, CueKind.EMAIL if email else CueKind.PHONE_LABEL)
        if label:
            return Decision(0.35 - lower, high, "labelled, owner unknown", label)
        return Decision((0.3 if email else 0.25) - lower, high, "no context")

    # -- output --

    def declared(self, cand: Candidate, doc: Document) -> Decision | None:
        """An identifier from a data file: its own label near, or checksum and a citizen."""
        label = cand.recognizer.label_near(doc.norm.text, cand.start, cand.end)
        if label:
            return Decision(0.9 if cand.score >= 1.0 else 0.8, Severity.HIGH,
                            f"{cand.entity} layout with its label", None)
        who = self._person(cand, strong=True)
        if who and cand.score >= 1.0:
            return Decision(0.7, Severity.HIGH, "valid checksum next to a citizen's details", who)
        return None
