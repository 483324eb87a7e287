"""Who may see and do what, by role in an institution and down its hierarchy.

Roles are held per institution. ``monitor`` and ``admin`` also reach every institution
below (a ministry's monitor oversees its districts); the others do not. Objects of
institutions a user cannot see are reported as not found, so their existence does not leak.

The institution tree and each user's memberships are read once per transaction (one post
page asks a dozen questions of them) and kept in ``Session.info``; a flush that changes an
institution or a membership, and the end of the transaction, forget them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from .errors import Forbidden, NotFound
from .models import ROLES, Institution, Membership, User

__all__ = ["InstitutionTree", "can", "institution_tree", "require", "roles_in", "visible_institutions"]

_TREE = "satark_institution_tree"
_MEMBERSHIPS = "satark_memberships"

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
    # the citizen comments inbox and GRS referrals (BD §8, §6.1(ঝ))
    "handle_comments": frozenset({"moderator", "admin"}),
    "approve_reply": frozenset({"approver"}),
    # monitoring: the monitor dashboard and quarterly reports (BD §11(ক))
    "read_monitoring": frozenset({"monitor", "admin"}),
    # the violation register (CG violation clause, BD §6.2(গ))
    "manage_violations": frozenset({"monitor", "admin"}),
    # audits of uploaded platform exports (issue 13)
    "audit_exports": frozenset({"monitor", "admin"}),
}


class InstitutionTree:
    """The parent links of all institutions, read once per transaction (:func:`institution_tree`)."""

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


def _unflushed_change(session: Session) -> bool:
    return any(isinstance(obj, (Institution, Membership)) for obj in (*session.new, *session.dirty, *session.deleted))


def _cached(session: Session, key: str) -> Any:
    """What ``key`` holds, unless an institution or membership changed since: then, as the
    query would have, flush (which forgets) and return None."""
    found = session.info.get(key)
    if found is not None and _unflushed_change(session):
        if session.autoflush:
            session.flush()
        _forget(session)
        return None
    return found


def institution_tree(session: Session) -> InstitutionTree:
    """The tree as this transaction sees it, read on first use."""
    tree: InstitutionTree | None = _cached(session, _TREE)
    if tree is None:
        tree = session.info[_TREE] = InstitutionTree(session)
    return tree


def _memberships(session: Session, user: User) -> list[tuple[int, str]]:
    known: dict[int, list[tuple[int, str]]] | None = _cached(session, _MEMBERSHIPS)
    if known is None:
        known = session.info[_MEMBERSHIPS] = {}
    found = known.get(user.id)
    if found is None:
        rows = session.execute(select(Membership.institution_id, Membership.role).where(Membership.user_id == user.id))
        found = known[user.id] = [(r.institution_id, r.role) for r in rows]
    return found


def _forget(session: Session) -> None:
    session.info.pop(_TREE, None)
    session.info.pop(_MEMBERSHIPS, None)


@event.listens_for(Session, "after_flush")
def _forget_on_change(session: Session, _context: Any) -> None:
    # Still the flush's own lists here: what it has just written.
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, (Institution, Membership)):
            _forget(session)
            return


@event.listens_for(Session, "do_orm_execute")
def _forget_on_bulk_change(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and any(
            m.class_ in (Institution, Membership) for m in state.all_mappers):
        _forget(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_on_transaction_end(session: Session, _transaction: Any) -> None:
    _forget(session)


def roles_in(session: Session, user: User, institution_id: int, tree: InstitutionTree | None = None) -> set[str]:
    if user.is_superuser:
        return set(ROLES) - {"approver", "author"} | {"admin"}
    tree = tree or institution_tree(session)
    chain = tree.ancestors(institution_id)
    roles: set[str] = set()
    for inst_id, role in _memberships(session, user):
        if inst_id == institution_id or (inst_id in chain and role in INHERITED):
            roles.add(role)
    return roles


def visible_institutions(session: Session, user: User) -> set[int]:
    tree = institution_tree(session)
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
