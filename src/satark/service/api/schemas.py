"""Request and response bodies of the REST API (they make its OpenAPI schema).

The request schemas carry the domain's rules wherever JSON Schema can say them, so that a
request the schema allows is one the service accepts (Schemathesis checks both ways):
enums of what is installed (policy packs, time zones) or defined (roles, states,
platforms), lengths, ranges, and patterns for usernames, URLs, dates and text that must
say something. The patterns spell out their characters (no ``\\s``): Python, Rust (pydantic)
and ECMA regexes, which read ``\\s`` differently, then agree on every string. What no schema
can say (a common password, a unique name, a workflow state) is still checked by the domain.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from ...engine import DEFAULT_MAX_CHARS
from ..accounts import PLATFORMS, checklist
from ..archive import ARCHIVED_STATES, archive_record
from ..audit_view import ACTION_LABELS
from ..directory import INSTITUTION_KINDS, SETTINGS_FIELDS
from ..errors import InvalidInput
from ..models import MAX_ID, ROLES, Account, Institution, Post, Revision, User
from ..screening import Screening
from ..security import MAX_PASSWORD, MIN_PASSWORD
from ..timezones import check_timezone
from ..workflow import MAX_TITLE, MIN_REASON, STATES, active_approvals


def _invalid(message: str) -> PydanticCustomError:
    """A validation error that reads as ``message`` (not "Value error, ...")."""
    return PydanticCustomError("invalid", "{message}", {"message": message})


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: The default of an optional field that takes no JSON null: absent, it is not set
#: (``model_dump(exclude_unset=True)`` leaves it out); typed ``Any`` so that it fits any field.
UNSET: Any = None


# --- characters and patterns ------------------------------------------------------------------

#: The characters Python's ``str.strip()`` removes (those ``str.isspace()`` names), spelled out.
WS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ANY = r"[^\x00]"  # any character a database can store (NUL is refused)
_INK = rf"[^\x00{WS}]"  # one that is not white space either
#: Text a database can store: no NUL.
STORABLE = rf"^{_ANY}*$"
#: Text that says something: storable, and not only white space.
SAID = rf"^{_ANY}*{_INK}{_ANY}*$"
#: A reason, comment or note that is written out: at least MIN_REASON characters once stripped.
REASON = rf"^[{WS}]*{_INK}{_ANY}{{{MIN_REASON - 2},}}{_INK}[{WS}]*$"
#: A login name as stored: lowercase letters, digits, '.', '_' or '-'; 2-80 characters.
USERNAME = r"^[a-z0-9][a-z0-9._-]{1,79}$"
#: Search words: at most 10, separated by white space.
SEARCH = rf"^[{WS}]*(?:[^{WS}]+(?:[{WS}]+[^{WS}]+){{0,9}})?[{WS}]*$"
# A URL's characters after the host: none that is white space, a control character or NUL.
_URL_CHAR = r"[^\x00-\x20\x7f-\x9f\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
# http(s), an ASCII host (an IDN in its xn-- form), a port, then a path, query or fragment.
_URL = rf"https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:[/?#]{_URL_CHAR}*)?"
#: An http(s) address with a host and no white space (an office's website, a published post).
URL = rf"^{_URL}$"
#: A URL or nothing.
URL_OR_EMPTY = rf"^(?:{_URL})?$"
_YEAR = r"(?:[0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"  # 0001-9999
#: A calendar date, YYYY-MM-DD (with ``format: date`` for the month and day).
DATE = rf"^{_YEAR}-[0-9]{{2}}-[0-9]{{2}}$"
# Years 0002-9998: every time in them, at any offset, has a UTC form.
_YEAR_UTC = r"(?:000[2-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
#: An RFC 3339 time with its offset (with ``format: date-time`` for the month and day).
TIMESTAMP = (rf"^{_YEAR_UTC}-[0-9]{{2}}-[0-9]{{2}}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{{1,6}})?"
             r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$")


def _matching(pattern: str, what: str) -> Callable[[object], object]:
    """A before-validator: a string that matches ``pattern`` (what the schema says), else ``what``."""
    compiled = re.compile(pattern)

    def check(value: object) -> object:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise _invalid(what)
        return value

    return check


class Matches:
    """A string matching ``pattern``: the schema's ``pattern``, checked by Python's ``re`` with a
    message that says what is wanted (not the pattern)."""

    def __init__(self, pattern: str, what: str) -> None:
        self.pattern = pattern
        self.what = what
        self._compiled = re.compile(pattern)

    def _check(self, value: str) -> str:
        if not self._compiled.fullmatch(value):
            raise _invalid(self.what)
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        out = handler(schema)
        out["pattern"] = self.pattern
        return out


NO_NUL = Matches(STORABLE, "must not contain NUL (\\u0000), which a database cannot store")
SAYS = Matches(SAID, "must say something: not empty, not only white space (and no NUL)")
WRITTEN_OUT = Matches(REASON, f"must be written out: at least {MIN_REASON} characters, not counting white space "
                              "at either end")
A_URL = Matches(URL, "must be an http:// or https:// address with a host, like https://dhaka.gov.bd")
A_URL_OR_EMPTY = Matches(URL_OR_EMPTY, "must be an http:// or https:// address with a host, like "
                                       "https://dhaka.gov.bd, or empty")
A_USERNAME = Matches(USERNAME, "a username is 2-80 lowercase letters, digits, '.', '_' or '-'")
#: A code from an authenticator app: 6 digits.
TOTP_CODE = r"^[0-9]{6}$"
#: That, or a recovery code of two-step sign-in: 10 letters and digits, a hyphen in the middle or not.
LOGIN_CODE = r"^(?:[0-9]{6}|[A-Za-z0-9]{5}-?[A-Za-z0-9]{5})$"
A_TOTP_CODE = Matches(TOTP_CODE, "a code is the 6 digits that the authenticator app shows")
A_LOGIN_CODE = Matches(LOGIN_CODE, "a code is the 6 digits that the authenticator app shows, or a recovery code "
                                   "like abcde-23456")
FEW_WORDS = Matches(SEARCH, "search with at most 10 words")


class OneOf:
    """A string that must be one of a set known only when the service runs (the installed
    packs, the time zones of this machine) or kept in the domain (roles, states): the
    schema's ``enum`` and the check read the same set, so they cannot drift."""

    def __init__(self, values: Callable[[], Iterable[str]], what: str) -> None:
        self._values = values
        self.what = what

    def values(self) -> list[str]:
        return list(self._values())

    def _check(self, value: str) -> str:
        known = self.values()
        if value not in known:
            listed = ", ".join(known) if len(known) <= 12 else ", ".join(known[:12]) + ", ..."
            raise _invalid(f"{self.what} must be one of {listed}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        out = handler(schema)
        out["enum"] = self.values()
        return out


@functools.cache
def pack_names() -> tuple[str, ...]:
    """The jurisdictions and pack ids of the installed policy packs (BD, BD-2019, IN-CG, ...)."""
    from ...packs.registry import PackRegistry

    packs = PackRegistry.from_plugins()
    return tuple(sorted({*packs.jurisdictions, *(p.id for p in packs)}))


@functools.cache
def time_zones() -> tuple[str, ...]:
    """The IANA time zones of this machine that the domain takes (``check_timezone``)."""
    names = []
    for name in sorted(available_timezones() | {"UTC"}):
        try:
            names.append(check_timezone(name))
        except InvalidInput:  # a name the domain refuses is not offered
            continue
    return tuple(names)


def _number_not_bool(value: object) -> object:
    # JSON's true is not the id 1, nor is "1" (a string); 1.0 is (JSON Schema's integer).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("an id is a JSON number, like 42")
    return value


def _whole(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("a whole number, like 2")
    return value


_TIERS, _TTL, _ROTATION = (SETTINGS_FIELDS[n] for n in ("approval_tiers", "approval_ttl_hours",
                                                         "password_rotation_days"))


def _utc(value: dt.datetime) -> dt.datetime:
    """A publication time as UTC (the pattern's years 0002-9998 all have one)."""
    try:
        return value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise _invalid("the time is outside the range a date can hold") from None


#: An id in a body: a JSON integer that the id columns can hold.
Id = Annotated[int, BeforeValidator(_number_not_bool),
               WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID}), Field(ge=1, le=MAX_ID)]
# Institution settings: whole numbers in the domain's ranges (``SETTINGS_FIELDS``).
ApprovalTiers = Annotated[int, BeforeValidator(_whole), Field(ge=_TIERS[0], le=_TIERS[1]),
                          WithJsonSchema({"type": "integer", "minimum": _TIERS[0], "maximum": _TIERS[1]})]
ApprovalTtlHours = Annotated[int, BeforeValidator(_whole), Field(ge=_TTL[0], le=_TTL[1]),
                             WithJsonSchema({"type": "integer", "minimum": _TTL[0], "maximum": _TTL[1]})]
RotationDays = Annotated[int, BeforeValidator(_whole), Field(ge=_ROTATION[0], le=_ROTATION[1]),
                         WithJsonSchema({"type": "integer", "minimum": _ROTATION[0], "maximum": _ROTATION[1]})]
#: A JSON true or false: 0 and 1 are not booleans.
Flag = Annotated[bool, Field(strict=True)]
#: Text that must say something (a post, a correction): not empty, not only spaces.
Said = Annotated[str, Field(min_length=1), SAYS]
#: A post's text: says something, within the engine's limit.
PostText = Annotated[str, Field(min_length=1, max_length=DEFAULT_MAX_CHARS), SAYS]
#: A reason, comment or note that must be written out.
Reason = Annotated[str, Field(min_length=MIN_REASON, description=f"at least {MIN_REASON} characters, not counting "
                                                                 "white space at either end"), WRITTEN_OUT]
Role = Annotated[str, OneOf(lambda: ROLES, "role")]
Pack = Annotated[str, OneOf(pack_names, "jurisdiction"),
                 Field(description="a jurisdiction (BD, IN-CG) or a pack id (BD-2019) of an installed policy pack")]
TimeZone = Annotated[str, OneOf(time_zones, "timezone"), Field(description="an IANA time zone, e.g. Asia/Dhaka")]
Platform = Annotated[str, OneOf(lambda: PLATFORMS, "platform")]
Kind = Annotated[str, OneOf(lambda: INSTITUTION_KINDS, "kind")]
State = Annotated[str, OneOf(lambda: STATES, "state")]
ArchivedState = Annotated[str, OneOf(lambda: ARCHIVED_STATES, "state")]
Verdict = Annotated[str, OneOf(lambda: ("clear", "review", "block"), "verdict")]
Action = Annotated[str, OneOf(lambda: sorted(ACTION_LABELS), "action")]
#: A finding category to search for (one that names none finds nothing).
CategoryName = Annotated[str, Field(max_length=60), NO_NUL]
Url = Annotated[str, Field(max_length=500, description="an http:// or https:// address"), A_URL]
UrlOrEmpty = Annotated[str, Field(max_length=500, description="an http:// or https:// address, or empty"),
                       A_URL_OR_EMPTY]
#: A calendar date in a body: a string YYYY-MM-DD (not a number of seconds).
Day = Annotated[dt.date, BeforeValidator(_matching(DATE, "a date like 2026-11-23")),
                WithJsonSchema({"type": "string", "format": "date", "pattern": DATE})]
#: A time with its offset, as RFC 3339 writes it; read as UTC.
_A_TIMESTAMP = ("a time with its offset, like 2026-11-23T10:00:00+06:00, in the range of years 0002-9998 "
                "(where every offset has a UTC time)")
Timestamp = Annotated[dt.datetime, BeforeValidator(_matching(TIMESTAMP, _A_TIMESTAMP)), AfterValidator(_utc),
                      WithJsonSchema({"type": "string", "format": "date-time", "pattern": TIMESTAMP})]


class LoginIn(Body):
    username: Annotated[str, Field(max_length=80), NO_NUL]
    password: Annotated[str, Field(max_length=MAX_PASSWORD), NO_NUL]
    totp_code: Annotated[str, A_LOGIN_CODE] | None = Field(None, description=(
        "for an account with two-step sign-in: the 6-digit code from the authenticator app, or a recovery "
        "code; without it such a login answers 401 with error 'totp_required'"))


class TotpConfirmIn(Body):
    code: Annotated[str, A_TOTP_CODE, Field(description="the 6-digit code the authenticator app shows now")]


class TotpDisableIn(Body):
    """Exactly one of a current code (or a recovery code) and the password."""

    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["code"]}, {"required": ["password"]}]})

    code: Annotated[str, A_LOGIN_CODE] = Field(UNSET, description="a current code, or a recovery code")
    password: Annotated[str, Field(max_length=MAX_PASSWORD), NO_NUL] = Field(UNSET, description="your password")

    @model_validator(mode="after")
    def _one_of(self) -> TotpDisableIn:
        if (self.code is None) == (self.password is None):
            raise _invalid("give either code or password")
        return self


class TotpStatusOut(BaseModel):
    enabled: bool
    #: Set-up begun (a secret made) and not yet confirmed with a code.
    pending: bool
    enabled_at: dt.datetime | None
    recovery_codes_left: int
    #: Required of you (SATARK_REQUIRE_TOTP_FOR_ADMINS and an admin role).
    required: bool


class TotpBeginOut(BaseModel):
    #: The secret (base32) to type into the authenticator app, or ``otpauth_uri`` to give it.
    secret: str
    #: The same in groups of four, for typing.
    secret_grouped: str
    otpauth_uri: str


class TotpEnabledOut(BaseModel):
    enabled_at: dt.datetime
    #: One-time recovery codes, shown only this once.
    recovery_codes: list[str]


class TotpResetOut(BaseModel):
    user_id: int
    sessions_ended: int
    tokens_revoked: int


class OkOut(BaseModel):
    ok: bool


class TokenIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=100), SAYS]


#: A new password: its length and characters. The domain also refuses one that contains the
#: username, repeats too few characters or is on the list of common passwords (422).
NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD,
                                   description=f"{MIN_PASSWORD}-{MAX_PASSWORD} characters; not a common password, "
                                               "not containing the username"), NO_NUL]


class UserIn(Body):
    model_config = ConfigDict(json_schema_extra={"dependentRequired": {"institution_id": ["role"],
                                                                       "role": ["institution_id"]}})

    username: Annotated[str, Field(min_length=2, max_length=80,
                                   description="lowercase letters, digits, '.', '_' or '-'"), A_USERNAME]
    display_name: Annotated[str, Field(max_length=200), NO_NUL] = ""
    password: NewPassword
    superuser: Flag = False
    #: Given together with ``role`` (needed unless the new user is a site administrator).
    institution_id: Id = Field(UNSET, description="give a role here (with role; needed unless a site administrator)")
    role: Role = Field(UNSET, description="the role in institution_id")

    @model_validator(mode="after")
    def _role_with_place(self) -> UserIn:
        if (self.institution_id is None) != (self.role is None):
            raise _invalid("give institution_id and role together")
        return self


class PasswordIn(Body):
    password: NewPassword


class OwnPasswordIn(Body):
    current_password: Annotated[str, Field(max_length=MAX_PASSWORD), NO_NUL]
    new_password: NewPassword


class SubmitIn(Body):
    confirm: Flag = Field(False, description="send a post whose verdict is 'block' on anyway (after reading why)")


class InstitutionIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=200), SAYS]
    jurisdiction: Pack
    parent_id: Id | None = None
    short_name: Annotated[str, Field(max_length=60), NO_NUL] = ""
    kind: Kind = "department"
    website_url: UrlOrEmpty = ""
    local_name: Annotated[str, Field(max_length=200, description="the name in Bengali or Hindi"), NO_NUL] = ""
    timezone: TimeZone | Literal[""] = Field("", description="IANA zone, e.g. Asia/Dhaka; default (empty): the "
                                                             "jurisdiction's")
    approval_tiers: ApprovalTiers | None = None
    approval_ttl_hours: ApprovalTtlHours | None = None
    password_rotation_days: RotationDays | None = None


class InstitutionPatch(Body):
    """Only the fields given change; ``null`` leaves a number as it is and empties a text."""

    name: Annotated[str, Field(min_length=1, max_length=200), SAYS] = UNSET
    short_name: Annotated[str, Field(max_length=60), NO_NUL] | None = None
    website_url: UrlOrEmpty | None = None
    local_name: Annotated[str, Field(max_length=200, description="the name in Bengali or Hindi"), NO_NUL] | None = None
    timezone: TimeZone = Field(UNSET, description="IANA zone, e.g. Asia/Kolkata")
    approval_tiers: ApprovalTiers | None = None
    approval_ttl_hours: ApprovalTtlHours | None = None
    password_rotation_days: RotationDays | None = None


class MemberIn(Body):
    username: Annotated[str, Field(max_length=80, description="an existing user's (else 404)")]
    role: Role


class AdminIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=200), SAYS]
    designation: Annotated[str, Field(max_length=200), NO_NUL] = ""


class AccountIn(Body):
    """Only the fields given change. A text takes text (``""`` empties it), never ``null``."""

    platform: Platform = UNSET
    handle: Annotated[str, Field(max_length=200), NO_NUL] = UNSET
    url: UrlOrEmpty = UNSET
    display_name: Annotated[str, Field(max_length=200), NO_NUL] = UNSET
    purpose: Annotated[str, Field(max_length=5000), NO_NUL] = UNSET
    audience: Annotated[str, Field(max_length=5000), NO_NUL] = UNSET
    website_url: UrlOrEmpty = UNSET
    grs_url: UrlOrEmpty = UNSET
    password_rotated_on: Day | None = None
    privacy_notes: Annotated[str, Field(max_length=5000), NO_NUL] = UNSET
    profile_photo_institutional: Flag | None = None
    platform_terms_followed: Flag | None = None
    letterhead_shows_address: Flag | None = None
    two_factor_enabled: Flag | None = None
    admins: list[AdminIn] = Field(UNSET, max_length=20)


class AccountCreate(AccountIn):
    institution_id: Id
    platform: Platform
    handle: Annotated[str, Field(min_length=1, max_length=200), SAYS]


class PostIn(Body):
    account_id: Id
    text: PostText
    title: Annotated[str, Field(max_length=MAX_TITLE), NO_NUL] = ""


class PostEdit(Body):
    text: PostText
    title: Annotated[str, Field(max_length=MAX_TITLE), NO_NUL] | None = None


class ApproveIn(Body):
    comment: Annotated[str, NO_NUL] = ""
    override_reason: Annotated[str, NO_NUL] | None = Field(None, description=(
        f"needed (at least {MIN_REASON} characters) to approve a post whose verdict is 'block'"))


class CommentIn(Body):
    comment: Reason


class PublishIn(Body):
    url: Url
    published_at: Timestamp | None = Field(None, description="when it was published; default: now")


class CorrectIn(Body):
    text: PostText
    note: Reason


class ReasonIn(Body):
    reason: Reason
    fast_track: Flag = Field(False, description="an approver retracts at once, alone (recorded)")


class ScreenIn(Body):
    text: PostText
    jurisdiction: Pack | None = Field(None, description="BD, IN-CG or a pack id; default: your institution's")
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
            "totp_enabled": user.totp_enabled_at is not None,
            "memberships": [{"institution_id": m.institution_id, "institution": m.institution.name, "role": m.role}
                            for m in user.memberships]}


def institution_out(inst: Institution) -> dict[str, Any]:
    return {"id": inst.id, "name": inst.name, "short_name": inst.short_name, "kind": inst.kind,
            "parent_id": inst.parent_id, "jurisdiction": inst.jurisdiction, "approval_tiers": inst.approval_tiers,
            "approval_ttl_hours": inst.approval_ttl_hours, "password_rotation_days": inst.password_rotation_days,
            "website_url": inst.website_url, "local_name": inst.local_name, "timezone": inst.timezone}


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
