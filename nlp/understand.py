"""One resident message in, everything the chat needs to know about it out.

The hybrid: urgency and places come from rules (nlp.urgency, nlp.places); intent and category
come from the trained linear model (nlp.model), overridden by the few formulaic rules of
nlp.rules. Two further decisions are made here:
- urgency is the rules' (nlp.urgency) or, when they find nothing, the model's urgent head above its
  trained threshold: the rules know the dangers' words, the model recognises danger told in words
  the rules lack ("门缝里有烟");
- an urgent message is a complaint, whatever the model says: someone has to act on it; a fire,
  a gas smell or a flood happening now also decides its category (nlp.rules.urgent_category);
- confidence below the trained thresholds sets low_confidence, so the chat asks the resident to
  pick among the top candidates instead of guessing.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from nlp import rules
from nlp.model import MODEL_PATH, Classifier, Head
from nlp.places import Place, extract_place
from nlp.text import normalise
from nlp.urgency import Urgency, detect_urgency

Candidates = tuple[tuple[str, float], ...]
TOP = 3


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: str
    intent_confidence: float
    intent_candidates: Candidates  # top three (code, probability), best first
    category: str | None  # None unless intent == "complaint"
    category_confidence: float | None  # None unless intent == "complaint"
    category_candidates: Candidates  # top three categories, also for non-complaints
    low_confidence: bool
    urgent: bool
    urgency_reason: str | None
    place: Place

    @property
    def confidence(self) -> float:
        """Overall confidence: P(intent) x P(category | complaint) for complaints."""
        if self.category_confidence is None:
            return self.intent_confidence
        return self.intent_confidence * self.category_confidence


def _ranked(classes: tuple[str, ...], probs: np.ndarray, rule_label: str | None) -> Candidates:
    """Candidates best first; a rule's label is moved to the top with RULE_CONFIDENCE at least,
    the others rescaled so the probabilities still sum to one."""
    table = dict(zip(classes, (float(p) for p in probs)))
    if rule_label is not None and rule_label in table:
        boosted = max(table[rule_label], rules.RULE_CONFIDENCE)
        rest = 1.0 - table[rule_label]
        scale = (1.0 - boosted) / rest if rest > 0 else 0.0
        table = {c: (boosted if c == rule_label else p * scale) for c, p in table.items()}
    ordered = sorted(table.items(), key=lambda item: (-item[1], item[0]))
    if rule_label is not None and rule_label in table:
        ordered.sort(key=lambda item: item[0] != rule_label)  # stable: keeps the rest in order
    return tuple((code, round(p, 4)) for code, p in ordered[:TOP])


def combine(text: str, urgency: Urgency, place: Place, classifier: Classifier | ClassifierView,
            intent_probs: np.ndarray, category_probs: np.ndarray) -> Understanding:
    """The hybrid's decision from the model's probabilities: rules, the urgency override and the
    thresholds. Training calls it with cross-validated probabilities to measure the whole."""
    norm = normalise(text)
    rule = rules.first_match(rules.INTENT_RULES, norm)
    intent_label = rule.label if rule else None
    if urgency.urgent:
        intent_label = "complaint"
    intents = _ranked(classifier.intent.classes, intent_probs, intent_label)
    rule = rules.first_match(rules.CATEGORY_RULES, norm)
    category_label = rule.label if rule else None
    if category_label is None and urgency.urgent:
        category_label = rules.urgent_category(urgency.reason, norm)
    categories = _ranked(classifier.category.classes, category_probs, category_label)

    intent, intent_conf = intents[0]
    complaint = intent == "complaint"
    category, category_conf = categories[0] if complaint else (None, None)
    thresholds = classifier.thresholds
    low = intent_conf < thresholds.get("intent", 0.0) or (
        complaint and category_conf is not None and category_conf < thresholds.get("category", 0.0))
    return Understanding(
        intent=intent, intent_confidence=intent_conf, intent_candidates=intents,
        category=category, category_confidence=category_conf,
        category_candidates=categories, low_confidence=low,
        urgent=urgency.urgent, urgency_reason=urgency.reason, place=place,
    )


@dataclass(frozen=True, slots=True)
class ClassifierView:
    """What `combine` reads of a classifier: the class codes of each head and the thresholds."""
    intent: Head
    category: Head
    thresholds: dict[str, float]


class Understander:
    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier

    def __call__(self, text: str) -> Understanding:
        urgency = detect_urgency(text)
        place = extract_place(text)
        intent_probs, category_probs, danger = self.classifier.scores(text, urgency, place)
        if not urgency.urgent and danger is not None and danger >= self.classifier.thresholds.get("urgent", 2.0):
            urgency = Urgency(True, None, "model", urgency.dismissed)
        return combine(text, urgency, place, self.classifier, intent_probs, category_probs)


_lock = threading.Lock()
_default: Understander | None = None


def default_understander() -> Understander:
    """The process-wide understander over the shipped model, loaded on first use."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Understander(Classifier.load(MODEL_PATH))
    return _default


def understand(text: str) -> Understanding:
    """Intent, category, urgency and place of one resident message."""
    return default_understander()(text)
