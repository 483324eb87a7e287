"""The quarterly report's sections about posts, approvals, screening, corrections and accounts.

Each counts what happened in the scope's institutions during the quarter, in the root
institution's zone, from the rows the workflow keeps: posts (published_at), revisions (their
screening reports), approvals (overrides) and the audit trail (when a post was submitted,
approved, corrected or retracted; the audit trail is the one record of each step's time).
The §6.1 checklist is the accounts' state when the report is built.

Tables hold raw values (numbers, aware datetimes, dates); the renderers format them for the
report's language and zone, and CSV and Excel keep them as plain values.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..accounts import checklist
from ..i18n import N_, text_lang, translations
from ..models import Account, Approval, AuditEvent, Institution, Post, Revision, User
from ..timezones import zone
from .base import Chart, Figure, ReportScope, SectionResult, Table, Translate, screening_for
from .fmt import month_label, number
from .quarter import parse_quarter
from .registry import register

__all__ = ["CATEGORY_LABELS", "Findings", "account_label", "findings", "institution_label", "percentile"]

#: Screening categories in words (the same message ids as the web's ``category_label``).
CATEGORY_LABELS: dict[str, str] = {
    "confidential": N_("Confidential or personal data"),
    "obscene_abusive": N_("Obscene or abusive"),
    "hate_discrimination": N_("Hate or discrimination"),
    "religious_sentiment": N_("Hurts religious sentiment"),
    "misinformation": N_("Unverified or false news"),
    "anti_government": N_("Criticism of the government"),
    "political": N_("Party-political"),
    "defamation": N_("Defamation"),
    "national_unity": N_("Against national unity"),
    "self_promotion": N_("Self-promotion"),
    "personal_on_official": N_("Personal content on an official page"),
    "excessive_tagging": N_("Excessive tagging"),
}
PLATFORM_LABELS = {"facebook": "Facebook", "x": "X", "youtube": "YouTube", "instagram": "Instagram",
                   "linkedin": "LinkedIn", "whatsapp": "WhatsApp", "telegram": "Telegram"}
#: A chart shows this many accounts; the rest are summed as one bar.
CHART_ACCOUNTS = 6
#: Approval-time buckets for the distribution chart: (upper bound in hours, label).
TIME_BUCKETS: tuple[tuple[float, str], ...] = (
    (1, N_("Under 1 hour")), (4, N_("1 to 4 hours")), (24, N_("4 to 24 hours")),
    (72, N_("1 to 3 days")), (math.inf, N_("Over 3 days")),
)


# --- shared helpers ----------------------------------------------------------------------------

def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median_of(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def institution_label(inst: Institution, lang: str) -> str:
    """The local-language name in a report of that language (when one is recorded), else the name."""
    if inst.local_name and text_lang(inst.local_name) == lang:
        return inst.local_name
    return inst.name


def account_label(account: Account, lang: str = "en") -> str:
    """"DC Office Dhaka (Facebook)"; of a name given in two languages ("DC Office Dhaka — জেলা
    প্রশাসকের কার্যালয়, ঢাকা"), the part in the report's language; the handle when there is no name."""
    parts = [p.strip() for p in account.display_name.split(" — ") if p.strip()]
    name = next((p for p in parts if text_lang(p) == lang), parts[0] if parts else f"@{account.handle}")
    return f"{name} ({PLATFORM_LABELS.get(account.platform, account.platform)})"


def _accounts(session: Session, scope: ReportScope) -> list[Account]:
    return list(session.scalars(
        select(Account).options(joinedload(Account.institution))
        .where(Account.institution_id.in_(scope.institution_ids))
        .order_by(Account.institution_id, Account.platform, Account.handle)))


def _institutions(session: Session, scope: ReportScope) -> dict[int, Institution]:
    rows = session.scalars(select(Institution).where(Institution.id.in_(scope.institution_ids)))
    return {i.id: i for i in rows}


def _local(scope: ReportScope, when: dt.datetime) -> dt.datetime:
    return when.astimezone(zone(scope.time_zone))


def _categories(text: str, _: Translate) -> str:
    return ", ".join(_(CATEGORY_LABELS.get(c, c)) for c in text.split(",") if c)


def _top(series: dict[str, Sequence[float]], limit: int, other: str) -> dict[str, Sequence[float]]:
    """The ``limit - 1`` largest series and the others summed as one (all of them if they fit)."""
    if len(series) <= limit:
        return series
    ranked = sorted(series, key=lambda k: -sum(series[k]))
    kept = {k: series[k] for k in ranked[:limit - 1]}
    rest = [series[k] for k in ranked[limit - 1:]]
    kept[other] = [sum(col) for col in zip(*rest, strict=True)]
    return kept


# --- posts published ---------------------------------------------------------------------------

class PostsSection:
    """Posts published per account and month (what the office put out, BD §11(ক))."""

    key = "posts"
    order = 10

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        months = parse_quarter(scope.quarter).months()
        accounts = _accounts(session, scope)
        counts: dict[int, Counter[tuple[int, int]]] = defaultdict(Counter)
        for account_id, published_at in session.execute(
                select(Post.account_id, Post.published_at).where(
                    Post.institution_id.in_(scope.institution_ids),
                    Post.published_at >= scope.start, Post.published_at < scope.end)):
            if published_at is None:  # pragma: no cover - the query asks for a time in the quarter
                continue
            local = _local(scope, published_at)
            counts[account_id][(local.year, local.month)] += 1
        month_names = [month_label(y, m, scope.lang) for y, m in months]
        rows: list[list[Any]] = []
        series: dict[str, Sequence[float]] = {}
        for account in accounts:
            per_month = [counts[account.id][m] for m in months]
            rows.append([institution_label(account.institution, scope.lang), account_label(account, scope.lang),
                         *per_month, sum(per_month)])
            if sum(per_month):
                series[account_label(account, scope.lang)] = [float(n) for n in per_month]
        rows.sort(key=lambda r: (r[0], -r[-1], r[1]))
        total = sum(r[-1] for r in rows)
        active = sum(1 for r in rows if r[-1])
        result = SectionResult(self.key, _("Posts published"))
        result.figures = [
            Figure("published", _("Posts published"), total),
            Figure("accounts", _("Official accounts"), len(accounts)),
            Figure("active_accounts", _("Accounts that published"), active),
            Figure("per_month", _("Posts per month (average)"), round(total / 3, 1)),
        ]
        ngettext = translations(scope.lang).ngettext
        result.summary.append(ngettext("%(n)s post was published on %(active)s of %(total)s official accounts.",
                                       "%(n)s posts were published on %(active)s of %(total)s official accounts.",
                                       total) % {
            "n": number(total, scope.lang), "active": number(active, scope.lang),
            "total": number(len(accounts), scope.lang)})
        quiet = [r[1] for r in rows if not r[-1]]
        if quiet:
            result.summary.append(_("Accounts that published nothing this quarter: %(names)s.")
                                  % {"names": ", ".join(quiet)})
        result.tables.append(Table("per_account", _("Posts published per account and month"),
                                   [_("Institution"), _("Account"), *month_names, _("Total")], rows))
        if series:
            result.charts.append(Chart("per_month", _("Posts published per month, by account"), "bar", month_names,
                                       _top(series, CHART_ACCOUNTS, _("Other accounts")), _("Posts")))
        return result


# --- approval times ----------------------------------------------------------------------------

class ApprovalsSection:
    """How long posts waited from submission to their final approval (BD §7(ক))."""

    key = "approvals"
    order = 20

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        started: dict[int, dt.datetime] = {}
        waits: dict[int, list[float]] = defaultdict(list)
        decisions: Counter[str] = Counter()
        # Oldest first: a post's clock starts at its last submission (or the lapse of an
        # approval, which sends it back) before the final tier approves it.
        events = session.execute(
            select(AuditEvent.object_id, AuditEvent.action, AuditEvent.at, AuditEvent.institution_id).where(
                AuditEvent.object_type == "post", AuditEvent.institution_id.in_(scope.institution_ids),
                AuditEvent.action.in_(("post_submit", "post_approval_expired", "post_approve",
                                       "post_request_changes", "post_reject")),
                AuditEvent.at < scope.end).order_by(AuditEvent.id))
        for object_id, action, at, institution_id in events:
            if object_id is None or institution_id is None:
                continue
            if action in ("post_submit", "post_approval_expired"):
                started[object_id] = at
            elif at >= scope.start:
                decisions[action] += 1
                if action == "post_approve" and object_id in started:
                    waits[institution_id].append(_hours(at - started.pop(object_id)))
        institutions = _institutions(session, scope)
        everything = [h for hours in waits.values() for h in hours]
        median, p90 = median_of(everything), percentile(everything, 90)
        result = SectionResult(self.key, _("Approval times"))
        result.figures = [
            Figure("approved", _("Posts approved"), len(everything)),
            Figure("median_hours", _("Median time to approval"), None if median is None else round(median, 1),
                   _("hours")),
            Figure("p90_hours", _("90th percentile time to approval"), None if p90 is None else round(p90, 1),
                   _("hours")),
            Figure("changes_requested", _("Sent back for changes"), decisions["post_request_changes"]),
            Figure("rejected", _("Rejected"), decisions["post_reject"]),
        ]
        if len(everything) == 1:
            result.summary.append(_("The one approved post was approved %(median)s hours after submission.")
                                  % {"median": number(median, scope.lang)})
        elif everything:
            result.summary.append(
                _("Half of the %(n)s approved posts were approved within %(median)s hours of submission, "
                  "nine in ten within %(p90)s hours.") % {
                    "n": number(len(everything), scope.lang), "median": number(median, scope.lang),
                    "p90": number(p90, scope.lang)})
        else:
            result.summary.append(_("No post was approved this quarter."))
        rows = []
        for inst_id, hours in sorted(waits.items(), key=lambda kv: institutions[kv[0]].name):
            rows.append([institution_label(institutions[inst_id], scope.lang), len(hours),
                         round(median_of(hours) or 0, 1), round(percentile(hours, 90) or 0, 1), round(max(hours), 1)])
        result.tables.append(Table("by_institution", _("Time from submission to final approval, by institution"),
                                   [_("Institution"), _("Posts approved"), _("Median (hours)"),
                                    _("90th percentile (hours)"), _("Longest (hours)")], rows))
        if everything:
            buckets = [0.0] * len(TIME_BUCKETS)
            for h in everything:
                buckets[next(i for i, (limit, _label) in enumerate(TIME_BUCKETS) if h < limit)] += 1
            result.charts.append(Chart("distribution", _("Time from submission to approval"), "bar",
                                       [_(label) for _limit, label in TIME_BUCKETS],
                                       {_("Posts"): buckets}, _("Posts")))
        return result


# --- screening findings and overrides ----------------------------------------------------------

@dataclass
class Findings:
    """What screening found in the posts written or edited in a period, per post: a post
    edited three times with the same problem counts once."""

    #: post id → institution id, for every post with a revision in the period.
    screened: dict[int, int] = field(default_factory=dict)
    categories: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: post id → {(pack id, clause id)}.
    clauses: dict[int, set[tuple[str, str]]] = field(default_factory=lambda: defaultdict(set))

    def by_institution(self) -> dict[int, Counter[str]]:
        out: dict[int, Counter[str]] = defaultdict(Counter)
        for post_id, cats in self.categories.items():
            out[self.screened[post_id]].update(cats)
        return out


def findings(session: Session, institution_ids: Iterable[int], start: dt.datetime, end: dt.datetime) -> Findings:
    found = Findings()
    for post_id, institution_id, report in session.execute(
            select(Revision.post_id, Post.institution_id, Revision.report).join(Post, Post.id == Revision.post_id)
            .where(Post.institution_id.in_(list(institution_ids)), Revision.created_at >= start,
                   Revision.created_at < end)):
        found.screened[post_id] = institution_id
        for finding in report.get("findings") or ():
            found.categories[post_id].add(finding.get("category", ""))
            for clause_id in finding.get("clause_ids") or ():
                found.clauses[post_id].add((report.get("pack", ""), clause_id))
    return found


class ScreeningSection:
    """What screening flagged in the quarter's drafts, who overrode a 'block', and what went out
    with one."""

    key = "screening"
    order = 30

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        screening = screening_for(session)
        found = findings(session, scope.institution_ids, scope.start, scope.end)
        screened, by_post_category, by_post_clause = found.screened, found.categories, found.clauses
        categories = Counter(c for cats in by_post_category.values() for c in cats)
        clauses = Counter(c for cl in by_post_clause.values() for c in cl)

        result = SectionResult(self.key, _("Screening findings"))
        cat_rows: list[list[Any]] = [[_(CATEGORY_LABELS.get(c, c)), n] for c, n in categories.most_common()]
        clause_rows = []
        for (pack_id, clause_id), n in clauses.most_common():
            citation, title = clause_id, ""
            try:
                clause = screening.pack(pack_id).clause(clause_id)
                citation, title = clause.citation, _localized(clause.title.model_dump(), scope.lang)
            except Exception:  # a clause of a pack no longer installed: keep its id
                pass
            clause_rows.append([citation, title, n])

        overrides = []
        for approval, post, approver in session.execute(
                select(Approval, Post, User).join(Post, Post.id == Approval.post_id)
                .join(User, User.id == Approval.user_id).options(joinedload(Post.account))
                .where(Post.institution_id.in_(scope.institution_ids), Approval.override_reason != "",
                       Approval.created_at >= scope.start, Approval.created_at < scope.end)
                .order_by(Approval.created_at)):
            overrides.append([approval.created_at, post.id, post.title, account_label(post.account, scope.lang),
                              approver.display_name, approval.override_reason, _categories(post.categories, _)])

        blocked = []
        overridden_by: dict[int, str] = {}
        for post_id, name in session.execute(
                select(Approval.post_id, User.display_name).join(User, User.id == Approval.user_id)
                .join(Post, Post.id == Approval.post_id)
                .where(Post.institution_id.in_(scope.institution_ids), Approval.override_reason != "")
                .order_by(Approval.id)):
            overridden_by[post_id] = name
        for post, revision in session.execute(
                select(Post, Revision).join(Revision, (Revision.post_id == Post.id)
                                            & (Revision.number == Post.published_revision))
                .options(joinedload(Post.account))
                .where(Post.institution_id.in_(scope.institution_ids), Post.published_at >= scope.start,
                       Post.published_at < scope.end, Revision.verdict == "block")
                .order_by(Post.published_at)):
            cats = ",".join(sorted({f.get("category", "") for f in revision.report.get("findings") or ()}))
            blocked.append([post.published_at, post.id, post.title, account_label(post.account, scope.lang),
                            _categories(cats, _), overridden_by.get(post.id, "")])

        flagged = len(by_post_category)
        result.figures = [
            Figure("screened", _("Posts screened"), len(screened)),
            Figure("flagged", _("Posts with findings"), flagged),
            Figure("overrides", _("Overrides of a 'block' verdict"), len(overrides)),
            Figure("published_block", _("Published with verdict 'block'"), len(blocked)),
        ]
        if screened:
            top = categories.most_common(1)
            ngettext = translations(scope.lang).ngettext
            result.summary.append(
                ngettext("Screening flagged %(flagged)s of the %(n)s post written or edited this quarter%(top)s.",
                         "Screening flagged %(flagged)s of the %(n)s posts written or edited this quarter%(top)s.",
                         len(screened)) % {
                    "flagged": number(flagged, scope.lang), "n": number(len(screened), scope.lang),
                    "top": (_("; the most frequent finding: %(category)s")
                            % {"category": _(CATEGORY_LABELS.get(top[0][0], top[0][0]))}) if top else ""})
        if overrides or blocked:
            ngettext = translations(scope.lang).ngettext
            result.summary.append(
                ngettext("Approvers overrode a 'block' verdict %(n)s time.",
                         "Approvers overrode a 'block' verdict %(n)s times.", len(overrides))
                % {"n": number(len(overrides), scope.lang)} + " "
                + ngettext("%(n)s post was published with that verdict.",
                           "%(n)s posts were published with that verdict.", len(blocked))
                % {"n": number(len(blocked), scope.lang)})
        result.tables += [
            Table("by_category", _("Posts with findings, by category"), [_("Category"), _("Posts")], cat_rows),
            Table("by_clause", _("Posts with findings, by clause"), [_("Clause"), _("Title"), _("Posts")], clause_rows),
            Table("overrides", _("Overrides of a 'block' verdict"),
                  [_("Date"), _("Post"), _("Title"), _("Account"), _("Approved by"), _("Reason"), _("Categories")],
                  overrides),
            Table("published_block", _("Posts published with verdict 'block'"),
                  [_("Published"), _("Post"), _("Title"), _("Account"), _("Categories"), _("Override by")], blocked),
        ]
        if cat_rows:
            result.charts.append(Chart("by_category", _("Posts with findings, by category"), "barh",
                                       [r[0] for r in cat_rows], {_("Posts"): [float(r[1]) for r in cat_rows]},
                                       _("Posts")))
        return result


def _localized(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en") or ""


# --- corrections and retractions (CG 8) --------------------------------------------------------

class CorrectionsSection:
    """Corrections and retractions of published posts, and how long the mistake stayed up (CG 8)."""

    key = "corrections"
    order = 40

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        events = list(session.execute(
            select(AuditEvent.object_id, AuditEvent.action, AuditEvent.at, AuditEvent.details).where(
                AuditEvent.object_type == "post", AuditEvent.institution_id.in_(scope.institution_ids),
                AuditEvent.action.in_(("post_correction_approved", "post_retract")),
                AuditEvent.at >= scope.start, AuditEvent.at < scope.end).order_by(AuditEvent.id)))
        posts = {p.id: p for p in session.scalars(
            select(Post).options(joinedload(Post.account), selectinload(Post.revisions))
            .where(Post.id.in_({e.object_id for e in events if e.object_id is not None})))} if events else {}
        rows: list[list[Any]] = []
        hours: dict[str, list[float]] = {"correction": [], "retraction": []}
        for object_id, action, at, details in events:
            post = posts.get(object_id) if object_id is not None else None
            if post is None or post.published_at is None:
                continue
            kind = "correction" if action == "post_correction_approved" else "retraction"
            taken = _hours(at - post.published_at)
            hours[kind].append(taken)
            if kind == "correction":
                number_ = details.get("correction_revision")
                note = next((r.note for r in post.revisions if r.number == number_), "")
            else:
                note = str(details.get("reason") or post.retraction_reason)
            rows.append([post.id, post.title, account_label(post.account, scope.lang),
                         _("Correction") if kind == "correction" else _("Retraction"),
                         post.published_at, at, round(taken, 1), note])
        both = hours["correction"] + hours["retraction"]
        median = median_of(both)
        result = SectionResult(self.key, _("Corrections and retractions"))
        result.figures = [
            Figure("corrections", _("Corrections published"), len(hours["correction"])),
            Figure("retractions", _("Posts retracted"), len(hours["retraction"])),
            Figure("median_hours", _("Median time to correct"), None if median is None else round(median, 1),
                   _("hours")),
        ]
        if both:
            result.summary.append(
                _("Corrections: %(corrections)s; retractions: %(retractions)s; half of them within %(median)s "
                  "hours of publication (CG 8: mistakes are corrected quickly).") % {
                    "corrections": number(len(hours["correction"]), scope.lang),
                    "retractions": number(len(hours["retraction"]), scope.lang),
                    "median": number(median, scope.lang)})
        else:
            result.summary.append(_("No post was corrected or retracted this quarter."))
        result.tables.append(Table("corrections", _("Corrections and retractions"),
                                   [_("Post"), _("Title"), _("Account"), _("Kind"), _("Published"),
                                    _("Corrected or retracted"), _("Hours to correct"), _("Note or reason")], rows))
        return result


# --- the §6.1 checklist and password age -------------------------------------------------------

class AccountsSection:
    """Each official account's §6.1 checklist and password age (CG 7, BD §6.1(ঙ)), as of the report."""

    key = "accounts"
    order = 80

    def build(self, session: Session, scope: ReportScope, _: Translate) -> SectionResult:
        screening = screening_for(session)
        rows: list[list[Any]] = []
        failing = overdue = unrecorded = 0
        for account in _accounts(session, scope):
            today = scope.now.astimezone(zone(account.institution.timezone)).date()
            items = checklist(account, screening, today=today)
            status = Counter(i.status for i in items)
            limit = account.institution.password_rotation_days
            rotated = account.password_rotated_on
            age = (today - rotated).days if rotated else None
            if age is None:
                unrecorded += 1
                password = _("Not recorded")
            elif age > limit:
                overdue += 1
                password = _("Overdue")
            else:
                password = _("Within the limit")
            failing += bool(status["not_met"])
            rows.append([institution_label(account.institution, scope.lang), account_label(account, scope.lang),
                         status["met"], status["not_met"], status["unknown"],
                         ", ".join(i.citation for i in items if i.status == "not_met"),
                         rotated, age, limit, password])
        result = SectionResult(self.key, _("Official accounts: checklist and passwords"))
        result.figures = [
            Figure("accounts", _("Official accounts"), len(rows)),
            Figure("failing", _("Accounts failing their checklist"), failing),
            Figure("passwords_overdue", _("Passwords past their rotation date"), overdue),
            Figure("passwords_unrecorded", _("Password changes not recorded"), unrecorded),
        ]
        result.summary.append(
            _("Official accounts failing at least one checklist item: %(failing)s of %(n)s; passwords past the "
              "institution's rotation period: %(overdue)s.") % {
                "failing": number(failing, scope.lang), "n": number(len(rows), scope.lang),
                "overdue": number(overdue, scope.lang)})
        result.tables.append(Table("checklist", _("Checklist status of every account"),
                                   [_("Institution"), _("Account"), _("Met"), _("Not met"), _("Not yet checked"),
                                    _("Items not met"), _("Password changed on"), _("Password age (days)"),
                                    _("Rotation limit (days)"), _("Password")], rows))
        return result


def _register(sections: Iterable[Any]) -> None:
    for section in sections:
        register(section)


_register((PostsSection(), ApprovalsSection(), ScreeningSection(), CorrectionsSection(), AccountsSection()))
