"""The screening categories.

The eleven scored names are a contract with ``../shared/taxonomy.md`` and every labelled
evaluation file: never rename them. Extra categories (``scored=False``) are advisories the
guidelines ask for but the taxonomy does not score.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "CATEGORIES",
    "SCORED_CATEGORIES",
    "Category",
    "Severity",
    "get_category",
]


class Severity(IntEnum):
    """Ordered so that policies can compare (``severity >= Severity.HIGH``)."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls[value.upper()]
        except KeyError:
            allowed = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {value!r} (allowed: {allowed})") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    label: dict[str, str]
    description: dict[str, str]
    scored: bool = True
    #: account types the category can apply to; personal content is only a breach on
    #: an official account (BD §7(গ)).
    account_types: frozenset[str] = frozenset({"official", "personal"})


def _c(name: str, en: str, hi: str, bn: str, den: str, dhi: str, dbn: str, **kw: object) -> Category:
    return Category(name, {"en": en, "hi": hi, "bn": bn}, {"en": den, "hi": dhi, "bn": dbn}, **kw)  # type: ignore[arg-type]


_ALL = (
    _c(
        "confidential", "Confidential or personal data", "गोपनीय या व्यक्तिगत जानकारी",
        "গোপনীয় বা ব্যক্তিগত তথ্য",
        "discloses confidential official information or citizens' personal data",
        "गोपनीय शासकीय जानकारी या नागरिकों का व्यक्तिगत डेटा उजागर करता है",
        "গোপনীয় দাপ্তরিক তথ্য বা নাগরিকের ব্যক্তিগত তথ্য প্রকাশ করে",
    ),
    _c(
        "obscene_abusive", "Obscene or abusive", "अश्लील या अपमानजनक", "অশ্লীল বা অপমানজনক",
        "obscene, vulgar, abusive or harassing language",
        "अश्लील, अभद्र, अपमानजनक या उत्पीड़क भाषा",
        "অশ্লীল, অশালীন, অপমানজনক বা হয়রানিমূলক ভাষা",
    ),
    _c(
        "hate_discrimination", "Hate or discrimination", "घृणा या भेदभाव", "ঘৃণা বা বৈষম্য",
        "demeans or discriminates against a group (caste, religion, gender, ethnicity, ...)",
        "किसी वर्ग (जाति, धर्म, लिंग, नस्ल आदि) को नीचा दिखाता या भेदभाव करता है",
        "কোনো গোষ্ঠীকে (জাতি, ধর্ম, লিঙ্গ, নৃগোষ্ঠী ইত্যাদি) হেয় বা বৈষম্য করে",
    ),
    _c(
        "religious_sentiment", "Religious sentiment", "धार्मिक भावना", "ধর্মীয় অনুভূতি",
        "hurts religious sentiment or works against communal harmony",
        "धार्मिक भावनाओं को ठेस पहुँचाता है या सांप्रदायिक सौहार्द के विरुद्ध है",
        "ধর্মীয় অনুভূতিতে আঘাত করে বা সাম্প্রদায়িক সম্প্রীতির পরিপন্থী",
    ),
    _c(
        "misinformation", "Unverified or false information", "असत्यापित या भ्रामक जानकारी",
        "ভিত্তিহীন বা অসত্য তথ্য",
        "unverified, baseless or false claims, or forwards of unknown origin",
        "असत्यापित, निराधार या झूठे दावे, या अज्ञात स्रोत के फॉरवर्ड",
        "যাচাইহীন, ভিত্তিহীন বা মিথ্যা দাবি, বা অজানা উৎসের ফরোয়ার্ড",
    ),
    _c(
        "anti_government", "Criticism of government", "शासन की आलोचना", "সরকারের সমালোচনা",
        "criticises the government, its policies or constitutional bodies",
        "सरकार, उसकी नीतियों या संवैधानिक संस्थाओं की आलोचना करता है",
        "সরকার, সরকারের নীতি বা সাংবিধানিক প্রতিষ্ঠানের সমালোচনা করে",
    ),
    _c(
        "political", "Political content", "राजनीतिक सामग्री", "রাজনৈতিক বিষয়বস্তু",
        "party campaigning, political ideology or political discussion",
        "दलीय प्रचार, राजनीतिक विचारधारा या राजनीतिक चर्चा",
        "দলীয় প্রচারণা, রাজনৈতিক মতাদর্শ বা রাজনৈতিক আলোচনা",
    ),
    _c(
        "defamation", "Defamation", "मानहानि", "মানহানি",
        "demeans or defames a person, an institution, or a foreign state",
        "किसी व्यक्ति, संस्था या विदेशी राष्ट्र की मानहानि करता है",
        "কোনো ব্যক্তি, প্রতিষ্ঠান বা রাষ্ট্রকে হেয় প্রতিপন্ন করে",
    ),
    _c(
        "national_unity", "National unity and public order", "राष्ट्रीय एकता और लोक व्यवस्था",
        "জাতীয় ঐক্য ও জনশৃঙ্খলা",
        "against national unity, or incites discontent, unrest or violence",
        "राष्ट्रीय एकता के विरुद्ध है, या असंतोष, अशांति या हिंसा भड़काता है",
        "জাতীয় ঐক্যের পরিপন্থী, বা অসন্তোষ, অস্থিরতা বা সহিংসতায় উসকানি দেয়",
    ),
    _c(
        "self_promotion", "Self-promotion", "आत्म-प्रचार", "আত্মপ্রচার",
        "self-promotional content",
        "आत्म-प्रचार वाली सामग्री",
        "আত্মপ্রচারণামূলক বিষয়বস্তু",
    ),
    _c(
        "personal_on_official", "Personal content on an official account",
        "आधिकारिक खाते पर निजी सामग्री", "দাপ্তরিক একাউন্টে ব্যক্তিগত বিষয়বস্তু",
        "personal or family content on an official institutional account",
        "संस्था के आधिकारिक खाते पर निजी या पारिवारिक सामग्री",
        "প্রতিষ্ঠানের দাপ্তরিক একাউন্টে ব্যক্তিগত বা পারিবারিক বিষয়বস্তু",
        account_types=frozenset({"official"}),
    ),
    _c(
        "excessive_tagging", "Unnecessary tags", "अनावश्यक टैग", "অপ্রয়োজনীয় ট্যাগ",
        "many @-tags or hashtags; the guideline asks to avoid unnecessary tags",
        "बहुत सारे @-टैग या हैशटैग; अनावश्यक टैग से बचना चाहिए",
        "অনেক @-ট্যাগ বা হ্যাশট্যাগ; অপ্রয়োজনীয় ট্যাগ পরিহার করতে হবে",
        scored=False,
    ),
)

CATEGORIES: dict[str, Category] = {c.name: c for c in _ALL}
SCORED_CATEGORIES: tuple[str, ...] = tuple(c.name for c in _ALL if c.scored)


def get_category(name: str) -> Category:
    try:
        return CATEGORIES[name]
    except KeyError:
        raise KeyError(f"unknown category {name!r}; known: {', '.join(CATEGORIES)}") from None
