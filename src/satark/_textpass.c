/*
 * The word-level passes every post goes through, in C: the `key` view's folding, the
 * split into words, the lexicon's matching, and the character checks of the `norm`
 * view (NFC, which rewrites apply) and of the language guess.
 *
 * Written by hand because no library does this job: the folding rules are Satark's own
 * (normalize.py, whose regular expressions are the reference this must agree with, and
 * run where this module could not be compiled). The offset map back to the original
 * text is made only for a post with a finding (key_map), as the Python views make it
 * lazily. A test compares C and Python on every kind of text (Devanagari
 * and Bengali with nukta, chandrabindu and conjuncts, ZWJ/ZWNJ, leetspeak, spaced
 * letters, runs of every code point).
 *
 *   key_text(norm) -> str
 *       the `key` view's text of a `norm` view's text (normalize._key_view): nukta
 *       deleted, chandrabindu read as anusvara, leetspeak inside Latin words undone,
 *       spaced-out letters joined, runs of one letter squeezed. The same object when
 *       nothing changes.
 *   key_map(norm, starts, ends) -> (str, list[int], list[int])
 *       the same text with its offset map: per character, the original range it came
 *       from, given the `norm` view's map (`starts`, `ends`; None for the identity).
 *   words(text) -> list[str]
 *       normalize.TOKEN_RE.findall(text).
 *   bounds(text) -> list[int]
 *       where the gaps and the words of `text` end, alternately (gap, word, ..., gap):
 *       the running lengths of the parts of normalize._TOKEN_SPLIT_RE.split(text).
 *   surely_nfc(text) -> bool
 *       True if `text` is surely in NFC (unicodedata.is_normalized would say so) by
 *       a quick test of the characters posts are mostly made of; False: not sure.
 *   char_flags(text, table) -> int
 *       the bitwise OR of table[c] (bytes) over the code points c of `text` (0 past
 *       the table's end): which rewrites of the `norm` view a post needs.
 *   scripts(text) -> (int, int, int)
 *       how many Devanagari (U+0900-097F), Bengali (U+0980-09FF) and ASCII letters
 *       `text` holds (langid.identify).
 *   latin_words(text) -> list[str]
 *       re.findall("[a-z]+", text.lower()) of an ASCII text (langid.identify).
 *   find(words, first, heads, rules, match, seen, seen_max) -> list[match]
 *       LexiconIndex.find: every term and co-occurrence rule `words` hold, as `match`
 *       tuples, in the same order (see LexiconIndex._c_index for the tables); `seen`
 *       remembers what each word starts, up to `seen_max` words.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* re's \w on str patterns: alphanumeric (str.isalnum) or underscore */
static inline int is_word(Py_UCS4 c) {
    return Py_UNICODE_ISALNUM(c) || c == '_';
}

/* normalize.TOKEN_RE: [\w\u0900-\u0963\u0966-\u09ff] */
static inline int is_token(Py_UCS4 c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    return (c >= 0x900 && c <= 0x963) || (c >= 0x966 && c <= 0x9FF) || is_word(c); /* the cheap tests first */
}

/* normalize._LETTER: [^\W\d_] (re's \d: str.isdecimal) or the Devanagari and Bengali
 * letters and signs */
static inline int is_letter(Py_UCS4 c) {
    if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if ((c >= 0x900 && c <= 0x963) || (c >= 0x971 && c <= 0x9E3) || (c >= 0x9F0 && c <= 0x9FF)) return 1;
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int is_az(Py_UCS4 c) { return c >= 'a' && c <= 'z'; }
static inline int is_az09(Py_UCS4 c) { return is_az(c) || (c >= '0' && c <= '9'); }

/* normalize._LEET */
static inline Py_UCS4 leet(Py_UCS4 c) {
    switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '@': return 'a';
    case '$': return 's';
    default: return 0;
    }
}

/* normalize._SPACED_RE's separators: [ .\-_*] */
static inline int is_sep(Py_UCS4 c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*';
}

/* 0 if `arg` is a str, else -1 with a TypeError naming the function */
static int need_str(PyObject *arg, const char *function) {
    if (PyUnicode_Check(arg)) return 0;
    PyErr_Format(PyExc_TypeError, "%s() takes a str", function);
    return -1;
}

/* Appends a new reference to `list` and lets it go: 0, or -1 with an exception set
 * (`item` NULL: the exception its maker set). */
static int append_new(PyObject *list, PyObject *item) {
    if (item == NULL) return -1;
    int failed = PyList_Append(list, item);
    Py_DECREF(item);
    return failed;
}

/* The text being folded, and where each of its characters came from in the `norm`
 * text: the first and the last character (`lo`, `hi`: NULL when no map is asked for).
 * A rewrite that keeps the length maps one to one; one that does not maps every new
 * character to the whole match, as normalize._remap does. */
typedef struct {
    Py_UCS4 *c;
    Py_ssize_t *lo, *hi;
    Py_ssize_t n;
} Folded;

static inline void put(Folded *out, Py_UCS4 c, Py_ssize_t lo, Py_ssize_t hi) {
    Py_ssize_t m = out->n++;
    out->c[m] = c;
    if (out->lo != NULL) {
        out->lo[m] = lo;
        out->hi[m] = hi;
    }
}

/* Nukta deleted, chandrabindu read as anusvara (_KEY_DELETE_RE, _KEY_TABLE), in place. */
static void pass_signs(Folded *f) {
    Py_ssize_t n = f->n;
    f->n = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = f->c[i];
        if (c == 0x93C || c == 0x9BC) continue;
        put(f, c == 0x901 ? 0x902 : c, f->lo ? f->lo[i] : 0, f->hi ? f->hi[i] : 0);
    }
}

/* _LEET_RE: a whole run of [013457@$] between two of [a-z], each read as its letter.
 * In place: a run is judged on unchanged text (its neighbours are letters, never
 * rewritten), as re.sub judges every match on the text before the substitution. */
static void pass_leet(Folded *f) {
    Py_UCS4 *a = f->c;
    Py_ssize_t n = f->n, i = 1;
    while (i < n) {
        if (!leet(a[i]) || !is_az(a[i - 1])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && leet(a[j])) j++;
        if (j < n && is_az(a[j])) {
            for (Py_ssize_t k = i; k < j; k++) a[k] = leet(a[k]);
        }
        i = j;
    }
}

/* _SPACED_RE: (?<![a-z0-9])(?:[a-z][ .\-_*]){2,}[a-z](?![a-z0-9]), separators removed,
 * read from `f` into `out` as re.sub's leftmost, greedy, backtracking search does. */
static void pass_spaced(const Folded *f, Folded *out) {
    const Py_UCS4 *a = f->c;
    Py_ssize_t n = f->n, p = 0;
    out->n = 0;
    /* Every match holds a letter, a separator, a letter, a separator and a letter in a
     * row (_SPACED_QUICK_RE): most posts have none, and are copied as they are. */
    int maybe = 0;
    for (Py_ssize_t k = 0; k + 4 < n && !maybe; k++)
        maybe = is_az(a[k]) && is_sep(a[k + 1]) && is_az(a[k + 2]) && is_sep(a[k + 3]) && is_az(a[k + 4]);
    if (!maybe) {
        memcpy(out->c, a, sizeof(Py_UCS4) * (size_t)n);
        if (f->lo != NULL && out->lo != NULL) {
            memcpy(out->lo, f->lo, sizeof(Py_ssize_t) * (size_t)n);
            memcpy(out->hi, f->hi, sizeof(Py_ssize_t) * (size_t)n);
        }
        out->n = n;
        return;
    }
    while (p < n) {
        if (is_az(a[p]) && (p == 0 || !is_az09(a[p - 1]))) {
            Py_ssize_t pairs = 0, q = p;
            while (q + 1 < n && is_az(a[q]) && is_sep(a[q + 1])) {
                pairs++;
                q += 2;
            }
            Py_ssize_t end = -1; /* one past the match's last letter */
            if (pairs >= 2 && q < n && is_az(a[q]) && !(q + 1 < n && is_az09(a[q + 1]))) {
                end = q + 1;
            } else if (pairs >= 3) { /* one pair fewer: its letter is followed by a separator */
                end = q - 1;
            }
            if (end >= 0) {
                Py_ssize_t lo = f->lo ? f->lo[p] : 0, hi = f->hi ? f->hi[end - 1] : 0;
                for (Py_ssize_t k = p; k < end; k += 2) put(out, a[k], lo, hi);
                p = end;
                continue;
            }
        }
        put(out, a[p], f->lo ? f->lo[p] : 0, f->hi ? f->hi[p] : 0);
        p++;
    }
}

/* _RUN_RE with _squeeze: a run of one letter as the letter, any other run as it is; in place. */
static void pass_runs(Folded *f) {
    Py_ssize_t n = f->n, i = 0;
    int runs = 0; /* without two equal characters in a row there is nothing to squeeze */
    for (Py_ssize_t k = 0; k + 1 < n && !runs; k++) runs = f->c[k] == f->c[k + 1];
    if (!runs) return;
    f->n = 0;
    while (i < n) {
        Py_UCS4 c = f->c[i];
        Py_ssize_t j = i + 1;
        while (j < n && f->c[j] == c) j++;
        if (j - i >= 2 && is_letter(c)) {
            put(f, c, f->lo ? f->lo[i] : 0, f->hi ? f->hi[j - 1] : 0);
        } else {
            for (Py_ssize_t k = i; k < j; k++) put(f, c, f->lo ? f->lo[k] : 0, f->hi ? f->hi[k] : 0);
        }
        i = j;
    }
}

static int same(const Folded *f, PyObject *text) {
    if (f->n != PyUnicode_GET_LENGTH(text)) return 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    for (Py_ssize_t i = 0; i < f->n; i++) {
        if (f->c[i] != PyUnicode_READ(kind, data, i)) return 0;
    }
    return 1;
}

/* The key view's text of `text` into `out` (buffers for 2n characters, and ranges if
 * `track`); 0, or -1 with an exception set. */
static int fold(PyObject *text, int track, Folded *first, Folded *second) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (PyUnicode_AsUCS4(text, first->c, n, 0) == NULL) return -1;
    first->n = n;
    if (track) {
        for (Py_ssize_t i = 0; i < n; i++) first->lo[i] = first->hi[i] = i;
    }
    pass_signs(first);
    pass_leet(first);
    pass_spaced(first, second);
    pass_runs(second);
    return 0;
}

/* Buffers for folding `n` characters: two of each, in one allocation. */
static void *buffers(Py_ssize_t n, int track, Folded *first, Folded *second) {
    size_t per = sizeof(Py_UCS4) + (track ? 2 * sizeof(Py_ssize_t) : 0);
    char *mem = PyMem_Malloc(per * (size_t)(n > 0 ? n : 1) * 2);
    if (mem == NULL) return NULL;
    Folded *fs[2] = {first, second};
    char *at = mem;
    for (int k = 0; k < 2; k++) {
        fs[k]->lo = fs[k]->hi = NULL;
        if (track) {
            fs[k]->lo = (Py_ssize_t *)at;
            at += sizeof(Py_ssize_t) * (size_t)n;
            fs[k]->hi = (Py_ssize_t *)at;
            at += sizeof(Py_ssize_t) * (size_t)n;
        }
    }
    for (int k = 0; k < 2; k++) {
        fs[k]->c = (Py_UCS4 *)at;
        at += sizeof(Py_UCS4) * (size_t)n;
        fs[k]->n = 0;
    }
    return mem;
}

static PyObject *py_key_text(PyObject *self, PyObject *arg) {
    if (need_str(arg, "key_text") < 0) return NULL;
    if (PyUnicode_GET_LENGTH(arg) == 0) return Py_NewRef(arg);
    Folded first, second;
    void *mem = buffers(PyUnicode_GET_LENGTH(arg), 0, &first, &second);
    if (mem == NULL) return PyErr_NoMemory();
    PyObject *out = NULL;
    if (fold(arg, 0, &first, &second) == 0) {
        out = same(&second, arg) ? Py_NewRef(arg) : PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, second.c, second.n);
    }
    PyMem_Free(mem);
    return out;
}

/* element `i` of an offset list, or `dflt` for the identity map (None) */
static int offset_at(PyObject *offsets, Py_ssize_t i, Py_ssize_t dflt, PyObject **item) {
    if (offsets == Py_None) {
        *item = PyLong_FromSsize_t(dflt);
        return *item == NULL ? -1 : 0;
    }
    if (i < 0 || i >= PyList_GET_SIZE(offsets)) {
        PyErr_SetString(PyExc_ValueError, "key_map(): the offset map is shorter than the text");
        return -1;
    }
    *item = Py_NewRef(PyList_GET_ITEM(offsets, i));
    return 0;
}

static PyObject *py_key_map(PyObject *self, PyObject *args) {
    PyObject *text, *starts, *ends;
    if (!PyArg_ParseTuple(args, "UOO:key_map", &text, &starts, &ends)) return NULL;
    if ((starts != Py_None && !PyList_Check(starts)) || (ends != Py_None && !PyList_Check(ends))
        || ((starts == Py_None) != (ends == Py_None))) {
        PyErr_SetString(PyExc_TypeError, "key_map(): starts and ends must both be lists or both None");
        return NULL;
    }
    Folded first, second;
    void *mem = buffers(PyUnicode_GET_LENGTH(text), 1, &first, &second);
    if (mem == NULL) return PyErr_NoMemory();
    PyObject *key = NULL, *new_starts = NULL, *new_ends = NULL;
    if (fold(text, 1, &first, &second) < 0) goto fail;
    key = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, second.c, second.n);
    new_starts = PyList_New(second.n);
    new_ends = PyList_New(second.n);
    if (key == NULL || new_starts == NULL || new_ends == NULL) goto fail;
    for (Py_ssize_t i = 0; i < second.n; i++) {
        PyObject *a, *b;
        if (offset_at(starts, second.lo[i], second.lo[i], &a) < 0) goto fail;
        PyList_SET_ITEM(new_starts, i, a);
        if (offset_at(ends, second.hi[i], second.hi[i] + 1, &b) < 0) goto fail;
        PyList_SET_ITEM(new_ends, i, b);
    }
    PyMem_Free(mem);
    return Py_BuildValue("(NNN)", key, new_starts, new_ends);
fail:
    PyMem_Free(mem);
    Py_XDECREF(key);
    Py_XDECREF(new_starts);
    Py_XDECREF(new_ends);
    return NULL;
}

/* normalize.TOKEN_RE's words of `text`, each a str; or, with `bounds`, where its gaps
 * and words end, alternately (gap, word, ..., gap), each an int. */
static PyObject *walk_tokens(PyObject *text, int bounds) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t i = 0;
    for (;;) {
        while (i < n && !is_token(PyUnicode_READ(kind, data, i))) i++;
        if (bounds && append_new(out, PyLong_FromSsize_t(i)) < 0) goto fail; /* a gap ends */
        if (i >= n) break;
        Py_ssize_t start = i;
        while (i < n && is_token(PyUnicode_READ(kind, data, i))) i++;
        if (append_new(out, bounds ? PyLong_FromSsize_t(i) : PyUnicode_Substring(text, start, i)) < 0) goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *py_words(PyObject *self, PyObject *arg) {
    return need_str(arg, "words") < 0 ? NULL : walk_tokens(arg, 0);
}

static PyObject *py_bounds(PyObject *self, PyObject *arg) {
    return need_str(arg, "bounds") < 0 ? NULL : walk_tokens(arg, 1);
}

/* Whether a text is surely in NFC, from the characters posts are mostly made of: below
 * U+0300 (no combining marks, nothing composes) and the Devanagari and Bengali blocks.
 * 0: not sure (any other character, or one whose answer needs the full algorithm):
 * ask unicodedata. The facts below are Unicode's (a test checks them against the
 * running Python's unicodedata, whatever its Unicode version):
 *   - NFC changes U+0958-095F, 09DC, 09DD, 09DF (composition exclusions);
 *   - the nukta U+093C composes with U+0928, 0930 and 0933 (not sure: ask);
 *   - U+09BE and U+09D7 compose with U+09C7 right before them (not sure: ask);
 *   - the Bengali nukta U+09BC only ever forms excluded letters: never composes;
 *   - combining classes: 093C 7, 094D 9, 0951 230, 0952 220, 0953 230, 0954 230,
 *     09BC 7, 09CD 9, 09FE 230; all else in the two blocks 0. Marks out of canonical
 *     order are not NFC: not sure (ask);
 *   - STABLE: ranges where nothing changes (below). */
static int indic_ccc(Py_UCS4 c) {
    switch (c) {
    case 0x93C: case 0x9BC: return 7;
    case 0x94D: case 0x9CD: return 9;
    case 0x952: return 220;
    case 0x951: case 0x953: case 0x954: case 0x9FE: return 230;
    default: return 0;
    }
}

/* Ranges beyond U+0300 where every character is NFC on its own, of combining class 0
 * and never the second of a composite (punctuation, currency signs, arrows, boxes,
 * dingbats, emoji): nothing there changes under NFC. */
static const Py_UCS4 STABLE[][2] = {
    {0x2010, 0x205E}, {0x20A0, 0x20C0}, {0x2190, 0x2328}, {0x232B, 0x23FF}, {0x2500, 0x27BF}, {0x1F000, 0x1FAFF},
};

static int stable(Py_UCS4 c) {
    for (size_t k = 0; k < sizeof(STABLE) / sizeof(STABLE[0]); k++)
        if (c >= STABLE[k][0] && c <= STABLE[k][1]) return 1;
    return 0;
}

static PyObject *py_surely_nfc(PyObject *self, PyObject *arg) {
    if (need_str(arg, "surely_nfc") < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    Py_UCS4 prev = 0;
    int prev_ccc = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        int ccc = 0;
        if (c >= 0x300 && !stable(c)) {
            if (c < 0x900 || c > 0x9FF || (c >= 0x958 && c <= 0x95F) || c == 0x9DC || c == 0x9DD || c == 0x9DF ||
                c == 0x93C || ((c == 0x9BE || c == 0x9D7) && prev == 0x9C7))
                Py_RETURN_FALSE;
            ccc = indic_ccc(c);
            if (ccc != 0 && prev_ccc > ccc) Py_RETURN_FALSE;
        }
        prev = c;
        prev_ccc = ccc;
    }
    Py_RETURN_TRUE;
}

static PyObject *py_char_flags(PyObject *self, PyObject *args) {
    PyObject *text;
    Py_buffer table;
    if (!PyArg_ParseTuple(args, "Uy*:char_flags", &text, &table)) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    const unsigned char *flags = table.buf;
    Py_UCS4 size = (Py_UCS4)table.len;
    unsigned int out = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < size) out |= flags[c];
    }
    PyBuffer_Release(&table);
    return PyLong_FromUnsignedLong(out);
}

static PyObject *py_scripts(PyObject *self, PyObject *arg) {
    if (need_str(arg, "scripts") < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg), dev = 0, ben = 0, lat = 0;
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 0x80) {
            lat += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        } else if (c >= 0x900 && c <= 0x9FF) {
            if (c < 0x980) dev++;
            else ben++;
        }
    }
    return Py_BuildValue("(nnn)", dev, ben, lat);
}

static PyObject *py_latin_words(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg) || !PyUnicode_IS_ASCII(arg)) {
        PyErr_SetString(PyExc_TypeError, "latin_words() takes an ASCII str");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const Py_UCS1 *s = PyUnicode_1BYTE_DATA(arg);
    char *buf = PyMem_Malloc((size_t)n + 1);
    if (buf == NULL) return PyErr_NoMemory();
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        PyMem_Free(buf);
        return NULL;
    }
    Py_ssize_t i = 0;
    while (i < n) {
        Py_ssize_t m = 0;
        for (; i < n; i++) {
            Py_UCS1 c = s[i];
            if (c >= 'A' && c <= 'Z') c = (Py_UCS1)(c + 32);
            if (c < 'a' || c > 'z') break;
            buf[m++] = (char)c;
        }
        if (m > 0) {
            if (append_new(out, PyUnicode_FromStringAndSize(buf, m)) < 0) {
                Py_DECREF(out);
                PyMem_Free(buf);
                return NULL;
            }
        } else {
            i++;
        }
    }
    PyMem_Free(buf);
    return out;
}

/* --- the lexicon's matching (LexiconIndex.find) --------------------------------------- */

/* A term as find() reads it: (category, term, lang, weight, severity, words, prefix). */
#define TERM_FIELDS 7

static int starts_with(PyObject *word, PyObject *stem) {
    if (!PyUnicode_Check(stem)) {
        PyErr_SetString(PyExc_TypeError, "find(): a term's words must be str");
        return -1;
    }
    Py_ssize_t r = PyUnicode_Tailmatch(word, stem, 0, PY_SSIZE_T_MAX, -1);
    return r < 0 ? -1 : (int)r;
}

/* A Match (a tuple subclass of 7 fields): the term's first five fields, then where. */
static int emit(PyObject *out, PyTypeObject *match, PyObject *term, Py_ssize_t first, Py_ssize_t last) {
    if (!PyTuple_Check(term) || PyTuple_GET_SIZE(term) < 5) {
        PyErr_SetString(PyExc_TypeError, "find(): a term or rule must be a tuple of at least 5");
        return -1;
    }
    PyObject *a = PyLong_FromSsize_t(first);
    PyObject *b = a == NULL ? NULL : PyLong_FromSsize_t(last);
    if (b == NULL) {
        Py_XDECREF(a);
        return -1;
    }
    PyObject *m = match->tp_alloc(match, 7);
    if (m == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return -1;
    }
    for (Py_ssize_t k = 0; k < 5; k++) PyTuple_SET_ITEM(m, k, Py_NewRef(PyTuple_GET_ITEM(term, k)));
    PyTuple_SET_ITEM(m, 5, a);
    PyTuple_SET_ITEM(m, 6, b);
    return append_new(out, m);
}

/* Each term of `terms` (a tuple, or None) whose words start at position i: one-word
 * terms when `span` is 0; when 1, two-word terms whose second word the next word starts
 * with; when 2, terms of two or more words whose second word is the next word. */
static int emit_terms(PyObject *out, PyTypeObject *match, PyObject *terms, PyObject *words, Py_ssize_t i,
                      int span, PyObject *word) {
    if (terms == Py_None) return 0;
    if (!PyTuple_Check(terms)) {
        PyErr_SetString(PyExc_TypeError, "find(): terms must be a tuple");
        return -1;
    }
    Py_ssize_t n = PyList_GET_SIZE(words);
    for (Py_ssize_t t = 0; t < PyTuple_GET_SIZE(terms); t++) {
        PyObject *term = PyTuple_GET_ITEM(terms, t);
        if (!PyTuple_Check(term) || PyTuple_GET_SIZE(term) != TERM_FIELDS || !PyTuple_Check(PyTuple_GET_ITEM(term, 5))) {
            PyErr_SetString(PyExc_TypeError, "find(): a term must be a 7-tuple");
            return -1;
        }
        PyObject *tw = PyTuple_GET_ITEM(term, 5);
        Py_ssize_t m = PyTuple_GET_SIZE(tw);
        int ok;
        Py_ssize_t last = i;
        if (span == 0) { /* a prefix term by its head: the word starts with its stem */
            ok = word == NULL ? 1 : (m >= 1 ? starts_with(word, PyTuple_GET_ITEM(tw, 0)) : 0);
        } else if (span == 1) {
            ok = m >= 2 ? starts_with(PyList_GET_ITEM(words, i + 1), PyTuple_GET_ITEM(tw, 1)) : 0;
            last = i + 1;
        } else {
            if (m < 2 || i + m > n) continue;
            ok = 1;
            for (Py_ssize_t j = 2; ok == 1 && j < m - 1; j++)
                ok = PyObject_RichCompareBool(PyList_GET_ITEM(words, i + j), PyTuple_GET_ITEM(tw, j), Py_EQ);
            if (ok == 1) {
                PyObject *w = PyList_GET_ITEM(words, i + m - 1), *end = PyTuple_GET_ITEM(tw, m - 1);
                ok = PyObject_IsTrue(PyTuple_GET_ITEM(term, 6)) ? starts_with(w, end)
                                                                : PyObject_RichCompareBool(w, end, Py_EQ);
            }
            last = i + m - 1;
        }
        if (ok < 0 || (ok && emit(out, match, term, i, last) < 0)) return -1;
    }
    return 0;
}

/* Where the words of co-occurrence rules were seen: (rule, side, position), in order. */
typedef struct {
    Py_ssize_t *rule, *side, *pos;
    Py_ssize_t n, cap;
} Sides;

static int sides_add(Sides *s, Py_ssize_t rule, Py_ssize_t side, Py_ssize_t pos) {
    if (s->n == s->cap) {
        Py_ssize_t cap = s->cap ? 2 * s->cap : 16;
        Py_ssize_t *r = PyMem_Realloc(s->rule, sizeof(Py_ssize_t) * (size_t)cap);
        if (r != NULL) s->rule = r;
        Py_ssize_t *d = r == NULL ? NULL : PyMem_Realloc(s->side, sizeof(Py_ssize_t) * (size_t)cap);
        if (d != NULL) s->side = d;
        Py_ssize_t *p = d == NULL ? NULL : PyMem_Realloc(s->pos, sizeof(Py_ssize_t) * (size_t)cap);
        if (p == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        s->pos = p;
        s->cap = cap;
    }
    s->rule[s->n] = rule;
    s->side[s->n] = side;
    s->pos[s->n++] = pos;
    return 0;
}

/* Records each (rule, side) of `co` (a tuple of (rule, side), or of (stem, rule, side)
 * when `stems`: only if the word starts with the stem). */
static int add_sides(Sides *s, PyObject *co, PyObject *word, Py_ssize_t i, int stems) {
    if (co == Py_None) return 0;
    if (!PyTuple_Check(co)) {
        PyErr_SetString(PyExc_TypeError, "find(): co-occurrence sides must be a tuple");
        return -1;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(co); k++) {
        PyObject *item = PyTuple_GET_ITEM(co, k);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 2 + stems) {
            PyErr_SetString(PyExc_TypeError, "find(): a co-occurrence side must be a tuple");
            return -1;
        }
        if (stems) {
            int ok = starts_with(word, PyTuple_GET_ITEM(item, 0));
            if (ok < 0) return -1;
            if (!ok) continue;
        }
        Py_ssize_t rule = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, stems));
        Py_ssize_t side = PyLong_AsSsize_t(PyTuple_GET_ITEM(item, stems + 1));
        if ((rule == -1 || side == -1) && PyErr_Occurred()) return -1;
        if (sides_add(s, rule, side, i) < 0) return -1;
    }
    return 0;
}

/* The co-occurrence matches, rules in the order first seen: for each, the closest
 * pair of a left and a right word within its window (the first such pair on ties). */
static int co_matches(PyObject *out, PyTypeObject *match, const Sides *s, PyObject *rules) {
    for (Py_ssize_t k = 0; k < s->n; k++) {
        Py_ssize_t rule = s->rule[k];
        int first_seen = 1;
        for (Py_ssize_t e = 0; e < k && first_seen; e++) first_seen = s->rule[e] != rule;
        if (!first_seen) continue;
        if (rule < 0 || rule >= PyTuple_GET_SIZE(rules)) {
            PyErr_SetString(PyExc_IndexError, "find(): no such co-occurrence rule");
            return -1;
        }
        PyObject *r = PyTuple_GET_ITEM(rules, rule); /* (category, term, lang, weight, severity, window) */
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 6) {
            PyErr_SetString(PyExc_TypeError, "find(): a co-occurrence rule must be a 6-tuple");
            return -1;
        }
        Py_ssize_t window = PyLong_AsSsize_t(PyTuple_GET_ITEM(r, 5));
        if (window == -1 && PyErr_Occurred()) return -1;
        Py_ssize_t best = -1, lo = 0, hi = 0;
        for (Py_ssize_t a = k; a < s->n; a++) {
            if (s->rule[a] != rule || s->side[a] != 0) continue;
            for (Py_ssize_t b = k; b < s->n; b++) {
                if (s->rule[b] != rule || s->side[b] != 1) continue;
                Py_ssize_t i = s->pos[a], j = s->pos[b], d = i > j ? i - j : j - i;
                if (i != j && d <= window && (best < 0 || d < best)) {
                    best = d;
                    lo = i < j ? i : j;
                    hi = i < j ? j : i;
                }
            }
        }
        if (best >= 0 && emit(out, match, r, lo, hi) < 0) return -1;
    }
    return 0;
}

/* What `word` can start: its entry in `first` and the entry of its first three letters
 * in `heads` (borrowed, either may be NULL); 0, or -1 with an exception set. A post's
 * words are mostly ones seen before, so `seen` remembers the answer per word (None for
 * a word that starts nothing), up to `seen_max` words. */
static int lookup(PyObject *word, PyObject *first, PyObject *heads, PyObject *seen, Py_ssize_t seen_max,
                  PyObject **entry, PyObject **head) {
    PyObject *known = PyDict_GetItemWithError(seen, word);
    if (known == NULL && PyErr_Occurred()) return -1;
    if (known != NULL) {
        if (known == Py_None) {
            *entry = *head = NULL;
            return 0;
        }
        if (!PyTuple_Check(known) || PyTuple_GET_SIZE(known) != 2) {
            PyErr_SetString(PyExc_TypeError, "find(): malformed cache");
            return -1;
        }
        *entry = PyTuple_GET_ITEM(known, 0) == Py_None ? NULL : PyTuple_GET_ITEM(known, 0);
        *head = PyTuple_GET_ITEM(known, 1) == Py_None ? NULL : PyTuple_GET_ITEM(known, 1);
        return 0;
    }
    *entry = PyDict_GetItemWithError(first, word);
    if (*entry == NULL && PyErr_Occurred()) return -1;
    *head = NULL;
    if (PyUnicode_GET_LENGTH(word) >= 3) {
        PyObject *key = PyUnicode_Substring(word, 0, 3);
        if (key == NULL) return -1;
        *head = PyDict_GetItemWithError(heads, key);
        Py_DECREF(key);
        if (*head == NULL && PyErr_Occurred()) return -1;
    }
    if (PyDict_GET_SIZE(seen) >= seen_max) PyDict_Clear(seen); /* bounded on an endless stream of new words */
    PyObject *value = *entry == NULL && *head == NULL
                          ? Py_NewRef(Py_None)
                          : PyTuple_Pack(2, *entry == NULL ? Py_None : *entry, *head == NULL ? Py_None : *head);
    if (value == NULL) return -1;
    int failed = PyDict_SetItem(seen, word, value); /* the tuple keeps `entry` and `head` alive */
    Py_DECREF(value);
    return failed;
}

static PyObject *py_find(PyObject *self, PyObject *args) {
    PyObject *words, *first, *heads, *rules, *match, *seen;
    Py_ssize_t seen_max;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!n:find", &PyList_Type, &words, &PyDict_Type, &first, &PyDict_Type,
                          &heads, &PyTuple_Type, &rules, &PyType_Type, &match, &PyDict_Type, &seen, &seen_max))
        return NULL;
    PyTypeObject *mtype = (PyTypeObject *)match;
    if (!PyType_IsSubtype(mtype, &PyTuple_Type) || mtype->tp_itemsize != sizeof(PyObject *)) {
        PyErr_SetString(PyExc_TypeError, "find(): match must be a tuple type");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(words);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!PyUnicode_Check(PyList_GET_ITEM(words, i))) {
            PyErr_SetString(PyExc_TypeError, "find() takes a list of str");
            return NULL;
        }
    }
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Sides sides = {NULL, NULL, NULL, 0, 0};
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(words, i), *entry, *head; /* borrowed */
        if (lookup(word, first, heads, seen, seen_max, &entry, &head) < 0) goto fail;
        if (entry == NULL && head == NULL) continue;
        if ((entry != NULL && (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 4)) ||
            (head != NULL && (!PyTuple_Check(head) || PyTuple_GET_SIZE(head) != 2))) {
            PyErr_SetString(PyExc_TypeError, "find(): malformed index");
            goto fail;
        }
        /* in LexiconIndex.find's order: one-word terms, prefix terms, longer terms,
         * two-word terms ending in a prefix; then the co-occurrence sides */
        if (entry != NULL && emit_terms(out, mtype, PyTuple_GET_ITEM(entry, 0), words, i, 0, NULL) < 0) goto fail;
        if (head != NULL && emit_terms(out, mtype, PyTuple_GET_ITEM(head, 0), words, i, 0, word) < 0) goto fail;
        if (entry != NULL) {
            if (i + 1 < n) {
                PyObject *multi = PyTuple_GET_ITEM(entry, 1);
                if (multi != Py_None) {
                    if (!PyDict_Check(multi)) {
                        PyErr_SetString(PyExc_TypeError, "find(): malformed index");
                        goto fail;
                    }
                    PyObject *terms = PyDict_GetItemWithError(multi, PyList_GET_ITEM(words, i + 1));
                    if (terms == NULL && PyErr_Occurred()) goto fail;
                    if (terms != NULL && emit_terms(out, mtype, terms, words, i, 2, NULL) < 0) goto fail;
                }
                if (emit_terms(out, mtype, PyTuple_GET_ITEM(entry, 2), words, i, 1, NULL) < 0) goto fail;
            }
            if (add_sides(&sides, PyTuple_GET_ITEM(entry, 3), word, i, 0) < 0) goto fail;
        }
        if (head != NULL && add_sides(&sides, PyTuple_GET_ITEM(head, 1), word, i, 1) < 0) goto fail;
    }
    if (co_matches(out, mtype, &sides, rules) < 0) goto fail;
    PyMem_Free(sides.rule);
    PyMem_Free(sides.side);
    PyMem_Free(sides.pos);
    return out;
fail:
    PyMem_Free(sides.rule);
    PyMem_Free(sides.side);
    PyMem_Free(sides.pos);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef methods[] = {
    {"key_text", py_key_text, METH_O, "The key view's text of a norm view's text."},
    {"key_map", py_key_map, METH_VARARGS, "The key view's text and offset map of a norm view."},
    {"words", py_words, METH_O, "The words of a text (normalize.TOKEN_RE.findall)."},
    {"bounds", py_bounds, METH_O, "Where a text's gaps and words end, alternately."},
    {"surely_nfc", py_surely_nfc, METH_O, "Whether a text is surely NFC (False: not sure)."},
    {"char_flags", py_char_flags, METH_VARARGS, "The flags of a text's characters in a table, OR-ed."},
    {"scripts", py_scripts, METH_O, "How many Devanagari, Bengali and ASCII letters a text holds."},
    {"latin_words", py_latin_words, METH_O, "The [a-z]+ words of an ASCII text, lower-cased."},
    {"find", py_find, METH_VARARGS, "Every lexicon term and co-occurrence rule a post's words hold."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_textpass", "The word-level passes of every post, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__textpass(void) {
    return PyModule_Create(&module);
}
