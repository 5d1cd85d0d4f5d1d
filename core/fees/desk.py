"""What the property office's desk asks of the fee ledger beyond the CLI's questions: schedule
versions, balances of every premises (filtered and paged), one premises' account, the reminder
preview summed up by reason, and what reminders were recorded.

Only queries and parsing of what staff type; the rules stay in core.fees and the writes in
core.fees.ledger / core.fees.service.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from core.area import counted_area
from core.fees.codec import schedule_from_json
from core.fees.ledger import (
    FeeError,
    ScheduleVersion,
    address,
    estate_statements,
    payment_history,
    premises_index,
    statements,
)
from core.fees.money import ZERO
from core.fees.periods import Period
from core.fees.service import Candidate, preview
from core.fees.statement import Statement
from storage.models import Building, Estate, Owner, Premises
from storage.models.fees import FeeBill, FeePayment, FeeReminder, FeeScheduleVersion

PER_PAGE = 50
_PERIOD_KEY = re.compile(r"\d{4}(-(0[1-9]|1[0-2]|[Qq][1-4]|[Hh][12]))?")


def parse_period(text: str) -> Period:
    """"2026-11", "2026-Q4", "2026-H2" or "2026" as typed in a form; FeeError otherwise."""
    t = text.strip()
    if not _PERIOD_KEY.fullmatch(t):
        raise FeeError(f"期间应写成 2026-11、2026-Q4、2026-H2 或 2026，而不是「{t}」")
    return Period.parse(t)


def parse_room(text: str) -> tuple[str, str, str]:
    """"3-2-501" → ("3", "2", "501"); "S--S-3" for a premises without a unit."""
    parts = text.strip().split("-", 2)
    if len(parts) != 3 or not parts[0] or not parts[2]:
        raise FeeError("房号写成 楼栋-单元-房号，例如 3-2-501；没有单元时写 S--S-3")
    return parts[0], parts[1], parts[2]


async def premises_by_room(session: AsyncSession, estate: Estate, text: str) -> int:
    b, u, r = parse_room(text)
    pid = (await premises_index(session, estate.id)).get((b, u, r))
    if pid is None:
        raise FeeError(f"{estate.name}没有这个房屋：{text.strip()}")
    return pid


def room_text(building: str, unit: str | None, room: str) -> str:
    """The inverse of parse_room, to prefill forms."""
    return f"{building}-{unit or ''}-{room}"


def building_order(number: str) -> tuple[int, str]:
    """Buildings 1, 2, … 10 in numeric order, lettered ones (S: shops) after them."""
    return (int(number), "") if number.isdigit() else (10 ** 6, number)


# -- schedules ----------------------------------------------------------------------------------------

async def schedule_versions(session: AsyncSession, estate_id: int) -> list[ScheduleVersion]:
    """Every version of the estate's schedule, newest first."""
    rows = await session.scalars(select(FeeScheduleVersion).where(FeeScheduleVersion.estate_id == estate_id)
                                 .order_by(FeeScheduleVersion.effective_from.desc()))
    return [ScheduleVersion(r.id, r.estate_id, r.effective_from, schedule_from_json(r.data)) for r in rows]


async def schedule_version(session: AsyncSession, estate_id: int, version_id: int) -> ScheduleVersion | None:
    """One version, only if it belongs to this estate."""
    row = await session.get(FeeScheduleVersion, version_id)
    if row is None or row.estate_id != estate_id:
        return None
    return ScheduleVersion(row.id, row.estate_id, row.effective_from, schedule_from_json(row.data))


# -- balances ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BalanceRow:
    premises_id: int
    building: str
    room: str             # "3-2-501", as the payment form takes it
    address: str
    billed: Decimal
    paid: Decimal
    balance: Decimal      # positive: owes; negative: credit
    arrears: Decimal      # overdue and unpaid
    arrears_periods: tuple[Period, ...]


@dataclass(frozen=True)
class BalancePage:
    rows: list[BalanceRow]
    matching: int                 # premises that pass the filter
    arrears_total: Decimal | None  # over all matching premises when only arrears are asked for
    page: int
    pages: int
    buildings: list[str]          # every building of the estate, for the filter


def _row(pid: int, building: str, unit: str, room: str, st: Statement | None) -> BalanceRow:
    st = st or Statement(date.min, (), ZERO)
    return BalanceRow(pid, building, room_text(building, unit, room), address(building, unit or None, room),
                      st.billed, st.paid, st.balance, st.arrears_total, tuple(p.period for p in st.arrears))


def _window(count: int, page: int, per_page: int) -> tuple[int, int, int]:
    pages = max(1, -(-count // per_page))
    page = min(max(1, page), pages)
    return page, pages, (page - 1) * per_page


async def balances(session: AsyncSession, estate: Estate, today: date, *, building: str | None = None,
                   arrears_only: bool = False, page: int = 1, per_page: int = PER_PAGE) -> BalancePage:
    """Bills and payments summed per premises as of `today`, ordered by building, unit and room.

    Without the arrears filter only the page's premises get statements, so a page of a large estate
    costs its 50 rows; the arrears filter needs every statement (and so gives their total)."""
    places = (await session.execute(
        select(Premises.id, Building.number, Premises.unit_key, Premises.room)
        .join(Building, Building.id == Premises.building_id).where(Premises.estate_id == estate.id))).tuples().all()
    buildings = sorted({b for _, b, _, _ in places}, key=building_order)
    chosen = sorted((p for p in places if building in (None, "", p[1])),
                    key=lambda p: (building_order(p[1]), p[2], p[3]))
    if not arrears_only:
        page, pages, first = _window(len(chosen), page, per_page)
        shown = chosen[first:first + per_page]
        stmts = await statements(session, [p[0] for p in shown], today)
        return BalancePage([_row(*p, stmts.get(p[0])) for p in shown], len(chosen), None, page, pages, buildings)
    everything = await estate_statements(session, estate.id, today)
    rows = [_row(*p, everything.get(p[0])) for p in chosen if p[0] in everything]
    rows = [r for r in rows if r.arrears > 0]
    page, pages, first = _window(len(rows), page, per_page)
    return BalancePage(rows[first:first + per_page], len(rows), sum((r.arrears for r in rows), ZERO), page, pages,
                       buildings)


@dataclass(frozen=True)
class PremisesAccount:
    premises_id: int
    room: str
    address: str
    owner_name: str
    area: Decimal
    statement: Statement
    payments: list[FeePayment]


async def premises_account(session: AsyncSession, estate: Estate, premises_id: int,
                           today: date) -> PremisesAccount | None:
    """One premises' periods and latest payments; None unless it is in this estate."""
    found = (await session.execute(
        select(Premises, Building.number, Owner.name).join(Building, Building.id == Premises.building_id)
        .outerjoin(Owner, Owner.id == Premises.owner_id)
        .where(Premises.id == premises_id, Premises.estate_id == estate.id))).tuples().first()
    if found is None:
        return None
    p, b, owner = found
    st = (await statements(session, [p.id], today))[p.id]
    return PremisesAccount(p.id, room_text(b, p.unit_key, p.room), address(b, p.unit_key or None, p.room),
                           owner or "", counted_area(p.area_registered, p.area_surveyed, p.area_contract), st,
                           await payment_history(session, p.id, 20))


# -- reminders ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReminderPreview:
    candidates: list[Candidate]   # every premises in arrears, with the decision now
    settled: int                  # billed premises with nothing overdue: never reminded
    will_send: int
    held_back: list[tuple[str, int]]   # (reason in Chinese, households), most frequent first


async def reminder_preview(session: AsyncSession, estate: Estate, now: datetime) -> ReminderPreview:
    """core.fees.service.preview, plus how many households it leaves out because nothing is overdue."""
    candidates = await preview(session, estate, now)
    # Every premises with a bill or a payment has a statement; those not in arrears are settled. Bills
    # exist only under a schedule, so when preview() finds none there is nothing to settle either.
    with_account = union(select(FeeBill.premises_id).where(FeeBill.estate_id == estate.id),
                         select(FeePayment.premises_id).where(FeePayment.estate_id == estate.id)).subquery()
    settled = int(await session.scalar(select(func.count()).select_from(with_account)) or 0) - len(candidates)
    reasons = Counter(c.reason_zh for c in candidates if not c.will_send)
    return ReminderPreview(candidates, settled, sum(1 for c in candidates if c.will_send),
                           reasons.most_common())


@dataclass(frozen=True)
class SentRecord:
    sent_at: datetime
    address: str
    amount: Decimal
    periods: list[str]
    recipients: int


async def recent_reminders(session: AsyncSession, estate_id: int, limit: int = 20) -> list[SentRecord]:
    """The reminders recorded for the estate, newest first (what the job and the desk sent)."""
    rows = (await session.execute(
        select(FeeReminder, Building.number, Premises.unit_key, Premises.room)
        .join(Premises, Premises.id == FeeReminder.premises_id).join(Building, Building.id == Premises.building_id)
        .where(FeeReminder.estate_id == estate_id)
        .order_by(FeeReminder.sent_at.desc(), FeeReminder.id.desc()).limit(limit))).tuples().all()
    return [SentRecord(r.sent_at, address(b, u or None, room), r.amount,
                       [Period.parse(k).label() for k in (r.periods or [])], r.recipients)
            for r, b, u, room in rows]
