"""``satark bench``: throughput and latency of the whole ``screen()`` path on one core.

The corpus is generated (seeded, so runs are comparable) from sentences in all the
varieties Satark screens, at the lengths of real posts: one-line tweets to long Facebook
posts, about a fifth of them carrying something to flag (abuse, IDs, phone numbers, leak
cues, campaigning). Each post is screened with its own jurisdiction and account type.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import time
from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["generate_corpus", "print_bench", "run_bench"]

_CLEAN: dict[str, list[str]] = {
    "hi": [
        "जिला प्रशासन द्वारा आज ग्राम पंचायत भवन में स्वास्थ्य शिविर का आयोजन किया गया।",
        "सभी हितग्राही अपने दस्तावेज़ों के साथ समय पर उपस्थित हों।",
        "प्रधानमंत्री आवास योजना के अंतर्गत १२४ परिवारों को स्वीकृति पत्र वितरित किए गए।",
        "बारिश के मौसम में जलजनित बीमारियों से बचाव के लिए पानी उबालकर पिएं।",
        "कलेक्टर महोदय ने विकासखंड के स्कूलों का निरीक्षण किया और शिक्षकों से चर्चा की।",
        "अफवाहों पर ध्यान न दें, सही जानकारी के लिए आधिकारिक वेबसाइट देखें।",
        "आज का दिन बहुत अच्छा रहा, सभी साथियों का धन्यवाद।",
    ],
    "bn": [
        "উপজেলা প্রশাসনের উদ্যোগে আজ বিনামূল্যে চক্ষু শিবির অনুষ্ঠিত হয়েছে।",
        "সম্মানিত সেবাগ্রহীতাদের জাতীয় পরিচয়পত্র সঙ্গে আনার অনুরোধ করা হলো।",
        "বন্যা পরিস্থিতি মোকাবিলায় জেলা কন্ট্রোল রুম ২৪ ঘণ্টা খোলা থাকবে।",
        "নামজারি আবেদনের শুনানি আগামী রবিবার অনুষ্ঠিত হবে।",
        "গুজবে কান দেবেন না, সঠিক তথ্যের জন্য সরকারি ওয়েবসাইট দেখুন।",
        "আমাদের বিদ্যালয়ের শিক্ষার্থীরা জেলা পর্যায়ে বিজ্ঞান মেলায় প্রথম হয়েছে।",
    ],
    "en": [
        "The land records office will stay open on Saturday to clear pending mutation cases.",
        "Heavy rain is expected tomorrow; fishermen are advised not to go out to sea.",
        "Results of the district science fair will be announced at the town hall on Friday.",

        "The district administration has opened a help desk for flood-affected families.",
        "Citizens can apply online for the scholarship until the end of this month.",
        "The vaccination drive continues at all government health centres this week.",
        "Please do not share unverified messages; check the official website for updates.",
        "Our team visited the new school building and reviewed the progress of construction.",
    ],
    "hi-en": [
        "Ration card ka e-KYC 31 tarikh tak zaroor karwa lein, nazdeeki dukaan par suvidha hai.",
        "Kal gram sabha ki baithak hai, sabhi panch aur sachiv samay par pahunchein.",
        "Barish ke mausam mein bachchon ko nadi naalon se door rakhein.",

        "Aaj block office mein camp laga hai, sabhi log apne documents le kar aayein.",
        "Kal se naya ration card banane ka kaam shuru hoga, panchayat bhawan aayein.",
    ],
    "bn-en": [
        "Kal theke school er notun class routine chalu hobe, sobai dekhe nin.",
        "Upazila krishi office theke bij bitoron kora hobe, kagoj niye ashben.",
        "Bonna porishthiti niye amader control room khola ache.",

        "Aj upazila office e free medical camp hocche, sobai ashben.",
        "Amader school er chhatrora district e prothom hoyeche, shubhechha roilo.",
    ],
    "hi-mixed": [
        "Collector office में आज public hearing है, अपनी application साथ लाएं।",
        "स्कूलों में mid-day meal की quality check के लिए team बनाई गई है।",

        "Important Notice: ज़िला अस्पताल में कल free health check-up camp लगेगा।",
        "सभी staff members से request है कि meeting में time पर पहुँचें।",
        "Online application की last date 30 तारीख है, portal पर apply करें।",
    ],
    "bn-mixed": [
        "উপজেলা hospital এ নতুন X-ray machine চালু হয়েছে।",
        "Digital center থেকে জন্ম নিবন্ধনের online আবেদন করা যাবে।",

        "আগামীকাল office এ important meeting আছে, সবাই time মত আসবেন।",
        "Online এ আবেদন করার last date ৩০ তারিখ।",
    ],
}
_FLAGGED: dict[str, list[str]] = {
    "hi": [
        "ये सरकार पूरी तरह निकम्मी है, कुछ काम नहीं करती।",
        "शिकायतकर्ता श्री रामलाल, मोबाइल ९८२६१४३३०७, की शिकायत का निराकरण किया गया।",
        "अंदर की खबर है, तबादला सूची अभी जारी नहीं हुई पर नाम तय हो गए हैं।",
    ],
    "bn": [
        "আগামী নির্বাচনে নৌকা মার্কায় ভোট দিয়ে জয়যুক্ত করুন।",
        "অভিযোগকারী রহিমা খাতুন, মোবাইল ০১৭১১২২৩৩৪৪, বাসা ১২ নম্বর ওয়ার্ড।",
        "এই অফিসের সব কর্মকর্তা ঘুষখোর, কোনো কাজ টাকা ছাড়া হয় না।",
        "সবাই রাস্তায় নামুন, সব অচল করে দিন।",
    ],
    "en": [
        "Forwarded as received: the banks will be closed for ten days from Monday, share fast!",
        "In just six months I have cleared over 12,000 files, a record nobody before me achieved.",
        "Happy birthday to my little princess, daddy loves you so much!",
        "This useless government cannot even fix a single road.",
        "Contact the complainant at 9876543210 for any clarification.",
    ],
    "hi-en": [
        "Yeh sarkar bilkul bekar hai, koi kaam nahi hota.",
        "Mere block ka result is baar sabse accha aaya, sab meri mehnat hai.",
        "Bhai inside news hai, transfer list kal aayegi, kisi ko mat batana.",
    ],
    "bn-en": [
        "Vai inside news, result kal ashbe, kauke bolben na please.",
        "Ei sarkar kono kaj kore na, sob churi kore.",
    ],
    "bn-mixed": [
        "Weekend এ family নিয়ে Sajek ঘুরে আসলাম, view টা amazing!",
    ],
    "hi-mixed": [
        "सब staff को बता दूँ, ये नया officer एकदम चोर है।",
    ],
}
_TAGS = [" #DigitalIndia", " #SmartBangladesh", " @collector_office", " #Health", " #Education"]
FLAGGED_SHARE = 0.2
_WEIGHTS = {"hi": 0.22, "bn": 0.22, "en": 0.18, "hi-en": 0.1, "bn-en": 0.1, "hi-mixed": 0.09, "bn-mixed": 0.09}


def generate_corpus(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` posts as ``(text, jurisdiction, account_type)``, 40 to ~900 characters."""
    rng = random.Random(seed)
    langs, weights = zip(*_WEIGHTS.items(), strict=True)
    out = []
    for _ in range(n):
        lang = rng.choices(langs, weights)[0]
        k = rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 8))
        sentences = [rng.choice(_CLEAN[lang]) for _ in range(k)]
        if rng.random() < FLAGGED_SHARE:
            sentences.insert(rng.randrange(k + 1), rng.choice(_FLAGGED[lang]))
        text = " ".join(sentences)
        if rng.random() < 0.2:
            text += "".join(rng.sample(_TAGS, rng.randint(1, 3)))
        jurisdiction = "BD" if lang.startswith("bn") else "IN-CG"
        account = "official" if rng.random() < 0.4 else "personal"
        out.append((text, jurisdiction, account))
    return out


def real_corpus(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` real posts: an equal, seeded share of every public data set's test split.

    Their length and language mix are those of real tweets and comments (Hindi, Bengali,
    English, Hinglish, Banglish), unlike the generated corpus. Needs ``../shared/data``.
    """
    import random

    from .training import datasets
    from .transfer import MAPPING

    names = [m.name for m in MAPPING]
    per_set = -(-n // len(names))
    out: list[tuple[str, str, str]] = []
    for name in names:
        spec = datasets.get(name)
        examples = datasets.load(name, "test" if "test" in spec.splits else spec.splits[0])
        examples = [e for e in examples if 0 < len(e.text) <= 65_536]
        random.Random(f"{seed}:{name}").shuffle(examples)
        out += [(e.text, e.jurisdiction, "personal") for e in examples[:per_set]]
    random.Random(seed).shuffle(out)
    return out[:n]


def _pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        try:
            cpu = min(os.sched_getaffinity(0))
            os.sched_setaffinity(0, {cpu})
            return f"pinned to CPU {cpu}"
        except OSError:
            pass
    return "not pinned"


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_bench(*, n_posts: int = 5000, latency_samples: int = 2000, seed: int = 7,
              mode: str = "rules", real: bool = False) -> dict[str, Any]:
    from .engine import Screener

    pinned = _pin_one_core()
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    screener = Screener.from_plugins(mode=mode)  # type: ignore[arg-type]
    screener.screen("warm up: load the models", jurisdiction="IN-CG")  # lazy model loading
    load_s = time.perf_counter() - t0
    corpus = real_corpus(n_posts, seed) if real else generate_corpus(n_posts, seed)
    n_posts = len(corpus)
    for text, j, a in corpus[:200]:  # warm-up: lazy caches, regex compilation
        screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
    start = time.perf_counter()
    flagged = 0
    for text, j, a in corpus:
        flagged += bool(screener.screen(text, jurisdiction=j, account_type=a).findings)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    # Bulk audits screen in batches (Screener.screen_many): the classifiers vectorise.
    start = time.perf_counter()
    for i in range(0, len(corpus), 256):
        screener.screen_many(corpus[i:i + 256])  # type: ignore[arg-type]
    batched = time.perf_counter() - start
    samples = []
    for text, j, a in corpus[:latency_samples]:
        s = time.perf_counter_ns()
        screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
        samples.append((time.perf_counter_ns() - s) / 1e6)
    samples.sort()
    lengths = [len(t) for t, _, _ in corpus]
    return {
        "posts": n_posts,
        "corpus": "real posts (public test splits)" if real else "generated",
        "seed": seed,
        "mean_chars": round(statistics.mean(lengths), 1),
        "max_chars": max(lengths),
        "flagged_share": round(flagged / n_posts, 3),
        "posts_per_second": round(n_posts / elapsed, 1),
        "posts_per_second_batched": round(n_posts / batched, 1),
        "latency_ms_p50": round(samples[len(samples) // 2], 3),
        "latency_ms_p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 3),
        "latency_ms_max": round(samples[-1], 3),
        "engine_load_s": round(load_s, 3),
        "mode": mode,
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_engine_mb": round(rss_before, 1),
        "detectors": [d.name for d in screener.detectors_for()],
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "affinity": pinned,
    }


def print_bench(result: dict[str, Any], console: Console) -> None:
    table = Table("measure", "value", title=f"satark bench (mode {result['mode']}, one core)",
                  title_justify="left")
    for key in ("posts", "corpus", "mean_chars", "flagged_share", "posts_per_second", "posts_per_second_batched",
                "latency_ms_p50",
                "latency_ms_p99", "latency_ms_max", "engine_load_s", "peak_rss_mb", "affinity", "python"):
        table.add_row(key, str(result[key]))
    console.print(table)
