"""Fees of the demo estate 阳光花园: a monthly schedule, bills for the current month and the two
before it, payments for most of them (so some households are in arrears), a 低保 and a 特困
household, a complete disclosure draft for the committee to publish, and one notice.

Deterministic like core/demo.py. Of the premises whose binding codes the demo prints, 1号楼1单元101
owes its oldest month, 1号楼1单元102 has no arrears and 3号楼2单元502 owes two months and is flagged
as possibly eligible for a reduction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.fees.codec import schedule_from_json
from core.fees.ledger import estate_zone, generate_bills, premises_index, save_shared_cost, set_facts, set_schedule
from core.fees.periods import Period, PeriodKind
from core.fees.publishing import save_draft
from core.fees.schedule import ReductionCategory
from core.notices import Audience, publish_notice
from core.roles import Role
from storage.models import Estate
from storage.models.fees import FeeBill, FeePayment, FeeScheduleVersion

SCHEDULE = {
    "period": "month", "payment_due_days": 30, "subsidy_mode": "paid_to_company",
    "items": [
        {"code": "WY", "name": "物业服务费", "method": "per_area_month", "rate": "1.20",
         "charging_starts": "2020-01-01",
         "price_form": {"kind": "government_guided", "base": "1.20", "float_percent": "10"},
         "service_content": "公共区域保洁、秩序维护、共用设施设备日常维护、绿化养护"},
        {"code": "CW", "name": "停车费", "method": "per_parking_space_month", "rate": "150.00",
         "charging_starts": "2020-01-01"},
        {"code": "GG", "name": "公共水电分摊", "method": "shared_by_area", "charging_starts": "2020-01-01"},
    ],
    "reductions": [{"category": "dibao", "percent": "50", "items": ["WY"]},
                   {"category": "tekun", "percent": "100", "items": ["WY", "GG"]}],
}

DISCLOSURE = {
    "charged_party": "阳光花园全体业主（已交付房屋；未售及未交付房屋由建设单位缴纳）",
    "service_content": "公共区域保洁、秩序维护、共用设施设备日常维护、绿化养护、二次供水设施管理",
    "service_standard": "《住宅物业服务等级规范》二级；合同约定的服务标准见物业服务中心公示栏",
    "legal_basis": "《物业服务收费管理办法》；《物业服务收费明码标价规定》；示范区物业服务收费指导价文件；物业服务合同",
    "repair_reporting": "物业服务中心 0471-6612345（24小时）；或在邻里对话中直接报修",
    "service_staff": [{"role": "项目经理", "name": "刘建华", "phone": "0471-6612345"},
                      {"role": "客服", "name": "赵磊", "phone": "0471-6612346"},
                      {"role": "维修", "name": "钱芳", "phone": "0471-6612347"}],
    "shared_utilities_method": "公共照明、电梯、二次供水用电按月按建筑面积分摊，分摊明细每月在公示栏公布",
    "annual_accounts": [{"year": 2025, "fee_income": "318600.00", "common_parts_income": "24000.00",
                         "other_income": "0", "spending": [["人员工资", "196000.00"], ["公共能耗", "52000.00"],
                                                          ["设施设备维护", "48000.00"], ["绿化保洁耗材", "21000.00"]]}],
}

# Premises (building, unit, room) → months left unpaid, counted back from the oldest billed month.
ARREARS = {("1", "1", "101"): 1, ("3", "2", "502"): 2, ("4", "1", "302"): 2, ("5", "1", "601"): 1,
           ("6", "2", "201"): 2, ("2", "2", "702"): 1, ("S", "", "S-3"): 2}
FACTS = {("1", "1", "101"): {"parking_spaces": 1}, ("1", "2", "401"): {"parking_spaces": 2},
         ("4", "1", "302"): {"reduction": ReductionCategory.DIBAO},
         ("5", "2", "101"): {"reduction": ReductionCategory.TEKUN},
         ("3", "2", "502"): {"flagged": True}}
MONTHLY_POWER = Decimal("3600.00")


@dataclass(frozen=True)
class FeeDemo:
    bills: int
    payments: int
    in_arrears: int


async def seed_fee_demo(session: AsyncSession, estate_id: int, now: datetime) -> FeeDemo:
    """Give the demo estate its fees; does nothing when it already has a schedule."""
    if await session.scalar(select(FeeScheduleVersion.id).where(FeeScheduleVersion.estate_id == estate_id)):
        return FeeDemo(0, 0, 0)
    estate = await session.get(Estate, estate_id)
    assert estate is not None
    zone = estate_zone(estate)
    today = now.astimezone(zone).date()
    await set_schedule(session, estate_id, schedule_from_json(SCHEDULE), date(2020, 1, 1))
    index = await premises_index(session, estate_id)
    for place, facts in FACTS.items():
        await set_facts(session, index[place], **facts)  # type: ignore[arg-type]

    current = Period.containing(PeriodKind.MONTH, today)
    months = [Period.containing(PeriodKind.MONTH, current.start - timedelta(days=1))]
    months.insert(0, Period.containing(PeriodKind.MONTH, months[0].start - timedelta(days=1)))
    months.append(current)
    bills = 0
    for m in months:
        if m is not current:  # the current month's shared power is known only when it ends
            await save_shared_cost(session, estate_id, "GG", m.start, m.end, MONTHLY_POWER,
                                   f"{m.label()}公共区域电费")
        bills += (await generate_bills(session, estate_id, m)).created

    unpaid = {index[place]: n for place, n in ARREARS.items()}
    rows = []
    for m in months:
        for pid, total in (await session.execute(select(FeeBill.premises_id, FeeBill.total).where(
                FeeBill.estate_id == estate_id, FeeBill.period_key == m.key))).tuples():
            skipped = unpaid.get(pid, 0) > months.index(m)
            # The current month is not due yet: about half the households have paid it already.
            early = m is not current or pid % 2 == 0
            paid_on = m.start + timedelta(days=8 + pid % 10)
            if skipped or not early or total <= 0 or paid_on > today:
                continue
            rows.append({"estate_id": estate_id, "premises_id": pid, "amount": total,
                         "paid_at": datetime.combine(paid_on, time(10, 30), zone), "paid_on": paid_on,
                         "period_key": m.key, "reference": f"DEMO-{m.key}-{pid}", "source": "import"})
    if rows:
        await session.execute(insert(FeePayment.__table__), rows)
    await save_draft(session, estate_id, DISCLOSURE, now)
    await publish_notice(session, estate_id, "停水通知",
                         "因二次供水水箱清洗，本周六 9:00—15:00 全小区停水，请提前储水。给您带来不便，敬请谅解。",
                         Audience(), role=Role.PROPERTY_STAFF, by_person_id=None, now=now - timedelta(days=2))
    return FeeDemo(bills, len(rows), len(unpaid))
