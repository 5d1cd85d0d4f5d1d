"""A committee member at the console in a real headless Chromium: creates and announces a vote
(after a refusal under the 15-day rule), opens it on its day, enters a paper ballot and sees the
turnout by building; looks at the fee disclosure and previews a notice's recipients before
publishing it. Each main page is saved as a screenshot."""
from __future__ import annotations

import asyncio
import re
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.fees.ledger import premises_index
from storage.db import Database
from storage.models import Estate, Residency
from storage.models.votes import Vote
from storage.repositories.people import PeopleRepository
from tests.console.conftest import sign_in
from tests.web.browser import chromium
from tests.web.server import Server

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


async def _owners_in_building_3(db_url: str) -> None:
    """Two owners of 3号楼 who have bound their homes in a chat (the demo has none yet)."""
    db = Database(db_url)
    try:
        async with db.session() as s:
            estate_id = await s.scalar(select(Estate.id).where(Estate.code == "YG"))
            assert estate_id is not None
            index = await premises_index(s, estate_id)
            people = PeopleRepository(s)
            for n, (room, channel) in enumerate((("101", "telegram"), ("102", "wechat"))):
                p = await people.add_person(f"三号楼业主{n}")
                await people.add_identity(p, channel, f"b3-{n}", f"b3-{n}")
                s.add(Residency(person_id=p.id, premises_id=index[("3", "1", room)], relation="owner"))
    finally:
        await db.dispose()


def _in_another_thread(job: Coroutine[Any, Any, None]) -> None:
    # Playwright's own event loop runs in this thread: change the database from another one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, job).result()


async def _days_pass(db_url: str, vote_id: int, days: int) -> None:
    """The server runs on the real clock: move the vote's dates back instead of waiting."""
    db = Database(db_url)
    try:
        async with db.session() as s:
            vote = await s.get(Vote, vote_id)
            assert vote is not None
            for field in ("announced_at", "opens_at", "closes_at"):
                setattr(vote, field, getattr(vote, field) - timedelta(days=days))
    finally:
        await db.dispose()


def _create_vote(page: Page) -> int:
    page.get_by_role("link", name="发起表决").first.click()
    page.fill("input[name=title]", "续聘电梯维保单位")
    page.fill("textarea[name=question]", "是否同意续聘某电梯公司承担2027年电梯维保？")
    page.select_option("select[name=matter]", "use_maintenance_fund")
    opens = page.input_value("input[name=opens]")
    page.fill("input[name=opens]", _local(10))
    page.get_by_role("button", name="创建并公告").click()
    expect(page.get_by_role("alert")).to_contain_text("须至少提前15日公告")
    expect(page.locator("input[name=title]")).to_have_value("续聘电梯维保单位")
    page.fill("input[name=opens]", opens)
    page.get_by_role("button", name="创建并公告").click()
    expect(page.locator("h1")).to_contain_text("公告中")
    m = re.search(r"/votes/(\d+)$", page.url)
    assert m, page.url
    return int(m.group(1))


def test_committee_member_announces_opens_and_enters_a_paper_ballot(server: Server, artifacts: Path) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        sign_in(page, server, "业委会")
        page.locator("nav").get_by_role("link", name="业委会").click()
        expect(page.locator("h1")).to_contain_text("业委会工作台")
        vote_id = _create_vote(page)

        _in_another_thread(_days_pass(server.db_url, vote_id, 17))
        page.reload()
        start = page.get_by_role("button", name="开始投票")
        if start.count():  # unless the scheduler's minute came first
            start.click()
        expect(page.locator("h1")).to_contain_text("投票中")

        form = page.locator("form#paper")
        form.locator("input[name=building]").fill("3")
        form.locator("input[name=unit]").fill("2")
        form.locator("input[name=room]").fill("502")
        form.get_by_label("同意").check()
        form.locator("input[name=paper_ref]").fill("SCAN-2026-001")
        form.get_by_role("button", name="录入").click()
        expect(page.get_by_role("status")).to_contain_text("已录入纸质表决票（同意）")
        row = page.locator("tr", has=page.locator("td", has_text=re.compile(r"^3号楼$")))
        expect(row).to_contain_text("1 /")
        expect(page.locator("svg.chart")).to_be_visible()
        expect(page.get_by_text("未达三分之二参与")).to_be_visible()
        page.screenshot(path=str(artifacts / "console-committee-vote.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})  # the same page on a phone
        expect(page.locator("form#paper")).to_be_visible()
        page.screenshot(path=str(artifacts / "console-committee-vote-phone.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        page.goto(server.url + "/console/committee")
        expect(page.locator("table")).to_contain_text("续聘电梯维保单位")
        page.screenshot(path=str(artifacts / "console-committee-home.png"), full_page=True)

        page.get_by_role("link", name="收费公示").first.click()
        expect(page.locator("h1")).to_contain_text("收费公示")
        expect(page.locator(".preview")).to_contain_text("物业服务费")
        page.screenshot(path=str(artifacts / "console-committee-disclosure.png"), full_page=True)

        _in_another_thread(_owners_in_building_3(server.db_url))
        page.goto(server.url + "/console/committee")
        page.get_by_role("link", name="发布公告").first.click()
        page.fill("input[name=title]", "3号楼停水通知")
        page.fill("textarea[name=body]", "11月25日9:00-12:00 3号楼二次供水设备检修，届时停水，请提前储水。")
        page.select_option("select[name=building]", "3")
        page.get_by_role("button", name="预览接收范围").click()
        expect(page.locator("#preview")).to_contain_text("位认证业主将收到此公告")
        expect(page.get_by_test_id("recipients")).to_have_text("2")
        expect(page.locator("#preview")).to_contain_text("3号楼1单元")
        expect(page.locator("#preview")).to_contain_text("Telegram：1 个账号")
        page.screenshot(path=str(artifacts / "console-committee-notice.png"), full_page=True)
        page.get_by_role("button", name="确认发布").click()
        expect(page.get_by_role("status")).to_contain_text("已通知 2 位认证业主")
