"""What the confidential-data detector says: reason texts, entity names and masking.

The texts reach :mod:`satark.messages` through the ``satark_reason_texts`` hook.
"""

from __future__ import annotations

import re

__all__ = [
    "ALNUM_IDS",
    "CREDENTIAL_NAMES",
    "REASONS",
    "REASON_BY_ENTITY",
    "VALIDATORS",
    "mask",
]

_DIGIT_RE = re.compile(r"\d")
_WORD_CHAR_RE = re.compile(r"[^\W_]")
#: identifiers with letters: masking keeps their last four characters, not digits
ALNUM_IDS = frozenset({"IN_PAN", "IN_VOTER", "IN_PASSPORT", "BD_PASSPORT"})

REASONS: dict[str, dict[str, str]] = {
    "pii.aadhaar": {
        "en": "publishes an Aadhaar number ({masked})",
        "hi": "आधार संख्या ({masked}) सार्वजनिक की गई है",
        "bn": "আধার নম্বর ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.pan": {
        "en": "publishes a PAN, the income-tax permanent account number ({masked})",
        "hi": "पैन (स्थायी खाता संख्या) ({masked}) सार्वजनिक की गई है",
        "bn": "প্যান (আয়কর স্থায়ী হিসাব নম্বর) ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.voter_id": {
        "en": "publishes a voter ID (EPIC) number ({masked})",
        "hi": "मतदाता पहचान पत्र (EPIC) संख्या ({masked}) सार्वजनिक की गई है",
        "bn": "ভোটার আইডি (EPIC) নম্বর ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.passport": {
        "en": "publishes a passport number ({masked})",
        "hi": "पासपोर्ट संख्या ({masked}) सार्वजनिक की गई है",
        "bn": "পাসপোর্ট নম্বর ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.bd_nid": {
        "en": "publishes a national ID (NID) number ({masked})",
        "hi": "राष्ट्रीय पहचान पत्र (NID) संख्या ({masked}) सार्वजनिक की गई है",
        "bn": "জাতীয় পরিচয়পত্র (এনআইডি) নম্বর ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.phone": {
        "en": "publishes a phone number ({masked}) that is not an office helpline; "
        "citizens' numbers must not be posted",
        "hi": "फ़ोन नंबर ({masked}) सार्वजनिक किया गया है जो किसी कार्यालय की हेल्पलाइन "
        "नहीं है; नागरिकों के नंबर पोस्ट नहीं किए जाने चाहिए",
        "bn": "একটি ফোন নম্বর ({masked}) প্রকাশ করা হয়েছে যা কোনো দপ্তরের হেল্পলাইন নয়; "
        "নাগরিকের নম্বর পোস্ট করা যাবে না",
    },
    "pii.email": {
        "en": "publishes a personal e-mail address ({masked})",
        "hi": "व्यक्तिगत ई-मेल पता ({masked}) सार्वजनिक किया गया है",
        "bn": "ব্যক্তিগত ই-মেইল ঠিকানা ({masked}) প্রকাশ করা হয়েছে",
    },
    "pii.credential": {
        "en": "discloses a {credential} ({masked}); passwords, OTPs and log-ins of "
        "official systems must never be posted",
        "hi": "{credential_hi} ({masked}) सार्वजनिक किया गया है; शासकीय प्रणालियों के पासवर्ड, "
        "ओटीपी और लॉगिन कभी पोस्ट नहीं किए जाने चाहिए",
        "bn": "{credential_bn} ({masked}) প্রকাশ করা হয়েছে; দাপ্তরিক ব্যবস্থার পাসওয়ার্ড, ওটিপি "
        "ও লগইন কখনো পোস্ট করা যাবে না",
    },
    "security.details": {
        "en": "gives security or operation details ({topic}: {detail_kinds}) of a coming "
        "movement, raid or deployment",
        "hi": "आगामी दौरे, छापे या बल तैनाती की सुरक्षा/ऑपरेशन संबंधी जानकारी ({topic}: "
        "{detail_kinds}) दी गई है",
        "bn": "আসন্ন সফর, অভিযান বা মোতায়েনের নিরাপত্তা/অভিযান-সংক্রান্ত বিবরণ ({topic}: "
        "{detail_kinds}) দেওয়া হয়েছে",
    },
    "pii.identifier": {
        "en": "publishes an identity number: {description} ({masked})",
        "hi": "पहचान संख्या सार्वजनिक की गई है: {description_hi} ({masked})",
        "bn": "পরিচয় নম্বর প্রকাশ করা হয়েছে: {description_bn} ({masked})",
    },
    "pii.memo_number": {
        "en": "quotes the official memo/file number {code}; internal official papers "
        "must not be shared",
        "hi": "शासकीय पत्र/नस्ती क्रमांक {code} उद्धृत है; आंतरिक शासकीय दस्तावेज़ साझा नहीं "
        "किए जाने चाहिए",
        "bn": "দাপ্তরিক স্মারক/নথি নম্বর {code} উল্লেখ করা হয়েছে; অভ্যন্তরীণ দাপ্তরিক "
        "কাগজপত্র প্রকাশ করা যাবে না",
    },
}

REASON_BY_ENTITY = {
    "IN_AADHAAR": "pii.aadhaar",
    "IN_PAN": "pii.pan",
    "IN_VOTER": "pii.voter_id",
    "IN_PASSPORT": "pii.passport",
    "BD_PASSPORT": "pii.passport",
    "BD_NID": "pii.bd_nid",
    "IN_PHONE_NUMBER": "pii.phone",
    "BD_PHONE_NUMBER": "pii.phone",
    "EMAIL_ADDRESS": "pii.email",
    "MEMO_NUMBER": "pii.memo_number",
    "CREDENTIAL": "pii.credential",
}
CREDENTIAL_NAMES = {
    # kind: (en, hi, bn)
    "otp": ("one-time password (OTP)", "ओटीपी", "ওটিপি"),
    "pin": ("PIN", "पिन", "পিন"),
    "password": ("password", "पासवर्ड", "পাসওয়ার্ড"),
    "pass": ("password", "पासवर्ड", "পাসওয়ার্ড"),
    "login": ("log-in ID", "लॉगिन आईडी", "লগইন আইডি"),
}
#: how each entity's candidates were checked, for the decision record
VALIDATORS = {
    "IN_AADHAAR": "verhoeff checksum",
    "IN_PHONE_NUMBER": "phonenumbers",
    "BD_PHONE_NUMBER": "phonenumbers",
    "EMAIL_ADDRESS": "public suffix (tldextract)",
    "BD_NID": "length and birth-year structure",
    "MEMO_NUMBER": "two or more digits",
    "CREDENTIAL": "value shape for the label",
}


def mask(text: str, entity: str) -> str:
    """The identifier with all but its last four digits (or characters) hidden.

    Messages quote it so that a reviewer can find it, without repeating the leak.
    """
    if entity == "MEMO_NUMBER":
        return text
    if entity == "EMAIL_ADDRESS":
        local, _, domain = text.partition("@")
        return f"{local[:1]}***@{domain}"
    pattern = _WORD_CHAR_RE if entity in ALNUM_IDS else _DIGIT_RE
    hide = {m.start() for m in pattern.finditer(text)}
    keep = sorted(hide)[-4:]
    hide.difference_update(keep)
    return "".join("X" if i in hide else c for i, c in enumerate(text))
