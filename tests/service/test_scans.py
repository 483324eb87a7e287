"""Audits of uploaded platform exports in the service (issue 13, section 2): upload, background
run with progress, resume without screening twice, permissions, the archive's "imported" items,
the violation hook, and comments feeding the inbox's response times."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from satark.importers.base import ImportProblem, Record
from satark.service import scans
from satark.service.models import AuditEvent
from satark.service.models_inbox import InboxItem
from satark.service.models_scans import ScanItem, ScanJob, ScanProblem
from satark.service.reports.build import build_report

BN_CLEAR = "আজ উপজেলা পরিষদে বৃক্ষরোপণ কর্মসূচি পালিত হয়েছে।"
HI_CLEAR = "ग्राम पंचायत भवन में कल सुबह 10 बजे स्वास्थ्य शिविर लगेगा।"
BN_LEAK = "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪"
BN_COMMENT = "রাস্তার কাজ কবে শেষ হবে? আমাদের পাড়ায় খুব কষ্ট হচ্ছে।"
BN_REPLY = "ধন্যবাদ, আগামী সপ্তাহে কাজ শেষ হবে।"
T0 = dt.datetime(2026, 8, 3, 4, 0, tzinfo=dt.UTC)  # 2026Q3


def _jsonl(records: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records)


def _records(n: int, *, leak_every: int = 4) -> list[Record]:
    texts = [BN_CLEAR, HI_CLEAR, "Road repair starts on Monday in ward 7."]
    return [Record(platform="jsonl", item_id=f"p{i}", kind="post", created_at=T0 + dt.timedelta(hours=i),
                   text=BN_LEAK if i % leak_every == 3 else texts[i % 3], author="dcdhaka",
                   links=(f"https://example.gov.bd/notice/{i}",), source_file="posts.jsonl", pointer=str(i))
            for i in range(n)]


class FakeReader:
    """Stands in for the importers' registry: yields the given entries, and counts the reads."""

    def __init__(self, entries: list[Record | ImportProblem], *, fail_after: int | None = None) -> None:
        self.entries = entries
        self.fail_after = fail_after
        self.calls = 0

    def __call__(self, path: Path, importer: str) -> Iterator[Record | ImportProblem]:
        assert path.exists()
        self.calls += 1
        yield from self.entries


def _upload(svc: Any, demo: Any, user: str = "monitor", account: str = "dhaka_fb", content: bytes = b"x\n",
            name: str = "posts.jsonl") -> int:
    from satark.service.models import User

    with svc.db.session() as session:
        who = session.scalar(select(User).where(User.username == user))
        job = scans.upload(session, who, account_id=demo.accounts[account], content=content, filename=name)
        return job.id


class CountingScreening:
    """Wraps the service's screening: records every text screened, and checks that no write
    unit (on SQLite: the one write lock) is held meanwhile."""

    def __init__(self, inner: Any, db: Any) -> None:
        self.inner = inner
        self.db = db
        self.texts: list[str] = []

    def screen_batch(self, texts: list[str], **kwargs: Any) -> list[Any]:
        assert not self.db.in_write_unit() and self.db.open_write_units == 0
        self.texts.extend(texts)
        return list(self.inner.screen_batch(texts, **kwargs))


# --- the domain: run, progress, resume -----------------------------------------------------------

def test_a_job_runs_to_done_with_progress_and_problems(svc, demo) -> None:
    entries: list[Record | ImportProblem] = [*_records(10)]
    entries.insert(5, ImportProblem("posts.jsonl", "line 6", "line 6: not valid JSON"))
    job_id = _upload(svc, demo)
    runner = scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(entries))
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and job.state == "queued" and scans.progress(job) is None
    assert runner.run_pending() == 1
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None
        assert (job.state, job.items, job.done, job.problems, job.claim) == ("done", 10, 10, 1, "")
        assert job.flagged == 2 and scans.progress(job) == 1.0
        assert job.started_at is not None and job.finished_at is not None
        items = list(session.scalars(select(ScanItem).where(ScanItem.job_id == job_id).order_by(ScanItem.seq)))
        assert [i.item_id for i in items] == [f"p{i}" for i in range(10)]
        leak = items[3]
        assert leak.flagged and leak.verdict == "block" and "confidential" in leak.categories.split(",")
        assert any(f["category"] == "confidential" for f in leak.report["findings"])
        assert not items[0].flagged and items[0].report["verdict"] == "clear"
        problem = session.scalar(select(ScanProblem).where(ScanProblem.job_id == job_id))
        assert problem is not None and problem.pointer == "line 6"
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "scan",
                                                                       AuditEvent.object_id == job_id)))
        assert actions == ["scan_uploaded", "scan_finished"]


def test_items_without_text_or_that_cannot_be_screened_are_kept_with_a_note(svc, demo) -> None:
    entries: list[Record | ImportProblem] = [
        Record(platform="x", item_id="m1", kind="post", created_at=T0, text="", media=("data/media/1.jpg",)),
        Record(platform="x", item_id="n1", kind="post", created_at=T0, text="NUL\x00 inside " + BN_CLEAR),
        Record(platform="x", item_id="m1", kind="post", created_at=T0, text=BN_CLEAR),  # the id again
    ]
    job_id = _upload(svc, demo)
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(entries)).run_pending()
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and job.state == "done" and job.done == 2
        items = {i.item_id: i for i in session.scalars(select(ScanItem).where(ScanItem.job_id == job_id))}
        assert items["m1"].note.startswith("no text") and items["m1"].report == {}
        assert "\x00" not in items["n1"].text and items["n1"].report["verdict"] == "clear"


def test_a_restart_resumes_without_screening_an_item_twice(svc, demo) -> None:
    records = _records(23)
    job_id = _upload(svc, demo)
    counting = CountingScreening(svc.screening, svc.db)
    stop = threading.Event()

    class StopAfterTwoBatches(FakeReader):
        def __call__(self, path: Path, importer: str) -> Iterator[Record | ImportProblem]:
            for n, entry in enumerate(super().__call__(path, importer)):
                if self.calls == 2 and n == 12:  # the second read (the first counts): stop mid-way
                    stop.set()
                yield entry

    claimed = scans.claim_next(svc.db)
    assert claimed is not None
    outcome = scans.run_job(svc.db, counting, *claimed, reader=StopAfterTwoBatches(list(records)),  # type: ignore[arg-type]
                            batch=5, stop=stop)
    assert outcome == "stopped"
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and job.state == "queued" and job.items == 23 and 0 < job.done < 23
        first_done = job.done
    assert len(counting.texts) == first_done

    # Then the process dies mid-batch: the job is left 'running' under a claim nobody holds.
    claimed = scans.claim_next(svc.db)
    assert claimed is not None
    assert scans.claim_next(svc.db) is None  # nobody else can take it meanwhile
    assert scans.requeue_stale(svc.db) == 0  # its worker wrote a moment ago: alive
    later = dt.datetime.now(dt.UTC) + scans.STALE_AFTER + dt.timedelta(seconds=1)
    assert scans.requeue_stale(svc.db, now=later) == 1

    runner = scans.ScanRunner(svc.db, counting, reader=FakeReader(list(records)))  # type: ignore[arg-type]
    assert runner.run_pending() == 1
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and (job.state, job.done, job.items) == ("done", 23, 23)
        ids = list(session.scalars(select(ScanItem.item_id).where(ScanItem.job_id == job_id).order_by(ScanItem.seq)))
    assert ids == [r.item_id for r in records]
    # every item screened exactly once over both runs
    assert sorted(counting.texts) == sorted(r.text for r in records)


def test_a_worker_that_lost_its_job_writes_nothing_more(svc, demo) -> None:
    job_id = _upload(svc, demo)
    claimed = scans.claim_next(svc.db)
    assert claimed is not None
    from satark.service.models import User

    with svc.db.session() as session:
        job = session.get(ScanJob, job_id)
        assert job is not None
        scans.cancel(session, session.scalar(select(User).where(User.username == "monitor")), job)
    assert scans.run_job(svc.db, svc.screening, *claimed, reader=FakeReader(list(_records(8)))) == "lost"
    with svc.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ScanItem)) == 0
        assert session.get(ScanJob, job_id).state == "cancelled"  # type: ignore[union-attr]


def test_a_broken_export_fails_the_job_with_its_message(svc, demo) -> None:
    job_id = _upload(svc, demo)

    def broken(path: Path, importer: str) -> Iterator[Record | ImportProblem]:
        raise ValueError(f"{path.name}: not an export any importer reads")
        yield  # pragma: no cover

    scans.ScanRunner(svc.db, svc.screening, reader=broken).run_pending()
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and job.state == "failed" and "not an export any importer reads" in job.error


# --- comments feed the inbox ---------------------------------------------------------------------

def test_comments_become_inbox_items_and_own_replies_stop_their_clocks(svc, demo) -> None:
    post = Record(platform="facebook", item_id="post1", kind="post", created_at=T0, text=BN_CLEAR,
                  author="DC Office Dhaka — জেলা প্রশাসকের কার্যালয়, ঢাকা")
    asked = Record(platform="facebook", item_id="c1", kind="comment", created_at=T0 + dt.timedelta(hours=1),
                   text=BN_COMMENT, parent_id="post1", author="নাগরিক ক")
    answer = Record(platform="facebook", item_id="r1", kind="reply", created_at=T0 + dt.timedelta(hours=7),
                    text=BN_REPLY, parent_id="c1", author="@DCDhaka")
    unanswered = Record(platform="facebook", item_id="c2", kind="comment", created_at=T0 + dt.timedelta(hours=2),
                        text="ওয়ার্ড ৭-এ পানি নেই।", parent_id="post1", author="নাগরিক খ")
    anonymous = Record(platform="facebook", item_id="c3", kind="comment", created_at=T0 + dt.timedelta(hours=3),
                       text="কে লিখেছে জানা নেই", parent_id="post1")
    entries: list[Record | ImportProblem] = [post, asked, answer, unanswered, anonymous]
    job_id = _upload(svc, demo)
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(entries)).run_pending()
    with svc.db.session(write=False) as session:
        job = session.get(ScanJob, job_id)
        assert job is not None and (job.comments, job.responses) == (2, 1)
        items = {i.external_id: i for i in session.scalars(select(InboxItem).where(InboxItem.source == "scan"))}
        assert set(items) == {"c1", "c2"}
        assert items["c1"].received_at == asked.created_at and items["c1"].first_response_at == answer.created_at
        assert items["c1"].status == "answered" and items["c1"].author_handle == "নাগরিক ক"
        assert items["c2"].first_response_at is None and items["c2"].status == "open"
        report = build_report(session, institution_id=demo.institutions["district"], quarter="2026Q3",
                              screening=svc.screening, now=dt.datetime(2026, 10, 5, tzinfo=dt.UTC))
        assert report.figure("comments", "received") == 2
        assert report.figure("comments", "answered") == 1
        assert report.figure("comments", "median_hours") == 6.0
    # feeding again (a resumed job) makes nothing twice
    assert scans.feed_inbox(svc.db, job_id) == (0, 0)
    with svc.db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(InboxItem).where(InboxItem.source == "scan")) == 2


def test_x_replies_to_posts_outside_the_export_count_from_their_snowflake_time(svc, demo) -> None:
    asked_at = T0 + dt.timedelta(minutes=10)
    reply = Record(platform="x", item_id="1820000000000000001", kind="reply", created_at=T0 + dt.timedelta(hours=3),
                   text="@nagorik_ka ধন্যবাদ, বিষয়টি দেখা হচ্ছে।", parent_id="1819999999999999999", author="karim_dc",
                   extra={"in_reply_to": "nagorik_ka", "parent_created_at": asked_at.isoformat()})
    thread = Record(platform="x", item_id="1820000000000000002", kind="reply", created_at=T0 + dt.timedelta(hours=4),
                    text="২/২ আরও তথ্য শীঘ্রই।", parent_id="1820000000000000001", author="karim_dc",
                    extra={"in_reply_to": "karim_dc", "parent_created_at": T0.isoformat()})
    job_id = _upload(svc, demo, account="karim_x")
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader([reply, thread])).run_pending()
    with svc.db.session(write=False) as session:
        items = list(session.scalars(select(InboxItem).where(InboxItem.source == "scan")))
        assert len(items) == 1  # the account's own thread is no citizen's comment
        item = items[0]
        assert (item.external_id, item.author_handle) == ("1819999999999999999", "nagorik_ka")
        assert item.received_at == asked_at and item.first_response_at == reply.created_at
        assert "not in the export" in item.text and item.status == "answered"
        job = session.get(ScanJob, job_id)
        assert job is not None and (job.comments, job.responses) == (1, 1)


# --- the API ------------------------------------------------------------------------------------

@pytest.fixture
def idle_runner(client) -> Iterator[None]:
    """The app's own workers stopped, so a test runs jobs when it chooses."""
    client.app.state.scans.stop()
    yield


def _post_scan(api: Any, account_id: int, content: bytes, name: str = "posts.jsonl", **data: Any) -> Any:
    return api.post("/scans", data={"account_id": str(account_id), **data},
                    files={"file": (name, content, "application/octet-stream")})


def test_the_api_uploads_lists_and_shows_progress_and_items(svc, demo, as_user, idle_runner) -> None:
    monitor = as_user("monitor")
    response = _post_scan(monitor, demo.accounts["dhaka_fb"], _jsonl({"id": i} for i in range(3)))
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["state"] == "queued" and job["size"] > 0 and len(job["sha256"]) == 64
    assert monitor.ok("GET", f"/scans/{job['id']}")["progress"] is None
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(list(_records(8)))).run_pending()
    done = monitor.ok("GET", f"/scans/{job['id']}")
    assert (done["state"], done["items"], done["done"], done["flagged"], done["progress"]) == ("done", 8, 8, 2, 1.0)
    assert [j["id"] for j in monitor.ok("GET", "/scans")] == [job["id"]]
    flagged = monitor.ok("GET", f"/scans/{job['id']}/items", params={"flagged": "true"})
    assert flagged["total"] == 2 and all(i["flagged"] for i in flagged["results"])
    assert flagged["results"][0]["findings"][0]["category"] == "confidential"
    page = monitor.ok("GET", f"/scans/{job['id']}/items", params={"limit": 3, "offset": 3})
    assert page["total"] == 8 and [i["item_id"] for i in page["results"]] == ["p3", "p4", "p5"]
    assert monitor.ok("GET", f"/scans/{job['id']}/problems") == []


def test_only_admins_and_monitors_of_the_account_may_audit(demo, as_user, check_error, idle_runner) -> None:
    content = _jsonl([{"id": 1}])
    check_error(_post_scan(as_user("rahima"), demo.accounts["dhaka_fb"], content), 403, "forbidden")
    check_error(_post_scan(as_user("priya"), demo.accounts["dhaka_fb"], content), 404, "not_found")
    job = _post_scan(as_user("admin"), demo.accounts["dhaka_fb"], content).json()
    check_error(as_user("rahima").get(f"/scans/{job['id']}"), 403, "forbidden")
    check_error(as_user("priya").get(f"/scans/{job['id']}/items"), 404, "not_found")
    assert as_user("rahima").ok("GET", "/scans") == []
    assert [j["id"] for j in as_user("monitor").ok("GET", "/scans")] == [job["id"]]
    check_error(_post_scan(as_user("monitor"), demo.accounts["dhaka_fb"], b""), 422)
    unknown = check_error(_post_scan(as_user("monitor"), demo.accounts["dhaka_fb"], content, importer="myspace"), 422)
    assert "no importer named myspace; known: " in unknown["message"] and "youtube" in unknown["message"]
    cancelled = as_user("monitor").ok("POST", f"/scans/{job['id']}/cancel")
    assert cancelled["state"] == "cancelled"
    check_error(as_user("monitor").post(f"/scans/{job['id']}/cancel"), 409, "conflict")


@pytest.mark.parametrize("settings_overrides", [{"max_upload_bytes": 2048}])
def test_an_upload_over_the_limit_is_refused(demo, as_user, check_error, idle_runner) -> None:
    check_error(_post_scan(as_user("monitor"), demo.accounts["dhaka_fb"], b"x" * 5000), 413, "too_large")


# --- the archive and the violation hook ----------------------------------------------------------

def test_the_archive_finds_imported_items(svc, demo, as_user, client, idle_runner) -> None:
    _upload(svc, demo)
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(list(_records(8)))).run_pending()
    monitor = as_user("monitor")
    found = monitor.ok("GET", "/archive", params={"kind": "imported", "q": "বৃক্ষরোপণ"})
    assert found["total"] >= 1 and all(r["kind"] == "imported" and "বৃক্ষরোপণ" in r["text"]
                                       for r in found["results"])
    blocked = monitor.ok("GET", "/archive", params={"kind": "imported", "verdict": "block"})
    assert blocked["total"] == 2 and {r["item_id"] for r in blocked["results"]} == {"p3", "p7"}
    # posts stay apart: the default kind searches published posts only
    assert all("kind" not in r for r in monitor.ok("GET", "/archive")["results"])
    # an author sees no imported items (they may hold citizens' personal data)
    assert as_user("rahima").ok("GET", "/archive", params={"kind": "imported"})["total"] == 0
    csv_text = monitor.get("/archive", params={"kind": "imported", "format": "csv", "q": "০১৭১১"}).text
    assert csv_text.startswith("\ufeff") and "p3" in csv_text


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login(client: Any, username: str) -> str:
    """Log in through the form; the CSRF token of the session."""
    from satark.service.demo import DEMO_PASSWORD

    client.cookies.clear()
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/"},
                    headers={"Accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    found = _CSRF.search(client.get("/scans", headers={"Accept": "text/html"}).text)
    assert found
    return found.group(1)


def test_the_pages_show_progress_findings_and_open_a_violation_case(svc, demo, client, idle_runner) -> None:
    job_id = _upload(svc, demo)
    _login(client, "monitor")
    page = client.get(f"/scans/{job_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert f'hx-get="/scans/{job_id}/progress"' in page.text and 'hx-trigger="every 3s"' in page.text
    assert f'href="/scans/{job_id}"' in page.text  # the refresh link without script
    scans.ScanRunner(svc.db, svc.screening, reader=FakeReader(list(_records(8)))).run_pending()
    fragment = client.get(f"/scans/{job_id}/progress")
    assert fragment.headers.get("HX-Refresh") == "true"
    page = client.get(f"/scans/{job_id}", headers={"Accept": "text/html"})
    assert "hx-trigger" not in page.text.split('id="scan-progress"')[1].split(">")[0]
    assert '<mark class="flag flag-confidential"' in page.text and "০১৭১১২২৩৩৪৪" in page.text
    with svc.db.session(write=False) as session:
        leak = session.scalar(select(ScanItem.id).where(ScanItem.item_id == "p3"))
        assert leak is not None
    assert f'href="/scans/{job_id}/items/{leak}/violation"' in page.text
    form = client.get(f"/scans/{job_id}/items/{leak}/violation")
    assert form.status_code == 200 and BN_LEAK in form.text and "https://example.gov.bd/notice/3" in form.text
    item_page = client.get(f"/scans/{job_id}/items/{leak}")
    assert item_page.status_code == 200 and 'id="screen-result"' in item_page.text
    archive = client.get("/archive", params={"kind": "imported", "q": "০১৭১১"}, headers={"Accept": "text/html"})
    assert archive.status_code == 200 and f'href="/scans/{job_id}/items/{leak}"' in archive.text
    client.cookies.set("satark_lang", "bn")
    listing = client.get("/scans", headers={"Accept": "text/html"})
    assert listing.status_code == 200 and "posts.jsonl" in listing.text and "এক্সপোর্ট অডিট" in listing.text
    client.cookies.set("satark_lang", "hi")
    page = client.get(f"/scans/{job_id}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "चिह्नित आइटम" in page.text and "उल्लंघन का मामला खोलें" in page.text


def test_the_upload_form_queues_a_job(svc, demo, client, idle_runner) -> None:
    csrf = _login(client, "monitor")
    response = client.post("/scans", data={"account_id": str(demo.accounts["dhaka_fb"]), "csrf_token": csrf},
                           files={"file": ("export.zip", b"PK\x05\x06" + b"\x00" * 18, "application/zip")},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    with svc.db.session(write=False) as session:
        job = session.scalar(select(ScanJob))
        assert job is not None and job.filename == "export.zip" and response.headers["location"] == f"/scans/{job.id}"
    refused = client.post("/scans", data={"account_id": "", "csrf_token": csrf},
                          files={"file": ("a.jsonl", b"{}", "application/octet-stream")},
                          headers={"Accept": "text/html"})
    assert refused.status_code == 422 and "choose an account" in refused.text.lower()


# --- real exports, read by the importers ----------------------------------------------------------

def test_real_exports_are_read_by_the_importers(svc, demo, as_user, tmp_path, idle_runner) -> None:
    from export_fixtures import make_jsonl_export, make_x_export

    monitor = as_user("monitor")
    jsonl = make_jsonl_export(tmp_path, n=6, broken=True, texts=[BN_CLEAR, BN_LEAK, HI_CLEAR])
    x_zip = make_x_export(tmp_path / "x", n=5, zip=True)
    first = _post_scan(monitor, demo.accounts["dhaka_fb"], jsonl.read_bytes(), name=jsonl.name).json()
    second = _post_scan(monitor, demo.accounts["karim_x"], x_zip.read_bytes(), name="twitter-archive.zip").json()
    assert scans.ScanRunner(svc.db, svc.screening).run_pending() == 2
    done = monitor.ok("GET", f"/scans/{first['id']}")
    assert (done["state"], done["items"], done["done"]) == ("done", 6, 6), done
    assert done["flagged"] == 2 and done["problems"] >= 3
    problems = monitor.ok("GET", f"/scans/{first['id']}/problems")
    assert all(str(svc.settings.data_dir) not in p["file"] + p["message"] for p in problems)
    assert any("posts.jsonl" in p["file"] for p in problems)
    x_done = monitor.ok("GET", f"/scans/{second['id']}")
    assert (x_done["state"], x_done["done"]) == ("done", 5), x_done
    items = monitor.ok("GET", f"/scans/{second['id']}/items")["results"]
    assert {i["platform"] for i in items} == {"x"}


def test_an_upload_no_importer_reads_fails_with_a_clear_message(svc, demo, as_user, idle_runner) -> None:
    monitor = as_user("monitor")
    job = _post_scan(monitor, demo.accounts["dhaka_fb"], "শুধু কিছু লেখা\n".encode(), name="notes.txt").json()
    scans.ScanRunner(svc.db, svc.screening).run_pending()
    failed = monitor.ok("GET", f"/scans/{job['id']}")
    assert failed["state"] == "failed" and "notes.txt" in failed["error"]
    assert str(svc.settings.data_dir) not in failed["error"]


@pytest.mark.parametrize("settings_overrides", [{"scan_workers": 0}, {"scan_workers": 3}])
def test_the_number_of_audit_threads_is_a_setting(client: Any, svc: Any) -> None:
    """``SATARK_SCAN_WORKERS``: that many threads run export audits; 0 runs none (uploads wait)."""
    runner = client.app.state.scans
    assert runner.workers == svc.settings.scan_workers
    assert runner.running is (svc.settings.scan_workers > 0)
