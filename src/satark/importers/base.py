"""What an importer reads and gives back: the contract between platform exports and the scanner.

An importer recognises one export format by its structure (file names and keys are
localised and change between export generations, so detection looks at shapes, not names
alone), and yields one :class:`Record` per item, or an :class:`ImportProblem` for a record
it cannot read, so that one bad record never costs the good ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from .source import ExportSource

__all__ = ["ImportProblem", "Importer", "Kind", "Record"]

Kind = Literal["post", "comment", "reply"]


@dataclass(frozen=True)
class Record:
    """One item of an export, in a platform-neutral shape."""

    #: ``facebook``, ``instagram``, ``x``, ``youtube`` or the generic importer's ``platform``.
    platform: str
    #: The platform's id of the item, unique within the export (a string: X ids exceed 2^53).
    item_id: str
    kind: Kind
    #: Aware, UTC.
    created_at: dt.datetime
    text: str
    #: The item it answers (a reply's or comment's parent), as the platform names it.
    parent_id: str | None = None
    #: Who wrote it, as the export names them (a handle or a display name); "" when unknown.
    author: str = ""
    links: tuple[str, ...] = ()
    #: Paths of attached media inside the export (``ExportSource`` paths).
    media: tuple[str, ...] = ()
    #: Where the raw record is: ``file`` inside the export and ``pointer`` (an index or a
    #: JSON path) within it, so a finding can be traced back to the export.
    source_file: str = ""
    pointer: str = ""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportProblem:
    """A record (or a file) that could not be read; the import goes on without it."""

    file: str
    pointer: str
    message: str


@runtime_checkable
class Importer(Protocol):
    #: A short stable name (``facebook``, ``instagram``, ``x``, ``youtube``, ``csv``, ``jsonl``).
    name: str

    def detect(self, source: ExportSource) -> bool:
        """Whether ``source`` is an export this importer reads (by structure)."""
        ...

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        """Every item, in the export's order, and a problem for each record it cannot read."""
        ...
