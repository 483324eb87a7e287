"""What Facebook and Instagram exports share: their broken text encoding, and reading files.

Meta's "Download Your Information" JSON writes every string's UTF-8 *bytes* as ``\\u00XX``
escapes, one per byte, so a JSON parser sees "à¦¬à¦¾à¦\\x82à¦²à¦¾" where the user wrote "বাংলা".
The exact inverse is a latin-1 round trip (latin-1 maps code points 0-255 to the same
bytes). ``ftfy`` would guess at mixed damage with heuristics and is one more dependency;
this damage is systematic, so the precise inverse is both simpler and safer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .base import ImportProblem
from .common import Items, bad_text, decode, json_items, names_in_order
from .source import ExportSource

__all__ = ["MediaPaths", "first_int", "meta_files", "repair", "repair_tree"]


def repair(text: str) -> str:
    """Undo Meta's mojibake: the string's code points are UTF-8 bytes, so encode them as
    latin-1 and decode as UTF-8. A string that is not such bytes (a code point above 255, or
    bytes that are not valid UTF-8, e.g. an export that is already correct) is kept as is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def repair_tree(value: Any) -> Any:
    """:func:`repair` applied to every string (keys included) of parsed JSON."""
    if isinstance(value, str):
        return repair(value)
    if isinstance(value, list):
        return [repair_tree(item) for item in value]
    if isinstance(value, dict):
        return {repair(key): repair_tree(item) for key, item in value.items()}
    return value


def meta_files(
    source: ExportSource, accepts: Callable[[Any], bool], hint: re.Pattern[str] | None = None
) -> Iterator[tuple[str, Items]]:
    """The export's JSON files whose records ``accepts`` recognises (it is asked about each
    record until one fits), each with its records, repaired; undecodable records become
    problems. Files of other shapes (settings, friends, messages) are passed over, except a
    file with no complete record that matches ``hint`` (a file cut off in its first record),
    whose problem is reported (detection passes no hint: such a file proves nothing)."""
    for name in names_in_order(source, (".json",)):
        try:
            raw = source.read_bytes(name)
        except (OSError, KeyError, ValueError) as exc:
            yield name, iter([ImportProblem(name, "", f"cannot be read: {exc}")])
            continue
        text, undecodable = decode(raw)
        items = list(json_items(text, name))
        records = [item for item in items if not isinstance(item, ImportProblem)]
        if not any(accepts(record) for _, record in records):
            if hint is not None and not records and len(items) == 1 and hint.search(text[:4096]):
                yield name, iter(items)
            continue
        yield name, _repaired(name, items, undecodable)


def _repaired(name: str, items: list[tuple[str, Any] | ImportProblem], undecodable: str | None) -> Items:
    for item in items:
        if isinstance(item, ImportProblem):
            yield item
            continue
        pointer, record = item
        if undecodable and bad_text(record):
            yield ImportProblem(name, pointer, f"this record holds text that is not UTF-8 ({undecodable})")
            continue
        yield pointer, repair_tree(record)


def first_int(*values: Any) -> int | None:
    """The first value that is a whole number (Meta's timestamps), or None."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
    return None


class MediaPaths:
    """A media ``uri`` of a Meta export (relative to the export's top) as the path of the file
    in this :class:`ExportSource`, which may hold the export inside a folder (a ZIP of the
    unpacked folder); the uri itself when no such file is there."""

    def __init__(self, source: ExportSource) -> None:
        self.names = set(source.names())

    def __call__(self, json_name: str, uri: str) -> str:
        if uri in self.names:
            return uri
        parts = json_name.split("/")[:-1]
        for end in range(1, len(parts) + 1):
            candidate = "/".join([*parts[:end], uri])
            if candidate in self.names:
                return candidate
        return uri
