"""The docs cannot drift: commands, hooks and the CI command are checked against code."""

from __future__ import annotations

import re

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
