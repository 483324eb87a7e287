"""The built-in policy packs, checked as data against the seed documents they encode.

These tests read the YAML with PyYAML only (not the pack loader), so they pin the data
itself: every clause's original text is verbatim from its seed, every lettered item the
seed prints is present (and none it does not print), and every scored category has a
content clause to cite in each pack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "src" / "satark" / "packs" / "data"
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

CG_FILE = DATA / "in_cg_2017.yaml"
BD_FILE = DATA / "bd_2019.yaml"
CG_SEED = "000_09b4d48c8543a886.txt"
BD_SEED = "001_0c45d64a6e6bc9ff.txt"

SCORED = (
    "confidential",
    "obscene_abusive",
    "hate_discrimination",
    "religious_sentiment",
    "misinformation",
    "anti_government",
    "political",
    "defamation",
    "national_unity",
    "self_promotion",
    "personal_on_official",
)
CATEGORIES = (*SCORED, "excessive_tagging")
KINDS = ("content", "account", "process", "informational")
SEVERITIES = ("info", "low", "medium", "high", "critical")
ACCOUNTS = ("official", "personal")
LANGS = ("en", "hi", "bn")

# Bengali item letters in order, with the transliteration used in clause ids.
LETTERS = ("ক", "খ", "গ", "ঘ", "ঙ", "চ", "ছ", "জ", "ঝ", "ঞ")
TRANSLIT = ("ka", "kha", "ga", "gha", "nga", "ca", "cha", "ja", "jha", "nya")
LETTER_OF = dict(zip(TRANSLIT, LETTERS, strict=True))

PACK_KEYS = {"id", "jurisdiction", "language", "version", "title", "sources", "clauses"}
PACK_OPTIONAL = {"verdict_policy", "grievance_system"}
SOURCE_KEYS = {"id", "title", "issuer", "reference", "date"}
CLAUSE_KEYS = {
    "id",
    "source",
    "citation",
    "kind",
    "applies_to",
    "severity",
    "categories",
    "title",
    "text",
}
CLAUSE_OPTIONAL = {"parent", "note"}
ID_RE = re.compile(r"^[A-Za-z0-9-]+(/[A-Za-z0-9.\-]+)*$")

Pack = dict[str, Any]
Clause = dict[str, Any]


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def load(path: Path) -> Pack:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path.name}: top level must be a mapping"
    return data


@pytest.fixture(scope="module")
def cg() -> Pack:
    return load(CG_FILE)


@pytest.fixture(scope="module")
def bd() -> Pack:
    return load(BD_FILE)


@pytest.fixture(scope="module", params=["cg", "bd"])
def pack(request: pytest.FixtureRequest) -> Pack:
    return load(CG_FILE if request.param == "cg" else BD_FILE)


def seed_text(name: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return collapse((SEEDS / name).read_text(encoding="utf-8"))


def clauses(pack: Pack) -> Iterator[Clause]:
    yield from pack["clauses"]


def ids(pack: Pack) -> list[str]:
    return [c["id"] for c in clauses(pack)]


def by_id(pack: Pack) -> dict[str, Clause]:
    return {c["id"]: c for c in clauses(pack)}


def section(clause_id: str) -> str:
    """The top-level section of a clause id: ``BD-2019/6.1/ka`` -> ``6``."""
    return clause_id.split("/")[1].split(".")[0]


def lettered(pack: Pack, parent: str) -> list[str]:
    """Transliterated letters of the items directly under ``parent``, in file order."""
    pattern = re.compile(re.escape(parent) + r"/(" + "|".join(TRANSLIT) + r")$")
    return [m.group(1) for cid in ids(pack) if (m := pattern.match(cid))]


# --- schema -------------------------------------------------------------------------


def test_pack_fields(pack: Pack) -> None:
    keys = set(pack)
    assert keys >= PACK_KEYS, f"missing: {PACK_KEYS - keys}"
    assert keys <= PACK_KEYS | PACK_OPTIONAL, f"unknown: {keys - PACK_KEYS - PACK_OPTIONAL}"
    assert pack["language"] in LANGS
    assert isinstance(pack["version"], str) and pack["version"]
    assert set(pack["title"]) == set(LANGS) and all(pack["title"].values())
    for source in pack["sources"]:
        assert set(source) == SOURCE_KEYS, source.get("id")
        assert set(source["title"]) == set(LANGS) and all(source["title"].values())
        assert isinstance(source["reference"], str) and isinstance(source["date"], str)
        assert re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", source["date"]), source["id"]


def test_clause_fields(pack: Pack) -> None:
    source_ids = {s["id"] for s in pack["sources"]}
    for clause in clauses(pack):
        cid = clause.get("id", "?")
        keys = set(clause)
        assert keys >= CLAUSE_KEYS, f"{cid}: missing {CLAUSE_KEYS - keys}"
        assert keys <= CLAUSE_KEYS | CLAUSE_OPTIONAL, f"{cid}: unknown {keys - CLAUSE_KEYS}"
        assert ID_RE.match(cid), cid
        assert cid.startswith(pack["id"] + "/"), cid
        assert clause["source"] in source_ids, cid
        assert isinstance(clause["citation"], str) and clause["citation"], cid
        assert clause["kind"] in KINDS, cid
        assert clause["severity"] in SEVERITIES, cid
        applies = clause["applies_to"]
        assert applies and set(applies) <= set(ACCOUNTS) and len(set(applies)) == len(applies), cid
        cats = clause["categories"]
        assert set(cats) <= set(CATEGORIES) and len(set(cats)) == len(cats), cid
        if clause["kind"] == "content":
            assert cats, f"{cid}: a content clause needs categories"
        assert set(clause["title"]) == set(LANGS), cid
        assert all(isinstance(v, str) and v.strip() for v in clause["title"].values()), cid
        assert set(clause["text"]) == {"original", *LANGS}, cid
        assert all(isinstance(v, str) and v.strip() for v in clause["text"].values()), cid
        if "note" in clause:
            assert isinstance(clause["note"], str) and clause["note"].strip(), cid


def test_ids_unique_and_parents_exist(pack: Pack) -> None:
    all_ids = ids(pack)
    duplicates = {i for i in all_ids if all_ids.count(i) > 1}
    assert not duplicates, duplicates
    seen: set[str] = set()
    for clause in clauses(pack):
        parent = clause.get("parent")
        if parent is not None:
            # A parent is printed before its items, so it comes first (and there are no cycles).
            assert parent in seen, f"{clause['id']}: parent {parent} missing or after it"
            assert section(parent) == section(clause["id"]), clause["id"]
        seen.add(clause["id"])


def test_severity_follows_category(pack: Pack) -> None:
    for clause in clauses(pack):
        if "confidential" in clause["categories"]:
            assert clause["severity"] == "critical", clause["id"]
        if clause["kind"] != "content":
            assert clause["severity"] in ("info", "low"), clause["id"]


def test_every_scored_category_has_a_content_clause(pack: Pack) -> None:
    enforced = {c for cl in clauses(pack) if cl["kind"] == "content" for c in cl["categories"]}
    missing = [c for c in SCORED if c not in enforced]
    assert not missing, f"{pack['id']}: no content clause for {missing}"
    official = {
        c
        for cl in clauses(pack)
        if cl["kind"] == "content" and "official" in cl["applies_to"]
        for c in cl["categories"]
    }
    assert "personal_on_official" in official


# --- verbatim original text -----------------------------------------------------------


@pytest.mark.parametrize(("path", "seed"), [(CG_FILE, CG_SEED), (BD_FILE, BD_SEED)])
def test_original_text_is_verbatim(path: Path, seed: str) -> None:
    text = seed_text(seed)
    pack = load(path)
    missing = [c["id"] for c in clauses(pack) if collapse(c["text"]["original"]) not in text]
    assert not missing, f"not verbatim in {seed}: {missing}"


def test_bd_items_sit_under_their_printed_letter(bd: Pack) -> None:
    """A lettered item's original text follows its own letter in the seed."""
    text = seed_text(BD_SEED)
    for clause in clauses(bd):
        last = clause["id"].rsplit("/", 1)[-1]
        if last not in LETTER_OF:
            continue
        letter = LETTER_OF[last]
        assert f"({letter})" in clause["citation"], clause["id"]
        body = collapse(clause["text"]["original"])
        prefixes = (f"{letter}. ", f"({letter}) ", f"{letter}) ")
        assert any(p + body in text for p in prefixes), clause["id"]


# --- Chhattisgarh ---------------------------------------------------------------------


def test_cg_pack_header(cg: Pack) -> None:
    assert (cg["id"], cg["jurisdiction"], cg["language"]) == ("IN-CG-2017", "IN-CG", "hi")


def test_cg_has_exactly_ten_directives_in_order(cg: Pack) -> None:
    numbered = [cid for cid in ids(cg) if re.fullmatch(r"IN-CG-2017/\d+", cid)]
    assert numbered == [f"IN-CG-2017/{n}" for n in range(1, 11)]
    for n, cid in enumerate(numbered, start=1):
        assert by_id(cg)[cid]["citation"] == f"Directive {n}"


def test_cg_sections_present(cg: Pack) -> None:
    expected = {
        "IN-CG-2017/preamble",
        "IN-CG-2017/purpose",
        "IN-CG-2017/definition",
        "IN-CG-2017/scope",
        "IN-CG-2017/conduct-rules",
        "IN-CG-2017/violation",
    }
    assert expected <= set(ids(cg))


def test_cg_directives_carry_their_headings(cg: Pack) -> None:
    """Directives are heading + body; the numbers in the pack follow the seed's order."""
    text = seed_text(CG_SEED)
    clause = by_id(cg)
    originals = [collapse(clause[f"IN-CG-2017/{n}"]["text"]["original"]) for n in range(1, 11)]
    positions = [text.index(original) for original in originals]
    assert positions == sorted(positions)
    headings = {
        1: "शासकीय जानकारी की गोपनीयता",
        4: "ऐसे कोई जानकारी या समाचार पोस्ट न करे",
        5: "शासकीय या संवैधानिक संस्था की आलोचना",
        9: "अगर सरकार की ओर से कंटेंट पोस्ट करना",
        10: "व्यक्तिगत रूप से सोशल मीडिया का इस्तेमाल",
    }
    for n, heading in headings.items():
        assert clause[f"IN-CG-2017/{n}"]["text"]["original"].startswith(heading), n


def test_cg_category_mapping(cg: Pack) -> None:
    clause = by_id(cg)
    assert "confidential" in clause["IN-CG-2017/1"]["categories"]
    assert {"obscene_abusive", "hate_discrimination", "defamation"} <= set(
        clause["IN-CG-2017/2"]["categories"]
    )
    assert "misinformation" in clause["IN-CG-2017/4"]["categories"]
    assert "anti_government" in clause["IN-CG-2017/5"]["categories"]
    assert "political" in clause["IN-CG-2017/conduct-rules"]["categories"]


# --- Bangladesh -----------------------------------------------------------------------


def test_bd_pack_header(bd: Pack) -> None:
    assert (bd["id"], bd["jurisdiction"], bd["language"]) == ("BD-2019", "BD", "bn")
    assert {s["id"] for s in bd["sources"]} == {"guideline", "mopa-2020", "dpe-2022"}


@pytest.mark.parametrize(
    ("parent", "count"),
    [
        ("BD-2019/2", 3),  # ক–গ
        ("BD-2019/3.1", 3),  # ক–গ
        ("BD-2019/5", 7),  # ক–ছ
        ("BD-2019/6.1", 10),  # ক–ঞ
        ("BD-2019/6.2", 4),  # ক–ঘ
        ("BD-2019/7", 5),  # ক–ঙ
        ("BD-2019/10", 9),  # ক–ঝ
        ("BD-2019/11", 2),  # ক, খ
    ],
)
def test_bd_lettered_items(bd: Pack, parent: str, count: int) -> None:
    assert parent in ids(bd)
    assert lettered(bd, parent) == list(TRANSLIT[:count])
    for letter in TRANSLIT[:count]:
        assert by_id(bd)[f"{parent}/{letter}"].get("parent") == parent


def test_bd_section_8_items_as_printed(bd: Pack) -> None:
    """The seed prints §8 as ক, খ, ঘ: there is no গ, and none is invented."""
    assert lettered(bd, "BD-2019/8") == ["ka", "kha", "gha"]
    assert "no (গ)" in by_id(bd)["BD-2019/8/gha"].get("note", "")


def test_bd_sections_present(bd: Pack) -> None:
    expected = [
        "BD-2019/1",
        "BD-2019/2",
        "BD-2019/3.1",
        "BD-2019/3.2",
        "BD-2019/4",
        "BD-2019/5",
        "BD-2019/6.1",
        "BD-2019/6.2",
        "BD-2019/7",
        "BD-2019/9",
        "BD-2019/10",
        "BD-2019/12",
    ]
    present = ids(bd)
    assert [s for s in expected if s not in present] == []
    assert [present.index(s) for s in expected] == sorted(present.index(s) for s in expected)


@pytest.mark.parametrize("circular", ["BD-2019/mopa-2020", "BD-2019/dpe-2022"])
def test_bd_circular_items(bd: Pack, circular: str) -> None:
    present = set(ids(bd))
    assert circular in present
    items = [cid for cid in ids(bd) if cid.startswith(circular + "/")]
    letters = [cid.rsplit("/", 1)[-1] for cid in items if cid.rsplit("/", 1)[-1] in LETTER_OF]
    assert letters == list(TRANSLIT[:8])  # ক–জ
    assert f"{circular}/3" in present
    source = circular.split("/", 1)[1]
    for cid in items:
        assert by_id(bd)[cid]["source"] == source, cid


def test_bd_category_mapping(bd: Pack) -> None:
    clause = by_id(bd)
    expected = {
        "BD-2019/10/ka": "national_unity",
        "BD-2019/10/kha": "religious_sentiment",
        "BD-2019/10/ga": "political",
        "BD-2019/10/gha": "hate_discrimination",
        "BD-2019/10/nga": "defamation",
        "BD-2019/10/ca": "hate_discrimination",
        "BD-2019/10/cha": "national_unity",
        "BD-2019/10/ja": "self_promotion",
        "BD-2019/10/jha": "misinformation",
        "BD-2019/7/kha": "misinformation",
        "BD-2019/7/ga": "personal_on_official",
        "BD-2019/7/gha": "anti_government",
        "BD-2019/6.2/kha": "excessive_tagging",
        "BD-2019/mopa-2020/3": "excessive_tagging",
    }
    for cid, category in expected.items():
        assert category in clause[cid]["categories"], cid
    for circular in ("mopa-2020", "dpe-2022"):
        prefix = f"BD-2019/{circular}/"
        assert "anti_government" in clause[prefix + "ka"]["categories"]
        assert "religious_sentiment" in clause[prefix + "ga"]["categories"]
        assert {"misinformation", "obscene_abusive"} <= set(clause[prefix + "cha"]["categories"])
        assert "defamation" in clause[prefix + "ja"]["categories"]
