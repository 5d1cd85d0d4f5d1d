"""The two stories end to end, through the web chat's JSON API, the staff API and Open311:

1. a property matter: an owner reports a broken lift, confirms in one tap, gets a ticket number
   and a date; property staff accept, dispatch and answer; the answer reaches the owner's web
   chat once the broadcaster runs; the owner rates it 满意; staff close it (销号).
2. a street matter: a visitor who is not an owner reports cooking fumes, is asked for the estate
   and the place, and the ticket lands in the street office's queue tagged with the department
   to summon; it appears in Open311 without personal data; the street office answers and closes.
"""
from __future__ import annotations

from tests.tickets_app.conftest import WebResident, World, buttons, out_texts


async def test_lift_complaint_from_web_chat_to_closed(world: World) -> None:
    assert world.rt.demo is not None
    async with world.client() as web, world.client() as staff_http:
        owner = WebResident(web)
        assert "绑定成功" in await owner.say(world.rt.demo.codes[0][1])

        reply = await owner.say("6号楼电梯坏了，一直停在8楼不动")
        assert "我理解为：电梯故障，6号楼。对吗？" in reply
        assert {"对，提交", "匿名提交", "都不对"} <= set(buttons(owner.last))
        reply = await owner.press("对，提交")
        assert "工单号 YG261123-" in reply
        assert "安居物业服务有限公司将在 11月30日（周一） 前答复您" in reply
        number = reply.split("工单号 ")[1].split("。")[0]

        # Property staff find it in their queue, with the owner's words and the deadline.
        r = await staff_http.get("/api/staff/tickets", headers=world.auth("property"))
        assert r.status_code == 200, r.text
        [row] = [t for t in r.json()["tickets"] if t["number"] == number]
        assert row["category"] == "elevator" and row["status"] == "new" and row["place"] == "6号楼"
        assert row["handler"] == "安居物业服务有限公司" and row["due"].startswith("2026-11-30T23:59:59")
        detail = (await staff_http.get(f"/api/staff/tickets/{row['id']}", headers=world.auth("property"))).json()
        assert detail["description"] == "6号楼电梯坏了，一直停在8楼不动"
        assert detail["actions"] == ["accept", "merge", "refer"]

        for action, body in (("accept", {}), ("dispatch", {}),
                             ("answer", {"text": "已联系电梯维保单位，今天下午已修复，请放心使用。"})):
            r = await staff_http.post(f"/api/staff/tickets/{row['id']}/{action}", json=body,
                                      headers=world.auth("property"))
            assert r.status_code == 200, r.text
        assert r.json()["summary"]["status"] == "answered"

        # Nothing reaches the chat until the broadcaster delivers.
        before = out_texts(await owner.history())
        assert "【工单答复】" not in before and f"工单 {number}（电梯故障或困人）已受理" not in before
        await world.broadcaster.run_once()
        history = await owner.history()
        text = out_texts(history)
        assert f"工单 {number}（电梯故障或困人）已受理，将于 11月30日（周一） 前答复您。" in text
        assert "【工单答复】" in text and "今天下午已修复" in text
        owner.last = history[-1:]
        assert set(buttons(owner.last)) == {"满意", "基本满意", "不满意"}
        assert "感谢您的评价（满意）" in await owner.press("满意")

        r = await staff_http.post(f"/api/staff/tickets/{row['id']}/close", json={},
                                  headers=world.auth("property"))
        assert r.status_code == 200, r.text
        detail = r.json()
        assert detail["summary"]["status"] == "closed" and detail["rating"] == "satisfied"
        assert [h["action"] for h in detail["history"]] == ["create", "accept", "dispatch", "answer", "rate",
                                                            "close"]
        assert [h["actor"] for h in detail["history"]][-2:] == [f"居民 {detail['reporter']['name']}",
                                                                 "物业人员 物业甲·客服"]
        await world.broadcaster.run_once()
        assert f"工单 {number}（电梯故障或困人）已办结（销号）" in out_texts(await owner.history())
        assert "已办结" in await owner.say("我的工单")


async def test_street_matter_reaches_the_street_office_queue_and_open311(world: World) -> None:
    async with world.client() as web, world.client() as api:
        visitor = WebResident(web)
        reply = await visitor.say("楼下饭店油烟太大了，呛得没法开窗")
        assert "请问是哪个小区？" in reply  # not an owner: the estate is asked, once
        assert {"阳光花园", "绿园", "晴天小区"} <= set(buttons(visitor.last))
        reply = await visitor.press("阳光花园")
        assert "我理解为：餐饮油烟污染。\n请问具体在哪里？" in reply
        reply = await visitor.say("3号楼后面的小饭店")
        assert "我理解为：餐饮油烟污染，3号楼。对吗？" in reply
        reply = await visitor.press("对，提交")
        assert "幸福街道办事处将在 11月30日（周一） 前答复您" in reply
        number = reply.split("工单号 ")[1].split("。")[0]

        # The street office of the estate has it, tagged with the department to summon.
        queue = (await api.get("/api/staff/tickets", headers=world.auth("street"))).json()["tickets"]
        [row] = [t for t in queue if t["number"] == number]
        assert row["level"] == "street" and row["department"] == "environment"
        assert row["department_name"] == "区生态环境分局"
        by_department = (await api.get("/api/staff/tickets?department=environment",
                                       headers=world.auth("street"))).json()["tickets"]
        assert [t["number"] for t in by_department] == [number]
        for label in ("street_elsewhere", "property", "community"):
            others = (await api.get("/api/staff/tickets?scope=all", headers=world.auth(label))).json()["tickets"]
            assert number not in [t["number"] for t in others], label

        # Open311: in S01's requests, with the department as agency, and nothing personal.
        r = await api.get("/open311/v2/requests.json", params={"jurisdiction_id": "S01", "status": "open"})
        assert r.status_code == 200
        [req] = [x for x in r.json() if x["service_request_id"] == number]
        assert req["service_code"] == "cooking_fumes" and req["service_name"] == "餐饮油烟污染"
        assert req["agency_responsible"] == "区生态环境分局" and req["address"] == "阳光花园 3号楼"
        assert req["status"] == "open" and req["expected_datetime"] == "2026-11-30T23:59:59+08:00"
        assert "饭店" not in str(req)  # the resident's words stay inside
        assert number not in [x["service_request_id"] for x in
                              (await api.get("/open311/v2/requests.json",
                                             params={"jurisdiction_id": "S02"})).json()]
        single = (await api.get(f"/open311/v2/requests/{number}.json")).json()
        assert single == [req]

        tid = row["id"]
        steps = [("accept", {}), ("dispatch", {"department": "environment"}),
                 ("answer", {"text": "区生态环境分局已上门检查，责令饭店三日内加装油烟净化设备。"})]
        for action, body in steps:
            r = await api.post(f"/api/staff/tickets/{tid}/{action}", json=body, headers=world.auth("street"))
            assert r.status_code == 200, r.text
        await world.broadcaster.run_once()
        text = out_texts(await visitor.history())
        assert "已派单至区生态环境分局办理" in text and "加装油烟净化设备" in text
        await visitor.payload(f"tkrate:{tid}:b", "基本满意")
        r = await api.post(f"/api/staff/tickets/{tid}/close", json={}, headers=world.auth("street"))
        assert r.status_code == 200 and r.json()["summary"]["status"] == "closed"
        r = await api.get(f"/open311/v2/requests/{number}.json")
        assert r.json()[0]["status"] == "closed" and r.json()[0]["status_notes"] == "已办结"


async def test_photo_uploaded_in_web_chat_reaches_staff_of_that_estate_only(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    async with world.client() as web, world.client() as api:
        assert world.rt.demo is not None
        owner = WebResident(web)
        await owner.say(world.rt.demo.codes[0][1])
        r = await web.post("/api/chat/uploads", files={"file": ("crack.png", png, "image/png")})
        assert r.status_code == 200, r.text
        token = r.json()["token"]
        r = await web.post("/api/chat/messages", json={"text": "2号楼单元门的门禁坏了关不上", "photo": token})
        assert r.status_code == 200 and "我理解为：门禁，2号楼。对吗？" in out_texts(r.json()["messages"])
        assert "已提交" in await owner.payload("tkok", "对，提交")
        [row] = (await api.get("/api/staff/tickets", headers=world.auth("property"))).json()["tickets"]
        detail = (await api.get(f"/api/staff/tickets/{row['id']}", headers=world.auth("property"))).json()
        [photo] = [m for m in detail["thread"] if m["has_photo"]]
        url = f"/api/staff/tickets/{row['id']}/photos/{photo['id']}"
        r = await api.get(url, headers=world.auth("property"))
        assert r.status_code == 200 and r.content == png and r.headers["content-type"] == "image/png"
        assert (await api.get(url, headers=world.auth("property_neighbour"))).status_code == 404
        assert (await api.get(url)).status_code == 401
