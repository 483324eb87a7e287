"""CSV and JSON Lines exports from any other tool, read through a column mapping.

A mapping names, for each field of a :class:`~.base.Record`, the column (CSV) or key (JSON
Lines; ``a.b`` for a nested key) that holds it: ``text=message,created_at=time,item_id=id``.
Fields left out are looked for under common names (:data:`DEFAULTS`). ``text`` and
``created_at`` are required; a time is ISO 8601 with a zone, or a UNIX time.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import InputError
from .base import ImportProblem, Kind, Record
from .common import IdMaker, bad_text, decode, from_epoch, names_in_order, parse_iso, urls_in
from .source import ExportSource

__all__ = ["DEFAULTS", "FIELDS", "GenericImporter", "parse_mapping"]

#: Each field and the names it is looked for under when the mapping does not name one.
DEFAULTS: dict[str, tuple[str, ...]] = {
    "text": ("text", "message", "body", "content", "post", "comment", "full_text", "caption"),
    "created_at": ("created_at", "created", "time", "timestamp", "date", "datetime", "published_at", "posted_at",
                   "received_at"),
    "item_id": ("item_id", "id", "post_id", "comment_id", "external_id", "tweet_id"),
    "parent_id": ("parent_id", "parent", "in_reply_to", "reply_to", "in_reply_to_id"),
    "author": ("author", "author_handle", "user", "username", "handle", "from"),
    "kind": ("kind", "type"),
    "links": ("links", "link", "urls", "url"),
    "media": ("media", "images", "image", "attachments"),
    "platform": ("platform", "network", "site"),
}
FIELDS = tuple(DEFAULTS)
_KINDS: tuple[Kind, ...] = ("post", "comment", "reply")


def parse_mapping(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"text=message,created_at=time"`` (or a mapping) as ``{field: column}``, checked."""
    if spec is None:
        return {}
    if isinstance(spec, str):
        pairs: dict[str, str] = {}
        for part in filter(None, (piece.strip() for piece in spec.split(","))):
            field, sep, column = part.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise InputError(f"a column mapping is field=column, like text=message: {part!r}")
            pairs[field.strip()] = column.strip()
        spec = pairs
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field(s) in the column mapping: {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    return dict(spec)


def _get(record: Mapping[str, Any], key: str) -> Any:
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(item) for item in value if isinstance(item, (str, int)) and str(item))
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    return ()


class GenericImporter:
    """``fmt`` is ``csv`` or ``jsonl``; ``platform`` names the records' platform unless a
    ``platform`` column does."""

    def __init__(self, fmt: str, mapping: Mapping[str, str] | None = None, platform: str = "generic") -> None:
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"the generic importer reads csv or jsonl, not {fmt!r}")
        self.name = fmt
        self.fmt = fmt
        self.mapping = parse_mapping(mapping)
        self.platform = platform
        self._what = "column" if fmt == "csv" else "key"
        self.suffixes = (".csv",) if fmt == "csv" else (".jsonl", ".ndjson")
        self.looks_for = (f"{'CSV' if fmt == 'csv' else 'JSON Lines'} files ({', '.join(self.suffixes)}) with a "
                          f"text column ({self._names('text')}) and a time column ({self._names('created_at')})")

    def with_mapping(self, mapping: Mapping[str, str] | str) -> GenericImporter:
        return GenericImporter(self.fmt, parse_mapping(mapping), self.platform)

    def _names(self, field: str) -> str:
        return self.mapping[field] if field in self.mapping else "/".join(DEFAULTS[field][:4]) + "/..."

    def _resolve(self, keys: list[str]) -> dict[str, str]:
        """Field → the column that holds it in a file with these column names."""
        lower = {key.lower(): key for key in keys}
        out = {}
        for field, names in DEFAULTS.items():
            if field in self.mapping:
                wanted = self.mapping[field]
                if wanted in keys or "." in wanted:
                    out[field] = wanted
                elif wanted.lower() in lower:
                    out[field] = lower[wanted.lower()]
                continue
            found = next((lower[name] for name in names if name in lower), None)
            if found is not None:
                out[field] = found
        return out

    def _first_keys(self, text: str) -> list[str] | None:
        if self.fmt == "csv":
            try:
                return next(csv.reader(io.StringIO(text, newline="")), None)
            except csv.Error:
                return None
        for line in text.split("\n")[:20]:
            try:
                value = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(value, dict):
                return [*value, *self.mapping.values()]
        return None

    def detect(self, source: ExportSource) -> bool:
        for name in names_in_order(source, self.suffixes):
            text, _ = decode(source.read_bytes(name)[:65536])
            keys = self._first_keys(text)
            if keys is not None:
                columns = self._resolve(keys)
                if "text" in columns and "created_at" in columns:
                    return True
        return False

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        ids = IdMaker(f"{self.fmt}-")
        for name in names_in_order(source, self.suffixes):
            text, undecodable = decode(source.read_bytes(name))
            rows = self._csv_rows(name, text) if self.fmt == "csv" else self._jsonl_rows(name, text)
            columns: dict[str, str] | None = None
            for item in rows:
                if isinstance(item, ImportProblem):
                    yield item
                    continue
                line, keys, record = item
                if columns is None or self.fmt == "jsonl":
                    columns = self._resolve(keys)
                    missing = [f for f in ("text", "created_at") if f not in columns]
                    if missing:
                        what = "column" if self.fmt == "csv" else "field in this record"
                        yield ImportProblem(name, f"line {line}", "no " + " and no ".join(
                            f"{f} {what} (looked for {self._names(f)})" for f in missing))
                        if self.fmt == "csv":
                            break
                        continue
                if undecodable and bad_text(record):
                    yield ImportProblem(name, f"line {line}",
                                        f"this record holds text that is not UTF-8 ({undecodable})")
                    continue
                yield self._record(name, line, record, columns, ids)

    def _csv_rows(self, name: str, text: str) -> Iterator[tuple[int, list[str], dict[str, Any]] | ImportProblem]:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            keys = list(reader.fieldnames or [])
            for row in reader:
                yield reader.line_num, keys, {k: v for k, v in row.items() if k is not None}
        except csv.Error as exc:
            yield ImportProblem(name, f"line {reader.line_num}", f"the CSV file cannot be read from here on: {exc}")

    def _jsonl_rows(self, name: str, text: str) -> Iterator[tuple[int, list[str], dict[str, Any]] | ImportProblem]:
        # "\n" only: str.splitlines would also split at U+2028, which JSON strings may hold
        for line, raw in enumerate(text.split("\n"), start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                if bad_text(raw):
                    yield ImportProblem(name, f"line {line}", "this line holds bytes that are not UTF-8")
                else:
                    yield ImportProblem(name, f"line {line}", f"not valid JSON ({exc.msg}, column {exc.colno})")
                continue
            if not isinstance(value, dict):
                yield ImportProblem(name, f"line {line}", "each line must be a JSON object")
                continue
            yield line, [*value, *self.mapping.values()], value

    def _record(self, name: str, line: int, record: Mapping[str, Any], columns: Mapping[str, str],
                ids: IdMaker) -> Record | ImportProblem:
        pointer = f"line {line}"

        def value(field: str) -> Any:
            return _get(record, columns[field]) if field in columns else None

        text = value("text")
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            return ImportProblem(name, pointer, f"no text ({self._what} {columns['text']!r})")
        raw_time = value("created_at")
        try:
            if isinstance(raw_time, (int, float)) and not isinstance(raw_time, bool):
                when = from_epoch(raw_time)
            elif isinstance(raw_time, str) and raw_time.strip().replace(".", "", 1).isdigit():
                when = from_epoch(raw_time.strip())
            else:
                when = parse_iso(raw_time)
        except (ValueError, OverflowError, OSError) as exc:
            return ImportProblem(name, pointer, f"no readable time ({self._what} {columns['created_at']!r}): {exc}")
        parent = value("parent_id")
        parent_id = str(parent) if isinstance(parent, (str, int)) and str(parent) else None
        raw_kind = value("kind")
        kind: Kind = next((k for k in _KINDS if k == raw_kind), "reply" if parent_id else "post")
        item_id = value("item_id")
        links = _strings(value("links")) or urls_in(text)
        author = value("author")
        platform = value("platform")
        return Record(
            platform=platform if isinstance(platform, str) and platform else self.platform,
            item_id=str(item_id) if isinstance(item_id, (str, int)) and str(item_id) else ids((when, text)),
            kind=kind, created_at=when, text=text, parent_id=parent_id,
            author=str(author) if isinstance(author, (str, int)) else "", links=links,
            media=_strings(value("media")), source_file=name, pointer=pointer)
