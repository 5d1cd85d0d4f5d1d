"""Character-level normalisation shared by every nlp module.

Residents type on phone keyboards that switch freely between full-width and half-width
characters ("３号楼", "１２－２"), and some write Traditional characters ("電梯卡住了", "5座").
Folding them one character to one character keeps every offset valid, so spans found in the
folded text can be cut from the original. Traditional characters become Simplified by the table
in nlp/traditional.tsv (OpenCC's character table): the lexicons, rules and model are Simplified.
"""
from __future__ import annotations

from pathlib import Path

# U+FF01..U+FF5E are the full-width twins of ASCII U+0021..U+007E; U+3000 is the ideographic space.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
# Dashes that residents use between building, unit and room ("12—2—1101").
for _dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63":
    _FOLD[ord(_dash)] = ord("-")
for _line in (Path(__file__).parent / "traditional.tsv").read_text(encoding="utf-8").splitlines():
    if _line and not _line.startswith("#"):
        _traditional, _simplified = _line.split("\t")
        _FOLD[ord(_traditional)] = ord(_simplified)


def fold(text: str) -> str:
    """Full-width ASCII and dashes to half-width, Traditional to Simplified; same length."""
    return text.translate(_FOLD)


def normalise(text: str) -> str:
    """Folded and lower case: the form every matcher and the classifier read."""
    return fold(text).lower()
