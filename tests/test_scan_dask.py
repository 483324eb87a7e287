"""`satark scan` on a real Dask cluster (two worker processes on loopback)."""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from satark.bench import corpus
from satark.importers.base import Record
from satark.scan.executors import DaskExecutor, InlineExecutor
from satark.scan.runner import Checkpoint, ScanSettings, checkpoint_header, run_scan

distributed = pytest.importorskip("distributed")

FAST = ScanSettings(jurisdiction="IN-CG", account_type="official", mode="fast")


def records(n: int) -> list[Record]:
    start = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)
    return [Record(platform="facebook", item_id=str(i), kind="post", created_at=start + dt.timedelta(hours=9 * i),
                   text=text) for i, (text, _, _) in enumerate(corpus("realistic", n, seed=11))]


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        yield cluster


def test_the_cluster_gives_exactly_the_local_findings(cluster: object, tmp_path: Path) -> None:
    items = records(600)
    local = run_scan(items, FAST, InlineExecutor(FAST), batch_size=50)
    assert sum(len(r.findings) for r in local.results) > 20
    with distributed.Client(cluster) as client:
        executor = DaskExecutor(FAST, client)
        ckpt = Checkpoint(tmp_path / "c.jsonl", checkpoint_header({"path": "x"}, FAST)).open()
        remote = run_scan(items, FAST, executor, checkpoint=ckpt, batch_size=50)
        ckpt.close()
        workers = {w["id"] for w in client.scheduler_info()["workers"].values()}
    assert remote.results == local.results
    assert len(workers) == 2
    keys = [line.split('"key": "', 1)[1].split('"', 1)[0]
            for line in (tmp_path / "c.jsonl").read_text().splitlines()[1:]]
    assert keys == [r.item_id for r in items]  # streamed back in input order


def test_a_worker_killed_mid_run_loses_no_items(cluster: object) -> None:
    """A worker process is killed (SIGKILL) once the first batches are back: the scheduler
    gives its batches to the other worker (and the nanny starts a new one); every item
    comes back, once, with the same findings as a local run."""
    items = records(800)
    local = run_scan(items, FAST, InlineExecutor(FAST), batch_size=20)
    nannies = list(cluster.workers.values())  # type: ignore[attr-defined]
    victim = nannies[0].process.process.pid
    killed: list[int] = []

    def kill_once(n: int) -> None:
        if not killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    with distributed.Client(cluster) as client:
        remote = run_scan(items, FAST, DaskExecutor(FAST, client, window=16), batch_size=20, on_progress=kill_once)
    assert killed
    assert victim not in {n.process.process.pid for n in nannies if n.process and n.process.process}
    assert [r.key for r in remote.results] == [r.item_id for r in items]
    assert remote.results == local.results
