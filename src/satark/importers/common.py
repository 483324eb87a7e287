"""Helpers the importers share: decoding, JSON that may be cut off, times, ids, file order.

An export is often incomplete: a download that stopped, a ZIP part missing. These helpers
keep every record that can be read and describe the rest as :class:`ImportProblem`, naming
the file and the record, so the importers never fail as a whole on one bad record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from .base import ImportProblem
from .source import ExportSource

__all__ = [
    "IdMaker",
    "Items",
    "array_items",
    "bad_text",
    "decode",
    "from_epoch",
    "json_items",
    "names_in_order",
    "parse_iso",
    "urls_in",
]

#: what :func:`json_items` yields: ``(pointer, item)`` or a problem
Items = Iterator[tuple[str, Any] | ImportProblem]

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}।॥]")
_NUMBERED = re.compile(r"^(?P<stem>.*?)[\s_\-]*(?:\((?P<p>\d+)\)|(?P<n>\d+))?(?P<ext>\.[^.]+)?$")


def names_in_order(source: ExportSource, suffixes: tuple[str, ...]) -> list[str]:
    """The export's files ending in one of ``suffixes``, numbered files in number order
    (``your_posts_2`` before ``your_posts_10``, ``comments.csv`` before ``comments(1).csv``)."""

    def key(name: str) -> tuple[str, str, int, str]:
        folder, _, base = name.rpartition("/")
        match = _NUMBERED.match(base)
        assert match is not None  # the pattern matches any string
        number = match["p"] or match["n"] or "0"
        return folder, match["stem"].lower(), int(number), base

    return sorted((name for name in source.names() if name.lower().endswith(suffixes)), key=key)


def decode(data: bytes) -> tuple[str, str | None]:
    """UTF-8 text (a BOM dropped) and, when some bytes are not UTF-8, a message saying where.

    Bad bytes are kept as lone surrogates (``surrogateescape``) so that the records around
    them still parse; :func:`bad_text` then finds the records that contain them."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="surrogateescape")
        return text, f"bytes at offset {exc.start} are not UTF-8"


def bad_text(value: Any) -> bool:
    """Whether a decoded value holds bytes that were not UTF-8 (see :func:`decode`)."""
    if isinstance(value, str):
        return any("\udc80" <= char <= "\udcff" for char in value)
    if isinstance(value, dict):
        return any(bad_text(item) for item in value.values())
    if isinstance(value, list):
        return any(bad_text(item) for item in value)
    return False


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - text.rfind("\n", 0, pos)
    return f"line {line}, column {column}"


def array_items(text: str, start: int, file: str, pointer: str, tail: str | None = None) -> Items:
    """The elements of the JSON array opening at ``text[start]``, one by one, so that a file cut
    off (or broken) in its n-th element still gives the n-1 before it. With ``tail``, only
    those characters may follow the array (else a problem: the file holds something else)."""
    decoder = json.JSONDecoder()
    pos = start + 1
    index = 0
    length = len(text)
    while True:
        while pos < length and text[pos] in " \t\r\n":
            pos += 1
        if pos < length and text[pos] == "]":
            if tail is not None and text[pos + 1:].strip(tail):
                yield ImportProblem(file, pointer or "", f"unexpected text after the list: {text[pos + 1:pos + 41]!r}")
            return
        if index and pos < length and text[pos] == ",":
            pos += 1
            while pos < length and text[pos] in " \t\r\n":
                pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            cut = "invalid JSON" if text.rstrip().endswith(("]", "}", ";")) else "the file is cut off"
            yield ImportProblem(file, f"{pointer}[{index}]",
                                f"{cut} in this record ({exc.msg}: {_where(text, exc.pos)}); "
                                "the records after it are lost")
            return
        yield f"{pointer}[{index}]", item
        index += 1


_WRAPPED = re.compile(r'\s*\{\s*"((?:[^"\\]|\\.)*)"\s*:\s*\[')


def json_items(text: str, file: str) -> Items:
    """The records of a JSON file that holds a list, or an object whose one key holds a list
    (``{"comments_v2": [...]}``): ``(pointer, record)`` pairs, where the pointer is like
    ``[3]`` or ``comments_v2[3]``. A file cut off mid-way gives the records before the cut
    and a problem; a file of another shape gives nothing."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        stripped = text.lstrip()
        if stripped.startswith("["):
            yield from array_items(text, len(text) - len(stripped), file, "")
            return
        match = _WRAPPED.match(text)
        if match:
            yield from array_items(text, match.end() - 1, file, json.loads(f'"{match[1]}"'))
            return
        yield ImportProblem(file, "", f"not valid JSON ({exc.msg}: {_where(text, exc.pos)})")
        return
    if isinstance(value, list):
        yield from ((f"[{index}]", item) for index, item in enumerate(value))
    elif isinstance(value, dict) and len(value) == 1:
        (key, inner), = value.items()
        if isinstance(inner, list):
            yield from ((f"{key}[{index}]", item) for index, item in enumerate(inner))


def from_epoch(value: Any) -> dt.datetime:
    """A UNIX time in seconds (or milliseconds, when that large) as an aware UTC time."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("no time")
    number = float(value)
    if number > 1e11:  # milliseconds: 1e11 s is the year 5138
        number /= 1000
    if number <= 0:
        raise ValueError(f"not a time: {value!r}")
    return dt.datetime.fromtimestamp(number, dt.UTC)


def parse_iso(value: Any) -> dt.datetime:
    """An ISO 8601 time with a zone (``Z`` or an offset) as UTC; a time without a zone is
    refused rather than guessed, since an office's local time would shift it by hours."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("no time")
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {value!r}") from None
    if when.tzinfo is None:
        raise ValueError(f"the time {value!r} has no time zone (like +05:30 or Z)")
    return when.astimezone(dt.UTC)


def urls_in(text: str) -> tuple[str, ...]:
    """The http(s) addresses written in ``text``, in order, without repeats."""
    return tuple(dict.fromkeys(_URL.findall(text)))


class IdMaker:
    """Stable ids for exports without them (Facebook, Instagram): a hash of what the item is,
    so the same post has the same id in a later export; a repeat gets ``-2``, ``-3``..."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.seen: dict[str, int] = {}

    def __call__(self, parts: Iterable[object]) -> str:
        digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        base = f"{self.prefix}{digest}"
        count = self.seen.get(base, 0) + 1
        self.seen[base] = count
        return base if count == 1 else f"{base}-{count}"
