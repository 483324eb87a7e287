"""OCR of text inside images (issue 13 §4): Hindi, Bengali and English rendered with the bundled
fonts, read back by Tesseract, measured by character error rate, and screened with boxes."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ocr_images import FONT_FOR, raqm_missing, render, ttf
from ocr_samples import SAMPLES

pytest.importorskip("pytesseract", reason="pytesseract is not installed (the 'scan' extra)")
pytest.importorskip("PIL", reason="Pillow is not installed (the 'scan' extra)")

from satark import InputError, Screener, ocr

if shutil.which("tesseract") is None:
    pytest.skip("Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-hin "
                "tesseract-ocr-ben)", allow_module_level=True)
if raqm_missing():
    pytest.skip(str(raqm_missing()), allow_module_level=True)

#: A Verhoeff-valid test number (made up; checked below with python-stdnum).
AADHAAR = "2345 6789 0124"
#: Per-script ceilings on the character error rate at 24 px; measured 0-0.7 % (benchmarks/ocr_cer.py).
MAX_CER = {"hi": 0.04, "bn": 0.04, "en": 0.03}


def levenshtein(a: str, b: str) -> int:
    """Edit distance, two rows at a time (rapidfuzz is not a dependency; the lines are short)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate, spaces aside (word gaps are Tesseract's layout, not its reading)."""
    ref, hyp = "".join(reference.split()), "".join(hypothesis.split())
    return levenshtein(ref, hyp) / len(ref)


@pytest.fixture(scope="module")
def fonts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fonts")


def image(lines: list[str], script: str, fonts: Path, size: int = 24) -> bytes:
    return render(lines, ttf(FONT_FOR[script], fonts), size=size)


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.from_plugins(mode="rules")


def test_levenshtein() -> None:
    assert levenshtein("कक्षा", "वक्षा") == 1
    assert levenshtein("", "abc") == 3 and levenshtein("abc", "abc") == 0
    assert levenshtein("kitten", "sitting") == 3


@pytest.mark.parametrize("script", ["hi", "bn", "en"])
def test_character_error_rate_per_script(script: str, fonts: Path) -> None:
    result = ocr.read_image(image(SAMPLES[script], script, fonts))
    rate = cer("\n".join(SAMPLES[script]), result.text)
    assert rate <= MAX_CER[script], f"{script}: CER {rate:.2%}\n{result.text}"


def test_conjuncts_reph_and_pre_base_vowels_survive(fonts: Path) -> None:
    hindi = ocr.read_image(image(["राष्ट्रीय क्षेत्र में ज्ञान", "कर्म और मित्र की किताब"], "hi", fonts, 32)).text
    bengali = ocr.read_image(image(["প্রধানমন্ত্রী রক্ষা করেছেন", "কর্তব্য পালনে শিক্ষক"], "bn", fonts, 32)).text
    for word in ("राष्ट्रीय", "क्षेत्र", "ज्ञान", "कर्म", "मित्र", "किताब"):
        assert word in hindi.split(), (word, hindi)
    for word in ("প্রধানমন্ত্রী", "রক্ষা", "করেছেন", "কর্তব্য", "শিক্ষক"):
        assert word in bengali.split(), (word, bengali)


def test_words_know_their_offsets_and_boxes(fonts: Path) -> None:
    png = image(SAMPLES["bn"][:2], "bn", fonts)
    result = ocr.read_image(png)
    assert result.text.count("\n") == 1 and len(result.words) >= 8
    from PIL import Image

    width, height = Image.open(io.BytesIO(png)).size
    assert (result.width, result.height) == (width, height)
    for word in result.words:
        assert result.text[word.start:word.end] == word.text
        assert 0 <= word.box.left < width and 0 <= word.box.top < height
        assert word.box.left + word.box.width <= width + 2 and 0 < word.confidence <= 100
    first, second = (w for w in result.words if w.text in ("প্রধানমন্ত্রী", "কর্তব্য"))
    assert second.box.top > first.box.top + first.box.height / 2  # the second line is lower


def test_small_text_is_scaled_up_and_the_boxes_scaled_back(fonts: Path) -> None:
    png = image(SAMPLES["hi"][:2], "hi", fonts, size=12)
    result = ocr.read_image(png)
    assert cer("\n".join(SAMPLES["hi"][:2]), result.text) <= 0.05, result.text
    assert max(w.box.left + w.box.width for w in result.words) <= result.width + 2


def _overlaps(box: ocr.Box, other: ocr.Box) -> bool:
    return (box.left < other.left + other.width and other.left < box.left + box.width
            and box.top < other.top + other.height and other.top < box.top + box.height)


def test_a_leaked_aadhaar_number_in_an_image_is_found_with_its_boxes(fonts: Path, screener: Screener) -> None:
    from stdnum.in_ import aadhaar

    assert aadhaar.is_valid(AADHAAR)
    png = image(["जनसुनवाई में आवेदन प्राप्त हुआ", f"मेरा आधार नंबर {AADHAAR} है"], "hi", fonts)
    result = ocr.screen_image(screener, png, jurisdiction="IN-CG", account_type="official")
    assert result.verdict == "block"
    found = next(f for f in result.findings if f.finding.category == "confidential")
    digits = [w for w in result.ocr.words if w.text in AADHAAR.split()]
    assert len(digits) == 3 and found.boxes
    assert all(any(_overlaps(b, w.box) for b in found.boxes) for w in digits)
    # and nothing on the first line is marked
    first_line = [w for w in result.ocr.words if w.end <= result.ocr.text.index("\n")]
    assert not any(_overlaps(b, w.box) for b in found.boxes for w in first_line)
    assert result.to_dict()["report"]["findings"][0]["boxes"]


@pytest.mark.parametrize(("script", "lines", "word", "jurisdiction"), [
    ("hi", ["सभा में अधिकारी ने कहा", "तुम सब चूतिया हो"], "चूतिया", "IN-CG"),
    ("bn", ["সভায় কর্মকর্তা বললেন", "তোরা সব খানকির পোলা"], "খানকির", "BD"),
])
def test_an_abusive_phrase_in_an_image_is_found_on_its_word(
    script: str, lines: list[str], word: str, jurisdiction: str, fonts: Path, screener: Screener,
) -> None:
    result = ocr.screen_image(screener, image(lines, script, fonts), jurisdiction=jurisdiction,
                              account_type="official")
    found = next(f for f in result.findings if f.finding.category == "obscene_abusive")
    target = next(w for w in result.ocr.words if w.text == word)
    assert any(_overlaps(b, target.box) for b in found.boxes)
    assert result.verdict == "block"


def test_an_image_without_text_is_clear(screener: Screener) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (255, 255, 255)).save(buf, format="PNG")
    result = ocr.screen_image(screener, buf.getvalue(), jurisdiction="BD")
    assert result.ocr.text == "" and result.verdict == "clear" and result.report is None


def test_a_file_path_and_a_transparent_image_are_read(tmp_path: Path, fonts: Path) -> None:
    from PIL import Image

    png = image(["The district office will remain closed"], "en", fonts)
    rgba = Image.open(io.BytesIO(png)).convert("RGBA")
    # Black text on a fully transparent background: read as black on black without the white fill.
    rgba.putalpha(Image.open(io.BytesIO(png)).convert("L").point(lambda v: 255 - v))
    path = tmp_path / "notice.png"
    rgba.save(path)
    assert "district office" in ocr.read_image(path, "eng").text


def test_what_is_not_an_image_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an image"):
        ocr.read_image(b"%PDF-1.4 not an image")
    with pytest.raises(InputError, match=r"missing\.png.*cannot be read"):
        ocr.read_image(tmp_path / "missing.png")
    with pytest.raises(InputError, match="model names"):
        ocr.read_image(b"", langs="hin; rm -rf")


def test_missing_tesseract_or_model_is_ocr_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    with pytest.raises(ocr.OcrUnavailable, match=r"apt-get install tesseract-ocr .*model xyz is missing"):
        ocr.read_image(b"", langs="hin+xyz")
    ocr._languages.cache_clear()
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    try:
        with pytest.raises(ocr.OcrUnavailable) as caught:
            ocr.read_image(b"")
        assert str(caught.value) == ocr.INSTALL_HINT
        assert isinstance(caught.value, ocr.ConfigError)
    finally:
        ocr._languages.cache_clear()


def test_import_satark_needs_neither_pillow_nor_pytesseract() -> None:
    code = ("import sys, satark, satark.ocr; "
            "assert 'PIL' not in sys.modules and 'pytesseract' not in sys.modules, 'eager import'")
    subprocess.run([sys.executable, "-c", code], check=True)
