"""Satark: screen government social-media posts against conduct rules.

>>> from satark import screen
>>> report = screen("...", jurisdiction="BD", account_type="official")
>>> report.verdict, [(f.category, f.clause_ids) for f in report.findings]
"""

from __future__ import annotations

from .categories import CATEGORIES, SCORED_CATEGORIES, Category, Severity
from .detectors.base import Detector, ScreenContext
from .engine import AccountType, Mode, Screener, check_post, default_screener, screen
from .errors import (
    InputError,
    LexiconError,
    PackError,
    RecognizerDataError,
    SatarkError,
    UnknownClause,
    UnknownJurisdiction,
)
from .findings import Finding, Hit, LanguageGuess, Report, Span, Verdict
from .hookspecs import hookimpl
from .langid import identify
from .normalize import Document, normalize
from .packs import Clause, PackRegistry, PolicyPack, load_pack

__version__ = "0.1.0"

__all__ = [
    "CATEGORIES",
    "SCORED_CATEGORIES",
    "AccountType",
    "Category",
    "Clause",
    "Detector",
    "Document",
    "Finding",
    "Hit",
    "InputError",
    "LanguageGuess",
    "LexiconError",
    "Mode",
    "PackError",
    "PackRegistry",
    "PolicyPack",
    "RecognizerDataError",
    "Report",
    "SatarkError",
    "ScreenContext",
    "Screener",
    "Severity",
    "Span",
    "UnknownClause",
    "UnknownJurisdiction",
    "Verdict",
    "__version__",
    "check_post",
    "default_screener",
    "hookimpl",
    "identify",
    "load_pack",
    "normalize",
    "screen",
]
