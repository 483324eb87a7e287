"""Personal and official identifiers, credentials and security details in a post
(category ``confidential``; CG 1, BD §6.1, §7).

Split by job:

- :mod:`.detector`: the prefilter, the candidates from the recognizers, the findings
- :mod:`.decision`: the decision table (identifier x context -> confidence)
- :mod:`.post`: post-level steps (overlaps, lists of numbers, one person's record)
- :mod:`.reasons`: reason texts in en/hi/bn, entity names, masking

Importing this package is cheap (plugin registration imports it for every command):
the detector module, with its recognizers and word lists, loads when a detector is built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...hookspecs import hookimpl
from ..base import Detector

if TYPE_CHECKING:
    from .detector import ConfidentialDataDetector

__all__ = ["ConfidentialDataDetector", "satark_detectors", "satark_reason_texts"]


def __getattr__(name: str) -> Any:
    if name == "ConfidentialDataDetector":
        from .detector import ConfidentialDataDetector

        return ConfidentialDataDetector
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build() -> Detector:
    from .detector import ConfidentialDataDetector

    return ConfidentialDataDetector()


@hookimpl
def satark_detectors() -> list[Callable[[], Detector]]:
    return [_build]


@hookimpl
def satark_reason_texts() -> Mapping[str, Mapping[str, str]]:
    from .reasons import REASONS

    return REASONS
