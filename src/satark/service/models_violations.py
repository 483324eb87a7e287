"""Tables of the violation register (issue 12, section 4; CG violation clause, BD §6.2(গ)).

A case is what a monitor records about one incident: the post (a Satark post, or text and a
link from outside), the employee, the clauses broken and a snapshot of the evidence with its
SHA-256. Its steps (show-cause notice, explanation, decision, closure) each keep their date,
note and deadline; uploaded files are kept outside the database, content-addressed by their
SHA-256, which the rows record (:mod:`.evidence`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Institution, Post, User, utcnow

__all__ = ["ViolationCase", "ViolationClause", "ViolationFile", "ViolationStep"]


class ViolationCase(Base):
    __tablename__ = "violation_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id"), index=True)
    #: noted, show_cause_issued, explanation_received, decided or closed.
    state: Mapped[str] = mapped_column(String(30), default="noted", index=True)
    #: Once decided: no_action, warning or referred (to the competent authority).
    outcome: Mapped[str] = mapped_column(String(20), default="")
    #: The policy pack the clauses come from (``BD-2019``), fixed when the case is recorded.
    pack_id: Mapped[str] = mapped_column(String(40))
    #: A Satark post, and the revision whose text is the evidence; or none for an outside post.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    post_revision: Mapped[int | None] = mapped_column(Integer)
    #: The text as it stood when the case was recorded, and its SHA-256 (UTF-8).
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    evidence_sha256: Mapped[str] = mapped_column(String(64), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    #: The employee: a Satark user, or a name and designation for someone without an account.
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    employee_name: Mapped[str] = mapped_column(String(200), default="")
    employee_designation: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    #: When the incident happened (as far as known), the day in the institution's zone.
    occurred_on: Mapped[dt.date | None] = mapped_column(Date)
    #: The open deadline: the show-cause reply, then the decision; None when none runs.
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    #: To whom a referred case went (the competent authority), as the decision names it.
    referred_to: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column()

    institution: Mapped[Institution] = relationship()
    post: Mapped[Post | None] = relationship()
    employee: Mapped[User | None] = relationship(foreign_keys=[employee_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    clauses: Mapped[list[ViolationClause]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ViolationClause.id")
    steps: Mapped[list[ViolationStep]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ViolationStep.id")
    files: Mapped[list[ViolationFile]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="ViolationFile.id")

    @property
    def employee_label(self) -> str:
        if self.employee is not None:
            return self.employee.display_name
        return self.employee_name


class ViolationClause(Base):
    """One clause a case says was broken (its id in the case's pack)."""

    __tablename__ = "violation_clauses"
    __table_args__ = (UniqueConstraint("case_id", "clause_id", name="uq_violation_clause"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("violation_cases.id"), index=True)
    clause_id: Mapped[str] = mapped_column(String(80), index=True)
    #: True when it came from the post's screening findings, False when a person chose it.
    from_findings: Mapped[bool] = mapped_column(default=False)

    case: Mapped[ViolationCase] = relationship(back_populates="clauses")


class ViolationStep(Base):
    """One step of a case: the state it entered, on which day, with its note and deadline."""

    __tablename__ = "violation_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("violation_cases.id"), index=True)
    #: The state the step entered (``noted`` for the record itself).
    step: Mapped[str] = mapped_column(String(30))
    #: The day it happened (the notice's date, the reply's date), in the institution's zone.
    on_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    #: The deadline this step set: the reply (show-cause), the decision (explanation).
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20), default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[ViolationCase] = relationship(back_populates="steps")
    actor: Mapped[User] = relationship()
    files: Mapped[list[ViolationFile]] = relationship(back_populates="step", order_by="ViolationFile.id")


class ViolationFile(Base):
    """An uploaded screenshot or document; the bytes live in the data directory under their SHA-256."""

    __tablename__ = "violation_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("violation_cases.id"), index=True)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("violation_steps.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: image/png, image/jpeg, application/pdf or text/plain, from the content's magic bytes.
    media_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    case: Mapped[ViolationCase] = relationship(back_populates="files")
    step: Mapped[ViolationStep | None] = relationship(back_populates="files")
    uploaded_by: Mapped[User] = relationship()
