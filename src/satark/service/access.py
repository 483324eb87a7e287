"""Who may see and do what, by role in an institution and down its hierarchy.

Roles are held per institution. ``monitor`` and ``admin`` also reach every institution
below (a ministry's monitor oversees its districts); the others do not. Objects of
institutions a user cannot see are reported as not found, so their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import Forbidden, NotFound
from .models import ROLES, Institution, Membership, User

__all__ = ["InstitutionTree", "can", "require", "roles_in", "visible_institutions"]

#: Roles that carry down to institutions below.
INHERITED = frozenset({"monitor", "admin"})

#: What each action needs (any one of the roles).
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(ROLES),
    "write_post": frozenset({"author", "moderator", "admin"}),
    "edit_any_post": frozenset({"moderator", "admin"}),
    "review": frozenset({"approver"}),
    "publish": frozenset({"author", "moderator", "admin"}),
    "correct": frozenset({"author", "moderator", "admin"}),
    "retract": frozenset({"moderator", "approver", "admin"}),
    "archive": frozenset({"moderator", "admin"}),
    "manage_accounts": frozenset({"moderator", "admin"}),
    "manage_institution": frozenset({"admin"}),
    "read_audit": frozenset({"monitor", "admin", "approver"}),
}


class InstitutionTree:
    """The parent links of all institutions, read once per request."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(select(Institution.id, Institution.parent_id)).all()
        self.parent: dict[int, int | None] = {r.id: r.parent_id for r in rows}

    def ancestors(self, institution_id: int) -> list[int]:
        """The institution itself, then its parents up to the top."""
        out: list[int] = []
        current: int | None = institution_id
        while current is not None and current not in out:
            out.append(current)
            current = self.parent.get(current)
        return out

    def descendants(self, institution_ids: Iterable[int]) -> set[int]:
        found = set(institution_ids)
        changed = True
        while changed:
            changed = False
            for child, parent in self.parent.items():
                if parent in found and child not in found:
                    found.add(child)
                    changed = True
        return found


def _memberships(session: Session, user: User) -> list[tuple[int, str]]:
    rows = session.scalars(select(Membership).where(Membership.user_id == user.id))
    return [(m.institution_id, m.role) for m in rows]


def roles_in(session: Session, user: User, institution_id: int, tree: InstitutionTree | None = None) -> set[str]:
    if user.is_superuser:
        return set(ROLES) - {"approver", "author"} | {"admin"}
    tree = tree or InstitutionTree(session)
    chain = tree.ancestors(institution_id)
    roles: set[str] = set()
    for inst_id, role in _memberships(session, user):
        if inst_id == institution_id or (inst_id in chain and role in INHERITED):
            roles.add(role)
    return roles


def visible_institutions(session: Session, user: User) -> set[int]:
    tree = InstitutionTree(session)
    if user.is_superuser:
        return set(tree.parent)
    memberships = _memberships(session, user)
    direct = {inst for inst, _ in memberships}
    return direct | tree.descendants(inst for inst, role in memberships if role in INHERITED)


def can(session: Session, user: User, action: str, institution_id: int) -> bool:
    return bool(roles_in(session, user, institution_id) & PERMISSIONS[action])


def require(session: Session, user: User, action: str, institution_id: int, *, what: str = "object") -> set[str]:
    """Return the user's roles there, or raise: 404 if they cannot see it, 403 if the role is wrong."""
    roles = roles_in(session, user, institution_id)
    if not roles:
        raise NotFound(f"no such {what}")
    if not roles & PERMISSIONS[action]:
        needed = " or ".join(sorted(PERMISSIONS[action]))
        raise Forbidden(f"this needs the role {needed} in the institution")
    return roles
