"""``/api/v1/training``: awareness training content, quizzes and completion rates (BD §11(খ))."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from .. import directory, training
from ..errors import InvalidInput
from ..i18n import LOCALES
from ..models import utcnow
from ..models_training import QuizAttempt
from ..reports.quarter import QUARTER_PATTERN, parse_quarter
from ..settings import Settings
from . import schemas as s
from .routes import PathId, QueryId, Svc

router = APIRouter(tags=["training"])

Lang = Literal["en", "hi", "bn"]
PackPath = Annotated[str, s.OneOf(s.pack_names, "pack"), Path(description="a pack id (BD-2019) or jurisdiction (BD)")]
#: A clause id (``BD-2019/10/kha``) or ``none``.
Choice = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9./-]{0,79}$")]
QuarterQuery = Annotated[str | None, Query(pattern=QUARTER_PATTERN,
                                      description="like 2026Q4; default: this quarter")]


class AnswerIn(s.Body):
    question: int = Field(ge=1, le=training.QUESTIONS, description="the question's number, from 1")
    choice: Choice | None = Field(None, description="the option's value (a clause id or 'none'); null: no answer")


class AnswersIn(s.Body):
    answers: list[AnswerIn] = Field(max_length=training.QUESTIONS,
                                    description="one per question at most; a question left out counts as wrong")


def _lang(lang: str | None, fallback: str) -> str:
    return lang if lang in LOCALES else (fallback if fallback in LOCALES else "en")


def _attempt_out(attempt: QuizAttempt, lang: str) -> dict[str, Any]:
    return training.attempt_view(attempt, lang)


def _rate_out(rate: training.InstitutionRate) -> dict[str, Any]:
    return {"institution_id": rate.institution.id, "institution": rate.institution.name, "pack": rate.pack_id,
            "members": rate.members, "completed": rate.completed, "rate": rate.rate,
            "average_score": rate.average_score, "attempts": rate.attempts}


@router.get("/training/packs/{pack}", summary="The training content of a pack: each content clause with its "
                                               "explanation and examples")
def training_content(pack: PackPath, request: Request, svc: Svc, lang: Lang | None = None) -> dict[str, Any]:
    with svc.unit(request) as (_session, user):
        policy = training.pack(pack)
        chosen = _lang(lang, user.ui_lang)
        return {
            "pack": policy.id, "title": policy.title.get(chosen), "lang": chosen,
            "clauses": [{
                "id": item.clause.id, "citation": item.clause.citation, "title": item.clause.title.get(chosen),
                "original": item.clause.text.original, "explanation": item.explanation,
                "applies_to": list(item.clause.applies_to),
                "breaks": [_example_out(e) for e in item.breaks],
                "does_not_break": [_example_out(e) for e in item.fine],
            } for item in training.training_content(policy, chosen)],
        }


def _example_out(example: training.Example) -> dict[str, Any]:
    return {"id": example.id, "text": example.text, "lang": example.lang, "account": example.account}


@router.post("/training/packs/{pack}/quiz", status_code=201,
             summary="Start a quiz on a pack (or get your open one): questions without their answers")
def start_quiz(pack: PackPath, request: Request, svc: Svc, lang: Lang | None = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        policy = training.pack(pack)
        chosen = _lang(lang, user.ui_lang)
        attempt = training.start_quiz(session, user, policy, lang=chosen, mark=_pass_mark(svc.settings))
        return _attempt_out(attempt, chosen)


def _pass_mark(settings: Settings) -> int:
    return training.pass_mark(settings)


@router.get("/training/quizzes/{attempt_id}",
            summary="One of your quiz attempts; answers and explanations only once submitted")
def get_quiz(attempt_id: PathId, request: Request, svc: Svc, lang: Lang | None = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        attempt = training.get_attempt(session, user, attempt_id)
        return _attempt_out(attempt, _lang(lang, user.ui_lang))


@router.post("/training/quizzes/{attempt_id}/answers", summary="Submit your answers: scored against the "
                                                                  "questions as they were shown")
def submit_quiz(attempt_id: PathId, body: AnswersIn, request: Request, svc: Svc,
                lang: Lang | None = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        attempt = training.get_attempt(session, user, attempt_id)
        answers: dict[int, str | None] = {}
        for answer in body.answers:
            if answer.question in answers:
                raise InvalidInput(f"question {answer.question} is answered twice")
            answers[answer.question] = answer.choice
        training.submit_quiz(session, user, attempt, answers)
        return _attempt_out(attempt, _lang(lang, user.ui_lang))


@router.get("/training/completions", summary="Your submitted quiz attempts, newest first")
def my_completions(request: Request, svc: Svc) -> list[dict[str, Any]]:
    with svc.unit(request) as (session, user):
        return [{"id": a.id, "pack": a.pack_id, "score": a.score, "passed": a.passed, "correct": a.correct_count,
                 "total": a.total, "pass_mark": a.pass_mark, "started_at": a.started_at,
                 "submitted_at": a.submitted_at} for a in training.my_attempts(session, user)]


@router.get("/training/completion-rates",
            summary="Completion rates of the institutions you monitor (monitor or admin), for a quarter")
def completion_rates(request: Request, svc: Svc, quarter: QuarterQuery = None,
                     institution_id: QueryId = None) -> dict[str, Any]:
    with svc.unit(request) as (session, user):
        now = utcnow()
        zone = "UTC"
        if institution_id is not None:
            zone = directory.get_institution(session, user, institution_id).timezone
        quarter = str(parse_quarter(quarter)) if quarter else training.current_quarter(now, zone)
        start, end = training.quarter_bounds(quarter, zone)
        rates = training.monitored_rates(session, user, start, end, institution_id)
        return {"quarter": quarter, "start": start, "end": end - dt.timedelta(microseconds=1),
                "institutions": [_rate_out(r) for r in rates]}
