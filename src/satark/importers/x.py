"""X (Twitter) archives: ``data/tweets.js``, ``tweet.js`` (older) and ``tweets-partN.js``.

Each file is JavaScript, ``window.YTD.tweets.part0 = [...]``: the JSON after the ``=`` is
parsed, never evaluated. Records are ``{"tweet": {...}}`` (older archives: the tweet
itself). Text is HTML-escaped (``&amp;``, ``&gt;``) and links are t.co short links, so
the text is unescaped and each short link replaced by its ``expanded_url``; a photo's
short link is dropped, the photo being in ``media``. Numbers are strings (ids exceed 2^53).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from typing import Any

from .base import ImportProblem, Kind, Record
from .common import Items, array_items, bad_text, decode, names_in_order
from .source import ExportSource

__all__ = ["FIRST_SNOWFLAKE", "TWEPOCH_MS", "XImporter", "snowflake_time"]

#: Snowflake's epoch, 2010-11-04T01:42:54.657Z, in milliseconds since 1970.
TWEPOCH_MS = 1288834974657
#: The smallest id taken for a Snowflake id. Tweets before November 2010 had sequential ids,
#: the last ones near 29,700,859,247; read as a Snowflake those would give times a few
#: seconds after the epoch, plausible but wrong. TweetedAt (Old Dominion University's
#: tool for tweet times) draws the line at the same id; anything below is refused.
FIRST_SNOWFLAKE = 29_700_859_248

_PREFIX = re.compile(r"\A\s*window\.YTD\.(?P<kind>tweets?)\.part(?P<part>\d+)\s*=\s*")
_MEDIA_DIRS = ("data/tweets_media/", "data/tweet_media/")


def snowflake_time(tweet_id: int | str) -> dt.datetime:
    """When a Snowflake id was made (UTC, to the millisecond): ``(id >> 22) + TWEPOCH_MS``.

    Raises ValueError for an id before Snowflake (:data:`FIRST_SNOWFLAKE`): its time cannot be
    read from it."""
    number = int(tweet_id)
    if number < FIRST_SNOWFLAKE or number >= 1 << 63:
        raise ValueError(f"{tweet_id} is not a Snowflake id (tweets before November 2010 have no time in their id)")
    return dt.datetime.fromtimestamp(((number >> 22) + TWEPOCH_MS) / 1000, dt.UTC)


def _tweet_files(source: ExportSource) -> list[tuple[str, str, int]]:
    """``(name, text, where the JSON starts)`` for each tweets file, by part number."""
    found = []
    for name in names_in_order(source, (".js",)):
        head = source.read_bytes(name)[:200].decode("utf-8", "replace")
        match = _PREFIX.match(head)
        if match:
            found.append((name, int(match["part"])))
    out = []
    for name, _ in sorted(found, key=lambda pair: pair[1]):
        text, _ = decode(source.read_bytes(name))
        match = _PREFIX.match(text)
        assert match is not None
        out.append((name, text, match.end()))
    return out


def _username(source: ExportSource) -> str:
    for name in source.names():
        if name.rsplit("/", 1)[-1] == "account.js":
            text, _ = decode(source.read_bytes(name))
            start = text.find("=")
            try:
                value = json.loads(text[start + 1:])
                return str(value[0]["account"]["username"])
            except (ValueError, LookupError, TypeError):
                return ""
    return ""


class XImporter:
    name = "x"
    looks_for = "X archive: data/tweets.js, tweet.js or tweets-partN.js beginning window.YTD.tweets.partN ="

    def detect(self, source: ExportSource) -> bool:
        for name in source.names():
            if name.endswith(".js"):
                head = source.read_bytes(name)[:200].decode("utf-8", "replace")
                if _PREFIX.match(head):
                    return True
        return False

    def read(self, source: ExportSource) -> Iterator[Record | ImportProblem]:
        author = _username(source)
        media: dict[str, list[str]] = {}
        for name in source.names():
            for folder in _MEDIA_DIRS:
                if folder in name:
                    base = name.rsplit("/", 1)[-1]
                    media.setdefault(base.split("-", 1)[0], []).append(name)
        for name, text, start in _tweet_files(source):
            stripped = text[start:].lstrip()
            if not stripped.startswith("["):
                yield ImportProblem(name, "", "the data after '=' is not a JSON list")
                continue
            items: Items = array_items(text, len(text) - len(stripped), name, "", tail=" \t\r\n;")
            for item in items:
                if isinstance(item, ImportProblem):
                    yield item
                else:
                    yield self._record(name, *item, author, media)

    def _record(self, name: str, pointer: str, record: Any, author: str,
                media: dict[str, list[str]]) -> Record | ImportProblem:
        tweet = record.get("tweet", record) if isinstance(record, dict) else None
        if not isinstance(tweet, dict):
            return ImportProblem(name, pointer, "not a tweet (a JSON object expected)")
        if bad_text(tweet):
            return ImportProblem(name, pointer, "this tweet holds text that is not UTF-8")
        tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
        if not tweet_id.isdigit():
            return ImportProblem(name, pointer, f"a tweet without a numeric id (id_str {tweet_id!r})")
        try:
            when = dt.datetime.strptime(str(tweet.get("created_at")), "%a %b %d %H:%M:%S %z %Y").astimezone(dt.UTC)
        except ValueError:
            return ImportProblem(name, f"{pointer}.created_at",
                                 f"tweet {tweet_id}: no readable time ({tweet.get('created_at')!r})")
        text = html.unescape(str(tweet.get("full_text") or tweet.get("text") or ""))
        links: list[str] = []
        entities: dict[str, Any] = tweet["entities"] if isinstance(tweet.get("entities"), dict) else {}
        for url in entities.get("urls") or []:
            if isinstance(url, dict) and isinstance(url.get("url"), str):
                expanded = url["expanded_url"] if isinstance(url.get("expanded_url"), str) else url["url"]
                text = text.replace(url["url"], expanded)
                links.append(expanded)
        extended: dict[str, Any] = (
            tweet["extended_entities"] if isinstance(tweet.get("extended_entities"), dict) else entities)
        for medium in extended.get("media") or []:
            if isinstance(medium, dict) and isinstance(medium.get("url"), str):
                text = text.replace(medium["url"], "")
        text = text.strip()
        parent = tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id")
        kind: Kind = "reply" if parent else "post"
        extra: dict[str, str] = {}
        if parent:
            extra["in_reply_to"] = str(tweet.get("in_reply_to_screen_name") or "")
            with contextlib.suppress(ValueError):  # a reply to a pre-Snowflake tweet
                extra["parent_created_at"] = snowflake_time(str(parent)).isoformat()
        if isinstance(tweet.get("lang"), str):
            extra["lang"] = tweet["lang"]
        return Record(platform="x", item_id=tweet_id, kind=kind, created_at=when, text=text,
                      parent_id=str(parent) if parent else None, author=author, links=tuple(dict.fromkeys(links)),
                      media=tuple(media.get(tweet_id, ())), source_file=name, pointer=pointer, extra=extra)
