"""Sample lines for the OCR tests and benchmark, written for them (no real people's data).

Each script's lines carry the shapes OCR gets wrong most: conjuncts (क्ष, त्र, ज्ञ; প্র, ক্ষ),
the reph (कर्म, কর্তব্য), pre-base vowel signs (ि, ি, ে, ৈ that are drawn before the consonant
they follow in memory), nukta letters and digits.
"""

from __future__ import annotations

SAMPLES: dict[str, list[str]] = {
    "hi": [
        "कक्षा में छात्र ज्ञान और विज्ञान पढ़ते हैं",
        "राष्ट्रीय क्षेत्र में प्रमाणपत्र दिया गया",
        "किसान की फ़सल पर मित्र ने कर्म की बात कही",
        "जिला कार्यालय सोमवार को बंद रहेगा",
        "स्वास्थ्य शिविर में १२० लोगों की जाँच हुई",
    ],
    "bn": [
        "প্রধানমন্ত্রী রক্ষা করেছেন শিক্ষার্থীদের",
        "কর্তব্য পালনে কর্মকর্তা উপস্থিত ছিলেন",
        "বিদ্যালয়ে নতুন বই বিতরণ করা হবে",
        "জেলা প্রশাসকের কার্যালয় সোমবার বন্ধ থাকবে",
        "স্বাস্থ্য শিবিরে ১২০ জনের পরীক্ষা হয়েছে",
    ],
    "en": [
        "The district office will remain closed",
        "on Monday for the annual inspection.",
        "Applications are invited until 15 March 2026",
        "from eligible students of the university.",
    ],
}
