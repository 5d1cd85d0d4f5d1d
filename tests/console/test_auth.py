"""Signing in to the console: passwords, lock-out, CSRF, cookies, one-time links from the chat."""
from __future__ import annotations

import re
from datetime import timedelta

from handlers.messages import Incoming
from sqlalchemy import delete

from storage.models import RoleGrant
from tests.console.conftest import CSRF, Desk, login_of, password_of

LINK = re.compile(r"https://linli\.test(/console/link/[\w-]+)")


async def _login(desk: Desk, login: str, password: str) -> tuple:
    c = desk.client()
    page = await c.get("/console/login")
    token = CSRF.search(page.text)
    assert token
    r = await c.post("/console/login", {"login": login, "password": password, "csrf": token.group(1)})
    return c, r


async def test_login_sets_a_safe_session_cookie_and_opens_the_console(desk: Desk) -> None:
    c, r = await _login(desk, login_of("street"), password_of("street"))
    assert r.status_code == 303 and r.headers["location"] == "/console"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("linli_console="))
    flags = {p.strip().lower() for p in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "secure" in flags
    home = await c.get("/console")
    assert home.status_code == 200 and "街道·物业办" in home.text
    assert home.headers["x-frame-options"] == "DENY" and home.headers["cache-control"] == "no-store"


async def test_a_wrong_password_and_an_unknown_login_get_the_same_refusal(desk: Desk) -> None:
    _, wrong = await _login(desk, login_of("street"), "not-the-password")
    _, unknown = await _login(desk, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert "登录名或密码错误" in wrong.text and "登录名或密码错误" in unknown.text
    assert "set-cookie" not in {k for k, v in wrong.headers.multi_items() if v.startswith("linli_console=")}


async def test_five_failures_lock_the_account_even_against_the_right_password(desk: Desk) -> None:
    for _ in range(4):
        _, r = await _login(desk, login_of("property"), "wrong-password-1")
        assert r.status_code == 401
    _, r = await _login(desk, login_of("property"), "wrong-password-1")
    assert r.status_code == 429 and "锁定" in r.text
    _, r = await _login(desk, login_of("property"), password_of("property"))
    assert r.status_code == 429
    desk.clock.now += timedelta(minutes=16)
    _, r = await _login(desk, login_of("property"), password_of("property"))
    assert r.status_code == 303


async def test_a_success_resets_the_failure_count(desk: Desk) -> None:
    for _ in range(4):
        await _login(desk, login_of("property"), "wrong-password-1")
    _, ok = await _login(desk, login_of("property"), password_of("property"))
    assert ok.status_code == 303
    for _ in range(4):
        _, r = await _login(desk, login_of("property"), "wrong-password-1")
        assert r.status_code == 401


async def test_login_form_needs_its_csrf_token(desk: Desk) -> None:
    c = desk.client()
    await c.get("/console/login")
    r = await c.post("/console/login", {"login": login_of("street"), "password": password_of("street")}, csrf=False)
    assert r.status_code == 403
    # A token from another browser (no matching cookie) is refused too.
    other = desk.client()
    page = await other.get("/console/login")
    stolen = CSRF.search(page.text)
    assert stolen
    fresh = desk.client()
    r = await fresh.post("/console/login", {"login": login_of("street"), "password": password_of("street"),
                                            "csrf": stolen.group(1)})
    assert r.status_code == 403


async def test_signed_in_posts_need_the_session_csrf_token(desk: Desk) -> None:
    c = await desk.signed_in("street")
    r = await c.post("/console/logout", {"csrf": "forged"})
    assert r.status_code == 403 and "CSRF" in r.text
    r = await c.post("/console/logout", csrf=False)
    assert r.status_code == 403
    assert (await c.get("/console")).status_code == 200  # still signed in
    r = await c.post("/console/logout")
    assert r.status_code == 303
    assert (await c.get("/console")).status_code == 303  # signed out for good


async def test_pages_send_strangers_to_the_login_and_back(desk: Desk) -> None:
    c = desk.client()
    r = await c.get("/console?x=1")
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=/console")
    page = await c.get(r.headers["location"])
    token = CSRF.search(page.text)
    assert token
    r = await c.post("/console/login", {"login": login_of("street"), "password": password_of("street"),
                                        "csrf": token.group(1), "next": "//evil.example/x"})
    assert r.headers["location"] == "/console"  # never an open redirect


async def test_sessions_expire_and_end_when_the_role_is_withdrawn(desk: Desk) -> None:
    c = await desk.signed_in("committee")
    desk.clock.now += timedelta(hours=13)
    assert (await c.get("/console")).status_code == 303
    c = await desk.signed_in("committee")
    async with desk.rt.db.session() as s:
        await s.execute(delete(RoleGrant).where(RoleGrant.person_id == desk.people["committee"]))
    assert (await c.get("/console")).status_code == 303


async def _chat(desk: Desk, chat_id: str, text: str, is_group: bool = False) -> str:
    replies = await desk.rt.dispatcher.handle(Incoming(channel="web", chat_id=chat_id, sender_id=chat_id,
                                                       text=text, is_group=is_group))
    return "\n".join(r.text or "" for r in replies)


async def test_a_one_time_link_from_the_chat_signs_in_once(desk: Desk) -> None:
    assert desk.rt.demo
    invite = dict(desk.rt.demo.invites)["物业工作人员"]
    await _chat(desk, "w-staff", "/bind")
    assert "身份" in await _chat(desk, "w-staff", invite)
    said = await _chat(desk, "w-staff", "登录后台")
    m = LINK.search(said)
    assert m, said
    c = desk.client()
    confirm = await c.get(m.group(1))  # a link preview or an opened page does not use it up
    assert confirm.status_code == 200
    token = CSRF.search(confirm.text)
    assert token
    r = await c.post(m.group(1), {"csrf": token.group(1)}, csrf=False)
    assert r.status_code == 303
    assert "物业·试用" in (await c.get("/console")).text
    again = desk.client()
    page = await again.get(m.group(1))
    token = CSRF.search(page.text)
    assert token
    r = await again.post(m.group(1), {"csrf": token.group(1)}, csrf=False)
    assert r.status_code == 410 and "已使用" in r.text


async def test_links_expire_and_are_only_for_staff_in_private(desk: Desk) -> None:
    assert desk.rt.demo
    invite = dict(desk.rt.demo.invites)["街道工作人员"]
    await _chat(desk, "w-street", "/bind")
    await _chat(desk, "w-street", invite)
    assert "私聊" in await _chat(desk, "w-street", "登录后台", is_group=True)
    m = LINK.search(await _chat(desk, "w-street", "登录后台"))
    assert m
    desk.clock.now += timedelta(minutes=11)
    c = desk.client()
    page = await c.get(m.group(1))
    token = CSRF.search(page.text)
    assert token
    r = await c.post(m.group(1), {"csrf": token.group(1)}, csrf=False)
    assert r.status_code == 410
    said = await _chat(desk, "w-resident", "登录后台")
    assert "/console/link/" not in said and "工作人员" in said
