from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.register import import_register
from core.register_file import parse_register
from storage.models import Estate
from tests.helpers import make_estate

NOW = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)

# Eight persons, worked by hand:
#   O1 120.00 + shop 80.00 = 200.00 (one person, two premises)
#   O2 co-owners 乙、丙 100.00
#   O3 100.00, O4 100.00, O5 (surveyed) 150.00, O6 (contract) 50.00
#   DEV: unsold 3-1-101 100.00 + O9's undelivered 3-1-201 100.00 = 200.00 (one person)
#   O7 100.00
# Total area 1000.00, persons 8.
REGISTER = """estate,building,unit,room,use,area_registered,area_surveyed,area_contract,owner_id,owner_name,owner_kind,delivered,phone
V1,1,1,101,residential,120.00,121.00,,O1,甲,person,yes,
V1,1,,S-1,commercial,80.00,,,O1,甲,person,yes,
V1,1,1,102,residential,100.00,,,O2,乙、丙,person,yes,
V1,1,2,101,residential,100.00,,,O3,丁,person,yes,
V1,2,1,101,residential,100.00,,,O4,戊,person,yes,
V1,2,1,102,residential,,150.00,151.00,O5,己,person,yes,
V1,2,2,101,residential,,,50.00,O6,庚,person,yes,
V1,2,2,102,residential,100.00,,,O7,辛,person,yes,
V1,3,1,101,residential,100.00,,,DEV,某置业,developer,yes,
V1,3,1,201,residential,100.00,,,O9,壬,person,no,
"""
TOTAL_AREA = Decimal("1000.00")


async def estate_with_register(s: AsyncSession, committee: bool = True) -> Estate:
    estate = await make_estate(s, "V1", name="表决小区")
    estate.committee_formed = committee
    await import_register(s, "V1", parse_register(REGISTER.encode(), "register.csv"))
    return estate
