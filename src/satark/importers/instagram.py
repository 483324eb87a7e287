"""Instagram "Download Your Information" (JSON): posts and reels, and the account's comments.

Recognised by the records' shape (names are translated and moved between generations):

- a post is ``{"media": [{"uri", "creation_timestamp", "title"}], "title"?, "creation_timestamp"?}``:
  a one-photo post keeps its caption in the medium's ``title``, a carousel at the top;
- a comment is ``{"string_map_data": {"Comment": {"value"}, "Time": {"timestamp"}, ...}}``
  (newer exports; the keys are translated, so the text is taken from the ``Comment`` key
  when present, else from the first value that is not a link) or, in older exports,
  ``{"comments_media_comments": [{"string_list_data": [{"value", "timestamp"}]}]}``.
  Entries with an ``href`` (followers, likes, profile fields) are not comments.

Strings carry the same mojibake as Facebook's (:mod:`.meta`). Instagram gives no ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .base import ImportProblem, Record
from .common import IdMaker, from_epoch, urls_in
from .meta import MediaPaths, first_int, meta_files
from .source import ExportSource

__all__ = ["InstagramImporter"]

_COMMENT_KEYS = ("Comment", "comment", "Kommentar", "Commentaire", "Comentario", "Commento", "टिप्पणी", "মন্তব্য")


def _media(record: Any) -> list[dict[str, Any]]:
    media = record.get("media") if isinstance(record, dict) else None
    if not isinstance(media, list):
        return []
    return [medium for medium in media if isinstance(medium, dict) and isinstance(medium.get("uri"), str)]


def _is_post(record: Any) -> bool:
    return bool(_media(record))


def _entries(record: Any) -> list[dict[str, Any]] | None:
    """A comment's value/time entries, or None when ``record`` is not a comment."""
    if not isinstance(record, dict):
        return None
    mapped = record.get("string_map_data")
    if isinstance(mapped, dict) and mapped:
        entries = [entry for entry in mapped.values() if isinstance(entry, dict)]
    else:
        listed = record.get("string_list_data")
        if not isinstance(listed, list) or not listed:
            return None
        entries = [entry for entry in listed if isinstance(entry, dict)]
    if not entries or any("href" in entry for entry in entries):
        return None
    if not any(isinstance(entry.get("value"), str) for entry in entries):
        return None
    return entries


def _is_comment(record: Any) -> bool:
    return _entries(record) is not None


_HINT = re.compile(r'"(string_map_data|string_list_data|media)"\s*:')


def _is_instagram(record: Any) -> bool:
    return _is_post(record) or _is_comment(record)


class InstagramImporter:
    name = "instagram"
    looks_for = "Instagram: JSON lists of posts ({media: [{uri, creation_timestamp}]}) or comments (string_map_data)"

    def detect(self, source: ExportSource) -> bool:
        return next(meta_files(source, _is_instagram), None) is not None

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        ids = IdMaker("ig-")
        paths = MediaPaths(source)
        for name, items in meta_files(source, _is_instagram, _HINT):
            for item in items:
                if isinstance(item, ImportProblem):
                    yield item
                elif _is_post(item[1]):
                    yield self._post(name, *item, ids, paths)
                elif _is_comment(item[1]):
                    yield self._comment(name, *item, ids)

    def _post(self, name: str, pointer: str, record: dict[str, Any], ids: IdMaker,
              paths: MediaPaths) -> Record | ImportProblem:
        media = _media(record)
        stamp = first_int(record.get("creation_timestamp"), *(medium.get("creation_timestamp") for medium in media))
        if stamp is None:
            return ImportProblem(name, pointer, "a post without its time (creation_timestamp)")
        title = record.get("title")
        if not isinstance(title, str) or not title:
            title = next((m["title"] for m in media if isinstance(m.get("title"), str) and m["title"]), "")
        uris = tuple(paths(name, medium["uri"]) for medium in media)
        names = (uri.rsplit("/", 1)[-1] for uri in uris)  # not the folders: they move between generations
        return Record(platform="instagram", item_id=ids(("post", stamp, title, *names)), kind="post",
                      created_at=from_epoch(stamp), text=title, links=urls_in(title), media=uris,
                      source_file=name, pointer=pointer)

    def _comment(self, name: str, pointer: str, record: dict[str, Any], ids: IdMaker) -> Record | ImportProblem:
        entries = _entries(record) or []
        mapped = record.get("string_map_data")
        text = None
        if isinstance(mapped, dict):
            text = next((mapped[key]["value"] for key in _COMMENT_KEYS
                         if isinstance(mapped.get(key), dict) and isinstance(mapped[key].get("value"), str)), None)
        if text is None:
            text = next(entry["value"] for entry in entries if isinstance(entry.get("value"), str))
        stamp = first_int(*(entry.get("timestamp") for entry in entries))
        if stamp is None:
            return ImportProblem(name, pointer, "a comment without its time (timestamp)")
        extra: dict[str, str] = {}
        owner = mapped.get("Media Owner") if isinstance(mapped, dict) else None
        if isinstance(owner, dict) and isinstance(owner.get("value"), str):
            extra["media_owner"] = owner["value"]
        elif isinstance(record.get("title"), str) and record["title"]:
            extra["media_owner"] = record["title"]
        return Record(platform="instagram", item_id=ids(("comment", stamp, text)), kind="comment",
                      created_at=from_epoch(stamp), text=text, links=urls_in(text), source_file=name,
                      pointer=pointer, extra=extra)
