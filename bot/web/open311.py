"""Open311 GeoReport v2, read only (https://wiki.open311.org/GeoReport_v2): our categories as
services, tickets as service requests, for city dashboards and 12345 platforms.

jurisdiction_id is the street office's code. No personal data leaves here: core.tickets.public
builds requests without reporter, words, photos, unit, room or coordinates.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.runtime import Runtime
from core.tickets import catalog
from core.tickets.public import CLOSED, OPEN, PublicTicket, UnknownJurisdiction, public_ticket, public_tickets
from core.tickets.routing import default_taxonomy

ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_WINDOW = timedelta(days=90)  # the spec's default when no dates are given
MAX_REQUESTS = 1000


def _error(status: int, description: str) -> JSONResponse:
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _when(dt: datetime | None) -> str | None:
    return None if dt is None else dt.astimezone(ZONE).isoformat(timespec="seconds")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=ZONE)


def request_json(p: PublicTicket) -> dict[str, Any]:
    return {"service_request_id": p.number, "status": p.status, "status_notes": p.status_notes,
            "service_name": p.service_name, "service_code": p.service_code, "description": p.service_name,
            "agency_responsible": p.agency_responsible, "service_notice": "",
            "requested_datetime": _when(p.requested), "updated_datetime": _when(p.updated),
            "expected_datetime": _when(p.expected), "address": p.address, "address_id": "", "zipcode": "",
            "media_url": ""}


def services_json() -> list[dict[str, Any]]:
    tax = default_taxonomy()
    return [{"service_code": code, "service_name": catalog.category_name(code),
             "description": catalog.category_name(code), "metadata": False, "type": "realtime",
             "keywords": "", "group": rule.handler.zh}
            for code, rule in tax.categories.items()]


def make_router(rt: Runtime) -> APIRouter:
    r = APIRouter(prefix="/open311/v2")

    @r.get("/services.json")
    async def services() -> Any:
        return services_json()

    @r.get("/requests.json")
    async def requests(jurisdiction_id: str | None = None, status: str | None = None,
                       service_code: str | None = None, service_request_id: str | None = None,
                       start_date: str | None = None, end_date: str | None = None) -> Any:
        statuses = {x.strip() for x in (status or "").split(",") if x.strip()}
        if statuses - {OPEN, CLOSED}:
            return _error(400, "status must be open and/or closed")
        try:
            start, end = _parse(start_date), _parse(end_date)
        except ValueError:
            return _error(400, "start_date and end_date must be ISO 8601 (w3c) datetimes")
        codes = [c.strip() for c in (service_code or "").split(",") if c.strip()] or None
        async with rt.db.session() as s:
            if service_request_id:
                found = [await public_ticket(s, n.strip()) for n in service_request_id.split(",") if n.strip()]
                return [request_json(p) for p in found if p is not None
                        and (jurisdiction_id is None or p.jurisdiction == jurisdiction_id)]
            if start is None and end is None:
                start = rt.services.clock() - DEFAULT_WINDOW
            try:
                rows = await public_tickets(s, jurisdiction=jurisdiction_id,
                                            status=statuses.pop() if len(statuses) == 1 else None,
                                            service_codes=codes, start=start, end=end, limit=MAX_REQUESTS)
            except UnknownJurisdiction:
                return _error(404, f"unknown jurisdiction_id {jurisdiction_id}")
        return [request_json(p) for p in rows]

    @r.get("/requests/{request_id}.json")
    async def one(request_id: str, jurisdiction_id: str | None = None) -> Any:
        async with rt.db.session() as s:
            p = await public_ticket(s, request_id)
        if p is None or (jurisdiction_id is not None and p.jurisdiction != jurisdiction_id):
            return _error(404, f"service request {request_id} not found")
        return [request_json(p)]

    return r
