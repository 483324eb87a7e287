"""Finding the importer for an export, and reading it.

Importers come from the ``satark_importers`` hook (Satark's own are registered by
:mod:`satark.importers.builtin` like any plugin's). A plugin installed later is asked first,
so a third party can read a format more specifically than Satark does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ..errors import InputError
from ..plugins import get_plugin_manager
from .base import Importer, ImportProblem, Record
from .generic import parse_mapping
from .source import ExportSource, open_export

__all__ = ["ExportError", "detect_importer", "importer_named", "importers", "read_export"]


class ExportError(InputError):
    """An export that cannot be read at all: missing, of no known format, or an importer or
    column mapping that does not exist. (A bad record is an ``ImportProblem``, not this.)"""


def importers() -> list[Importer]:
    """Every registered importer, in the order they are tried."""
    found: list[Importer] = []
    for factories in get_plugin_manager().hook.satark_importers():
        found.extend(factory() for factory in factories)
    return found


def _mapped(importer: Importer, mapping: Mapping[str, str] | None) -> Importer:
    if not mapping:
        return importer
    with_mapping = getattr(importer, "with_mapping", None)
    if with_mapping is None:
        raise ExportError(f"the {importer.name} importer takes no column mapping")
    result: Importer = with_mapping(mapping)
    return result


def importer_named(name: str, mapping: Mapping[str, str] | None = None) -> Importer:
    known = importers()
    for importer in known:
        if importer.name == name:
            return _mapped(importer, mapping)
    raise ExportError(f"no importer named {name!r}; known: {', '.join(i.name for i in known)}")


def detect_importer(source: ExportSource, mapping: Mapping[str, str] | None = None) -> Importer:
    """The first importer whose ``detect`` accepts ``source``; :class:`ExportError` naming what
    was looked for when none does."""
    known = importers()
    for importer in known:
        candidate = importer
        if mapping and hasattr(importer, "with_mapping"):
            candidate = _mapped(importer, mapping)
        try:
            if candidate.detect(source):
                return candidate
        except (OSError, ValueError, KeyError):
            continue
    wanted = "\n".join(f"  - {getattr(i, 'looks_for', i.name)}" for i in known)
    raise ExportError(f"{source.root}: not an export Satark can read. Looked for:\n{wanted}")


def read_export(
    path: str | Path, importer: str | None = None, mapping: Mapping[str, str] | str | None = None
) -> Iterator[Record | ImportProblem]:
    """Every item of the export at ``path`` (a ZIP, a folder or a CSV/JSON Lines file), and a
    problem for each record that cannot be read. ``importer`` names the format instead of
    detecting it; ``mapping`` is the generic importers' column mapping (``text=message,...``).

    Raises :class:`ExportError` before yielding anything if the export cannot be opened or
    recognised."""
    columns = parse_mapping(mapping)
    try:
        source = open_export(path)
    except (OSError, ValueError) as exc:
        raise ExportError(str(exc)) from None
    try:
        chosen = importer_named(importer, columns) if importer else detect_importer(source, columns)
    except BaseException:
        source.close()
        raise
    return _read(source, chosen)


def _read(source: ExportSource, chosen: Importer) -> Iterator[Record | ImportProblem]:
    with source:
        try:
            yield from chosen.read(source)
        except (OSError, KeyError) as exc:  # a ZIP member or file that cannot be read
            yield ImportProblem(str(source.root), "", f"the export cannot be read further: {exc}")
