"""Training the ``full`` mode's e5 head: one logistic regression per category on the
sentence embeddings (:mod:`satark.classifiers.e5`), calibrated and blended on dev data.

Training code lives here, not beside the model: screening imports
:mod:`satark.classifiers` and never this package (nor scikit-learn).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..classifiers.e5 import E5Head, embed_cached
from .pipeline import CATS, Example, TrainConfig, annotated_mask, fit_encoder_head, label_matrix

__all__ = ["train_e5_head"]


def train_e5_head(
    train: Sequence[Example],
    dev: Sequence[Example],
    fast_dev_aligned: np.ndarray,
    cfg: TrainConfig,
    log: Callable[[str], None],
) -> E5Head:
    from sklearn.linear_model import LogisticRegression


    log(f"  e5: embedding {len(train) + len(dev)} posts (about 30 ms each, cached)")
    x = embed_cached([r.text for r in train])
    xd = embed_cached([r.text for r in dev])
    y = label_matrix(train)
    sw = np.array([r.weight for r in train])
    weights, intercepts = [], []
    for j, category in enumerate(CATS):
        lr = LogisticRegression(C=cfg.c_e5, class_weight="balanced", max_iter=3000)
        keep = annotated_mask(train, category)
        lr.fit(x[keep], y[keep, j], sample_weight=sw[keep])
        weights.append(lr.coef_[0])
        intercepts.append(float(lr.intercept_[0]))
    w, b = np.vstack(weights).T.astype(np.float32), np.array(intercepts, np.float32)
    a, c, t, blend = fit_encoder_head(xd @ w + b, dev, fast_dev_aligned, log, "e5")
    return E5Head(CATS, w, b, a, c, t, blend)
