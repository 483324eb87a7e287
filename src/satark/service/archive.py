"""The archive of published posts (BD §7(ঙ)): search in any script, filters, export.

SQLite uses an FTS5 table with the trigram tokenizer; PostgreSQL a pg_trgm GIN index on
``posts.search_text``. Both match substrings, which suits Hindi and Bengali better than
word stemming, and both search the same normalised text (see ``search_key``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, column, func, or_, select, text
from sqlalchemy.orm import Session

from .access import visible_institutions
from .errors import InvalidInput
from .models import Post, storable
from .models_attachments import PostAttachment
from .timezones import start_of_day

__all__ = ["ArchiveQuery", "export_csv", "export_json", "imported_record", "index_post", "search", "search_imported",
           "search_key"]

ARCHIVED_STATES = ("published", "corrected", "retracted", "archived")
_DROP = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\x00"}


def search_key(value: str) -> str:
    """NFC, case-folded, without zero-width joiners, with native digits as ASCII.

    ZWJ/ZWNJ change how a Bengali or Hindi word is drawn, not what it says, and people
    type them inconsistently, so they must not decide whether a search finds a post.
    """
    out = []
    for ch in unicodedata.normalize("NFC", value):
        if ch in _DROP:
            continue
        if ch.isdigit() and not ch.isascii():
            out.append(str(unicodedata.digit(ch, 0)))
            continue
        out.append(ch)
    return " ".join("".join(out).casefold().split())


def index_post(session: Session, post: Post) -> None:
    texts = [r.text for r in post.revisions if r.number == post.published_revision or r.is_live_correction]
    # The words read from its images are part of what was published, and are found too.
    texts += session.scalars(select(PostAttachment.ocr_text).where(PostAttachment.post_id == post.id)
                             .order_by(PostAttachment.id)).all()
    post.search_text = search_key(" \n".join([post.title, *texts]))
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("DELETE FROM post_search WHERE rowid = :id"), {"id": post.id})
        session.execute(text("INSERT INTO post_search(rowid, body) VALUES (:id, :body)"),
                        {"id": post.id, "body": post.search_text})


@dataclass(frozen=True)
class ArchiveQuery:
    q: str = ""
    institution_id: int | None = None
    account_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    category: str | None = None
    verdict: str | None = None
    state: str | None = None
    limit: int = 50
    offset: int = 0
    #: The zone whose days ``date_from`` and ``date_to`` are (the web page's: the user's institution's).
    tz: dt.tzinfo = dt.UTC
    #: ``post`` (published posts) or ``imported`` (items of audited exports: :func:`search_imported`).
    kind: str = "post"


def _terms(q: str) -> list[str]:
    terms = search_key(q).split()
    if len(terms) > 10:
        raise InvalidInput("search with at most 10 words")
    return terms


def _match(query: Select[Post], session: Session, terms: Sequence[str]) -> Select[Post]:
    if session.get_bind().dialect.name == "sqlite":
        long_terms = [t for t in terms if len(t) >= 3]
        if long_terms:
            # Each term as an FTS5 string (quotes doubled), all of them required.
            fts = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
            ids = text("SELECT rowid FROM post_search WHERE post_search MATCH :fts").bindparams(fts=fts)
            query = query.where(Post.id.in_(ids.columns(column("rowid", Integer))))
        # The trigram tokenizer cannot match fewer than three characters; filter those directly.
        for t in terms:
            if len(t) < 3:
                query = query.where(Post.search_text.contains(t, autoescape=True))
        return query
    for t in terms:
        query = query.where(Post.search_text.contains(t, autoescape=True))
    return query


def search(session: Session, user: Any, aq: ArchiveQuery) -> tuple[int, list[Post]]:
    """Posts the user may see that match; ``(total, page)``, newest first."""
    query = select(Post).where(
        Post.institution_id.in_(visible_institutions(session, user)),
        Post.state.in_(ARCHIVED_STATES if aq.state is None else (aq.state,)),
    )
    if aq.state is not None and aq.state not in ARCHIVED_STATES:
        raise InvalidInput(f"the archive holds only {', '.join(ARCHIVED_STATES)} posts")
    query = _match(query, session, _terms(aq.q))
    if aq.institution_id is not None:
        query = query.where(Post.institution_id == aq.institution_id)
    if aq.account_id is not None:
        query = query.where(Post.account_id == aq.account_id)
    if aq.date_from is not None:
        query = query.where(Post.published_at >= start_of_day(aq.date_from, aq.tz))
    if aq.date_to is not None and aq.date_to < dt.date.max:  # up to 9999-12-31: no end at all
        until = start_of_day(aq.date_to + dt.timedelta(days=1), aq.tz)
        query = query.where(Post.published_at < until)
    if aq.verdict:
        if aq.verdict not in ("clear", "review", "block"):
            raise InvalidInput("verdict must be clear, review or block")
        query = query.where(Post.verdict == aq.verdict)
    if aq.category:
        c = aq.category
        if not storable(c) or len(c) > 60:
            raise InvalidInput("unknown category")
        query = query.where(or_(Post.categories == c, Post.categories.startswith(c + ","),
                                Post.categories.endswith("," + c), Post.categories.contains("," + c + ",")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(Post.published_at.desc(), Post.id.desc()).limit(max(1, min(aq.limit, 1000)))
    return total, list(session.scalars(page.offset(max(0, aq.offset))))


def archive_record(post: Post) -> dict[str, Any]:
    """One archived post as plain data: what export and the API give."""
    published = next((r for r in post.revisions if r.number == post.published_revision), None)
    corrections = [r for r in post.revisions if r.is_live_correction]
    return {
        "id": post.id,
        "institution_id": post.institution_id,
        "institution": post.institution.name,
        "account_id": post.account_id,
        "account": f"{post.account.platform}:{post.account.handle}",
        "title": post.title,
        "state": post.state,
        "verdict": post.verdict,
        "categories": [c for c in post.categories.split(",") if c],
        "published_url": post.published_url,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "text": published.text if published else "",
        "corrections": [{"text": r.text, "note": r.note, "at": r.created_at.isoformat()} for r in corrections],
        "retraction_reason": post.retraction_reason,
    }


def export_json(posts: Iterable[Post]) -> str:
    return json.dumps([archive_record(p) for p in posts], ensure_ascii=False, indent=1)


def _cell(value: Any) -> Any:
    # A cell starting with = + - @ is a formula to a spreadsheet program (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(posts: Iterable[Post]) -> str:
    """CSV with a BOM, so spreadsheet programs read Hindi and Bengali as UTF-8."""
    buf = io.StringIO()
    fields = ["id", "institution", "account", "title", "state", "verdict", "categories", "published_url",
              "published_at", "text", "latest_correction", "retraction_reason"]
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for post in posts:
        rec = archive_record(post)
        rec["categories"] = ";".join(rec["categories"])
        rec["latest_correction"] = rec["corrections"][-1]["text"] if rec["corrections"] else ""
        writer.writerow({k: _cell(v) for k, v in rec.items()})
    return "\ufeff" + buf.getvalue()



# --- imported items (issue 13): what audits of platform exports found --------------------------------

#: What the archive searches: published posts, or the items of audited exports.
KINDS = ("post", "imported")


def search_imported(session: Session, user: Any, aq: ArchiveQuery) -> tuple[int, list[Any]]:
    """Items of audited exports (:mod:`.scans`) the user may see that match; ``(total, page)``,
    newest first. They hold citizens' comments, so only those who audit exports (admins and
    monitors) see them. The text, account, date (the item's own), verdict and category filters
    apply as to posts; ``state`` is a post's and does not."""
    from .access import can
    from .models_scans import ScanItem

    allowed = [i for i in visible_institutions(session, user) if can(session, user, "audit_exports", i)]
    query = select(ScanItem).where(ScanItem.institution_id.in_(allowed))
    for t in _terms(aq.q):
        query = query.where(ScanItem.search_text.contains(t, autoescape=True))
    if aq.institution_id is not None:
        query = query.where(ScanItem.institution_id == aq.institution_id)
    if aq.account_id is not None:
        query = query.where(ScanItem.account_id == aq.account_id)
    if aq.date_from is not None:
        query = query.where(ScanItem.created_at >= start_of_day(aq.date_from, aq.tz))
    if aq.date_to is not None and aq.date_to < dt.date.max:
        query = query.where(ScanItem.created_at < start_of_day(aq.date_to + dt.timedelta(days=1), aq.tz))
    if aq.verdict:
        if aq.verdict not in ("clear", "review", "block"):
            raise InvalidInput("verdict must be clear, review or block")
        query = query.where(ScanItem.verdict == aq.verdict)
    if aq.category:
        c = aq.category
        if not storable(c) or len(c) > 60:
            raise InvalidInput("unknown category")
        query = query.where(or_(ScanItem.categories == c, ScanItem.categories.startswith(c + ","),
                                ScanItem.categories.endswith("," + c), ScanItem.categories.contains("," + c + ",")))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(ScanItem.created_at.desc(), ScanItem.id.desc()).limit(max(1, min(aq.limit, 1000)))
    return total, list(session.scalars(page.offset(max(0, aq.offset))))


def imported_record(item: Any) -> dict[str, Any]:
    """One imported item as plain data, as the archive's API gives it."""
    return {
        "kind": "imported",
        "id": item.id,
        "scan_id": item.job_id,
        "institution_id": item.institution_id,
        "account_id": item.account_id,
        "account": f"{item.account.platform}:{item.account.handle}",
        "platform": item.platform,
        "item_id": item.item_id,
        "item_kind": item.kind,
        "author": item.author,
        "created_at": item.created_at.isoformat(),
        "text": item.text,
        "links": item.links,
        "verdict": item.verdict,
        "categories": [c for c in item.categories.split(",") if c],
    }


def export_imported_csv(items: Iterable[Any]) -> str:
    """Imported items as CSV with a BOM (as :func:`export_csv`)."""
    buf = io.StringIO()
    fields = ["id", "scan_id", "account", "platform", "item_id", "item_kind", "author", "created_at", "verdict",
              "categories", "text"]
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        rec = imported_record(item)
        rec["categories"] = ";".join(rec["categories"])
        writer.writerow({k: _cell(v) for k, v in rec.items()})
    return "\ufeff" + buf.getvalue()
