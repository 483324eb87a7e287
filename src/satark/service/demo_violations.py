"""Demo cases for the violation register: three incidents at different steps, this quarter.

Called by :func:`satark.service.demo.seed_demo` with the demo's users and institutions, so a
newcomer finds a case awaiting a reply (Bengali, a BD district), one decided with a warning
(a BD employee without a Satark account) and one in Hindi for the Chhattisgarh office.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from . import violations
from .models import Institution, User
from .models_violations import ViolationCase
from .reports.quarter import Quarter
from .screening import Screening
from .timezones import zone

__all__ = ["seed"]


def seed(session: Session, screening: Screening, users: dict[str, User], places: dict[str, Institution],
         now: dt.datetime) -> list[ViolationCase]:
    """Create the demo cases; every date falls in the current quarter and none after ``now``."""

    def at(place: Institution, days_ago: int) -> dt.datetime:
        """``days_ago`` days before today at 10:00 in the institution's zone, within this quarter."""
        tz = zone(place.timezone)
        today = now.astimezone(tz).date()
        day = max(today - dt.timedelta(days=days_ago), Quarter.containing(now, place.timezone).first_day)
        return min(dt.datetime.combine(day, dt.time(10), tzinfo=tz).astimezone(dt.UTC), now)

    district, cg = places["district"], places["cg_office"]
    monitor, admin = users["monitor"], users["admin"]

    # 1. A citizen's phone number on an employee's personal page: the notice is out, the reply is awaited.
    leak = violations.create_case(
        session, screening, monitor, institution_id=district.id,
        text="অভিযোগকারী রহিম উদ্দিনের মোবাইল নম্বর ০১৭১১২২৩৩৪৪ — উনি বারবার অফিসে এসে ঝামেলা করেন, সবাই সাবধান।",
        source_url="https://facebook.com/rahima.akter.demo/posts/2201", employee_id=users["rahima"].id,
        clause_ids=["BD-2019/9", "BD-2019/10/nga"],
        summary="কর্মচারীর ব্যক্তিগত ফেসবুক পাতায় একজন অভিযোগকারীর নাম ও মোবাইল নম্বর প্রকাশ।",
        occurred_on=at(district, 6).astimezone(zone(district.timezone)).date(), now=at(district, 5))
    violations.issue_show_cause(session, monitor, leak, reply_days=7, now=at(district, 2),
                                note="কারণ দর্শানোর নোটিশ নং ০৫.৪২.২৬০০.০০১.২৬-১১৮ জারি করা হয়েছে।")

    # 2. A party-political post by an employee without a Satark account: explained, then warned.
    political = violations.create_case(
        session, screening, monitor, institution_id=district.id,
        text="আগামী নির্বাচনে আমাদের দলকে ভোট দিন, উন্নয়নের ধারা অব্যাহত রাখুন!",
        source_url="https://facebook.com/zahid.hasan.demo/posts/77", employee_name="মোঃ জাহিদ হাসান",
        employee_designation="অফিস সহকারী, উপজেলা ভূমি অফিস", clause_ids=["BD-2019/10/ga"],
        summary="সরকারি কর্মচারীর দলীয় রাজনৈতিক প্রচারণা।", now=at(district, 12))
    violations.issue_show_cause(session, monitor, political, reply_days=5, now=at(district, 11))
    violations.record_explanation(session, monitor, political, now=at(district, 7),
                                  note="কর্মচারী ভুল স্বীকার করে পোস্টটি মুছে ফেলেছেন এবং ক্ষমা চেয়েছেন।")
    violations.decide(session, monitor, political, outcome="warning", now=at(district, 3),
                      note="প্রথমবারের ভুল এবং পোস্ট মুছে ফেলায় লিখিত সতর্ক করা হলো।")

    # 3. Chhattisgarh: minutes of an internal meeting posted to a WhatsApp group (Directive 1).
    minutes = violations.create_case(
        session, screening, admin, institution_id=cg.id,
        text="आज की आंतरिक समीक्षा बैठक की गोपनीय कार्यवाही की प्रति संलग्न है, सब लोग देख लें और आगे भेज दें।",
        source_url="https://chat.whatsapp.com/demo-group", employee_id=users["priya"].id,
        clause_ids=["IN-CG-2017/1"], summary="शासकीय बैठक की गोपनीय कार्यवाही सोशल मीडिया समूह में साझा की गई।",
        now=at(cg, 9))
    violations.issue_show_cause(session, admin, minutes, reply_days=3, now=at(cg, 8),
                                note="कारण बताओ सूचना जारी; तीन दिवस में लिखित स्पष्टीकरण अपेक्षित।")
    return [leak, political, minutes]
