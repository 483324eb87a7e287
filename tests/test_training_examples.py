"""The awareness-training examples (src/satark/service/data/training_examples.yaml) are valid,
cover every content clause of every pack, and agree with the screening engine: a post that
breaks a clause is not ``clear``, except the posts marked ``engine: missed``, which are kept
(and must still be missed, so the mark stays honest) to show what the engine cannot see yet."""

from __future__ import annotations

import pytest

from satark.packs.registry import PackRegistry
from satark.service import training


@pytest.fixture(scope="module")
def data() -> training.TrainingData:
    return training.training_data()


def test_file_is_valid_and_covers_every_content_clause(data: training.TrainingData) -> None:
    packs = list(PackRegistry.from_plugins())
    assert {p.id for p in packs} >= {"BD-2019", "IN-CG-2017"}
    assert training.coverage_problems(packs, data) == []
    assert all(e.reviewed for e in data.examples)
    for policy in packs:
        for clause in training.content_clauses(policy):
            explanation = data.explanations[clause.id]
            assert any("\u0900" <= ch <= "\u097f" for ch in explanation.hi), clause.id
            assert any("\u0980" <= ch <= "\u09ff" for ch in explanation.bn), clause.id


@pytest.mark.parametrize(("pack", "langs"), [("BD-2019", {"bn", "bn-Latn", "en"}),
                                              ("IN-CG-2017", {"hi", "hi-Latn", "en"})])
def test_examples_are_in_the_languages_people_write(data: training.TrainingData, pack: str, langs: set[str]) -> None:
    examples = data.for_pack(pack)
    assert {e.lang for e in examples} == langs
    for example in examples:
        script_bn = any("\u0980" <= ch <= "\u09ff" for ch in example.text)
        # The danda (U+0964, U+0965) is shared by Bengali text; it does not make a post Hindi.
        script_hi = any("\u0900" <= ch <= "\u097f" and ch not in "\u0964\u0965" for ch in example.text)
        assert script_bn == (example.lang == "bn"), example.id
        assert script_hi == (example.lang == "hi"), example.id
        assert example.source.startswith(("data/indomain/", "data/written/", "written for this file")), example.id


def test_the_validator_refuses_a_bad_entry() -> None:
    with pytest.raises(ValueError, match="must name the clauses"):
        training.Example(id="x-1", pack="BD-2019", lang="bn", account="personal", text="হ্যালো", source="s",
                         reviewed=True)
    with pytest.raises(ValueError, match="duplicate example id"):
        one = {"id": "x-1", "pack": "BD-2019", "lang": "en", "account": "personal", "text": "hi",
               "breaks": ["BD-2019/10/ga"], "source": "s", "reviewed": True}
        training.TrainingData.model_validate({"version": 1, "explanations": {}, "examples": [one, one]})
    bad = training.TrainingData.model_validate({"version": 1, "explanations": {}, "examples": [
        {"id": "x-2", "pack": "BD-2019", "lang": "en", "account": "personal", "text": "My family trip",
         "breaks": ["BD-2019/7/ga"], "source": "s", "reviewed": True}]})
    problems = training.coverage_problems([PackRegistry.from_plugins().get("BD")], bad)
    assert "x-2: BD-2019/7/ga does not apply to personal accounts" in problems


def test_the_engine_flags_every_breaking_post_it_covers(screener, data: training.TrainingData) -> None:  # type: ignore[no-untyped-def]
    packs = PackRegistry.from_plugins()
    flagged, missed, wrongly_marked = [], [], []
    for example in data.examples:
        if not example.breaks:
            continue
        report = screener.screen(example.text, jurisdiction=packs.get(example.pack).jurisdiction,
                                 account_type=example.account)
        if report.verdict == "clear":
            missed.append(example.id)
        else:
            flagged.append(example.id)
            if example.engine == "missed":
                wrongly_marked.append(example.id)
    marked = sorted(e.id for e in data.examples if e.engine == "missed")
    assert sorted(missed) == marked, "breaking posts the engine passes as clear must be marked engine: missed"
    assert not wrongly_marked
    assert len(flagged) > 4 * len(missed)
