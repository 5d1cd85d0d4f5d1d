"""JSON lines in, JSON lines out: the contract of `linli classify`.

Input: one object per line, {"id": <any JSON value>, "text": "<message>"}; blank lines are
skipped. Output, one line per non-blank input line, in input order:
    {"id", "intent", "category", "urgent", "building", "unit", "room", "place", "confidence"}
with category null for non-complaints and building/unit/room as Arabic-digit strings (building
letters as in "B座" -> "B") or null. A line that cannot be read gives
    {"line": <1-based line number>, "id": <id if it could be read, else null>, "error": "..."}
and the following lines are still classified.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from nlp.understand import Understanding, understand

OUTPUT_KEYS = ("id", "intent", "category", "urgent", "building", "unit", "room", "place",
               "confidence")


def result_row(item_id: Any, u: Understanding) -> dict[str, Any]:
    return {"id": item_id, "intent": u.intent, "category": u.category, "urgent": u.urgent,
            "building": u.place.building, "unit": u.place.unit, "room": u.place.room,
            "place": u.place.place, "confidence": round(u.confidence, 4)}


def _read(line: str) -> tuple[Any, str]:
    """(id, text) of one input line; ValueError with a resident-neutral reason otherwise."""
    try:
        obj = json.loads(line.strip())
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object with \"id\" and \"text\"")
    text = obj.get("text")
    if not isinstance(text, str):
        raise _Missing(obj.get("id"), "\"text\" must be a string" if "text" in obj
                       else "missing \"text\"")
    return obj.get("id"), text


class _Missing(ValueError):
    def __init__(self, item_id: Any, message: str) -> None:
        super().__init__(message)
        self.item_id = item_id


def classify_lines(lines: Iterable[str],
                   classify: Callable[[str], Understanding] = understand) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item_id, text = _read(line)
        except _Missing as exc:
            yield {"line": number, "id": exc.item_id, "error": str(exc)}
            continue
        except ValueError as exc:
            yield {"line": number, "id": None, "error": str(exc)}
            continue
        yield result_row(item_id, classify(text))


def dumps(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, separators=(", ", ": "))
