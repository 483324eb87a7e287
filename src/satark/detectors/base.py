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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ..findings import Hit, LanguageGuess
from ..normalize import Document

if TYPE_CHECKING:
    from ..packs.model import PolicyPack

__all__ = ["BatchDetector", "Detector", "ModeAware", "ScreenContext"]


@dataclass(frozen=True, slots=True)
class ScreenContext:
    """What a detector may know about the post besides its text."""

    pack: PolicyPack
    account_type: str  # "official" or "personal"
    language: LanguageGuess


@runtime_checkable
class Detector(Protocol):
    """What every detector has (``docs/detectors.md`` shows one written from scratch).

    Optional members, used when present (see :class:`ModeAware` and :class:`BatchDetector`):

    - ``modes: frozenset[str]``: the screening modes it runs in (``rules``, ``fast``,
      ``full``); without it, all of them.
    - ``detect_many(docs, ctxs) -> list[list[Hit]]``: one hit list per post, for
      detectors that are faster on a batch (``Screener.screen_many`` uses it).
    """

    name: str
    categories: frozenset[str]

    def detect(self, doc: Document, ctx: ScreenContext) -> Iterable[Hit]:
        """Yield hits with spans in ORIGINAL-text offsets (use ``doc.span_from_*``)."""
        ...


@runtime_checkable
class ModeAware(Protocol):
    """A detector that runs only in some screening modes (the learned classifiers)."""

    modes: frozenset[str]


@runtime_checkable
class BatchDetector(Protocol):
    """A detector that screens a batch of posts at once (faster per post)."""

    def detect_many(self, docs: Sequence[Document],
                    ctxs: Sequence[ScreenContext]) -> list[list[Hit]]:
        """One list of hits per post, in order: the same hits ``detect`` gives one by one."""
        ...
