"""Policy packs: every clause of a guideline as validated data, with citations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .._datafile import load_validated
from ..categories import CATEGORIES, Severity
from ..errors import PackError, UnknownClause

__all__ = [
    "Clause",
    "ClauseText",
    "GrievanceSystem",
    "Localized",
    "PolicyPack",
    "Source",
    "VerdictPolicy",
    "load_pack",
]

LANGS = ("en", "hi", "bn")
AccountType = Literal["official", "personal"]
ClauseKind = Literal["content", "account", "process", "informational"]
SeverityField = Annotated[Severity, BeforeValidator(Severity.parse)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(_Strict):
    en: str = Field(min_length=1)
    hi: str = Field(min_length=1)
    bn: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return str(getattr(self, lang, None) or self.en)


class ClauseText(Localized):
    """``original`` is the seed's own words, verbatim; the rest are renderings."""

    original: str = Field(min_length=1)


class Source(_Strict):
    id: str
    title: Localized
    issuer: str
    reference: str = ""
    date: str = ""


class Clause(_Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9-]+(/[A-Za-z0-9.\-]+)*$")
    source: str
    citation: str
    parent: str | None = None
    kind: ClauseKind
    applies_to: tuple[AccountType, ...] = Field(min_length=1)
    severity: SeverityField
    categories: tuple[str, ...] = ()
    title: Localized
    text: ClauseText
    note: str | None = None

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categor{'ies' if len(unknown) > 1 else 'y'} {unknown}; "
                             f"known: {sorted(CATEGORIES)}")
        return value

    @model_validator(mode="after")
    def _content_has_categories(self) -> Clause:
        if self.kind == "content" and not self.categories:
            raise ValueError("a content clause must name the categories that enforce it")
        return self


class VerdictPolicy(_Strict):
    """How finding severities and confidences become a verdict; set per pack.

    A finding at or above both block thresholds blocks the post; otherwise one at or above
    both review thresholds sends it for review. Findings below (advisories) leave it clear.
    """

    block_min_severity: SeverityField = Severity.HIGH
    block_min_confidence: float = Field(default=0.8, ge=0, le=1)
    review_min_severity: SeverityField = Severity.LOW
    review_min_confidence: float = Field(default=0.5, ge=0, le=1)
    #: Combined evidence for a category below this is not reported at all.
    report_min_confidence: float = Field(default=0.5, ge=0, le=1)


class GrievanceSystem(_Strict):
    """The grievance redress system a pack's institutions refer grievances to (BD §6.1(ঝ): GRS;
    India: CPGRAMS), with its statutory deadline. Neither has a public API, so Satark prepares
    a referral packet and tracks the deadline; the officer lodges it and enters the number."""

    id: str = Field(min_length=1, max_length=20)
    name: Localized
    url: str = ""
    #: The time the system has to settle a grievance, in ``deadline_unit``.
    deadline: int = Field(ge=1, le=365)
    deadline_unit: Literal["working_days", "days"] = "working_days"
    #: The time allowed again after an appeal (None: the system has no appeal stage).
    appeal_deadline: int | None = Field(default=None, ge=1, le=365)
    appeal_unit: Literal["working_days", "days"] = "working_days"


class PolicyPack(_Strict):
    id: str
    jurisdiction: str
    language: Literal["en", "hi", "bn"]
    version: str
    title: Localized
    sources: tuple[Source, ...] = Field(min_length=1)
    clauses: tuple[Clause, ...] = Field(min_length=1)
    verdict_policy: VerdictPolicy = Field(default_factory=VerdictPolicy)
    #: Which grievance system applies (optional: a third-party pack may name none).
    grievance_system: GrievanceSystem | None = None

    _by_id: dict[str, Clause] = PrivateAttr(default_factory=dict)
    _by_category: dict[tuple[str, str], tuple[Clause, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_references(self) -> PolicyPack:
        seen: dict[str, Clause] = {}
        source_ids = {s.id for s in self.sources}
        for clause in self.clauses:
            if clause.id in seen:
                raise ValueError(f"duplicate clause id {clause.id!r}")
            if not clause.id.startswith(self.id + "/") and clause.id != self.id:
                raise ValueError(f"clause {clause.id!r} does not start with the pack id {self.id!r}")
            if clause.source not in source_ids:
                raise ValueError(f"clause {clause.id!r}: unknown source {clause.source!r}")
            seen[clause.id] = clause
        for clause in self.clauses:
            if clause.parent is not None and clause.parent not in seen:
                raise ValueError(f"clause {clause.id!r}: unknown parent {clause.parent!r}")
        self._by_id = seen
        index: dict[tuple[str, str], list[Clause]] = {}
        for clause in self.clauses:
            if clause.kind != "content":
                continue
            for category in clause.categories:
                for account in clause.applies_to:
                    index.setdefault((category, account), []).append(clause)
        self._by_category = {k: tuple(v) for k, v in index.items()}
        return self

    def clause(self, clause_id: str) -> Clause:
        """A clause by its id (``BD-2019/10/gha``) or as the document cites it
        (``BD-2019/10/ঘ``, ``BD-2019 §10(ঘ)``): people copy the citation, not the id."""
        try:
            return self._by_id[clause_id]
        except KeyError:
            pass
        wanted = _citation_key(clause_id.removeprefix(self.id).lstrip(" /"))
        for clause in self.clauses:
            if wanted and _citation_key(clause.citation) == wanted:
                return clause
        raise UnknownClause(f"no clause {clause_id!r} in pack {self.id}")

    def __iter__(self) -> Iterator[Clause]:  # type: ignore[override]
        return iter(self.clauses)

    def clauses_for(self, category: str, account_type: str) -> tuple[Clause, ...]:
        """Content clauses that ``category`` enforces for posts on ``account_type``."""
        return self._by_category.get((category, account_type), ())

    def children(self, clause_id: str) -> list[Clause]:
        return [c for c in self.clauses if c.parent == clause_id]


def load_pack(path: str | Path) -> PolicyPack:
    """Load and validate a pack file; any problem raises :class:`PackError` naming it."""
    return load_validated(path, PolicyPack, what="policy pack", error=PackError,
                          items="clauses", item_name="clause", item_key="id")


def _citation_key(text: str) -> str:
    """``§10(ঘ)``, ``10/ঘ`` and ``10 (ঘ)`` all read as ``10/ঘ``."""
    import unicodedata

    text = unicodedata.normalize("NFC", text).replace("§", "").replace("(", "/").replace(")", "")
    return "/".join(part.strip() for part in text.replace(" ", "/").split("/") if part.strip())
