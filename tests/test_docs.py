"""The docs cannot drift: commands, hooks, settings and the CI command are checked against code."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from satark import hookspecs
from satark.cli import app

README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in (REPO / "docs").glob("*.md"))


def _commands() -> list[str]:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    groups = [g.name for g in app.registered_groups if g.name]
    return [n.replace("_", "-").rstrip("-") for n in names] + groups


def test_every_command_is_in_the_readme() -> None:
    for name in _commands():
        assert f"satark {name}" in README, name
    for group in app.registered_groups:
        for command in group.typer_instance.registered_commands:
            sub = command.name or (command.callback.__name__ if command.callback else "")
            assert f"satark {group.name} {sub.replace('_', '-')}" in README, (group.name, sub)


def test_every_hook_is_documented() -> None:
    hooks = [n for n in dir(hookspecs) if n.startswith("satark_")]
    assert hooks
    for hook in hooks:
        assert hook in DOCS, hook


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_cmd = next(line for b in blocks for line in b.splitlines() if "pytest" in line)
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd.strip() in ci


def test_readme_opens_with_the_two_setup_commands() -> None:
    head = README.split("## Screening a post", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", head, re.S)
    assert len(blocks) == 2
    assert "satark demo" in blocks[0] and "pytest" in blocks[1]
    assert (REPO / "examples" / "bd-official-post.txt").exists()


def test_the_documented_detector_works() -> None:
    """docs/detectors.md's example, run as a plugin would be: found, explained, cited."""
    import types

    from satark import Detector, PackRegistry, Screener
    from satark.messages import reason_text
    from satark.plugins import get_plugin_manager

    text = (REPO / "docs" / "detectors.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    plugin = types.ModuleType("paper_leak_plugin")
    exec(compile(code, "docs/detectors.md", "exec"), plugin.__dict__)
    (factory,) = plugin.satark_detectors()
    detector = factory()
    assert isinstance(detector, Detector)
    pm = get_plugin_manager()
    pm.register(plugin, name="paper_leak_plugin")
    try:
        screener = Screener(PackRegistry.from_plugins(), [detector])
        report = screener.screen("कल का पेपर लीक हो गया, सबको भेजो", jurisdiction="IN-CG")
        (finding,) = report.findings
        assert finding.category == "confidential" and finding.spans[0].text == "पेपर लीक"
        assert finding.detector == "paper-leak" and finding.clause_ids
        assert "लीक हुए परीक्षा पत्र की बात है (पेपर लीक)" in finding.message("hi")
        assert reason_text("paper-leak", "en", {"term": "paper leak"}) == (
            "talks of a leaked exam paper (paper leak)")
    finally:
        pm.unregister(name="paper_leak_plugin")


def _environment_section() -> str:
    section = README.split("## Environment variables", 1)[1]
    return section.split("\n## ", 1)[0]


def _variables_in(text: str) -> set[str]:
    return set(re.findall(r"SATARK_[A-Z][A-Z0-9_]*", text))


def test_every_environment_variable_is_documented() -> None:
    """Each SATARK_* variable named anywhere in src/ has its row in README's table."""
    section = _environment_section()
    documented = {m for m in re.findall(r"^\| `(SATARK_[A-Z0-9_]+)` \|", section, re.M)}
    used: dict[str, str] = {}
    for path in sorted((REPO / "src").rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".txt", ".yaml", ".yml", ".toml", ".json", ".md"}:
            for name in _variables_in(path.read_text(encoding="utf-8", errors="replace")):
                used.setdefault(name, str(path.relative_to(REPO)))
    assert used, "no SATARK_* variable found in src/"
    missing = {name: where for name, where in used.items() if name not in documented}
    assert not missing, f"undocumented in README.md's Environment variables table: {missing}"
    stale = documented - set(used)
    assert not stale, f"documented but read nowhere in src/: {sorted(stale)}"


def test_every_service_setting_is_an_environment_variable_in_the_table() -> None:
    pytest.importorskip("pydantic_settings", reason="the [service] extra is not installed")
    from satark.service.settings import Settings

    section = _environment_section()
    for name, field in Settings.model_fields.items():
        assert field.alias and field.alias.startswith("SATARK_"), name
        assert f"| `{field.alias}` |" in section, (name, field.alias)
