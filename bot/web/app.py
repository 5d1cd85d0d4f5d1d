"""The one web application: web chat now; webhooks and the staff console mount here too."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot import charts
from bot.runtime import Runtime
from bot.channels.telegram import webhook as telegram_webhook
from bot.web import chat, console, open311, tickets_api
from storage.models.votes import Vote

STATIC = Path(__file__).parent / "static"


def create_app(rt: Runtime) -> FastAPI:
    app = FastAPI(title="Linli 邻里", docs_url="/api/docs", redoc_url=None)
    app.state.runtime = rt
    app.include_router(chat.make_router(rt))
    app.include_router(tickets_api.make_router(rt))
    app.include_router(open311.make_router(rt))
    # Answers 503 until the Telegram service has started (only when a token is configured).
    app.include_router(telegram_webhook.make_router(rt))
    if rt.settings.wechat_token:
        from bot.channels.wechat import make_router as wechat_router

        app.include_router(wechat_router(rt))
    console.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/chat")

    @app.get("/chat", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")

    @app.get("/charts/vote/{vote_id}.png", include_in_schema=False)
    async def vote_chart(vote_id: int) -> Response:
        # Published results are public aggregates; nothing personal is drawn.
        async with rt.db.session() as s:
            vote = await s.get(Vote, vote_id)
        if vote is None or vote.status != "published" or not vote.result:
            raise HTTPException(404)
        return Response(charts.vote_chart(vote.title, vote.result), media_type="image/png")

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
