"""Text features for the linear classifiers: hashed character and word n-grams.

Character n-grams (within words) survive the things that break word models in this
domain: Hindi and Bengali inflection, romanized spelling variation ("nahi/nahin",
"sarkar/sorkar") and code-mixing. Word uni- and bigrams (with an Indic-safe token
pattern: scikit-learn's default splits "कार्य" at the virama) add phrase evidence.

Hashing keeps the feature space fixed and the featuriser stateless, so the only learned
state is the idf vector and the weights, which ship as plain arrays (no pickles).
Features are computed on the engine's folded ``key`` view, so the dodges the rules see
through (look-alikes, leetspeak, zero-width characters) cannot dodge the model either.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["FeatureSpec", "Featurizer"]

TOKEN_PATTERN = r"[\w\u0900-\u0963\u0966-\u09ff]+"
TOKEN_RE = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class FeatureSpec:
    char_ngrams: tuple[int, int] = (2, 5)
    char_bits: int = 19
    word_ngrams: tuple[int, int] = (1, 2)
    word_bits: int = 17

    @property
    def n_features(self) -> int:
        return int(2**self.char_bits + 2**self.word_bits)

    def to_dict(self) -> dict[str, object]:
        return {"char_ngrams": list(self.char_ngrams), "char_bits": self.char_bits,
                "word_ngrams": list(self.word_ngrams), "word_bits": self.word_bits}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> FeatureSpec:
        return cls(tuple(d["char_ngrams"]), int(d["char_bits"]),  # type: ignore[arg-type, call-overload]
                   tuple(d["word_ngrams"]), int(d["word_bits"]))  # type: ignore[arg-type, call-overload]


_M = np.uint64(1000003)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_FMIX = np.uint64(0xFF51AFD7ED558CCD)
_S33 = np.uint64(33)
_NGRAM_SALT = {n: np.uint64((n * 0x9E3779B97F4A7C15) % 2**64) for n in range(1, 16)}


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads rolling-hash values over the buckets."""
    h = h ^ (h >> _S33)
    h = h * _FMIX
    out: np.ndarray = h ^ (h >> _S33)
    return out


class Featurizer:
    """Hashed n-gram counts, computed with numpy rather than per n-gram in Python.

    scikit-learn's ``HashingVectorizer`` builds every n-gram as a Python string (about
    180 µs for a 250-character post); a vectorised polynomial rolling hash over the code
    points does the same job in a fraction of that, which is what lets ``fast`` mode keep
    up with bulk audits. Character n-grams stay within words (like ``char_wb``: a word is
    padded with one space each side); words are hashed with CRC-32 and paired for bigrams.
    """

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._char_mask = np.uint64(2**spec.char_bits - 1)
        self._word_mask = np.uint64(2**spec.word_bits - 1)
        self._word_offset = np.uint64(2**spec.char_bits)

    @staticmethod
    def document(key_text: str, account_type: str) -> str:
        """The text the model reads: the folded post.

        The account type is deliberately not a token: in a short post an extra token
        dominates the normalised vector, and "personal" correlates with abuse in the
        training data, so "ok" on a personal account would read as abuse. It matters only
        for ``personal_on_official``, which the engine restricts to official accounts.
        """
        return key_text

    def indices(self, text: str) -> np.ndarray:
        """Feature indices of every n-gram occurrence in ``text`` (with repeats)."""
        lo, hi = self.spec.char_ngrams
        if not text.split():
            return np.zeros(0, dtype=np.uint64)
        padded = " " + " ".join(text.split()) + " "
        cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        length = len(cp)
        spaces = np.concatenate([[0], np.cumsum(cp == 32)])
        grams = []
        h = cp
        with np.errstate(over="ignore"):
            for n in range(2, hi + 1):
                if n > length:
                    break
                h = h[:-1] * _M + cp[n - 1:]
                if n >= lo:
                    # keep n-grams with no space inside: spaces before i+n-1 == spaces before i+1
                    grams.append(h[spaces[n - 1:length] == spaces[1:length - n + 2]] ^ _NGRAM_SALT[n])
            parts = [_mix(np.concatenate(grams)) & self._char_mask] if grams else []
            words = TOKEN_RE.findall(text)
            if words:
                w = np.array([zlib.crc32(t.encode("utf-8")) for t in words], dtype=np.uint64)
                if self.spec.word_ngrams[1] >= 2 and len(w) > 1:
                    w = np.concatenate([w, w[:-1] * _M + w[1:] + _GOLDEN])  # unigrams, then bigrams
                parts.append((_mix(w) & self._word_mask) + self._word_offset)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        all_idx: list[np.ndarray] = []
        all_cnt: list[np.ndarray] = []
        for doc in docs:
            idx, cnt = np.unique(self.indices(doc), return_counts=True)
            all_idx.append(idx.astype(np.int32))
            all_cnt.append(cnt.astype(np.float32))
            indptr.append(indptr[-1] + len(idx))
        indices = np.concatenate(all_idx) if all_idx else np.zeros(0, np.int32)
        data = np.concatenate(all_cnt) if all_cnt else np.zeros(0, np.float32)
        return sp.csr_matrix((data, indices, np.array(indptr, dtype=np.int64)),
                             shape=(len(docs), self.spec.n_features))

    @staticmethod
    def idf(counts: sp.csr_matrix) -> np.ndarray:
        """Smoothed idf learned from training counts; features never seen get 0 (no weight,
        and it keeps the shipped file small)."""
        df = np.asarray((counts > 0).sum(axis=0)).ravel()
        idf: np.ndarray = (np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)
        idf[df == 0] = 0.0
        return idf

    @staticmethod
    def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        x = counts.copy()
        np.log1p(x.data, out=x.data)  # sublinear tf: 1 + log(tf) up to a constant shift
        x = x.multiply(idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ x)
