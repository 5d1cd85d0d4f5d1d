"""Deadlines (product.md §3 "Deadlines"): SLA profiles, due times, overdue and supervision.

Default profiles (configuration may replace them):
- urgent: first response (受理) within 2 clock hours; after that the category's own profile applies;
- utilities (water, power, gas, heating: the category `utilities`): answered within 24 clock hours;
- standard (everything else): answered within 5 working days, extendable once by up to 10.

How working days are counted: the day the ticket arrives never counts, whatever the hour, and a
non-working day never counts; the deadline is 23:59:59 of the N-th working day after the arrival
date, in the estate's time zone. So, in an ordinary week, a ticket from Monday 15:00 is due at the
end of the next Monday, one from Saturday at the end of the following Friday (counting starts on
Monday), and one from the eve of a holiday 5 working days after the holiday. The end of the day rather than office
closing time because that is the date residents are told ("X月X日前答复"). Overdue means strictly
after the deadline.

A reopened ticket gets a fresh deadline with the same profile counted from the reopening (call
due_at with that moment); the extension stays used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.tickets.lifecycle import ESCALATABLE, TicketStatus
from core.tickets.routing import HandlerLevel
from core.tickets.workdays import add_workdays

ESTATE_ZONE = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)


class Clock(StrEnum):
    HOURS = "hours"        # clock hours, nights and holidays included
    WORKDAYS = "workdays"  # statutory working days, due at the end of the last one


class Milestone(StrEnum):
    RESPONSE = "response"  # the clock stops when staff accept (受理) the ticket
    ANSWER = "answer"      # the clock stops when the ticket is answered


@dataclass(frozen=True)
class SlaProfile:
    code: str
    clock: Clock
    amount: int
    milestone: Milestone
    max_extension_workdays: int = 0  # 0: this profile cannot be extended

    def __post_init__(self) -> None:
        if self.amount < 1 or self.max_extension_workdays < 0:
            raise ValueError(f"SLA profile {self.code}: amount must be positive, extension not negative")


URGENT = SlaProfile("urgent", Clock.HOURS, 2, Milestone.RESPONSE)
UTILITIES = SlaProfile("utilities", Clock.HOURS, 24, Milestone.ANSWER)
STANDARD = SlaProfile("standard", Clock.WORKDAYS, 5, Milestone.ANSWER, max_extension_workdays=10)


@dataclass(frozen=True)
class SlaConfig:
    urgent: SlaProfile = URGENT
    utilities: SlaProfile = UTILITIES
    standard: SlaProfile = STANDARD
    utility_categories: frozenset[str] = field(default_factory=lambda: frozenset({"utilities"}))


DEFAULT_CONFIG = SlaConfig()


class ExtensionRefused(ValueError):
    """An extension the profile does not allow; the message is Chinese."""


@dataclass(frozen=True)
class Deadlines:
    answer_due: datetime
    response_due: datetime | None = None  # urgent tickets only
    profile: SlaProfile = STANDARD        # the answer profile, for extensions


def answer_profile(category: str, config: SlaConfig = DEFAULT_CONFIG) -> SlaProfile:
    return config.utilities if category in config.utility_categories else config.standard


def due_at(profile: SlaProfile, created_at: datetime, zone: ZoneInfo = ESTATE_ZONE) -> datetime:
    local = _local(created_at, zone)
    if profile.clock is Clock.HOURS:
        return local + timedelta(hours=profile.amount)
    return _end_of(add_workdays(local.date(), profile.amount), zone)


def deadlines(category: str, urgent: bool, created_at: datetime, config: SlaConfig = DEFAULT_CONFIG,
              zone: ZoneInfo = ESTATE_ZONE) -> Deadlines:
    profile = answer_profile(category, config)
    response = due_at(config.urgent, created_at, zone) if urgent else None
    return Deadlines(answer_due=due_at(profile, created_at, zone), response_due=response, profile=profile)


def extended_due_at(due: datetime, extra_working_days: int, profile: SlaProfile = STANDARD,
                    zone: ZoneInfo = ESTATE_ZONE) -> datetime:
    """The deadline after an extension: the end of the N-th working day after the old deadline's date."""
    if profile.max_extension_workdays == 0:
        raise ExtensionRefused("此类工单时限不能延期")
    if not 1 <= extra_working_days <= profile.max_extension_workdays:
        raise ExtensionRefused(f"延期须为1至{profile.max_extension_workdays}个工作日")
    return _end_of(add_workdays(_local(due, zone).date(), extra_working_days), zone)


def current_due(d: Deadlines, status: TicketStatus) -> datetime | None:
    """The deadline the ticket is running against now; None once the clock has stopped (answered or final)."""
    if status not in ESCALATABLE:
        return None
    if status is TicketStatus.NEW and d.response_due is not None:
        return min(d.response_due, d.answer_due)
    return d.answer_due


def is_overdue(due: datetime, now: datetime) -> bool:
    if due.tzinfo is None or now.tzinfo is None:
        raise ValueError("due and now must be aware datetimes")
    return now > due


def should_escalate(matter_level: HandlerLevel, status: TicketStatus, supervised: bool, due: datetime | None,
                    now: datetime) -> bool:
    """A property matter past its deadline goes to the street office for supervision (督办).

    `matter_level` is the category's level (Route.matter_level): a property matter the community
    handles for an estate without a property company escalates too, as the resident's remedy is the
    same. Community- and street-level tickets are not escalated by the clock.
    """
    if matter_level is not HandlerLevel.PROPERTY or supervised or due is None:
        return False
    return status in ESCALATABLE and is_overdue(due, now)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be aware datetimes")
    return moment.astimezone(zone)


def _end_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)
