"""`satark scan`: the runner, the checkpoint (resume after kill -9), and each report format."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from export_fixtures import (
    make_csv_export,
    make_facebook_export,
    make_instagram_export,
    make_jsonl_export,
    make_x_export,
    make_youtube_export,
)
from satark.bench import corpus
from satark.importers.base import ImportProblem, Record
from satark.scan.executors import InlineExecutor
from satark.scan.report import summarize, to_csv, to_html, to_jsonl, write_report
from satark.scan.runner import Checkpoint, CheckpointError, ScanSettings, checkpoint_header, run_scan

SATARK = str(Path(sys.executable).with_name("satark"))
RULES = ScanSettings(jurisdiction="IN-CG", account_type="official", mode="rules")
# our own lines: an abusive phrase, a leaked Aadhaar number (Verhoeff-valid), clean posts
PLANTED = (
    "जिला प्रशासन ने आज बाढ़ राहत शिविर का निरीक्षण किया।",
    "ये सब नेता चोर हैं, हरामखोर कहीं के!",
    "আমার আধার নম্বর 2345 6789 0124, ফোন করুন",
    "আজ উপজেলা পরিষদে বৃক্ষরোপণ কর্মসূচি পালিত হয়েছে।",
    "Road repair on the district highway starts Monday.",
    "इस सरकार की नीतियाँ जनविरोधी हैं, मुख्यमंत्री को इस्तीफा देना चाहिए।",
)


def records(n: int, texts: tuple[str, ...] | list[str] = PLANTED) -> list[Record]:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    return [Record(platform="x", item_id=f"t{i}", kind="post", created_at=start + dt.timedelta(days=11 * i),
                   text=texts[i % len(texts)]) for i in range(n)]


class Counting(InlineExecutor):
    """Screens in this process and remembers every item it was given."""

    def __init__(self, settings: ScanSettings) -> None:
        super().__init__(settings)
        self.seen: Counter[str] = Counter()

    def submit(self, items):  # type: ignore[no-untyped-def]
        self.seen.update(w.key for w in items)
        return super().submit(items)


def test_results_in_input_order_problems_kept_and_figures_equal_the_findings(tmp_path: Path) -> None:
    items: list[Record | ImportProblem] = list(records(40))
    items.insert(5, ImportProblem(file="posts.jsonl", pointer="line 6", message="no created_at"))
    items.append(Record(platform="x", item_id="empty", kind="post", created_at=dt.datetime(2024, 9, 1, tzinfo=dt.UTC),
                        text="   ", media=("media/a.mp4",)))
    result = run_scan(items, RULES, InlineExecutor(RULES), batch_size=7)
    assert [r.key for r in result.results] == [f"t{i}" for i in range(40)] + ["empty"]
    assert [p.pointer for p in result.problems] == ["line 6"]
    assert result.results[-1].findings == ()
    by_text = {r.text: res for r, res in zip(result.records, result.results, strict=True)}
    assert {f["category"] for f in by_text[PLANTED[1]].findings} >= {"obscene_abusive"}
    assert any(f["category"] == "confidential" for f in by_text[PLANTED[2]].findings)
    assert by_text[PLANTED[0]].findings == ()

    summary = summarize(result, "posts.jsonl")
    all_findings = [f for r in result.results for f in r.findings]
    assert summary.findings == len(all_findings) == sum(row.count for row in summary.by_category)
    assert sum(row.count for row in summary.by_clause) == len(all_findings)
    assert summary.flagged == sum(1 for r in result.results if r.findings)
    assert sum(m.items for m in summary.by_month) == 41
    assert sum(m.flagged for m in summary.by_month) == summary.flagged
    html = to_html(summary)
    assert re.search(r'id="items">41<', html)
    assert re.search(rf'id="flagged">{summary.flagged}<', html)
    assert re.search(rf'id="share">{summary.share_flagged:.1%}<', html)
    assert "<mark>हरामखोर</mark>" in html or "हरामखोर</mark>" in html
    assert "no created_at" in html  # the unreadable record is listed

    rows = list(csv.DictReader(io.StringIO(to_csv(result))))
    assert len(rows) == len(all_findings)
    assert Counter(r["category"] for r in rows) == Counter(f["category"] for f in all_findings)
    lines = [json.loads(line) for line in to_jsonl(result).splitlines()]
    assert [ln["id"] for ln in lines] == [r.item_id for r in result.records]
    assert all({"id", "time", "findings"} <= set(ln) for ln in lines)
    assert lines[-1]["error"] == "no text"


@pytest.mark.parametrize("suffix", [".html", ".csv", ".jsonl", ".pdf"])
def test_each_output_format(tmp_path: Path, suffix: str) -> None:
    if suffix == ".pdf":
        pytest.importorskip("weasyprint")
    result = run_scan(records(12), RULES, InlineExecutor(RULES))
    out = tmp_path / f"report{suffix}"
    summary = write_report(result, out, export="posts.jsonl")
    data = out.read_bytes()
    assert not out.with_name(out.name + ".part").exists()
    if suffix == ".pdf":
        assert data.startswith(b"%PDF")
        if (pdftotext := Path("/usr/bin/pdftotext")).exists():
            text = subprocess.run([str(pdftotext), str(out), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert "हरामखोर" in text  # Devanagari extracts as written (ActualText)
            assert "আধার" in text
    elif suffix == ".csv":
        assert data.startswith(b"\xef\xbb\xbf")
        assert len(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))) == summary.findings
    elif suffix == ".jsonl":
        assert len(data.decode().splitlines()) == 12
    else:
        assert data.decode().startswith("<!doctype html>")


def test_checkpoint_resumes_without_screening_twice_and_drops_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.jsonl"
    header = checkpoint_header({"path": "/x/posts.jsonl", "size": 1, "mtime_ns": 2}, RULES)
    items = records(50)
    first = Counting(RULES)
    ckpt = Checkpoint(path, header).open()
    run_scan(items[:23], RULES, first, checkpoint=ckpt, batch_size=5)
    ckpt.close()
    with path.open("ab") as fh:  # what kill -9 in the middle of a write leaves
        fh.write(b'{"key": "t23", "verdict": "cle')
    again = Counting(RULES)
    ckpt = Checkpoint(path, header).open()
    assert len(ckpt.done) == 23
    result = run_scan(items, RULES, again, checkpoint=ckpt, batch_size=5)
    ckpt.close()
    assert result.resumed == 23 and result.screened == 27
    assert set(first.seen) | set(again.seen) == {f"t{i}" for i in range(50)}
    assert not set(first.seen) & set(again.seen)
    keys = [json.loads(line)["key"] for line in path.read_text().splitlines()[1:]]
    assert sorted(keys) == sorted(f"t{i}" for i in range(50))
    uninterrupted = run_scan(items, RULES, InlineExecutor(RULES))
    assert result.results == uninterrupted.results


def test_a_checkpoint_of_another_export_or_mode_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ckpt.jsonl"
    header = checkpoint_header({"path": "/x/a.jsonl", "size": 1, "mtime_ns": 2}, RULES)
    Checkpoint(path, header).open().close()
    with pytest.raises(CheckpointError, match="another export"):
        Checkpoint(path, checkpoint_header({"path": "/x/b.jsonl", "size": 1, "mtime_ns": 2}, RULES)).open()
    fast = ScanSettings(jurisdiction="IN-CG", account_type="official", mode="fast")
    with pytest.raises(CheckpointError, match="mode 'rules' there, 'fast' now"):
        Checkpoint(path, checkpoint_header({"path": "/x/a.jsonl", "size": 1, "mtime_ns": 2}, fast)).open()
    (tmp_path / "other.txt").write_text("hello\n")
    with pytest.raises(CheckpointError, match="not a satark scan checkpoint"):
        Checkpoint(tmp_path / "other.txt", header).open()


def run(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SATARK_NO_PLUGINS": "1", "COLUMNS": "120"}
    return subprocess.run([SATARK, *args], capture_output=True, text=True, env=env, timeout=300, **kw)  # type: ignore[call-overload, no-any-return]


def test_cli_refuses_another_exports_checkpoint_and_a_bad_extension(tmp_path: Path) -> None:
    a = make_jsonl_export(tmp_path / "a", n=6)
    b = make_jsonl_export(tmp_path / "b", n=7)
    ckpt = tmp_path / "c.jsonl"
    common = ("-j", "IN-CG", "-a", "official", "--mode", "rules", "--workers", "1", "--checkpoint", str(ckpt))
    ok = run("scan", str(a), *common, "--out", str(tmp_path / "a.jsonl"))
    assert ok.returncode == 0, ok.stderr
    assert "6 items" in ok.stdout
    refused = run("scan", str(b), *common, "--out", str(tmp_path / "b.jsonl"))
    assert refused.returncode == 4
    assert refused.stderr.count("\n") == 1 and "another export" in refused.stderr and str(ckpt) in refused.stderr
    bad = run("scan", str(a), *common, "--out", str(tmp_path / "a.docx"))
    assert bad.returncode == 4 and ".html, .pdf, .csv, .jsonl" in bad.stderr
    missing = run("scan", str(tmp_path / "nope.zip"), *common, "--out", str(tmp_path / "n.html"))
    assert missing.returncode == 4 and "nope.zip" in missing.stderr
    unknown = run("scan", str(a), "-j", "XX", "-a", "official", "--out", str(tmp_path / "x.html"))
    assert unknown.returncode == 3


def test_kill_9_mid_run_then_resume_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    texts = [t for t, _, _ in corpus("realistic", 300, seed=3)] + list(PLANTED)
    export = make_jsonl_export(tmp_path / "exp", n=6000, texts=texts)
    args = ("scan", str(export), "-j", "IN-CG", "-a", "official", "--mode", "rules")

    whole = run(*args, "--workers", "1", "--out", str(tmp_path / "whole.jsonl"))
    assert whole.returncode == 0, whole.stderr

    ckpt = tmp_path / "cut.jsonl.checkpoint.jsonl"
    env = {**os.environ, "SATARK_NO_PLUGINS": "1"}
    proc = subprocess.Popen([SATARK, *args, "--batch-size", "20", "--out", str(tmp_path / "cut.jsonl")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if ckpt.exists() and ckpt.read_bytes().count(b"\n") > 400:
            break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)  # the scan's own process, as `kill -9 PID` does
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    lines_at_kill = ckpt.read_bytes().count(b"\n") - 1
    assert 0 < lines_at_kill < 6000, "the run was not cut in the middle"
    assert not (tmp_path / "cut.jsonl").exists()

    resumed = run(*args, "--batch-size", "20", "--out", str(tmp_path / "cut.jsonl"))
    assert resumed.returncode == 0, resumed.stderr
    n_resumed = int(re.search(r"\(([\d,]+) resumed\)", resumed.stdout)[1].replace(",", ""))  # type: ignore[index]
    assert lines_at_kill - 20 <= n_resumed <= lines_at_kill  # at most the torn batch is lost

    assert (tmp_path / "cut.jsonl").read_text() == (tmp_path / "whole.jsonl").read_text()
    keys = Counter(json.loads(line)["key"] for line in ckpt.read_text().splitlines()[1:])
    assert len(keys) == 6000 and set(keys.values()) == {1}  # none screened twice, none lost


def test_ocr_screens_text_in_images_and_points_at_the_media_file(tmp_path: Path) -> None:
    pytest.importorskip("pytesseract")
    pytest.importorskip("PIL")
    import shutil

    from ocr_images import FONT_FOR, raqm_missing, render, ttf

    if shutil.which("tesseract") is None or raqm_missing():
        pytest.skip("Tesseract or Pillow's raqm is missing")
    png = render(["जनसुनवाई में आवेदन प्राप्त हुआ", "मेरा आधार नंबर 2345 6789 0124 है"],
                 ttf(FONT_FOR["hi"], tmp_path), size=24)
    media = {"media/notice.png": png, "media/broken.jpg": b"not an image"}
    when = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    items = [Record(platform="facebook", item_id="m1", kind="post", created_at=when, text="",
                    media=("media/notice.png", "media/clip.mp4")),
             Record(platform="facebook", item_id="m2", kind="post", created_at=when, text=PLANTED[0],
                    media=("media/broken.jpg",))]
    ocr = ScanSettings(jurisdiction="IN-CG", account_type="official", mode="rules", ocr=True)
    result = run_scan(items, ocr, InlineExecutor(ocr), read_media=media.__getitem__)
    first, second = result.results
    found = next(f for f in first.findings if f["category"] == "confidential")
    assert found["source"] == "media/notice.png" and found["boxes"]
    assert first.verdict == "block" and first.error is None
    assert second.findings == () and "media/broken.jpg" in second.notes[0]
    html = to_html(summarize(result, "export.zip"))
    assert "in image <em>media/notice.png</em>" in html


@pytest.mark.parametrize("make", [make_jsonl_export, make_csv_export, make_x_export, make_youtube_export,
                                  make_facebook_export, make_instagram_export])
def test_scan_reads_each_fixture_format_and_lists_its_bad_records(
        make, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from satark.cli import main

    export = make(tmp_path / "e", n=9, zip=True, broken=True, texts=PLANTED)
    out = tmp_path / "r.jsonl"
    with pytest.raises(SystemExit) as exit_:
        main(["scan", str(export), "-j", "IN-CG", "-a", "official", "--mode", "rules", "--workers", "1",
              "--out", str(out)])
    printed = capsys.readouterr()
    assert exit_.value.code == 0, printed.err
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) >= 9 and f"{len(lines)} items" in printed.out
    assert "unreadable records" in printed.out
    texts = " ".join(f["spans"][0]["text"] for ln in lines for f in ln["findings"])
    assert "हरामखोर" in texts or "2345 6789 0124" in texts  # a planted line (another may be media-only)
    html = tmp_path / "r.html"
    with pytest.raises(SystemExit):
        main(["scan", str(export), "-j", "IN-CG", "-a", "official", "--mode", "rules", "--workers", "1",
              "--out", str(html)])
    assert "Records that could not be read" in html.read_text()
