"""Everything `linli run` keeps running in one process: the web app (web chat, webhooks, staff
API), the broadcaster, and — when configured — the scheduler and the Telegram bot."""
from __future__ import annotations

import asyncio
import contextlib
import logging

import uvicorn

from bot.broadcast import Broadcaster
from bot.channels.telegram.service import start_telegram
from bot.jobs import default_specs
from bot.runtime import Runtime
from bot.scheduler import LinliScheduler
from bot.web.app import create_app

log = logging.getLogger(__name__)


async def run_services(rt: Runtime, host: str, port: int) -> None:
    stop = asyncio.Event()
    # Before the broadcaster copies rt.senders, so notices reach Telegram too.
    telegram = await start_telegram(rt) if rt.settings.telegram_token else None
    app = create_app(rt)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=True,
                                           forwarded_allow_ips=rt.settings.forwarded_allow_ips))
    # uvicorn installs its own signal handlers; when it stops, everything else stops with it.
    broadcaster = Broadcaster(rt.db, dict(rt.senders), limiter=rt.limiter)
    tasks = [asyncio.create_task(broadcaster.run_forever(stop), name="broadcaster")]
    # Every process may start one; the leader lock lets exactly one schedule jobs.
    scheduler = LinliScheduler(rt.settings, default_specs(rt.settings), db=rt.db)
    await scheduler.start()
    try:
        await server.serve()
    finally:
        stop.set()
        await scheduler.stop()
        if telegram is not None:
            await telegram.stop()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(t, 10)
        await rt.close()


