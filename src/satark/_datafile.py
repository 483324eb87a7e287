"""Loading the project's YAML data files (packs, lexicons) with errors a curator can act on.

Pydantic reports ``clauses.12.categories``; a curator needs ``clause BD-2019/10/gha:
categories``. Both loaders share this so that every data file fails the same clear way.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import SatarkError

__all__ = ["load_validated"]

M = TypeVar("M", bound=BaseModel)

# libyaml's parser when PyYAML was built with it: ten times faster than the pure-Python
# one, which took about 2 s of `satark check` on the packs and lexicons. Same results
# for safe YAML.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "satark" / "yaml"


def _parse(path: Path) -> Any:
    """The file's YAML, from a cache of parsed files when this content was read before.

    Even libyaml leaves building Python objects to Python: the packs, lexicons and
    recognizer data took about 0.1 s a start, a third of a one-post `satark check`. The
    cache is keyed by the content's hash (and the Python version, for ``marshal``), so
    an edited file is never served stale; any cache problem falls back to parsing.
    """
    raw = path.read_bytes()
    digest = hashlib.sha256(raw + sys.version.encode()).hexdigest()[:40]
    cached = _cache_dir() / f"{digest}.marshal"
    try:
        return marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = yaml.load(raw.decode("utf-8"), Loader=_Loader)
    try:
        blob = marshal.dumps(data)  # ValueError for values marshal cannot hold (dates)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(blob)
        os.replace(tmp, cached)
    except (OSError, ValueError):
        pass
    return data


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
        data = _parse(path)
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
