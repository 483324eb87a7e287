"""Text inside images: read it with Tesseract, screen it, and point each finding at the words' boxes.

A post's picture (a notice, a screenshot, a meme) can carry what its text does not: an
Aadhaar number on a scanned form, an insult in a caption. :func:`read_image` recognises the
words with Tesseract (``image_to_data``, so each word keeps its box and confidence) and
builds one text from them, recording where each word sits in it; :func:`screen_image`
screens that text like any post and maps every finding's evidence spans back to the boxes.

Tesseract is a system program with its own language models (Debian: ``tesseract-ocr``,
``tesseract-ocr-hin``, ``tesseract-ocr-ben``); pytesseract and Pillow are the ``scan``
extra. All three are imported or run only when an image is read, so ``import satark``
needs none of them, and a missing one is :class:`OcrUnavailable`, said in one line.
"""

from __future__ import annotations

import functools
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine import AccountType, Mode
from .errors import ConfigError, InputError
from .findings import Finding, Report

if TYPE_CHECKING:
    from PIL.Image import Image

    from .engine import Screener

__all__ = [
    "DEFAULT_LANGS",
    "Box",
    "ImageFinding",
    "ImageReport",
    "OcrResult",
    "OcrUnavailable",
    "OcrWord",
    "boxes_for",
    "locate",
    "read_image",
    "screen_image",
]

#: Tesseract's model names: English, Hindi and Bengali together (a post mixes them). English
#: first: with Hindi first, Latin digits (an Aadhaar or phone number) lost most of their 1s
#: (0124 read as 024 or 0724), and the Indic error rate did not change (benchmarks/ocr_cer.py).
DEFAULT_LANGS = "eng+hin+ben"
INSTALL_HINT = "Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-hin tesseract-ocr-ben)"
#: Larger images are refused rather than decoded (Pillow's own guard warns at ~89 MP).
MAX_PIXELS = 40_000_000
#: Below this height, text is usually under Tesseract's comfortable x-height (~20 px): scale up.
SMALL_HEIGHT = 400
#: Seconds one image may take before Tesseract is stopped.
TIMEOUT_S = 120
_LANG = re.compile(r"[A-Za-z_]+(\+[A-Za-z_]+)*")


class OcrUnavailable(ConfigError):
    """Tesseract, one of its language models, or the Python packages that drive it are missing.

    A :class:`~satark.errors.ConfigError`: the machine is not set up, the input is fine.
    """


@dataclass(frozen=True, slots=True)
class Box:
    """A word's rectangle in the original image's pixels."""

    left: int
    top: int
    width: int
    height: int

    def to_dict(self) -> dict[str, int]:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One recognised word: its text, where it is in :attr:`OcrResult.text`, its box and confidence (0-100)."""

    text: str
    start: int
    end: int
    box: Box
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "box": self.box.to_dict(),
                "confidence": round(self.confidence, 1)}


@dataclass(frozen=True, slots=True)
class OcrResult:
    """The text read from an image (NFC; words joined by spaces, lines by line feeds) and its words."""

    text: str
    words: tuple[OcrWord, ...]
    width: int
    height: int
    langs: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "words": [w.to_dict() for w in self.words], "width": self.width,
                "height": self.height, "langs": self.langs}


def boxes_for(words: tuple[OcrWord, ...] | list[OcrWord], start: int, end: int) -> list[Box]:
    """The boxes of the words a span ``[start, end)`` of the recognised text touches."""
    return [w.box for w in words if w.start < end and start < w.end]


@dataclass(frozen=True, slots=True)
class ImageFinding:
    """A finding in an image's text with the boxes of the words its evidence spans cover."""

    finding: Finding
    boxes: tuple[Box, ...]

    def to_dict(self) -> dict[str, Any]:
        return self.finding.to_dict() | {"boxes": [b.to_dict() for b in self.boxes]}


@dataclass(frozen=True, slots=True)
class ImageReport:
    """What screening an image gave: the OCR, the engine's report on its text, the findings with boxes."""

    ocr: OcrResult
    report: Report | None
    findings: tuple[ImageFinding, ...]

    @property
    def verdict(self) -> str:
        return self.report.verdict.value if self.report is not None else "clear"

    def to_dict(self) -> dict[str, Any]:
        report = self.report.to_dict() if self.report is not None else None
        if report is not None:
            report["findings"] = [f.to_dict() for f in self.findings]
        return {"ocr": self.ocr.to_dict(), "verdict": self.verdict, "report": report}


def _tesseract() -> Any:
    try:
        import pytesseract  # type: ignore[import-untyped]  # no stubs published
    except ImportError:
        raise OcrUnavailable(f"{INSTALL_HINT}; the Python package pytesseract is missing too "
                             "(pip install 'satark[scan]')") from None
    return pytesseract


@functools.cache
def _languages() -> frozenset[str]:
    pytesseract = _tesseract()
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        raise OcrUnavailable(INSTALL_HINT) from None


def _check_langs(langs: str) -> None:
    if not _LANG.fullmatch(langs):
        raise InputError(f"OCR languages are Tesseract model names joined by '+', like {DEFAULT_LANGS}; "
                         f"not {langs!r}")
    missing = [lang for lang in langs.split("+") if lang not in _languages()]
    if missing:
        raise OcrUnavailable(f"{INSTALL_HINT}; the language model {', '.join(missing)} is missing "
                             f"(installed: {', '.join(sorted(_languages())) or 'none'})")


def _open(image: Path | bytes) -> Image:
    try:
        from PIL import Image as PILImage
    except ImportError:
        raise OcrUnavailable(f"{INSTALL_HINT}; the Python package Pillow is missing too "
                             "(pip install 'satark[scan]')") from None
    name = str(image) if isinstance(image, Path) else "the image"
    try:
        data = image.read_bytes() if isinstance(image, Path) else image
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    try:
        img = PILImage.open(io.BytesIO(data))
        if img.width * img.height > MAX_PIXELS:
            raise InputError(f"{name} is {img.width}×{img.height} pixels; the limit is {MAX_PIXELS} pixels")
        img.load()
    except InputError:
        raise
    except (OSError, ValueError, SyntaxError, PILImage.DecompressionBombError):
        raise InputError(f"{name} is not an image that can be read (PNG, JPEG, GIF, WebP, TIFF, BMP)") from None
    return img


def _prepare(img: Image) -> tuple[Image, float]:
    """Grayscale on white (transparent pixels would read as black), scaled up when small."""
    from PIL import Image as PILImage

    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = PILImage.alpha_composite(background, rgba)
    gray = img.convert("L")
    scale = 1.0
    if gray.height < SMALL_HEIGHT:
        scale = float(min(3, math.ceil(SMALL_HEIGHT / max(gray.height, 1))))
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), PILImage.Resampling.LANCZOS)
    return gray, scale


def _nfc(word: str) -> str:
    # Tesseract's Indic output is sometimes decomposed (नक़्शा as न + ़) and may carry stray
    # spaces inside a word; NFC and trimming give the text the engine's lexicons are written in.
    return unicodedata.normalize("NFC", word).strip()


def read_image(image: Path | bytes, langs: str = DEFAULT_LANGS) -> OcrResult:
    """Recognise the words in ``image`` (a file or its bytes) with Tesseract's ``langs`` models."""
    _check_langs(langs)
    pytesseract = _tesseract()
    img = _open(image)
    prepared, scale = _prepare(img)
    try:
        data = pytesseract.image_to_data(prepared, lang=langs, output_type=pytesseract.Output.DICT,
                                         timeout=TIMEOUT_S)
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(INSTALL_HINT) from None
    except RuntimeError as exc:  # pytesseract's timeout
        raise InputError(f"reading the image took longer than {TIMEOUT_S} s: {exc}") from None
    except pytesseract.TesseractError as exc:
        if "Failed loading language" in str(exc):
            raise OcrUnavailable(f"{INSTALL_HINT}; a language model of {langs} is missing") from None
        raise InputError(f"Tesseract could not read the image: {exc.message}") from None
    return _assemble(data, scale, img.width, img.height, langs)


def _assemble(data: dict[str, list[Any]], scale: float, width: int, height: int, langs: str) -> OcrResult:
    parts: list[str] = []
    words: list[OcrWord] = []
    pos = 0
    line: tuple[int, int, int] | None = None
    for i, raw in enumerate(data["text"]):
        word = _nfc(str(raw))
        if not word or float(data["conf"][i]) < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if parts:
            sep = " " if key == line else "\n"
            parts.append(sep)
            pos += 1
        line = key
        box = Box(round(int(data["left"][i]) / scale), round(int(data["top"][i]) / scale),
                  max(1, round(int(data["width"][i]) / scale)), max(1, round(int(data["height"][i]) / scale)))
        words.append(OcrWord(word, pos, pos + len(word), box, float(data["conf"][i])))
        parts.append(word)
        pos += len(word)
    return OcrResult("".join(parts), tuple(words), width, height, langs)


def locate(ocr: OcrResult, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings as plain data (``Finding.to_dict``) with ``boxes``: the words their spans cover."""
    out = []
    for finding in findings:
        boxes: dict[Box, None] = {}
        for span in finding.get("spans", []):
            boxes.update(dict.fromkeys(boxes_for(ocr.words, int(span["start"]), int(span["end"]))))
        out.append(finding | {"boxes": [b.to_dict() for b in boxes]})
    return out


def screen_image(
    screener: Screener, image: Path | bytes, *, jurisdiction: str, account_type: AccountType = "personal",
    mode: Mode | None = None, langs: str = DEFAULT_LANGS,
) -> ImageReport:
    """Read ``image`` and screen its text; each finding carries the boxes of its evidence.

    An image with no text gives no report (``report`` None, verdict clear): there is nothing to screen.
    """
    ocr = read_image(image, langs)
    if not ocr.text.strip():
        return ImageReport(ocr, None, ())
    report = screener.screen(ocr.text, jurisdiction=jurisdiction, account_type=account_type, mode=mode)
    found = []
    for finding in report.findings:
        boxes: dict[Box, None] = {}
        for span in finding.spans:
            boxes.update(dict.fromkeys(boxes_for(ocr.words, span.start, span.end)))
        found.append(ImageFinding(finding, tuple(boxes)))
    return ImageReport(ocr, report, tuple(found))
