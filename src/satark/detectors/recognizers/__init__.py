"""Recognizers for personal and official identifiers, grouped by country.

- :mod:`.base`: the recognizer base (patterns with base scores, context, a validator)
- :mod:`.india`: Aadhaar, PAN, voter ID (EPIC), passport, mobile, Hindi memo labels
- :mod:`.bangladesh`: NID, mobile, passport, Bengali memo labels
- :mod:`.generic`: e-mail, English memo labels
- :mod:`.masked`: phone, NID and Aadhaar numbers with some digits masked ("01711-xxx-482")
- :mod:`.credentials`: passwords, OTPs, PINs and log-in IDs with their values
- :mod:`.security`: security and operation details (convoy times, raid timings, patrol
  gaps); a scanner, not a recognizer
- :mod:`.context`: context words in Hindi, Bengali and English (native and romanized)
- :mod:`.data`: the word lists and declared identifiers, as validated data files
- :mod:`.declared`: recognizers for the identifiers a data file declares

Recognizers reach the confidential-data detector through the ``satark_recognizers``
hook, Satark's own included (this module's :func:`satark_recognizers`); data files
through ``satark_recognizer_data``. The country modules load lazily, on first attribute
access or when the detector is built: importing this package costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import Any

from ...hookspecs import hookimpl

_WHERE = {
    "BdMemoRecognizer": "bangladesh",
    "BdNidRecognizer": "bangladesh",
    "BdPassportRecognizer": "bangladesh",
    "BdPhoneRecognizer": "bangladesh",
    "CredentialRecognizer": "credentials",
    "DeclaredRecognizer": "declared",
    "EnMemoRecognizer": "generic",
    "MemoNumberRecognizer": "generic",
    "Pattern": "base",
    "Recognizer": "base",
    "RecognizerResult": "base",
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

#: Satark's own recognizers, in the order the detector runs them within each role
BUILT_IN: tuple[str, ...] = (
    "InPhoneRecognizer", "BdPhoneRecognizer", "SatarkAadhaarRecognizer", "BdNidRecognizer",
    "SatarkEmailRecognizer", "SatarkPanRecognizer", "SatarkVoterRecognizer",
    "SatarkPassportRecognizer", "BdPassportRecognizer",
    "InMemoRecognizer", "BdMemoRecognizer", "EnMemoRecognizer",
    "MaskedInPhoneRecognizer", "MaskedBdPhoneRecognizer", "MaskedAadhaarRecognizer",
    "MaskedBdNidRecognizer", "CredentialRecognizer",
)

__all__ = [*sorted(_WHERE), "BUILT_IN", "satark_recognizer_data", "satark_recognizers"]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


@hookimpl(tryfirst=True)
def satark_recognizers() -> list[Callable[[], Any]]:
    """Satark's recognizers, then one per memo-label language and identifier in the data files."""
    from .data import merged_data
    from .declared import DeclaredRecognizer
    from .generic import MemoNumberRecognizer

    factories: list[Callable[[], Any]] = [__getattr__(name) for name in BUILT_IN]
    data = merged_data()
    for lang, labels in data.memo_labels.items():
        if lang not in ("hi", "bn", "en"):  # a state's own language: its own memo labels
            factories.append(partial(MemoNumberRecognizer, tuple(labels),
                                     name=f"MemoRecognizer[{lang}]"))
    factories.extend(partial(DeclaredRecognizer, spec) for spec in data.identifiers)
    return factories


@hookimpl
def satark_recognizer_data() -> list[Any]:
    """Satark's own data files are read first by :func:`.data.merged_data` itself."""
    return []
