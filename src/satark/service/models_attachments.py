"""Images attached to posts (issue 13, section 4), with the text read from them and its screening.

A picture is part of what gets published, so it is screened like the post's text: each
attachment keeps what Tesseract read (the text and every word's box), the screening report of
that text, and its verdict, which the post's verdict takes into account (the worst of its text
and its images). The bytes live in the data directory under their SHA-256, as the violation
register's evidence does (:mod:`.evidence`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Post, User, utcnow

__all__ = ["PostAttachment"]


class PostAttachment(Base):
    __tablename__ = "post_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: image/png or image/jpeg, from the content's magic bytes.
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The image's size in pixels: the word boxes are in these, and the page scales them to percentages.
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    #: The text read from the image (NFC), and the models that read it (``eng+hin+ben``).
    ocr_text: Mapped[str] = mapped_column(Text, default="")
    ocr_langs: Mapped[str] = mapped_column(String(60), default="")
    #: ``{"words": [{"text", "start", "end", "box": {left, top, width, height}, "confidence"}]}``.
    ocr_words: Mapped[dict[str, Any]] = mapped_column()
    #: The screening of ``ocr_text`` (the engine's report as plain data; each finding with its
    #: ``boxes``); empty when the image holds no text.
    report: Mapped[dict[str, Any]] = mapped_column()
    verdict: Mapped[str] = mapped_column(String(10), default="clear")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    post: Mapped[Post] = relationship()
    uploaded_by: Mapped[User] = relationship()

    @property
    def findings(self) -> list[dict[str, Any]]:
        return list(self.report.get("findings", []))
