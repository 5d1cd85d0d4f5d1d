"""A small estate with a register, a monthly fee schedule and chat identities, for the fees tests.

Worked by hand for October 2026 (31 days, a whole month at 1.20元/㎡·月):
  1-1-101 100.00㎡, one parking space: 120.00 + 150.00 = 270.00
  1-1-102  89.37㎡, 低保 50% off the property fee: 107.244 → 107.24, − 53.62 = 53.62
  1-2-101 120.50㎡: 144.60
  2-1-101 100.00㎡: 120.00
  S-1      50.00㎡ shop (building 2, no unit): 60.00
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.fees.codec import schedule_from_json
from core.fees.ledger import premises_index, set_facts, set_schedule
from core.fees.schedule import ReductionCategory
from core.register import import_register
from core.register_file import parse_register
from core.roles import Role
from core.verification import approve_by_staff
from storage.models import Estate
from storage.repositories.people import PeopleRepository
from tests.helpers import make_estate

TZ = ZoneInfo("Asia/Shanghai")
# Tuesday 10 November 2026, 10:00 in the estate: October is overdue, November is not yet due.
NOW = datetime(2026, 11, 10, 10, 0, tzinfo=TZ).astimezone(timezone.utc)

REGISTER = """estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,owner_name,owner_kind,delivered,phone
F1,1,1,101,residential,100.00,,,A,甲,person,yes,
F1,1,1,102,residential,89.37,,,B,乙,person,yes,
F1,1,2,101,residential,120.50,,,C,丙,person,yes,
F1,2,1,101,residential,100.00,,,D,丁,person,yes,
F1,2,,S-1,commercial,50.00,,,E,戊,person,yes,
"""

SCHEDULE = {
    "period": "month", "payment_due_days": 30,
    "items": [
        {"code": "WY", "name": "物业服务费", "method": "per_area_month", "rate": "1.20",
         "charging_starts": "2020-01-01",
         "price_form": {"kind": "government_guided", "base": "1.20", "float_percent": "10"}},
        {"code": "CW", "name": "停车费", "method": "per_parking_space_month", "rate": "150.00",
         "charging_starts": "2020-01-01"},
        {"code": "GG", "name": "公共水电分摊", "method": "shared_by_area", "charging_starts": "2020-01-01"},
    ],
    "reductions": [{"category": "dibao", "percent": "50", "items": ["WY"]}],
}

DISCLOSURE = {
    "charged_party": "全体业主", "service_content": "保洁、秩序维护、设施维护", "service_standard": "二级",
    "legal_basis": "《物业服务收费管理办法》", "repair_reporting": "物业服务中心 0471-1234567",
    "service_staff": [{"role": "项目经理", "name": "王某", "phone": "0471-1234567"}],
    "shared_utilities_method": "公共用电按建筑面积分摊",
}


async def fee_estate(s: AsyncSession, code: str = "F1") -> tuple[Estate, dict[str, int]]:
    """The estate, its register, the schedule from 2020 and the facts above; premises ids by "1-1-101"."""
    estate = await make_estate(s, code, name="和园小区")
    await import_register(s, code, parse_register(REGISTER.replace("F1,", f"{code},").encode(), "r.csv"))
    await set_schedule(s, estate.id, schedule_from_json(SCHEDULE), date(2020, 1, 1))
    ids = {f"{b}-{u}-{r}": pid for (b, u, r), pid in (await premises_index(s, estate.id)).items()}
    await set_facts(s, ids["1-1-101"], parking_spaces=1)
    await set_facts(s, ids["1-1-102"], reduction=ReductionCategory.DIBAO)
    return estate, ids


async def person(s: AsyncSession, name: str, channel: str = "console", language: str = "zh") -> int:
    """A person with one chat account whose external id is `name` (as ChatStub's sender)."""
    people = PeopleRepository(s)
    p = await people.add_person(name)
    p.language = language
    await people.add_identity(p, channel, name, f"private-{name}")
    return p.id


async def owner_of(s: AsyncSession, name: str, premises_id: int, language: str = "zh") -> int:
    pid = await person(s, name, language=language)
    await approve_by_staff(s, pid, premises_id, NOW)
    return pid


async def staff(s: AsyncSession, name: str, role: Role, estate_id: int) -> int:
    pid = await person(s, name)
    await PeopleRepository(s).grant(pid, role.value, "estate", estate_id)
    return pid
