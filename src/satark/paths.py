"""Where Satark keeps what an office makes on its own machine, and where it reads data sets.

Two folders, each with its own variable:

- the **data directory** (``SATARK_DATA_DIR``): everything Satark writes locally, the
  service's SQLite database and audit key, and the model sets trained there
  (``models/research``: with research-only data; ``models/bench``: the public-benchmark
  heads). Neither kind of model is ever written into the package.
- the **data sets folder** (``SATARK_DATASETS_DIR``): the public labelled data sets that
  ``satark eval --transfer``, ``satark eval --dataset`` and ``satark train`` read, by default
  ``shared/data`` beside the repository. Satark only reads it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError

__all__ = ["DATASETS_ENV", "DATA_DIR_ENV", "data_dir", "datasets_dir", "local_models_dir"]

DATA_DIR_ENV = "SATARK_DATA_DIR"
DATASETS_ENV = "SATARK_DATASETS_DIR"
#: The data sets folder's earlier name, still read when SATARK_DATASETS_DIR is not set.
_DATASETS_ENV_OLD = "SATARK_PUBLIC_DATA"


def data_dir() -> Path:
    """``SATARK_DATA_DIR``, else ``$XDG_DATA_HOME/satark``, else ``~/.local/share/satark``."""
    if env := os.environ.get(DATA_DIR_ENV):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "satark"


def local_models_dir(name: str) -> Path:
    """A model set trained on this machine: ``<data dir>/models/<name>``."""
    return data_dir() / "models" / name


def datasets_dir() -> Path | None:
    """The public data sets: ``SATARK_DATASETS_DIR`` (or its earlier name ``SATARK_PUBLIC_DATA``),
    else the ``shared/data`` folder beside the repository (the first ancestor of this file that
    has one); ``None`` when neither is there.

    :class:`ConfigError` when the variable names a folder that does not exist: a bad setting.
    """
    for name in (DATASETS_ENV, _DATASETS_ENV_OLD):
        if env := os.environ.get(name):
            path = Path(env).expanduser()
            if not path.is_dir():
                raise ConfigError(f"{name}={env!r} is not a directory (it names the public data sets folder)")
            return path
    here = Path(__file__).resolve()
    for ancestor in here.parents:
        candidate = ancestor / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None
