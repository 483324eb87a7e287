"""A calibrated linear classifier per category, stored as plain arrays.

Artefacts are ``.npz`` files (numpy arrays and JSON strings), not pickles: loading one
runs no code, and it does not depend on the scikit-learn version that trained it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from .features import FeatureSpec, Featurizer

try:  # the scoring loop in C (built with the package where a C compiler is available)
    from . import _ngrams
except ImportError:  # pragma: no cover - the numpy code below gives the same scores
    _ngrams = None  # type: ignore[assignment]

__all__ = ["LinearModel", "calibrated", "compiled", "platt"]

#: log1p of the counts an n-gram can have in a post, in float32 as numpy computes it,
#: so that the C loop's tf-idf values are numpy's to the bit
_LOG1P = np.log1p(np.arange(4096, dtype=np.float32))


def compiled() -> bool:
    """Whether the n-gram model scores with its C loop (else with numpy, same scores)."""
    return _ngrams is not None


def platt(z: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out: np.ndarray = expit(a * z + b)
    return out


def calibrated(p: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Rescale probabilities so each category's tuned threshold sits at 0.5.

    The engine reports a category at combined confidence >= 0.5; this makes a model's
    per-category threshold line up with that cut while keeping the order of scores.
    """
    return _rescaled(p, np.clip(thresholds, 1e-3, 1 - 1e-3))


def _rescaled(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """:func:`calibrated` with the thresholds already clipped."""
    below = 0.5 * p / t
    above = 0.5 + 0.5 * (p - t) / (1 - t)
    out: np.ndarray = np.where(p < t, below, above)
    return out


@dataclass
class LinearModel:
    name: str
    categories: tuple[str, ...]
    spec: FeatureSpec
    idf: np.ndarray
    weights: sp.csr_matrix  # (n_features, n_categories)
    intercepts: np.ndarray
    calib_a: np.ndarray
    calib_b: np.ndarray
    thresholds: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    _featurizer: Featurizer | None = None

    @property
    def featurizer(self) -> Featurizer:
        if self._featurizer is None:
            self._featurizer = Featurizer(self.spec)
        return self._featurizer

    @cached_property
    def _rows(self) -> np.ndarray:
        """Dense (features x categories+1): each feature's weights, then its idf.

        Gathering a post's few hundred rows is far cheaper than a sparse product's
        bookkeeping, and keeping the idf in the same row makes it one random memory access
        per n-gram instead of two (about 30 MB of memory).
        """
        rows: np.ndarray = np.hstack([self.weights.toarray(), self.idf.reshape(-1, 1)]).astype(np.float32)
        return rows

    @cached_property
    def _packed(self) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
        """What the C loop reads: per feature its row number (-1: never seen in
        training), and the rows of the features seen (weights, then idf), one 64-byte
        cache line each, so a post's few hundred random reads touch less memory than in
        :attr:`_rows` (those reads are most of the loop's time); and the intercepts."""
        seen = np.flatnonzero(self.idf != 0)
        slots = np.full(self.idf.shape[0], -1, dtype=np.int32)
        slots[seen] = np.arange(seen.size, dtype=np.int32)
        width = len(self.categories) + 1
        stride = -(-width // 16) * 16  # floats: whole cache lines
        raw = np.zeros(seen.size * stride + 16, dtype=np.float32)
        start = (-raw.ctypes.data // 4) % 16  # the first row on a cache-line boundary
        packed = raw[start:start + seen.size * stride].reshape(seen.size, stride)
        # (built from the sparse weights: the dense :attr:`_rows` is never made)
        packed[:, :width - 1] = self.weights[seen].toarray()
        packed[:, width - 1] = self.idf[seen]
        return slots, packed, stride, np.ascontiguousarray(self.intercepts, dtype=np.float32)

    def decision(self, docs: Sequence[str]) -> np.ndarray:
        """Raw linear scores, one row per document.

        With the C loop (:func:`compiled`), each document is hashed, counted and scored
        in one pass (about 25 µs a post where numpy took about 60); the scores agree with
        the numpy code's to float32 rounding (a test holds them to it).
        """
        if _ngrams is None or not 2 <= self.spec.char_ngrams[0] <= self.spec.char_ngrams[1] <= 15:
            return self.decision_numpy(docs)
        out = np.empty((len(docs), len(self.categories)), dtype=np.float32)
        spec = self.spec
        slots, packed, stride, intercepts = self._packed
        _ngrams.decision(list(docs), slots, packed, stride, intercepts, _LOG1P, out, spec.char_ngrams[0],
                         spec.char_ngrams[1], spec.char_bits, spec.word_bits, spec.word_ngrams[1] >= 2)
        return out

    def decision_numpy(self, docs: Sequence[str]) -> np.ndarray:
        """:meth:`decision` in numpy (tf-idf done on the arrays): where the C loop is not built.

        Features come from the featuriser's caches (:meth:`Featurizer.unique_counts`);
        rows are gathered with ``take`` (several times cheaper than fancy indexing).
        """
        featurizer = self.featurizer
        if len(docs) == 1:  # the interactive path: no sparse-matrix bookkeeping at all
            idx, cnt = featurizer.unique_counts(docs[0])
            rows = self._rows.take(idx, axis=0)
            data = np.log1p(cnt.astype(np.float32)) * rows[:, -1]
            norm = float(np.sqrt(np.dot(data, data))) or 1.0
            single: np.ndarray = (data / norm) @ rows[:, :-1] + self.intercepts
            return single.reshape(1, -1)
        indices, counts, lengths = featurizer.unique_counts_many(docs)
        rows = self._rows.take(indices, axis=0)
        data = np.log1p(counts.astype(np.float32)) * rows[:, -1]
        starts = np.cumsum(lengths) - lengths
        out = np.tile(self.intercepts.astype(np.float32), (len(docs), 1))
        filled = lengths > 0
        if data.size:
            sq = np.add.reduceat(data * data, starts[filled])
            sums = np.add.reduceat(rows[:, :-1] * data[:, None], starts[filled], axis=0)
            out[filled] += sums / np.sqrt(np.maximum(sq, 1e-12))[:, None]
        return out

    def predict_proba(self, docs: Sequence[str]) -> np.ndarray:
        """Platt-calibrated probabilities, one column per category."""
        return platt(self.decision(docs), self.calib_a, self.calib_b)

    @cached_property
    def _clipped_thresholds(self) -> np.ndarray:
        clipped: np.ndarray = np.clip(self.thresholds, 1e-3, 1 - 1e-3)
        return clipped

    @cached_property
    def _calibration32(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """Platt's ``a``, ``b`` and the clipped thresholds, when all are float32 (as
        :meth:`load` gives them): what the C loop computes with, bit for bit as numpy."""
        parts = (self.calib_a, self.calib_b, self._clipped_thresholds)
        if all(p.dtype == np.float32 and p.shape == (len(self.categories),) for p in parts):
            return tuple(np.ascontiguousarray(p) for p in parts)  # type: ignore[return-value]
        return None

    def aligned_proba(self, docs: Sequence[str]) -> np.ndarray:
        """``calibrated(predict_proba(docs), thresholds)``: each category's tuned threshold
        at 0.5 (the thresholds clipped once, not per call). In C when it is built: the
        same float32 operations as numpy's, without a dozen array operations per call."""
        calibration = self._calibration32 if _ngrams is not None else None
        if calibration is None:
            return _rescaled(self.predict_proba(docs), self._clipped_thresholds)
        z = self.decision(docs)
        if z.dtype != np.float32 or not (z.flags.c_contiguous and z.flags.writeable):
            return _rescaled(platt(z, self.calib_a, self.calib_b), self._clipped_thresholds)
        _ngrams.aligned(z, *calibration)
        return z

    def save(self, path: Path) -> None:
        w = self.weights.tocsr()
        np.savez_compressed(
            path,
            header=np.array(json.dumps({"name": self.name, "categories": list(self.categories),
                                        "spec": self.spec.to_dict(), "meta": self.meta},
                                       ensure_ascii=False)),
            idf=self.idf.astype(np.float16),
            w_data=w.data.astype(np.float16),
            w_indices=w.indices.astype(np.int32),
            w_indptr=w.indptr.astype(np.int32),
            w_shape=np.array(w.shape, dtype=np.int64),
            intercepts=self.intercepts.astype(np.float32),
            calib_a=self.calib_a.astype(np.float32),
            calib_b=self.calib_b.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
        )

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            weights = sp.csr_matrix(
                (z["w_data"].astype(np.float32), z["w_indices"], z["w_indptr"]),
                shape=tuple(int(x) for x in z["w_shape"]),
            )
            return cls(
                name=header["name"],
                categories=tuple(header["categories"]),
                spec=FeatureSpec.from_dict(header["spec"]),
                idf=z["idf"].astype(np.float32),
                weights=weights,
                intercepts=z["intercepts"],
                calib_a=z["calib_a"],
                calib_b=z["calib_b"],
                thresholds=z["thresholds"],
                meta=header.get("meta", {}),
            )


def blended(weights: np.ndarray, fast_aligned: np.ndarray,
            encoder_aligned: Callable[[], np.ndarray]) -> np.ndarray:
    """``weights * fast + (1 - weights) * encoder`` per category; the encoder (the costly
    part) is not run at all when every weight leaves it no say."""
    if np.all(weights >= 1.0):
        return fast_aligned
    out: np.ndarray = weights * fast_aligned + (1 - weights) * encoder_aligned()
    return out
