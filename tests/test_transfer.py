"""Screening real posts: the transfer evaluation, calibration, licences and account types."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED
from satark import default_screener, screen
from satark.calibration import Calibration, Curve
from satark.detectors.classifier import SHIPPED_MODELS_DIR
from satark.training import datasets
from satark.training.pipeline import REDISTRIBUTABLE_LICENCES
from satark.transfer import HATECHECK_GROUPS, MAPPING, evaluate_transfer, markdown_transfer

DATA = SHARED / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is not beside the repo")


@needs_data
def test_every_public_set_is_mapped_and_positives_carry_their_own_categories() -> None:
    mapped = {m.name.split(":")[0] for m in MAPPING} | {"hatecheckhin-hindi-functional-tests"}
    assert mapped == {s.slug for s in datasets.available()}
    for m in MAPPING:
        spec = datasets.get(m.name)
        split = "test" if "test" in spec.splits else spec.splits[0]
        examples = datasets.load(m.name, split)[:400]
        labels = [m.labels(e) for e in examples]
        assert any(lab for lab in labels), m.name  # some positives
        for lab in labels:
            if lab:
                assert all(cats for cats in lab.values()), m.name
        if m.has_negatives:
            assert any(lab == {} for lab in labels), m.name


@needs_data
def test_transfer_evaluation_reports_every_figure(screener) -> None:  # type: ignore[no-untyped-def]
    result = evaluate_transfer(screener, mode="fast", split="test", limit=60,
                               sets=["hasoc2019-hindi", "constraint2021-english-covid-fakenews",
                                     "hatecheckhin-hindi-functional-tests"])
    names = [s.name for s in result.sets]
    assert names == ["constraint2021-english-covid-fakenews", "hasoc2019-hindi"]
    pooled = result.pooled.to_dict()
    assert pooled["negatives"] + pooled["positives"] == 120
    for key in ("neg_flagged", "neg_blocked", "recall", "strict_recall", "auc"):
        assert pooled[key] is not None and 0.0 <= pooled[key] <= 1.0
    assert set(result.hatecheck) >= {"hateful"} and set(result.hatecheck) <= {
        *HATECHECK_GROUPS, "English in Devanagari (MF4, hateful)"}
    assert result.models["name"] == "shipped"
    md = markdown_transfer(result)
    assert "| **pooled (sets with a clean class)** |" in md and "hasoc2019-hindi | HATE |" in md
    # the JSON form renders the same tables
    assert markdown_transfer(json.loads(json.dumps(result.to_dict()))) == md


@needs_data
def test_transfer_cli_json() -> None:
    r = subprocess.run([sys.executable, "-m", "satark", "eval", "--transfer", "--mode", "rules", "--limit", "50",
                        "--set", "hot-hinglish-offensive", "--json"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["split"] == "test" and out["mode"] == "rules"
    assert [s["name"] for s in out["sets"]] == ["hot-hinglish-offensive"]
    bad = subprocess.run([sys.executable, "-m", "satark", "eval", "--transfer", "--split", "validation"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 3 and "--split" in bad.stderr and "Traceback" not in bad.stderr


def test_shipped_models_are_trained_only_on_redistributable_data() -> None:
    """A restricted (research-only, non-commercial or copyleft) set must never feed a shipped model."""
    manifest = json.loads((SHIPPED_MODELS_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_set"] == "shipped"
    sources = manifest["data"]["sources"]
    assert sources
    for source in sources:
        assert source["redistributable"] is True, source
        assert source["licence"] in REDISTRIBUTABLE_LICENCES, source
    restricted = {s.slug for s in datasets.available() if s.licence not in REDISTRIBUTABLE_LICENCES}
    assert not any(slug in s["source"] for s in sources for slug in restricted)
    # nothing trained on research data lies in the package (the benchmark heads live in the data dir)
    assert not (SHIPPED_MODELS_DIR / "bench").exists()
    card = (SHIPPED_MODELS_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    for source in sources:
        assert source["licence"] in card


HEALTH = ("The Ministry of Health reports 1,204 new COVID-19 cases and 9 deaths today. 86% of adults have "
          "had two doses. Get vaccinated at your nearest centre.")


@pytest.mark.parametrize("mode", ["fast", "full"])
@pytest.mark.parametrize("text", [
    HEALTH,
    "ये सरकार किसी काम की नहीं है, जनता के पैसे बर्बाद कर रही है",
    "শুনলাম আগামী মাস থেকে ৫০০ টাকার নোট বাতিল, সবাইকে জানান",
    "Mullah log sab aatankwadi hote hain, inka bahishkar karo",
])
def test_account_type_does_not_change_content_findings(mode: str, text: str) -> None:
    def content(account: str) -> dict[str, float]:
        report = screen(text, jurisdiction="IN-CG", account_type=account, mode=mode)  # type: ignore[arg-type]
        return {f.category: f.confidence for f in report.findings
                if f.category not in ("personal_on_official", "self_promotion")}

    assert content("official") == content("personal")


def test_official_health_update_is_not_misinformation_or_personal() -> None:
    for account in ("official", "personal"):
        report = screen(HEALTH, jurisdiction="IN-CG", account_type=account, mode="full")
        assert {f.category for f in report.findings} & {"misinformation", "personal_on_official",
                                                          "confidential"} == set()


def test_calibration_curves_are_monotone_and_applied() -> None:
    with pytest.raises(ValueError):
        Curve((0.0, 1.0), (0.9, 0.1))
    cal = Calibration({("fast", "political", "model"): Curve((0.2, 0.9), (0.1, 0.7))})
    assert cal.apply("fast", "political", "model", 0.55) == pytest.approx(0.4)
    assert cal.apply("fast", "political", "rule", 0.55) == 0.55  # no curve: unchanged
    assert Calibration.from_dict(cal.to_dict()) == cal
    hindi = Calibration({("fast", "political", "model"): Curve((0.0, 1.0), (0.1, 0.5))},
                        {("fast", "political", "model", "hi"): Curve((0.0, 1.0), (0.2, 0.9))})
    assert hindi.apply("fast", "political", "model", 1.0, "hi-mixed") == pytest.approx(0.9)  # its variety's curve
    assert hindi.apply("fast", "political", "model", 1.0, "bn") == pytest.approx(0.5)  # no curve: the general one
    assert Calibration.from_dict(hindi.to_dict()) == hindi


def test_shipped_calibration_is_used_and_findings_keep_their_raw_confidence() -> None:
    screener = default_screener()
    assert screener.calibration.curves, "the shipped models come with calibration.json"
    report = screener.screen("तुम साले हरामखोर हो, कुत्ते की औलाद", jurisdiction="IN-CG", mode="fast")
    finding = next(f for f in report.findings if f.category == "obscene_abusive")
    raw = finding.details["raw_confidence"]
    kind = "rule" if any(e["detector"] != "classifier-fast" for e in finding.details["evidence"]) else "model"
    expected = screener.calibration.apply("fast", "obscene_abusive", kind, raw, report.language.code)
    assert finding.confidence == pytest.approx(expected, abs=1e-3)
    assert screener.calibration.by_variety, "Hindi, Bengali and English have curves of their own"


def test_model_explanations_name_what_was_read_not_internal_names() -> None:
    text = "ये सरकार किसी काम की नहीं है, जनता के पैसे बर्बाद कर रही है और बस भाषण देती है"
    for mode in ("fast", "full"):
        report = screen(text, jurisdiction="IN-CG", mode=mode)  # type: ignore[arg-type]
        for f in report.findings:
            for lang in ("en", "hi", "bn"):
                assert "classifier" not in f.explanation[lang] and "fast" not in f.explanation[lang]


def test_research_models_are_never_written_into_the_package() -> None:
    from satark.paths import local_models_dir

    assert SHIPPED_MODELS_DIR not in local_models_dir("research").parents
    assert Path(local_models_dir("bench")).name == "bench"


def test_operating_floors_hold_the_budget_and_never_lower_the_pack() -> None:
    from satark.training.calibrate import _floor

    tops = [(x, 1.0) for x in (0.95, 0.9, 0.7, 0.6, 0.3, 0.2, 0.1, 0.0, 0.0, 0.0)]
    assert _floor(tops, 0.2, 0.5) == pytest.approx(0.7001)  # 2 of 10 may stay above
    assert _floor(tops, 0.5, 0.5) == 0.5  # the budget allows more than the pack: the pack's stands
    assert _floor([], 0.1, 0.8) == 0.8
    # weights stand for the posts a capped sample leaves out: a heavy post counts more
    assert _floor([(0.9, 5.0), (0.7, 1.0), (0.1, 4.0)], 0.2, 0.5) == pytest.approx(0.9001)
    cal = Calibration(report_floor={"fast": 0.7}, block_floor={"fast": 0.9})
    screener = default_screener()
    strict = type(screener)(screener.packs, screener.detectors, calibration=cal)
    text = "तुम साले हरामखोर हो, कुत्ते की औलाद"
    for report in (strict.screen(text, jurisdiction="IN-CG", mode="fast"),):
        assert all(f.confidence >= 0.7 for f in report.findings)
        if report.verdict.value == "block":
            assert any(f.confidence >= 0.9 for f in report.findings)


def test_reports_say_which_mode_and_model_set_screened_them() -> None:
    for mode, expected in (("rules", None), ("fast", "shipped v1"), ("full", "shipped v1")):
        report = screen("नमस्ते सभी को, आज का दिन शुभ हो", jurisdiction="IN-CG", mode=mode)  # type: ignore[arg-type]
        data = report.to_dict()
        assert data["mode"] == mode and data["model_set"] == expected
