"""What a scheduled job is: an id, a textual function reference, a trigger, and run options."""
from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

CRON_FIELDS = frozenset({"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"})
# Interval triggers count from a fixed origin rather than from "now", so an interval job
# replaced after a spec change lands on the same grid in every process.
INTERVAL_ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
MAX_ID_LENGTH = 191  # the job store's id column


@dataclass(frozen=True)
class JobSpec:
    """One job the leader keeps in the store.

    `func` is "module:function", a module-level async or sync callable taking a `JobContext`
    first and then `kwargs`; the store keeps only this text, never the function itself.
    """

    id: str
    func: str
    trigger: Literal["interval", "cron"]
    seconds: float | None = None  # interval
    cron: Mapping[str, str | int] = field(default_factory=dict)  # e.g. {"hour": 8, "minute": 0}
    kwargs: Mapping[str, Any] = field(default_factory=dict)  # JSON-able
    coalesce: bool = True
    max_instances: int = 1
    # How late a run may still start (after downtime or a leader change); None: however late.
    misfire_grace_time: int | None = 600

    def __post_init__(self) -> None:
        if not self.id or len(self.id) > MAX_ID_LENGTH:
            raise ValueError(f"job id must be 1..{MAX_ID_LENGTH} characters: {self.id!r}")
        module, _, name = self.func.partition(":")
        if not module or not name:
            raise ValueError(f"job {self.id}: func must be 'module:function', got {self.func!r}")
        if self.trigger == "interval":
            if self.seconds is None or self.seconds <= 0 or self.cron:
                raise ValueError(f"job {self.id}: an interval trigger needs seconds > 0 and no cron")
        elif self.trigger == "cron":
            unknown = set(self.cron) - CRON_FIELDS
            if not self.cron or unknown or self.seconds is not None:
                raise ValueError(f"job {self.id}: a cron trigger needs fields from "
                                 f"{sorted(CRON_FIELDS)} and no seconds (unknown: {sorted(unknown)})")
        else:
            raise ValueError(f"job {self.id}: unknown trigger {self.trigger!r}")
        if self.max_instances < 1:
            raise ValueError(f"job {self.id}: max_instances must be at least 1")
        try:
            json.dumps(dict(self.kwargs), sort_keys=True)
        except TypeError as e:
            raise ValueError(f"job {self.id}: kwargs must be JSON-able ({e})") from None

    def make_trigger(self, tz: str) -> BaseTrigger:
        if self.trigger == "interval":
            assert self.seconds is not None
            return IntervalTrigger(seconds=self.seconds, start_date=INTERVAL_ORIGIN, timezone=tz)
        return CronTrigger(timezone=tz, **dict(self.cron))

    def fingerprint(self, tz: str) -> str:
        """Changes exactly when the stored job must be replaced rather than kept."""
        data = {"func": self.func, "trigger": self.trigger, "seconds": self.seconds,
                "cron": {k: str(v) for k, v in self.cron.items()}, "kwargs": dict(self.kwargs),
                "coalesce": self.coalesce, "max_instances": self.max_instances,
                "misfire_grace_time": self.misfire_grace_time, "timezone": tz}
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def resolve(func: str) -> Callable[..., Any]:
    """Import "module:function"; raises LookupError when it is not there."""
    module, _, name = func.partition(":")
    try:
        obj: Any = importlib.import_module(module)
        for part in name.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as e:
        raise LookupError(f"cannot import job function {func!r}: {e}") from e
    if not callable(obj):
        raise LookupError(f"job function {func!r} is not callable")
    return obj  # type: ignore[no-any-return]


def every(id: str, func: str, seconds: float, **opts: Any) -> JobSpec:
    return JobSpec(id=id, func=func, trigger="interval", seconds=seconds, **opts)


def cron(id: str, func: str, fields: Mapping[str, str | int], **opts: Any) -> JobSpec:
    return JobSpec(id=id, func=func, trigger="cron", cron=fields, **opts)


__all__ = ["JobSpec", "cron", "every", "resolve"]
