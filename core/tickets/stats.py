"""响应率, 解决率, 满意率 from counts, exactly (product.md §3 "Statistics").

The services count tickets of one slice (estate, street, department, category, month: the month a
ticket was received) and pass the counts here. Definitions:

- received: tickets received in the slice, not counting those merged into another ticket (a
  duplicate is the same problem, counted once in its target).
- 响应率 (response rate) = responded ÷ received, where responded = tickets accepted (受理) or
  referred by staff before their first deadline (the response deadline of urgent tickets, the
  answer deadline otherwise) passed.
- 解决率 (resolution rate) = resolved ÷ (received − referred), where resolved = tickets answered
  and not left unresolved: closed without a rating, or rated 满意 or 基本满意. Referred tickets are
  not ours to resolve; tickets still open count against the rate.
- 满意率 (satisfaction rate) = (满意 + 基本满意) ÷ rated, rated being tickets with a final rating
  (a 不满意 that reopened the ticket is not final).

A rate with nothing to divide by is None ("—" in reports), never 0 % or 100 %.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    def __post_init__(self) -> None:
        if self.numerator < 0 or self.denominator < 0:
            raise ValueError("counts must not be negative")
        if self.numerator > self.denominator:
            raise ValueError(f"{self.numerator} out of {self.denominator} is more than all")

    @property
    def fraction(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def percent(self, places: int = 1) -> Decimal | None:
        """The rate in percent, rounded half up to `places` decimals (67/99 -> Decimal("67.7"))."""
        if not self.denominator:
            return None
        if places < 0:
            raise ValueError("places must not be negative")
        # Integer arithmetic: round half up once, from the exact fraction.
        units, rest = divmod(self.numerator * 100 * 10**places, self.denominator)
        if 2 * rest >= self.denominator:
            units += 1
        return Decimal(units).scaleb(-places)


@dataclass(frozen=True)
class TicketCounts:
    received: int
    responded: int
    referred: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int

    def __post_init__(self) -> None:
        if min(self.received, self.responded, self.referred, self.resolved, self.satisfied,
               self.basically_satisfied, self.unsatisfied) < 0:
            raise ValueError("counts must not be negative")
        if self.referred > self.received or self.responded > self.received:
            raise ValueError("responded and referred are parts of received")
        if self.resolved > self.received - self.referred:
            raise ValueError("resolved is part of received minus referred")

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied


def response_rate(c: TicketCounts) -> Rate:
    return Rate(c.responded, c.received)


def resolution_rate(c: TicketCounts) -> Rate:
    return Rate(c.resolved, c.received - c.referred)


def satisfaction_rate(c: TicketCounts) -> Rate:
    return Rate(c.satisfied + c.basically_satisfied, c.rated)
