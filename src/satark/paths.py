"""Where Satark keeps what an office makes on its own machine.

One data directory for everything local: the service's SQLite database, and the model
sets trained there (``models/research``: with research-only data; ``models/bench``: the
public-benchmark heads). Neither kind of model is ever written into the package.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "local_models_dir"]


def data_dir() -> Path:
    """``SATARK_DATA_DIR``, else ``$XDG_DATA_HOME/satark``, else ``~/.local/share/satark``."""
    if env := os.environ.get("SATARK_DATA_DIR"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "satark"


def local_models_dir(name: str) -> Path:
    """A model set trained on this machine: ``<data dir>/models/<name>``."""
    return data_dir() / "models" / name
