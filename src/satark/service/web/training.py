"""Awareness training pages (BD §11(খ)): each pack's content clauses with examples, and the quiz."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import training
from ..access import can, visible_institutions
from ..errors import InvalidInput
from ..models import utcnow
from ..timezones import user_zone
from .forms import Form, opt_int, text
from .render import WebRoute, redirect, web_unit

router = APIRouter(route_class=WebRoute)


@router.get("/training", response_class=HTMLResponse)
def training_home(request: Request) -> Response:
    """The packs, the user's own results, and for monitors and admins their institutions' rates."""
    with web_unit(request) as web:
        zone = user_zone(web.user)
        quarter = training.current_quarter(utcnow(), zone)
        start, end = training.quarter_bounds(quarter, zone)
        monitored = any(can(web.session, web.user, "read_monitoring", i)
                        for i in visible_institutions(web.session, web.user))
        rates = training.monitored_rates(web.session, web.user, start, end) if monitored else []
        return web.render("training.html", packs=list(training.registry()),
                          home=training.home_pack(web.session, web.user).id,
                          attempts=training.my_attempts(web.session, web.user), rates=rates, quarter=quarter)


@router.get("/training/packs/{pack}", response_class=HTMLResponse)
def training_pack(pack: str, request: Request) -> Response:
    with web_unit(request) as web:
        policy = training.pack(pack)
        return web.render("training_pack.html", pack=policy,
                          items=training.training_content(policy, web.locale))


@router.post("/training/packs/{pack}/quiz")
def start_quiz(pack: str, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        policy = training.pack(pack)
        attempt = training.start_quiz(web.session, web.user, policy, lang=web.locale,
                                      mark=training.pass_mark(web.svc.settings))
        return redirect(f"/training/quiz/{attempt.id}")


@router.get("/training/quiz/{attempt_id:int}", response_class=HTMLResponse)
def quiz_page(attempt_id: int, request: Request) -> Response:
    with web_unit(request) as web:
        attempt = training.get_attempt(web.session, web.user, attempt_id)
        return web.render("training_quiz.html", quiz=training.attempt_view(attempt, web.locale),
                          pack=training.pack(attempt.pack_id))


@router.post("/training/quiz/{attempt_id:int}")
def submit_quiz(attempt_id: int, request: Request, form: Form) -> Response:
    with web_unit(request, form) as web:
        attempt = training.get_attempt(web.session, web.user, attempt_id)
        answers: dict[int, str | None] = {}
        for name in form:
            number = opt_int(name[1:], "question", low=1, high=attempt.total) if name.startswith("q") else None
            if number is not None:
                answers[number] = text(form, name, limit=80) or None
        if not answers and attempt.total:
            raise InvalidInput("choose an answer for at least one question")
        training.submit_quiz(web.session, web.user, attempt, answers)
        return redirect(f"/training/quiz/{attempt.id}")
