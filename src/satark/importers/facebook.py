"""Facebook "Download Your Information" (JSON): posts (a profile's or a Page's) and comments.

Recognised by the records' shape, since the file and folder names are translated and moved
between export generations (``posts/your_posts_1.json`` in older exports,
``your_facebook_activity/posts/...`` later):

- a post is ``{"timestamp": ..., "data": [{"post": text}], "attachments": [...]}``; a
  media-only post has attachments (``media.uri``) and no text; posts come in numbered files;
- a comment is ``{"timestamp": ..., "data": [{"comment": {"comment": text, "author": ...}}]}``,
  under ``"comments"`` (older exports), ``"comments_v2"`` (newer), or as a bare list.

Facebook gives no ids, so an item's id is a hash of what it is (:class:`~.common.IdMaker`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .base import ImportProblem, Kind, Record
from .common import IdMaker, from_epoch, urls_in
from .meta import MediaPaths, first_int, meta_files
from .source import ExportSource

__all__ = ["FacebookImporter"]

_POST_DATA_KEYS = {"post", "update_timestamp", "backdated_timestamp"}


def _data(record: dict[str, Any]) -> list[dict[str, Any]]:
    data = record.get("data")
    return [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []


def _attachments(record: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for attachment in record.get("attachments") or []:
        if isinstance(attachment, dict):
            out.extend(entry for entry in attachment.get("data") or [] if isinstance(entry, dict))
    return out


def _is_post(record: Any) -> bool:
    if not isinstance(record, dict):
        return False
    data = _data(record)
    if any("post" in entry for entry in data):
        return True
    keys = {key for entry in data for key in entry}
    media = any("media" in entry or "external_context" in entry for entry in _attachments(record))
    return media and keys <= _POST_DATA_KEYS and "timestamp" in record


def _is_comment(record: Any) -> bool:
    return isinstance(record, dict) and any(isinstance(entry.get("comment"), dict) for entry in _data(record))


#: A file cut off in its first record is still reported when it looks like posts or comments.
_HINT = re.compile(r'"(post|comment)"\s*:')


def _basename(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _is_facebook(record: Any) -> bool:
    return _is_post(record) or _is_comment(record)


class FacebookImporter:
    name = "facebook"
    looks_for = "Facebook: JSON lists of posts ({timestamp, data: [{post}]}) or comments ({data: [{comment}]})"

    def detect(self, source: ExportSource) -> bool:
        return next(meta_files(source, _is_facebook), None) is not None

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        ids = IdMaker("fb-")
        paths = MediaPaths(source)
        for name, items in meta_files(source, _is_facebook, _HINT):
            for item in items:
                if isinstance(item, ImportProblem):
                    yield item
                    continue
                pointer, record = item
                if _is_comment(record):
                    yield self._comment(name, pointer, record, ids, paths)
                elif _is_post(record):
                    yield self._post(name, pointer, record, ids, paths)

    def _post(self, name: str, pointer: str, record: dict[str, Any], ids: IdMaker,
              paths: MediaPaths) -> Record | ImportProblem:
        texts = [entry["post"] for entry in _data(record) if isinstance(entry.get("post"), str)]
        stamp = first_int(record.get("timestamp"), *(entry.get("update_timestamp") for entry in _data(record)))
        if stamp is None:
            return ImportProblem(name, pointer, "a post without its time (timestamp)")
        media, links = [], []
        for entry in _attachments(record):
            medium = entry.get("media")
            if isinstance(medium, dict) and isinstance(medium.get("uri"), str):
                media.append(paths(name, medium["uri"]))
                if isinstance(medium.get("description"), str):
                    texts.append(medium["description"])
            context = entry.get("external_context")
            if isinstance(context, dict) and isinstance(context.get("url"), str):
                links.append(context["url"])
        text = "\n".join(texts)
        links.extend(urls_in(text))
        extra = {"title": record["title"]} if isinstance(record.get("title"), str) else {}
        return Record(platform="facebook", item_id=ids(("post", stamp, text, *map(_basename, media))), kind="post",
                      created_at=from_epoch(stamp), text=text, links=tuple(dict.fromkeys(links)),
                      media=tuple(media), source_file=name, pointer=pointer, extra=extra)

    def _comment(self, name: str, pointer: str, record: dict[str, Any], ids: IdMaker,
                 paths: MediaPaths) -> Record | ImportProblem:
        comment = next(entry["comment"] for entry in _data(record) if isinstance(entry.get("comment"), dict))
        text = comment.get("comment") if isinstance(comment.get("comment"), str) else ""
        stamp = first_int(comment.get("timestamp"), record.get("timestamp"))
        if stamp is None:
            return ImportProblem(name, pointer, "a comment without its time (timestamp)")
        author = comment.get("author") if isinstance(comment.get("author"), str) else ""
        media = tuple(paths(name, entry["media"]["uri"]) for entry in _attachments(record)
                      if isinstance(entry.get("media"), dict) and isinstance(entry["media"].get("uri"), str))
        kind: Kind = "comment"
        extra = {"title": record["title"]} if isinstance(record.get("title"), str) else {}
        return Record(platform="facebook", item_id=ids(("comment", stamp, text, *map(_basename, media))), kind=kind,
                      created_at=from_epoch(stamp), text=str(text), author=str(author), links=urls_in(str(text)),
                      media=media, source_file=name, pointer=pointer, extra=extra)
