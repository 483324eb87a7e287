"""Script and language identification for the varieties Satark screens.

Codes follow ``../shared/taxonomy.md``: ``hi``, ``bn``, ``en``, ``hi-en`` (romanized
Hindi, "Hinglish"), ``bn-en`` (romanized Bengali, "Banglish"), ``hi-mixed`` and
``bn-mixed`` (native script with English words), and ``und`` when there is nothing to go
on. Script shares decide native versus Latin; for Latin text, counts of very frequent
function words decide between English, Hinglish and Banglish. General-purpose
identifiers (e.g. fastText's lid.176) need a model download and do not know romanized
Hindi or Bengali at all, hence this small, explainable classifier.
"""

from __future__ import annotations

import re
import string

from .findings import LanguageGuess

try:  # the C passes (optional: built with the package where a C compiler is present)
    from . import _textpass
except ImportError:  # pragma: no cover - a build without extensions
    _textpass = None  # type: ignore[assignment]

__all__ = ["identify"]

_LATIN_WORD = re.compile(r"[a-z]+")
_ASCII_LETTERS = string.ascii_letters.encode()

# Frequent function words, chosen for being rare in the other two varieties.
_EN = frozenset(
    [
        "the",
        "is",
        "are",
        "was",
        "were",
        "and",
        "of",
        "to",
        "in",
        "for",
        "this",
        "that",
        "with",
        "on",
        "be",
        "have",
        "has",
        "from",
        "by",
        "at",
        "it",
        "an",
        "will",
        "not",
        "you",
        "your",
        "our",
        "we",
        "they",
        "their",
        "which",
        "who",
        "should",
        "would",
        "can",
        "all",
        "been",
    ]
)
_HI = frozenset(
    [
        "hai",
        "hain",
        "ka",
        "ki",
        "ke",
        "ko",
        "nahi",
        "nahin",
        "kya",
        "aur",
        "bhi",
        "mein",
        "se",
        "ye",
        "yeh",
        "tha",
        "thi",
        "kar",
        "karo",
        "karna",
        "mera",
        "meri",
        "mere",
        "hum",
        "aap",
        "ho",
        "raha",
        "rahe",
        "rahi",
        "gaya",
        "gayi",
        "sab",
        "bahut",
        "koi",
        "kuch",
        "apne",
        "apni",
        "par",
        "wala",
        "wale",
        "wali",
        "hota",
        "hoti",
        "jo",
        "jab",
        "tak",
        "ab",
        "abhi",
        "kyun",
        "kaise",
        "diya",
        "liya",
        "sakte",
        "chahiye",
    ]
)
_BN = frozenset(
    [
        "ami",
        "tumi",
        "apni",
        "amar",
        "tomar",
        "apnar",
        "kore",
        "korbo",
        "korche",
        "hobe",
        "hoy",
        "hoyeche",
        "ache",
        "achhe",
        "nai",
        "er",
        "theke",
        "kintu",
        "ekhon",
        "keno",
        "kichu",
        "bhai",
        "vai",
        "jonno",
        "diye",
        "hoye",
        "shob",
        "sob",
        "onek",
        "amra",
        "tara",
        "ekta",
        "eta",
        "oita",
        "kemon",
        "dekhun",
        "bolben",
        "korun",
        "korte",
        "chai",
        "na",
        "jabe",
        "ashbe",
        "ashche",
    ]
)

_ANY = _EN | _HI | _BN
#: per function word: whether it is an English, a Hinglish and a Banglish cue
_CUES = {w: (int(w in _EN), int(w in _HI), int(w in _BN)) for w in _ANY}


def identify(text: str) -> LanguageGuess:
    if _textpass is not None:  # the same counts and words, in C
        words = _textpass.latin_words(text) if text.isascii() else None
        dev, ben, lat = _textpass.scripts(text)
    elif text.isascii():  # most Latin posts: no native script to count, one pass for the words
        dev = ben = 0
        words = _LATIN_WORD.findall(text.lower())
        lat = sum(map(len, words))
    else:
        # Counted on the UTF-8 bytes, in C: a Devanagari letter (U+0900-097F) is E0 A4 xx
        # or E0 A5 xx, a Bengali one (U+0980-09FF) E0 A6 xx or E0 A7 xx; E0 only ever
        # leads a character.
        raw = text.encode("utf-8", "surrogatepass")
        dev = raw.count(b"\xe0\xa4") + raw.count(b"\xe0\xa5")
        ben = raw.count(b"\xe0\xa6") + raw.count(b"\xe0\xa7")
        lat = len(raw) - len(raw.translate(None, _ASCII_LETTERS))
        words = None
    total = dev + ben + lat
    if total == 0:
        return LanguageGuess("und", {}, 0.0)
    scripts = {}
    if dev:
        scripts["Deva"] = dev / total
    if ben:
        scripts["Beng"] = ben / total
    if lat:
        scripts["Latn"] = lat / total
    native = max(dev, ben)
    if native:
        lang = "hi" if dev >= ben else "bn"
        share = native / total
        if lat / total >= 0.08:
            # Native script carrying English words: e.g. "transfer list এ ৮ জন আছে".
            return LanguageGuess(f"{lang}-mixed", scripts, round(0.5 + abs(share - 0.5), 3))
        return LanguageGuess(lang, scripts, round(share, 3))
    if words is None:
        words = _LATIN_WORD.findall(text.lower())
    en = hi = bn = 0
    for cue in filter(_ANY.__contains__, words):  # the few function words, found in C
        e, h, b = _CUES[cue]
        en += e
        hi += h
        bn += b
    best = max(en, hi, bn)
    if best == 0:
        return LanguageGuess("en", scripts, 0.4)
    if best == en and en > max(hi, bn):
        code = "en"
    elif hi >= bn:
        code = "hi-en"
    else:
        code = "bn-en"
    return LanguageGuess(code, scripts, round(best / max(1, en + hi + bn), 3))
