"""The trained classifier as shipped: numpy arrays in a JSON file, read without scikit-learn.

nlp/model/classifier.json holds the vocabulary, idf and, per head (intent, category, urgent), the class
codes, a (features x classes) weight matrix and a bias vector: probabilities are the softmax of
features @ weights + bias. Training (nlp.train) folds an ensemble of linear models into that one
matrix per head. Arrays are little-endian float32, base64-encoded, so the file is plain text,
needs no pickle, and reads the same whatever scikit-learn or numpy version trained it.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.features import Vectorizer, tokens
from nlp.places import Place
from nlp.urgency import Urgency

MODEL_PATH = Path(__file__).parent / "model" / "classifier.json"
FORMAT = 2  # 2: features of nlp.features with cues, places and edges; 1 is not readable


class ModelMissing(RuntimeError):
    """No trained artefact: run `linli nlp train`."""


def encode_array(array: np.ndarray) -> dict[str, Any]:
    array = np.ascontiguousarray(array, dtype="<f4")
    return {"dtype": "<f4", "shape": list(array.shape),
            "base64": base64.b64encode(array.tobytes()).decode("ascii")}


def decode_array(blob: dict[str, Any]) -> np.ndarray:
    if blob.get("dtype") != "<f4":
        raise ValueError(f"unsupported dtype {blob.get('dtype')!r}")
    raw = base64.b64decode(blob["base64"])
    return np.frombuffer(raw, dtype="<f4").reshape(blob["shape"]).astype(np.float32)


@dataclass(frozen=True, slots=True)
class Head:
    classes: tuple[str, ...]
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)


def softmax(scores: np.ndarray) -> np.ndarray:
    z = np.exp(scores - scores.max())
    return z / z.sum()


class Classifier:
    def __init__(self, vectorizer: Vectorizer, intent: Head, category: Head,
                 thresholds: dict[str, float], meta: dict[str, Any], urgent: Head | None = None) -> None:
        self.vectorizer = vectorizer
        self.intent = intent
        self.category = category
        self.urgent = urgent  # classes ("0", "1"): danger now, learnt beside the rules of nlp.urgency
        self.thresholds = thresholds
        self.meta = meta
        # The heads read the same features: one gather and one product serve them all.
        heads = [intent, category] + ([urgent] if urgent else [])
        self._weights = np.hstack([h.weights for h in heads])
        self._bias = np.concatenate([h.bias for h in heads])
        self._split = len(intent.classes)
        self._split2 = self._split + len(category.classes)

    def scores(self, text: str, urgency: Urgency | None = None,
               place: Place | None = None) -> tuple[np.ndarray, np.ndarray, float | None]:
        """(intent probabilities, category probabilities, probability of danger now or None when
        the artefact has no urgent head), the first two in the order of each head's classes."""
        idx, values = self.vectorizer.transform_one(tokens(text, urgency, place))
        scores = values @ self._weights[idx] + self._bias if idx.size else self._bias.copy()
        urgent = float(softmax(scores[self._split2:])[1]) if self.urgent else None
        return softmax(scores[:self._split]), softmax(scores[self._split:self._split2]), urgent

    # -- persistence -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        def head(h: Head) -> dict[str, Any]:
            return {"classes": list(h.classes), "weights": encode_array(h.weights),
                    "bias": encode_array(h.bias)}

        return {
            "format": FORMAT,
            "features": {"vocabulary": self.vectorizer.vocabulary,
                         "idf": encode_array(self.vectorizer.idf)},
            "heads": {"intent": head(self.intent), "category": head(self.category)}
            | ({"urgent": head(self.urgent)} if self.urgent else {}),
            "thresholds": self.thresholds,
            "meta": self.meta,
        }

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> Classifier:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ModelMissing(f"{path} not found; run `linli nlp train`") from None
        if doc.get("format") != FORMAT:
            raise ModelMissing(f"{path} has format {doc.get('format')}, expected {FORMAT}; retrain")

        def head(blob: dict[str, Any]) -> Head:
            return Head(tuple(blob["classes"]), decode_array(blob["weights"]), decode_array(blob["bias"]))

        features = doc["features"]
        return cls(Vectorizer(features["vocabulary"], decode_array(features["idf"])),
                   head(doc["heads"]["intent"]), head(doc["heads"]["category"]),
                   {k: float(v) for k, v in doc["thresholds"].items()}, doc.get("meta", {}),
                   head(doc["heads"]["urgent"]) if "urgent" in doc["heads"] else None)
