"""Signing in to the console in a real headless Chromium: a refused login, then the right one,
on a phone-sized screen; the login and home pages are saved as screenshots."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.console.conftest import sign_in
from tests.web.browser import chromium
from tests.web.server import Server


def test_refused_then_signed_in_then_signed_out(server: Server, artifacts: Path) -> None:
    login, _ = server.logins["街道"]
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page.goto(server.url + "/console")
        expect(page).to_have_url(server.url + "/console/login?next=/console")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", "wrong-password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_contain_text("登录名或密码错误")
        page.screenshot(path=str(artifacts / "console-login-refused.png"), full_page=True)

        sign_in(page, server, "街道")
        expect(page.locator("h1")).to_contain_text("周涛")
        expect(page.locator("nav")).to_contain_text("街道督办")
        expect(page.locator("nav")).not_to_contain_text("物业收费")
        page.screenshot(path=str(artifacts / "console-home.png"), full_page=True)

        page.get_by_role("button", name="退出").click()
        expect(page).to_have_url(server.url + "/console/login")
        page.goto(server.url + "/console")
        expect(page).to_have_url(server.url + "/console/login?next=/console")
