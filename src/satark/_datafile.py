"""Loading the project's YAML data files (packs, lexicons) with errors a curator can act on.

Pydantic reports ``clauses.12.categories``; a curator needs ``clause BD-2019/10/gha:
categories``. Both loaders share this so that every data file fails the same clear way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import SatarkError

__all__ = ["load_validated"]

M = TypeVar("M", bound=BaseModel)


def _where(data: Any, loc: tuple[int | str, ...], items: str, item_name: str, item_key: str) -> str:
    if len(loc) >= 2 and loc[0] == items and isinstance(loc[1], int):
        try:
            name = data[items][loc[1]].get(item_key, f"#{loc[1]}")
        except (KeyError, IndexError, TypeError, AttributeError):
            name = f"#{loc[1]}"
        rest = ".".join(str(p) for p in loc[2:]) or f"({item_name})"
        return f"{item_name} {name}: {rest}"
    return ".".join(str(p) for p in loc) or "(top level)"


def load_validated(
    path: str | Path,
    model: type[M],
    *,
    what: str,
    error: type[SatarkError],
    items: str,
    item_name: str,
    item_key: str,
) -> M:
    """Read ``path`` as YAML and validate it as ``model``; raise ``error`` naming file and item."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise error(f"{path}: cannot read {what}: {exc}") from exc
    if not isinstance(data, dict):
        raise error(f"{path}: a {what} must be a mapping at the top level")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_where(data, tuple(e['loc']), items, item_name, item_key)}: {e['msg']}" for e in exc.errors()
        )
        raise error(f"{path}: invalid {what}: {problems}") from None
