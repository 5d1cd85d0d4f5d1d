"""Linli's understanding of resident chat text: pure functions over text.

    understand(text) -> Understanding   intent, category, confidences, urgency, place
    extract_place(text) -> Place        building / unit / room / named place
    detect_urgency(text) -> Urgency     life and safety by rules, with the reason (understand()
                                        adds the model's urgent head for what the rules let pass)
    taxonomy                            label codes and routing from taxonomy.yaml

The trained model ships in nlp/model/ and is rebuilt with `linli nlp train`. This package
imports nothing from core/, handlers/, bot/ or storage/.
"""
from __future__ import annotations

from nlp import taxonomy
from nlp.places import Place, extract_place
from nlp.understand import Understanding, understand
from nlp.urgency import Urgency, detect_urgency

__all__ = ["Place", "Understanding", "Urgency", "detect_urgency", "extract_place", "taxonomy",
           "understand"]
