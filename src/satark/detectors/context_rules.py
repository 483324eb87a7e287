"""Context rules: signals that live in the shape of a post rather than in its words.

- many @-tags or hashtags (BD §6.2(খ), MoPA circular ০৩: avoid unnecessary tags): an
  advisory that does not change the verdict;
- an official account speaking in the first person singular: an institution's page says
  "we", a personal post says "I" (BD §7(গ));
- first-person claims of achievement with figures: the shape of self-promotion (BD §10(জ)).

The last two are weak on purpose: they only tip a category over the line together with
lexicon evidence, which the engine combines per category.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import compress, count, islice

from ..categories import Severity
from ..findings import Hit, Span
from ..hookspecs import hookimpl
from ..messages import register_reasons
from ..normalize import Document, fold_term
from .base import Detector, ScreenContext

__all__ = ["ContextRulesDetector"]

_MENTION_RE = re.compile(r"(?<![\w@])@[\w.]{2,}")
_HASHTAG_RE = re.compile(r"(?<![\w#])#[\w\u0900-\u0963\u0966-\u09ff]+")
# A figure: a percentage, a number with thousands separators, or one of four or more
# digits standing alone. Every branch starts with its digit (the lone number's word
# boundary is a look-behind after it), so ``re`` scans for digits at C speed instead of
# trying each branch at every position: about eight times faster on a post.
_FIGURE_RE = re.compile(r"\d(?:[\d,.]*\s*(?:%|percent|प्रतिशत|শতাংশ)|\d{0,2}(?:,\d{2,3})+|(?<!\w\d)\d{3,}(?!\w))")
_AFFECTIVE = "😍🥰❤💕😘🎂🎉🎈💖😊🤗💞👨‍👩‍👧"
_AFFECTIVE_RE = re.compile("[" + _AFFECTIVE + "]")

_FIRST_SINGULAR_NATIVE = frozenset(
    fold_term(w)
    for w in [
        "मैं",
        "मैंने",
        "मेरा",
        "मेरी",
        "मेरे",
        "मुझे",
        "मुझको",
        "আমি",
        "আমার",
        "আমাকে",
        "আমায়",
        "i",
        "me",
        "my",
        "mine",
        "myself",
    ]
)
_FIRST_SINGULAR_HINGLISH = frozenset(["main", "maine", "mera", "meri", "mere", "mujhe"])
_FIRST_SINGULAR_BANGLISH = frozenset(["ami", "amar", "amake"])
_ACHIEVEMENT = frozenset(
    fold_term(w)
    for w in [
        "record",
        "achieved",
        "delivered",
        "achievement",
        "best",
        "first-ever",
        "unprecedented",
        "रिकॉर्ड",
        "रिकार्ड",
        "सर्वश्रेष्ठ",
        "उपलब्धि",
        "श्रेष्ठ",
        "মেহনত",
        "রেকর্ড",
        "শ্রেষ্ঠ",
        "সেরা",
        "অর্জন",
        "সাফল্য",
        "mehnat",
        "record",
        "shreshtho",
        "sera",
    ]
)

#: first person singular words by language variety (romanized varieties add their own)
_FIRST_SINGULAR = {
    "hi-en": _FIRST_SINGULAR_NATIVE | _FIRST_SINGULAR_HINGLISH,
    "bn-en": _FIRST_SINGULAR_NATIVE | _FIRST_SINGULAR_BANGLISH,
}

MENTIONS_ADVISORY = 5
HASHTAGS_ADVISORY = 8

register_reasons(
    {
        "context.tags": {
            "en": "{mentions} @-tags and {hashtags} hashtags: avoid unnecessary tags",
            "hi": "{mentions} @-टैग और {hashtags} हैशटैग: अनावश्यक टैग से बचें",
            "bn": "{mentions}টি @-ট্যাগ ও {hashtags}টি হ্যাশট্যাগ: অপ্রয়োজনীয় ট্যাগ পরিহার করুন",
        },
        "context.first_person": {
            "en": "an official account speaking in the first person singular",
            "hi": "आधिकारिक खाते पर 'मैं/मेरा' की भाषा",
            "bn": "দাপ্তরিক একাউন্টে 'আমি/আমার' ধাঁচের ব্যক্তিগত ভাষা",
        },
        "context.boast": {
            "en": "first-person claims of achievement with figures",
            "hi": "आँकड़ों के साथ अपनी उपलब्धियों का बखान",
            "bn": "পরিসংখ্যানসহ নিজের কৃতিত্বের দাবি",
        },
    }
)


class ContextRulesDetector:
    name = "context-rules"
    categories = frozenset({"excessive_tagging", "personal_on_official", "self_promotion"})

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        hits: list[Hit] = []
        text = doc.norm.text
        if "@" in text or "#" in text:
            mentions = list(_MENTION_RE.finditer(text))
            hashtags = list(_HASHTAG_RE.finditer(text))
            if len(mentions) >= MENTIONS_ADVISORY or len(hashtags) >= HASHTAGS_ADVISORY:
                spans = []
                for m in [*mentions, *hashtags]:
                    a, b = doc.span_from_norm(*m.span())
                    spans.append(Span(a, b, doc.original[a:b]))
                spans.sort(key=lambda s: s.start)
                hits.append(
                    Hit(
                        "excessive_tagging",
                        0.9,
                        tuple(spans),
                        Severity.INFO,
                        self.name,
                        "context.tags",
                        {"mentions": len(mentions), "hashtags": len(hashtags)},
                    )
                )

        words = doc.key_words
        first = _FIRST_SINGULAR.get(ctx.language.code, _FIRST_SINGULAR_NATIVE)
        if first.isdisjoint(words):
            return hits
        n_first = sum(map(first.__contains__, words))
        official = ctx.account_type == "official"
        boast = n_first >= 1 and (_FIGURE_RE.search(text) is not None or not _ACHIEVEMENT.isdisjoint(words))
        if not (official or boast):  # the common case: spans would be mapped for nothing
            return hits
        first_spans = self._spans(doc, first)
        if official:
            confidence = 0.3
            if _AFFECTIVE_RE.search(doc.original):
                confidence = 0.45
            hits.append(
                Hit(
                    "personal_on_official",
                    confidence,
                    first_spans,
                    Severity.MEDIUM,
                    self.name,
                    "context.first_person",
                    {"first_person": n_first},
                )
            )
        if boast:
            hits.append(
                Hit(
                    "self_promotion",
                    0.35,
                    first_spans,
                    Severity.MEDIUM,
                    self.name,
                    "context.boast",
                    {"first_person": n_first},
                )
            )
        return hits

    @staticmethod
    def _spans(doc: Document, vocab: frozenset[str]) -> tuple[Span, ...]:
        out = []
        for i in islice(compress(count(), map(vocab.__contains__, doc.key_words)), 5):
            a, b = doc.span_from_key(*doc.key_word_span(i))
            out.append(Span(a, b, doc.original[a:b]))
        return tuple(out)


@hookimpl
def satark_detectors() -> Iterable[Callable[[], Detector]]:
    return [ContextRulesDetector]
