"""Languages of the web UI: English, Hindi and Bengali.

Message catalogues are gettext ``.po`` files under ``locale/``, kept up to date with
``pybabel extract``/``update`` (``babel.cfg`` at the repository root). Templates get ``_``/``gettext``/
``ngettext``/``pgettext`` in Jinja's *newstyle* form, so ``_("%(n)s posts", n=3)`` formats and
escapes by itself, plus locale-aware date and number filters. Dates and times are shown in the
render context's ``time_zone`` (an IANA name: the viewing institution's zone), UTC without one.

Python code that needs a message outside a request (a flash text stored for later) marks it
with :func:`N_` so that ``pybabel extract`` finds it, and translates it at render time with
``translations(locale).gettext(msg)``.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import format_time as _babel_format_time
from babel.dates import get_datetime_format, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_format_decimal
from babel.numbers import format_percent as _babel_format_percent
from babel.support import NullTranslations, Translations

from .timezones import zone as _zone

__all__ = [
    "DEFAULT_LOCALE",
    "LANG_COOKIE",
    "LOCALES",
    "LOCALE_DIR",
    "LOCALE_NAMES",
    "N_",
    "TEMPLATE_DIR",
    "flag_spans",
    "format_datetime_in",
    "highlight_segments",
    "localized",
    "make_environment",
    "negotiate_locale",
    "text_lang",
    "translations",
]

LOCALES: tuple[str, ...] = ("en", "hi", "bn")
LOCALE_NAMES: dict[str, str] = {"en": "English", "hi": "हिन्दी", "bn": "বাংলা"}
DEFAULT_LOCALE = "en"
#: the cookie set by ``POST /lang``; it beats the browser's Accept-Language.
LANG_COOKIE = "satark_lang"
#: The locale dates are formatted in, per UI language: English in the Indian subcontinent's
#: day-month-year order (24/11/26), not the US's month-first one.
DATE_LOCALES: dict[str, str] = {"en": "en_IN", "hi": "hi", "bn": "bn"}

_HERE = Path(__file__).resolve().parent
LOCALE_DIR = _HERE / "locale"
TEMPLATE_DIR = _HERE / "web" / "templates"


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (the locale is not known)."""
    return message


def _check(locale: str) -> str:
    if locale not in LOCALES:
        raise ValueError(f"unsupported locale {locale!r}; supported: {', '.join(LOCALES)}")
    return locale


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The catalogue for ``locale``, compiled from its ``.po`` file in memory on first use.

    Compiling here instead of committing ``.mo`` files means there is no binary to forget to
    rebuild: what the translators edited is what the server shows, and a fresh checkout or
    wheel needs no build step. The cost is a few milliseconds once per locale per process.
    Fuzzy entries are left out, as ``msgfmt`` would.
    """
    if _check(locale) == DEFAULT_LOCALE:
        return NullTranslations()
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale, domain="messages")
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain="messages")


def negotiate_locale(cookie_value: str | None, accept_language: str | None) -> str:
    """The UI language for a request: the ``satark_lang`` cookie, else Accept-Language, else English.

    The cookie is an explicit choice, so it wins over the browser's guess. Accept-Language is
    matched on the primary subtag (``hi-IN`` → ``hi``, ``bn-BD`` → ``bn``) in q-value order;
    malformed parts are ignored rather than rejected, since any header may arrive.
    """
    if cookie_value and cookie_value.strip().lower() in LOCALES:
        return cookie_value.strip().lower()
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if q > 0 and primary in LOCALES:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def localized(texts: Mapping[str, str] | str | None, locale: str) -> str:
    """Pick ``locale`` from a ``{"en": ..., "hi": ..., "bn": ...}`` mapping, falling back to English.

    Clause titles and finding explanations come from the policy packs in this shape, not from
    the gettext catalogues.
    """
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    for key in (locale, DEFAULT_LOCALE):
        if texts.get(key):
            return texts[key]
    return next((v for v in texts.values() if v), "")


def text_lang(text: str | None) -> str:
    """``bn`` for text in Bengali script, ``hi`` for Devanagari, else "" (for ``lang`` attributes
    on names typed in a local language, like an institution's)."""
    for ch in text or "":
        if "\u0980" <= ch <= "\u09ff":
            return "bn"
        if "\u0900" <= ch <= "\u097f":
            return "hi"
    return ""


# --- post text highlighting -------------------------------------------------------------------

_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ


def _is_virama(ch: str) -> bool:
    return unicodedata.combining(ch) == 9  # canonical combining class "Virama"


def _breakable(text: str, i: int) -> bool:
    """Whether a ``<mark>`` may start or end at ``text[i]`` without splitting a syllable.

    An approximation of the Unicode grapheme rules that matter for Devanagari and Bengali
    (UAX #29 GB9, GB9a, GB9c): never before a combining mark or a joiner, and never between a
    virama (or joiner) and the consonant it joins. Browsers shape each element's text on its
    own, so a tag inside "क्ष" or "র‍্যাব" would show broken letters.
    """
    if i <= 0 or i >= len(text):
        return True
    ch, prev = text[i], text[i - 1]
    if ch in _JOINERS or unicodedata.category(ch) in ("Mn", "Mc", "Me"):
        return False
    return not ((_is_virama(prev) or prev in _JOINERS) and unicodedata.category(ch).startswith("L"))


def highlight_segments(text: str, spans: Iterable[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """Split ``text`` into ``(segment, None)`` plain runs and ``(segment, mark)`` flagged runs.

    ``spans`` are mappings with code-point ``start``/``end`` offsets and any payload.
    Overlapping spans become one mark so that tags never interleave: the mark is a copy of
    the earliest (then longest) span with ``start``/``end`` widened to the union and
    ``members`` listing every span merged into it, in that order. Boundaries are widened to
    whole syllables; out-of-range or empty spans are dropped. The segments are plain ``str``
    for the template to escape: the post is user text and is never marked safe.
    """
    n = len(text)
    clean: list[tuple[int, int, int, Mapping[str, Any]]] = []
    for order, span in enumerate(spans):
        start, end = max(0, int(span["start"])), min(n, int(span["end"]))
        while not _breakable(text, start):
            start -= 1
        while not _breakable(text, end):
            end += 1
        if start < end:
            clean.append((start, -end, order, span))
    clean.sort(key=lambda c: c[:3])

    groups: list[tuple[int, int, list[Mapping[str, Any]]]] = []
    for start, neg_end, _, span in clean:
        if groups and start < groups[-1][1]:
            g_start, g_end, members = groups[-1]
            groups[-1] = (g_start, max(g_end, -neg_end), [*members, span])
        else:
            groups.append((start, -neg_end, [span]))

    out: list[tuple[str, dict[str, Any] | None]] = []
    pos = 0
    for start, end, members in groups:
        if pos < start:
            out.append((text[pos:start], None))
        out.append((text[start:end], {**members[0], "start": start, "end": end, "members": members}))
        pos = end
    if pos < n:
        out.append((text[pos:], None))
    return out


def flag_spans(findings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every span of every finding (``Report.to_dict()["findings"]``), numbered for anchors.

    Each item is the span plus ``n`` (0-based, the ``span-N`` anchor), ``finding`` (index of
    its finding), ``category`` and ``clause_id`` (the first clause cited). The report partial
    feeds these to :func:`highlight_segments` and uses ``n`` for the evidence links.
    """
    out: list[dict[str, Any]] = []
    for fi, finding in enumerate(findings):
        clause_ids = finding.get("clause_ids") or [None]
        for span in finding.get("spans") or ():
            out.append(
                {
                    **span,
                    "n": len(out),
                    "finding": fi,
                    "category": finding.get("category", ""),
                    "clause_id": clause_ids[0],
                }
            )
    return out


# --- Jinja ------------------------------------------------------------------------------------


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything Satark stores is UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_datetime_in(value: datetime, locale: str, zone_name: str | None, format: str = "medium") -> str:
    """``value`` in the zone ``zone_name`` (UTC when None or unknown, then labelled "UTC"),
    formatted by Babel for the UI ``locale``. ``medium`` is the date in full and the time without
    seconds ("24 Nov 2026, 1:30 am"); ``short``, ``long`` and ``full`` are Babel's."""
    tz = _zone(zone_name)
    when = _as_utc(value).astimezone(tz)
    loc = DATE_LOCALES.get(_check(locale), locale)
    if format == "medium":
        text = (str(get_datetime_format("medium", locale=loc))
                .replace("{1}", _babel_format_date(when, "medium", locale=loc))
                .replace("{0}", _babel_format_time(when, "short", tzinfo=tz, locale=loc)))
    else:
        text = _babel_format_datetime(when, format, tzinfo=tz, locale=loc)
    return text + " UTC" if tz is UTC else text


def zone_label(locale: str, zone_name: str | None) -> str:
    """The zone in words for ``locale`` and its IANA name: "बांग्लादेश समय (Asia/Dhaka)"; "UTC" for UTC."""
    tz = _zone(zone_name)
    if tz is UTC or zone_name is None:
        return "UTC"
    name = str(get_timezone_name(tz, "long", locale=DATE_LOCALES.get(locale, locale)))
    return f"{name} ({zone_name})"


@functools.cache
def make_environment(locale: str) -> jinja2.Environment:
    """The Jinja environment for ``locale``, built once per process.

    One environment per locale (rather than per request) keeps the compiled-template cache
    and lets ``_``, the filters and ``current_locale`` be plain globals that imported macros
    see without ``with context``. ``static(name)``, ``url_for``, ``request_path``, ``user``,
    ``csrf_token`` and ``messages`` come from the caller's render context.
    """
    _check(locale)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]

    @jinja2.pass_context
    def format_datetime(context: jinja2.runtime.Context, value: datetime | None, format: str = "medium") -> str:
        """In the page's ``time_zone`` (the viewing institution's), in the locale's style."""
        if value is None:
            return ""
        return format_datetime_in(value, locale, context.get("time_zone"), format)

    @jinja2.pass_context
    def format_date(context: jinja2.runtime.Context, value: date | datetime | None, format: str = "medium") -> str:
        """A date as it is; a datetime's date in the page's ``time_zone``."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = _as_utc(value).astimezone(_zone(context.get("time_zone"))).date()
        return _babel_format_date(value, format, locale=DATE_LOCALES[locale])

    @jinja2.pass_context
    def time_zone_label(context: jinja2.runtime.Context) -> str:
        return zone_label(locale, context.get("time_zone"))

    def format_number(value: float | Decimal | int | None) -> str:
        """Locale grouping (hi/bn: 12,34,567) with Babel's default Latin digits."""
        return "" if value is None else _babel_format_decimal(value, locale=locale)

    def format_percent(value: float | Decimal | None) -> str:
        """A 0–1 ratio (a confidence) as a whole percentage: 0.853 → "85%"."""
        return "" if value is None else _babel_format_percent(value, locale=locale)

    env.filters.update(
        format_datetime=format_datetime,
        format_date=format_date,
        format_number=format_number,
        format_percent=format_percent,
        localized=lambda texts: localized(texts, locale),
    )
    env.globals.update(
        format_datetime=format_datetime,
        format_date=format_date,
        format_number=format_number,
        format_percent=format_percent,
        time_zone_label=time_zone_label,
        LOCALES=LOCALES,
        LOCALE_NAMES=LOCALE_NAMES,
        current_locale=locale,
        highlight_segments=highlight_segments,
        flag_spans=flag_spans,
        text_lang=text_lang,
    )
    return env
