"""Training: `linli nlp train` (or `python -m nlp.train`). scikit-learn is imported here only.

Reads the train split of nlp/data/labelled/ (see nlp.dataset for the split rule; the test split
is never read), fits the TF-IDF vocabulary, chooses the regularisation C of each head by
stratified 5-fold cross-validation on the train split, fits two multinomial logistic
regressions (intent on every record, category on complaints) and writes
nlp/model/classifier.json. Thresholds for "low confidence" are chosen on the out-of-fold
probabilities: the lowest confidence at which the confident answers are still right at least
INTENT_TARGET / CATEGORY_TARGET of the time. Everything is deterministic: the same data gives
the same file.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nlp import dataset
from nlp.features import Vectorizer, tokens
from nlp.model import MODEL_PATH, Classifier, Head

C_GRID = (10.0, 30.0, 100.0)
FOLDS = 5
SEED = 20240601
INTENT_TARGET = 0.98
CATEGORY_TARGET = 0.95
MIN_DF = 2  # a feature seen in one message only is noise, and bloats the artefact


@dataclass
class TrainReport:
    records: int
    complaints: int
    features: int
    intent_c: float
    category_c: float
    cv: dict[str, float] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    path: Path = MODEL_PATH

    def lines(self) -> list[str]:
        out = [f"train split: {self.records} records ({self.complaints} complaints), "
               f"{self.features} features",
               f"C: intent {self.intent_c:g}, category {self.category_c:g}"]
        out += [f"cv {k}: {v:.4f}" for k, v in self.cv.items()]
        out += [f"low-confidence threshold {k}: {v:.2f}" for k, v in self.thresholds.items()]
        out.append(f"written: {self.path}")
        return out


def _logreg(c: float, balanced: bool = False):
    from sklearn.linear_model import LogisticRegression

    # Intents are unbalanced (most messages are complaints); balancing keeps the small intents
    # (progress, greeting, other) from being swallowed by "complaint".
    return LogisticRegression(C=c, max_iter=5000, tol=1e-4,
                              class_weight="balanced" if balanced else None)


def _oof_probabilities(X, y: np.ndarray, c: float, balanced: bool) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    classes = np.unique(y)
    out = np.zeros((len(y), len(classes)))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for fit_idx, held_idx in folds.split(X, y):
        model = _logreg(c, balanced).fit(X[fit_idx], y[fit_idx])
        cols = np.searchsorted(classes, model.classes_)
        out[np.ix_(held_idx, cols)] = model.predict_proba(X[held_idx])
    return out


def _macro_f1(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, pred, average="macro"))


def _choose_c(X, y: np.ndarray, metric, balanced: bool) -> tuple[float, np.ndarray, float]:
    classes = np.unique(y)
    best: tuple[float, np.ndarray, float] | None = None
    for c in C_GRID:
        proba = _oof_probabilities(X, y, c, balanced)
        score = metric(y, classes[proba.argmax(1)])
        if best is None or score > best[2] + 1e-9:
            best = (c, proba, score)
    assert best is not None
    return best


def _threshold(y: np.ndarray, proba: np.ndarray, target: float) -> float:
    classes = np.unique(y)
    conf = proba.max(1)
    right = classes[proba.argmax(1)] == y
    for t in np.arange(0.0, 1.0, 0.01):
        kept = conf >= t
        if kept.any() and right[kept].mean() >= target:
            return round(float(t), 2)
    return 0.99


def _head(model) -> Head:
    # sklearn stores (classes, features); inference wants (features, classes).
    return Head(tuple(str(c) for c in model.classes_), model.coef_.T.astype(np.float32),
                model.intercept_.astype(np.float32))


def train(data_dir: Path = dataset.LABELLED_DIR, out: Path = MODEL_PATH,
          intent_c: float | None = None, category_c: float | None = None) -> TrainReport:
    import sklearn

    records = dataset.load("train", data_dir)
    if not records:
        raise SystemExit(f"no training records in {data_dir}")
    docs = [tokens(r.text) for r in records]
    vectorizer = Vectorizer.fit(docs, min_df=MIN_DF)
    X = vectorizer.transform(docs)
    y_intent = np.array([r.intent for r in records])
    complaint_rows = np.array([i for i, r in enumerate(records) if r.intent == "complaint"])
    X_cat = X[complaint_rows]
    y_cat = np.array([records[i].category or "other" for i in complaint_rows])

    accuracy = lambda y, p: float((y == p).mean())  # noqa: E731
    cv: dict[str, float] = {}
    if intent_c is None:
        intent_c, intent_oof, cv["intent accuracy"] = _choose_c(X, y_intent, accuracy, True)
    else:
        intent_oof = _oof_probabilities(X, y_intent, intent_c, True)
        cv["intent accuracy"] = accuracy(y_intent, np.unique(y_intent)[intent_oof.argmax(1)])
    if category_c is None:
        category_c, cat_oof, cv["category macro-F1"] = _choose_c(X_cat, y_cat, _macro_f1, False)
    else:
        cat_oof = _oof_probabilities(X_cat, y_cat, category_c, False)
        cv["category macro-F1"] = _macro_f1(y_cat, np.unique(y_cat)[cat_oof.argmax(1)])
    thresholds = {"intent": _threshold(y_intent, intent_oof, INTENT_TARGET),
                  "category": _threshold(y_cat, cat_oof, CATEGORY_TARGET)}

    intent_model = _logreg(intent_c, True).fit(X, y_intent)
    category_model = _logreg(category_c).fit(X_cat, y_cat)
    digest = hashlib.sha256("\n".join(r.text for r in records).encode("utf-8")).hexdigest()
    meta = {"records": len(records), "complaints": int(len(complaint_rows)),
            "train_texts_sha256": digest, "intent_C": intent_c, "category_C": category_c,
            "trained_with": f"scikit-learn {sklearn.__version__}", "cv": cv}
    classifier = Classifier(vectorizer, _head(intent_model), _head(category_model), thresholds, meta)
    classifier.save(out)
    return TrainReport(len(records), int(len(complaint_rows)), len(vectorizer.vocabulary),
                       intent_c, category_c, cv, thresholds, out)


def main(argv: list[str] | None = None) -> int:
    report = train()
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
