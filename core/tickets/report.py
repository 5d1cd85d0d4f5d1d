"""Monthly statistics of a street (product.md §3 "Statistics"): per estate, department and category,
响应率 / 解决率 / 满意率 (stats.py) and overdue tickets; and the ranking of property companies
(the seeds' 红灰榜: "对考核排名靠前及排名落后的物业服务企业分别以红榜、灰榜方式定期公示").

Counted from what erasure keeps (statuses, times, ratings, places), never from names.

Per ticket (`TicketFacts`):
- responded: accepted or referred no later than its first deadline (`first_due`);
- resolved: answered, and either closed without a rating or rated 满意 / 基本满意;
- overdue: still running past its current deadline, or answered after its deadline.
Merged tickets are not counted at all: the problem is counted once, in the ticket it joined.

The ranking: a company's score is the mean of its available rates; fewer than `min_received`
tickets in the month means no score (too few to judge). With n companies scored, the top n//3
form the red list and the bottom n//3 the grey list (one each when n is 2; none when n is 1).
Ties are broken by fewer overdue tickets, then more tickets handled, then name.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets import catalog
from core.tickets.lifecycle import TicketStatus
from core.tickets.rating import Rating
from core.tickets.sla import ESTATE_ZONE, Deadlines, current_due
from core.tickets.stats import Rate, TicketCounts, resolution_rate, response_rate, satisfaction_rate
from storage.models import Community, Department, Estate, PropertyCompany, StreetOffice
from storage.models.tickets import Ticket

S = TicketStatus
NO_DEPARTMENT = "（无需部门）"


@dataclass(frozen=True)
class TicketFacts:
    status: TicketStatus
    first_due: datetime
    answer_due: datetime
    response_due: datetime | None = None
    responded_at: datetime | None = None
    answered_at: datetime | None = None
    rating: Rating | None = None


def responded(f: TicketFacts) -> bool:
    return f.responded_at is not None and f.responded_at <= f.first_due


def resolved(f: TicketFacts) -> bool:
    if f.answered_at is None:
        return False
    if f.rating is None:
        return f.status is S.CLOSED
    return f.rating in (Rating.SATISFIED, Rating.BASICALLY_SATISFIED)


def was_overdue(f: TicketFacts, now: datetime) -> bool:
    due = current_due(Deadlines(answer_due=f.answer_due, response_due=f.response_due), f.status)
    if due is not None:
        return now > due
    return f.answered_at is not None and f.answered_at > f.answer_due


@dataclass(frozen=True)
class SliceStats:
    key: str
    name: str
    counts: TicketCounts
    overdue: int

    @property
    def response(self) -> Rate:
        return response_rate(self.counts)

    @property
    def resolution(self) -> Rate:
        return resolution_rate(self.counts)

    @property
    def satisfaction(self) -> Rate:
        return satisfaction_rate(self.counts)


def slice_stats(key: str, name: str, facts: Iterable[TicketFacts], now: datetime) -> SliceStats:
    counted = [f for f in facts if f.status is not S.MERGED]
    ratings = [f.rating for f in counted]
    counts = TicketCounts(
        received=len(counted), responded=sum(responded(f) for f in counted),
        referred=sum(f.status is S.REFERRED for f in counted), resolved=sum(resolved(f) for f in counted),
        satisfied=ratings.count(Rating.SATISFIED), basically_satisfied=ratings.count(Rating.BASICALLY_SATISFIED),
        unsatisfied=ratings.count(Rating.UNSATISFIED))
    return SliceStats(key, name, counts, sum(was_overdue(f, now) for f in counted))


@dataclass(frozen=True)
class CompanyRank:
    stats: SliceStats
    score: Fraction | None
    rank: int | None
    board: str  # "red", "grey" or ""

    @property
    def board_zh(self) -> str:
        return {"red": "红榜", "grey": "灰榜"}.get(self.board, "")


def score(s: SliceStats, min_received: int = 1) -> Fraction | None:
    if s.counts.received < min_received:
        return None
    rates = [r.fraction for r in (s.response, s.resolution, s.satisfaction) if r.fraction is not None]
    return sum(rates, Fraction(0)) / len(rates) if rates else None


def rank_companies(companies: Iterable[SliceStats], min_received: int = 1) -> list[CompanyRank]:
    scored = [(s, score(s, min_received)) for s in companies]
    ranked = sorted([(s, sc) for s, sc in scored if sc is not None],
                    key=lambda p: (-p[1], p[0].overdue, -p[0].counts.received, p[0].name))
    n = len(ranked)
    k = n // 3 if n >= 3 else (1 if n == 2 else 0)
    out = [CompanyRank(s, sc, i + 1, "red" if i < k else "grey" if i >= n - k else "")
           for i, (s, sc) in enumerate(ranked)]
    out += [CompanyRank(s, None, None, "") for s, sc in scored if sc is None]
    return out


@dataclass(frozen=True)
class MonthlyReport:
    street_code: str
    street_name: str
    month: str  # YYYY-MM
    total: SliceStats
    by_estate: list[SliceStats] = field(default_factory=list)
    by_department: list[SliceStats] = field(default_factory=list)
    by_category: list[SliceStats] = field(default_factory=list)
    ranking: list[CompanyRank] = field(default_factory=list)


class ReportError(ValueError):
    pass


def month_bounds(month: str, zone: ZoneInfo = ESTATE_ZONE) -> tuple[datetime, datetime]:
    """'2026-11' -> [Nov 1 00:00, Dec 1 00:00) local time."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start = date(year, mon, 1)
    except ValueError:
        raise ReportError(f"月份格式应为 YYYY-MM：{month}") from None
    end = date(year + mon // 12, mon % 12 + 1, 1)
    return datetime.combine(start, time(), zone), datetime.combine(end, time(), zone)


def facts_of(t: Ticket) -> TicketFacts:
    return TicketFacts(status=S(t.status), first_due=t.first_due, answer_due=t.answer_due,
                       response_due=t.response_due, responded_at=t.responded_at, answered_at=t.answered_at,
                       rating=Rating(t.rating) if t.rating else None)


def _group(tickets: list[Ticket], key: Callable[[Ticket], str], name: Callable[[str], str],
           now: datetime) -> list[SliceStats]:
    groups: dict[str, list[TicketFacts]] = defaultdict(list)
    for t in tickets:
        groups[key(t)].append(facts_of(t))
    rows = [slice_stats(k, name(k), fs, now) for k, fs in groups.items()]
    return sorted(rows, key=lambda r: (-r.counts.received, r.key))


async def monthly_report(session: AsyncSession, street_code: str, month: str, now: datetime,
                         min_received: int = 1) -> MonthlyReport:
    office = await session.scalar(select(StreetOffice).where(StreetOffice.code == street_code))
    if office is None:
        raise ReportError(f"街道编号 {street_code} 不存在")
    start, end = month_bounds(month)
    tickets = list(await session.scalars(select(Ticket).where(
        Ticket.street_office_id == office.id, Ticket.created_at >= start, Ticket.created_at < end)))
    estates = {e.id: e for e in await session.scalars(
        select(Estate).where(Estate.id.in_({t.estate_id for t in tickets})))}
    departments = {d.code: d.name for d in await session.scalars(
        select(Department).where(Department.street_office_id == office.id))}
    companies = {c.id: c.name for c in await session.scalars(select(PropertyCompany))}
    total = slice_stats(office.code, office.name, [facts_of(t) for t in tickets], now)
    by_estate = _group(tickets, lambda t: str(t.estate_id), lambda k: estates[int(k)].name, now)
    by_department = _group(tickets, lambda t: t.department or "", lambda k: departments.get(
        k, catalog.department_kind_name(k) or k) if k else NO_DEPARTMENT, now)
    by_category = _group(tickets, lambda t: t.category, catalog.category_name, now)
    # The company's record: property matters of its estates (what it answers for), every month's
    # tickets of the street; estates without a company are not ranked.
    managed = [t for t in tickets if t.property_company_id is not None and t.matter_level == "property"]
    per_company = _group(managed, lambda t: str(t.property_company_id), lambda k: companies.get(int(k), k), now)
    # A company of the street with no tickets this month still appears, unranked.
    present = {r.key for r in per_company}
    street_companies = set(await session.scalars(
        select(Estate.property_company_id).join(Community, Community.id == Estate.community_id)
        .where(Community.street_office_id == office.id, Estate.property_company_id.is_not(None))))
    for cid in sorted(street_companies - {int(k) for k in present}):
        per_company.append(slice_stats(str(cid), companies.get(cid, str(cid)), [], now))
    return MonthlyReport(office.code, office.name, month, total, by_estate, by_department, by_category,
                         rank_companies(per_company, min_received))

