"""The recognizer base, its data files and the hooks a state uses to add identifiers."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from satark.detectors.base import ScreenContext
from satark.detectors.confidential import ConfidentialDataDetector
from satark.detectors.recognizers import BUILT_IN, satark_recognizers
from satark.detectors.recognizers.base import Pattern, Recognizer
from satark.detectors.recognizers.data import DATA_DIR, load_recognizer_data, merged_data
from satark.detectors.recognizers.declared import DeclaredRecognizer
from satark.detectors.recognizers.india import SatarkAadhaarRecognizer
from satark.errors import RecognizerDataError
from satark.findings import LanguageGuess
from satark.messages import reason_text
from satark.normalize import normalize


def _ctx() -> ScreenContext:
    return ScreenContext(pack=None, account_type="personal",  # type: ignore[arg-type]
                         language=LanguageGuess("und", {}, 0.0))


def test_no_presidio_or_spacy_is_imported() -> None:
    import subprocess
    import sys

    code = ("import sys; from satark.detectors.confidential import ConfidentialDataDetector as D;"
            "from satark.detectors.base import ScreenContext as C;"
            "from satark.findings import LanguageGuess as L; from satark.normalize import normalize;"
            "assert D().detect(normalize('आधार 2341 2341 2346, mail a.b@gmail.com'),"
            " C(None, 'personal', L('und', {}, 0.0)));"
            "print(any(m.split('.')[0] in ('presidio_analyzer', 'spacy', 'thinc', 'torch')"
            " for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_aadhaar_validator_is_verhoeff() -> None:
    rec = SatarkAadhaarRecognizer()
    (good,) = rec.analyze("uid 2341 2341 2346 here")
    assert (good.score, good.validation_result, good.pattern_name) == (1.0, True, "AADHAR (Very Weak)")
    (bad,) = rec.analyze("uid 2341 2341 2345 here")  # checksum fails: kept at the pattern score
    assert (bad.score, bad.validation_result) == (0.01, None)


def test_contained_match_with_lower_score_is_dropped() -> None:
    class Two(Recognizer):
        PATTERNS: ClassVar[list[Pattern]] = [Pattern("long", r"ab12345", 0.5),
                                             Pattern("short", r"12345", 0.3)]

    results = Two(supported_entity="X").analyze("ab12345")
    assert [r.pattern_name for r in results] == ["long"]


def test_built_in_data_files_are_valid_and_merged() -> None:
    for name in ("context.yaml", "security.yaml"):
        load_recognizer_data(DATA_DIR / name)
    data = merged_data()
    assert "शिकायतकर्ता" in data.context["citizen"] and "অভিযোগকারী" in data.context["citizen"]
    assert {"hi", "bn", "en"} <= set(data.memo_labels)
    assert len(satark_recognizers()) >= len(BUILT_IN)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("context:\n  citizenz: [foo]\n", "context.citizenz"),
        ("identifiers:\n  - entity: OD_RATION\n    description: {en: ration card}\n"
         "    patterns: [{name: p, regex: '[0-9', score: 0.3}]\n    context: [ration]\n",
         "identifier OD_RATION: patterns.0.regex"),
        ("identifiers:\n  - entity: OD_RATION\n    description: {en: ration card}\n"
         "    patterns: [{name: p, regex: '[0-9]{12}', score: 0.3}]\n    context: [ration]\n"
         "    validator: crc99\n", "unknown validator 'crc99'"),
        ("security:\n  strong: []\n  bogus: [x]\n", "security.bogus"),
        ("- just a list\n", "must be a mapping"),
    ],
)
def test_a_bad_data_file_gives_a_clear_error(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "state.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RecognizerDataError) as err:
        load_recognizer_data(path)
    assert str(path) in str(err.value) and message in str(err.value)


_ODISHA = """
version: 1
context:
  citizen: [ହିତାଧିକାରୀ]
identifiers:
  - entity: OD_RATION_CARD
    description: {en: an Odisha ration card number, hi: ओडिशा राशन कार्ड संख्या, bn: ওড়িশা রেশন কার্ড নম্বর}
    patterns:
      - {name: ration card (12 digits), regex: '\\b[0-9]{12}\\b', score: 0.2}
    context: [ration card, राशन कार्ड, রেশন কার্ড]
    validator: luhn
"""


def test_a_declared_identifier_is_found_with_its_label(tmp_path: Path) -> None:
    path = tmp_path / "odisha.yaml"
    path.write_text(_ODISHA, encoding="utf-8")
    (spec,) = load_recognizer_data(path).identifiers
    detector = ConfidentialDataDetector([*(f() for f in satark_recognizers()),
                                         DeclaredRecognizer(spec)])
    text = "राशन कार्ड 123456789015 खो गया"  # Luhn-valid
    hits = [h for h in detector.detect(normalize(text), _ctx())
            if h.details.get("entity") == "OD_RATION_CARD"]
    assert len(hits) == 1
    hit = hits[0]
    assert hit.reason == "pii.identifier" and hit.confidence == 0.9
    assert hit.details["recognizer"] == "DeclaredRecognizer[OD_RATION_CARD]"
    assert hit.details["validator"] == "luhn" and hit.details["validation_result"] is True
    assert "ओडिशा राशन कार्ड संख्या" in reason_text(hit.reason, "hi", hit.details)
    assert "XXXXXXXX9015" in reason_text(hit.reason, "en", hit.details)
    # without its label, and no citizen near: not reported
    assert not [h for h in detector.detect(normalize("order 123456789015 shipped"), _ctx())
                if h.details.get("entity") == "OD_RATION_CARD"]


def test_every_finding_records_its_decision_process() -> None:
    detector = ConfidentialDataDetector()
    (hit,) = detector.detect(normalize("शिकायतकर्ता का आधार 2341 2341 2346 है"), _ctx())
    d = hit.details
    assert d["recognizer"] == "SatarkAadhaarRecognizer"
    assert d["pattern_name"] == "AADHAR (Very Weak)" and d["original_score"] == 0.01
    assert d["validator"] == "verhoeff checksum" and d["validation_result"] is True
    assert d["supportive_context_word"] == "आधार" and d["score"] == 0.95
