"""Text to sparse TF-IDF features, the same code at training and at run time.

Features of one message:
- "w:" jieba words (precise mode, domain dictionary), robust to word order;
- "c:" character 1- to 3-grams inside runs of non-punctuation, robust to typos ("电题"),
  dialect and words jieba does not know;
- "k:" keyword groups of nlp.lexicon, the rules' knowledge given to the model as features;
- "u:" the urgency detector's reason ("u:fire") and "v:" reasons it found but set aside: a
  fire in a stairwell and a hypothetical fire both say something about the category.
Abbreviations are spelled out (nlp.lexicon.ALIASES: "wy" -> "物业") and ASCII digit runs become
"0" first: "3号楼" and "12号楼" should look alike to the model.
Weights: sublinear tf (1 + ln tf) times smoothed idf, L2-normalised per message, as scikit-learn's
TfidfVectorizer(sublinear_tf=True) would compute them.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from nlp.lexicon import expand_aliases, keyword_groups
from nlp.segment import words
from nlp.text import normalise
from nlp.urgency import Urgency, detect_urgency

_DIGITS = re.compile(r"\d+")
_PUNCT_RUN = re.compile(r"[\s\W_]+")  # \W is Unicode-aware: CJK characters are word characters
CHAR_NGRAMS = (1, 2, 3)


def tokens(text: str, urgency: Urgency | None = None) -> list[str]:
    """All feature names of a message (with repeats: counts are term frequencies).
    Pass the message's Urgency when it is already known, to save detecting it twice."""
    norm = _DIGITS.sub("0", expand_aliases(normalise(text)))
    out = ["w:" + w for w in words(norm) if not _PUNCT_RUN.fullmatch(w)]
    for run in _PUNCT_RUN.split(norm):
        for n in CHAR_NGRAMS:
            out.extend("c:" + run[i:i + n] for i in range(len(run) - n + 1))
    out.extend("k:" + group for group in keyword_groups(norm))
    urgency = urgency if urgency is not None else detect_urgency(text)
    if urgency.reason:
        out.append("u:" + urgency.reason)
    out.extend(sorted({"v:" + reason for reason, _, _ in urgency.dismissed}))
    return out


class Vectorizer:
    """Vocabulary and idf; `fit` is used by training only."""

    def __init__(self, vocabulary: Sequence[str], idf: np.ndarray) -> None:
        self.vocabulary = list(vocabulary)
        self.index = {name: i for i, name in enumerate(self.vocabulary)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, documents: Iterable[list[str]], min_df: int = 1) -> Vectorizer:
        docs = list(documents)
        df = Counter(name for doc in docs for name in set(doc))
        vocabulary = sorted(name for name, count in df.items() if count >= min_df)
        n = len(docs)
        idf = np.array([math.log((1 + n) / (1 + df[name])) + 1.0 for name in vocabulary])
        return cls(vocabulary, idf)

    def transform_one(self, doc: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, weights) of one tokenised message; unknown features are dropped."""
        counts: dict[int, int] = {}
        index = self.index
        for name in doc:
            i = index.get(name)
            if i is not None:
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        values = (1.0 + np.log(tf)) * self.idf[idx]
        values /= np.sqrt(np.dot(values, values))
        return idx, values

    def transform(self, docs: Iterable[list[str]]):  # -> scipy.sparse.csr_matrix (training only)
        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        for doc in docs:
            idx, values = self.transform_one(doc)
            indices.extend(idx.tolist())
            data.extend(values.tolist())
            indptr.append(len(indices))
        return csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64),
                           np.array(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(self.vocabulary)))
