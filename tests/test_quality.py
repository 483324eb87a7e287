"""Quality bars on the public dev set (rules only), as set by issue 2.

These pin behaviour on ../shared/eval/dev.jsonl so that a change that breaks detection
fails loudly. Quality is also measured on unseen posts; this is a floor, not the goal.
"""

from __future__ import annotations

import pytest

from conftest import SHARED
from satark.evaluation import evaluate_file

DEV = SHARED / "eval" / "dev.jsonl"


@pytest.mark.skipif(not DEV.exists(), reason="../shared/eval/dev.jsonl is not beside the repo")
def test_rules_only_bars_on_dev(screener) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_file(DEV, screener, mode="rules")
    assert result.per_category["confidential"].f1 >= 0.80
    assert result.clean_fp_rate <= 0.10
    assert result.overall.n == sum(s.n for s in result.per_language.values())
