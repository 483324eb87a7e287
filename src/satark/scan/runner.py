"""Screen every item of an export in batches, with a checkpoint that survives ``kill -9``.

The work sent to an executor is a list of :class:`WorkItem` (plain data, so it pickles to a
process or a Dask worker); :func:`screen_batch` runs there with a screener built once per
process. Results come back in input order and are appended to the checkpoint one batch at a
time (one ``write`` and an ``fsync``), so an interrupted run loses at most the batch in flight
and a resumed one never screens an item twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from ..engine import MODES, AccountType, Mode, Screener, check_post
from ..errors import InputError
from ..importers.base import ImportProblem, Record

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = [
    "BatchExecutor", "Checkpoint", "CheckpointError", "ItemResult", "ScanResult", "ScanSettings", "WorkItem",
    "export_identity", "run_scan", "screen_batch", "work_items",
]

CHECKPOINT_FORMAT = "satark-scan-checkpoint/1"
#: Media that OCR reads; other attachments (video, audio) are listed but not read.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")


class CheckpointError(InputError):
    """A checkpoint that belongs to another export or other settings, or is unreadable."""


@dataclass(frozen=True)
class ScanSettings:
    """What every item is screened with; part of the checkpoint's identity."""

    jurisdiction: str
    account_type: AccountType
    mode: Mode
    ocr: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InputError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.account_type not in ("official", "personal"):
            raise InputError(f"account must be official or personal, not {self.account_type!r}")


@dataclass(frozen=True)
class WorkItem:
    """One item as a worker needs it: no file handles, only data (it travels to other machines)."""

    key: str
    text: str
    #: ``(path inside the export, bytes)`` of each image, read on the client when ``--ocr`` is on:
    #: the export is on this machine, not necessarily on the workers'.
    images: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class ItemResult:
    """An item's outcome: its findings (each with the ``source`` it was found in: ``text`` or
    a media path), or ``error`` when it could not be screened (empty, too long)."""

    key: str
    verdict: str
    findings: tuple[dict[str, Any], ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "verdict": self.verdict, "findings": list(self.findings)}
        if self.error:
            out["error"] = self.error
        if self.notes:
            out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemResult:
        return cls(key=str(data["key"]), verdict=str(data["verdict"]), findings=tuple(data.get("findings", ())),
                   error=data.get("error"), notes=tuple(data.get("notes", ())))


_VERDICT_RANK = {"clear": 0, "review": 1, "block": 2}


@functools.cache
def engine(mode: Mode) -> Screener:
    """The screener of this process for ``mode``: built and warmed once per worker process."""
    screener = Screener.from_plugins(mode=mode)
    screener.warm_up()
    return screener


def _finding(f: Any, source: str) -> dict[str, Any]:
    return {"source": source, "category": f.category, "clause_ids": list(f.clause_ids),
            "severity": str(f.severity), "confidence": round(f.confidence, 4),
            "spans": [s.to_dict() for s in f.spans], "detector": f.detector,
            "explanation": f.message("en")}


def screen_batch(items: Sequence[WorkItem], settings: ScanSettings) -> list[ItemResult]:
    """Screen ``items`` (in a worker): one result per item, in order.

    Texts that the engine refuses (empty, too long) get an ``error`` instead of failing the
    batch; the valid ones go through :meth:`Screener.screen_many`, which batches the models.
    """
    screener = engine(settings.mode)
    texts: list[tuple[int, str, str]] = []  # (item index, source, text)
    read: dict[int, Any] = {}  # index in texts -> the OcrResult its text came from
    errors: dict[int, str] = {}
    notes: dict[int, list[str]] = {}
    for i, item in enumerate(items):
        if item.text.strip():
            try:
                texts.append((i, "text", check_post(item.text, max_chars=screener.max_chars)))
            except InputError as exc:
                errors[i] = str(exc)
        for path, data in item.images:
            # a broken image is noted and the scan goes on; a missing Tesseract (OcrUnavailable,
            # a ConfigError) stops it: every other image would fail the same way
            try:
                ocr = _read_image(data)
                if ocr.text.strip():
                    texts.append((i, path, check_post(ocr.text, max_chars=screener.max_chars)))
                    read[len(texts) - 1] = ocr
            except InputError as exc:
                notes.setdefault(i, []).append(f"{path}: {exc}")
    reports = screener.screen_many([(t, settings.jurisdiction, settings.account_type) for _, _, t in texts],
                                   mode=settings.mode)
    findings: dict[int, list[dict[str, Any]]] = {}
    verdicts: dict[int, str] = {}
    for n, ((i, source, _), report) in enumerate(zip(texts, reports, strict=True)):
        found = [_finding(f, source) for f in report.findings]
        if n in read:
            from ..ocr import locate

            found = locate(read[n], found)  # each finding with the boxes of its words in the image
        findings.setdefault(i, []).extend(found)
        if _VERDICT_RANK[report.verdict.value] > _VERDICT_RANK[verdicts.get(i, "clear")]:
            verdicts[i] = report.verdict.value
    out = []
    for i, item in enumerate(items):
        error = errors.get(i)
        if error is None and not item.text.strip() and not item.images:
            error = "no text"
        out.append(ItemResult(key=item.key, verdict=verdicts.get(i, "clear"), findings=tuple(findings.get(i, ())),
                              error=error, notes=tuple(notes.get(i, ()))))
    return out


def _read_image(data: bytes) -> Any:
    from ..ocr import read_image

    return read_image(data)


# --- the checkpoint -------------------------------------------------------------------------------


def export_identity(path: Path) -> dict[str, Any]:
    """Which export a checkpoint belongs to: its full path, size and modification time (of
    each file, for a folder), cheap to compute for a multi-gigabyte archive."""
    path = path.resolve()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        size = sum(p.stat().st_size for p in files)
        mtime = max((p.stat().st_mtime_ns for p in files), default=0)
        return {"path": str(path), "size": size, "mtime_ns": mtime, "files": len(files)}
    stat = path.stat()
    return {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


class Checkpoint:
    """A JSON-lines file: a header (export identity and settings), then one line per item.

    Each batch is appended with a single ``write`` and ``fsync``\\ ed, so ``kill -9`` leaves
    at most a torn last line, which :meth:`open` drops (and cuts off) before appending.
    """

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        self.path = path
        self.header = {"format": CHECKPOINT_FORMAT, **header}
        self.done: dict[str, ItemResult] = {}
        self._fh: IO[bytes] | None = None

    def open(self) -> Checkpoint:
        """Read what an earlier run left (refusing another export's checkpoint), then open
        for appending."""
        good_end = 0
        if self.path.exists() and self.path.stat().st_size > 0:
            good_end = self._load()
        self._fh = open(self.path, "r+b" if good_end else "wb")  # noqa: SIM115 (closed by close())
        self._fh.truncate(good_end)
        self._fh.seek(good_end)
        if not good_end:
            self._append([self.header])
        return self

    def _load(self) -> int:
        data = self.path.read_bytes()
        lines = data.split(b"\n")
        # a torn last line (no newline, or cut inside the JSON) is the batch kill -9 interrupted
        complete = lines[:-1]
        try:
            header = json.loads(complete[0]) if complete else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            header = None
        if not isinstance(header, dict) or header.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(f"{self.path}: not a satark scan checkpoint; give another --checkpoint file "
                                  f"or delete this one")
        theirs = {k: header.get(k) for k in ("export", "settings", "engine")}
        ours = {k: self.header.get(k) for k in ("export", "settings", "engine")}
        if theirs != ours:
            what = next(k for k in ("export", "settings", "engine") if theirs[k] != ours[k])
            there, now = theirs[what] or {}, ours[what] or {}
            changed = [k for k in sorted(set(there) | set(now)) if there.get(k) != now.get(k)]
            raise CheckpointError(
                f"{self.path}: this checkpoint is of another {_DIFFERENT[what]} "
                f"({', '.join(f'{k} {there.get(k)!r} there, {now.get(k)!r} now' for k in changed)}); "
                f"use another --checkpoint file, or delete it to start over")
        end = len(complete[0]) + 1
        for n, line in enumerate(complete[1:], start=2):
            try:
                result = ItemResult.from_json(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError):
                if n == len(complete):  # torn, then cut off
                    break
                raise CheckpointError(f"{self.path}, line {n}: damaged checkpoint line; delete the file "
                                      f"to start over") from None
            self.done[result.key] = result
            end += len(line) + 1
        return end

    def _append(self, rows: Iterable[dict[str, Any]]) -> None:
        assert self._fh is not None
        self._fh.write(b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def write(self, results: Sequence[ItemResult]) -> None:
        self._append(r.to_json() for r in results)
        for r in results:
            self.done[r.key] = r

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


_DIFFERENT = {"export": "export", "settings": "scan's settings", "engine": "Satark version"}


# --- the run ---------------------------------------------------------------------------------------


class BatchExecutor(Protocol):
    """Runs :func:`screen_batch` somewhere (this process, local processes, a Dask cluster)."""

    #: batches kept in flight: enough to keep every worker busy while results stream back in order
    window: int

    def submit(self, items: list[WorkItem]) -> Future[list[ItemResult]]: ...

    def close(self) -> None: ...


@dataclass
class ScanResult:
    """Every item in input order with its result, and the problems the importer reported."""

    records: list[Record]
    results: list[ItemResult]
    problems: list[ImportProblem]
    settings: ScanSettings
    resumed: int = 0
    screened: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def item_keys(records: Sequence[Record]) -> list[str]:
    """A checkpoint key per record: its id, made unique should an export repeat one."""
    seen: dict[str, int] = {}
    keys = []
    for r in records:
        n = seen.get(r.item_id, 0)
        seen[r.item_id] = n + 1
        keys.append(r.item_id if n == 0 else f"{r.item_id}#{n}")
    return keys


def work_items(records: Sequence[Record], keys: Sequence[str], *, ocr: bool,
               read_media: Callable[[str], bytes] | None) -> Iterator[WorkItem]:
    for record, key in zip(records, keys, strict=True):
        images: tuple[tuple[str, bytes], ...] = ()
        if ocr and read_media is not None:
            images = tuple((m, read_media(m)) for m in record.media if m.lower().endswith(IMAGE_SUFFIXES))
        yield WorkItem(key=key, text=record.text, images=images)


def run_scan(
    items: Iterable[Record | ImportProblem],
    settings: ScanSettings,
    executor: BatchExecutor,
    *,
    checkpoint: Checkpoint | None = None,
    batch_size: int = 256,
    read_media: Callable[[str], bytes] | None = None,
    on_total: Callable[[int, int], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ScanResult:
    """Screen every record of ``items`` not already in ``checkpoint``; results in input order.

    ``on_total(total, already_done)`` is called once the export is read; ``on_progress(n)``
    after each batch written. ``read_media`` gives an image's bytes by its path in the export.
    """
    records: list[Record] = []
    problems: list[ImportProblem] = []
    for item in items:
        if isinstance(item, ImportProblem):
            problems.append(item)
        else:
            records.append(item)
    keys = item_keys(records)
    done = checkpoint.done if checkpoint is not None else {}
    todo = [i for i, k in enumerate(keys) if k not in done]
    if on_total is not None:
        on_total(len(records), len(records) - len(todo))
    fresh: dict[str, ItemResult] = {}
    pending_records = [records[i] for i in todo]
    stream = work_items(pending_records, [keys[i] for i in todo], ocr=settings.ocr, read_media=read_media)
    in_flight: deque[Future[list[ItemResult]]] = deque()
    try:
        while True:
            while len(in_flight) < executor.window:
                batch = [w for _, w in zip(range(batch_size), stream, strict=False)]
                if not batch:
                    break
                in_flight.append(executor.submit(batch))
            if not in_flight:
                break
            results = in_flight.popleft().result()
            if checkpoint is not None:
                checkpoint.write(results)
            for r in results:
                fresh[r.key] = r
            if on_progress is not None:
                on_progress(len(results))
    finally:
        for future in in_flight:
            future.cancel()
    results = [done[k] if k in done else fresh[k] for k in keys]
    return ScanResult(records=records, results=results, problems=problems, settings=settings,
                      resumed=len(records) - len(todo), screened=len(todo))


def checkpoint_header(export: dict[str, Any], settings: ScanSettings) -> dict[str, Any]:
    """What a checkpoint must match: the export, the settings, and the engine that screens."""
    from .. import __version__

    return {"export": export, "settings": asdict(settings), "engine": {"satark": __version__},
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
