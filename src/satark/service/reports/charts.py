"""Charts for the quarterly report, drawn with matplotlib in Bengali, Hindi or English.

matplotlib 3.11 lays text out through libraqm (HarfBuzz), so conjuncts, reph and pre-base
vowel signs come out as they should; older versions drew Indic text letter by letter. The
bundled Noto faces are WOFF2 (for the browser), which FreeType reads but matplotlib's font
list does not, so they are converted once to TrueType in a cache directory and registered.

Charts are SVG with the text drawn as paths: the PDF then embeds no second copy of the
fonts and the chart looks the same in every viewer. matplotlib's global state (rcParams,
the font list) is not thread-safe, so drawing holds a lock; each chart is a ``Figure`` of
its own, never pyplot's.
"""

from __future__ import annotations

import functools
import io
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

from ..pdf import FONT_DIR
from .base import Chart
from .fmt import digits, number

__all__ = ["FONT_FAMILIES", "register_fonts", "render_svg"]

#: Font stacks per report language: the script's face first, then Latin, then the other script.
FONT_FAMILIES: dict[str, list[str]] = {
    "en": ["DejaVu Sans", "Noto Sans Bengali", "Noto Sans Devanagari"],
    "bn": ["Noto Sans Bengali", "DejaVu Sans", "Noto Sans Devanagari"],
    "hi": ["Noto Sans Devanagari", "DejaVu Sans", "Noto Sans Bengali"],
}
#: Okabe–Ito: told apart by people with any common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
_LOCK = threading.Lock()


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for candidate in (Path(base) / "satark" / "fonts", Path(tempfile.gettempdir()) / f"satark-fonts-{os.getuid()}"):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
            if os.access(candidate, os.W_OK):
                return candidate
        except OSError:
            continue
    raise OSError("no writable cache directory for the chart fonts")


def _truetype(woff2: Path, cache: Path) -> Path:
    """``woff2`` as a TrueType file in ``cache`` (written once; a changed source rewrites it)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    stat = woff2.stat()
    target = cache / f"{woff2.stem}-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    if not target.exists():
        font = TTFont(str(woff2))
        font.flavor = None
        partial = target.with_suffix(f".{os.getpid()}.partial")
        font.save(str(partial))
        partial.replace(target)
    return target


@functools.cache
def register_fonts() -> tuple[Path, ...]:
    """Convert and register the bundled Noto faces with matplotlib (once per process)."""
    from matplotlib import font_manager

    cache = _cache_dir()
    paths = tuple(_truetype(p, cache) for p in sorted(FONT_DIR.glob("*.woff2")))
    for path in paths:
        font_manager.fontManager.addfont(str(path))
    return paths


def render_svg(chart: Chart, lang: str) -> str:
    """``chart`` as an SVG document (text as paths), labelled in ``lang``'s script and digits."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    register_fonts()
    with _LOCK, matplotlib.rc_context({
        "font.family": FONT_FAMILIES.get(lang, FONT_FAMILIES["en"]), "font.size": 9, "svg.fonttype": "path",
        "svg.hashsalt": "satark", "axes.spines.top": False, "axes.spines.right": False,
    }):
        return _draw(chart, lang)


def _draw(chart: Chart, lang: str) -> str:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    labels = list(chart.labels)
    series = list(chart.series.items())
    height = max(2.4, 0.32 * len(labels) + 1.0) if chart.kind == "barh" else 2.7
    fig = Figure(figsize=(7.0, height), dpi=100, layout="constrained")
    ax = fig.subplots()
    ticks = FuncFormatter(lambda value, _pos: digits(f"{value:g}", lang))
    positions = list(range(len(labels)))
    if chart.kind == "line":
        for i, (name, values) in enumerate(series):
            ax.plot(positions, list(values), marker="o", label=name, color=PALETTE[i % len(PALETTE)])
        ax.set_xticks(positions, labels)
        ax.yaxis.set_major_formatter(ticks)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    elif chart.kind == "barh":
        name, values = series[0]
        bars = ax.barh(positions, list(values), color=PALETTE[0])
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
        ax.bar_label(bars, labels=[_value(v, lang) for v in values], padding=3)
        ax.xaxis.set_major_formatter(ticks)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if chart.y_label:
            ax.set_xlabel(chart.y_label)
    else:
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series):
            offset = (i - (len(series) - 1) / 2) * width
            bars = ax.bar([p + offset for p in positions], list(values), width, label=name,
                          color=PALETTE[i % len(PALETTE)])
            if len(series) * len(labels) <= 24:
                ax.bar_label(bars, labels=[_value(v, lang) if v else "" for v in values], padding=2, fontsize=8)
        ax.set_xticks(positions, labels)
        ax.yaxis.set_major_formatter(ticks)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        if chart.y_label:
            ax.set_ylabel(chart.y_label)
        ax.margins(y=0.15)
    if len(series) > 1 or (series and series[0][0] != chart.y_label):  # a lone series needs naming unless the axis does
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.grid(axis="x" if chart.kind == "barh" else "y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _value(value: Any, lang: str) -> str:
    return number(int(value) if float(value).is_integer() else float(value), lang)
