"""A demo data set, so a newcomer can click through every flow at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import accounts, demo_inbox, demo_training, demo_violations, directory, workflow
from .models import Institution, User, utcnow
from .screening import Screening
from .security import new_password

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "seed_demo"]

#: Every demo user's password. A demo install is for trying the software, not for real use.
DEMO_PASSWORD = "satark-demo-2026"

#: username → (display name, [(institution key, role), ...])
DEMO_USERS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "admin": ("Site administrator", [("ministry", "admin")]),
    "rahima": ("Rahima Akter (author)", [("district", "author")]),
    "karim": ("Abdul Karim (approver)", [("district", "approver")]),
    "nasreen": ("Nasreen Haque (second approver)", [("district", "approver")]),
    "sohel": ("Sohel Rana (moderator)", [("district", "moderator")]),
    "monitor": ("Cabinet Division monitor", [("ministry", "monitor")]),
    "priya": ("Priya Sharma (author)", [("cg_office", "author")]),
    "arvind": ("Arvind Verma (approver)", [("cg_office", "approver")]),
}


@dataclass
class DemoResult:
    created: bool
    users: list[str]


def seed_demo(session: Session, screening: Screening) -> DemoResult:
    """Create the demo institutions, accounts, users and a few posts (once)."""
    if session.scalar(select(User).where(User.username == "admin")) is not None:
        return DemoResult(False, list(DEMO_USERS))
    ministry = directory.create_institution(
        session, None, screening, name="Ministry of Public Administration", short_name="MoPA", kind="ministry",
        jurisdiction="BD", website_url="https://mopa.gov.bd")
    district = directory.create_institution(
        session, None, screening, name="Deputy Commissioner's Office, Dhaka", short_name="DC Office Dhaka",
        kind="district", jurisdiction="BD", parent_id=ministry.id, website_url="https://dhaka.gov.bd")
    cg = directory.create_institution(
        session, None, screening, name="Collectorate, Raipur", short_name="Collector Raipur", kind="district",
        jurisdiction="IN-CG", website_url="https://raipur.gov.in", approval_tiers=1)
    places: dict[str, Institution] = {"ministry": ministry, "district": district, "cg_office": cg}
    users: dict[str, User] = {}
    for username, (name, roles) in DEMO_USERS.items():
        users[username] = directory.create_user(session, None, username=username, display_name=name,
                                                password=new_password(DEMO_PASSWORD, username=username),
                                                superuser=username == "admin")
        for key, role in roles:
            directory.add_member(session, None, places[key].id, username, role)
    today = utcnow().date()
    dhaka_fb = accounts.create_account(session, users["admin"], district.id, {
        "platform": "facebook", "handle": "dcdhaka", "url": "https://facebook.com/dcdhaka",
        "display_name": "DC Office Dhaka — জেলা প্রশাসকের কার্যালয়, ঢাকা",
        "purpose": "Official notices and services of the Deputy Commissioner's Office, Dhaka",
        "audience": "Citizens of Dhaka district", "website_url": "https://dhaka.gov.bd",
        "grs_url": "https://grs.gov.bd", "password_rotated_on": today - dt.timedelta(days=20),
        "privacy_notes": "Comments open; messages answered by the admin team", "profile_photo_institutional": True,
        "platform_terms_followed": True, "letterhead_shows_address": True,
        "admins": [{"name": "Sohel Rana", "designation": "Assistant Commissioner"},
                   {"name": "Rahima Akter", "designation": "Office Assistant"},
                   {"name": "Abdul Karim", "designation": "Additional Deputy Commissioner"}],
    })
    accounts.create_account(session, users["admin"], district.id, {
        "platform": "x", "handle": "karim_dc", "display_name": "Md. Abdul Karim",
        "password_rotated_on": today - dt.timedelta(days=200),
        "admins": [{"name": "Abdul Karim"}, {"name": "Sohel Rana"}],
    })
    cg_fb = accounts.create_account(session, users["admin"], cg.id, {
        "platform": "facebook", "handle": "collectorraipur", "display_name": "Collectorate Raipur — कलेक्टोरेट रायपुर",
        "purpose": "जिला प्रशासन की सूचनाएँ", "audience": "रायपुर जिले के नागरिक", "website_url": "https://raipur.gov.in",
        "password_rotated_on": today - dt.timedelta(days=30), "two_factor_enabled": True,
        "admins": [{"name": "Priya Sharma"}],
    })
    # One post already through the whole flow, so the archive is not empty.
    post = workflow.create_post(session, screening, users["rahima"], account_id=dhaka_fb.id,
                                title="বিজয় দিবস", text="আগামী ১৬ ডিসেম্বর বিজয় দিবস উপলক্ষে জেলা প্রশাসনের পক্ষ থেকে "
                                "সকাল ৯টায় কেন্দ্রীয় শহীদ মিনারে পুষ্পস্তবক অর্পণ করা হবে। সবাইকে আমন্ত্রণ।")
    workflow.submit(session, users["rahima"], post)
    workflow.approve(session, users["karim"], post, comment="ঠিক আছে")
    workflow.publish(session, users["sohel"], post, url="https://facebook.com/dcdhaka/posts/1001")
    # And one waiting for approval, with a problem in it.
    draft = workflow.create_post(session, screening, users["rahima"], account_id=dhaka_fb.id, title="সেবা সপ্তাহ",
                                 text="সেবা সপ্তাহে অভিযোগ জানাতে ফোন করুন। আমার মেয়ের জন্মদিনের ছবিও দিলাম!")
    workflow.submit(session, users["rahima"], draft)
    # And one published in Raipur, so the Hindi quarterly report of the Chhattisgarh office has posts too.
    cg_post = workflow.create_post(session, screening, users["priya"], account_id=cg_fb.id, title="टीकाकरण शिविर",
                                   text="रायपुर जिले में 12 दिसंबर को सभी सामुदायिक स्वास्थ्य केंद्रों पर निःशुल्क "
                                   "टीकाकरण शिविर लगाया जाएगा। अधिक जानकारी के लिए नजदीकी केंद्र से संपर्क करें।")
    workflow.submit(session, users["priya"], cg_post)
    workflow.approve(session, users["arvind"], cg_post, comment="ठीक है")
    workflow.publish(session, users["priya"], cg_post, url="https://facebook.com/collectorraipur/posts/2001")
    # The monitoring and response side (issue 12): comments and a GRS referral, violation
    # cases and quiz results in the current quarter, so the quarterly report is full at once.
    now = utcnow()
    demo_inbox.seed(session, screening, users, places, now)
    demo_violations.seed(session, screening, users, places, now)
    demo_training.seed(session, screening, users, places, now)
    return DemoResult(True, list(DEMO_USERS))
