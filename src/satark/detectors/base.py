"""The detector interface.

A detector is any object with a ``name``, the ``categories`` it may report and a
``detect`` method. Built-ins and third-party detectors are registered the same way,
through the ``satark_detectors`` hook (see :mod:`satark.hookspecs`).

Two optional attributes: ``modes`` (a set of ``rules``/``fast``/``full``: the screening
modes the detector runs in; without it, all of them) and ``detect_many(docs, ctxs)``
(a list of hit lists, for detectors that are faster on a batch, used by
``Screener.screen_many``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..findings import Hit, LanguageGuess
from ..normalize import Document

if TYPE_CHECKING:
    from ..packs.model import PolicyPack

__all__ = ["Detector", "ScreenContext"]


@dataclass(frozen=True, slots=True)
class ScreenContext:
    """What a detector may know about the post besides its text."""

    pack: PolicyPack
    account_type: str  # "official" or "personal"
    language: LanguageGuess


@runtime_checkable
class Detector(Protocol):
    name: str
    categories: frozenset[str]

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        """Yield hits with spans in ORIGINAL-text offsets (use ``doc.span_from_*``)."""
        ...
