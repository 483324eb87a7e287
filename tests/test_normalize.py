from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from satark.normalize import fold_term, normalize

ZWJ, ZWNJ = "\u200d", "\u200c"


def test_native_digits_keep_positions() -> None:
    text = "आधार क्र. ४७२१ ८८३० १९५६ এবং ০১৭১১২২৩৩৪৪"
    doc = normalize(text)
    assert len(doc.norm.text) == len(text)
    assert "4721 8830 1956" in doc.norm.text
    assert "01711223344" in doc.norm.text
    start = doc.norm.text.index("4721")
    assert doc.span_from_norm(start, start + 14) == (start, start + 14)


def test_zero_width_and_bidi_removed_with_offsets() -> None:
    text = f"স{ZWNJ}র{ZWJ}কার \u202eabc\u202c र{ZWJ}्या"
    doc = normalize(text)
    assert ZWJ not in doc.norm.text and ZWNJ not in doc.norm.text and "\u202e" not in doc.norm.text
    assert doc.norm.text.startswith("সরকার")
    a, b = doc.span_from_norm(0, 5)
    assert text[a:b] == f"স{ZWNJ}র{ZWJ}কার"


def test_nfc_composition_maps_back() -> None:
    text = "e\u0301cole and ক\u09bc"  # decomposed é; Bengali letter + nukta
    doc = normalize(text)
    assert doc.norm.text.startswith("\u00e9cole")
    a, b = doc.span_from_norm(0, 5)
    assert text[a:b] == "e\u0301cole"


def test_homoglyphs_fullwidth_and_case() -> None:
    doc = normalize("Ｆｕｃｋ Sаmple ΒΟΜΒ")  # full-width; Cyrillic а; Greek capitals
    assert doc.norm.text == "fuck sample bomb"


def test_key_view_undoes_dodges() -> None:
    for dodge in ("fuuuuck", "f u c k", "f.u.c.k", "fu\u200bck", "FUCK", "f*u*c*k"):
        assert normalize(dodge).key.text == "fuck", dodge
    assert normalize("sh1t").key.text == "shit"
    assert normalize("b1tch").key.text == "bitch"
    # A digit run is not leetspeak; a phone number keeps its repeated digits.
    assert normalize("abc 9977 1234").key.text == "abc 9977 1234"


def test_key_view_folds_indic_variants() -> None:
    assert normalize("ज़मीन").key.text == normalize("जमीन").key.text
    assert normalize("हैँ").key.text == normalize("हैं").key.text
    assert fold_term("গোপনীয়") == normalize("গোপনীয়").key.text  # precomposed য় vs য + nukta


def test_tokens_keep_conjuncts_and_vowel_signs_whole() -> None:
    doc = normalize("कार्यालय में प्रशिक्षण। জাতীয় পরিচয়পত্র, ক্ষুদ্র-নৃগোষ্ঠী")
    words = [w for w, _, _ in doc.key_tokens]
    assert "कार्यालय" in words and "प्रशिक्षण" in words  # danda is not part of the word
    assert fold_term("পরিচয়পত্র") in words and fold_term("ক্ষুদ্র") in words
    for _word, s, e in doc.key_tokens:
        a, b = doc.span_from_key(s, e)
        assert doc.original[a:b].strip() == doc.original[a:b]


def test_word_spans_are_the_tokens_positions() -> None:
    text = "  Sh1t!! कार्यालय में, আজ  f u c k  ok"
    doc = normalize(text)
    assert [doc.key_word_span(i) for i in range(len(doc.key_words))] == [(s, e) for _, s, e in doc.key_tokens]
    fresh = normalize(text)  # positions first, then the words (one split serves both)
    spans = [fresh.key_word_span(i) for i in range(len(doc.key_words))]
    assert fresh.key_words == doc.key_words and spans == [(s, e) for _, s, e in doc.key_tokens]


# --- properties ------------------------------------------------------------------------

_alphabet = st.sampled_from(
    list("abcdefghijk FUCK 0123@$.-*\n")
    + list("कखगघचजटडतदनपबमयरलवसहािीुूेैोौं्ँ़।०१२३")
    + list("কখগঘচজটডতদনপবমযরলসহািীুূেৈোৌং্ঁ়০১২৩য়")
    + [ZWJ, ZWNJ, "\u200b", "\u202e", "\ufeff", "\u0301", "а", "Ｆ", "\x00", "\x07"]
)
texts = st.lists(_alphabet, max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_every_view_char_maps_inside_the_original(text: str) -> None:
    doc = normalize(text)
    for view in (doc.norm, doc.key):
        if view.starts is None:
            assert len(view.text) == len(text)
            continue
        assert view.ends is not None
        assert len(view.starts) == len(view.ends) == len(view.text)
        prev = 0
        for s, e in zip(view.starts, view.ends, strict=True):
            assert 0 <= s < e <= len(text)
            assert s >= prev or s == prev  # monotone: spans never run backwards
            prev = s


def test_canonical_reordering_maps_to_the_whole_cluster() -> None:
    text = "aaa\u094d\u09bc"  # virama then nukta: NFC swaps them (combining classes 9 and 7)
    doc = normalize(text)
    assert doc.norm.text == "aaa\u09bc\u094d"
    a, b = doc.span_from_norm(3, 4)
    assert text[a:b] == "a\u094d\u09bc"  # the whole grapheme cluster


@settings(max_examples=400, deadline=None)
@given(texts, st.data())
def test_any_span_maps_back_to_a_covering_original_span(text: str, data: st.DataObject) -> None:
    doc = normalize(text)
    for view, mapper in ((doc.norm, doc.span_from_norm), (doc.key, doc.span_from_key)):
        n = len(view.text)
        if n == 0:
            continue
        i = data.draw(st.integers(0, n - 1))
        j = data.draw(st.integers(i + 1, n))
        a, b = mapper(i, j)
        assert 0 <= a < b <= len(text)
        if view is doc.norm:
            # The mapped original, normalised on its own, contains the view's span.
            assert view.text[i:j] in normalize(text[a:b]).norm.text


@settings(max_examples=300, deadline=None)
@given(texts)
def test_identity_when_nothing_to_fold(text: str) -> None:
    plain = "".join(c for c in text if c.isascii() and ((c.isalnum() and c.islower()) or c == " "))
    doc = normalize(plain)
    assert doc.norm.text == plain


def test_key_text_is_the_documents_key_view() -> None:
    """``key_text`` (how the classifier reads one sentence of a post) is the ``key`` view
    a document of the same text has, without the document."""
    from satark.normalize import key_text

    for text in ["", "Ｆ\u200bＵＣＫ yoooou", "ज़मीन क़ानून चाँद", "কাঁদ ক্ষ\u200d র\u200dয ২০২৩", "s h 1 t ά", "\u1f71"]:
        assert key_text(text) == normalize(text).key.text
