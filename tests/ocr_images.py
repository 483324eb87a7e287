"""Render Hindi, Bengali and English text into PNG images with the fonts the web UI bundles.

Shared by the OCR tests and ``benchmarks/ocr_cer.py``. The fonts ship as WOFF2 (for browsers);
Pillow reads TrueType, so fontTools unpacks them once into a folder the caller gives. Indic
text needs shaping (conjuncts, reph, pre-base vowel signs), which Pillow does only with its
raqm layout engine: :func:`raqm_missing` says why a caller must skip where it is absent.
"""

from __future__ import annotations

import io
from pathlib import Path

FONTS = Path(__file__).resolve().parents[1] / "src" / "satark" / "service" / "web" / "static" / "fonts"
#: script → the bundled font that covers it. The bundled fonts have no Latin letters (the
#: browser's own font draws those), so English uses the font inside Pillow (``None``).
FONT_FOR: dict[str, str | None] = {"hi": "NotoSansDevanagari-Regular", "bn": "NotoSansBengali-Regular", "en": None}


def raqm_missing() -> str | None:
    """Why Indic text cannot be shaped here, or None when it can."""
    from PIL import features

    if not features.check("raqm"):
        return "Pillow was built without libraqm, so it cannot shape Devanagari or Bengali text"
    return None


def ttf(name: str | None, folder: Path) -> Path | None:
    """The bundled WOFF2 font ``name`` as a TrueType file in ``folder`` (converted once)."""
    from fontTools.ttLib import TTFont

    if name is None:
        return None
    out = folder / f"{name}.ttf"
    if not out.exists():
        font = TTFont(FONTS / f"{name}.woff2")
        font.flavor = None
        font.save(out)
    return out


def render(lines: list[str], font_path: Path | None, *, size: int = 32, margin: int = 24) -> bytes:
    """``lines`` drawn black on white, shaped by raqm, as PNG bytes (Pillow's font when no path)."""
    from PIL import Image, ImageDraw, ImageFont

    font = (ImageFont.load_default(size) if font_path is None
            else ImageFont.truetype(str(font_path), size, layout_engine=ImageFont.Layout.RAQM))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    boxes = [probe.textbbox((0, 0), line, font=font) for line in lines]
    step = int(size * 1.8)
    width = max(b[2] for b in boxes) + 2 * margin
    height = step * len(lines) + 2 * margin
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=0)
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
