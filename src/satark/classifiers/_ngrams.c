/*
 * The n-gram model's scoring loop in C: hashed character and word n-grams of a post,
 * their counts, sublinear tf-idf, the L2 norm and the dot product with each category's
 * weights, in one pass and without a Python object per n-gram.
 *
 * Written by hand because no library does this job: the features are Satark's own
 * (see features.py, whose numpy code is the reference this must agree with, and which
 * runs where this module could not be compiled). A test compares the two on every
 * kind of text: Devanagari and Bengali with conjuncts, ZWJ/ZWNJ, emoji, astral
 * characters, underscores, digits, romanized and code-mixed posts.
 *
 *   ids(text, char_lo, char_hi, char_bits, word_bits, bigrams) -> bytes
 *       every feature id of `text` with repeats, as little-endian int32
 *       (the multiset of Featurizer.indices).
 *   decision(texts, slots, rows, stride, intercepts, log1p, out, char_lo, char_hi,
 *            char_bits, word_bits, bigrams) -> None
 *       writes the raw linear scores (LinearModel.decision) into `out`: float32,
 *       len(texts) x n_cats, row-major, n_cats = len(intercepts). `slots` (int32, one
 *       per feature) gives a feature's row in `rows`, or -1 for a feature the model
 *       never saw; a row (float32, `stride` apart) holds the feature's n_cats weights
 *       then its idf. `log1p` is log1p(0..len-1) in float32, as numpy computes it.
 *   aligned(scores, a, b, t) -> None
 *       turns raw scores (float32, n x n_cats, in place) into threshold-aligned
 *       probabilities (LinearModel.aligned_proba): Platt's sigmoid, then each category's
 *       threshold `t` (clipped) moved to 0.5, in float32, operation for operation as
 *       numpy and scipy's expit do it, so the results are the same to the bit.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define M_ROLL 1000003ULL
#define GOLDEN 0x9E3779B97F4A7C15ULL
#define FMIX 0xFF51AFD7ED558CCDULL
#define MAX_N 15
#define LANES 16 /* floats in a packed row: one 64-byte cache line */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

static uint32_t crc_table[256];

static void crc_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static inline uint32_t crc_byte(uint32_t crc, uint8_t b) {
    return crc_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
}

/* zlib.crc32 of the UTF-8 bytes of code points (surrogates encoded as three bytes) */
static uint32_t crc_utf8(const Py_UCS4 *cp, Py_ssize_t n) {
    uint32_t crc = 0xFFFFFFFFU;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = cp[i];
        if (c < 0x80) {
            crc = crc_byte(crc, (uint8_t)c);
        } else if (c < 0x800) {
            crc = crc_byte(crc, (uint8_t)(0xC0 | (c >> 6)));
            crc = crc_byte(crc, (uint8_t)(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            crc = crc_byte(crc, (uint8_t)(0xE0 | (c >> 12)));
            crc = crc_byte(crc, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
            crc = crc_byte(crc, (uint8_t)(0x80 | (c & 0x3F)));
        } else {
            crc = crc_byte(crc, (uint8_t)(0xF0 | (c >> 18)));
            crc = crc_byte(crc, (uint8_t)(0x80 | ((c >> 12) & 0x3F)));
            crc = crc_byte(crc, (uint8_t)(0x80 | ((c >> 6) & 0x3F)));
            crc = crc_byte(crc, (uint8_t)(0x80 | (c & 0x3F)));
        }
    }
    return crc ^ 0xFFFFFFFFU;
}

static inline uint64_t fmix(uint64_t h) {
    h ^= h >> 33;
    h *= FMIX;
    return h ^ (h >> 33);
}

/* features.TOKEN_PATTERN: [\w\u0900-\u0963\u0966-\u09ff] (re's \w: alphanumeric or _) */
static inline int is_token_char(Py_UCS4 c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return (c >= 0x900 && c <= 0x963) || (c >= 0x966 && c <= 0x9FF) || Py_UNICODE_ISALNUM(c); /* cheap tests first */
}

/* str.isspace, asked of the Devanagari and Bengali blocks without a call (none is a space) */
static inline int is_space(Py_UCS4 c) {
    return (c >= 0x900 && c <= 0x9FF) ? 0 : Py_UNICODE_ISSPACE(c);
}

typedef struct {
    int lo, hi, bigrams;
    uint64_t char_mask, word_mask, word_offset;
    uint64_t salt[MAX_N + 1];
} Spec;

static int spec_init(Spec *s, int lo, int hi, int char_bits, int word_bits, int bigrams) {
    if (lo < 2 || hi < lo || hi > MAX_N || char_bits < 1 || char_bits > 30 || word_bits < 1 || word_bits > 30) {
        PyErr_SetString(PyExc_ValueError, "unsupported n-gram spec");
        return -1;
    }
    s->lo = lo;
    s->hi = hi;
    s->bigrams = bigrams;
    s->char_mask = (1ULL << char_bits) - 1;
    s->word_mask = (1ULL << word_bits) - 1;
    s->word_offset = 1ULL << char_bits;
    for (int n = 0; n <= MAX_N; n++) s->salt[n] = (uint64_t)n * GOLDEN;
    return 0;
}

/* An upper bound on the ids of a text of `len` code points. */
static Py_ssize_t max_ids(const Spec *s, Py_ssize_t len) {
    return (len + 3) * 3 * (Py_ssize_t)(s->hi - s->lo + 1) + 2 * len + 2;
}

/* Appends every feature id of the text (code points `cp`, `len` of them) to `out`;
 * returns how many. Character n-grams of each whitespace-separated run padded with a
 * space each side; words (CRC-32 of UTF-8); bigrams of consecutive words. */
static Py_ssize_t text_ids(const Spec *s, const Py_UCS4 *cp, Py_ssize_t len, int32_t *out) {
    Py_ssize_t k = 0;
    int have_prev = 0;
    uint64_t prev = 0;
    Py_ssize_t i = 0;
    while (i < len) {
        while (i < len && is_space(cp[i])) i++;
        if (i >= len) break;
        Py_ssize_t start = i;
        while (i < len && !is_space(cp[i])) i++;
        Py_ssize_t m = i - start;
        Py_ssize_t plen = m + 2; /* the run padded: ' ' run ' ' */
        for (Py_ssize_t p = 0; p + 2 <= plen; p++) {
            uint64_t h = p == 0 ? 32 : cp[start + p - 1];
            for (int n = 2; n <= s->hi && p + n <= plen; n++) {
                Py_ssize_t q = p + n - 1;
                uint64_t c = q == plen - 1 ? 32 : cp[start + q - 1];
                h = h * M_ROLL + c;
                if (n >= s->lo) out[k++] = (int32_t)(fmix(h ^ s->salt[n]) & s->char_mask);
            }
        }
        /* words within the run, paired with the word before (across runs too) */
        Py_ssize_t j = start;
        while (j < i) {
            while (j < i && !is_token_char(cp[j])) j++;
            if (j >= i) break;
            Py_ssize_t w0 = j;
            while (j < i && is_token_char(cp[j])) j++;
            uint64_t w = crc_utf8(cp + w0, j - w0);
            out[k++] = (int32_t)((fmix(w) & s->word_mask) + s->word_offset);
            if (s->bigrams && have_prev)
                out[k++] = (int32_t)((fmix(prev * M_ROLL + w + GOLDEN) & s->word_mask) + s->word_offset);
            prev = w;
            have_prev = 1;
        }
    }
    return k;
}

/* The code points of a str as UCS4 (a borrowed view or a copy in `*owned`). */
static const Py_UCS4 *ucs4_of(PyObject *text, Py_ssize_t *len, Py_UCS4 **owned) {
    *owned = NULL;
    *len = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_KIND(text) == PyUnicode_4BYTE_KIND) return PyUnicode_4BYTE_DATA(text);
    *owned = PyUnicode_AsUCS4Copy(text);
    return *owned;
}

static PyObject *py_ids(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *text;
    int lo, hi, char_bits, word_bits, bigrams;
    Spec s;
    if (!PyArg_ParseTuple(args, "Uiiiip", &text, &lo, &hi, &char_bits, &word_bits, &bigrams)) return NULL;
    if (spec_init(&s, lo, hi, char_bits, word_bits, bigrams) < 0) return NULL;
    Py_ssize_t len;
    Py_UCS4 *owned;
    const Py_UCS4 *cp = ucs4_of(text, &len, &owned);
    if (cp == NULL) return NULL;
    int32_t *buf = PyMem_Malloc(sizeof(int32_t) * (size_t)max_ids(&s, len));
    if (buf == NULL) {
        PyMem_Free(owned);
        return PyErr_NoMemory();
    }
    Py_ssize_t k = text_ids(&s, cp, len, buf);
    PyObject *res = PyBytes_FromStringAndSize((const char *)buf, (Py_ssize_t)sizeof(int32_t) * k);
    PyMem_Free(buf);
    PyMem_Free(owned);
    return res;
}

/* Open addressing, keys id + 1 (0 = empty): distinct ids and their counts. `cap` is
 * the size for the text at hand, `alloc` what is allocated (at least `cap`). */
typedef struct {
    uint32_t *keys;
    uint32_t *counts;
    size_t cap, alloc;
} Table;

/* Sizes the table for `n` ids. The size depends on `n` alone, never on earlier texts:
 * the size sets the order the distinct ids are summed in, so a text scores the same
 * bits alone and in a batch, and a short text after a long one clears a small table. */
static int table_reserve(Table *t, size_t n) {
    size_t cap = 64;
    while (cap < 2 * n) cap <<= 1;
    if (cap > t->alloc) {
        PyMem_Free(t->keys);
        PyMem_Free(t->counts);
        t->keys = PyMem_Malloc(cap * sizeof(uint32_t));
        t->counts = PyMem_Malloc(cap * sizeof(uint32_t));
        t->alloc = 0;
        if (t->keys == NULL || t->counts == NULL) return -1;
        t->alloc = cap;
    }
    t->cap = cap;
    return 0;
}

#if defined(__SSE2__)
/* The weighted sum of a text's rows (stride LANES), `pairs` * 2 lanes of it, two lanes
 * to a vector: what the generic loop in py_decision computes, lane for lane. `pairs` is
 * a constant at each call, so the loops unroll and the sums stay in registers. */
static inline double dot_rows(const float *w, const int32_t *slots, const uint32_t *counts, Py_ssize_t v,
                              int n_cats, const float *l1p, Py_ssize_t n_l1p, double *lanes, const int pairs) {
    double sq = 0.0;
    __m128d a[LANES / 2];
    for (int c = 0; c < pairs; c++) a[c] = _mm_setzero_pd();
    for (Py_ssize_t q = 0; q < v; q++) {
        const float *row = w + (size_t)slots[q] * LANES;
        uint32_t cnt = counts[q];
        float tf = cnt < (uint32_t)n_l1p ? l1p[cnt] : log1pf((float)cnt);
        float x = tf * row[n_cats]; /* float32, as numpy computes the tf-idf value */
        if (x == 0.0f) continue;
        double xd = (double)x;
        sq += xd * xd;
        __m128d xv = _mm_set1_pd(xd);
        for (int c = 0; c < pairs; c++) {
            __m128d r = _mm_cvtps_pd(_mm_castpd_ps(_mm_load_sd((const double *)(row + 2 * c))));
            a[c] = _mm_add_pd(a[c], _mm_mul_pd(r, xv));
        }
    }
    for (int c = 0; c < pairs; c++) _mm_storeu_pd(lanes + 2 * c, a[c]);
    return sq;
}
#endif

static PyObject *py_decision(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *texts;
    Py_buffer slots_buf, rows, intercepts, log1p_buf, out_buf;
    int stride, lo, hi, char_bits, word_bits, bigrams;
    Spec s;
    if (!PyArg_ParseTuple(args, "O!y*y*iy*y*w*iiiip", &PyList_Type, &texts, &slots_buf, &rows, &stride, &intercepts,
                          &log1p_buf, &out_buf, &lo, &hi, &char_bits, &word_bits, &bigrams))
        return NULL;
    PyObject *res = NULL;
    int n_cats = (int)(intercepts.len / (Py_ssize_t)sizeof(float));
    int32_t *ids = NULL;
    Table t = {NULL, NULL, 0, 0};
    double *acc = NULL;
    if (spec_init(&s, lo, hi, char_bits, word_bits, bigrams) < 0) goto done;
    Py_ssize_t n_features = (Py_ssize_t)(s.word_offset + s.word_mask + 1);
    Py_ssize_t n_texts = PyList_GET_SIZE(texts);
    if (n_cats < 1 || stride < n_cats + 1 || slots_buf.len != (Py_ssize_t)sizeof(int32_t) * n_features ||
        rows.len % ((Py_ssize_t)sizeof(float) * stride) != 0 ||
        log1p_buf.len < (Py_ssize_t)sizeof(float) * 2 || out_buf.len != (Py_ssize_t)sizeof(float) * n_texts * n_cats) {
        PyErr_SetString(PyExc_ValueError, "rows, intercepts, log1p or out do not fit the spec");
        goto done;
    }
    const int32_t *slots = slots_buf.buf;
    const float *w = rows.buf;
    int32_t n_rows = (int32_t)(rows.len / ((Py_ssize_t)sizeof(float) * stride));
    const float *b = intercepts.buf;
    const float *l1p = log1p_buf.buf;
    Py_ssize_t n_l1p = log1p_buf.len / (Py_ssize_t)sizeof(float);
    acc = PyMem_Malloc(sizeof(double) * (size_t)n_cats);
    if (acc == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    float *out = out_buf.buf;
    Py_ssize_t ids_cap = 0;
    for (Py_ssize_t d = 0; d < n_texts; d++) {
        PyObject *text = PyList_GET_ITEM(texts, d);
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "texts must be str");
            goto done;
        }
        Py_ssize_t len;
        Py_UCS4 *owned;
        const Py_UCS4 *cp = ucs4_of(text, &len, &owned);
        if (cp == NULL) goto done;
        Py_ssize_t need = max_ids(&s, len);
        if (need > ids_cap) {
            PyMem_Free(ids);
            ids = PyMem_Malloc(sizeof(int32_t) * (size_t)need);
            ids_cap = need;
            if (ids == NULL) {
                PyMem_Free(owned);
                PyErr_NoMemory();
                goto done;
            }
        }
        Py_ssize_t k = text_ids(&s, cp, len, ids);
        PyMem_Free(owned);
        if (table_reserve(&t, (size_t)k) < 0) {
            PyErr_NoMemory();
            goto done;
        }
        size_t mask = t.cap - 1;
        memset(t.keys, 0, t.cap * sizeof(uint32_t));
        for (Py_ssize_t i = 0; i < k; i++) {
            uint32_t key = (uint32_t)ids[i] + 1;
            size_t h = (size_t)(fmix(key) & mask);
            while (t.keys[h] != 0 && t.keys[h] != key) h = (h + 1) & mask;
            if (t.keys[h] == 0) {
                t.keys[h] = key;
                t.counts[h] = 1;
            } else {
                t.counts[h]++;
            }
        }
        /* the distinct ids' rows, fetched ahead: the model (megabytes) does not fit
         * in a core's cache, so the loads overlap instead of waiting one by one */
        Py_ssize_t u = 0;
        for (size_t h = 0; h < t.cap; h++) {
            if (t.keys[h] == 0) continue;
            PREFETCH(slots + (t.keys[h] - 1));
            ids[u] = (int32_t)(t.keys[h] - 1);
            t.counts[u++] = t.counts[h];
        }
        Py_ssize_t v = 0;
        for (Py_ssize_t q = 0; q < u; q++) {
            int32_t slot = slots[ids[q]];
            if (slot < 0 || slot >= n_rows) continue; /* never seen in training: no weight */
            PREFETCH(w + (size_t)slot * (size_t)stride);
            ids[v] = slot;
            t.counts[v++] = t.counts[q];
        }
        for (int c = 0; c < n_cats; c++) acc[c] = 0.0;
        double sq = 0.0;
#if defined(__SSE2__)
        if (stride == LANES) {
            /* a whole row at once, two lanes to a vector: each lane is still one
             * multiply and one add in double, in the same order, so the sums are the
             * same bits (lanes past the weights are computed and dropped) */
            double lanes[LANES];
            if (n_cats < 12)
                sq = dot_rows(w, ids, t.counts, v, n_cats, l1p, n_l1p, lanes, 6);
            else
                sq = dot_rows(w, ids, t.counts, v, n_cats, l1p, n_l1p, lanes, 8);
            for (int c = 0; c < n_cats; c++) acc[c] = lanes[c];
        } else
#endif
        {
            for (Py_ssize_t q = 0; q < v; q++) {
                const float *row = w + (size_t)ids[q] * (size_t)stride;
                uint32_t cnt = t.counts[q];
                float tf = cnt < (uint32_t)n_l1p ? l1p[cnt] : log1pf((float)cnt);
                float x = tf * row[n_cats]; /* float32, as numpy computes the tf-idf value */
                if (x == 0.0f) continue;
                sq += (double)x * (double)x;
                for (int c = 0; c < n_cats; c++) acc[c] += (double)row[c] * (double)x;
            }
        }
        double norm = sq > 0.0 ? sqrt(sq) : 1.0;
        for (int c = 0; c < n_cats; c++) out[d * n_cats + c] = (float)(acc[c] / norm + (double)b[c]);
    }
    res = Py_NewRef(Py_None);
done:
    PyMem_Free(ids);
    PyMem_Free(t.keys);
    PyMem_Free(t.counts);
    PyMem_Free(acc);
    PyBuffer_Release(&slots_buf);
    PyBuffer_Release(&rows);
    PyBuffer_Release(&intercepts);
    PyBuffer_Release(&log1p_buf);
    PyBuffer_Release(&out_buf);
    return res;
}

static PyObject *py_aligned(PyObject *Py_UNUSED(self), PyObject *args) {
    Py_buffer sc, a_buf, b_buf, t_buf;
    if (!PyArg_ParseTuple(args, "w*y*y*y*", &sc, &a_buf, &b_buf, &t_buf)) return NULL;
    PyObject *res = NULL;
    Py_ssize_t n_cats = a_buf.len / (Py_ssize_t)sizeof(float);
    if (n_cats < 1 || b_buf.len != a_buf.len || t_buf.len != a_buf.len ||
        sc.len % ((Py_ssize_t)sizeof(float) * n_cats) != 0) {
        PyErr_SetString(PyExc_ValueError, "scores, a, b and t do not fit");
        goto done;
    }
    float *z = sc.buf;
    const float *a = a_buf.buf, *b = b_buf.buf, *t = t_buf.buf;
    Py_ssize_t n = sc.len / (Py_ssize_t)sizeof(float);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t c = i % n_cats;
        float x = a[c] * z[i];
        x = x + b[c];
        float p = 1.0f / (1.0f + expf(-x)); /* scipy.special.expit in float32 */
        float tc = t[c];
        if (p < tc) {
            float half = 0.5f * p;
            z[i] = half / tc;
        } else {
            float d = 0.5f * (p - tc);
            z[i] = 0.5f + d / (1.0f - tc);
        }
    }
    res = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&sc);
    PyBuffer_Release(&a_buf);
    PyBuffer_Release(&b_buf);
    PyBuffer_Release(&t_buf);
    return res;
}

static PyMethodDef methods[] = {
    {"ids", py_ids, METH_VARARGS, "Every feature id of a text, with repeats, as int32 bytes."},
    {"decision", py_decision, METH_VARARGS, "Writes the raw linear scores of texts into a float32 buffer."},
    {"aligned", py_aligned, METH_VARARGS, "Raw scores to threshold-aligned probabilities, in place."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ngrams", "The n-gram model's scoring loop in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ngrams(void) {
    crc_init();
    return PyModule_Create(&module);
}
