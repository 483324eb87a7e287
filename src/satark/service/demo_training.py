"""Demo quiz results (awareness training, BD §11(খ)), so the quarterly report shows completion at once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from . import training
from .models import Institution, User
from .screening import Screening

__all__ = ["seed"]

#: username → (institution key, right answers out of 8, hours before now); several in the
#: current quarter, passing and failing, and one retake.
RESULTS: tuple[tuple[str, str, int, int], ...] = (
    ("rahima", "district", 5, 72),   # 62%: failed first ...
    ("rahima", "district", 8, 48),   # ... then passed on the retake
    ("karim", "district", 6, 30),
    ("sohel", "district", 4, 20),
    ("admin", "ministry", 7, 10),
    ("priya", "cg_office", 7, 26),
)


def seed(session: Session, screening: Screening, users: dict[str, User], places: dict[str, Institution],
         now: dt.datetime) -> list[int]:
    """Record the quiz attempts of :data:`RESULTS`; returns their ids. ``screening`` gives the
    packs the institutions use."""
    ids = []
    for n, (username, place, right, hours) in enumerate(RESULTS):
        institution = places[place]
        policy = screening.pack(institution.jurisdiction)
        start, _end = training.quarter_bounds(training.current_quarter(now, institution.timezone), institution.timezone)
        when = max(now - dt.timedelta(hours=hours), start + dt.timedelta(minutes=10 + n))
        user = users[username]
        attempt = training.start_quiz(session, user, policy, lang=user.ui_lang, seed=1000 + n,
                                      now=when - dt.timedelta(minutes=6))
        answers: dict[int, str | None] = {}
        for i, question in enumerate(attempt.questions, start=1):
            right_option = next(o for o in question["options"] if o in question["correct"])
            wrong = next(o for o in question["options"] if o not in question["correct"])
            answers[i] = right_option if i <= right else wrong
        training.submit_quiz(session, user, attempt, answers, now=when)
        ids.append(attempt.id)
    return ids
