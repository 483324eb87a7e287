"""Small platform exports built on the fly, for the importer and scan tests.

Every builder writes one export under ``dir`` and returns its path: a folder (or, with
``zip=True``, a ZIP of the same files); the generic builders return the ``.jsonl`` or
``.csv`` file itself (or a ZIP holding it). ``n`` is the number of good items; ``broken=True``
adds bad ones next to them (a truncated file, a record without its time, bytes that are not
UTF-8) so a test can check that the good ones are still imported. ``texts`` replaces the
sample texts (cycled), e.g. to plant a finding.

All content is written for these tests: Hindi, Bengali, English and romanized text about
made-up offices; no real person's data. Import in a test with
``from export_fixtures import make_x_export`` (``tests/`` is on ``sys.path`` under pytest).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path

__all__ = [
    "BASE_TIME",
    "SAMPLE_TEXTS",
    "TWEPOCH_MS",
    "make_csv_export",
    "make_facebook_export",
    "make_instagram_export",
    "make_jsonl_export",
    "make_x_export",
    "make_youtube_export",
    "mojibake",
    "snowflake_id",
]

SAMPLE_TEXTS: tuple[str, ...] = (
    "जिला प्रशासन ने आज बाढ़ राहत शिविर का निरीक्षण किया।",
    "আজ উপজেলা পরিষদে বৃক্ষরোপণ কর্মসূচি পালিত হয়েছে। বাংলা",
    "Road repair on the district highway: work starts Monday & ends > Friday.",
    "aaj ki meeting mein sabhi vibhag ke adhikari upasthit the",
    "হিন্দি ও বাংলা ভাষার কর্মশালা সফলভাবে শেষ হয়েছে।",
    "हिंदी पखवाड़े के अवसर पर निबंध प्रतियोगिता आयोजित की गई।",
    "Vaccination camp at the block office, 10 am to 4 pm <all welcome>.",
    "amar office e notun seva kendra chalu holo",
)

#: The first item's time; item ``i`` is ``i`` × 9 days and 5 hours later (several months).
BASE_TIME = dt.datetime(2024, 1, 15, 4, 30, tzinfo=dt.UTC)
TWEPOCH_MS = 1288834974657
# a 1×1 transparent PNG, standing in for attached photos
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


#: Photo files written per export at most (later items share them): small files are slow to
#: write on some disks, and a 10,000-item export should build in seconds.
MAX_MEDIA = 64


def item_time(i: int) -> dt.datetime:
    return BASE_TIME + dt.timedelta(days=9 * i, hours=5 * i, seconds=i)


def _text(i: int, texts: Sequence[str] | None) -> str:
    pool = texts or SAMPLE_TEXTS
    return pool[i % len(pool)]


def mojibake(text: str) -> str:
    """``text`` as Facebook and Instagram exports write it: each UTF-8 byte as one code point
    (so ``json.dumps`` writes it as ``\\u00XX`` escapes): "বাংলা" → "à¦¬à¦¾à¦\\x82à¦²à¦¾"."""
    return text.encode("utf-8").decode("latin-1")


def snowflake_id(when: dt.datetime, seq: int = 0) -> int:
    ms = int(when.timestamp() * 1000) - TWEPOCH_MS
    return (ms << 22) | (seq & 0xFFF)


def _finish(folder: Path, zip: bool) -> Path:
    """``folder`` itself, or a ZIP of it (next to it, the folder removed) when ``zip``."""
    if not zip:
        return folder
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    _rmtree(folder)
    return target


def _rmtree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    folder.rmdir()


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)


def _split(n: int, parts: int) -> list[range]:
    """``range(n)`` in ``parts`` consecutive chunks (the first ones one longer)."""
    size, extra = divmod(n, parts)
    out, start = [], 0
    for part in range(parts):
        end = start + size + (1 if part < extra else 0)
        out.append(range(start, end))
        start = end
    return out


# --- generic ------------------------------------------------------------------------------


def make_jsonl_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, texts: Sequence[str] | None = None
) -> Path:
    """``posts.jsonl`` with the default field names: id, created_at (ISO 8601 with a zone),
    text, author, parent_id (every third item answers the one before), links.

    ``broken`` adds: a line that is not JSON, a record without created_at, a line whose bytes
    are not UTF-8, and a truncated last line."""
    lines: list[bytes] = []
    for i in range(n):
        record = {
            "id": f"p{i + 1}",
            "created_at": item_time(i).astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat(),
            "text": _text(i, texts),
            "author": "block_office_demo",
            "parent_id": f"p{i}" if i % 3 == 2 else None,
            "links": [f"https://example.gov.in/notice/{i + 1}"] if i % 4 == 1 else [],
        }
        lines.append(json.dumps(record, ensure_ascii=False).encode("utf-8"))
        if broken and i == 0:
            lines.append(b"{this is not json")
            lines.append(json.dumps({"id": "no-time", "text": "समय नहीं है"}, ensure_ascii=False).encode())
            lines.append(b'{"id": "bad-bytes", "created_at": "2024-02-01T10:00:00Z", "text": "'
                         + "শুভেচ্ছা".encode("utf-16-le") + b'\xff\xfe"}')
    if broken:
        lines.append(b'{"id": "cut", "created_at": "2024-05-01T10:00:00Z", "te')
    folder = dir / "jsonl-export"
    path = folder / "posts.jsonl"
    _write(path, b"\n".join(lines) + (b"" if broken else b"\n"))
    if zip:
        return _finish(folder, True)
    target = dir / "posts.jsonl"
    path.replace(target)
    folder.rmdir()
    return target


def make_csv_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, mapped: bool = False,
    texts: Sequence[str] | None = None,
) -> Path:
    """``posts.csv``: columns id, created_at, text, author (or, with ``mapped``, the names
    ``post_no, posted_on, matter, by`` that need ``--map text=matter,created_at=posted_on,...``).

    ``broken`` adds a row without a time and a row whose bytes are not UTF-8."""
    names = ("post_no", "posted_on", "matter", "by") if mapped else ("id", "created_at", "text", "author")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(names)
    rows: list[bytes] = []
    for i in range(n):
        line = io.StringIO(newline="")
        csv.writer(line).writerow([f"c{i + 1}", item_time(i).isoformat(), _text(i, texts), "tehsil_demo"])
        rows.append(line.getvalue().encode("utf-8"))
        if broken and i == 0:
            rows.append("c-no-time,,बिना समय की पंक्ति,tehsil_demo\r\n".encode())
            rows.append(b"c-bad,2024-02-02T10:00:00+00:00,caf\xe9 \xe0 la carte,tehsil_demo\r\n")
    folder = dir / "csv-export"
    path = folder / "posts.csv"
    _write(path, buffer.getvalue().encode("utf-8") + b"".join(rows))
    if zip:
        return _finish(folder, True)
    target = dir / "posts.csv"
    path.replace(target)
    folder.rmdir()
    return target


# --- X ------------------------------------------------------------------------------------


def _tweet(i: int, texts: Sequence[str] | None) -> tuple[dict[str, object], bytes | None]:
    when = item_time(i)
    tid = snowflake_id(when, i)
    text = _text(i, texts)
    urls: list[dict[str, object]] = []
    media_file = None
    tweet: dict[str, object] = {
        "edit_info": {"initial": {"editTweetIds": [str(tid)], "editableUntil": "2024-01-01T00:00:00.000Z",
                                  "editsRemaining": "5", "isEditEligible": True}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "favorite_count": str(i),
        "id_str": str(tid),
        "id": str(tid),
        "truncated": False,
        "retweet_count": "0",
        "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"),
        "favorited": False,
        "lang": "hi",
    }
    if i % 5 == 1:  # a reply to a citizen's tweet sent 2 hours earlier
        parent = snowflake_id(when - dt.timedelta(hours=2), 7)
        tweet.update({
            "in_reply_to_status_id_str": str(parent), "in_reply_to_status_id": str(parent),
            "in_reply_to_user_id": "2222", "in_reply_to_user_id_str": "2222",
            "in_reply_to_screen_name": "citizen_demo",
        })
        text = "@citizen_demo " + text
    if i % 5 == 2:  # a t.co link
        urls.append({"url": "https://t.co/AbC12xyZ9q", "expanded_url": f"https://example.gov.in/flood-relief/{i}",
                     "display_url": f"example.gov.in/flood-relief/{i}",
                     "indices": [str(len(text) + 1), str(len(text) + 24)]})
        text = text + " https://t.co/AbC12xyZ9q"
    if i % 5 == 3 and i < MAX_MEDIA * 5:  # a photo: its t.co link is dropped, the file is in tweets_media
        media_url = f"https://pbs.twimg.com/media/FdemoPic{i}.jpg"
        tweet["extended_entities"] = {"media": [{"media_url_https": media_url, "id_str": str(tid + 1),
                                                 "type": "photo", "url": "https://t.co/PiC0000001",
                                                 "expanded_url": f"https://x.com/demo/status/{tid}/photo/1"}]}
        text = text + " https://t.co/PiC0000001"
        media_file = PNG_1PX
    tweet["entities"] = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls}
    tweet["display_text_range"] = ["0", str(len(text))]
    tweet["full_text"] = html.escape(text, quote=False)
    return tweet, media_file


#: a long post (over 280 characters), for ``make_x_export(long_post=...)``
LONG_POST = (
    "जिला प्रशासन की ओर से सूचना: बाढ़ प्रभावित गांवों में राहत सामग्री का वितरण कल सुबह दस बजे से "
    "पंचायत भवन में होगा। सभी परिवार अपना राशन कार्ड और आधार साथ लाएं। "
    "Relief kits hold rice, dal, oil & tarpaulin; the helpline is open day and night. "
    "अंत में: ये सरकार पूरी तरह निकम्मी है, कुछ काम नहीं करती, जनता को बस भाषण मिलते हैं।"
)


def make_x_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, legacy: bool = False,
    texts: Sequence[str] | None = None, long_post: int | None = None, orphan_note: bool = False,
) -> Path:
    """An X (Twitter) archive: ``data/account.js``, ``data/tweets.js`` and, from 4 items on,
    ``data/tweets-part1.js``, each ``window.YTD.tweets.partN = [...]``; ids are snowflakes of
    the items' times; item 1 (and every 5th after) replies to a citizen's tweet, item 2 has a
    t.co link, item 3 a photo in ``data/tweets_media``; ``&``, ``<``, ``>`` are HTML-escaped.

    ``legacy``: the older archive, ``data/tweet.js`` with ``window.YTD.tweet.part0`` and no
    ``{"tweet": ...}`` wrapper. ``broken`` adds ``tweets-part2.js`` cut off in its second
    record (its first record is good, and is counted in ``n``) and a record with a bad id.

    ``long_post``: item ``long_post`` is :data:`LONG_POST`, which ``tweets.js`` holds cut at
    250 characters with ``…`` and ``data/note-tweet.js`` holds whole (its note made a second
    after the tweet, with a t.co link); ``orphan_note`` adds a note no tweet matches."""
    folder = dir / "x-archive"
    account = [{"account": {"email": "office@example.gov.in", "createdVia": "web", "username": "dm_office_demo",
                            "accountId": "1111", "createdAt": "2015-03-01T10:00:00.000Z",
                            "accountDisplayName": "जिला कार्यालय (demo)"}}]
    _write(folder / "data" / "account.js", "window.YTD.account.part0 = " + json.dumps(account, indent=2))
    tweets: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for i in range(n - (1 if broken and n > 1 else 0)):
        tweet, media = _tweet(i, texts)
        if media is not None:
            _write(folder / "data" / "tweets_media" / f"{tweet['id_str']}-FdemoPic{i}.jpg", media)
        if i == long_post:
            tweet["full_text"] = html.escape(LONG_POST[:250], quote=False) + "…"
            tweet["entities"] = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
            notes.append(_note(item_time(i) + dt.timedelta(seconds=1), i,
                               LONG_POST + " https://t.co/NoTe000001", "https://example.gov.in/relief"))
        tweets.append(tweet)
    if orphan_note:
        notes.append(_note(item_time(n + 50), 99, "एक लंबी पोस्ट जिसका ट्वीट हटा दिया गया: " + "सूचना " * 60, None))
    if notes:
        body = json.dumps([{"noteTweet": note} for note in notes], indent=2, ensure_ascii=False)
        _write(folder / "data" / "note-tweet.js", f"window.YTD.note_tweet.part0 = {body}")
    if broken:
        bad = dict(tweets[0])
        bad["id_str"] = bad["id"] = "not-a-number"
        tweets.insert(1, bad)
    wrap = (lambda t: t) if legacy else (lambda t: {"tweet": t})
    kind = "tweet" if legacy else "tweets"
    parts = _split(len(tweets), 2 if len(tweets) >= 4 else 1)
    for number, chunk in enumerate(parts):
        name = f"{kind}.js" if number == 0 else f"{kind}-part{number}.js"
        body = json.dumps([wrap(tweets[k]) for k in chunk], indent=2, ensure_ascii=False)
        _write(folder / "data" / name, f"window.YTD.{kind}.part{number} = {body}")
    if broken and n > 1:
        good, _ = _tweet(n - 1, texts)
        cut, _ = _tweet(n, texts)
        body = json.dumps([wrap(good), wrap(cut)], indent=2, ensure_ascii=False)
        _write(folder / "data" / f"{kind}-part{len(parts)}.js",
               f"window.YTD.{kind}.part{len(parts)} = {body[: len(body) - 200]}")
    return _finish(folder, zip)


def _note(when: dt.datetime, seq: int, text: str, link: str | None) -> dict[str, object]:
    """A ``note-tweet.js`` record: a long post's whole text."""
    urls = [{"shortUrl": "https://t.co/NoTe000001", "expandedUrl": link, "displayUrl": link}] if link else []
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {"noteTweetId": str(snowflake_id(when, seq + 1000)), "updatedAt": stamp,
            "lifecycle": {"value": "live", "name": "Live", "originalName": "live"}, "createdAt": stamp,
            "core": {"styletags": [], "urls": urls, "text": html.escape(text, quote=False), "mentions": [],
                     "cashtags": [], "hashtags": []}}


# --- YouTube ------------------------------------------------------------------------------

_YT_OLD = ("Comment ID", "Channel ID", "Comment Create Timestamp", "Price", "Video ID", "Comment Text")
_YT_NEW = ("Channel ID", "Comment Create Timestamp", "Price", "Comment ID", "Parent Comment ID", "Post ID",
           "Video ID", "Comment Text")


def _segments(text: str, style: str) -> str:
    words = text.split(" ")
    half = max(1, len(words) // 2)
    parts = [" ".join(words[:half]) + " ", " ".join(words[half:])]
    segments = [{"text": part} for part in parts if part]
    if style == "old":
        return json.dumps({"takeoutSegments": segments}, ensure_ascii=False)
    return ",".join(json.dumps(segment, ensure_ascii=False) for segment in segments)


def make_youtube_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, layout: str = "new",
    segments: str | None = None, texts: Sequence[str] | None = None,
) -> Path:
    """A YouTube Takeout's comments: ``Takeout/YouTube and YouTube Music/comments/comments.csv``
    and, from 4 items on, ``comments(1).csv``. ``layout="old"`` is the column order before
    June 2024 (no parent or post column); ``"new"`` the later one, where every third comment
    answers another. ``segments`` (``"old"``: ``{"takeoutSegments": [...]}``, ``"new"``:
    comma-joined ``{"text": ...}`` objects) defaults to the layout's.

    ``broken`` adds a row with an unreadable time and a row whose text cell is cut JSON."""
    style = segments or layout
    header = _YT_OLD if layout == "old" else _YT_NEW
    rows: list[dict[str, str]] = []
    for i in range(n):
        when = item_time(i)
        stamp = when.isoformat(timespec="microseconds") if layout == "new" else when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row = {"Comment ID": f"UgzDemo{i:04d}AaBb", "Channel ID": "UCdemoChannel000000000001",
               "Comment Create Timestamp": stamp, "Price": "", "Video ID": f"vid{i % 3:08d}",
               "Comment Text": _segments(_text(i, texts), style), "Parent Comment ID": "", "Post ID": ""}
        if layout == "new" and i % 3 == 2:
            row["Parent Comment ID"] = f"UgzDemo{i - 1:04d}AaBb"
        rows.append(row)
    if broken:
        rows.insert(1, {**rows[0], "Comment ID": "UgzBadTime", "Comment Create Timestamp": "kal shaam"})
        rows.insert(2, {**rows[0], "Comment ID": "UgzBadText", "Comment Text": '{"takeoutSegments":[{"text":"अधू'})
    folder = dir / "youtube-takeout"
    where = folder / "Takeout" / "YouTube and YouTube Music" / "comments"
    for number, chunk in enumerate(_split(len(rows), 2 if len(rows) >= 4 else 1)):
        buffer = io.StringIO(newline="")
        writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows[k] for k in chunk)
        _write(where / ("comments.csv" if number == 0 else f"comments({number}).csv"), buffer.getvalue())
    return _finish(folder, zip)


# --- Facebook -----------------------------------------------------------------------------


def _fb_json(value: object) -> str:
    """JSON as Facebook writes it: ASCII only, every string mojibake'd into \\u00XX escapes."""

    def broken(node: object) -> object:
        if isinstance(node, str):
            return mojibake(node)
        if isinstance(node, list):
            return [broken(item) for item in node]
        if isinstance(node, dict):
            return {key: broken(item) for key, item in node.items()}
        return node

    return json.dumps(broken(value), indent=2, ensure_ascii=True)


def make_facebook_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, layout: str = "new",
    texts: Sequence[str] | None = None,
) -> Path:
    """A Facebook "Download Your Information" JSON export, strings mojibake'd as Facebook does.

    Posts are spread over ``your_posts_1.json`` and ``your_posts_2.json`` (from 2 posts on);
    item 1 is a media-only post (a photo, no text), item 2 has a shared link; plus two
    comments (one Bengali, one Hindi). ``n`` counts posts and comments together (at least 3).
    ``layout="new"``: ``your_facebook_activity/posts/...`` and ``comments_and_reactions/
    comments.json`` with ``{"comments_v2": [...]}``; ``"old"``: ``posts/...`` and
    ``comments/comments.json`` with ``{"comments": [...]}``.

    ``broken`` adds a post without a timestamp and a posts file cut off mid-record."""
    folder = dir / "facebook-demo"
    top = folder / ("your_facebook_activity" if layout == "new" else "")
    posts_dir = top / "posts"
    n_comments = 2 if n >= 3 else 0
    posts: list[dict[str, object]] = []
    for i in range(n - n_comments):
        stamp = int(item_time(i).timestamp())
        post: dict[str, object] = {"timestamp": stamp, "title": "जिला कार्यालय (demo) updated status."}
        if i % 5 == 1:
            uri = f"{posts_dir.relative_to(folder).as_posix()}/media/Timeline_1/photo_{i % MAX_MEDIA}.jpg"
            if i < MAX_MEDIA * 5:
                _write(folder / uri, PNG_1PX)
            post["attachments"] = [{"data": [{"media": {"uri": uri, "creation_timestamp": stamp, "title": "",
                                                        "media_metadata": {"photo_metadata": {"exif_data": []}}}}]}]
            post["title"] = "जिला कार्यालय (demo) added a new photo."
        else:
            post["data"] = [{"post": _text(i, texts)}, {"update_timestamp": stamp}]
            if i % 5 == 2:
                post["attachments"] = [{"data": [{"external_context": {
                    "url": f"https://example.gov.in/scheme/{i}", "name": "योजना"}}]}]
        posts.append(post)
    if broken:
        posts.insert(1, {"data": [{"post": "इस पोस्ट का समय नहीं है"}], "title": ""})
    for number, chunk in enumerate(_split(len(posts), 2 if len(posts) >= 2 else 1), start=1):
        _write(posts_dir / f"your_posts_{number}.json", _fb_json([posts[k] for k in chunk]))
    if broken:
        extra = _fb_json([{"timestamp": int(item_time(40).timestamp()), "data": [{"post": "कटी हुई फ़ाइल"}]}])
        _write(posts_dir / "your_posts_9.json", extra[: len(extra) - 60])
    comments = []
    bodies = ("বাংলা ভাষায় সুন্দর উদ্যোগ, ধন্যবাদ।", "बहुत अच्छा काम, धन्यवाद।")
    for k in range(n_comments):
        stamp = int(item_time(n - n_comments + k).timestamp())
        comments.append({"timestamp": stamp, "data": [{"comment": {"timestamp": stamp, "comment": bodies[k],
                                                                   "author": "जिला कार्यालय (demo)"}}],
                         "title": "जिला कार्यालय (demo) commented on a post."})
    if comments:
        if layout == "new":
            _write(top / "comments_and_reactions" / "comments.json", _fb_json({"comments_v2": comments}))
        else:
            _write(folder / "comments" / "comments.json", _fb_json({"comments": comments}))
    _write(top / "profile_information" / "profile_information.json",
           _fb_json({"profile_v2": {"name": {"full_name": "जिला कार्यालय (demo)"}}}))
    return _finish(folder, zip)


# --- Instagram ----------------------------------------------------------------------------


def make_instagram_export(
    dir: Path, *, n: int = 5, zip: bool = False, broken: bool = False, layout: str = "new",
    texts: Sequence[str] | None = None,
) -> Path:
    """An Instagram "Download Your Information" JSON export (mojibake'd like Facebook's).

    ``your_instagram_activity/content/posts_1.json``: posts with a caption and a photo
    (every third has two photos and the caption at the top level); the last two items are
    comments, in ``comments/post_comments_1.json`` with ``string_map_data`` (``"new"``) or
    in ``comments/post_comments.json`` as ``{"comments_media_comments": [...]}`` with
    ``string_list_data`` (``"old"``). ``broken`` adds a post without a time."""
    folder = dir / "instagram-demo"
    top = folder / "your_instagram_activity" if layout == "new" else folder
    n_comments = 2 if n >= 3 else 0
    posts: list[dict[str, object]] = []
    for i in range(n - n_comments):
        stamp = int(item_time(i).timestamp())
        month = item_time(i).strftime("%Y%m")
        uris = [f"media/posts/{month}/demo_{i % MAX_MEDIA}_{k}.jpg" for k in range(2 if i % 3 == 2 else 1)]
        for uri in uris:
            if i < MAX_MEDIA:
                _write(folder / uri, PNG_1PX)
        if len(uris) == 1:
            posts.append({"media": [{"uri": uris[0], "creation_timestamp": stamp, "title": _text(i, texts),
                                     "media_metadata": {}, "cross_post_source": {"source_app": "FB"}}]})
        else:
            posts.append({"media": [{"uri": uri, "creation_timestamp": stamp, "title": ""} for uri in uris],
                          "title": _text(i, texts), "creation_timestamp": stamp})
    if broken:
        posts.insert(1, {"media": [{"uri": "media/posts/missing.jpg", "title": "समय गायब"}]})
    _write(top / "content" / "posts_1.json", _fb_json(posts))
    bodies = ("খুব ভালো উদ্যোগ!", "shandar kaam, dhanyavaad")
    stamps = [int(item_time(n - n_comments + k).timestamp()) for k in range(n_comments)]
    if n_comments and layout == "new":
        comments = [{"media_list_data": [{"uri": ""}],
                     "string_map_data": {"Comment": {"value": bodies[k]}, "Media Owner": {"value": "block_office_demo"},
                                         "Time": {"timestamp": stamps[k]}}} for k in range(n_comments)]
        _write(top / "comments" / "post_comments_1.json", _fb_json(comments))
    elif n_comments:
        old = {"comments_media_comments": [{"title": "block_office_demo",
                                            "string_list_data": [{"value": bodies[k], "timestamp": stamps[k]}]}
                                           for k in range(n_comments)]}
        _write(top / "comments" / "post_comments.json", _fb_json(old))
    _write(folder / "personal_information" / "personal_information.json",
           _fb_json({"profile_user": [{"string_map_data": {"Username": {"value": "block_office_demo",
                                                                        "href": "", "timestamp": 0}}}]}))
    return _finish(folder, zip)
