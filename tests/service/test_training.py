"""Awareness training (issue 12 §5, BD §11(খ)): content, quizzes scored against what was shown,
completion rates, the report section and the pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from satark.service import demo_training, training
from satark.service.context import Services
from satark.service.demo import DEMO_PASSWORD
from satark.service.models import AuditEvent, Institution, utcnow
from satark.service.models_training import QuizAttempt
from satark.service.reports.base import ReportScope
from satark.service.reports.registry import sections

from .conftest import Api, Demo

pytestmark = pytest.mark.usefixtures("backend")


def _answers(quiz: dict[str, Any], keys: list[dict[str, Any]], right: int) -> list[dict[str, Any]]:
    """Answer the first ``right`` questions correctly from the stored keys, the rest wrongly."""
    out = []
    for q, key in zip(quiz["questions"], keys, strict=True):
        values = [o["value"] for o in q["options"]]
        good = next(v for v in values if v in key["correct"])
        bad = next(v for v in values if v not in key["correct"])
        out.append({"question": q["number"], "choice": good if q["number"] <= right else bad})
    return out


def _keys(svc: Services, attempt_id: int) -> list[dict[str, Any]]:
    with svc.db.session(write=False) as session:
        attempt = session.get(QuizAttempt, attempt_id)
        assert attempt is not None
        return list(attempt.questions)


def test_generation_is_deterministic_and_every_question_has_one_right_option() -> None:
    for name in ("BD", "IN-CG"):
        policy = training.pack(name)
        assert training.generate_quiz(policy, 99) == training.generate_quiz(policy, 99)
        assert training.generate_quiz(policy, 99) != training.generate_quiz(policy, 100)
        for seed in range(40):
            questions = training.generate_quiz(policy, seed)
            assert len(questions) == training.QUESTIONS
            assert len({q["example"] for q in questions}) == len(questions)
            assert any(q["correct"] == [training.NONE] for q in questions)
            for q in questions:
                assert q["options"][-1] == training.NONE and len(set(q["options"])) == len(q["options"])
                assert sum(o in q["correct"] for o in q["options"]) == 1


def test_content_has_every_content_clause_in_three_languages(as_user: Callable[[str], Api]) -> None:
    for lang, word in (("bn", "ধর্ম"), ("hi", "धर्म"), ("en", "faith")):
        body = as_user("rahima").ok("GET", f"/training/packs/BD?lang={lang}")
        assert body["pack"] == "BD-2019" and body["lang"] == lang
        clauses = {c["id"]: c for c in body["clauses"]}
        assert len(clauses) == len(training.content_clauses(training.pack("BD")))
        religion = clauses["BD-2019/10/kha"]
        assert religion["citation"] == "§10(খ)" and "ধর্মীয় অনুভূতিতে" in religion["original"]
        assert word in religion["explanation"]
        assert 2 <= len(religion["breaks"]) <= 4 and 2 <= len(religion["does_not_break"]) <= 3
    cg = as_user("priya").ok("GET", "/training/packs/IN-CG?lang=hi")
    assert {e["lang"] for c in cg["clauses"] for e in c["breaks"] + c["does_not_break"]} >= {"hi", "hi-Latn", "en"}
    as_user("priya").ok("GET", "/training/packs/NOPE", 422)


def test_quiz_is_scored_against_what_was_shown_and_audited(svc: Services, as_user: Callable[[str], Api],
                                                            check_error: Callable[..., Any]) -> None:
    rahima = as_user("rahima")
    seeded = {c["id"] for c in rahima.ok("GET", "/training/completions")}  # the demo's attempts
    quiz = rahima.ok("POST", "/training/packs/BD/quiz?lang=bn", 201)
    # Nothing in the quiz as served tells the answer.
    assert all(set(q) == {"number", "text", "lang", "account", "options"} for q in quiz["questions"])
    assert quiz["score"] is None and quiz["submitted_at"] is None
    # Starting again before submitting gives the same attempt, not a new one.
    assert rahima.ok("POST", "/training/packs/BD/quiz", 201)["id"] == quiz["id"]
    keys = _keys(svc, quiz["id"])
    # Another user cannot see or answer it.
    check_error(as_user("karim").get(f"/training/quizzes/{quiz['id']}"), 404)
    check_error(as_user("karim").post(f"/training/quizzes/{quiz['id']}/answers", json={"answers": []}), 404)
    # An answer that was not offered is refused, whatever the client thinks is right.
    not_offered = next(c for k in keys for c in k["correct"] if c not in k["options"]) if any(
        set(k["correct"]) - set(k["options"]) for k in keys) else "BD-2019/6.2/kha"
    first_missing = next((i for i, k in enumerate(keys, 1) if not_offered not in k["options"]), 1)
    check_error(rahima.post(f"/training/quizzes/{quiz['id']}/answers",
                            json={"answers": [{"question": first_missing, "choice": not_offered}]}), 422)
    result = rahima.ok("POST", f"/training/quizzes/{quiz['id']}/answers?lang=bn",
                       json={"answers": _answers(quiz, keys, 6)})
    assert (result["correct"], result["total"], result["score"], result["passed"]) == (6, 8, 75, True)
    explained = [q for q in result["questions"] if q["breaks"]]
    assert explained and all(b["title"] for q in explained for b in q["breaks"])
    # Each explanation once per question: the circulars restating §10 share it.
    assert all(q["breaks"][0]["explanation"] for q in explained)
    for q in explained:
        said = [b["explanation"] for b in q["breaks"] if b["explanation"]]
        assert len(said) == len(set(said))
    assert any("ে" in b["explanation"] for q in explained for b in q["breaks"])  # Bengali explanations
    # Twice is a conflict: retake instead.
    check_error(rahima.post(f"/training/quizzes/{quiz['id']}/answers", json={"answers": []}), 409)
    retake = rahima.ok("POST", "/training/packs/BD/quiz", 201)
    assert retake["id"] != quiz["id"]
    failed = rahima.ok("POST", f"/training/quizzes/{retake['id']}/answers",
                       json={"answers": _answers(retake, _keys(svc, retake["id"]), 3)[:5]})
    assert (failed["correct"], failed["score"], failed["passed"]) == (3, 37, False)
    assert [c["score"] for c in rahima.ok("GET", "/training/completions") if c["id"] not in seeded] == [37, 75]
    with svc.db.session(write=False) as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "quiz_completed", AuditEvent.actor == "rahima", AuditEvent.object_id.not_in(seeded))
            .order_by(AuditEvent.id)).all()
        assert [(e.details["score"], e.details["passed"]) for e in events] == [(75, True), (37, False)]
        district = session.scalar(select(Institution.id).where(Institution.short_name == "DC Office Dhaka"))
        assert {e.institution_id for e in events} == {district}


def test_completion_rates_for_monitors_only(svc: Services, demo: Demo, as_user: Callable[[str], Api],
                                            check_error: Callable[..., Any]) -> None:
    now = utcnow()
    # `satark demo` (the `demo` fixture) records demo_training.RESULTS in the current quarter.
    with svc.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(QuizAttempt)) == len(demo_training.RESULTS)
    rates = as_user("monitor").ok("GET", "/training/completion-rates")
    by_name = {r["institution"]: r for r in rates["institutions"]}
    district = by_name["Deputy Commissioner's Office, Dhaka"]
    # rahima (passed on the retake), karim: 2 of the 4 active members; sohel failed, nasreen did not try.
    assert (district["members"], district["completed"], district["pack"]) == (4, 2, "BD-2019")
    assert district["rate"] == pytest.approx(0.5)
    assert district["average_score"] == pytest.approx((62 + 100 + 75 + 50) / 4)
    assert "Collectorate, Raipur" not in by_name  # not below the ministry
    one = as_user("monitor").ok("GET", f"/training/completion-rates?institution_id={demo.institutions['district']}")
    assert [r["institution_id"] for r in one["institutions"]] == [demo.institutions["district"]]
    check_error(as_user("rahima").get(f"/training/completion-rates?institution_id={demo.institutions['district']}"),
                403)
    check_error(as_user("rahima").get(f"/training/completion-rates?institution_id={demo.institutions['cg']}"), 404)
    assert as_user("rahima").ok("GET", "/training/completion-rates")["institutions"] == []
    # A past quarter has nobody.
    old = as_user("monitor").ok("GET", "/training/completion-rates?quarter=2020Q1")
    assert all(r["completed"] == 0 for r in old["institutions"])

    # The quarterly report's section says the same.
    section = next(s for s in sections() if s.key == "training")
    with svc.db.session(write=False) as session:
        zone = "Asia/Dhaka"
        quarter = training.current_quarter(now, zone)
        start, end = training.quarter_bounds(quarter, zone)
        scope = ReportScope(root_id=demo.institutions["district"], institution_ids=(demo.institutions["district"],),
                            quarter=quarter, start=start, end=end, lang="bn", time_zone=zone, now=now)
        from satark.service.i18n import translations

        result = section.build(session, scope, translations("bn").gettext)
    figures = {f.key: f.value for f in result.figures}
    assert figures == {"members": 4, "completed": 2, "completion_rate": 50.0, "average_score": 71.8}
    assert result.tables[0].rows[0][1:] == [4, 2, 50.0, 71.8]
    assert result.summary


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login(client: Any, username: str) -> str:
    client.cookies.clear()
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/"},
                    headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = _CSRF.search(client.get("/training").text)
    assert found
    return found.group(1)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("Posts that break it", "Take the quiz")),
    ("hi", ("पोस्ट जो इसका उल्लंघन करती हैं", "क्विज़ दें")),
    ("bn", ("যে পোস্ট এটি ভঙ্গ করে", "কুইজ দিন")),
])
def test_web_training_and_quiz(svc: Services, client: Any, demo: Demo, lang: str, words: tuple[str, ...]) -> None:
    csrf = _login(client, "priya")
    client.cookies.set("satark_lang", lang)
    page = client.get("/training/packs/IN-CG-2017")
    assert page.status_code == 200
    for word in words:
        assert word in page.text
    assert "शासकीय जानकारी की गोपनीयता" in page.text  # directive 1 in its original words
    r = client.post("/training/packs/IN-CG-2017/quiz", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    attempt_id = int(url.rsplit("/", 1)[1])
    quiz = client.get(url)
    keys = _keys(svc, attempt_id)
    # The page before submission holds no answer key: no marks, no explanations of the answers.
    assert "quiz-question right" not in quiz.text and "quiz-question wrong" not in quiz.text
    explanations = training.training_data().explanations
    for key in keys:
        for clause in key["breaks"]:
            assert explanations[clause].get(lang) not in quiz.text
    data = {"csrf_token": csrf}
    for i, key in enumerate(keys, 1):
        data[f"q{i}"] = next(o for o in key["options"] if o in key["correct"])
    r = client.post(url, data=data, follow_redirects=False)
    assert r.status_code == 303
    done = client.get(url)
    assert done.text.count('class="quiz-question right"') == len(keys)
    assert "100%" in done.text or "100" in done.text
    home = client.get("/training")
    assert f"/training/quiz/{attempt_id}" in home.text
    # Someone else's attempt is not found; a bad answer is a 422 page, not a 500.
    assert client.get("/training/quiz/999999").status_code == 404
    again = client.post("/training/packs/IN-CG-2017/quiz", data={"csrf_token": csrf}, follow_redirects=False)
    bad = client.post(again.headers["location"], data={"csrf_token": csrf, "q1": "IN-CG-2017/nope"})
    assert bad.status_code == 422
    assert client.get("/training/packs/XX-0").status_code == 404


def test_quarter_bounds_follow_the_zone() -> None:
    start, end = training.quarter_bounds("2026Q3", "Asia/Dhaka")
    assert start == dt.datetime(2026, 6, 30, 18, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 9, 30, 18, 0, tzinfo=dt.UTC)
    assert training.current_quarter(dt.datetime(2026, 6, 30, 19, tzinfo=dt.UTC), "Asia/Dhaka") == "2026Q3"


def test_a_person_in_two_institutions_counts_once_in_the_report(svc: Services, demo: Demo) -> None:
    """The report's totals over a hierarchy: karim, who passed, also gets a role in the ministry.
    Each institution's row counts him; the totals do not count him twice."""
    from satark.service import directory
    from satark.service.i18n import translations

    section = next(s for s in sections() if s.key == "training")
    now = utcnow()
    zone = "Asia/Dhaka"
    quarter = training.current_quarter(now, zone)
    start, end = training.quarter_bounds(quarter, zone)
    ids = (demo.institutions["ministry"], demo.institutions["district"])
    scope = ReportScope(root_id=ids[0], institution_ids=ids, quarter=quarter, start=start, end=end, lang="en",
                        time_zone=zone, now=now)

    def build() -> tuple[dict[str, Any], list[list[Any]]]:
        with svc.db.session(write=False) as session:
            result = section.build(session, scope, translations("en").gettext)
        return {f.key: f.value for f in result.figures}, result.tables[0].rows

    before, rows_before = build()
    assert before["members"] == sum(row[1] for row in rows_before)  # nobody in both yet
    with svc.db.session() as session:
        directory.add_member(session, None, demo.institutions["ministry"], "karim", "monitor")
    after, rows_after = build()
    assert sum(row[1] for row in rows_after) == before["members"] + 1  # the rows count him in each
    assert sum(row[2] for row in rows_after) == before["completed"] + 1
    assert after == before  # the totals, once
