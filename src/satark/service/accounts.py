"""The official account registry and its live checklist (BD §6.1 (ক)-(ঞ), CG directive 7)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .access import can, require, visible_institutions
from .archive import search_key
from .errors import InvalidInput, NotFound
from .models import Account, AccountAdmin, Institution, User, by_id, utcnow
from .screening import Screening
from .timezones import zone

__all__ = ["ACCOUNT_FIELDS", "PLATFORMS", "ChecklistItem", "checklist", "create_account", "get_account",
           "list_accounts", "update_account"]

PLATFORMS = ("facebook", "x", "youtube", "instagram", "linkedin", "whatsapp", "telegram", "other")
#: Fields an admin may set, with their kinds.
ACCOUNT_FIELDS: dict[str, str] = {
    "platform": "str", "handle": "str", "url": "url", "display_name": "str", "purpose": "text",
    "audience": "text", "website_url": "url", "grs_url": "url", "password_rotated_on": "date",
    "privacy_notes": "text", "profile_photo_institutional": "bool", "platform_terms_followed": "bool",
    "letterhead_shows_address": "bool", "two_factor_enabled": "bool",
}
# Words that mark a page named after a person rather than an office (§6.1(ক)), as whole words
# of a name key (see _name_key): "মোঃ" keeps its visarga, "Md." and "ড." lose the dot.
_PERSONAL = frozenset({"mr", "mrs", "ms", "dr", "shri", "smt", "sri", "janab", "md", "mohd",
                       "श्री", "श्रीमती", "सुश्री", "डॉ", "जनाब",
                       "জনাব", "বেগম", "মোঃ", "মো", "মোহাঃ", "ড", "ডঃ", "ডা", "ডাঃ"})


def _clean(name: str, kind: str, value: Any) -> Any:
    if kind == "bool":
        if value is None or isinstance(value, bool):
            return value
        raise InvalidInput(f"{name} must be true, false or null")
    if kind == "date":
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise InvalidInput(f"{name} must be a date like 2026-11-23") from None
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text")
    value = value.strip()
    limit = 5000 if kind == "text" else 500
    if len(value) > limit:
        raise InvalidInput(f"{name} is longer than {limit} characters")
    if kind == "url" and value and not _is_url(value):
        raise InvalidInput(f"{name} must be an http(s) address")
    if name == "platform" and value not in PLATFORMS:
        raise InvalidInput(f"platform must be one of {', '.join(PLATFORMS)}")
    return value


def _is_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _apply(account: Account, data: dict[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name, value in data.items():
        if name == "admins":
            continue
        if name not in ACCOUNT_FIELDS:
            raise InvalidInput(f"unknown account field {name!r}")
        cleaned = _clean(name, ACCOUNT_FIELDS[name], value)
        if getattr(account, name) != cleaned:
            setattr(account, name, cleaned)
            changed[name] = cleaned.isoformat() if isinstance(cleaned, dt.date) else cleaned
    if "admins" in data:
        admins = data["admins"]
        if not isinstance(admins, list) or len(admins) > 20:
            raise InvalidInput("admins must be a list of at most 20 people")
        people = []
        for a in admins:
            if not isinstance(a, dict) or not isinstance(a.get("name"), str) or not a["name"].strip():
                raise InvalidInput("each admin needs a name")
            people.append((a["name"].strip()[:200], str(a.get("designation") or "").strip()[:200]))
        if people != [(a.name, a.designation) for a in account.admins]:
            account.admins = [AccountAdmin(name=n, designation=d) for n, d in people]
            changed["admins"] = [n for n, _ in people]
    return changed


def create_account(session: Session, user: User, institution_id: int, data: dict[str, Any]) -> Account:
    institution = by_id(session, Institution, institution_id)
    if institution is None:
        raise NotFound(f"no institution {institution_id}")
    require(session, user, "manage_accounts", institution_id, what="institution")
    for needed in ("platform", "handle"):
        if not str(data.get(needed) or "").strip():
            raise InvalidInput(f"an account needs a {needed}")
    account = Account(institution=institution, platform="other", handle="")
    changed = _apply(account, data)
    session.add(account)
    session.flush()
    audit.record(session, "account_created", actor=user, institution_id=institution_id, object_type="account",
                 object_id=account.id, details=changed)
    return account


def get_account(session: Session, user: User, account_id: int) -> Account:
    account = by_id(session, Account, account_id)
    if account is None or not can(session, user, "read", account.institution_id):
        raise NotFound(f"no account {account_id}")
    return account


def update_account(session: Session, user: User, account: Account, data: dict[str, Any]) -> dict[str, Any]:
    require(session, user, "manage_accounts", account.institution_id, what="account")
    changed = _apply(account, data)
    if changed:
        account.updated_at = utcnow()
        audit.record(session, "account_updated", actor=user, institution_id=account.institution_id,
                     object_type="account", object_id=account.id, details=changed)
    return changed


def list_accounts(session: Session, user: User, institution_id: int | None = None) -> list[Account]:
    query = select(Account).where(Account.institution_id.in_(visible_institutions(session, user)))
    if institution_id is not None:
        query = query.where(Account.institution_id == institution_id)
    return list(session.scalars(query.order_by(Account.institution_id, Account.platform, Account.handle)))


@dataclass(frozen=True)
class ChecklistItem:
    clause_id: str
    citation: str
    title: dict[str, str]
    #: ``met``, ``not_met`` or ``unknown`` (nothing recorded yet to decide).
    status: str
    detail: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"clause_id": self.clause_id, "citation": self.citation, "title": self.title,
                "status": self.status, "detail": self.detail}


def _msg(en: str, hi: str, bn: str) -> dict[str, str]:
    return {"en": en, "hi": hi, "bn": bn}


def _attested(value: bool | None, yes: dict[str, str], no: dict[str, str]) -> tuple[str, dict[str, str]]:
    if value is None:
        return "unknown", _msg("Not yet checked.", "अभी जाँचा नहीं गया।", "এখনও যাচাই করা হয়নি।")
    return ("met", yes) if value else ("not_met", no)


def _password(account: Account, today: dt.date) -> tuple[str, dict[str, str]]:
    if account.password_rotated_on is None:
        return "unknown", _msg("No password change recorded.", "पासवर्ड बदलने की कोई तारीख दर्ज नहीं है।",
                               "পাসওয়ার্ড পরিবর্তনের কোনো তারিখ লেখা নেই।")
    age = (today - account.password_rotated_on).days
    limit = account.institution.password_rotation_days
    if age <= limit:
        return "met", _msg(f"Changed {age} days ago (limit {limit}).",
                           f"{age} दिन पहले बदला गया (सीमा {limit} दिन)।",
                           f"{age} দিন আগে বদলানো হয়েছে (সীমা {limit} দিন)।")
    return "not_met", _msg(f"Last changed {age} days ago; the institution's limit is {limit} days.",
                           f"{age} दिन पहले बदला गया; संस्था की सीमा {limit} दिन है।",
                           f"{age} দিন আগে বদলানো হয়েছে; প্রতিষ্ঠানের সীমা {limit} দিন।")


def _name_key(value: str) -> str:
    """A name for comparing: :func:`search_key` (NFC, no ZWJ/ZWNJ, case-folded, ASCII digits)
    with punctuation as spaces. The old ZWJ spelling of khanda ta (ত্‍) is read as ৎ first, so
    both spellings of "সংসৎ" compare equal; vowel signs and viramas are kept."""
    text = value.replace("\u09a4\u09cd\u200d", "\u09ce")
    key = search_key(text)
    return " ".join("".join(ch if unicodedata.category(ch)[0] in "LMN" else " " for ch in key).split())


def _named_after_office(account: Account) -> tuple[str, dict[str, str]]:
    """Met when the display name contains one of the institution's names (English, short or
    local) and, apart from it, no personal title (Md., জনাব, श्री): "তথ্য মন্ত্রণালয়, বাংলাদেশ"
    for the Ministry of Information whose local name is "তথ্য মন্ত্রণালয়"."""
    name = _name_key(account.display_name)
    if not name:
        return "unknown", _msg("No display name recorded.", "प्रदर्शित नाम दर्ज नहीं है।", "প্রদর্শিত নাম লেখা নেই।")
    inst = account.institution
    names = sorted({k for k in map(_name_key, (inst.name, inst.short_name, inst.local_name)) if k}, key=len,
                   reverse=True)
    rest = f" {name} "
    for n in names:
        # From the start of a word: "জেলা প্রশাসক" is in "জেলা প্রশাসকের" (a case ending follows),
        # but an abbreviation ("MoI") only as a whole word, not inside "Moinul".
        rest = re.sub(r"(?<!\S)" + re.escape(n) + (r"(?!\S)" if len(n) <= 5 else ""), " ", rest)
    found = rest != f" {name} "
    if _PERSONAL & set(rest.split()):
        return "not_met", _msg("The name reads as a person's name.", "नाम किसी व्यक्ति का लगता है।",
                               "নামটি কোনো ব্যক্তির নাম মনে হয়।")
    if found:
        return "met", _msg("The name includes the institution's name.", "नाम में संस्था का नाम है।",
                           "নামে প্রতিষ্ঠানের নাম আছে।")
    local = inst.local_name or inst.name
    return "not_met", _msg(f"The name does not include the institution's name ({inst.name}).",
                           f"नाम में संस्था का नाम ({local}) नहीं है।",
                           f"নামে প্রতিষ্ঠানের নাম ({local}) নেই।")


def _admins(account: Account) -> tuple[str, dict[str, str]]:
    n = len(account.admins)
    if n == 1 or 3 <= n <= 5:
        return "met", _msg(f"{n} admin(s) named.", f"{n} एडमिन नामित।", f"{n} জন অ্যাডমিন মনোনীত।")
    return "not_met", _msg(f"{n} admin(s) named; the rule asks for one person or a team of 3 to 5.",
                           f"{n} एडमिन नामित; नियम एक व्यक्ति या 3 से 5 की टीम कहता है।",
                           f"{n} জন অ্যাডমিন; নিয়ম অনুযায়ী একজন বা ৩-৫ সদস্যের দল লাগবে।")


def _present(value: str, what: dict[str, str]) -> tuple[str, dict[str, str]]:
    if value.strip():
        return "met", _msg(f"{what['en']} recorded.", f"{what['hi']} दर्ज है।", f"{what['bn']} লেখা আছে।")
    return "not_met", _msg(f"No {what['en'].lower()} recorded.", f"{what['hi']} दर्ज नहीं है।",
                           f"{what['bn']} লেখা নেই।")


def checklist(account: Account, screening: Screening, today: dt.date | None = None) -> list[ChecklistItem]:
    """Each rule for official accounts in the institution's pack, met or not or unknown."""
    # The institution's own date: past 18:00 UTC it is already tomorrow in Dhaka.
    today = today or utcnow().astimezone(zone(account.institution.timezone)).date()
    pack = screening.pack(account.institution.jurisdiction)
    checks: dict[str, tuple[str, dict[str, str]]]
    if pack.jurisdiction == "BD":
        purpose_ok = bool(account.purpose.strip() and account.audience.strip())
        checks = {
            "BD-2019/6.1/ka": _named_after_office(account),
            "BD-2019/6.1/kha": ("met", _msg("Purpose and audience recorded.", "उद्देश्य और दर्शक दर्ज हैं।",
                                            "উদ্দেশ্য ও লক্ষ্য দর্শক লেখা আছে।")) if purpose_ok else
            ("not_met", _msg("Record both the purpose and the audience.", "उद्देश्य और दर्शक दोनों दर्ज करें।",
                             "উদ্দেশ্য ও লক্ষ্য দর্শক দুটোই লিখুন।")),
            "BD-2019/6.1/ga": _admins(account),
            "BD-2019/6.1/gha": _attested(
                account.profile_photo_institutional,
                _msg("Banner and profile picture are institutional.", "बैनर और प्रोफ़ाइल चित्र संस्थागत हैं।",
                     "ব্যানার ও প্রোফাইল ছবি প্রাতিষ্ঠানিক।"),
                _msg("A personal or family photo is used.", "निजी या पारिवारिक फ़ोटो लगी है।",
                     "ব্যক্তিগত বা পারিবারিক ছবি ব্যবহার করা হয়েছে।")),
            "BD-2019/6.1/nga": _password(account, today),
            "BD-2019/6.1/ca": _present(account.privacy_notes,
                                       {"en": "Privacy settings", "hi": "गोपनीयता सेटिंग", "bn": "গোপনীয়তা সেটিং"})
            if account.privacy_notes.strip() else
            ("unknown", _msg("No privacy settings recorded.", "गोपनीयता सेटिंग दर्ज नहीं है।",
                             "গোপনীয়তা সেটিং লেখা নেই।")),
            "BD-2019/6.1/cha": _attested(
                account.platform_terms_followed,
                _msg("The platform's terms are followed.", "प्लेटफ़ॉर्म की शर्तों का पालन होता है।",
                     "প্ল্যাটফর্মের শর্ত মানা হয়।"),
                _msg("The platform's terms are not followed.", "प्लेटफ़ॉर्म की शर्तों का पालन नहीं होता।",
                     "প্ল্যাটফর্মের শর্ত মানা হয় না।")),
            "BD-2019/6.1/ja": _present(account.website_url,
                                       {"en": "Website link", "hi": "वेबसाइट लिंक", "bn": "ওয়েবসাইট লিংক"}),
            "BD-2019/6.1/jha": _present(account.grs_url, {"en": "GRS link", "hi": "GRS लिंक", "bn": "জিআরএস লিংক"}),
            "BD-2019/6.1/nya": _attested(
                account.letterhead_shows_address,
                _msg("The letterhead shows this address.", "लेटरहेड पर यह पता है।", "প্যাডে এই ঠিকানা আছে।"),
                _msg("The letterhead does not show this address.", "लेटरहेड पर यह पता नहीं है।",
                     "প্যাডে এই ঠিকানা নেই।")),
        }
    else:
        checks = {}
    if pack.jurisdiction == "IN-CG":
        status, detail = _password(account, today)
        two = account.two_factor_enabled
        if status == "met" and two is False:
            status = "not_met"
        elif status == "met" and two is None:
            status = "unknown"
        two_txt = {True: _msg(" Two-step login is on.", " दो-चरणीय लॉगिन चालू है।", " দুই ধাপের লগইন চালু।"),
                   False: _msg(" Two-step login is off.", " दो-चरणीय लॉगिन बंद है।", " দুই ধাপের লগইন বন্ধ।"),
                   None: _msg(" Two-step login not recorded.", " दो-चरणीय लॉगिन दर्ज नहीं।",
                              " দুই ধাপের লগইন লেখা নেই।")}[two]
        checks["IN-CG-2017/7"] = (status, {k: detail[k] + two_txt[k] for k in detail})
    items = []
    for clause_id, (status, detail) in checks.items():
        clause = pack.clause(clause_id)
        items.append(ChecklistItem(clause_id, clause.citation, clause.title.model_dump(), status, detail))
    return items
