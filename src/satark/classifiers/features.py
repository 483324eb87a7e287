"""Text features for the linear classifiers: hashed character and word n-grams.

Character n-grams (within words) survive the things that break word models in this
domain: Hindi and Bengali inflection, romanized spelling variation ("nahi/nahin",
"sarkar/sorkar") and code-mixing. Word uni- and bigrams (with an Indic-safe token
pattern: scikit-learn's default splits "कार्य" at the virama) add phrase evidence.

Hashing keeps the feature space fixed and the vectoriser stateless, so the only learned
state is the idf vector and the weights, which ship as plain arrays (no pickles).
Features are computed on the engine's folded ``key`` view, so the dodges the rules see
through (look-alikes, leetspeak, zero-width characters) cannot dodge the model either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = ["FeatureSpec", "Featurizer"]

TOKEN_PATTERN = r"[\w\u0900-\u0963\u0966-\u09ff]+"


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


class Featurizer:
    """Raw term counts; :meth:`tfidf` applies sublinear tf, idf and l2 norm."""

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._char = HashingVectorizer(analyzer="char_wb", ngram_range=spec.char_ngrams,
                                       n_features=2**spec.char_bits, alternate_sign=False,
                                       norm=None, lowercase=False, dtype=np.float32)
        self._word = HashingVectorizer(analyzer="word", token_pattern=TOKEN_PATTERN,
                                       ngram_range=spec.word_ngrams, n_features=2**spec.word_bits,
                                       alternate_sign=False, norm=None, lowercase=False,
                                       dtype=np.float32)

    @staticmethod
    def document(key_text: str, account_type: str) -> str:
        """The text the model reads: the folded post.

        The account type is deliberately not a token: in a short post an extra token
        dominates the normalised vector, and "personal" correlates with abuse in the
        training data, so "ok" on a personal account would read as abuse. It matters only
        for ``personal_on_official``, which the engine restricts to official accounts.
        """
        return key_text

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        char = self._char.transform(docs)
        word = self._word.transform(docs)
        if len(docs) == 1:  # skip hstack's bookkeeping for the common single post
            indices = np.concatenate([char.indices, word.indices + 2**self.spec.char_bits])
            data = np.concatenate([char.data, word.data])
            return sp.csr_matrix((data, indices, np.array([0, len(data)])), shape=(1, self.spec.n_features))
        return sp.hstack([char, word], format="csr")

    @staticmethod
    def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
        x = counts.copy()
        np.log1p(x.data, out=x.data)  # sublinear tf: 1 + log(tf) up to a constant shift
        x = x.multiply(idf).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ x)
