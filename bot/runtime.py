"""The running installation: settings, database, the conversation core, started in one place."""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from datetime import datetime, timezone

from bot.config import Settings
from bot.ratelimit import Limiter, make_limiter
from core.demo import DemoResult, seed_demo
from core.tickets.config import load_config as load_tickets_config
from core.people import installation_secret
from core.verification import VerificationPolicy
from handlers import default_routers
from handlers.dispatcher import Dispatcher, Services
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)


def verification_policy(settings: Settings) -> VerificationPolicy:
    from datetime import timedelta

    return VerificationPolicy(valid_days=settings.verification_code_days,
                              max_failures=settings.verification_max_failures,
                              window=timedelta(minutes=settings.verification_window_minutes))


@dataclass
class Runtime:
    settings: Settings
    db: Database
    services: Services
    dispatcher: Dispatcher
    demo: DemoResult | None = None
    # Platform senders for the broadcaster, by channel (added by channel adapters when configured).
    senders: dict[str, Any] = field(default_factory=dict)
    # Running channel services (e.g. "telegram", "wechat") that web routes look up.
    extras: dict[str, Any] = field(default_factory=dict)
    # Platform send limits shared by all workers (Redis); None without LINLI_REDIS_URL.
    limiter: Limiter | None = None

    async def close(self) -> None:
        if self.limiter is not None:
            await self.limiter.aclose()
        await self.db.dispose()


async def start_runtime(settings: Settings, *, migrate: bool = True, seed: bool | None = None) -> Runtime:
    """Apply migrations, make sure the installation has a secret, seed the demo once."""
    if migrate:
        # Alembic is synchronous; keep it off the event loop.
        await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    async with db.session() as s:
        secret = await installation_secret(s, settings.secret_key)
    services = Services(secret=secret, verification=verification_policy(settings),
                        default_language=settings.language,
                        public_url=(settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/"))
    services.extra["tickets"] = load_tickets_config(settings.tickets_config)
    runtime = Runtime(settings, db, services, Dispatcher(db, services, default_routers()),
                      limiter=make_limiter(settings.redis_url, settings.redis_prefix + "rl:"))
    if settings.demo if seed is None else seed:
        async with db.session() as s:
            runtime.demo = await seed_demo(s, secret, datetime.now(timezone.utc))
    return runtime
