"""Demo citizens' comments, replies, holidays, templates and a GRS referral (issue 12).

Spread over the current quarter so that a newcomer's quarterly report has comments answered
in time and late, two overdue now, and a grievance lodged with GRS under a tracking number.
Called by :func:`satark.service.demo.seed_demo` with its users and institutions.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import grs, inbox
from .models import Account, Institution, User
from .models_inbox import InboxItem
from .reports.quarter import Quarter
from .screening import Screening

__all__ = ["seed"]

#: (text, kind, author, hours to the first response or None, or "overdue" for one unanswered)
_DHAKA: list[tuple[str, str, str, float | None]] = [
    ("বিজয় দিবসের অনুষ্ঠান কখন শুরু হবে?", "question", "tanvir.hasan", 3),
    ("ধন্যবাদ জেলা প্রশাসনকে, খুব সুন্দর আয়োজন।", "comment", "nusrat.j", None),
    ("আমাদের এলাকার রাস্তার বাতি এক মাস ধরে নষ্ট। আমার মোবাইল ০১৭১১২২৩৩৪৪, দয়া করে ব্যবস্থা নিন।",
     "complaint", "rafiq.mia", 20),
    ("When will the land records office reopen after the holiday?", "question", "ahmed_k", 30),
    ("Jomir namjari koto din lage? Kono update nai.", "question", "sumon1990", 5),
    ("ট্রেড লাইসেন্স নবায়নের ফি কত?", "question", "karim.store", 50),
    ("তোরা সব চোর, শালা!", "comment", "angry.user", None),
    ("Excellent initiative on the digital service centre, thank you.", "comment", "farhana.r", 2),
    ("ভূমি অফিসে নামজারির আবেদন তিন মাস ধরে পড়ে আছে, কেউ কোনো উত্তর দিচ্ছে না। দ্রুত ব্যবস্থা নেওয়ার অনুরোধ করছি।",
     "complaint", "abdul.hamid", 8),
    ("Flood relief distribution list kothay pabo?", "question", "rony.ctg", 26),
    ("ডেঙ্গু প্রতিরোধে মশার ওষুধ কবে ছিটানো হবে? contact me: rahim.uddin@gmail.com", "question", "rahim.u", 12),
    ("বাল্যবিবাহ বন্ধে আপনাদের উদ্যোগ প্রশংসনীয়।", "comment", "mitu.akter", None),
]
_RAIPUR: list[tuple[str, str, str, float | None]] = [
    ("राशन कार्ड के लिए आवेदन कहाँ करें? मेरा मोबाइल 9876543210 है।", "question", "ramesh.sahu", 10),
    ("पेंशन का भुगतान छह महीने से रुका हुआ है, कार्यालय में कोई सुनवाई नहीं हो रही।", "complaint", "kamla.devi", 60),
    ("Collector sahab ka camp bahut accha tha, dhanyavaad.", "comment", "vikas_raipur", None),
    ("Please share the schedule for the Aadhaar update camp in Abhanpur.", "question", "sunita.verma", 40),
    ("सड़क की मरम्मत कब होगी? बारिश में बहुत परेशानी है।", "complaint", "mohan.lal", 20),
]
_OVERDUE: list[tuple[str, str, str, float]] = [
    ("পানির লাইনে তিন দিন ধরে পানি নেই, কেউ দেখছে না।", "complaint", "shirin.a", 30),
    ("Birth certificate correction er jonno kothay jabo? Kal theke try korchi.", "question", "jewel.r", 52),
]
_TEMPLATES = [
    ("thanks", "bn", "আপনার মন্তব্যের জন্য ধন্যবাদ। বিষয়টি আমরা গুরুত্বের সঙ্গে দেখছি।"),
    ("thanks", "en", "Thank you for your comment. We are looking into it."),
    ("thanks", "hi", "आपकी टिप्पणी के लिए धन्यवाद। हम इस पर ध्यान दे रहे हैं।"),
    ("grs", "bn", "আপনার অভিযোগটি অভিযোগ প্রতিকার ব্যবস্থায় (জিআরএস) পাঠানো হয়েছে। ট্র্যাকিং নম্বর: "),
    ("grs", "en", "Your grievance has been referred to the Grievance Redress System (GRS). Tracking number: "),
]
_REPLIES = {"bn": "ধন্যবাদ। বিষয়টি সংশ্লিষ্ট শাখায় পাঠানো হয়েছে, শীঘ্রই জানানো হবে।",
            "en": "Thank you. The matter has been sent to the section concerned; we will let you know soon.",
            "hi": "धन्यवाद। मामला संबंधित शाखा को भेज दिया गया है, शीघ्र सूचित किया जाएगा।"}


def _account(session: Session, institution: Institution, platform: str = "facebook") -> Account | None:
    return session.scalar(select(Account).where(Account.institution_id == institution.id, Account.platform == platform)
                          .order_by(Account.id))


def _answer(session: Session, screening: Screening, item_id: int, writer: User, approver: User | None,
            hours: float, lang: str) -> None:
    item = session.get(InboxItem, item_id)
    assert item is not None
    reply = inbox.draft_reply(session, screening, writer, item, text=_REPLIES.get(lang, _REPLIES["en"]))
    if approver is not None:
        inbox.submit_reply(session, writer, reply)
        inbox.approve_reply(session, approver, reply)
    inbox.mark_sent(session, writer, reply, link=f"{item.account.url or 'https://facebook.com'}/comments/{item.id}",
                    sent_at=item.received_at + dt.timedelta(hours=hours))


def seed(session: Session, screening: Screening, users: dict[str, User], places: dict[str, Institution],
         now: dt.datetime) -> None:
    district, cg = places["district"], places["cg_office"]
    admin, sohel, karim = users["admin"], users["sohel"], users["karim"]
    # Settings: the district answers within 24 hours with approval; Raipur within 2 working days.
    inbox.update_policy(session, admin, cg.id, target_value=2, target_unit="working_days",
                        replies_need_approval=True)
    for inst, days in ((district, [(2, 21, "আন্তর্জাতিক মাতৃভাষা দিবস"), (3, 26, "স্বাধীনতা দিবস"),
                                   (12, 16, "বিজয় দিবস")]),
                       (cg, [(1, 26, "गणतंत्र दिवस"), (8, 15, "स्वतंत्रता दिवस"), (10, 2, "गांधी जयंती")])):
        for month, day, name in days:
            inbox.add_holiday(session, admin, inst.id, day=dt.date(now.year, month, day), name=name)
    for name, lang, text in _TEMPLATES:
        inbox.create_template(session, admin, district.id, name=name, lang=lang, text=text)
    inbox.create_template(session, admin, cg.id, name="thanks", lang="hi", text=_TEMPLATES[2][2])
    dhaka_fb, raipur_fb = _account(session, district), _account(session, cg)
    if dhaka_fb is None or raipur_fb is None:  # pragma: no cover - the demo's own accounts
        return
    # Raipur's comments are handled by its admin (the demo gives Raipur no moderator).
    for inst, account, rows, writer, approver in (
            (district, dhaka_fb, _DHAKA, sohel, karim), (cg, raipur_fb, _RAIPUR, admin, users["arvind"])):
        start, _end = Quarter.containing(now, inst.timezone).bounds(inst.timezone)
        # The latest answered comment was received four days ago, the first soon after the quarter began.
        span = max(now - dt.timedelta(days=4) - start, dt.timedelta(hours=len(rows)))
        for i, (text, kind, author, hours) in enumerate(rows):
            received = start + span * (i + 0.5) / len(rows)
            item = inbox.create_item(session, screening, writer, account_id=account.id, text=text, kind=kind,
                                     author_handle=author, received_at=received, now=now,
                                     link=f"{account.url or 'https://facebook.com'}/posts/{2000 + i}")
            if item.abusive:
                inbox.close_item(session, writer, item, reason="abusive; hidden on the page")
                continue
            if hours is None:
                inbox.set_tags(session, writer, item, ["praise"])
                inbox.close_item(session, writer, item, reason="praise; no answer needed")
                continue
            inbox.assign(session, writer, item, writer.id)
            _answer(session, screening, item.id, writer, approver, hours, item.lang)
            if "নামজারির" in text or "पेंशन" in text:
                referral = grs.create_referral(session, screening, writer, item,
                                               now=received + dt.timedelta(hours=hours))
                number = "GRS-2026-004512" if "নামজারির" in text else "DARPG/E/2026/0031187"
                grs.update_referral(session, screening, writer, referral, "lodge", tracking_number=number,
                                    at=max(received + dt.timedelta(hours=hours + 1), now - dt.timedelta(days=10)),
                                    now=now)
    for text, kind, author, hours in _OVERDUE:
        item = inbox.create_item(session, screening, sohel, account_id=dhaka_fb.id, text=text, kind=kind,
                                 author_handle=author, received_at=now - dt.timedelta(hours=hours), now=now)
        inbox.assign(session, sohel, item, sohel.id)
