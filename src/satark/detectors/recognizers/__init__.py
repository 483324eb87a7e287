"""Presidio-style recognizers for personal and official identifiers, grouped by country.

- :mod:`.india`: Aadhaar, PAN, voter ID (EPIC), passport, mobile, Hindi memo labels
- :mod:`.bangladesh`: NID, mobile, passport, Bengali memo labels
- :mod:`.generic`: e-mail, English memo labels
- :mod:`.masked`: phone, NID and Aadhaar numbers with some digits masked ("01711-xxx-482")
- :mod:`.credentials`: passwords, OTPs, PINs and log-in IDs with their values
- :mod:`.security`: security and operation details (convoy times, raid timings, patrol
  gaps); a scanner, not a Presidio recognizer
- :mod:`.context`: context words in Hindi, Bengali and English (native and romanized)

The country modules import ``presidio_analyzer``, which takes about a second (it pulls in
spaCy's modules, though no model is ever loaded). So this package loads them lazily, on
first attribute access, and :mod:`.context` can be imported on its own at no cost.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

# Before presidio_analyzer imports tldextract: use its bundled public-suffix snapshot and
# never fetch the list (no network at users' sites).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

_WHERE = {
    "BdMemoRecognizer": "bangladesh",
    "BdNidRecognizer": "bangladesh",
    "BdPassportRecognizer": "bangladesh",
    "BdPhoneRecognizer": "bangladesh",
    "CredentialRecognizer": "credentials",
    "EnMemoRecognizer": "generic",
    "MemoNumberRecognizer": "generic",
    "SatarkEmailRecognizer": "generic",
    "InMemoRecognizer": "india",
    "InPhoneRecognizer": "india",
    "MaskedAadhaarRecognizer": "masked",
    "MaskedBdNidRecognizer": "masked",
    "MaskedBdPhoneRecognizer": "masked",
    "MaskedInPhoneRecognizer": "masked",
    "SatarkAadhaarRecognizer": "india",
    "SatarkPanRecognizer": "india",
    "SatarkPassportRecognizer": "india",
    "SatarkVoterRecognizer": "india",
}

__all__ = [*sorted(_WHERE), "all_recognizers"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def all_recognizers() -> list[Any]:
    """One instance of every recognizer, e.g. to register them with a Presidio engine."""
    return [getattr(importlib.import_module(f".{m}", __name__), n)() for n, m in _WHERE.items()
            if n != "MemoNumberRecognizer"]
