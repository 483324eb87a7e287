"""The C word-level passes (``satark._textpass``) against the Python code they mirror:
the same ``key`` text and offset map, the same words, the same lexicon matches, the same
language guesses, and the same reports from the engine."""

from __future__ import annotations

import importlib
import json
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

import satark.langid as langid
import satark.lexicons.model as lexmodel
from satark import Screener
from satark.lexicons import LexiconIndex
from satark.normalize import TOKEN_RE, View, compiled, normalize

# the module, not the function the package re-exports under the same name
norm_mod = importlib.import_module("satark.normalize")

REPO = Path(__file__).resolve().parents[1]

needs_c = pytest.mark.skipif(not compiled(), reason="satark._textpass was not built (SATARK_NO_EXTENSIONS)")

TEXTS = [
    "", " ", "a", "aa", "_", "__", "11", "!!", "a a", "a b c", "a b cd", "a.b.c.d", "x a b c d e",
    "f u c k", "F U C K you", "s h 1 t", "sh1t", "b4d", "a1", "1a", "a11b", "a1 b", "p@$$word", "h3ll0 w0rld",
    "fuuuuck", "nooooo", "!!!!!", "2000 1111", "a--b", "a - b - c", "a_b_c", "a*b*c*d", "ab c d e",
    "a b c1", "1a b c", "a b c d ef", "a b c d e f g h i j k l m n o p",
    "ज़मीन क़ानून फ़र्ज़ी", "चाँद आँख", "কাঁদ", "ড়", "य़", "क़्ष",  # nukta (precomposed and combining), chandrabindu
    "क्ष\u200dत्र ज्ञ श्र\u200c ন্দ্র ক্ষ\u200d র\u200dয",  # conjuncts, ZWJ and ZWNJ
    "बहुुुुत अच्छााा", "খুবববব", "२०२३ ০৯", "😀😀 — ক্ষুদ্র-নৃগোষ্ঠী 𝐁𝐨𝐥𝐝 👍🏽👍🏽",
    "ye sarkar bilkul bekar hai, koi kaam nahi hota", "Collector office में आज public hearing है",
    "ı İ ß ǅ ﬁ Ⅻ ½ ¹¹ ²² K", "x" * 3000, "a " * 500, "क" * 300 + " " + "ক" * 300,
]


def _holdout() -> list[str]:
    lines = (REPO / "data/indomain/holdout.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


def _fuzz(n: int, seed: int) -> Iterator[str]:
    """Short strings from the characters every rule turns on (letters, leet digits,
    separators, Indic signs), where the regular expressions' edge cases are."""
    rng = random.Random(seed)
    alphabet = [*"ab z01345 7@$.-_*xq", "\u093c", "\u0901", "\u0915", "\u09bc", "\u0995", "\u200b", "K",
                "aa", "a a", "s h 1 t"]
    for _ in range(n):
        yield "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))


def _texts() -> list[str]:
    return TEXTS + _holdout() + list(_fuzz(20_000, 7))


def _identity(view: View) -> tuple[str, list[int], list[int]]:
    n = len(view.text)
    starts, ends = view.starts, view.ends
    return view.text, list(range(n)) if starts is None else starts, list(range(1, n + 1)) if ends is None else ends


def test_the_passes_are_built_unless_switched_off() -> None:
    assert compiled() or os.environ.get("SATARK_NO_EXTENSIONS"), (
        "satark._textpass was not built: install a C compiler and the Python headers and reinstall "
        "(pip install -e .), or set SATARK_NO_EXTENSIONS=1 to test the Python path on purpose")


@needs_c
def test_key_text_and_map_are_the_reference_ones() -> None:
    from satark import _textpass

    for text in _texts():
        norm = norm_mod._norm_view(text)
        reference = norm_mod._key_view_reference(norm)
        assert _textpass.key_text(norm.text) == reference.text, text
        key, starts, ends = _textpass.key_map(norm.text, norm.starts, norm.ends)
        assert (key, starts, ends) == _identity(reference), text
        # and as the document builds it: text now, map when a span is mapped back
        assert _identity(normalize(text).key) == _identity(reference), text


@needs_c
def test_every_code_point_in_a_run_folds_as_the_reference() -> None:
    """Which characters are letters (squeezed in a run) and word characters comes from
    the Unicode database, as in ``re``: every code point, doubled and between letters."""
    from satark import _textpass

    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF or (0x30000 <= cp < 0xE0000):
            continue
        c = chr(cp)
        for text in (c + c, f"a{c}{c}{c}b"):
            assert _textpass.key_text(text) == norm_mod._key_view_reference(View(text)).text, hex(cp)
            assert _textpass.words(text) == TOKEN_RE.findall(text), hex(cp)


@needs_c
def test_words_are_token_re_words() -> None:
    from satark import _textpass

    for text in _texts():
        key = normalize(text).key.text
        assert _textpass.words(key) == TOKEN_RE.findall(key), text
        assert _textpass.words(text) == TOKEN_RE.findall(text), text


@needs_c
def test_the_lexicon_finds_the_same_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    screener = Screener.from_plugins(mode="rules")
    index: LexiconIndex = next(d for d in screener.detectors if d.name == "lexicon").index  # type: ignore[attr-defined]
    posts = [normalize(t).key_words for t in _texts()]
    with_c = [index.find(words) for words in posts]
    monkeypatch.setattr(lexmodel, "_textpass", None)
    assert [index.find(words) for words in posts] == with_c
    assert sum(map(len, with_c)) > 100  # the posts do hold terms


@needs_c
def test_every_term_and_rule_is_found_as_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every term of the shipped lexicons, whole, inflected, cut short and between other
    words, and every co-occurrence rule at every distance: the C matcher finds what the
    Python one does, in the same order."""
    screener = Screener.from_plugins(mode="rules")
    index: LexiconIndex = next(d for d in screener.detectors if d.name == "lexicon").index  # type: ignore[attr-defined]
    posts: list[list[str]] = []
    for lex in index.files:
        for entry in lex.entries:
            words = normalize(entry.term.rstrip("*")).key_words
            posts += [words, ["the", *words, "of"], [*words[:-1], words[-1] + "ing"] if words else [],
                      words[:-1], ["x", *words, *words]]
        for rule in lex.cooccurrences:
            a = normalize(rule.a[0].rstrip("*")).key_words[:1]
            b = normalize(rule.b[-1].rstrip("*")).key_words[:1]
            for gap in range(rule.window + 2):
                posts += [[*a, *["w"] * gap, *b], [*b, *["w"] * gap, *a, "z", *a]]
    with_c = [index.find(words) for words in posts]
    from satark import _textpass

    seen: dict[str, object] = {}  # the cache of what words start, emptied every two words
    assert [_textpass.find(words, *index._c_index, lexmodel.Match, seen, 2) for words in posts] == with_c
    assert len(seen) <= 2
    monkeypatch.setattr(lexmodel, "_textpass", None)
    assert [index.find(words) for words in posts] == with_c
    assert all(type(m) is lexmodel.Match for found in with_c for m in found)
    assert sum(1 for found in with_c for m in found if m.term.startswith("~")) > 50  # rules matched
    assert sum(1 for found in with_c for m in found if m.last > m.first and not m.term.startswith("~")) > 100


@needs_c
def test_word_bounds_are_the_split_ones() -> None:
    from itertools import accumulate

    from satark import _textpass

    for text in _texts():
        key = normalize(text).key.text
        assert _textpass.bounds(key) == list(accumulate(map(len, norm_mod._TOKEN_SPLIT_RE.split(key)))), text


@needs_c
def test_char_flags_are_the_regular_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table ``char_flags`` reads says of every code point what the two patterns do;
    the ``norm`` view comes out the same with the C pass and without it (where NFC
    makes a character to fold out of one that is not: U+1F71 is U+03AC in NFC)."""
    from satark import _textpass

    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        expected = ((norm_mod._REMOVABLE_RE.match(c) is not None) * norm_mod._REMOVABLE
                    | (norm_mod._FOLD_NEEDED_RE.match(c) is not None) * norm_mod._FOLD)
        assert _textpass.char_flags(f"a{c}b", norm_mod._CHAR_FLAGS) == expected, hex(cp)
    texts = [*_texts(), "\u1f71\u200b", "ά\u200bx", "Ｆ\u200bＵ", "\u0915\u093c\u200d१", "\ufe0f😀٣"]
    with_c = [_identity(norm_mod._norm_view(t)) for t in texts]
    monkeypatch.setattr(norm_mod, "_textpass", None)
    assert [_identity(norm_mod._norm_view(t)) for t in texts] == with_c
    assert with_c[-5][0] == "\u03ac"


@needs_c
def test_surely_nfc_is_never_wrong() -> None:
    """``surely_nfc`` answers True only where ``unicodedata.is_normalized`` does, for this
    Python's Unicode version: every character alone, every pair of the Devanagari and
    Bengali blocks, every composite's two parts, and fuzzed strings."""
    import unicodedata

    from satark import _textpass

    def nfc(text: str) -> bool:
        return unicodedata.is_normalized("NFC", text)

    accepted = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and _textpass.surely_nfc(chr(cp))]
    assert all(map(nfc, accepted))
    assert len(accepted) > 4000  # the stable ranges, Latin and the two Indic blocks
    indic = [chr(cp) for cp in range(0x900, 0xA00)]
    for a in indic:
        for b in [*indic, "a", " "]:
            assert not _textpass.surely_nfc(a + b) or nfc(a + b), (hex(ord(a)), hex(ord(b)))
    for cp in range(0x110000):
        parts = unicodedata.decomposition(chr(cp)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            pair = "".join(chr(int(x, 16)) for x in parts)
            assert not _textpass.surely_nfc(pair) or nfc(pair), hex(cp)
    rng = random.Random(5)
    alphabet = [*indic, *"ab —😀", "\u09c7\u09be", "\u0928\u093c", "e\u0301", "\u094d\u093c", "\u0951\u0952"]
    for _ in range(100_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert not _textpass.surely_nfc(text) or nfc(text), text
    assert _textpass.surely_nfc("কার্যালয় — আজ 😀") and _textpass.surely_nfc("कार्यालय में")


@needs_c
def test_the_same_language_guesses(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    texts += [normalize(t).norm.text for t in texts]
    with_c = [langid.identify(t) for t in texts]
    monkeypatch.setattr(langid, "_textpass", None)
    assert [langid.identify(t) for t in texts] == with_c


@needs_c
def test_the_engine_reports_the_same_without_the_c_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    posts = [(t, "BD" if i % 2 else "IN-CG", "official" if i % 3 == 0 else "personal")
             for i, t in enumerate(TEXTS + _holdout()) if t.strip()]
    screener = Screener.from_plugins(mode="rules")

    def reports() -> list[dict[str, object]]:
        return [screener.screen(t, jurisdiction=j, account_type=a).to_dict()  # type: ignore[arg-type]
                for t, j, a in posts]

    with_c = reports()
    for module in (norm_mod, lexmodel, langid):
        monkeypatch.setattr(module, "_textpass", None)
    without = reports()
    assert without == with_c
    assert sum(1 for r in with_c if r["findings"]) > 30  # spans were mapped back, both ways


@needs_c
def test_bad_arguments_are_errors_not_crashes() -> None:
    from satark import _textpass

    with pytest.raises(TypeError):
        _textpass.key_text(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _textpass.words(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _textpass.latin_words("नमस्ते")
    with pytest.raises(TypeError):
        _textpass.key_map("abc", [0, 1, 2], None)
    with pytest.raises(ValueError):
        _textpass.key_map("aab", [0], [1])  # a map shorter than the text
    from satark.lexicons.model import Match

    with pytest.raises(TypeError):
        _textpass.find(["a", 1], {}, {}, (), Match, {}, 10)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        _textpass.find(["a"], {}, {}, (), int, {}, 10)  # not a tuple type
    with pytest.raises(TypeError):
        _textpass.find(["a"], {"a": ["not", "a", "tuple"]}, {}, (), Match, {}, 10)
    with pytest.raises(TypeError):
        _textpass.find(["a"], {"a": ((("c", "a", "en", 0.5),), None, None, None)}, {}, (), Match, {}, 10)
    with pytest.raises(IndexError):
        _textpass.find(["a", "b"], {"a": (None, None, None, ((0, 0),)), "b": (None, None, None, ((0, 1),))}, {}, (),
                       Match, {}, 10)
    with pytest.raises(TypeError):
        _textpass.bounds(b"bytes")  # type: ignore[arg-type]
    assert _textpass.find([], {}, {}, (), Match, {}, 10) == []
