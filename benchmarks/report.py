"""How long a quarterly monitoring report takes for a busy office: 10,000 posts and 50,000 comments.

    python benchmarks/report.py [--posts 10000] [--comments 50000] [--lang bn] [--keep DIR]

Seeds a throwaway SQLite database (the demo data, then the quarter 2026Q3 of the demo's
district office in bulk inserts: posts across ten official accounts with their revisions,
approvals and audit events, 2% corrected, 1% retracted, 3% published with a 'block' verdict
and an override; citizens' comments with their first responses, 85% answered) and times
building the report and writing it as PDF and as Excel. The bulk-inserted audit events carry
placeholder hashes: the chain does not verify, which the report never reads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from satark.service.context import Services
from satark.service.demo import seed_demo
from satark.service.models import Account, Approval, AuditEvent, Institution, Post, Revision, User
from satark.service.reports.build import build_report_in_read_unit
from satark.service.reports.quarter import Quarter
from satark.service.reports.render import render
from satark.service.settings import Settings

QUARTER = Quarter(2026, 3)
TEXTS = [
    "আগামী ১৬ ডিসেম্বর বিজয় দিবস উপলক্ষে জেলা প্রশাসনের পক্ষ থেকে সকাল ৯টায় পুষ্পস্তবক অর্পণ করা হবে।",
    "সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন। আমার মেয়ের জন্মদিনের ছবিও দিলাম!",
    "অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪",
    "জেলা প্রশাসকের কার্যালয়ে আগামী রবিবার গণশুনানি অনুষ্ঠিত হবে। সবাইকে উপস্থিত থাকার অনুরোধ করা হলো।",
    "Free COVID vaccination camp at the district hospital from 9 am to 4 pm on Saturday.",
]
COMMENTS = [
    "রাস্তার বাতি কবে ঠিক হবে? তিন সপ্তাহ ধরে অন্ধকার।",
    "ধন্যবাদ, খুব ভালো উদ্যোগ।",
    "জন্ম নিবন্ধনের আবেদন কোথায় করতে হবে?",
    "আমার জমির নামজারি দুই মাস ধরে আটকে আছে, দয়া করে ব্যবস্থা নিন।",
]
BATCH = 2000
PLATFORMS = ("facebook", "youtube", "instagram", "x", "linkedin", "telegram", "whatsapp", "other")


def _chunks(rows: list[dict[str, Any]]) -> Any:
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def seed(svc: Services, n_posts: int, n_comments: int, rng: random.Random) -> int:
    """Bulk-insert the quarter's activity; returns the district's institution id."""
    with svc.db.session() as session:
        seed_demo(session, svc.screening)
    reports = [svc.screening.screen(t, jurisdiction="BD", account_type="official") for t in TEXTS]
    comment_reports = [svc.screening.screen(t, jurisdiction="BD", account_type="personal") for t in COMMENTS]
    start, end = QUARTER.bounds("Asia/Dhaka")
    span = (end - start).total_seconds()

    def moment() -> dt.datetime:
        return start + dt.timedelta(seconds=rng.uniform(0, span - 7 * 86400))

    with svc.db.session() as session:
        district = session.scalar(select(Institution).where(Institution.short_name == "DC Office Dhaka"))
        assert district is not None
        users = {u.username: u.id for u in session.scalars(select(User))}
        session.execute(insert(Account), [
            {"institution_id": district.id, "platform": p, "handle": f"dcdhaka_{i}", "display_name": f"DC Dhaka {i}",
             "password_rotated_on": dt.date(2026, 9, 1)}
            for i, p in enumerate(PLATFORMS)])
        accounts = list(session.scalars(select(Account.id).where(Account.institution_id == district.id)))
        next_post = (session.scalar(select(func.max(Post.id))) or 0) + 1
        next_event = (session.scalar(select(func.max(AuditEvent.id))) or 0) + 1
        posts, revisions, approvals, events = [], [], [], []

        def event(action: str, at: dt.datetime, post_id: int, **details: Any) -> None:
            nonlocal next_event
            digest = hashlib.sha256(f"bench-{next_event}".encode()).hexdigest()
            events.append({"id": next_event, "at": at, "actor_id": users["karim"], "actor": "karim", "action": action,
                           "institution_id": district.id, "object_type": "post", "object_id": post_id,
                           "details": details, "chain": 2, "content": None, "prev_hash": "0" * 64, "hash": digest})
            next_event += 1

        for i in range(n_posts):
            pid = next_post + i
            roll = rng.random()
            report = reports[2] if roll < 0.03 else rng.choice([r for r in reports if r["verdict"] != "block"])
            verdict = report["verdict"]
            written = moment()
            submitted = written + dt.timedelta(minutes=rng.uniform(5, 600))
            approved = submitted + dt.timedelta(hours=min(72.0, rng.lognormvariate(1.5, 1.0)))
            published = approved + dt.timedelta(hours=rng.uniform(0.1, 12))
            state = "corrected" if 0.03 <= roll < 0.05 else "retracted" if 0.05 <= roll < 0.06 else "published"
            categories = ",".join(sorted({f["category"] for f in report["findings"]}))
            posts.append({"id": pid, "institution_id": district.id, "account_id": rng.choice(accounts),
                          "author_id": users["rahima"], "title": f"Notice {i}", "state": state, "revision_number": 1,
                          "required_tiers": 1, "approved_at": approved, "published_url": f"https://example.gov/{pid}",
                          "published_at": published, "published_revision": 1, "verdict": verdict,
                          "categories": categories, "search_text": report["text"], "created_at": written,
                          "updated_at": published, "retraction_reason": "superseded" if state == "retracted" else ""})
            revisions.append({"post_id": pid, "number": 1, "kind": "draft", "text": report["text"],
                              "editor_id": users["rahima"], "verdict": verdict, "report": report,
                              "created_at": written})
            approvals.append({"post_id": pid, "revision_number": 1, "user_id": users["karim"], "tier": 1,
                              "decision": "approved", "subject": "post", "created_at": approved, "active": False,
                              "override_reason": "checked with the office: it is our helpline" if verdict == "block"
                              else ""})
            event("post_submit", submitted, pid)
            event("post_approve", approved, pid)
            event("post_publish", published, pid)
            if state == "corrected":
                fixed = published + dt.timedelta(hours=rng.uniform(1, 48))
                revisions.append({"post_id": pid, "number": 2, "kind": "correction",
                                  "text": report["text"] + " (সংশোধিত)",
                                  "editor_id": users["rahima"], "verdict": "clear", "report": reports[0],
                                  "status": "live", "note": "the date was wrong", "created_at": fixed})
                event("post_correction_approved", fixed, pid, correction_revision=2)
            elif state == "retracted":
                event("post_retract", published + dt.timedelta(hours=rng.uniform(1, 72)), pid, reason="superseded")
        events.sort(key=lambda e: e["at"])
        for n, e in enumerate(events):
            e["id"] = next_event - len(events) + n
        for table, rows in ((Post, posts), (Revision, revisions), (Approval, approvals), (AuditEvent, events)):
            for chunk in _chunks(rows):
                session.execute(insert(table), chunk)

        from satark.service.models_inbox import InboxItem

        items = []
        for i in range(n_comments):
            received = moment()
            report = comment_reports[rng.randrange(len(comment_reports))]
            answered = rng.random() < 0.85
            items.append({"institution_id": district.id, "account_id": rng.choice(accounts), "platform": "facebook",
                          "kind": "question", "author_handle": f"citizen{i}", "text": report["text"],
                          "received_at": received, "due_at": received + dt.timedelta(hours=24), "report": report,
                          "status": "answered" if answered else "open", "lang": "bn",
                          "first_response_at": received + dt.timedelta(hours=rng.lognormvariate(2, 1))
                          if answered else None, "created_at": received, "updated_at": received})
        for chunk in _chunks(items):
            session.execute(insert(InboxItem), chunk)
        return district.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--lang", default="bn", choices=("en", "hi", "bn"))
    parser.add_argument("--keep", type=Path, help="Write the database and the reports here (default: a temp dir).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        svc = Services(Settings(data_dir=where / "data", screening_mode="rules", live_mode="rules"))
        svc.db.upgrade()
        started = time.perf_counter()
        district = seed(svc, args.posts, args.comments, random.Random(20261206))
        print(f"seeded {args.posts:,} posts and {args.comments:,} comments in {time.perf_counter() - started:.1f} s")
        now = QUARTER.bounds("Asia/Dhaka")[1] + dt.timedelta(days=5)
        for fmt in ("pdf", "xlsx"):
            started = time.perf_counter()
            report = build_report_in_read_unit(svc, institution_id=district, quarter=str(QUARTER), lang=args.lang,
                                               now=now)
            built = time.perf_counter() - started
            data = render(report, fmt)
            total = time.perf_counter() - started
            (where / f"report-{args.lang}.{fmt}").write_bytes(data)
            print(f"{fmt:>4}: {total:.2f} s wall ({built:.2f} s building the report from the database, "
                  f"{total - built:.2f} s writing {len(data):,} bytes); "
                  f"published {report.figure('posts', 'published'):,}")
        svc.db.dispose()


if __name__ == "__main__":
    main()
