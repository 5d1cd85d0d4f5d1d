"""Staff correct a ticket's category (改类): routed again by the taxonomy, recorded, the resident
told; through the staff API and the service."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.tickets.lifecycle import Action, ActorRole
from core.tickets.queries import staff_detail
from core.tickets.recategorise import recategorise
from core.tickets.service import NotAllowed, TicketActor, TicketError, act
from storage.db import Database
from storage.models.tickets import Ticket, TicketEvent
from tests.tickets_app.conftest import WebResident, World, out_texts
from tests.tickets_app.helpers import T0, new_ticket, notified, setup_place


async def test_property_staff_send_a_misfiled_matter_to_the_street_office(world: World) -> None:
    assert world.rt.demo is not None
    async with world.client() as web, world.client() as api:
        owner = WebResident(web)
        await owner.say(world.rt.demo.codes[0][1])
        await owner.say("6号楼电梯坏了，一直停在8楼不动")
        number = (await owner.press("对，提交")).split("工单号 ")[1].split("。")[0]
        [row] = (await api.get("/api/staff/tickets", headers=world.auth("property"))).json()["tickets"]
        url = f"/api/staff/tickets/{row['id']}/recategorise"

        # Refusals first: nothing changes.
        for body, status, words in (({}, 422, "请指定新的问题类别"),
                                    ({"category": "teleport"}, 409, "未知的问题类别：teleport"),
                                    ({"category": "elevator"}, 409, "工单已是「电梯故障或困人」类")):
            r = await api.post(url, json=body, headers=world.auth("property"))
            assert (r.status_code, words in r.json()["error"]) == (status, True), r.text
        r = await api.post(url, json={"category": "fire_lane"}, headers=world.auth("property_neighbour"))
        assert r.status_code == 404

        r = await api.post(url, json={"category": "fire_lane", "reason": "电梯前厅被杂物堵死，属消防通道问题"},
                           headers=world.auth("property"))
        assert r.status_code == 200, r.text
        assert r.json() == {"id": row["id"], "number": number, "category": "fire_lane", "level": "street",
                            "handler": "幸福街道办事处", "visible": False}
        # The company no longer sees it; the street office has it, with the department to summon.
        assert (await api.get(f"/api/staff/tickets/{row['id']}", headers=world.auth("property"))).status_code == 404
        [moved] = [t for t in (await api.get("/api/staff/tickets", headers=world.auth("street"))).json()["tickets"]
                   if t["number"] == number]
        assert moved["category"] == "fire_lane" and moved["department"] == "fire" and moved["status"] == "new"
        detail = (await api.get(f"/api/staff/tickets/{row['id']}", headers=world.auth("street"))).json()
        assert [h["action"] for h in detail["history"]] == ["create", "recategorise"]
        assert detail["history"][-1]["action_zh"] == "改类"
        assert detail["history"][-1]["reason"] == "电梯前厅被杂物堵死，属消防通道问题"
        # The deadline the resident was given stands.
        assert moved["due"] == row["due"]

        await world.broadcaster.run_once()
        assert (f"工单 {number} 的问题类别已由「电梯故障或困人」调整为「占用堵塞消防通道、消防设施」，"
                f"改由幸福街道办事处办理，答复期限不变：11月30日（周一） 前。") in out_texts(await owner.history())


async def test_a_complaint_about_the_company_stays_hidden_from_it_after_recategorising(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="fee_dispute", text="物业多收了我家停车费，电话13812345678",
                             building=None)
        street = TicketActor(ActorRole.STREET_STAFF, p.street_staff)
        await recategorise(s, t, street, "parking", T0, reason="实为停车收费秩序问题")
        assert (t.level, t.queue, t.category) == ("property", "property_company", "parking")
        assert t.about_property  # never cleared: the company must not learn who complained
        view = await staff_detail(s, t, p.property_staff, T0)
        assert view.reporter.name == "匿名" and "13812345678" not in view.description
        event = await s.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id,
                                                         TicketEvent.action == "recategorise"))
        assert event is not None and event.data["from_category"] == "fee_dispute" and event.target == "parking"
        assert any("调整为「停车秩序、车位被占」" in m for m in await notified(s, p.resident))

        # Only staff holding the role they claim, and nothing once the ticket is finished.
        with pytest.raises(NotAllowed):
            await recategorise(s, t, TicketActor(ActorRole.PROPERTY_STAFF, p.community_staff), "noise", T0)
        company = TicketActor(ActorRole.PROPERTY_STAFF, p.property_staff)
        await act(s, t, company, Action.REFER, T0, target="区市场监管局", reason="属价格纠纷")
        with pytest.raises(TicketError, match="不能改类"):
            await recategorise(s, t, street, "noise", T0)
        assert (await s.get(Ticket, t.id)).category == "parking"  # type: ignore[union-attr]
