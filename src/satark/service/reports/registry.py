"""The report sections in use: Satark's own and those of installed plugins, in one registry.

Satark's own sections register here exactly as a third party's do: call :func:`register`
at import time of a module listed in an entry point of the ``satark.report_sections``
group, or in :data:`BUILTIN_MODULES`.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from .base import ReportSection

__all__ = ["BUILTIN_MODULES", "register", "sections"]

#: Modules whose import registers Satark's own sections.
BUILTIN_MODULES: tuple[str, ...] = (
    "satark.service.reports.core_sections",
    "satark.service.reports.inbox_section",
    "satark.service.reports.violations_section",
    "satark.service.reports.training_section",
)

_SECTIONS: dict[str, ReportSection] = {}
_loaded = False


def register(section: ReportSection) -> ReportSection:
    """Add ``section`` (a later one with the same key replaces the earlier)."""
    if not isinstance(section, ReportSection):
        raise TypeError(f"{section!r} is not a report section (needs key, order and build)")
    _SECTIONS[section.key] = section
    return section


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in BUILTIN_MODULES:
        importlib.import_module(name)
    for ep in entry_points(group="satark.report_sections"):
        ep.load()


def sections() -> list[ReportSection]:
    """Every registered section, in print order."""
    _load()
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
