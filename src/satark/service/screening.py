"""The service's one door into the screening engine, through its public API only."""

from __future__ import annotations

import threading
from typing import Any

from satark import InputError, PackRegistry, PolicyPack, Screener, UnknownJurisdiction

from .errors import InvalidInput

__all__ = ["Screening"]


class Screening:
    """Builds the engine on first use (a second or two) and shares it between requests."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode
        self._screener: Screener | None = None
        self._packs: PackRegistry | None = None
        self._lock = threading.Lock()

    @property
    def packs(self) -> PackRegistry:
        """The packs alone: cheap, for pages that cite clauses without screening."""
        if self._packs is None:
            self._packs = PackRegistry.from_plugins()
        return self._packs

    def pack(self, jurisdiction: str) -> PolicyPack:
        try:
            return self.packs.get(jurisdiction)
        except UnknownJurisdiction as exc:
            raise InvalidInput(str(exc)) from None

    @property
    def screener(self) -> Screener:
        if self._screener is None:
            with self._lock:
                if self._screener is None:
                    self._screener = Screener.from_plugins(mode=self.mode)  # type: ignore[arg-type]
        return self._screener

    def screen(self, text: str, *, jurisdiction: str, account_type: str, mode: str | None = None) -> dict[str, Any]:
        """The report as plain data (what is stored with a revision), with the text it covers."""
        try:
            report = self.screener.screen(
                text, jurisdiction=jurisdiction, account_type=account_type,  # type: ignore[arg-type]
                mode=mode,  # type: ignore[arg-type]
            )
        except (InputError, UnknownJurisdiction) as exc:
            raise InvalidInput(str(exc)) from None
        data = report.to_dict()
        data["text"] = text
        data["mode"] = mode or self.screener.mode
        return data

    def clauses(self, report: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Citation, title and text in every UI language for the clauses a report cites."""
        pack = self.pack(report["pack"])
        out: dict[str, dict[str, Any]] = {}
        for finding in report.get("findings", []):
            for clause_id in finding["clause_ids"]:
                if clause_id in out:
                    continue
                clause = pack.clause(clause_id)
                out[clause_id] = {
                    "citation": clause.citation,
                    "title": clause.title.model_dump(),
                    "text": clause.text.model_dump(),
                }
        return out

    def clause(self, jurisdiction: str, clause_id: str) -> dict[str, Any]:
        clause = self.pack(jurisdiction).clause(clause_id)
        return {"id": clause.id, "citation": clause.citation, "title": clause.title.model_dump(),
                "text": clause.text.model_dump()}

    def jurisdictions(self) -> dict[str, str]:
        return self.packs.jurisdictions
