"""The public labelled data sets in ``../shared/data``, read and mapped to our categories.

One :class:`DatasetSpec` per folder of ``shared/data`` (14), each with

* the facts from the folder's ``README.md``: title, languages (our codes: ``hi``, ``bn``,
  ``en``, ``hi-en``, ``bn-en``, ``hi-mixed``), the licence exactly as the top-level README
  states it, whether that licence forbids commercial use, the jurisdiction whose policy
  pack applies to its posts, and the splits that exist;
* ``categories(row)``: the row's labels mapped to OUR screening categories
  (``../shared/taxonomy.md``), following the "Suggested mapping" table of
  ``shared/data/README.md`` conservatively. Every choice is commented at the spec;
* ``annotated``: the categories the data set gives evidence about. A row that lacks one
  of them is a (noisy) negative for it; for every other category the data set says
  nothing, so a row with ``categories == frozenset()`` is *not* known to be clean for
  those. Mask them when training a multi-label model on several sets;
* ``task_label(row)``: the data set's OWN label for its official task, with ``task``,
  ``metric`` and, for the six shared-task benchmarks, ``published_best`` and its source, so
  that our numbers can be set beside published ones.

TRAC-2 has one folder and three languages: ``trac2-2020-aggression-misogyny`` loads all
three, ``trac2-2020-aggression-misogyny:en`` / ``:hi`` / ``:bn`` one each (published
results are per language). HateCheckHIn likewise has ``:mono`` and ``:multi``.

Reading: stdlib :mod:`csv` (``.csv``, or tab-separated ``.tsv`` with standard quoting),
UTF-8. Cleaning is deliberately minimal: the text is stripped, rows with an empty text are
skipped, everything else is kept as released (duplicates, URLs, ``@USER``, emoji...).
Unknown label values raise :class:`ValueError` naming the file and row, so that a changed
data file cannot silently shift the labels.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..categories import SCORED_CATEGORIES
from ..paths import DATASETS_ENV, datasets_dir

__all__ = [
    "JURISDICTIONS",
    "LANGS",
    "SPLITS",
    "DatasetSpec",
    "Example",
    "available",
    "data_root",
    "get",
    "load",
    "names",
]

SPLITS: tuple[str, ...] = ("train", "dev", "test")
#: Language codes of ``../shared/taxonomy.md``.
LANGS: frozenset[str] = frozenset({"hi", "bn", "en", "hi-en", "bn-en", "hi-mixed", "bn-mixed"})
JURISDICTIONS: frozenset[str] = frozenset({"IN-CG", "BD"})
ENV_VAR = DATASETS_ENV

_CATS = frozenset(SCORED_CATEGORIES)
#: Licences that allow commercial use; every other licence statement here does not.
_OPEN_LICENCES = frozenset({"MIT", "AGPL-3.0"})

Row = Mapping[str, str]
CategoriesFn = Callable[[Row], frozenset[str]]
TaskLabelFn = Callable[[Row], str]


def _raise_field_limit() -> None:
    # Some posts are long and quoted across lines; the default limit (128 KiB) is per field.
    limit = sys.maxsize
    while True:
        try:
            csv.field_size_limit(limit)
            return
        except OverflowError:  # a C long is 32 bits on some platforms
            limit //= 2


_raise_field_limit()


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Example:
    """One post of a public data set, in the shape the screening engine evaluates.

    ``id`` is unique within a data set (all splits and variants): ``[variant:]split:key``
    where ``key`` is the file's own id column, or the 1-based data-row number of the file
    when it has none. ``meta`` keeps the row's other (label) columns as released, e.g. the
    CONSTRAINT ``Labels Set`` for the fine-grained task or HateCheckHIn's ``functionality``.
    """

    id: str
    text: str
    lang: str
    jurisdiction: str
    categories: frozenset[str]
    task_label: str | None
    dataset: str = ""
    meta: tuple[tuple[str, str], ...] = ()

    def meta_dict(self) -> dict[str, str]:
        return dict(self.meta)


@dataclass(frozen=True)
class DatasetSpec:
    """What a data set is, where its files are, and how its labels map to ours."""

    slug: str
    title: str
    languages: tuple[str, ...]
    licence: str
    non_commercial: bool
    #: policy pack for its posts; ``None`` only where it differs per variant (TRAC-2).
    jurisdiction: str | None
    splits: tuple[str, ...]
    task: str
    metric: str
    task_labels: tuple[str, ...]
    categories_fn: CategoriesFn
    task_label_fn: TaskLabelFn
    annotated: frozenset[str]
    text_column: str = "text"
    id_column: str | None = None
    #: (split, path relative to the data set folder); empty: ``<split>.<ext>``.
    files: tuple[tuple[str, str], ...] = ()
    ext: str = "csv"
    subdir: str = ""
    published_best: float | None = None
    published_source: str | None = None
    #: further published figures: (what, value).
    published_other: tuple[tuple[str, float], ...] = ()
    licence_note: str = ""
    licence_files: tuple[str, ...] = ("README.md",)
    notes: str = ""
    variant: str | None = None
    variants: tuple[DatasetSpec, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not self.languages or not set(self.languages) <= LANGS:
            problems.append(f"languages {self.languages}")
        if self.jurisdiction is not None and self.jurisdiction not in JURISDICTIONS:
            problems.append(f"jurisdiction {self.jurisdiction!r}")
        if not self.splits or not set(self.splits) <= set(SPLITS):
            problems.append(f"splits {self.splits}")
        if not self.annotated <= _CATS:
            problems.append(f"annotated {sorted(self.annotated - _CATS)}")
        if self.non_commercial != (self.licence not in _OPEN_LICENCES):
            problems.append(f"non_commercial={self.non_commercial} for licence {self.licence!r}")
        if problems:
            raise ValueError(f"data set spec {self.name}: bad " + "; ".join(problems))

    @property
    def name(self) -> str:
        """The name :func:`load` accepts: the slug, or ``slug:variant``."""
        return f"{self.slug}:{self.variant}" if self.variant else self.slug

    def categories(self, row: Row) -> frozenset[str]:
        """The row's labels mapped to our screening categories."""
        return self.categories_fn(row)

    def task_label(self, row: Row) -> str:
        """The row's label for the data set's own official task."""
        return self.task_label_fn(row)

    def path(self, split: str, root: Path) -> list[Path]:
        """The file(s) holding ``split`` under data root ``root``."""
        if self.variants:
            return [p for v in self.variants for p in v.path(split, root)]
        base = root / self.slug / self.subdir if self.subdir else root / self.slug
        if self.files:
            return [base / rel for s, rel in self.files if s == split]
        return [base / f"{split}.{self.ext}"]


# --------------------------------------------------------------------------- label helpers


class LabelError(ValueError):
    """A label value outside the documented set."""


def _val(row: Row, column: str, allowed: frozenset[str] | tuple[str, ...]) -> str:
    value = (row.get(column) or "").strip()
    if value not in allowed:
        raise LabelError(f"column {column!r}: unexpected value {value!r} (expected one of {sorted(allowed)})")
    return value


def _flag(row: Row, column: str) -> bool:
    return _val(row, column, ("0", "1")) == "1"


def _cats(*names: str) -> frozenset[str]:
    unknown = set(names) - _CATS
    if unknown:  # a typo here would silently drop a category
        raise AssertionError(f"not screening categories: {sorted(unknown)}")
    return frozenset(names)


def _script_lang(text: str, langs: tuple[str, ...]) -> str:
    """Pick among a data set's declared codes by the text's dominant script.

    Only data sets that mix scripts declare more than one code (e.g. TRAC-2 Hindi:
    Devanagari ``hi`` and romanised ``hi-en``). URLs, @mentions and #hashtags are ignored;
    a text with no letters gets the first (majority) code.
    """
    if len(langs) == 1:
        return langs[0]
    counts = {"deva": 0, "beng": 0, "latin": 0}
    for word in text.split():
        if word.startswith(("@", "#", "http://", "https://", "www.")):
            continue
        for ch in word:
            if "\u0900" <= ch <= "\u097f":
                counts["deva"] += 1
            elif "\u0980" <= ch <= "\u09ff":
                counts["beng"] += 1
            elif ch.isascii() and ch.isalpha():
                counts["latin"] += 1
    if not any(counts.values()):
        return langs[0]
    script = max(counts, key=lambda k: counts[k])
    for code in langs:
        if _SCRIPT_OF[code] == script:
            return code
    return langs[0]


_SCRIPT_OF = {
    "hi": "deva", "hi-mixed": "deva", "bn": "beng", "bn-mixed": "beng",
    "hi-en": "latin", "bn-en": "latin", "en": "latin",
}


def _jurisdiction_for(langs: tuple[str, ...]) -> str:
    # Bengali posts are screened under the Bangladesh pack (the only Bengali one), Hindi and
    # English (Indian) posts under Chhattisgarh's.
    return "BD" if langs[0].startswith("bn") else "IN-CG"


# --------------------------------------------------------------------------- the data sets
#
# Mapping policy (applies throughout): map only what the label *says*; leave weak proxies
# from the README's table out (listed per set) rather than invent positives. Where a data
# set's umbrella label is "offensive" (HASOC HOF, OLID OFF, HOT 1/2, TB-OLID O) every row
# under it is obscene_abusive, and its hate/group sub-label adds hate_discrimination.
# Hate on the ground of religion is both hate_discrimination (religion is a listed ground
# in the taxonomy) and religious_sentiment (against communal harmony), as the project's
# own dev set labels communal hate.

# CONSTRAINT-2021 Hindi ---------------------------------------------------------------
_CONSTRAINT_HI = frozenset({"fake", "hate", "offensive", "defamation"})
# fake -> misinformation; hate -> hate_discrimination; offensive -> obscene_abusive;
# defamation -> defamation (the only direct defamation source). Not used: "hate is largely
# communal" (religious_sentiment) and "defamation of ministers" (anti_government) are
# README suggestions that need re-annotation, not a label.
_CONSTRAINT_HI_MAP = {
    "fake": "misinformation", "hate": "hate_discrimination",
    "offensive": "obscene_abusive", "defamation": "defamation",
}


def _constraint_hi_labels(row: Row) -> frozenset[str]:
    parts = frozenset(p.strip() for p in (row.get("Labels Set") or "").split(",") if p.strip())
    if parts == {"non-hostile"}:
        return frozenset()
    if not parts or not parts <= _CONSTRAINT_HI:
        raise LabelError(f"column 'Labels Set': unexpected value {row.get('Labels Set')!r}")
    return parts


def _constraint_hi_cats(row: Row) -> frozenset[str]:
    return _cats(*(_CONSTRAINT_HI_MAP[label] for label in _constraint_hi_labels(row)))


def _constraint_hi_task(row: Row) -> str:
    return "hostile" if _constraint_hi_labels(row) else "non-hostile"


# CONSTRAINT-2021 English COVID fake news -----------------------------------------------
# fake -> misinformation; real says nothing else (COVID-only, official-news register).
def _constraint_en_cats(row: Row) -> frozenset[str]:
    return _cats("misinformation") if _val(row, "label", ("real", "fake")) == "fake" else frozenset()


# HASOC 2019 (hi, en) -----------------------------------------------------------------
# task_1 HOF (hate, offensive or profane) -> obscene_abusive; task_2 HATE adds
# hate_discrimination (HATE is a sub-class of HOF). task_3 TIN/UNT is not used.
def _hasoc_cats(row: Row) -> frozenset[str]:
    t1 = _val(row, "task_1", ("HOF", "NOT"))
    t2 = _val(row, "task_2", ("HATE", "OFFN", "PRFN", "NONE"))
    if (t1 == "NOT") != (t2 == "NONE"):
        raise LabelError(f"task_1={t1!r} and task_2={t2!r} disagree")
    if t1 == "NOT":
        return frozenset()
    return _cats("obscene_abusive", "hate_discrimination") if t2 == "HATE" else _cats("obscene_abusive")


def _hasoc_task(row: Row) -> str:
    return _val(row, "task_1", ("HOF", "NOT"))


# TRAC-2 (en, hi, bn) -------------------------------------------------------------------
# Sub-task A OAG (overt) and CAG (covert aggression) -> obscene_abusive (CAG is the weaker
# of the two: sarcasm and veiled attacks). Sub-task B GEN (gendered/misogynistic, incl.
# homophobic comments) -> hate_discrimination (gender, sexual orientation), whatever the
# aggression level. Not used: OAG -> national_unity (README: "weak").
_TRAC_A = ("OAG", "CAG", "NAG")


def _trac_cats(row: Row) -> frozenset[str]:
    out: set[str] = set()
    if _val(row, "Sub-task A", _TRAC_A) != "NAG":
        out.add("obscene_abusive")
    if _val(row, "Sub-task B", ("GEN", "NGEN")) == "GEN":
        out.add("hate_discrimination")
    return _cats(*out)


def _trac_task(row: Row) -> str:
    return _val(row, "Sub-task A", _TRAC_A)


# OLID / OffensEval 2019 ---------------------------------------------------------------
# subtask_a OFF -> obscene_abusive; subtask_c GRP (targeted at a group) adds
# hate_discrimination. Not used: IND -> defamation (README: "weak"; mostly insults of
# US politicians). Caveat: GRP includes political groups ("liberals"), so it is a loose
# proxy for discrimination by a protected attribute.
def _olid_cats(row: Row) -> frozenset[str]:
    a = _val(row, "subtask_a", ("OFF", "NOT"))
    c = _val(row, "subtask_c", ("IND", "GRP", "OTH", "NULL"))
    if a == "NOT":
        return frozenset()
    return _cats("obscene_abusive", "hate_discrimination") if c == "GRP" else _cats("obscene_abusive")


# HOT (Hinglish) -------------------------------------------------------------------------
# The README reads 1 = abusive, 2 = hate-inducing, from class sizes recalled as
# 1,121/303/1,765. The data say the opposite: "1" (303 rows) is hate-inducing - 72% of its
# tweets name a religion or community (muslim, mulla, jihadi, hindu, pak...), against 4%
# of "2" - and "2" (1,765 rows) is abusive - 61% carry profanity, mostly personal insults.
# (The paper's table, as far as we recall it, also has abusive as the largest class and
# hate-inducing as the smallest.) We therefore map by content: both offensive classes
# -> obscene_abusive (the paper: "abusive and hate speech are sub-categories of
# offensive speech", and README's table lists HOT 1 and 2 there), and the hate-inducing
# class "1" adds hate_discrimination. task_label keeps the raw codes.
_HOT = ("0", "1", "2")


def _hot_cats(row: Row) -> frozenset[str]:
    label = _val(row, "label", _HOT)
    if label == "0":
        return frozenset()
    return _cats("obscene_abusive", "hate_discrimination") if label == "1" else _cats("obscene_abusive")


# MACD (Hindi, ShareChat) ----------------------------------------------------------------
# Inverted convention: 0 = abusive -> obscene_abusive; 1 = non-abusive. (Checked: 33% of
# "0" comments contain common Hindi profanity, 2% of "1".) "Abusive" also covers identity
# attacks, but there is no finer label, so nothing else is inferred.
def _macd_cats(row: Row) -> frozenset[str]:
    return _cats("obscene_abusive") if _val(row, "label", ("0", "1")) == "0" else frozenset()


# Karim et al. Bengali hate (all rows are hate; label = hate type) -----------------------
# Religious -> religious_sentiment + hate_discrimination (hate on the ground of religion).
# Political -> political (political hate; not anti_government: it targets all parties).
# Geopolitical -> defamation: hate about countries (mostly India/Pakistan and their
#   leaders), i.e. "demeans ... a foreign state or its dignitaries" (BD circ (ঘ)); the
#   project's dev set labels adverse remarks about a foreign state `defamation`.
# Personal -> obscene_abusive: hate at an individual, including the v1 gender-abusive
#   class, is abuse/harassment; of the 2,107 Personal texts re-annotated by Belal et al.,
#   71% are vulgar, Insult or troll there (Insult alone 47%, so not defamation).
# Not used: README's "any row -> hate_discrimination" (Personal/Political/Geopolitical
# hate mostly targets people, parties and states, not protected groups).
# ``annotated`` is only the type distinction (religious vs political): there is no
# non-hate class, so the set says nothing about obscene_abusive or defamation negatives.
_KARIM_MAP = {
    "Religious": ("religious_sentiment", "hate_discrimination"),
    "Political": ("political",),
    "Geopolitical": ("defamation",),
    "Personal": ("obscene_abusive",),
}


def _karim_cats(row: Row) -> frozenset[str]:
    return _cats(*_KARIM_MAP[_val(row, "label", tuple(_KARIM_MAP))])


# Belal et al. multi-label Bengali toxic comments --------------------------------------
# vulgar, Insult, troll -> obscene_abusive; hate -> hate_discrimination; religious ->
# religious_sentiment; threat -> national_unity (calls for violence/punishment). Caveats:
# troll-only rows are often mild mockery, and "hate" often marks political or
# anti-India remarks rather than protected-group hate. Not used: Insult -> defamation
# ("weak"). religious here also covers disparaging a religion, so it does not add
# hate_discrimination (its own hate column is separate).
_BELAL = ("vulgar", "hate", "religious", "threat", "troll", "Insult")
_BELAL_MAP = {
    "vulgar": "obscene_abusive", "Insult": "obscene_abusive", "troll": "obscene_abusive",
    "hate": "hate_discrimination", "religious": "religious_sentiment", "threat": "national_unity",
}


def _belal_cats(row: Row) -> frozenset[str]:
    return _cats(*(_BELAL_MAP[col] for col in _BELAL if _flag(row, col)))


def _belal_task(row: Row) -> str:
    return "toxic" if any(_flag(row, col) for col in _BELAL) else "non-toxic"


# BLP-2023 Vio-Lens -----------------------------------------------------------------------
# 1 passive violence (derogatory language, justification of violence) and 2 direct
# violence (threats to kill, rape, vandalise, deport) -> national_unity ("incites public
# discontent, unrest or violence"). Not used: hate_discrimination / religious_sentiment
# ("mostly communal" per README, but not labelled as such).
def _violens_cats(row: Row) -> frozenset[str]:
    return _cats("national_unity") if _val(row, "label", ("0", "1", "2")) != "0" else frozenset()


# TB-OLID (Banglish) -------------------------------------------------------------------
# offensive_gold O -> obscene_abusive; target_gold G (group) adds hate_discrimination
# (same caveat as OLID GRP). code_mixed_gold is stripped ("T " occurs once).
def _tbolid_cats(row: Row) -> frozenset[str]:
    off = _val(row, "offensive_gold", ("O", "N"))
    target = _val(row, "target_gold", ("I", "G", "U", "NULL"))
    if off == "N":
        return frozenset()
    return _cats("obscene_abusive", "hate_discrimination") if target == "G" else _cats("obscene_abusive")


# BanglaMultiHate (BLP-2025) dev -----------------------------------------------------------
# Profane -> obscene_abusive; Abusive -> obscene_abusive unless hate_severity is
#   "Little to None" (those 166 rows are mostly plain complaints: "the country has seen
#   plenty of theft");
# Religious Hate -> religious_sentiment + hate_discrimination; Sexism -> hate_discrimination;
# Political Hate -> political.
# Not used, although README lists them: to_whom=Community -> hate_discrimination (the
# "communities" are mostly teams, fans, TikTokers, media houses, not protected groups) and
# Political Hate + to_whom=Organization -> anti_government (a proxy: about half attack
# parties or TV channels rather than the government).
_BMH_TYPES = ("None", "Abusive", "Political Hate", "Profane", "Religious Hate", "Sexism")
_BMH_SEVERITY = ("Little to None", "Mild", "Severe")
_BMH_WHOM = ("None", "Individual", "Organization", "Community", "Society")


def _bmh_cats(row: Row) -> frozenset[str]:
    kind = _val(row, "hate_type", _BMH_TYPES)
    severity = _val(row, "hate_severity", _BMH_SEVERITY)
    _val(row, "to_whom", _BMH_WHOM)
    if kind == "Profane" or (kind == "Abusive" and severity != "Little to None"):
        return _cats("obscene_abusive")
    if kind == "Religious Hate":
        return _cats("religious_sentiment", "hate_discrimination")
    if kind == "Sexism":
        return _cats("hate_discrimination")
    if kind == "Political Hate":
        return _cats("political")
    return frozenset()


# HateCheckHIn ---------------------------------------------------------------------------
# hateful -> hate_discrimination (every hateful case targets a protected group: caste,
# religion, gender, sexuality, nationality); hateful cases against Muslims or Hindus add
# religious_sentiment (README's table). nonhateful cases include profanity, abuse of
# non-protected targets and counter-speech, so only hate_discrimination is annotated.
_HCH_RELIGIOUS = frozenset({"Muslim", "Hindu"})


def _hch_cats(row: Row) -> frozenset[str]:
    if _val(row, "label", ("hateful", "nonhateful")) == "nonhateful":
        return frozenset()
    if (row.get("target") or "").strip() in _HCH_RELIGIOUS:
        return _cats("hate_discrimination", "religious_sentiment")
    return _cats("hate_discrimination")


def _column(column: str, allowed: tuple[str, ...]) -> TaskLabelFn:
    def label(row: Row) -> str:
        return _val(row, column, allowed)

    return label


_ISSUE = "figure as given in the project's benchmark issue"

_CONSTRAINT_HI_SPEC = DatasetSpec(
    slug="constraint2021-hindi-hostile",
    title="CONSTRAINT@AAAI-2021 Hostile Post Detection in Hindi",
    languages=("hi",),
    licence='research-only (no license; README: "research purposes only")',
    non_commercial=True,
    jurisdiction="IN-CG",
    splits=SPLITS,
    task="coarse: hostile vs non-hostile (hostile = any of fake, hate, offensive, defamation); "
         "the fine-grained multi-label 'Labels Set' is in Example.meta",
    metric="F1 of the hostile class (coarse); weighted F1 over fake/hate/offensive/defamation (fine)",
    task_labels=("hostile", "non-hostile"),
    categories_fn=_constraint_hi_cats,
    task_label_fn=_constraint_hi_task,
    annotated=_cats("misinformation", "hate_discrimination", "obscene_abusive", "defamation"),
    text_column="Post",
    id_column="Unique ID",
    published_best=0.971,
    published_source=f"CONSTRAINT-2021 Hindi shared task (Patwa et al. 2021 overview): best coarse "
                     f"hostile F1 0.971, best fine-grained weighted F1 0.625 ({_ISSUE})",
    published_other=(("fine-grained weighted F1", 0.625),),
    notes="~8% of posts have 2-4 labels; a few duplicates within and across splits.",
)

_CONSTRAINT_EN_SPEC = DatasetSpec(
    slug="constraint2021-english-covid-fakenews",
    title="CONSTRAINT@AAAI-2021 COVID-19 Fake News Detection in English",
    languages=("en",),
    licence="none stated (research)",
    non_commercial=True,
    jurisdiction="IN-CG",
    splits=SPLITS,
    task="binary: real vs fake (COVID-19 posts)",
    metric="weighted F1",
    task_labels=("real", "fake"),
    categories_fn=_constraint_en_cats,
    task_label_fn=_column("label", ("real", "fake")),
    annotated=_cats("misinformation"),
    text_column="tweet",
    id_column="id",
    notes="Strong source/style artefacts (real = official-news register); COVID-only.",
)


def _hasoc(lang: str, name: str, best: float) -> DatasetSpec:
    return DatasetSpec(
        slug=f"hasoc2019-{name}",
        title=f"HASOC 2019 (FIRE 2019) {name.capitalize()}",
        languages=("hi", "hi-en") if lang == "hi" else ("en",),
        licence="none stated (research); openly posted by organisers",
        non_commercial=True,
        jurisdiction="IN-CG",
        splits=SPLITS,
        task="sub-task A: HOF (hate, offensive or profane) vs NOT",
        metric="macro-F1 (sub-task A); dev is a 10% hold-out of the official train",
        task_labels=("HOF", "NOT"),
        categories_fn=_hasoc_cats,
        task_label_fn=_hasoc_task,
        annotated=_cats("obscene_abusive", "hate_discrimination"),
        id_column="text_id",
        ext="tsv",
        published_best=best,
        published_source=f"HASOC 2019 overview (Mandl et al., FIRE 2019): best {name.capitalize()} "
                         f"sub-task A macro-F1 {best} ({_ISSUE}); train on train+dev, report on test",
    )


_TRAC_LANGS = (("en", "english", ("en",)), ("hi", "hindi", ("hi-en", "hi")), ("bn", "bengali", ("bn-en", "bn")))


def _trac_variant(code: str, folder: str, langs: tuple[str, ...]) -> DatasetSpec:
    return DatasetSpec(
        slug="trac2-2020-aggression-misogyny",
        variant=code,
        subdir=folder,
        title=f"TRAC-2 (2020) Aggression and Misogyny Identification, {folder.capitalize()}",
        languages=langs,
        licence="CC BY-NC-SA 4.0",
        non_commercial=True,
        jurisdiction=_jurisdiction_for(langs),
        splits=SPLITS,
        task="sub-task A: aggression OAG / CAG / NAG (sub-task B GEN/NGEN is in Example.meta)",
        metric="weighted F1 (sub-task A), per language",
        task_labels=_TRAC_A,
        categories_fn=_trac_cats,
        task_label_fn=_trac_task,
        annotated=_cats("obscene_abusive", "hate_discrimination"),
        text_column="Text",
        id_column="ID",
        licence_files=("README.md", "README.orig.txt"),
        published_best=0.80,
        published_source=f"TRAC-2 report (Kumar et al. 2020): best sub-task A weighted F1 about 0.80 in "
                         f"English, Hindi and Bengali alike ({_ISSUE})",
        notes="Test label distribution differs from train/dev (Hindi test 57% OAG).",
    )


_TRAC_VARIANTS = tuple(_trac_variant(*t) for t in _TRAC_LANGS)

_TRAC_SPEC = DatasetSpec(
    slug="trac2-2020-aggression-misogyny",
    title="TRAC-2 (2020) Aggression and Misogyny Identification: English, Hindi, Bengali",
    languages=("en", "hi-en", "hi", "bn-en", "bn"),
    licence="CC BY-NC-SA 4.0",
    non_commercial=True,
    jurisdiction=None,  # en/hi posts: IN-CG; bn posts: BD (each Example carries its own)
    splits=SPLITS,
    task=_TRAC_VARIANTS[0].task,
    metric="weighted F1 (sub-task A), reported per language: use trac2-2020-aggression-misogyny:en/:hi/:bn",
    task_labels=_TRAC_A,
    categories_fn=_trac_cats,
    task_label_fn=_trac_task,
    annotated=_TRAC_VARIANTS[0].annotated,
    text_column="Text",
    id_column="ID",
    licence_files=("README.md", "README.orig.txt"),
    published_best=0.80,
    published_source=_TRAC_VARIANTS[0].published_source,
    variants=_TRAC_VARIANTS,
)

_OLID_SPEC = DatasetSpec(
    slug="olid-offenseval2019",
    title="OLID / OffensEval 2019 (SemEval-2019 Task 6)",
    languages=("en",),
    licence="none stated (research)",
    non_commercial=True,
    jurisdiction="IN-CG",
    splits=SPLITS,
    task="sub-task A: OFF vs NOT",
    metric="macro-F1 (sub-task A); dev is a 10% hold-out of the official train",
    task_labels=("OFF", "NOT"),
    categories_fn=_olid_cats,
    task_label_fn=_column("subtask_a", ("OFF", "NOT")),
    annotated=_cats("obscene_abusive", "hate_discrimination"),
    text_column="tweet",
    id_column="id",
    ext="tsv",
    licence_files=("README.md", "README.orig.txt"),
    published_best=0.829,
    published_source=f"OffensEval 2019 (Zampieri et al., SemEval 2019): best sub-task A macro-F1 0.829 "
                     f"({_ISSUE}); train on train+dev, report on test",
    notes="US-politics heavy; offensive is not hate.",
)

_HOT_SPEC = DatasetSpec(
    slug="hot-hinglish-offensive",
    title="HOT: Hinglish Offensive Tweets (Mathur et al., 2018)",
    languages=("hi-en",),
    licence="none stated (research)",
    non_commercial=True,
    jurisdiction="IN-CG",
    splits=SPLITS,
    task="3-way: 0 non-offensive, 1 hate-inducing, 2 abusive (by content; the README's "
         "1 = abusive / 2 = hate-inducing is contradicted by the data)",
    metric="macro-F1 (3-way); splits are a created 80/10/10",
    task_labels=_HOT,
    categories_fn=_hot_cats,
    task_label_fn=_column("label", _HOT),
    annotated=_cats("obscene_abusive", "hate_discrimination"),
    text_column="text_decoded",
    id_column="row_id",
    notes="Text is `text_decoded` (\\xNN escapes decoded); many RT near-duplicates; literal "
          "'\\n' sequences remain in ~460 texts.",
)

_MACD_SPEC = DatasetSpec(
    slug="macd-hindi-abusive",
    title="MACD Multilingual Abusive Comment Detection (ShareChat), Hindi",
    languages=("hi",),
    licence="research only, commercial use prohibited",
    non_commercial=True,
    jurisdiction="IN-CG",
    splits=SPLITS,
    task="binary: 0 abusive vs 1 non-abusive (inverted convention)",
    metric="macro-F1",
    task_labels=("0", "1"),
    categories_fn=_macd_cats,
    task_label_fn=_column("label", ("0", "1")),
    annotated=_cats("obscene_abusive"),
    licence_files=("README.md", "README.orig.md"),
    licence_note='OpenReview record: "available for only research purposes and any commercial usage '
                 'is strictly prohibited"',
)

_KARIM_SPEC = DatasetSpec(
    slug="bengali-hate-karim2020",
    title="Bengali Hate Speech Dataset v2.0 (Karim et al.)",
    languages=("bn",),
    licence="MIT",
    non_commercial=False,
    jurisdiction="BD",
    splits=SPLITS,
    task="4-way hate type (every row is hate): Personal / Political / Religious / Geopolitical",
    metric="weighted F1; splits are a created 80/10/10",
    task_labels=tuple(_KARIM_MAP),
    categories_fn=_karim_cats,
    task_label_fn=_column("label", tuple(_KARIM_MAP)),
    annotated=_cats("religious_sentiment", "political"),
    licence_files=("README.md", "LICENSE"),
    licence_note='repo README adds: "publicly available ... but only for research purposes"',
    notes="No non-hate class. 5,144 texts also in bengali-multilabel-toxic-belal2023: never train "
          "on one and evaluate on the other.",
)

_BELAL_SPEC = DatasetSpec(
    slug="bengali-multilabel-toxic-belal2023",
    title="Multi-labeled Bengali Toxic Comments (Belal et al., 2023)",
    languages=("bn",),
    licence="none stated (derived from other sets)",
    non_commercial=True,
    jurisdiction="BD",
    splits=SPLITS,
    task="toxic (any of vulgar, hate, religious, threat, troll, Insult) vs non-toxic; the six "
         "flags are in Example.meta",
    metric="macro-F1 (toxic vs non-toxic); splits are a created 80/10/10",
    task_labels=("toxic", "non-toxic"),
    categories_fn=_belal_cats,
    task_label_fn=_belal_task,
    annotated=_cats("obscene_abusive", "hate_discrimination", "religious_sentiment", "national_unity"),
    notes="Shares 5,144 texts with bengali-hate-karim2020 and ~240 with TRAC-2 Bengali.",
)

_VIOLENS_SPEC = DatasetSpec(
    slug="blp2023-vitd-violence-inciting",
    title="BLP-2023 Task 1 Violence Inciting Text Detection (Vio-Lens), Bengali",
    languages=("bn",),
    licence="none stated (research)",
    non_commercial=True,
    jurisdiction="BD",
    splits=SPLITS,
    task="3-way: 0 non-violence, 1 passive violence, 2 direct violence",
    metric="macro-F1",
    task_labels=("0", "1", "2"),
    categories_fn=_violens_cats,
    task_label_fn=_column("label", ("0", "1", "2")),
    annotated=_cats("national_unity"),
    published_best=0.760,
    published_source=f"BLP-2023 Task 1 overview (Saha et al. 2023): best macro-F1 0.760 ({_ISSUE})",
    notes="Comments on communal violence in Bangladesh and West Bengal.",
)

_TBOLID_SPEC = DatasetSpec(
    slug="tb-olid-banglish-offensive",
    title="TB-OLID Transliterated Bangla Offensive Language Identification Dataset",
    languages=("bn-en",),
    licence="AGPL-3.0",
    non_commercial=False,
    jurisdiction="BD",
    splits=SPLITS,
    task="offensive O vs N (target I/G/U and code_mixed T/C are in Example.meta)",
    metric="macro-F1; dev is a 10% hold-out of the official train",
    task_labels=("O", "N"),
    categories_fn=_tbolid_cats,
    task_label_fn=_column("offensive_gold", ("O", "N")),
    annotated=_cats("obscene_abusive", "hate_discrimination"),
    licence_files=("README.md", "LICENSE"),
    notes='Every test text (and 25% of train) is wrapped in literal quotes ("..."); Bengali-script '
          "words in the source appear as runs of '?'.",
)

_BMH_SPEC = DatasetSpec(
    slug="banglamultihate-blp2025-dev",
    title="BanglaMultiHate (BLP-2025 Task 1) dev set",
    languages=("bn",),
    licence="CC BY-NC-SA 4.0",
    non_commercial=True,
    jurisdiction="BD",
    splits=("dev",),
    task="sub-task 1A: hate type None / Abusive / Political Hate / Profane / Religious Hate / Sexism "
         "(severity and target in Example.meta)",
    metric="micro-F1 (1A); evaluation use only (no train split here)",
    task_labels=_BMH_TYPES,
    categories_fn=_bmh_cats,
    task_label_fn=_column("hate_type", _BMH_TYPES),
    annotated=_cats("obscene_abusive", "political", "religious_sentiment", "hate_discrimination"),
    id_column="id",
    ext="tsv",
    licence_files=("README.md", "README.orig.md", "LICENSE"),
)


def _hch_variant(code: str, filename: str, langs: tuple[str, ...]) -> DatasetSpec:
    return DatasetSpec(
        slug="hatecheckhin-hindi-functional-tests",
        variant=code,
        title=f"HateCheckHIn functional tests ({'monolingual' if code == 'mono' else 'multilingual'})",
        languages=langs,
        licence="MIT",
        non_commercial=False,
        jurisdiction="IN-CG",
        splits=("test",),
        task="binary: hateful vs nonhateful (target and functionality are in Example.meta)",
        metric="accuracy, per functionality",
        task_labels=("hateful", "nonhateful"),
        categories_fn=_hch_cats,
        task_label_fn=_column("label", ("hateful", "nonhateful")),
        annotated=_cats("hate_discrimination"),
        text_column="test_case",
        files=(("test", filename),),
        licence_files=("README.md", "LICENSE"),
    )


_HCH_VARIANTS = (
    _hch_variant("mono", "test_monolingual.csv", ("hi",)),
    _hch_variant("multi", "test_multilingual.csv", ("hi-en", "hi-mixed")),
)

_HCH_SPEC = DatasetSpec(
    slug="hatecheckhin-hindi-functional-tests",
    title="HateCheckHIn: functional tests for Hindi hate-speech models (test only)",
    languages=("hi", "hi-en", "hi-mixed"),
    licence="MIT",
    non_commercial=False,
    jurisdiction="IN-CG",
    splits=("test",),
    task=_HCH_VARIANTS[0].task,
    metric=_HCH_VARIANTS[0].metric,
    task_labels=("hateful", "nonhateful"),
    categories_fn=_hch_cats,
    task_label_fn=_column("label", ("hateful", "nonhateful")),
    annotated=_cats("hate_discrimination"),
    text_column="test_case",
    licence_files=("README.md", "LICENSE"),
    notes="Synthetic templates; robustness evaluation only, never training.",
    variants=_HCH_VARIANTS,
)

_REGISTRY: dict[str, DatasetSpec] = {
    s.slug: s
    for s in (
        _CONSTRAINT_HI_SPEC,
        _CONSTRAINT_EN_SPEC,
        _hasoc("hi", "hindi", 0.81),
        _hasoc("en", "english", 0.78),
        _TRAC_SPEC,
        _OLID_SPEC,
        _HOT_SPEC,
        _MACD_SPEC,
        _KARIM_SPEC,
        _BELAL_SPEC,
        _VIOLENS_SPEC,
        _TBOLID_SPEC,
        _BMH_SPEC,
        _HCH_SPEC,
    )
}


# --------------------------------------------------------------------------- public API


def available() -> list[DatasetSpec]:
    """The 14 data sets, one per folder of ``shared/data`` (variants under ``.variants``)."""
    return list(_REGISTRY.values())


def names() -> list[str]:
    """Every name :func:`load` accepts: the slugs and the ``slug:variant`` forms."""
    out: list[str] = []
    for spec in _REGISTRY.values():
        out.append(spec.name)
        out += [v.name for v in spec.variants]
    return out


def get(name: str) -> DatasetSpec:
    """The spec for ``slug`` or ``slug:variant``; :class:`KeyError` listing the names if unknown."""
    slug, _, variant = name.partition(":")
    spec = _REGISTRY.get(slug)
    if spec is not None and not variant:
        return spec
    if spec is not None:
        for v in spec.variants:
            if v.variant == variant:
                return v
    raise KeyError(f"unknown data set {name!r}; known: {', '.join(names())}")


def data_root(root: str | os.PathLike[str] | None = None) -> Path:
    """Where the data sets are: ``root``, else ``$SATARK_DATASETS_DIR``, else the ``shared/data``
    folder beside the repository (see :func:`satark.paths.datasets_dir`).

    Raises :class:`FileNotFoundError` naming what was looked for, and
    :class:`~satark.errors.ConfigError` when ``$SATARK_DATASETS_DIR`` names no folder.
    """
    if root is not None:
        path = Path(root)
        if not path.is_dir():
            raise FileNotFoundError(f"data directory not found: {path}")
        return path
    found = datasets_dir()
    if found is None:
        here = Path(__file__).resolve()
        raise FileNotFoundError(
            f"data directory not found: no shared/data beside any ancestor of {here.parent}; "
            f"set ${ENV_VAR} or pass root="
        )
    return found


def load(name: str, split: str, root: str | os.PathLike[str] | None = None) -> list[Example]:
    """The non-empty rows of ``split`` (``train``/``dev``/``test``) of data set ``name``.

    ``name`` is a slug or ``slug:variant`` (``trac2-2020-aggression-misogyny:hi``); a slug
    with variants loads them all. :class:`ValueError` for a split the data set does not
    have, :class:`KeyError` for an unknown name, :class:`FileNotFoundError` (with the path)
    for a missing folder or file.
    """
    spec = get(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    if split not in spec.splits:
        raise ValueError(f"{spec.name} has no {split!r} split (it has: {', '.join(spec.splits)})")
    base = data_root(root)
    if spec.variants:
        return [ex for v in spec.variants for ex in _load_one(v, split, base)]
    return _load_one(spec, split, base)


def _load_one(spec: DatasetSpec, split: str, root: Path) -> list[Example]:
    folder = root / spec.slug
    if not folder.is_dir():
        raise FileNotFoundError(f"data set folder not found: {folder}")
    out: list[Example] = []
    for path in spec.path(split, root):
        if not path.is_file():
            raise FileNotFoundError(f"data file not found: {path}")
        for number, row in _rows(path):
            text = (row.get(spec.text_column) or "").strip()
            if not text:
                continue
            key = (row.get(spec.id_column) or "").strip() if spec.id_column else ""
            local = f"{split}:{key or number}"
            try:
                cats = spec.categories(row)
                task = spec.task_label(row)
            except LabelError as exc:
                raise ValueError(f"{path}, data row {number}: {exc}") from None
            langs = spec.languages
            out.append(Example(
                id=f"{spec.variant}:{local}" if spec.variant else local,
                text=text,
                lang=_script_lang(text, langs),
                jurisdiction=spec.jurisdiction or _jurisdiction_for(langs),
                categories=cats,
                task_label=task,
                dataset=spec.name,
                meta=tuple(
                    (k, v) for k, v in row.items()
                    if k not in (spec.text_column, spec.id_column) and k != "text" and v is not None
                ),
            ))
    return out


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``(1-based data-row number, row)``; a header is required, ragged rows are errors."""
    delimiter = "\t" if path.suffix == ".tsv" else ","
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        for number, row in enumerate(reader, start=1):
            if None in row or any(v is None for v in row.values()):
                raise ValueError(f"{path}, data row {number}: wrong number of fields")
            yield number, row
