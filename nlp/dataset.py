"""The labelled messages and their split into train and held-out test.

Split rule (the same for training and for the bench, and stable as files grow): a record belongs
to the test split when the first 8 bytes of SHA-256 of its text - stripped of surrounding
whitespace, NFKC-normalised and encoded as UTF-8 - read as a big-endian integer are 0 or 1
modulo 10 (about 20%). The rule looks at the text only, so duplicate texts always fall on the
same side, and adding records never moves an existing one. Training reads `load("train")` only.
"""
from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).parent / "data"
LABELLED_DIR = DATA_DIR / "labelled"
TEST_BUCKETS = frozenset({0, 1})  # of 10
Split = Literal["train", "test", "all"]


@dataclass(frozen=True, slots=True)
class Record:
    text: str
    intent: str
    category: str | None
    urgent: bool
    building: str | None
    unit: str | None
    room: str | None
    place: str | None
    source: str  # "part_a.jsonl:12", for reports on mislabelled lines


def split_of(text: str) -> Literal["train", "test"]:
    key = unicodedata.normalize("NFKC", text.strip()).encode("utf-8")
    bucket = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % 10
    return "test" if bucket in TEST_BUCKETS else "train"


def _records(path: Path) -> list[Record]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            out.append(Record(
                text=row["text"], intent=row["intent"], category=row.get("category"),
                urgent=bool(row.get("urgent", False)), building=row.get("building"),
                unit=row.get("unit"), room=row.get("room"), place=row.get("place"),
                source=f"{path.name}:{number}",
            ))
    return out


def urgency_holdouts() -> list[Path]:
    """data/urgency_holdout*.jsonl: sets written by someone who had not read the urgency rules,
    kept out of the split and never used to revise the rules."""
    return sorted(DATA_DIR.glob("urgency_holdout*.jsonl"))


def read(path: Path) -> list[Record]:
    """Every record of one file (for sets kept outside the split, such as the urgency holdouts)."""
    return _records(path)


def load(split: Split, directory: Path = LABELLED_DIR) -> list[Record]:
    """Records of one split, in file order (files sorted by name)."""
    records = [r for path in sorted(directory.glob("*.jsonl")) for r in _records(path)]
    if split == "all":
        return records
    return [r for r in records if split_of(r.text) == split]


def label_problems(records: list[Record]) -> list[str]:
    """Labels that break the taxonomy: an unknown intent, a complaint without a known category,
    a category on anything else, an address that is not digits (or a building letter)."""
    from nlp import taxonomy

    codes = taxonomy.load()
    out = []
    for r in records:
        if r.intent not in codes.intents:
            out.append(f"{r.source}: unknown intent {r.intent!r}")
        elif r.intent == "complaint" and r.category not in codes.categories:
            out.append(f"{r.source}: complaint without a known category ({r.category!r})")
        elif r.intent != "complaint" and r.category is not None:
            out.append(f"{r.source}: category {r.category!r} on intent {r.intent}")
        for name in ("building", "unit", "room"):
            value = getattr(r, name)
            if value is not None and not (value.isascii() and value.isalnum()):
                out.append(f"{r.source}: {name} {value!r} is not Arabic digits")
    return out
