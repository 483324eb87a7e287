"""Request and response bodies of the REST API (they make its OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..accounts import checklist
from ..archive import archive_record
from ..models import MAX_ID, Account, Institution, Post, Revision, User
from ..screening import Screening
from ..security import MAX_PASSWORD
from ..workflow import active_approvals


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _number_not_bool(value: object) -> object:
    # JSON's true is not the id 1, nor is "1" (a string); 1.0 is (JSON Schema's integer).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("an id is a JSON number, like 42")
    return value


#: An id in a body: a JSON integer that the id columns can hold.
Id = Annotated[int, BeforeValidator(_number_not_bool),
               WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}), Field(ge=1, le=MAX_ID)]
#: A JSON true or false: 0 and 1 are not booleans.
Flag = Annotated[bool, Field(strict=True)]
#: Text that must say something (a post, a correction): not empty, not only spaces.
Said = Annotated[str, Field(min_length=1, pattern=r"\S")]


class LoginIn(Body):
    username: str = Field(max_length=80)
    password: str = Field(max_length=MAX_PASSWORD)


class TokenIn(Body):
    name: str = Field(min_length=1, max_length=100)


class UserIn(Body):
    username: str = Field(max_length=80)
    display_name: str = Field("", max_length=200)
    password: str = Field(max_length=MAX_PASSWORD)
    superuser: Flag = False
    institution_id: Id | None = Field(None, description="give a role here (needed unless a site administrator)")
    role: Literal["author", "moderator", "approver", "monitor", "admin"] | None = None


class PasswordIn(Body):
    password: str = Field(max_length=MAX_PASSWORD)


class OwnPasswordIn(Body):
    current_password: str = Field(max_length=MAX_PASSWORD)
    new_password: str = Field(max_length=MAX_PASSWORD)


class SubmitIn(Body):
    confirm: Flag = Field(False, description="send a post whose verdict is 'block' on anyway (after reading why)")


class InstitutionIn(Body):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    jurisdiction: str = Field(min_length=1, max_length=30)
    parent_id: Id | None = None
    short_name: str = Field("", max_length=60)
    kind: str = "department"
    website_url: str = Field("", max_length=500, description="http:// or https://")
    approval_tiers: int | None = None
    approval_ttl_hours: int | None = None
    password_rotation_days: int | None = None


class InstitutionPatch(Body):
    name: str | None = Field(None, min_length=1, max_length=200, pattern=r"\S")
    short_name: str | None = Field(None, max_length=60)
    website_url: str | None = Field(None, max_length=500, description="http:// or https://")
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
    profile_photo_institutional: Flag | None = None
    platform_terms_followed: Flag | None = None
    letterhead_shows_address: Flag | None = None
    two_factor_enabled: Flag | None = None
    admins: list[AdminIn] | None = None


class AccountCreate(AccountIn):
    institution_id: Id


class PostIn(Body):
    account_id: Id
    text: Said
    title: str = ""


class PostEdit(Body):
    text: Said
    title: str | None = None


class ApproveIn(Body):
    comment: str = ""
    override_reason: str | None = None


class CommentIn(Body):
    comment: str


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A publication time as UTC; one that has no UTC form (0001-01-01T00:00+14:00) is refused."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value  # the workflow refuses it, saying that a time zone is needed
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("the time is outside the range a date can hold") from None


class PublishIn(Body):
    url: str
    published_at: Annotated[dt.datetime | None, AfterValidator(_utc)] = None


class CorrectIn(Body):
    text: Said
    note: str


class ReasonIn(Body):
    reason: str
    fast_track: Flag = Field(False, description="an approver retracts at once, alone (recorded)")


class ScreenIn(Body):
    text: Said
    jurisdiction: str | None = Field(None, description="BD, IN-CG or a pack id; default: your institution's")
    account_type: Literal["official", "personal"] = "personal"
    mode: Literal["rules", "fast", "full"] | None = None


class CheckIn(ScreenIn):
    save: Flag = Field(False, description="keep the text and its report (not kept unless true)")


class ErrorOut(BaseModel):
    error: str
    message: str
    details: dict[str, Any] = {}


def user_out(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "display_name": user.display_name,
            "superuser": user.is_superuser, "active": user.is_active, "ui_lang": user.ui_lang,
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
                           "editor_id": rev.editor_id, "editors": sorted(rev.editor_ids), "status": rev.status,
                           "verdict": rev.verdict, "created_at": rev.created_at}
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
        "retraction_reason": post.retraction_reason, "pending": post.pending or None,
        "pending_reason": post.pending_reason, "created_at": post.created_at, "updated_at": post.updated_at,
        "text": current.text,
    }
    if full:
        out["report"] = current.report
        out["decisions"] = [
            {"user_id": a.user_id, "user": a.user.username, "revision": a.revision_number, "tier": a.tier,
             "subject": a.subject,
             "decision": a.decision, "comment": a.comment, "override_reason": a.override_reason,
             "active": a.active, "at": a.created_at}
            for a in post.approvals
        ]
        out["revisions"] = [revision_out(r, with_report=False) for r in post.revisions]
        if post.published_revision is not None:
            out["archive"] = archive_record(post)
    return out
