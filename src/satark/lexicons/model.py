"""Lexicon data files: validated on load, folded, and compiled into one word index.

Format: ``docs/lexicon-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from ..categories import CATEGORIES, Severity
from ..errors import LexiconError
from ..normalize import _TOKEN_RE, fold_term

__all__ = ["Entry", "LexiconFile", "LexiconIndex", "Match", "load_lexicon"]

LexLang = Literal["en", "hi", "bn", "hi-Latn", "bn-Latn"]


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=1)
    lang: LexLang
    weight: float = Field(ge=-1, le=1)
    severity: Annotated[Severity, BeforeValidator(Severity.parse)] = Severity.MEDIUM
    match: Literal["word", "prefix"] = "word"
    note: str | None = None

    @field_validator("weight")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("weight 0 has no effect; remove the entry")
        return value


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str
    reviewed_by: str
    reviewed_on: str
    description: str
    entries: tuple[Entry, ...] = Field(min_length=1)

    @field_validator("reviewed_on", mode="before")
    @classmethod
    def _date_as_text(cls, value: Any) -> Any:
        return str(value) if value is not None else value

    @field_validator("category")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}")
        return value


def load_lexicon(path: str | Path) -> LexiconFile:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc
    try:
        lex = LexiconFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            where = ".".join(str(p) for p in loc)
            if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
                try:
                    where = f"entry {data['entries'][loc[1]].get('term')!r}"
                except (KeyError, IndexError, TypeError, AttributeError):
                    pass
            problems.append(f"{where}: {err['msg']}")
        raise LexiconError(f"{path}: invalid lexicon: {'; '.join(problems)}") from None
    seen: set[tuple[str, str]] = set()
    for entry in lex.entries:
        key = (fold_term(entry.term), entry.lang)
        if key in seen:
            raise LexiconError(f"{path}: duplicate entry {entry.term!r} ({entry.lang})")
        seen.add(key)
    return lex


@dataclass(frozen=True, slots=True)
class _Compiled:
    category: str
    term: str
    lang: str
    weight: float
    severity: Severity
    words: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True, slots=True)
class Match:
    category: str
    term: str
    lang: str
    weight: float
    severity: Severity
    first: int  # index of the first matched word
    last: int  # index of the last matched word (inclusive)


class LexiconIndex:
    """All categories' terms in one word-level index, matched in one pass per post.

    Matching is by whole words of the folded ``key`` view (Indic-safe: a word is a run of
    letters, digits and Devanagari/Bengali signs), so terms never hit inside longer words.
    A ``prefix`` term's last word may be the start of a longer word (inflections). Lookups
    are dictionary probes on the first word, so cost grows with post length, not with the
    size of the lexicons.
    """

    _PREFIX_KEY = 3

    def __init__(self, files: Iterable[LexiconFile]) -> None:
        self._exact: dict[str, list[_Compiled]] = {}
        self._prefix1: dict[str, list[_Compiled]] = {}  # single-word prefix terms by stem head
        self.files = tuple(files)
        for lex in self.files:
            for entry in lex.entries:
                words = tuple(_TOKEN_RE.findall(fold_term(entry.term)))
                if not words:
                    continue
                prefix = entry.match == "prefix"
                c = _Compiled(lex.category, entry.term, entry.lang, entry.weight,
                              entry.severity, words, prefix)
                if prefix and len(words) == 1:
                    self._prefix1.setdefault(words[0][: self._PREFIX_KEY], []).append(c)
                else:
                    self._exact.setdefault(words[0], []).append(c)

    def __len__(self) -> int:
        return sum(len(v) for v in self._exact.values()) + sum(len(v) for v in self._prefix1.values())

    @staticmethod
    def _word_ok(word: str, want: str, prefix: bool) -> bool:
        return word.startswith(want) if prefix else word == want

    def find(self, words: list[str]) -> list[Match]:
        exact, prefix1, k = self._exact, self._prefix1, self._PREFIX_KEY
        out: list[Match] = []
        n = len(words)
        for i, word in enumerate(words):
            cands = exact.get(word)
            if cands is not None:
                for c in cands:
                    m = len(c.words)
                    if m == 1:
                        out.append(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i))
                        continue
                    if i + m > n:
                        continue
                    ok = all(words[i + j] == c.words[j] for j in range(1, m - 1))
                    if ok and self._word_ok(words[i + m - 1], c.words[-1], c.prefix):
                        out.append(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i + m - 1))
            if len(word) >= k:
                pc = prefix1.get(word[:k])
                if pc is not None:
                    for c in pc:
                        if word.startswith(c.words[0]):
                            out.append(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i))
        return out
