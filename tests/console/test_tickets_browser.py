"""The ticket desk in a real headless Chromium against `linli run` with the demo:

1. a resident reports a broken lift in the web chat; property staff find it in the console queue,
   accept, dispatch and answer it; the resident's chat page then shows the answer;
2. a visitor reports cooking fumes (a street-level matter) through the chat API; the street officer
   filters the queue by department, accepts the ticket and dispatches it to a department, and the
   resident is told.
Screenshots: console-tickets-queue.png, console-tickets-ticket.png (and the street's pages)."""
from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.console.conftest import sign_in
from tests.web.browser import chromium
from tests.web.server import Server

ANSWER = "已联系电梯维保单位，今天下午已修复，请放心使用。"
NUMBER = re.compile(r"工单号 ([A-Z]+\d{6}-\d{4})")
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chat(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")


def test_property_staff_answer_reaches_the_residents_web_chat(server: Server, artifacts: Path) -> None:
    code = next(iter(server.codes.values()))
    with chromium() as browser:
        resident = browser.new_page(viewport=PHONE, locale="zh-CN")
        resident.goto(server.url + "/")
        log = resident.locator("#log")
        expect(log).to_contain_text("我是「邻里」小区助手", timeout=15000)
        chat(resident, code)
        expect(log).to_contain_text("绑定成功")
        chat(resident, "6号楼电梯坏了，一直停在8楼不动")
        expect(log).to_contain_text("我理解为：电梯故障，6号楼。对吗？")
        resident.get_by_role("button", name="对，提交").last.click()
        expect(log).to_contain_text("工单号 ")
        found = NUMBER.search(log.inner_text())
        assert found, log.inner_text()
        number = found.group(1)

        staff = browser.new_page(viewport=DESK, locale="zh-CN")
        errors: list[str] = []
        staff.on("pageerror", lambda e: errors.append(str(e)))
        staff.clock.install()  # so the 30-second poll of the overdue count can be fast-forwarded
        sign_in(staff, server, "物业")
        staff.get_by_role("navigation").get_by_role("link", name="工单", exact=True).click()
        expect(staff.locator("h1")).to_contain_text("工单队列")
        row = staff.locator("tr", has_text=number)
        expect(row).to_contain_text("电梯故障或困人")
        expect(row).to_contain_text("待受理")
        expect(staff.locator("[data-overdue]")).to_have_text("0")
        with staff.expect_response("**/console/tickets/overdue.json") as polled:
            staff.clock.fast_forward(31_000)
        assert polled.value.json() == {"overdue": 0}
        staff.screenshot(path=str(artifacts / "console-tickets-queue.png"), full_page=True)
        staff.set_viewport_size(PHONE)
        staff.screenshot(path=str(artifacts / "console-tickets-queue-phone.png"), full_page=True)
        staff.set_viewport_size(DESK)

        staff.get_by_role("link", name=number).click()
        expect(staff.locator("h1")).to_contain_text(number)
        expect(staff.locator("#thread")).to_contain_text("6号楼电梯坏了，一直停在8楼不动")
        staff.locator("#act-accept button").click()
        expect(staff.locator(".flash")).to_contain_text(f"工单 {number} 已受理")
        staff.locator("#act-dispatch button").click()
        expect(staff.locator("#status")).to_have_text("已派单")
        staff.fill("#act-answer textarea[name=text]", ANSWER)
        staff.locator("#act-answer button").click()
        expect(staff.locator("#status")).to_have_text("已答复")
        expect(staff.locator("#thread")).to_contain_text(ANSWER)
        expect(staff.locator("#history")).to_contain_text("物业人员 赵磊（物业客服）")
        staff.screenshot(path=str(artifacts / "console-tickets-ticket.png"), full_page=True)

        # The resident's open chat page polls: the answer arrives with the rating buttons.
        expect(log).to_contain_text("【工单答复】", timeout=20000)
        expect(log).to_contain_text(ANSWER)
        expect(resident.get_by_role("button", name="满意", exact=True).last).to_be_visible()
        resident.screenshot(path=str(artifacts / "console-tickets-resident-answered.png"), full_page=True)
        assert errors == []


class ChatVisitor:
    """A web chat visitor through the JSON API (its own cookie jar)."""

    def __init__(self, url: str) -> None:
        self.c = httpx.Client(base_url=url, timeout=20)
        self.buttons: dict[str, str] = {}

    def say(self, text: str | None = None, press: str | None = None) -> str:
        body = {"text": text} if press is None else {"payload": self.buttons[press], "label": press}
        r = self.c.post("/api/chat/messages", json=body)
        assert r.status_code == 200, r.text
        out = [m for m in r.json()["messages"] if m["direction"] == "out"]
        self.buttons = {b["label"]: b["payload"] for m in out for row in m["body"].get("buttons", []) for b in row}
        return "\n".join(m["body"].get("text", "") for m in out)

    def history(self) -> str:
        r = self.c.get("/api/chat/messages")
        return "\n".join(m["body"].get("text", "") for m in r.json()["messages"] if m["direction"] == "out")


def test_street_officer_dispatches_a_street_matter_to_a_department(server: Server, artifacts: Path) -> None:
    visitor = ChatVisitor(server.url)
    reply = visitor.say("楼下饭店油烟太大了，呛得没法开窗")
    if "请问是哪个小区？" in reply:  # asked only where there is more than one estate
        reply = visitor.say(press="阳光花园")
    assert "我理解为：餐饮油烟污染。\n请问具体在哪里？" in reply
    assert "对吗？" in visitor.say("3号楼后面的小饭店")
    found = NUMBER.search(visitor.say(press="对，提交"))
    assert found
    number = found.group(1)

    with chromium() as browser:
        page = browser.new_page(viewport=DESK, locale="zh-CN")
        sign_in(page, server, "街道")
        page.goto(server.url + "/console/tickets")
        page.select_option("select[name=department]", label="区生态环境分局")
        page.get_by_role("button", name="筛选").click()
        expect(page).to_have_url(re.compile(r"department=environment"))
        expect(page.locator("tr", has_text=number)).to_contain_text("餐饮油烟污染")
        page.screenshot(path=str(artifacts / "console-tickets-street-queue.png"), full_page=True)

        page.get_by_role("link", name=number).click()
        expect(page.locator("#reporter")).not_to_contain_text("匿名")
        page.locator("#act-accept button").click()
        expect(page.locator("#status")).to_have_text("已受理")
        form = page.locator("#act-dispatch")
        expect(form.locator("select[name=department]")).to_have_value("environment")  # as routed
        form.locator("select[name=department]").select_option(label="区综合行政执法局幸福中队")
        form.get_by_role("button", name="派单").click()
        expect(page.locator("#status")).to_have_text("已派单")
        expect(page.locator("#department")).to_have_text("区综合行政执法局幸福中队")
        expect(page.locator("#history")).to_contain_text("街道工作人员 周涛（街道物业办）")
        expect(page.locator("#history")).to_contain_text("派往 区综合行政执法局幸福中队")
        page.screenshot(path=str(artifacts / "console-tickets-dispatched.png"), full_page=True)

    deadline = time.monotonic() + 20
    while "已派单至区综合行政执法局幸福中队办理" not in visitor.history() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "已派单至区综合行政执法局幸福中队办理" in visitor.history()
