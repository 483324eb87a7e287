"""X (Twitter) archives: ``data/tweets.js``, ``tweet.js`` (older) and ``tweets-partN.js``.

Each file is JavaScript, ``window.YTD.tweets.part0 = [...]``: the JSON after the ``=`` is
parsed, never evaluated. Records are ``{"tweet": {...}}`` (older archives: the tweet
itself). Text is HTML-escaped (``&amp;``, ``&gt;``) and links are t.co short links, so
the text is unescaped and each short link replaced by its ``expanded_url``; a photo's
short link is dropped, the photo being in ``media``. Numbers are strings (ids exceed 2^53).

A long post (over 280 characters) appears in ``tweets.js`` cut short, with its whole text
in ``note-tweet.js`` (``window.YTD.note_tweet.part0``, records ``{"noteTweet": {"noteTweetId",
"createdAt", "core": {"text", "urls"}}}``). The archive does not say which tweet a note
belongs to, so a tweet takes the note made within :data:`NOTE_MATCH_SECONDS` of it whose
text begins with the tweet's (links and the closing ``…`` aside; at least
:data:`NOTE_MIN_PREFIX` characters of it), and is screened with the
note's whole text; a note that no tweet takes is screened as an item of its own, so no
text of the archive goes unscreened.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from typing import Any

from .base import ImportProblem, Kind, Record
from .common import Items, array_items, bad_text, decode, names_in_order, parse_iso
from .source import ExportSource

__all__ = ["FIRST_SNOWFLAKE", "NOTE_MATCH_SECONDS", "TWEPOCH_MS", "XImporter", "snowflake_time"]

#: Snowflake's epoch, 2010-11-04T01:42:54.657Z, in milliseconds since 1970.
TWEPOCH_MS = 1288834974657
#: The smallest id taken for a Snowflake id. Tweets before November 2010 had sequential ids,
#: the last ones near 29,700,859,247; read as a Snowflake those would give times a few
#: seconds after the epoch, plausible but wrong. TweetedAt (Old Dominion University's
#: tool for tweet times) draws the line at the same id; anything below is refused.
FIRST_SNOWFLAKE = 29_700_859_248

_PREFIX = re.compile(r"\A\s*window\.YTD\.(?P<kind>tweets?)\.part(?P<part>\d+)\s*=\s*")
_NOTE_PREFIX = re.compile(r"\A\s*window\.YTD\.note_tweet\.part(?P<part>\d+)\s*=\s*")
#: A long post's note and its tweet are made together; this much apart at most.
NOTE_MATCH_SECONDS = 120
#: A tweet cut short from a long post keeps far more than this many characters of it.
NOTE_MIN_PREFIX = 50
_LINK = re.compile(r"https?://\S+")
_MEDIA_DIRS = ("data/tweets_media/", "data/tweet_media/")


def snowflake_time(tweet_id: int | str) -> dt.datetime:
    """When a Snowflake id was made (UTC, to the millisecond): ``(id >> 22) + TWEPOCH_MS``.

    Raises ValueError for an id before Snowflake (:data:`FIRST_SNOWFLAKE`): its time cannot be
    read from it."""
    number = int(tweet_id)
    if number < FIRST_SNOWFLAKE or number >= 1 << 63:
        raise ValueError(f"{tweet_id} is not a Snowflake id (tweets before November 2010 have no time in their id)")
    return dt.datetime.fromtimestamp(((number >> 22) + TWEPOCH_MS) / 1000, dt.UTC)


_File = tuple[str, str, int]  # (name, text, where the JSON starts)


def _archive_files(source: ExportSource) -> tuple[list[_File], list[_File]]:
    """The tweets files and the long posts' note files, each by part number; each ``.js``
    file's head is read once to tell which it is."""
    found: dict[re.Pattern[str], list[tuple[str, int]]] = {_PREFIX: [], _NOTE_PREFIX: []}
    for name in names_in_order(source, (".js",)):
        head = source.read_bytes(name)[:200].decode("utf-8", "replace")
        for prefix, files in found.items():
            match = prefix.match(head)
            if match:
                files.append((name, int(match["part"])))
                break
    out: dict[re.Pattern[str], list[_File]] = {}
    for prefix, files in found.items():
        out[prefix] = []
        for name, _ in sorted(files, key=lambda pair: pair[1]):
            text, _ = decode(source.read_bytes(name))
            match = prefix.match(text)
            assert match is not None
            out[prefix].append((name, text, match.end()))
    return out[_PREFIX], out[_NOTE_PREFIX]


def _file_items(name: str, text: str, start: int) -> Items:
    """The records of one archive file, or why it has none."""
    stripped = text[start:].lstrip()
    if not stripped.startswith("["):
        yield ImportProblem(name, "", "the data after '=' is not a JSON list")
        return
    yield from array_items(text, len(text) - len(stripped), name, "", tail=" \t\r\n;")


@dataclasses.dataclass
class _Note:
    """A long post's whole text (``note-tweet.js``)."""

    note_id: str
    created_at: dt.datetime
    text: str
    links: tuple[str, ...]
    file: str
    pointer: str
    key: str
    taken: bool = False


def _match_key(text: str) -> str:
    """What a tweet and its note share: the words, without links and the closing ``…``."""
    return " ".join(_LINK.sub(" ", text).split()).rstrip("….").rstrip()


def _notes(files: list[_File]) -> tuple[list[_Note], list[ImportProblem]]:
    """Every note of the ``note-tweet.js`` files, by time, and the records that could not be read."""
    notes: list[_Note] = []
    problems: list[ImportProblem] = []
    for name, text, start in files:
        for item in _file_items(name, text, start):
            note = item if isinstance(item, ImportProblem) else _note(name, *item)
            if isinstance(note, ImportProblem):
                problems.append(note)
            else:
                notes.append(note)
    notes.sort(key=lambda n: n.created_at)
    return notes, problems


def _note(name: str, pointer: str, record: Any) -> _Note | ImportProblem:
    note = record.get("noteTweet", record) if isinstance(record, dict) else None
    if not isinstance(note, dict):
        return ImportProblem(name, pointer, "not a long post's note (a JSON object expected)")
    if bad_text(note):
        return ImportProblem(name, pointer, "this note holds text that is not UTF-8")
    note_id = str(note.get("noteTweetId") or "")
    if not note_id.isdigit():
        return ImportProblem(name, pointer, f"a note without a numeric id (noteTweetId {note_id!r})")
    try:
        when = parse_iso(note.get("createdAt"))
    except ValueError as exc:
        return ImportProblem(name, f"{pointer}.createdAt", f"note {note_id}: {exc}")
    core: dict[str, Any] = note["core"] if isinstance(note.get("core"), dict) else {}
    text = html.unescape(str(core.get("text") or ""))
    links = []
    for url in core.get("urls") or []:
        if isinstance(url, dict) and isinstance(url.get("shortUrl"), str) and url["shortUrl"]:
            expanded = url["expandedUrl"] if isinstance(url.get("expandedUrl"), str) else url["shortUrl"]
            text = text.replace(url["shortUrl"], expanded)
            links.append(expanded)
    return _Note(note_id, when, text.strip(), tuple(links), name, pointer, _match_key(text))


def _take_note(notes: list[_Note], times: list[dt.datetime], record: Record) -> _Note | None:
    """The note of a tweet cut short: made within :data:`NOTE_MATCH_SECONDS` of it, its text
    beginning with the tweet's; the nearest in time when several do. Each note is taken once."""
    key = _match_key(record.text)
    if len(key) < NOTE_MIN_PREFIX:  # a short tweet is a post of its own, not a long one cut short
        return None
    window = dt.timedelta(seconds=NOTE_MATCH_SECONDS)
    lo = bisect.bisect_left(times, record.created_at - window)
    hi = bisect.bisect_right(times, record.created_at + window)
    fits = [n for n in notes[lo:hi] if not n.taken and n.key.startswith(key) and len(n.key) > len(key)]
    if not fits:
        return None
    best = min(fits, key=lambda n: abs(n.created_at - record.created_at))
    best.taken = True
    return best


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
        tweet_files, note_files = _archive_files(source)
        notes, problems = _notes(note_files)
        yield from problems
        times = [n.created_at for n in notes]
        for name, text, start in tweet_files:
            for item in _file_items(name, text, start):
                if isinstance(item, ImportProblem):
                    yield item
                    continue
                record = self._record(name, *item, author, media)
                if notes and isinstance(record, Record) and (note := _take_note(notes, times, record)):
                    record = dataclasses.replace(
                        record, text=note.text, links=tuple(dict.fromkeys((*record.links, *note.links))),
                        extra={**record.extra, "note_tweet": note.note_id, "note_source": f"{note.file}{note.pointer}"})
                yield record
        for note in notes:  # a note no tweet took (its tweet deleted, or not recognised)
            if not note.taken:
                yield Record(platform="x", item_id=f"note-{note.note_id}", kind="post", created_at=note.created_at,
                             text=note.text, author=author, links=note.links, source_file=note.file,
                             pointer=note.pointer, extra={"note_tweet": note.note_id, "unmatched_note": "1"})

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
