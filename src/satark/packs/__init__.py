"""Policy packs: the guidelines as data."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..hookspecs import hookimpl
from .model import Clause, ClauseText, Localized, PolicyPack, Source, VerdictPolicy, load_pack
from .registry import PackRegistry

__all__ = [
    "Clause",
    "ClauseText",
    "Localized",
    "PackRegistry",
    "PolicyPack",
    "Source",
    "VerdictPolicy",
    "load_pack",
]

DATA_DIR = Path(__file__).parent / "data"


@hookimpl
def satark_policy_packs() -> Iterable[Path]:
    """The built-in packs: Chhattisgarh 2017 and Bangladesh 2019 with its circulars."""
    return sorted(DATA_DIR.glob("*.yaml"))
