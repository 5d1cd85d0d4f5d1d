"""The property view and the register in a real headless Chromium against `linli run` with the demo:
property staff open the fees, preview reminders and import a payment file (first refused for a bad
row, then accepted); an admin opens the register and issues binding codes for a building.
Each main page is saved as a screenshot."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.console.conftest import sign_in
from tests.web.browser import chromium
from tests.web.server import Server

HEADER = "小区,楼栋,单元,房号,所属期间,金额,缴费时间,流水号\n"


def _upload(page: Page, name: str, body: str) -> None:
    page.set_input_files("form[action$='/payments/import'] input[type=file]",
                         files=[{"name": name, "mimeType": "text/csv", "buffer": body.encode("utf-8-sig")}])
    page.get_by_role("button", name="导入", exact=True).click()


def test_property_staff_fees_reminders_and_payment_import(server: Server, artifacts: Path) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        sign_in(page, server, "物业")
        page.locator("nav.nav").get_by_role("link", name="物业收费").click()
        page.get_by_role("link", name=re.compile("阳光花园")).click()
        expect(page.locator("h1")).to_contain_text("阳光花园")
        expect(page.get_by_role("heading", name="各楼栋收缴率")).to_be_visible()
        expect(page.locator("img.chart")).to_be_visible()
        page.wait_for_function("() => document.querySelector('img.chart').naturalWidth > 0")  # the PNG loaded
        page.screenshot(path=str(artifacts / "console-property-fees.png"), full_page=True)

        page.get_by_role("link", name="催缴提醒").click()
        expect(page.get_by_role("heading", name="逾期欠费的房屋")).to_be_visible()
        expect(page.locator("table").first).to_contain_text("1号楼1单元101")
        expect(page.locator("table").first).to_contain_text("不发送")
        page.screenshot(path=str(artifacts / "console-property-reminders.png"), full_page=True)

        page.get_by_role("link", name="录入与导入缴费").click()
        _upload(page, "pay.csv", HEADER + "YG,1,1,101,,322.00,2026-11-20,WEB-1\nYG,1,1,999,,50,2026-11-20,WEB-2\n")
        problems = page.get_by_role("alert").filter(has_text="导入失败")
        expect(problems).to_contain_text("未记录任何缴费")
        expect(problems).to_contain_text("第3行")
        page.screenshot(path=str(artifacts / "console-property-import-refused.png"), full_page=True)

        _upload(page, "pay.csv", HEADER + "YG,1,1,101,,322.00,2026-11-20,WEB-1\n")
        expect(page.locator(".flash")).to_contain_text("导入 1 笔缴费，合计 322.00元")
        expect(page.locator("h1")).to_contain_text("阳光花园")

        phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        sign_in(phone, server, "物业")
        phone.goto(page.url + "?arrears=1")
        expect(phone.locator("table")).not_to_contain_text("1号楼1单元101")  # paid by the import
        phone.screenshot(path=str(artifacts / "console-property-balances-phone.png"), full_page=True)


def test_admin_opens_the_register_and_issues_codes(server: Server, artifacts: Path) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        sign_in(page, server, "管理员")
        page.locator("nav.nav").get_by_role("link", name="房屋登记").click()
        expect(page.locator("h1")).to_contain_text("房屋登记")
        expect(page.locator("table")).to_contain_text("阳光花园")
        page.screenshot(path=str(artifacts / "console-register.png"), full_page=True)

        page.get_by_role("link", name="阳光花园").click()
        expect(page.get_by_role("heading", name="生成绑定验证码")).to_be_visible()
        page.screenshot(path=str(artifacts / "console-register-estate.png"), full_page=True)
        page.select_option("select[name=building]", "3")
        page.get_by_role("button", name="生成验证码").click()
        expect(page.locator("h1")).to_contain_text("绑定验证码")
        expect(page.locator(".slip")).to_have_count(32)
        first = page.locator(".slip .code").first.inner_text()
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", first), first
        page.screenshot(path=str(artifacts / "console-register-codes.png"), full_page=True)

        page.goto(server.url + "/console/register/accounts")
        expect(page.locator("table")).to_contain_text("yg-property")
        page.screenshot(path=str(artifacts / "console-register-accounts.png"), full_page=True)
