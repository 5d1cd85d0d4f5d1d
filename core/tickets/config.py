"""Configuration of tickets: SLA profiles, district routing overrides, retention, the rating window.

Read from a JSON document (the installation points to it; see docs/tickets.md). Everything is
checked when the configuration is loaded, not when a resident complains:

    {"sla": {"urgent": {"clock": "hours", "amount": 2, "milestone": "response"},
             "utilities": {"clock": "hours", "amount": 24, "milestone": "answer"},
             "standard": {"clock": "workdays", "amount": 5, "milestone": "answer",
                          "max_extension_workdays": 10},
             "utility_categories": ["utilities"]},
     "routing": {"D01": {"noise": {"handler": "community", "department": "mediation"}}},
     "retention_days": 180, "rating_days": 7, "duplicate_window_hours": 72}
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from core.tickets.duplicates import WINDOW
from core.tickets.privacy import RETENTION_DAYS
from core.tickets.routing import Overrides, TaxonomyError, validate_overrides
from core.tickets.sla import DEFAULT_CONFIG, Clock, Milestone, SlaConfig, SlaProfile

RATING_DAYS = 7  # an answer nobody rated is closed by the system after this many days


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class TicketConfig:
    sla: SlaConfig = DEFAULT_CONFIG
    overrides: Overrides = field(default_factory=lambda: MappingProxyType({}))
    retention_days: int = RETENTION_DAYS
    rating_days: int = RATING_DAYS
    duplicate_window: timedelta = WINDOW


DEFAULT = TicketConfig()


def _profile(code: str, raw: Mapping[str, Any], default: SlaProfile) -> SlaProfile:
    unknown = set(raw) - {"clock", "amount", "milestone", "max_extension_workdays"}
    if unknown:
        raise ConfigError(f"sla.{code}: unknown keys {sorted(unknown)}")
    try:
        return SlaProfile(code, Clock(raw.get("clock", default.clock.value)),
                          int(raw.get("amount", default.amount)),
                          Milestone(raw.get("milestone", default.milestone.value)),
                          int(raw.get("max_extension_workdays", default.max_extension_workdays)))
    except ValueError as e:
        raise ConfigError(f"sla.{code}: {e}") from None


def parse_config(data: Mapping[str, Any]) -> TicketConfig:
    unknown = set(data) - {"sla", "routing", "retention_days", "rating_days", "duplicate_window_hours"}
    if unknown:
        raise ConfigError(f"unknown keys {sorted(unknown)}")
    sla_raw = data.get("sla") or {}
    base = DEFAULT_CONFIG
    sla = SlaConfig(
        urgent=_profile("urgent", sla_raw.get("urgent") or {}, base.urgent),
        utilities=_profile("utilities", sla_raw.get("utilities") or {}, base.utilities),
        standard=_profile("standard", sla_raw.get("standard") or {}, base.standard),
        utility_categories=frozenset(sla_raw.get("utility_categories", base.utility_categories)))
    overrides = data.get("routing") or {}
    try:
        validate_overrides(overrides)
    except TaxonomyError as e:
        raise ConfigError(f"routing: {e}") from None
    numbers = {k: int(data.get(k, d)) for k, d in (("retention_days", RETENTION_DAYS),
                                                   ("rating_days", RATING_DAYS),
                                                   ("duplicate_window_hours", WINDOW // timedelta(hours=1)))}
    if min(numbers.values()) < 1:
        raise ConfigError("retention_days, rating_days and duplicate_window_hours must be positive")
    return TicketConfig(sla=sla, overrides=MappingProxyType(dict(overrides)),
                        retention_days=numbers["retention_days"], rating_days=numbers["rating_days"],
                        duplicate_window=timedelta(hours=numbers["duplicate_window_hours"]))


def load_config(path: str | Path | None) -> TicketConfig:
    """The configuration in `path`, or the defaults when no file is named."""
    if not path:
        return DEFAULT
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(f"{path}: {e}") from None
    return parse_config(data)
