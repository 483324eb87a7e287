"""Importers for platform exports (Facebook, Instagram, X, YouTube, generic CSV/JSONL).

Importers register through the ``satark_importers`` hook, Satark's own included, exactly
as detectors do (:mod:`.builtin`; writing one: ``docs/importers.md``).

- :mod:`.base`: :class:`Record`, :class:`ImportProblem`, the :class:`Importer` protocol
- :mod:`.source`: an export (ZIP, folder or one file) as named files
- :mod:`.registry`: :func:`read_export`, :func:`detect_importer`, :func:`importers`
- :mod:`.facebook`, :mod:`.instagram` (their shared mojibake repair: :mod:`.meta`),
  :mod:`.x` (and :func:`~.x.snowflake_time`), :mod:`.youtube`, :mod:`.generic`
"""

from __future__ import annotations

from .base import Importer, ImportProblem, Kind, Record
from .generic import parse_mapping
from .registry import ExportError, detect_importer, importer_named, importers, read_export
from .source import ExportSource, open_export
from .x import snowflake_time

__all__ = [
    "ExportError",
    "ExportSource",
    "ImportProblem",
    "Importer",
    "Kind",
    "Record",
    "detect_importer",
    "importer_named",
    "importers",
    "open_export",
    "parse_mapping",
    "read_export",
    "snowflake_time",
]
