"""The C word passes (``satark._textpass``) on and off, in turn, in one process.

    python benchmarks/text_passes.py [--mode rules|fast] [--rounds 4] [--posts 5000]

This machine's speed changes from minute to minute, so a speed-up is measured by taking
runs in turn: the same screener, the same realistic corpus (``satark.bench.corpus``),
``screen()`` one post at a time, alternately with the C passes and with the Python they
mirror (the modules' ``_textpass`` set to ``None``, as in a build without extensions).
Each pass starts with the engine's caches emptied and warmed with 500 unmeasured posts,
as ``satark bench`` does. Prints posts per CPU-second, one core.
"""

from __future__ import annotations

import argparse
import importlib
import os
import time

from satark.bench import corpus
from satark.engine import Screener

MODULES = ("satark.normalize", "satark.lexicons.model", "satark.langid")


def switch(on: bool) -> None:
    """The C passes on, or off (each module then runs its Python reference)."""
    from satark import _textpass

    for name in MODULES:
        vars(importlib.import_module(name))["_textpass"] = _textpass if on else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("rules", "fast"), default="rules")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--posts", type=int, default=5000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    screener = Screener.from_plugins(mode=args.mode)
    screener.screen("warm up: load the models", jurisdiction="IN-CG")
    screener.warm_up()
    posts = corpus("realistic", args.posts + 500, 7)
    warm, posts = posts[:500], posts[500:]
    results: dict[bool, list[int]] = {True: [], False: []}
    for _ in range(args.rounds):
        for on in (True, False):
            switch(on)
            for detector in screener.detectors:
                clear = getattr(detector, "clear_caches", None)
                if clear is not None:
                    clear()
            for text, j, a in warm:
                screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
            start = time.process_time()
            for text, j, a in posts:
                screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
            results[on].append(round(len(posts) / (time.process_time() - start)))
    switch(True)
    for on in (True, False):
        figures = ", ".join(f"{x:,}" for x in results[on])
        print(f"{args.mode} {'C passes' if on else 'Python  '}: {figures} posts per CPU-second")


if __name__ == "__main__":
    main()
