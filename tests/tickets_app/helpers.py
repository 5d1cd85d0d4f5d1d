"""Builders for service-level ticket tests: an estate with its offices and departments, staff,
residents, and tickets opened through the service."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import Role, ScopeKind
from core.tickets.service import TicketDraft, open_ticket
from storage.models import Community, Department, Person, StreetOffice
from storage.models.notifications import Notification
from storage.models.tickets import Ticket
from storage.repositories.people import PeopleRepository
from tests.helpers import make_estate

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 10:00 in Shanghai


@dataclass(frozen=True)
class Place:
    estate_id: int
    community_id: int
    street_office_id: int
    property_staff: int
    community_staff: int
    street_staff: int
    resident: int
    neighbour: int


async def person(s: AsyncSession, name: str, role: Role | None = None, kind: ScopeKind | None = None,
                 scope_id: int | None = None, phone: str | None = None) -> int:
    people = PeopleRepository(s)
    p = await people.add_person(name)
    p.phone = phone
    if role is not None and kind is not None:
        await people.grant(p.id, role.value, kind.value, scope_id)
    return p.id


async def setup_place(s: AsyncSession, code: str = "T1", with_company: bool = True) -> Place:
    estate = await make_estate(s, code, name=f"{code}小区")
    if not with_company:
        estate.property_company_id = None
    estate.settings = {"emergency": {"gas": "96777", "lift": "96333"}}
    community = await s.get(Community, estate.community_id)
    assert community is not None
    office = await s.get(StreetOffice, community.street_office_id)
    assert office is not None
    for dept, name in (("environment", "区生态环境分局"), ("police", "幸福派出所"), ("fire", "消防救援站"),
                       ("housing", "区住建局物业科")):
        s.add(Department(street_office_id=office.id, code=dept, name=name))
    await s.flush()
    return Place(
        estate_id=estate.id, community_id=community.id, street_office_id=office.id,
        property_staff=await person(s, f"{code}物业", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id),
        community_staff=await person(s, f"{code}社区", Role.COMMUNITY_STAFF, ScopeKind.COMMUNITY, community.id),
        street_staff=await person(s, f"{code}街道", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, office.id),
        resident=await person(s, "张阿姨", phone="13812345678"),
        neighbour=await person(s, "李大爷", phone="13987654321"),
    )


async def new_ticket(s: AsyncSession, p: Place, category: str = "elevator", text: str = "6号楼电梯坏了",
                     building: str | None = "6", at: datetime = T0, reporter: int | None = None,
                     **kw: object) -> Ticket:
    draft = TicketDraft(estate_id=p.estate_id, category=category, text=text,
                        reporter_person_id=p.resident if reporter is None else reporter, channel="web",
                        building=building, **kw)  # type: ignore[arg-type]
    return await open_ticket(s, draft, at)


async def notified(s: AsyncSession, person_id: int) -> list[str]:
    rows = await s.scalars(select(Notification).where(Notification.person_id == person_id)
                           .order_by(Notification.id))
    return [n.body["text"] for n in rows]


async def name_of(s: AsyncSession, person_id: int) -> str:
    p = await s.get(Person, person_id)
    assert p is not None
    return p.display_name
