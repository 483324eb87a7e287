"""Tables of awareness training and quiz results (issue 12, section 5; BD §11(খ)).

An attempt keeps the questions exactly as they were shown, with their answer keys, so a
score is always computed against what the user saw (never against what the client says
is right), and a later change to the training examples does not rescore old attempts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, User, utcnow

__all__ = ["QuizAttempt"]


class QuizAttempt(Base):
    """One quiz taken (or being taken) by one user on one policy pack."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The policy pack the questions came from (``BD-2019``, ``IN-CG-2017``).
    pack_id: Mapped[str] = mapped_column(String(40), index=True)
    #: The page language when it was started (explanations are shown in the viewer's).
    lang: Mapped[str] = mapped_column(String(5), default="en")
    #: The generator's seed: the same seed and examples give the same questions.
    seed: Mapped[int] = mapped_column(Integer)
    #: ``[{"example": id, "text", "lang", "account", "options": [...], "correct": [...], "breaks": [...]}]``
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    #: The option chosen per question (``None`` for one left blank), once submitted.
    answers: Mapped[list[str | None] | None] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    correct_count: Mapped[int | None] = mapped_column(Integer)
    #: Percent, 0-100, rounded down.
    score: Mapped[int | None] = mapped_column(Integer)
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    user: Mapped[User] = relationship()
