"""Signing in and out: password, one-time link from the chat, language choice."""
from __future__ import annotations

import hmac
import secrets
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.console.base import (
    COOKIE, LANG_COOKIE, LOGIN_CSRF_COOKIE, estates_of, form_viewer, held_roles, now, redirect, render,
    runtime, safe_next, viewer)
from core import accounts
from core.accounts import LoginOutcome, SignedIn
from core.roles import Role

router = APIRouter()


def _secure(request: Request) -> bool:
    # Behind the reverse proxy the scheme comes from X-Forwarded-Proto (settings.forwarded_allow_ips).
    return request.url.scheme == "https" or runtime(request).settings.public_url.startswith("https://")


def _login_csrf(request: Request) -> tuple[str, bool]:
    """Before a session exists, forms carry a double-submit token bound to a cookie."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    return (token, False) if token else (secrets.token_urlsafe(24), True)


def _with_login_csrf(request: Request, response: Response, token: str, fresh: bool) -> Response:
    if fresh:
        response.set_cookie(LOGIN_CSRF_COOKIE, token, path="/console", httponly=True, samesite="strict",
                            secure=_secure(request))
    return response


def _login_csrf_ok(request: Request, sent: str) -> bool:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return bool(cookie and sent and hmac.compare_digest(cookie, sent))


def _signed_in_response(request: Request, target: str, opened: accounts.OpenedSession) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(COOKIE, opened.token, path="/", httponly=True, samesite="lax", secure=_secure(request),
                        max_age=accounts.SESSION_HOURS * 3600)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


def _login_page(request: Request, status_code: int = 200, error: str | None = None, login: str = "",
                next_path: str = "/console") -> Response:
    token, fresh = _login_csrf(request)
    page = render(request, None, "login.html", status_code=status_code, error=error, login=login,
                  next_path=safe_next(next_path), login_csrf=token)
    return _with_login_csrf(request, page, token, fresh)


@router.get("/console/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/console") -> Response:
    return _login_page(request, next_path=next)


@router.post("/console/login")
async def login(request: Request, login: str = Form("", max_length=64), password: str = Form("", max_length=256),
                csrf: str = Form(""), next: str = Form("/console")) -> Response:
    if not _login_csrf_ok(request, csrf):
        return _login_page(request, 403, "页面已过期，请重新输入后登录", login, next)
    rt = runtime(request)
    at = now(request)
    async with rt.db.session() as s:
        result = await accounts.authenticate(s, login, password, at)
        opened = await accounts.open_session(s, result.person_id, at, "password") \
            if result.outcome is LoginOutcome.OK and result.person_id is not None else None
    if opened is not None:
        return _signed_in_response(request, next, opened)
    if result.outcome is LoginOutcome.LOCKED and result.locked_until is not None:
        until = result.locked_until.astimezone(ZoneInfo(rt.settings.timezone)).strftime("%H:%M")
        return _login_page(request, 429, f"密码错误次数过多，账号已锁定至 {until}，请稍后再试", login, next)
    if result.outcome is LoginOutcome.NO_ROLE:
        return _login_page(request, 403, "您的账号已没有后台身份，请联系管理员", login, next)
    return _login_page(request, 401, "登录名或密码错误", login, next)


@router.get("/console/link/{token}", response_class=HTMLResponse)
async def link_confirm(request: Request, token: str) -> Response:
    # A GET never uses the link up: chat apps fetch links for previews. The button posts.
    csrf, fresh = _login_csrf(request)
    page = render(request, None, "link.html", token=token, login_csrf=csrf)
    return _with_login_csrf(request, page, csrf, fresh)


@router.post("/console/link/{token}")
async def link_login(request: Request, token: str, csrf: str = Form("")) -> Response:
    if not _login_csrf_ok(request, csrf):
        return _login_page(request, 403, "页面已过期，请重新打开登录链接")
    rt = runtime(request)
    at = now(request)
    async with rt.db.session() as s:
        person_id = await accounts.redeem_login_link(s, token, at)
        opened = await accounts.open_session(s, person_id, at, "link") if person_id is not None else None
    if opened is None:
        return _login_page(request, 410, "登录链接无效、已使用或已过期。请在聊天中重新发送「登录后台」获取新链接。")
    return _signed_in_response(request, "/console", opened)


@router.post("/console/logout")
async def logout(request: Request, me: SignedIn = Depends(form_viewer)) -> Response:
    rt = runtime(request)
    async with rt.db.session() as s:
        await accounts.close_session(s, request.cookies.get(COOKIE), now(request))
    response = redirect("/console/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/console/lang/{lang}")
async def choose_language(request: Request, lang: str, next: str = "/console") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if lang in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, lang, path="/", samesite="lax", max_age=365 * 86400)
    return response


@router.get("/console", response_class=HTMLResponse)
async def home(request: Request, me: SignedIn = Depends(viewer)) -> Response:
    rt = runtime(request)
    roles = held_roles(me)
    async with rt.db.session() as s:
        estates = await estates_of(s, me, [Role.COMMITTEE, Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF,
                                           Role.STREET_STAFF])
    return render(request, me, "home.html", estates=[e for e, _ in estates],
                  roles=sorted(r.value for r in roles))
