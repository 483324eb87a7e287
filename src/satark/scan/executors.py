"""Where batches are screened: this process, local processes (the default), or a Dask cluster.

Each worker builds the screener once (:func:`satark.scan.runner.engine` is cached per
process; local workers warm it in their initializer, Dask workers in a worker plugin), so a
batch costs only its screening. Results are awaited in submission order by the runner, which
is what keeps the checkpoint and the report in input order.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from ..engine import Mode
from ..errors import ConfigError
from .runner import ItemResult, ScanSettings, WorkItem, engine, screen_batch

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DaskExecutor", "InlineExecutor", "LocalExecutor", "make_executor"]


class InlineExecutor:
    """Screens in this process (``--workers 1``, and the one-process benchmark)."""

    window = 1

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        engine(settings.mode)

    def submit(self, items: list[WorkItem]) -> Future[list[ItemResult]]:
        future: Future[list[ItemResult]] = Future()
        future.set_result(screen_batch(items, self.settings))
        return future

    def close(self) -> None:
        pass


def _init_worker(mode: Mode, parent: int) -> None:
    """Load the engine once; leave Ctrl-C to the parent; exit if the parent is killed (a
    ``kill -9`` of the scan must not leave workers behind waiting on a dead queue)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="satark-parent-watch", daemon=True).start()
    engine(mode)


class LocalExecutor:
    """Processes on this machine (all cores by default); spawned, not forked, so that no lock
    held by a thread of the parent (the progress bar's) is copied into a worker."""

    def __init__(self, settings: ScanSettings, workers: int | None = None) -> None:
        self.settings = settings
        self.workers = workers or os.cpu_count() or 1
        self.window = 2 * self.workers
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_init_worker, initargs=(settings.mode, os.getpid()))

    def submit(self, items: list[WorkItem]) -> Future[list[ItemResult]]:
        return self._pool.submit(screen_batch, items, self.settings)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Batches as tasks on a Dask distributed cluster.

    A worker that dies takes its tasks with it; the scheduler gives them to another worker
    (and ``retries`` re-runs a batch that raised), so no item is lost. The function and the
    settings travel by reference: every worker needs Satark installed, the same version.
    """

    def __init__(self, settings: ScanSettings, client: Client, *, retries: int = 3, own_client: bool = False,
                 window: int | None = None) -> None:
        from .dask_worker import EngineLoader

        self.settings = settings
        self.client = client
        self.retries = retries
        self._own = own_client
        client.register_plugin(EngineLoader(settings.mode), name=f"satark-engine-{settings.mode}")
        workers = len(client.scheduler_info().get("workers", {})) or 1
        self.window = window or max(4, 3 * workers)

    @classmethod
    def connect(cls, settings: ScanSettings, address: str, *, retries: int = 3) -> DaskExecutor:
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs the [scan] extra (dask.distributed): "
                              "pip install 'satark[scan]'") from None
        try:
            client = Client(address, timeout="15s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        return cls(settings, client, retries=retries, own_client=True)

    def submit(self, items: list[WorkItem]) -> Any:
        return self.client.submit(screen_batch, items, self.settings, retries=self.retries, pure=False)

    def close(self) -> None:
        if self._own:
            self.client.close()  # type: ignore[no-untyped-call]


def make_executor(settings: ScanSettings, *, scheduler: str | None = None,
                  workers: int | None = None) -> InlineExecutor | LocalExecutor | DaskExecutor:
    """The executor the CLI asked for: a Dask cluster, one process, or all local cores."""
    if scheduler:
        return DaskExecutor.connect(settings, scheduler)
    if workers == 1:
        return InlineExecutor(settings)
    return LocalExecutor(settings, workers)
