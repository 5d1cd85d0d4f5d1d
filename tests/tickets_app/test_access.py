"""Who sees what through the staff API: tokens, jurisdiction (estate, community, street office),
queue versus everything in scope, and what staff learn about the reporter."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.roles import Role, ScopeKind
from core.tickets.config import parse_config
from core.tickets.service import TicketDraft, open_ticket
from core.tickets.tokens import TokenError, mint_token, revoke_tokens
from storage.models import Estate
from storage.models.tickets import Ticket
from tests.tickets_app.conftest import World
from tests.tickets_app.helpers import person


async def report(world: World, estate: Estate, category: str, text: str, *, phone: str | None = "13812345678",
                 shared: bool = False, anonymous: bool = False, building: str | None = "2",
                 room: str | None = None) -> Ticket:
    async with world.rt.db.session() as s:
        pid = await person(s, "张阿姨", phone=phone)
        if shared:
            from storage.models import Person

            p = await s.get(Person, pid)
            assert p is not None
            p.phone_shared = True
        config = world.rt.services.extra.get("tickets")
        draft = TicketDraft(estate_id=estate.id, category=category, text=text, reporter_person_id=pid,
                            building=building, unit="1" if room else None, room=room, anonymous=anonymous)
        return await open_ticket(s, draft, world.clock(), config) if config else \
            await open_ticket(s, draft, world.clock())


async def numbers(world: World, label: str, query: str = "") -> list[str]:
    async with world.client() as http:
        r = await http.get(f"/api/staff/tickets{query}", headers=world.auth(label))
        assert r.status_code == 200, r.text
        return [t["number"] for t in r.json()["tickets"]]


async def test_tokens_are_required_valid_and_for_staff_only(world: World) -> None:
    async with world.client() as http:
        assert (await http.get("/api/staff/tickets")).status_code == 401
        assert (await http.get("/api/staff/tickets", headers={"Authorization": "Bearer nope"})).status_code == 401
        me = (await http.get("/api/staff/me", headers=world.auth("street"))).json()
        assert me["name"] == "街道·物业办" and me["grants"][0]["role"] == "street_staff"
    async with world.rt.db.session() as s:
        resident = await person(s, "普通居民")
        committee = await person(s, "业委会委员", Role.COMMITTEE, ScopeKind.ESTATE, world.estate.id)
        for pid in (resident, committee):
            with pytest.raises(TokenError):
                await mint_token(s, pid, world.clock())
        assert await revoke_tokens(s, world.staff["property"], world.clock()) == 1
    async with world.client() as http:
        assert (await http.get("/api/staff/tickets", headers=world.auth("property"))).status_code == 401


async def test_property_staff_see_their_estate_only(world: World) -> None:
    mine = await report(world, world.estate, "elevator", "2号楼电梯坏了")
    theirs = await report(world, world.neighbour, "elevator", "绿园2号楼电梯坏了")
    assert await numbers(world, "property", "?scope=all") == [mine.number]
    assert await numbers(world, "property_neighbour", "?scope=all") == [theirs.number]
    async with world.client() as http:
        r = await http.get(f"/api/staff/tickets/{theirs.id}", headers=world.auth("property"))
        assert r.status_code == 404 and r.json()["error"] == "工单不存在或不在您的管辖范围内"
        r = await http.post(f"/api/staff/tickets/{theirs.id}/accept", json={}, headers=world.auth("property"))
        assert r.status_code == 404
        async with world.rt.db.session() as s:
            assert (await s.get(Ticket, theirs.id)).status == "new"  # type: ignore[union-attr]


async def test_street_office_sees_its_jurisdiction_and_queues_what_is_its_own(world: World) -> None:
    lift = await report(world, world.estate, "elevator", "2号楼电梯坏了")
    fumes = await report(world, world.neighbour, "cooking_fumes", "油烟太大")
    elsewhere = await report(world, world.elsewhere, "cooking_fumes", "晴天小区油烟")
    assert await numbers(world, "street") == [fumes.number]  # the queue: street matters
    assert set(await numbers(world, "street", "?scope=all")) == {lift.number, fumes.number}
    assert await numbers(world, "street_elsewhere", "?scope=all") == [elsewhere.number]
    async with world.client() as http:
        r = await http.get(f"/api/staff/tickets/{elsewhere.id}", headers=world.auth("street"))
        assert r.status_code == 404
    # The community supervises property matters of its estates but not street matters.
    assert set(await numbers(world, "community", "?scope=all")) == {lift.number}
    assert await numbers(world, "community") == []
    # Once overdue and escalated, the property ticket joins the street office's queue.
    from core.tickets.jobs import escalate_overdue

    assert await escalate_overdue(world.rt.db, world.clock() + timedelta(days=8)) == 1
    assert set(await numbers(world, "street")) == {lift.number, fumes.number}


async def test_filters_status_category_department_overdue(world: World) -> None:
    a = await report(world, world.estate, "noise", "楼上装修太吵")
    b = await report(world, world.estate, "cooking_fumes", "油烟")
    async with world.client() as http:
        await http.post(f"/api/staff/tickets/{b.id}/accept", json={}, headers=world.auth("street"))
        r = await http.get("/api/staff/tickets?status=bogus", headers=world.auth("street"))
        assert r.status_code == 422
    assert await numbers(world, "street", "?status=accepted") == [b.number]
    assert await numbers(world, "street", "?status=open") == [a.number, b.number]
    assert await numbers(world, "street", "?category=noise") == [a.number]
    assert await numbers(world, "street", "?department=police") == [a.number]
    assert await numbers(world, "street", "?overdue=true") == []
    world.clock.now += timedelta(days=8)
    assert await numbers(world, "street", "?overdue=true") == [a.number, b.number]
    async with world.client() as http:
        rows = (await http.get("/api/staff/tickets", headers=world.auth("street"))).json()["tickets"]
        assert all(r["overdue"] for r in rows)


async def test_reporter_shown_masked_or_hidden_as_privacy_requires(world: World) -> None:
    lift = await report(world, world.estate, "elevator", "电梯坏了，我电话13812345678", room="501")
    shared = await report(world, world.estate, "elevator", "电梯又坏了", phone="13900001111", shared=True)
    anonymous = await report(world, world.estate, "water_leak", "2单元501楼上漏水，我是张三", anonymous=True,
                             room="501")
    async with world.client() as http:
        async def detail(t: Ticket, label: str = "property") -> dict:  # type: ignore[type-arg]
            r = await http.get(f"/api/staff/tickets/{t.id}", headers=world.auth(label))
            assert r.status_code == 200, r.text
            return r.json()  # type: ignore[no-any-return]

        d = await detail(lift)
        assert d["reporter"] == {"name": "张阿姨", "phone": "138****5678"}
        assert d["description"] == "电梯坏了，我电话138****5678" and d["room"] == "501"
        assert (await detail(shared))["reporter"]["phone"] == "13900001111"
        d = await detail(anonymous)
        assert d["reporter"] == {"name": "匿名", "phone": None} and d["room"] is None and d["unit"] is None
        assert d["description"] == "2单元***楼上漏水，我是***" and d["summary"]["place"] == "2号楼"
        assert (await detail(anonymous, "street"))["reporter"]["name"] == "匿名"


async def test_complaints_about_the_property_company_never_show_it_the_reporter(world: World) -> None:
    # By default such complaints are the street's: property staff do not even see them.
    by_default = await report(world, world.estate, "property_service", "物业客服态度太差")
    assert by_default.level == "street" and await numbers(world, "property", "?scope=all") == []
    # Where a district gives them to the property company, the company still never learns who.
    world.rt.services.extra["tickets"] = parse_config({"routing": {"D01": {"fee_dispute": {"handler": "property"}}}})
    fee = await report(world, world.estate, "fee_dispute", "乱收停车费，我是2号楼101的王五，电话13811112222",
                       room="101")
    assert fee.level == "property"
    async with world.client() as http:
        d = (await http.get(f"/api/staff/tickets/{fee.id}", headers=world.auth("property"))).json()
        assert d["reporter"] == {"name": "匿名", "phone": None} and d["room"] is None
        assert "王五" not in d["description"] and "101" not in d["description"] and "1111" not in d["description"]
        street = (await http.get(f"/api/staff/tickets/{fee.id}", headers=world.auth("street"))).json()
        assert street["reporter"] == {"name": "张阿姨", "phone": "138****5678"}
    async with world.rt.db.session() as s:
        assert (await s.scalar(select(Ticket.about_property).where(Ticket.id == fee.id))) is True


async def test_monthly_statistics_for_the_street_office_only(world: World) -> None:
    await report(world, world.estate, "elevator", "电梯坏了")
    await report(world, world.neighbour, "noise", "太吵")
    await report(world, world.elsewhere, "noise", "太吵")
    async with world.client() as http:
        r = await http.get("/api/staff/stats?month=2026-11", headers=world.auth("street"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["street"] == "S01" and body["total"]["received"] == 2
        assert {x["name"]: x["received"] for x in body["by_estate"]} == {"阳光花园": 1, "绿园": 1}
        assert body["total"]["response_rate"] == "0.0" and body["total"]["satisfaction_rate"] is None
        assert [(x["name"], x["board"]) for x in body["ranking"]] == [("安居物业服务有限公司", ""), ("绿城物业", "")]
        r = await http.get("/api/staff/stats?month=2026-11&street=S02", headers=world.auth("street"))
        assert r.status_code == 404
        assert (await http.get("/api/staff/stats?month=2026-11", headers=world.auth("property"))).status_code == 404
        r = await http.get("/api/staff/stats?month=2026/11", headers=world.auth("street"))
        assert r.status_code == 422 and "YYYY-MM" in r.json()["error"]
