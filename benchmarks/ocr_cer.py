"""Character error rate of Satark's OCR on Hindi, Bengali and English text rendered into images.

    .venv/bin/python benchmarks/ocr_cer.py [--sizes 12,16,24,32,48]

Renders the sample lines of ``tests/ocr_samples.py`` with the bundled fonts (English with
Pillow's), reads them back with :func:`satark.ocr.read_image` and prints, per script and font
size, CER = edit distance / reference length over all lines, compared without spaces
(Tesseract's word gaps are not what is measured), with and without the preprocessing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ocr_images import FONT_FOR, raqm_missing, render, ttf
from ocr_samples import SAMPLES
from satark import ocr


def levenshtein(a: str, b: str) -> int:
    """Edit distance by the two-row dynamic programme (rapidfuzz is not a dependency; lines are short)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    def norm(s: str) -> str:
        return "".join(unicodedata.normalize("NFC", s).split())
    ref = norm(reference)
    return levenshtein(ref, norm(hypothesis)) / max(1, len(ref))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="12,16,24,32,48", help="font sizes in pixels, comma-separated")
    args = parser.parse_args()
    reason = raqm_missing()
    if reason:
        sys.exit(f"cannot render Indic text: {reason}")
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'script':6} {'size':>4} {'CER':>7} {'CER raw':>8} {'s/image':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for script, lines in SAMPLES.items():
            font = ttf(FONT_FOR[script], Path(tmp))
            for size in sizes:
                png = render(lines, font, size=size)
                started = time.perf_counter()
                read = ocr.read_image(png).text
                took = time.perf_counter() - started
                small, ocr.SMALL_HEIGHT = ocr.SMALL_HEIGHT, 0  # the same image without the upscaling
                try:
                    raw = ocr.read_image(png).text
                finally:
                    ocr.SMALL_HEIGHT = small
                reference = "\n".join(lines)
                print(f"{script:6} {size:>4} {cer(reference, read):>7.2%} {cer(reference, raw):>8.2%} {took:>8.2f}")


if __name__ == "__main__":
    main()
