"""A street officer at the desk in a real headless Chromium: signs in, opens the street view
(tickets by department, overdue supervision, ranking), then November's report with its charts and
the Excel export; screenshots of both pages, and of the overview on a phone."""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timezone
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import select

from core.tickets.jobs import escalate_overdue
from storage.db import Database
from storage.models import Estate, StreetOffice
from tests.console.conftest import sign_in
from tests.console.test_street import OUTCOMES, make_month
from tests.web.browser import chromium
from tests.web.server import Server


async def _seed(db_url: str) -> dict[str, str]:
    """November's tickets in the running demo's 阳光花园 (all in the one estate)."""
    db = Database(db_url)
    try:
        async with db.session() as s:
            estate = await s.scalar(select(Estate).where(Estate.code == "YG"))
            office = await s.scalar(select(StreetOffice).where(StreetOffice.code == "S01"))
            assert estate and office
            ids = estate.id, office.id
        numbers = await make_month(db, ids[0], None, ids[1])
        await escalate_overdue(db, max(datetime.now(timezone.utc), datetime(2026, 11, 23, tzinfo=timezone.utc)))
        return numbers
    finally:
        await db.dispose()


def test_street_officer_overview_and_monthly_report(server: Server, artifacts: Path) -> None:
    numbers = asyncio.run(_seed(server.db_url))
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        sign_in(page, server, "街道")
        page.get_by_role("link", name="街道督办").first.click()
        expect(page.locator("h1")).to_have_text("街道督办")
        expect(page.locator("h2").first).to_have_text("幸福街道办事处")
        supervision = page.locator("table.supervision")
        expect(supervision).to_contain_text(numbers["lift_late"])
        expect(supervision).to_contain_text("督办")
        expect(page.locator("table.departments")).to_contain_text("区市场监督管理局特种设备科")
        expect(page.locator("table.ranking")).to_contain_text("安居物业服务有限公司")
        page.screenshot(path=str(artifacts / "console-street-overview.png"), full_page=True)

        page.get_by_role("link", name="月度统计").click()
        page.fill("input[name=month]", "2026-11")
        page.get_by_role("button", name="查看").click()
        expect(page).to_have_url(server.url + f"{page.url[len(server.url):].split('?')[0]}?month=2026-11")
        expect(page.locator("[data-figure=received]")).to_have_text(str(len(OUTCOMES)))
        expect(page.locator("[data-figure=response]")).to_have_text("66.7%")  # 4 of 6 in time
        charts = page.locator("img.chart")
        expect(charts).to_have_count(2)
        # Both images load and are drawn (a broken image has no natural width).
        page.wait_for_function("() => [...document.querySelectorAll('img.chart')]"
                               ".every(i => i.complete && i.naturalWidth === 900)")
        page.screenshot(path=str(artifacts / "console-street-report.png"), full_page=True)

        with page.expect_download() as got:
            page.get_by_role("link", name="导出 Excel").click()
        download = got.value
        assert download.suggested_filename == "S01-2026-11.xlsx"
        wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        assert wb["概览"]["B4"].value == len(OUTCOMES)

        # The month typed wrong: a clear message on the page, not an error screen.
        page.goto(page.url.split("?")[0] + "?month=2026-13")
        expect(page.get_by_role("alert")).to_contain_text("格式不正确")

        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        sign_in(phone, server, "街道")
        phone.goto(server.url + "/console/street")
        expect(phone.locator("table.supervision")).to_contain_text(numbers["lift_late"])
        phone.screenshot(path=str(artifacts / "console-street-overview-phone.png"), full_page=True)
