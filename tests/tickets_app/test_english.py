"""A resident whose language is English hears about their ticket in English: the restatement and
its buttons, the ticket number and deadline, acceptance, the answer with rating buttons, the
thanks; a Chinese-speaking follower of the same ticket is told in Chinese."""
from __future__ import annotations

from tests.tickets_app.conftest import WebResident, World, buttons, out_texts


async def test_ticket_messages_in_english(world: World) -> None:
    assert world.rt.demo is not None
    async with world.client() as web, world.client() as web_zh, world.client() as api:
        owner = WebResident(web)
        r = await web.post("/api/chat/messages", json={"text": world.rt.demo.codes[0][1], "lang": "en"})
        assert "Done! You are now the verified owner" in out_texts(r.json()["messages"])

        reply = await owner.say("6号楼电梯坏了，一直停在8楼不动")
        assert "I understand: Lift breakdown or people trapped, 6号楼. Is that right?" in reply
        assert {"Yes, submit", "Submit anonymously", "None of these", "Cancel"} <= set(buttons(owner.last))
        reply = await owner.press("Yes, submit")
        assert "Submitted: ticket YG261123-" in reply
        assert "安居物业服务有限公司 will answer by Mon 30 Nov" in reply
        assert set(buttons(owner.last)) == {"Add details", "My tickets"}
        number = reply.split("ticket ")[1].split(".")[0]

        neighbour = WebResident(web_zh)
        await neighbour.say(world.rt.demo.codes[1][1])
        await neighbour.say("6号楼电梯又坏了")
        assert "同一问题已有人反映" in await neighbour.press("对，提交")
        assert "已加入关注" in await neighbour.press("我也遇到了")

        [row] = (await api.get("/api/staff/tickets", headers=world.auth("property"))).json()["tickets"]
        for action, body in (("accept", {}), ("dispatch", {}), ("answer", {"text": "维保单位已修复。"})):
            r = await api.post(f"/api/staff/tickets/{row['id']}/{action}", json=body, headers=world.auth("property"))
            assert r.status_code == 200, r.text
        await world.broadcaster.run_once()
        history = await owner.history()
        text = out_texts(history)
        assert (f"Ticket {number} (Lift breakdown or people trapped) has been accepted. "
                f"You will have an answer by Mon 30 Nov.") in text
        assert f"[Answer] Ticket {number} (Lift breakdown or people trapped)\n维保单位已修复。\nHow was it handled?" in text
        owner.last = history[-1:]
        assert set(buttons(owner.last)) == {"Satisfied", "Mostly satisfied", "Not satisfied"}
        assert "Thank you for your rating (Satisfied)!" in await owner.press("Satisfied")

        zh = out_texts(await neighbour.history())
        assert f"工单 {number}（电梯故障或困人）已受理，将于 11月30日（周一） 前答复您。" in zh
        assert "【工单答复】" in zh and "How was it handled?" not in zh and "请对处理结果进行评价" not in zh
