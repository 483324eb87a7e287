"""Lexicon data files: validated on load, folded, and compiled into one word index.

Format: ``docs/lexicon-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .._datafile import load_validated
from ..categories import CATEGORIES, Severity
from ..errors import LexiconError
from ..normalize import TOKEN_RE, fold_term

__all__ = ["Cooccurrence", "Entry", "LexiconFile", "LexiconIndex", "Match", "load_lexicon"]

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


class Cooccurrence(BaseModel):
    """Two word sets that signal the category when they occur within ``window`` words.

    Hindi and Bengali put the verdict wherever they like ("ये सरकार पूरी तरह निकम्मी है",
    "সরকারের লোকজন কিছুই করে না"), so fixed phrases miss most word orders. A rule pairs a
    target (``a``: the government, a community, a deity) with a stance (``b``: useless,
    traitors, insult) in either order. A word ending in ``*`` matches as a prefix.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    weight: float = Field(gt=0, le=1)
    severity: Annotated[Severity, BeforeValidator(Severity.parse)] = Severity.MEDIUM
    window: int = Field(4, ge=1, le=12)
    a: tuple[str, ...] = Field(min_length=1)
    b: tuple[str, ...] = Field(min_length=1)
    note: str | None = None

    @field_validator("a", "b")
    @classmethod
    def _single_words(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for word in value:
            folded = TOKEN_RE.findall(fold_term(word.rstrip("*")))
            if len(folded) != 1:
                raise ValueError(f"{word!r}: co-occurrence terms are single words")
            if word.endswith("*") and len(folded[0]) < 3:
                raise ValueError(f"{word!r}: a prefix needs at least 3 letters")
        return value


class LexiconFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category: str
    reviewed_by: str
    reviewed_on: str
    description: str
    entries: tuple[Entry, ...] = Field(min_length=1)
    cooccurrences: tuple[Cooccurrence, ...] = ()

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
    """Load and validate a lexicon file; any problem raises :class:`LexiconError` naming it."""
    lex = load_validated(path, LexiconFile, what="lexicon", error=LexiconError,
                         items="entries", item_name="entry", item_key="term")
    seen: set[tuple[tuple[str, ...], str]] = set()
    for entry in lex.entries:
        key = (tuple(TOKEN_RE.findall(fold_term(entry.term))), entry.lang)
        if key in seen:
            raise LexiconError(
                f"{path}: duplicate entry {entry.term!r} ({entry.lang}): after folding it is the "
                "same as an earlier entry"
            )
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
        self._single: dict[str, list[_Compiled]] = {}  # one-word terms
        self._prefix1: dict[str, list[_Compiled]] = {}  # one-word prefix terms, by stem head
        self._multi: dict[tuple[str, str], list[_Compiled]] = {}  # by their first two words
        self._multi_prefix2: dict[str, list[_Compiled]] = {}  # two words, the second a prefix
        # co-occurrence words: word -> [(rule number, side)], and prefixes by their head
        self._co_rules: list[tuple[str, Cooccurrence]] = []
        self._co_word: dict[str, list[tuple[int, int]]] = {}
        self._co_prefix: dict[str, list[tuple[str, int, int]]] = {}
        self.files = tuple(files)
        for lex in self.files:
            for rule in lex.cooccurrences:
                number = len(self._co_rules)
                self._co_rules.append((lex.category, rule))
                for side, words in ((0, rule.a), (1, rule.b)):
                    for raw in words:
                        word = TOKEN_RE.findall(fold_term(raw.rstrip("*")))[0]
                        if raw.endswith("*"):
                            self._co_prefix.setdefault(word[: self._PREFIX_KEY], []).append(
                                (word, number, side))
                        else:
                            self._co_word.setdefault(word, []).append((number, side))
            for entry in lex.entries:
                words = tuple(TOKEN_RE.findall(fold_term(entry.term)))
                if not words:
                    continue
                prefix = entry.match == "prefix"
                c = _Compiled(lex.category, entry.term, entry.lang, entry.weight,
                              entry.severity, words, prefix)
                if len(words) == 1:
                    if prefix:
                        self._prefix1.setdefault(words[0][: self._PREFIX_KEY], []).append(c)
                    else:
                        self._single.setdefault(words[0], []).append(c)
                elif len(words) == 2 and prefix:
                    self._multi_prefix2.setdefault(words[0], []).append(c)
                else:
                    self._multi.setdefault((words[0], words[1]), []).append(c)

    def __len__(self) -> int:
        return sum(len(v) for d in (self._single, self._prefix1, self._multi, self._multi_prefix2)
                   for v in d.values())

    def find(self, words: list[str]) -> list[Match]:
        single, prefix1, multi, multi_p2 = self._single, self._prefix1, self._multi, self._multi_prefix2
        k = self._PREFIX_KEY
        out: list[Match] = []
        n = len(words)
        for i, word in enumerate(words):
            cands = single.get(word)
            if cands is not None:
                out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i) for c in cands)
            if len(word) >= k:
                pc = prefix1.get(word[:k])
                if pc is not None:
                    out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i)
                               for c in pc if word.startswith(c.words[0]))
            if i + 1 < n:
                nxt = words[i + 1]
                mc = multi.get((word, nxt))
                if mc is not None:
                    for c in mc:
                        m = len(c.words)
                        if i + m > n:
                            continue
                        if all(words[i + j] == c.words[j] for j in range(2, m - 1)) and (
                            words[i + m - 1].startswith(c.words[-1]) if c.prefix
                            else words[i + m - 1] == c.words[-1]
                        ):
                            out.append(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i + m - 1))
                mp = multi_p2.get(word)
                if mp is not None:
                    out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i + 1)
                               for c in mp if nxt.startswith(c.words[1]))
        if self._co_rules:
            out.extend(self._cooccurrences(words))
        return out

    def _cooccurrences(self, words: list[str]) -> list[Match]:
        co_word, co_prefix, k = self._co_word, self._co_prefix, self._PREFIX_KEY
        seen: dict[int, tuple[list[int], list[int]]] = {}
        for i, word in enumerate(words):
            hits = co_word.get(word)
            if hits is not None:
                for number, side in hits:
                    seen.setdefault(number, ([], []))[side].append(i)
            if len(word) >= k:
                ph = co_prefix.get(word[:k])
                if ph is not None:
                    for stem, number, side in ph:
                        if word.startswith(stem):
                            seen.setdefault(number, ([], []))[side].append(i)
        out: list[Match] = []
        for number, (left, right) in seen.items():
            if not left or not right:
                continue
            category, rule = self._co_rules[number]
            best: tuple[int, int, int] | None = None
            for i in left:
                for j in right:
                    if i != j and abs(i - j) <= rule.window and (best is None or abs(i - j) < best[0]):
                        best = (abs(i - j), min(i, j), max(i, j))
            if best is not None:
                out.append(Match(category, f"~{rule.id}", "*", rule.weight, rule.severity,
                                 best[1], best[2]))
        return out
