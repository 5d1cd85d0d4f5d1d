"""The committee desk's other work through the console client: who sees it, consultations, the fee
disclosure (refused naming the missing field, the one-month rule for a price change) and notices
whose preview counts exactly the recipients publishing then notifies."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core import consultation
from core.fees.codec import schedule_from_json
from core.fees.demo import SCHEDULE
from core.fees.ledger import set_schedule
from storage.models.fees import FeeDisclosureRecord
from storage.models.notices import Notice
from storage.models.notifications import Delivery, Notification
from storage.models.votes import Consultation
from tests.console.committee_data import owners
from tests.console.conftest import Desk

FIELDS = {"company_name": "安居物业服务有限公司", "charged_party": "阳光花园全体业主", "service_content": "保洁、绿化、秩序维护",
          "service_standard": "二级服务标准", "legal_basis": "《物业服务收费管理办法》", "repair_reporting": "客服电话 0471-6612345",
          "service_staff": "项目经理 王某 0471-6612340；客服 李某", "shared_utilities_method": "按建筑面积分摊",
          "complaint_phones": "12345、12315"}


async def test_home_lists_the_governed_estates_only(desk: Desk) -> None:
    page = await (await desk.signed_in("committee")).get("/console/committee")
    assert page.status_code == 200 and "阳光花园" in page.text and "晴天小区" not in page.text
    # The street office speaks for no estate of its street: both have a committee.
    street = await (await desk.signed_in("street")).get("/console/committee")
    assert street.status_code == 200 and "没有可代表业主" in street.text
    assert f"/console/committee/{desk.estate.id}/" not in street.text
    assert (await (await desk.signed_in("property")).get("/console/committee")).status_code == 403


async def test_street_office_acts_for_an_estate_without_committee(desk: Desk) -> None:
    async with desk.rt.db.session() as s:
        estate = await s.get(type(desk.estate), desk.estate.id)
        assert estate is not None
        estate.committee_formed = False
    street = await desk.signed_in("street")
    assert "阳光花园" in (await street.get("/console/committee")).text
    assert (await street.get(f"/console/committee/{desk.estate.id}/votes/new")).status_code == 200
    # ...but a fee disclosure is the committee's or the property company's to publish.
    assert (await street.get(f"/console/committee/{desk.estate.id}/disclosure")).status_code == 403
    assert (await (await desk.signed_in("street_elsewhere")).get(
        f"/console/committee/{desk.estate.id}/votes/new")).status_code == 404


async def test_consultation_published_and_summarised(desk: Desk) -> None:
    people = await owners(desk, [("1", "1", "101", "telegram"), ("1", "1", "102", "web"), ("2", "1", "101", None)])
    c = await desk.signed_in("committee")
    bad = await c.post(f"/console/committee/{desk.estate.id}/consultations",
                       {"question": "加装电梯？", "choices": "", "deadline": "2026-12-10"})
    assert bad.status_code == 400 and "至少需要选项或文字意见之一" in bad.text and "加装电梯？" in bad.text
    r = await c.post(f"/console/committee/{desk.estate.id}/consultations",
                     {"question": "1号楼是否加装电梯？", "choices": "同意\n不同意\n", "free_text": "on",
                      "deadline": "2026-12-10", "building": "1"})
    assert r.status_code == 303, r.text
    async with desk.rt.db.session() as s:
        cons = await s.scalar(select(Consultation).where(Consultation.estate_id == desk.estate.id))
        assert cons is not None and cons.choices == ["同意", "不同意"] and cons.audience["building"] == "1"
        told = await s.scalar(select(func.count(Notification.id))
                              .where(Notification.idempotency_key.like(f"consultation:{cons.id}:%")))
        assert told == 2  # the two owners of building 1, not the one of building 2
        await consultation.respond(s, cons.id, people[0], desk.clock.now, choice="同意",
                                   text="电梯噪音要控制，我住1号楼1单元101 电话13812345678")
        await consultation.respond(s, cons.id, people[1], desk.clock.now, choice="同意")
    page = await c.get(r.headers["location"])
    assert page.status_code == 200 and '<span class="big">2</span>' in page.text
    assert "13812345678" not in page.text and "电梯噪音要控制" in page.text
    assert "1号楼是否加装电梯？" in (await c.get("/console/committee")).text


async def _post_fields(desk: Desk, **changes: str) -> None:
    c = await desk.signed_in("committee")
    r = await c.post(f"/console/committee/{desk.estate.id}/disclosure", {**FIELDS, **changes})
    assert r.status_code == 303, r.text


async def test_disclosure_missing_field_is_refused_naming_it(desk: Desk) -> None:
    await owners(desk, [("1", "1", "101", "telegram"), ("3", "2", "502", "wechat")])
    await _post_fields(desk, repair_reporting="")
    c = await desk.signed_in("committee")
    page = await c.get(f"/console/committee/{desk.estate.id}/disclosure")
    assert "缺少必填项：报修方式" in page.text
    refused = await c.post(f"/console/committee/{desk.estate.id}/disclosure/publish")
    assert refused.status_code == 400 and "未发布：缺少必填项：报修方式" in refused.text
    async with desk.rt.db.session() as s:
        assert await s.scalar(select(func.count(FeeDisclosureRecord.id))
                              .where(FeeDisclosureRecord.status == "published")) == 0
    malformed = await c.post(f"/console/committee/{desk.estate.id}/disclosure", {**FIELDS, "service_staff": "王某"})
    assert malformed.status_code == 400 and "岗位 姓名 电话" in malformed.text and 'value="安居物业服务有限公司"' in malformed.text

    await _post_fields(desk)
    done = await c.post(f"/console/committee/{desk.estate.id}/disclosure/publish")
    assert done.status_code == 303, done.text
    assert "收费公示已发布，已通知 2 位认证业主" in (await c.get(done.headers["location"])).text
    async with desk.rt.db.session() as s:
        notice = await s.scalar(select(Notice).where(Notice.kind == "fee_disclosure"))
        assert notice is not None and notice.publisher_role == "committee" and "报修方式：客服电话" in notice.body


async def test_price_change_must_be_disclosed_a_month_ahead(desk: Desk) -> None:
    await _post_fields(desk)
    c = await desk.signed_in("committee")
    assert (await c.post(f"/console/committee/{desk.estate.id}/disclosure/publish")).status_code == 303
    raised = {**SCHEDULE, "items": [dict(i, rate="1.30") if i["code"] == "WY" else i for i in SCHEDULE["items"]]}
    today = desk.clock.now.date()
    async with desk.rt.db.session() as s:
        await set_schedule(s, desk.estate.id, schedule_from_json(raised), today + timedelta(days=20))
    early = await c.post(f"/console/committee/{desk.estate.id}/disclosure/publish")
    assert early.status_code == 400 and "收费标准调整须提前一个月公示" in early.text
    async with desk.rt.db.session() as s:
        await set_schedule(s, desk.estate.id, schedule_from_json(raised), today + timedelta(days=40))
    assert (await c.post(f"/console/committee/{desk.estate.id}/disclosure/publish")).status_code == 303


async def test_notice_preview_counts_exactly_who_publishing_notifies(desk: Desk) -> None:
    await owners(desk, [("3", "1", "101", "telegram"), ("3", "1", "102", "wechat"), ("3", "2", "101", None),
                        ("3", "2", "102", "web"), ("4", "1", "101", "telegram")])
    c = await desk.signed_in("committee")
    form = {"title": "3号楼停水通知", "body": "11月25日9:00-12:00 3号楼二次供水设备检修停水。", "building": "3", "unit": ""}
    preview = await c.post(f"/console/committee/{desk.estate.id}/notices/preview", form)
    assert preview.status_code == 200
    assert 'data-testid="recipients">4<' in preview.text
    assert "3号楼1单元</td><td class=\"num\">2" in preview.text and "3号楼2单元</td><td class=\"num\">2" in preview.text
    assert "1 人暂无可用聊天账号" in preview.text and "业主0" not in preview.text

    # Publishing to another audience than the one previewed shows its preview first.
    unseen = await c.post(f"/console/committee/{desk.estate.id}/notices", {**form, "unit": "1", "previewed": "3|"})
    assert unseen.status_code == 400 and "请先确认接收范围的预览" in unseen.text
    assert 'data-testid="recipients">2<' in unseen.text
    async with desk.rt.db.session() as s:
        assert await s.scalar(select(func.count(Notice.id)).where(Notice.title == "3号楼停水通知")) == 0

    done = await c.post(f"/console/committee/{desk.estate.id}/notices", {**form, "previewed": "3|"})
    assert done.status_code == 303, done.text
    async with desk.rt.db.session() as s:
        notice = await s.scalar(select(Notice).where(Notice.title == "3号楼停水通知"))
        assert notice is not None and notice.recipients == 4 and notice.publisher_role == "committee"
        told = await s.scalar(select(func.count(Notification.id))
                              .where(Notification.idempotency_key.like(f"notice:{notice.id}:%")))
        deliveries = await s.scalar(select(func.count(Delivery.id)).join(Notification)
                                    .where(Notification.idempotency_key.like(f"notice:{notice.id}:%")))
    assert (told, deliveries) == (4, 3)
    assert "已通知 4 位认证业主" in (await c.get(done.headers["location"])).text


async def test_notice_to_a_building_that_does_not_exist_is_refused(desk: Desk) -> None:
    c = await desk.signed_in("committee")
    r = await c.post(f"/console/committee/{desk.estate.id}/notices/preview",
                     {"title": "通知", "body": "内容", "building": "9", "unit": ""})
    assert r.status_code == 400 and "本小区没有9号楼" in r.text
    short = await c.post(f"/console/committee/{desk.estate.id}/notices",
                         {"title": "通", "body": "内容", "building": "", "unit": "", "previewed": "|"})
    assert short.status_code == 400 and "公告标题需要2到" in short.text and "内容" in short.text


async def test_pages_speak_english_on_request(desk: Desk) -> None:
    c = await desk.signed_in("committee")
    c.c.cookies.set("linli_lang", "en")
    for tail, words in (("votes/new", "Create and announce"), ("consultations/new", "New consultation"),
                        ("disclosure", "Fee items (from the schedule)"), ("notices/new", "Preview recipients")):
        page = await c.get(f"/console/committee/{desk.estate.id}/{tail}")
        assert page.status_code == 200 and words in page.text, tail
    assert "Committee desk" in (await c.get("/console/committee")).text
