"""Creating the places above the register: district, street office, community, estate."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Community, District, Estate, PropertyCompany, StreetOffice

MANAGEMENT_TYPES = ("market", "basic", "quasi", "self_managed", "none")


class PlaceError(ValueError):
    pass


@dataclass(frozen=True)
class CodeName:
    """`CODE:名称` as typed on the command line; the name is needed only to create."""

    code: str
    name: str | None

    @classmethod
    def parse(cls, text: str) -> CodeName:
        code, _, name = text.partition(":")
        if not code.strip():
            raise PlaceError(f"'{text}' 缺少编号（格式：编号:名称）")
        return cls(code.strip(), name.strip() or None)


async def _get_or_create(session: AsyncSession, model: Any, ref: CodeName, what: str, **fields: Any) -> Any:
    row = await session.scalar(select(model).where(model.code == ref.code))
    if row is not None:
        return row
    if not ref.name:
        raise PlaceError(f"{what} '{ref.code}' 不存在；新建时请写成 {ref.code}:名称")
    row = model(code=ref.code, name=ref.name, **fields)
    session.add(row)
    await session.flush()
    return row


async def add_estate(session: AsyncSession, *, code: str, name: str, district: CodeName,
                     street_office: CodeName, community: CodeName, property_company: CodeName | None,
                     management_type: str, committee_formed: bool,
                     settings: dict[str, Any] | None = None) -> Estate:
    if management_type not in MANAGEMENT_TYPES:
        raise PlaceError(f"管理类型应为 {' / '.join(MANAGEMENT_TYPES)} 之一")
    if await session.scalar(select(Estate.id).where(Estate.code == code)) is not None:
        raise PlaceError(f"小区编号 '{code}' 已存在")
    d = await _get_or_create(session, District, district, "区")
    so = await _get_or_create(session, StreetOffice, street_office, "街道办事处", district_id=d.id)
    if so.district_id != d.id:
        raise PlaceError(f"街道 '{so.code}' 不属于区 '{d.code}'")
    c = await _get_or_create(session, Community, community, "社区", street_office_id=so.id)
    if c.street_office_id != so.id:
        raise PlaceError(f"社区 '{c.code}' 不属于街道 '{so.code}'")
    pc = None
    if property_company is not None:
        pc = await _get_or_create(session, PropertyCompany, property_company, "物业服务企业")
    estate = Estate(code=code, name=name, community_id=c.id, management_type=management_type,
                    committee_formed=committee_formed, property_company_id=pc.id if pc else None,
                    settings=settings or {})
    session.add(estate)
    await session.flush()
    return estate
