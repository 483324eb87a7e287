"""The violation register (CG violation clause, BD §6.2(গ)): incidents and what was done about them.

Both guidelines say that a breach leads to action by the competent authority. A monitor or
admin (``manage_violations``, inherited down the hierarchy) records the incident, then each
step of the procedure, as a state machine:

    noted → show_cause_issued → explanation_received → decided → closed

A decision's outcome is ``no_action``, ``warning`` or ``referred`` (to the competent authority
for disciplinary action). Natural justice asks that the employee be heard first: a warning or
a referral needs a show-cause notice, and is decided on the explanation, or once the reply
deadline has passed without one; only "no action" may be decided straight from ``noted``.

Cases are confidential: only those who manage violations in the case's institution (or
above) see them, and the employee, when a Satark user, sees their own, read-only. Anyone
else gets 404, so a case's existence does not leak. Nobody may record or act on a case about
themselves. Every step is audited; the audit details name no person and quote no text, since
approvers may read the institution's audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from satark import UnknownClause

from . import audit, evidence
from .access import INHERITED, PERMISSIONS, can, institution_tree, visible_institutions
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .i18n import N_
from .models import Institution, Membership, Post, User, by_id, utcnow
from .models_violations import ViolationCase, ViolationClause, ViolationFile, ViolationStep
from .reminders import Reminder, reminder_source
from .screening import Screening
from .timezones import zone

__all__ = [
    "OUTCOMES",
    "STATES",
    "TRANSITIONS",
    "CaseFilter",
    "attach_file",
    "case_clauses",
    "close",
    "create_case",
    "decide",
    "get_case",
    "issue_show_cause",
    "list_cases",
    "managed_institutions",
    "record_explanation",
]

STATES = ("noted", "show_cause_issued", "explanation_received", "decided", "closed")
OUTCOMES = ("no_action", "warning", "referred")
#: action → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "issue_show_cause": (frozenset({"noted"}), "show_cause_issued"),
    "record_explanation": (frozenset({"show_cause_issued"}), "explanation_received"),
    "decide": (frozenset({"noted", "show_cause_issued", "explanation_received"}), "decided"),
    "close": (frozenset({"decided"}), "closed"),
}
#: Days allowed by default for the reply to a show-cause notice, and for the decision after it.
REPLY_DAYS = 7
DECISION_DAYS = 14
MAX_DAYS = 365
MAX_CLAUSES = 20
MAX_TEXT = 20_000
MIN_REASON = 10
#: Clause kinds one can break (the informational ones only explain).
BREAKABLE = ("content", "account", "process")


# --- who may see and do what --------------------------------------------------------------

def managed_institutions(session: Session, user: User) -> set[int]:
    """Institutions whose cases ``user`` manages (their own and, for monitors and admins, below)."""
    if user.is_superuser:
        return visible_institutions(session, user)
    roles = PERMISSIONS["manage_violations"]
    tree = institution_tree(session)
    rows = session.execute(select(Membership.institution_id, Membership.role)
                           .where(Membership.user_id == user.id)).all()
    direct = {r.institution_id for r in rows if r.role in roles}
    inherited = {r.institution_id for r in rows if r.role in roles and r.role in INHERITED}
    return direct | tree.descendants(inherited)


def may_manage(session: Session, user: User, case: ViolationCase) -> bool:
    return can(session, user, "manage_violations", case.institution_id)


def get_case(session: Session, user: User, case_id: int) -> ViolationCase:
    """A case its managers or its employee may see; 404 for everyone else."""
    case = by_id(session, ViolationCase, case_id)
    if case is None or not (may_manage(session, user, case) or case.employee_id == user.id):
        raise NotFound(f"no violation case {case_id}")
    return case


def _require_manager(session: Session, user: User, case: ViolationCase) -> None:
    if not may_manage(session, user, case):
        # The employee sees the case but may not act on it; nobody else may know it exists.
        if case.employee_id == user.id:
            raise Forbidden("nobody may act on a violation case about themselves")
        raise NotFound(f"no violation case {case.id}")
    if case.employee_id == user.id:
        raise Forbidden("nobody may act on a violation case about themselves")


@dataclass(frozen=True)
class CaseFilter:
    state: str | None = None
    institution_id: int | None = None
    #: Only the cases about the user (as the employee).
    mine: bool = False
    limit: int = 100
    offset: int = 0


def list_cases(session: Session, user: User, flt: CaseFilter | None = None) -> list[ViolationCase]:
    """The cases ``user`` manages and those about them, newest first."""
    flt = flt or CaseFilter()
    if flt.state is not None and flt.state not in STATES:
        raise InvalidInput(f"unknown state {flt.state!r}; known: {', '.join(STATES)}")
    managed = set() if flt.mine else managed_institutions(session, user)
    cond = ViolationCase.employee_id == user.id
    if managed:
        cond = cond | ViolationCase.institution_id.in_(managed)
    query = select(ViolationCase).where(cond)
    if flt.institution_id is not None:
        if flt.institution_id not in visible_institutions(session, user):
            raise NotFound(f"no institution {flt.institution_id}")
        query = query.where(ViolationCase.institution_id == flt.institution_id)
    if flt.state is not None:
        query = query.where(ViolationCase.state == flt.state)
    query = query.order_by(ViolationCase.id.desc()).limit(flt.limit).offset(flt.offset)
    return list(session.scalars(query))


# --- recording an incident -----------------------------------------------------------------

def _today(institution: Institution, now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(zone(institution.timezone)).date()


def _clean(value: str | None, limit: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(f"{what} is longer than {limit} characters")
    return value


def _url(value: str | None) -> str:
    value = (value or "").strip()
    if value and (not value.startswith(("https://", "http://")) or len(value) > 500 or any(c.isspace() for c in value)):
        raise InvalidInput("the link must be an http(s) address of at most 500 characters")
    return value


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _post_text(post: Post, revision: int | None) -> tuple[int, str, dict[str, Any]]:
    """The revision whose text is the evidence: the one given, else the published one (what the
    public saw), else the current one."""
    number = revision or post.published_revision or post.revision_number
    found = next((r for r in post.revisions if r.number == number), None)
    if found is None:
        raise InvalidInput(f"post {post.id} has no revision {number}")
    return found.number, found.text, found.report


def _employee(session: Session, institution_id: int, employee_id: int | None, name: str,
              designation: str, post: Post | None) -> tuple[User | None, str, str]:
    if employee_id is None and not name:
        if post is None:
            raise InvalidInput("say who the employee is: a Satark user, or a name and designation")
        return post.author, "", ""
    if employee_id is not None:
        if name:
            raise InvalidInput("give either a Satark user or a name for the employee, not both")
        user = by_id(session, User, employee_id)
        member = user is not None and session.scalar(
            select(Membership.id).where(Membership.user_id == employee_id,
                                        Membership.institution_id == institution_id).limit(1)) is not None
        if not member or user is None:
            raise InvalidInput("the employee must be a member of the case's institution")
        return user, "", ""
    return None, name, designation


def _clauses(pack: Any, clause_ids: Sequence[str], report: dict[str, Any] | None) -> list[tuple[str, bool]]:
    """The clause ids (canonical) and whether each came from the findings."""
    chosen: list[tuple[str, bool]] = []
    if not clause_ids and report is not None:
        for finding in report.get("findings", []):
            for cid in finding.get("clause_ids", []):
                if cid not in (c for c, _ in chosen):
                    chosen.append((cid, True))
        if not chosen:
            raise InvalidInput("the post's screening cites no clause; choose the clauses that were broken")
        return chosen[:MAX_CLAUSES]
    if not clause_ids:
        raise InvalidInput("choose at least one clause that was broken")
    if len(clause_ids) > MAX_CLAUSES:
        raise InvalidInput(f"choose at most {MAX_CLAUSES} clauses")
    cited = {cid for f in (report or {}).get("findings", []) for cid in f.get("clause_ids", [])}
    for raw in clause_ids:
        try:
            clause = pack.clause(str(raw).strip())
        except UnknownClause:
            raise InvalidInput(f"no clause {str(raw)[:80]!r} in the policy pack {pack.id}") from None
        if clause.kind not in BREAKABLE:
            raise InvalidInput(f"clause {clause.id} only explains; choose a clause that can be broken")
        if clause.id not in (c for c, _ in chosen):
            chosen.append((clause.id, clause.id in cited))
    return chosen


def create_case(
    session: Session, screening: Screening, user: User, *, institution_id: int | None = None,
    post_id: int | None = None, revision: int | None = None, text: str = "", source_url: str = "",
    employee_id: int | None = None, employee_name: str = "", employee_designation: str = "",
    clause_ids: Sequence[str] = (), summary: str = "", occurred_on: dt.date | None = None,
    screenshot: tuple[bytes, str] | None = None, now: dt.datetime | None = None,
) -> ViolationCase:
    """Record an incident (state ``noted``) with its evidence snapshot and clauses.

    The post is a Satark post (its text as it stood is copied and hashed, and its findings give
    the clauses unless some are chosen), or text pasted from outside with a link and an
    optional screenshot. The institution is the post's, or the one given.
    """
    post: Post | None = None
    report: dict[str, Any] | None = None
    number: int | None = None
    text = (text or "").strip()
    if post_id is not None:
        post = by_id(session, Post, post_id)
        if post is None or not can(session, user, "read", post.institution_id):
            raise NotFound(f"no post {post_id}")
        if institution_id is not None and institution_id != post.institution_id:
            raise InvalidInput("the post belongs to another institution than the one given")
        if text:
            raise InvalidInput("give either a Satark post or pasted text, not both")
        institution_id = post.institution_id
        number, text, report = _post_text(post, revision)
    elif not text:
        raise InvalidInput("give the post: a Satark post number, or the text as it was posted")
    elif revision is not None:
        raise InvalidInput("a revision is given only with a Satark post")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the text is longer than {MAX_TEXT} characters")
    if institution_id is None:
        raise InvalidInput("choose an institution")
    institution = by_id(session, Institution, institution_id)
    if institution is None or institution_id not in visible_institutions(session, user):
        raise NotFound(f"no institution {institution_id}")
    if not can(session, user, "manage_violations", institution_id):
        raise Forbidden("recording violations needs the role monitor or admin in the institution")
    url = _url(source_url) or (post.published_url if post is not None else "")
    pack = screening.pack(institution.jurisdiction)
    name = _clean(employee_name, 200, "the employee's name")
    designation = _clean(employee_designation, 200, "the employee's designation")
    if designation and not name:
        raise InvalidInput("a designation needs the employee's name")
    employee, name, designation = _employee(session, institution_id, employee_id, name, designation, post)
    if employee is not None and employee.id == user.id:
        raise Forbidden("nobody may act on a violation case about themselves")
    chosen = _clauses(pack, [c for c in clause_ids if str(c).strip()], report)
    today = _today(institution, now)
    if occurred_on is not None and occurred_on > today:
        raise InvalidInput("the incident cannot have happened after today")
    stored = evidence.store(session, *screenshot) if screenshot is not None else None
    case = ViolationCase(
        institution_id=institution_id, state="noted", outcome="", pack_id=pack.id, post=post,
        post_revision=number, evidence_text=text, evidence_sha256=sha256_text(text), source_url=url,
        employee=employee, employee_name=name, employee_designation=designation,
        summary=_clean(summary, 5000, "the summary"), occurred_on=occurred_on, created_by=user,
        clauses=[ViolationClause(clause_id=c, from_findings=f) for c, f in chosen],
    )
    if now is not None:
        case.created_at = case.updated_at = now
    step = ViolationStep(step="noted", on_date=today, note="", actor=user)
    case.steps.append(step)
    session.add(case)
    session.flush()
    if stored is not None:
        _add_file(session, user, case, stored, step)
    audit.record(session, "violation_noted", actor=user, institution_id=institution_id,
                 object_type="violation", object_id=case.id,
                 details={"post_id": post.id if post else None, "revision": number, "pack": pack.id,
                          "clauses": [c for c, _ in chosen], "evidence_sha256": case.evidence_sha256,
                          "files": [stored.sha256] if stored else []})
    return case


def _add_file(session: Session, user: User, case: ViolationCase, stored: evidence.StoredFile,
              step: ViolationStep | None) -> ViolationFile:
    row = ViolationFile(case=case, step=step, filename=stored.filename, media_type=stored.media_type,
                        size=stored.size, sha256=stored.sha256, uploaded_by_id=user.id)
    session.add(row)
    session.flush()
    return row


def attach_file(session: Session, user: User, case: ViolationCase, content: bytes, filename: str, *,
                step_id: int | None = None) -> ViolationFile:
    """Add a screenshot or document to a case (to one of its steps, when given); audited with its hash."""
    _require_manager(session, user, case)
    step = None
    if step_id is not None:
        step = next((s for s in case.steps if s.id == step_id), None)
        if step is None:
            raise NotFound(f"no step {step_id} in this case")
    stored = evidence.store(session, content, filename)
    row = _add_file(session, user, case, stored, step)
    case.updated_at = utcnow()
    audit.record(session, "violation_file_added", actor=user, institution_id=case.institution_id,
                 object_type="violation", object_id=case.id,
                 details={"file_id": row.id, "step_id": step_id, "sha256": stored.sha256, "size": stored.size,
                          "media_type": stored.media_type})
    return row


def get_file(session: Session, user: User, case: ViolationCase, file_id: int) -> tuple[ViolationFile, bytes]:
    row = next((f for f in case.files if f.id == file_id), None)
    if row is None:
        raise NotFound(f"no file {file_id} in this case")
    return row, evidence.read(session, row.sha256)


# --- the steps -------------------------------------------------------------------------------

def _check(case: ViolationCase, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if case.state not in allowed:
        verb = action.replace("_", " ")
        raise Conflict(f"cannot {verb}: the case is {case.state.replace('_', ' ')}; allowed when it is "
                       f"{' or '.join(s.replace('_', ' ') for s in STATES if s in allowed)}",
                       state=case.state, action=action)
    return target


def _step_date(case: ViolationCase, on_date: dt.date | None, now: dt.datetime | None) -> dt.date:
    today = _today(case.institution, now)
    day = on_date or today
    if day > today:
        raise InvalidInput("a step's date cannot be after today")
    last = max((s.on_date for s in case.steps), default=None)
    if last is not None and day < last:
        raise InvalidInput(f"a step's date cannot be before the previous step's ({last.isoformat()})")
    return day


def _due(day: dt.date, days: int | None, due_on: dt.date | None, default: int) -> dt.date:
    if due_on is not None:
        if days is not None:
            raise InvalidInput("give either a number of days or a due date, not both")
        if due_on < day:
            raise InvalidInput("the due date cannot be before the step's date")
        return due_on
    days = default if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"the number of days must be from 1 to {MAX_DAYS}")
    return day + dt.timedelta(days=days)


def _move(session: Session, user: User, case: ViolationCase, action: str, step: ViolationStep,
          **details: Any) -> ViolationStep:
    before = case.state
    case.state = step.step
    case.updated_at = utcnow()
    case.steps.append(step)
    session.flush()
    audit.record(session, f"violation_{step.step}" if action != "decide" else "violation_decided",
                 actor=user, institution_id=case.institution_id, object_type="violation", object_id=case.id,
                 details={"from": before, "to": case.state, "step_id": step.id, "on": step.on_date.isoformat(),
                          "due_on": step.due_on.isoformat() if step.due_on else None, **details})
    return step


def issue_show_cause(session: Session, user: User, case: ViolationCase, *, on_date: dt.date | None = None,
                     reply_days: int | None = None, due_on: dt.date | None = None, note: str = "",
                     now: dt.datetime | None = None) -> ViolationStep:
    """The show-cause notice went out on ``on_date``; the reply is due in ``reply_days`` (7) or on ``due_on``."""
    _require_manager(session, user, case)
    target = _check(case, "issue_show_cause")
    day = _step_date(case, on_date, now)
    due = _due(day, reply_days, due_on, REPLY_DAYS)
    case.due_on = due
    step = ViolationStep(step=target, on_date=day, due_on=due, note=_clean(note, 5000, "the note"), actor=user)
    return _move(session, user, case, "issue_show_cause", step)


def record_explanation(session: Session, user: User, case: ViolationCase, *, on_date: dt.date | None = None,
                       decision_days: int | None = None, due_on: dt.date | None = None, note: str = "",
                       now: dt.datetime | None = None) -> ViolationStep:
    """The employee's explanation arrived on ``on_date``; a decision is due in ``decision_days`` (14)."""
    _require_manager(session, user, case)
    target = _check(case, "record_explanation")
    day = _step_date(case, on_date, now)
    due = _due(day, decision_days, due_on, DECISION_DAYS)
    late = case.due_on is not None and day > case.due_on
    case.due_on = due
    step = ViolationStep(step=target, on_date=day, due_on=due, note=_clean(note, 5000, "the note"), actor=user)
    return _move(session, user, case, "record_explanation", step, late=late)


def decide(session: Session, user: User, case: ViolationCase, *, outcome: str, note: str,
           referred_to: str = "", on_date: dt.date | None = None, now: dt.datetime | None = None) -> ViolationStep:
    """Record the decision: no action, a warning, or a referral to the competent authority."""
    _require_manager(session, user, case)
    target = _check(case, "decide")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"the outcome must be one of {', '.join(OUTCOMES)}")
    note = (note or "").strip()
    if len(note) < MIN_REASON:
        raise InvalidInput(f"the decision's reasons must be written out (at least {MIN_REASON} characters)")
    note = _clean(note, 5000, "the decision's reasons")
    referred_to = _clean(referred_to, 300, "the competent authority")
    if outcome == "referred" and not referred_to:
        raise InvalidInput("a referral names the competent authority it goes to")
    if outcome != "referred" and referred_to:
        raise InvalidInput("only a referral names a competent authority")
    day = _step_date(case, on_date, now)
    if case.state == "noted" and outcome != "no_action":
        raise Conflict("a warning or a referral needs a show-cause notice first, so that the employee is heard; "
                       "only no_action may be decided without one")
    if case.state == "show_cause_issued" and case.due_on is not None and day <= case.due_on:
        raise Conflict(f"the reply to the show-cause notice is due by {case.due_on.isoformat()}; record the "
                       "explanation, or decide after the deadline has passed")
    case.outcome = outcome
    case.referred_to = referred_to
    case.due_on = None
    case.decided_at = now or utcnow()
    step = ViolationStep(step=target, on_date=day, outcome=outcome, note=note, actor=user)
    return _move(session, user, case, "decide", step, outcome=outcome,
                 without_explanation=case.steps[-1].step == "show_cause_issued")


def close(session: Session, user: User, case: ViolationCase, *, note: str = "", on_date: dt.date | None = None,
          now: dt.datetime | None = None) -> ViolationStep:
    _require_manager(session, user, case)
    target = _check(case, "close")
    day = _step_date(case, on_date, now)
    step = ViolationStep(step=target, on_date=day, note=_clean(note, 5000, "the note"), actor=user)
    return _move(session, user, case, "close", step)


def next_actions(case: ViolationCase) -> list[str]:
    """The actions the case's state allows (for forms and the API's answer)."""
    return [a for a, (states, _) in TRANSITIONS.items() if case.state in states]


# --- clauses as cited ------------------------------------------------------------------------

def case_clauses(screening: Screening, case: ViolationCase, lang: str) -> list[dict[str, Any]]:
    """Each clause of a case as the pack has it: citation, title in ``lang``, original text and a
    rendering in ``lang`` (None when the original already is in ``lang``)."""
    pack = screening.pack(case.pack_id)
    out = []
    for row in case.clauses:
        try:
            clause = pack.clause(row.clause_id)
        except UnknownClause:  # a pack updated since: still cite the id
            out.append({"id": row.clause_id, "citation": row.clause_id, "title": "", "original": "",
                        "rendering": None, "from_findings": row.from_findings, "original_lang": pack.language})
            continue
        rendering = clause.text.get(lang) if lang != pack.language else None
        out.append({"id": clause.id, "citation": clause.citation, "title": clause.title.get(lang),
                    "original": clause.text.original, "rendering": rendering,
                    "from_findings": row.from_findings, "original_lang": pack.language})
    return out


def breakable_clauses(screening: Screening, jurisdiction: str, lang: str) -> list[tuple[str, str]]:
    """(id, "citation — title") of every clause of a jurisdiction's pack that can be broken."""
    pack = screening.pack(jurisdiction)
    return [(c.id, f"{c.citation} — {c.title.get(lang)}") for c in pack.clauses if c.kind in BREAKABLE]


def export_language(screening: Screening, case: ViolationCase) -> str:
    """The pack's language (BD → Bengali, IN-CG → Hindi): what the competent authority reads."""
    return screening.pack(case.pack_id).language


# --- reminders ---------------------------------------------------------------------------------

def _managers(session: Session, institution_id: int) -> tuple[int, ...]:
    """Users who manage violations there: its monitors and admins and those of the institutions above."""
    chain = institution_tree(session).ancestors(institution_id)
    roles = PERMISSIONS["manage_violations"]
    rows = session.execute(select(Membership.user_id, Membership.institution_id, Membership.role)
                           .join(User, User.id == Membership.user_id)
                           .where(Membership.institution_id.in_(chain), User.is_active.is_(True))).all()
    return tuple(sorted({r.user_id for r in rows if r.role in roles
                         and (r.institution_id == institution_id or r.role in INHERITED)}))


REPLY_OVERDUE = N_("Violation case {case}: the reply to the show-cause notice was due on {due} and no "
                   "explanation has been recorded.")
DECISION_DUE = N_("Violation case {case}: the decision was due on {due}.")


@reminder_source("violation_step_due")
def due_steps(session: Session, now: dt.datetime) -> Iterable[Reminder]:
    """Cases whose show-cause reply deadline passed with no explanation, or whose decision is due.

    A case's deadline is a day in its institution's zone; it has passed once that day is over
    there. The key names the deadline, so a new deadline (a fresh notice) reminds again.
    """
    rows = session.scalars(select(ViolationCase).where(
        ViolationCase.state.in_(("show_cause_issued", "explanation_received")),
        ViolationCase.due_on.is_not(None), ViolationCase.due_on < now.date() + dt.timedelta(days=1)))
    for case in rows:
        assert case.due_on is not None
        if _today(case.institution, now) <= case.due_on:
            continue
        # Its managers, and whoever recorded it (a site administrator has no role there to find).
        people = {*_managers(session, case.institution_id), case.created_by_id}
        recipients = tuple(sorted(u for u in people if u != case.employee_id))
        if not recipients:
            continue
        reply = case.state == "show_cause_issued"
        yield Reminder(
            kind="violation_step_due",
            key=f"violation:{case.id}:{'reply' if reply else 'decision'}:{case.due_on.isoformat()}",
            institution_id=case.institution_id, recipients=recipients,
            message=REPLY_OVERDUE if reply else DECISION_DUE,
            params={"case": case.id, "due": case.due_on.isoformat()}, link=f"/violations/{case.id}")


# --- the export for the competent authority -------------------------------------------------

def export_html(session: Session, screening: Screening, user: User, case: ViolationCase, lang: str) -> str:
    """The case as a document for the competent authority, in ``lang``: the clauses with their
    original text, the evidence and its hashes, the timeline and the decision."""
    from .i18n import LOCALES, make_environment
    from .pdf import FONT_FAMILY

    if lang not in LOCALES:
        raise InvalidInput(f"lang must be one of {', '.join(LOCALES)}")
    env = make_environment(lang)
    return env.get_template("violation_export.html").render(
        case=case, clauses=case_clauses(screening, case, lang), font_family=FONT_FAMILY,
        time_zone=case.institution.timezone, generated_at=utcnow(), generated_by=user,
        pack=screening.pack(case.pack_id), lang=lang)


def export_pdf(session: Session, screening: Screening, user: User, case: ViolationCase,
               lang: str | None) -> tuple[str, bytes]:
    """:func:`export_html` as PDF (managers only), and the language used: ``lang``, else the
    pack's. Rendering takes a second, so callers run this in a read unit and then record the
    export (:func:`record_export`) in a short write unit."""
    from .pdf import html_to_pdf

    _require_manager(session, user, case)
    lang = lang or export_language(screening, case)
    return lang, html_to_pdf(export_html(session, screening, user, case, lang))


def record_export(session: Session, user: User, case: ViolationCase, lang: str, pdf: bytes) -> None:
    """The audit record of an export, with the SHA-256 of the PDF handed out."""
    _require_manager(session, user, case)
    audit.record(session, "violation_exported", actor=user, institution_id=case.institution_id,
                 object_type="violation", object_id=case.id,
                 details={"lang": lang, "sha256": hashlib.sha256(pdf).hexdigest()})
