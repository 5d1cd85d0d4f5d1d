"""Text to sparse TF-IDF features, the same code at training and at run time.

Features of one message:
- "w:" jieba words (precise mode, domain dictionary), robust to word order;
- "c:" character 1- and 2-grams inside runs of non-punctuation, robust to typos ("电题"),
  dialect and words jieba does not know (3-grams were tried and cross-validate worse: with a
  few thousand messages they are mostly seen once);
- "s:" / "e:" the first two and last one or two characters of the message: "请问…", "…吗",
  "…了没" say what a message does;
- "k:" keyword groups of nlp.lexicon, the rules' knowledge given to the model as features;
- "q:", "f:", "t:", "x:" cues of nlp.lexicon.CUES: question forms, follow-ups, tone, and
  talk of somewhere else, trade or daily life - what separates the intents that share topics;
- "p:" whether the message names a building, a room or a named place of the estate;
- "len:" a coarse length bucket: greetings are short, complaints long;
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

from nlp.lexicon import cues, expand_aliases, keyword_groups
from nlp.places import Place, extract_place
from nlp.segment import words
from nlp.text import normalise
from nlp.urgency import Urgency, detect_urgency

_DIGITS = re.compile(r"\d+")
_PUNCT_RUN = re.compile(r"[\s\W_]+")  # \W is Unicode-aware: CJK characters are word characters
CHAR_NGRAMS = (1, 2)


def _length(n: int) -> str:
    return "len:" + ("s" if n <= 6 else "m" if n <= 15 else "l" if n <= 35 else "xl")


def tokens(text: str, urgency: Urgency | None = None, place: Place | None = None) -> list[str]:
    """All feature names of a message (with repeats: counts are term frequencies).
    Pass the message's Urgency and Place when they are already known, to save finding them twice."""
    norm = _DIGITS.sub("0", expand_aliases(normalise(text)))
    out = ["w:" + w for w in words(norm) if not _PUNCT_RUN.fullmatch(w)]
    runs = [run for run in _PUNCT_RUN.split(norm) if run]
    for run in runs:
        for n in CHAR_NGRAMS:
            out.extend("c:" + run[i:i + n] for i in range(len(run) - n + 1))
    if runs:
        out += ["s:" + runs[0][:2], "e:" + runs[-1][-2:], "e1:" + runs[-1][-1:]]
    groups = keyword_groups(norm)
    out.extend("k:" + group for group in groups)
    # Chatter and greetings are recognised by what they lack: no topic of the estate's services.
    topics = sum(not group.startswith("intent:") for group in groups)
    out.append("k:topics=" + (str(topics) if topics < 3 else "3+"))
    out.extend(cues(norm))
    place = place if place is not None else extract_place(text)
    out.extend(name for name, value in (("p:building", place.building), ("p:room", place.room),
                                        ("p:named", place.place)) if value)
    out.append(_length(len(norm)))
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
