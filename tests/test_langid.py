from __future__ import annotations

import pytest

from satark import identify


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("जिला प्रशासन द्वारा आज स्वास्थ्य शिविर का आयोजन किया गया।", "hi"),
        ("উপজেলা প্রশাসনের উদ্যোগে আজ চক্ষু শিবির অনুষ্ঠিত হয়েছে।", "bn"),
        ("The district administration has opened a help desk for families.", "en"),
        ("Yeh sarkar bilkul bekar hai, koi kaam nahi hota aur sab chup hain.", "hi-en"),
        ("Vai inside news, result kal ashbe, kauke bolben na please.", "bn-en"),
        ("Important Notice: ज़िला अस्पताल में कल free health check-up camp लगेगा।", "hi-mixed"),
        ("Weekend এ family নিয়ে Sajek ঘুরে আসলাম, view টা amazing", "bn-mixed"),
        ("🙏🙏 123", "und"),
    ],
)
def test_identify(text: str, code: str) -> None:
    assert identify(text).code == code


def test_scripts_are_reported() -> None:
    guess = identify("আমার নাম Rahim")
    assert set(guess.scripts) == {"Beng", "Latn"}
    assert abs(sum(guess.scripts.values()) - 1) < 1e-9
