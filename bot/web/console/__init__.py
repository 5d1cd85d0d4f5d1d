"""The web console for property staff, street offices, committees and admins (same app as the web chat).

Each area is a module with a `router`; MODULES lists them in the order their routes match.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.console.base import (
    SECURITY_HEADERS, LoginRequired, Missing, Refused, render)

MODULES = (
    "bot.web.console.auth",
    "bot.web.console.committee",
    "bot.web.console.street",
    "bot.web.console.tickets",
    "bot.web.console.property",
    "bot.web.console.register",
)


def routes() -> list[tuple[str, str]]:
    """(method, path template) of every console route, for the authorization table test."""
    out: list[tuple[str, str]] = []

    def walk(router: APIRouter, prefix: str) -> None:
        for route in router.routes:
            if isinstance(route, APIRoute):
                out.extend((m, prefix + route.path) for m in sorted(route.methods))
            elif hasattr(route, "original_router"):  # a router included into this one
                walk(route.original_router, prefix + getattr(route.include_context, "prefix", ""))

    for name in MODULES:
        walk(importlib.import_module(name).router, "")
    return out


def install(app: FastAPI) -> None:
    """Mount the console's routes, static files and error pages on the one web app."""
    for name in MODULES:
        app.include_router(importlib.import_module(name).router)
    app.mount("/console/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(f"/console/login?next={_quote(exc.next_path)}", status_code=303)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        return render(request, getattr(request.state, "viewer", None), "error.html", status_code=403,
                      message=exc.message)

    @app.exception_handler(Missing)
    async def missing(request: Request, exc: Missing) -> Response:
        return render(request, getattr(request.state, "viewer", None), "error.html", status_code=404,
                      message=exc.message)

    app.add_middleware(ConsoleSecurityHeaders)


class ConsoleSecurityHeaders:
    """The console's security headers on every /console response.

    A plain ASGI middleware: other paths (the Telegram webhook, the web chat) pass straight
    through, without the task and streams a `@app.middleware("http")` costs on every request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/console"):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for k, v in SECURITY_HEADERS.items():
                    headers.setdefault(k, v)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
