"""Cross-validated diagnosis of the classifier on the TRAIN split only (the test split is never read).

    .venv/bin/python bench/nlp_cv.py [--folds 5] [--seed 20240601] [--errors FILE]

Runs the training recipe of nlp.train (features, models, temperatures, the whole hybrid of
nlp.understand.combine) with the regularisation fixed to the values the shipped model chose (its
meta in nlp/model/classifier.json), so one run takes a minute rather than a full grid search. Prints intent accuracy, category macro-F1 end to
end, urgency recall / precision, the per-category table and the confusion pairs: where to write
more labelled data or sharpen features. --errors writes every held-out mistake (train split) to a
file, for reading the weak spots.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp import dataset, train  # noqa: E402
from nlp.model import MODEL_PATH  # noqa: E402

from bench.nlp_quality import per_class  # noqa: E402



def _fixed_grid() -> dict[str, dict[str, tuple[float, ...]]]:
    """C of each model and head as chosen by the last `linli nlp train`."""
    choices = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["meta"]["choices"]
    return {kind: {head: (float(choices[f"{head} {kind} C"]),) for head in ("intent", "category")}
            for kind in train.GRIDS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=train.FOLDS)
    parser.add_argument("--seed", type=int, default=train.SEED)
    parser.add_argument("--errors", type=Path, default=None, help="write held-out mistakes here")
    args = parser.parse_args(argv)
    train.FOLDS, train.SEED = args.folds, args.seed
    fixed = _fixed_grid()

    cv_run = train.cross_validate(dataset.load("train"), fixed)
    records, urgencies, answers = cv_run.records, cv_run.urgencies, cv_run.answers
    y_intent, rows, category = cv_run.y_intent, cv_run.complaint_rows, cv_run.category

    intent_ok = [a.intent == r.intent for a, r in zip(answers, records)]
    pairs = [(r, a) for r, a in zip(records, answers) if r.intent == "complaint"]
    gold = [r.category or "other" for r, _ in pairs]
    pred = [a.category or f"({a.intent})" for _, a in pairs]
    table = per_class(gold, pred)
    tp = sum(r.urgent and u.urgent for r, u in zip(records, urgencies))
    fn = sum(r.urgent and not u.urgent for r, u in zip(records, urgencies))
    fp = sum(u.urgent and not r.urgent for r, u in zip(records, urgencies))

    print(f"train split: {len(records)} records, {len(rows)} complaints, {args.folds}-fold cv, seed {args.seed}")
    print(f"cv intent accuracy (hybrid)        {np.mean(intent_ok):.4f}")
    print(f"cv category macro-F1 (end to end)  {sum(c.f1 for c in table) / len(table):.4f}")
    print(f"cv category macro-F1 (model, intent given) {category.cv_score:.4f}")
    print(f"urgent recall {tp / max(tp + fn, 1):.4f}  precision {tp / max(tp + fp, 1):.4f}  (rules, whole train split)")
    print("\nper intent (recall):")
    for label in sorted(set(y_intent)):
        idx = [i for i, r in enumerate(records) if r.intent == label]
        print(f"  {label:14} {np.mean([intent_ok[i] for i in idx]):.3f}  n={len(idx)}")
    print("\nper category (end to end):")
    for c in table:
        print(f"  {c.label:22} P {c.precision:.2f}  R {c.recall:.2f}  F1 {c.f1:.2f}  n={c.support}")
    print("\nintent confusions (gold -> predicted):")
    for (g, p), n in Counter((r.intent, a.intent) for r, a in zip(records, answers)
                             if r.intent != a.intent).most_common(20):
        print(f"  {g} -> {p}: {n}")
    print("\ncategory confusions (gold -> predicted):")
    for (g, p), n in Counter((g, p) for g, p in zip(gold, pred) if g != p).most_common(25):
        print(f"  {g} -> {p}: {n}")
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as fh:
            for r, a in zip(records, answers):
                if r.intent != a.intent or (r.intent == "complaint" and (r.category or "other") != a.category):
                    fh.write(f"{r.intent}/{r.category} -> {a.intent}/{a.category}\t{r.source}\t{r.text}\n")
        print(f"\nmistakes written to {args.errors}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
