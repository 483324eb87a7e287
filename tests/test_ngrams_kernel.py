"""The n-gram model's C scoring loop (``satark.classifiers._ngrams``) against the numpy
code it mirrors: the same features to the last id, the same scores to float32 rounding,
the same findings from the engine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import satark.classifiers.linear as linear
from satark import Screener
from satark.classifiers import FeatureSpec, Featurizer, LinearModel
from satark.detectors.classifier import MODELS_DIR
from satark.normalize import normalize

REPO = Path(__file__).resolve().parents[1]

needs_kernel = pytest.mark.skipif(not linear.compiled(), reason="the C loop was not built (SATARK_NO_EXTENSIONS)")

TEXTS = [
    "", " ", "\t\n", "a", "a b", "_", "__init__ x_y", "2023 ২০২৩ २०२३ 12,000",
    "कार्यालय में प्रशिक्षण। আজ অফিস বন্ধ",
    "क्ष\u200dत्र ज्ञ श्र\u200c ন্দ্র ক্ষ\u200d র\u200dয",  # conjuncts, ZWJ and ZWNJ
    "😀 — ক্ষুদ্র-নৃগোষ্ঠী 𝐁𝐨𝐥𝐝 \U0001f1ee\U0001f1f3 👍🏽",  # astral characters
    "\u00a0nbsp\u3000ideographic\x1csep\u2028line", "Same same same words words words",
    "ye sarkar bilkul bekar hai, koi kaam nahi hota", "Collector office में आज public hearing है",
    "x" * 5000, "क" * 300 + " " + "ক" * 300, "ı İ ß ǅ ﬁ Ⅻ ½ ¹",
]


def _posts() -> list[str]:
    lines = (REPO / "data/indomain/holdout.jsonl").read_text(encoding="utf-8").splitlines()[:400]
    texts = [json.loads(line)["text"] for line in lines]
    return TEXTS + texts + [normalize(t).key.text for t in texts if t.strip()]


@pytest.fixture(scope="module")
def model() -> LinearModel:
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    return LinearModel.load(MODELS_DIR / manifest["fast"]["file"])


def test_the_loop_is_built_unless_switched_off() -> None:
    """CI builds it: a missing compiler must not pass unnoticed as a slower Satark."""
    assert linear.compiled() or os.environ.get("SATARK_NO_EXTENSIONS"), (
        "satark.classifiers._ngrams was not built: install a C compiler and the Python headers and "
        "reinstall (pip install -e .), or set SATARK_NO_EXTENSIONS=1 to test the numpy path on purpose")


@needs_kernel
@pytest.mark.parametrize("spec", [FeatureSpec(), FeatureSpec((3, 4), 12, (1, 1), 10),
                                  FeatureSpec((2, 7), 16, (1, 2), 9)])
def test_the_same_features_as_the_numpy_reference(spec: FeatureSpec) -> None:
    f = Featurizer(spec)
    args = (*spec.char_ngrams, spec.char_bits, spec.word_bits, spec.word_ngrams[1] >= 2)
    for text in _posts():
        got = np.sort(np.frombuffer(linear._ngrams.ids(text, *args), dtype="<i4"))
        assert np.array_equal(got, np.sort(f.indices(text).astype(np.int32))), text[:60]


@needs_kernel
def test_the_same_scores_as_numpy(model: LinearModel) -> None:
    docs = _posts()
    c = model.decision(docs)
    ref = model.decision_numpy(docs)
    assert c.shape == ref.shape == (len(docs), len(model.categories)) and c.dtype == np.float32
    np.testing.assert_allclose(c, ref, rtol=0, atol=2e-5)
    # one at a time is the same arithmetic as in a batch: exactly the same scores
    alone = np.vstack([model.decision([d]) for d in docs[:50]])
    assert np.array_equal(alone, c[:50])
    # ... and after a long post in the same batch (the hash table is sized per post: its
    # size sets the order the rows are summed in)
    assert np.array_equal(model.decision(["शब्द " * 3000, *docs[:50]])[1:], alone)
    # a post without any n-gram the model knows scores its intercepts
    np.testing.assert_array_equal(model.decision([""])[0], model.intercepts.astype(np.float32))


@needs_kernel
def test_aligned_probabilities_are_numpys_to_the_bit(model: LinearModel) -> None:
    """Platt's sigmoid and the threshold shift in C: the same float32 operations as numpy
    and scipy's ``expit``, so the same bits (not merely close)."""
    z = (np.random.default_rng(7).standard_normal((5000, len(model.categories))) * 6).astype(np.float32)
    ref = linear._rescaled(linear.platt(z, model.calib_a, model.calib_b), model._clipped_thresholds)
    got = z.copy()
    assert model._calibration32 is not None
    linear._ngrams.aligned(got, *model._calibration32)
    assert np.array_equal(got, ref)
    docs = _posts()
    expected = linear._rescaled(linear.platt(model.decision(docs), model.calib_a, model.calib_b),
                                model._clipped_thresholds)
    assert np.array_equal(model.aligned_proba(docs), expected)


@needs_kernel
def test_bad_arguments_are_errors_not_crashes(model: LinearModel) -> None:
    slots, packed, stride, intercepts = model._packed
    out = np.empty((1, len(model.categories)), dtype=np.float32)
    spec = model.spec
    args = (*spec.char_ngrams, spec.char_bits, spec.word_bits, True)
    with pytest.raises(TypeError):
        linear._ngrams.decision([b"bytes"], slots, packed, stride, intercepts, linear._LOG1P, out, *args)
    with pytest.raises(ValueError, match="do not fit"):
        linear._ngrams.decision(["a", "b"], slots, packed, stride, intercepts, linear._LOG1P, out, *args)
    with pytest.raises(ValueError, match="spec"):
        linear._ngrams.ids("a", 1, 5, 19, 17, True)
    with pytest.raises(ValueError, match="do not fit"):
        linear._ngrams.aligned(np.zeros(5, dtype=np.float32), intercepts, intercepts, intercepts)
    with pytest.raises(TypeError):  # read-only scores
        linear._ngrams.aligned(b"\0" * 44, intercepts, intercepts, intercepts)


@needs_kernel
def test_the_engine_finds_the_same_with_and_without_it(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = (REPO / "data/indomain/holdout.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    rows = [json.loads(line) for line in lines]
    posts = [(r["text"], r["jurisdiction"], r["account_type"]) for r in rows]

    def findings() -> list[tuple[str, list[tuple[str, tuple[str, ...], list[tuple[int, int]]]]]]:
        screener = Screener.from_plugins(mode="fast")
        return [(r.verdict.value, [(f.category, f.clause_ids, [(s.start, s.end) for s in f.spans])
                                   for f in r.findings])
                for r in screener.screen_many(posts)]  # type: ignore[arg-type]

    with_c = findings()
    monkeypatch.setattr(linear, "_ngrams", None)
    assert findings() == with_c
