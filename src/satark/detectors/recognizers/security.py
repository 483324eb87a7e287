"""Security and operation details: VIP convoy routes and times, escorts, raid timings, patrol gaps.

"CM's convoy will reach Jagdalpur airport at 3:40 pm, route via Dharampura",
"কাল রাত ২টায় চরের ওই বাড়িতে র‍্যাবের অভিযান হবে, ১২ জন যাচ্ছি", "रात १२ से ४ बजे कोई गश्त
नहीं रहेगी": a security topic and a specific detail (a clock time, a route, a head or
vehicle count, a patrol gap) of something that has yet to happen. Topic words alone
are everyday news ("security arrangements for Durga Puja", "search operation is
continuing"), and so is a time alone; together, about a coming movement, they are what
the guidelines keep confidential (CG 1; BD §6.1, §7).

Kinds of evidence, each a word list in Hindi, Bengali and English (native and
romanized):

- topic: ``strong`` (convoy, motorcade, escort, pilot vehicle, decoy, jammer, কনভয়,
  काफिला: two kinds of detail, or a route, or two such words), ``raid`` (raid, दबिश,
  छापा, ঝটিকা অভিযান, surprise inspection: a time alone will do), ``patrol`` (गश्त, টহল,
  patrol: a gap or a time, of a coming night), ``guard`` (security arrangements, बल
  तैनाती, নিরাপত্তা টিম: only with a route, a gap or a weak point, since police announce
  their deployments for festivals), ``weak`` (operation, অভিযান, protocol: also surgery,
  vaccination and cleanliness drives, so they need a force word: police, DRG, র‍্যাব,
  जवान, and no civic-campaign word);
- details: clock time (3:40, 11.30 e, ৪টায়, ५ बजे, 6 am, সকাল ১০টা), route (route, via,
  रूट, মার্গ से, রাস্তা দিয়ে), count (3 escort vehicles, ১২ জন, ४ जवान, team of 3), a weak
  point ("only 4 jawans", "केवल २ आरक्षक", "শুধু north gate"), a schedule, a patrol gap
  (বন্ধ, off, नहीं रहेगी);
- tense: a future marker (will, tomorrow, আগামীকাল, -বে, -ेंगे); a post in the past tense
  (arrested, reached, আটক, गिरफ्तार) without one is a report of what happened, not a plan;
  "कल"/"kal"/"কাল" (yesterday or tomorrow) count as future only in a post without a past
  marker;
- counter-cues: public traffic advisories (traffic, diversion, alternative route, বিকল্প
  পথ, वैकल्पिक मार्ग, জনসাধারণের সুবিধার্থে, inconvenience regretted) and anything
  addressed to the public (citizens, devotees, a control room or helpline, CCTV,
  "requested", "invited") are meant to be read by everyone.

Scoring (noisy-OR): topic strong or raid 0.55, patrol 0.45, guard or weak 0.35; each
distinct kind of detail multiplies the remaining doubt by 0.65; no future marker: x0.8.

Runs only on posts whose ``key`` words include a topic word (the detector's gate).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .context import norm_term, trie_regex
from .data import merged_data

__all__ = ["SECURITY_GATE_WORDS", "SecurityDetail", "SecurityScanner"]

# The cue lists (``data/security.yaml``; what each list is for is written there).
_LISTS = merged_data().security
STRONG: tuple[str, ...] = tuple(_LISTS.get("strong", ()))
#: raids: a raid's time alone is the leak ("kal subah 5 baje ... raid marne wale hain")
RAID: tuple[str, ...] = tuple(_LISTS.get("raid", ()))
PATROL: tuple[str, ...] = tuple(_LISTS.get("patrol", ()))
#: security words that need no force word to be about security
GUARD: tuple[str, ...] = tuple(_LISTS.get("guard", ()))
#: words with other senses (surgery, campaigns, drives, COVID protocol): need a force word
WEAK: tuple[str, ...] = tuple(_LISTS.get("weak", ()))
FORCE: tuple[str, ...] = tuple(_LISTS.get("force", ()))
ROUTE: tuple[str, ...] = tuple(_LISTS.get("route", ()))
GAP: tuple[str, ...] = tuple(_LISTS.get("gap", ()))
SCHEDULE: tuple[str, ...] = tuple(_LISTS.get("schedule", ()))
FUTURE: tuple[str, ...] = tuple(_LISTS.get("future", ()))
#: "कल", "kal" and "কাল" are both yesterday and tomorrow: future only in a post with no
#: past-tense marker
WHEN: tuple[str, ...] = tuple(_LISTS.get("when", ()))
PAST: tuple[str, ...] = tuple(_LISTS.get("past", ()))
ADVISORY: tuple[str, ...] = tuple(_LISTS.get("advisory", ()))
#: a weak topic word in a civic campaign ("পরিচ্ছন্নতা অভিযান", "vaccination drive",
#: "स्वच्छता अभियान") is a public programme, whatever its times and teams
CIVIC: tuple[str, ...] = tuple(_LISTS.get("civic", ()))

_TOPIC_SCORE = {"strong": 0.55, "raid": 0.55, "patrol": 0.45, "guard": 0.35, "weak": 0.35}
# "only 4 jawans", "केवल २ आरक्षक", "শুধু north gate": a weak point, the heart of the leak
_LIMITED_RE = re.compile(
    r"(?<![a-z])(?:only|just|केवल|सिर्फ|sirf|shudhu|শুধু|মাত্র|matro)\s+(?:\S+\s+){0,2}?"
    r"(?:[0-9]|gate|गेट|গেট|one|एक|একটি|একটা|pilot|पायलट|escort)"
)
_DETAIL_DOUBT = 0.65
_NO_FUTURE = 0.8

_TIME_OF_DAY = (
    r"(?:সকাল|ভোর|রাত|বিকাল|বিকেল|দুপুর|সন্ধ্যা|सुबह|सवेरे|तड़के|रात|शाम|दोपहर|subah|subeh|"
    r"raat|rat|sham|shaam|sokal|shokal|bhor|bikal|bikel|dupur|sondhya|morning|night|evening)"
)
_H = r"(?:[01]?[0-9]|2[0-3])"
_TIME_RE = re.compile(
    "|".join((
        rf"(?<![0-9.:]){_H}:[0-5][0-9](?![0-9:])",  # 3:40, १०:४०
        # 11.30 only with a time word after or before it (2.84 crore is not a time)
        rf"(?<![0-9.]){_H}\.[0-5][0-9](?=\s?(?:am|pm|a\.m|p\.m|baje|बजे|e\b|-?এ|টায়|hrs))",
        rf"(?:at|by|from|till|{_TIME_OF_DAY})\s{_H}\.[0-5][0-9](?![0-9.])",
        rf"(?<![0-9.]){_H}\s?(?:am|pm|a\.m\.?|p\.m\.?|baje|बजे|টায়|o'clock|hrs)(?![a-z])",
        rf"{_TIME_OF_DAY}\s[0-9]{{1,2}}(?:\s?টা|\s?-?(?:[:.][0-9]{{2}}))?",
        r"(?<![0-9])[0-2][0-9][0-5][0-9]\s?(?:hrs|hours)(?![a-z])",
    ))
)
_COUNT_UNITS = (
    r"(?:জন|jon|গাড়ি|গাড়ী|স্পিডবোট|বোট|সদস্য|vehicles?|cars?|jeeps?|gadi|gari|gaadi|"
    r"gaadiyan|parties|party|teams?|jawans?|personnel|men|constables?|guards?|escort|pilot|"
    r"commandos?|जवान|गाड़ि|गाड़ी|गाडी|वाहन|पार्टी|टीम|सिपाही|आरक्षक|कमांडो)"
)
_COUNT_RE = re.compile(
    rf"(?<![0-9.:])[0-9]{{1,3}}\s?(?:টি|টা|ta|ti)?\s?{_COUNT_UNITS}"
    r"|(?:team|party|squad|टीम|দল)\s(?:of\s)?[0-9]{1,3}(?![0-9])"
)
_INDIC = "\u0900-\u0963\u0971-\u09e5\u09f0-\u09ff"
_INDIC_RE = re.compile(f"[{_INDIC}]")
# Future verb forms: Hindi "-ेंगे/-ेगी/-ोगा", Bengali "-বে/-বেন" (not তবে "but", কবে "when").
_FUTURE_FORM_RE = re.compile(
    r"[\u0900-\u0963]*[ेोए]ं?(?:गा|गी|गे)(?![\u0900-\u0963])"
    r"|(?<![\u0980-\u09e5])(?!তবে|কবে|যবে|সবে|এবে)[\u0980-\u09e5]+(?:বে|বেন|বো)(?![\u0980-\u09e5])"
)


class _Words:
    """Literal terms found at word boundaries in the ``norm`` view, in one regex pass.

    Latin terms match whole words; Indic terms at a word start with any suffix
    ("অভিযানের", "काफिले"), as :class:`.context.CueScanner` does.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        normed = sorted({norm_term(t) for t in terms} - {""})
        self._regex = re.compile(trie_regex(normed))

    def find(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in self._regex.finditer(text):
            start, end = m.span()
            prev = text[start - 1] if start else " "
            word = m.group()
            if word[0].isascii():
                if prev.isalnum() or (word[-1].isalnum() and end < len(text)
                                      and text[end].isalnum() and text[end] != "s"):
                    continue
            elif _INDIC_RE.match(prev):
                continue
            out.append((start, end))
        return out


@dataclass(frozen=True, slots=True)
class SecurityDetail:
    """A security topic with the details that make it a leak, and its confidence."""

    start: int  # the topic word, in the ``norm`` view
    end: int
    topic: str  # strong / raid / patrol / guard / weak
    details: tuple[str, ...]  # kinds: time, route, count, limited, schedule, gap
    detail_span: tuple[int, int]  # the nearest detail
    future: bool
    confidence: float


class SecurityScanner:
    """Finds the post's security topic and details; one reading per post (the best)."""

    def __init__(self) -> None:
        self._topics = {k: _Words(v) for k, v in (("strong", STRONG), ("raid", RAID),
                                                   ("patrol", PATROL), ("guard", GUARD),
                                                   ("weak", WEAK))}
        self._force = _Words(FORCE)
        self._route = _Words(ROUTE)
        self._gap = _Words(GAP)
        self._schedule = _Words(SCHEDULE)
        self._future = _Words(FUTURE)
        self._past = _Words(PAST)
        self._when = _Words(WHEN)
        self._civic = _Words(CIVIC)
        self._advisory = _Words(ADVISORY)

    def scan(self, text: str) -> SecurityDetail | None:
        """The strongest reading of ``text`` (the ``norm`` view), or ``None``."""
        topics = [(kind, s, e) for kind, words in self._topics.items() for s, e in words.find(text)]
        if not topics or self._advisory.find(text):
            return None
        future = bool(self._future.find(text) or _FUTURE_FORM_RE.search(text))
        if not future:
            if self._past.find(text):
                return None  # a report of what was done, not a plan
            future = bool(self._when.find(text))
        found: dict[str, list[tuple[int, int]]] = {
            "time": [m.span() for m in _TIME_RE.finditer(text)],
            "route": self._route.find(text),
            "count": [m.span() for m in _COUNT_RE.finditer(text)],
            "schedule": self._schedule.find(text),
            "limited": [m.span() for m in _LIMITED_RE.finditer(text)],
        }
        forced = bool(self._force.find(text)) and not self._civic.find(text)
        best: SecurityDetail | None = None
        for kind, s, e in topics:
            if kind == "weak" and not forced:
                continue  # "operation" in a hospital, "অভিযান" in a vaccination drive
            details = {k: v for k, v in found.items() if v}
            if kind == "patrol":
                if not future:
                    continue  # "रात को गश्त नहीं होती": a complaint about the present
                gaps = [g for g in self._gap.find(text) if abs(g[0] - e) <= 60 or abs(s - g[1]) <= 60]
                if gaps:
                    details["gap"] = gaps
                if "gap" not in details and "time" not in details:
                    continue
            if not details:
                continue
            if kind == "strong" and len(details) < 2 and "route" not in details and len(
                    {text[a:b] for k, a, b in topics if k == "strong"}) < 2:
                continue  # "escort duty today from 6 am": a duty, not a movement plan
            if kind == "guard" and not details.keys() & {"route", "gap", "limited"}:
                continue  # "800 जवान तैनात रहेंगे, शोभायात्रा 6 बजे": a public arrangement
            doubt = 1.0 - _TOPIC_SCORE[kind]
            doubt *= _DETAIL_DOUBT ** len(details)
            confidence = 1.0 - doubt
            if not future:
                confidence *= _NO_FUTURE
            spans = [sp for v in details.values() for sp in v]
            near = min(spans, key=lambda sp: min(abs(sp[0] - e), abs(s - sp[1])))
            reading = SecurityDetail(s, e, kind, tuple(sorted(details)), near, future,
                                     round(confidence, 4))
            if best is None or reading.confidence > best.confidence:
                best = reading
        return best


def _gate_words() -> tuple[str, ...]:
    """Single words that start a topic term, folded as ``key`` words are, with the common
    Bengali and Hindi inflections (the gate is an exact set lookup)."""
    from ...normalize import fold_term

    words: set[str] = set()
    for term in (*STRONG, *RAID, *PATROL, *GUARD, *WEAK):
        first = fold_term(term).split()[0]
        words.add(first)
        if any("\u0980" <= c <= "\u09ff" for c in first):
            words.update(first + suffix for suffix in ("ের", "ে", "র", "টি", "টা", "গুলো", "েরা"))
        elif any("\u0900" <= c <= "\u097f" for c in first):
            words.update(first + suffix for suffix in ("ों", "ो", "ें"))
    return tuple(sorted(words))


#: The detector's gate: one of these among a post's ``key`` words.
SECURITY_GATE_WORDS: tuple[str, ...] = _gate_words()
