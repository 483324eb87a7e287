"""The quarterly monitoring report (BD §11(ক)): its figures against the database, on both backends.

A known quarter is built through the real workflow with a controlled clock: the audit trail
and the workflow read the time from ``utcnow`` in their modules, and new revisions and
approvals take the clock's time as they are flushed. Quarter 2026Q3 is counted in Dhaka's
zone (UTC+6): a post published at 20:00 UTC on 30 June is July's, one published at 19:00 UTC
on 30 September is October's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from satark.service import audit, workflow
from satark.service.context import Services
from satark.service.errors import Forbidden, InvalidInput, NotFound
from satark.service.models import Approval, Post, Revision, User
from satark.service.reports.build import Report, build_report
from satark.service.reports.core_sections import percentile
from satark.service.reports.quarter import Quarter, parse_quarter
from satark.service.reports.registry import sections
from satark.service.reports.render import to_csv, to_html, to_xlsx

from .conftest import BLOCK_BN, CLEAR_BN, Demo

UTC = dt.UTC


def z(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The audit trail's and the workflow's time."""
    found = Clock(z("2026-07-01T00:00:00"))
    monkeypatch.setattr(audit, "utcnow", found)
    monkeypatch.setattr(workflow, "utcnow", found)
    return found


@pytest.fixture
def timed(svc: Services, clock: Clock) -> Iterator[Any]:
    """``timed(when)``: a write unit in which the clock reads ``when``, new revisions and
    approvals included."""
    from contextlib import contextmanager

    def stamp(session: Session, _ctx: Any, _instances: Any) -> None:
        for obj in session.new:
            if isinstance(obj, (Revision, Approval)):
                obj.created_at = clock.now

    @contextmanager
    def unit(when: str) -> Iterator[Session]:
        clock.now = z(when)
        with svc.db.session() as session:
            event.listen(session, "before_flush", stamp)
            yield session

    yield unit


@dataclass
class Quarter3:
    """The posts of the scenario, by name."""

    ids: dict[str, int]


def _user(session: Session, demo: Demo, name: str) -> User:
    user = session.get(User, demo.users[name])
    assert user is not None
    return user


@pytest.fixture
def quarter3(svc: Services, demo: Demo, timed: Any) -> Quarter3:
    """Five posts around 2026Q3 (Dhaka time), approval waits 2, 10, 30, 3 and 5 hours:

    A (Facebook): submitted 1 Jul 04:00Z, approved +2 h, published 1 Jul 08:00Z.
    B (Facebook): submitted 10 Aug 03:00Z, approved +10 h, published 11 Aug 03:00Z, corrected +5 h.
    C (X, verdict block): submitted 18 Sep 00:00Z, approved with an override +30 h, published
      20 Sep 06:00Z, retracted +24 h.
    D (Facebook): written 30 Jun 15:00Z (Q2 in Dhaka), submitted 16:00Z, approved 19:00Z (3 h,
      1 Jul 01:00 in Dhaka), published 20:00Z (1 Jul 02:00 in Dhaka: Q3).
    E (Facebook): written and submitted 30 Sep 12:00Z, approved 17:00Z (5 h, Q3), published 19:00Z
      (1 Oct 01:00 in Dhaka: Q4, not counted).
    """
    screening = svc.screening
    ids: dict[str, int] = {}
    fb, x = demo.accounts["dhaka_fb"], demo.accounts["karim_x"]
    plan = [  # name, account, text, written, submitted, approved, published
        ("D", fb, CLEAR_BN, "2026-06-30T15:00", "2026-06-30T16:00", "2026-06-30T19:00", "2026-06-30T20:00"),
        ("A", fb, CLEAR_BN, "2026-07-01T03:00", "2026-07-01T04:00", "2026-07-01T06:00", "2026-07-01T08:00"),
        ("B", fb, CLEAR_BN, "2026-08-10T02:00", "2026-08-10T03:00", "2026-08-10T13:00", "2026-08-11T03:00"),
        ("C", x, BLOCK_BN, "2026-09-17T23:00", "2026-09-18T00:00", "2026-09-19T06:00", "2026-09-20T06:00"),
        ("E", fb, CLEAR_BN, "2026-09-30T12:00", "2026-09-30T12:00", "2026-09-30T17:00", "2026-09-30T19:00"),
    ]
    for name, account, text, written, submitted, approved, published in plan:
        with timed(written) as s:
            post = workflow.create_post(s, screening, _user(s, demo, "rahima"), account_id=account, text=text,
                                        title=f"Post {name}")
            ids[name] = post.id
        with timed(submitted) as s:
            workflow.submit(s, _user(s, demo, "rahima"), s.get(Post, ids[name]), confirm=True)
        with timed(approved) as s:
            post = s.get(Post, ids[name])
            workflow.approve(s, _user(s, demo, "karim"), post, now=z(approved),
                             override_reason="the number is the office's own helpline, checked"
                             if post.verdict == "block" else None)
        with timed(published) as s:
            workflow.publish(s, _user(s, demo, "sohel"), s.get(Post, ids[name]),
                             url=f"https://example.gov/{name}", published_at=z(published))
    with timed("2026-08-11T07:00") as s:
        workflow.correct(s, screening, _user(s, demo, "rahima"), s.get(Post, ids["B"]), text=CLEAR_BN + " সকাল ১০টায়।",
                         note="the time of the ceremony was wrong")
    with timed("2026-08-11T08:00") as s:
        workflow.approve(s, _user(s, demo, "karim"), s.get(Post, ids["B"]))
    with timed("2026-09-21T06:00") as s:
        workflow.retract(s, _user(s, demo, "karim"), s.get(Post, ids["C"]), reason="a citizen's number was published",
                         fast_track=True)
    return Quarter3(ids)


def _build(svc: Services, demo: Demo, *, where: str = "district", lang: str = "en", children: bool = False,
           user: str | None = None, quarter: str = "2026Q3") -> Report:
    with svc.db.session(write=False) as session:
        who = _user(session, demo, user) if user else None
        return build_report(session, institution_id=demo.institutions[where], quarter=quarter, lang=lang,
                            include_children=children, user=who, screening=svc.screening,
                            now=z("2026-10-05T00:00"))


def _table(report: Report, section: str, key: str) -> list[list[Any]]:
    return [list(r) for r in next(t for t in report.section(section).tables if t.key == key).rows]


# --- quarters ------------------------------------------------------------------------------------

def test_quarters_are_counted_in_the_institutions_zone() -> None:
    q = parse_quarter("2026Q3")
    assert q == Quarter(2026, 3) == parse_quarter(" 2026-q3 ") and str(q) == "2026Q3"
    assert q.months() == [(2026, 7), (2026, 8), (2026, 9)]
    assert q.bounds("Asia/Dhaka") == (z("2026-06-30T18:00"), z("2026-09-30T18:00"))
    assert q.bounds("Asia/Kolkata") == (z("2026-06-30T18:30"), z("2026-09-30T18:30"))
    assert Quarter(2026, 4).bounds("UTC") == (z("2026-10-01T00:00"), z("2027-01-01T00:00"))
    assert Quarter(2026, 1).previous() == Quarter(2025, 4) and Quarter(2026, 4).next() == Quarter(2027, 1)
    assert Quarter.containing(z("2026-09-30T19:00"), "Asia/Dhaka") == Quarter(2026, 4)
    assert Quarter.containing(z("2026-09-30T19:00"), "UTC") == Quarter(2026, 3)
    for bad in ("2026Q5", "2026", "Q3 2026", "1969Q4", "3000Q1", "", None, "২০২৬Q3"):
        with pytest.raises(InvalidInput):
            parse_quarter(bad)


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([2, 3, 5, 10, 30], 90) == pytest.approx(22.0)
    assert percentile([2, 3, 5, 10, 30], 50) == 5
    assert percentile([4.0], 90) == 4.0 and percentile([], 90) is None


def test_the_builtin_sections_are_registered_in_order() -> None:
    keys = [s.key for s in sections()]
    assert [k for k in keys if k in ("posts", "approvals", "screening", "corrections", "accounts")] == [
        "posts", "approvals", "screening", "corrections", "accounts"]


# --- the figures against the database ------------------------------------------------------------

def test_the_figures_match_the_quarters_records(svc: Services, demo: Demo, quarter3: Quarter3) -> None:
    report = _build(svc, demo)
    ids = quarter3.ids

    # Posts published per account and month, in Dhaka's months: D is July's, E is October's.
    assert report.figure("posts", "published") == 4
    rows = {r[1]: r[2:] for r in _table(report, "posts", "per_account")}
    assert rows == {"DC Office Dhaka (Facebook)": [2, 1, 0, 3], "Md. Abdul Karim (X)": [0, 0, 1, 1]}
    with svc.db.session(write=False) as session:
        start, end = Quarter(2026, 3).bounds("Asia/Dhaka")
        published = session.scalars(select(Post.id).where(Post.published_at >= start, Post.published_at < end))
        assert sorted(published) == sorted(ids[n] for n in "ABCD")
    chart = report.section("posts").charts[0]
    assert chart.labels == ["Jul 2026", "Aug 2026", "Sept 2026"]
    assert chart.series == {"DC Office Dhaka (Facebook)": [2.0, 1.0, 0.0], "Md. Abdul Karim (X)": [0.0, 0.0, 1.0]}

    # Approval times: submitted → final approval, 2, 10, 30, 3 and 5 hours (E's approval is in Q3).
    assert report.figure("approvals", "approved") == 5
    assert report.figure("approvals", "median_hours") == 5.0
    assert report.figure("approvals", "p90_hours") == 22.0
    assert _table(report, "approvals", "by_institution") == [["Deputy Commissioner's Office, Dhaka", 5, 5.0, 22.0,
                                                              30.0]]
    assert report.section("approvals").charts[0].series == {"Posts": [0.0, 2.0, 2.0, 1.0, 0.0]}

    # Screening: A, B (draft and correction), C and E were written or edited in Q3 (D in Q2).
    assert report.figure("screening", "screened") == 4
    with svc.db.session(write=False) as session:
        flagged = {r.post_id for r in session.scalars(select(Revision).where(
            Revision.created_at >= start, Revision.created_at < end)) if r.report["findings"]}
    assert ids["C"] in flagged
    assert report.figure("screening", "flagged") == len(flagged)
    categories = dict((r[0], r[1]) for r in _table(report, "screening", "by_category"))
    assert categories["Confidential or personal data"] >= 1
    assert any(r[0].startswith("§9") for r in _table(report, "screening", "by_clause"))
    overrides = _table(report, "screening", "overrides")
    assert [(r[1], r[4], r[5]) for r in overrides] == [
        (ids["C"], "Abdul Karim (approver)", "the number is the office's own helpline, checked")]
    assert overrides[0][0] == z("2026-09-19T06:00")
    blocked = _table(report, "screening", "published_block")
    assert [(r[1], r[5]) for r in blocked] == [(ids["C"], "Abdul Karim (approver)")]
    assert report.figure("screening", "overrides") == report.figure("screening", "published_block") == 1

    # Corrections (CG 8): B corrected 5 h after publication; C retracted after 24 h.
    corrections = _table(report, "corrections", "corrections")
    assert [(r[0], r[3], r[6], r[7]) for r in corrections] == [
        (ids["B"], "Correction", 5.0, "the time of the ceremony was wrong"),
        (ids["C"], "Retraction", 24.0, "a citizen's number was published")]
    assert (report.figure("corrections", "corrections"), report.figure("corrections", "retractions")) == (1, 1)
    assert report.figure("corrections", "median_hours") == 14.5

    # Accounts: the demo's Facebook page meets its checklist; the X account (a person's name,
    # password changed 200 days before the demo was seeded) does not.
    checklist = {r[1]: r for r in _table(report, "accounts", "checklist")}
    assert checklist["DC Office Dhaka (Facebook)"][3] == 0
    assert checklist["Md. Abdul Karim (X)"][3] > 0 and checklist["Md. Abdul Karim (X)"][8] == 90
    assert report.figure("accounts", "failing") == 1

    assert report.summary[0] == ("This report covers Deputy Commissioner's Office, Dhaka for Q3 2026 "
                                 "(July–September), from 1 Jul 2026 to 30 Sept 2026.")
    assert "4 posts were published on 2 of 2 official accounts." in report.summary


def test_a_rolled_up_report_covers_the_institutions_below(svc: Services, demo: Demo, quarter3: Quarter3) -> None:
    alone = _build(svc, demo, where="ministry")
    assert alone.figure("posts", "published") == 0 and alone.figure("posts", "accounts") == 0
    rolled = _build(svc, demo, where="ministry", children=True, user="monitor")
    assert rolled.figure("posts", "published") == 4 and rolled.figure("approvals", "approved") == 5
    assert rolled.institutions == ["Ministry of Public Administration", "Deputy Commissioner's Office, Dhaka"]
    assert rolled.scope.institution_ids == (demo.institutions["ministry"], demo.institutions["district"])


def test_only_monitors_and_admins_build_reports(svc: Services, demo: Demo) -> None:
    assert _build(svc, demo, user="monitor").scope.root_id == demo.institutions["district"]
    assert _build(svc, demo, user="admin", where="cg").scope.time_zone == "Asia/Kolkata"
    with pytest.raises(Forbidden):
        _build(svc, demo, user="karim")  # an approver of the district
    with pytest.raises(NotFound):
        _build(svc, demo, user="rahima", where="ministry")  # cannot see it
    with pytest.raises(NotFound):
        _build(svc, demo, user="monitor", where="cg")  # another country's office
    with pytest.raises(InvalidInput):
        _build(svc, demo, lang="fr")


# --- the files -----------------------------------------------------------------------------------

def test_csv_is_long_format_with_the_same_figures(svc: Services, demo: Demo, quarter3: Quarter3) -> None:
    text = to_csv(_build(svc, demo))
    assert text.startswith("\ufeffsection,table,row,column,value\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]
    assert ["report", "meta", "quarter", "Quarter", "2026Q3"] in rows
    assert ["report", "meta", "start", "Period", "2026-07-01T00:00+06:00"] in rows
    assert ["posts", "figures", "published", "Posts published", "4"] in rows
    assert ["approvals", "figures", "p90_hours", "90th percentile time to approval (hours)", "22.0"] in rows
    per_account = [r for r in rows if r[:2] == ["posts", "per_account"]]
    assert ["posts", "per_account", "1", "Total", "3"] in per_account
    assert ["posts", "per_account", "1", "Jul 2026", "2"] in per_account
    override = [r for r in rows if r[:2] == ["screening", "overrides"]]
    assert ["screening", "overrides", "1", "Date", "2026-09-19T12:00+06:00"] in override
    assert ["screening", "overrides", "1", "Approved by", "Abdul Karim (approver)"] in override


def test_xlsx_has_a_sheet_per_section(svc: Services, demo: Demo, quarter3: Quarter3) -> None:
    report = _build(svc, demo, lang="bn")
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    titles = [s.title for s in report.sections]
    # Excel refuses []:*?/\ in sheet names, and more than 31 characters.
    assert book.sheetnames[0] == "সারসংক্ষেপ"
    assert book.sheetnames[1:] == [re.sub(r"[\[\]:*?/\\]", " ", t).strip()[:31] for t in titles]
    summary = book.worksheets[0]
    assert summary["A1"].value == "ত্রৈমাসিক পরিবীক্ষণ প্রতিবেদন"
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["প্রকাশিত পোস্ট"] == 4  # a number, not Bengali digits, so it can be summed
    posts = book[titles[0][:31]]
    cells = list(posts.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(cells) if r[0] == "প্রতিষ্ঠান")
    assert cells[header][2:6] == ("জুল ২০২৬", "আগ ২০২৬", "সেপ ২০২৬", "মোট")
    assert cells[header + 1][5] == 3 and cells[header + 2][5] == 1
    overrides = book[report.section("screening").title[:31]]
    dates = [c for row in overrides.iter_rows(values_only=True) for c in row if isinstance(c, dt.datetime)]
    assert dt.datetime(2026, 9, 19, 12, 0) in dates  # Dhaka's wall time


def test_html_is_a_standalone_document_in_the_reports_language(svc: Services, demo: Demo,
                                                                quarter3: Quarter3) -> None:
    html = to_html(_build(svc, demo, lang="bn"))
    assert html.startswith("<!doctype html>") and '<html lang="bn">' in html
    assert "ত্রৈমাসিক পরিবীক্ষণ প্রতিবেদন" in html and "২০২৬ সালের তৃতীয় ত্রৈমাসিক" in html
    assert 'id="table-posts-per_account"' in html and html.count("data:image/svg+xml;base64,") >= 3
    assert '<td class="num">৩</td>' in html  # Bengali digits in a Bengali report
    assert "<script" not in html
    english = to_html(_build(svc, demo))
    assert "Quarterly monitoring report" in english and '<td class="num">3</td>' in english


# --- the command line ----------------------------------------------------------------------------

def test_the_command_writes_each_format_and_fails_clearly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], screening: Any) -> None:
    from satark.cli import main as satark_main
    from satark.service.demo import seed_demo
    from satark.service.settings import Settings

    data = tmp_path / "data"
    monkeypatch.setenv("SATARK_DATA_DIR", str(data))
    monkeypatch.setenv("SATARK_MODE", "rules")
    for name in ("SATARK_DATABASE_URL", "SATARK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("satark.service.context.Screening", lambda mode=None: screening)
    seeded = Services(Settings(data_dir=data), screening=screening)
    seeded.db.upgrade()
    with seeded.db.session() as session:
        seed_demo(session, screening)
    seeded.db.dispose()

    def run(*args: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as exited:
            satark_main(["report", "quarterly", *args])
        return int(exited.value.code or 0), capsys.readouterr().err

    for ext in ("pdf", "html", "csv", "xlsx"):
        out = tmp_path / f"q.{ext}"
        code, err = run("--institution", "1", "--quarter", "2026Q3", "--include-children", "--lang", "bn",
                        "--out", str(out))
        assert code == 0 and err.startswith(f"wrote {out}"), err
        assert out.stat().st_size > 500
    assert (tmp_path / "q.pdf").read_bytes().startswith(b"%PDF")
    assert "section,table,row,column,value" in (tmp_path / "q.csv").read_text(encoding="utf-8-sig")
    assert run("--institution", "1", "--quarter", "2026Q3", "--out", str(tmp_path / "q.docx"))[0] == 3  # usage
    code, err = run("--institution", "99", "--quarter", "2026Q3", "--out", str(tmp_path / "x.pdf"))
    assert (code, err.strip()) == (4, "satark: no institution 99")
    code, err = run("--institution", "1", "--quarter", "2026Q5", "--out", str(tmp_path / "x.pdf"))
    assert code == 4 and "2026Q3" in err
    code, err = run("--institution", "1", "--quarter", "2026Q3", "--lang", "fr", "--out", str(tmp_path / "x.pdf"))
    assert code == 4 and "en, hi, bn" in err
    assert not (tmp_path / "x.pdf").exists()
