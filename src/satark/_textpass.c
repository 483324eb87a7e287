/*
 * The word-level passes every post goes through, in C: the `key` view's folding, the
 * split into words, and which words can start a lexicon term.
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
 *   scripts(text) -> (int, int, int)
 *       how many Devanagari (U+0900-097F), Bengali (U+0980-09FF) and ASCII letters
 *       `text` holds (langid.identify).
 *   latin_words(text) -> list[str]
 *       re.findall("[a-z]+", text.lower()) of an ASCII text (langid.identify).
 *   live(words, solo, pairs, heads) -> list[int]
 *       the positions of the words that are keys of `solo`, or keys of `pairs` whose
 *       dict holds the next word, or whose first three letters are a key of `heads`
 *       (LexiconIndex: the only words that can start a match).
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
    return is_word(c) || (c >= 0x900 && c <= 0x963) || (c >= 0x966 && c <= 0x9FF);
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

static PyObject *py_words(PyObject *self, PyObject *arg) {
    if (need_str(arg, "words") < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    int kind = PyUnicode_KIND(arg);
    const void *data = PyUnicode_DATA(arg);
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t i = 0;
    while (i < n) {
        while (i < n && !is_token(PyUnicode_READ(kind, data, i))) i++;
        if (i >= n) break;
        Py_ssize_t start = i;
        while (i < n && is_token(PyUnicode_READ(kind, data, i))) i++;
        if (append_new(out, PyUnicode_Substring(arg, start, i)) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
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

static PyObject *py_live(PyObject *self, PyObject *args) {
    PyObject *words, *solo, *pairs, *heads;
    if (!PyArg_ParseTuple(args, "O!O!O!O!:live", &PyList_Type, &words, &PyDict_Type, &solo, &PyDict_Type, &pairs,
                          &PyDict_Type, &heads))
        return NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    Py_ssize_t n = PyList_GET_SIZE(words);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (!PyUnicode_Check(word) || (i + 1 < n && !PyUnicode_Check(PyList_GET_ITEM(words, i + 1)))) {
            PyErr_SetString(PyExc_TypeError, "live() takes a list of str");
            Py_DECREF(out);
            return NULL;
        }
        int hit = PyDict_Contains(solo, word);
        if (hit == 0 && i + 1 < n) {
            PyObject *seconds = PyDict_GetItemWithError(pairs, word); /* borrowed */
            if (seconds != NULL) {
                if (!PyDict_Check(seconds)) {
                    PyErr_SetString(PyExc_TypeError, "live(): the values of pairs must be dicts");
                    Py_DECREF(out);
                    return NULL;
                }
                hit = PyDict_Contains(seconds, PyList_GET_ITEM(words, i + 1));
            } else if (PyErr_Occurred()) {
                hit = -1;
            }
        }
        if (hit == 0 && PyUnicode_GET_LENGTH(word) >= 3) {
            PyObject *head = PyUnicode_Substring(word, 0, 3);
            if (head == NULL) {
                Py_DECREF(out);
                return NULL;
            }
            hit = PyDict_Contains(heads, head);
            Py_DECREF(head);
        }
        if (hit < 0) {
            Py_DECREF(out);
            return NULL;
        }
        if (hit && append_new(out, PyLong_FromSsize_t(i)) < 0) {
            Py_DECREF(out);
            return NULL;
        }
    }
    return out;
}

static PyMethodDef methods[] = {
    {"key_text", py_key_text, METH_O, "The key view's text of a norm view's text."},
    {"key_map", py_key_map, METH_VARARGS, "The key view's text and offset map of a norm view."},
    {"words", py_words, METH_O, "The words of a text (normalize.TOKEN_RE.findall)."},
    {"scripts", py_scripts, METH_O, "How many Devanagari, Bengali and ASCII letters a text holds."},
    {"latin_words", py_latin_words, METH_O, "The [a-z]+ words of an ASCII text, lower-cased."},
    {"live", py_live, METH_VARARGS, "Positions of the words that can start a lexicon term."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_textpass", "The word-level passes of every post, in C.", -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__textpass(void) {
    return PyModule_Create(&module);
}
