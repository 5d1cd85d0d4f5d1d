"""Register import and export: the committee's spreadsheet in, the same format out.

An import is all-or-nothing: every problem is collected with its row number and nothing is
written unless the whole file is good. Re-importing updates premises in place (matched by
building, unit and room) so bindings and ballots that point at them survive.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from core.register_file import RegisterFileError, RegisterRow, RowProblem
from storage.models import Building, Owner, Premises, Unit
from storage.repositories.register import RegisterRepository


@dataclass
class ImportReport:
    estate_code: str
    created: int = 0
    updated: int = 0
    owners: int = 0
    # Premises already in the database that the file no longer lists: kept, and reported.
    not_in_file: list[str] = field(default_factory=list)


class EstateNotFound(LookupError):
    pass


def _check_consistency(rows: list[RegisterRow], estate_code: str, source: str) -> list[RowProblem]:
    """Rules that span rows: the estate column, and one owner_id meaning one kind of owner."""
    problems: list[RowProblem] = []
    kinds: dict[str, tuple[str, int]] = {}
    for r in rows:
        if r.estate != estate_code:
            problems.append(RowProblem(source, r.row_number, "estate",
                                       f"小区编号 '{r.estate}' 与导入的小区 '{estate_code}' 不一致"))
        seen = kinds.setdefault(r.owner_id, (r.owner_kind, r.row_number))
        if seen[0] != r.owner_kind:
            problems.append(RowProblem(source, r.row_number, "owner_kind",
                                       f"业主编号 '{r.owner_id}' 在第{seen[1]}行是 {seen[0]}，此处是 {r.owner_kind}"))
    return problems


async def import_register(session: AsyncSession, estate_code: str, rows: list[RegisterRow],
                          source: str = "register") -> ImportReport:
    """Write parsed rows for one estate. Raises RegisterFileError (nothing written) on a bad row."""
    repo = RegisterRepository(session)
    estate = await repo.estate_by_code(estate_code)
    if estate is None:
        raise EstateNotFound(f"没有编号为 '{estate_code}' 的小区")
    problems = _check_consistency(rows, estate_code, source)
    if problems:
        raise RegisterFileError(problems)

    report = ImportReport(estate_code)
    buildings = await repo.buildings(estate.id)
    units = await repo.units(estate.id)
    owners = await repo.owners(estate.id)
    existing = {(p.building.number, p.unit_key, p.room): p for p in await repo.premises_of_estate(estate.id)}
    listed: set[tuple[str, str, str]] = set()

    for r in rows:
        b = buildings.get(r.building)
        if b is None:
            b = buildings[r.building] = Building(estate_id=estate.id, number=r.building)
            session.add(b)
            await session.flush()
        u: Unit | None = None
        if r.unit:
            u = units.get((r.building, r.unit))
            if u is None:
                u = units[(r.building, r.unit)] = Unit(building_id=b.id, number=r.unit)
                session.add(u)
                await session.flush()
        o = owners.get(r.owner_id)
        if o is None:
            o = owners[r.owner_id] = Owner(estate_id=estate.id, code=r.owner_id, name=r.owner_name,
                                           kind=r.owner_kind, phone=r.phone)
            session.add(o)
            await session.flush()
            report.owners += 1
        else:
            o.name, o.kind = r.owner_name, r.owner_kind
            o.phone = r.phone or o.phone
        key = (r.building, r.unit or "", r.room)
        listed.add(key)
        p = existing.get(key)
        values = dict(use=r.use, area_registered=r.area_registered, area_surveyed=r.area_surveyed,
                      area_contract=r.area_contract, owner_id=o.id, delivered=r.delivered)
        if p is None:
            session.add(Premises(estate_id=estate.id, building_id=b.id, unit_id=u.id if u else None,
                                 unit_key=r.unit or "", room=r.room, **values))
            report.created += 1
        else:
            for k, v in values.items():
                setattr(p, k, v)
            report.updated += 1
    await session.flush()
    report.not_in_file = sorted("-".join(x for x in k if x) for k in existing if k not in listed)
    return report


EXPORT_COLUMNS = ["estate", "building", "unit", "room", "use", "area_registered", "area_surveyed",
                  "area_contract", "owner_id", "owner_name", "owner_kind", "delivered", "phone"]


def _area(d: Decimal | None) -> str:
    return "" if d is None else f"{d:.2f}"


async def export_rows(session: AsyncSession, estate_code: str) -> list[list[str]]:
    """The register of one estate in the contract's column order, header first."""
    repo = RegisterRepository(session)
    estate = await repo.estate_by_code(estate_code)
    if estate is None:
        raise EstateNotFound(f"没有编号为 '{estate_code}' 的小区")
    out = [EXPORT_COLUMNS]
    for p in await repo.premises_of_estate(estate.id):
        out.append([estate.code, p.building.number, p.unit_key, p.room, p.use,
                    _area(p.area_registered), _area(p.area_surveyed), _area(p.area_contract),
                    p.owner.code, p.owner.name, p.owner.kind, "yes" if p.delivered else "no",
                    p.owner.phone or ""])
    return out


def rows_to_csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


