"""What every console page shares: who is signed in, CSRF, jurisdiction checks, rendering.

Pages are server-rendered (Jinja2) and work without JavaScript; forms post back and redirect.
A page module declares its routes on an APIRouter and takes the viewer as a dependency:

    @r.get("/console/tickets")
    async def queue(request: Request, me: SignedIn = Depends(viewer)) -> HTMLResponse: ...

    @r.post("/console/tickets/{ticket_id}/accept")
    async def accept(request: Request, ticket_id: int, me: SignedIn = Depends(form_viewer)) -> Response: ...

`form_viewer` also checks the form's CSRF token. Refusals raise `Refused` (403) or `Missing`
(404: also used for objects outside the viewer's jurisdiction, so their existence does not leak).
"""
from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from core.accounts import SignedIn, signed_in
from core.governance import estate_places
from core.roles import Place, Role, ScopeKind
from storage.models import Estate, StreetOffice

COOKIE = "linli_console"
LOGIN_CSRF_COOKIE = "linli_login_csrf"
LANG_COOKIE = "linli_lang"
FLASH_COOKIE = "linli_flash"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class Refused(Exception):
    """403: the viewer's role or jurisdiction does not allow this."""

    def __init__(self, message: str = "您没有权限访问此页面或执行此操作") -> None:
        super().__init__(message)
        self.message = message


class Missing(Exception):
    """404: no such thing, or not within the viewer's jurisdiction."""

    def __init__(self, message: str = "不存在或不在您的管辖范围内") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class NavItem:
    path: str
    zh: str
    en: str
    roles: frozenset[Role]


# The console's areas; each is shown to whoever holds one of its roles somewhere.
NAV: tuple[NavItem, ...] = (
    NavItem("/console/tickets", "工单", "Tickets",
            frozenset({Role.PROPERTY_STAFF, Role.COMMUNITY_STAFF, Role.STREET_STAFF})),
    NavItem("/console/street", "街道督办", "Street office", frozenset({Role.STREET_STAFF})),
    NavItem("/console/committee", "业委会", "Committee", frozenset({Role.COMMITTEE, Role.STREET_STAFF})),
    NavItem("/console/property", "物业收费", "Fees", frozenset({Role.PROPERTY_STAFF})),
    NavItem("/console/register", "房屋登记", "Register", frozenset({Role.ADMIN})),
)


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def now(request: Request) -> datetime:
    return runtime(request).services.clock()


async def viewer(request: Request) -> SignedIn:
    """The signed-in person; anyone else is sent to the login page (and back afterwards)."""
    rt = runtime(request)
    async with rt.db.session() as s:
        me = await signed_in(s, request.cookies.get(COOKIE), rt.services.clock())
    if me is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/console")
    request.state.viewer = me
    return me


async def form_viewer(request: Request) -> SignedIn:
    """As `viewer`, for a state-changing request: the form (or X-CSRF-Token) must carry the
    session's CSRF token."""
    me = await viewer(request)
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, me.csrf):
        raise Refused("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
    return me


def held_roles(me: SignedIn) -> frozenset[Role]:
    return frozenset(g.role for g in me.actor.grants)


def require(ok: bool, message: str | None = None) -> None:
    if not ok:
        raise Refused(message) if message else Refused()


def require_role(me: SignedIn, *roles: Role) -> None:
    """The viewer holds one of `roles` somewhere (jurisdiction is checked per object)."""
    require(bool(held_roles(me) & set(roles)))


async def estates_of(session: AsyncSession, me: SignedIn, roles: Sequence[Role]) -> list[tuple[Estate, Place]]:
    """The estates over which the viewer holds one of `roles`."""
    return [(e, p) for e, p in await estate_places(session) if me.actor.any_of(set(roles), p)]


async def estate_in_reach(session: AsyncSession, me: SignedIn, estate_id: int, roles: Sequence[Role]
                          ) -> tuple[Estate, Place]:
    """One estate the viewer holds one of `roles` over; Missing otherwise."""
    found = await estate_places(session, [estate_id])
    if not found or not me.actor.any_of(set(roles), found[0][1]):
        raise Missing()
    return found[0]


async def offices_of(session: AsyncSession, me: SignedIn) -> list[StreetOffice]:
    """The street offices whose jurisdiction the viewer works in as street staff."""
    offices = list((await session.scalars(select(StreetOffice).order_by(StreetOffice.id))).all())
    out = []
    for o in offices:
        for g in me.actor.grants:
            if g.role is not Role.STREET_STAFF:
                continue
            if (g.scope_kind is ScopeKind.ALL or (g.scope_kind is ScopeKind.STREET_OFFICE and g.scope_id == o.id)
                    or (g.scope_kind is ScopeKind.DISTRICT and g.scope_id == o.district_id)):
                out.append(o)
                break
    return out


async def office_in_reach(session: AsyncSession, me: SignedIn, office_id: int) -> StreetOffice:
    for o in await offices_of(session, me):
        if o.id == office_id:
            return o
    raise Missing()


def language(request: Request, me: SignedIn | None) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in ("zh", "en"):
        return chosen
    return me.language if me and me.language in ("zh", "en") else "zh"


def pick(lang: str) -> Any:
    """`_("中文", "English")` in templates: the interface speaks Chinese, English on request."""
    def _(zh: str, en: str | None = None) -> str:
        return en if lang == "en" and en else zh
    return _


def render(request: Request, me: SignedIn | None, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    lang = language(request, me)
    roles = held_roles(me) if me else frozenset()
    flash = request.cookies.get(FLASH_COOKIE)
    response = TEMPLATES.TemplateResponse(request, template, {
        "me": me, "lang": lang, "_": pick(lang), "path": request.url.path,
        "nav": [n for n in NAV if n.roles & roles], "flash": unquote(flash) if flash else None,
        **context}, status_code=status_code)
    if flash:
        response.delete_cookie(FLASH_COOKIE, path="/console")
    return response


def redirect(url: str, flash: str | None = None) -> RedirectResponse:
    """303 after a form post; `flash` is shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, quote(flash[:300]), path="/console", httponly=True, samesite="lax")
    return response


def safe_next(target: str | None) -> str:
    """Only a path inside the console: never an open redirect to another site."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"


SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # login-link tokens never leak through Referer
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'",
}
