"""The web chat page in a real headless Chromium: open, see the welcome, press buttons, bind
a premises with a printed code, see it in /me, send a photo."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.web.browser import chromium, tiny_png
from tests.web.server import Server


def test_visitor_binds_a_premises_in_the_browser(server: Server, tmp_path: Path, artifacts: Path) -> None:
    place, code = next(iter(server.codes.items()))
    png = tmp_path / "leak.png"
    png.write_bytes(tiny_png())
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(server.url + "/")
        log = page.locator("#log")
        expect(log).to_contain_text("我是「邻里」小区助手", timeout=15000)

        page.get_by_role("button", name="绑定房屋").last.click()
        expect(log).to_contain_text("8位验证码")
        page.fill("#text", "ZZZZ-ZZZZ")
        page.press("#text", "Enter")
        expect(log).to_contain_text("验证码无效")
        page.fill("#text", code)
        page.click("#send")
        expect(log).to_contain_text("绑定成功")
        expect(log).to_contain_text("阳光花园")

        page.get_by_role("button", name="我的信息").last.click()
        building, rest = place.split("号楼", 1)
        unit, room = rest.split("单元", 1)
        expect(log.locator(".msg.out").last).to_contain_text(f"{building}号楼{unit}单元{room}")
        expect(log.locator(".msg.out").last).to_contain_text("业主")

        page.set_input_files("#photo", str(png))
        expect(log.locator(".msg.in img").last).to_be_visible()
        expect(log).to_contain_text("照片已收到")
        page.screenshot(path=str(artifacts / "webchat.png"), full_page=True)

        # A reload shows the same conversation from the server's transcript.
        page.reload()
        expect(log).to_contain_text("绑定成功", timeout=15000)
        assert page.locator(".msg.in img").count() == 1
