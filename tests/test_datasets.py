"""The public data sets in ../shared/data: registry, loading, label mapping."""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path

import pytest

from satark.categories import SCORED_CATEGORIES
from satark.errors import ConfigError
from satark.training import datasets as ds

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"{DATA} not present")

# Rows per split as each folder's README.md states them (no README set has empty texts).
README_SIZES: dict[str, dict[str, int]] = {
    "constraint2021-hindi-hostile": {"train": 5728, "dev": 811, "test": 1653},
    "constraint2021-english-covid-fakenews": {"train": 6420, "dev": 2140, "test": 2140},
    "hasoc2019-hindi": {"train": 4197, "dev": 468, "test": 1318},
    "hasoc2019-english": {"train": 5267, "dev": 585, "test": 1153},
    "trac2-2020-aggression-misogyny:en": {"train": 4263, "dev": 1066, "test": 1200},
    "trac2-2020-aggression-misogyny:hi": {"train": 3984, "dev": 997, "test": 1200},
    "trac2-2020-aggression-misogyny:bn": {"train": 3826, "dev": 957, "test": 1188},
    "trac2-2020-aggression-misogyny": {"train": 4263 + 3984 + 3826, "dev": 1066 + 997 + 957,
                                       "test": 1200 + 1200 + 1188},
    "olid-offenseval2019": {"train": 11917, "dev": 1323, "test": 860},
    "hot-hinglish-offensive": {"train": 2551, "dev": 318, "test": 320},
    "macd-hindi-abusive": {"train": 20183, "dev": 6728, "test": 6728},
    "bengali-hate-karim2020": {"train": 4558, "dev": 570, "test": 570},
    "bengali-multilabel-toxic-belal2023": {"train": 12858, "dev": 1607, "test": 1608},
    "blp2023-vitd-violence-inciting": {"train": 2700, "dev": 1330, "test": 2016},
    "tb-olid-banglish-offensive": {"train": 3599, "dev": 401, "test": 1000},
    "banglamultihate-blp2025-dev": {"dev": 2512},
    "hatecheckhin-hindi-functional-tests:mono": {"test": 4754},
    "hatecheckhin-hindi-functional-tests:multi": {"test": 1130},
    "hatecheckhin-hindi-functional-tests": {"test": 4754 + 1130},
}

# Positives in train of mappings that follow one README label directly, from README counts.
README_TRAIN_POSITIVES: dict[str, dict[str, int]] = {
    "constraint2021-hindi-hostile": {"misinformation": 1144, "hate_discrimination": 792,
                                     "obscene_abusive": 742, "defamation": 564},
    "constraint2021-english-covid-fakenews": {"misinformation": 3060},
    "hasoc2019-hindi": {"obscene_abusive": 2221, "hate_discrimination": 500},
    "hasoc2019-english": {"obscene_abusive": 2035, "hate_discrimination": 1029},
    "trac2-2020-aggression-misogyny:en": {"obscene_abusive": 453 + 435, "hate_discrimination": 309},
    "trac2-2020-aggression-misogyny:hi": {"obscene_abusive": 910 + 829, "hate_discrimination": 661},
    "trac2-2020-aggression-misogyny:bn": {"obscene_abusive": 898 + 850, "hate_discrimination": 712},
    "olid-offenseval2019": {"obscene_abusive": 3961, "hate_discrimination": 967},
    "hot-hinglish-offensive": {"obscene_abusive": 242 + 1412, "hate_discrimination": 242},
    "macd-hindi-abusive": {"obscene_abusive": 10527},
    "bengali-hate-karim2020": {"religious_sentiment": 766, "political": 651, "defamation": 1390,
                               "obscene_abusive": 1751, "hate_discrimination": 766},
    # obscene_abusive here is the union of vulgar, Insult and troll: no single README count.
    "bengali-multilabel-toxic-belal2023": {"hate_discrimination": 1514, "religious_sentiment": 1114,
                                           "national_unity": 1155},
    "blp2023-vitd-violence-inciting": {"national_unity": 922 + 389},
    "tb-olid-banglish-offensive": {"obscene_abusive": 1758, "hate_discrimination": 725},
}

BENCHMARKS = {
    "constraint2021-hindi-hostile": 0.971,
    "hasoc2019-hindi": 0.81,
    "hasoc2019-english": 0.78,
    "olid-offenseval2019": 0.829,
    "blp2023-vitd-violence-inciting": 0.760,
    "trac2-2020-aggression-misogyny": 0.80,
    "trac2-2020-aggression-misogyny:en": 0.80,
    "trac2-2020-aggression-misogyny:hi": 0.80,
    "trac2-2020-aggression-misogyny:bn": 0.80,
}

LICENCES = {
    "constraint2021-hindi-hostile": 'research-only (no license; README: "research purposes only")',
    "constraint2021-english-covid-fakenews": "none stated (research)",
    "hasoc2019-hindi": "none stated (research); openly posted by organisers",
    "hasoc2019-english": "none stated (research); openly posted by organisers",
    "trac2-2020-aggression-misogyny": "CC BY-NC-SA 4.0",
    "olid-offenseval2019": "none stated (research)",
    "hot-hinglish-offensive": "none stated (research)",
    "macd-hindi-abusive": "research only, commercial use prohibited",
    "bengali-hate-karim2020": "MIT",
    "bengali-multilabel-toxic-belal2023": "none stated (derived from other sets)",
    "blp2023-vitd-violence-inciting": "none stated (research)",
    "tb-olid-banglish-offensive": "AGPL-3.0",
    "banglamultihate-blp2025-dev": "CC BY-NC-SA 4.0",
    "hatecheckhin-hindi-functional-tests": "MIT",
}

CASES = [(name, split) for name, sizes in README_SIZES.items() for split in sizes]


@functools.cache
def _load(name: str, split: str) -> tuple[ds.Example, ...]:
    return tuple(ds.load(name, split, root=DATA))


def test_one_spec_per_folder() -> None:
    folders = {p.name for p in DATA.iterdir() if p.is_dir()}
    assert {s.slug for s in ds.available()} == folders
    assert len(ds.available()) == 14
    assert set(README_SIZES) == set(ds.names())


@pytest.mark.parametrize(("name", "split"), CASES)
def test_split_sizes_match_readme(name: str, split: str) -> None:
    n = len(_load(name, split))
    expected = README_SIZES[name][split]
    assert abs(n - expected) <= 0.01 * expected, (name, split, n, expected)


@pytest.mark.parametrize("name", list(README_SIZES))
def test_splits_declared_are_exactly_those_documented(name: str) -> None:
    assert set(ds.get(name).splits) == set(README_SIZES[name])


@pytest.mark.parametrize(("name", "split"), CASES)
def test_examples_are_well_formed(name: str, split: str) -> None:
    spec = ds.get(name)
    examples = _load(name, split)
    assert len({e.id for e in examples}) == len(examples)
    for e in examples:
        assert e.text and e.text == e.text.strip()
        assert e.categories <= set(SCORED_CATEGORIES)
        assert e.task_label in spec.task_labels
        assert e.lang in spec.languages and e.lang in ds.LANGS
        assert e.jurisdiction == ("BD" if e.lang.startswith("bn") else "IN-CG")
        assert e.dataset.startswith(spec.slug)


@pytest.mark.parametrize("name", list(README_TRAIN_POSITIVES))
def test_category_positives_follow_readme_counts(name: str) -> None:
    counts = Counter(c for e in _load(name, "train") for c in e.categories)
    expected = README_TRAIN_POSITIVES[name]
    assert {c: counts[c] for c in expected} == expected
    assert set(counts) <= ds.get(name).annotated | set(expected)


def test_published_best_for_the_benchmarks() -> None:
    for name in ds.names():
        spec = ds.get(name)
        if name in BENCHMARKS:
            assert spec.published_best == pytest.approx(BENCHMARKS[name]), name
            assert spec.published_source and spec.metric and spec.task, name
        else:
            assert spec.published_best is None, name
    constraint = ds.get("constraint2021-hindi-hostile")
    assert dict(constraint.published_other)["fine-grained weighted F1"] == pytest.approx(0.625)


def test_licences_as_the_readme_states_them() -> None:
    for spec in ds.available():
        assert spec.licence == LICENCES[spec.slug]
        assert spec.non_commercial == (spec.licence not in {"MIT", "AGPL-3.0"})
        for f in spec.licence_files:
            assert (DATA / spec.slug / f).is_file(), (spec.slug, f)


def test_spec_label_functions_on_raw_rows() -> None:
    hasoc = ds.get("hasoc2019-hindi")
    hate = {"text": "x", "task_1": "HOF", "task_2": "HATE", "task_3": "TIN"}
    assert hasoc.categories(hate) == {"obscene_abusive", "hate_discrimination"}
    assert hasoc.task_label(hate) == "HOF"
    olid = ds.get("olid-offenseval2019")
    assert olid.categories({"subtask_a": "OFF", "subtask_b": "TIN", "subtask_c": "GRP"}) == {
        "obscene_abusive", "hate_discrimination"}
    assert olid.categories({"subtask_a": "NOT", "subtask_b": "NULL", "subtask_c": "NULL"}) == frozenset()
    macd = ds.get("macd-hindi-abusive")
    assert macd.categories({"label": "0"}) == {"obscene_abusive"}  # 0 = abusive
    assert macd.categories({"label": "1"}) == frozenset()
    constraint = ds.get("constraint2021-hindi-hostile")
    row = {"Labels Set": "defamation, fake"}
    assert constraint.categories(row) == {"defamation", "misinformation"}
    assert constraint.task_label(row) == "hostile"
    belal = ds.get("bengali-multilabel-toxic-belal2023")
    flags = {"vulgar": "0", "hate": "0", "religious": "1", "threat": "1", "troll": "0", "Insult": "0"}
    assert belal.categories(flags) == {"religious_sentiment", "national_unity"}
    bmh = ds.get("banglamultihate-blp2025-dev")
    assert bmh.categories({"hate_type": "Abusive", "hate_severity": "Little to None", "to_whom": "None"}) == set()
    assert bmh.categories({"hate_type": "Abusive", "hate_severity": "Mild", "to_whom": "None"}) == {
        "obscene_abusive"}
    with pytest.raises(ValueError):
        macd.categories({"label": "abusive"})


def test_trac_variants_by_language() -> None:
    hi = _load("trac2-2020-aggression-misogyny:hi", "train")
    assert {e.lang for e in hi} == {"hi", "hi-en"}
    assert {e.jurisdiction for e in _load("trac2-2020-aggression-misogyny:bn", "train")} == {"BD"}
    assert {e.jurisdiction for e in _load("trac2-2020-aggression-misogyny:en", "train")} == {"IN-CG"}
    assert ds.get("trac2-2020-aggression-misogyny:hi").published_best == pytest.approx(0.80)
    with pytest.raises(KeyError):
        ds.get("trac2-2020-aggression-misogyny:fr")


def test_missing_splits_raise_value_error() -> None:
    with pytest.raises(ValueError, match="no 'train' split"):
        ds.load("banglamultihate-blp2025-dev", "train", root=DATA)
    with pytest.raises(ValueError, match="no 'dev' split"):
        ds.load("hatecheckhin-hindi-functional-tests", "dev", root=DATA)
    with pytest.raises(ValueError, match="unknown split"):
        ds.load("olid-offenseval2019", "validation", root=DATA)
    with pytest.raises(KeyError):
        ds.load("no-such-set", "train", root=DATA)


def test_default_root_is_shared_data_beside_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ds.ENV_VAR, raising=False)
    monkeypatch.delenv("SATARK_PUBLIC_DATA", raising=False)
    assert ds.ENV_VAR == "SATARK_DATASETS_DIR"
    assert ds.data_root().resolve() == DATA.resolve()
    monkeypatch.setenv(ds.ENV_VAR, str(DATA))
    assert ds.data_root() == DATA
    # the data sets have their own variable: SATARK_DATA_DIR (the service's data) is not it
    monkeypatch.delenv(ds.ENV_VAR)
    monkeypatch.setenv("SATARK_DATA_DIR", str(DATA / "nowhere"))
    assert ds.data_root().resolve() == DATA.resolve()
    # the earlier name still works
    monkeypatch.setenv("SATARK_PUBLIC_DATA", str(DATA))
    assert ds.data_root() == DATA


def test_missing_files_name_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(FileNotFoundError, match="nowhere"):
        ds.load("olid-offenseval2019", "train", root=missing)
    with pytest.raises(FileNotFoundError, match="olid-offenseval2019"):
        ds.load("olid-offenseval2019", "train", root=tmp_path)
    (tmp_path / "olid-offenseval2019").mkdir()
    with pytest.raises(FileNotFoundError, match=r"train\.tsv"):
        ds.load("olid-offenseval2019", "train", root=tmp_path)
    monkeypatch.setenv(ds.ENV_VAR, str(missing))
    with pytest.raises(ConfigError, match=r"SATARK_DATASETS_DIR=.*nowhere"):
        ds.load("olid-offenseval2019", "train")


def test_cleaning_strips_and_skips_empty_texts(tmp_path: Path) -> None:
    folder = tmp_path / "constraint2021-english-covid-fakenews"
    folder.mkdir()
    (folder / "dev.csv").write_text(
        'id,tweet,label\n1,"  Garlic cures COVID  ",fake\n2,"   ",real\n3,,real\n4,"line one\nline two",real\n',
        encoding="utf-8",
    )
    examples = ds.load("constraint2021-english-covid-fakenews", "dev", root=tmp_path)
    assert [(e.id, e.text, e.categories) for e in examples] == [
        ("dev:1", "Garlic cures COVID", {"misinformation"}),
        ("dev:4", "line one\nline two", frozenset()),
    ]


def test_unknown_label_value_names_file_and_row(tmp_path: Path) -> None:
    folder = tmp_path / "blp2023-vitd-violence-inciting"
    folder.mkdir()
    (folder / "test.csv").write_text("text,label\nok,0\nbad,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"test\.csv, data row 2"):
        ds.load("blp2023-vitd-violence-inciting", "test", root=tmp_path)
