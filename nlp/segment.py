"""jieba, set up once per process with the estate vocabulary of userdict.txt.

jieba logs its dictionary loading at DEBUG/INFO through the root of its own logger; it is
silenced here. Paddle mode is never used (it would pull in paddlepaddle). The default
dictionary comes from jieba's on-disk cache after the first run, so set-up takes well under a
second.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba

USER_DICT = Path(__file__).parent / "userdict.txt"
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The process-wide jieba tokenizer with the domain dictionary loaded."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tok = jieba.Tokenizer()
                tok.initialize()
                tok.load_userdict(str(USER_DICT))
                _tokenizer = tok
    return _tokenizer


def words(text: str) -> list[str]:
    """Precise-mode jieba words without the HMM guesser (new-word guessing glues domain words
    to their neighbours: "困人快"); whitespace dropped."""
    return [w for w in tokenizer().lcut(text, HMM=False) if not w.isspace()]
