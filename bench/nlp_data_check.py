"""Checks of the labelled messages: near-duplicates and malformed labels, over ALL parts.

    .venv/bin/python bench/nlp_data_check.py [--threshold 0.5] [--only part_y1.jsonl ...]

A message that nearly repeats another inflates the test figures when the two fall on different
sides of the split, and counts twice as "written for this purpose" when it should not. Similarity
is the Jaccard index of the sets of character bigrams (punctuation and spaces removed, NFKC);
pairs at or above the threshold are printed with their sources and split. --only limits the report
to pairs involving the given files (new parts checked against everything). Exit status 1 when a
pair or a malformed label is found.
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp import dataset  # noqa: E402

_NOISE = re.compile(r"[\s\W_]+")


def bigrams(text: str) -> set[str]:
    norm = _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
    if not norm:  # emoji or punctuation only: compare the symbols themselves
        norm = "".join(text.split())
    return {norm[i:i + 2] for i in range(len(norm) - 1)} or {norm}


def near_pairs(texts: list[str], threshold: float) -> list[tuple[int, int, float]]:
    from scipy.sparse import csr_matrix

    sets = [bigrams(t) for t in texts]
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sets):
        for g in s:
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    X = csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab)))
    inter = (X @ X.T).tocoo()
    sizes = np.array([len(s) for s in sets], dtype=np.float32)
    out = []
    for i, j, n in zip(inter.row, inter.col, inter.data):
        if i < j:
            jac = n / (sizes[i] + sizes[j] - n)
            if jac >= threshold:
                out.append((int(i), int(j), float(jac)))
    return sorted(out, key=lambda p: -p[2])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--only", nargs="*", default=None, help="report pairs involving these files")
    args = parser.parse_args(argv)
    records = dataset.load("all")
    pairs = near_pairs([r.text for r in records], args.threshold)
    if args.only:
        only = set(args.only)
        pairs = [p for p in pairs if {records[p[0]].source.split(":")[0],
                                      records[p[1]].source.split(":")[0]} & only]
    for i, j, jac in pairs:
        a, b = records[i], records[j]
        print(f"{jac:.2f}  {a.source} [{dataset.split_of(a.text)}] {a.text}\n      {b.source} "
              f"[{dataset.split_of(b.text)}] {b.text}")
    errors = dataset.label_problems(records)
    print("\n".join(errors))
    print(f"{len(records)} records, {len(pairs)} pairs >= {args.threshold}, {len(errors)} label errors")
    return 1 if pairs or errors else 0


if __name__ == "__main__":
    sys.exit(main())
