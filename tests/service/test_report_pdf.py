"""The quarterly report as PDF in English, Hindi and Bengali, read back with poppler.

pdftoppm renders page 1 to PNG (the page draws, with the bundled Noto faces embedded) and
pdftotext extracts the text: the Bengali and Hindi words come back as they were written
(conjuncts, reph, vowel signs in logical order), and the figure in the summary is the one in
the database. Rendering does not depend on the database, so this runs on SQLite only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from satark.service.context import Services
from satark.service.models import Post, utcnow
from satark.service.reports.build import build_report
from satark.service.reports.quarter import Quarter
from satark.service.reports.render import to_pdf

from .conftest import Demo

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdftoppm")),
                                reason="poppler-utils (pdftotext, pdftoppm) is not installed")

BENGALI_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _published_in_quarter(svc: Services, institution_ids: list[int], zone: str) -> int:
    start, end = Quarter.containing(utcnow(), zone).bounds(zone)
    with svc.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(Post).where(
            Post.institution_id.in_(institution_ids), Post.published_at >= start, Post.published_at < end)) or 0


def _render(svc: Services, tmp_path: Path, institution_id: int, lang: str, zone: str,
            children: bool = False) -> tuple[str, Path]:
    """(the PDF's text with whitespace squeezed, page 1 as PNG)."""
    quarter = str(Quarter.containing(utcnow(), zone))
    with svc.db.session(write=False) as session:
        report = build_report(session, institution_id=institution_id, quarter=quarter, lang=lang,
                              include_children=children, screening=svc.screening)
    pdf = tmp_path / f"report-{lang}.pdf"
    pdf.write_bytes(to_pdf(report))
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / f"page-{lang}")],
                   check=True, timeout=60)
    png = next(tmp_path.glob(f"page-{lang}*.png"))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    # The bundled faces are embedded (a missing one would print boxes that still extract as text).
    face = {"bn": "Satark-Noto-Bengali", "hi": "Satark-Noto-Devanagari"}.get(lang)
    assert face is None or face in fonts, fonts
    return " ".join(text.split()), png


def _drawn(png: Path) -> None:
    with Image.open(png) as image:
        gray = image.convert("L")
        assert gray.size[0] > 300 and gray.size[1] > 400  # A4 portrait at 50 dpi
        dark = sum(gray.histogram()[:128])
        assert dark > 2000, "page 1 looks blank"


def test_bengali_pdf_reads_back_intact(svc: Services, demo: Demo, tmp_path: Path) -> None:
    text, png = _render(svc, tmp_path, demo.institutions["ministry"], "bn", "Asia/Dhaka", children=True)
    _drawn(png)
    for word in ("ত্রৈমাসিক", "পরিবীক্ষণ", "প্রতিবেদন", "কর্তৃপক্ষ", "প্রতিষ্ঠান", "কার্যালয়", "সারসংক্ষেপ",
                 "অন্তর্ভুক্ত", "জেলা প্রশাসকের কার্যালয়", "চেকলিস্ট", "পাসওয়ার্ড"):
        assert word in text, word
    found = re.search(r"মোট (\S+)টি পোস্ট প্রকাশিত হয়েছে", text)
    assert found, text[:1500]
    expected = _published_in_quarter(svc, [demo.institutions["ministry"], demo.institutions["district"]],
                                     "Asia/Dhaka")
    assert expected >= 1 and found.group(1) == str(expected).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯"))
    assert int(found.group(1).translate(BENGALI_DIGITS)) == expected


def test_hindi_pdf_reads_back_intact(svc: Services, demo: Demo, tmp_path: Path) -> None:
    """The demo's own Chhattisgarh post (published today) gives the Hindi report a figure."""
    text, png = _render(svc, tmp_path, demo.institutions["cg"], "hi", "Asia/Kolkata")
    _drawn(png)
    for word in ("त्रैमासिक", "निगरानी", "प्रतिवेदन", "कार्यालय", "संस्था", "सारांश", "प्रकाशित", "अनुमोदित",
                 "कलेक्टोरेट रायपुर", "पासवर्ड", "तिमाही"):
        assert word in text, word
    found = re.search(r"कुल (\d+) पोस्ट प्रकाशित हुईं?।", text)  # हुई for one post
    assert found, text[:1500]
    assert int(found.group(1)) == _published_in_quarter(svc, [demo.institutions["cg"]], "Asia/Kolkata") == 1


def test_english_pdf(svc: Services, demo: Demo, tmp_path: Path) -> None:
    text, png = _render(svc, tmp_path, demo.institutions["district"], "en", "Asia/Dhaka")
    _drawn(png)
    assert "Quarterly monitoring report" in text and "Deputy Commissioner's Office, Dhaka" in text
    found = re.search(r"(\d+) posts? (?:was|were) published on", text)
    assert found and int(found.group(1)) == _published_in_quarter(svc, [demo.institutions["district"]],
                                                                  "Asia/Dhaka")
    assert "জেলা প্রশাসকের কার্যালয়" not in text  # the English report names the account in English
