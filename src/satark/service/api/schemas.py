"""Request and response bodies of the REST API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..accounts import checklist
from ..archive import archive_record
from ..models import Account, Institution, Post, Revision, User
from ..screening import Screening
from ..workflow import active_approvals


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Body):
    username: str = Field(max_length=80)
    password: str = Field(max_length=200)


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=100)


class UserIn(Body):
    username: str
    display_name: str = ""
    password: str
    superuser: bool = False


class InstitutionIn(Body):
    name: str
    jurisdiction: str
    parent_id: int | None = None
    short_name: str = ""
    kind: str = "department"
    website_url: str = ""
    approval_tiers: int | None = None
    approval_ttl_hours: int | None = None
    password_rotation_days: int | None = None


class InstitutionPatch(Body):
    name: str | None = None
    short_name: str | None = None
    website_url: str | None = None
    approval_tiers: int | None = None
    approval_ttl_hours: int | None = None
    password_rotation_days: int | None = None


class MemberIn(Body):
    username: str
    role: Literal["author", "moderator", "approver", "monitor", "admin"]


class AdminIn(Body):
    name: str
    designation: str = ""


class AccountIn(Body):
    platform: str | None = None
    handle: str | None = None
    url: str | None = None
    display_name: str | None = None
    purpose: str | None = None
    audience: str | None = None
    website_url: str | None = None
    grs_url: str | None = None
    password_rotated_on: dt.date | None = None
    privacy_notes: str | None = None
    profile_photo_institutional: bool | None = None
    platform_terms_followed: bool | None = None
    letterhead_shows_address: bool | None = None
    two_factor_enabled: bool | None = None
    admins: list[AdminIn] | None = None


class AccountCreate(AccountIn):
    institution_id: int


class PostIn(Body):
    account_id: int
    text: str
    title: str = ""


class PostEdit(Body):
    text: str
    title: str | None = None


class ApproveIn(Body):
    comment: str = ""
    override_reason: str | None = None


class CommentIn(Body):
    comment: str


class PublishIn(Body):
    url: str
    published_at: dt.datetime | None = None


class CorrectIn(Body):
    text: str
    note: str


class ReasonIn(Body):
    reason: str


class ScreenIn(Body):
    text: str
    jurisdiction: str | None = Field(None, description="BD, IN-CG or a pack id; default: your institution's")
    account_type: Literal["official", "personal"] = "personal"
    mode: Literal["rules", "fast", "full"] | None = None


class CheckIn(ScreenIn):
    save: bool = Field(False, description="keep the text and its report (not kept unless true)")


class ErrorOut(BaseModel):
    error: str
    message: str
    details: dict[str, Any] = {}


def user_out(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "superuser": user.is_superuser, "ui_lang": user.ui_lang,
            "memberships": [{"institution_id": m.institution_id, "institution": m.institution.name, "role": m.role}
                            for m in user.memberships]}


def institution_out(inst: Institution) -> dict[str, Any]:
    return {"id": inst.id, "name": inst.name, "short_name": inst.short_name, "kind": inst.kind,
            "parent_id": inst.parent_id, "jurisdiction": inst.jurisdiction, "approval_tiers": inst.approval_tiers,
            "approval_ttl_hours": inst.approval_ttl_hours, "password_rotation_days": inst.password_rotation_days,
            "website_url": inst.website_url}


def account_out(account: Account, screening: Screening) -> dict[str, Any]:
    items = checklist(account, screening)
    return {
        "id": account.id, "institution_id": account.institution_id, "platform": account.platform,
        "handle": account.handle, "url": account.url, "display_name": account.display_name,
        "purpose": account.purpose, "audience": account.audience, "website_url": account.website_url,
        "grs_url": account.grs_url,
        "password_rotated_on": account.password_rotated_on.isoformat() if account.password_rotated_on else None,
        "privacy_notes": account.privacy_notes,
        "profile_photo_institutional": account.profile_photo_institutional,
        "platform_terms_followed": account.platform_terms_followed,
        "letterhead_shows_address": account.letterhead_shows_address,
        "two_factor_enabled": account.two_factor_enabled,
        "admins": [{"name": a.name, "designation": a.designation} for a in account.admins],
        "checklist": [i.to_dict() for i in items],
        "checklist_summary": {s: sum(i.status == s for i in items) for s in ("met", "not_met", "unknown")},
    }


def revision_out(rev: Revision, *, with_report: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"number": rev.number, "kind": rev.kind, "text": rev.text, "note": rev.note,
                           "editor_id": rev.editor_id, "verdict": rev.verdict, "created_at": rev.created_at}
    if with_report:
        out["report"] = rev.report
    return out


def post_out(post: Post, *, full: bool = True) -> dict[str, Any]:
    current = next(r for r in post.revisions if r.number == post.revision_number)
    out: dict[str, Any] = {
        "id": post.id, "institution_id": post.institution_id, "account_id": post.account_id,
        "author_id": post.author_id, "author": post.author.username, "title": post.title, "state": post.state,
        "verdict": post.verdict, "categories": [c for c in post.categories.split(",") if c],
        "revision": post.revision_number, "required_tiers": post.required_tiers,
        "approvals": len(active_approvals(post)), "approved_at": post.approved_at,
        "approval_expires_at": post.approval_expires_at, "published_url": post.published_url,
        "published_at": post.published_at, "published_revision": post.published_revision,
        "retraction_reason": post.retraction_reason, "created_at": post.created_at, "updated_at": post.updated_at,
        "text": current.text,
    }
    if full:
        out["report"] = current.report
        out["decisions"] = [
            {"user_id": a.user_id, "user": a.user.username, "revision": a.revision_number, "tier": a.tier,
             "decision": a.decision, "comment": a.comment, "override_reason": a.override_reason,
             "active": a.active, "at": a.created_at}
            for a in post.approvals
        ]
        out["revisions"] = [revision_out(r, with_report=False) for r in post.revisions]
        if post.published_revision is not None:
            out["archive"] = archive_record(post)
    return out
