"""The ticket queue and the ticket page through the desk client: every action succeeds for the
staff whose work it is, and is refused (with the reason shown, what was typed kept) otherwise."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

from sqlalchemy import select

from core.tickets.lifecycle import Action
from storage.models.notifications import Notification
from storage.models.tickets import Ticket, TicketEvent, TicketMessage
from tests.console.authz_tickets import (
    ACCEPTED, ANSWERED, DISPATCHED, RATED, STREET_ACCEPTED, make_ticket)
from tests.console.conftest import ConsoleClient, Desk


async def ticket(desk: Desk, tid: int) -> Ticket:
    async with desk.rt.db.session() as s:
        t = await s.get(Ticket, tid)
        assert t is not None
        s.expunge(t)
        return t


def flash(c: ConsoleClient) -> str:
    return unquote(c.c.cookies.get("linli_flash", path="/console") or "")


def numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/console/tickets/\d+">([^<]+)</a>', html)


# -- the queue ------------------------------------------------------------------------------------------
async def test_queue_shows_the_viewers_queue_with_filters_counts_and_order(desk: Desk) -> None:
    lift = await make_ticket(desk)
    accepted = await make_ticket(desk, ACCEPTED, category="water_leak", text="地下车库漏水")
    fumes = await make_ticket(desk, category="cooking_fumes", text="楼下饭店油烟太大")
    neighbours = await make_ticket(desk, estate_id=desk.neighbour.id)
    n = {tid: (await ticket(desk, tid)).number for tid in (lift, accepted, fumes, neighbours)}

    prop = await desk.signed_in("property")
    page = (await prop.get("/console/tickets")).text
    assert sorted(numbers(page)) == sorted([n[lift], n[accepted]])  # not the street's, not 绿园's
    assert "共 2 件" in page and "电梯故障或困人" in page and "待受理" in page
    assert numbers((await prop.get("/console/tickets?status=accepted")).text) == [n[accepted]]
    finished = await make_ticket(desk, [*RATED, ("property", Action.CLOSE, {})])
    n[finished] = (await ticket(desk, finished)).number
    assert n[finished] not in numbers((await prop.get("/console/tickets")).text)  # the open queue
    every = (await prop.get("/console/tickets?status=all")).text
    assert n[finished] in numbers(every) and "已办结" in every
    assert 'href="/console/tickets?status=all&amp;scope=all&amp;sort=work&amp;page=1"' in every  # kept
    assert numbers((await prop.get("/console/tickets?category=elevator")).text) == [n[lift]]
    assert numbers((await prop.get(f"/console/tickets?estate={desk.estate.id}&status=new")).text) == [n[lift]]

    street = await desk.signed_in("street")
    page = (await street.get("/console/tickets")).text
    assert numbers(page) == [n[fumes]]  # the street's own queue: street-level tickets
    assert "区生态环境分局" in page  # the department to summon
    everything = (await street.get("/console/tickets?scope=all")).text
    assert sorted(numbers(everything)) == sorted(v for k, v in n.items() if k != finished)  # 绿园 included
    assert numbers((await street.get("/console/tickets?scope=all&department=environment")).text) == [n[fumes]]
    assert numbers((await (await desk.signed_in("street_elsewhere")).get("/console/tickets?scope=all")).text) == []

    # Sorted by deadline both ways: the later-reported ticket has the later deadline.
    desk.clock.now += timedelta(days=1)
    later = await make_ticket(desk, text="1号楼电梯异响")
    n[later] = (await ticket(desk, later)).number
    prop = await desk.signed_in("property")  # a day later: a new sign-in
    up = numbers((await prop.get("/console/tickets?sort=due&category=elevator")).text)
    down = numbers((await prop.get("/console/tickets?sort=-due&category=elevator")).text)
    assert up == [n[lift], n[later]] and down == [n[later], n[lift]]


async def test_pages_speak_english_on_request(desk: Desk) -> None:
    tid = await make_ticket(desk)
    prop = await desk.signed_in("property")
    prop.c.cookies.set("linli_lang", "en", domain="linli.test")
    queue = (await prop.get("/console/tickets")).text
    assert "Ticket queue" in queue and "Tickets: 1" in queue and "共 1 件" not in queue
    page = (await prop.get(f"/console/tickets/{tid}")).text
    assert "Thread" in page and "History" in page and "Deadline" in page


async def test_bad_filters_are_dropped_with_a_message(desk: Desk) -> None:
    await make_ticket(desk)
    prop = await desk.signed_in("property")
    r = await prop.get(f"/console/tickets?status=bogus&estate={desk.elsewhere.id}&page=x&sort=<b>")
    assert r.status_code == 200
    assert "筛选条件「bogus」无效" in r.text and f"筛选条件「{desk.elsewhere.id}」无效" in r.text
    assert "页码无效" in r.text and "&lt;b&gt;" in r.text and "<b>」" not in r.text
    assert len(numbers(r.text)) == 1  # the defaults apply: the open queue
    assert (await prop.get("/console/tickets/abc")).status_code == 404


async def test_overdue_count_in_the_header_and_as_json(desk: Desk) -> None:
    await make_ticket(desk)
    await make_ticket(desk, ACCEPTED)
    prop = await desk.signed_in("property")
    assert (await prop.get("/console/tickets/overdue.json")).json() == {"overdue": 0}
    desk.clock.now += timedelta(days=10)  # past the 5 working days
    prop = await desk.signed_in("property")
    assert (await prop.get("/console/tickets/overdue.json")).json() == {"overdue": 2}
    page = (await prop.get("/console/tickets")).text
    assert re.search(r"<b data-overdue>2</b>", page)
    assert len(numbers((await prop.get("/console/tickets?overdue=1")).text)) == 2
    assert numbers((await prop.get("/console/tickets?overdue=0")).text) == []
    # The street's queue holds none of them (property-level, not yet under supervision).
    assert (await (await desk.signed_in("street")).get("/console/tickets/overdue.json")).json() == {"overdue": 0}


# -- the ticket page ------------------------------------------------------------------------------------
async def test_ticket_page_shows_thread_photo_history_deadline_and_the_actions_allowed_now(desk: Desk) -> None:
    tid = await make_ticket(desk, photo=True, text="6号楼电梯坏了，联系我13812345678")
    prop = await desk.signed_in("property")
    page = (await prop.get(f"/console/tickets/{tid}")).text
    assert "6号楼电梯坏了，联系我138****5678" in page  # phones masked in the words too
    assert "张阿姨 · 138****5678" in page and "6号楼2单元801" in page
    assert "2026-11-30 23:59" in page and "剩余 7天13小时" in page
    assert re.findall(r'id="act-(\w+)"', page) == ["accept"]
    [src] = re.findall(r'<img src="(/console/tickets/\d+/photos/\d+)"', page)
    r = await prop.get(src)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG")
    assert (await (await desk.signed_in("property_neighbour")).get(src)).status_code == 404

    # Street staff supervising see the reporter too; for a complaint about the property company
    # property staff never learn who complained.
    street_page = (await (await desk.signed_in("street")).get(f"/console/tickets/{tid}")).text
    assert "张阿姨" in street_page and 'id="act-' not in street_page  # not the street's to act on
    about = await make_ticket(desk, category="property_service", text="物业客服态度很差")
    street = await desk.signed_in("street")
    assert "张阿姨" in (await street.get(f"/console/tickets/{about}")).text
    assert (await prop.get(f"/console/tickets/{about}")).status_code == 404  # street-level: not property's


async def test_photo_kept_on_a_chat_platform_is_named_not_served(desk: Desk) -> None:
    tid = await make_ticket(desk, channel="telegram")
    async with desk.rt.db.session() as s:
        m = TicketMessage(ticket_id=tid, kind="details", author_role="resident", photo_ref="AgACAgUAAxkBAAIC",
                          created_at=desk.clock())
        s.add(m)
        await s.flush()
        mid = m.id
    prop = await desk.signed_in("property")
    assert "照片保存在 Telegram" in (await prop.get(f"/console/tickets/{tid}")).text
    r = await prop.get(f"/console/tickets/{tid}/photos/{mid}")
    assert r.status_code == 404 and "保存在聊天平台" in r.text


async def test_accept_dispatch_start_answer_reach_the_resident(desk: Desk) -> None:
    tid = await make_ticket(desk)
    prop = await desk.signed_in("property")
    for action, data in (("accept", {}), ("dispatch", {}), ("start", {}),
                         ("answer", {"text": "已联系电梯维保单位，今天下午已修复。"})):
        r = await prop.post(f"/console/tickets/{tid}/{action}", data)
        assert r.status_code == 303 and r.headers["location"] == f"/console/tickets/{tid}", (action, r.text)
        assert flash(prop).endswith(f"已{Action(action).zh}")
    page = (await prop.get(f"/console/tickets/{tid}")).text
    assert "已答复" in page and "今天下午已修复" in page and "物业人员 物业甲·客服" in page
    assert "派往" not in page  # a property company's own dispatch names no department
    assert re.findall(r'<td>(受理|派单|开始办理|答复)</td>', page) == ["受理", "派单", "开始办理", "答复"]
    assert (await ticket(desk, tid)).status == "answered"
    async with desk.rt.db.session() as s:
        t = await s.get(Ticket, tid)
        assert t is not None
        told = [n.body.get("text", "") for n in await s.scalars(
            select(Notification).where(Notification.person_id == t.reporter_person_id))]
    assert any("【工单答复】" in x and "今天下午已修复" in x for x in told)
    assert any("已受理" in x for x in told)


async def test_an_empty_answer_is_refused_and_the_page_says_why(desk: Desk) -> None:
    tid = await make_ticket(desk, DISPATCHED)
    prop = await desk.signed_in("property")
    r = await prop.post(f"/console/tickets/{tid}/answer", {"text": "   "})
    assert r.status_code == 409 and "答复内容不能为空" in r.text and 'role="alert"' in r.text
    assert (await ticket(desk, tid)).status == "dispatched"


async def test_street_officer_dispatches_to_a_department(desk: Desk) -> None:
    tid = await make_ticket(desk, STREET_ACCEPTED, category="noise", text="小区外广场舞噪声太大")
    street = await desk.signed_in("street")
    page = (await street.get(f"/console/tickets/{tid}")).text
    assert '<option value="police" selected>幸福派出所</option>' in page  # the routed department first
    r = await street.post(f"/console/tickets/{tid}/dispatch", {"department": "nowhere"})
    assert r.status_code == 409 and "本街道没有登记部门「nowhere」" in r.text
    assert (await ticket(desk, tid)).status == "accepted"
    r = await street.post(f"/console/tickets/{tid}/dispatch", {"department": "law_enforcement"})
    assert r.status_code == 303
    t = await ticket(desk, tid)
    assert t.status == "dispatched" and t.department == "law_enforcement"
    page = (await street.get(f"/console/tickets/{tid}")).text
    assert '<dd id="department">区综合行政执法局幸福中队</dd>' in page
    assert re.search(r"<td>派单</td>.*?派往 区综合行政执法局幸福中队", page, re.S)


async def test_return_needs_a_reason(desk: Desk) -> None:
    tid = await make_ticket(desk, DISPATCHED)
    prop = await desk.signed_in("property")
    r = await prop.post(f"/console/tickets/{tid}/return", {"reason": ""})
    assert r.status_code == 409 and "退单须说明原因" in r.text
    r = await prop.post(f"/console/tickets/{tid}/return", {"reason": "派错班组，应由电梯维保负责"})
    assert r.status_code == 303 and (await ticket(desk, tid)).status == "returned"
    assert "派错班组，应由电梯维保负责" in (await prop.get(f"/console/tickets/{tid}")).text


async def test_extend_checks_the_days_and_keeps_what_was_typed(desk: Desk) -> None:
    tid = await make_ticket(desk, ACCEPTED)
    before = (await ticket(desk, tid)).answer_due
    prop = await desk.signed_in("property")
    r = await prop.post(f"/console/tickets/{tid}/extend", {"days": "三天", "reason": "需要等待配件到货"})
    assert r.status_code == 422 and "1 到 60 之间的整数" in r.text
    assert "需要等待配件到货</textarea>" in r.text and 'value="三天"' in r.text
    r = await prop.post(f"/console/tickets/{tid}/extend", {"days": "3", "reason": ""})
    assert r.status_code == 409 and "延期须说明原因" in r.text
    r = await prop.post(f"/console/tickets/{tid}/extend", {"days": "3", "reason": "需要等待配件到货"})
    assert r.status_code == 303
    t = await ticket(desk, tid)
    assert t.status == "extended" and t.answer_due > before
    r = await prop.post(f"/console/tickets/{tid}/extend", {"days": "2", "reason": "再等等"})
    assert r.status_code == 409 and "工单已延期过一次" in r.text


async def test_close_waits_for_the_residents_rating(desk: Desk) -> None:
    answered = await make_ticket(desk, ANSWERED)
    rated = await make_ticket(desk, RATED)
    prop = await desk.signed_in("property")
    r = await prop.post(f"/console/tickets/{answered}/close", {})
    assert r.status_code == 409 and "居民尚未评价，不能销号" in r.text
    r = await prop.post(f"/console/tickets/{rated}/close", {"reason": "已回访"})
    assert r.status_code == 303 and (await ticket(desk, rated)).status == "closed"


async def test_refusals_by_role_jurisdiction_and_csrf(desk: Desk) -> None:
    tid = await make_ticket(desk)
    community = await desk.signed_in("community")
    r = await community.post(f"/console/tickets/{tid}/accept", {})
    assert r.status_code == 403 and "社区工作人员不能对物业工单进行「受理」操作" in r.text
    r = await (await desk.signed_in("property_neighbour")).post(f"/console/tickets/{tid}/accept", {})
    assert r.status_code == 404
    r = await (await desk.signed_in("property")).post(f"/console/tickets/{tid}/accept", {}, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = await (await desk.signed_in("committee")).get(f"/console/tickets/{tid}")
    assert r.status_code == 403
    assert (await ticket(desk, tid)).status == "new"
    async with desk.rt.db.session() as s:
        assert list(await s.scalars(select(TicketEvent.action).where(TicketEvent.ticket_id == tid))) == ["create"]


# -- bulk actions ---------------------------------------------------------------------------------------
async def test_bulk_accept_acts_on_each_ticket_and_says_what_was_refused(desk: Desk) -> None:
    fresh = [await make_ticket(desk) for _ in range(2)]
    already = await make_ticket(desk, ACCEPTED)
    neighbours = await make_ticket(desk, estate_id=desk.neighbour.id)
    n = {tid: (await ticket(desk, tid)).number for tid in (*fresh, already)}
    prop = await desk.signed_in("property")
    r = await prop.post("/console/tickets/bulk", {"action": "accept", "back": "/console/tickets?status=open",
                                                  "ticket": [str(t) for t in (*fresh, already, neighbours)]})
    assert r.status_code == 303 and r.headers["location"] == "/console/tickets?status=open"
    message = flash(prop)
    assert message.startswith(f"已受理 2 件：{n[fresh[0]]}、{n[fresh[1]]}。未能受理 2 件：")
    assert f"{n[already]}（工单已受理，不能受理）" in message
    assert f"#{neighbours}（不存在或不在您的管辖范围内）" in message
    assert [(await ticket(desk, t)).status for t in (*fresh, already, neighbours)] == \
        ["accepted", "accepted", "accepted", "new"]
    assert f"已受理 2 件：{n[fresh[0]]}" in (await prop.get("/console/tickets?status=open")).text  # shown once


async def test_bulk_close_with_a_reason_and_bad_bulk_forms(desk: Desk) -> None:
    rated = [await make_ticket(desk, RATED) for _ in range(2)]
    prop = await desk.signed_in("property")
    r = await prop.post("/console/tickets/bulk", {"action": "close", "reason": "已电话回访，居民满意",
                                                  "ticket": [str(t) for t in rated]})
    assert r.status_code == 303 and flash(prop).startswith("已销号 2 件")
    async with desk.rt.db.session() as s:
        reasons = list(await s.scalars(select(TicketEvent.reason).where(
            TicketEvent.ticket_id.in_(rated), TicketEvent.action == "close")))
    assert reasons == ["已电话回访，居民满意"] * 2
    for data, said in (({"action": "accept"}, "请先勾选要处理的工单"),
                       ({"action": "delete", "ticket": [str(rated[0])]}, "请选择批量操作"),
                       ({"action": "accept", "ticket": ["1; drop"]}, "所选工单无效"),
                       ({"action": "accept", "ticket": [str(i) for i in range(1, 52)]}, "一次最多处理 50 件")):
        r = await prop.post("/console/tickets/bulk", data)
        assert r.status_code == 303 and flash(prop).startswith(said)
    r = await prop.post("/console/tickets/bulk", {"action": "accept", "back": "https://evil.example/"})
    assert r.headers["location"] == "/console"
