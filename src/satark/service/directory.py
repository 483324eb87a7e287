"""Institutions (a hierarchy, each under a policy pack), users, and their roles.

A user belongs to the institutions they hold roles in. An institution admin manages the
users who belong only to institutions they administer: creates them (with a role there),
deactivates them, resets their passwords and logs them out everywhere. Nobody grants a role
to themselves, and a user of another institution answers exactly like an unknown username.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import can, require, visible_institutions
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import ROLES, Institution, Membership, User, WebSession, by_id
from .screening import Screening
from .security import CurrentPassword, NewPassword, end_all_sessions, new_password, verify_current
from .timezones import check_timezone, default_timezone

__all__ = ["INSTITUTION_KINDS", "SETTINGS_FIELDS", "TEXT_SETTINGS", "add_member", "change_own_password",
           "check_new_user", "check_password_reset", "create_institution", "create_user", "get_institution",
           "get_user", "list_institutions", "list_users", "logout_everywhere", "prepare_password_change",
           "remove_member", "reset_password", "set_active", "update_institution"]

INSTITUTION_KINDS = ("ministry", "division", "department", "directorate", "district", "field_office")
#: Institution settings and their allowed ranges.
SETTINGS_FIELDS: dict[str, tuple[int, int]] = {
    "approval_tiers": (1, 3),
    "approval_ttl_hours": (1, 24 * 30),
    "password_rotation_days": (7, 365),
}
#: Text settings an admin may change, with their lengths.
TEXT_SETTINGS: dict[str, int] = {"name": 200, "short_name": 60, "local_name": 200, "website_url": 500,
                                 "timezone": 64}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def check_new_user(
    session: Session, actor: User | None, *, username: str, superuser: bool = False,
    institution_id: int | None = None, role: str | None = None,
) -> str:
    """Whether ``actor`` may create this user (see :func:`create_user`); the username as it
    will be stored. Callers ask in a read unit before hashing the password (argon2), so a
    request that would be refused costs no hash, then :func:`create_user` asks again."""
    if (institution_id is None) != (role is None):
        raise InvalidInput("give the institution and the role together")
    if role is not None and role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if actor is not None and not actor.is_superuser:
        if superuser:
            raise Forbidden("only a site administrator may create site administrators")
        if institution_id is None:
            raise Forbidden("say in which of your institutions the new user gets a role")
        if by_id(session, Institution, institution_id) is None:
            raise NotFound(f"no institution {institution_id}")
        require(session, actor, "manage_institution", institution_id, what="institution")
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput("a username is 2-80 lowercase letters, digits, '.', '_' or '-'", field="username")
    if session.scalar(select(User).where(User.username == username)):
        if actor is None or actor.is_superuser:  # the operator sees every user anyway
            raise Conflict(f"user {username!r} exists already", field="username")
        raise Conflict("this username cannot be used; choose another", field="username")
    return username


def create_user(
    session: Session, actor: User | None, *, username: str, display_name: str, password: NewPassword,
    superuser: bool = False, ui_lang: str = "en", institution_id: int | None = None, role: str | None = None,
) -> User:
    """``actor`` None means the command line (the machine's operator). A site administrator
    creates anyone; an institution admin creates users with a role in an institution they
    administer (``institution_id`` and ``role``). ``password``: checked and hashed before the
    write unit (:func:`~.security.new_password`, for the stored username)."""
    username = check_new_user(session, actor, username=username, superuser=superuser,
                              institution_id=institution_id, role=role)
    _for(password, username)
    user = User(username=username, display_name=display_name.strip()[:200] or username,
                password_hash=password.hash, is_superuser=superuser, ui_lang=ui_lang)
    session.add(user)
    session.flush()
    audit.record(session, "user_created", actor=actor, institution_id=institution_id, object_type="user",
                 object_id=user.id, details={"username": username, "superuser": superuser})
    if institution_id is not None and role is not None:
        add_member(session, actor, institution_id, username, role)
    return user


def manages(session: Session, actor: User, target: User, *, unassigned: bool = False) -> bool:
    """Whether ``actor`` administers ``target``: a site administrator everyone; an institution
    admin the users whose every role is in an institution they administer (with ``unassigned``,
    also users without any role yet), never a site administrator."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    places = {m.institution_id for m in target.memberships}
    if not places:
        return unassigned
    return all(can(session, actor, "manage_institution", i) for i in places)


def list_users(session: Session, actor: User) -> list[User]:
    """The users ``actor`` administers, by username."""
    if actor.is_superuser:
        return list(session.scalars(select(User).order_by(User.username)))
    managed = [i for i in visible_institutions(session, actor) if can(session, actor, "manage_institution", i)]
    if not managed:
        raise Forbidden("listing users needs the role admin in an institution")
    ids = select(Membership.user_id).where(Membership.institution_id.in_(managed))
    users = session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username))
    return [u for u in users if manages(session, actor, u)]


def get_user(session: Session, actor: User, user_id: int) -> User:
    """A user ``actor`` administers; anyone else is not found (their existence does not leak)."""
    user = by_id(session, User, user_id)
    if user is None or (user.id != actor.id and not manages(session, actor, user)):
        raise NotFound(f"no user {user_id}")
    return user


def _not_self(actor: User | None, target: User, what: str) -> None:
    if actor is not None and actor.id == target.id:
        raise Forbidden(f"nobody may {what} themselves; another administrator must do it")


def set_active(session: Session, actor: User | None, target: User, active: bool) -> None:
    """Deactivate (which also logs the user out everywhere) or reactivate a user."""
    _not_self(actor, target, "deactivate or reactivate")
    if target.is_active == active:
        return
    target.is_active = active
    details: dict[str, Any] = {"username": target.username}
    if not active:
        details["sessions"], details["tokens"] = end_all_sessions(session, target)
    audit.record(session, "user_activated" if active else "user_deactivated", actor=actor, object_type="user",
                 object_id=target.id, details=details)


def _for(password: NewPassword, username: str) -> None:
    if password.username != username:  # a caller's bug: the policy was checked for someone else
        raise ValueError(f"a new password checked for {password.username!r}, not {username!r}")


def check_password_reset(actor: User | None, target: User) -> None:
    """Whether ``actor`` may reset the password of ``target`` (one :func:`get_user` found):
    asked before the new password is hashed, then again by :func:`reset_password`."""
    _not_self(actor, target, "reset the password of (change your own with your current password)")


def reset_password(session: Session, actor: User | None, target: User, password: NewPassword) -> None:
    """An administrator sets a new password (checked and hashed before the write unit:
    :func:`~.security.new_password`); every session and token of the user ends."""
    check_password_reset(actor, target)
    _for(password, target.username)
    target.password_hash = password.hash
    sessions, tokens = end_all_sessions(session, target)
    audit.record(session, "password_reset", actor=actor, object_type="user", object_id=target.id,
                 details={"username": target.username, "sessions": sessions, "tokens": tokens})


def prepare_password_change(user: User, *, current: str, new: str) -> tuple[CurrentPassword, NewPassword]:
    """The argon2 half of :func:`change_own_password`, for before its write unit: the current
    password verified, the new one checked and hashed."""
    checked = verify_current(user, current)
    if not checked.ok:
        raise Forbidden("the current password is wrong", field="current_password")
    if new == current:
        raise InvalidInput("the new password must differ from the current one", field="password")
    return checked, new_password(new, username=user.username)


def change_own_password(session: Session, user: User, change: tuple[CurrentPassword, NewPassword], *,
                        keep: WebSession | None = None) -> None:
    """Change one's own password (``change``: :func:`prepare_password_change`); the other
    browser sessions end (``keep`` is the current one). A password changed since it was
    verified is wrong now."""
    current, new = change
    if not current.still_holds(user):
        raise Forbidden("the current password is wrong", field="current_password")
    _for(new, user.username)
    user.password_hash = new.hash
    sessions, _ = end_all_sessions(session, user, keep=keep, tokens=False)
    audit.record(session, "password_changed", actor=user, object_type="user", object_id=user.id,
                 details={"sessions": sessions})


def logout_everywhere(session: Session, actor: User | None, target: User, *,
                      keep: WebSession | None = None) -> tuple[int, int]:
    """End every browser session (but ``keep``) and revoke every access token of ``target``."""
    sessions, tokens = end_all_sessions(session, target, keep=keep)
    audit.record(session, "sessions_ended", actor=actor, object_type="user", object_id=target.id,
                 details={"username": target.username, "sessions": sessions, "tokens": tokens})
    return sessions, tokens


def _settings(data: dict[str, Any]) -> dict[str, int]:
    out = {}
    for name, (low, high) in SETTINGS_FIELDS.items():
        if name in data and data[name] is not None:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} must be a whole number from {low} to {high}")
            out[name] = value
    return out


def bounded_text(value: str, field: str, limit: int) -> str:
    """``value`` stripped, or a clear 422 when it is longer than its column: never cut silently."""
    text = value.strip()
    if len(text) > limit:
        raise InvalidInput(f"{field} is {len(text)} characters long; at most {limit} are kept")
    return text


def website(value: str) -> str:
    """An http(s) address with a host, or "" (BD §6.1: the page links to the office's website)."""
    from urllib.parse import urlsplit

    text = bounded_text(value, "website_url", 500)
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in text):
        raise InvalidInput("website_url must be an http:// or https:// address, like https://dhaka.gov.bd")
    return text


def create_institution(
    session: Session, actor: User | None, screening: Screening, *, name: str, jurisdiction: str,
    parent_id: int | None = None, short_name: str = "", kind: str = "department", website_url: str = "",
    local_name: str = "", timezone: str = "", **settings: Any,
) -> Institution:
    """``timezone`` (an IANA name) defaults to the jurisdiction's: BD → Asia/Dhaka, IN-* → Asia/Kolkata."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("an institution needs a name of 1-200 characters")
    if kind not in INSTITUTION_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(INSTITUTION_KINDS)}")
    pack = screening.pack(jurisdiction)
    if parent_id is None:
        if actor is not None and not actor.is_superuser:
            raise Forbidden("only a site administrator may add a top-level institution")
    else:
        if by_id(session, Institution, parent_id) is None:
            raise NotFound(f"no institution {parent_id}")
        if actor is not None:
            require(session, actor, "manage_institution", parent_id, what="institution")
    zone = check_timezone(timezone) if timezone.strip() else default_timezone(pack.jurisdiction)
    inst = Institution(name=name, short_name=bounded_text(short_name, "short_name", 60), kind=kind,
                       parent_id=parent_id, jurisdiction=pack.jurisdiction, website_url=website(website_url),
                       local_name=bounded_text(local_name, "local_name", 200), timezone=zone, **_settings(settings))
    session.add(inst)
    session.flush()
    audit.record(session, "institution_created", actor=actor, institution_id=inst.id, object_type="institution",
                 object_id=inst.id, details={"name": name, "parent_id": parent_id, "jurisdiction": inst.jurisdiction})
    return inst


def get_institution(session: Session, user: User, institution_id: int) -> Institution:
    inst = by_id(session, Institution, institution_id)
    if inst is None or institution_id not in visible_institutions(session, user):
        raise NotFound(f"no institution {institution_id}")
    return inst


def list_institutions(session: Session, user: User) -> list[Institution]:
    ids = visible_institutions(session, user)
    return list(session.scalars(select(Institution).where(Institution.id.in_(ids)).order_by(Institution.id)))


def update_institution(session: Session, actor: User, inst: Institution, data: dict[str, Any]) -> dict[str, Any]:
    require(session, actor, "manage_institution", inst.id, what="institution")
    unknown = set(data) - set(SETTINGS_FIELDS) - set(TEXT_SETTINGS)
    if unknown:
        raise InvalidInput(f"unknown setting(s): {', '.join(sorted(unknown))}")
    changed: dict[str, Any] = {}
    for name, value in _settings(data).items():
        if getattr(inst, name) != value:
            changed[name] = {"from": getattr(inst, name), "to": value}
            setattr(inst, name, value)
    for name, limit in TEXT_SETTINGS.items():
        if name in data:
            raw = str(data[name] or "")
            if name == "website_url":
                text = website(raw)
            elif name == "timezone":
                text = check_timezone(raw)
            else:
                text = bounded_text(raw, name, limit)
            if name == "name" and not text:
                raise InvalidInput("an institution needs a name")
            if getattr(inst, name) != text:
                changed[name] = {"from": getattr(inst, name), "to": text}
                setattr(inst, name, text)
    if changed:
        audit.record(session, "settings_changed", actor=actor, institution_id=inst.id, object_type="institution",
                     object_id=inst.id, details=changed)
    return changed


def add_member(session: Session, actor: User | None, institution_id: int, username: str, role: str) -> Membership:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
    if by_id(session, Institution, institution_id) is None:
        raise NotFound(f"no institution {institution_id}")
    if actor is not None:
        require(session, actor, "manage_institution", institution_id, what="institution")
    username = username.strip().lower()
    user = session.scalar(select(User).where(User.username == username)) if _USERNAME.match(username) else None
    if user is not None and actor is not None and user.id == actor.id:
        raise Forbidden("nobody may grant a role to themselves; another administrator must do it",
                        reason="self_grant")
    # A user of an institution the actor does not administer answers like an unknown one.
    if user is None or (actor is not None and not manages(session, actor, user, unassigned=True)):
        raise NotFound("no user with this username among the users you administer", field="username")
    existing = session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.institution_id == institution_id, Membership.role == role))
    if existing:
        return existing
    member = Membership(user_id=user.id, institution_id=institution_id, role=role)
    session.add(member)
    session.flush()
    audit.record(session, "member_added", actor=actor, institution_id=institution_id, object_type="user",
                 object_id=user.id, details={"username": user.username, "role": role})
    return member


def remove_member(session: Session, actor: User, institution_id: int, user_id: int, role: str) -> None:
    require(session, actor, "manage_institution", institution_id, what="institution")
    if role not in ROLES:
        raise NotFound("no such membership")
    member = session.scalar(select(Membership).where(
        Membership.user_id == user_id, Membership.institution_id == institution_id, Membership.role == role))
    if member is None:
        raise NotFound("no such membership")
    session.delete(member)
    audit.record(session, "member_removed", actor=actor, institution_id=institution_id, object_type="user",
                 object_id=user_id, details={"role": role})


def members(session: Session, institution_id: int) -> list[Membership]:
    return list(session.scalars(select(Membership).where(Membership.institution_id == institution_id)
                                .order_by(Membership.user_id, Membership.role)))


