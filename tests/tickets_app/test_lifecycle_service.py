"""Every lifecycle transition and refusal through the service, against the database: state stored,
each transition recorded with actor, time and reason, residents told, refusals explained."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.tickets.lifecycle import Action, ActorRole, TransitionRefused
from core.tickets.rating import Rating
from core.tickets.service import (
    NotAllowed,
    TicketActor,
    TicketError,
    act,
    add_details,
    followers,
    staff_actor,
)
from storage.db import Database
from storage.models.tickets import Ticket, TicketEvent, TicketMessage
from tests.tickets_app.helpers import T0, Place, new_ticket, notified, setup_place

SH = ZoneInfo("Asia/Shanghai")
A = Action


def minutes(n: int) -> datetime:
    return T0 + timedelta(minutes=n)


async def staff(s: AsyncSession, t: Ticket, person_id: int) -> TicketActor:
    return await staff_actor(s, person_id, t)


def resident(place: Place, who: str = "resident") -> TicketActor:
    return TicketActor(ActorRole.RESIDENT, getattr(place, who))


async def events(s: AsyncSession, t: Ticket) -> list[tuple[str, str | None, str, str, int | None, str | None]]:
    rows = await s.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id))
    return [(e.action, e.from_status, e.to_status, e.actor_role, e.actor_person_id, e.reason) for e in rows]


async def refused(coro: object) -> str:
    with pytest.raises((TransitionRefused, TicketError)) as info:
        await coro  # type: ignore[misc]
    e = info.value
    return e.message if isinstance(e, TransitionRefused) else str(e)


async def test_main_path_records_who_when_and_tells_the_resident(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p)
        prop = await staff(s, t, p.property_staff)
        await act(s, t, prop, A.ACCEPT, minutes(10))
        await act(s, t, prop, A.DISPATCH, minutes(20), reason="派给维保组")
        await act(s, t, prop, A.START, minutes(30))
        await act(s, t, prop, A.ANSWER, minutes(40), text="已更换门机板，电梯恢复运行。")
        await act(s, t, resident(p), A.RATE, minutes(50), rating=Rating.SATISFIED)
        await act(s, t, prop, A.CLOSE, minutes(60))
        assert t.status == "closed" and t.rating == "satisfied"
        assert t.responded_at == minutes(10) and t.answered_at == minutes(40) and t.finished_at == minutes(60)
        assert await events(s, t) == [
            ("create", None, "new", "resident", p.resident, None),
            ("accept", "new", "accepted", "property_staff", p.property_staff, None),
            ("dispatch", "accepted", "dispatched", "property_staff", p.property_staff, "派给维保组"),
            ("start", "dispatched", "in_progress", "property_staff", p.property_staff, None),
            ("answer", "in_progress", "answered", "property_staff", p.property_staff, None),
            ("rate", "answered", "rated", "resident", p.resident, None),
            ("close", "rated", "closed", "property_staff", p.property_staff, None),
        ]
        times = list(await s.scalars(select(TicketEvent.at).where(TicketEvent.ticket_id == t.id)
                                     .order_by(TicketEvent.id)))
        assert times == [T0, *(minutes(n) for n in (10, 20, 30, 40, 50, 60))]
        [answer] = await s.scalars(select(TicketMessage).where(TicketMessage.ticket_id == t.id,
                                                               TicketMessage.kind == "answer"))
        assert answer.text == "已更换门机板，电梯恢复运行。" and answer.author_person_id == p.property_staff
        told = await notified(s, p.resident)
        assert told[0] == f"工单 {t.number}（电梯故障或困人）已受理，将于 11月30日（周一） 前答复您。"
        assert told[1].startswith(f"【工单答复】工单 {t.number}") and told[1].endswith("请对处理结果进行评价：")
        assert told[2] == f"工单 {t.number}（电梯故障或困人）已办结（销号），感谢您的反馈。"


async def test_return_sends_the_ticket_back_to_the_dispatcher_with_a_reason(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="noise", text="楼上装修每天晚上十点还在砸墙")
        st = await staff(s, t, p.street_staff)
        await act(s, t, st, A.ACCEPT, minutes(1))
        await act(s, t, st, A.DISPATCH, minutes(2), department="environment")
        assert "退单须说明原因" in await refused(act(s, t, st, A.RETURN, minutes(3)))
        await act(s, t, st, A.RETURN, minutes(3), reason="噪声扰民属公安管辖，请改派派出所")
        assert t.status == "returned"
        await act(s, t, st, A.DISPATCH, minutes(4), department="police")
        assert t.status == "dispatched" and t.department == "police"
        assert "本街道没有登记部门「market」" in await refused(act(s, t, st, A.DISPATCH, minutes(5),
                                                                     department="market"))
        # Returns are internal: the resident hears of dispatches, not of the return.
        assert [x for x in await notified(s, p.resident) if "退" in x] == []


async def test_extension_once_with_reason_told_to_the_resident(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="water_leak", text="地下室水管漏水")
        prop = await staff(s, t, p.property_staff)
        await act(s, t, prop, A.ACCEPT, minutes(1))
        assert "延期须为1至10个工作日" in await refused(act(s, t, prop, A.EXTEND, minutes(2), reason="等配件",
                                                            days=11))
        assert "延期须说明原因" in await refused(act(s, t, prop, A.EXTEND, minutes(2), days=3))
        await act(s, t, prop, A.EXTEND, minutes(2), reason="需厂家寄送阀门配件", days=3)
        assert t.status == "extended" and t.extended_from == "accepted" and t.extensions == 1
        # 30 Nov + 3 working days = 3 December, end of day.
        assert t.answer_due.astimezone(SH) == datetime(2026, 12, 3, 23, 59, 59, tzinfo=SH)
        assert f"工单 {t.number}（漏水、管道、下水堵塞）需要延期办理。\n原因：需厂家寄送阀门配件\n" \
               "新的答复期限：12月3日（周四） 前。" in await notified(s, p.resident)
        await act(s, t, prop, A.DISPATCH, minutes(3))
        assert t.status == "dispatched" and t.extended_from is None
        assert "已延期过一次" in await refused(act(s, t, prop, A.EXTEND, minutes(4), reason="还要等", days=2))


async def test_utilities_deadline_cannot_be_extended(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="utilities", text="整栋楼停水一天了")
        assert t.answer_due == T0 + timedelta(hours=24)
        st = await staff(s, t, p.street_staff)
        await act(s, t, st, A.ACCEPT, minutes(1))
        assert "此类工单时限不能延期" in await refused(act(s, t, st, A.EXTEND, minutes(2), reason="x", days=1))


async def test_merge_moves_the_reporter_to_the_target_and_ends_the_duplicate(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        first = await new_ticket(s, p)
        second = await new_ticket(s, p, reporter=p.neighbour, text="6号楼电梯又停了")
        prop = await staff(s, second, p.property_staff)
        assert "合并须指明目标工单" in await refused(act(s, second, prop, A.MERGE, minutes(1)))
        assert "不能把工单合并到它自己" in await refused(act(s, second, prop, A.MERGE, minutes(1),
                                                            target=second.number))
        await act(s, second, prop, A.MERGE, minutes(1), target=first.number)
        assert second.status == "merged" and second.merged_into_id == first.id and second.finished_at
        assert await followers(s, first.id) == [p.neighbour]
        assert f"与工单 {first.number} 为同一问题" in (await notified(s, p.neighbour))[-1]
        assert "工单已合并到其他工单，不能再受理" in await refused(act(s, second, prop, A.ACCEPT, minutes(2)))
        assert f"工单 {second.number} 已结束" in await refused(act(s, first, prop, A.MERGE, minutes(3),
                                                                 target=second.number))
        # The follower hears of the target's progress too.
        await act(s, first, prop, A.ACCEPT, minutes(4))
        assert f"工单 {first.number}（电梯故障或困人）已受理" in (await notified(s, p.neighbour))[-1]


async def test_referral_says_to_whom(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="other", text="小区外马路上的路灯不亮", building=None)
        com = await staff(s, t, p.community_staff)
        assert com.role is ActorRole.COMMUNITY_STAFF
        assert "转办须说明转给哪个单位" in await refused(act(s, t, com, A.REFER, minutes(1)))
        await act(s, t, com, A.REFER, minutes(1), target="市政路灯管理所", reason="市政道路不属小区")
        assert t.status == "referred" and t.referred_to == "市政路灯管理所" and t.responded_at == minutes(1)
        assert "已转交：市政路灯管理所" in (await notified(s, p.resident))[-1]
        assert "工单已转办其他单位，不能再答复" in await refused(act(s, t, com, A.ANSWER, minutes(2), text="x"))


async def test_unsatisfied_reopens_once_then_escalates_to_the_street(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="sanitation", text="垃圾三天没清运", building="2")
        prop = await staff(s, t, p.property_staff)
        for a in (A.ACCEPT, A.DISPATCH):
            await act(s, t, prop, a, minutes(1))
        await act(s, t, prop, A.ANSWER, minutes(2), text="已清运")
        assert "不满意须说明原因" in await refused(act(s, t, resident(p), A.RATE, minutes(3),
                                                       rating=Rating.UNSATISFIED))
        await act(s, t, resident(p), A.RATE, T0 + timedelta(days=1), rating=Rating.UNSATISFIED,
                  reason="根本没清运，还堆着")
        assert t.status == "reopened" and t.reopens == 1 and t.rating is None
        # A fresh deadline counted from the reopening: Tue 24 Nov + 5 working days.
        assert t.answer_due.astimezone(SH) == datetime(2026, 12, 1, 23, 59, 59, tzinfo=SH)
        await act(s, t, prop, A.ANSWER, T0 + timedelta(days=2), text="已全部清运并消毒")
        await act(s, t, resident(p), A.RATE, T0 + timedelta(days=3), rating=Rating.UNSATISFIED, reason="还是有")
        assert t.status == "rated" and t.supervised and t.rating == "unsatisfied"
        assert t.queue == "street_office" and t.office_id == p.street_office_id
        assert any("【督办】" in x for x in await notified(s, p.street_staff))
        # Under supervision only the street or community may close it.
        assert "工单正在督办，须由街道或社区销号" in await refused(act(s, t, prop, A.CLOSE, minutes(9)))
        await act(s, t, await staff(s, t, p.street_staff), A.CLOSE, T0 + timedelta(days=4))
        assert t.status == "closed"


async def test_supervising_office_reopens_with_a_reason(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p, category="greening", text="树枝挡住了窗户", building="3")
        prop = await staff(s, t, p.property_staff)
        for a in (A.ACCEPT, A.DISPATCH):
            await act(s, t, prop, a, minutes(1))
        await act(s, t, prop, A.ANSWER, minutes(2), text="已修剪")
        assert "物业人员不能重新办理" in await refused(act(s, t, prop, A.REOPEN, minutes(3), reason="x"))
        com = await staff(s, t, p.community_staff)
        assert "重新办理须说明原因" in await refused(act(s, t, com, A.REOPEN, minutes(3)))
        await act(s, t, com, A.REOPEN, minutes(3), reason="现场核查未修剪")
        assert t.status == "reopened"
        assert "已重新办理。\n原因：现场核查未修剪" in (await notified(s, p.resident))[-1]


async def test_illegal_moves_and_wrong_people_are_refused(db: Database) -> None:
    async with db.session() as s:
        p = await setup_place(s)
        other = await setup_place(s, "T2")
        t = await new_ticket(s, p)
        prop = await staff(s, t, p.property_staff)
        assert "工单待受理，不能答复" in await refused(act(s, t, prop, A.ANSWER, minutes(1), text="好了"))
        await act(s, t, prop, A.ACCEPT, minutes(1))
        await act(s, t, prop, A.DISPATCH, minutes(2))
        assert "答复内容不能为空" in await refused(act(s, t, prop, A.ANSWER, minutes(3), text="  "))
        # Street staff see property tickets (supervision) but act on them only once supervised.
        street = await staff(s, t, p.street_staff)
        assert "这是物业工单，街道工作人员不能答复" in await refused(act(s, t, street, A.ANSWER, minutes(3), text="x"))
        # Staff of another estate and residents who are not parties get nothing.
        with pytest.raises(NotAllowed):
            await staff_actor(s, other.property_staff, t)
        with pytest.raises(NotAllowed):
            await act(s, t, TicketActor(ActorRole.PROPERTY_STAFF, other.property_staff), A.ANSWER, minutes(4),
                      text="x")
        with pytest.raises(NotAllowed):
            await add_details(s, t, p.neighbour, minutes(4), text="我来看看")
        await act(s, t, prop, A.ANSWER, minutes(5), text="已修复")
        with pytest.raises(NotAllowed):
            await act(s, t, resident(p, "neighbour"), A.RATE, minutes(6), rating=Rating.SATISFIED)
        assert "居民尚未评价，不能销号" in await refused(act(s, t, prop, A.CLOSE, minutes(6)))
        assert "居民不能受理" in await refused(act(s, t, resident(p), A.ACCEPT, minutes(6)))


async def test_details_from_reporter_and_follower_join_the_thread(db: Database) -> None:
    from core.tickets.service import follow

    async with db.session() as s:
        p = await setup_place(s)
        t = await new_ticket(s, p)
        await add_details(s, t, p.resident, minutes(1), text="电话13812345678，随时联系")
        assert await follow(s, t, p.neighbour, minutes(2)) is True
        assert await follow(s, t, p.neighbour, minutes(3)) is False
        await add_details(s, t, p.neighbour, minutes(4), photo_ref="web-upload:abc")
        thread = list(await s.scalars(select(TicketMessage).where(TicketMessage.ticket_id == t.id)
                                      .order_by(TicketMessage.id)))
        assert [(m.kind, m.author_person_id, m.text, m.photo_ref) for m in thread] == [
            ("report", p.resident, "6号楼电梯坏了", None),
            ("details", p.resident, "电话13812345678，随时联系", None),
            ("details", p.neighbour, None, "web-upload:abc"),
        ]
        assert [e[0] for e in await events(s, t)] == ["create", "add_details", "follow", "add_details"]
        # Each details event names its message, for the outbox that will forward it to the office.
        data = list(await s.scalars(select(TicketEvent.data).where(TicketEvent.ticket_id == t.id,
                                                                   TicketEvent.action == "add_details")
                                    .order_by(TicketEvent.id)))
        assert [d["message_id"] for d in data] == [m.id for m in thread[1:]]
        assert data[0]["number"] == t.number and data[0]["queue"] == "property_company"
        await act(s, t, await staff(s, t, p.property_staff), A.REFER, minutes(5), target="电梯维保公司")
        assert "工单已转办其他单位，不能再补充说明" in await refused(add_details(s, t, p.resident, minutes(6), text="x"))
