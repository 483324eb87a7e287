"""YouTube Takeout: the account's comments, ``comments.csv`` (split as ``comments(1).csv``...).

Columns are read by their header, since their order changed in June 2024 (a parent
comment and a post column were added). The text cell holds JSON segments, the older
``{"takeoutSegments": [{"text": ...}]}`` or the newer comma-joined ``{"text": ...},{"text":
...}``; the text is the segments' text joined. Headers may be translated: the text column
is then the one that holds segments, the time column the one that holds ISO 8601 times.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

from .base import ImportProblem, Kind, Record
from .common import IdMaker, bad_text, decode, names_in_order, parse_iso, urls_in
from .source import ExportSource

__all__ = ["YouTubeImporter", "segments_text"]

_COLUMNS = {
    "commentid": "id", "channelid": "author", "commentcreatetimestamp": "time", "parentcommentid": "parent",
    "postid": "post", "videoid": "video", "commenttext": "text",
}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z]", "", header.lower())


def segments_text(cell: str) -> tuple[str, tuple[str, ...]]:
    """The text and links of a comment cell; ValueError if it is not segments JSON."""
    stripped = cell.strip()
    if not stripped:
        return "", ()
    try:
        value: Any = json.loads(stripped)
    except json.JSONDecodeError:
        try:
            value = json.loads(f"[{stripped}]")
        except json.JSONDecodeError as exc:
            raise ValueError(f"the comment text is not JSON segments ({exc.msg})") from None
    if isinstance(value, dict):
        value = value.get("takeoutSegments", [value])
    if not isinstance(value, list) or not all(isinstance(seg, dict) for seg in value):
        raise ValueError("the comment text is not JSON segments")
    text = "".join(str(seg.get("text", "")) for seg in value)
    links: list[str] = []
    for seg in value:
        link = seg.get("link")
        if isinstance(link, dict):
            links.extend(str(v) for k, v in link.items() if k in ("linkUrl", "url") and isinstance(v, str))
    return text, tuple(dict.fromkeys([*links, *urls_in(text)]))


def _is_segments(cell: str) -> bool:
    stripped = cell.strip()
    if not stripped.startswith("{") or not ('"takeoutSegments"' in stripped or '"text"' in stripped):
        return False
    try:
        segments_text(stripped)
    except ValueError:
        return False
    return True


def _is_time(cell: str) -> bool:
    try:
        parse_iso(cell)
    except ValueError:
        return False
    return True


def _columns(header: list[str], first: list[str] | None) -> dict[str, int]:
    """Role (``id``, ``time``, ``text``...) → column index, by name, else by content."""
    roles: dict[str, int] = {}
    for index, name in enumerate(header):
        role = _COLUMNS.get(_norm(name))
        if role and role not in roles:
            roles[role] = index
    if first is not None:
        if "text" not in roles:
            found = next((i for i, cell in enumerate(first) if _is_segments(cell)), None)
            if found is not None:
                roles["text"] = found
        if "time" not in roles:
            found = next((i for i, cell in enumerate(first) if _is_time(cell)), None)
            if found is not None:
                roles["time"] = found
    return roles


def _rows(name: str, text: str) -> tuple[list[str], list[tuple[int, list[str]]], ImportProblem | None]:
    """The header, the rows with their line numbers, and a problem if the CSV breaks off."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        header = next(reader, [])
        for row in reader:
            if row:
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        problem = ImportProblem(name, f"line {reader.line_num}", f"the CSV file cannot be read from here on: {exc}")
        return header, rows, problem
    return header, rows, None


class YouTubeImporter:
    name = "youtube"
    looks_for = "YouTube Takeout: comments CSV files with a column of JSON text segments"

    def detect(self, source: ExportSource) -> bool:
        for name in names_in_order(source, (".csv",)):
            text, _ = decode(source.read_bytes(name)[:65536])
            reader = csv.reader(io.StringIO(text, newline=""))
            try:
                header = next(reader, [])
                rows = [(0, row) for row in itertools.islice(reader, 5) if row]
            except csv.Error:
                continue
            if not rows:
                if "commenttext" in map(_norm, header):
                    return True
                continue
            index = _columns(header, rows[0][1]).get("text")
            if index is not None and any(index < len(row) and _is_segments(row[index]) for _, row in rows[:5]):
                return True
        return False

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        ids = IdMaker("yt-")
        for name in names_in_order(source, (".csv",)):
            text, undecodable = decode(source.read_bytes(name))
            header, rows, broken = _rows(name, text)
            roles = _columns(header, rows[0][1] if rows else None)
            if "text" not in roles or "time" not in roles:
                continue
            for line, row in rows:
                yield self._record(name, line, row, roles, undecodable, ids)
            if broken is not None:
                yield broken

    def _record(self, name: str, line: int, row: list[str], roles: dict[str, int], undecodable: str | None,
                ids: IdMaker) -> Record | ImportProblem:
        pointer = f"line {line}"
        if undecodable and bad_text(row):
            return ImportProblem(name, pointer, f"this row holds text that is not UTF-8 ({undecodable})")

        def cell(role: str) -> str:
            index = roles.get(role)
            return row[index].strip() if index is not None and index < len(row) else ""

        try:
            text, links = segments_text(cell("text"))
        except ValueError as exc:
            return ImportProblem(name, pointer, str(exc))
        try:
            when = parse_iso(cell("time"))
        except ValueError as exc:
            return ImportProblem(name, pointer, f"no readable time: {exc}")
        parent = cell("parent")
        video, post = cell("video"), cell("post")
        kind: Kind = "reply" if parent else "comment"
        extra = {key: value for key, value in (("video_id", video), ("post_id", post)) if value}
        return Record(platform="youtube", item_id=cell("id") or ids((when.isoformat(), text)), kind=kind,
                      created_at=when, text=text, parent_id=parent or video or post or None, author=cell("author"),
                      links=links, source_file=name, pointer=pointer, extra=extra)
