"""Reasons, in the user's language, for every kind of hit.

A detector names its reason with a key (``pii.aadhaar``) and gives the key's text in
en/hi/bn through the ``satark_reason_texts`` hook (read on the first lookup), or
registers it at import with :func:`register_reasons`. Templates may use ``{name}``
fields from the hit's ``details``; a missing field renders as an empty string rather than
failing, because an explanation must never break a screening.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LANGS", "reason_text", "register_reasons"]

LANGS = ("en", "hi", "bn")

_REASONS: dict[str, dict[str, str]] = {
    "lexicon": {
        "en": "uses the expression {terms}",
        "hi": "इसमें {terms} जैसे शब्द हैं",
        "bn": "এতে {terms} জাতীয় শব্দ আছে",
    },
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def register_reasons(reasons: Mapping[str, Mapping[str, str]]) -> None:
    """Add reason texts; each needs at least ``en`` (hi and bn fall back to it)."""
    for key, texts in reasons.items():
        if "en" not in texts:
            raise ValueError(f"reason {key!r} needs an English text")
        _REASONS[key] = dict(texts)


def _load_hooked() -> None:
    """Merge the ``satark_reason_texts`` hook's texts in (on a key's first miss; texts
    already known win, so a plugin cannot reword Satark's own)."""
    from .plugins import get_plugin_manager

    for reasons in reversed(get_plugin_manager().hook.satark_reason_texts()):
        for key, texts in reasons.items():
            if "en" in texts:
                _REASONS.setdefault(key, dict(texts))


def reason_text(key: str, lang: str, details: Mapping[str, Any]) -> str:
    texts = _REASONS.get(key)
    if texts is None:
        _load_hooked()
        texts = _REASONS.get(key)
    if texts is None:
        return key
    template = texts.get(lang) or texts["en"]
    try:
        return template.format_map(_Lenient(details))
    except (ValueError, IndexError, AttributeError, KeyError):  # a malformed third-party template
        return template
