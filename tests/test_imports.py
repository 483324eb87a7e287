"""Modules use one another's public names only: a private name (``_x``) may change
freely inside its module, so no other module imports it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "satark"
#: the optional C modules, private to the package, imported by the modules they serve
C_MODULES = {"_textpass", "_ngrams"}


def test_no_private_name_is_imported_across_modules() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    name = alias.name
                    if name.startswith("_") and not name.startswith("__") and name not in C_MODULES:
                        found.append(f"{path.relative_to(SRC)}:{node.lineno}: {name} from {node.module or '.'}")
    assert not found, "private names imported across modules:\n" + "\n".join(found)
