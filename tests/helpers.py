"""Small builders shared by tests: places for an estate, written directly through the models."""
from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, District, Estate, PropertyCompany, StreetOffice


async def make_estate(s: AsyncSession, code: str = "T1", name: str = "测试小区",
                      street_code: str | None = None) -> Estate:
    """An estate with its district, street office, community and property company."""
    street_code = street_code or f"S-{code}"
    district = District(code=f"D-{code}", name="测试区")
    s.add(district)
    await s.flush()
    office = StreetOffice(code=street_code, name="测试街道", district_id=district.id)
    s.add(office)
    await s.flush()
    community = Community(code=f"C-{code}", name="测试社区", street_office_id=office.id)
    company = PropertyCompany(code=f"P-{code}", name="测试物业")
    s.add_all([community, company])
    await s.flush()
    estate = Estate(code=code, name=name, community_id=community.id, property_company_id=company.id,
                    settings={})
    s.add(estate)
    await s.flush()
    return estate
