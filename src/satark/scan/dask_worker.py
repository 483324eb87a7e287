"""The Dask worker plugin that loads the engine once per worker, before its first batch.

A module of its own so that importing :mod:`satark.scan` does not import ``distributed``.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import WorkerPlugin

from ..engine import Mode
from .runner import engine

__all__ = ["EngineLoader"]


class EngineLoader(WorkerPlugin):
    def __init__(self, mode: Mode) -> None:
        self.mode: Mode = mode

    def setup(self, worker: Any) -> None:
        engine(self.mode)
