"""`satark scan` throughput: one process vs a 2-worker Dask cluster, and a 10,000-item audit end to end.

    python benchmarks/scan.py [--posts 100000] [--audit 10000] [--mode fast] [--json]

Screens ``--posts`` posts of the realistic corpus (``satark.bench.corpus("realistic", n)``:
the project's posts at the lengths and language mix of real ones) through the scan runner,
in batches as ``satark scan`` does: in this process (``--workers 1``), on the default local
processes (all cores), and on a ``distributed.LocalCluster`` of 2 single-threaded worker
processes on loopback (what ``--scheduler`` talks to). Engines are loaded before the clock
starts (each worker loads its own once). Then times ``satark scan EXPORT --out report.html``
as a subprocess on a ``--audit``-item JSONL export: start-up, import, screening on all local
cores and the HTML report, end to end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from satark.bench import corpus
from satark.importers.base import Record
from satark.scan.executors import DaskExecutor, InlineExecutor, LocalExecutor
from satark.scan.runner import ScanSettings, WorkItem, run_scan


def records(n: int, seed: int = 7) -> list[Record]:
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    return [Record(platform="facebook", item_id=str(i), kind="post", created_at=start + dt.timedelta(minutes=20 * i),
                   text=text) for i, (text, _, _) in enumerate(corpus("realistic", n, seed))]


def timed(items: list[Record], settings: ScanSettings, executor: Any, batch: int) -> tuple[float, int]:
    t0 = time.perf_counter()
    result = run_scan(items, settings, executor, batch_size=batch)
    elapsed = time.perf_counter() - t0
    return elapsed, sum(len(r.findings) for r in result.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=10_000)
    parser.add_argument("--mode", default="fast", choices=("rules", "fast", "full"))
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = ScanSettings(jurisdiction="IN-CG", account_type="official", mode=args.mode)
    items = records(args.posts)
    out: dict[str, Any] = {"posts": args.posts, "mode": args.mode, "cpus": os.cpu_count(), "batch": args.batch,
                           "load_before": os.getloadavg()[0]}

    one = InlineExecutor(settings)  # loads the engine here, before the clock
    secs, found_one = timed(items, settings, one, args.batch)
    out["one_process"] = {"seconds": round(secs, 2), "items_per_s": round(args.posts / secs)}

    local = LocalExecutor(settings)
    local.submit([WorkItem("warm", "warm")] * 1).result()
    for f in [local.submit([WorkItem("warm", "warm")]) for _ in range(local.workers * 2)]:
        f.result()
    secs, found_local = timed(items, settings, local, args.batch)
    local.close()
    out["local_processes"] = {"workers": local.workers, "seconds": round(secs, 2),
                              "items_per_s": round(args.posts / secs)}

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        dask = DaskExecutor(settings, client)  # the worker plugin loads each worker's engine now
        secs, found_dask = timed(items, settings, dask, args.batch)
    out["dask_2_workers"] = {"seconds": round(secs, 2), "items_per_s": round(args.posts / secs)}
    out["ratio_dask_vs_one"] = round(out["dask_2_workers"]["items_per_s"] / out["one_process"]["items_per_s"], 2)
    out["ratio_local_vs_one"] = round(out["local_processes"]["items_per_s"] / out["one_process"]["items_per_s"], 2)
    assert found_one == found_local == found_dask, (found_one, found_local, found_dask)
    out["findings"] = found_one

    if args.audit:
        with tempfile.TemporaryDirectory() as tmp:
            export = Path(tmp) / "posts.jsonl"
            with export.open("w", encoding="utf-8") as fh:
                for r in records(args.audit, seed=8):
                    fh.write(json.dumps({"id": r.item_id, "created_at": r.created_at.isoformat(), "text": r.text},
                                        ensure_ascii=False) + "\n")
            satark = str(Path(sys.executable).with_name("satark"))
            t0 = time.perf_counter()
            subprocess.run([satark, "scan", str(export), "-j", "IN-CG", "-a", "official", "--mode", args.mode,
                            "--out", str(Path(tmp) / "report.html")], check=True, capture_output=True)
            out["audit_end_to_end"] = {"items": args.audit, "seconds": round(time.perf_counter() - t0, 2)}

    out["load_after"] = os.getloadavg()[0]  # other work on the machine skews the parallel figures
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{args.posts:,} posts, {args.mode} mode, {out['cpus']} CPUs, batches of {args.batch} "
          f"(load average {out['load_before']:.1f} before, {out['load_after']:.1f} after):")
    print(f"  one process        {out['one_process']['items_per_s']:>8,} items/s")
    print(f"  local processes ({local.workers}) {out['local_processes']['items_per_s']:>8,} items/s "
          f"(×{out['ratio_local_vs_one']})")
    print(f"  Dask, 2 workers    {out['dask_2_workers']['items_per_s']:>8,} items/s (×{out['ratio_dask_vs_one']})")
    if args.audit:
        print(f"  audit of a {args.audit:,}-item export end to end (satark scan … --out report.html): "
              f"{out['audit_end_to_end']['seconds']} s")


if __name__ == "__main__":
    main()
