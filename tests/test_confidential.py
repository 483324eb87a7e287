"""The confidential-data detector: identifiers, and whether the context makes them a leak."""

from __future__ import annotations

from typing import Any

import pytest

from satark.categories import Severity
from satark.detectors.base import Detector, ScreenContext
from satark.detectors.confidential import ConfidentialDataDetector, satark_detectors
from satark.findings import Hit, LanguageGuess
from satark.messages import reason_text
from satark.normalize import normalize

# Verhoeff-valid Aadhaar numbers (generated, not real people's) and one that fails.
VALID_AADHAAR = "7181 9093 7865"
VALID_AADHAAR_HI = "७१८१ ९०९३ ७८६५"  # the same digits in Devanagari
VALID_AADHAAR_2 = "997543231948"
INVALID_AADHAAR_HI = "४७२१ ८८३० १९५६"


@pytest.fixture(scope="module")
def detector() -> ConfidentialDataDetector:
    return ConfidentialDataDetector()


def _ctx(account_type: str = "personal") -> ScreenContext:
    return ScreenContext(
        pack=None,  # type: ignore[arg-type]  # this detector does not read the pack
        account_type=account_type,
        language=LanguageGuess("und", {}, 0.0),
    )


def screen(detector: ConfidentialDataDetector, text: str, account: str = "personal") -> list[Hit]:
    hits = list(detector.detect(normalize(text), _ctx(account)))
    for hit in hits:  # every span must be the exact original substring
        for span in hit.spans:
            assert text[span.start:span.end] == span.text
        assert hit.category == "confidential"
        assert hit.detector == "confidential-data"
        assert 0.0 <= hit.confidence <= 1.0
    return hits


def by_reason(hits: list[Hit], reason: str) -> list[Hit]:
    return [h for h in hits if h.reason == reason]


def only(hits: list[Hit], reason: str) -> Hit:
    found = by_reason(hits, reason)
    assert len(found) == 1, hits
    return found[0]


# --- registration -------------------------------------------------------------------------


def test_hook_returns_a_detector_factory() -> None:
    (factory,) = satark_detectors()
    det = factory()
    assert isinstance(det, Detector)
    assert det.name == "confidential-data"
    assert det.categories == frozenset({"confidential"})


# --- Aadhaar --------------------------------------------------------------------------------


def test_valid_aadhaar_with_label_is_critical(detector: ConfidentialDataDetector) -> None:
    text = f"My Aadhaar no. is {VALID_AADHAAR}, please update the record."
    hit = only(screen(detector, text), "pii.aadhaar")
    assert hit.confidence == pytest.approx(0.95)
    assert hit.severity == Severity.CRITICAL
    assert hit.spans[0].text == VALID_AADHAAR
    d = hit.details
    assert d["recognizer"] == "SatarkAadhaarRecognizer"
    assert d["validation_result"] is True
    assert d["supportive_context_word"] == "aadhaar no"  # the longest term wins
    assert d["score_before_context"] == pytest.approx(1.0)  # the checksum already lifted it
    assert d["masked"] == "XXXX XXXX 7865"


def test_invalid_checksum_needs_a_label(detector: ConfidentialDataDetector) -> None:
    labelled = only(screen(detector, f"आधार क्र. {INVALID_AADHAAR_HI}"), "pii.aadhaar")
    assert labelled.details["validation_result"] is False
    assert labelled.confidence == pytest.approx(0.6)
    assert labelled.severity == Severity.HIGH
    # the same invalid number with no Aadhaar label is just a number
    assert screen(detector, f"कुल राशि का संदर्भ {INVALID_AADHAAR_HI} देखें") == []


def test_valid_checksum_without_context_is_moderate(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, f"यह रहा {VALID_AADHAAR}"), "pii.aadhaar")
    assert 0.5 <= hit.confidence < 0.8
    assert hit.severity == Severity.HIGH


def test_hindi_native_digits_map_to_original(detector: ConfidentialDataDetector) -> None:
    text = f"लाभार्थी का आधार क्र. {VALID_AADHAAR_HI} है।"
    hit = only(screen(detector, text), "pii.aadhaar")
    assert hit.confidence == pytest.approx(0.95)
    assert hit.spans[0].text == VALID_AADHAAR_HI
    assert hit.details["masked"] == "XXXX XXXX ७८६५"


def test_aadhaar_with_hyphens_and_bengali_label(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "রোগীর আধার: 9975-4323-1948"), "pii.aadhaar")
    assert hit.severity == Severity.CRITICAL


def test_bring_your_aadhaar_card_is_not_a_leak(detector: ConfidentialDataDetector) -> None:
    for text in (
        "सभी हितग्राही शिविर में अपना आधार कार्ड एवं राशन कार्ड साथ लेकर आएं। दिनांक 12.08.2024",
        "টিকা নিতে আসার সময় জাতীয় পরিচয়পত্র/আইডি কার্ড সঙ্গে আনবেন। সময়: সকাল ৯টা",
        "Beneficiaries must bring their Aadhaar card and voter ID to the camp on 15 August.",
    ):
        assert screen(detector, text, "official") == []


def test_aadhaar_meaning_basis_is_not_a_label(detector: ConfidentialDataDetector) -> None:
    # "आधार पर" = "on the basis of"; the numbers are counts, not identifiers
    assert screen(detector, "इस आधार पर वर्ष 2023-24 में 1,250 आवेदन स्वीकृत हुए।") == []


# --- phones: citizen vs office ------------------------------------------------------------


def test_complainant_mobile_is_flagged(detector: ConfidentialDataDetector) -> None:
    text = (
        "शिकायत निराकरण सूचना: शिकायतकर्ता श्रीमती सुनीता ध्रुव, पति श्री रामलाल ध्रुव, निवासी "
        f"वार्ड क्र. ७, पुरानी बस्ती, मोबाइल ९८२६१४३३०७, आधार क्र. {INVALID_AADHAAR_HI} की "
        "राशन कार्ड नवीनीकरण संबंधी शिकायत का निराकरण कर दिया गया है।"
    )
    hits = screen(detector, text, "official")
    phone = only(hits, "pii.phone")
    assert phone.confidence >= 0.8
    assert phone.spans[0].text == "९८२६१४३३०७"
    assert phone.details["number_type"] == "MOBILE"
    assert only(hits, "pii.aadhaar").spans[0].text == INVALID_AADHAAR_HI


def test_citizen_mobile_short(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "शिकायतकर्ता रमेश साहू, मो. 9826143307"), "pii.phone")
    assert hit.confidence >= 0.8
    assert hit.details["supportive_context_kind"] in ("citizen", "honorific", "personal")


def test_patient_list_each_number_flagged(detector: ConfidentialDataDetector) -> None:
    text = (
        "आज के Covid positive patients की list:\n"
        "1. रमेश कुर्रे, 45 वर्ष, वार्ड 12 शांति नगर, mob. 7000412896\n"
        "2. सविता यादव, 32 वर्ष, गुढ़ियारी, mob. 9179034561\n"
        "इनके घर के आसपास वाले सावधान रहें!"
    )
    phones = by_reason(screen(detector, text), "pii.phone")
    assert [h.spans[0].text for h in phones] == ["7000412896", "9179034561"]
    assert all(h.confidence >= 0.7 for h in phones)


@pytest.mark.parametrize(
    "text",
    [
        "बाढ़ नियंत्रण हेतु जिला कंट्रोल रूम स्थापित, हेल्पलाइन नंबर 9425012345 पर संपर्क करें।",
        "वितरण संबंधी शिकायत टोल फ्री नंबर १९६७ पर दर्ज कराएं।",
        "মহামারী সংক্রান্ত যেকোনো তথ্যের জন্য কন্ট্রোল রুম: ০১৭১১-৫৪৩২১০ (২৪ ঘণ্টা খোলা)",
        "দুদকের হটলাইন ১০৬ অথবা জেলা হেল্পলাইন ০১৩১৮-২২৩৩৪৪ নম্বরে জানান।",
        "For queries contact the office helpline +91 98261 43307 (10 am to 5 pm).",
        "In an emergency call 999 or the upazila control room 01712-345678.",
        "Child helpline 1098, police 112, national helpline 333.",
        "नोडल अधिकारी श्री ए.के. शर्मा, मो. 9425098765 से संपर्क करें।",
        "कार्यालय दूरभाष 0771-2221234",
    ],
)
def test_office_numbers_are_not_leaks(detector: ConfidentialDataDetector, text: str) -> None:
    assert all(h.confidence < 0.3 for h in screen(detector, text, "official"))


def test_bare_number_scores_by_account(detector: ConfidentialDataDetector) -> None:
    personal = only(screen(detector, "Ramesh bhai ka number 9826143307 hai"), "pii.phone")
    assert 0.2 <= personal.confidence < 0.5
    assert screen(detector, "9826143307", "official") == []


def test_invitation_to_call_is_the_owners_number(detector: ConfidentialDataDetector) -> None:
    for text in (
        "पुरानी स्कूटी बिक्री हेतु, इच्छुक व्यक्ति 9826143307 पर संपर्क करें।",
        "Selling my old bike, call me 9826143307",
        "পুরনো বই বিক্রি হবে, যোগাযোগ করুন ০১৭১১৫৪৩২১০",
    ):
        assert screen(detector, text) == [], text


def test_romanized_and_english_personal_context(detector: ConfidentialDataDetector) -> None:
    for text in (
        "Shikayatkarta Ramesh ka mob no 98261 43307 hai, aap baat kar lo",
        "Complainant Mrs. Rina Das, r/o Ward 5, phone +91-98261-43307",
        "rogi Abdul Karim er mobile 01711 543210, basha Mirpur 10",
    ):
        hit = only(screen(detector, text), "pii.phone")
        assert hit.confidence >= 0.8, text


# --- Bangladesh: NID vs phone -------------------------------------------------------------


def test_bengali_nid_and_phone_told_apart(detector: ConfidentialDataDetector) -> None:
    text = "অভিযোগকারী মোঃ রহিম উদ্দিন, এনআইডি নং ১৯৮৫২৬৯৪৮১৭০০০১২৩, মোবাইল ০১৭১১-৫৪৩২১০"
    hits = screen(detector, text)
    nid = only(hits, "pii.bd_nid")
    assert nid.spans[0].text == "১৯৮৫২৬৯৪৮১৭০০০১২৩"
    assert nid.confidence == pytest.approx(0.95)
    assert nid.severity == Severity.CRITICAL
    phone = only(hits, "pii.phone")
    assert phone.spans[0].text == "০১৭১১-৫৪৩২১০"
    assert phone.confidence >= 0.8


def test_ten_digit_nid_needs_nid_label(detector: ConfidentialDataDetector) -> None:
    nid = only(screen(detector, "জাতীয় পরিচয়পত্র নম্বর: ৪৬৫৭৮৯১২৩৪"), "pii.bd_nid")
    assert nid.confidence == pytest.approx(0.95)
    # the same ten digits next to "मोबाइल" are an Indian mobile number, not an NID
    hits = screen(detector, "शिकायतकर्ता का मोबाइल 9657891234")
    assert by_reason(hits, "pii.bd_nid") == []
    assert only(hits, "pii.phone").confidence >= 0.8
    # "मतदाता" (Hindi, voter) does not make a mobile number an NID
    hits = screen(detector, "मतदाता सूची हेतु बीएलओ से संपर्क करें: 9657891234")
    assert by_reason(hits, "pii.bd_nid") == []


def test_nid_without_label_needs_a_citizen(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "ভুক্তভোগী করিম মিয়া, ১৯৮৫২৬৯৪৮১৭০০০১২৩"), "pii.bd_nid")
    assert hit.confidence >= 0.8
    assert hit.severity == Severity.HIGH  # no NID label: not certain it is one
    assert screen(detector, "রেফারেন্স ১৯৮৫২৬৯৪৮১৭০০০১২৩ দেখুন") == []


def test_nid_english_label_and_grouping(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "His NID: 465 789 1234, please verify"), "pii.bd_nid")
    assert hit.spans[0].text == "465 789 1234"


# --- spans through invisible characters ---------------------------------------------------


def test_spans_survive_zwj_zwnj(detector: ConfidentialDataDetector) -> None:
    text = "রোগীর\u200c মোবাইল\u200d: \u200c০১৭১১৫৪৩২১০ এবং ঠিকানা মিরপুর"
    hit = only(screen(detector, text), "pii.phone")
    assert hit.spans[0].text == "০১৭১১৫৪৩২১০"
    assert text[hit.spans[0].start:hit.spans[0].end] == "০১৭১১৫৪৩২১০"


def test_zero_width_inside_number_is_seen_through(detector: ConfidentialDataDetector) -> None:
    text = "शिकायतकर्ता का मोबाइल ९८२६१\u200b४३३\u200d०७ है"
    hit = only(screen(detector, text), "pii.phone")
    assert hit.spans[0].text == "९८२६१\u200b४३३\u200d०७"  # the whole original, hidden chars too


def test_conjuncts_in_context_words(detector: ConfidentialDataDetector) -> None:
    # क्ष, त्र, স্ম, ন্ত্র: conjuncts written with virama, and a nukta letter (ड़)
    text = "पीड़िता छात्रा का पता: ग्राम क्षेत्रपाल, संपर्क ९८२६१४३३०७"
    assert only(screen(detector, text), "pii.phone").confidence >= 0.8


# --- PAN, EPIC, passport ------------------------------------------------------------------


def test_pan_with_label(detector: ConfidentialDataDetector) -> None:
    for text in ("PAN: ABCPD1234E", "पैन कार्ड नंबर ABCPD1234E", "প্যান নম্বর ABCPD1234E"):
        hit = only(screen(detector, text), "pii.pan")
        assert hit.confidence == pytest.approx(0.95), text
        assert hit.severity == Severity.CRITICAL
        assert hit.details["masked"] == "XXXXXX234E"


@pytest.mark.parametrize(
    "text",
    [
        "Order XKQZT4821M shipped today",  # 4th letter Z is no PAN holder type
        "Use coupon abcpd1234e at checkout",  # PAN layout, but lower case and no label
        "Tracking no. A1B2C3D4E5, ticket TKT20240001",
        "#covid2024s trending",
    ],
)
def test_random_codes_are_not_pan(detector: ConfidentialDataDetector, text: str) -> None:
    assert by_reason(screen(detector, text), "pii.pan") == []


def test_loose_pan_with_label(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "pan no ABCDE1234F"), "pii.pan")  # D: not a holder type
    assert hit.confidence == pytest.approx(0.6)


def test_voter_id_needs_label(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "मतदाता परिचय पत्र क्र. ABC1234567"), "pii.voter_id")
    assert hit.severity == Severity.CRITICAL
    assert screen(detector, "batch ABC1234567 dispatched") == []


def test_passports(detector: ConfidentialDataDetector) -> None:
    assert only(screen(detector, "passport no. J8369854"), "pii.passport").confidence >= 0.9
    assert only(screen(detector, "পাসপোর্ট নং EB0123456"), "pii.passport").confidence >= 0.9
    assert screen(detector, "flight J8369854") == []


# --- e-mail -------------------------------------------------------------------------------


def test_government_email_is_not_flagged(detector: ConfidentialDataDetector) -> None:
    for text in (
        "Send your queries to collector-raipur@cg.gov.in",
        "ই-মেইল: dcdhaka@mopa.gov.bd",
        "Write to us at info@nic.in or support@uidai.gov.in",
    ):
        assert screen(detector, text, "official") == []


def test_personal_email_with_personal_context(detector: ConfidentialDataDetector) -> None:
    text = "शिकायतकर्ता रमेश का ईमेल ramesh.sahu1987@gmail.com है"
    hit = only(screen(detector, text), "pii.email")
    assert hit.confidence >= 0.8
    assert hit.details["masked"] == "r***@gmail.com"


# --- memo numbers -------------------------------------------------------------------------


def test_memo_numbers_are_weak(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "স্মারক নং- ০৫.৪২.০০০০.০১৪.১৮.০০১.২৩-৪৫৬ তারিখ: ১২/০৩/২০২৩"),
               "pii.memo_number")
    assert hit.spans[0].text == "০৫.৪২.০০০০.০১৪.১৮.০০১.২৩-৪৫৬"
    assert hit.confidence == pytest.approx(0.3)
    assert hit.severity == Severity.MEDIUM
    official = only(screen(detector, "F. No. 12/3/2023-Estt issued today", "official"),
                    "pii.memo_number")
    assert official.spans[0].text == "12/3/2023-Estt"
    assert official.confidence < 0.3
    hindi = only(screen(detector, "पत्र क्रमांक/245/स्था./2023 अभी जारी नहीं हुआ"),
                 "pii.memo_number")
    assert hindi.spans[0].text == "245/स्था./2023"


def test_ward_number_is_not_a_memo(detector: ConfidentialDataDetector) -> None:
    assert screen(detector, "वार्ड क्र. ७ में सफाई अभियान") == []


# --- decision record and messages ---------------------------------------------------------


def test_details_record_the_decision(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "শিকায়তকারী নয়, রোগী: করিম, মোবাইল ০১৮১৯-২২৩৩৪৪"), "pii.phone")
    d = hit.details
    for key in ("entity", "recognizer", "pattern_name", "original_score", "validator",
                "validation_result", "score_before_context", "context_words",
                "supportive_context_word", "score", "score_context_improvement", "decision"):
        assert key in d, key
    assert d["entity"] == "BD_PHONE_NUMBER"
    assert d["validation_result"] is True
    assert "রোগী" in d["context_words"]


def test_reasons_render_in_three_languages(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, f"Aadhaar {VALID_AADHAAR}"), "pii.aadhaar")
    for lang in ("en", "hi", "bn"):
        message = reason_text(hit.reason, lang, hit.details)
        assert "7865" in message and "7181" not in message


def test_posts_without_identifiers(detector: ConfidentialDataDetector) -> None:
    for text in (
        "कोविड-१९ की प्रिकॉशन डोज़ सभी शासकीय टीकाकरण केंद्रों पर उपलब्ध है। ६० वर्ष से अधिक आयु",
        "আগামী ৫ তারিখ সকাল ১০টায় সভা অনুষ্ঠিত হবে। সবাইকে উপস্থিত থাকার অনুরোধ।",
        "2,300 affected families received rice on 12.03.2024; 14 medical teams deployed.",
        "",
    ):
        assert screen(detector, text) == []


# --- credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("আমার লগইনে কাজ না হলে এটা নে — পাসওয়ার্ড: Land@2024. কাল অনুমোদন দিস।", "password"),
        ("Sharing the server login for colleagues on leave: pass Land#2024. lol", "pass"),
        ("Ha ha, the boss shares it in the group. Today's OTP 448213 😂", "otp"),
        ("ई-ऑफिस का पासवर्ड है raipur123, सबको बता देना", "password"),
        ("আমার ফোনে এইমাত্র সরকারি হিসাবের ওটিপি এলো ৪৮২৯১৭, স্যারকে জানান", "otp"),
        ("Office er email er password ta group e dilam: upzlaoffice@2023 — change korben na",
         "password"),
        ("Sir ka OTP aaya hai 739201, jaldi daal do portal pe", "otp"),
        ("একাউন্টের পিন ৪৪২১, টাকা তুলে রাখিস", "pin"),
    ],
)
def test_credentials_with_values_are_critical(detector: ConfidentialDataDetector, text: str,
                                              kind: str) -> None:
    hit = only(screen(detector, text), "pii.credential")
    assert hit.details["credential_kind"] == kind
    assert hit.confidence >= 0.85
    assert hit.severity == Severity.CRITICAL


def test_credential_secret_is_masked_in_messages(detector: ConfidentialDataDetector) -> None:
    text = "Facebook login is upz.sadar.official@gmail.com and password Sadar@1971. Don't change it."
    hits = screen(detector, text)
    password = [h for h in by_reason(hits, "pii.credential")
                if h.details["credential_kind"] == "password"]
    assert len(password) == 1
    assert password[0].details["masked"] == "password **********"
    for lang in ("en", "hi", "bn"):
        assert "Sadar@1971" not in reason_text("pii.credential", lang, password[0].details)
        assert "*****" in reason_text("pii.credential", lang, password[0].details)
    # a user name alone is half a log-in: reported, but weak on its own
    login = [h for h in by_reason(hits, "pii.credential") if h.details["credential_kind"] == "login"]
    assert login and login[0].confidence < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Never share your OTP or password with anyone, not even bank staff.",
        "সতর্কতা: ভূমি অফিসের কোনো কর্মকর্তা ফোনে কখনো আপনার ওটিপি বা পাসওয়ার্ড চাইবে না।",
        "OTP किसी को न बताएं। साइबर ठगी की शिकायत १९३० पर करें।",
        "कोई भी बैंक अधिकारी आपसे ओटीपी, पिन या पासवर्ड नहीं मांगता। ऐसा कॉल आने पर १९३० पर शिकायत करें।",
        "Sabhi karmchari email ka password har 90 din me badlein. Password kisi ke saath share na karein.",
        "Naya password banate samay 1234 jaisa aasan password na rakhein.",
        "strong password jaise Abc@1234 rakhein",
        "Post office Raipur GPO, PIN code 492001, will remain open on Saturday.",
        "पिनकोड 495001 क्षेत्र में कल बिजली बंद रहेगी।",
        "Requesting PWD Korba to patch the road near the bridge before 15.08.2024.",
        "Passed out in 2019 batch, gate pass no. AB1234 issued.",
        "Mere pass 2 tickets hai kal ke match ke, koi lega?",
        "Students log in with their roll number and date of birth to download admit cards.",
    ],
)
def test_credential_talk_without_a_value_is_clean(detector: ConfidentialDataDetector,
                                                  text: str) -> None:
    assert by_reason(screen(detector, text, "official"), "pii.credential") == []


# --- masked numbers -------------------------------------------------------------------------


def test_masked_phone_follows_the_context_rules_a_step_lower(
        detector: ConfidentialDataDetector) -> None:
    full = only(screen(detector, "Complainant Mahesh Yadav, Ward 9, phone 9826143307."),
                "pii.phone")
    masked = only(screen(detector, "Complainant Mahesh Yadav, Ward 9, phone 98xxxx3421."),
                  "pii.phone")
    assert 0.5 <= masked.confidence < full.confidence
    assert masked.details["masked_digits"] is True
    assert masked.spans[0].text == "98xxxx3421"
    bd = only(screen(detector, "যে মহিলা অভিযোগ করেছে তার মোবাইল ০১৭১২-xxx-৫৫৬, বাসা চরে।"),
              "pii.phone")
    assert bd.confidence >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "District Administration: Helpline: 0771-2xxxx10 (10 am–6 pm).",
        "Emergency contact: District Control Room 01320-xxxxx1.",
        "Flood control room: 07853-2xxxx7.",
        "WASA reply: tankers available on request, 16XXX hotline.",
        "My passport application is pending. Reference: 2024xxxx3381.",
        "Roll numbers 2410xxx to 2410xxx will appear in the supplementary exam.",
    ],
)
def test_masked_office_numbers_and_codes_are_clean(detector: ConfidentialDataDetector,
                                                   text: str) -> None:
    assert screen(detector, text, "official") == []


def test_masked_ids_need_their_label(detector: ConfidentialDataDetector) -> None:
    text = ("Complainant Mst. Rokeya Begum, House 23, Mirpur-10, mobile 01711-xxx-482, "
            "NID 1992xxxx4471.")
    hits = screen(detector, text, "official")
    nid = only(hits, "pii.bd_nid")
    assert nid.spans[0].text == "1992xxxx4471" and nid.confidence == pytest.approx(0.8)
    phone = only(hits, "pii.phone")
    assert phone.spans[0].text == "01711-xxx-482" and phone.confidence >= 0.7
    aadhaar = only(screen(detector, "उस लड़की का आधार 4512 xxxx 7730 है"), "pii.aadhaar")
    assert aadhaar.confidence == pytest.approx(0.8)
    assert screen(detector, "Batch code 4512 xxxx 7730 printed on the box.") == []


def test_nid_of_a_mistyped_length_right_after_its_label(detector: ConfidentialDataDetector) -> None:
    hit = only(screen(detector, "Ei je obhijogkarir NID ta dekhen 19827612345678, nam Sabina"),
               "pii.bd_nid")
    assert hit.confidence == pytest.approx(0.85)
    assert screen(detector, "Transaction id 19827612345678 confirmed, thanks") == []


def test_a_list_of_numbers_is_a_list_of_people(detector: ConfidentialDataDetector) -> None:
    text = ("Girls hostel की students की list with mobile numbers: Pooja Markam 7587014429, "
            "Rinki Kunjam 6264308815, Sangeeta Dhruw 9111203376")
    hits = by_reason(screen(detector, text, "official"), "pii.phone")
    assert len(hits) == 3 and all(h.confidence >= 0.5 for h in hits)
    # an office's contact list names its offices: dropped, not listed
    office = ("District control room 9826143307, SDM office 9826143308, "
              "Tehsildar office 9826143309")
    assert screen(detector, office, "official") == []


# --- security details -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "For internal coordination: CM's convoy will reach Jagdalpur airport at 3:40 pm, route via "
        "Dharampura–Lalbagh. Only 2 pilot vehicles + 1 jammer.",
        "কাল রাত ২টায় চরের ওই বাড়িতে র‍্যাবের অভিযান হবে, আমি টিমে আছি। ১২ জন যাচ্ছি।",
        "Colleagues, tomorrow's DRG operation in Gangaloor area starts at 4 am, 3 parties from "
        "Bijapur police lines.",
        "कल के बंद के मद्देनजर बल तैनाती: गांधी चौक पर केवल ४ जवान, रात १२ से ४ बजे कोई गश्त नहीं "
        "रहेगी।",
        "কাল সন্ধ্যায় সীমান্ত এলাকায় বিজিবির টহল দুই ঘণ্টা বন্ধ থাকবে, শিফট বদলাবে তখন।",
        "Bhai kal subah 5 baje excise wale teen dhabon pe raid marne wale hain.",
        "aaj SP sir er convoy 11.30 e Kalna ghat diye jabe, 3 ta gari. Amra escort e achi",
    ],
)
def test_security_details_of_coming_movements(detector: ConfidentialDataDetector,
                                              text: str) -> None:
    hit = only(screen(detector, text), "security.details")
    assert hit.confidence >= 0.5
    assert hit.severity == Severity.HIGH
    for lang in ("en", "hi", "bn"):
        assert "{" not in reason_text(hit.reason, lang, hit.details)


@pytest.mark.parametrize(
    "text",
    [
        "Traffic advisory: Due to the VVIP visit, Airport Road will be closed from 10 am to 1 pm. "
        "Please use alternative routes. Inconvenience is regretted.",
        "মাননীয় প্রধানমন্ত্রীর আগমন উপলক্ষে আগামীকাল সকাল ৯টা থেকে দুপুর ১টা পর্যন্ত বিমানবন্দর সড়কে যান "
        "চলাচল বন্ধ থাকবে। জনসাধারণের সুবিধার্থে বিকল্প পথ ব্যবহারের অনুরোধ করা হলো।",
        "Police conducted a raid at 4 am today at a gambling den and arrested 6 people.",
        "पापा का कल सुबह 10 बजे ऑपरेशन है, सब दुआ करना 🙏",
        "ডেঙ্গু প্রতিরোধে আগামীকাল সকাল ৮টা থেকে সিটি কর্পোরেশনের ১০টি টিম পরিচ্ছন্নতা অভিযান চালাবে।",
        "गणेश विसर्जन के दौरान सुरक्षा व्यवस्था हेतु 800 जवान तैनात रहेंगे। शोभायात्रा शाम 6 बजे से।",
        "हमारे मोहल्ले में रात को पुलिस की गश्त नहीं होती, चोरियां बढ़ गई हैं।",
        "Escort duty today from 6 am, standing since morning. Feet are killing me lol",
        "Search operation is continuing in the Kohkameta forest. All jawans are safe.",
    ],
)
def test_public_or_past_security_news_is_clean(detector: ConfidentialDataDetector,
                                               text: str) -> None:
    assert by_reason(screen(detector, text, "official"), "security.details") == []


# --- the lexicon's co-occurrence rules (unreleased decisions, exam papers) ---------------------


@pytest.fixture(scope="module")
def lexicon() -> Any:
    from pathlib import Path

    from satark.detectors.lexicon import LexiconDetector

    path = Path(__file__).resolve().parents[1] / "src/satark/lexicons/data/confidential.yaml"
    return LexiconDetector.from_paths([path])


def _lexicon_confidence(lexicon: Any, text: str) -> float:
    hits = [h for h in lexicon.detect(normalize(text), _ctx()) if h.category == "confidential"]
    return max((h.confidence for h in hits), default=0.0)


@pytest.mark.parametrize(
    "text",
    [
        "অর্ডার এখনো বের হয়নি, নামগুলো কমেন্টে দিলাম।",
        "কাল পঞ্চম শ্রেণির ইংরেজি প্রশ্ন হাতে চলে এসেছে, কারো লাগলে ইনবক্সে বলেন।",
        "Kal ka Class 10 Science paper mil gaya bhai 🔥 photo DM me bhej raha hu",
        "पुलिस भर्ती का रिजल्ट अभी पोर्टल पर नहीं आया लेकिन मेरे पास मेरिट लिस्ट की कॉपी है",
        "Friends, unofficial list before release — Tehsildar transfers, screenshot from GAD file",
        "Porshu PSC viva board e je proshno gula korbe tar list amar kache ache, DM koren",
    ],
)
def test_unreleased_papers_and_lists(lexicon: Any, text: str) -> None:
    assert _lexicon_confidence(lexicon, text) >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "যে দেশে সরকারি কর্ম কমিশন প্রশ্ন ফাঁস আটকাতে পারে না, সেখানে মেধার মূল্য কী?",
        "PSC r moto ekta protishthan jodi proshno fash thekate na pare tahole labh ki?",
        "আমার কাছে একটা প্রশ্ন আছে — নামজারির আবেদন কিভাবে করবো? কেউ ইনবক্সে জানাবেন?",
        "The HSC results were supposed to come out last week and still nothing yet.",
        "मेरा नाम वोटर लिस्ट में नहीं है, आधार लेकर कहां जाना होगा?",
        "CGBSE Class 12 results have been declared today. Download a copy at results.cg.nic.in.",
        "Question paper distribution for tomorrow's HSC exam will be done from thana custody.",
        "আপনার নাম, ঠিকানা ও মোবাইল নম্বর লিখে অভিযোগ করুন। অভিযোগকারীর পরিচয় গোপন রাখা হবে।",
        "सतर्कता: ओटीपी या पासवर्ड किसी को न बताएं।",
        "विश्व एड्स दिवस: एचआईवी की जांच निःशुल्क एवं पूर्णतः गोपनीय है।",
    ],
)
def test_talk_about_leaks_and_public_results_stays_below_report(lexicon: Any, text: str) -> None:
    assert _lexicon_confidence(lexicon, text) < 0.5
