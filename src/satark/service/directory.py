"""Institutions (a hierarchy, each under a policy pack), users, and their roles."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import require, visible_institutions
from .errors import Conflict, Forbidden, InvalidInput, NotFound
from .models import ROLES, Institution, Membership, User, by_id
from .screening import Screening
from .security import check_password_strength, hash_password

__all__ = ["INSTITUTION_KINDS", "SETTINGS_FIELDS", "add_member", "create_institution", "create_user",
           "get_institution", "list_institutions", "remove_member", "update_institution"]

INSTITUTION_KINDS = ("ministry", "division", "department", "directorate", "district", "field_office")
#: Institution settings and their allowed ranges.
SETTINGS_FIELDS: dict[str, tuple[int, int]] = {
    "approval_tiers": (1, 3),
    "approval_ttl_hours": (1, 24 * 30),
    "password_rotation_days": (7, 365),
}
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


def create_user(
    session: Session, actor: User | None, *, username: str, display_name: str, password: str,
    superuser: bool = False, ui_lang: str = "en",
) -> User:
    """``actor`` None means the command line (the machine's operator)."""
    if actor is not None and not actor.is_superuser:
        raise Forbidden("only a site administrator may create users")
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InvalidInput("a username is 2-80 lowercase letters, digits, '.', '_' or '-'")
    if session.scalar(select(User).where(User.username == username)):
        raise Conflict(f"user {username!r} exists already")
    check_password_strength(password, username=username)
    user = User(username=username, display_name=display_name.strip()[:200] or username,
                password_hash=hash_password(password), is_superuser=superuser, ui_lang=ui_lang)
    session.add(user)
    session.flush()
    audit.record(session, "user_created", actor=actor, object_type="user", object_id=user.id,
                 details={"username": username, "superuser": superuser})
    return user


def _settings(data: dict[str, Any]) -> dict[str, int]:
    out = {}
    for name, (low, high) in SETTINGS_FIELDS.items():
        if name in data and data[name] is not None:
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise InvalidInput(f"{name} must be a whole number from {low} to {high}")
            out[name] = value
    return out


def create_institution(
    session: Session, actor: User | None, screening: Screening, *, name: str, jurisdiction: str,
    parent_id: int | None = None, short_name: str = "", kind: str = "department", website_url: str = "",
    **settings: Any,
) -> Institution:
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
    inst = Institution(name=name, short_name=short_name.strip()[:60], kind=kind, parent_id=parent_id,
                       jurisdiction=pack.jurisdiction, website_url=website_url.strip()[:500], **_settings(settings))
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
    unknown = set(data) - set(SETTINGS_FIELDS) - {"name", "short_name", "website_url"}
    if unknown:
        raise InvalidInput(f"unknown setting(s): {', '.join(sorted(unknown))}")
    changed: dict[str, Any] = {}
    for name, value in _settings(data).items():
        if getattr(inst, name) != value:
            changed[name] = {"from": getattr(inst, name), "to": value}
            setattr(inst, name, value)
    for name in ("name", "short_name", "website_url"):
        if name in data:
            text = str(data[name] or "").strip()[:500]
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
    if user is None:
        raise NotFound(f"no user {username!r}")
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


