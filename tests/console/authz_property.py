"""Who may use the property view: property staff, and only for the estates they serve (阳光花园
here: 物业乙 of 绿园 gets 404, every other role 403)."""
from __future__ import annotations

from sqlalchemy import select

from storage.models import Building, Premises
from storage.models.fees import FeeScheduleVersion
from tests.console.authz import Case, allow
from tests.console.conftest import Desk

PROPERTY = allow("property")
EITHER_PROPERTY = allow("property", "property_neighbour")


def estate_url(tail: str = ""):  # type: ignore[no-untyped-def]
    async def make(desk: Desk) -> str:
        return f"/console/property/{desk.estate.id}{tail}"
    return make


async def schedule_url(desk: Desk) -> str:
    async with desk.rt.db.session() as s:
        vid = await s.scalar(select(FeeScheduleVersion.id).where(FeeScheduleVersion.estate_id == desk.estate.id))
    return f"/console/property/{desk.estate.id}/schedules/{vid}"


async def premises_url(desk: Desk) -> str:
    async with desk.rt.db.session() as s:
        pid = await s.scalar(select(Premises.id).join(Building, Building.id == Premises.building_id).where(
            Premises.estate_id == desk.estate.id, Building.number == "1", Premises.room == "101"))
    return f"/console/property/{desk.estate.id}/premises/{pid}"


CASES = [
    Case("GET", "/console/property", EITHER_PROPERTY),
    Case("GET", "/console/property/{estate_id}", PROPERTY, url=estate_url()),
    Case("GET", "/console/property/{estate_id}/schedules/{version_id}", PROPERTY, url=schedule_url),
    Case("POST", "/console/property/{estate_id}/bills", PROPERTY, url=estate_url("/bills"),
         data={"period": "2026-12"}),
    Case("GET", "/console/property/{estate_id}/balances", PROPERTY, url=estate_url("/balances")),
    Case("GET", "/console/property/{estate_id}/premises/{premises_id}", PROPERTY, url=premises_url),
    Case("GET", "/console/property/{estate_id}/payments", PROPERTY, url=estate_url("/payments")),
    Case("POST", "/console/property/{estate_id}/payments", PROPERTY, url=estate_url("/payments"),
         data={"room": "1-1-101", "amount": "10.00", "paid_at": "2026-11-23T09:00", "reference": "AUTHZ-1"}),
    Case("POST", "/console/property/{estate_id}/payments/import", PROPERTY, url=estate_url("/payments/import")),
    Case("GET", "/console/property/{estate_id}/reminders", PROPERTY, url=estate_url("/reminders")),
    Case("POST", "/console/property/{estate_id}/reminders/run", PROPERTY, url=estate_url("/reminders/run")),
    Case("GET", "/console/property/{estate_id}/collection.png", PROPERTY, url=estate_url("/collection.png")),
]
