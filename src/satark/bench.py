"""``satark bench``: throughput and latency of the whole ``screen()`` path on one core.

Three corpora, each seeded (same seed, same posts):

``realistic`` (the default)
    Posts at the length and in the language mix of real ones, made of the project's own
    posts (``data/written``, Apache-2.0, shipped in ``bench_posts.json.gz``), so it needs
    nothing else. The language mix and, per variety, the lengths are those measured on
    5,000 posts of the public data sets' test splits and the in-domain training posts
    (mean about 130 characters, from one word to a few thousand characters; 12% on
    official accounts): each post takes a length drawn from those of its variety; a
    post of ours shorter than that is joined with more of its variety, a longer one is
    cut at a space.
``real``
    The real posts themselves: an equal, seeded share of every public data set's test
    split. Needs ``../shared/data``.
``generated``
    The older corpus, generated from a few sentences per variety at the lengths of
    long Facebook posts (mean about 240 characters), a fifth carrying something to flag.

Each post is screened with its own jurisdiction and account type. Throughput is given
per wall-clock second and per CPU-second of this process (``time.process_time``: what
a post costs, whatever else the machine is doing), and says which code ran: the C loops
(``ngram_scoring``, ``text_passes``) or the Python they mirror. Every pass starts from the
same state: the engine's caches emptied (the n-gram model caches the features of the
words it has read; without the C passes, the lexicon which words start a term), then
warmed with posts that are not
measured; what detectors load on first use
(patterns, ``phonenumbers``) is loaded before any pass (``Screener.warm_up``).
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from .normalize import compiled as normalize_compiled

if TYPE_CHECKING:
    from .engine import Screener

__all__ = ["CORPORA", "build_bench_posts", "corpus", "generate_corpus", "print_bench", "real_corpus",
           "realistic_corpus", "run_bench"]

#: the project's own posts and the length profile of real ones (see :func:`build_bench_posts`)
BENCH_POSTS = Path(__file__).with_name("bench_posts.json.gz")
CORPORA = ("realistic", "real", "generated")
_DESCRIPTION = {
    "realistic": "the project's posts at the lengths and language mix of real posts",
    "real": "real posts (public test splits)",
    "generated": "generated",
}

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


def realistic_corpus(n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` posts at the lengths and in the language mix of real posts (see the module).

    Needs only the package: the project's own posts and the measured profile ship in
    ``bench_posts.json.gz``. Posts are drawn without replacement while the pool lasts.
    """
    data = _bench_posts()
    profile, pool = data["profile"], data["pool"]
    rng = random.Random(seed)
    varieties = sorted(profile["varieties"])
    shares = [profile["varieties"][v]["share"] for v in varieties]
    queues: dict[str, list[list[str]]] = {}

    def draw(variety: str) -> list[str]:
        queue = queues.get(variety)
        if not queue:
            queue = queues[variety] = list(pool[variety])
            rng.shuffle(queue)
        return queue.pop()

    out = []
    for _ in range(n):
        variety = rng.choices(varieties, shares)[0]
        target = rng.choice(profile["varieties"][variety]["lengths"])
        first = draw(variety)
        parts, length = [first[0]], len(first[0])
        while length < target:
            text = draw(variety)[0]
            parts.append(text)
            length += 1 + len(text)
        text = " ".join(parts)
        if len(text) > target:  # cut at the first space from the length drawn on
            cut = text.find(" ", target)
            text = text[:cut] if cut > 0 else text
        account = "official" if rng.random() < profile["official_share"] else "personal"
        out.append((text, first[1], account))
    return out


_BENCH_POSTS_CACHE: dict[str, Any] = {}


def _bench_posts() -> dict[str, Any]:
    if not _BENCH_POSTS_CACHE:
        with gzip.open(BENCH_POSTS, "rt", encoding="utf-8") as fh:
            _BENCH_POSTS_CACHE.update(json.load(fh))
    return _BENCH_POSTS_CACHE


def build_bench_posts(reference: Iterable[tuple[str, str]], own: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """What ``bench_posts.json.gz`` holds, from ``reference`` posts ``(text, account_type)``
    (whose lengths, per variety, and language mix are kept; none of their text) and the
    project's ``own`` posts ``(text, jurisdiction)`` (the pool, grouped by variety).

    ``benchmarks/bench_corpus.py`` writes it from the public test splits, the in-domain
    files and ``data/written``.
    """
    from .langid import identify
    from .normalize import normalize

    lengths: dict[str, list[int]] = {}
    official = total = 0
    for text, account_type in reference:
        variety = identify(normalize(text).norm.text).code
        lengths.setdefault(variety, []).append(len(text))
        official += account_type == "official"
        total += 1
    pool: dict[str, list[list[str]]] = {}
    seen: set[str] = set()
    for text, jurisdiction in own:
        if text in seen:
            continue
        seen.add(text)
        pool.setdefault(identify(normalize(text).norm.text).code, []).append([text, jurisdiction])
    varieties: dict[str, dict[str, Any]] = {}
    for variety, values in sorted(lengths.items()):
        if variety not in pool:  # "und" (only emoji, digits): nothing of ours to stand in
            continue
        varieties[variety] = {"share": len(values), "lengths": sorted(values)}
    kept = sum(v["share"] for v in varieties.values())
    for v in varieties.values():
        v["share"] = round(v["share"] / kept, 4)
    return {
        "profile": {"varieties": varieties, "official_share": round(official / max(1, total), 4),
                    "reference_posts": total},
        "pool": {v: pool[v] for v in sorted(varieties)},
    }


def corpus(name: str, n: int, seed: int = 7) -> list[tuple[str, str, str]]:
    """``n`` posts of the named corpus (:data:`CORPORA`) as ``(text, jurisdiction, account_type)``."""
    if name == "realistic":
        return realistic_corpus(n, seed)
    if name == "real":
        return real_corpus(n, seed)
    if name == "generated":
        return generate_corpus(n, seed)
    raise ValueError(f"corpus must be one of {', '.join(CORPORA)}, not {name!r}")


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


def _clear_caches(screener: Screener) -> None:
    for detector in screener.detectors:
        clear = getattr(detector, "clear_caches", None)
        if clear is not None:
            clear()


def _timed(screener: Screener, warm: Sequence[tuple[str, str, str]], work: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of ``work``, from emptied caches warmed with ``warm``."""
    _clear_caches(screener)
    for text, j, a in warm:
        screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_bench(*, n_posts: int = 5000, latency_samples: int = 2000, seed: int = 7,
              mode: str = "rules", real: bool = False, corpus_name: str | None = None,
              warm_posts: int = 500, repeats: int = 3) -> dict[str, Any]:
    """Time ``screen()`` (one post a call) and ``screen_many`` (batches of 256) on one core.

    ``corpus_name``: one of :data:`CORPORA` (default ``realistic``; ``real=True`` is
    ``real``). ``warm_posts`` more posts of the same corpus warm the engine before each
    pass and are not measured. Each way is timed in ``repeats`` passes, alternately; the
    throughput given is the best pass's (as ``timeit`` advises: the slower passes measure
    what else the machine was doing), with the median of the passes and each pass beside.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    from .engine import Screener

    name = corpus_name or ("real" if real else "realistic")
    if name not in CORPORA:
        raise ValueError(f"corpus must be one of {', '.join(CORPORA)}, not {name!r}")
    pinned = _pin_one_core()
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    screener = Screener.from_plugins(mode=mode)  # type: ignore[arg-type]
    screener.screen("warm up: load the models", jurisdiction="IN-CG")  # lazy model loading
    screener.warm_up()  # and what only some posts need (phonenumbers, recognizer patterns)
    load_s = time.perf_counter() - t0
    posts = corpus(name, n_posts + warm_posts, seed)
    warm, posts = posts[:warm_posts], posts[warm_posts:]
    n_posts = len(posts)
    flagged = 0

    def one_by_one() -> None:
        nonlocal flagged
        for text, j, a in posts:
            flagged += bool(screener.screen(text, jurisdiction=j, account_type=a).findings)  # type: ignore[arg-type]

    def batched() -> None:  # bulk audits screen in batches (Screener.screen_many): the classifiers vectorise
        for i in range(0, len(posts), 256):
            screener.screen_many(posts[i:i + 256])  # type: ignore[arg-type]

    passes: list[tuple[float, float]] = []
    passes_b: list[tuple[float, float]] = []
    for _ in range(repeats):
        flagged = 0
        passes.append(_timed(screener, warm, one_by_one))
        passes_b.append(_timed(screener, warm, batched))
    wall, cpu = min(passes, key=lambda p: p[1])
    wall_b, cpu_b = min(passes_b, key=lambda p: p[1])
    samples = []
    _clear_caches(screener)
    for text, j, a in warm:
        screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
    for text, j, a in posts[:latency_samples]:
        s = time.perf_counter_ns()
        screener.screen(text, jurisdiction=j, account_type=a)  # type: ignore[arg-type]
        samples.append((time.perf_counter_ns() - s) / 1e6)
    samples.sort()
    lengths = [len(t) for t, _, _ in posts]
    return {
        "posts": n_posts,
        "corpus": name,
        "corpus_description": _DESCRIPTION[name],
        "seed": seed,
        "mean_chars": round(statistics.mean(lengths), 1),
        "median_chars": statistics.median(lengths),
        "max_chars": max(lengths),
        "languages": _language_mix(screener, posts),
        "flagged_share": round(flagged / n_posts, 3),
        "posts_per_cpu_second": round(n_posts / max(cpu, 1e-9), 1),
        "posts_per_cpu_second_batched": round(n_posts / max(cpu_b, 1e-9), 1),
        "repeats": repeats,
        "posts_per_cpu_second_median": round(n_posts / max(statistics.median(c for _, c in passes), 1e-9), 1),
        "posts_per_cpu_second_batched_median": round(
            n_posts / max(statistics.median(c for _, c in passes_b), 1e-9), 1),
        "posts_per_cpu_second_passes": [round(n_posts / max(c, 1e-9), 1) for _, c in passes],
        "posts_per_second": round(n_posts / max(wall, 1e-9), 1),
        "posts_per_second_batched": round(n_posts / max(wall_b, 1e-9), 1),
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "latency_ms_p50": round(samples[len(samples) // 2], 3),
        "latency_ms_p99": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 3),
        "latency_ms_max": round(samples[-1], 3),
        "engine_load_s": round(load_s, 3),
        "mode": mode,
        "warm_posts": warm_posts,
        "peak_rss_mb": round(_rss_mb(), 1),
        "rss_before_engine_mb": round(rss_before, 1),
        "detectors": [d.name for d in screener.detectors_for()],
        "ngram_scoring": _ngram_scoring(mode),
        "text_passes": "C" if normalize_compiled() else "Python",
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "affinity": pinned,
    }


def _ngram_scoring(mode: str) -> str | None:
    """Which code scores the n-gram model: its C loop, or numpy where it was not built."""
    if mode == "rules":
        return None
    from .classifiers.linear import compiled

    return "C" if compiled() else "numpy"


def _language_mix(screener: Screener, posts: Sequence[tuple[str, str, str]]) -> dict[str, float]:
    from .langid import identify
    from .normalize import normalize

    counts = Counter(identify(normalize(text).norm.text).code for text, _, _ in posts)
    return {code: round(k / len(posts), 3) for code, k in counts.most_common()}


def print_bench(result: dict[str, Any], console: Console) -> None:
    table = Table("measure", "value", title=f"satark bench (mode {result['mode']}, one core)",
                  title_justify="left")
    for key in ("posts", "corpus", "mean_chars", "languages", "flagged_share", "repeats", "posts_per_cpu_second",
                "posts_per_cpu_second_median", "posts_per_cpu_second_batched", "posts_per_cpu_second_batched_median",
                "posts_per_second", "posts_per_second_batched", "latency_ms_p50",
                "latency_ms_p99", "latency_ms_max", "engine_load_s", "peak_rss_mb", "affinity", "python"):
        value = result[key]
        if key == "languages":
            value = ", ".join(f"{code} {share:.0%}" for code, share in value.items())
        table.add_row(key, str(value))
    if result.get("ngram_scoring"):
        table.add_row("ngram_scoring", result["ngram_scoring"])
    if result.get("text_passes"):
        table.add_row("text_passes", result["text_passes"])
    console.print(table)
