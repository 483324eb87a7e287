"""The learned classifiers: features, the shipped models, modes, batches and training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from satark import Verdict, default_screener, screen
from satark.classifiers import FeatureSpec, Featurizer, LinearModel
from satark.detectors.classifier import MODELS_DIR
from satark.training.pipeline import TrainConfig, load_indomain, train

REPO = Path(__file__).resolve().parents[1]


def test_features_are_deterministic_and_indic_safe() -> None:
    f = Featurizer(FeatureSpec())
    a = f.indices("कार्यालय में प्रशिक्षण")
    assert np.array_equal(a, Featurizer(FeatureSpec()).indices("कार्यालय में प्रशिक्षण"))
    assert f.indices("").size == 0 and f.indices("   ").size == 0
    assert a.max() < FeatureSpec().n_features
    # char n-grams stay within words: the same words in another order share every char n-gram
    x = set(f.indices("সরকার ব্যর্থ").tolist())
    y = set(f.indices("ব্যর্থ সরকার").tolist())
    assert len(x ^ y) <= 4  # only the word bigram differs


def test_shipped_models_and_manifest() -> None:
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    model = LinearModel.load(MODELS_DIR / manifest["fast"]["file"])
    assert model.categories == tuple(manifest["categories"])
    total = sum(p.stat().st_size for p in MODELS_DIR.rglob("*") if p.is_file())
    assert total < 40 * 1024 * 1024
    assert (MODELS_DIR / "MODEL_CARD.md").exists()


@pytest.mark.parametrize("mode", ["fast", "full"])
def test_models_find_what_the_rules_miss(mode: str) -> None:
    text = "ये सरकार किसी काम की नहीं है, जनता के पैसे बर्बाद कर रही है और बस भाषण देती है"
    assert "anti_government" not in {f.category for f in screen(text, jurisdiction="IN-CG", mode="rules").findings}
    report = screen(text, jurisdiction="IN-CG", mode=mode)  # type: ignore[arg-type]
    finding = next(f for f in report.findings if f.category == "anti_government")
    assert finding.clause_ids[0] == "IN-CG-2017/5"
    assert finding.detector.startswith("classifier-")
    assert finding.spans and text[finding.spans[0].start:finding.spans[0].end] == finding.spans[0].text
    assert "model" in finding.explanation["en"] and finding.explanation["hi"] and finding.explanation["bn"]
    assert finding.spans[0].text[:20] in finding.explanation["en"]  # it quotes what it read


def test_clean_office_notice_stays_clear_in_full_mode() -> None:
    text = ("जिला प्रशासन द्वारा आज ग्राम पंचायत भवन में स्वास्थ्य शिविर का आयोजन किया गया। "
            "सभी हितग्राही अपने दस्तावेज़ों के साथ समय पर उपस्थित हों।")
    assert screen(text, jurisdiction="IN-CG", account_type="official", mode="full").verdict is Verdict.CLEAR


def test_screen_many_matches_screen_one_by_one() -> None:
    lines = (REPO / "data/indomain/holdout.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    rows = [json.loads(line) for line in lines]
    posts = [(r["text"], r["jurisdiction"], r["account_type"]) for r in rows]
    screener = default_screener()
    for mode in ("rules", "fast"):
        many = screener.screen_many(posts, mode=mode)  # type: ignore[arg-type]
        one = [screener.screen(t, jurisdiction=j, account_type=a, mode=mode) for t, j, a in posts]  # type: ignore[arg-type]
        assert [r.to_dict() for r in many] == [r.to_dict() for r in one]


def test_unknown_mode_is_an_input_error() -> None:
    from satark import InputError

    with pytest.raises(InputError, match="mode"):
        screen("hello", jurisdiction="BD", mode="turbo")  # type: ignore[arg-type]


def test_training_is_reproducible(tmp_path: Path) -> None:
    """Same inputs, same model: train twice on a slice of the project's data."""
    src = tmp_path / "data"
    src.mkdir()
    lines = (REPO / "data/indomain/train-en.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    (src / "train-en.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    outs = []
    for name in ("a", "b"):
        cfg = TrainConfig(indomain_dir=src, out_dir=tmp_path / name, e5=False, permissive=False, calibrate=False,
                          spec=FeatureSpec(char_bits=14, word_bits=12))
        train(cfg, log=lambda _: None)
        outs.append(tmp_path / name / "fast-v1.npz")
    za, zb = np.load(outs[0]), np.load(outs[1])
    for key in za.files:
        assert np.array_equal(za[key], zb[key]), key
    tr, dev = load_indomain(src)
    assert len(tr) + len(dev) == 300 and 0 < len(dev) < 100


def test_cached_features_equal_the_vectorised_reference() -> None:
    """Screening reads features from a per-run cache; they must be exactly :meth:`indices`'."""
    texts = ["कार्यालय में प्रशिक्षण। আজ অফিস বন্ধ", "sh1t  you\tfool!! @user #tag", "", "   ", "a", "a b",
             "😀 — ক্ষুদ্র-নৃগোষ্ঠী x_y 2023", "Same same same words words", "\u00a0nbsp\u3000ideographic\x1csep"]
    for spec in (FeatureSpec(), FeatureSpec((3, 4), 12, (1, 1), 10)):
        f = Featurizer(spec)
        f.MAX_CHUNKS = 4  # evicts while it reads
        for text in texts * 2:
            idx, cnt = f.unique_counts(text)
            ref_idx, ref_cnt = np.unique(f.indices(text), return_counts=True)
            assert np.array_equal(idx, ref_idx.astype(np.int32)) and np.array_equal(cnt, ref_cnt), text
        indices, counts, lengths = Featurizer(spec).unique_counts_many(texts)
        assert lengths.sum() == len(indices) == len(counts)
        at = 0
        for text, n in zip(texts, lengths.tolist(), strict=True):
            idx, cnt = f.unique_counts(text)
            assert np.array_equal(indices[at:at + n], idx) and np.array_equal(counts[at:at + n], cnt)
            at += n
