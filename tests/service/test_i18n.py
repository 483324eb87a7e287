"""The web UI's languages: catalogues complete, placeholders intact, templates render per locale.

To add strings after editing templates or ``src/satark/service`` code, from the repository root:

    .venv/bin/pybabel extract -F babel.cfg --sort-output --add-location=file \
        --add-comments=Translators: --strip-comments --no-wrap --project=Satark --version=0.1.0 \
        --copyright-holder="Satark contributors" -o src/satark/service/locale/messages.pot .
    .venv/bin/pybabel update --no-wrap --ignore-obsolete --ignore-pot-creation-date \
        -i src/satark/service/locale/messages.pot -d src/satark/service/locale

then fill in the new ``msgstr`` entries in ``locale/{hi,bn}/LC_MESSAGES/messages.po`` and remove
any ``#, fuzzy`` flag once checked. No compile step: the server reads the ``.po`` files.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import NullTranslations
from hypothesis import given
from hypothesis import strategies as st

from satark.service import i18n
from satark.service.i18n import flag_spans, highlight_segments, make_environment, negotiate_locale

REPO = Path(__file__).resolve().parents[2]
SERVICE = REPO / "src" / "satark" / "service"
TRANSLATED = ("hi", "bn")


def _extracted() -> dict[str | tuple[str, ...], str]:
    """msgid (a tuple for plurals) -> where it was found, using babel.cfg exactly as pybabel does."""
    with (REPO / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")

    def only_service(path: str) -> bool:
        rel = Path(path).resolve().relative_to(REPO).as_posix()
        return "src/satark/service".startswith(rel) or rel.startswith("src/satark/service")

    found: dict[str | tuple[str, ...], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map, directory_filter=only_service
    ):
        key = tuple(message) if isinstance(message, (list, tuple)) else message
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def _catalog(locale: str) -> Catalog:
    with (SERVICE / "locale" / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def test_extraction_finds_the_templates() -> None:
    found = _extracted()
    assert "Skip to main content" in found
    assert "Confidential or personal data" in found
    assert ("%(num)d finding", "%(num)d findings") in found


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_extracted_message_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    problems = []
    for msgid, where in _extracted().items():
        message = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
        if message is None:
            problems.append(f"{where}: {msgid!r} missing (run pybabel extract + update)")
        elif message.fuzzy:
            problems.append(f"{where}: {msgid!r} is fuzzy")
        elif isinstance(msgid, tuple):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not message.pluralizable or len(strings) != catalog.num_plurals or not all(strings):
                problems.append(f"{where}: {msgid!r} needs {catalog.num_plurals} plural forms")
        elif not message.string:
            problems.append(f"{where}: {msgid!r} untranslated")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_translations_keep_placeholders(locale: str) -> None:
    catalog = _catalog(locale)
    assert not [(m.id, errs) for m, errs in catalog.check()]  # Babel's own python-format checks
    for message in catalog:
        if not message.id:
            continue
        ids = tuple(message.id) if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = tuple(message.string) if isinstance(message.string, (list, tuple)) else (message.string,)
        expected = _placeholders(ids[-1])
        names = {m.group(1): 1 for m in _PLACEHOLDER.finditer(ids[-1]) if m.group(1)}
        for string in filter(None, strings):
            assert _placeholders(string) == expected, (message.id, string)
            # Jinja's newstyle gettext always applies %, so a lone "%" would break rendering.
            _ = string % names


def test_catalogues_compile_and_cache() -> None:
    assert isinstance(i18n.translations("en"), NullTranslations)
    assert i18n.translations("hi").gettext("Posts") == "पोस्ट"
    assert i18n.translations("bn").ngettext("%(num)d finding", "%(num)d findings", 3) == "%(num)dটি পর্যবেক্ষণ"
    assert i18n.translations("bn") is i18n.translations("bn")
    with pytest.raises(ValueError):
        i18n.translations("fr")


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, None, "en"),
        ("", "", "en"),
        ("bn", "hi-IN,hi;q=0.9", "bn"),
        (" HI ", None, "hi"),
        ("fr", "bn-BD,bn;q=0.9,en;q=0.8", "bn"),
        (None, "en-US,en;q=0.9,hi;q=0.8", "en"),
        (None, "fr-FR,hi;q=0.5,bn;q=0.7", "bn"),
        (None, "hi;q=0, bn;q=0.1", "bn"),
        (None, "de, fr;q=0.8", "en"),
        (None, "*;q=0.5, hi-Latn;q=0.3", "hi"),
        (None, "bn;q=abc, hi", "hi"),
        (None, ";;,=,q=", "en"),
    ],
)
def test_negotiate_locale(cookie: str | None, header: str | None, expected: str) -> None:
    assert negotiate_locale(cookie, header) == expected


def _static(name: str) -> str:
    return f"/static/{name}"


def _page(locale: str, **context: Any) -> str:
    env = make_environment(locale)
    page = env.from_string('{% extends "base.html" %}{% block content %}<h1>{{ _("Posts") }}</h1>{% endblock %}')
    return page.render(static=_static, request_path="/posts/new", **context)


@pytest.mark.parametrize(("locale", "nav_label"), [("hi", "डैशबोर्ड"), ("bn", "ড্যাশবোর্ড"), ("en", "Dashboard")])
def test_base_renders_in_each_locale(locale: str, nav_label: str) -> None:
    html = _page(locale, user={"display_name": "A <b>"}, csrf_token="t0k", messages=[("error", "<oops>")])
    assert f'<html lang="{locale}">' in html
    assert f">{nav_label}</a>" in html
    assert '<a href="/posts/new" aria-current="page">' in html  # the longest matching nav item
    assert f'value="{locale}" lang="{locale}" aria-current="true"' in html
    assert html.count('name="lang"') == 3 and 'action="/lang"' in html
    assert '<input type="hidden" name="next" value="/posts/new">' in html
    assert """hx-headers='{"X-CSRF-Token": "t0k"}'""" in html
    assert "A &lt;b&gt;" in html and 'role="alert"' in html and "&lt;oops&gt;" in html
    assert "<oops>" not in html


def test_base_without_user_has_no_nav_and_still_switches_language() -> None:
    html = _page("bn", user=None)
    assert "site-nav" not in html and 'action="/logout"' not in html
    assert '<input type="hidden" name="csrf_token" value="">' in html
    assert 'lang="hi"' in html and "হিন্দি" not in html  # names are shown in their own script


def test_locale_formatting() -> None:
    env = make_environment("bn")
    when = datetime(2025, 3, 7, 14, 5, tzinfo=UTC)
    out = env.from_string(
        "{{ format_number(1234567.5) }}|{{ when|format_datetime }}|{{ format_percent(0.853) }}"
    ).render(when=when)
    assert out.startswith("12,34,567.5|7 মার্চ, 2025") and out.endswith("UTC|85%")
    assert make_environment("hi").from_string("{{ when|format_date }}").render(when=when) == "7 मार्च 2025"


def _report() -> dict[str, Any]:
    text = "জরুরি: র‍্যাব অফিসারের নম্বর ০১৭১১-২২৩৩৪৪ <script>x</script>"
    phone = text.index("০১৭১১")
    return {
        "verdict": "block",
        "pack": "BD-2019",
        "jurisdiction": "BD",
        "account_type": "official",
        "language": {"code": "bn", "scripts": {"Beng": 0.9}, "confidence": 0.98},
        "findings": [
            {
                "category": "confidential",
                "clause_ids": ["BD-2019/9"],
                "confidence": 0.85,
                "severity": "high",
                "spans": [{"start": phone, "end": phone + 12, "text": text[phone : phone + 12]}],
                "detector": "confidential",
                "explanation": {"en": "A phone number <b>", "bn": "ফোন নম্বর"},
                "details": {},
            },
            {
                "category": "defamation",
                "clause_ids": ["BD-2019/8"],
                "confidence": 0.5,
                "severity": "medium",
                "spans": [{"start": phone - 5, "end": phone + 2, "text": text[phone - 5 : phone + 2]}],
                "detector": "x",
                "explanation": {"en": "Demeaning"},
                "details": {},
            },
        ],
        "length": len(text),
        "text": text,
    }


_CLAUSES = {"BD-2019/9": {"citation": "§9", "title": {"en": "Secrecy", "bn": "গোপনীয়তা"}, "text": {"en": "Keep <it>."}}}


def test_report_partial() -> None:
    html = make_environment("bn").get_template("_report.html").render(report=_report(), clauses=_CLAUSES)
    assert '<div id="screen-result" class="screen-result" aria-live="polite">' in html
    assert "প্রকাশযোগ্য নয়" in html and "গোপনীয় বা ব্যক্তিগত তথ্য" in html and "মানহানি" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html and "&lt;it&gt;" in html
    # the two overlapping spans are one mark, and both evidence links land inside it
    assert html.count("<mark ") == 1 and 'id="span-0"' in html and 'id="span-1"' in html
    assert 'title="BD-2019/8; §9 — গোপনীয়তা"' in html
    assert '<a href="#span-0">' in html and '<a href="#span-1">' in html
    assert "85%" in html and "ফোন নম্বর" in html and "Demeaning" in html  # bn, else the English fallback
    assert "<details>" in html and "§9-এর পূর্ণ পাঠ" in html


def test_report_partial_without_report_is_the_empty_live_region() -> None:
    html = make_environment("en").get_template("_report.html").render(report=None)
    assert 'aria-live="polite"' in html and "<section" not in html


def test_macros() -> None:
    env = make_environment("hi")
    out = env.from_string(
        '{% import "_macros.html" as m with context %}'
        "{{ m.field('title', 'Title', value='<x>', required=True, help='Short', error='Too long',"
        " attrs={'maxlength': 80}) }}{{ m.csrf() }}{{ m.state_badge('changes_requested') }}"
        "{{ m.verdict_badge('review') }}{{ m.checklist_status(false) }}{{ m.checklist_status('unknown') }}"
        "{{ m.select('k', 'Kind', [('a', 'A'), 'b'], selected='b') }}"
        "{{ m.textarea('body', 'Body', value='\\nline') }}"
    ).render(csrf_token="tk")
    assert 'aria-describedby="f-title-help f-title-error"' in out and 'aria-invalid="true"' in out
    assert 'value="&lt;x&gt;"' in out and 'maxlength="80"' in out and "(अनिवार्य)" in out
    assert '<input type="hidden" name="csrf_token" value="tk">' in out
    assert "संशोधन अपेक्षित" in out and "समीक्षा आवश्यक" in out and "पूरा नहीं हुआ" in out and "अज्ञात" in out
    assert '<option value="b" selected>b</option>' in out
    assert ">\n\nline</textarea>" in out  # the parser drops one leading newline, not the value's


# --- highlight_segments -----------------------------------------------------------------------

BN = "র‍্যাব সদস্য ক্ষমা চাইলেন"  # র U+200D ্ য া ব: the ZWJ "rafar-ya" spelling of RAB
HI = "शिक्‍षा और क्षमा"  # क ् U+200D ष: a half-form conjunct


def _marks(segments: list[tuple[str, dict[str, Any] | None]]) -> list[str]:
    return [text for text, mark in segments if mark is not None]


def test_segments_rebuild_the_text_and_keep_payload() -> None:
    rab = BN.index("র‍্যাব")
    segments = highlight_segments(BN, [{"start": rab, "end": rab + 6, "category": "x"}])
    assert "".join(t for t, _ in segments) == BN
    assert _marks(segments) == ["র‍্যাব"]
    mark = segments[0][1]
    assert mark is not None and mark["category"] == "x" and (mark["start"], mark["end"]) == (0, 6)


@pytest.mark.parametrize(
    ("text", "word", "cut", "expected"),
    [
        (BN, "ক্ষমা", 2, "ক্ষ"),  # ends after the virama: widened to the whole conjunct
        (BN, "র‍্যাব", 1, "র‍্যা"),  # ends before the ZWJ: widened past ZWJ, virama, YA and the vowel sign
        (HI, "क्‍षा", 3, "क्‍षा"),  # ends after the ZWJ
        (HI, "क्षमा", 4, "क्षमा"),  # ends before a vowel sign
    ],
)
def test_marks_never_split_a_syllable(text: str, word: str, cut: int, expected: str) -> None:
    start = text.index(word)
    assert _marks(highlight_segments(text, [{"start": start, "end": start + cut}])) == [expected]


def test_start_inside_a_conjunct_moves_back() -> None:
    zwj = HI.index("\u200d")
    assert _marks(highlight_segments(HI, [{"start": zwj, "end": zwj + 1}])) == ["क्‍षा"]


def test_overlapping_nested_adjacent_and_bad_spans() -> None:
    text = "অফিসের গোপন নথি ফাঁস"
    a, b, c = {"start": 0, "end": 11, "n": 0}, {"start": 7, "end": 15, "n": 1}, {"start": 7, "end": 11, "n": 2}
    segments = highlight_segments(
        text, [b, c, a, {"start": 16, "end": 99}, {"start": 5, "end": 5}, {"start": 9, "end": 3}]
    )
    assert "".join(t for t, _ in segments) == text
    marks = [m for _, m in segments if m]
    assert [(m["start"], m["end"]) for m in marks] == [(0, 15), (16, len(text))]
    assert marks[0]["n"] == 0 and [m["n"] for m in marks[0]["members"]] == [0, 1, 2]
    adjacent = highlight_segments(text, [{"start": 0, "end": 6}, {"start": 6, "end": 11}])
    assert _marks(adjacent) == ["অফিসের", " গোপন"]


def test_flag_spans_numbers_spans_across_findings() -> None:
    flags = flag_spans(_report()["findings"])
    assert [(f["n"], f["finding"], f["category"], f["clause_id"]) for f in flags] == [
        (0, 0, "confidential", "BD-2019/9"),
        (1, 1, "defamation", "BD-2019/8"),
    ]


_INDIC = st.text(st.sampled_from(list("কষমরযবাি্\u200d\u200c कषमािंृ् ")), max_size=30)


@given(_INDIC, st.lists(st.tuples(st.integers(-3, 33), st.integers(-3, 33)), max_size=6))
def test_segments_property(text: str, pairs: list[tuple[int, int]]) -> None:
    segments = highlight_segments(text, [{"start": s, "end": e} for s, e in pairs])
    assert "".join(t for t, _ in segments) == text
    assert all(t for t, _ in segments)
    marks = [m for _, m in segments if m]
    for m in marks:
        for edge in (m["start"], m["end"]):
            if 0 < edge < len(text):
                assert unicodedata.category(text[edge]) not in ("Mn", "Mc") and text[edge] not in "\u200c\u200d"
    for s, e in pairs:  # every usable span is inside exactly one mark
        s, e = max(0, s), min(len(text), e)
        if s < e:
            assert sum(m["start"] <= s and e <= m["end"] for m in marks) == 1


def test_module_paths_exist() -> None:
    assert (i18n.TEMPLATE_DIR / "base.html").is_file()
    assert os.path.isfile(i18n.LOCALE_DIR / "messages.pot")
