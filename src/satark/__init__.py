"""Satark: screen government social-media posts against conduct rules.

>>> from satark import screen
>>> report = screen("...", jurisdiction="BD", account_type="official")
>>> report.verdict, [(f.category, f.clause_ids) for f in report.findings]
"""

from __future__ import annotations

from .categories import CATEGORIES, SCORED_CATEGORIES, Category, Severity
from .detectors.base import Detector, ScreenContext
from .engine import Screener, default_screener, screen
from .errors import (
    InputError,
    LexiconError,
    PackError,
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
    "Category",
    "Clause",
    "Detector",
    "Document",
    "Finding",
    "Hit",
    "InputError",
    "LanguageGuess",
    "LexiconError",
    "PackError",
    "PackRegistry",
    "PolicyPack",
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
    "default_screener",
    "hookimpl",
    "identify",
    "load_pack",
    "normalize",
    "screen",
]
