"""The pre-publication workflow for official posts, as an explicit state machine.

    draft → submitted → approved | changes_requested | rejected
    approved → published → corrected | retracted → archived

Every edit is screened and the report kept with that revision (BD §7(ক): an authority
approves content before it is published; CG directive 8: mistakes are corrected, openly).

Separation of duties: each revision keeps the set of its editors (the author and everyone
who changed its text up to it), and none of them may approve it; N tiers need N distinct
approvers. A correction or a retraction of a published post waits for the same approvals
(``Post.pending``) while the published text stays live; an approver may fast-track a
retraction alone, with a reason, which the audit trail records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import can, require, visible_institutions
from .archive import index_post
from .attachments import image_findings, include_images
from .errors import ApprovalLapsed, Conflict, Forbidden, InvalidInput, NotFound
from .models import Account, Approval, Post, Revision, RevisionEditor, User, by_id, utcnow
from .notifications import notify_post
from .screening import Screening

__all__ = [
    "STATES",
    "TRANSITIONS",
    "approve",
    "archive",
    "barred_approvers",
    "correct",
    "create_post",
    "edit_post",
    "get_post",
    "list_posts",
    "publish",
    "reject",
    "request_changes",
    "retract",
    "submit",
    "withdraw",
]

STATES = (
    "draft", "submitted", "approved", "changes_requested", "rejected",
    "published", "corrected", "retracted", "archived",
)

#: action → (states it may start from, state it leads to). ``approve`` leads to
#: ``approved`` only once the last tier approves; until then the post stays submitted.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "edit": (frozenset({"draft", "changes_requested"}), "same"),
    "submit": (frozenset({"draft", "changes_requested"}), "submitted"),
    "withdraw": (frozenset({"submitted"}), "draft"),
    "approve": (frozenset({"submitted"}), "approved"),
    "request_changes": (frozenset({"submitted", "approved"}), "changes_requested"),
    "reject": (frozenset({"submitted", "approved"}), "rejected"),
    "publish": (frozenset({"approved"}), "published"),
    "correct": (frozenset({"published", "corrected"}), "corrected"),
    "retract": (frozenset({"published", "corrected"}), "retracted"),
    "archive": (frozenset({"published", "corrected", "retracted", "rejected"}), "archived"),
}

MAX_TITLE = 200
MIN_REASON = 10


def _check(post: Post, action: str) -> str:
    allowed, target = TRANSITIONS[action]
    if post.state not in allowed:
        verb = action.replace("_", " ")
        raise Conflict(
            f"cannot {verb} a post that is {post.state.replace('_', ' ')}; "
            f"allowed from: {', '.join(sorted(allowed))}",
            state=post.state, action=action,
        )
    return post.state if target == "same" else target


def _move(session: Session, user: User | None, post: Post, action: str, target: str, **details: Any) -> None:
    before = post.state
    post.state = target
    post.updated_at = utcnow()
    audit.record(
        session, f"post_{action}", actor=user, institution_id=post.institution_id,
        object_type="post", object_id=post.id,
        details={"from": before, "to": target, "revision": post.revision_number, **details},
    )


def _text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("the post text is empty")
    return text


def _reason(value: str | None, what: str) -> str:
    value = (value or "").strip()
    if len(value) < MIN_REASON:
        raise InvalidInput(f"{what} must be written out (at least {MIN_REASON} characters)")
    return value


def current_revision(post: Post) -> Revision:
    return next(r for r in post.revisions if r.number == post.revision_number)


def _add_revision(
    session: Session, screening: Screening, user: User, post: Post, text: str, *, kind: str, note: str = "",
    status: str = "",
) -> Revision:
    report = screening.screen(text, jurisdiction=post.institution.jurisdiction, account_type="official")
    number = max((r.number for r in post.revisions), default=0) + 1
    # The new text grows out of the current one, so its editors carry over.
    previous = next((r.editor_ids for r in post.revisions if r.number == post.revision_number), set())
    revision = Revision(
        post=post, number=number, kind=kind, text=text, note=note, editor_id=user.id,
        verdict=report["verdict"], report=report, status=status,
        editors=[RevisionEditor(user_id=i) for i in sorted(previous | {post.author.id, user.id})],
    )
    session.add(revision)
    post.revision_number = number
    post.verdict = report["verdict"]
    post.categories = ",".join(sorted({f["category"] for f in report["findings"]}))
    include_images(post)  # the verdict is the worst of the text and its images
    return revision


def get_post(session: Session, user: User, post_id: int) -> Post:
    post = by_id(session, Post, post_id)
    if post is None or not can(session, user, "read", post.institution_id):
        raise NotFound(f"no post {post_id}")
    return post


@dataclass(frozen=True)
class PostFilter:
    state: str | None = None
    institution_id: int | None = None
    account_id: int | None = None
    mine: bool = False
    limit: int = 100
    offset: int = 0


def list_posts(session: Session, user: User, flt: PostFilter) -> list[Post]:
    visible = visible_institutions(session, user)
    query = select(Post).where(Post.institution_id.in_(visible))
    if flt.state:
        if flt.state not in STATES:
            raise InvalidInput(f"unknown state {flt.state!r}; known: {', '.join(STATES)}")
        query = query.where(Post.state == flt.state)
    if flt.institution_id is not None:
        query = query.where(Post.institution_id == flt.institution_id)
    if flt.account_id is not None:
        query = query.where(Post.account_id == flt.account_id)
    if flt.mine:
        query = query.where(Post.author_id == user.id)
    query = query.order_by(Post.updated_at.desc(), Post.id.desc()).limit(min(flt.limit, 500)).offset(flt.offset)
    return list(session.scalars(query))


def create_post(
    session: Session, screening: Screening, user: User, *, account_id: int, text: str, title: str = ""
) -> Post:
    account = by_id(session, Account, account_id)
    if account is None or not can(session, user, "read", account.institution_id):
        raise NotFound(f"no account {account_id}")
    require(session, user, "write_post", account.institution_id, what="account")
    text = _text(text)
    # ``approvals`` starts empty in memory: the audit fingerprint and the response need not ask.
    post = Post(
        institution=account.institution, account=account, author=user, title=title.strip()[:MAX_TITLE],
        state="draft", revision_number=0, approvals=[],
    )
    session.add(post)
    _add_revision(session, screening, user, post, text, kind="draft")
    session.flush()
    audit.record(session, "post_created", actor=user, institution_id=post.institution_id, object_type="post",
                 object_id=post.id, details={"account_id": account.id, "verdict": post.verdict})
    return post


def _require_editor(session: Session, user: User, post: Post, own: str = "write_post") -> None:
    """The author needs the role for ``own``; anyone else needs to be allowed to edit any post."""
    if post.author_id == user.id:
        require(session, user, own, post.institution_id, what="post")
    else:
        require(session, user, "edit_any_post", post.institution_id, what="post")


def edit_post(
    session: Session, screening: Screening, user: User, post: Post, *, text: str, title: str | None = None
) -> Revision:
    _require_editor(session, user, post)
    _check(post, "edit")
    text = _text(text)
    if title is not None:
        post.title = title.strip()[:MAX_TITLE]
    if text == current_revision(post).text:
        return current_revision(post)
    revision = _add_revision(session, screening, user, post, text, kind="draft")
    post.updated_at = utcnow()
    session.flush()
    audit.record(session, "post_edited", actor=user, institution_id=post.institution_id, object_type="post",
                 object_id=post.id, details={"revision": revision.number, "verdict": revision.verdict})
    return revision


def block_findings(revision: Revision) -> list[dict[str, Any]]:
    """What an author is shown before sending a 'block' post on: each finding's why (its images' too)."""
    return [{"category": f.get("category"), "severity": f.get("severity"), "explanation": f.get("explanation")}
            | ({"attachment_id": f["attachment_id"]} if "attachment_id" in f else {})
            for f in [*revision.report.get("findings", []), *image_findings(revision.post)]]


def submit(session: Session, user: User, post: Post, *, confirm: bool = False) -> None:
    """Send a draft to the approvers; a 'block' verdict needs ``confirm`` (the author saw why)."""
    _require_editor(session, user, post)
    target = _check(post, "submit")
    if post.verdict == "block" and not confirm:
        raise Conflict(
            "the screening says this post must not be published (verdict 'block'); read the findings, "
            "then confirm to submit it anyway", verdict="block", needs_confirmation=True,
            findings=block_findings(current_revision(post)),
        )
    post.required_tiers = max(1, min(3, post.institution.approval_tiers))
    _move(session, user, post, "submit", target, verdict=post.verdict, required_tiers=post.required_tiers)
    notify_post(session, post, "submitted", actor=user, exclude=barred_approvers(post))


def withdraw(session: Session, user: User, post: Post) -> None:
    _require_editor(session, user, post)
    target = _check(post, "withdraw")
    _deactivate_approvals(post)
    _move(session, user, post, "withdraw", target)


def subject(post: Post) -> str:
    """What approvals decide on now: the post itself, or its pending correction or retraction."""
    return post.pending or "post"


def active_approvals(post: Post) -> list[Approval]:
    what = subject(post)
    return [a for a in post.approvals
            if a.active and a.decision == "approved" and a.revision_number == post.revision_number
            and a.subject == what]


def _deactivate_approvals(post: Post) -> None:
    for approval in post.approvals:
        approval.active = False


def barred_approvers(post: Post) -> set[int]:
    """Who may not decide on what awaits approval: every editor of the revision (its author
    included) and, for a retraction, whoever asked for it."""
    barred = current_revision(post).editor_ids | {post.author_id}
    if post.pending == "retraction":
        barred |= {a.user_id for a in post.approvals if a.active and a.decision == "requested"}
    return barred


def _require_reviewer(session: Session, user: User, post: Post) -> None:
    require(session, user, "review", post.institution_id, what="post")
    if user.id in barred_approvers(post):
        what = "retraction they asked for" if post.pending == "retraction" else "revision they wrote or edited"
        raise Forbidden(f"nobody may approve or decide on a {what}; another approver must do it",
                        reason="own_work")


def _check_approvable(post: Post, action: str) -> None:
    if post.pending:
        if post.state not in ("published", "corrected"):  # pragma: no cover - pending is cleared on leaving
            raise Conflict(f"nothing awaits approval on a post that is {post.state}", state=post.state)
    else:
        _check(post, action)


def approve(
    session: Session, user: User, post: Post, *, comment: str = "", override_reason: str | None = None,
    now: dt.datetime | None = None,
) -> Approval:
    """One tier's approval; the post (or its pending correction or retraction) is approved
    when all required tiers have approved."""
    _require_reviewer(session, user, post)
    _check_approvable(post, "approve")
    approvals = active_approvals(post)
    if any(a.user_id == user.id for a in approvals):
        raise Conflict("you have already approved this revision; another approver must approve the next tier")
    what = subject(post)
    override = ""
    if post.verdict == "block" and what != "retraction":
        override = _reason(override_reason, "approving a post whose verdict is 'block' needs an override reason, which")
    tier = len(approvals) + 1
    approval = Approval(
        post=post, revision_number=post.revision_number, user_id=user.id, tier=tier, decision="approved",
        comment=comment.strip(), override_reason=override, subject=what,
    )
    session.add(approval)
    if override:
        audit.record(session, "post_override", actor=user, institution_id=post.institution_id, object_type="post",
                     object_id=post.id, details={"revision": post.revision_number, "reason": override,
                                                 "categories": post.categories, "subject": what})
    if tier >= post.required_tiers and what != "post":
        _complete_pending(session, user, post, tier=tier)
    elif tier >= post.required_tiers:
        now = now or utcnow()
        post.approved_at = now
        post.approval_expires_at = now + dt.timedelta(hours=post.institution.approval_ttl_hours)
        _move(session, user, post, "approve", "approved", tier=tier, comment=approval.comment)
        notify_post(session, post, "approved", actor=user)
    else:
        post.updated_at = utcnow()
        audit.record(session, "post_approve_tier", actor=user, institution_id=post.institution_id,
                     object_type="post", object_id=post.id,
                     details={"tier": tier, "of": post.required_tiers, "revision": post.revision_number,
                              "subject": what})
        # The approvers who may still decide hear that the next tier waits for one of them.
        notify_post(session, post, "tier_approved", actor=user,
                    exclude=barred_approvers(post) | {a.user_id for a in approvals},
                    extra={"tier": tier, "of": post.required_tiers})
    return approval


def _live_revision(post: Post) -> Revision:
    """The text the public sees: the latest live correction, else the published revision."""
    live = [r for r in post.revisions if r.is_live_correction or r.number == post.published_revision]
    return live[-1]


def _show(post: Post, revision: Revision) -> None:
    post.revision_number = revision.number
    post.verdict = revision.verdict
    post.categories = ",".join(sorted({f["category"] for f in revision.report.get("findings", [])}))
    include_images(post)


def _complete_pending(session: Session, user: User, post: Post, *, tier: int) -> None:
    what = post.pending
    post.pending = ""
    _deactivate_approvals(post)
    if what == "correction":
        revision = current_revision(post)
        revision.status = "live"
        session.flush()
        _move(session, user, post, "correction_approved", "corrected", tier=tier, correction_revision=revision.number)
        index_post(session, post)
    else:
        post.retraction_reason, post.pending_reason = post.pending_reason, ""
        _move(session, user, post, "retract", "retracted", tier=tier, reason=post.retraction_reason,
              fast_track=False)


def _refuse_pending(session: Session, user: User, post: Post, comment: str) -> Approval:
    what = post.pending
    approval = Approval(post=post, revision_number=post.revision_number, user_id=user.id, tier=0,
                        decision="rejected", comment=comment, subject=what)
    session.add(approval)
    _deactivate_approvals(post)
    if what == "correction":
        current_revision(post).status = "refused"
        _show(post, _live_revision(post))
    post.pending = post.pending_reason = ""
    post.updated_at = utcnow()
    audit.record(session, f"post_{what}_refused", actor=user, institution_id=post.institution_id,
                 object_type="post", object_id=post.id, details={"revision": approval.revision_number,
                                                                 "comment": comment})
    return approval


def _decide(session: Session, user: User, post: Post, action: str, comment: str) -> Approval:
    _require_reviewer(session, user, post)
    comment = _reason(comment, "the comment to the author")
    if post.pending:  # sending back a pending correction or retraction refuses it; the post stays live
        return _refuse_pending(session, user, post, comment)
    target = _check(post, action)
    approval = Approval(
        post=post, revision_number=post.revision_number, user_id=user.id, tier=0, decision=target, comment=comment,
    )
    session.add(approval)
    _deactivate_approvals(post)
    approval.active = True
    post.approved_at = post.approval_expires_at = None
    _move(session, user, post, action, target, comment=comment)
    notify_post(session, post, "changes_requested" if action == "request_changes" else "rejected", actor=user,
                comment=comment)
    return approval


def request_changes(session: Session, user: User, post: Post, *, comment: str) -> Approval:
    return _decide(session, user, post, "request_changes", comment)


def reject(session: Session, user: User, post: Post, *, comment: str) -> Approval:
    return _decide(session, user, post, "reject", comment)


def expire_if_due(session: Session, post: Post, now: dt.datetime | None = None) -> bool:
    """Send an approved post whose approval lapsed back for approval; True if it did."""
    now = now or utcnow()
    if post.state != "approved" or post.approval_expires_at is None or post.approval_expires_at > now:
        return False
    _deactivate_approvals(post)
    expired_at = post.approval_expires_at
    post.approved_at = post.approval_expires_at = None
    _move(session, None, post, "approval_expired", "submitted", expired_at=expired_at.isoformat())
    return True


def publish(session: Session, user: User, post: Post, *, url: str, published_at: dt.datetime | None = None) -> None:
    _require_editor(session, user, post, own="publish")
    if expire_if_due(session, post):
        raise ApprovalLapsed("the approval expired before publication; the post needs approving again",
                             state=post.state)
    target = _check(post, "publish")
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise InvalidInput("the published URL must be an http(s) address of at most 500 characters")
    when = published_at or utcnow()
    if when.tzinfo is None:
        raise InvalidInput("the publication time needs a time zone (e.g. 2026-11-23T10:00:00Z)")
    post.published_url = url
    post.published_at = when
    post.published_revision = post.revision_number
    _move(session, user, post, "publish", target, url=url, published_at=when.isoformat())
    index_post(session, post)


def _no_pending(post: Post) -> None:
    if post.pending:
        raise Conflict(f"a {post.pending} of this post awaits approval; it must be approved or refused first",
                       state=post.state, pending=post.pending)


def correct(session: Session, screening: Screening, user: User, post: Post, *, text: str, note: str) -> Revision:
    """Propose a correction; once approved it is shown beside the original (kept unchanged)."""
    _require_editor(session, user, post, own="correct")
    _check(post, "correct")
    _no_pending(post)
    note = _reason(note, "a correction's note (what was wrong)")
    revision = _add_revision(session, screening, user, post, _text(text), kind="correction", note=note,
                             status="pending")
    _deactivate_approvals(post)
    post.pending = "correction"
    post.required_tiers = max(1, min(3, post.institution.approval_tiers))
    post.updated_at = utcnow()
    session.flush()
    audit.record(session, "post_correction_submitted", actor=user, institution_id=post.institution_id,
                 object_type="post", object_id=post.id,
                 details={"revision": revision.number, "note": note, "verdict": revision.verdict,
                          "required_tiers": post.required_tiers})
    notify_post(session, post, "correction", actor=user, exclude=barred_approvers(post))
    return revision


def retract(session: Session, user: User, post: Post, *, reason: str, fast_track: bool = False) -> None:
    """Ask for a retraction (approved like a post), or, as an approver, retract at once with a reason."""
    target = _check(post, "retract")
    reason = _reason(reason, "the retraction reason")
    if fast_track:
        require(session, user, "review", post.institution_id, what="post")
        if post.pending == "correction":
            current_revision(post).status = "refused"
            _show(post, _live_revision(post))
        post.pending = post.pending_reason = ""
        _deactivate_approvals(post)
        session.add(Approval(post=post, revision_number=post.revision_number, user_id=user.id, tier=1,
                             decision="approved", comment=reason, subject="retraction", active=False))
        post.retraction_reason = reason
        _move(session, user, post, "retract", target, reason=reason, fast_track=True)
        return
    require(session, user, "retract", post.institution_id, what="post")
    _no_pending(post)
    _deactivate_approvals(post)
    post.pending, post.pending_reason = "retraction", reason
    post.required_tiers = max(1, min(3, post.institution.approval_tiers))
    session.add(Approval(post=post, revision_number=post.revision_number, user_id=user.id, tier=0,
                         decision="requested", comment=reason, subject="retraction"))
    post.updated_at = utcnow()
    audit.record(session, "post_retraction_submitted", actor=user, institution_id=post.institution_id,
                 object_type="post", object_id=post.id,
                 details={"revision": post.revision_number, "reason": reason, "required_tiers": post.required_tiers})
    notify_post(session, post, "retraction", actor=user, exclude=barred_approvers(post))


def archive(session: Session, user: User, post: Post) -> None:
    require(session, user, "archive", post.institution_id, what="post")
    target = _check(post, "archive")
    _no_pending(post)
    _move(session, user, post, "archive", target)
