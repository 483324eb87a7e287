"""Curated lexicons, one reviewed data file per category (``data/*.yaml``)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..hookspecs import hookimpl
from .model import Entry, LexiconFile, LexiconIndex, Match, load_lexicon

__all__ = ["DATA_DIR", "Entry", "LexiconFile", "LexiconIndex", "Match", "load_lexicon"]

DATA_DIR = Path(__file__).parent / "data"


@hookimpl
def satark_lexicons() -> Iterable[Path]:
    return sorted(DATA_DIR.glob("*.yaml"))
