"""Fees through storage: schedule versions, per-premises facts, bills for a whole estate, payments
(typed or imported all-or-nothing) and statements. The arithmetic is core.fees' rules; this module
only loads their inputs and stores their outputs."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.area import counted_area
from core.fees.billing import bill_for
from core.fees.codec import schedule_from_json, schedule_to_json
from core.fees.money import ZERO, format_yuan, from_fen, is_fen, yuan
from core.fees.payment_file import PaymentFileError, PaymentRow
from core.fees.periods import Period, format_date_zh
from core.fees.plan import BillPlan
from core.fees.schedule import BillingMethod, FeeSchedule, PremisesFacts, ReductionCategory, SharedCost
from core.fees.statement import Charge, Payment, Statement, due_date, statement
from core.register_file import RowProblem
from storage.bulk import copy_rows
from storage.models import Building, Estate, Premises, Residency
from storage.models.base import utcnow
from storage.models.fees import (
    FeeBill,
    FeeDisclosureRecord,
    FeePayment,
    FeeScheduleVersion,
    FeeSharedCost,
    PremisesFeeFacts,
)
from storage.types import hundredths

INSERT_CHUNK = 5000


async def bulk_insert(session: AsyncSession, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows in few statements. Asking for the ids back makes SQLAlchemy batch the rows into
    multi-row INSERTs ("insertmanyvalues") on both databases; a plain executemany would send one
    statement per row to PostgreSQL."""
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(table), rows[start:start + INSERT_CHUNK])


class FeeError(ValueError):
    """A refusal with a Chinese message for the staff or owner who asked."""


def estate_zone(estate: Estate) -> ZoneInfo:
    return ZoneInfo(estate.timezone or "Asia/Shanghai")


def local_day(estate: Estate, now: datetime) -> date:
    return now.astimezone(estate_zone(estate)).date()


def address(building: str, unit: str | None, room: str) -> str:
    """"3号楼2单元501": how a premises is named to its owner (never in a group)."""
    return f"{building}号楼" + (f"{unit}单元" if unit else "") + room


async def estate_by_code(session: AsyncSession, code: str) -> Estate:
    estate = await session.scalar(select(Estate).where(Estate.code == code))
    if estate is None:
        raise FeeError(f"没有编号为 '{code}' 的小区")
    return estate


# -- schedules ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScheduleVersion:
    id: int
    estate_id: int
    effective_from: date
    schedule: FeeSchedule


def _version(row: FeeScheduleVersion) -> ScheduleVersion:
    return ScheduleVersion(row.id, row.estate_id, row.effective_from, schedule_from_json(row.data))


async def set_schedule(session: AsyncSession, estate_id: int, schedule: FeeSchedule, effective_from: date,
                       by_person_id: int | None = None) -> ScheduleVersion:
    """Store a schedule version; one already used by bills cannot be rewritten (set a new date)."""
    row = await session.scalar(select(FeeScheduleVersion).where(
        FeeScheduleVersion.estate_id == estate_id, FeeScheduleVersion.effective_from == effective_from))
    if row is not None:
        if await session.scalar(select(FeeBill.id).where(FeeBill.schedule_id == row.id).limit(1)) is not None:
            raise FeeError(f"{format_date_zh(effective_from)}起执行的收费标准已用于账单，不能修改；"
                           "如需调整，请设定新的执行日期（调价须提前一个月公示）")
        row.data, row.created_by_person_id = schedule_to_json(schedule), by_person_id
    else:
        row = FeeScheduleVersion(estate_id=estate_id, effective_from=effective_from,
                                 data=schedule_to_json(schedule), created_by_person_id=by_person_id)
        session.add(row)
    await session.flush()
    return _version(row)


async def remove_schedule(session: AsyncSession, estate_id: int, effective_from: date) -> None:
    """Withdraw a version no bill uses yet (e.g. a price change set too early to be disclosed)."""
    row = await session.scalar(select(FeeScheduleVersion).where(
        FeeScheduleVersion.estate_id == estate_id, FeeScheduleVersion.effective_from == effective_from))
    if row is None:
        raise FeeError(f"没有{format_date_zh(effective_from)}起执行的收费标准")
    if await session.scalar(select(FeeBill.id).where(FeeBill.schedule_id == row.id).limit(1)) is not None:
        raise FeeError(f"{format_date_zh(effective_from)}起执行的收费标准已用于账单，不能撤销")
    if await session.scalar(select(FeeDisclosureRecord.id).where(FeeDisclosureRecord.schedule_id == row.id)
                            .limit(1)) is not None:
        raise FeeError(f"{format_date_zh(effective_from)}起执行的收费标准已经公示，不能撤销；"
                       "如不再调整，请设定新的收费标准并重新公示")
    await session.delete(row)
    await session.flush()


async def schedule_in_force(session: AsyncSession, estate_id: int, day: date) -> ScheduleVersion | None:
    row = await session.scalar(
        select(FeeScheduleVersion)
        .where(FeeScheduleVersion.estate_id == estate_id, FeeScheduleVersion.effective_from <= day)
        .order_by(FeeScheduleVersion.effective_from.desc()).limit(1))
    return None if row is None else _version(row)


async def latest_schedule(session: AsyncSession, estate_id: int) -> ScheduleVersion | None:
    """The newest version, which may take effect in the future (what a disclosure announces)."""
    row = await session.scalar(
        select(FeeScheduleVersion).where(FeeScheduleVersion.estate_id == estate_id)
        .order_by(FeeScheduleVersion.effective_from.desc()).limit(1))
    return None if row is None else _version(row)


# -- premises facts -------------------------------------------------------------------------------

class _Keep:
    """Leave a field of the facts as it is."""


KEEP = _Keep()


async def set_facts(session: AsyncSession, premises_id: int, *, parking_spaces: int | _Keep = KEEP,
                    reduction: ReductionCategory | None | _Keep = KEEP, flagged: bool | _Keep = KEEP,
                    charging_starts: date | None | _Keep = KEEP) -> PremisesFeeFacts:
    """Change the given facts of one premises (None clears a reduction or a later start)."""
    row = await session.get(PremisesFeeFacts, premises_id)
    if row is None:
        row = PremisesFeeFacts(premises_id=premises_id, parking_spaces=0, reduction_flagged=False)
        session.add(row)
    if not isinstance(parking_spaces, _Keep):
        if parking_spaces < 0:
            raise FeeError("车位数不能为负")
        row.parking_spaces = parking_spaces
    if not isinstance(reduction, _Keep):
        row.reduction = None if reduction is None else ReductionCategory(reduction).value
    if not isinstance(flagged, _Keep):
        row.reduction_flagged = flagged
    if not isinstance(charging_starts, _Keep):
        row.charging_starts = charging_starts
    await session.flush()
    return row


NO_FACTS = PremisesFacts()


def facts_of(row: PremisesFeeFacts | None) -> PremisesFacts:
    if row is None:
        return PremisesFacts()
    return PremisesFacts(parking_spaces=row.parking_spaces,
                         reduction=ReductionCategory(row.reduction) if row.reduction else None,
                         charging_starts=row.charging_starts)


# -- bills ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GenerationReport:
    period: Period
    created: int
    existing: int      # premises that already had a bill for the period (kept as they are)
    total: Decimal     # sum of the new bills


async def _shared_costs(session: AsyncSession, estate_id: int, period: Period,
                        total_area: Decimal) -> list[SharedCost]:
    rows = await session.scalars(select(FeeSharedCost).where(
        FeeSharedCost.estate_id == estate_id, FeeSharedCost.end >= period.start, FeeSharedCost.end <= period.end))
    return [SharedCost(r.item_code, r.start, r.end, r.amount, total_area, r.description) for r in rows]


async def save_shared_cost(session: AsyncSession, estate_id: int, item_code: str, start: date, end: date,
                           amount: Decimal, description: str = "") -> FeeSharedCost:
    """A shared water or power amount, split by area on the bills of the period in which it ends."""
    version = await schedule_in_force(session, estate_id, end)
    shared = {i.code for i in version.schedule.items if i.method is BillingMethod.SHARED_BY_AREA} if version else set()
    if item_code not in shared:
        raise FeeError(f"收费标准中没有按面积分摊的项目 {item_code}" + (f"（可用：{'、'.join(sorted(shared))}）" if shared else ""))
    if end < start:
        raise FeeError("分摊期间的结束日期早于开始日期")
    assert version is not None
    period = Period.containing(version.schedule.period_kind, end)
    if await session.scalar(select(FeeBill.id).where(FeeBill.estate_id == estate_id,
                                                     FeeBill.period_key == period.key).limit(1)) is not None:
        raise FeeError(f"{period.label()}的账单已经生成，分摊费用须在生成账单之前录入")
    row = FeeSharedCost(estate_id=estate_id, item_code=item_code, start=start, end=end,
                        amount=_check_amount(amount), description=description)
    session.add(row)
    await session.flush()
    return row


async def generate_bills(session: AsyncSession, estate_id: int, period: Period) -> GenerationReport:
    """Bills of every premises of the estate for `period`, under the schedule in force at its start.

    Premises already billed for the period keep their bill. The bills come from one BillPlan (what
    does not depend on the premises is worked out once); premises with the same counted area and
    facts share one computed bill (a large estate has few flat types). Rows are written in bulk."""
    version = await schedule_in_force(session, estate_id, period.start)
    if version is None:
        raise FeeError(f"{period.label()}开始时没有生效的收费标准，请先设定收费标准")
    if version.schedule.period_kind is not period.kind:
        raise FeeError(f"收费标准按{version.schedule.period_kind.label_zh}计费，"
                       f"请按{version.schedule.period_kind.label_zh}生成账单（例如 "
                       f"{Period.containing(version.schedule.period_kind, period.start).key}）")
    # One generation per estate at a time: a second one waits here, then finds the first one's bills
    # (SQLite's BEGIN IMMEDIATE already serialises writers; FOR UPDATE does it on PostgreSQL).
    await session.execute(select(Estate.id).where(Estate.id == estate_id).with_for_update())
    premises = (await session.execute(
        select(Premises.id, Premises.area_registered, Premises.area_surveyed, Premises.area_contract)
        .where(Premises.estate_id == estate_id).order_by(Premises.id))).tuples().all()
    existing = set(await session.scalars(select(FeeBill.premises_id).where(
        FeeBill.estate_id == estate_id, FeeBill.period_key == period.key)))
    facts = {r.premises_id: facts_of(r) for r in await session.scalars(
        select(PremisesFeeFacts).join(Premises, Premises.id == PremisesFeeFacts.premises_id)
        .where(Premises.estate_id == estate_id))}
    areas = {pid: counted_area(reg, sur, con) for pid, reg, sur, con in premises}
    bad = [pid for pid, area in areas.items() if area <= 0]
    if bad:
        raise FeeError(f"{'、'.join(await _addresses(session, bad[:5]))}等{len(bad)}个专有部分的面积不大于0，"
                       f"请先更正登记簿；{period.label()}的账单未生成")
    shared = await _shared_costs(session, estate_id, period, sum(areas.values(), ZERO))
    plan = BillPlan(version.schedule, period, shared)

    # (area, facts) → (total fen, subsidy fen, stored area, lines as JSON text)
    cache: dict[tuple[Decimal, PremisesFacts], tuple[int, int, int, str]] = {}
    total = [0]

    def rows() -> Iterator[tuple[Any, ...]]:
        # Made while they are written: PostgreSQL stores the first rows while the next are computed.
        for pid, area in areas.items():
            if pid in existing:
                continue
            key = (area, facts.get(pid, NO_FACTS))
            hit = cache.get(key)
            if hit is None:
                f = plan.figures(area, key[1])
                hit = cache[key] = (f.total, f.subsidy, hundredths(area), f.lines_json)
            total[0] += hit[0]
            yield (pid, *hit)

    created = await copy_rows(
        session, FeeBill.__table__, ("premises_id", "total", "subsidy", "area", "lines"), rows(),
        {"estate_id": estate_id, "period_key": period.key, "due_date": due_date(period, version.schedule),
         "schedule_id": version.id, "created_at": utcnow()})
    return GenerationReport(period, created, len(existing), from_fen(total[0]))


async def _addresses(session: AsyncSession, premises_ids: Sequence[int]) -> list[str]:
    rows = await session.execute(select(Building.number, Premises.unit_key, Premises.room)
                                 .join(Building, Building.id == Premises.building_id)
                                 .where(Premises.id.in_(premises_ids)).order_by(Premises.id))
    return [address(b, u or None, r) for b, u, r in rows.tuples()]


async def bill_of(session: AsyncSession, premises_id: int, period: Period) -> FeeBill | None:
    return await session.scalar(select(FeeBill).where(FeeBill.premises_id == premises_id,
                                                      FeeBill.period_key == period.key))


@dataclass(frozen=True)
class PeriodBill:
    period: Period
    lines: list[tuple[str, str]]   # (item name, its arithmetic)
    total: Decimal
    due: date
    estimated: bool                # not billed yet: computed now under the schedule in force


async def current_bill(session: AsyncSession, estate_id: int, premises_id: int, area: Decimal,
                       day: date) -> PeriodBill | None:
    """The bill of the period containing `day`: the stored one, else what the schedule gives
    (shared costs are only known when the bill is generated). None without a schedule."""
    version = await schedule_in_force(session, estate_id, day)
    if version is None:
        return None
    period = Period.containing(version.schedule.period_kind, day)
    row = await bill_of(session, premises_id, period)
    if row is not None:
        return PeriodBill(period, [(ln["name"], ln["explanation"]) for ln in row.lines], row.total, row.due_date,
                          False)
    facts = facts_of(await session.get(PremisesFeeFacts, premises_id))
    bill = bill_for(area, facts, version.schedule, period)
    return PeriodBill(period, [(ln.item_name, ln.explanation) for ln in bill.lines], bill.total,
                      due_date(period, version.schedule), True)


# -- payments -------------------------------------------------------------------------------------

def _check_amount(amount: Decimal) -> Decimal:
    a = yuan(amount)
    if a <= 0 or not is_fen(a):
        raise FeeError(f"缴费金额须大于0且最多两位小数：{amount}")
    return a.quantize(Decimal("0.01"))


async def record_payment(session: AsyncSession, estate: Estate, premises_id: int, amount: Decimal,
                         paid_at: datetime, *, period: Period | None = None, reference: str | None = None,
                         source: str = "manual", by_person_id: int | None = None) -> FeePayment:
    """One payment typed by staff; a reference already recorded for the estate is refused."""
    amt = _check_amount(amount)
    if paid_at.tzinfo is None:
        raise FeeError("缴费时间须带时区")
    if reference and await session.scalar(select(FeePayment.id).where(
            FeePayment.estate_id == estate.id, FeePayment.reference == reference)) is not None:
        raise FeeError(f"流水号 {reference} 已经登记过，未重复记录")
    row = FeePayment(estate_id=estate.id, premises_id=premises_id, amount=amt, paid_at=paid_at,
                     paid_on=local_day(estate, paid_at), period_key=period.key if period else None,
                     reference=reference or None, source=source, recorded_by_person_id=by_person_id)
    session.add(row)
    await session.flush()
    return row


@dataclass(frozen=True)
class PaymentImport:
    count: int
    total: Decimal


async def premises_index(session: AsyncSession, estate_id: int) -> dict[tuple[str, str, str], int]:
    """(building, unit or "", room) → premises id, for matching rows of files."""
    rows = await session.execute(
        select(Building.number, Premises.unit_key, Premises.room, Premises.id)
        .join(Building, Building.id == Premises.building_id).where(Premises.estate_id == estate_id))
    return {(b, u, r): pid for b, u, r, pid in rows.tuples()}


async def import_payments(session: AsyncSession, estate: Estate, rows: Sequence[PaymentRow], source: str,
                          by_person_id: int | None = None) -> PaymentImport:
    """Write parsed payment rows; every problem (another estate, unknown room, a reference already
    imported) raises PaymentFileError with its row number and nothing is written."""
    index = await premises_index(session, estate.id)
    refs = [r.reference for r in rows]
    known: set[str] = set()
    for start in range(0, len(refs), 1000):
        known.update(await session.scalars(select(FeePayment.reference).where(
            FeePayment.estate_id == estate.id, FeePayment.reference.in_(refs[start:start + 1000]))))
    problems: list[RowProblem] = []
    resolved: list[tuple[PaymentRow, int]] = []
    for r in rows:
        pid = index.get((r.building, r.unit or "", r.room))
        if r.estate != estate.code:
            problems.append(RowProblem(source, r.row_number, "小区", f"小区编号 '{r.estate}' 与导入的小区 '{estate.code}' 不一致"))
        elif pid is None:
            problems.append(RowProblem(source, r.row_number, "房号", f"{estate.name}没有 {r.address}"))
        elif r.reference in known:
            problems.append(RowProblem(source, r.row_number, "流水号", f"流水号 {r.reference} 已经导入过"))
        else:
            resolved.append((r, pid))
    if problems:
        raise PaymentFileError(problems)
    values = [{"estate_id": estate.id, "premises_id": pid, "amount": r.amount, "paid_at": r.paid_at,
               "paid_on": local_day(estate, r.paid_at), "period_key": r.period.key if r.period else None,
               "reference": r.reference, "source": "import", "recorded_by_person_id": by_person_id}
              for r, pid in resolved]
    await bulk_insert(session, FeePayment.__table__, values)
    return PaymentImport(len(values), sum((r.amount for r in rows), ZERO))


# -- statements -----------------------------------------------------------------------------------

async def statements(session: AsyncSession, premises_ids: Iterable[int], as_of: date) -> dict[int, Statement]:
    """Balance and arrears of each premises as of a day (premises without bills get an empty one)."""
    ids = sorted(set(premises_ids))
    charges: dict[int, list[Charge]] = defaultdict(list)
    payments: dict[int, list[Payment]] = defaultdict(list)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for pid, key, total, due in (await session.execute(
                select(FeeBill.premises_id, FeeBill.period_key, FeeBill.total, FeeBill.due_date)
                .where(FeeBill.premises_id.in_(chunk)))).tuples():
            charges[pid].append(Charge(Period.parse(key), total, due))
        for pid, amount, paid_on, key in (await session.execute(
                select(FeePayment.premises_id, FeePayment.amount, FeePayment.paid_on, FeePayment.period_key)
                .where(FeePayment.premises_id.in_(chunk)))).tuples():
            payments[pid].append(Payment(amount, paid_on, Period.parse(key) if key else None))
    return {pid: statement(charges[pid], payments[pid], as_of) for pid in ids}


async def estate_statements(session: AsyncSession, estate_id: int, as_of: date) -> dict[int, Statement]:
    """Every premises' statement, loaded with two queries for the whole estate."""
    charges: dict[int, list[Charge]] = defaultdict(list)
    payments: dict[int, list[Payment]] = defaultdict(list)
    for pid, key, total, due in (await session.execute(
            select(FeeBill.premises_id, FeeBill.period_key, FeeBill.total, FeeBill.due_date)
            .where(FeeBill.estate_id == estate_id))).tuples():
        charges[pid].append(Charge(Period.parse(key), total, due))
    for pid, amount, paid_on, key in (await session.execute(
            select(FeePayment.premises_id, FeePayment.amount, FeePayment.paid_on, FeePayment.period_key)
            .where(FeePayment.estate_id == estate_id))).tuples():
        payments[pid].append(Payment(amount, paid_on, Period.parse(key) if key else None))
    return {pid: statement(charges[pid], payments[pid], as_of) for pid in charges.keys() | payments.keys()}


async def payment_history(session: AsyncSession, premises_id: int, limit: int = 10) -> list[FeePayment]:
    return list(await session.scalars(select(FeePayment).where(FeePayment.premises_id == premises_id)
                                      .order_by(FeePayment.paid_at.desc()).limit(limit)))


# -- an owner's premises --------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnedPremises:
    id: int
    estate: Estate
    address: str
    area: Decimal


async def owned_premises(session: AsyncSession, person_id: int) -> list[OwnedPremises]:
    """The premises this person is the verified owner of: all an owner may see fees of."""
    rows = await session.execute(
        select(Premises, Building.number, Estate)
        .join(Residency, Residency.premises_id == Premises.id)
        .join(Building, Building.id == Premises.building_id).join(Estate, Estate.id == Premises.estate_id)
        .where(Residency.person_id == person_id, Residency.relation == "owner").order_by(Premises.id))
    return [OwnedPremises(p.id, e, address(b, p.unit_key or None, p.room),
                          counted_area(p.area_registered, p.area_surveyed, p.area_contract))
            for p, b, e in rows.tuples()]


def describe_outstanding(st: Statement) -> list[str]:
    """"2026年9月 321.73元（已逾期）" for each period with something unpaid, oldest first."""
    return [f"{p.period.label()} {format_yuan(p.outstanding)}" + ("（已逾期）" if p.overdue else "")
            for p in st.outstanding]
