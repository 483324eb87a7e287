# The n-gram model's scoring loop in C (_ngrams.c); optional, see satark.classifiers.linear.
import numpy as np

def ids(text: str, char_lo: int, char_hi: int, char_bits: int, word_bits: int, bigrams: bool, /) -> bytes: ...
def decision(
    texts: list[str],
    slots: np.ndarray,
    rows: np.ndarray,
    stride: int,
    intercepts: np.ndarray,
    log1p: np.ndarray,
    out: np.ndarray,
    char_lo: int,
    char_hi: int,
    char_bits: int,
    word_bits: int,
    bigrams: bool,
    /,
) -> None: ...
def aligned(scores: np.ndarray, a: np.ndarray, b: np.ndarray, t: np.ndarray, /) -> None: ...
