"""Character-level normalisation shared by every nlp module.

Residents type on phone keyboards that switch freely between full-width and half-width
characters ("３号楼", "１２－２"). Folding them one character to one character keeps every
offset valid, so spans found in the folded text can be cut from the original.
"""
from __future__ import annotations

# U+FF01..U+FF5E are the full-width twins of ASCII U+0021..U+007E; U+3000 is the ideographic space.
_FULL_TO_HALF = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20
# Dashes that residents use between building, unit and room ("12—2—1101").
for _dash in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63":
    _FULL_TO_HALF[ord(_dash)] = ord("-")


def fold_width(text: str) -> str:
    """Full-width ASCII and dashes to their half-width forms; same length as the input."""
    return text.translate(_FULL_TO_HALF)


def normalise(text: str) -> str:
    """Folded width and lower case: the form every matcher and the classifier read."""
    return fold_width(text).lower()
