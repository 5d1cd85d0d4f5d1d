"""The demo estate seeded once by the embedded default, so every capability has something to show.

阳光花园 (code YG): six buildings of two units, 8 floors, two flats a floor, and ground-floor
shops; a developer still holding unsold flats, a few sold flats not yet delivered, co-owned flats
and an owner with two flats; a committee, property staff, a street office with its departments.
Deterministic: the same seed gives the same register everywhere.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.accounts import create_account
from core.fees.demo import seed_fee_demo
from core.register import import_register
from core.register_file import RegisterRow
from core.roles import Role, ScopeKind
from core.verification import VerificationPolicy, issue_codes, issue_role_invite
from storage.models import (
    Community,
    Department,
    District,
    Estate,
    Person,
    PropertyCompany,
    StreetOffice,
)
from storage.repositories.people import PeopleRepository
from storage.repositories.register import RegisterRepository

ESTATE_CODE = "YG"

DEPARTMENTS = {
    "law_enforcement": ("区综合行政执法局幸福中队", "0471-6600101"),
    "housing": ("区住房和城乡建设局物业科", "0471-6600102"),
    "natural_resources": ("区自然资源和规划分局", "0471-6600103"),
    "police": ("幸福派出所", "0471-6600110"),
    "environment": ("区生态环境分局", "0471-6600104"),
    "market": ("区市场监督管理局特种设备科", "0471-6600105"),
    "fire": ("幸福消防救援站", "0471-6600119"),
    "utility": ("供水、供电、供气、供热服务热线", "0471-6600106"),
    "mediation": ("幸福街道人民调解委员会", "0471-6600107"),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建国", "淑珍", "志强", "海燕", "晓东", "玉兰", "子涵", "浩然"]
FLAT_TYPES = [Decimal("89.37"), Decimal("96.12"), Decimal("118.62"), Decimal("126.40"), Decimal("143.05")]


@dataclass(frozen=True)
class DemoResult:
    created: bool
    codes: list[tuple[str, str]]  # (place, plain code) for trying /bind at once
    invites: list[tuple[str, str]] = field(default_factory=list)  # (role label, code)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, login, password) for the console


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def demo_register_rows(seed: int = 20261123) -> list[RegisterRow]:
    rng = random.Random(seed)
    rows: list[RegisterRow] = []
    n = 0

    def add(building: str, unit: str | None, room: str, use: str, area: Decimal, owner_id: str,
            owner_name: str, kind: str, delivered: bool, measured: str) -> None:
        nonlocal n
        n += 1
        reg = area if measured == "registered" else None
        sur = (area + Decimal("0.35")) if measured in ("registered", "surveyed") else None
        con = area + Decimal("1.20")
        phone = None if kind == "developer" else f"13{rng.randint(100000000, 999999999)}"
        rows.append(RegisterRow(estate=ESTATE_CODE, building=building, unit=unit, room=room, use=use,
                                area_registered=reg, area_surveyed=sur, area_contract=con,
                                owner_id=owner_id, owner_name=owner_name, owner_kind=kind,
                                delivered=delivered, phone=phone, row_number=n + 1))

    multi_owner = ("Y0999", "周建华")
    for b in range(1, 7):
        for u in (1, 2):
            for floor in range(1, 9):
                for flat in (1, 2):
                    room = f"{floor}0{flat}"
                    area = FLAT_TYPES[(b + u + flat) % len(FLAT_TYPES)]
                    i = len(rows)
                    if b == 6 and floor >= 6:  # unsold stock still with the developer
                        add(str(b), str(u), room, "residential", area, "DEV", "阳光置业有限公司",
                            "developer", True, "contract")
                        continue
                    if b == 5 and u == 2 and floor == 8:  # sold, not yet delivered
                        add(str(b), str(u), room, "residential", area, f"Y{i:04d}", _name(rng),
                            "person", False, "surveyed")
                        continue
                    if b == 2 and u == 1 and floor == 3:  # one owner of two flats
                        add(str(b), str(u), room, "residential", area, *multi_owner, "person", True,
                            "registered")
                        continue
                    name = _name(rng)
                    if i % 17 == 0:  # co-owners: one owner id, one voter
                        name = f"{name}、{_name(rng)}"
                    add(str(b), str(u), room, "residential", area, f"Y{i:04d}", name, "person", True,
                        "registered" if i % 11 else "surveyed")
    for k in range(1, 9):  # ground-floor shops along the street
        add("S", None, f"S-{k}", "commercial", Decimal("62.50") + k, f"Y{900 + k:04d}",
            f"{_name(rng)}（商铺）", "person", True, "registered")
    return rows


def demo_password() -> str:
    """Twelve letters and digits without look-alikes, grouped for reading aloud."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


async def _staff(session: AsyncSession, name: str, role: Role, scope: ScopeKind, scope_id: int | None) -> Person:
    people = PeopleRepository(session)
    p = await people.add_person(name)
    await people.grant(p.id, role.value, scope.value, scope_id)
    return p


async def seed_demo(session: AsyncSession, secret: str, now: datetime) -> DemoResult:
    """Create the demo estate unless it exists; returns a few codes to try binding with."""
    if await session.scalar(select(Estate.id).where(Estate.code == ESTATE_CODE)) is not None:
        return DemoResult(False, [])
    district = District(code="D01", name="示范区")
    session.add(district)
    await session.flush()
    office = StreetOffice(code="S01", name="幸福街道办事处", district_id=district.id)
    session.add(office)
    await session.flush()
    for code, (name, contact) in DEPARTMENTS.items():
        session.add(Department(street_office_id=office.id, code=code, name=name, contact=contact))
    community = Community(code="C01", name="和谐社区居委会", street_office_id=office.id)
    company = PropertyCompany(code="P01", name="安居物业服务有限公司", phone="0471-6612345")
    session.add_all([community, company])
    await session.flush()
    estate = Estate(code=ESTATE_CODE, name="阳光花园", community_id=community.id,
                    management_type="market", committee_formed=True, property_company_id=company.id,
                    settings={"emergency": {"gas": "96777", "lift": "96333",
                                            "property_duty": "0471-6612345"}})
    session.add(estate)
    await session.flush()
    await import_register(session, ESTATE_CODE, demo_register_rows(), source="demo")

    chair = await _staff(session, "王建国（业委会主任）", Role.COMMITTEE, ScopeKind.ESTATE, estate.id)
    await _staff(session, "李秀英（业委会委员）", Role.COMMITTEE, ScopeKind.ESTATE, estate.id)
    service = await _staff(session, "赵磊（物业客服）", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id)
    await _staff(session, "钱芳（物业工程）", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id)
    grid = await _staff(session, "孙敏（社区网格员）", Role.COMMUNITY_STAFF, ScopeKind.COMMUNITY, community.id)
    street = await _staff(session, "周涛（街道物业办）", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, office.id)
    admin = await _staff(session, "系统管理员", Role.ADMIN, ScopeKind.ALL, None)
    # Console accounts with passwords made here and shown once (only their hashes are kept).
    logins = []
    for label, login, person in (("业委会", "yg-committee", chair), ("物业", "yg-property", service),
                                 ("社区", "c01-community", grid), ("街道", "s01-street", street),
                                 ("管理员", "admin", admin)):
        password = demo_password()
        await create_account(session, person.id, login, password, now)
        logins.append((label, login, password))

    await seed_fee_demo(session, estate.id, now)

    repo = RegisterRepository(session)
    sample = [p for p in await repo.premises_of_estate(estate.id)
              if (p.building.number, p.unit_key, p.room) in {("1", "1", "101"), ("1", "1", "102"),
                                                             ("2", "1", "301"), ("3", "2", "502")}]
    issued = await issue_codes(session, secret, sample, now, VerificationPolicy())
    codes = [(f"{p.building.number}号楼{p.unit_key}单元{p.room}", c) for p, c in issued]
    invites = []
    for label, role, kind, scope_id, name in (
            ("业委会成员", Role.COMMITTEE, ScopeKind.ESTATE, estate.id, "业委会·试用"),
            ("物业工作人员", Role.PROPERTY_STAFF, ScopeKind.ESTATE, estate.id, "物业·试用"),
            ("街道工作人员", Role.STREET_STAFF, ScopeKind.STREET_OFFICE, office.id, "街道·试用")):
        code = await issue_role_invite(session, secret, role.value, kind.value, scope_id, name, now,
                                       VerificationPolicy())
        invites.append((label, code))
    return DemoResult(True, codes, invites, logins)
