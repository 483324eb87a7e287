"""HTML to PDF with the bundled Noto fonts, so Devanagari and Bengali print and read back.

WeasyPrint lays text out with Pango and HarfBuzz, so conjuncts, reph and pre-base vowel
signs are drawn correctly. Its text layer, though, maps each *glyph* to Unicode once per
font: in Indic scripts one glyph stands for several letters (a conjunct) or sits before the
letter it follows in logical order (ি, ि), so copying or ``pdftotext`` gives scrambled words
("কতির্তৃ" for "কর্তৃ"). PDF's remedy is marked content with ``/ActualText``, which no
WeasyPrint option emits; :func:`_install_actual_text` wraps each drawn line in a
``/Span <</ActualText (…)>> BDC … EMC`` with the line's logical text. Readers that honour
ActualText (poppler, pdf.js, Acrobat) then extract the words exactly as written.

Engine-level (the quarterly report and ``satark scan`` print through it): it needs only
WeasyPrint (the ``[service]`` extra, imported when a PDF is made) and the fonts, which ship
in the package.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["FONT_DIR", "FONT_FAMILY", "font_face_css", "html_to_pdf"]

FONT_DIR = Path(__file__).resolve().parent / "service" / "web" / "static" / "fonts"
#: The CSS font stack for printed documents: Latin from the system's sans, then the bundled
#: Noto faces for Bengali and Devanagari.
FONT_FAMILY = "'Noto Sans', 'DejaVu Sans', 'Satark Noto Bengali', 'Satark Noto Devanagari', sans-serif"

_FACES = (
    ("Satark Noto Bengali", "NotoSansBengali"),
    ("Satark Noto Devanagari", "NotoSansDevanagari"),
)


def font_face_css() -> str:
    """``@font-face`` rules that point at the bundled font files (regular and bold)."""
    rules = []
    for family, stem in _FACES:
        for weight, style in (("normal", "Regular"), ("bold", "Bold")):
            src = (FONT_DIR / f"{stem}-{style}.woff2").as_uri()
            rules.append(f"@font-face {{ font-family: '{family}'; font-weight: {weight}; src: url('{src}'); }}")
    return "\n".join(rules)


@functools.cache
def _install_actual_text() -> None:
    """Wrap WeasyPrint's line drawing in ``/ActualText`` marked content (see the module doc)."""
    import pydyf
    from weasyprint.draw import text as draw_text

    original = draw_text.draw_first_line

    def draw_first_line(stream: Any, textbox: Any, *args: Any, **kwargs: Any) -> Any:
        logical = textbox.pango_layout.text
        if not logical or not logical.strip():
            return original(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(logical)}))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_text.draw_first_line = draw_first_line


def html_to_pdf(html: str, *, base_url: str | None = None, stylesheets: list[str] | None = None) -> bytes:
    """Render ``html`` to PDF bytes with the bundled fonts available to its CSS.

    ``html`` should use :data:`FONT_FAMILY` (or any stack that names the Satark Noto faces);
    the ``@font-face`` rules are added here. ``base_url`` resolves relative links and images.
    """
    try:
        _install_actual_text()
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
    except ImportError as exc:
        raise ConfigError("PDF output needs the [service] extra (WeasyPrint): "
                          f"pip install 'satark[service]' ({exc})") from None

    fonts = FontConfiguration()
    sheets = [CSS(string=font_face_css(), font_config=fonts)]
    sheets += [CSS(string=s, font_config=fonts) for s in stylesheets or []]
    document = HTML(string=html, base_url=base_url)
    pdf: bytes = document.write_pdf(stylesheets=sheets, font_config=fonts)
    return pdf
