"""Instructions a post costs to screen, counted by Valgrind (callgrind), not timed.

    python benchmarks/instructions.py [--mode rules|fast] [--posts 2000] [--src DIR ...]

This machine's speed changes from minute to minute, so two releases' timings compare
only when taken in turn; the number of instructions the CPU executes does not change
with the machine's load. For each source tree (``--src``: a checkout's ``src`` folder
with its C modules built in place; default: the installed Satark), the script runs the
realistic corpus under ``valgrind --tool=callgrind`` twice, screening 500 posts to warm
the engine and then ``--posts`` more or none, and prints the difference divided by
``--posts``: what one ``screen()`` call costs, start-up and model loading left out. Needs
Valgrind (Debian's ``valgrind``); each run takes about a minute. Instructions are not
time (a cache miss costs many), so it complements, not replaces, ``satark bench``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
import sys
from satark.bench import corpus
from satark.engine import Screener
mode, n, most = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
screener = Screener.from_plugins(mode=mode)
screener.screen("warm up: load the models", jurisdiction="IN-CG")
screener.warm_up()
posts = corpus("realistic", 500 + most, 7)  # the same corpus in both runs: only the screening differs
for text, j, a in posts[:500 + n]:
    screener.screen(text, jurisdiction=j, account_type=a)
"""


def instructions(src: str | None, mode: str, posts: int, most: int) -> int:
    """Instructions of a whole run screening ``posts`` posts (of ``most`` drawn) after the warm ones."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    if src is not None:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, "-c", RUN,
                        mode, str(posts), str(most)], env=env, check=True, capture_output=True)
        summary = re.search(r"^summary:\s+(\d+)", out.read_text(), re.MULTILINE)
        if summary is None:
            raise SystemExit(f"no summary in {out}")
        return int(summary.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("rules", "fast"), default="rules")
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--src", action="append", help="a source tree to count (repeatable; default: installed)")
    args = parser.parse_args()
    for src in args.src or [None]:
        n = args.posts
        per_post = (instructions(src, args.mode, n, n) - instructions(src, args.mode, 0, n)) / n
        print(f"{src or 'installed'}: {args.mode} mode, {per_post:,.0f} instructions a post")


if __name__ == "__main__":
    main()
