"""Lexicon data files: validated on load, folded, and compiled into one word index.

Format: ``docs/lexicon-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import compress
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .._datafile import load_validated
from ..categories import CATEGORIES, Severity
from ..errors import LexiconError
from ..normalize import TOKEN_RE, fold_term

try:  # the C passes (optional: built with the package where a C compiler is present)
    from .. import _textpass
except ImportError:  # pragma: no cover - a build without extensions
    _textpass = None  # type: ignore[assignment]

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


#: what a word can start: one-word terms, longer terms by their second word, two-word
#: terms ending in a prefix, co-occurrence sides
_First = tuple[list[_Compiled] | None, dict[str, list[_Compiled]] | None, list[_Compiled] | None,
               list[tuple[int, int]] | None]
#: what a word's first letters can start: prefix terms, co-occurrence prefixes
_Head = tuple[list[_Compiled] | None, list[tuple[str, int, int]] | None]
#: the same for the C matcher (_textpass.find): a term as a plain tuple
_CTerm = tuple[str, str, str, float, Severity, tuple[str, ...], bool]
_CFirst = tuple[tuple[_CTerm, ...] | None, dict[str, tuple[_CTerm, ...]] | None, tuple[_CTerm, ...] | None,
                tuple[tuple[int, int], ...] | None]
_CHead = tuple[tuple[_CTerm, ...] | None, tuple[tuple[str, int, int], ...] | None]
#: a co-occurrence rule: category, "~id", "*", weight, severity, window
_CRule = tuple[str, str, str, float, Severity, int]


class Match(NamedTuple):
    """A term or co-occurrence rule found in a post (a named tuple: posts with matches
    make several, and a tuple is several times cheaper to build than a frozen dataclass)."""

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
    #: how many words seen in posts are remembered (about 100 bytes each)
    _SEEN_MAX = 600_000

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
        # words seen in posts: whether each starts something (and, for the C matcher, what)
        self._seen: dict[str, bool] = {}
        self._c_seen: dict[str, Any] = {}
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
        # One probe per word of a post: everything a word can start, and everything a
        # word's first letters can start (prefix terms, co-occurrence prefixes).
        by_second: dict[str, dict[str, list[_Compiled]]] = {}
        for (w0, w1), cs in self._multi.items():
            by_second.setdefault(w0, {})[w1] = cs
        self._first: dict[str, _First] = {
            word: (self._single.get(word), by_second.get(word), self._multi_prefix2.get(word),
                   self._co_word.get(word))
            for word in {*self._single, *by_second, *self._multi_prefix2, *self._co_word}
        }
        # (a shorter head is never looked up: a word under three letters starts no prefix)
        self._heads: dict[str, _Head] = {
            head: (self._prefix1.get(head), self._co_prefix.get(head))
            for head in {*self._prefix1, *self._co_prefix} if len(head) == self._PREFIX_KEY
        }

    def __len__(self) -> int:
        return sum(len(v) for d in (self._single, self._prefix1, self._multi, self._multi_prefix2)
                   for v in d.values())

    def find(self, words: list[str]) -> list[Match]:
        """Every term and co-occurrence rule that ``words`` (a post's ``key`` words) hold.

        In C when built (:mod:`satark._textpass`, on the tables of :attr:`_c_index`): a
        post's words are a few dictionary probes each, and a Python loop over them was
        the lexicon's largest cost. Else :meth:`_find_reference`; the two give the same
        matches in the same order (a test holds them to it).
        """
        if _textpass is not None:
            return _textpass.find(words, *self._c_index, Match, self._c_seen, self._SEEN_MAX)
        return self._find_reference(words)

    @cached_property
    def _c_index(self) -> tuple[dict[str, _CFirst], dict[str, _CHead], tuple[_CRule, ...]]:
        """:attr:`_first`, :attr:`_heads` and the co-occurrence rules as :func:`_textpass.find`
        reads them: tuples instead of lists, each term a plain tuple."""
        def as_tuples(cs: list[_Compiled]) -> tuple[_CTerm, ...]:
            return tuple((c.category, c.term, c.lang, c.weight, c.severity, c.words, c.prefix) for c in cs)

        def terms(cs: list[_Compiled] | None) -> tuple[_CTerm, ...] | None:
            return None if cs is None else as_tuples(cs)

        first = {word: (terms(single), None if multi is None else {w: as_tuples(cs) for w, cs in multi.items()},
                        terms(p2), None if co is None else tuple(co))
                 for word, (single, multi, p2, co) in self._first.items()}
        heads = {head: (terms(p1), None if co is None else tuple(co)) for head, (p1, co) in self._heads.items()}
        rules = tuple((category, f"~{rule.id}", "*", rule.weight, rule.severity, rule.window)
                      for category, rule in self._co_rules)
        return first, heads, rules

    def _find_reference(self, words: list[str]) -> list[Match]:
        """:meth:`find` in Python. Only the words that start something are probed
        (:meth:`_live_positions_reference`), one dictionary probe each and one per word's
        first letters: most words start nothing."""
        positions = self._live_positions_reference(words)
        if not positions:
            return []
        first, heads = self._first, self._heads
        out: list[Match] = []
        seen: dict[int, tuple[list[int], list[int]]] = {}  # co-occurrence rule -> sides' positions
        n = len(words)
        for i in positions:
            word = words[i]
            entry = first.get(word)
            head = heads.get(word[:3])  # _PREFIX_KEY letters; shorter heads are not in the table
            if entry is None and head is None:
                continue
            if entry is not None and entry[0] is not None:
                out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i) for c in entry[0])
            if head is not None and head[0] is not None:
                out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i)
                           for c in head[0] if word.startswith(c.words[0]))
            if entry is not None:
                _, multi, multi_p2, co = entry
                if i + 1 < n:
                    nxt = words[i + 1]
                    mc = multi.get(nxt) if multi is not None else None
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
                    if multi_p2 is not None:
                        out.extend(Match(c.category, c.term, c.lang, c.weight, c.severity, i, i + 1)
                                   for c in multi_p2 if nxt.startswith(c.words[1]))
                if co is not None:
                    for number, side in co:
                        seen.setdefault(number, ([], []))[side].append(i)
            if head is not None and head[1] is not None:
                for stem, number, side in head[1]:
                    if word.startswith(stem):
                        seen.setdefault(number, ([], []))[side].append(i)
        if seen:
            out.extend(self._co_matches(seen))
        return out

    def clear_caches(self) -> None:
        """Forget which words seen so far start something (``satark bench`` starts each pass so)."""
        self._seen.clear()
        self._c_seen.clear()

    def _live_positions_reference(self, words: list[str]) -> list[int]:
        """Where the words that can start something are: one dictionary probe per word,
        in C, against the words already classified (a post's words are mostly ones seen
        before, and most start nothing)."""
        seen = self._seen
        flags = list(map(seen.get, words))
        if None in flags:
            if len(seen) > self._SEEN_MAX:  # bounded memory on an endless stream of new words
                seen.clear()
            first, heads = self._first, self._heads
            for i, flag in enumerate(flags):
                if flag is None:
                    word = words[i]
                    flag = seen.get(word)
                    if flag is None:
                        flag = seen[word] = word in first or word[:3] in heads  # _PREFIX_KEY letters
                    flags[i] = flag
        return list(compress(range(len(words)), flags))

    def _co_matches(self, seen: dict[int, tuple[list[int], list[int]]]) -> list[Match]:
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
