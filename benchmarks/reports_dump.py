"""Every report for the evaluation posts, as JSON lines: to show that a change of speed
changes no result, run it before and after and compare the files byte for byte.

    python benchmarks/reports_dump.py OUT.jsonl [--real 15000] [--realistic 3000] [--batched]

Posts: the in-domain holdout, the project's written posts (``data/written``), ``--real``
posts of the public data sets' test splits (needs ``../shared/data`` or
``$SATARK_DATASETS_DIR``) and ``--realistic`` posts of the bench corpus. Each is screened
in rules and fast mode, on its own account type and on an official one, one ``screen()``
call each (``--batched``: ``screen_many``, 256 posts a batch). To run an
earlier release, check it out (``git worktree add /tmp/old REV``, with its built C
modules copied in) and put its ``src`` first: ``PYTHONPATH=/tmp/old/src python ...``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from satark.bench import corpus
from satark.engine import Screener

REPO = Path(__file__).resolve().parents[1]


def posts(real: int, realistic: int) -> list[tuple[str, str, str]]:
    out = []
    for path in [REPO / "data/indomain/holdout.jsonl", *sorted((REPO / "data/written").glob("*.jsonl"))]:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            text = record.get("text")
            if text and text.strip():
                out.append((text, record.get("jurisdiction") or "IN-CG", record.get("account_type") or "personal"))
    return out + (corpus("real", real, 11) if real else []) + corpus("realistic", realistic, 12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--real", type=int, default=15000)
    parser.add_argument("--realistic", type=int, default=3000)
    parser.add_argument("--batched", action="store_true")
    args = parser.parse_args()
    jobs = [(text, "BD" if jurisdiction.upper().startswith("BD") else "IN-CG", account)
            for text, jurisdiction, account_type in posts(args.real, args.realistic)
            for account in sorted({account_type, "official"})]
    n = 0
    with args.out.open("w", encoding="utf-8") as out:
        for mode in ("rules", "fast"):
            screener = Screener.from_plugins(mode=mode)
            if args.batched:
                reports = [r for i in range(0, len(jobs), 256)
                           for r in screener.screen_many(jobs[i:i + 256])]  # type: ignore[arg-type]
            else:
                reports = [screener.screen(t, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
                           for t, j, a in jobs]
            for report in reports:
                out.write(json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
    print(f"{len(jobs):,} screenings a mode, {n:,} reports -> {args.out}")


if __name__ == "__main__":
    main()
