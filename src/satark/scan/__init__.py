"""Audit an account's whole history: screen every item of a platform export (``satark scan``).

:mod:`.runner` batches and checkpoints, :mod:`.executors` says where batches run (this
process, local processes, a Dask cluster), :mod:`.report` writes the report.
"""

from __future__ import annotations

from .runner import Checkpoint, CheckpointError, ItemResult, ScanResult, ScanSettings, run_scan

__all__ = ["Checkpoint", "CheckpointError", "ItemResult", "ScanResult", "ScanSettings", "run_scan"]
