"""``satark scan``: read an export, screen it with progress and a checkpoint, write the report.

Kept out of :mod:`satark.cli` so the command there stays a thin option parser, and so the
benchmark and the tests run exactly what the command runs.
"""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..errors import ConfigError, InputError, SatarkError
from .executors import make_executor
from .report import ScanSummary, report_format, write_report
from .runner import Checkpoint, ScanResult, ScanSettings, checkpoint_header, export_identity, run_scan

__all__ = ["DEFAULT_BATCH", "ScanFailed", "default_checkpoint", "scan_export"]

DEFAULT_BATCH = 256


class ScanFailed(SatarkError):
    """The scan stopped part-way (its checkpoint keeps what was done)."""


def default_checkpoint(out: Path) -> Path:
    return out.with_name(out.name + ".checkpoint.jsonl")


class _Rate(ProgressColumn):
    """Items per second over the run so far (Rich's own speed column is for bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} items/s" if speed else "– items/s", style="progress.data.speed")


def scan_export(
    export: Path,
    out: Path,
    settings: ScanSettings,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    checkpoint: Path | None = None,
    batch_size: int = DEFAULT_BATCH,
    console: Console | None = None,
    importer: str | None = None,
    mapping: str | None = None,
) -> tuple[ScanResult, ScanSummary]:
    """What ``satark scan`` does; see the command's help. ``importer`` and ``mapping`` go to
    :func:`satark.importers.registry.read_export` (a format by name; the generic importers'
    column mapping)."""
    from ..importers.registry import read_export

    report_format(out)  # a bad extension fails before anything is read
    if not export.exists():
        raise InputError(f"{export}: no such file or folder")
    items = read_export(export, importer, mapping)  # an unknown format fails here, before the workers start
    if settings.ocr:
        _check_ocr()
    console = console or Console(stderr=True, highlight=False)
    ckpt = Checkpoint(checkpoint or default_checkpoint(out),
                      checkpoint_header(export_identity(export), settings)).open()
    executor = make_executor(settings, scheduler=scheduler, workers=workers)
    try:
        from ..importers.source import open_export

        source = open_export(export) if settings.ocr else None
        columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   _Rate(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("reading the export", total=None)

            def on_total(total: int, done: int) -> None:
                if done:
                    progress.console.print(f"resuming: {done:,} of {total:,} items already screened "
                                           f"({ckpt.path})")
                # the rate and ETA count only this run's items, not those resumed
                progress.reset(task, total=total - done, completed=0, description="screening")

            try:
                result = run_scan(items, settings, executor, checkpoint=ckpt, batch_size=batch_size,
                                  read_media=source.read_bytes if source is not None else None,
                                  on_total=on_total, on_progress=lambda n: progress.advance(task, n))
            except Exception as exc:
                # a local worker killed (out of memory), or a batch that killed Dask workers too often
                if isinstance(exc, BrokenProcessPool) or type(exc).__name__ == "KilledWorker":
                    raise ScanFailed(f"a worker process died ({type(exc).__name__}: {exc}); the "
                                     f"{len(ckpt.done):,} items screened are kept in {ckpt.path}: run the same "
                                     f"command again to resume") from None
                raise
        if source is not None:
            source.close()
    finally:
        executor.close()
        ckpt.close()
    summary = write_report(result, out, export=export.name)
    return result, summary


def _check_ocr() -> None:
    """Fail before the scan, not at its first image, when OCR cannot run here."""
    import io

    try:
        from PIL import Image

        from ..ocr import read_image
    except ImportError as exc:
        raise ConfigError(f"--ocr needs the [scan] extra (pytesseract, Pillow): pip install 'satark[scan]' "
                          f"({exc})") from None
    blank = io.BytesIO()
    Image.new("L", (8, 8), 255).save(blank, format="PNG")
    read_image(blank.getvalue())  # OcrUnavailable (a ConfigError) says what is missing
