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
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, islice, pairwise
from operator import itemgetter
from typing import Any, cast

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


_MASK64 = 2**64 - 1
_PY_M = int(_M)
_PY_GOLDEN = int(_GOLDEN)
_PY_FMIX = int(_FMIX)


_IDS, _FIRST, _LAST = itemgetter(0), itemgetter(1), itemgetter(2)
_Entry = tuple[bytes, bytes, bytes]


def _evict(cache: dict[str, Any]) -> None:
    """Forget the older half of a cache (dicts keep insertion order; another thread may
    be evicting too, hence ``pop``)."""
    for key in list(islice(cache, len(cache) // 2)):
        cache.pop(key, None)


def _py_mix(h: int) -> int:
    """:func:`_mix` on one Python integer (``h`` below 2**64)."""
    h ^= h >> 33
    h = (h * _PY_FMIX) & _MASK64
    return h ^ (h >> 33)


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

    #: bounds of the caches (entries); a full cache forgets its older half
    MAX_CHUNKS = 1 << 16

    def __init__(self, spec: FeatureSpec) -> None:
        self.spec = spec
        self._char_mask = np.uint64(2**spec.char_bits - 1)
        self._word_mask = np.uint64(2**spec.word_bits - 1)
        self._word_offset = np.uint64(2**spec.char_bits)
        if spec.n_features >= 2**31:
            raise ValueError("feature indices must fit in 32 bits")
        # The same hashes in Python integers, for the cached path (:meth:`unique_counts`).
        self._py_word_mask = 2**spec.word_bits - 1
        self._py_word_offset = 2**spec.char_bits
        self._bigrams = spec.word_ngrams[1] >= 2
        # the room an n-gram needs (n - 1), per size from 2; sizes below the range never fit
        self._room_needed = np.array([n - 1 if n >= spec.char_ngrams[0] else 2**62
                                      for n in range(2, spec.char_ngrams[1] + 1)], dtype=np.int64)
        self._salts = np.array([_NGRAM_SALT.get(n, 0) for n in range(2, spec.char_ngrams[1] + 1)], dtype=np.uint64)
        # run of non-space characters -> (its n-gram and word ids as int32 bytes, the
        # CRCs of its first and last words as uint64 bytes)
        self._chunks: dict[str, _Entry] = {}

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
        """Feature indices of every n-gram occurrence in ``text`` (with repeats).

        Vectorised over the whole text and uncached: the reference that
        :meth:`unique_counts` (what screening uses) must agree with.
        """
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

    # -- the cached path: what screening uses --------------------------------------------

    def clear_caches(self) -> None:
        """Forget every run read so far (``satark bench`` starts each pass so)."""
        self._chunks.clear()

    def unique_counts(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The distinct feature indices of ``text`` (sorted, int32) and how often each occurs.

        The same features as :meth:`indices`, assembled from a cache: character n-grams
        stay within a run of non-space characters, so a run's n-grams (and its words)
        are computed once and reused by every post that holds it; only the word bigrams
        across runs are computed per post. The runs not seen before are computed
        together, vectorised as in :meth:`indices`.
        """
        runs = text.split()
        found = list(map(self._chunks.get, runs))  # the probes run in C
        entries = self._fill(runs, found) if None in found else cast("list[_Entry]", found)
        ids = np.frombuffer(b"".join(map(_IDS, entries)), dtype="<i4")
        if self._bigrams:
            # word bigrams across runs: (the last word of a run, the first of the next
            # run with words); a run without words adds no bytes
            lasts = np.frombuffer(b"".join(map(_LAST, entries)), dtype="<u8")
            if lasts.size > 1:
                firsts = np.frombuffer(b"".join(map(_FIRST, entries)), dtype="<u8")
                pairs = self._pair_ids(lasts[:-1], firsts[1:])
                ids = np.concatenate((ids, pairs))
        if ids.size == 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.intp)
        return _distinct_counts(np.sort(ids))

    def unique_counts_many(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`unique_counts` of many texts at once: every text's distinct indices
        (sorted) one after another, their counts, and how many each text has.

        One sort for the whole batch (on text number and feature index), not one per text.
        """
        n_texts = len(texts)
        id_parts: list[bytes] = []
        last_parts: list[bytes] = []
        first_parts: list[bytes] = []
        texts_runs = [text.split() for text in texts]
        chunks = self._chunks
        missing = {run for runs in texts_runs for run in runs if run not in chunks}
        if missing:  # every run not seen before, in one vectorised pass
            self._learn(sorted(missing))
        for runs in texts_runs:
            found = list(map(chunks.get, runs))
            # (a run is missing still only when the batch holds more runs than the cache)
            entries = self._fill(runs, found) if None in found else cast("list[_Entry]", found)
            id_parts.append(b"".join(map(_IDS, entries)))
            last_parts.append(b"".join(map(_LAST, entries)))
            first_parts.append(b"".join(map(_FIRST, entries)))
        sizes = np.fromiter(map(len, id_parts), dtype=np.int64, count=n_texts) // 4
        ids = np.frombuffer(b"".join(id_parts), dtype="<i4").astype(np.int64)
        text_of = np.repeat(np.arange(n_texts, dtype=np.int64), sizes)
        if self._bigrams:
            words = np.fromiter(map(len, last_parts), dtype=np.int64, count=n_texts) // 8
            lasts = np.frombuffer(b"".join(last_parts), dtype="<u8")
            if lasts.size > 1:
                firsts = np.frombuffer(b"".join(first_parts), dtype="<u8")
                word_of = np.repeat(np.arange(n_texts, dtype=np.int64), words)
                same = word_of[:-1] == word_of[1:]  # pairs within one text only
                pairs = self._pair_ids(lasts[:-1][same], firsts[1:][same])
                ids = np.concatenate((ids, pairs))
                text_of = np.concatenate((text_of, word_of[:-1][same]))
        if ids.size == 0:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.intp), np.zeros(n_texts, dtype=np.int64)
        distinct, counts = _distinct_counts(np.sort(text_of * self.spec.n_features + ids))
        lengths = np.bincount(distinct // self.spec.n_features, minlength=n_texts).astype(np.int64)
        return (distinct % self.spec.n_features).astype(np.int32), counts, lengths

    def _pair_ids(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Word-bigram feature ids of CRC pairs, as in :meth:`indices`."""
        h = a * _M
        h += b
        h += _GOLDEN
        out: np.ndarray = ((_mix(h) & self._word_mask) + self._word_offset).astype(np.int32)
        return out

    def _fill(self, runs: list[str], entries: list[_Entry | None]) -> list[_Entry]:
        """``entries`` with the runs not in the cache computed (and cached)."""
        missing = sorted({run for run, entry in zip(runs, entries, strict=True) if entry is None})
        learned = dict(zip(missing, self._learn(missing), strict=True))
        return [entry if entry is not None else learned[run] for run, entry in zip(runs, entries, strict=True)]

    def _learn(self, runs: list[str]) -> list[_Entry]:
        """Cache entries for ``runs`` (distinct, none containing a space), computed as
        :meth:`indices` does, vectorised over all of them at once.

        A run's entry: its character n-grams (of the run padded with a space each side),
        words and the bigrams between its words, as int32 bytes; and the CRCs of its first
        and last words (empty when it has none) for the bigrams across runs.
        """
        lo, hi = self.spec.char_ngrams
        if lo < 2 or hi < lo:
            return self._learn_reference(runs)
        # Every n-gram (n = lo..hi) of every position at once, as a (sizes x positions)
        # table: a few whole-array operations whatever the number of runs. Position i
        # starts a valid n-gram when the next space after i is at i + n - 1 or later (no
        # space inside; the runs' padding spaces may start or end one).
        padded = " " + " ".join(runs) + " "
        width = len(padded) - 1  # positions that can start an n-gram (the last is a space)
        # the code points, then zeros: what the longer n-grams read past the end is masked out
        ext = np.frombuffer((padded + "\0" * hi).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        # how far the next space is from each position: a run of m characters and its
        # leading space count down from m + 1 to 1; an n-gram fits when that is n - 1 or more
        room = np.fromiter(chain.from_iterable(range(len(run) + 1, 0, -1) for run in runs),
                           dtype=np.int64, count=width)
        table = np.empty((hi - 1, width), dtype=np.uint64)  # row k: the (k + 2)-grams
        np.multiply(ext[:width], _M, out=table[0])
        table[0] += ext[1:width + 1]
        for k in range(1, hi - 1):
            np.multiply(table[k - 1], _M, out=table[k])
            table[k] += ext[k + 1:width + k + 1]
        table ^= self._salts[:, None]
        # position-major: a run's n-grams are contiguous (their order within a run is
        # immaterial: readers sort the ids)
        ids = (_mix(table.T[room[:, None] >= self._room_needed]) & self._char_mask).astype(np.int32)
        # a run of m characters has m + 3 - n n-grams of each size n (padding included)
        per_run = [sum(max(0, len(run) + 3 - n) for n in range(lo, hi + 1)) for run in runs]
        bounds = [0, *accumulate(per_run)]
        return self._entries(runs, ids, bounds)

    def _entries(self, runs: list[str], ids: np.ndarray, bounds: list[int]) -> list[_Entry]:
        """Cache (and return) each run's entry: its n-gram ids ``ids[bounds[j]:bounds[j + 1]]``,
        then its words' and word bigrams' ids, and its first and last words' CRCs."""
        mask, offset = self._py_word_mask, self._py_word_offset
        chunks = self._chunks
        if len(chunks) + len(runs) > self.MAX_CHUNKS:
            _evict(chunks)
        out = []
        blob = ids.astype("<i4", copy=False).tobytes()  # once, then sliced per run
        for j, run in enumerate(runs):
            words = [zlib.crc32(t.encode("utf-8")) for t in TOKEN_RE.findall(run)]
            word_ids = [(_py_mix(w) & mask) + offset for w in words]
            if self._bigrams:
                word_ids.extend((_py_mix((a * _PY_M + b + _PY_GOLDEN) & _MASK64) & mask) + offset
                                for a, b in pairwise(words))
            ends = (struct.pack("<Q", words[0]), struct.pack("<Q", words[-1])) if words else (b"", b"")
            entry = (blob[4 * bounds[j]:4 * bounds[j + 1]] + struct.pack(f"<{len(word_ids)}i", *word_ids), *ends)
            chunks[run] = entry
            out.append(entry)
        return out

    def _learn_reference(self, runs: list[str]) -> list[_Entry]:
        """:meth:`_learn` for any n-gram range, one size at a time (the general form)."""
        padded = " " + " ".join(runs) + " "
        cp = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        length = len(cp)
        spaces_to = np.cumsum(cp == 32)  # spaces in cp[:i + 1]
        spaces = np.concatenate([[0], spaces_to])
        grams: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        h = cp
        lo, hi = self.spec.char_ngrams
        for n in range(2, hi + 1):
            if n > length:
                break
            h = h[:-1] * _M + cp[n - 1:]
            if n >= lo:
                keep = spaces[n - 1:length] == spaces[1:length - n + 2]
                grams.append(h[keep] ^ _NGRAM_SALT[n])
                # the run an n-gram belongs to: the spaces up to its first character
                # (its leading pad counts as the run's own)
                owners.append(spaces_to[:length - n + 1][keep])
        if grams:
            ids = (_mix(np.concatenate(grams)) & self._char_mask).astype(np.int32)
            owner = np.concatenate(owners) - 1
            order = np.argsort(owner, kind="stable")
            ids = ids[order]
            bounds = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(runs)))]).tolist()
        else:
            ids = np.zeros(0, dtype=np.int32)
            bounds = [0] * (len(runs) + 1)
        return self._entries(runs, ids, bounds)

    def counts(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Feature counts, one row per document (sorted indices, no duplicates)."""
        indices, counts, lengths = self.unique_counts_many(docs)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return sp.csr_matrix((counts.astype(np.float32), indices, indptr),
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


def _distinct_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted, non-empty array and how often each occurs.

    ``np.unique(return_counts=True)`` sorts again; the callers have sorted already.
    """
    edge = np.empty(keys.size, dtype=bool)
    edge[0] = True
    np.not_equal(keys[1:], keys[:-1], out=edge[1:])
    at = edge.nonzero()[0]
    counts = np.empty(at.size, dtype=np.intp)
    np.subtract(at[1:], at[:-1], out=counts[:-1])
    counts[-1] = keys.size - at[-1]
    return keys[at], counts
