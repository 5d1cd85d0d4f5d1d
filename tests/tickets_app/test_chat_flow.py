"""The complaint flow in chat: restating, asking only for what is missing, correcting the category,
anonymous reports, duplicates, urgent cases, details, rating and progress; and that one resident
cannot reach another's ticket."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.tickets.lifecycle import Action
from core.tickets.service import act, staff_actor, ticket_by_id
from handlers.messages import Incoming, Location, Photo
from storage.models.notifications import Notification
from storage.models.tickets import Ticket, TicketFollower, TicketMessage
from tests.chat_stub import ChatStub
from tests.tickets_app.conftest import World


def stub(world: World, sender: str) -> ChatStub:
    return ChatStub(world.rt.dispatcher, sender=sender)


async def owner(world: World, sender: str, code_index: int = 0) -> ChatStub:
    assert world.rt.demo is not None
    c = stub(world, sender)
    assert "绑定成功" in await c.say(world.rt.demo.codes[code_index][1])
    return c


async def tickets(world: World) -> list[Ticket]:
    async with world.rt.db.session() as s:
        return list(await s.scalars(select(Ticket).order_by(Ticket.id)))


async def notified(world: World, person_id: int) -> list[str]:
    async with world.rt.db.session() as s:
        return [n.body["text"] for n in await s.scalars(
            select(Notification).where(Notification.person_id == person_id).order_by(Notification.id))]


async def test_missing_place_is_asked_and_home_is_offered(world: World) -> None:
    c = await owner(world, "o1")  # owner of 1号楼1单元101
    reply = await c.say("楼道灯不亮，晚上上楼看不见")
    assert "我理解为：楼道灯。\n请问具体在哪里？" in reply
    assert "在我家 1号楼1单元101" in c.labels()
    reply = await c.press("在我家 1号楼1单元101")
    assert "我理解为：楼道灯，1号楼1单元101。对吗？" in reply
    await c.press("对，提交")
    [t] = await tickets(world)
    assert (t.building, t.unit, t.room, t.category) == ("1", "1", "101", "public_lighting")


async def test_location_answers_the_place_question(world: World) -> None:
    c = await owner(world, "o1")
    await c.say("有人在绿化带里私自种菜圈地")
    assert "请问具体在哪里" in "\n".join(o.text for o in c.last)
    out = await world.rt.dispatcher.handle(Incoming("console", "o1", "o1",
                                                    location=Location(40.81, 111.65, "中心花园北侧")))
    assert "中心花园北侧。对吗？" in out[0].text
    assert "已提交" in await c.payload("tkok")
    [t] = await tickets(world)
    assert (t.place, t.latitude, t.longitude) == ("中心花园北侧", 40.81, 111.65)


async def test_category_can_be_corrected_from_all_categories(world: World) -> None:
    c = await owner(world, "o1")
    reply = await c.say("6号楼门口的灯坏了好几天")
    assert "我理解为：楼道灯，6号楼。对吗？" in reply
    await c.press("都不对")
    assert "门禁" in c.labels()
    reply = await c.press("门禁")
    assert "我理解为：门禁，6号楼。对吗？" in reply
    await c.press("对，提交")
    assert [t.category for t in await tickets(world)] == ["facility_damage"]


async def test_photo_with_caption_and_anonymous_report(world: World) -> None:
    await owner(world, "o1")
    out = await world.rt.dispatcher.handle(Incoming("console", "o1", "o1", text="3号楼楼道里堆满了纸箱杂物",
                                                    photo=Photo("tg-file-123")))
    assert "我理解为：楼道堆物，3号楼。对吗？" in out[0].text and "已附照片 1 张" in out[0].text
    await world.rt.dispatcher.handle(Incoming("console", "o1", "o1", photo=Photo("tg-file-456")))
    reply = await stub(world, "o1").payload("tkanon")
    assert "已提交（匿名）" in reply
    [t] = await tickets(world)
    assert t.anonymous
    async with world.rt.db.session() as s:
        photos = list(await s.scalars(select(TicketMessage.photo_ref).where(TicketMessage.ticket_id == t.id,
                                                                            TicketMessage.photo_ref.is_not(None))))
    assert photos == ["tg-file-123", "tg-file-456"]
    async with world.client() as http:
        detail = (await http.get(f"/api/staff/tickets/{t.id}", headers=world.auth("property"))).json()
        assert detail["reporter"] == {"name": "匿名", "phone": None}
        assert detail["thread"][0]["author"] == "居民" and [x["has_photo"] for x in detail["thread"]] == [
            False, True, True]


async def test_duplicate_offer_follow_and_separate_report(world: World) -> None:
    first = await owner(world, "o1", 0)
    await first.say("6号楼电梯坏了")
    await first.press("对，提交")
    second = await owner(world, "o2", 1)
    await second.say("6号楼的电梯又不动了")
    reply = await second.press("对，提交")
    assert "同一问题已有人反映，加入关注？" in reply and "（待受理）" in reply
    reply = await second.press("我也遇到了")
    assert "已加入关注工单" in reply
    [t] = await tickets(world)
    async with world.rt.db.session() as s:
        followers = list(await s.scalars(select(TicketFollower.person_id).where(TicketFollower.ticket_id == t.id)))
        t = await ticket_by_id(s, t.id)
        await act(s, t, await staff_actor(s, world.staff["property"], t), Action.ACCEPT, world.clock())
    [follower] = followers
    assert f"工单 {t.number}（电梯故障或困人）已受理" in (await notified(world, follower))[-1]
    assert "您最近的工单" in await second.say("我的工单") and t.number in "\n".join(o.text for o in second.last)

    # Another building is another problem; and a resident may still report separately.
    third = await owner(world, "o3", 2)
    await third.say("5号楼电梯坏了")
    assert "已提交" in await third.press("对，提交")
    await third.say("6号楼电梯坏了，按钮没反应")
    assert "同一问题已有人反映" in await third.press("对，提交")
    assert "已提交" in await third.press("仍要单独提交")
    assert [x.building for x in await tickets(world)] == ["6", "5", "6"]
    # After 72 hours it is no longer offered.
    world.clock.now += timedelta(hours=73)
    await third.say("6号楼电梯坏了")
    assert "已提交" in await third.press("对，提交")


async def test_urgent_message_gets_advice_and_alerts_at_once(world: World) -> None:
    c = await owner(world, "o1")
    reply = await c.say("3号楼电梯困人了！里面有老人，快来人")
    assert "被困电梯请保持冷静" in reply and "火警 119 · 报警 110 · 急救 120" in reply
    assert "电梯救援 96333" in reply and "燃气抢修 96777" in reply
    assert "已生成紧急工单" in reply  # no confirmation step
    [t] = await tickets(world)
    assert t.urgent and t.urgency_reason == "trapped" and t.category == "elevator" and t.building == "3"
    assert t.response_due == world.clock() + timedelta(hours=2)
    for label in ("property", "street"):
        [alert] = await notified(world, world.staff[label])
        assert alert.startswith("【紧急工单】阳光花园 3号楼") and t.number in alert
    for label in ("property_neighbour", "street_elsewhere", "community"):
        assert await notified(world, world.staff[label]) == []


async def test_urgent_from_a_visitor_asks_the_estate_then_opens(world: World) -> None:
    c = stub(world, "v1")
    reply = await c.say("楼道里有很浓的燃气味")
    assert "立即关闭燃气总阀" in reply and "请问是哪个小区？" in reply and "96777" not in reply
    reply = await c.press("阳光花园")
    assert "燃气抢修 96777" in reply and "已生成紧急工单" in reply
    [t] = await tickets(world)
    assert t.urgent and t.urgency_reason == "gas"


async def test_details_rating_and_reopening_in_chat(world: World) -> None:
    c = await owner(world, "o1")
    await c.say("2号楼门口垃圾三天没人清运")
    await c.press("对，提交")
    reply = await c.press("补充说明")
    assert "请发送要补充到工单" in reply
    assert "已补充到工单" in await c.say("味道很大，苍蝇很多")
    out = await world.rt.dispatcher.handle(Incoming("console", "o1", "o1", photo=Photo("tg-photo-1")))
    assert "已补充到工单" in out[0].text and "（照片）" in out[0].text
    assert "补充内容已提交" in await c.press("完成")
    [t] = await tickets(world)
    async with world.rt.db.session() as s:
        kinds = list(await s.scalars(select(TicketMessage.kind).where(TicketMessage.ticket_id == t.id)
                                     .order_by(TicketMessage.id)))
        assert kinds == ["report", "details", "details"]
        t = await ticket_by_id(s, t.id)
        prop = await staff_actor(s, world.staff["property"], t)
        for a in (Action.ACCEPT, Action.DISPATCH):
            await act(s, t, prop, a, world.clock())
        await act(s, t, prop, Action.ANSWER, world.clock(), text="已安排清运")

    # Someone else cannot rate or add to it, even with the payload.
    other = await owner(world, "o2", 1)
    assert "只有反映问题的居民可以评价" in await other.payload(f"tkrate:{t.id}:s")
    assert "这不是您反映的工单" in await other.payload(f"tkadd:{t.id}")
    assert t.number not in await other.say("我的工单")

    reply = await c.payload(f"tkrate:{t.id}:u")
    assert "请说明不满意的原因" in reply
    reply = await c.say("还是没人来清运")
    assert "已重新交办" in reply
    async with world.rt.db.session() as s:
        t = await ticket_by_id(s, t.id)
        assert t.status == "reopened" and t.reopens == 1
    assert "无需评价" in await c.payload(f"tkrate:{t.id}:s")


async def test_progress_lists_status_deadline_and_answer(world: World) -> None:
    c = await owner(world, "o1")
    assert "您还没有反映过问题" in await c.say("我的工单")
    await c.say("6号楼电梯坏了")
    await c.press("对，提交")
    reply = await c.say("我的报修怎么样了")  # intent progress, through the free-text router
    assert "您最近的工单" in reply and "电梯故障，6号楼：待受理，11月30日（周一） 前答复" in reply
    async with world.rt.db.session() as s:
        n = await s.scalar(select(func.count(Ticket.id)))
    assert n == 1


async def test_typing_buchong_adds_to_the_only_open_ticket(world: World) -> None:
    c = await owner(world, "o1")
    await c.say("6号楼电梯坏了")
    await c.press("对，提交")
    reply = await c.say("补充 电梯里还有异响")
    assert "已补充到工单" in reply
    [t] = await tickets(world)
    async with world.rt.db.session() as s:
        texts = list(await s.scalars(select(TicketMessage.text).where(TicketMessage.ticket_id == t.id)
                                     .order_by(TicketMessage.id)))
    assert texts == ["6号楼电梯坏了", "电梯里还有异响"]
    await c.press("完成")
    await c.say("3号楼楼道灯不亮")
    await c.press("对，提交")
    reply = await c.say("补充")
    assert "要补充到哪个工单？" in reply and len(c.labels()) == 2


async def test_complaint_started_from_a_button_asks_for_the_words(world: World) -> None:
    """The free-text router may start a complaint from a button (an intent picked from a list):
    with no words to go on, the flow asks for them before anything else."""
    from handlers import complaints
    from handlers.dispatcher import Context, Router
    from nlp import understand

    picker = Router("picker")

    @picker.button("pick")
    async def pick(ctx: Context) -> None:
        await complaints.start_complaint(ctx, understand("投诉"), text="")

    world.rt.dispatcher.routers.insert(0, picker)
    c = await owner(world, "o1")
    assert "请用一句话描述需要处理的问题" in await c.payload("pick")
    reply = await c.say("5号楼楼道灯坏了")
    assert "我理解为：楼道灯，5号楼。对吗？" in reply
    await c.press("对，提交")
    [t] = await tickets(world)
    assert (t.description, t.category, t.building) == ("5号楼楼道灯坏了", "public_lighting", "5")


async def test_danger_mentioned_while_confirming_opens_an_urgent_ticket(world: World) -> None:
    c = await owner(world, "o1")
    assert "对吗？" in await c.say("4号楼配电箱有异响")
    reply = await c.say("现在配电箱冒烟了")
    assert "⚠️ 紧急情况" in reply and "已生成紧急工单" in reply
    [t] = await tickets(world)
    assert t.urgent and t.building == "4" and t.description == "4号楼配电箱有异响 现在配电箱冒烟了"
