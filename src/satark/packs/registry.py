"""Where packs are found: a registry fed by the ``satark_policy_packs`` hook."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import PackError, UnknownJurisdiction
from .model import PolicyPack, load_pack

__all__ = ["PackRegistry"]


class PackRegistry:
    """Packs by id, and the pack in force for each jurisdiction.

    A jurisdiction may have several versions of its rules; the most recently registered
    pack wins for the jurisdiction code, and every pack stays reachable by its id.
    """

    def __init__(self, packs: Iterable[PolicyPack] = ()) -> None:
        self._packs: dict[str, PolicyPack] = {}
        self._jurisdictions: dict[str, str] = {}
        for pack in packs:
            self.register(pack)

    @classmethod
    def from_plugins(cls) -> PackRegistry:
        """Every pack the installed plugins (Satark's own included) provide."""
        from ..plugins import get_plugin_manager

        registry = cls()
        for batch in get_plugin_manager().hook.satark_policy_packs():
            for pack in batch:
                registry.register(pack)
        return registry

    def register(self, pack: PolicyPack | str | Path) -> PolicyPack:
        if not isinstance(pack, PolicyPack):
            pack = load_pack(pack)
        if pack.id in self._packs:
            raise PackError(f"policy pack {pack.id!r} is registered twice")
        self._packs[pack.id] = pack
        self._jurisdictions[pack.jurisdiction.upper()] = pack.id
        return pack

    def get(self, name: str) -> PolicyPack:
        """A pack by id (``BD-2019``) or by jurisdiction (``BD``), case-insensitively."""
        key = name.strip()
        for pack_id, pack in self._packs.items():
            if pack_id.lower() == key.lower():
                return pack
        found = self._jurisdictions.get(key.upper())
        if found is None:
            known = ", ".join(sorted({*self._jurisdictions, *self._packs}))
            raise UnknownJurisdiction(f"no policy pack for {name!r}; known: {known}")
        return self._packs[found]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._packs.values())

    def __len__(self) -> int:
        return len(self._packs)

    @property
    def jurisdictions(self) -> dict[str, str]:
        return dict(self._jurisdictions)
