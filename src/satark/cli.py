"""The ``satark`` command.

Exit codes are part of the interface: 0 clear, 1 review, 2 block (the verdict, so shell
scripts and CI pipelines can gate on it), 3 usage or configuration error (a bad option, or
a bad ``SATARK_*`` setting), 4 bad input, 5 bad data (an invalid policy pack, lexicon or
recognizer data file), 6 internal error. Errors print one line, never a traceback (set
``SATARK_DEBUG=1`` to see one).
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from .engine import Screener

from .errors import (
    ConfigError,
    InputError,
    LexiconError,
    PackError,
    RecognizerDataError,
    SatarkError,
    UnknownClause,
    UnknownJurisdiction,
)
from .service.cli import register as register_service_commands
from .service.errors import ServiceError

__all__ = ["app", "main"]

EXIT_USAGE, EXIT_INPUT, EXIT_DATA, EXIT_INTERNAL = 3, 4, 5, 6

#: top-level module -> the extra that installs it (a command that needs a missing one says so)
_EXTRA_FOR = {
    **dict.fromkeys(("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "argon2", "jinja2",
                     "babel", "multipart", "python_multipart", "fastapi_offline", "pydantic_settings"),
                   "service"),
    "psycopg": "postgres",
    **dict.fromkeys(("sklearn", "torch", "onnx"), "train"),
}

app = typer.Typer(
    name="satark",
    help="Screen government social-media posts against conduct rules (IN-CG 2017, BD 2019).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
policy_app = typer.Typer(help="Browse the policy packs: every clause, with citations.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
register_service_commands(app)


class Account(StrEnum):
    official = "official"
    personal = "personal"


class Mode(StrEnum):
    rules = "rules"
    fast = "fast"
    full = "full"


MODE_HELP = "rules; fast (+ n-gram model, bulk audits); full (+ sentence encoder). Default: full, or SATARK_MODE."


class Lang(StrEnum):
    auto = "auto"
    en = "en"
    hi = "hi"
    bn = "bn"


def _console() -> Console:
    return Console(highlight=False)


def _ui_lang(lang: Lang, detected: str) -> str:
    if lang != Lang.auto:
        return lang.value
    return detected.split("-")[0] if detected.split("-")[0] in ("hi", "bn") else "en"


def _screener() -> Screener:
    from .engine import default_screener

    return default_screener()


@app.command()
def check(
    text: Annotated[str | None, typer.Argument(help="The post. Use '-' (or pipe it) for standard input.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the post from FILE ('-' for stdin).")] = None,
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="IN-CG or BD (or a pack id).")] = "IN-CG",
    account: Annotated[Account, typer.Option("--account", "-a", help="Account the post is for.")] = Account.personal,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of the explanations.")] = Lang.auto,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    mode: Annotated[Mode | None, typer.Option("--mode", "-m", help=MODE_HELP)] = None,
) -> None:
    """Screen one post. Exit code: 0 clear, 1 review, 2 block."""
    from .engine import check_post
    from .inputs import read_post
    from .packs.registry import PackRegistry
    from .render import print_report

    post = read_post(text, file)
    # Input errors first, before the lexicons, recognizers and models load.
    check_post(post)
    PackRegistry.from_plugins().get(jurisdiction)
    screener = _screener()
    report = screener.screen(post, jurisdiction=jurisdiction, account_type=account.value,
                             mode=mode.value if mode else None)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        source = str(file) if file is not None and str(file) != "-" else "post"
        print_report(report, screener, _ui_lang(lang, report.language.code), _console(), source=source)
    raise typer.Exit(report.verdict.exit_code)


@app.command("eval")
def eval_(
    path: Annotated[Path | None, typer.Argument(help="Labelled JSONL in the format of ../shared/taxonomy.md.")] = None,
    dataset: Annotated[list[str] | None, typer.Option(
        "--dataset", "-d", help="Score a public benchmark's test split instead ('all' for every one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the tables as Markdown.")] = False,
    mode: Annotated[Mode | None, typer.Option("--mode", "-m", help=MODE_HELP)] = None,
    transfer: Annotated[bool, typer.Option(
        "--transfer", help="Screen the real posts of every public data set (../shared/data) and score them "
                           "by docs/transfer-mapping.md.")] = False,
    split: Annotated[str, typer.Option(
        "--split", help="With --transfer: test (report), or train/dev (choose settings).")] = "test",
    limit: Annotated[int | None, typer.Option(
        "--limit", min=50, help="With --transfer: at most this many posts per set (a fixed sample).")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--set", help="With --transfer: only these data sets (repeatable).")] = None,
) -> None:
    """Score the engine on a labelled file: per-category P/R/F1, micro/macro F1, FP rate."""
    if transfer:
        _eval_transfer(mode.value if mode else None, split=split, limit=limit, only=only,
                       as_json=as_json, markdown=markdown)
        return
    if dataset:
        _eval_benchmarks(dataset, as_json=as_json, markdown=markdown, mode=mode.value if mode else "full")
        return
    if path is None:
        raise typer.BadParameter("give a labelled JSONL file or --dataset SLUG")
    from .evaluation import evaluate_file, markdown_report, print_evaluation

    result = evaluate_file(path, _screener(), mode=mode.value if mode else None)
    if markdown:
        sys.stdout.write(markdown_report(result))
    elif as_json:
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        print_evaluation(result, _console())


def _eval_transfer(mode: str | None, *, split: str, limit: int | None, only: list[str] | None,
                   as_json: bool, markdown: bool) -> None:
    from .training.datasets import data_root
    from .transfer import evaluate_transfer, markdown_transfer, to_json

    if split not in ("train", "dev", "test"):
        raise typer.BadParameter(f"--split must be train, dev or test, not {split!r}")
    try:
        data_root()
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    screener = _screener()
    console = Console(stderr=True)
    result = evaluate_transfer(screener, mode=mode or screener.mode, split=split, limit=limit,  # type: ignore[arg-type]
                               sets=only, progress=lambda msg: console.print(f"[dim]screening {msg}[/dim]"))
    sys.stdout.write(to_json(result) if as_json else markdown_transfer(result))


def _eval_benchmarks(slugs: list[str], *, as_json: bool, markdown: bool, mode: str) -> None:
    from .paths import local_models_dir
    from .training.benchmarks import BENCHMARKS, evaluate_benchmark

    wanted = list(BENCHMARKS) if "all" in slugs else slugs
    unknown = [s for s in wanted if s not in BENCHMARKS]
    if unknown:
        raise typer.BadParameter(f"unknown benchmark {unknown}; known: {', '.join(BENCHMARKS)}")
    try:
        rows = [evaluate_benchmark(s, local_models_dir("bench"), mode) for s in wanted]
    except FileNotFoundError as exc:
        raise InputError(f"{exc}; the benchmark heads are trained on this machine (research-only data): "
                         f"run `satark train --benchmark {wanted[0]}` first") from None
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    if markdown:
        lines = ["| data set | metric | Satark | mode | published best |", "|---|---|---:|---|---:|"]
        lines += [f"| {r['dataset']} | {r['metric']} | {r['ours']:.3f} | {r['mode']} | "
                  f"{r['published_best'] if r['published_best'] is not None else '–'} |" for r in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    table = Table("data set", "metric", "Satark", "published best", "test rows",
                  title="public benchmarks (test splits)")
    for r in rows:
        table.add_row(r["dataset"], r["metric"], f"{r['ours']:.3f}", str(r["published_best"] or "–"),
                      str(r["test_rows"]))
    _console().print(table)


class BenchCorpus(StrEnum):
    realistic = "realistic"
    real = "real"
    generated = "generated"


@app.command()
def bench(
    posts: Annotated[int, typer.Option(help="Posts to time.", min=100)] = 5000,
    latency_samples: Annotated[int, typer.Option(help="Single-post timings for p50/p99.", min=100)] = 2000,
    seed: Annotated[int, typer.Option(help="Corpus seed (same seed, same corpus).")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    mode: Annotated[Mode, typer.Option("--mode", "-m", help="rules, fast or full.")] = Mode.rules,
    corpus: Annotated[BenchCorpus | None, typer.Option(
        "--corpus", help="realistic (default): the project's posts at the lengths and language mix of real posts; "
                         "real: real posts of the public test splits (needs ../shared/data); generated: the older "
                         "generated corpus (long posts).")] = None,
    real: Annotated[bool, typer.Option("--real", help="Same as --corpus real.")] = False,
    repeats: Annotated[int, typer.Option(help="Timed passes of each kind; the best and the median are given.",
                                         min=1, max=50)] = 3,
) -> None:
    """Measure screen() throughput on one core (per CPU-second and per second) and single-post p50/p99 latency."""
    from .bench import print_bench, run_bench

    name = corpus.value if corpus is not None else ("real" if real else "realistic")
    try:
        result = run_bench(n_posts=posts, latency_samples=latency_samples, seed=seed, mode=mode.value,
                           corpus_name=name, repeats=repeats)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        print_bench(result, _console())


@app.command()
def scan(
    export: Annotated[Path, typer.Argument(help="The platform export: a ZIP or a folder (or a JSONL/CSV file).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The report: .html, .pdf, .csv or .jsonl.")],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", "-j", help="IN-CG or BD (or a pack id).")],
    account: Annotated[Account, typer.Option("--account", "-a", help="The account the export is of.")],
    mode: Annotated[Mode, typer.Option("--mode", "-m", help="fast (default: bulk audits), full or rules.")] = Mode.fast,
    scheduler: Annotated[str | None, typer.Option(
        help="A Dask scheduler (tcp://HOST:8786) to screen on its workers; default: this machine's cores.")] = None,
    workers: Annotated[int | None, typer.Option(help="Local processes (default: all cores; 1: this process).",
                                                min=1)] = None,
    checkpoint: Annotated[Path | None, typer.Option(
        help="Where progress is kept for resuming (default: OUT.checkpoint.jsonl).")] = None,
    ocr: Annotated[bool, typer.Option("--ocr/--no-ocr", help="Also screen the text in images (Tesseract).")] = False,
    batch_size: Annotated[int, typer.Option(help="Items per batch (and per checkpoint write).", min=1)] = 256,
    importer: Annotated[str | None, typer.Option(
        "--format", help="The export's format by name (facebook, instagram, x, youtube, csv, jsonl); "
                         "default: detected.")] = None,
    mapping: Annotated[str | None, typer.Option(
        "--map", help="Generic CSV/JSONL columns: text=message,created_at=time,id=post_no.")] = None,
) -> None:
    """Screen every item of an export and write a report; an interrupted run resumes from its checkpoint."""
    from .packs.registry import PackRegistry
    from .scan.command import scan_export
    from .scan.runner import ScanSettings

    PackRegistry.from_plugins().get(jurisdiction)
    settings = ScanSettings(jurisdiction=jurisdiction, account_type=account.value, mode=mode.value,
                            ocr=ocr)
    result, summary = scan_export(export, out, settings, scheduler=scheduler, workers=workers,
                                  checkpoint=checkpoint, batch_size=batch_size, importer=importer,
                                  mapping=mapping)
    _console().print(f"{summary.items:,} items ({result.resumed:,} resumed), {summary.flagged:,} flagged "
                     f"({summary.share_flagged:.1%}), {summary.findings:,} findings"
                     + (f", {len(summary.problems):,} unreadable records" if summary.problems else "")
                     + f"; wrote {out}")


@app.command()
def train(
    indomain: Annotated[Path, typer.Option(help="Folder with the project's labelled train-*.jsonl.")] = Path(
        "data/indomain"),
    written: Annotated[Path, typer.Option(help="Folder with the project's posts in real forms (*.jsonl).")] = Path(
        "data/written"),
    out: Annotated[Path | None, typer.Option(
        help="Where to write the models (default: the package's; with --with-research-data: "
             "<data dir>/models/research).")] = None,
    dev_file: Annotated[list[Path] | None, typer.Option(
        "--dev-file", help="Extra labelled JSONL used only for calibration and thresholds.")] = None,
    research: Annotated[bool, typer.Option(
        "--with-research-data", "--public",
        help="Also train on the public data sets' train splits (research-only licences): a local model "
             "set for this machine, never the package's.")] = False,
    e5: Annotated[bool, typer.Option(help="Train the sentence-encoder model (full mode).")] = True,
    encoder: Annotated[str, typer.Option(
        help="finetuned: fine-tune multilingual-e5-small (needs pip install -e '.[train]'); "
             "frozen: a linear head on its embeddings.")] = "finetuned",
    reuse_encoder: Annotated[bool, typer.Option(
        help="Keep the fine-tuned encoder already in the output folder; refit its calibration only.")] = False,
    epochs: Annotated[float, typer.Option(help="Fine-tuning epochs.")] = 2.0,
    calibrate: Annotated[bool, typer.Option(help="Fit the confidence calibration on real dev posts.")] = True,
    seed: Annotated[int, typer.Option(help="Seed for sampling the public data.")] = 13,
    benchmarks: Annotated[bool, typer.Option(
        help="Also train the public-benchmark task heads (into <data dir>/models/bench).")] = False,
    benchmark: Annotated[list[str] | None, typer.Option(
        "--benchmark", help="Only these benchmark heads, and no screening models (repeatable).")] = None,
) -> None:
    """Train the fast and full classifiers and write them with a manifest and model card."""
    from .detectors.classifier import SHIPPED_MODELS_DIR
    from .paths import local_models_dir
    from .training.card import write_model_card
    from .training.finetune import FinetuneConfig
    from .training.pipeline import TrainConfig
    from .training.pipeline import train as run_training

    console = _console()
    if benchmark or benchmarks:
        from .training.benchmarks import BENCHMARKS, E5_BENCHMARKS

        wanted = list(benchmark or BENCHMARKS)
        unknown = [s for s in wanted if s not in BENCHMARKS]
        if unknown:
            raise typer.BadParameter(f"unknown benchmark {unknown}; known: {', '.join(BENCHMARKS)}")
    if not benchmark:
        if not indomain.is_dir():
            raise InputError(f"{indomain} is not a folder of labelled posts")
        dev_files = tuple(dev_file or ())
        for path in dev_files:
            if not path.is_file():
                raise InputError(f"cannot read {path}")
        if encoder not in ("finetuned", "frozen"):
            raise typer.BadParameter(f"--encoder must be finetuned or frozen, not {encoder!r}")
        if e5 and encoder == "finetuned" and not reuse_encoder:
            import importlib.util

            if importlib.util.find_spec("torch") is None:
                raise InputError("fine-tuning the encoder needs PyTorch: pip install -e '.[train]' "
                                 "(or --encoder frozen)")
        default_out = local_models_dir("research") if research else SHIPPED_MODELS_DIR
        cfg = TrainConfig(indomain_dir=indomain, written_dir=written, out_dir=out or default_out,
                          dev_files=dev_files, public=research, e5=e5, seed=seed, calibrate=calibrate,
                          encoder=encoder, reuse_encoder=reuse_encoder, finetune=FinetuneConfig(epochs=epochs))
        manifest = run_training(cfg, log=console.print)
        write_model_card(cfg.out_dir, manifest)
        console.print(f"wrote {cfg.out_dir}")
    if benchmark or benchmarks:
        from .training.benchmarks import train_benchmarks

        bench_dir = local_models_dir("bench")
        console.print("public-benchmark task heads (train splits; C chosen on dev):")
        train_benchmarks(bench_dir, wanted, console.print, e5_slugs=[s for s in E5_BENCHMARKS if s in wanted])
        console.print(f"wrote {bench_dir}")


@policy_app.command("list")
def policy_list(
    pack: Annotated[str | None, typer.Option("--pack", "-p", help="Only this pack (id or jurisdiction).")] = None,
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of the titles.")] = Lang.en,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (full ids, every field).")] = False,
) -> None:
    """List packs, or the clauses of one pack (a table; tab-separated full ids when piped)."""
    from .packs import PackRegistry

    packs = PackRegistry.from_plugins()
    console = _console()
    ui = "en" if lang == Lang.auto else lang.value
    if as_json or not sys.stdout.isatty():
        # A table cut to the terminal's width loses ids; a pipe gets every one, whole.
        if pack is None:
            rows = [{"id": p.id, "jurisdiction": p.jurisdiction, "version": p.version,
                     "clauses": len(p.clauses), "title": p.title.get(ui)} for p in packs]
        else:
            rows = [{"id": c.id, "citation": c.citation, "kind": c.kind, "severity": str(c.severity),
                     "categories": list(c.categories), "title": c.title.get(ui)} for c in packs.get(pack).clauses]
        if as_json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        else:
            for row in rows:
                sys.stdout.write("\t".join(", ".join(v) if isinstance(v, list) else str(v)
                                            for v in row.values()) + "\n")
        return
    if pack is None:
        table = Table("pack", "jurisdiction", "version", "clauses", "title")
        for p in packs:
            table.add_row(p.id, p.jurisdiction, p.version, str(len(p.clauses)), p.title.get(ui))
        console.print(table)
        return
    p = packs.get(pack)
    table = Table("clause", "citation", "kind", "severity", "categories", "title")
    for c in p.clauses:
        table.add_row(c.id, c.citation, c.kind, str(c.severity), ", ".join(c.categories), c.title.get(ui))
    console.print(table)


@policy_app.command("show")
def policy_show(
    clause_id: Annotated[str, typer.Argument(help="e.g. BD-2019/10/gha, BD-2019/10/ঘ or IN-CG-2017/4")],
    lang: Annotated[Lang, typer.Option("--lang", "-l", help="Language of the rendering.")] = Lang.en,
    as_json: Annotated[bool, typer.Option("--json", help="Print the clause as JSON.")] = False,
) -> None:
    """Show one clause: citation, original text and its rendering."""
    from .packs import PackRegistry

    packs = PackRegistry.from_plugins()
    pack_id = clause_id.replace(" ", "/").split("/", 1)[0]
    try:
        clause = packs.get(pack_id).clause(clause_id)
    except UnknownJurisdiction:
        raise UnknownClause(f"no clause {clause_id!r}: unknown pack {pack_id!r}") from None
    if as_json:
        sys.stdout.write(json.dumps(clause.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    ui = "en" if lang == Lang.auto else lang.value
    console = _console()
    console.print(f"[bold]{clause.id}[/bold]  {clause.citation}  ·  {clause.kind}  ·  {clause.severity}")
    console.print(f"[bold]{clause.title.get(ui)}[/bold]")
    if clause.categories:
        console.print("categories: " + ", ".join(clause.categories))
    console.print("applies to: " + ", ".join(clause.applies_to))
    console.print()
    console.print(clause.text.get(ui), markup=False)
    if ui != packs.get(pack_id).language:
        console.print()
        console.print("[dim]original:[/dim]")
        console.print(clause.text.original, markup=False)


def _fail(code: int, message: str) -> NoReturn:
    sys.stderr.write(f"satark: {message}\n")
    raise SystemExit(code)


def _missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The extra that installs the module a command could not import, if it is one of ours."""
    return _EXTRA_FOR.get((exc.name or "").split(".")[0])


def main(argv: list[str] | None = None) -> None:
    """Console entry point: maps every failure to a one-line message and an exit code."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="satark")
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        _fail(EXIT_USAGE, "aborted")
    except typer.TyperException as exc:  # usage errors: Click would exit 2, which means "block"
        format_message = getattr(exc, "format_message", None)
        _fail(EXIT_USAGE, format_message() if callable(format_message) else str(exc))
    except ConfigError as exc:
        _fail(EXIT_USAGE, f"configuration error: {exc}")
    except (UnknownJurisdiction, UnknownClause) as exc:
        _fail(EXIT_USAGE, str(exc))
    except InputError as exc:
        _fail(EXIT_INPUT, str(exc))
    except (PackError, LexiconError, RecognizerDataError) as exc:
        _fail(EXIT_DATA, str(exc))
    except SatarkError as exc:
        _fail(EXIT_INPUT, str(exc))
    except ServiceError as exc:
        _fail(EXIT_INPUT, exc.message)
    except KeyboardInterrupt:
        _fail(130, "interrupted")
    except BrokenPipeError:
        raise SystemExit(0) from None
    except Exception as exc:
        if os.environ.get("SATARK_DEBUG"):
            raise
        if isinstance(exc, ModuleNotFoundError) and (extra := _missing_extra(exc)):
            _fail(EXIT_USAGE, f"this command needs the [{extra}] extra ({exc.name} is not installed): "
                              f"pip install 'satark[{extra}]'")
        _fail(EXIT_INTERNAL, f"internal error: {type(exc).__name__}: {exc} (set SATARK_DEBUG=1 for details)")
    raise SystemExit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
