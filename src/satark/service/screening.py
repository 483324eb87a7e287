"""The service's one door into the screening engine, through its public API only.

Requests do not call the engine on their own threads. They queue their posts for one
screening thread, which takes everything waiting and screens it as a batch
(``Screener.screen_many``):

* the sentence encoder is one C engine behind a lock, and ``threading.Lock`` is not
  fair, so with many request threads one request could wait seconds while others
  overtake it; a FIFO queue serves posts in arrival order;
* a batch runs the encoder over several posts at once, one core each, which a
  post-at-a-time caller cannot do.

A small cache of recent reports answers a text screened again unchanged (the editor
screens as the author types, then again when the draft is saved).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from typing import Any

from satark import InputError, PackRegistry, PolicyPack, Report, Screener, UnknownJurisdiction

from .errors import InvalidInput

__all__ = ["Screening"]

log = logging.getLogger("satark.service")

_Key = tuple[str, str, str, str | None]


class Screening:
    """Builds the engine on first use (a few seconds) and shares it between requests."""

    def __init__(self, mode: str | None = None, *, max_batch: int = 16, cache_size: int = 512) -> None:
        self.mode = mode
        self.max_batch = max_batch
        self._screener: Screener | None = None
        self._packs: PackRegistry | None = None
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[_Key, Future[Report]]] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._cache: OrderedDict[_Key, dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._cache_lock = threading.Lock()
        self._warmed = False

    @property
    def packs(self) -> PackRegistry:
        """The packs alone: cheap, for pages that cite clauses without screening."""
        if self._packs is None:
            self._packs = PackRegistry.from_plugins()
        return self._packs

    def pack(self, jurisdiction: str) -> PolicyPack:
        try:
            return self.packs.get(jurisdiction)
        except UnknownJurisdiction as exc:
            raise InvalidInput(str(exc)) from None

    @property
    def screener(self) -> Screener:
        if self._screener is None:
            with self._lock:
                if self._screener is None:
                    # The encoder's OpenMP threads would otherwise spin on both cores between
                    # calls, starving the request threads (set before the engine loads).
                    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                    self._screener = Screener.from_plugins(mode=self.mode)  # type: ignore[arg-type]
        return self._screener

    def warm_up(self, modes: Iterable[str | None]) -> None:
        """Load the engine and the models of ``modes`` now, not on the first posts, then put
        all of it out of the garbage collector's sight (``gc.freeze``).

        The engine holds millions of long-lived objects (packs, lexicons, n-gram tables).
        Unfrozen, every full collection walks them all: pauses of up to 180 ms, which were
        most of the p99 of the load benchmark. Runs once per instance.
        """
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
        try:
            jurisdiction = next(iter(self.jurisdictions()))
            for mode in dict.fromkeys(modes):
                self.screen("warm up", jurisdiction=jurisdiction, account_type="official", mode=mode)
        except Exception:  # the first real post will meet the same problem and report it
            log.exception("screening warm-up failed")
            return
        gc.collect()
        gc.freeze()

    def screen(self, text: str, *, jurisdiction: str, account_type: str, mode: str | None = None) -> dict[str, Any]:
        """The report as plain data (what is stored with a revision), with the text it covers."""
        key, cached = self._lookup(text, jurisdiction, account_type, mode)
        if cached is not None:
            return cached
        future = self._submit(key)
        try:
            report = future.result()
        except (InputError, UnknownJurisdiction) as exc:
            raise InvalidInput(str(exc)) from None
        return self._store(key, report)

    async def screen_async(self, text: str, *, jurisdiction: str, account_type: str,
                           mode: str | None = None) -> dict[str, Any]:
        """``screen`` for async endpoints: waits without holding a thread of the pool."""
        if self._screener is None:  # the first call loads the engine: not on the event loop
            await asyncio.to_thread(lambda: self.screener)
        key, cached = self._lookup(text, jurisdiction, account_type, mode)
        if cached is not None:
            return cached
        try:
            report = await asyncio.wrap_future(self._submit(key))
        except (InputError, UnknownJurisdiction) as exc:
            raise InvalidInput(str(exc)) from None
        return self._store(key, report)

    def screen_batch(self, texts: Sequence[str], *, jurisdiction: str, account_type: str,
                     mode: str | None = None) -> list[dict[str, Any] | InvalidInput]:
        """Reports for many texts (a background audit's batch), each in its place, or the error
        that kept it from being screened. All are queued at once, so the screening thread takes
        them as batches, while requests that arrive meanwhile wait behind one batch at most. The
        reports stay out of the cache, which thousands of them would empty of the editors' texts."""
        pending: list[tuple[int, _Key, Future[Report]]] = []
        out: list[dict[str, Any] | InvalidInput] = []
        for text in texts:
            try:
                key, cached = self._lookup(text, jurisdiction, account_type, mode)
            except InvalidInput as exc:
                out.append(exc)
                continue
            out.append(cached if cached is not None else {})
            if cached is None:
                pending.append((len(out) - 1, key, self._submit(key)))
        for index, key, future in pending:
            try:
                out[index] = self._store(key, future.result(), keep=False)
            except (InputError, UnknownJurisdiction) as exc:
                out[index] = InvalidInput(str(exc))
        return out

    def _lookup(self, text: str, jurisdiction: str, account_type: str,
                mode: str | None) -> tuple[_Key, dict[str, Any] | None]:
        screener = self.screener
        try:
            screener.check_input(text)
            pack_id = self.pack(jurisdiction).id
            mode = mode or screener.mode
            if mode not in ("rules", "fast", "full"):
                raise InputError(f"mode must be rules, fast or full, not {mode!r}")
        except InputError as exc:
            raise InvalidInput(str(exc)) from None
        if account_type not in ("official", "personal"):
            raise InvalidInput("account_type must be official or personal")
        key: _Key = (text, pack_id, account_type, mode)
        with self._cache_lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return key, dict(cached)
        return key, None

    def _submit(self, key: _Key) -> Future[Report]:
        future: Future[Report] = Future()
        self._ensure_worker()
        self._queue.put((key, future))
        return future

    def _store(self, key: _Key, report: Report, *, keep: bool = True) -> dict[str, Any]:
        data = report.to_dict()
        data["text"] = key[0]
        data["mode"] = key[3]
        if not keep:
            return data
        with self._cache_lock:
            self._cache[key] = data
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return dict(data)

    def _ensure_worker(self) -> None:
        if self._worker is None:
            with self._lock:
                if self._worker is None:
                    self._worker = threading.Thread(target=self._serve, name="satark-screening", daemon=True)
                    self._worker.start()

    def _serve(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for mode in {key[3] for key, _ in batch}:
                self._screen_batch([(k, f) for k, f in batch if k[3] == mode], mode)

    def _screen_batch(self, items: list[tuple[_Key, Future[Report]]], mode: str | None) -> None:
        screener = self.screener
        try:
            posts = [(k[0], k[1], k[2]) for k, _ in items]
            reports = screener.screen_many(posts, mode=mode)  # type: ignore[arg-type]
        except Exception:
            # One bad post must not fail the others: screen them one by one.
            for key, future in items:
                try:
                    report = screener.screen(key[0], jurisdiction=key[1], account_type=key[2],  # type: ignore[arg-type]
                                             mode=mode)  # type: ignore[arg-type]
                    future.set_result(report)
                except Exception as exc:
                    future.set_exception(exc)
            return
        for (_, future), report in zip(items, reports, strict=True):
            future.set_result(report)

    def clauses(self, report: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Citation, title and text in every UI language for the clauses a report cites."""
        pack = self.pack(report["pack"])
        out: dict[str, dict[str, Any]] = {}
        for finding in report.get("findings", []):
            for clause_id in finding["clause_ids"]:
                if clause_id in out:
                    continue
                clause = pack.clause(clause_id)
                out[clause_id] = {
                    "citation": clause.citation,
                    "title": clause.title.model_dump(),
                    "text": clause.text.model_dump(),
                }
        return out

    def clause(self, jurisdiction: str, clause_id: str) -> dict[str, Any]:
        clause = self.pack(jurisdiction).clause(clause_id)
        return {"id": clause.id, "citation": clause.citation, "title": clause.title.model_dump(),
                "text": clause.text.model_dump()}

    def jurisdictions(self) -> dict[str, str]:
        return self.packs.jurisdictions
