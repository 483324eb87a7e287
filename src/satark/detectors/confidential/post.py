"""Post-level steps after each identifier is decided: overlaps, lists, records.

A number's own window can miss what the post as a whole says: three phone numbers no
office claims are a list of people; a phone next to a published NID is the same
person's record.
"""

from __future__ import annotations

import re

from .decision import Decision, Reading

__all__ = ["LIST_MIN", "LIST_SCORE", "corroborate", "listed", "resolve"]

_DIGIT_ONLY_RE = re.compile(r"[^0-9x*]")


def resolve(readings: list[Reading]) -> list[Reading]:
    """One reading per stretch of text: a labelled reading first, then the likelier one.

    "9826143307" next to "এনআইডি" is an NID, next to "मोबाइल" a phone number.
    """
    ordered = sorted(readings, key=lambda r: (not r.labelled, -r.decision.confidence,
                                              r.cand.start))
    kept: list[Reading] = []
    for r in ordered:
        if all(r.cand.end <= o.cand.start or r.cand.start >= o.cand.end for o in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.cand.start)


_PHONES = frozenset({"IN_PHONE_NUMBER", "BD_PHONE_NUMBER"})
#: this many different phone numbers that no office or invitation claims make a list of
#: people ("students' list with mobile numbers: Pooja 75870…, Rinki 62643…, …")
LIST_MIN = 3
LIST_SCORE = 0.5


def listed(readings: list[Reading]) -> list[Reading]:
    """Numbers in a list are people's numbers: each of three or more scores at least 0.5.

    An office's list of contacts names its offices or officers (those numbers are dropped
    before this step, so they do not count); numbers offered to be called are dropped too.
    """
    phones = [r for r in readings if r.cand.entity in _PHONES]
    if len({_DIGIT_ONLY_RE.sub("", r.cand.value)[-10:] for r in phones}) < LIST_MIN:
        return readings
    out: list[Reading] = []
    for r in readings:
        if r.cand.entity in _PHONES and r.decision.confidence < LIST_SCORE:
            why = f"one of {len(phones)} numbers listed in the post: a list of people"
            details = {**r.details, "score": LIST_SCORE, "decision": why,
                       "listed_numbers": len(phones)}
            r = Reading(r.cand, Decision(LIST_SCORE, r.decision.severity, why,
                                          r.decision.cue), details)
        out.append(r)
    return out


_NATIONAL_IDS = frozenset({"IN_AADHAAR", "BD_NID", "IN_PAN", "IN_VOTER", "IN_PASSPORT",
                           "BD_PASSPORT"})
_CONTACTS = frozenset({"IN_PHONE_NUMBER", "BD_PHONE_NUMBER", "EMAIL_ADDRESS"})


def corroborate(readings: list[Reading], *, window: int = 60) -> list[Reading]:
    """A phone or e-mail next to a published ID number is part of the same person's record.

    "এনআইডি ১৯৮৫…, মোবাইল ০১৭১১…": the words that name the person may be out of the
    phone's window, but the NID right before it is not.
    """
    ids = [r for r in readings if r.cand.entity in _NATIONAL_IDS and r.decision.confidence >= 0.6]
    if not ids:
        return readings
    out: list[Reading] = []
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
            r = Reading(c, Decision(score, r.decision.severity, why, r.decision.cue), details)
        out.append(r)
    return out

