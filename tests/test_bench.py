from __future__ import annotations

import statistics
from collections import Counter

import pytest

from satark.bench import CORPORA, corpus, generate_corpus, realistic_corpus, run_bench


def test_corpus_is_seeded_and_mixed() -> None:
    a, b = generate_corpus(300, seed=1), generate_corpus(300, seed=1)
    assert a == b
    assert {j for _, j, _ in a} == {"IN-CG", "BD"}
    assert {acc for _, _, acc in a} == {"official", "personal"}
    assert any("\u0980" <= ch <= "\u09ff" for t, _, _ in a for ch in t)
    assert any("\u0900" <= ch <= "\u097f" for t, _, _ in a for ch in t)


def test_realistic_corpus_has_the_shape_of_real_posts() -> None:
    """The default corpus ships with the package and matches real posts' lengths and mix."""
    from satark.langid import identify
    from satark.normalize import normalize

    a = realistic_corpus(2000, seed=3)
    assert a == realistic_corpus(2000, seed=3) and a != realistic_corpus(2000, seed=4)
    lengths = [len(t) for t, _, _ in a]
    assert 100 <= statistics.mean(lengths) <= 170  # real posts: about 130 characters
    assert 60 <= statistics.median(lengths) <= 150
    assert min(lengths) < 30 and max(lengths) > 500  # one-liners and long posts, as real ones
    mix = Counter(identify(normalize(t).norm.text).code for t, _, _ in a)
    assert {"hi", "bn", "en", "hi-en", "bn-en", "hi-mixed", "bn-mixed"} <= set(mix)
    assert 0.2 <= mix["en"] / len(a) <= 0.45 and 0.15 <= mix["bn"] / len(a) <= 0.35
    assert {j for _, j, _ in a} == {"IN-CG", "BD"}
    assert 0.05 <= sum(acc == "official" for _, _, acc in a) / len(a) <= 0.2
    assert corpus("realistic", 50, 3) == a[:50]
    with pytest.raises(ValueError, match="corpus must be one of"):
        corpus("nonsense", 10)
    assert CORPORA == ("realistic", "real", "generated")


def test_bench_measures_the_real_path() -> None:
    result = run_bench(n_posts=200, latency_samples=100, seed=3, warm_posts=20)
    assert result["corpus"] == "realistic" and result["posts"] == 200
    assert result["posts_per_second"] > 0 and result["posts_per_cpu_second"] > 0
    assert result["posts_per_cpu_second_batched"] > 0 and result["cpu_seconds"] > 0
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p99"] <= result["latency_ms_max"]
    assert 0 < result["flagged_share"] < 1
    assert 80 <= result["mean_chars"] <= 200
    assert abs(sum(result["languages"].values()) - 1) < 0.01
    assert {"lexicon", "confidential-data", "context-rules"} <= set(result["detectors"])
    # three passes each way by default: the best is given, with the median and every pass
    passes = result["posts_per_cpu_second_passes"]
    assert result["repeats"] == 3 == len(passes)
    assert result["posts_per_cpu_second"] == max(passes) >= result["posts_per_cpu_second_median"] >= min(passes)
    assert result["posts_per_cpu_second_batched"] >= result["posts_per_cpu_second_batched_median"] > 0
    one = run_bench(n_posts=100, latency_samples=100, seed=3, warm_posts=10, repeats=1)
    assert one["posts_per_cpu_second"] == one["posts_per_cpu_second_median"]
    with pytest.raises(ValueError, match="repeats"):
        run_bench(n_posts=100, repeats=0)


def test_bench_keeps_the_generated_corpus() -> None:
    result = run_bench(n_posts=100, latency_samples=100, seed=3, corpus_name="generated", warm_posts=10)
    assert result["corpus"] == "generated" and result["mean_chars"] > 150


def test_bench_fast_mode_starts_each_pass_from_cold_caches() -> None:
    from satark.engine import Screener

    screener = Screener.from_plugins(mode="fast")
    posts = realistic_corpus(30, seed=5)
    before = [r.to_dict() for r in screener.screen_many(posts)]
    detector = next(d for d in screener.detectors_for("fast") if d.name == "classifier-fast")
    detector.clear_caches()  # type: ignore[attr-defined]
    assert not detector.fast.featurizer._chunks  # type: ignore[attr-defined]
    assert [screener.screen(t, jurisdiction=j, account_type=a).to_dict()  # type: ignore[arg-type]
            for t, j, a in posts] == before
