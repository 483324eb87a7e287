"""Public benchmarks: task heads on the shared-task data sets, scored on their test splits.

The screening categories are not the shared tasks' labels ("hostile", "HOF", OAG/CAG/NAG),
so the screener itself cannot be scored against published results. What can be, and is
worth knowing, is how our classifier machinery (the same features, the same encoder, the
same calibration) does on each task when trained on that task's own train split. The
heads are trained on research-only data, so they are never shipped: ``satark train
--benchmarks`` writes them to ``<data dir>/models/bench`` on the machine that holds the
data, and ``satark eval --dataset SLUG`` reads them there; the screener never uses them.

Hyper-parameters (regularisation, and in ``full`` mode the blend weight) are chosen on
each data set's dev split; the test split is read only to report.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from ..classifiers.features import FeatureSpec, Featurizer
from ..classifiers.linear import LinearModel
from ..normalize import normalize
from . import datasets

__all__ = ["BENCHMARKS", "E5_BENCHMARKS", "Benchmark", "evaluate_benchmark", "train_benchmarks"]


@dataclass(frozen=True)
class Benchmark:
    slug: str
    metric: str  # "f1:<label>" (F1 of one class), "macro", "weighted" or "multilabel"
    metric_name: str
    dataset: str = ""  # the data set to load, when the key names a second task of it
    published: float | None = None  # when not the data set's own ``published_best``

    @property
    def source(self) -> str:
        return self.dataset or self.slug


BENCHMARKS: dict[str, Benchmark] = {
    b.slug: b
    for b in (
        Benchmark("constraint2021-hindi-hostile", "f1:hostile", "F1 of the hostile class (coarse)"),
        Benchmark("constraint2021-hindi-hostile:fine", "multilabel", "fine-grained weighted F1 (4 labels)",
                  dataset="constraint2021-hindi-hostile", published=0.625),
        Benchmark("hasoc2019-hindi", "macro", "task A macro-F1"),
        Benchmark("hasoc2019-english", "macro", "task A macro-F1"),
        Benchmark("olid-offenseval2019", "macro", "task A macro-F1"),
        Benchmark("blp2023-vitd-violence-inciting", "macro", "macro-F1"),
        Benchmark("trac2-2020-aggression-misogyny:en", "weighted", "task A weighted F1"),
        Benchmark("trac2-2020-aggression-misogyny:hi", "weighted", "task A weighted F1"),
        Benchmark("trac2-2020-aggression-misogyny:bn", "weighted", "task A weighted F1"),
    )
}
BENCH_SPEC = FeatureSpec(char_bits=18, word_bits=16)
#: Data sets that also get an e5 head (the encoder costs ~30 ms a post to train on).
E5_BENCHMARKS: tuple[str, ...] = ("olid-offenseval2019", "blp2023-vitd-violence-inciting", "hasoc2019-english")
#: Encoder input lengths to try, chosen on dev (Vio-Lens posts are long Bengali texts).
E5_TOKENS: dict[str, tuple[int | None, ...]] = {"blp2023-vitd-violence-inciting": (None, 128)}


def _file(slug: str) -> str:
    return slug.replace(":", "-") + ".npz"


def _score(metric: str, gold: Sequence[str], pred: Sequence[str]) -> float:
    if metric.startswith("f1:"):
        label = metric.split(":", 1)[1]
        return float(f1_score([g == label for g in gold], [p == label for p in pred]))
    return float(f1_score(gold, pred, average=metric))


FINE_LABELS = ("defamation", "fake", "hate", "offensive")


def _fine(e: datasets.Example) -> list[bool]:
    """CONSTRAINT's fine-grained labels (multi-label) from the row's ``Labels Set``."""
    raw = dict(e.meta).get("Labels Set", "")
    got = {x.strip() for x in str(raw).split(",")}
    return [label in got for label in FINE_LABELS]


def _train_multilabel(slug: str, bench: Benchmark, out_dir: Path, featurizer: Featurizer,
                      refit: bool) -> dict[str, Any]:
    """One head per fine label; per-label thresholds chosen on dev; weighted F1."""
    train, dev = datasets.load(bench.source, "train"), datasets.load(bench.source, "dev")
    y, yd = np.array([_fine(e) for e in train]), np.array([_fine(e) for e in dev])
    counts = featurizer.counts(_docs(train))
    idf = Featurizer.idf(counts)
    x = Featurizer.tfidf(counts, idf)
    xd = Featurizer.tfidf(featurizer.counts(_docs(dev)), idf)
    best: tuple[float, float, np.ndarray, np.ndarray, list[float]] | None = None
    for c in (1.0, 3.0, 10.0, 30.0):
        w, b = _fit_multi(x, y, c)
        z = np.asarray(xd @ w) + b
        thresholds = [_best_cut(z[:, j], yd[:, j]) for j in range(len(FINE_LABELS))]
        score = float(f1_score(yd, z > np.array(thresholds), average="weighted", zero_division=0))
        if best is None or score > best[0]:
            best = (score, c, w, b, thresholds)
    assert best is not None
    score, c, w, b, thresholds = best
    if refit:
        counts = featurizer.counts(_docs([*train, *dev]))
        idf = Featurizer.idf(counts)
        w, b = _fit_multi(Featurizer.tfidf(counts, idf), np.vstack([y, yd]), c)
    w = w.copy()
    w[np.abs(w) < 1e-4] = 0.0
    LinearModel(f"bench-{slug}", FINE_LABELS, BENCH_SPEC, idf, sp.csr_matrix(w), b,
                np.ones(len(FINE_LABELS), np.float32), np.zeros(len(FINE_LABELS), np.float32),
                np.array(thresholds, np.float32), {"C": c, "dev_score": score}).save(out_dir / _file(slug))
    return {"file": _file(slug), "labels": list(FINE_LABELS), "C": c, "dev": round(score, 4),
            "train_rows": len(train) + (len(dev) if refit else 0), "licence": datasets.get(bench.source).licence}


def _fit_multi(x: sp.csr_matrix, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    coefs, intercepts = [], []
    for j in range(y.shape[1]):
        lr = LogisticRegression(C=c, class_weight="balanced", max_iter=3000, solver="liblinear").fit(x, y[:, j])
        coefs.append(lr.coef_[0].astype(np.float32))
        intercepts.append(float(lr.intercept_[0]))
    return np.vstack(coefs).T, np.array(intercepts, np.float32)


def _best_cut(z: np.ndarray, y: np.ndarray) -> float:
    cuts = [0.0, *np.quantile(z, np.linspace(0.02, 0.98, 49)).tolist()]
    return float(max(cuts, key=lambda t: f1_score(y, z > t, zero_division=0)))


def _docs(examples: Sequence[datasets.Example]) -> list[str]:
    return [normalize(e.text).key.text for e in examples]


def _fit(x: sp.csr_matrix, y: Sequence[str], labels: list[str], c: float) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest heads for single-label tasks (see :func:`_fit_multi`)."""
    return _fit_multi(x, np.array([[v == label for label in labels] for v in y]), c)


def _predict(scores: np.ndarray, labels: Sequence[str], offset: float = 0.0) -> list[str]:
    """Argmax; for two labels, the second wins when it leads the first by ``offset``."""
    if len(labels) == 2:
        return [labels[1] if d > offset else labels[0] for d in scores[:, 1] - scores[:, 0]]
    return [labels[i] for i in np.argmax(scores, axis=1)]


def _best_offset(metric: str, gold: Sequence[str], scores: np.ndarray, labels: Sequence[str]) -> tuple[float, float]:
    """The two-label decision offset that scores best on dev (0 for more labels)."""
    if len(labels) != 2:
        return 0.0, _score(metric, gold, _predict(scores, labels))
    diffs = np.quantile(scores[:, 1] - scores[:, 0], np.linspace(0.02, 0.98, 49))
    best = max(((float(o), _score(metric, gold, _predict(scores, labels, float(o)))) for o in [0.0, *diffs]),
               key=lambda t: t[1])
    return best


def _e5(examples: Sequence[datasets.Example], max_tokens: int | None = None) -> np.ndarray:
    from ..classifiers.e5 import BENCH_MAX_TOKENS, embed_cached

    return embed_cached([e.text for e in examples], max_tokens=max_tokens or BENCH_MAX_TOKENS)


def _softmaxish(z: np.ndarray) -> np.ndarray:
    """Per-label scores to comparable probabilities (one-vs-rest logistic)."""
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    return out


def train_benchmarks(out_dir: Path, slugs: Sequence[str], log: Callable[[str], None],
                     e5_slugs: Sequence[str] = (), refit: bool = True) -> dict[str, Any]:
    """Fit one task head per data set (C chosen on dev); write them and their manifest.

    For ``e5_slugs`` a second head on sentence embeddings is fitted too, and blended with
    the n-gram head at the weight that scores best on dev (the ``full`` mode). With
    ``refit``, the chosen settings are then fitted again on train and dev together (the
    test split is never read here).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    featurizer = Featurizer(BENCH_SPEC)
    existing = out_dir / "manifest.json"  # heads trained earlier stay listed
    manifest: dict[str, Any] = json.loads(existing.read_text(encoding="utf-8")) if existing.exists() else {}
    for slug in slugs:
        bench = BENCHMARKS[slug]
        if bench.metric == "multilabel":
            manifest[slug] = _train_multilabel(slug, bench, out_dir, featurizer, refit)
            log(f"  {slug}: C={manifest[slug]['C']:g}, dev {bench.metric_name} {manifest[slug]['dev']:.3f}")
            continue
        train, dev = datasets.load(slug, "train"), datasets.load(slug, "dev")
        y, yd = [e.task_label or "" for e in train], [e.task_label or "" for e in dev]
        labels = sorted(set(y))
        counts = featurizer.counts(_docs(train))
        n = counts.shape[0]
        idf = Featurizer.idf(counts)
        x = Featurizer.tfidf(counts, idf)
        xd = Featurizer.tfidf(featurizer.counts(_docs(dev)), idf)
        best: tuple[float, float, np.ndarray, np.ndarray, float] | None = None
        for c in (1.0, 3.0, 10.0, 30.0):
            w, b = _fit(x, y, labels, c)
            offset, dev_score = _best_offset(bench.metric, yd, np.asarray(xd @ w) + b, labels)
            if best is None or dev_score > best[0]:
                best = (dev_score, c, w, b, offset)
        assert best is not None
        dev_score, c, w, b, offset = best
        xd_sel, w_sel, b_sel = xd, w, b  # the train-only head, for choosing the blend below
        if refit:  # hyper-parameters chosen; now learn from train and dev together
            counts = featurizer.counts(_docs([*train, *dev]))
            idf = Featurizer.idf(counts)
            w, b = _fit(Featurizer.tfidf(counts, idf), [*y, *yd], labels, c)
        w = w.copy()
        w[np.abs(w) < 1e-4] = 0.0
        model = LinearModel(f"bench-{slug}", tuple(labels), BENCH_SPEC, idf, sp.csr_matrix(w), b,
                            np.ones(len(labels), np.float32), np.zeros(len(labels), np.float32),
                            np.full(len(labels), 0.5, np.float32),
                            {"C": c, "dev_score": dev_score, "offset": offset})
        model.save(out_dir / _file(slug))
        manifest[slug] = {"file": _file(slug), "labels": labels, "C": c, "dev": round(dev_score, 4),
                          "train_rows": n + (len(dev) if refit else 0), "licence": datasets.get(slug).licence}
        log(f"  {slug}: C={c:g}, dev {bench.metric_name} {dev_score:.3f}")
        if slug in e5_slugs:
            fast_dev = _softmaxish(np.asarray(xd_sel @ w_sel) + b_sel)
            best_e5: tuple[float, float, float, np.ndarray, np.ndarray, float, int] | None = None
            embedded: dict[int, tuple[np.ndarray, np.ndarray]] = {}
            for tokens in E5_TOKENS.get(slug, (None,)):
                log(f"  {slug}: embedding {len(train) + len(dev)} posts for the e5 head ({tokens or 'default'} tokens)")
                e, ed = _e5(train, tokens), _e5(dev, tokens)
                embedded[tokens or 0] = (e, ed)
                for ce in (0.3, 1.0, 3.0, 10.0):
                    we, be = _fit(sp.csr_matrix(e), y, labels, ce)
                    e5_dev = _softmaxish(ed @ we + be)
                    for blend in np.linspace(0.0, 0.9, 10):
                        off, score = _best_offset(bench.metric, yd, blend * fast_dev + (1 - blend) * e5_dev, labels)
                        if best_e5 is None or score > best_e5[0]:
                            best_e5 = (score, ce, float(blend), we, be, off, tokens or 0)
            assert best_e5 is not None
            score, ce, blend, we, be, off, tokens = best_e5
            if refit:
                e, ed = embedded[tokens]
                we, be = _fit(sp.csr_matrix(np.vstack([e, ed])), [*y, *yd], labels, ce)
            np.savez_compressed(out_dir / _file(slug).replace(".npz", ".e5.npz"), weights=we.astype(np.float32),
                                intercepts=be.astype(np.float32), blend=np.array(blend, np.float32),
                                offset=np.array(off, np.float32), max_tokens=np.array(tokens, np.int32))
            manifest[slug].update({"e5_file": _file(slug).replace(".npz", ".e5.npz"), "e5_C": ce,
                                   "blend": blend, "dev_full": round(score, 4), "e5_tokens": tokens or "default"})
            log(f"  {slug}: full (n-gram weight {blend:.2f}, C={ce:g}, {tokens or 'default'} tokens) dev {score:.3f}")
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def evaluate_benchmark(slug: str, models_dir: Path, mode: str = "full") -> dict[str, Any]:
    """Score a shipped task head on the data set's official test split.

    ``full`` uses the e5 blend where one was trained for the data set, else the n-gram head.
    """
    if slug not in BENCHMARKS:
        raise KeyError(f"no benchmark {slug!r}; known: {', '.join(BENCHMARKS)}")
    bench = BENCHMARKS[slug]
    path = models_dir / _file(slug)
    if not path.exists():
        raise FileNotFoundError(f"no task head for {slug} in {models_dir}: run `satark train --benchmarks`")
    model = LinearModel.load(path)
    test = datasets.load(bench.source, "test")
    spec = datasets.get(bench.source)
    if bench.metric == "multilabel":
        gold_ml = np.array([_fine(e) for e in test])
        pred_ml = model.decision(_docs(test)) > model.thresholds
        return {"dataset": slug, "mode": "fast", "metric": bench.metric_name,
                "ours": round(float(f1_score(gold_ml, pred_ml, average="weighted", zero_division=0)), 4),
                "published_best": bench.published, "test_rows": len(test), "licence": spec.licence}
    gold = [e.task_label or "" for e in test]
    scores = model.decision(_docs(test))
    offset = float(model.meta.get("offset", 0.0))
    e5_path = path.with_name(path.name.replace(".npz", ".e5.npz"))
    used = "fast"
    if mode == "full" and e5_path.exists():
        with np.load(e5_path) as z:
            blend = float(z["blend"])
            tokens = int(z["max_tokens"]) if "max_tokens" in z.files else 0
            e5_scores = _softmaxish(_e5(test, tokens or None) @ z["weights"] + z["intercepts"])
            scores = blend * _softmaxish(scores) + (1 - blend) * e5_scores
            offset = float(z["offset"]) if "offset" in z.files else 0.0
        used = "full"
    pred = _predict(scores, model.categories, offset)
    return {
        "dataset": slug,
        "mode": used,
        "metric": bench.metric_name,
        "ours": round(_score(bench.metric, gold, pred), 4),
        "published_best": bench.published if bench.published is not None else spec.published_best,
        "test_rows": len(test),
        "licence": spec.licence,
    }
