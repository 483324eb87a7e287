"""The project's own training posts (data/indomain, data/written) are well-formed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satark.categories import SCORED_CATEGORIES

REPO = Path(__file__).resolve().parents[1]
FILES = sorted((REPO / "data" / "written").glob("*.jsonl")) + sorted((REPO / "data" / "indomain").glob("*.jsonl"))
FIELDS = ["id", "lang", "jurisdiction", "account_type", "text", "labels", "note"]
LANGS = {"hi", "bn", "en", "hi-en", "bn-en", "hi-mixed", "bn-mixed"}


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_post_is_well_formed(path: Path) -> None:
    for row in _rows(path):
        where = f"{path.name}:{row.get('id')}"
        assert list(row) == FIELDS, where
        assert row["lang"] in LANGS, where
        assert row["account_type"] in ("official", "personal"), where
        expected = {"hi": "IN-CG", "bn": "BD"}.get(str(row["lang"])[:2])
        assert row["jurisdiction"] == expected or (expected is None and row["jurisdiction"] in ("IN-CG", "BD")), where
        labels = row["labels"]
        assert isinstance(labels, list) and len(set(labels)) == len(labels), where
        assert set(labels) <= set(SCORED_CATEGORIES), where
        if "personal_on_official" in labels:
            assert row["account_type"] == "official", where
        assert isinstance(row["text"], str) and row["text"].strip(), where


def test_ids_are_unique_and_a_repeated_text_keeps_its_labels() -> None:
    """Short posts ("jai hind 🇮🇳") may recur across files (training keeps the first), but
    never with other labels."""
    ids: set[str] = set()
    labels: dict[str, set[str]] = {}
    for path in FILES:
        for row in _rows(path):
            assert row["id"] not in ids, (path.name, row["id"])
            ids.add(str(row["id"]))
            key = " ".join(str(row["text"]).lower().split())
            assert labels.setdefault(key, set(row["labels"])) == set(row["labels"]), (path.name, row["id"])  # type: ignore[arg-type]
    assert len(ids) > 7000
