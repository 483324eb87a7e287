from __future__ import annotations

from satark.bench import generate_corpus, run_bench


def test_corpus_is_seeded_and_mixed() -> None:
    a, b = generate_corpus(300, seed=1), generate_corpus(300, seed=1)
    assert a == b
    assert {j for _, j, _ in a} == {"IN-CG", "BD"}
    assert {acc for _, _, acc in a} == {"official", "personal"}
    assert any("\u0980" <= ch <= "\u09ff" for t, _, _ in a for ch in t)
    assert any("\u0900" <= ch <= "\u097f" for t, _, _ in a for ch in t)


def test_bench_measures_the_real_path() -> None:
    result = run_bench(n_posts=200, latency_samples=100, seed=3)
    assert result["posts_per_second"] > 0
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p99"] <= result["latency_ms_max"]
    assert 0 < result["flagged_share"] < 1
    assert {"lexicon", "confidential-data", "context-rules"} <= set(result["detectors"])
