"""The admin's register desk: estates with their register at a glance, premises chosen for binding
codes (by building or one by one), the codes issued for printing, the register as an XLSX sheet,
and who holds a console account.

The import, export and code rules are core.register, core.register_file and core.verification;
this module selects what they work on and shapes what the desk shows.
"""
from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.verification import VerificationPolicy, issue_codes
from storage.models import (
    Building, Community, Estate, Person, Premises, Residency, RoleGrant, StreetOffice, VerificationCode)
from storage.models.console import ConsoleAccount
from storage.repositories.register import RegisterRepository

ROLE_ZH = {"committee": "业委会", "property_staff": "物业", "community_staff": "社区", "street_staff": "街道",
           "admin": "管理员"}
SCOPE_ZH = {"estate": "小区", "community": "社区", "street_office": "街道", "district": "区", "all": "全部"}
# A sheet printed and cut into slips: one code a household.
CODE_HEADER = ["小区", "楼栋", "单元", "房号", "业主", "验证码", "有效期至"]


def building_order(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10 ** 6, number)


@dataclass(frozen=True)
class EstateRegister:
    estate: Estate
    buildings: int
    premises: int
    bound: int           # premises with at least one verified owner
    codes_open: int      # codes issued, not used and not expired


async def register_overview(session: AsyncSession, now: datetime) -> list[EstateRegister]:
    """Every estate with the size of its register and how far binding has come."""
    estates = list(await session.scalars(select(Estate).order_by(Estate.code)))
    by_estate = Premises.estate_id
    premises = dict((await session.execute(
        select(by_estate, func.count(Premises.id)).group_by(by_estate))).tuples().all())
    buildings = dict((await session.execute(
        select(Building.estate_id, func.count(Building.id)).group_by(Building.estate_id))).tuples().all())
    bound = dict((await session.execute(
        select(by_estate, func.count(func.distinct(Residency.premises_id)))
        .join(Residency, Residency.premises_id == Premises.id).group_by(by_estate))).tuples().all())
    codes = dict((await session.execute(
        select(by_estate, func.count(VerificationCode.id))
        .join(VerificationCode, VerificationCode.premises_id == Premises.id)
        .where(VerificationCode.used_at.is_(None), VerificationCode.expires_at > now)
        .group_by(by_estate))).tuples().all())
    return [EstateRegister(e, buildings.get(e.id, 0), premises.get(e.id, 0), bound.get(e.id, 0),
                           codes.get(e.id, 0)) for e in estates]


@dataclass(frozen=True)
class PremisesChoice:
    id: int
    building: str
    unit: str
    room: str
    owner_name: str
    bound: bool


async def premises_choices(session: AsyncSession, estate_id: int) -> list[PremisesChoice]:
    """The estate's premises in building, unit and room order, for choosing whom to issue codes to."""
    repo = RegisterRepository(session)
    bound = set(await session.scalars(select(Residency.premises_id).join(Premises, Premises.id == Residency.premises_id)
                                      .where(Premises.estate_id == estate_id)))
    out = [PremisesChoice(p.id, p.building.number, p.unit_key, p.room, p.owner.name, p.id in bound)
           for p in await repo.premises_of_estate(estate_id)]
    return sorted(out, key=lambda c: (building_order(c.building), c.unit, c.room))


class SelectionError(ValueError):
    """Nothing (or something foreign) was chosen; the message is for the admin."""


@dataclass(frozen=True)
class PrintedCode:
    building: str
    unit: str
    room: str
    owner_name: str
    code: str


@dataclass(frozen=True)
class IssuedCodes:
    estate: Estate
    codes: list[PrintedCode]
    valid_until: date

    def rows(self) -> list[list[str]]:
        """The sheet for printing, header first."""
        until = self.valid_until.isoformat()
        return [CODE_HEADER] + [[self.estate.name, c.building, c.unit, c.room, c.owner_name, c.code, until]
                                for c in self.codes]


async def issue_for(session: AsyncSession, secret: str, estate: Estate, now: datetime, policy: VerificationPolicy,
                    *, building: str | None = None, premises_ids: Sequence[int] = ()) -> IssuedCodes:
    """Fresh one-time codes for the chosen premises of `estate` (a whole building, or some premises);
    only their hashes are stored, so the returned codes are the only copy."""
    wanted = set(premises_ids)
    everything = await RegisterRepository(session).premises_of_estate(estate.id)
    known = {p.id for p in everything}
    if wanted - known:
        raise SelectionError("所选房屋不属于该小区")
    chosen = [p for p in everything if (building and p.building.number == building) or p.id in wanted]
    if not chosen:
        raise SelectionError("请选择楼栋或至少一户房屋" if not building else f"{estate.name}没有{building}号楼")
    chosen.sort(key=lambda p: (building_order(p.building.number), p.unit_key, p.room))
    issued = await issue_codes(session, secret, chosen, now, policy)
    return IssuedCodes(estate, [PrintedCode(p.building.number, p.unit_key, p.room, p.owner.name, code)
                                for p, code in issued],
                       (now + timedelta(days=policy.valid_days)).date())


def to_xlsx(rows: list[list[str]], title: str = "Sheet1") -> bytes:
    """A one-sheet workbook of text cells (the register and code sheets are text by contract)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "Sheet1"  # characters Excel forbids in a sheet name
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class AccountRow:
    login: str
    name: str
    roles: list[str]         # "物业·小区 阳光花园", in Chinese
    last_login_at: datetime | None
    locked_until: datetime | None


async def console_accounts(session: AsyncSession) -> list[AccountRow]:
    """Everyone who can sign in to the console with a password, with what they hold where."""
    accounts = (await session.execute(
        select(ConsoleAccount, Person.display_name).join(Person, Person.id == ConsoleAccount.person_id)
        .order_by(ConsoleAccount.login))).tuples().all()
    grants: dict[int, list[RoleGrant]] = {}
    for g in await session.scalars(select(RoleGrant).where(
            RoleGrant.person_id.in_([a.person_id for a, _ in accounts])).order_by(RoleGrant.id)):
        grants.setdefault(g.person_id, []).append(g)
    names = await _scope_names(session)
    return [AccountRow(a.login, name or "", [_grant_zh(g, names) for g in grants.get(a.person_id, [])],
                       a.last_login_at, a.locked_until) for a, name in accounts]


async def _scope_names(session: AsyncSession) -> dict[tuple[str, int], str]:
    out: dict[tuple[str, int], str] = {}
    for kind, model in (("estate", Estate), ("community", Community), ("street_office", StreetOffice)):
        for i, n in (await session.execute(select(model.id, model.name))).tuples():
            out[(kind, i)] = n
    return out


def _grant_zh(g: RoleGrant, names: dict[tuple[str, int], str]) -> str:
    role = ROLE_ZH.get(g.role, g.role)
    if g.scope_kind == "all" or g.scope_id is None:
        return f"{role}·{SCOPE_ZH.get(g.scope_kind, g.scope_kind)}"
    return f"{role}·{names.get((g.scope_kind, g.scope_id), SCOPE_ZH.get(g.scope_kind, g.scope_kind))}"
