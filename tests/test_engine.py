"""The screen() path end to end: reports, spans, clauses, verdicts, bad input."""

from __future__ import annotations

import pytest

import satark
from satark import InputError, Report, Severity, UnknownJurisdiction, Verdict, screen
from satark.engine import _verdict
from satark.findings import Finding
from satark.packs.model import VerdictPolicy


def _cats(report: Report) -> set[str]:
    return {f.category for f in report.findings}


def test_public_api_is_pinned() -> None:
    """Changing the public API must be deliberate: update this list with it."""
    assert sorted(satark.__all__) == [
        "AccountType",
        "CATEGORIES",
        "Category",
        "Clause",
        "Detector",
        "Document",
        "Finding",
        "Hit",
        "InputError",
        "LanguageGuess",
        "LexiconError",
        "Mode",
        "PackError",
        "PackRegistry",
        "PolicyPack",
        "RecognizerDataError",
        "Report",
        "SCORED_CATEGORIES",
        "SatarkError",
        "ScreenContext",
        "Screener",
        "Severity",
        "Span",
        "UnknownClause",
        "UnknownJurisdiction",
        "Verdict",
        "__version__",
        "check_post",
        "default_screener",
        "hookimpl",
        "identify",
        "load_pack",
        "normalize",
        "screen",
    ]
    for name in satark.__all__:
        assert hasattr(satark, name)


def test_clean_office_post_is_clear() -> None:
    report = screen(
        "সম্মানিত সেবাগ্রহীতা, আপনার অভিযোগটি আমরা পেয়েছি। নামজারি মামলাটি বর্তমানে শুনানির পর্যায়ে আছে।",
        jurisdiction="BD", account_type="official",
    )
    assert report.verdict is Verdict.CLEAR and report.findings == ()
    assert report.pack_id == "BD-2019" and report.language.code == "bn"


def test_finding_explains_itself_with_clause_span_and_three_languages() -> None:
    text = "शिकायतकर्ता श्रीमती सुनीता, मोबाइल ९८२६१४३३०७, आधार क्र. ४७२१ ८८३० १९५६ की शिकायत निराकृत।"
    report = screen(text, jurisdiction="IN-CG", account_type="official")
    assert report.verdict is Verdict.BLOCK
    finding = next(f for f in report.findings if f.category == "confidential")
    assert finding.clause_ids[0] == "IN-CG-2017/1"
    assert 0.8 <= finding.confidence <= 1
    assert finding.severity >= Severity.HIGH
    covered = [text[s.start:s.end] for s in finding.spans]
    assert "४७२१ ८८३० १९५६" in covered and any("९८२६१४३३०७" in c for c in covered)
    for span in finding.spans:
        assert text[span.start:span.end] == span.text
    assert set(finding.explanation) == {"en", "hi", "bn"}
    assert "IN-CG" not in finding.explanation["hi"] or "उल्लंघन" in finding.explanation["hi"]
    assert all(finding.explanation[lang].strip() for lang in ("en", "hi", "bn"))
    d = report.to_dict()
    assert d["findings"][0]["clause_ids"] and d["verdict"] == "block"


def test_personal_content_only_matters_on_official_accounts() -> None:
    text = "Happy birthday to my little princess 🎂 daddy loves you! Family dinner tonight."
    assert "personal_on_official" in _cats(screen(text, jurisdiction="BD", account_type="official"))
    assert "personal_on_official" not in _cats(screen(text, jurisdiction="BD", account_type="personal"))


def test_abuse_is_found_through_dodges_and_mapped_back() -> None:
    text = "ye sab ch\u200bu\u200bt\u200bi\u200by\u200ba log hain"
    report = screen(text, jurisdiction="IN-CG")
    finding = next(f for f in report.findings if f.category == "obscene_abusive")
    assert finding.spans[0].text.replace("\u200b", "") == "chutiya"


def test_tagging_is_an_advisory_that_leaves_the_verdict_alone() -> None:
    text = "সবার জন্য শুভেচ্ছা @a_b @c_d @e_f @g_h @i_j @k_l"
    report = screen(text, jurisdiction="BD", account_type="personal")
    assert "excessive_tagging" in _cats(report)
    assert report.verdict is Verdict.CLEAR


@pytest.mark.parametrize("bad", ["", "   \n\t ", "x" * 70_000, "abc\ud800def"])
def test_bad_input_is_a_clear_error(bad: str) -> None:
    with pytest.raises(InputError):
        screen(bad, jurisdiction="BD")


def test_not_text_and_unknown_options() -> None:
    with pytest.raises(InputError, match="must be text"):
        screen(b"bytes", jurisdiction="BD")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="account_type"):
        screen("hello", jurisdiction="BD", account_type="group")  # type: ignore[arg-type]
    with pytest.raises(UnknownJurisdiction):
        screen("hello", jurisdiction="IN-MH")


def test_control_characters_do_not_break_screening() -> None:
    report = screen("hello\x00\x07 world\x1b[31m", jurisdiction="IN-CG")
    assert report.verdict is Verdict.CLEAR


def test_verdict_policy_thresholds() -> None:
    def f(sev: Severity, conf: float) -> Finding:
        return Finding("political", ("X/1",), conf, sev, (), "t", {"en": ""})

    policy = VerdictPolicy()
    assert _verdict([], policy) is Verdict.CLEAR
    assert _verdict([f(Severity.INFO, 0.99)], policy) is Verdict.CLEAR
    assert _verdict([f(Severity.MEDIUM, 0.6)], policy) is Verdict.REVIEW
    assert _verdict([f(Severity.HIGH, 0.7)], policy) is Verdict.REVIEW
    assert _verdict([f(Severity.HIGH, 0.85)], policy) is Verdict.BLOCK
    strict = VerdictPolicy(block_min_severity="medium", block_min_confidence=0.5)  # type: ignore[arg-type]
    assert _verdict([f(Severity.MEDIUM, 0.6)], strict) is Verdict.BLOCK


def test_categories_filter() -> None:
    text = "Forwarded as received: this useless government is run by thieves, bloody bastards"
    all_cats = _cats(screen(text, jurisdiction="IN-CG"))
    only = _cats(screen(text, jurisdiction="IN-CG", categories=["obscene_abusive"]))
    assert only == {"obscene_abusive"} and len(all_cats) >= 2


@pytest.mark.parametrize("text", ["ok", "hello world", "Thank you", "👍", "धन्यवाद", "শুভ সকাল", "nice"])
@pytest.mark.parametrize("mode", ["rules", "fast", "full"])
def test_short_innocuous_posts_are_clear_in_every_mode(text: str, mode: str) -> None:
    report = screen(text, jurisdiction="IN-CG", mode=mode)  # type: ignore[arg-type]
    assert report.verdict is Verdict.CLEAR, report.findings


def test_warm_up_loads_ahead_and_changes_nothing() -> None:
    posts = [("Contact the complainant at 9876543210 for any clarification.", "IN-CG"),
             ("অভিযোগকারী রহিমা খাতুন, মোবাইল ০১৭১১২২৩৩৪৪, বাসা ১২ নম্বর ওয়ার্ড।", "BD")]
    before = [screen(t, jurisdiction=j, mode="rules").to_dict() for t, j in posts]
    screener = satark.Screener.from_plugins(mode="rules")
    screener.warm_up()
    screener.warm_up()  # twice is harmless
    assert [screener.screen(t, jurisdiction=j).to_dict() for t, j in posts] == before


def test_deferred_evidence_is_looked_for_only_for_reported_findings() -> None:
    """A hit may give its spans and details later (``Hit.complete``): the engine asks
    only for a finding it reports, and the report shows the completed evidence."""
    from satark.detectors.base import ScreenContext
    from satark.findings import Hit, Span
    from satark.normalize import Document

    asked: list[str] = []

    class Deferring:
        name = "deferring"
        categories = frozenset({"obscene_abusive", "political"})

        def detect(self, doc: Document, ctx: ScreenContext) -> list[Hit]:
            def full(category: str, confidence: float) -> Hit:
                asked.append(category)
                return Hit(category, confidence, (Span(0, 4, doc.original[:4]),), Severity.HIGH, self.name,
                           "lexicon", {"terms": "«" + doc.original[:4] + "»"})

            return [Hit(c, p, (), Severity.HIGH, self.name, "lexicon", {}, complete=lambda c=c, p=p: full(c, p))
                    for c, p in (("obscene_abusive", 0.97), ("political", 0.05))]

    base = satark.Screener.from_plugins(mode="rules")
    screener = satark.Screener(base.packs, [Deferring()], mode="rules", calibration=base.calibration)
    report = screener.screen("Damn this office", jurisdiction="IN-CG")
    assert asked == ["obscene_abusive"]  # the weak political hit was never completed
    (finding,) = report.findings
    assert finding.category == "obscene_abusive" and finding.spans == (Span(0, 4, "Damn"),)
    assert finding.details["evidence"][0]["terms"] == "«Damn»"
    assert "«Damn»" in finding.explanation["en"]


def test_model_findings_quote_their_sentence() -> None:
    """Fast mode's model hits find their sentence only when reported; a reported one has it."""
    text = "Nice weather today. You bloody idiot, go die."
    report = screen(text, jurisdiction="IN-CG", mode="fast")
    (model,) = [e for f in report.findings for e in f.details["evidence"] if e["reason"] == "model"]
    assert model["excerpt"] == "You bloody idiot, go die." and model["probability"]


def test_screening_needs_no_training_code_scikit_learn_or_httpx() -> None:
    """scikit-learn, httpx and PyTorch are not run-time dependencies, and the classifiers
    do not import the training pipeline (no ``classifiers`` <-> ``training`` cycle):
    every mode screens with all of them made unimportable."""
    import subprocess
    import sys

    code = """
import sys
for name in ("sklearn", "httpx", "torch", "satark.training"):
    sys.modules[name] = None  # any import of them now fails
from satark import Screener
screener = Screener.from_plugins()
for mode in ("rules", "fast", "full"):
    report = screener.screen("ये सरकार किसी काम की नहीं, सब चोर हैं", jurisdiction="IN-CG", mode=mode)
    print(mode, report.verdict.value)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == ["rules", "fast", "full"]


def test_the_licence_and_the_notices_of_what_ships() -> None:
    """The repository carries the Apache-2.0 text that pyproject.toml names, and a NOTICE
    for the third-party material the package ships: the fonts, the encoder's weights and
    vocabulary, htmx."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    assert 'license = "Apache-2.0"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    assert "Apache License" in (root / "LICENSE").read_text(encoding="utf-8")
    notice = (root / "NOTICE").read_text(encoding="utf-8")
    for shipped in ("Noto Sans Devanagari", "Noto Sans", "SIL Open Font License", "multilingual-e5-small",
                    "MIT", "htmx"):
        assert shipped in notice, shipped
    fonts = root / "src/satark/service/web/static/fonts"
    assert (fonts / "OFL.txt").exists() and list(fonts.glob("*.woff2"))
