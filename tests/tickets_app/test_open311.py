"""Open311 GeoReport v2: services are our categories; requests filter by street office, status,
service and dates; nothing personal ever appears."""
from __future__ import annotations

import json
from datetime import timedelta

from core.tickets.lifecycle import Action
from core.tickets.service import TicketDraft, act, open_ticket, staff_actor
from storage.models import Estate
from storage.models.tickets import Ticket
from tests.tickets_app.conftest import World
from tests.tickets_app.helpers import person


async def _report(world: World, estate: Estate, category: str, text: str, **kw: object) -> Ticket:
    async with world.rt.db.session() as s:
        pid = await person(s, "王小明", phone="13800001234")
        draft = TicketDraft(estate_id=estate.id, category=category, text=text, reporter_person_id=pid, **kw)  # type: ignore[arg-type]
        return await open_ticket(s, draft, world.clock())


async def test_services_are_the_taxonomy_categories(world: World) -> None:
    async with world.client() as http:
        services = (await http.get("/open311/v2/services.json")).json()
    codes = {x["service_code"]: x for x in services}
    assert len(codes) == 22 and codes["fire_lane"]["service_name"] == "占用堵塞消防通道、消防设施"
    assert codes["fire_lane"]["group"] == "街道" and codes["elevator"]["group"] == "物业"
    assert all(x["metadata"] is False and x["type"] == "realtime" for x in services)


async def test_requests_filters_and_no_personal_data(world: World) -> None:
    leak = await _report(world, world.estate, "water_leak", "我家2单元501漏水，电话13800001234", building="2",
                         unit="2", room="501", latitude=40.8, longitude=111.6, place="定位位置", anonymous=True)
    lane = await _report(world, world.estate, "fire_lane", "消防通道被私家车堵了", place="地下车库")
    world.clock.now += timedelta(days=2)
    other = await _report(world, world.elsewhere, "noise", "广场舞太吵", building="1")
    async with world.rt.db.session() as s:
        t = await s.get(Ticket, lane.id)
        assert t is not None
        st = await staff_actor(s, world.staff["street"], t)
        await act(s, t, st, Action.REFER, world.clock(), target="区消防救援大队")

    async with world.client() as http:
        async def get(**params: str) -> list[dict]:  # type: ignore[type-arg]
            r = await http.get("/open311/v2/requests.json", params=params)
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        def ids(rows: list[dict]) -> list[str]:  # type: ignore[type-arg]
            return [r["service_request_id"] for r in rows]

        assert ids(await get(jurisdiction_id="S01")) == [lane.number, leak.number]
        assert ids(await get(jurisdiction_id="S02")) == [other.number]
        assert ids(await get(jurisdiction_id="S01", status="open")) == [leak.number]
        closed = await get(jurisdiction_id="S01", status="closed")
        assert ids(closed) == [lane.number] and closed[0]["status_notes"] == "已转办：区消防救援大队"
        assert closed[0]["agency_responsible"] == "幸福消防救援站" and closed[0]["address"] == "阳光花园 地下车库"
        assert ids(await get(service_code="water_leak,noise")) == [other.number, leak.number]
        day_two = (world.clock() - timedelta(hours=1)).isoformat()
        assert ids(await get(start_date=day_two)) == [other.number]
        assert ids(await get(end_date=day_two)) == [lane.number, leak.number]
        assert ids(await get(service_request_id=f"{leak.number},{other.number}", jurisdiction_id="S02")) == [
            other.number]

        [req] = [r for r in await get() if r["service_request_id"] == leak.number]
        assert req["address"] == "阳光花园 2号楼" and req["agency_responsible"] == "安居物业服务有限公司"
        assert req["requested_datetime"] == "2026-11-23T10:00:00+08:00"
        assert req["expected_datetime"] == "2026-11-30T23:59:59+08:00"
        blob = json.dumps(await get(), ensure_ascii=False)
        for secret in ("501", "1234", "王小明", "漏水，电话", "40.8", "111.6", "定位位置", "私家车"):
            assert secret not in blob, secret

        r = await http.get("/open311/v2/requests.json", params={"jurisdiction_id": "S99"})
        assert r.status_code == 404 and r.json()[0]["code"] == 404
        r = await http.get("/open311/v2/requests.json", params={"status": "pending"})
        assert r.status_code == 400
        r = await http.get("/open311/v2/requests.json", params={"start_date": "yesterday"})
        assert r.status_code == 400
        assert (await http.get("/open311/v2/requests/NOPE-1.json")).status_code == 404
        r = await http.get(f"/open311/v2/requests/{leak.number}.json", params={"jurisdiction_id": "S02"})
        assert r.status_code == 404


async def test_requests_default_to_the_last_ninety_days(world: World) -> None:
    old = await _report(world, world.estate, "greening", "树太高", building="1")
    world.clock.now += timedelta(days=91)
    new = await _report(world, world.estate, "greening", "树又太高", building="1")
    async with world.client() as http:
        rows = (await http.get("/open311/v2/requests.json")).json()
        assert [r["service_request_id"] for r in rows] == [new.number]
        rows = (await http.get("/open311/v2/requests.json", params={"start_date": "2026-01-01"})).json()
        assert [r["service_request_id"] for r in rows] == [new.number, old.number]
