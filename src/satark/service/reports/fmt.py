"""Numbers, dates and quarters as a report in English, Hindi or Bengali prints them.

Digits: Bengali reports use Bengali digits (০১২৩…), as Bangladesh's offices write them;
Hindi reports keep the international form (0123…), which India's official Hindi uses
(Constitution, art. 343(1)). Babel formats the grouping (12,34,567 in both) but not the
digits, so they are swapped here. CSV and Excel files keep plain numbers in every language.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from ..i18n import DATE_LOCALES, translations
from .quarter import Quarter

__all__ = ["date_label", "digits", "month_label", "number", "quarter_label"]

_NATIVE = {"bn": str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")}


def digits(text: str, lang: str) -> str:
    """``text`` with its ASCII digits in the report language's digits."""
    table = _NATIVE.get(lang)
    return text.translate(table) if table else text


def number(value: int | float | Decimal | None, lang: str, *, decimals: int = 1) -> str:
    """``1234567`` → "12,34,567" (bn: "১২,৩৪,৫৬৭"); floats keep at most ``decimals`` places."""
    if value is None:
        return "–"
    if isinstance(value, float):
        value = round(value, decimals)
    # The UI's locales (en: 1,234,567; hi and bn: 12,34,567), as the web's format_number.
    return digits(format_decimal(value, locale=lang), lang)


def date_label(day: dt.date, lang: str, format: str = "medium") -> str:
    return digits(format_date(day, format, locale=DATE_LOCALES.get(lang, lang)), lang)


def month_label(year: int, month: int, lang: str) -> str:
    """"Jul 2026", "जुल॰ 2026", "জুলাই ২০২৬"."""
    return digits(format_date(dt.date(year, month, 1), "MMM y", locale=DATE_LOCALES.get(lang, lang)), lang)


#: The quarter in words; ``%(n)s`` is the ordinal quarter, ``%(year)s`` the year.
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth"}


def quarter_label(quarter: Quarter, lang: str) -> str:
    """"Q3 2026 (July–September)" in the report's language."""
    _ = translations(lang).gettext
    names = {1: _("Q1 %(year)s (January–March)"), 2: _("Q2 %(year)s (April–June)"),
             3: _("Q3 %(year)s (July–September)"), 4: _("Q4 %(year)s (October–December)")}
    return names[quarter.number] % {"year": digits(str(quarter.year), lang)}
