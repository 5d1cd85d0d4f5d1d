"""Fees in the chat: owners see their own figures with the arithmetic; the committee and property
staff publish the disclosure (refused while a field is missing or a price change is too close)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from sqlalchemy import select

from core.fees.codec import schedule_from_json
from core.fees.ledger import generate_bills, record_payment, remove_schedule, set_schedule
from core.fees.periods import Period
from core.roles import Role
from handlers.messages import Incoming
from storage.db import Database
from storage.models.notifications import Notification
from tests.chat_stub import ChatStub
from tests.fees_app.chat import Clock, dispatcher
from tests.fees_app.conftest import NOW, SCHEDULE, fee_estate, owner_of, person, staff


async def billed(db: Database) -> tuple[int, dict[str, int]]:
    async with db.session() as s:
        estate, ids = await fee_estate(s)
        for p in ("2026-10", "2026-11"):
            await generate_bills(s, estate.id, Period.parse(p))
        await owner_of(s, "b", ids["1-1-102"])       # 低保, owes October and November
        await owner_of(s, "c", ids["1-2-101"])
        await record_payment(s, estate, ids["1-2-101"], D("144.60"), NOW, reference="R9")
        await person(s, "stranger")
        await staff(s, "pm", Role.PROPERTY_STAFF, estate.id)
        await staff(s, "wyh", Role.COMMITTEE, estate.id)
    return estate.id, ids


async def test_unverified_residents_are_told_how_to_verify(db: Database) -> None:
    await billed(db)
    stranger = ChatStub(dispatcher(db, Clock(NOW)), "stranger")
    for text in ("物业费", "我家物业费多少钱", "欠费"):
        assert "请发送 /bind" in await stranger.say(text)
        assert stranger.labels() == ["绑定房屋"]


async def test_an_owner_gets_their_own_figure_with_the_arithmetic(db: Database) -> None:
    _, ids = await billed(db)
    owner = ChatStub(dispatcher(db, Clock(NOW)), "b")
    answer = await owner.say("我家物业费多少钱")
    assert "【和园小区 1号楼1单元102】" in answer and "2026年11月物业费：" in answer
    assert "· 物业服务费：89.37㎡ × 1.20元/㎡·月 × 1个月 = 107.24元；低保户减免50% −53.62元；应缴 53.62元" in answer
    assert "本期合计应缴 53.62元，缴费期限 2026年12月1日。" in answer
    assert "目前待缴合计 107.24元：2026年10月 53.62元（已逾期）、2026年11月 53.62元" in answer
    assert "1号楼2单元101" not in answer and "144.60" not in answer   # nobody else's premises

    owes = await owner.say("我还欠多少物业费")
    assert "2026年10月：应缴 53.62元，已缴 0.00元，待缴 53.62元（已过缴费期限 2026年10月31日）" in owes
    assert "合计待缴 107.24元" in owes
    assert "按 89.37㎡ 计费" in await owner.press("收费标准")
    assert "邻里不代收任何款项" in await owner.say("物业费怎么交")
    # A button carrying another household's premises id shows nothing of it.
    assert await owner.payload(f"fee:o:{ids['1-2-101']}") == "只能查询您本人名下房屋的费用。"


async def test_paid_up_owner_and_history(db: Database) -> None:
    await billed(db)
    owner = ChatStub(dispatcher(db, Clock(NOW)), "c")
    assert "待缴 144.60元（缴费期限 2026年12月1日）" in await owner.say("欠费")  # October paid, November not due
    history = await owner.say("缴费记录")
    assert "· 2026年10月：144.60元，已缴清" in history and "· 2026年11月10日 144.60元（R9）" in history


async def test_no_figures_in_a_group(db: Database) -> None:
    await billed(db)
    d = dispatcher(db, Clock(NOW))
    [out] = await d.handle(Incoming("console", "group-1", "b", text="物业费", is_group=True))
    assert "不在群里显示" in out.text and "53.62" not in out.text


async def test_publishing_the_disclosure_names_what_is_missing_and_fills_it_in(db: Database) -> None:
    await billed(db)
    d = dispatcher(db, Clock(NOW))
    pm, owner, stranger = ChatStub(d, "pm"), ChatStub(d, "b"), ChatStub(d, "stranger")
    assert "只有本小区的业委会成员或物业工作人员" in await stranger.say("发布收费公示")
    review = await pm.say("发布收费公示")
    assert "暂不能发布" in review and "· 缺少必填项：收费对象" in review and "· 缺少必填项：服务人员" in review
    assert "物业服务企业名称" not in review  # taken from the register's property company
    assert pm.labels() == ["填写缺项", "取消"]
    assert "请输入「收费对象」" in await pm.press("填写缺项")
    answers = {"收费对象": "全体业主", "服务内容": "保洁、秩序维护", "服务标准": "二级", "收费依据": "物业服务合同",
               "报修方式": "0471-1234567", "服务人员": "项目经理 王某 0471-1234567；客服 李某",
               "公共水电分摊方式": "按建筑面积分摊"}
    reply = await pm.say(answers["收费对象"])
    while "请输入「" in reply:
        label = reply.split("「")[1].split("」")[0]
        reply = await pm.say(answers[label])
    assert "收费公示预览" in reply and "服务人员：项目经理 王某 0471-1234567；客服 李某" in reply
    assert "物业服务费：1.20元/㎡·月，政府指导价（基准价1.20元，浮动幅度±10%）" in reply
    assert "已通知 2 位认证业主" in await pm.press("确认发布")
    async with db.session() as s:
        notes = list(await s.scalars(select(Notification).where(Notification.kind == "notice")))
    assert len(notes) == 2 and all(n.body["text"].startswith("【收费公示】和园小区") for n in notes)

    assert "收费对象：全体业主" in await owner.say("收费公示")
    await owner.press("公示图片")
    image = owner.last[0].image
    assert image is not None and image.content_type == "image/png" and image.data[:4] == b"\x89PNG"
    await owner.say("收费公示")
    await owner.press("打印版PDF")
    doc = owner.last[0].document
    assert doc is not None and doc.data[:5] == b"%PDF-"
    ref = notes[0].body["buttons"][0][0]["payload"]
    assert "找不到这份收费公示" in await stranger.payload(ref)


async def test_a_price_change_must_be_disclosed_a_month_ahead(db: Database) -> None:
    estate_id, _ = await billed(db)
    d = dispatcher(db, Clock(NOW))
    committee = ChatStub(d, "wyh")
    from core.fees.publishing import save_draft
    from tests.fees_app.conftest import DISCLOSURE

    async with db.session() as s:
        await save_draft(s, estate_id, DISCLOSURE, NOW)
    await committee.say("发布收费公示")
    assert "已通知" in await committee.press("确认发布")

    raised = {**SCHEDULE, "items": [{**SCHEDULE["items"][0], "rate": "1.30"}, *SCHEDULE["items"][1:]]}
    async with db.session() as s:
        await set_schedule(s, estate_id, schedule_from_json(raised), date(2026, 11, 25))
    refused = await committee.say("发布收费公示")
    assert ("物业服务费收费标准调整须提前一个月公示：2026年11月10日公示，最早2026年12月10日起执行，"
            "拟定的2026年11月25日过早") in refused
    assert "确认发布" not in committee.labels()
    async with db.session() as s:
        await remove_schedule(s, estate_id, date(2026, 11, 25))
        await set_schedule(s, estate_id, schedule_from_json(raised), date(2026, 12, 10))
    preview = await committee.say("发布收费公示")
    assert "执行日期：2026年12月10日起" in preview and "1.30元/㎡·月" in preview
    assert "已通知 2 位认证业主" in await committee.press("确认发布")


async def test_committee_reads_collection_rates_and_previews_reminders(db: Database) -> None:
    await billed(db)
    d = dispatcher(db, Clock(NOW))
    committee = ChatStub(d, "wyh")
    table = await committee.say("收缴率")
    # Billed 2 × (270.00 + 53.62 + 144.60 + 120.00 + 60.00) = 1296.44; collected 144.60: 11.15%
    assert "全小区：11.15%（已收 ¥144.60 / 应收 ¥1,296.44；5户，5户未缴清）" in table
    assert "  1号楼：" in table and "  2026年10月：" in table
    assert committee.last[0].image is not None and committee.last[0].image.data[:4] == b"\x89PNG"
    [group] = await d.handle(Incoming("console", "group-1", "wyh", text="收缴率", is_group=True))
    assert "2026年10月物业费收缴情况" in group.text and "各户缴费情况不在群内公布" in group.text
    assert "102" not in group.text and "乙" not in group.text and group.image is None

    preview = await committee.say("催缴预览")
    assert "1号楼1单元102：欠费 ¥53.62（2026年10月），可申请减免 — 将发送" in preview
    [refused] = await d.handle(Incoming("console", "group-1", "wyh", text="催缴预览", is_group=True))
    assert "不在群里显示" in refused.text and "102" not in refused.text
    assert "只有本小区的业委会成员或物业工作人员" in await ChatStub(d, "b").say("催缴预览")


def test_the_question_a_sentence_asks() -> None:
    from handlers.fees import DISCLOSURE, HISTORY, OUTSTANDING, PAY, STANDARD, SUMMARY, topic_of

    assert [topic_of(t) for t in ("我家物业费多少钱", "物业费怎么算的", "3号楼2单元501现在还欠多少物业费",
                                  "收费标准发我一下", "wy费能用微信交吗", "我儿子帮我交过了不晓得交到哪个月了",
                                  "收费公示在哪看")] == [SUMMARY, SUMMARY, OUTSTANDING, STANDARD, PAY, HISTORY,
                                                         DISCLOSURE]


async def test_a_stale_button_is_answered_not_crashed(db: Database) -> None:
    await billed(db)
    owner = ChatStub(dispatcher(db, Clock(NOW)), "b")
    assert "按钮已失效" in await owner.payload("fee:o")
