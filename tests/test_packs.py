"""Pack loading, validation and the registry (the data itself: test_pack_data.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from satark import PackError, PackRegistry, UnknownClause, UnknownJurisdiction, load_pack
from satark.packs import DATA_DIR

MINIMAL = {
    "id": "XX-2026",
    "jurisdiction": "XX",
    "language": "en",
    "version": "1",
    "title": {"en": "Test", "hi": "परीक्षण", "bn": "পরীক্ষা"},
    "sources": [{"id": "doc", "title": {"en": "Doc", "hi": "दस्तावेज़", "bn": "নথি"}, "issuer": "Test"}],
    "clauses": [
        {
            "id": "XX-2026/1",
            "source": "doc",
            "citation": "§1",
            "kind": "content",
            "applies_to": ["official", "personal"],
            "severity": "high",
            "categories": ["obscene_abusive"],
            "title": {"en": "Be polite", "hi": "विनम्र रहें", "bn": "ভদ্র থাকুন"},
            "text": {"original": "Be polite.", "en": "Be polite.", "hi": "विनम्र रहें।", "bn": "ভদ্র থাকুন।"},
        }
    ],
}


def _write(tmp_path: Path, data: object, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_builtin_packs_load_and_validate() -> None:
    packs = {p.stem: load_pack(p) for p in DATA_DIR.glob("*.yaml")}
    assert {p.id for p in packs.values()} == {"IN-CG-2017", "BD-2019"}
    for pack in packs.values():
        for clause in pack.clauses:
            for lang in ("en", "hi", "bn"):
                assert clause.title.get(lang).strip()
                assert clause.text.get(lang).strip()


def test_minimal_pack(tmp_path: Path) -> None:
    pack = load_pack(_write(tmp_path, MINIMAL))
    assert pack.clause("XX-2026/1").severity == 3
    assert [c.id for c in pack.clauses_for("obscene_abusive", "personal")] == ["XX-2026/1"]
    assert pack.clauses_for("political", "personal") == ()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["clauses"][0].update(categories=["rudeness"]), "clause XX-2026/1: categories"),
        (lambda d: d["clauses"].append(dict(d["clauses"][0])), "duplicate clause id 'XX-2026/1'"),
        (lambda d: d["clauses"][0].pop("citation"), "clause XX-2026/1: citation: Field required"),
        (lambda d: d["clauses"][0].update(severity="huge"), "clause XX-2026/1: severity"),
        (lambda d: d["clauses"][0].update(kind="content", categories=[]), "must name the categories"),
        (lambda d: d["clauses"][0].update(parent="XX-2026/9"), "unknown parent"),
        (lambda d: d["clauses"][0].update(source="nope"), "unknown source"),
        (lambda d: d["clauses"][0].update(colour="red"), "clause XX-2026/1: colour: Extra inputs"),
        (lambda d: d["clauses"][0]["text"].pop("bn"), "clause XX-2026/1: text.bn"),
    ],
)
def test_invalid_pack_fails_loudly_naming_file_and_clause(tmp_path: Path, mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    import copy

    data = copy.deepcopy(MINIMAL)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(PackError) as info:
        load_pack(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_broken_yaml_and_wrong_shape(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(PackError, match=r"bad\.yaml: cannot read"):
        load_pack(bad)
    with pytest.raises(PackError, match="must be a mapping"):
        load_pack(_write(tmp_path, ["a", "list"]))
    with pytest.raises(PackError, match="cannot read"):
        load_pack(tmp_path / "missing.yaml")


def test_registry_lookup_by_id_and_jurisdiction(tmp_path: Path) -> None:
    registry = PackRegistry()
    registry.register(_write(tmp_path, MINIMAL))
    assert registry.get("XX").id == "XX-2026"
    assert registry.get("xx-2026").id == "XX-2026"
    with pytest.raises(UnknownJurisdiction, match=r"known: XX"):
        registry.get("IN-MH")
    with pytest.raises(PackError, match="registered twice"):
        registry.register(_write(tmp_path, MINIMAL, "again.yaml"))
    with pytest.raises(UnknownClause):
        registry.get("XX").clause("XX-2026/404")


def test_third_party_pack_through_the_same_hook(tmp_path: Path) -> None:
    """A pack from another package reaches the engine through the plugin hook."""
    from satark import Screener, hookimpl
    from satark.plugins import get_plugin_manager

    path = _write(tmp_path, MINIMAL)

    class ThirdParty:
        @hookimpl
        def satark_policy_packs(self):  # type: ignore[no-untyped-def]
            return [path]

    pm = get_plugin_manager()
    plugin = ThirdParty()
    pm.register(plugin, name="third-party-test")
    try:
        screener = Screener.from_plugins()
        assert {p.id for p in screener.packs} >= {"XX-2026", "IN-CG-2017", "BD-2019"}
        report = screener.screen("you bloody bastard", jurisdiction="XX")
        assert report.pack_id == "XX-2026"
        assert [f.clause_ids for f in report.findings] == [("XX-2026/1",)]
    finally:
        pm.unregister(plugin)
