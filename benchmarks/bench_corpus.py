"""Write ``src/satark/bench_posts.json.gz``: the pool and profile of ``satark bench``'s
default (``realistic``) corpus.

    python benchmarks/bench_corpus.py

The profile (language mix; length quantiles per variety; share of official accounts)
is measured on 5,000 posts of the public data sets' test splits (an equal share of each,
as ``satark bench --corpus real`` takes them; needs ``../shared/data``) and the in-domain
training files (``data/indomain/train-*.jsonl``). Only those statistics are kept, never
their text: the pool is the project's own posts (``data/written``, Apache-2.0).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from satark.bench import BENCH_POSTS, build_bench_posts, real_corpus

REPO = Path(__file__).resolve().parents[1]


def _rows(pattern: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted(REPO.glob(pattern)):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def main() -> None:
    reference = [(text, account) for text, _, account in real_corpus(5000, seed=7)]
    reference += [(r["text"], r["account_type"]) for r in _rows("data/indomain/train-*.jsonl")]
    own = [(r["text"], r["jurisdiction"]) for r in _rows("data/written/*.jsonl")]
    data = build_bench_posts(reference, own)
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    with gzip.GzipFile(BENCH_POSTS, "wb", compresslevel=9, mtime=0) as fh:  # same input, same bytes
        fh.write(raw)
    profile = data["profile"]
    print(f"{BENCH_POSTS}: {sum(map(len, data['pool'].values()))} posts, {BENCH_POSTS.stat().st_size:,} bytes; "
          f"official {profile['official_share']:.0%}; "
          + ", ".join(f"{v} {p['share']:.0%}" for v, p in profile["varieties"].items()))


if __name__ == "__main__":
    main()
