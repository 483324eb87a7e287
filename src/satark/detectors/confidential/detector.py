"""Personal and official identifiers, credentials and security details in a post
(category ``confidential``; CG 1, BD §6.1, §7): Aadhaar, PAN, EPIC, passport, NID, phone,
e-mail, memo numbers, partly masked numbers, passwords/OTPs/PINs with their values, and
the times, routes and head counts of coming convoys, raids and patrols.

A number alone is not a leak. An office publishes its helpline, a notice asks citizens
to bring their Aadhaar card, a circular carries its memo number. What makes a leak is
whose number it is, and that is read from the words around it, in Hindi, Bengali and
English (:mod:`..recognizers.context`). The recognizers (:mod:`..recognizers`: patterns
with base scores, context words, a validator such as python-stdnum's Verhoeff check for
Aadhaar or ``phonenumbers``) come through the ``satark_recognizers`` hook; the decision
is made per identifier with the table in :meth:`.decision.DecisionTable.decide`, and
``details`` records the decision process: recognizer, pattern, the pattern's score,
validator and its result, the context words near and the one that decided.

- Masked numbers ("01711-xxx-482", "98xxxx3421", "NID 1992xxxx4471",
  :mod:`..recognizers.masked`) follow the full numbers' context rules a step lower: a
  partly hidden number beside a name and an address still identifies the person.
- Credentials (:mod:`..recognizers.credentials`): a password/OTP/PIN/log-in label followed
  by a value of its shape; safety advice has no value and stays clean. The message masks
  the secret.
- Security details (:mod:`..recognizers.security`): a convoy, raid, patrol or operation
  word with a clock time, route, head count or patrol gap of something still to come;
  public traffic advisories are counter-cues.

Cost: most posts hold no identifier. A post without a run of four digits, without an
"@" and without a credential or security word costs one regex search and one set lookup
on the post's ``key`` words (about 1.5 µs for 300 characters; the word list is cached on
the document, and the lexicon detector, which runs first, has already built it); one
with dates or counts a few more searches over short windows (about 4-8 µs). Only
candidates pay for the context scan, the recognizers' ``analyze`` (on windows around
them, not the whole post) and ``phonenumbers`` (cached): about 30-160 µs.

This module holds the detector: the prefilter, the candidates and the findings. The
rules are in :mod:`.decision`, the post-level steps in :mod:`.post`, the texts in
:mod:`.reasons`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

from ...categories import Severity
from ...findings import Hit, Span
from ...normalize import Document, fold_term
from ..base import ScreenContext
from ..recognizers.base import Recognizer
from ..recognizers.context import Cue, CueKind, cues_near, default_scanner, norm_term, trie_regex
from ..recognizers.credentials import (
    CREDENTIAL_GATE_WORDS,
    CREDENTIAL_LABELS,
    mask_secret,
    parse_credential,
)
from ..recognizers.masked import MASKED_RE
from ..recognizers.security import SECURITY_GATE_WORDS, SecurityScanner
from .decision import Candidate, DecisionTable, Reading
from .decision import original as original_text
from .post import corroborate, listed, resolve
from .reasons import CREDENTIAL_NAMES, REASON_BY_ENTITY, VALIDATORS, mask

if TYPE_CHECKING:
    from ..recognizers.security import SecurityDetail

__all__ = ["CATEGORY", "MIN_EMIT", "ConfidentialDataDetector"]

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
# for one char, before the recognizers' ``\b`` patterns run: ``regex`` counts vowel signs
# as word characters, so "नं९८२६…" would have no word boundary before the digits.
_BLANK_INDIC = str.maketrans(dict.fromkeys(
    [*range(0x0900, 0x0964), *range(0x0970, 0x09E6), *range(0x09F0, 0x0A00)], " "
))


class ConfidentialDataDetector(DecisionTable):
    """Finds identifiers and decides, from the words around each, whether it leaks."""

    name = "confidential-data"
    categories = frozenset({CATEGORY})

    def __init__(self, recognizers: Iterable[Recognizer] | None = None) -> None:
        """``recognizers``: default, every one the ``satark_recognizers`` hook gives."""
        if recognizers is None:
            from ...plugins import get_plugin_manager

            recognizers = [factory() for factories in get_plugin_manager().hook.satark_recognizers()
                           for factory in factories]
        role: dict[str, list[Any]] = defaultdict(list)
        for rec in recognizers:
            role[getattr(rec, "role", "generic")].append(rec)
        self.recognizers = tuple(r for rs in role.values() for r in rs)
        self.phones = tuple(role["phone"])
        self.aadhaars = tuple(role["aadhaar"])
        self.nids = tuple(role["nid"])
        self.emails = tuple(role["email"])
        self.pans = tuple(role["pan"])
        self.voters = tuple(role["voter"])
        self.passports = tuple(role["passport"])
        self.memos = tuple(role["memo"])
        self.masked_phones = tuple(role["masked_phone"])
        self.masked_aadhaars = tuple(role["masked_aadhaar"])
        self.masked_nids = tuple(role["masked_nid"])
        self.credentials = tuple(role["credential"])
        self.generic = tuple(role["generic"])
        # Memo codes can be short ("क्रमांक/245/स्था."), so their gate is the label: one
        # regex for all on the hot path (no look-behind, so ``re`` skips ahead by first
        # character), then one per recognizer.
        labels = [norm_term(t) for rec in self.memos for t in rec.labels]
        self._memo_gate = re.compile(trie_regex(labels) if labels else r"(?!)")
        self._memo_gates = tuple(
            (rec, re.compile(trie_regex([norm_term(t) for t in rec.labels]))) for rec in self.memos
        )
        # Each recognizer's own patterns, compiled with ``re``: its ``analyze`` (the
        # ``regex`` module) then runs only when it will match.
        # Each recognizer's own patterns as one ``re`` regex (compiled on first use): its
        # ``analyze`` (the ``regex`` module) then runs only when it will match.
        self._gated = {id(r): r for r in (*self.phones, *self.aadhaars, *self.nids, *self.pans,
                                          *self.voters, *self.passports, *self.generic)}
        self._shapes: dict[int, re.Pattern[str]] = {}
        self._generic_gate = (re.compile("|".join(_union(r).pattern for r in self.generic),
                                         re.IGNORECASE) if self.generic else None)
        self._masked_re = MASKED_RE
        # credentials and security details are found by words, not digits: their gate is
        # a set lookup on the post's cached ``key`` words
        self._credential_words = frozenset(fold_term(w) for w in CREDENTIAL_GATE_WORDS)
        self._security_words = frozenset(SECURITY_GATE_WORDS)
        self._word_gate = self._credential_words | self._security_words

    # The context scanner, the credential labels and the security scanner are compiled
    # on first use (about 0.1 s together): a one-post `satark check` rarely needs them.

    @cached_property
    def security(self) -> SecurityScanner:
        return SecurityScanner()

    @cached_property
    def _credential_label(self) -> re.Pattern[str]:
        return re.compile(trie_regex(sorted(
            {norm_term(t) for terms in CREDENTIAL_LABELS.values() for t in terms})))

    def _shape(self, recognizer: Recognizer) -> re.Pattern[str] | None:
        """The recognizer's gate, or ``None`` for those that run on their windows as they are."""
        key = id(recognizer)
        if key not in self._gated:
            return None
        gate = self._shapes.get(key)
        if gate is None:
            gate = self._shapes[key] = _union(recognizer)
        return gate

    def warm_up(self) -> None:
        """Load now what the detector otherwise loads for the first post that needs it
        (the recognizers' patterns, the scanners, ``phonenumbers`` and its Indian and
        Bangladeshi metadata: about 0.3 s), so that a long-running screener or a benchmark
        does not pay it in the middle of a stream. Changes no result."""
        for rec in self.recognizers:
            compile_patterns = getattr(rec, "_regexes", None)
            if compile_patterns is not None:
                compile_patterns()
            self._shape(rec)
        _ = self.security, self._credential_label
        default_scanner()
        from ..recognizers.generic import type_names

        type_names()  # imports phonenumbers
        import phonenumbers

        for number in ("+919826143307", "+8801711223344"):  # the regions' metadata load on first use
            phonenumbers.number_type(phonenumbers.parse(number))

    # -- entry point --

    def detect(self, doc: Document, ctx: ScreenContext) -> list[Hit]:
        text = doc.norm.text
        email = "@" in text and _EMAIL_RE.search(text) is not None
        digits = alnum = memo = masked = False
        generic = self._generic_gate is not None and self._generic_gate.search(text) is not None
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
        if not (digits or alnum or memo or email or masked or credential or security
                or generic):
            return []
        hits: list[Hit] = []
        if digits or alnum or memo or email or masked or credential or generic:
            found = self.candidates(doc, digits=digits, alnum=alnum, memo=memo, email=email,
                                    masked=masked, credential=credential, generic=generic)
            readings = [r for c, cues in found
                        if (r := self._read(c, doc, ctx, cues, floor=0.0)) is not None]
            readings = [r for r in listed(resolve(readings)) if r.decision.confidence >= MIN_EMIT]
            hits.extend(self._hit(doc, r) for r in corroborate(readings))
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
        generic: bool = True,
    ) -> Iterator[tuple[Candidate, list[Cue]]]:
        """Every identifier the recognizers find, with the post's context words.

        The flags say which prefilters matched; with all of them on (the default) every
        recognizer whose shape occurs in the text runs. A recognizer's ``analyze`` reads only
        windows around the places its patterns can match: the ``regex`` module costs about
        50 µs a pattern on a 300-character post, and a few µs on a window.
        """
        text = doc.norm.text
        # memo numbers are judged without context words: skip the scan if only they can occur
        cues = default_scanner().scan(text) if digits or alnum or email or masked else []
        kinds = {c.kind for c in cues}

        jobs: list[tuple[Any, list[tuple[int, int]], bool]] = []

        def add(recognizer: Any, windows: list[tuple[int, int]], blank: bool = True) -> None:
            gate = self._shape(recognizer)
            if gate is not None:  # the recognizer's own patterns, in each window
                windows = [(a, b) for a, b in windows if gate.search(text, a, b)]
            if windows:
                jobs.append((recognizer, windows, blank))

        if digits:
            numbers = _windows(_DIGITS10_RE, text, 24, 24)
            for rec in (*self.phones, *self.aadhaars):
                add(rec, numbers)
            if kinds & {CueKind.NID, CueKind.ID_GENERIC, CueKind.VOTER, CueKind.CITIZEN,
                        CueKind.PERSONAL}:
                for rec in self.nids:
                    add(rec, numbers)
        if email:
            for rec in self.emails:
                add(rec, _windows(_EMAIL_RE, text, 48, 64))
        if alnum:
            codes = _windows(_ALNUM_RE, text, 24, 24)
            for rec in self.pans:
                add(rec, codes)
            if kinds & {CueKind.VOTER, CueKind.ID_GENERIC}:
                for rec in self.voters:
                    add(rec, codes)
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
                for rec in self.masked_aadhaars:
                    add(rec, hidden)
            if kinds & {CueKind.NID, CueKind.ID_GENERIC, CueKind.VOTER, CueKind.CITIZEN,
                        CueKind.PERSONAL}:
                for rec in self.masked_nids:
                    add(rec, hidden)
        if credential:  # labels in all scripts, values after them: the real text
            for rec in self.credentials:
                add(rec, _windows(self._credential_label, text, 2, 110), blank=False)
        if generic:  # identifiers declared in data files or by plugins
            for rec in self.generic:
                add(rec, _windows(_union(rec), text, 24, 24))

        n = len(text)
        for recognizer, windows, blank in jobs:
            for a, b in windows:
                chunk = text[a:b]
                if blank:  # same length: offsets hold
                    chunk = chunk.translate(_BLANK_INDIC)
                for res in recognizer.analyze(chunk):
                    # a match touching a window's cut edge may be part of something longer
                    if (res.start == 0 and a > 0) or (res.end == len(chunk) and b < n):
                        continue
                    start, end = int(res.start) + a, int(res.end) + a
                    near = tuple(c for c in cues_near(cues, start, end, text=text)
                                 if c.end <= start or c.start >= end)
                    yield Candidate(
                        entity=res.entity_type, start=start, end=end, value=text[start:end],
                        pattern_name=res.pattern_name, base_score=res.original_score,
                        score=res.score, recognizer=recognizer, near=near,
                    ), cues

    # -- the decision --

    # -- output --

    def _read(self, cand: Candidate, doc: Document, ctx: ScreenContext,
              cues: Sequence[Cue], *, floor: float = MIN_EMIT) -> Reading | None:
        decision = self.decide(cand, doc, ctx, cues)
        if decision is None or decision.confidence < floor:
            return None
        original = original_text(doc, cand)
        hidden = bool(getattr(cand.recognizer, "masked", False))
        details: dict[str, Any] = {
            "entity": cand.entity,
            "recognizer": str(cand.recognizer.name),
            "pattern_name": cand.pattern_name,
            "original_score": cand.base_score,
            "validator": VALIDATORS.get(cand.entity, getattr(cand.recognizer, "validator_name", "none")),
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
            parts = parse_credential(cand.value)
            assert parts is not None  # decide() accepted it
            names = CREDENTIAL_NAMES[parts.kind]
            secret = original_text(doc, cand)[:parts.value_start] + mask_secret(parts.value)
            details.update(credential_kind=parts.kind, credential=names[0],
                           credential_hi=names[1], credential_bn=names[2], masked=secret)
        elif (cand.entity == "IN_AADHAAR" and not hidden) or cand.entity == "IN_VOTER":
            details["validation_result"] = bool(cand.recognizer.checksum_ok(cand.value))
        elif cand.entity == "IN_PAN":
            details["validation_result"] = bool(cand.recognizer.layout_ok(cand.value))
        elif cand.entity in ("IN_PHONE_NUMBER", "BD_PHONE_NUMBER") and not hidden:
            info = cand.recognizer.parse(cand.value)
            details["validation_result"] = info is not None
            if info is not None:
                details["number_type"] = info.number_type
        elif cand.entity == "MEMO_NUMBER":
            details["code"] = original
        elif cand.recognizer.role == "generic":
            spec = getattr(cand.recognizer, "spec", None)
            said: dict[str, str] = dict(spec.description) if spec is not None else {}
            english = said.get("en") or next(iter(said.values()), cand.entity)
            details.update(description=english, description_hi=said.get("hi", english),
                           description_bn=said.get("bn", english),
                           validation_result=cand.score >= 1.0)
        return Reading(cand, decision, details)

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

    def _hit(self, doc: Document, reading: Reading) -> Hit:
        o_start, o_end = doc.span_from_norm(reading.cand.start, reading.cand.end)
        return Hit(
            category=CATEGORY,
            confidence=reading.decision.confidence,
            spans=(Span(o_start, o_end, doc.original[o_start:o_end]),),
            severity=reading.decision.severity,
            detector=self.name,
            reason=REASON_BY_ENTITY.get(reading.cand.entity, "pii.identifier"),
            details=reading.details,
        )





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


@lru_cache(maxsize=256)
def _union(recognizer: Any) -> re.Pattern[str]:
    """A recognizer's patterns as one stdlib regex: a cheap pre-check on the ``norm`` text.

    ``\\b`` becomes "not between two ASCII letters or digits": ``re`` and the
    ``regex`` module disagree on word boundaries next to Indic vowel signs, and a gate may match
    more than the recognizer, never less (these patterns put ``\\b`` next to
    alphanumerics only).
    """
    loose = r"(?:(?<![0-9a-z])|(?![0-9a-z]))"
    parts = (p.regex.replace(r"\b", loose) for p in recognizer.patterns)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)

