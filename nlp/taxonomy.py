"""The label contract of nlp/taxonomy.yaml: intent codes, complaint categories with their handler
level and department, the handler levels and departments themselves.

core/ reads routing from here (`CATEGORIES[code].handler`, `.department`). The file uses a small
subset of YAML (nested block mappings, one-line flow mappings, comments, null); PyYAML is not a
dependency, so that subset is parsed here and anything else is refused loudly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

TAXONOMY_PATH = Path(__file__).parent / "taxonomy.yaml"


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    zh: str
    handler: str  # a code of HANDLER_LEVELS
    department: str | None  # a code of DEPARTMENTS, or None


@dataclass(frozen=True, slots=True)
class Taxonomy:
    intents: Mapping[str, str]  # code -> Chinese description
    handler_levels: Mapping[str, str]
    departments: Mapping[str, str]
    categories: Mapping[str, Category]


_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?:\s+(?P<value>.*))?$")


def _strip_comment(line: str) -> str:
    # YAML comments start at a "#" that begins the line or follows whitespace.
    match = re.search(r"(^|\s)#", line)
    return line[:match.start()] if match else line


def _scalar(raw: str) -> str | None:
    raw = raw.strip()
    if raw in ("null", "~", ""):
        return None
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        return raw[1:-1]
    return raw


def _flow_mapping(raw: str, where: str) -> dict[str, str | None]:
    raw = raw.strip()
    if not (raw.startswith("{") and raw.endswith("}")):
        raise ValueError(f"{where}: expected {{...}}, got {raw!r}")
    out: dict[str, str | None] = {}
    for part in raw[1:-1].split(","):
        key, sep, value = part.partition(":")
        if not sep:
            raise ValueError(f"{where}: bad entry {part!r}")
        out[key.strip()] = _scalar(value)
    return out


def parse(text: str) -> dict[str, dict[str, object]]:
    """Two-level mapping {section: {key: scalar or flow mapping}} of the taxonomy file."""
    sections: dict[str, dict[str, object]] = {}
    current: dict[str, object] | None = None
    for number, line in enumerate(text.splitlines(), 1):
        line = _strip_comment(line).rstrip()
        if not line.strip():
            continue
        match = _KEY.match(line)
        if not match:
            raise ValueError(f"taxonomy line {number}: cannot read {line!r}")
        key, value = match.group("key"), match.group("value")
        if not match.group("indent"):
            if value:
                raise ValueError(f"taxonomy line {number}: top-level {key!r} must be a section")
            current = sections.setdefault(key, {})
        elif current is None:
            raise ValueError(f"taxonomy line {number}: entry outside a section")
        elif value and value.lstrip().startswith("{"):
            current[key] = _flow_mapping(value, f"taxonomy line {number}")
        else:
            current[key] = _scalar(value or "")
    return sections


def load(path: Path = TAXONOMY_PATH) -> Taxonomy:
    sections = parse(path.read_text(encoding="utf-8"))
    handler_levels = {k: str(v) for k, v in sections["handler_levels"].items()}
    departments = {k: str(v) for k, v in sections["departments"].items()}
    categories: dict[str, Category] = {}
    for code, entry in sections["categories"].items():
        if not isinstance(entry, dict):
            raise ValueError(f"category {code}: expected {{zh, handler, department}}")
        handler, department = entry.get("handler"), entry.get("department")
        if handler not in handler_levels:
            raise ValueError(f"category {code}: unknown handler level {handler!r}")
        if department is not None and department not in departments:
            raise ValueError(f"category {code}: unknown department {department!r}")
        categories[code] = Category(code, str(entry.get("zh") or ""), str(handler), department)
    return Taxonomy(
        intents=MappingProxyType({k: str(v) for k, v in sections["intents"].items()}),
        handler_levels=MappingProxyType(handler_levels),
        departments=MappingProxyType(departments),
        categories=MappingProxyType(categories),
    )


TAXONOMY = load()
INTENTS: Mapping[str, str] = TAXONOMY.intents
HANDLER_LEVELS: Mapping[str, str] = TAXONOMY.handler_levels
DEPARTMENTS: Mapping[str, str] = TAXONOMY.departments
CATEGORIES: Mapping[str, Category] = TAXONOMY.categories


def category(code: str) -> Category:
    """The category with this code; KeyError for a code not in the contract."""
    return CATEGORIES[code]
