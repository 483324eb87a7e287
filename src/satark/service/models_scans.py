"""Tables of export audits in the service (issue 13, section 2).

A :class:`ScanJob` is one uploaded platform export of an official account, audited in the
background (:mod:`.scans`). The upload's bytes live in the data directory under their SHA-256,
as the violation register's evidence does (:mod:`.evidence`). Each item the export holds
becomes a :class:`ScanItem` with its screening report; an item is written once per job (the
unique key is what lets a restarted job skip what it has done). Records the importer could not
read become :class:`ScanProblem` rows, so one bad record never costs the good ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Account, Base, Institution, User, utcnow

__all__ = ["SCAN_STATES", "ScanItem", "ScanJob", "ScanProblem"]

#: queued → running → done | failed; cancelled from queued or running.
SCAN_STATES = ("queued", "running", "done", "failed", "cancelled")


class ScanJob(Base):
    __tablename__ = "scan_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: The upload as it was named, and where its bytes are: ``evidence/<aa>/<sha256>``.
    filename: Mapped[str] = mapped_column(String(200))
    file_path: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    #: The importer asked for ("" = detect by structure), then the one that read the export.
    importer: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    #: Which worker holds a running job, and when it last wrote: a job whose worker stopped
    #: writing long ago died with it, and goes back to the queue.
    claim: Mapped[str] = mapped_column(String(32), default="")
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column()
    #: Items in the export (known once it has been read through), screened, flagged; problems.
    items: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)
    #: Inbox items the export's comments made, and the replies that stopped their clocks.
    comments: Mapped[int] = mapped_column(Integer, default=0)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column()
    finished_at: Mapped[dt.datetime | None] = mapped_column()

    institution: Mapped[Institution] = relationship()
    account: Mapped[Account] = relationship()
    created_by: Mapped[User] = relationship()


class ScanItem(Base):
    """One item of an export with its screening result (what the archive finds as "imported")."""

    __tablename__ = "scan_items"
    __table_args__ = (UniqueConstraint("job_id", "item_id", name="uq_scan_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("scan_jobs.id"), index=True)
    #: Copied from the job, so the archive filters items without a join.
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    #: The record's position in the export (items are shown in the export's order).
    seq: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(200))
    #: post, comment or reply.
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[str] = mapped_column(String(200), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: What the importer told beyond the common fields (X: ``in_reply_to``, ``parent_created_at``).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Where the raw record is in the export (file and pointer), to trace a finding back.
    source: Mapped[str] = mapped_column(String(500), default="")
    verdict: Mapped[str] = mapped_column(String(10), default="clear", index=True)
    categories: Mapped[str] = mapped_column(String(400), default="")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: The screening report (``Report.to_dict()`` without the text); empty when not screened.
    report: Mapped[dict[str, Any]] = mapped_column()
    #: Why the item was not screened (no text, too long), else "".
    note: Mapped[str] = mapped_column(String(300), default="")
    #: Normalised text for the archive's search (``archive.search_key``).
    search_text: Mapped[str] = mapped_column(Text, default="")

    job: Mapped[ScanJob] = relationship()
    account: Mapped[Account] = relationship()
    institution: Mapped[Institution] = relationship()


class ScanProblem(Base):
    """A record (or file) of the export the importer could not read."""

    __tablename__ = "scan_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("scan_jobs.id"), index=True)
    file: Mapped[str] = mapped_column(String(500), default="")
    pointer: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text)
