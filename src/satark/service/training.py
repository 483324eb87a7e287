"""Awareness training (BD §11(খ)): the packs' content clauses explained, with examples, and a quiz.

The training content is the policy packs themselves (each content clause's original text
and citation) plus ``data/training_examples.yaml``: a plain explanation of every content
clause in en/hi/bn, and posts that break it and posts that do not, in the languages people
write in for that pack. A quiz is generated from the same examples: show a post, pick the
clause it breaks or "none".

An attempt stores the questions as shown, with their answer keys, when it is started, so
that scoring is against what the user saw and never against what a client claims is right;
the generator is deterministic given the seed stored with it. An institution's completion
rate is the share of its active members with a passing attempt on its pack in a period.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .._datafile import load_validated
from ..errors import ConfigError, UnknownJurisdiction
from ..packs.model import Clause, PolicyPack
from ..packs.registry import PackRegistry
from . import audit
from .access import can, require, visible_institutions
from .errors import Conflict, InvalidInput, NotFound
from .models import Institution, Membership, User, by_id, utcnow
from .models_training import QuizAttempt
from .reports.quarter import Quarter, parse_quarter
from .settings import Settings

__all__ = [
    "DATA_FILE",
    "NONE",
    "PASS_MARK",
    "QUESTIONS",
    "ClauseTraining",
    "Example",
    "InstitutionRate",
    "ScopeTotals",
    "TrainingData",
    "attempt_view",
    "coverage_problems",
    "current_quarter",
    "generate_quiz",
    "get_attempt",
    "home_pack",
    "institution_pack_id",
    "institution_rates",
    "monitored_rates",
    "my_attempts",
    "pack",
    "quarter_bounds",
    "registry",
    "scope_totals",
    "start_quiz",
    "submit_quiz",
    "training_content",
    "training_data",
]

DATA_FILE = Path(__file__).resolve().parent / "data" / "training_examples.yaml"
#: Questions in a quiz, and the share of them that show a post breaking nothing.
QUESTIONS = 8
NONE = "none"
#: Percent of right answers needed to pass (BD §11(খ) sets none; 70 is the usual mark).
PASS_MARK = 70
#: Clause options shown beside "none" for each question.
CHOICES = 3
#: An unsubmitted attempt younger than this is offered again instead of a new one.
OPEN_ATTEMPT = dt.timedelta(hours=12)
#: Categories a reader may take for one another: a distractor touching one of them could be
#: argued right (a post mocking a faith also demeans a community), so none is offered.
RELATED: dict[str, frozenset[str]] = {
    "religious_sentiment": frozenset({"hate_discrimination", "national_unity"}),
    "hate_discrimination": frozenset({"religious_sentiment", "defamation", "obscene_abusive"}),
    "defamation": frozenset({"anti_government", "hate_discrimination", "obscene_abusive"}),
    "anti_government": frozenset({"defamation", "national_unity", "political"}),
    "national_unity": frozenset({"anti_government", "religious_sentiment"}),
    "obscene_abusive": frozenset({"defamation", "hate_discrimination"}),
    "political": frozenset({"anti_government"}),
    "self_promotion": frozenset({"defamation", "personal_on_official"}),
    "personal_on_official": frozenset({"self_promotion"}),
}
#: How many examples per clause the data must hold: (fewest, most).
BREAKS_PER_CLAUSE = (2, 4)
FINE_PER_CLAUSE = (2, 3)

ExampleLang = Literal["bn", "bn-Latn", "en", "hi", "hi-Latn"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Explanation(_Strict):
    en: str = Field(min_length=1)
    hi: str = Field(min_length=1)
    bn: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return str(getattr(self, lang, None) or self.en)


class Example(_Strict):
    """A post that breaks the clauses in ``breaks`` (all of them), or none of ``fine_for``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,60}$")
    pack: str
    #: BCP 47: ``bn-Latn`` and ``hi-Latn`` are Bengali and Hindi written in Latin letters.
    lang: ExampleLang
    account: Literal["official", "personal"]
    text: str = Field(min_length=1, max_length=600)
    breaks: tuple[str, ...] = ()
    fine_for: tuple[str, ...] = ()
    #: Where the post comes from: a line of the project's own labelled data, or this file.
    source: str = Field(min_length=1)
    #: A person checked the post against every clause it names.
    reviewed: bool
    #: ``missed``: it breaks a clause but the screening engine (full mode) passes it as clear.
    engine: Literal["missed"] | None = None

    @model_validator(mode="after")
    def _says_something(self) -> Example:
        if not self.breaks and not self.fine_for:
            raise ValueError("an example must name the clauses it breaks or those it does not break (fine_for)")
        if set(self.breaks) & set(self.fine_for):
            raise ValueError("an example cannot both break and not break the same clause")
        if self.engine is not None and not self.breaks:
            raise ValueError("only a breaking example can be marked as missed by the engine")
        return self

    @property
    def text_lang(self) -> str:
        """The language for the HTML ``lang`` attribute (``bn-Latn`` stays as it is)."""
        return self.lang


class TrainingData(_Strict):
    version: Literal[1]
    explanations: dict[str, Explanation]
    examples: tuple[Example, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> TrainingData:
        seen: set[str] = set()
        for example in self.examples:
            if example.id in seen:
                raise ValueError(f"duplicate example id {example.id!r}")
            seen.add(example.id)
        return self

    def for_pack(self, pack_id: str, *, reviewed_only: bool = True) -> list[Example]:
        return [e for e in self.examples if e.pack == pack_id and (e.reviewed or not reviewed_only)]


@functools.cache
def training_data() -> TrainingData:
    """The examples file, read and validated once per process."""
    return load_validated(DATA_FILE, TrainingData, what="training examples", error=ConfigError,
                          items="examples", item_name="example", item_key="id")


@functools.cache
def registry() -> PackRegistry:
    """The installed packs (the same plugins the screening engine reads)."""
    return PackRegistry.from_plugins()


def content_clauses(policy: PolicyPack) -> list[Clause]:
    return [c for c in policy.clauses if c.kind == "content"]


def coverage_problems(packs: Sequence[PolicyPack], data: TrainingData | None = None) -> list[str]:
    """What is wrong or missing in the examples for ``packs`` (an empty list when nothing is).

    Every named clause must be a content clause of the example's pack that applies to its
    account type; every content clause needs an explanation in en/hi/bn and 2–4 reviewed
    posts that break it and 2–3 that do not."""
    data = data or training_data()
    problems: list[str] = []
    by_pack = {p.id: p for p in packs}
    for example in data.examples:
        policy = by_pack.get(example.pack)
        if policy is None:
            problems.append(f"{example.id}: unknown pack {example.pack}")
            continue
        for clause_id in (*example.breaks, *example.fine_for):
            clause = next((c for c in policy.clauses if c.id == clause_id), None)
            if clause is None or clause.kind != "content":
                problems.append(f"{example.id}: {clause_id} is not a content clause of {policy.id}")
            elif clause_id in example.breaks and example.account not in clause.applies_to:
                problems.append(f"{example.id}: {clause_id} does not apply to {example.account} accounts")
    for policy in packs:
        examples = data.for_pack(policy.id)
        for clause in content_clauses(policy):
            if clause.id not in data.explanations:
                problems.append(f"{clause.id}: no explanation")
            breaking = sum(clause.id in e.breaks for e in examples)
            fine = sum(clause.id in e.fine_for for e in examples)
            if not BREAKS_PER_CLAUSE[0] <= breaking <= BREAKS_PER_CLAUSE[1]:
                problems.append(f"{clause.id}: {breaking} reviewed posts break it (want {BREAKS_PER_CLAUSE})")
            if not FINE_PER_CLAUSE[0] <= fine <= FINE_PER_CLAUSE[1]:
                problems.append(f"{clause.id}: {fine} reviewed posts do not break it (want {FINE_PER_CLAUSE})")
    return problems


# --- the training page -------------------------------------------------------------------------

def pack(name: str) -> PolicyPack:
    """A pack by id or jurisdiction; an unknown one names nothing to train on (404)."""
    try:
        return registry().get(name)
    except UnknownJurisdiction:
        raise NotFound("no such training pack") from None


def home_pack(session: Session, user: User) -> PolicyPack:
    """The pack of the user's first institution (by membership), else the first installed."""
    jurisdiction = session.scalar(
        select(Institution.jurisdiction).join(Membership, Membership.institution_id == Institution.id)
        .where(Membership.user_id == user.id).order_by(Membership.id).limit(1))
    if jurisdiction:
        try:
            return registry().get(jurisdiction)
        except UnknownJurisdiction:
            pass
    first: PolicyPack = next(iter(registry()))
    return first


@dataclass(frozen=True)
class ClauseTraining:
    clause: Clause
    explanation: str
    breaks: list[Example]
    fine: list[Example]


def training_content(policy: PolicyPack, lang: str) -> list[ClauseTraining]:
    """Each content clause with its explanation in ``lang`` and its reviewed examples."""
    data = training_data()
    examples = data.for_pack(policy.id)
    out = []
    for clause in content_clauses(policy):
        explanation = data.explanations.get(clause.id)
        out.append(ClauseTraining(
            clause=clause, explanation=explanation.get(lang) if explanation else "",
            breaks=[e for e in examples if clause.id in e.breaks],
            fine=[e for e in examples if clause.id in e.fine_for]))
    return out


# --- quizzes -----------------------------------------------------------------------------------

def _distinct_titles(clauses: Sequence[Clause], taken: set[str]) -> list[Clause]:
    """Clauses whose English title is not yet among the options (the circulars repeat §10)."""
    out = []
    for clause in clauses:
        if clause.title.en not in taken:
            taken.add(clause.title.en)
            out.append(clause)
    return out


def _options(rnd: random.Random, policy: PolicyPack, example: Example) -> tuple[list[str], list[str]]:
    """(the clause options in the order shown, then ``none``; the right answers)."""
    clauses = content_clauses(policy)
    by_id = {c.id: c for c in clauses}
    broken = [by_id[c] for c in sorted(example.breaks) if c in by_id]
    # A distractor must not be arguably right: it shares no category (or related one) with a clause broken.
    near = {cat for c in broken for cat in c.categories}
    near |= {other for cat in list(near) for other in RELATED.get(cat, ())}
    pool = [c for c in clauses if c.id not in example.breaks and not near & set(c.categories)]
    fitting = [c for c in pool if example.account in c.applies_to]
    pool = fitting if len(fitting) >= CHOICES else pool
    taken: set[str] = set()
    chosen: list[Clause] = []
    if broken:
        right = rnd.choice(broken)
        taken.add(right.title.en)
        chosen.append(right)
        taken.update(c.title.en for c in broken)
    else:
        # For a post that breaks nothing, offer first a clause it might be mistaken for.
        close = [by_id[c] for c in sorted(example.fine_for) if c in by_id]
        rnd.shuffle(close)
        chosen += _distinct_titles(close, taken)[:1]
    rest = list(pool)
    rnd.shuffle(rest)
    chosen += _distinct_titles([c for c in rest if c not in chosen], taken)[:CHOICES - len(chosen)]
    rnd.shuffle(chosen)
    correct = sorted(c.id for c in broken) if broken else [NONE]
    return [c.id for c in chosen] + [NONE], correct


def generate_quiz(policy: PolicyPack, seed: int, count: int = QUESTIONS) -> list[dict[str, Any]]:
    """The questions for ``seed``: posts from different clauses, about a quarter breaking nothing.

    Deterministic: the same seed, pack and examples give the same questions and options."""
    rnd = random.Random(seed)
    examples = sorted(training_data().for_pack(policy.id), key=lambda e: e.id)
    breaking = [e for e in examples if e.breaks]
    clean = [e for e in examples if not e.breaks]
    if not breaking:
        raise InvalidInput("there is no quiz for this pack yet: it has no reviewed examples")
    n_clean = min(len(clean), max(1, count // 4)) if clean else 0
    # One post per group of clauses first (posts breaking the same rule form a group), so
    # a quiz covers as many rules as it has questions.
    groups: dict[tuple[str, ...], list[Example]] = {}
    for example in breaking:
        groups.setdefault(example.breaks, []).append(example)
    keys = sorted(groups)
    rnd.shuffle(keys)
    picked: list[Example] = []
    while len(picked) < count - n_clean and any(groups.values()):
        for key in keys:
            if groups[key] and len(picked) < count - n_clean:
                picked.append(groups[key].pop(rnd.randrange(len(groups[key]))))
    picked += rnd.sample(clean, n_clean)
    rnd.shuffle(picked)
    questions = []
    for example in picked:
        options, correct = _options(rnd, policy, example)
        questions.append({"example": example.id, "text": example.text, "lang": example.lang,
                          "account": example.account, "options": options, "correct": correct,
                          "breaks": sorted(example.breaks)})
    return questions


def pass_mark(settings: Settings | None = None) -> int:
    """The pass mark: ``SATARK_TRAINING_PASS_MARK`` (``Settings.training_pass_mark``), else 70."""
    return settings.training_pass_mark if settings is not None else PASS_MARK


def _institution_for(session: Session, user: User, pack_id: str) -> int | None:
    """The user's first institution whose pack is ``pack_id`` (for the audit trail)."""
    rows = session.execute(
        select(Institution.id, Institution.jurisdiction).join(Membership, Membership.institution_id == Institution.id)
        .where(Membership.user_id == user.id).order_by(Membership.id))
    for row in rows:
        if institution_pack_id(row.jurisdiction) == pack_id:
            return int(row.id)
    return None


def start_quiz(session: Session, user: User, policy: PolicyPack, *, lang: str = "en", seed: int | None = None,
               now: dt.datetime | None = None, mark: int = PASS_MARK) -> QuizAttempt:
    """A new attempt with its questions stored, or the user's open one on this pack (so
    reloading the start page does not pile up attempts)."""
    now = now or utcnow()
    open_attempt = session.scalar(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.pack_id == policy.id,
                                  QuizAttempt.submitted_at.is_(None), QuizAttempt.started_at > now - OPEN_ATTEMPT)
        .order_by(QuizAttempt.id.desc()).limit(1))
    if open_attempt is not None and seed is None:
        return open_attempt
    seed = secrets.randbelow(2**31) if seed is None else seed
    questions = generate_quiz(policy, seed)
    attempt = QuizAttempt(user_id=user.id, pack_id=policy.id, lang=lang if lang in ("en", "hi", "bn") else "en",
                          seed=seed, questions=questions, total=len(questions), pass_mark=mark, started_at=now)
    session.add(attempt)
    session.flush()
    audit.record(session, "quiz_started", actor=user, institution_id=_institution_for(session, user, policy.id),
                 object_type="quiz_attempt", object_id=attempt.id, details={"pack": policy.id})
    return attempt


def get_attempt(session: Session, user: User, attempt_id: int) -> QuizAttempt:
    """One of the user's own attempts; anyone else's is not found."""
    attempt = by_id(session, QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user.id:
        raise NotFound("no such quiz attempt")
    return attempt


def submit_quiz(session: Session, user: User, attempt: QuizAttempt, answers: Mapping[int, str | None], *,
                now: dt.datetime | None = None) -> QuizAttempt:
    """Score the answers (question number from 1 → option chosen) against the stored keys.

    A question left out counts as wrong; an answer that is not one of the question's options,
    or a number that is no question, is refused. Submitting twice is a conflict: retake instead."""
    if attempt.user_id != user.id:
        raise NotFound("no such quiz attempt")
    if attempt.submitted_at is not None:
        raise Conflict("this quiz is already submitted; start a new one to try again")
    questions = attempt.questions
    for number, choice in answers.items():
        if not 1 <= number <= len(questions):
            raise InvalidInput(f"there is no question {number} in this quiz")
        if choice is not None and choice not in questions[number - 1]["options"]:
            raise InvalidInput(f"the answer to question {number} is not one of its options")
    chosen = [answers.get(i + 1) for i in range(len(questions))]
    right = sum(c is not None and c in q["correct"] for c, q in zip(chosen, questions, strict=True))
    attempt.answers = chosen
    attempt.correct_count = right
    attempt.score = right * 100 // len(questions)
    attempt.passed = attempt.score >= attempt.pass_mark
    attempt.submitted_at = now or utcnow()
    session.flush()
    audit.record(session, "quiz_completed", actor=user, institution_id=_institution_for(session, user, attempt.pack_id),
                 object_type="quiz_attempt", object_id=attempt.id,
                 details={"pack": attempt.pack_id, "score": attempt.score, "correct": right,
                          "total": len(questions), "passed": attempt.passed})
    return attempt


def attempt_view(attempt: QuizAttempt, lang: str) -> dict[str, Any]:
    """What a client may see: before submission the questions and options only; after it,
    the right answers with the clauses' explanations in ``lang``."""
    policy = pack(attempt.pack_id)
    data = training_data()
    done = attempt.submitted_at is not None

    def option(value: str) -> dict[str, str]:
        if value == NONE:
            return {"value": NONE, "citation": "", "title": ""}
        clause = policy.clause(value)
        return {"value": value, "citation": clause.citation, "title": clause.title.get(lang)}

    questions = []
    for i, q in enumerate(attempt.questions):
        item: dict[str, Any] = {"number": i + 1, "text": q["text"], "lang": q["lang"], "account": q["account"],
                                "options": [option(v) for v in q["options"]]}
        if done:
            chosen = (attempt.answers or [])[i] if i < len(attempt.answers or []) else None
            item["chosen"] = chosen
            item["right"] = chosen is not None and chosen in q["correct"]
            item["correct"] = q["correct"]
            # Circulars that restate a rule share its explanation: say it once per question.
            said: set[str] = set()
            item["breaks"] = []
            for c in q["breaks"]:
                text = data.explanations[c].get(lang) if c in data.explanations else ""
                item["breaks"].append({**option(c), "explanation": "" if text in said else text})
                said.add(text)
        questions.append(item)
    return {
        "id": attempt.id, "pack": attempt.pack_id, "started_at": attempt.started_at,
        "submitted_at": attempt.submitted_at, "pass_mark": attempt.pass_mark, "total": attempt.total,
        "correct": attempt.correct_count, "score": attempt.score, "passed": attempt.passed,
        "questions": questions,
    }


def my_attempts(session: Session, user: User, *, limit: int = 50) -> list[QuizAttempt]:
    """The user's submitted attempts, newest first."""
    return list(session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()).limit(limit)))


# --- completion rates --------------------------------------------------------------------------

def quarter_bounds(quarter: str, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """``2026Q3`` in ``time_zone`` as aware UTC datetimes [start, end) (the reports' quarters)."""
    return parse_quarter(quarter).bounds(time_zone)


def current_quarter(now: dt.datetime, time_zone: str) -> str:
    return str(Quarter.containing(now, time_zone))


def institution_pack_id(jurisdiction: str) -> str | None:
    try:
        return registry().get(jurisdiction).id
    except UnknownJurisdiction:
        return None


@dataclass(frozen=True)
class InstitutionRate:
    institution: Institution
    pack_id: str | None
    #: Active users with a role in the institution itself.
    members: int
    #: Of them, those with a passing attempt on the institution's pack in the period.
    completed: int
    #: Mean score of the members' submitted attempts on the pack in the period (None: none).
    average_score: float | None
    attempts: int

    @property
    def rate(self) -> float | None:
        """The completion rate, 0–1 (None for an institution without members)."""
        return self.completed / self.members if self.members else None


def institution_rates(session: Session, institution_ids: Sequence[int], start: dt.datetime,
                      end: dt.datetime) -> list[InstitutionRate]:
    """Completion figures per institution for [start, end), read-only and without access checks
    (the callers check: :func:`monitored_rates`, the quarterly report)."""
    out = []
    institutions = session.scalars(select(Institution).where(Institution.id.in_(list(institution_ids)))
                                   .order_by(Institution.id)).all()
    for inst in institutions:
        members = select(Membership.user_id).join(User, User.id == Membership.user_id).where(
            Membership.institution_id == inst.id, User.is_active.is_(True)).distinct().scalar_subquery()
        member_count = session.scalar(
            select(func.count(func.distinct(Membership.user_id))).join(User, User.id == Membership.user_id)
            .where(Membership.institution_id == inst.id, User.is_active.is_(True))) or 0
        pack_id = institution_pack_id(inst.jurisdiction)
        completed, average, attempts = 0, None, 0
        if pack_id is not None and member_count:
            in_period = (QuizAttempt.pack_id == pack_id, QuizAttempt.user_id.in_(members),
                         QuizAttempt.submitted_at >= start, QuizAttempt.submitted_at < end)
            completed = session.scalar(select(func.count(func.distinct(QuizAttempt.user_id)))
                                       .where(*in_period, QuizAttempt.passed.is_(True))) or 0
            row = session.execute(select(func.count(QuizAttempt.id), func.avg(QuizAttempt.score))
                                  .where(*in_period)).one()
            attempts = int(row[0] or 0)
            average = float(row[1]) if row[1] is not None else None
        out.append(InstitutionRate(inst, pack_id, int(member_count), int(completed), average, attempts))
    return out


@dataclass(frozen=True)
class ScopeTotals:
    """Completion over several institutions, each person counted once."""

    members: int
    completed: int
    attempts: int
    average_score: float | None


def scope_totals(session: Session, institution_ids: Sequence[int], start: dt.datetime,
                 end: dt.datetime) -> ScopeTotals:
    """The figures of :func:`institution_rates` for the institutions together: a person with a
    role in two of them is one member, and their attempts count once (summing the rows of each
    institution counted them twice). A member completed when they passed the quiz of the pack
    of an institution of theirs in scope; read-only, without access checks (the callers check)."""
    ids = list(institution_ids)
    pack_of = {i: institution_pack_id(j) for i, j in session.execute(
        select(Institution.id, Institution.jurisdiction).where(Institution.id.in_(ids)))}
    packs_of: dict[int, set[str]] = {}
    for user_id, institution_id in session.execute(
            select(Membership.user_id, Membership.institution_id).join(User, User.id == Membership.user_id)
            .where(Membership.institution_id.in_(ids), User.is_active.is_(True))):
        wanted = packs_of.setdefault(user_id, set())
        pack_id = pack_of.get(institution_id)
        if pack_id is not None:
            wanted.add(pack_id)
    completed: set[int] = set()
    scores: list[float] = []
    if packs_of:
        for user_id, pack_id, passed, score in session.execute(
                select(QuizAttempt.user_id, QuizAttempt.pack_id, QuizAttempt.passed, QuizAttempt.score)
                .where(QuizAttempt.user_id.in_(list(packs_of)), QuizAttempt.submitted_at >= start,
                       QuizAttempt.submitted_at < end)):
            if pack_id not in packs_of[user_id]:
                continue
            if score is not None:
                scores.append(float(score))
            if passed:
                completed.add(user_id)
    return ScopeTotals(len(packs_of), len(completed), len(scores),
                       sum(scores) / len(scores) if scores else None)


def monitored_rates(session: Session, user: User, start: dt.datetime, end: dt.datetime,
                    institution_id: int | None = None) -> list[InstitutionRate]:
    """The rates of the institutions the user monitors (monitor or admin there, or above),
    or of one of them; another institution is not found, one they only belong to is forbidden."""
    if institution_id is not None:
        require(session, user, "read_monitoring", institution_id, what="institution")
        ids = [institution_id]
    else:
        ids = sorted(i for i in visible_institutions(session, user) if can(session, user, "read_monitoring", i))
    return institution_rates(session, ids, start, end)
