"""The main themes of free text (consultation answers): TF-IDF keywords with jieba.analyse,
segmented with the estate vocabulary."""
from __future__ import annotations

import threading

from jieba.analyse.tfidf import TFIDF

from nlp.segment import tokenizer

_extractor: TFIDF | None = None
_lock = threading.Lock()


def _tfidf() -> TFIDF:
    global _extractor
    if _extractor is None:
        with _lock:
            if _extractor is None:
                ex = TFIDF()
                ex.tokenizer = tokenizer()
                _extractor = ex
    return _extractor


def keywords(texts: list[str], top: int = 8) -> list[str]:
    """The `top` keywords of all texts together, most characteristic first."""
    joined = "\n".join(t for t in texts if t and t.strip())
    if not joined:
        return []
    return [str(w) for w in _tfidf().extract_tags(joined, topK=top)]
