"""Normalisation with an offset map back to the original text.

Detectors never see the raw post. They see two views of it:

``norm``
    NFC; zero-width, bidi and other invisible control characters removed; Devanagari and
    Bengali digits read as ASCII; full-width and mathematical letters and Cyrillic/Greek
    look-alikes read as Latin; lower-cased. Identifier detectors (Aadhaar, NID, phone)
    work here, because digits keep their positions.
``key``
    ``norm`` further folded for word matching: nukta dropped, chandrabindu read as
    anusvara, leetspeak inside Latin words undone (``sh1t``), letters spaced out to dodge
    filters joined (``f u c k``), and runs of one letter squeezed (``fuuuck``). Lexicon
    terms go through the same folding, so both sides meet in the middle.

Every view keeps, per character, the half-open range of original characters it came
from, so any span found in a view maps back to the exact original text (see
:meth:`View.to_original`). The common case, a post with nothing to remove, is handled
with ``str.translate`` and no per-character Python loop, because screening has to run at
thousands of posts a second.

No library does offset-preserving normalisation of this kind (``unicodedata`` and
``ftfy`` return only the new string), hence this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

try:  # the C passes (optional: built with the package where a C compiler is present)
    from . import _textpass
except ImportError:  # pragma: no cover - a build without extensions
    _textpass = None  # type: ignore[assignment]

__all__ = ["TOKEN_RE", "Document", "View", "compiled", "fold_term", "key_text", "normalize"]

# --- character tables -----------------------------------------------------------------

_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f"
    "\u3164\ufeff\uffa0"
)
_CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))
_VARIATION_SELECTORS = "".join(chr(c) for c in range(0xFE00, 0xFE10))
_REMOVABLE_CHARS = _INVISIBLE + _CONTROLS + _C1 + _VARIATION_SELECTORS
_REMOVABLE_RE = re.compile("[" + re.escape(_REMOVABLE_CHARS) + "]")

# Characters that are part of the preceding grapheme for NFC purposes.
_MARK_RUN_RE = re.compile(r".[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
                          r"\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
                          r"\u0981-\u0983\u09bc-\u09d7\u09e2\u09e3\u09fe"
                          r"\u1160-\u11ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*",
                          re.DOTALL)


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    # Devanagari and Bengali digits keep their position: one char for one char.
    for base in (0x0966, 0x09E6):
        for d in range(10):
            table[base + d] = str(d)
    # Full-width ASCII and mathematical alphanumerics: NFKC gives a single ASCII char.
    for cp in (*range(0xFF01, 0xFF5F), *range(0x1D400, 0x1D800), *range(0x24B6, 0x24EA)):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if len(folded) == 1 and folded.isascii():
            table[cp] = folded
    # Cyrillic and Greek look-alikes used to dodge Latin word filters.
    homoglyphs = {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
        "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i",
        "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i",
        "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
        "С": "c", "Т": "t", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j",
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "υ": "u",
        "Α": "a", "Β": "b", "Ε": "e", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
        "Ο": "o", "Ρ": "p", "Τ": "t", "Χ": "x", "Υ": "y", "Ζ": "z",
    }
    for src, dst in homoglyphs.items():
        table[ord(src)] = dst
    assert all(len(v) == 1 for v in table.values())
    return table


_FOLD_TABLE = _build_fold_table()
#: where the fold table's characters are (and some neighbours): a cheap test for "does
#: the fold table apply at all" (translate with a dict is slow)
_FOLD_RANGES = ((0xFF01, 0xFF5E), (0x1D400, 0x1D7FF), (0x24B6, 0x24E9), (0x0966, 0x096F), (0x09E6, 0x09EF),
                (0x0370, 0x052F), (0x0261, 0x0261), (0x0131, 0x0131))
_FOLD_NEEDED_RE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _FOLD_RANGES) + "]")
assert all(any(a <= cp <= b for a, b in _FOLD_RANGES) for cp in _FOLD_TABLE)


def _char_flags_table() -> bytes:
    """Per code point (up to the last one flagged), whether ``_REMOVABLE_RE`` (1) and
    ``_FOLD_NEEDED_RE`` (2) match it: what the C pass ``char_flags`` reads, so that one
    pass over a post tells which of the two rewrites it needs."""
    table = bytearray(max(b for _, b in _FOLD_RANGES) + 1)
    for char in _REMOVABLE_CHARS:
        table[ord(char)] |= _REMOVABLE
    for a, b in _FOLD_RANGES:
        for cp in range(a, b + 1):
            table[cp] |= _FOLD
    return bytes(table)


_REMOVABLE, _FOLD = 1, 2
_CHAR_FLAGS = _char_flags_table()

# key view: nukta removed (deletion), chandrabindu -> anusvara.
_KEY_DELETE_RE = re.compile("[\u093c\u09bc]")
_KEY_TABLE = {0x0901: "\u0902"}
_KEY_NEEDED_RE = re.compile("\u0901")
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
# digits between letters ("sh1t"); written digit-first so that `re` jumps between digits
_LEET_RE = re.compile(r"[013457@$](?<=[a-z][013457@$])[013457@$]*(?=[a-z])")
_SPACED_RE = re.compile(r"(?<![a-z0-9])(?:[a-z][ .\-_*]){2,}[a-z](?![a-z0-9])")
_SPACED_SEP_RE = re.compile(r"[ .\-_*]")
# Runs of one letter (not digits: phone numbers have them legitimately), squeezed to the
# letter; runs of anything else are left as they are. Any run is matched, then the squeeze
# looks at its character: a pattern that tested for a letter at every position first took
# twice as long, about half of the ``key`` view's time.
_LETTER = r"[^\W\d_]|[\u0900-\u0963\u0971-\u097f\u0980-\u09e3\u09f0-\u09ff]"
_LETTER_RE = re.compile(_LETTER)
_RUN_RE = re.compile(r"(.)\1+", re.DOTALL)
_SPACED_QUICK_RE = re.compile(r"[a-z][ .\-_*][a-z][ .\-_*][a-z]")


# --- views ----------------------------------------------------------------------------

#: how a view was derived from its parent: the pattern, the replacement (a ``re``
#: template or a function of the match) and whether same-length replacements are
#: aligned character for character; a function: the parent's view derived again, with
#: its map (the C pass); ``None``: the parent's map, unchanged
_Step = tuple[re.Pattern[str], "str | Callable[[re.Match[str]], str]", bool] | Callable[["View"], "View"] | None


class View:
    """A normalised string plus, per character, where it came from in the original.

    ``starts[i]:ends[i]`` is the original range that produced character ``i``. ``None``
    means the identity map (nothing was inserted or removed).

    The map is built lazily: a view made by a rewrite keeps its parent and the rewrite,
    and replays it only when a span is mapped back (a post with a finding). Most posts
    have none, so normalising costs a few C-level regex passes, not a Python loop per
    character.
    """

    __slots__ = ("_ends", "_parent", "_starts", "_step", "text")

    def __init__(self, text: str, starts: list[int] | None = None, ends: list[int] | None = None) -> None:
        self.text = text
        self._starts = starts
        self._ends = ends
        self._parent: View | None = None
        self._step: _Step = None

    @classmethod
    def _derived(cls, text: str, parent: View, step: _Step) -> View:
        view = cls(text)
        view._parent = parent
        view._step = step
        return view

    def _materialize(self) -> None:
        parent = self._parent
        if parent is None:
            return
        if self._step is None:  # same length, same map
            self._starts, self._ends = parent.starts, parent.ends
        elif callable(self._step):  # made in one step by the C pass: it makes the map too
            replayed = self._step(parent)
            self._starts, self._ends = replayed.starts, replayed.ends
        else:
            pattern, repl, aligned = self._step
            self._starts, self._ends = _remap(parent, pattern, repl, aligned)
        self._parent = None
        self._step = None

    @property
    def starts(self) -> list[int] | None:
        if self._parent is not None:
            self._materialize()
        return self._starts

    @property
    def ends(self) -> list[int] | None:
        if self._parent is not None:
            self._materialize()
        return self._ends

    def __repr__(self) -> str:
        return f"View(text={self.text!r}, starts={self.starts!r}, ends={self.ends!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, View):
            return NotImplemented
        return (self.text, self.starts, self.ends) == (other.text, other.starts, other.ends)

    __hash__ = None  # type: ignore[assignment]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of this view to the original text."""
        starts, ends = self.starts, self.ends
        if starts is None or ends is None:
            return start, end
        if end <= start:
            pos = starts[start] if start < len(starts) else (ends[-1] if ends else 0)
            return pos, pos
        return starts[start], ends[end - 1]


def _identity(n: int) -> tuple[list[int], list[int]]:
    return list(range(n)), list(range(1, n + 1))


def _rewrite(
    view: View, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], *, aligned: bool = True
) -> View:
    """Apply ``pattern.sub(repl)`` to a view, keeping the offset map exact.

    Each replacement character maps to the whole matched original range, unless the
    replacement is unchanged, or has the same length and ``aligned`` says it substitutes
    character for character (leetspeak, folding), in which case it maps one to one.
    Canonical reordering (NFC) keeps the length but not the positions: not aligned.
    The text is rewritten now (one C-level ``subn``); the map when it is asked for.
    """
    text, n = pattern.subn(repl, view.text)
    if not n:
        return view
    return View._derived(text, view, (pattern, repl, aligned))


def _remap(
    view: View, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], aligned: bool
) -> tuple[list[int], list[int]]:
    """The offset map of ``_rewrite(view, pattern, repl, aligned)``."""
    text = view.text
    starts, ends = view.starts, view.ends
    if starts is None or ends is None:
        starts, ends = _identity(len(text))
    new_starts: list[int] = []
    new_ends: list[int] = []
    pos = 0
    # a template without escapes is its own expansion (``Match.expand`` parses it every call)
    literal = repl if isinstance(repl, str) and "\\" not in repl else None
    for m in pattern.finditer(text):
        a, b = m.span()
        new_starts.extend(starts[pos:a])
        new_ends.extend(ends[pos:a])
        r = literal if literal is not None else (m.expand(repl) if isinstance(repl, str) else repl(m))
        if r:
            if len(r) == b - a and (aligned or r == m.group()):
                new_starts.extend(starts[a:b])
                new_ends.extend(ends[a:b])
            else:
                lo, hi = starts[a], ends[b - 1]
                new_starts.extend([lo] * len(r))
                new_ends.extend([hi] * len(r))
        pos = b
    new_starts.extend(starts[pos:])
    new_ends.extend(ends[pos:])
    return new_starts, new_ends


# Letters NFC decomposes on their own (composition exclusions): precomposed nukta forms,
# by far the commonest reason a Hindi or Bengali post is not in NFC.
_EXCLUDED_RE = re.compile("[\u0958-\u095f\u09dc\u09dd\u09df\u0a33\u0a36\u0a59-\u0a5b\u0a5e"
                          "\u0b5c\u0b5d\u0f43-\u0f78\ufb1d-\ufb4e]")


def _nfc_match(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", m.group())


def _nfc(view: View) -> View:
    # (``is_normalized`` normalises the whole post to answer for Bengali text: the C
    # test answers for most posts in one pass)
    if (_textpass is not None and _textpass.surely_nfc(view.text)) or unicodedata.is_normalized("NFC", view.text):
        return view
    # Fast path: only the excluded letters need work (each maps to its own two chars).
    view = _rewrite(view, _EXCLUDED_RE, _nfc_match, aligned=False)
    if unicodedata.is_normalized("NFC", view.text):
        return view
    out = _rewrite(view, _MARK_RUN_RE, _nfc_match, aligned=False)
    if not unicodedata.is_normalized("NFC", out.text):  # composition across graphemes: rare
        whole = unicodedata.normalize("NFC", out.text)
        n_orig = (out.ends[-1] if out.ends else len(view.text)) if out.starts is not None else len(out.text)
        return View(whole, [0] * len(whole), [n_orig] * len(whole))
    return out


def _translate_same_length(view: View, table: dict[int, str], needed: re.Pattern[str]) -> View:
    """Fold single characters; every table value is one character, so offsets stay put.

    ``needed`` matches exactly the table's keys (or a superset); substituting only the
    matches is much faster than ``str.translate`` with a large dict on a whole post.
    """
    if needed.search(view.text) is None:
        return view
    new = needed.sub(lambda m: table.get(ord(m.group()), m.group()), view.text)
    return View._derived(new, view, None)


_ANY_CHAR_RE = re.compile(".", re.DOTALL)


def _lower_match(m: re.Match[str]) -> str:
    return m.group().lower()


def _lower(view: View) -> View:
    low = view.text.lower()
    if low == view.text:
        return view
    if len(low) == len(view.text):
        return View._derived(low, view, None)
    return _rewrite(view, _ANY_CHAR_RE, _lower_match)


def _leet_match(m: re.Match[str]) -> str:
    return "".join(_LEET[c] for c in m.group())


def _spaced_match(m: re.Match[str]) -> str:
    return _SPACED_SEP_RE.sub("", m.group())


def _norm_view(text: str) -> View:
    # which rewrites can apply, in one C pass over the post (else: all, each finds out)
    flags = _textpass.char_flags(text, _CHAR_FLAGS) if _textpass is not None else _REMOVABLE | _FOLD
    view = View(text)
    if flags & _REMOVABLE:
        view = _rewrite(view, _REMOVABLE_RE, "")
    composed = _nfc(view)
    # Removing characters adds none to fold; NFC may (U+1F71 is U+03AC in NFC).
    if flags & _FOLD or composed is not view:
        composed = _translate_same_length(composed, _FOLD_TABLE, _FOLD_NEEDED_RE)
    return _lower(composed)


def _key_view(norm: View) -> View:
    """The ``key`` view: in C when built (one pass instead of five regular expressions,
    and the map made only if asked for, without a Python loop); else the reference."""
    if _textpass is None:
        return _key_view_reference(norm)
    text = _textpass.key_text(norm.text)
    if text is norm.text:  # nothing to fold (as the reference, which then returns ``norm``)
        return norm
    return View._derived(text, norm, _key_view_mapped)


def _key_view_mapped(norm: View) -> View:
    return View(*_textpass.key_map(norm.text, norm.starts, norm.ends))


def _key_view_reference(norm: View) -> View:
    view = _rewrite(norm, _KEY_DELETE_RE, "")
    view = _translate_same_length(view, _KEY_TABLE, _KEY_NEEDED_RE)
    view = _rewrite(view, _LEET_RE, _leet_match)
    if _SPACED_QUICK_RE.search(view.text):
        view = _rewrite(view, _SPACED_RE, _spaced_match)
    squeezed = _rewrite(view, _RUN_RE, _squeeze)
    # runs of other characters only: nothing changed, and no offset map to replay later
    return view if squeezed.text == view.text else squeezed


def _squeeze(m: re.Match[str]) -> str:
    """A run of one letter as the letter; a run of anything else as it is."""
    char = m.group(1)
    return char if _is_letter(char) else m.group()


@lru_cache(maxsize=4096)
def _is_letter(char: str) -> bool:
    return _LETTER_RE.fullmatch(char) is not None


def key_text(text: str) -> str:
    """The ``key`` view's text of ``text``, without a :class:`Document` or offset maps:
    for reading a piece of a post (a sentence) as the models read a whole one."""
    return _key_view(_norm_view(text)).text


@lru_cache(maxsize=65536)
def fold_term(term: str) -> str:
    """Fold a lexicon term exactly as posts are folded into the ``key`` view.

    Cached: the lexicons fold each of their ~9,000 terms twice when they load.
    """
    return _key_view(_norm_view(term)).text


# --- the document ---------------------------------------------------------------------

# Words: letters, digits and the whole Devanagari and Bengali blocks (vowel signs, virama,
# nukta) except the danda punctuation. ``\w`` alone would split "कार्य" at its virama.
TOKEN_RE = re.compile(r"[\w\u0900-\u0963\u0966-\u09ff]+")
_TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
def compiled() -> bool:
    """Whether the C passes (``satark._textpass``) are built; else the reference code runs."""
    return _textpass is not None


@dataclass(slots=True)
class Document:
    """A post as detectors see it: the original text and its normalised views."""

    original: str
    norm: View
    key: View
    _words: list[str] | None = None
    _tokens: list[tuple[str, int, int]] | None = None
    _bounds: list[int] | None = None

    @property
    def key_words(self) -> list[str]:
        """Words of the ``key`` view, without positions (cheaper; enough for lookups)."""
        if self._words is None:
            # in C when built (a third of the time)
            text = self.key.text
            self._words = _textpass.words(text) if _textpass is not None else TOKEN_RE.findall(text)
        return self._words

    @property
    def key_tokens(self) -> list[tuple[str, int, int]]:
        """Words of the ``key`` view as ``(word, start, end)``; Indic-safe, cached."""
        if self._tokens is None:
            bounds = self._key_bounds()
            self._tokens = list(zip(self.key_words, bounds[0:-1:2], bounds[1::2], strict=True))
        return self._tokens

    def key_word_span(self, i: int) -> tuple[int, int]:
        """Where the ``i``-th of :attr:`key_words` is in the ``key`` view (half-open)."""
        bounds = self._bounds if self._bounds is not None else self._key_bounds()
        return bounds[2 * i], bounds[2 * i + 1]

    def _key_bounds(self) -> list[int]:
        """Where the ``key`` view's gaps and words end, alternately (gap, word, ..., gap):
        the words' offsets without a Python loop (in C when built; else ``split`` and
        running lengths)."""
        if self._bounds is None:
            if _textpass is not None:
                self._bounds = _textpass.bounds(self.key.text)
                return self._bounds
            parts = _TOKEN_SPLIT_RE.split(self.key.text)
            if self._words is None:
                self._words = parts[1::2]
            self._bounds = list(accumulate(map(len, parts)))
        return self._bounds

    def span_from_norm(self, start: int, end: int) -> tuple[int, int]:
        return self.norm.to_original(start, end)

    def span_from_key(self, start: int, end: int) -> tuple[int, int]:
        return self.key.to_original(start, end)


def normalize(text: str) -> Document:
    """Build the :class:`Document` for ``text``.

    ``key`` is derived from ``norm`` and inherits its map, so the maps of both views
    index the original text directly.
    """
    norm = _norm_view(text)
    return Document(text, norm, _key_view(norm))
